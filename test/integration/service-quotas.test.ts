/**
 * /ses-quota with the default filing mode: each request row becomes one Service Quotas request
 * in its own region (or a production access request for a region still in the sandbox), its
 * statuses flow into the thread once each, and the whole form reaches the case AWS opens —
 * or, without a paid support plan, waits in the thread ready to paste.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { CHANNEL, REQUESTER, openQuotaModal, startHarness, submitQuota, syncNow, textOf, validQuotaInputs, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeEach(async () => {
  // Unset: the default, Service Quotas.
  h = await startHarness({ QUOTA_FILING: '' });
  for (const region of ['us-east-1', 'eu-west-1']) {
    h.aws.setAccount(region, { SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 }, ProductionAccessEnabled: true });
    h.aws.setQuotaValue(region, 'L-804C8AE8', 50_000);
    h.aws.setQuotaValue(region, 'L-CDEF9B6B', 14);
  }
});
afterEach(async () => {
  await h.close();
});

const TWO_REGIONS = { 'row:1:region': 'eu-west-1', 'row:1:limit': 'send_rate', 'row:1:newValue': '50' };

/** Submits the quota form (with a second row when `extra` names one) and waits until the filing is done. */
async function submit(inputs: Record<string, string | undefined> = {}, rows = 1) {
  const { view } = await openQuotaModal(h);
  let current = view;
  for (let i = 1; i < rows; i += 1) {
    await h.requester.blockAction({ userId: REQUESTER, view: current, values: {}, actions: [{ action_id: 'add_row', block_id: 'add_row' }] });
    current = await h.slack.waitFor(() => {
      const v = h.slack.latestView(view.id)!;
      return v.blocks.some((b: any) => b.block_id === `row:${i}:region`) ? v : undefined;
    });
  }
  const res = await submitQuota(h, current, { ...validQuotaInputs(), ...inputs });
  expect(res.json.response_action).toBe('update');
  const root = await h.slack.waitFor(() => h.slack.rootMessages(CHANNEL)[0]);
  await h.bot.filing.idle();
  await h.bot.poster.idle();
  const request = (await h.bot.store.findRequestByThread(CHANNEL, root.ts))!;
  return { request, rootTs: root.ts, acceptedView: res.json.view };
}

const thread = (rootTs: string) => h.slack.threadReplies(CHANNEL, rootTs).map((m) => textOf(m.blocks) || m.text || '');
const rootText = (rootTs: string) => textOf(h.slack.message(CHANNEL, rootTs)!.blocks);
const said = (rootTs: string, pattern: RegExp) => thread(rootTs).filter((t) => pattern.test(t));

