import { describe, expect, it } from 'vitest';
import { CallSpacer, SpacerTimeoutError } from '../../src/aws/rate-limiter.js';

describe('the Support API call spacer', () => {
  it('never lets more than five calls into any second, even when callers arrive together', async () => {
    const spacer = new CallSpacer(5);
    const released: number[] = [];
    await Promise.all(Array.from({ length: 8 }, () => spacer.take().then(() => released.push(performance.now()))));
    released.sort((a, b) => a - b);
    for (let i = 1; i < released.length; i++) expect(released[i]! - released[i - 1]!).toBeGreaterThanOrEqual(200);
    for (let i = 5; i < released.length; i++) expect(released[i]! - released[i - 5]!).toBeGreaterThan(1000);
  });
});

describe('urgent calls (those that change a case)', () => {
  it('go ahead of waiting reads, and give up unsent rather than wait past their bound', async () => {
    const spacer = new CallSpacer(5);
    const order: string[] = [];
    const reads = Array.from({ length: 4 }, (_, i) => spacer.take().then(() => order.push(`read${i}`)));
    const write = spacer.take({ urgent: true, maxWaitMs: 1000 }).then(() => order.push('write'));
    await Promise.all([...reads, write]);
    // The first read had the slot already; the write goes next, before the reads that waited.
    expect(order.slice(0, 2)).toEqual(['read0', 'write']);

    const busy = new CallSpacer(5);
    await Promise.all([busy.take({ urgent: true }), busy.take({ urgent: true })]);
    // Two more urgent calls queued: the second's turn is ~400 ms away, past a 250 ms bound.
    const results = await Promise.allSettled([busy.take({ urgent: true, maxWaitMs: 250 }), busy.take({ urgent: true, maxWaitMs: 250 })]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(SpacerTimeoutError);
  });
});
