/**
 * The thread outbox, end to end: a post Slack will never take (its thread root was deleted) is
 * dead-lettered and reported once instead of blocking the channel; a post Slack refuses for a
 * while is retried with backoff and delivered once; one that keeps failing is given up after
 * MAX_POST_ATTEMPTS tries, while the channel's other threads go on. Time is moved on the
 * database's clock (a deferred post's next_attempt_at), not by sleeping through the backoff.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_POST_ATTEMPTS } from '../../src/services/thread-poster.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { CHANNEL, REQUESTER, fileQuotaCase, startHarness, syncNow, textOf, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const db = () => (h.bot.store as KyselyStore).db;
const awsReplies = (rootTs: string) => h.slack.threadReplies(CHANNEL, rootTs).filter((m) => textOf(m.blocks).includes('*Amazon Web Services* replied'));
const updatesOf = (ts: string) => h.slack.callsTo('chat.update').filter((c) => c.args.ts === ts);
const postsInto = (rootTs: string) => h.slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === rootTs);
const deadLetterLines = () => h.logs.filter((l) => l.includes('dead-lettered'));
const undeliveredNotices = () => h.slack.ephemerals.filter((e) => e.user === REQUESTER && /could not be delivered/.test(e.text ?? ''));

/** The outbox row of the AWS reply posted into a request's thread. */
async function replyRow(requestId: string) {
  return db().selectFrom('thread_posts').selectAll().where('request_id', '=', requestId).where('content_key', 'like', 'comm:%').executeTakeFirstOrThrow();
}

/** Makes every deferred post of the channel due now, as if its backoff had run out. */
async function backoffOver(): Promise<void> {
  await db().updateTable('thread_posts').set({ next_attempt_at: '2000-01-01T00:00:00.000Z' }).where('state', '=', 'pending').where('channel_id', '=', CHANNEL).execute();
}