describe('filing through Service Quotas (the default)', () => {
  it('sends one row as one Service Quotas request in its region, files no Support case, and shows its status', async () => {
    const { request, rootTs, acceptedView } = await submit();
    expect(textOf(acceptedView.blocks)).toContain('Service Quotas');
    const sent = h.aws.callsTo('RequestServiceQuotaIncrease');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.region).toBe('us-east-1');
    expect(sent[0]!.input).toMatchObject({ ServiceCode: 'ses', QuotaCode: 'L-804C8AE8', DesiredValue: 200_000 });
    expect(h.aws.callsTo('GetServiceQuota')[0]!.region).toBe('us-east-1');
    // No Support API call at all: Service Quotas needs no paid plan.
    expect(h.aws.calls.filter((c) => c.service === 'support')).toHaveLength(0);

    const awsRequest = h.aws.quotaRequests()[0]!;
    expect(request.status).toBe('filed');
    expect(request.quotaRows![0]).toMatchObject({ awsId: awsRequest.id, status: 'PENDING', sending: 'sent' });
    expect(rootText(rootTs)).toContain('US East (N. Virginia): Desired Maximum Send Quota → *200,000* per 24 hours · Service Quotas: *pending*');
    expect(said(rootTs, /Sent to AWS Service Quotas: US East \(N\. Virginia\): sending quota 200,000 per 24 hours \(quota L-804C8AE8/)).toHaveLength(1);
    // No Reply or Resolve until the bot follows a case.
    expect(JSON.stringify(h.slack.message(CHANNEL, rootTs)!.blocks)).not.toContain('reply_to_aws');
  });

  it('sends each row to its own region, and reads each region\'s statuses with one history call per cycle', async () => {
    const { request, rootTs } = await submit(TWO_REGIONS, 2);
    const sent = h.aws.callsTo('RequestServiceQuotaIncrease').map((c) => [c.region, c.input.QuotaCode, c.input.DesiredValue]);
    expect(sent).toEqual([
      ['us-east-1', 'L-804C8AE8', 200_000],
      ['eu-west-1', 'L-CDEF9B6B', 50],
    ]);
    expect(request.quotaRows!.map((r) => r.status)).toEqual(['PENDING', 'PENDING']);
    expect(rootText(rootTs)).toContain('Europe (Ireland): Desired Maximum Send Rate → *50* per second · Service Quotas: *pending*');

    // Other SES requests in the region page the history (the fake pages by 2).
    for (let i = 0; i < 3; i += 1) h.aws.seedQuotaRequest('us-east-1', { quotaCode: 'L-804C8AE8', desiredValue: 1000 + i, status: 'DENIED' });
    const before = h.aws.callsTo('ListRequestedServiceQuotaChangeHistory').length;
    await syncNow(h);
    const calls = h.aws.callsTo('ListRequestedServiceQuotaChangeHistory').slice(before);
    expect(new Set(calls.map((c) => c.region))).toEqual(new Set(['us-east-1', 'eu-west-1']));
    // us-east-1's four requests take two pages; eu-west-1's one takes one: three calls, none per row.
    expect(calls).toHaveLength(3);
    expect(calls.every((c) => c.input.ServiceCode === 'ses')).toBe(true);
  });

  it('says each status change once in the thread and redraws the root, across a restart', async () => {
    const { rootTs } = await submit();
    const id = h.aws.quotaRequests()[0]!.id;
    const awsCase = h.aws.openQuotaCase(id);
    await syncNow(h);
    await syncNow(h);
    expect(said(rootTs, /Service Quotas request for .*: \*case opened\*/)).toHaveLength(1);
    expect(said(rootTs, new RegExp(`AWS opened Support case \`${awsCase.caseId}\``))).toHaveLength(1);
    expect(rootText(rootTs)).toContain(`Service Quotas: *case opened* · case \`${awsCase.caseId}\``);

    await h.restart();
    await syncNow(h);
    expect(said(rootTs, /\*case opened\*/)).toHaveLength(1);

    h.aws.setQuotaRequestStatus(id, 'APPROVED');
    await syncNow(h);
    await syncNow(h);
    const approved = said(rootTs, /: \*approved\*/);
    expect(approved).toHaveLength(1);
    expect(approved[0]).toContain(`<@${REQUESTER}>`);
    expect(rootText(rootTs)).toContain('Service Quotas: *approved*');
  });

  it('stops polling a row 14 days after its final status', async () => {
    const { request } = await submit();
    h.aws.setQuotaRequestStatus(h.aws.quotaRequests()[0]!.id, 'DENIED');
    await syncNow(h);
    const db = (h.bot.store as KyselyStore).db;
    const stored = (await h.bot.store.getRequest(request.id))!;
    expect(stored.pollUntil).not.toBeNull();
    await db.updateTable('requests').set({ poll_until: new Date(Date.now() - 1000).toISOString() }).where('id', '=', request.id).execute();
    const before = h.aws.callsTo('ListRequestedServiceQuotaChangeHistory').length;
    await syncNow(h);
    expect(h.aws.callsTo('ListRequestedServiceQuotaChangeHistory').length).toBe(before);
  });
});

