/**
 * Proof of effect through the real app: after AWS's positive answer the bot re-reads the account
 * and says once in the thread that the change is really there (verified, before → after), or
 * that it is not after 72 hours; the root shows the same. Time is moved in the database.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RegionEffect } from '../../src/domain/proof.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { fillState } from '../helpers/slack-requests.js';
import { CHANNEL, REQUESTER, fileRelinquishment, threadReply, openDedicatedIpModal, openQuotaModal, startHarness, submitQuota, syncNow, textOf, validQuotaInputs, waitForFiledCase, type Harness } from '../helpers/harness.js';
import { leaseInputs, standardPool, twoWarmIps, warm } from '../helpers/dedicated-ip-fixtures.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const thread = (rootTs: string) => h.slack.threadReplies(CHANNEL, rootTs).map((m) => textOf(m.blocks) || m.text || '');
const said = (rootTs: string, pattern: RegExp) => thread(rootTs).filter((t) => pattern.test(t));
const rootText = (rootTs: string) => textOf(h.slack.message(CHANNEL, rootTs)!.blocks);

/** Moves a request's effect checks back in time, as if its positive outcome was `hoursAgo` hours ago and a check is due. */
async function ageEffects(requestId: string, hoursAgo: number) {
  const db = (h.bot.store as KyselyStore).db;
  const row = await db.selectFrom('requests').select('effects').where('id', '=', requestId).executeTakeFirstOrThrow();
  const due = new Date(Date.now() - 1000).toISOString();
  const effects = (JSON.parse(row.effects!) as RegionEffect[]).map((e) => ({ ...e, outcomeAt: new Date(Date.now() - hoursAgo * 3600_000).toISOString(), nextCheckAt: due }));
  await db.updateTable('requests').set({ effects: JSON.stringify(effects), effect_due_at: due }).where('id', '=', requestId).execute();
}

