// Proves FakeAws speaks Service Quotas (JSON 1.1) and SESv2 PutAccountDetails (REST-JSON) as the
// real @aws-sdk/client-service-quotas and @aws-sdk/client-sesv2 clients expect: every check
// drives it with those clients.
import {
  AccessDeniedException,
  DependencyAccessDeniedException,
  GetRequestedServiceQuotaChangeCommand,
  GetServiceQuotaCommand,
  IllegalArgumentException,
  InvalidPaginationTokenException,
  ListRequestedServiceQuotaChangeHistoryByQuotaCommand,
  ListRequestedServiceQuotaChangeHistoryCommand,
  ListServiceQuotasCommand,
  NoSuchResourceException,
  QuotaExceededException,
  RequestServiceQuotaIncreaseCommand,
  ResourceAlreadyExistsException,
  ServiceException,
  ServiceQuotasClient,
  TooManyRequestsException,
  type RequestedServiceQuotaChange,
} from '@aws-sdk/client-service-quotas';
import { BadRequestException, ConflictException, GetAccountCommand, PutAccountDetailsCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { DescribeCasesCommand, SupportClient } from '@aws-sdk/client-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../helpers/rejection.js';
import { FakeAws } from './fake-aws.js';

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
const SENDING_QUOTA = 'L-804C8AE8';
const SENDING_RATE = 'L-CDEF9B6B';

describe('FakeAws Service Quotas with the real ServiceQuotasClient', () => {
  const aws = new FakeAws();
  const clients = new Map<string, ServiceQuotasClient>();
  /** One attempt, so each injected fault is seen once. */
  const sq = (region: string) => {
    let client = clients.get(region);
    if (!client) {
      client = new ServiceQuotasClient({ region, endpoint: aws.url, credentials, maxAttempts: 1 });
      clients.set(region, client);
    }
    return client;
  };
  const request = (region: string, QuotaCode: string, DesiredValue: number) =>
    sq(region).send(new RequestServiceQuotaIncreaseCommand({ ServiceCode: 'ses', QuotaCode, DesiredValue }));

  beforeAll(() => aws.start());
  afterAll(async () => {
    for (const client of clients.values()) client.destroy();
    await aws.stop();
  });

  it('answers GetServiceQuota per region, with the sandbox defaults and values a test sets', async () => {
    const quota = await sq('eu-west-1').send(new GetServiceQuotaCommand({ ServiceCode: 'ses', QuotaCode: SENDING_QUOTA }));
    expect(quota.Quota).toMatchObject({ ServiceCode: 'ses', QuotaCode: SENDING_QUOTA, QuotaName: 'Sending quota', Value: 200, Adjustable: true, GlobalQuota: false });
    expect(quota.Quota!.QuotaArn).toBe(`arn:aws:servicequotas:eu-west-1:123456789012:ses/${SENDING_QUOTA}`);
    const rate = await sq('eu-west-1').send(new GetServiceQuotaCommand({ ServiceCode: 'ses', QuotaCode: SENDING_RATE }));
    expect(rate.Quota).toMatchObject({ QuotaName: 'Sending rate', Value: 1 });

    aws.setQuotaValue('us-west-2', SENDING_QUOTA, 50_000);
    const oregon = await sq('us-west-2').send(new GetServiceQuotaCommand({ ServiceCode: 'ses', QuotaCode: SENDING_QUOTA }));
    expect(oregon.Quota!.Value).toBe(50_000);
    expect((await sq('eu-west-1').send(new GetServiceQuotaCommand({ ServiceCode: 'ses', QuotaCode: SENDING_QUOTA }))).Quota!.Value).toBe(200);

    const calls = aws.callsTo('GetServiceQuota');
    expect(calls.map((c) => `${c.service}:${c.region}`)).toEqual(['servicequotas:eu-west-1', 'servicequotas:eu-west-1', 'servicequotas:us-west-2', 'servicequotas:eu-west-1']);
    expect(calls[0]!.input).toEqual({ ServiceCode: 'ses', QuotaCode: SENDING_QUOTA });

    const otherService = await rejection(sq('eu-west-1').send(new GetServiceQuotaCommand({ ServiceCode: 'ec2', QuotaCode: 'L-1216C47A' })));
    expect(otherService).toBeInstanceOf(NoSuchResourceException);
  });

  it('pages ListServiceQuotas, and a code made unknown is found there by name under its new code', async () => {
    aws.makeQuotaCodeUnknown('ap-south-1', SENDING_QUOTA, 'L-NEWCODE1');
    const unknown = await rejection(sq('ap-south-1').send(new GetServiceQuotaCommand({ ServiceCode: 'ses', QuotaCode: SENDING_QUOTA })));
    expect(unknown).toBeInstanceOf(NoSuchResourceException);
    expect(unknown.name).toBe('NoSuchResourceException');
    expect(unknown.$metadata.httpStatusCode).toBe(404);
    // Only in that region.
    await sq('eu-west-1').send(new GetServiceQuotaCommand({ ServiceCode: 'ses', QuotaCode: SENDING_QUOTA }));

    const quotas: { code?: string; name?: string }[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await sq('ap-south-1').send(new ListServiceQuotasCommand({ ServiceCode: 'ses', MaxResults: 100, NextToken: token }));
      quotas.push(...page.Quotas!.map((q) => ({ code: q.QuotaCode, name: q.QuotaName })));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(3); // five quotas, two a page
    expect(quotas.find((q) => q.name === 'Sending quota')?.code).toBe('L-NEWCODE1');
    expect(quotas.find((q) => q.name === 'Sending rate')?.code).toBe(SENDING_RATE);

    const bad = await rejection(sq('ap-south-1').send(new ListServiceQuotasCommand({ ServiceCode: 'ses', NextToken: 'garbage' })));
    expect(bad).toBeInstanceOf(InvalidPaginationTokenException);

    // Without a new code the quota is gone from the region altogether.
    aws.makeQuotaCodeUnknown('ap-south-2', SENDING_RATE);
    const all = await sq('ap-south-2').send(new ListServiceQuotasCommand({ ServiceCode: 'ses', MaxResults: 2 }));
    expect(aws.quotas('ap-south-2').map((q) => q.name)).not.toContain('Sending rate');
    expect(all.Quotas).toHaveLength(2);
  });

  it('creates a PENDING request in the calling region with a fresh id, Created, and no CaseId', async () => {
    const before = Date.now();
    const { RequestedQuota: made } = await request('eu-central-1', SENDING_QUOTA, 100_000);
    expect(made).toMatchObject({ ServiceCode: 'ses', QuotaCode: SENDING_QUOTA, QuotaName: 'Sending quota', DesiredValue: 100_000, Status: 'PENDING', GlobalQuota: false });
    expect(made!.Id).toMatch(/^[0-9a-f]{32}[\w-]{8}$/);
    expect(made!.CaseId).toBeUndefined();
    expect(made!.Created).toBeInstanceOf(Date);
    expect(made!.Created!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(made!.LastUpdated!.getTime()).toBe(made!.Created!.getTime());
    expect(JSON.parse(made!.Requester!)).toMatchObject({ accountId: '123456789012' });

    expect(aws.quotaRequests({ region: 'eu-central-1' })).toEqual([expect.objectContaining({ id: made!.Id, region: 'eu-central-1', status: 'PENDING', desiredValue: 100_000 })]);
    expect(aws.callsTo('RequestServiceQuotaIncrease').at(-1)).toMatchObject({ service: 'servicequotas', region: 'eu-central-1', input: { ServiceCode: 'ses', QuotaCode: SENDING_QUOTA, DesiredValue: 100_000 } });

    const got = await sq('eu-central-1').send(new GetRequestedServiceQuotaChangeCommand({ RequestId: made!.Id }));
    expect(got.RequestedQuota).toEqual(made);
    // A request belongs to its region.
    expect(await rejection(sq('eu-west-1').send(new GetRequestedServiceQuotaChangeCommand({ RequestId: made!.Id })))).toBeInstanceOf(NoSuchResourceException);
  });

  it('refuses a second open request for the same quota and region, and values not above the quota or above 10,000,000,000', async () => {
    const region = 'eu-west-2';
    const { RequestedQuota: first } = await request(region, SENDING_QUOTA, 1_000);

    const again = await rejection(request(region, SENDING_QUOTA, 2_000));
    expect(again).toBeInstanceOf(ResourceAlreadyExistsException);
    expect(again.$metadata.httpStatusCode).toBe(400);
    // Other quota, other region: fine.
    await request(region, SENDING_RATE, 10);
    await request('eu-west-3', SENDING_QUOTA, 1_000);

    // Still open once a case is opened; free again once it is decided.
    aws.openQuotaCase(first!.Id!);
    expect((await rejection(request(region, SENDING_QUOTA, 2_000))).name).toBe('ResourceAlreadyExistsException');
    aws.setQuotaRequestStatus(first!.Id!, 'DENIED');
    await request(region, SENDING_QUOTA, 2_000);

    aws.setQuotaValue('sa-east-1', SENDING_QUOTA, 50_000);
    const notAbove = await rejection(request('sa-east-1', SENDING_QUOTA, 50_000));
    expect(notAbove).toBeInstanceOf(IllegalArgumentException);
    expect(notAbove.message).toMatch(/greater than the current quota value 50000/);
    expect((await rejection(request('sa-east-1', SENDING_QUOTA, 10_000_000_001))).name).toBe('IllegalArgumentException');
    await request('sa-east-1', SENDING_QUOTA, 10_000_000_000);

    const unknownCode = await rejection(request('sa-east-1', 'L-00000000', 5));
    expect(unknownCode).toBeInstanceOf(NoSuchResourceException);
    expect(aws.quotaRequests({ region: 'sa-east-1' })).toHaveLength(1);
  });

  it('pages the region history newest first, by service and by quota, with Status filters', async () => {
    const fresh = new FakeAws();
    await fresh.start();
    const client = new ServiceQuotasClient({ region: 'us-east-2', endpoint: fresh.url, credentials, maxAttempts: 1 });
    try {
      for (let i = 1; i <= 5; i++) fresh.seedQuotaRequest('us-east-2', { quotaCode: SENDING_QUOTA, desiredValue: i * 1000, status: 'APPROVED', created: `2026-03-0${i}T00:00:00.000Z` });
      const rate = fresh.seedQuotaRequest('us-east-2', { quotaCode: SENDING_RATE, desiredValue: 50, created: '2026-03-06T00:00:00.000Z' });
      fresh.seedQuotaRequest('us-west-1', { quotaCode: SENDING_QUOTA, desiredValue: 9 }); // another region

      const all: RequestedServiceQuotaChange[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await client.send(new ListRequestedServiceQuotaChangeHistoryCommand({ ServiceCode: 'ses', MaxResults: 100, NextToken: token }));
        all.push(...page.RequestedQuotas!);
        token = page.NextToken;
        pages++;
      } while (token);
      expect(pages).toBe(3);
      expect(all.map((r) => r.DesiredValue)).toEqual([50, 5000, 4000, 3000, 2000, 1000]);
      expect(all[0]).toMatchObject({ Id: rate.id, Status: 'PENDING', Created: new Date('2026-03-06T00:00:00.000Z') });

      const byQuota = await client.send(new ListRequestedServiceQuotaChangeHistoryByQuotaCommand({ ServiceCode: 'ses', QuotaCode: SENDING_RATE }));
      expect(byQuota.RequestedQuotas!.map((r) => r.Id)).toEqual([rate.id]);
      expect(byQuota.NextToken).toBeUndefined();

      const pending = await client.send(new ListRequestedServiceQuotaChangeHistoryCommand({ ServiceCode: 'ses', Status: 'PENDING' }));
      expect(pending.RequestedQuotas!.map((r) => r.Id)).toEqual([rate.id]);

      const quotaPage = await client.send(new ListRequestedServiceQuotaChangeHistoryByQuotaCommand({ ServiceCode: 'ses', QuotaCode: SENDING_QUOTA }));
      expect(quotaPage.RequestedQuotas).toHaveLength(2);
      // A token is for the listing that issued it.
      const misused = await rejection(client.send(new ListRequestedServiceQuotaChangeHistoryCommand({ ServiceCode: 'ses', NextToken: quotaPage.NextToken })));
      expect(misused).toBeInstanceOf(InvalidPaginationTokenException);
      expect((await rejection(client.send(new ListRequestedServiceQuotaChangeHistoryCommand({ ServiceCode: 'ses', MaxResults: 0 })))).name).toBe('IllegalArgumentException');
    } finally {
      client.destroy();
      await fresh.stop();
    }
  });

  it('moves a request through statuses and gives it a Support case the Support API can follow', async () => {
    const { RequestedQuota: made } = await request('ca-central-1', SENDING_QUOTA, 300_000);
    const c = aws.openQuotaCase(made!.Id!);
    const opened = await sq('ca-central-1').send(new GetRequestedServiceQuotaChangeCommand({ RequestId: made!.Id }));
    expect(opened.RequestedQuota).toMatchObject({ Status: 'CASE_OPENED', CaseId: c.caseId });
    expect(aws.openQuotaCase(made!.Id!)).toBe(c); // once

    const support = new SupportClient({ region: 'us-east-1', endpoint: aws.url, credentials, maxAttempts: 1 });
    const { cases } = await support.send(new DescribeCasesCommand({ caseIdList: [c.caseId], includeResolvedCases: true }));
    support.destroy();
    expect(cases![0]).toMatchObject({ caseId: c.caseId, status: 'opened', categoryCode: 'ses-sending-quota' });
    expect(cases![0]!.recentCommunications!.communications![0]!.body).toContain(`Request ID: ${made!.Id}`);

    aws.setQuotaRequestStatus(made!.Id!, 'APPROVED');
    const history = await sq('ca-central-1').send(new ListRequestedServiceQuotaChangeHistoryCommand({ ServiceCode: 'ses' }));
    expect(history.RequestedQuotas![0]).toMatchObject({ Id: made!.Id, Status: 'APPROVED', CaseId: c.caseId });
    expect(() => aws.setQuotaRequestStatus('nope', 'APPROVED')).toThrow(/no quota request nope/);
  });

  it('answers every injected error the issue names under its own name and the model status', async () => {
    const region = 'ap-northeast-1';
    const cases: [string, new (...args: never[]) => Error, number][] = [
      ['AccessDeniedException', AccessDeniedException, 403],
      ['DependencyAccessDeniedException', DependencyAccessDeniedException, 403],
      ['QuotaExceededException', QuotaExceededException, 409],
      ['IllegalArgumentException', IllegalArgumentException, 400],
      ['NoSuchResourceException', NoSuchResourceException, 404],
      ['TooManyRequestsException', TooManyRequestsException, 429],
      ['ResourceAlreadyExistsException', ResourceAlreadyExistsException, 400],
      ['ServiceException', ServiceException, 500],
    ];
    for (const [type, cls, status] of cases) {
      aws.inject('RequestServiceQuotaIncrease', { type, message: `injected ${type}` });
      const err = await rejection(request(region, SENDING_QUOTA, 1_000));
      expect(err, type).toBeInstanceOf(cls);
      expect(err.name).toBe(type);
      expect(err.message).toBe(`injected ${type}`);
      expect(err.$metadata.httpStatusCode, `${type} status`).toBe(status);
    }
    // A fault named only by its status gets Service Quotas' name for it.
    aws.inject('GetServiceQuota', { status: 500 });
    aws.inject('ListServiceQuotas', { status: 429 });
    aws.inject('ListRequestedServiceQuotaChangeHistory', { status: 400 });
    expect(await rejection(sq(region).send(new GetServiceQuotaCommand({ ServiceCode: 'ses', QuotaCode: SENDING_QUOTA })))).toBeInstanceOf(ServiceException);
    expect(await rejection(sq(region).send(new ListServiceQuotasCommand({ ServiceCode: 'ses' })))).toBeInstanceOf(TooManyRequestsException);
    expect(await rejection(sq(region).send(new ListRequestedServiceQuotaChangeHistoryCommand({ ServiceCode: 'ses' })))).toBeInstanceOf(IllegalArgumentException);
    expect(aws.pendingFaults()).toEqual([]);
    expect(aws.quotaRequests({ region })).toEqual([]);
    expect(aws.callsTo('RequestServiceQuotaIncrease').filter((c) => c.region === region).every((c) => c.fault)).toBe(true);

    // afterHandling: the request is made, and the answer is lost.
    aws.inject('RequestServiceQuotaIncrease', { status: 500, afterHandling: true });
    expect((await rejection(request(region, SENDING_QUOTA, 1_000))).name).toBe('ServiceException');
    expect(aws.quotaRequests({ region })).toHaveLength(1);
  });

  it('is reached through AWS_ENDPOINT_URL_SERVICE_QUOTAS without an explicit endpoint', async () => {
    process.env.AWS_ENDPOINT_URL_SERVICE_QUOTAS = aws.url;
    try {
      const viaEnv = new ServiceQuotasClient({ region: 'me-south-1', credentials, maxAttempts: 1 });
      await viaEnv.send(new GetServiceQuotaCommand({ ServiceCode: 'ses', QuotaCode: SENDING_RATE }));
      viaEnv.destroy();
      expect(aws.calls.at(-1)).toMatchObject({ service: 'servicequotas', operation: 'GetServiceQuota', region: 'me-south-1' });
    } finally {
      delete process.env.AWS_ENDPOINT_URL_SERVICE_QUOTAS;
    }
  });
});

describe('FakeAws SESv2 PutAccountDetails with the real SESv2Client', () => {
  const aws = new FakeAws();
  const clients = new Map<string, SESv2Client>();
  const ses = (region: string) => {
    let client = clients.get(region);
    if (!client) {
      client = new SESv2Client({ region, endpoint: aws.url, credentials, maxAttempts: 1 });
      clients.set(region, client);
    }
    return client;
  };
  const details = {
    MailType: 'TRANSACTIONAL' as const,
    WebsiteURL: 'https://shop.example.com',
    ContactLanguage: 'EN' as const,
    UseCaseDescription: 'Order confirmations to customers who bought from us.',
    AdditionalContactEmailAddresses: ['ops@example.com'],
  };

  beforeAll(() => aws.start());
  afterAll(async () => {
    for (const client of clients.values()) client.destroy();
    await aws.stop();
  });

  it('stores the details and opens a PENDING review with a Support case, in the calling region only', async () => {
    await ses('eu-west-1').send(new PutAccountDetailsCommand({ ...details, ProductionAccessEnabled: true }));
    const call = aws.callsTo('PutAccountDetails')[0]!;
    expect(call).toMatchObject({ service: 'sesv2', region: 'eu-west-1', input: { ...details, ProductionAccessEnabled: true } });

    const account = await ses('eu-west-1').send(new GetAccountCommand({}));
    expect(account.ProductionAccessEnabled).toBe(false);
    const review = account.Details!.ReviewDetails!;
    expect(account.Details).toEqual({ ...details, ReviewDetails: { Status: 'PENDING', CaseId: review.CaseId } });
    expect(aws.cases.get(review.CaseId!)).toMatchObject({ categoryCode: 'ses-production-access', status: 'opened' });
    expect(aws.review('eu-west-1')).toEqual({ Status: 'PENDING', CaseId: review.CaseId });

    expect((await ses('eu-north-1').send(new GetAccountCommand({}))).Details).toBeUndefined();
  });

  it('answers ConflictException while a review is PENDING and after it was DENIED; GRANTED gives production access', async () => {
    const again = await rejection(ses('eu-west-1').send(new PutAccountDetailsCommand({ ...details, ProductionAccessEnabled: true })));
    expect(again).toBeInstanceOf(ConflictException);
    expect(again.$metadata.httpStatusCode).toBe(409);

    aws.setReviewStatus('eu-west-1', 'GRANTED');
    const granted = await ses('eu-west-1').send(new GetAccountCommand({}));
    expect(granted.ProductionAccessEnabled).toBe(true);
    expect(granted.Details!.ReviewDetails!.Status).toBe('GRANTED');

    // A region whose earlier review was denied (seeded: setReviewStatus opens one if needed).
    const denied = aws.setReviewStatus('us-east-2', 'DENIED');
    expect(aws.review('us-east-2')).toEqual({ Status: 'DENIED', CaseId: denied.caseId });
    expect(await rejection(ses('us-east-2').send(new PutAccountDetailsCommand({ ...details, ProductionAccessEnabled: true })))).toBeInstanceOf(ConflictException);

    // After FAILED a new request opens a new review.
    await ses('ap-southeast-2').send(new PutAccountDetailsCommand({ ...details, ProductionAccessEnabled: true }));
    const first = aws.review('ap-southeast-2')!;
    aws.setReviewStatus('ap-southeast-2', 'FAILED');
    await ses('ap-southeast-2').send(new PutAccountDetailsCommand({ ...details, ProductionAccessEnabled: true }));
    expect(aws.review('ap-southeast-2')).toMatchObject({ Status: 'PENDING' });
    expect(aws.review('ap-southeast-2')!.CaseId).not.toBe(first.CaseId);
  });

  it('validates the fields like the API: BadRequestException', async () => {
    const put = (input: Record<string, unknown>) => rejection(ses('sa-east-1').send(new PutAccountDetailsCommand(input as never)));
    const cases: Record<string, unknown>[] = [
      { WebsiteURL: 'https://x.example' }, // no MailType
      { MailType: 'PROMOTIONAL', WebsiteURL: 'https://x.example' },
      { MailType: 'MARKETING' }, // no WebsiteURL
      { MailType: 'MARKETING', WebsiteURL: 'https://x.example', ContactLanguage: 'DE' },
      { MailType: 'MARKETING', WebsiteURL: 'https://x.example', UseCaseDescription: 'x'.repeat(5001) },
      { MailType: 'MARKETING', WebsiteURL: 'https://x.example', AdditionalContactEmailAddresses: ['a@x.example', 'b@x.example', 'c@x.example', 'd@x.example', 'e@x.example'] },
      { MailType: 'MARKETING', WebsiteURL: 'https://x.example', AdditionalContactEmailAddresses: [] },
    ];
    for (const input of cases) {
      const err = await put(input);
      expect(err, JSON.stringify(input)).toBeInstanceOf(BadRequestException);
      expect(err.$metadata.httpStatusCode).toBe(400);
    }
    expect(aws.account('sa-east-1').Details).toBeUndefined();

    // Minimal valid details, without asking for production access: stored, no review.
    await ses('sa-east-1').send(new PutAccountDetailsCommand({ MailType: 'MARKETING', WebsiteURL: 'https://x.example' }));
    expect(aws.account('sa-east-1').Details).toEqual({ MailType: 'MARKETING', WebsiteURL: 'https://x.example' });
    expect(aws.review('sa-east-1')).toBeUndefined();
  });

  it('injects faults into PutAccountDetails like any SESv2 operation', async () => {
    aws.inject('PutAccountDetails', { type: 'TooManyRequestsException' });
    aws.inject('PutAccountDetails', { type: 'ConflictException', message: 'busy' });
    expect((await rejection(ses('il-central-1').send(new PutAccountDetailsCommand({ ...details, ProductionAccessEnabled: true })))).name).toBe('TooManyRequestsException');
    const conflict = await rejection(ses('il-central-1').send(new PutAccountDetailsCommand({ ...details, ProductionAccessEnabled: true })));
    expect(conflict).toBeInstanceOf(ConflictException);
    expect(conflict.$metadata.httpStatusCode).toBe(409);
    expect(aws.review('il-central-1')).toBeUndefined();
  });
});
