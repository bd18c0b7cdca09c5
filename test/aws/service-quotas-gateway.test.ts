// The real ServiceQuotasGateway (src/aws/service-quotas-gateway.ts) against the fake AWS, reached
// through the SDK's own AWS_ENDPOINT_URL_SERVICE_QUOTAS: which region each call goes to, how the
// quota code is found, how history is paged, and what each refusal becomes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AwsError } from '../../src/aws/errors.js';
import { ServiceQuotasGateway } from '../../src/aws/service-quotas-gateway.js';
import { FakeAws } from '../fakes/fake-aws.js';
import { pointAwsSdkAt } from '../helpers/harness.js';
import { rejection } from '../helpers/rejection.js';

const SENDING_QUOTA = 'L-804C8AE8';
const SENDING_RATE = 'L-CDEF9B6B';

describe('ServiceQuotasGateway against the fake Service Quotas', () => {
  const aws = new FakeAws();
  let gateway: ServiceQuotasGateway;

  beforeAll(async () => {
    await aws.start();
    pointAwsSdkAt(aws);
  });
  afterAll(() => aws.stop());
  const fresh = () => {
    gateway = new ServiceQuotasGateway();
    return gateway;
  };
  afterEach(() => gateway?.destroy());

  /** The Service Quotas calls of one operation since `from`, as `operation@region`. */
  const callsSince = (from: number, operation?: string) =>
    aws.calls
      .slice(from)
      .filter((c) => c.service === 'servicequotas' && (operation === undefined || c.operation === operation))
      .map((c) => `${c.operation}@${c.region}`);

  it("sends each request to the row's region, once, and answers the request AWS made", async () => {
    const g = fresh();
    const from = aws.calls.length;
    const dublin = await g.requestIncrease('eu-west-1', SENDING_QUOTA, 100_000);
    const tokyo = await g.requestIncrease('ap-northeast-1', SENDING_RATE, 50);

    expect(callsSince(from)).toEqual(['RequestServiceQuotaIncrease@eu-west-1', 'RequestServiceQuotaIncrease@ap-northeast-1']);
    expect(aws.quotaRequests({ region: 'eu-west-1' }).map((r) => r.id)).toEqual([dublin.id]);
    expect(aws.quotaRequests({ region: 'ap-northeast-1' }).map((r) => r.id)).toEqual([tokyo.id]);
    expect(dublin).toEqual({
      id: aws.quotaRequests({ region: 'eu-west-1' })[0]!.id,
      quotaCode: SENDING_QUOTA,
      desiredValue: 100_000,
      status: 'PENDING',
      caseId: undefined,
      created: aws.quotaRequests({ region: 'eu-west-1' })[0]!.created,
      lastUpdated: aws.quotaRequests({ region: 'eu-west-1' })[0]!.lastUpdated,
    });
    expect(aws.callsTo('RequestServiceQuotaIncrease').at(-1)!.input).toEqual({ ServiceCode: 'ses', QuotaCode: SENDING_RATE, DesiredValue: 50 });
  });

  it('checks the known quota code with GetServiceQuota once per region and limit', async () => {
    const g = fresh();
    const from = aws.calls.length;
    expect(await g.quotaCode('us-east-1', 'send_quota')).toBe(SENDING_QUOTA);
    expect(await g.quotaCode('us-east-1', 'send_quota')).toBe(SENDING_QUOTA);
    expect(await g.quotaCode('us-east-1', 'send_rate')).toBe(SENDING_RATE);
    expect(await g.quotaCode('eu-central-1', 'send_quota')).toBe(SENDING_QUOTA);
    await Promise.all([g.quotaCode('eu-central-1', 'send_quota'), g.quotaCode('us-east-1', 'send_rate')]);
    expect(callsSince(from)).toEqual(['GetServiceQuota@us-east-1', 'GetServiceQuota@us-east-1', 'GetServiceQuota@eu-central-1']);
    expect(aws.calls.slice(from).map((c) => c.input.QuotaCode)).toEqual([SENDING_QUOTA, SENDING_RATE, SENDING_QUOTA]);
  });

  it('finds the code by name with ListServiceQuotas (all pages) when the region does not know it', async () => {
    aws.makeQuotaCodeUnknown('ap-southeast-1', SENDING_QUOTA, 'L-RENAMED1');
    const g = fresh();
    const from = aws.calls.length;
    expect(await g.quotaCode('ap-southeast-1', 'send_quota')).toBe('L-RENAMED1');
    expect(await g.quotaCode('ap-southeast-1', 'send_quota')).toBe('L-RENAMED1'); // cached
    // Three fillers come first, two a page: the name is on the second page.
    expect(callsSince(from)).toEqual(['GetServiceQuota@ap-southeast-1', 'ListServiceQuotas@ap-southeast-1', 'ListServiceQuotas@ap-southeast-1']);

    // The request then goes out under the code found.
    const made = await g.requestIncrease('ap-southeast-1', await g.quotaCode('ap-southeast-1', 'send_quota'), 5_000);
    expect(made.quotaCode).toBe('L-RENAMED1');
  });

  it('says not_found when the quota is in no listing, and does not cache a failed lookup', async () => {
    aws.makeQuotaCodeUnknown('af-south-1', SENDING_RATE);
    const g = fresh();
    const gone = await rejection(g.quotaCode('af-south-1', 'send_rate'));
    expect(gone).toBeInstanceOf(AwsError);
    expect(gone).toMatchObject({ kind: 'not_found', action: 'servicequotas:ListServiceQuotas', awsName: 'NoSuchResourceException' });
    expect(gone.message).toContain('"Sending rate"');

    aws.inject('GetServiceQuota', { type: 'AccessDeniedException', message: 'not authorized to perform: servicequotas:GetServiceQuota' });
    const denied = await rejection(g.quotaCode('me-central-1', 'send_quota'));
    expect(denied).toMatchObject({ kind: 'access_denied', action: 'servicequotas:GetServiceQuota' });
    expect(denied.userMessage).toContain('`servicequotas:GetServiceQuota`');
    expect(await g.quotaCode('me-central-1', 'send_quota')).toBe(SENDING_QUOTA); // asked again
  });

  describe('RequestServiceQuotaIncrease refusals, each sent once (no SDK retries)', () => {
    const refusals: { type: string; kind: string; message: RegExp; maybeApplied?: boolean }[] = [
      { type: 'AccessDeniedException', kind: 'access_denied', message: /lack the IAM permission `servicequotas:RequestServiceQuotaIncrease`/ },
      { type: 'DependencyAccessDeniedException', kind: 'access_denied', message: /lack the IAM permission `servicequotas:RequestServiceQuotaIncrease`/ },
      { type: 'QuotaExceededException', kind: 'too_many_open_requests', message: /too many quota requests open at once/ },
      { type: 'IllegalArgumentException', kind: 'invalid_request', message: /rejected the request as invalid \(`servicequotas:RequestServiceQuotaIncrease`\): injected IllegalArgumentException/ },
      { type: 'NoSuchResourceException', kind: 'not_found', message: /could not find .*NoSuchResourceException/ },
      { type: 'TooManyRequestsException', kind: 'throttled', message: /throttling the bot's calls \(`servicequotas:RequestServiceQuotaIncrease`\)/ },
      { type: 'ResourceAlreadyExistsException', kind: 'already_pending', message: /already open with AWS/ },
      { type: 'ServiceException', kind: 'unavailable', message: /not known whether it went through/, maybeApplied: true },
    ];
    for (const { type, kind, message, maybeApplied = false } of refusals) {
      it(`${type} → ${kind}`, async () => {
        const g = fresh();
        aws.inject('RequestServiceQuotaIncrease', { type, message: `injected ${type}` });
        const from = aws.calls.length;
        const err = await rejection(g.requestIncrease('us-west-2', SENDING_QUOTA, 10_000));
        expect(err).toBeInstanceOf(AwsError);
        expect(err).toMatchObject({ kind, awsName: type, action: 'servicequotas:RequestServiceQuotaIncrease', maybeApplied });
        expect(err.userMessage).toMatch(message);
        expect(callsSince(from)).toEqual(['RequestServiceQuotaIncrease@us-west-2']);
        expect(aws.pendingFaults()).toEqual([]);
      });
    }

    it('the fake refusing on its own: an open request is already_pending, a value not above the quota is invalid_request', async () => {
      const g = fresh();
      aws.setQuotaValue('eu-south-1', SENDING_QUOTA, 50_000);
      const low = await rejection(g.requestIncrease('eu-south-1', SENDING_QUOTA, 40_000));
      expect(low).toMatchObject({ kind: 'invalid_request', awsName: 'IllegalArgumentException' });
      expect(low.userMessage).toContain('greater than the current quota value 50000');

      const first = await g.requestIncrease('eu-south-1', SENDING_QUOTA, 60_000);
      const again = await rejection(g.requestIncrease('eu-south-1', SENDING_QUOTA, 70_000));
      expect(again).toMatchObject({ kind: 'already_pending', awsName: 'ResourceAlreadyExistsException', maybeApplied: false });
      // The open request is found through the history, as the issue wants.
      const open = (await g.historyOfQuota('eu-south-1', SENDING_QUOTA)).filter((r) => r.status === 'PENDING');
      expect(open.map((r) => [r.id, r.desiredValue])).toEqual([[first.id, 60_000]]);
    });

    it('a lost answer (500 after AWS made the request) is unavailable and maybe applied, and the request is in the history', async () => {
      const g = fresh();
      aws.inject('RequestServiceQuotaIncrease', { status: 500, afterHandling: true });
      const lost = await rejection(g.requestIncrease('eu-north-1', SENDING_RATE, 30));
      expect(lost).toMatchObject({ kind: 'unavailable', maybeApplied: true });
      expect(aws.callsTo('RequestServiceQuotaIncrease').filter((c) => c.region === 'eu-north-1')).toHaveLength(1);
      const history = await g.historyOfQuota('eu-north-1', SENDING_RATE);
      expect(history.map((r) => r.desiredValue)).toEqual([30]);
    });
  });

  it('reads every page of a region history, and of one quota, with statuses and case ids', async () => {
    const g = fresh();
    const region = 'ca-west-1';
    const made = [];
    for (let i = 1; i <= 5; i++) {
      made.push(aws.seedQuotaRequest(region, { quotaCode: SENDING_QUOTA, desiredValue: i * 1_000, status: 'DENIED', created: `2026-04-0${i}T00:00:00.000Z` }));
    }
    const rate = aws.seedQuotaRequest(region, { quotaCode: SENDING_RATE, desiredValue: 20, created: '2026-04-06T00:00:00.000Z' });
    const c = aws.openQuotaCase(rate.id);
    aws.seedQuotaRequest('us-east-1', { quotaCode: SENDING_RATE, desiredValue: 99 }); // another region

    const from = aws.calls.length;
    const all = await g.history(region);
    expect(callsSince(from)).toEqual(Array(3).fill(`ListRequestedServiceQuotaChangeHistory@${region}`));
    expect(all.map((r) => r.id).sort()).toEqual([...made.map((r) => r.id), rate.id].sort());
    expect(all.find((r) => r.id === rate.id)).toEqual({
      id: rate.id,
      quotaCode: SENDING_RATE,
      desiredValue: 20,
      status: 'CASE_OPENED',
      caseId: c.caseId,
      created: '2026-04-06T00:00:00.000Z',
      lastUpdated: aws.quotaRequest(rate.id).lastUpdated,
    });
    expect(aws.calls.slice(from).every((call) => call.input.ServiceCode === 'ses')).toBe(true);

    const byQuota = await g.historyOfQuota(region, SENDING_QUOTA);
    expect(byQuota.map((r) => r.desiredValue).sort((a, b) => a - b)).toEqual([1_000, 2_000, 3_000, 4_000, 5_000]);

    aws.setQuotaRequestStatus(rate.id, 'APPROVED');
    expect((await g.history(region)).find((r) => r.id === rate.id)?.status).toBe('APPROVED');
  });

  it('rides out a throttled history read with the SDK retries (reads only), and translates one that keeps failing', async () => {
    const g = fresh();
    aws.inject('ListRequestedServiceQuotaChangeHistory', { type: 'TooManyRequestsException' });
    const from = aws.calls.length;
    expect(await g.history('il-central-1')).toEqual([]);
    expect(callsSince(from)).toHaveLength(2);

    aws.inject('ListRequestedServiceQuotaChangeHistory', { type: 'AccessDeniedException', times: 3 });
    const denied = await rejection(g.history('il-central-1'));
    expect(denied).toMatchObject({ kind: 'access_denied', action: 'servicequotas:ListRequestedServiceQuotaChangeHistory' });
  });
});
