/**
 * /metrics, end to end: the real bot against the fakes, read as Prometheus reads it (parsed with
 * a text-format parser) after real flows: a filing, AWS refusals, a Slack 429, sync cycles, a
 * dead-lettered post, the lease let go. The metrics the alert rules of docs/monitoring.md use
 * move the way those rules expect, and no label ever carries anything outside its allowed set,
 * even after hostile user input and hostile error codes from Slack and AWS.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHANNEL, REQUESTER, fileQuotaCase, fileRelinquishment, openQuotaModal, startHarness, submitQuota, syncNow, textOf, threadReply, validQuotaInputs, type Harness } from '../helpers/harness.js';
import { labelsOutsideAllowed, scrape } from '../helpers/metrics.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const metrics = () => scrape(h.bot.port);

/** Submits the quota form once and waits for the filing it starts to end. */
async function submitAndSettle(inputs = validQuotaInputs()) {
  const { view } = await openQuotaModal(h);
  const res = await submitQuota(h, view, inputs);
  await h.slack.waitFor(() => h.slack.rootMessages(CHANNEL)[0], 5000, 'the thread root');
  await h.bot.filing.idle();
  return res;
}

describe('/metrics', () => {
  it('serves the Prometheus text format with the process metrics, and counts a filing, its AWS and Slack calls and the requests by status', async () => {
    const before = await metrics();
    // The process's own metrics, under their standard names.
    expect(before.has('process_cpu_user_seconds_total')).toBe(true);
    expect(before.has('nodejs_eventloop_lag_seconds')).toBe(true);
    // Every metric of the bot's has a one-line help text.
    for (const f of before.families.filter((f) => f.name.startsWith('ses_bot_'))) {
      expect(f.help, f.name).toMatch(/^\S.*\S$/);
      expect(f.help).not.toContain('\n');
    }
    expect(before.value('ses_bot_submissions_total', { outcome: 'filed' })).toBe(0);

    const { awsCase } = await fileQuotaCase(h);
    const after = await metrics();
    expect(after.value('ses_bot_submissions_total', { kind: 'quota', outcome: 'filed', code: 'none' })).toBe(1);
    expect(after.value('ses_bot_requests', { kind: 'quota', status: 'filed' })).toBe(1);
    expect(after.value('ses_bot_requests', { kind: 'quota', status: 'failed' })).toBe(0);
    expect(after.value('ses_bot_aws_calls_total', { service: 'support', operation: 'CreateCase', outcome: 'ok' })).toBe(1);
    expect(after.count('ses_bot_aws_call_duration_seconds', { service: 'support', operation: 'CreateCase' })).toBe(1);
    expect(after.value('ses_bot_aws_calls_total', { service: 'sesv2', operation: 'GetAccount', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(after.value('ses_bot_slack_api_calls_total', { method: 'views.open', outcome: 'ok' })).toBe(1);
    expect(after.value('ses_bot_slack_api_calls_total', { method: 'chat.postMessage', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(after.count('ses_bot_slack_api_call_duration_seconds', { method: 'views.open' })).toBe(1);
    expect(awsCase.caseId).toBeTruthy();

    // A sync cycle: counted, timed, its cases, and the lag back to (about) nothing.
    await syncNow(h);
    const synced = await metrics();
    expect(synced.value('ses_bot_case_sync_cycles_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(synced.count('ses_bot_case_sync_cycle_duration_seconds')).toBeGreaterThanOrEqual(1);
    expect(synced.value('ses_bot_case_sync_cases')).toBe(1);
    expect(synced.value('ses_bot_case_sync_lag_seconds')).toBeLessThan(5);
    expect(synced.value('ses_bot_aws_calls_total', { service: 'support', operation: 'DescribeCases', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(labelsOutsideAllowed(synced)).toEqual([]);
  });

  it('AWS refusing for lack of a support plan: the failed filing, its code and the refused call are counted (the "filings failing" and "no support plan" alerts)', async () => {
    h.aws.inject('CreateCase', { type: 'SubscriptionRequiredException', message: 'AWS Premium Support Subscription is required to use this service.' });
    await submitAndSettle();
    const m = await metrics();
    expect(m.value('ses_bot_submissions_total', { kind: 'quota', outcome: 'failed', code: 'no_support_plan' })).toBe(1);
    expect(m.value('ses_bot_submissions_total', { outcome: 'filed' })).toBe(0);
    expect(m.value('ses_bot_aws_calls_total', { service: 'support', operation: 'CreateCase', outcome: 'SubscriptionRequiredException' })).toBe(1);
    expect(m.value('ses_bot_requests', { kind: 'quota', status: 'failed' })).toBe(1);
  });

  it('an answer AWS left unknown is counted uncertain, and a form refused by validation as invalid', async () => {
    h.aws.inject('CreateCase', { type: 'InternalServerError', status: 500, message: 'internal error' });
    await submitAndSettle();
    const m = await metrics();
    expect(m.value('ses_bot_submissions_total', { kind: 'quota', outcome: 'uncertain', code: 'unavailable' })).toBe(1);
    expect(m.value('ses_bot_requests', { kind: 'quota', status: 'uncertain' })).toBe(1);

    const { view } = await openQuotaModal(h);
    const refused = await submitQuota(h, view, { ...validQuotaInputs(), 'row:0:newValue': 'not a number' });
    expect(refused.json?.response_action).toBe('errors');
    expect((await metrics()).value('ses_bot_submissions_total', { kind: 'quota', outcome: 'invalid', code: 'validation' })).toBe(1);
  });

  it('a 429 from Slack is counted as ratelimited, and the post waits in the outbox', async () => {
    const { awsCase, rootTs } = await fileQuotaCase(h);
    h.slack.inject('chat.postMessage', { status: 429, retryAfterSeconds: 30, channel: CHANNEL });
    h.aws.addCommunication(awsCase.caseId, { body: 'We need more details.' });
    await syncNow(h);
    const m = await metrics();
    expect(m.value('ses_bot_slack_api_calls_total', { method: 'chat.postMessage', outcome: 'ratelimited' })).toBe(1);
    expect(m.value('ses_bot_outbox_sends_total', { outcome: 'ratelimited' })).toBe(1);
    expect(m.value('ses_bot_outbox_posts', { state: 'pending' })).toBe(1);
    expect(h.slack.threadReplies(CHANNEL, rootTs).filter((r) => textOf(r.blocks).includes('We need more details.'))).toHaveLength(0);
  });

  it('a post Slack will never take is dead-lettered: counted once, and shown among the dead posts (the "outbox dead letters" alert)', async () => {
    const { awsCase, rootTs } = await fileQuotaCase(h);
    const before = await metrics();
    expect(before.value('ses_bot_outbox_sends_total', { outcome: 'dead_lettered' })).toBe(0);
    expect(h.slack.deleteMessage(CHANNEL, rootTs)).toBe(true);
    h.aws.setStatus(awsCase.caseId, 'work-in-progress');
    await syncNow(h);
    const after = await metrics();
    expect(after.value('ses_bot_outbox_sends_total', { outcome: 'dead_lettered' })).toBe(1);
    expect(after.value('ses_bot_outbox_posts', { state: 'dead' })).toBe(1);
    expect(after.value('ses_bot_slack_api_calls_total', { method: 'chat.update', outcome: 'ok' })).toBeLessThan(after.value('ses_bot_slack_api_calls_total', { method: 'chat.update' }));
    // Not counted again by later cycles.
    await syncNow(h);
    expect((await metrics()).value('ses_bot_outbox_sends_total', { outcome: 'dead_lettered' })).toBe(1);
  });

  it('a sync that cannot read AWS counts failed cycles and its lag keeps growing; a cycle that goes through brings it back (the "sync lag" alert)', async () => {
    await fileQuotaCase(h);
    await syncNow(h);
    const good = await metrics();
    const failedBefore = good.value('ses_bot_case_sync_cycles_total', { outcome: 'failed' });

    // DescribeCases refused (not retried by the SDK) for two cycles.
    h.aws.inject('DescribeCases', { type: 'AccessDeniedException', message: 'not authorized to perform: support:DescribeCases', times: 2 });
    await expect(syncNow(h)).rejects.toThrow();
    const lag1 = (await metrics()).value('ses_bot_case_sync_lag_seconds');
    await new Promise((r) => setTimeout(r, 1100));
    await expect(syncNow(h)).rejects.toThrow();
    const bad = await metrics();
    expect(bad.value('ses_bot_case_sync_cycles_total', { outcome: 'failed' })).toBe(failedBefore + 2);
    expect(bad.value('ses_bot_case_sync_lag_seconds')).toBeGreaterThan(lag1 + 1);
    expect(bad.value('ses_bot_aws_calls_total', { service: 'support', operation: 'DescribeCases', outcome: 'AccessDeniedException' })).toBe(2);

    expect(h.aws.pendingFaults()).toHaveLength(0);
    await syncNow(h);
    expect((await metrics()).value('ses_bot_case_sync_lag_seconds')).toBeLessThan(1);
  });

  it('the lease: held and counted when this replica takes it, and nobody holding it once it is let go (the "no lease holder" alert)', async () => {
    await h.bot.scheduler.idle();
    const held = await metrics();
    expect(held.value('ses_bot_periodic_work_lease_live')).toBe(1);
    expect(held.value('ses_bot_lease_held', { lease: 'periodic_work' })).toBe(1);
    expect(held.value('ses_bot_lease_takeovers_total', { lease: 'periodic_work' })).toBe(1);

    await h.bot.scheduler.stop();
    const none = await metrics();
    expect(none.value('ses_bot_periodic_work_lease_live')).toBe(0);
    expect(none.value('ses_bot_lease_held', { lease: 'periodic_work' })).toBe(0);
  });

  it('counts a filing taken over from a holder whose lease ran out', async () => {
    // The start-up interval's own recovery is over before the filer "dies".
    await h.bot.scheduler.idle();
    const { request } = await h.bot.store.insertRequest({
      id: 'deadowner0000001',
      submissionKey: 'seed:takeover',
      reference: 'SESBOT-takeover',
      teamId: 'T111',
      channelId: CHANNEL,
      requesterId: REQUESTER,
      payload: { kind: 'quota', mailType: 'transactional', websiteUrl: 'https://example.com', compliesWithAup: true, onlyRequestedRecipients: true, handlesBouncesAndComplaints: true, rows: [{ region: 'us-east-1', limit: 'send_quota', newValue: 200000 }], useCase: 'Seeded.', language: 'en' },
      responseUrl: null,
    });
    // Its filer died: the claim's lease ran out a second ago.
    expect(await h.bot.store.claimFiling(request.id, ['received'], 'a-dead-process', -1_000)).toBeDefined();
    expect((await metrics()).value('ses_bot_lease_takeovers_total', { lease: 'filing' })).toBe(0);
    await h.bot.filing.recover();
    await h.bot.filing.idle();
    expect((await metrics()).value('ses_bot_lease_takeovers_total', { lease: 'filing' })).toBe(1);
  });

  it('shows Service Quotas rows by their AWS status, their calls by operation, and the proof of effect once the account shows the grant', async () => {
    await h.restart({ QUOTA_FILING: '' });
    h.aws.setAccount('us-east-1', { SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 }, ProductionAccessEnabled: true });
    h.aws.setQuotaValue('us-east-1', 'L-804C8AE8', 50_000);
    await submitAndSettle();
    const pending = await metrics();
    expect(pending.value('ses_bot_quota_rows', { path: 'service_quotas', status: 'PENDING' })).toBe(1);
    expect(pending.value('ses_bot_quota_rows', { path: 'service_quotas', status: 'APPROVED' })).toBe(0);
    expect(pending.value('ses_bot_aws_calls_total', { service: 'service-quotas', operation: 'RequestServiceQuotaIncrease', outcome: 'ok' })).toBe(1);
    expect(pending.value('ses_bot_submissions_total', { kind: 'quota', outcome: 'filed' })).toBe(1);

    h.aws.setQuotaRequestStatus(h.aws.quotaRequests()[0]!.id, 'APPROVED');
    h.aws.setAccount('us-east-1', { SendQuota: { Max24HourSend: 200_000, MaxSendRate: 14, SentLast24Hours: 0 } });
    await syncNow(h);
    await syncNow(h);
    const approved = await metrics();
    // The account shows the new quota: proof of effect verified, once.
    expect(approved.value('ses_bot_proof_of_effect_total', { result: 'verified' })).toBe(1);
    expect(approved.value('ses_bot_proof_of_effect_total', { result: 'not_seen' })).toBe(0);
    expect(approved.value('ses_bot_quota_rows', { path: 'service_quotas', status: 'APPROVED' })).toBe(1);
    expect(approved.value('ses_bot_quota_rows', { path: 'service_quotas', status: 'PENDING' })).toBe(0);
  });

  it('counts a relinquishment confirmation sent to AWS', async () => {
    await h.restart({ AWS_REGION: 'eu-west-1', APPROVER_USER_IDS: 'U0APPROVE' });
    h.aws.setDedicatedIps('eu-west-1', [
      { name: 'marketing', scalingMode: 'STANDARD', ips: [{ ip: '198.51.100.10', warmupStatus: 'DONE', warmupPercentage: 100 }, { ip: '198.51.100.2', warmupStatus: 'DONE', warmupPercentage: 100 }] },
    ]);
    const filed = await fileRelinquishment(h, ['198.51.100.2']);
    h.aws.addCommunication(filed.awsCase.caseId, { body: 'Before we release these addresses, please confirm that you want to relinquish them.' });
    await syncNow(h);
    expect((await metrics()).value('ses_bot_confirmations_total', { outcome: 'sent' })).toBe(0);
    await threadReply(h, { threadTs: filed.rootTs, user: 'U0APPROVE', text: 'confirm' });
    await h.aws.waitFor(() => h.aws.callsTo('AddCommunicationToCase').length > 0 || undefined, 5000, 'the confirmation to reach AWS');
    // Counted once the bot has recorded it as sent, moments after AWS took it.
    let m = await metrics();
    for (let i = 0; i < 50 && m.value('ses_bot_confirmations_total', { outcome: 'sent' }) === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      m = await metrics();
    }
    expect(m.value('ses_bot_confirmations_total', { outcome: 'sent' })).toBe(1);
    expect(m.value('ses_bot_aws_calls_total', { service: 'support', operation: 'AddCommunicationToCase', outcome: 'ok' })).toBe(1);
  });

  it('keeps every label within its allowed set after hostile user input and hostile error codes from Slack and AWS', async () => {
    const hostile = 'x"} 1\nses_bot_evil{a="b"} 9\n{{}}\\"\'';
    const hostileLine = 'x"} 1 ses_bot_evil{a=\\"b\\"} {{}}';
    // A form full of quotes, newlines and braces, refused once, then filed.
    const { view } = await openQuotaModal(h);
    await submitQuota(h, view, { ...validQuotaInputs(), 'row:0:newValue': hostile, website_url: hostile });
    const inputs = { ...validQuotaInputs(), use_case: `${validQuotaInputs().use_case} ${hostile}` };
    // AWS answers with an error code of its own making, Slack with an error code nobody knows.
    // (An HTTP header cannot carry a newline: the AWS error code gets the rest.)
    h.aws.inject('CreateCase', { type: `Evil${hostileLine}Exception`, status: 400, message: hostile });
    h.slack.inject('chat.update', { error: `weird_${hostile}` });
    await submitAndSettle(inputs);
    const root = h.slack.rootMessages(CHANNEL)[0]!;
    await threadReply(h, { threadTs: root.ts, user: REQUESTER, text: hostile });
    await syncNow(h);
    const m = await metrics();
    expect(labelsOutsideAllowed(m)).toEqual([]);
    expect(m.text).not.toContain('evil');
    expect(m.text).not.toContain('Evil');
    expect(m.text).not.toContain('weird');
    expect(m.text).not.toContain(REQUESTER);
    expect(m.text).not.toContain(CHANNEL);
    expect(m.value('ses_bot_aws_calls_total', { service: 'support', operation: 'CreateCase', outcome: 'other' })).toBe(1);
    expect(m.value('ses_bot_slack_api_calls_total', { method: 'chat.update', outcome: 'error' })).toBe(1);
  });
});
