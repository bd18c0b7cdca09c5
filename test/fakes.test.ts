// Proves the fakes speak the real protocols: every check drives them with the real
// @slack/web-api WebClient, @aws-sdk clients and Bolt's HTTP receiver.
import {
  AddCommunicationToCaseCommand,
  CaseCreationLimitExceeded,
  CaseIdNotFound,
  CreateCaseCommand,
  DescribeCasesCommand,
  DescribeCommunicationsCommand,
  DescribeServicesCommand,
  ResolveCaseCommand,
  SupportClient,
  SupportServiceException,
  ThrottlingException,
} from '@aws-sdk/client-support';
import {
  GetAccountCommand,
  GetDedicatedIpPoolCommand,
  GetDedicatedIpsCommand,
  ListDedicatedIpPoolsCommand,
  NotFoundException,
  SESv2Client,
  SESv2ServiceException,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { App, LogLevel } from '@slack/bolt';
import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebClient } from '@slack/web-api';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeAws } from './fakes/fake-aws.js';
import { FakeSlack } from './fakes/fake-slack.js';
import { fillState, sign, SlackRequester } from './helpers/slack-requests.js';

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

/** Resolves with the error a promise rejects with; fails if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('FakeSlack with the real WebClient', () => {
  const slack = new FakeSlack();
  let client: WebClient;

  beforeAll(async () => {
    await slack.start();
    client = new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
  });
  afterAll(() => slack.stop());
  afterEach(() => slack.reset());

  it('answers auth.test with the bot identity and records the bearer token', async () => {
    const res = await client.auth.test();
    expect(res).toMatchObject({ ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T111' });
    expect(slack.calls).toHaveLength(1);
    expect(slack.calls[0]).toMatchObject({ method: 'auth.test', token: 'xoxb-test' });
    expect(slack.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('posts, threads and updates messages, decoding JSON-encoded blocks', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'Case *filed*' } }];
    const root = await client.chat.postMessage({ channel: 'C1', text: '[x] looks like JSON', blocks, unfurl_links: false });
    expect(root.ok).toBe(true);
    const reply = await client.chat.postMessage({ channel: 'C1', text: 'reply', thread_ts: root.ts! });
    expect(Number(reply.ts)).toBeGreaterThan(Number(root.ts));
    expect(root.message).toMatchObject({ user: 'UBOT', bot_id: 'BBOT', ts: root.ts, blocks });

    const call = slack.callsTo('chat.postMessage')[0]!;
    expect(call.args.blocks).toEqual(blocks);
    expect(call.args.text).toBe('[x] looks like JSON');
    expect(call.args.unfurl_links).toBe('false'); // form fields arrive as strings

    expect(slack.rootMessages('C1').map((m) => m.ts)).toEqual([root.ts]);
    expect(slack.threadReplies('C1', root.ts!).map((m) => m.text)).toEqual(['reply']);

    await client.chat.update({ channel: 'C1', ts: root.ts!, text: 'edited' });
    expect(slack.message('C1', root.ts!)).toMatchObject({ text: 'edited', edits: 1, blocks });

    const missing = await rejection(client.chat.update({ channel: 'C1', ts: '1.2', text: 'x' }));
    expect(missing).toBeInstanceOf(WebAPIPlatformError);
    expect(missing.data.error).toBe('message_not_found');

    const eph = await client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'only you' });
    expect(eph.message_ts).toBeTruthy();
    expect(slack.ephemerals[0]).toMatchObject({ channel: 'C1', user: 'U1', text: 'only you' });
  });

  it('refuses channels the bot is not in', async () => {
    slack.notInChannel.add('CPRIVATE');
    const err = await rejection(client.chat.postMessage({ channel: 'CPRIVATE', text: 'hi' }));
    expect(err.data.error).toBe('not_in_channel');
    const eph = await rejection(client.chat.postEphemeral({ channel: 'CPRIVATE', user: 'U1', text: 'hi' }));
    expect(eph.data.error).toBe('not_in_channel');
  });

  it('opens, updates and pushes views, detecting hash conflicts', async () => {
    const modal = { type: 'modal' as const, callback_id: 'quota', title: { type: 'plain_text' as const, text: 'Quota' }, blocks: [] };
    const opened = await client.views.open({ trigger_id: '1.2.3', view: modal });
    expect(opened.view).toMatchObject({ id: 'V0001', callback_id: 'quota', team_id: 'T111', type: 'modal', state: { values: {} } });
    const firstHash = opened.view!.hash!;

    const updated = await client.views.update({ view_id: 'V0001', hash: firstHash, view: { ...modal, private_metadata: 'm1' } });
    expect(updated.view!.hash).not.toBe(firstHash);
    expect(slack.latestView()).toMatchObject({ id: 'V0001', private_metadata: 'm1' });

    const conflict = await rejection(client.views.update({ view_id: 'V0001', hash: firstHash, view: modal }));
    expect(conflict.data.error).toBe('hash_conflict');

    const pushed = await client.views.push({ trigger_id: '4.5.6', view: { ...modal, callback_id: 'confirm' } });
    expect(pushed.view).toMatchObject({ id: 'V0002', previous_view_id: 'V0001', root_view_id: 'V0001' });
    expect(slack.latestView()?.callback_id).toBe('confirm');
    expect(slack.latestView('V0001')?.callback_id).toBe('quota');

    const noTrigger = await rejection(client.apiCall('views.open', { view: modal }));
    expect(noTrigger.data.error).toBe('invalid_arguments');
  });

  it('injects errors, 5xx and delays, consumed in order', async () => {
    slack.inject('chat.postMessage', { error: 'channel_not_found' });
    slack.inject('chat.postMessage', { status: 503 });
    slack.inject('chat.postMessage', { delayMs: 50 });
    expect((await rejection(client.chat.postMessage({ channel: 'C1', text: 'a' }))).data.error).toBe('channel_not_found');
    const http = await rejection(client.chat.postMessage({ channel: 'C1', text: 'b' }));
    expect(http).toBeInstanceOf(WebAPIHTTPError);
    expect(http.statusCode).toBe(503);
    const started = Date.now();
    await client.chat.postMessage({ channel: 'C1', text: 'c' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(slack.messages.map((m) => m.text)).toEqual(['c']);
    expect(slack.callsTo('chat.postMessage').map((c) => Boolean(c.fault))).toEqual([true, true, false]);
    expect(slack.pendingFaults()).toEqual([]);
  });

  it('answers 429 with Retry-After, which WebClient surfaces as a rate-limit error', async () => {
    const strict = new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    slack.inject('chat.update', { status: 429, retryAfterSeconds: 7, times: 2 });
    const err = await rejection(strict.chat.update({ channel: 'C1', ts: '1.1', text: 'x' }));
    expect(err).toBeInstanceOf(WebAPIRateLimitedError);
    expect(err.retryAfter).toBe(7);
    expect(slack.pendingFaults()).toMatchObject([{ key: 'chat.update', left: 1 }]);
  });

  it('answers unknown methods with unknown_method and calls without a token with not_authed', async () => {
    expect((await rejection(client.apiCall('conversations.kick', { channel: 'C1' }))).data.error).toBe('unknown_method');
    const anonymous = new WebClient(undefined, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    expect((await rejection(anonymous.auth.test())).data.error).toBe('not_authed');
    // A token in the body counts too.
    await anonymous.auth.test({ token: 'xoxb-body' });
    expect(slack.calls.at(-1)?.token).toBe('xoxb-body');
  });

  it('records response_url posts and times out waits with a useful message', async () => {
    const res = await fetch(slack.responseUrl('cmd-1'), { method: 'POST', body: JSON.stringify({ text: 'done' }) });
    expect(await res.text()).toBe('ok');
    expect(slack.responses).toEqual([{ id: 'cmd-1', body: { text: 'done' } }]);
    await client.auth.test();
    expect((await slack.waitForCall('auth.test')).token).toBe('xoxb-test');
    const err = await rejection(slack.waitForCall('views.open', (c) => c.args.trigger_id === 'x', 60));
    expect(err.message).toMatch(/Timed out after 60 ms waiting for a views.open call matching/);
    expect(err.message).toMatch(/Slack calls so far: auth.test/);
  });
});

describe('FakeAws Support with the real SupportClient', () => {
  const aws = new FakeAws();
  let support: SupportClient;

  beforeAll(async () => {
    await aws.start();
    // One attempt, so each injected fault is seen once; a later test covers the SDK's own retries.
    support = new SupportClient({ region: 'us-east-1', endpoint: aws.url, credentials, maxAttempts: 1 });
  });
  afterAll(async () => {
    support.destroy();
    await aws.stop();
  });

  it('lists the service catalogue, filtered by serviceCodeList, and reads the region from SigV4', async () => {
    const all = await support.send(new DescribeServicesCommand({}));
    expect(all.services!.length).toBeGreaterThan(1);
    const limit = await support.send(new DescribeServicesCommand({ serviceCodeList: ['service-limit-increase'] }));
    expect(limit.services).toHaveLength(1);
    expect(limit.services![0]!.categories!.map((c) => c.code)).toEqual(['ses-sending-quota', 'ses-dedicated-ip', 'ses-production-access']);
    expect(aws.calls[0]).toMatchObject({ service: 'support', operation: 'DescribeServices', region: 'us-east-1' });
  });

  it('creates a case and describes it with its first communication', async () => {
    const { caseId } = await support.send(
      new CreateCaseCommand({
        subject: 'SES quota',
        communicationBody: 'Limit increase request 1\nService: SES Sending Limits',
        serviceCode: 'service-limit-increase',
        categoryCode: 'ses-sending-quota',
        severityCode: 'low',
        language: 'en',
        ccEmailAddresses: ['a@example.com'],
      }),
    );
    expect(caseId).toMatch(/^case-123456789012-\d{4}-[0-9a-f]{16}$/);

    const { cases } = await support.send(new DescribeCasesCommand({ caseIdList: [caseId!], includeResolvedCases: true }));
    expect(cases).toHaveLength(1);
    expect(cases![0]).toMatchObject({
      caseId,
      subject: 'SES quota',
      status: 'opened',
      serviceCode: 'service-limit-increase',
      categoryCode: 'ses-sending-quota',
      severityCode: 'low',
      submittedBy: 'ses-bot (Role) <ops@example.com>',
      language: 'en',
      ccEmailAddresses: ['a@example.com'],
    });
    expect(cases![0]!.displayId).toMatch(/^\d+$/);
    expect(cases![0]!.recentCommunications!.communications![0]!.body).toContain('SES Sending Limits');

    const byDisplay = await support.send(new DescribeCasesCommand({ displayId: cases![0]!.displayId }));
    expect(byDisplay.cases!.map((c) => c.caseId)).toEqual([caseId]);
  });

  it('validates CreateCase and DescribeCases like the API', async () => {
    const empty = await rejection(support.send(new CreateCaseCommand({ subject: '', communicationBody: 'x' })));
    expect(empty.name).toBe('ValidationException');
    expect(empty).toBeInstanceOf(SupportServiceException);
    expect(empty.$metadata.httpStatusCode).toBe(400);
    const long = await rejection(support.send(new CreateCaseCommand({ subject: 's', communicationBody: 'x'.repeat(8001) })));
    expect(long.name).toBe('ValidationException');
    await support.send(new CreateCaseCommand({ subject: 's', communicationBody: 'x'.repeat(8000) }));

    const tooMany = Array.from({ length: 101 }, (_, i) => `case-${i}`);
    expect((await rejection(support.send(new DescribeCasesCommand({ caseIdList: tooMany })))).name).toBe('ValidationException');
    expect((await rejection(support.send(new DescribeCasesCommand({ maxResults: 5 })))).name).toBe('ValidationException');
    const unknown = await rejection(support.send(new DescribeCasesCommand({ caseIdList: ['case-nope'] })));
    expect(unknown).toBeInstanceOf(CaseIdNotFound);
  });

  it('pages DescribeCases, hides resolved cases by default and filters by time', async () => {
    const fresh = new FakeAws();
    await fresh.start();
    const client = new SupportClient({ region: 'us-east-1', endpoint: fresh.url, credentials, maxAttempts: 1 });
    try {
      for (let i = 0; i < 12; i++) {
        fresh.seedCase({ subject: `case ${i}`, timeCreated: `2026-01-${String(i + 1).padStart(2, '0')}T00:00:00.000Z` });
      }
      const oldest = [...fresh.cases.values()][0]!;
      fresh.setStatus(oldest.caseId, 'resolved');

      const page1 = await client.send(new DescribeCasesCommand({ maxResults: 10 }));
      expect(page1.cases!.map((c) => c.subject)[0]).toBe('case 11'); // newest first
      expect(page1.nextToken).toBeTruthy();
      const page2 = await client.send(new DescribeCasesCommand({ maxResults: 10, nextToken: page1.nextToken }));
      expect(page2.cases!.map((c) => c.subject)).toEqual(['case 1']);
      expect(page2.nextToken).toBeUndefined();

      const withResolved = await client.send(new DescribeCasesCommand({ includeResolvedCases: true, maxResults: 100 }));
      expect(withResolved.cases).toHaveLength(12);

      const recent = await client.send(new DescribeCasesCommand({ afterTime: '2026-01-10T00:00:00Z', includeCommunications: false }));
      expect(recent.cases!.map((c) => c.subject)).toEqual(['case 11', 'case 10', 'case 9']);
      expect(recent.cases![0]!.recentCommunications).toBeUndefined();
    } finally {
      client.destroy();
      await fresh.stop();
    }
  });

  it('pages communications newest first, continuing from recentCommunications', async () => {
    const c = aws.seedCase({ subject: 'chatty', body: 'first', timeCreated: '2026-02-01T00:00:00.000Z' });
    for (let i = 1; i <= 11; i++) {
      aws.addCommunication(c.caseId, { body: `aws ${i}`, timeCreated: `2026-02-01T00:${String(i).padStart(2, '0')}:00.000Z` });
    }
    const described = await support.send(new DescribeCasesCommand({ caseIdList: [c.caseId] }));
    const recent = described.cases![0]!.recentCommunications!;
    expect(recent.communications!.map((m) => m.body)).toEqual(['aws 11', 'aws 10', 'aws 9', 'aws 8', 'aws 7']);
    expect(recent.communications![0]).toMatchObject({ caseId: c.caseId, submittedBy: 'Amazon Web Services', attachmentSet: [] });

    const rest = await support.send(new DescribeCommunicationsCommand({ caseId: c.caseId, nextToken: recent.nextToken, maxResults: 10 }));
    expect(rest.communications!.map((m) => m.body)).toEqual(['aws 6', 'aws 5', 'aws 4', 'aws 3', 'aws 2', 'aws 1', 'first']);
    expect(rest.nextToken).toBeUndefined();

    const page = await support.send(new DescribeCommunicationsCommand({ caseId: c.caseId, maxResults: 10 }));
    expect(page.communications).toHaveLength(10);
    const after = await support.send(new DescribeCommunicationsCommand({ caseId: c.caseId, afterTime: '2026-02-01T00:10:00Z' }));
    expect(after.communications!.map((m) => m.body)).toEqual(['aws 11', 'aws 10']);

    const missing = await rejection(support.send(new DescribeCommunicationsCommand({ caseId: 'case-nope' })));
    expect(missing).toBeInstanceOf(CaseIdNotFound);
    expect(missing.name).toBe('CaseIdNotFound');
  });

  it('adds communications and resolves cases', async () => {
    const c = aws.seedCase({ subject: 'reply me', body: 'hello' });
    const added = await support.send(new AddCommunicationToCaseCommand({ caseId: c.caseId, communicationBody: 'more info' }));
    expect(added.result).toBe(true);
    expect(c.communications.at(-1)).toMatchObject({ body: 'more info', submittedBy: 'ses-bot (Role) <ops@example.com>' });

    const resolved = await support.send(new ResolveCaseCommand({ caseId: c.caseId }));
    expect(resolved).toMatchObject({ initialCaseStatus: 'opened', finalCaseStatus: 'resolved' });
    const hidden = await support.send(new DescribeCasesCommand({ displayId: c.displayId }));
    expect(hidden.cases).toEqual([]);
  });

  it('surfaces each injected error under the name the SDK gives it', async () => {
    const create = () => support.send(new CreateCaseCommand({ subject: 's', communicationBody: 'b' }));
    aws.inject('CreateCase', { type: 'SubscriptionRequiredException', message: 'AWS Premium Support Subscription is required to use this service.' });
    aws.inject('CreateCase', { type: 'AccessDeniedException', message: 'User: arn:aws:sts::123456789012:assumed-role/bot/x is not authorized to perform: support:CreateCase' });
    aws.inject('CreateCase', { type: 'ThrottlingException', message: 'Rate exceeded' });
    aws.inject('CreateCase', { status: 500 });

    const sub = await rejection(create());
    expect(sub.name).toBe('SubscriptionRequiredException'); // not in the model: base class, right name
    expect(sub.constructor).toBe(SupportServiceException);
    expect(sub.message).toMatch(/Premium Support Subscription/);

    const denied = await rejection(create());
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toMatch(/not authorized to perform: support:CreateCase/);

    const throttled = await rejection(create());
    expect(throttled).toBeInstanceOf(ThrottlingException);
    expect(throttled.$metadata.httpStatusCode).toBe(400); // as the Support model declares it

    const internal = await rejection(create());
    expect(internal.name).toBe('InternalServerError');
    expect(internal.$fault).toBe('server');
    expect(internal.$metadata.httpStatusCode).toBe(500);
    expect(aws.pendingFaults()).toEqual([]);
  });

  it('enforces ten cases per hour with CaseCreationLimitExceeded', async () => {
    const fresh = new FakeAws();
    await fresh.start();
    const client = new SupportClient({ region: 'us-east-1', endpoint: fresh.url, credentials, maxAttempts: 1 });
    try {
      for (let i = 0; i < 10; i++) await client.send(new CreateCaseCommand({ subject: `s${i}`, communicationBody: 'b' }));
      const err = await rejection(client.send(new CreateCaseCommand({ subject: 's', communicationBody: 'b' })));
      expect(err).toBeInstanceOf(CaseCreationLimitExceeded);
      expect(err.message).toBe('You have exceeded your limit of 10 cases per hour.');
      fresh.now = () => new Date(Date.now() + 3_600_001); // an hour later
      await client.send(new CreateCaseCommand({ subject: 'later', communicationBody: 'b' }));
    } finally {
      client.destroy();
      await fresh.stop();
    }
  });

  it('can file the case and still fail or time out the answer (afterHandling)', async () => {
    const before = aws.cases.size;
    aws.inject('CreateCase', { status: 500, afterHandling: true });
    expect((await rejection(support.send(new CreateCaseCommand({ subject: 'maybe', communicationBody: 'b' })))).name).toBe('InternalServerError');
    expect(aws.cases.size).toBe(before + 1);
    expect(aws.latestCase()?.subject).toBe('maybe');

    const impatient = new SupportClient({
      region: 'us-east-1',
      endpoint: aws.url,
      credentials,
      maxAttempts: 1,
      requestHandler: { requestTimeout: 100, throwOnRequestTimeout: true }, // without the flag it only warns
    });
    aws.inject('CreateCase', { delayMs: 400, afterHandling: true });
    const timeout = await rejection(impatient.send(new CreateCaseCommand({ subject: 'slow', communicationBody: 'b' })));
    expect(timeout.name).toBe('TimeoutError');
    expect(aws.latestCase()?.subject).toBe('slow');
    impatient.destroy();
  });

  it('lets the SDK default retry strategy ride out a transient 500', async () => {
    const retrying = new SupportClient({ region: 'us-east-1', endpoint: aws.url, credentials });
    aws.inject('DescribeServices', { status: 500 });
    const before = aws.callsTo('DescribeServices').length;
    await retrying.send(new DescribeServicesCommand({}));
    await aws.waitForCall('DescribeServices', (c) => !c.fault, 100);
    expect(aws.callsTo('DescribeServices').length - before).toBe(2);
    retrying.destroy();
  });
});

describe('FakeAws SESv2 with the real SESv2Client', () => {
  const aws = new FakeAws();
  let ses: SESv2Client;

  beforeAll(async () => {
    await aws.start();
    ses = new SESv2Client({ region: 'eu-west-1', endpoint: aws.url, credentials, maxAttempts: 1 });
    aws.setDedicatedIps('eu-west-1', [
      {
        name: 'ses-default-dedicated-pool',
        scalingMode: 'STANDARD',
        ips: [
          { ip: '192.0.2.1', warmupStatus: 'DONE', warmupPercentage: 100 },
          { ip: '192.0.2.2', warmupStatus: 'IN_PROGRESS', warmupPercentage: 40 },
          { ip: '192.0.2.3', warmupStatus: 'DONE', warmupPercentage: 100 },
        ],
      },
      { name: 'managed', scalingMode: 'MANAGED', ips: [{ ip: '198.51.100.9', warmupStatus: 'NOT_APPLICABLE', warmupPercentage: -1 }] },
      { name: 'transactional', scalingMode: 'STANDARD', ips: [] },
    ]);
  });
  afterAll(async () => {
    ses.destroy();
    await aws.stop();
  });

  it('answers GetAccount per region with a sandbox default', async () => {
    const sandbox = await ses.send(new GetAccountCommand({}));
    expect(sandbox).toMatchObject({
      SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 },
      ProductionAccessEnabled: false,
      SendingEnabled: true,
      EnforcementStatus: 'HEALTHY',
    });
    aws.setAccount('us-east-2', { ProductionAccessEnabled: true, SendQuota: { Max24HourSend: 50000, MaxSendRate: 14 } });
    const ohio = new SESv2Client({ region: 'us-east-2', endpoint: aws.url, credentials, maxAttempts: 1 });
    const prod = await ohio.send(new GetAccountCommand({}));
    ohio.destroy();
    expect(prod.SendQuota).toEqual({ Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 0 });
    expect(prod.ProductionAccessEnabled).toBe(true);
    expect(aws.callsTo('GetAccount').map((c) => c.region)).toEqual(['eu-west-1', 'us-east-2']);
  });

  it('pages ListDedicatedIpPools and GetDedicatedIps with NextToken', async () => {
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await ses.send(new ListDedicatedIpPoolsCommand({ PageSize: 100, NextToken: token }));
      names.push(...page.DedicatedIpPools!);
      token = page.NextToken;
      pages++;
    } while (token);
    expect(names).toEqual(['ses-default-dedicated-pool', 'managed', 'transactional']);
    expect(pages).toBe(2);

    const first = await ses.send(new GetDedicatedIpsCommand({ PoolName: 'ses-default-dedicated-pool' }));
    expect(first.DedicatedIps).toEqual([
      { Ip: '192.0.2.1', WarmupStatus: 'DONE', WarmupPercentage: 100, PoolName: 'ses-default-dedicated-pool' },
      { Ip: '192.0.2.2', WarmupStatus: 'IN_PROGRESS', WarmupPercentage: 40, PoolName: 'ses-default-dedicated-pool' },
    ]);
    const second = await ses.send(new GetDedicatedIpsCommand({ PoolName: 'ses-default-dedicated-pool', NextToken: first.NextToken }));
    expect(second.DedicatedIps!.map((i) => i.Ip)).toEqual(['192.0.2.3']);
    expect(second.NextToken).toBeUndefined();
    expect(aws.callsTo('GetDedicatedIps')[1]!.input).toMatchObject({ PoolName: 'ses-default-dedicated-pool', NextToken: first.NextToken });

    const pool = await ses.send(new GetDedicatedIpPoolCommand({ PoolName: 'managed' }));
    expect(pool.DedicatedIpPool).toEqual({ PoolName: 'managed', ScalingMode: 'MANAGED' });
  });

  it('surfaces REST errors by name', async () => {
    const missing = await rejection(ses.send(new GetDedicatedIpPoolCommand({ PoolName: 'nope' })));
    expect(missing).toBeInstanceOf(NotFoundException);
    expect(missing.name).toBe('NotFoundException');
    expect(missing.message).toBe('Pool nope does not exist.');
    expect(missing.$metadata.httpStatusCode).toBe(404);

    aws.inject('GetAccount', { type: 'TooManyRequestsException', message: 'Too many requests' });
    aws.inject('GetAccount', { type: 'AccessDeniedException', status: 403, message: 'not authorized to perform: ses:GetAccount' });
    expect(await rejection(ses.send(new GetAccountCommand({})))).toBeInstanceOf(TooManyRequestsException);
    const denied = await rejection(ses.send(new GetAccountCommand({})));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied).toBeInstanceOf(SESv2ServiceException);
    expect(denied.$metadata.httpStatusCode).toBe(403);
  });

  it('is reached through AWS_ENDPOINT_URL_SESV2 / AWS_ENDPOINT_URL_SUPPORT without an explicit endpoint', async () => {
    process.env.AWS_ENDPOINT_URL_SESV2 = aws.url;
    process.env.AWS_ENDPOINT_URL_SUPPORT = aws.url;
    try {
      const viaEnv = new SESv2Client({ region: 'ap-south-1', credentials, maxAttempts: 1 });
      await viaEnv.send(new GetAccountCommand({}));
      viaEnv.destroy();
      const supportViaEnv = new SupportClient({ region: 'us-east-1', credentials, maxAttempts: 1 });
      await supportViaEnv.send(new DescribeServicesCommand({}));
      supportViaEnv.destroy();
      expect(aws.calls.slice(-2).map((c) => `${c.operation}@${c.region}`)).toEqual(['GetAccount@ap-south-1', 'DescribeServices@us-east-1']);
    } finally {
      delete process.env.AWS_ENDPOINT_URL_SESV2;
      delete process.env.AWS_ENDPOINT_URL_SUPPORT;
    }
  });
});

describe('SlackRequester against a real Bolt app', () => {
  const slack = new FakeSlack();
  const secret = 'test-signing-secret';
  const seen: { kind: string; body: any }[] = [];
  let app: App;
  let requester: SlackRequester;

  const modal = {
    type: 'modal' as const,
    callback_id: 'quota',
    title: { type: 'plain_text' as const, text: 'Quota' },
    submit: { type: 'plain_text' as const, text: 'File' },
    blocks: [
      { type: 'input', block_id: 'rate', label: { type: 'plain_text', text: 'Rate' }, element: { type: 'number_input', action_id: 'v', is_decimal_allowed: false } },
      {
        type: 'input',
        block_id: 'region',
        label: { type: 'plain_text', text: 'Region' },
        element: {
          type: 'static_select',
          action_id: 'v',
          option_groups: [
            { label: { type: 'plain_text', text: 'EU' }, options: [{ text: { type: 'plain_text', text: 'Ireland' }, value: 'eu-west-1' }] },
          ],
          initial_option: { text: { type: 'plain_text', text: 'Ireland' }, value: 'eu-west-1' },
        },
      },
      {
        type: 'input',
        block_id: 'ack',
        optional: true,
        label: { type: 'plain_text', text: 'Terms' },
        element: {
          type: 'checkboxes',
          action_id: 'v',
          options: [
            { text: { type: 'plain_text', text: 'AUP' }, value: 'aup' },
            { text: { type: 'plain_text', text: 'Bounces' }, value: 'bounces' },
          ],
        },
      },
      { type: 'input', block_id: 'note', optional: true, label: { type: 'plain_text', text: 'Note' }, element: { type: 'plain_text_input', action_id: 'v', initial_value: 'n/a' } },
    ],
  };

  beforeAll(async () => {
    await slack.start();
    app = new App({ token: 'xoxb-test', signingSecret: secret, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: slack.apiUrl } });
    app.command('/ses-quota', async ({ ack, command, client, respond }) => {
      await ack();
      await client.views.open({ trigger_id: command.trigger_id, view: modal });
      await respond({ text: `opened for ${command.text}` });
    });
    app.view('quota', async ({ ack, view, body }) => {
      seen.push({ kind: 'view', body: { values: view.state.values, user: body.user.id } });
      await ack({ response_action: 'errors', errors: { rate: 'too high' } });
    });
    app.action('approve', async ({ ack, body }) => {
      await ack();
      seen.push({ kind: 'action', body });
    });
    app.event('message', async ({ event }) => {
      seen.push({ kind: 'event', body: event });
    });
    const server = await app.start({ port: 0, host: '127.0.0.1' });
    const { port } = server.address() as AddressInfo;
    requester = new SlackRequester(`http://127.0.0.1:${port}`, secret, { responseUrl: (id) => slack.responseUrl(id) });
  });
  afterAll(async () => {
    await app.stop();
    await slack.stop();
  });

  it('runs a slash command through Bolt into the fake Slack, then submits the modal', async () => {
    const res = await requester.command({ command: '/ses-quota', text: 'eu-west-1', userId: 'U1', channelId: 'C1' });
    expect(res.status).toBe(200);
    const view = await slack.waitFor(() => slack.latestView());
    expect(view.callback_id).toBe('quota');
    await slack.waitFor(() => slack.responses[0]);
    expect(slack.responses[0]!.body).toMatchObject({ text: 'opened for eu-west-1' });

    const values = fillState(view, { rate: '20', ack: ['aup', 'bounces'] });
    expect(values).toEqual({
      rate: { v: { type: 'number_input', value: '20' } },
      region: { v: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'Ireland' }, value: 'eu-west-1' } } },
      ack: {
        v: {
          type: 'checkboxes',
          selected_options: [
            { text: { type: 'plain_text', text: 'AUP' }, value: 'aup' },
            { text: { type: 'plain_text', text: 'Bounces' }, value: 'bounces' },
          ],
        },
      },
      note: { v: { type: 'plain_text_input', value: 'n/a' } },
    });
    const submitted = await requester.viewSubmission({ view, values, userId: 'U1' });
    expect(submitted.status).toBe(200);
    expect(submitted.json).toEqual({ response_action: 'errors', errors: { rate: 'too high' } });
    expect(seen.at(-1)).toEqual({ kind: 'view', body: { values, user: 'U1' } });
  });

  it('fillState refuses unknown blocks and options', () => {
    expect(() => fillState(modal, { nope: 'x' })).toThrow(/no input block "nope".*rate, region, ack, note/);
    expect(() => fillState(modal, { region: 'mars-1' })).toThrow(/no option with value "mars-1"/);
    expect(fillState(modal, { region: undefined, note: undefined }).region).toEqual({ v: { type: 'static_select', selected_option: null } });
  });

  it('delivers message block actions and events', async () => {
    const action = await requester.blockAction({ userId: 'U2', channelId: 'C1', messageTs: '1700000000.000100', actions: [{ action_id: 'approve', value: 'case-1' }] });
    expect(action.status).toBe(200);
    await slack.waitFor(() => seen.find((s) => s.kind === 'action'));
    const body = seen.find((s) => s.kind === 'action')!.body;
    expect(body).toMatchObject({ container: { type: 'message', channel_id: 'C1' }, channel: { id: 'C1' }, actions: [{ value: 'case-1' }] });
    expect(body.response_url).toContain('/response/');

    const view = slack.latestView()!;
    const values = fillState(view, { rate: '5' });
    await requester.blockAction({ userId: 'U2', view, values, actions: [{ action_id: 'approve', block_id: 'region', type: 'static_select' }] });
    const fromView = await slack.waitFor(() => seen.filter((s) => s.kind === 'action')[1]?.body);
    expect(fromView).toMatchObject({ container: { type: 'view', view_id: view.id }, view: { id: view.id, state: { values } } });

    const ev = await requester.event({ type: 'message', user: 'U3', text: 'more detail', ts: '1700000001.000100', thread_ts: '1700000000.000100', channel: 'C1', channel_type: 'channel' });
    expect(ev.status).toBe(200);
    const event = await slack.waitFor(() => seen.find((s) => s.kind === 'event')?.body);
    expect(event).toMatchObject({ text: 'more detail', thread_ts: '1700000000.000100' });
  });

  it('is rejected by Bolt when the signature or timestamp is wrong', async () => {
    const body = JSON.stringify({ type: 'event_callback', event: { type: 'message' } });
    expect((await requester.raw(body, 'application/json', { signature: 'v0=deadbeef' })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 600;
    expect((await requester.raw(body, 'application/json', { timestamp: stale })).status).toBe(401);
    expect(sign('s', '1', 'b')).toMatch(/^v0=[0-9a-f]{64}$/);
  });
});