describe('the form reaches the case Service Quotas opens', () => {
  it('adds the whole form once, then follows the case: AWS replies in the thread, Reply and Resolve on the root', async () => {
    const { request, rootTs } = await submit();
    const awsCase = h.aws.openQuotaCase(h.aws.quotaRequests()[0]!.id);
    await syncNow(h);
    await syncNow(h);
    await syncNow(h);
    const added = h.aws.callsTo('AddCommunicationToCase');
    expect(added).toHaveLength(1);
    expect(added[0]!.input.caseId).toBe(awsCase.caseId);
    const body = String(added[0]!.input.communicationBody);
    expect(body).toContain('Limit increase request 1\nService: SES Sending Limits\nRegion: US East (N. Virginia)\nLimit name: Desired Maximum Send Quota\nNew limit value: 200000');
    expect(body).toContain('Use case description: We send order confirmations');
    expect(body).toContain('Mail Type: Transactional\nWebsite URL: https://shop.example.com');
    expect(body.trimEnd().endsWith(`Slack request reference: ${request.reference}`)).toBe(true);
    expect(said(rootTs, /The whole form .* was added to case/)).toHaveLength(1);
    // The bot's own communication is not echoed into the thread; what AWS wrote when it opened the case is.
    expect(said(rootTs, /We send order confirmations/)).toHaveLength(0);
    expect(said(rootTs, /Amazon Web Services\* replied[\s\S]*Quota code: L-804C8AE8/)).toHaveLength(1);

    h.aws.addCommunication(awsCase.caseId, { body: 'Please tell us how you handle complaints.' });
    await syncNow(h);
    expect(said(rootTs, /Please tell us how you handle complaints\./)).toHaveLength(1);
    const root = h.slack.message(CHANNEL, rootTs)!;
    expect(textOf(root.blocks)).toContain(`Case ${awsCase.displayId}`);
    expect(JSON.stringify(root.blocks)).toContain('reply_to_aws');
    expect(JSON.stringify(root.blocks)).toContain('resolve_case');
  });

  it('follows each row\'s own case: the form on each, AWS replies and waiting-on-us from either in the thread, once', async () => {
    const { request, rootTs } = await submit(TWO_REGIONS, 2);
    const [first, second] = h.aws.quotaRequests();
    const firstCase = h.aws.openQuotaCase(first!.id);
    const secondCase = h.aws.openQuotaCase(second!.id);
    await syncNow(h);
    await syncNow(h);
    expect(h.aws.callsTo('AddCommunicationToCase').map((c) => c.input.caseId).sort()).toEqual([firstCase.caseId, secondCase.caseId].sort());
    expect((await h.bot.store.getRequest(request.id))!.caseId).toBe(firstCase.caseId);

    h.aws.addCommunication(secondCase.caseId, { body: 'Which regions will this rate be used in?' });
    h.aws.setStatus(secondCase.caseId, 'pending-customer-action');
    await syncNow(h);
    await syncNow(h);
    expect(said(rootTs, /Which regions will this rate be used in\?/)).toHaveLength(1);
    expect(said(rootTs, new RegExp(`AWS is waiting for an answer from us on .*case ${secondCase.displayId}`))).toHaveLength(1);
    // The root still shows the request's own case.
    expect(rootText(rootTs)).toContain(`Case ${firstCase.displayId}`);
  });

  it('gives rows of one submission that share a case the form once', async () => {
    const { rootTs } = await submit(TWO_REGIONS, 2);
    const [first, second] = h.aws.quotaRequests();
    const awsCase = h.aws.openQuotaCase(first!.id);
    // AWS put the second row's request in the same case.
    h.aws.quotaRequest(second!.id).caseId = awsCase.caseId;
    await syncNow(h);
    await syncNow(h);
    expect(h.aws.callsTo('AddCommunicationToCase')).toHaveLength(1);
    expect(said(rootTs, /was added to case/)).toHaveLength(1);
  });

  it('without a paid support plan: one refused Support call, the form ready to paste, statuses still flowing, asked again a day later', async () => {
    h.aws.supportPlan = 'basic';
    const { request, rootTs } = await submit();
    const id = h.aws.quotaRequests()[0]!.id;
    const awsCase = h.aws.openQuotaCase(id);
    await syncNow(h);
    expect(h.aws.calls.filter((c) => c.service === 'support').map((c) => c.operation)).toEqual(['AddCommunicationToCase']);
    const paste = said(rootTs, /no paid support plan/);
    expect(paste).toHaveLength(1);
    expect(paste[0]).toContain(`\`${awsCase.caseId}\``);
    expect(paste[0]).toContain('by email and in Support Center');
    expect(paste[0]).toContain('```Limit increase request 1\nService: SES Sending Limits');
    expect(paste[0]).toContain(`Slack request reference: ${request.reference}`);

    h.aws.setQuotaRequestStatus(id, 'APPROVED');
    await syncNow(h);
    await syncNow(h);
    expect(h.aws.calls.filter((c) => c.service === 'support')).toHaveLength(1);
    expect(said(rootTs, /: \*approved\*/)).toHaveLength(1);
    expect(said(rootTs, /no paid support plan/)).toHaveLength(1);

    // A day later the bot asks again (someone may have subscribed meanwhile).
    const db = (h.bot.store as KyselyStore).db;
    await db.updateTable('account_facts').set({ checked_at: new Date(Date.now() - 25 * 3600_000).toISOString() }).execute();
    h.aws.supportPlan = 'business';
    await syncNow(h);
    expect(h.aws.callsTo('AddCommunicationToCase')).toHaveLength(2);
    expect(h.aws.cases.get(awsCase.caseId)!.communications.some((c) => c.body.includes(request.reference))).toBe(true);
    expect(said(rootTs, /was added to case/)).toHaveLength(1);
  });
});