describe('the thread outbox', () => {
  it('dead-letters the update of a deleted root once, tells the requester once, and keeps posting in the channel', async () => {
    const first = await fileQuotaCase(h);
    const second = await fileQuotaCase(h);
    // A workspace admin deletes the first case's thread root.
    expect(h.slack.deleteMessage(CHANNEL, first.rootTs)).toBe(true);
    const updatesBefore = updatesOf(first.rootTs).length;

    // AWS changes the first case's status: its root cannot be updated any more.
    h.aws.setStatus(first.awsCase.caseId, 'work-in-progress');
    await syncNow(h);
    // Then AWS replies on the second case, in the same channel.
    h.aws.addCommunication(second.awsCase.caseId, { body: 'We are reviewing the second request.' });
    await syncNow(h);

    // The second case's reply is not held up behind the first case's undeliverable update.
    expect(awsReplies(second.rootTs)).toHaveLength(1);
    expect(textOf(awsReplies(second.rootTs)[0]!.blocks)).toContain('We are reviewing the second request.');
    expect(updatesOf(first.rootTs)).toHaveLength(updatesBefore + 1);
    const row = await db().selectFrom('thread_posts').selectAll().where('request_id', '=', first.request.id).where('content_key', 'like', 'root:%').executeTakeFirstOrThrow();
    expect(row.state).toBe('dead');

    // Not retried forever, and reported once.
    for (let i = 0; i < 3; i++) await syncNow(h);
    expect(updatesOf(first.rootTs)).toHaveLength(updatesBefore + 1);
    expect(undeliveredNotices()).toHaveLength(1);
    expect(undeliveredNotices()[0]!.channel).toBe(CHANNEL);
    expect(h.slack.ephemerals.filter((e) => e.user === REQUESTER)).toHaveLength(1);
    expect(deadLetterLines()).toHaveLength(1);
    expect(awsReplies(second.rootTs)).toHaveLength(1);
  });

  it('retries a post Slack refuses for a while with growing waits, delivers it once, and serves the other threads meanwhile', async () => {
    const failing = await fileQuotaCase(h);
    const other = await fileQuotaCase(h);
    h.slack.inject('chat.postMessage', { error: 'internal_error', times: 3 });
    h.aws.addCommunication(failing.awsCase.caseId, { body: 'Please tell us your bounce rate.' });
    await syncNow(h);
    expect(awsReplies(failing.rootTs)).toHaveLength(0);
    await h.slack.waitFor(() => postsInto(failing.rootTs).length === 2 || undefined, 5000, 'the second try');

    // While the reply waits out its backoff, a sync brings a change on another case of the
    // channel: its root is updated at once, and the waiting reply is not tried early.
    h.aws.setStatus(other.awsCase.caseId, 'work-in-progress');
    await syncNow(h);
    expect(textOf(h.slack.message(CHANNEL, other.rootTs)!.blocks)).toContain('AWS status: *Work in progress*');
    expect(postsInto(failing.rootTs)).toHaveLength(2);

    await h.slack.waitFor(() => awsReplies(failing.rootTs)[0], 10_000, 'the reply after three refusals');
    const tries = postsInto(failing.rootTs);
    expect(tries).toHaveLength(4);
    expect(tries.slice(0, 3).every((c) => c.fault?.error === 'internal_error')).toBe(true);
    // Backoff: about one second, then two, then four.
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(900);
    expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(1900);
    expect(tries[3]!.at - tries[2]!.at).toBeGreaterThanOrEqual(3900);

    await syncNow(h);
    await syncNow(h);
    expect(awsReplies(failing.rootTs)).toHaveLength(1);
    expect(postsInto(failing.rootTs)).toHaveLength(4);
    expect(deadLetterLines()).toHaveLength(0);
    expect(h.slack.ephemerals).toHaveLength(0);
  });

  it(`gives a post up after ${MAX_POST_ATTEMPTS} failed tries, while another thread of the same channel is still served`, async () => {
    const failing = await fileQuotaCase(h);
    const other = await fileQuotaCase(h);
    h.aws.addCommunication(failing.awsCase.caseId, { body: 'This reply never gets through.' });

    for (let attempt = 1; attempt <= MAX_POST_ATTEMPTS; attempt++) {
      // Exactly one refusal is queued at a time, so whatever tries the post next meets it.
      h.slack.inject('chat.postMessage', { error: 'internal_error', channel: CHANNEL });
      if (attempt > 1) await backoffOver();
      await syncNow(h);
      await h.slack.waitFor(() => postsInto(failing.rootTs).length === attempt || undefined, 5000, `try ${attempt} of the failing post`);
      await h.bot.poster.idle();
      expect(h.slack.pendingFaults()).toHaveLength(0);
      const row = await replyRow(failing.request.id);
      expect(row.state).toBe(attempt < MAX_POST_ATTEMPTS ? 'pending' : 'dead');

      if (attempt === 5) {
        // Meanwhile (the failing post waits out a 16-second backoff), another thread's reply goes out.
        h.aws.addCommunication(other.awsCase.caseId, { body: 'A reply in the other thread.' });
        await syncNow(h);
        expect(awsReplies(other.rootTs)).toHaveLength(1);
      }
    }

    expect(awsReplies(failing.rootTs)).toHaveLength(0);
    expect(deadLetterLines()).toHaveLength(1);
    expect(undeliveredNotices()).toHaveLength(1);

    // Dead: never tried again, even past any backoff; the channel's other thread still gets its posts.
    h.aws.addCommunication(other.awsCase.caseId, { body: 'Another reply in the other thread.' });
    await backoffOver();
    await syncNow(h);
    await syncNow(h);
    expect(postsInto(failing.rootTs)).toHaveLength(MAX_POST_ATTEMPTS);
    expect(awsReplies(other.rootTs).map((m) => textOf(m.blocks).split('\n').at(-1))).toEqual(['A reply in the other thread.', 'Another reply in the other thread.']);
    expect(deadLetterLines()).toHaveLength(1);
    expect(undeliveredNotices()).toHaveLength(1);
  });
});
