/**
 * Requests whose CreateCase outcome AWS left unknown are looked for on AWS by their reference
 * before anything is filed again: one DescribeCases lookup per sync cycle for all of them, and
 * a bounded one; a lookup that stopped before the last page proves nothing, so nothing is filed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REFERENCE_LOOKUP_MAX_PAGES } from '../../src/aws/support-gateway.js';
import { UNCERTAIN_GRACE_MS } from '../../src/services/filing.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { CHANNEL, openQuotaModal, startHarness, submitQuota, textOf, validQuotaInputs, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

/** The reference lookups (DescribeCases by creation time, not by case id) AWS has seen. */
const lookups = () => h.aws.callsTo('DescribeCases').filter((c) => c.input.afterTime !== undefined);

/** Files a request whose CreateCase answers 500 (after creating the case when `created`); returns its root. */
async function fileUncertain(created: boolean) {
  const index = h.slack.rootMessages(CHANNEL).length;
  h.aws.inject('CreateCase', { status: 500, type: 'InternalServerError', message: 'Internal error', afterHandling: created });
  const { view } = await openQuotaModal(h);
  const res = await submitQuota(h, view, validQuotaInputs());
  expect(res.json.response_action).toBe('update');
  const root = await h.slack.waitFor(() => {
    const m = h.slack.rootMessages(CHANNEL)[index];
    return m && textOf(m.blocks).includes('AWS did not say whether the case was filed') ? m : undefined;
  }, 10_000, 'an uncertain filing');
  await h.bot.filing.idle();
  return root;
}

async function cycle() {
  await h.bot.scheduler.runOnce();
  await h.bot.filing.idle();
  await h.bot.poster.idle();
}

describe('uncertain filings', () => {
  it('are all found by one DescribeCases lookup in one cycle, each linked to its own case, none filed again', async () => {
    const roots = [await fileUncertain(true), await fileUncertain(true), await fileUncertain(true)];
    expect(h.aws.cases.size).toBe(3);
    const before = lookups().length;

    await cycle();

    expect(lookups()).toHaveLength(before + 1);
    expect(h.aws.callsTo('CreateCase')).toHaveLength(3);
    expect(h.aws.cases.size).toBe(3);
    const linked = new Set<string>();
    for (const root of roots) {
      const request = (await h.bot.store.findRequestByThread(CHANNEL, root.ts))!;
      expect(request.status).toBe('filed');
      const awsCase = h.aws.cases.get(request.caseId!)!;
      // Its own case: the one carrying its reference.
      expect(awsCase.communications[0]!.body).toContain(request.reference);
      expect(textOf(h.slack.message(CHANNEL, root.ts)!.blocks)).toContain(`Case ${awsCase.displayId}`);
      linked.add(request.caseId!);
    }
    expect(linked.size).toBe(3);
  });

  it(`read at most ${REFERENCE_LOOKUP_MAX_PAGES} pages, and a request not found in them is not filed again`, async () => {
    const root = await fileUncertain(false);
    expect(h.aws.cases.size).toBe(0);
    // The account has more recent cases than the lookup reads (DescribeCases pages at 100).
    for (let i = 0; i < REFERENCE_LOOKUP_MAX_PAGES * 100 + 50; i++) h.aws.seedCase({ subject: `Another team's case ${i}` });
    // Past the grace period: a lookup that read every page and found nothing would file it now.
    const request = (await h.bot.store.findRequestByThread(CHANNEL, root.ts))!;
    const longAgo = new Date((await h.bot.store.now()).getTime() - UNCERTAIN_GRACE_MS - 60_000).toISOString();
    await (h.bot.store as KyselyStore).db.updateTable('requests').set({ attempted_at: longAgo }).where('id', '=', request.id).execute();
    const before = lookups().length;

    await cycle();

    const pages = lookups().slice(before);
    expect(pages).toHaveLength(REFERENCE_LOOKUP_MAX_PAGES);
    expect(pages.every((c) => c.input.maxResults === 100)).toBe(true);
    expect(h.aws.callsTo('CreateCase')).toHaveLength(1);
    expect((await h.bot.store.getRequest(request.id))!.status).toBe('uncertain');
    const rootText = textOf(h.slack.message(CHANNEL, root.ts)!.blocks);
    expect(rootText).toContain('AWS did not say whether the case was filed');
    expect(rootText).not.toContain('AWS status');
  }, 40_000);
});
