/**
 * What the bot keeps about a case it no longer follows: once a resolved case is past its
 * 14-day watch, its seen-communication keys, delivered thread posts and finished
 * communications to AWS are pruned by the sync cycle's pre-steps; a case still watched keeps
 * everything. Time is moved by setting resolved_at in the database.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { fillState } from '../helpers/slack-requests.js';
import { CHANNEL, REQUESTER, fileQuotaCase, startHarness, syncNow, textOf, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const DAY = 24 * 3600_000;
const db = () => (h.bot.store as KyselyStore).db;

/** Sends a reply to AWS through the root's Reply button and modal, and waits for its echo. */
async function replyFromSlack(rootTs: string, requestId: string, text: string): Promise<void> {
  const opens = h.slack.callsTo('views.open').length;
  await h.requester.blockAction({ userId: REQUESTER, channelId: CHANNEL, messageTs: rootTs, actions: [{ action_id: 'reply_to_aws', block_id: 'b', value: requestId }] });
  await h.slack.waitFor(() => h.slack.callsTo('views.open').length > opens, 5000, 'the reply modal');
  const view = h.slack.latestView()!;
  await h.requester.viewSubmission({ view, values: fillState(view, { reply_body: text }), userId: REQUESTER });
  await h.slack.waitFor(() => h.slack.threadReplies(CHANNEL, rootTs).some((m) => textOf(m.blocks).includes(text)), 5000, 'the reply echoed');
  await h.bot.poster.idle();
}

async function kept(requestId: string) {
  const count = async (table: 'seen_communications' | 'thread_posts' | 'outgoing_communications') =>
    (await db().selectFrom(table).select('request_id').where('request_id', '=', requestId).execute()).length;
  return { seen: await count('seen_communications'), posts: await count('thread_posts'), outgoing: await count('outgoing_communications') };
}

/** A filed case with an AWS reply synced, a reply sent from Slack, and then resolved on AWS's side. */
async function resolvedCaseWithHistory(label: string) {
  const filed = await fileQuotaCase(h);
  h.aws.addCommunication(filed.awsCase.caseId, { body: `AWS writes about the ${label} case.` });
  await syncNow(h);
  await replyFromSlack(filed.rootTs, filed.request.id, `Our answer on the ${label} case.`);
  h.aws.setStatus(filed.awsCase.caseId, 'resolved');
  await syncNow(h);
  return filed;
}

describe('pruning past the 14-day watch', () => {
  it("forgets a case resolved more than 14 days ago and keeps one still watched", async () => {
    const old = await resolvedCaseWithHistory('old');
    const recent = await resolvedCaseWithHistory('recent');
    for (const filed of [old, recent]) {
      const rows = await kept(filed.request.id);
      expect(rows.seen).toBeGreaterThanOrEqual(2);
      // The reply, the echo, the resolved notice and the root redraw.
      expect(rows.posts).toBeGreaterThanOrEqual(3);
      expect(rows.outgoing).toBe(1);
    }

    const now = Date.now();
    await db().updateTable('requests').set({ resolved_at: new Date(now - 15 * DAY).toISOString() }).where('id', '=', old.request.id).execute();
    await db().updateTable('requests').set({ resolved_at: new Date(now - 13 * DAY).toISOString() }).where('id', '=', recent.request.id).execute();
    const recentBefore = await kept(recent.request.id);

    const report = await syncNow(h);
    expect(report.cases).toBe(1);
    expect(await kept(old.request.id)).toEqual({ seen: 0, posts: 0, outgoing: 0 });
    expect(await kept(recent.request.id)).toEqual(recentBefore);
    // The request itself (and its thread in Slack) stays: only the bookkeeping of a finished case goes.
    expect((await h.bot.store.getRequest(old.request.id))!.caseId).toBe(old.awsCase.caseId);
  });
});
