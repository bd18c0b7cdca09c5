// Proves FakeAws speaks the real protocols: every check drives it with the real @aws-sdk
// Support and SESv2 clients.
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managedPool, standardPool, warm, warming } from '../helpers/dedicated-ip-fixtures.js';
import { rejection } from '../helpers/rejection.js';
import { FakeAws } from './fake-aws.js';

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

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

  it('refuses every Support call from an account without a paid plan, as AWS does', async () => {
    const c = aws.seedCase({ subject: 'basic plan', body: 'hello' });
    aws.supportPlan = 'basic';
    try {
      for (const command of [new DescribeServicesCommand({}), new AddCommunicationToCaseCommand({ caseId: c.caseId, communicationBody: 'more' })]) {
        const err = await rejection(support.send(command as DescribeServicesCommand));
        expect(err.name).toBe('SubscriptionRequiredException');
      }
      expect(c.communications).toHaveLength(1);
    } finally {
      aws.supportPlan = 'business';
    }
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

  it('can file the case and lose the answer: the connection drops (dropConnection)', async () => {
    const before = aws.cases.size;
    aws.inject('CreateCase', { afterHandling: true, dropConnection: true });
    const lost = await rejection(support.send(new CreateCaseCommand({ subject: 'applied, answer lost', communicationBody: 'b' })));
    expect(lost.name).not.toMatch(/Exception$|InternalServerError/); // a network error, not an AWS answer
    expect(aws.cases.size).toBe(before + 1);
    expect(aws.latestCase()?.subject).toBe('applied, answer lost');
    expect(aws.callsTo('CreateCase').at(-1)!.fault).toMatchObject({ dropConnection: true });

    // Without afterHandling the call never takes effect.
    aws.inject('CreateCase', { dropConnection: true });
    await rejection(support.send(new CreateCaseCommand({ subject: 'never filed', communicationBody: 'b' })));
    expect(aws.cases.size).toBe(before + 1);
    expect(aws.pendingFaults()).toEqual([]);
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
      standardPool('ses-default-dedicated-pool', [warm('192.0.2.1'), warming('192.0.2.2', 40), warm('192.0.2.3')]),
      managedPool('managed', ['198.51.100.9']),
      standardPool('transactional', []),
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
