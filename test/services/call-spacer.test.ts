import { describe, expect, it } from 'vitest';
import { CallSpacer } from '../../src/aws/rate-limiter.js';

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
