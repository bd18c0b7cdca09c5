/**
 * Push (issue 15): AWS Support events reach the real bot through the fake AWS's SQS, as
 * EventBridge would put them there. The harness's own timer runs the periodic work once, at
 * start-up; everything after is driven by events, or by the test running the poll itself.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CycleReport } from '../../src/services/case-sync.js';
import { CHANNEL, fileQuotaCase, openQuotaModal, startHarness, submitQuota, textOf, validQuotaInputs, waitForFiledCase, type Harness } from '../helpers/harness.js';

let h: Harness;
let queueUrl: string;

afterEach(async () => {
  await h?.close();
});

const awsReplies = (rootTs: string) => h.slack.threadReplies(CHANNEL, rootTs).filter((m) => textOf(m.blocks).includes('*Amazon Web Services* replied'));

/** A filed case, then the bot restarted to receive the queue's events (600 s between full polls unless told otherwise). */
async function withPush(env: Record<string, string> = {}, queue: { visibilityTimeoutSeconds?: number } = {}) {
  h = await startHarness();
  const filed = await fileQuotaCase(h);
  queueUrl = h.aws.createQueue('ses-support-events', queue);
  await h.restart({ SUPPORT_EVENTS_QUEUE_URL: queueUrl, POLL_FALLBACK_SECONDS: '600', ...env });
  await h.bot.scheduler.idle();
  return filed;
}

/** The periodic work once, as the scheduler runs it; the case sync's report when it ran. */
async function tick(): Promise<CycleReport | undefined> {
  const results = await h.bot.scheduler.runOnce();
  await h.bot.poster.idle();
  return results.find((r): r is CycleReport => typeof r === 'object' && r !== null && 'describeCasesCalls' in r);
}

const settled = () => h.aws.waitFor(() => {
  const q = h.aws.queueState(queueUrl);
  return q.visible === 0 && q.inFlight === 0 ? q : undefined;
}, 5000, 'every message to be deleted');