describe('what AWS refuses', () => {
  it('follows a request already pending for the same quota instead of failing, and says so with its value and date', async () => {
    const pending = h.aws.seedQuotaRequest('us-east-1', { quotaCode: 'L-804C8AE8', desiredValue: 120_000, created: '2026-11-20T10:00:00.000Z' });
    const { request, rootTs } = await submit();
    expect(h.aws.quotaRequests()).toHaveLength(1);
    expect(request.status).toBe('filed');
    expect(request.quotaRows![0]).toMatchObject({ awsId: pending.id, sending: 'sent', status: 'PENDING' });
    const linked = said(rootTs, /already pending with AWS/);
    expect(linked).toHaveLength(1);
    expect(linked[0]).toContain('120,000');
    expect(linked[0]).toContain('2026-11-20');
    h.aws.setQuotaRequestStatus(pending.id, 'APPROVED');
    await syncNow(h);
    expect(said(rootTs, /\*approved\*/)).toHaveLength(1);
  });

  it.each([
    ['AccessDeniedException', 'lack the IAM permission `servicequotas:RequestServiceQuotaIncrease`'],
    ['DependencyAccessDeniedException', 'Service Quotas was refused access to a service it uses for this request (DependencyAccessDeniedException from the fake)'],
    ['QuotaExceededException', 'too many quota requests open at once'],
    ['TooManyRequestsException', 'throttling'],
    ['NoSuchResourceException', 'could not find'],
  ])('%s: the thread says what to do, the root offers Retry, and Retry sends the row once', async (type, words) => {
    h.aws.inject('RequestServiceQuotaIncrease', { type, message: `${type} from the fake` });
    const { request, rootTs } = await submit();
    expect(request.status).toBe('failed');
    const refusal = said(rootTs, /was not sent/);
    expect(refusal).toHaveLength(1);
    expect(refusal[0]).toContain(words);
    expect(JSON.stringify(h.slack.message(CHANNEL, rootTs)!.blocks)).toContain('retry_filing');
    expect(h.aws.quotaRequests()).toHaveLength(0);

    await h.requester.blockAction({ userId: REQUESTER, channelId: CHANNEL, messageTs: rootTs, actions: [{ action_id: 'retry_filing', block_id: 'b', value: request.id }] });
    await h.aws.waitFor(() => h.aws.quotaRequests().length === 1);
    await h.bot.filing.idle();
    expect((await h.bot.store.getRequest(request.id))!.status).toBe('filed');
    expect(h.aws.quotaRequests()).toHaveLength(1);
  });

  it('a value not above the current quota: AWS\'s reason in the thread', async () => {
    h.aws.setQuotaValue('us-east-1', 'L-804C8AE8', 500_000);
    const { request, rootTs } = await submit();
    expect(request.status).toBe('failed');
    expect(said(rootTs, /rejected the request as invalid .*must be greater than the current quota value 500000/)).toHaveLength(1);
  });

  it('finds the quota by name when the known code is not in the region', async () => {
    h.aws.makeQuotaCodeUnknown('us-east-1', 'L-804C8AE8', 'L-NEWCODE1');
    await submit();
    expect(h.aws.callsTo('ListServiceQuotas').length).toBeGreaterThan(0);
    expect(h.aws.callsTo('RequestServiceQuotaIncrease')[0]!.input.QuotaCode).toBe('L-NEWCODE1');
  });

  it('an answer lost after AWS took the row (a 5xx after handling): found in the history, never sent twice', async () => {
    h.aws.inject('RequestServiceQuotaIncrease', { afterHandling: true, status: 500, type: 'ServiceException', message: 'lost' });
    const { request, rootTs } = await submit();
    expect(request.status).toBe('uncertain');
    expect(said(rootTs, /not known whether AWS received/)).toHaveLength(1);
    await syncNow(h);
    await syncNow(h);
    const stored = (await h.bot.store.getRequest(request.id))!;
    expect(stored.status).toBe('filed');
    expect(h.aws.callsTo('RequestServiceQuotaIncrease')).toHaveLength(1);
    expect(stored.quotaRows![0]!.awsId).toBe(h.aws.quotaRequests()[0]!.id);
    expect(said(rootTs, /not known whether AWS received/)).toHaveLength(1);
  });
});