describe('a quota request sent through Service Quotas', () => {
  beforeEach(async () => {
    h = await startHarness({ QUOTA_FILING: 'service-quotas' });
    h.aws.setAccount('us-east-1', { SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 }, ProductionAccessEnabled: true });
    h.aws.setQuotaValue('us-east-1', 'L-804C8AE8', 50_000);
    h.aws.setQuotaValue('us-east-1', 'L-CDEF9B6B', 14);
  });

  async function submit(inputs: Record<string, string | undefined> = {}) {
    const { view } = await openQuotaModal(h);
    const res = await submitQuota(h, view, { ...validQuotaInputs(), ...inputs });
    expect(res.json.response_action).toBe('update');
    const root = await h.slack.waitFor(() => h.slack.rootMessages(CHANNEL)[0]);
    await h.bot.filing.idle();
    return { request: (await h.bot.store.findRequestByThread(CHANNEL, root.ts))!, rootTs: root.ts };
  }

  it('records the figures when filed, and once approved and visible says verified with before → after, once', async () => {
    const { request, rootTs } = await submit();
    expect(request.effects).toEqual([expect.objectContaining({ region: 'us-east-1', kind: 'quota', state: 'awaiting_outcome', before: { quota: { max24HourSend: 50_000, maxSendRate: 14, productionAccess: true } } })]);
    h.aws.setQuotaRequestStatus(h.aws.quotaRequests()[0]!.id, 'APPROVED');
    h.aws.setAccount('us-east-1', { SendQuota: { Max24HourSend: 200_000, MaxSendRate: 14, SentLast24Hours: 0 } });
    await syncNow(h);
    await syncNow(h);
    const verified = said(rootTs, /Verified/);
    expect(verified).toHaveLength(1);
    expect(verified[0]).toContain('*Verified* in the account: us-east-1 sending quota 50,000 → 200,000 per 24 hours');
    expect(verified[0]).toContain(`<@${REQUESTER}>`);
    expect(rootText(rootTs)).toContain('*Verified:* us-east-1 sending quota 50,000 → 200,000 per 24 hours');
  });

  it('says a rate grant as before → after per second', async () => {
    const { rootTs } = await submit({ 'row:0:limit': 'send_rate', 'row:0:newValue': '50' });
    h.aws.setQuotaRequestStatus(h.aws.quotaRequests()[0]!.id, 'APPROVED');
    h.aws.setAccount('us-east-1', { SendQuota: { Max24HourSend: 50_000, MaxSendRate: 50, SentLast24Hours: 0 } });
    await syncNow(h);
    expect(said(rootTs, /Verified/)[0]).toContain('us-east-1 rate 14 → 50/s');
  });

  it('says plainly when AWS granted less than asked', async () => {
    const { rootTs } = await submit({ 'row:0:newValue': '500000' });
    h.aws.setQuotaRequestStatus(h.aws.quotaRequests()[0]!.id, 'APPROVED');
    h.aws.setAccount('us-east-1', { SendQuota: { Max24HourSend: 200_000, MaxSendRate: 14, SentLast24Hours: 0 } });
    await syncNow(h);
    expect(said(rootTs, /Verified/)[0]).toContain('sending quota 50,000 → 200,000 per 24 hours (asked 500,000, got 200,000)');
  });

  it('re-reads on a bounded schedule, and after 72 hours without the change says so once with what AWS reports now', async () => {
    const { request, rootTs } = await submit();
    h.aws.setQuotaRequestStatus(h.aws.quotaRequests()[0]!.id, 'APPROVED');
    const reads = () => h.aws.callsTo('GetAccount').length;
    const before = reads();
    await syncNow(h);
    // Read at once, then not again before the next check on the schedule (5 minutes later).
    await syncNow(h);
    await syncNow(h);
    expect(reads() - before).toBe(1);
    expect(said(rootTs, /Verified|does not show/)).toHaveLength(0);
    expect(rootText(rootTs)).toContain('Checking US East (N. Virginia) for the change AWS answered');

    await ageEffects(request.id, 73);
    await syncNow(h);
    await syncNow(h);
    const notSeen = said(rootTs, /does not show the change/);
    expect(notSeen).toHaveLength(1);
    expect(notSeen[0]).toContain('72 hours after AWS\'s answer, the account does not show the change in us-east-1. The account shows now: us-east-1 sending quota 50,000 → 50,000 per 24 hours (unchanged). Check the request in Service Quotas');
    expect(rootText(rootTs)).toContain('*Not seen in the account* 72 hours after AWS\'s answer');
    const stored = (await h.bot.store.getRequest(request.id))!;
    expect(stored.effects![0]!.state).toBe('not_seen');
    expect(reads() - before).toBe(2);
  });

  it('an approval AWS gave at once (found when the lost answer is looked for) is checked too', async () => {
    h.aws.inject('RequestServiceQuotaIncrease', { afterHandling: true, status: 500, type: 'ServiceException', message: 'lost' });
    const { request, rootTs } = await submit();
    expect(request.status).toBe('uncertain');
    h.aws.setQuotaRequestStatus(h.aws.quotaRequests()[0]!.id, 'APPROVED');
    h.aws.setAccount('us-east-1', { SendQuota: { Max24HourSend: 200_000, MaxSendRate: 14, SentLast24Hours: 0 } });
    await syncNow(h);
    await syncNow(h);
    expect(said(rootTs, /Verified/)).toHaveLength(1);
  });

  it('a second limit approved later in the same region is verified again, with both', async () => {
    const { view } = await openQuotaModal(h);
    await h.requester.blockAction({ userId: REQUESTER, view, values: {}, actions: [{ action_id: 'add_row', block_id: 'add_row' }] });
    const two = await h.slack.waitFor(() => {
      const v = h.slack.latestView(view.id)!;
      return v.blocks.some((b: any) => b.block_id === 'row:1:region') ? v : undefined;
    });
    const res = await submitQuota(h, two, { ...validQuotaInputs(), 'row:1:region': 'us-east-1', 'row:1:limit': 'send_rate', 'row:1:newValue': '50' });
    expect(res.json.response_action).toBe('update');
    const root = await h.slack.waitFor(() => h.slack.rootMessages(CHANNEL)[0]);
    await h.bot.filing.idle();
    const [quotaRequest, rateRequest] = h.aws.quotaRequests();
    h.aws.setQuotaRequestStatus(rateRequest!.id, 'APPROVED');
    h.aws.setAccount('us-east-1', { SendQuota: { Max24HourSend: 50_000, MaxSendRate: 50, SentLast24Hours: 0 } });
    await syncNow(h);
    h.aws.setQuotaRequestStatus(quotaRequest!.id, 'APPROVED');
    h.aws.setAccount('us-east-1', { SendQuota: { Max24HourSend: 200_000, MaxSendRate: 50, SentLast24Hours: 0 } });
    await syncNow(h);
    await syncNow(h);
    const verified = said(root.ts, /Verified/);
    expect(verified).toHaveLength(2);
    expect(verified[0]).toContain('us-east-1 rate 14 → 50/s');
    expect(verified[1]).toContain('us-east-1 rate 14 → 50/s · sending quota 50,000 → 200,000 per 24 hours');
  });

  it('production access granted in a sandboxed region: verified with the new limits', async () => {
    h.aws.setAccount('eu-west-1', { SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 }, ProductionAccessEnabled: false });
    const { rootTs } = await submit({ 'row:0:region': 'eu-west-1' });
    expect(h.aws.callsTo('PutAccountDetails')).toHaveLength(1);
    h.aws.setReviewStatus('eu-west-1', 'GRANTED');
    h.aws.setAccount('eu-west-1', { SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 }, ProductionAccessEnabled: true });
    await syncNow(h);
    const verified = said(rootTs, /Verified/);
    expect(verified).toHaveLength(1);
    // Production access came with less than the 200,000 asked: said plainly.
    expect(verified[0]).toContain('eu-west-1 production access on · sending quota 200 → 50,000 per 24 hours (asked 200,000, got 50,000) · rate 1 → 14/s');
  });
});