/** Polls an async condition (the bot's /healthz) until it holds. */
async function until<T>(fn: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function healthz() {
  return (await (await fetch(`http://127.0.0.1:${h.bot.port}/healthz`)).json()) as { ok: boolean; push?: { healthy: boolean; queues: { queue: string; receiving: boolean; failingSince?: string }[] } };
}

describe('AWS Support events through SQS', () => {
  it('posts a reply within 2 s of its event while the full poll runs only every 600 s, and deletes the message', async () => {
    const { request, rootTs } = await withPush();
    expect((await healthz()).push).toEqual({ healthy: true, queues: [{ queue: 'ses-support-events', receiving: true }] });
    // Within the fallback period the tick reads no case: the events carry the news.
    const quiet = await tick();
    expect(quiet?.describeCasesCalls ?? 0).toBe(0);

    const comm = h.aws.addCommunication(request.caseId!, { body: 'We have raised your sending quota.' });
    const sent = Date.now();
    h.aws.emitSupportEvent(queueUrl, { caseId: request.caseId!, eventName: 'AddCommunicationToCase', origin: 'AWS', communicationId: String(comm) });
    const [reply] = await h.slack.waitFor(() => {
      const r = awsReplies(rootTs);
      return r.length ? r : undefined;
    }, 5000, 'the reply in the thread');
    expect(Date.now() - sent).toBeLessThan(2000);
    expect(textOf(reply!.blocks)).toContain('We have raised your sending quota.');
    expect((await settled()).deleted).toBe(1);
  });

  it('posts a reply seen both by push and by the poll once, whichever comes first', async () => {
    const { request, rootTs } = await withPush();
    h.aws.addCommunication(request.caseId!, { body: 'First answer.' });
    h.aws.emitSupportEvent(queueUrl, { caseId: request.caseId!, eventName: 'AddCommunicationToCase', origin: 'AWS' });
    await h.slack.waitFor(() => awsReplies(rootTs).length === 1 || undefined, 5000, 'the first reply');
    await settled();
    await h.bot.sync.cycle();
    await h.bot.poster.idle();
    expect(awsReplies(rootTs)).toHaveLength(1);

    // The poll first, then the (late) event.
    h.aws.addCommunication(request.caseId!, { body: 'Second answer.' });
    await h.bot.sync.cycle();
    await h.bot.poster.idle();
    expect(awsReplies(rootTs)).toHaveLength(2);
    h.aws.emitSupportEvent(queueUrl, { caseId: request.caseId!, eventName: 'AddCommunicationToCase', origin: 'AWS' });
    expect((await settled()).deleted).toBe(2);
    await h.bot.poster.idle();
    expect(awsReplies(rootTs)).toHaveLength(2);
  });

  it('deletes and ignores an event for a case it does not follow, and malformed messages, logging those by id only', async () => {
    await withPush();
    const describes = h.aws.callsTo('DescribeCases').length;
    h.aws.emitSupportEvent(queueUrl, { caseId: 'case-123456789012-muen-2026-0000000000000000', eventName: 'AddCommunicationToCase', origin: 'AWS' });
    const junk = h.aws.sendToQueue(queueUrl, 'SECRET-LOOKING BODY that is not JSON');
    const otherEvent = h.aws.sendToQueue(queueUrl, JSON.stringify({ source: 'aws.health', 'detail-type': 'AWS Health Event', detail: {} }));
    expect((await settled()).deleted).toBe(3);
    expect(h.aws.callsTo('DescribeCases')).toHaveLength(describes);
    const warnings = h.logs.filter((l) => l.includes('not an AWS Support case event'));
    expect(warnings).toHaveLength(2);
    expect(warnings.some((l) => l.includes(junk))).toBe(true);
    expect(warnings.some((l) => l.includes(otherEvent))).toBe(true);
    expect(h.logs.some((l) => l.includes('SECRET-LOOKING BODY'))).toBe(false);
  });

  it('leaves an event whose sync failed to SQS, which hands it out again: one post', async () => {
    const { request, rootTs } = await withPush({}, { visibilityTimeoutSeconds: 1 });
    h.aws.addCommunication(request.caseId!, { body: 'Answer after a hiccup.' });
    // Every attempt of the SDK's retries fails once: the sync does not happen this time.
    h.aws.inject('DescribeCases', { type: 'ServiceUnavailableException', status: 503, message: 'Service unavailable', times: 4 });
    h.aws.emitSupportEvent(queueUrl, { caseId: request.caseId!, eventName: 'AddCommunicationToCase', origin: 'AWS' });
    await h.slack.waitFor(() => awsReplies(rootTs).length === 1 || undefined, 8000, 'the reply after redelivery');
    // Handed out twice: the failed sync left it, the second one deleted it.
    expect((await settled()).deleted).toBe(1);
    expect(h.logs.filter((l) => l.includes('could not sync cases on their events'))).toHaveLength(1);
    await h.bot.poster.idle();
    expect(awsReplies(rootTs)).toHaveLength(1);
  });

  it('hands the work back to the poll while the queue fails, then goes back to push', async () => {
    const { request, rootTs } = await withPush({ SUPPORT_EVENTS_WAIT_SECONDS: '1' });
    // Three refused receives in a row: about 7 s of failing (1, 2 then 4 s apart).
    h.aws.inject('ReceiveMessage', { type: 'AccessDenied', status: 403, message: 'not allowed', times: 3 });
    const failing = await until(async () => {
      const health = await healthz();
      return health.push && !health.push.healthy ? health.push : undefined;
    }, 6000, 'push to be reported unhealthy');
    expect(failing.queues[0]!.receiving).toBe(false);
    expect(failing.queues[0]!.failingSince).toBeDefined();
    h.aws.addCommunication(request.caseId!, { body: 'Answer while the queue was down.' });
    const report = await tick();
    expect(report?.describeCasesCalls).toBe(1);
    expect(awsReplies(rootTs)).toHaveLength(1);

    await until(async () => ((await healthz()).push?.healthy ? true : undefined), 10_000, 'push to work again');
    expect((await tick())?.describeCasesCalls ?? 0).toBe(0);
    h.aws.addCommunication(request.caseId!, { body: 'Answer once the queue is back.' });
    h.aws.emitSupportEvent(queueUrl, { caseId: request.caseId!, eventName: 'AddCommunicationToCase', origin: 'AWS' });
    await h.slack.waitFor(() => awsReplies(rootTs).length === 2 || undefined, 5000, 'the reply by push again');
  }, 30_000);

  it('leaves an event whose news AWS does not show yet, and posts the reply once it does', async () => {
    const { request, rootTs } = await withPush({}, { visibilityTimeoutSeconds: 1 });
    // The event outruns the Support API: the reply is not in DescribeCases yet.
    h.aws.emitSupportEvent(queueUrl, { caseId: request.caseId!, eventName: 'AddCommunicationToCase', origin: 'AWS' });
    await h.aws.waitFor(() => h.logs.some((l) => l.includes('does not show this event')) || undefined, 5000, 'the event to be left for later');
    // Not deleted: it comes back after the visibility timeout.
    expect(h.aws.queueState(queueUrl).deleted).toBe(0);
    h.aws.addCommunication(request.caseId!, { body: 'Shown a moment after its event.' });
    await h.slack.waitFor(() => awsReplies(rootTs).length === 1 || undefined, 8000, 'the reply after the redelivery');
    expect((await settled()).deleted).toBe(1);
  });

  it('gives up on an event after 5 receives, or leaves it to the queue\'s dead-letter queue when it has one', async () => {
    const { request } = await withPush({}, { visibilityTimeoutSeconds: 0.2 });
    // AWS refuses every DescribeCases (no retries for a refusal).
    h.aws.inject('DescribeCases', { type: 'AccessDeniedException', status: 400, message: 'not allowed', times: 1000 });
    h.aws.emitSupportEvent(queueUrl, { caseId: request.caseId!, eventName: 'AddCommunicationToCase', origin: 'AWS' });
    await h.aws.waitFor(() => h.logs.some((l) => l.includes('failed too often')) || undefined, 10_000, 'the bot to give up on the event');
    const given = await settled();
    expect(given.deleted).toBe(1);

    // With a dead-letter queue, SQS moves it there after its maxReceiveCount; the bot deletes nothing.
    const dlq = h.aws.createQueue('ses-support-events-dlq');
    const withDlq = h.aws.createQueue('ses-support-events-with-dlq', { visibilityTimeoutSeconds: 0.2, redrivePolicy: { deadLetterTargetArn: h.aws.queueArn(dlq), maxReceiveCount: 6 } });
    queueUrl = withDlq;
    await h.restart({ SUPPORT_EVENTS_QUEUE_URL: withDlq });
    const gaveUp = h.logs.filter((l) => l.includes('failed too often')).length;
    h.aws.emitSupportEvent(withDlq, { caseId: request.caseId!, eventName: 'AddCommunicationToCase', origin: 'AWS' });
    await h.aws.waitFor(() => h.aws.queueState(dlq).visible === 1 || undefined, 10_000, 'the event in the dead-letter queue');
    expect(h.aws.queueState(withDlq).deleted).toBe(0);
    expect(h.logs.filter((l) => l.includes('failed too often'))).toHaveLength(gaveUp);
  }, 30_000);

  it('updates the root on resolve and reopen events', async () => {
    const { request, rootTs } = await withPush();
    h.aws.setStatus(request.caseId!, 'resolved');
    h.aws.emitSupportEvent(queueUrl, { caseId: request.caseId!, eventName: 'ResolveCase' });
    await h.slack.waitFor(() => textOf(h.slack.message(CHANNEL, rootTs)!.blocks).includes('AWS status: *Resolved*') || undefined, 5000, 'the root to show the case resolved').catch((err) => {
      throw new Error(`${err.message}\n${textOf(h.slack.message(CHANNEL, rootTs)!.blocks)}\n${h.logs.slice(-5).join('\n')}`);
    });
    h.aws.setStatus(request.caseId!, 'reopened');
    h.aws.emitSupportEvent(queueUrl, { caseId: request.caseId!, eventName: 'ReopenCase' });
    await h.slack.waitFor(() => textOf(h.slack.message(CHANNEL, rootTs)!.blocks).includes('AWS status: *Reopened*') || undefined, 5000, 'the root to show the case reopened');
  });
});

describe('AWS Support events of several accounts', () => {
  const PROD = { id: '111111111111', roleArn: 'arn:aws:iam::111111111111:role/ses-support-bot' };
  const STAGING = { id: '222222222222', roleArn: 'arn:aws:iam::222222222222:role/ses-support-bot' };
  const STAGING_CHANNEL = 'C0STAGING';

  it('reads an account\'s own queue with its role, and keeps polling every interval the account without one', async () => {
    h = await startHarness();
    const dir = mkdtempSync(join(tmpdir(), 'ses-bot-push-accounts-'));
    try {
      h.aws.addRole({ roleArn: PROD.roleArn });
      h.aws.addRole({ roleArn: STAGING.roleArn });
      queueUrl = h.aws.createQueue('prod-support-events', { accountId: PROD.id });
      const file = join(dir, 'accounts.yaml');
      writeFileSync(
        file,
        [
          'accounts:',
          '  - name: prod',
          `    roleArn: ${PROD.roleArn}`,
          `    channels: [${CHANNEL}]`,
          `    supportEventsQueueUrl: ${queueUrl}`,
          '  - name: staging',
          `    roleArn: ${STAGING.roleArn}`,
          `    channels: [${STAGING_CHANNEL}]`,
        ].join('\n'),
      );
      await h.restart({ AWS_ACCOUNTS_FILE: file, POLL_FALLBACK_SECONDS: '600' });
      await h.bot.scheduler.idle();
      const prodCase = await fileQuotaCase(h);
      const { view } = await openQuotaModal(h, undefined, STAGING_CHANNEL);
      expect((await submitQuota(h, view, validQuotaInputs())).json.response_action).toBe('update');
      const stagingCase = await waitForFiledCase(h, STAGING_CHANNEL);
      expect([prodCase.request.accountName, stagingCase.request.accountName]).toEqual(['prod', 'staging']);
      // The queue is prod's: read with prod's role.
      expect(h.aws.callsTo('ReceiveMessage').every((c) => c.accountId === PROD.id)).toBe(true);

      // Between fallback polls, only staging (no queue) is polled.
      const before = h.aws.calls.length;
      const report = await tick();
      expect(report?.describeCasesCalls).toBe(1);
      expect(h.aws.calls.slice(before).filter((c) => c.operation === 'DescribeCases').map((c) => c.accountId)).toEqual([STAGING.id]);

      // Prod's news comes by its queue.
      h.aws.addCommunication(prodCase.request.caseId!, { body: 'Prod answer by push.' });
      h.aws.emitSupportEvent(queueUrl, { caseId: prodCase.request.caseId!, eventName: 'AddCommunicationToCase', origin: 'AWS' });
      await h.slack.waitFor(() => awsReplies(prodCase.rootTs).length === 1 || undefined, 5000, 'prod\'s reply');
      expect(h.aws.callsTo('DescribeCases').at(-1)!.accountId).toBe(PROD.id);

      // Through a shared queue too (read with the bot's own keys): an event naming another
      // account than its case's is not that case's, and is dropped; the right one syncs as prod.
      const shared = h.aws.createQueue('shared-support-events');
      await h.restart({ AWS_ACCOUNTS_FILE: file, POLL_FALLBACK_SECONDS: '600', SUPPORT_EVENTS_QUEUE_URL: shared });
      await h.bot.scheduler.idle();
      const describes = h.aws.callsTo('DescribeCases').length;
      h.aws.addCommunication(prodCase.request.caseId!, { body: 'Prod answer through the shared queue.' });
      h.aws.emitSupportEvent(shared, { caseId: prodCase.request.caseId!, eventName: 'AddCommunicationToCase', origin: 'AWS', account: '999999999999' });
      await h.aws.waitFor(() => h.aws.queueState(shared).deleted === 1 || undefined, 5000, 'the mismatched event to be dropped');
      expect(h.aws.callsTo('DescribeCases')).toHaveLength(describes);
      h.aws.emitSupportEvent(shared, { caseId: prodCase.request.caseId!, eventName: 'AddCommunicationToCase', origin: 'AWS', account: PROD.id });
      await h.slack.waitFor(() => awsReplies(prodCase.rootTs).length === 2 || undefined, 5000, 'prod\'s second reply');
      expect(h.aws.callsTo('DescribeCases').at(-1)!.accountId).toBe(PROD.id);
      expect(h.aws.callsTo('ReceiveMessage').some((c) => c.accountId === '123456789012')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