describe('a row whose answer was lost before AWS recorded it', () => {
  it('is not sent again until AWS has had time to show it, then exactly once', async () => {
    h.aws.inject('RequestServiceQuotaIncrease', { status: 500, type: 'ServiceException', message: 'lost before handling' });
    const { request, rootTs } = await submit();
    expect(request.status).toBe('uncertain');
    await syncNow(h);
    expect(h.aws.callsTo('RequestServiceQuotaIncrease')).toHaveLength(1);
    expect((await h.bot.store.getRequest(request.id))!.quotaRows![0]!.errorCode).toBe('awaiting_aws');

    // Six minutes after the call, AWS still shows nothing: it never arrived, and is sent once.
    const db = (h.bot.store as KyselyStore).db;
    await db.updateTable('requests').set({ attempted_at: new Date(Date.now() - 6 * 60_000).toISOString() }).where('id', '=', request.id).execute();
    await syncNow(h);
    await syncNow(h);
    expect(h.aws.callsTo('RequestServiceQuotaIncrease')).toHaveLength(2);
    expect(h.aws.quotaRequests()).toHaveLength(1);
    expect((await h.bot.store.getRequest(request.id))!.status).toBe('filed');
    expect(said(rootTs, /Sent to AWS Service Quotas/)).toHaveLength(1);
  });

  it('a refused row beside an uncertain one waits for Retry: recovery does not send it again or repeat its refusal', async () => {
    h.aws.inject('RequestServiceQuotaIncrease', { type: 'QuotaExceededException', message: 'too many' });
    h.aws.inject('RequestServiceQuotaIncrease', { afterHandling: true, status: 500, type: 'ServiceException', message: 'lost' });
    const { request, rootTs } = await submit(TWO_REGIONS, 2);
    expect(request.status).toBe('uncertain');
    await syncNow(h);
    await syncNow(h);
    const stored = (await h.bot.store.getRequest(request.id))!;
    expect(stored.quotaRows!.map((r) => r.sending)).toEqual(['failed', 'sent']);
    expect(stored.status).toBe('failed');
    expect(h.aws.callsTo('RequestServiceQuotaIncrease')).toHaveLength(2);
    expect(said(rootTs, /was not sent/)).toHaveLength(1);
  });
});