describe('dedicated IPs filed as Support cases', () => {
  beforeEach(async () => {
    h = await startHarness({ AWS_REGION: 'eu-west-1' });
    h.aws.setDedicatedIps('eu-west-1', twoWarmIps());
  });

  it('new IPs: after AWS answers, the new addresses with pool and warm-up, and fewer than asked said plainly', async () => {
    const view = await openDedicatedIpModal(h);
    const inputs = leaseInputs({ 'row:0:ipCount': '3' });
    const res = await h.requester.viewSubmission({ view, values: fillState(view, inputs), userId: REQUESTER });
    expect(res.json.response_action).toBe('update');
    const { awsCase, rootTs } = await waitForFiledCase(h);

    h.aws.setDedicatedIps('eu-west-1', [...twoWarmIps(), standardPool('ses-default-dedicated-pool', [{ ip: '203.0.113.9', warmupStatus: 'IN_PROGRESS', warmupPercentage: 0 }])]);
    h.aws.addCommunication(awsCase.caseId, { body: 'We have allocated your dedicated IPs.' });
    await syncNow(h);
    const verified = said(rootTs, /Verified/);
    expect(verified).toHaveLength(1);
    expect(verified[0]).toContain('eu-west-1: 1 new dedicated IP: 203.0.113.9 (pool ses-default-dedicated-pool, warm-up 0%) (asked 3, got 1)');
  });

  it('relinquished IPs: checked only once confirmed, then verified with the charge for the days held this month', async () => {
    const { request, awsCase, rootTs } = await fileRelinquishment(h, ['198.51.100.3']);
    h.aws.addCommunication(awsCase.caseId, { body: 'Please confirm the release of 198.51.100.3.' });
    await syncNow(h);
    // AWS's question releases nothing: no check starts (which would run out before a late confirmation).
    expect((await h.bot.store.getRequest(request.id))!.effects!.every((e) => e.state === 'awaiting_outcome')).toBe(true);
    await threadReply(h, { threadTs: rootTs, user: REQUESTER, text: 'confirm' });
    await h.aws.waitFor(() => h.aws.callsTo('AddCommunicationToCase').length === 1);

    h.aws.setDedicatedIps('eu-west-1', [standardPool('marketing', [warm('198.51.100.2')])]);
    h.aws.addCommunication(awsCase.caseId, { body: 'We have released 198.51.100.3.' });
    await syncNow(h);
    const verified = said(rootTs, /Verified/);
    expect(verified).toHaveLength(1);
    const day = new Date().getUTCDate();
    expect(verified[0]).toMatch(new RegExp(`eu-west-1: 198\\.51\\.100\\.3 no longer in the account · charge for the ${day} days held this month: about USD \\d+\\.\\d\\d`));
  });
});
