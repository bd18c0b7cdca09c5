// The real SesGateway (src/aws/ses-gateway.ts) against the fake AWS, reached through the SDK's
// own AWS_ENDPOINT_URL_SESV2: the production access request (PutAccountDetails) and its review,
// and the quota cache left as it was.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AwsError } from '../../src/aws/errors.js';
import { SesGateway, type ProductionAccessDetails } from '../../src/aws/ses-gateway.js';
import { FakeAws } from '../fakes/fake-aws.js';
import { pointAwsSdkAt } from '../helpers/harness.js';
import { rejection } from '../helpers/rejection.js';

const FULL: ProductionAccessDetails = {
  mailType: 'system_notifications',
  websiteUrl: 'https://shop.example.com',
  language: 'ja',
  useCase: 'Order confirmations and shipping notices to customers who bought from our shop. Requested value: 200000 a day.',
  additionalContactEmails: ['ops@example.com', 'sre@example.com'],
};

describe('SesGateway production access against the fake SESv2', () => {
  const aws = new FakeAws();
  let gateway: SesGateway;

  beforeAll(async () => {
    await aws.start();
    pointAwsSdkAt(aws);
  });
  afterAll(() => aws.stop());
  const fresh = (now?: () => number) => {
    gateway = new SesGateway(undefined, now);
    return gateway;
  };
  afterEach(() => gateway?.destroy());

  const putCalls = (region: string) => aws.callsTo('PutAccountDetails').filter((c) => c.region === region);

  it("sends PutAccountDetails to the region with ProductionAccessEnabled and the form's fields, the mail type mapped", async () => {
    const g = fresh();
    await g.requestProductionAccess('eu-west-1', FULL);
    expect(putCalls('eu-west-1').map((c) => c.input)).toEqual([
      {
        ProductionAccessEnabled: true,
        MailType: 'TRANSACTIONAL', // System notifications go as transactional
        WebsiteURL: 'https://shop.example.com',
        ContactLanguage: 'JA',
        UseCaseDescription: FULL.useCase,
        AdditionalContactEmailAddresses: ['ops@example.com', 'sre@example.com'],
      },
    ]);
    expect(aws.account('eu-west-1').Details).toMatchObject({ MailType: 'TRANSACTIONAL', ContactLanguage: 'JA', ReviewDetails: { Status: 'PENDING' } });

    await g.requestProductionAccess('us-east-2', { ...FULL, mailType: 'marketing', language: 'en' });
    expect(putCalls('us-east-2')[0]!.input).toMatchObject({ MailType: 'MARKETING', ContactLanguage: 'EN' });
    await g.requestProductionAccess('us-west-1', { ...FULL, mailType: 'transactional' });
    expect(putCalls('us-west-1')[0]!.input).toMatchObject({ MailType: 'TRANSACTIONAL' });
  });

  it('leaves out the fields that are empty', async () => {
    const g = fresh();
    await g.requestProductionAccess('ap-south-1', { mailType: 'marketing', websiteUrl: ' https://x.example ', useCase: '   ', additionalContactEmails: [' ', ''] });
    expect(putCalls('ap-south-1').map((c) => c.input)).toEqual([{ ProductionAccessEnabled: true, MailType: 'MARKETING', WebsiteURL: 'https://x.example' }]);
    expect(aws.account('ap-south-1').Details).toEqual({ MailType: 'MARKETING', WebsiteURL: 'https://x.example', ReviewDetails: { Status: 'PENDING', CaseId: expect.any(String) } });

    // The required ones too: AWS then refuses, which reaches the caller as an invalid request.
    const noUrl = await rejection(g.requestProductionAccess('ap-south-2', { mailType: 'marketing', websiteUrl: '' }));
    expect(putCalls('ap-south-2').map((c) => c.input)).toEqual([{ ProductionAccessEnabled: true, MailType: 'MARKETING' }]);
    expect(noUrl).toMatchObject({ kind: 'invalid_request', awsName: 'BadRequestException', action: 'ses:PutAccountDetails' });
    await rejection(g.requestProductionAccess('ap-south-2', {}));
    expect(putCalls('ap-south-2')[1]!.input).toEqual({ ProductionAccessEnabled: true });
  });

  it('answers a second request for the region with an AwsError of kind conflict (ConflictException), pending or denied', async () => {
    const g = fresh();
    await g.requestProductionAccess('eu-central-1', FULL);
    const again = await rejection(g.requestProductionAccess('eu-central-1', FULL));
    expect(again).toBeInstanceOf(AwsError);
    expect(again).toMatchObject({ kind: 'conflict', awsName: 'ConflictException', action: 'ses:PutAccountDetails', maybeApplied: false });
    expect(again.userMessage).toMatch(/production access review for this region: one is already open, or an earlier one was denied/);
    expect(putCalls('eu-central-1')).toHaveLength(2);

    aws.setReviewStatus('eu-central-1', 'DENIED');
    expect(await rejection(g.requestProductionAccess('eu-central-1', FULL))).toMatchObject({ kind: 'conflict', awsName: 'ConflictException' });
  });

  it('sends the write once: no SDK retries on throttling or a lost answer', async () => {
    const g = fresh();
    aws.inject('PutAccountDetails', { type: 'TooManyRequestsException' });
    const throttled = await rejection(g.requestProductionAccess('eu-west-2', FULL));
    expect(throttled).toMatchObject({ kind: 'throttled', action: 'ses:PutAccountDetails' });
    expect(putCalls('eu-west-2')).toHaveLength(1);

    aws.inject('PutAccountDetails', { status: 500, afterHandling: true });
    const lost = await rejection(g.requestProductionAccess('eu-west-2', FULL));
    expect(lost).toMatchObject({ kind: 'unavailable', maybeApplied: true });
    expect(putCalls('eu-west-2')).toHaveLength(2);
    // AWS did open the review: the caller finds it with reviewDetails rather than asking again.
    expect(await g.reviewDetails('eu-west-2')).toMatchObject({ status: 'PENDING' });
  });

  it('reports the review: none, PENDING with its case id, then GRANTED, read fresh each time', async () => {
    const g = fresh();
    expect(await g.reviewDetails('sa-east-1')).toBeUndefined();
    await g.requestProductionAccess('sa-east-1', FULL);
    const pending = await g.reviewDetails('sa-east-1');
    const caseId = aws.review('sa-east-1')!.CaseId;
    expect(pending).toEqual({ status: 'PENDING', caseId });
    expect(aws.cases.get(caseId)).toBeDefined();

    aws.setReviewStatus('sa-east-1', 'GRANTED');
    expect(await g.reviewDetails('sa-east-1')).toEqual({ status: 'GRANTED', caseId });
    expect(aws.callsTo('GetAccount').filter((c) => c.region === 'sa-east-1')).toHaveLength(3);

    aws.inject('GetAccount', { type: 'AccessDeniedException', status: 403 });
    expect(await rejection(g.reviewDetails('sa-east-1'))).toMatchObject({ kind: 'access_denied', action: 'ses:GetAccount' });
    expect(aws.pendingFaults()).toEqual([]);
  });

  it('keeps the quota cache as it was: reviewDetails neither reads nor fills it, and GRANTED shows once the cache expires', async () => {
    let now = 1_000_000;
    const g = fresh(() => now);
    const region = 'ap-northeast-2';
    const before = await g.getQuota(region);
    expect(before.productionAccess).toBe(false);
    await g.requestProductionAccess(region, FULL);
    aws.setReviewStatus(region, 'GRANTED');
    expect(await g.reviewDetails(region)).toMatchObject({ status: 'GRANTED' });

    expect(g.peekQuota(region)).toEqual(before);
    expect(await g.getQuota(region)).toEqual(before); // still cached
    expect(aws.callsTo('GetAccount').filter((c) => c.region === region)).toHaveLength(2); // getQuota once, reviewDetails once
    now += 60_000;
    expect(g.peekQuota(region)).toBeUndefined();
    expect((await g.getQuota(region)).productionAccess).toBe(true);
  });
});