describe('a region still in the SES sandbox', () => {
  beforeEach(() => {
    h.aws.setAccount('us-east-1', { SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 }, ProductionAccessEnabled: false });
  });

  it('the modal says submitting requests production access; the bot calls PutAccountDetails in that region with the form', async () => {
    const { view } = await openQuotaModal(h);
    expect(textOf(view.blocks)).toMatch(/US East \(N\. Virginia\) is in the SES sandbox\. Submitting requests production access/);
    const res = await submitQuota(h, view, { ...validQuotaInputs(), additional_contacts: 'ops@example.com, postmaster@example.com' });
    expect(res.json.response_action).toBe('update');
    const root = await h.slack.waitFor(() => h.slack.rootMessages(CHANNEL)[0]);
    await h.bot.filing.idle();
    await h.bot.poster.idle();

    expect(h.aws.callsTo('RequestServiceQuotaIncrease')).toHaveLength(0);
    const put = h.aws.callsTo('PutAccountDetails');
    expect(put).toHaveLength(1);
    expect(put[0]!.region).toBe('us-east-1');
    expect(put[0]!.input).toMatchObject({
      ProductionAccessEnabled: true,
      MailType: 'TRANSACTIONAL',
      WebsiteURL: 'https://shop.example.com',
      ContactLanguage: 'EN',
      AdditionalContactEmailAddresses: ['ops@example.com', 'postmaster@example.com'],
    });
    expect(put[0]!.input.UseCaseDescription).toContain('We send order confirmations');
    expect(put[0]!.input.UseCaseDescription).toContain('Desired Maximum Send Quota: 200,000 per 24 hours');
    expect(said(root.ts, /is in the SES sandbox, so the bot requested production access/)).toHaveLength(1);
    expect(rootText(root.ts)).toContain('production access: *pending*');

    h.aws.setReviewStatus('us-east-1', 'GRANTED');
    await syncNow(h);
    await syncNow(h);
    expect(said(root.ts, /Production access for \*US East \(N\. Virginia\)\*: \*granted\*/)).toHaveLength(1);
    // The review's case gets the form too.
    const reviewCase = h.aws.review('us-east-1')!.CaseId;
    expect(h.aws.callsTo('AddCommunicationToCase').map((c) => c.input.caseId)).toEqual([reviewCase]);
  });

  it('after a denied review (ConflictException) the row goes to Service Quotas instead, and the thread says why', async () => {
    h.aws.setReviewStatus('us-east-1', 'DENIED');
    const { request, rootTs } = await submit();
    expect(h.aws.callsTo('PutAccountDetails')).toHaveLength(1);
    const sent = h.aws.callsTo('RequestServiceQuotaIncrease');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.input).toMatchObject({ QuotaCode: 'L-804C8AE8', DesiredValue: 200_000 });
    expect(request.quotaRows![0]).toMatchObject({ path: 'service_quotas', sending: 'sent' });
    expect(said(rootTs, /denied an earlier production access request for this region, so this row went to Service Quotas/)).toHaveLength(1);
  });

  it('both rows of a sandboxed region go in one production access request, and its answer is said once', async () => {
    const { request, rootTs } = await submit({ 'row:1:region': 'us-east-1', 'row:1:limit': 'send_rate', 'row:1:newValue': '20' }, 2);
    const put = h.aws.callsTo('PutAccountDetails');
    expect(put).toHaveLength(1);
    expect(put[0]!.input.UseCaseDescription).toContain('Desired Maximum Send Rate: 20 per second');
    expect(request.quotaRows!.map((r) => [r.path, r.sending])).toEqual([
      ['production_access', 'sent'],
      ['production_access', 'sent'],
    ]);
    h.aws.setReviewStatus('us-east-1', 'GRANTED');
    await syncNow(h);
    await syncNow(h);
    expect(said(rootTs, /\*granted\*/)).toHaveLength(1);
    expect(said(rootTs, /AWS opened Support case/)).toHaveLength(1);
  });

  it('a review already open is followed, not opened again', async () => {
    h.aws.setReviewStatus('us-east-1', 'PENDING');
    const { request, rootTs } = await submit();
    expect(h.aws.callsTo('RequestServiceQuotaIncrease')).toHaveLength(0);
    expect(request.quotaRows![0]).toMatchObject({ path: 'production_access', sending: 'sent', status: 'PENDING', caseId: h.aws.review('us-east-1')!.CaseId });
    expect(said(rootTs, /review was already open for this region/)).toHaveLength(1);
  });
});
