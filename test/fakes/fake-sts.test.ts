// Proves FakeAws speaks STS (Query protocol, XML answers) as the real @aws-sdk/client-sts and
// @aws-sdk/credential-providers' fromTemporaryCredentials expect, and that every recorded call
// names the access key and account that signed it, so that multi-account tests (issue 14) can
// prove which account each call was made with; and that each account has its own Support cases,
// SESv2 state and Service Quotas data.
import { GetAccountCommand, GetDedicatedIpsCommand, ListDedicatedIpPoolsCommand, PutAccountDetailsCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import {
  GetRequestedServiceQuotaChangeCommand,
  GetServiceQuotaCommand,
  ListRequestedServiceQuotaChangeHistoryByQuotaCommand,
  ListRequestedServiceQuotaChangeHistoryCommand,
  NoSuchResourceException,
  RequestServiceQuotaIncreaseCommand,
  ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
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
} from '@aws-sdk/client-support';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { standardPool, warm, warming } from '../helpers/dedicated-ip-fixtures.js';
import { AWS_KEY_ID, AWS_SECRET } from '../helpers/harness.js';
import { rejection } from '../helpers/rejection.js';
import { FakeAws } from './fake-aws.js';

/** Static credentials as the SDK clients take them. */
type AwsCredentialIdentity = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

const base = { accessKeyId: AWS_KEY_ID, secretAccessKey: AWS_SECRET };
const BASE_ACCOUNT = '123456789012';
const PROD = '111111111111';
const STAGING = '222222222222';
const PROD_ROLE = `arn:aws:iam::${PROD}:role/ses-support-bot`;
const STAGING_ROLE = `arn:aws:iam::${STAGING}:role/ses-support-bot`;
const SESSION = 'ses-support-bot';

describe('FakeAws STS with the real STSClient', () => {
  const aws = new FakeAws();
  const clients: { destroy(): void }[] = [];
  const sts = (credentials: AwsCredentialIdentity = base, maxAttempts = 1) => {
    const client = new STSClient({ region: 'us-east-1', endpoint: aws.url, credentials, maxAttempts });
    clients.push(client);
    return client;
  };
  const assume = (RoleArn: string, extra: { ExternalId?: string; DurationSeconds?: number } = {}, client = sts()) =>
    client.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: SESSION, ...extra }));
  const asCredentials = (c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string }): AwsCredentialIdentity => ({
    accessKeyId: c.AccessKeyId!,
    secretAccessKey: c.SecretAccessKey!,
    sessionToken: c.SessionToken!,
  });

  beforeAll(async () => {
    await aws.start();
    aws.addRole({ roleArn: PROD_ROLE, accountId: PROD, externalId: 'prod-external-id' });
    aws.addRole({ roleArn: STAGING_ROLE }); // account id taken from the ARN
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await aws.stop();
  });

  it('AssumeRole hands out temporary credentials of the role, different at every call, valid for an hour', async () => {
    const before = Date.now();
    const first = await assume(PROD_ROLE, { ExternalId: 'prod-external-id' });
    const second = await assume(PROD_ROLE, { ExternalId: 'prod-external-id' });
    const staging = await assume(STAGING_ROLE);

    expect(first.Credentials!.AccessKeyId).toMatch(new RegExp(`^ASIA${PROD}[0-9A-Z]{4}$`));
    expect(staging.Credentials!.AccessKeyId).toMatch(new RegExp(`^ASIA${STAGING}[0-9A-Z]{4}$`));
    const keys = [first, second, staging].map((r) => r.Credentials!.AccessKeyId);
    expect(new Set(keys).size).toBe(3);
    expect(first.Credentials!.SessionToken).not.toBe(second.Credentials!.SessionToken);
    expect(first.Credentials!.SecretAccessKey).toBeTruthy();
    // The SDK parses Expiration into a Date.
    expect(first.Credentials!.Expiration).toBeInstanceOf(Date);
    const lifetime = first.Credentials!.Expiration!.getTime() - before;
    expect(lifetime).toBeGreaterThan(3590_000);
    expect(lifetime).toBeLessThanOrEqual(3600_000 + 1000);
    expect(first.AssumedRoleUser).toEqual({
      Arn: `arn:aws:sts::${PROD}:assumed-role/ses-support-bot/${SESSION}`,
      AssumedRoleId: expect.stringMatching(new RegExp(`^AROA[0-9A-Z]+:${SESSION}$`)),
    });

    expect(aws.issuedCredentials(PROD).map((c) => c.accessKeyId)).toEqual(keys.slice(0, 2));
    expect(aws.accountOf(keys[0]!)).toBe(PROD);
    expect(aws.accountOf(keys[2]!)).toBe(STAGING);
    // STS calls are kept apart from the services' (the role's permissions policy does not cover them).
    expect(aws.calls.filter((c) => (c.service as string) === 'sts')).toEqual([]);
    const call = aws.stsCalls.at(-3)!;
    expect(call).toMatchObject({
      service: 'sts',
      operation: 'AssumeRole',
      region: 'us-east-1',
      accessKeyId: AWS_KEY_ID,
      accountId: BASE_ACCOUNT,
      input: { RoleArn: PROD_ROLE, RoleSessionName: SESSION, ExternalId: 'prod-external-id' },
    });
  });

  it('GetCallerIdentity names the account of whichever credentials signed the call', async () => {
    const prod = await assume(PROD_ROLE, { ExternalId: 'prod-external-id' });
    const staging = await assume(STAGING_ROLE);

    const asProd = await sts(asCredentials(prod.Credentials!)).send(new GetCallerIdentityCommand({}));
    expect(asProd).toMatchObject({ Account: PROD, Arn: prod.AssumedRoleUser!.Arn, UserId: prod.AssumedRoleUser!.AssumedRoleId });
    const asStaging = await sts(asCredentials(staging.Credentials!)).send(new GetCallerIdentityCommand({}));
    expect(asStaging.Account).toBe(STAGING);
    const asBase = await sts().send(new GetCallerIdentityCommand({}));
    expect(asBase).toMatchObject({ Account: BASE_ACCOUNT, Arn: `arn:aws:iam::${BASE_ACCOUNT}:user/ses-support-bot`, UserId: expect.stringMatching(/^AIDA/) });

    const identityCalls = aws.callsTo('GetCallerIdentity');
    expect(identityCalls.map((c) => [c.accessKeyId, c.accountId])).toEqual([
      [prod.Credentials!.AccessKeyId, PROD],
      [staging.Credentials!.AccessKeyId, STAGING],
      [AWS_KEY_ID, BASE_ACCOUNT],
    ]);
    expect(aws.callsBy(STAGING).map((c) => c.operation)).toEqual(['GetCallerIdentity']);
  });

  it('refuses a wrong or missing external id, an unknown role and a refused role with AccessDenied (403)', async () => {
    const wrong = await rejection(assume(PROD_ROLE, { ExternalId: 'not-the-one' }));
    expect(wrong.name).toBe('AccessDenied');
    expect(wrong.$metadata.httpStatusCode).toBe(403);
    expect(wrong.message).toBe(`User: arn:aws:iam::${BASE_ACCOUNT}:user/ses-support-bot is not authorized to perform: sts:AssumeRole on resource: ${PROD_ROLE}`);
    expect((await rejection(assume(PROD_ROLE))).name).toBe('AccessDenied');
    expect((await rejection(assume('arn:aws:iam::333333333333:role/unknown'))).name).toBe('AccessDenied');

    const role = aws.role(STAGING_ROLE);
    role.refuse = 'AccessDenied';
    try {
      expect((await rejection(assume(STAGING_ROLE))).name).toBe('AccessDenied');
    } finally {
      delete role.refuse;
    }
    // Once the role is fixed it can be assumed again.
    expect((await assume(STAGING_ROLE)).Credentials!.AccessKeyId).toMatch(/^ASIA/);
    expect(aws.issuedCredentials().some((c) => c.externalId === 'not-the-one')).toBe(false);
  });

  it('validates DurationSeconds and RoleSessionName as STS does, and caps the lifetime at credentialLifetimeSeconds', async () => {
    const tooLong = await rejection(assume(STAGING_ROLE, { DurationSeconds: 7200 })); // above the role's MaxSessionDuration
    expect(tooLong.name).toBe('ValidationError');
    expect(tooLong.$metadata.httpStatusCode).toBe(400);
    expect((await rejection(assume(STAGING_ROLE, { DurationSeconds: 60 }))).name).toBe('ValidationError');
    const badName = await rejection(sts().send(new AssumeRoleCommand({ RoleArn: STAGING_ROLE, RoleSessionName: 'has spaces' })));
    expect(badName.name).toBe('ValidationError');

    const t0 = Date.now();
    const short = await assume(STAGING_ROLE, { DurationSeconds: 900 });
    expect(short.Credentials!.Expiration!.getTime() - t0).toBeLessThanOrEqual(900_000 + 1000);
    expect(aws.callsTo('AssumeRole').at(-1)!.input.DurationSeconds).toBe(900);

    aws.credentialLifetimeSeconds = 120;
    try {
      const capped = await assume(STAGING_ROLE);
      expect(capped.Credentials!.Expiration!.getTime() - t0).toBeLessThanOrEqual(120_000 + 1000);
    } finally {
      aws.credentialLifetimeSeconds = 3600;
    }
  });

  it('answers injected AssumeRole faults in STS XML: 403 AccessDenied, 400 Throttling, 500 InternalFailure retried by the SDK', async () => {
    aws.inject('AssumeRole', { status: 403 });
    const denied = await rejection(assume(STAGING_ROLE));
    expect(denied).toMatchObject({ name: 'AccessDenied', message: 'Injected AccessDenied' });
    expect(denied.$metadata.httpStatusCode).toBe(403);
    expect(aws.callsTo('AssumeRole').at(-1)!.fault).toEqual({ status: 403 });

    aws.inject('AssumeRole', { type: 'Throttling', message: 'Rate exceeded' });
    const throttled = await rejection(assume(STAGING_ROLE));
    expect(throttled).toMatchObject({ name: 'Throttling', message: 'Rate exceeded' });
    expect(throttled.$metadata.httpStatusCode).toBe(400);

    aws.inject('AssumeRole', { type: 'RegionDisabledException' });
    const disabled = await rejection(assume(STAGING_ROLE));
    expect(disabled.name).toBe('RegionDisabledException'); // modelled: the SDK's own error class
    expect(disabled.$metadata.httpStatusCode).toBe(403);

    const before = aws.callsTo('AssumeRole').length;
    aws.inject('AssumeRole', { status: 500 });
    const retried = await assume(STAGING_ROLE, {}, sts(base, 3));
    expect(retried.Credentials!.AccessKeyId).toMatch(/^ASIA/);
    const attempts = aws.callsTo('AssumeRole').slice(before);
    expect(attempts.map((c) => c.fault?.status)).toEqual([500, undefined]);
    expect(aws.pendingFaults()).toEqual([]);
  });

  it('speaks the Query protocol on the wire: form-encoded request, namespaced XML answer and error', async () => {
    const post = (body: string, authorization?: string) =>
      fetch(aws.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...(authorization ? { authorization } : {}) },
        body,
      });
    // The fake reads the key id from the SigV4 credential scope; it does not check the signature.
    const auth = `AWS4-HMAC-SHA256 Credential=${AWS_KEY_ID}/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0`;
    const ok = await post(`Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(STAGING_ROLE)}&RoleSessionName=${SESSION}`, auth);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/xml');
    const xml = await ok.text();
    expect(xml).toMatch(
      /^<AssumeRoleResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><AssumeRoleResult><Credentials><AccessKeyId>ASIA\w{16}<\/AccessKeyId><SecretAccessKey>[^<]+<\/SecretAccessKey><SessionToken>[^<]+<\/SessionToken><Expiration>\d{4}-\d\d-\d\dT[\d:.]+Z<\/Expiration><\/Credentials><AssumedRoleUser><Arn>arn:aws:sts::222222222222:assumed-role\/ses-support-bot\/ses-support-bot<\/Arn><AssumedRoleId>AROA\w+:ses-support-bot<\/AssumedRoleId><\/AssumedRoleUser><\/AssumeRoleResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/AssumeRoleResponse>$/,
    );

    const denied = await post(`Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(PROD_ROLE)}&RoleSessionName=${SESSION}`, auth);
    expect(denied.status).toBe(403);
    expect(await denied.text()).toMatch(
      /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>AccessDenied<\/Code><Message>User: [^<]+ is not authorized to perform: sts:AssumeRole on resource: [^<]+<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
    );

    const unsigned = await post('Action=GetCallerIdentity&Version=2011-06-15');
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('<Code>MissingAuthenticationToken</Code>');
    expect(aws.stsCalls.at(-1)).toMatchObject({ operation: 'GetCallerIdentity', accessKeyId: '', credentialError: 'missing' });
    expect(aws.stsCalls.at(-1)!.accountId).toBeUndefined();
  });

  it('refuses a temporary key it never issued, or with the wrong session token', async () => {
    const issued = (await assume(STAGING_ROLE)).Credentials!;
    const wrongToken = await rejection(sts({ ...asCredentials(issued), sessionToken: 'forged' }).send(new GetCallerIdentityCommand({})));
    expect(wrongToken.name).toBe('InvalidClientTokenId');
    expect(wrongToken.$metadata.httpStatusCode).toBe(403);
    const unknown = await rejection(sts({ accessKeyId: 'ASIA999999999999ZZZZ', secretAccessKey: 's', sessionToken: 't' }).send(new GetCallerIdentityCommand({})));
    expect(unknown.name).toBe('InvalidClientTokenId');
    expect(aws.stsCalls.at(-1)).toMatchObject({ accessKeyId: 'ASIA999999999999ZZZZ', credentialError: 'invalid' });
    expect(aws.stsCalls.at(-1)!.accountId).toBeUndefined();

    const ses = new SESv2Client({ region: 'eu-west-1', endpoint: aws.url, credentials: { ...asCredentials(issued), sessionToken: 'forged' }, maxAttempts: 1 });
    clients.push(ses);
    const refused = await rejection(ses.send(new GetAccountCommand({})));
    expect(refused.name).toBe('UnrecognizedClientException');
    expect(aws.calls.at(-1)).toMatchObject({ service: 'sesv2', operation: 'GetAccount', accountId: STAGING, credentialError: 'invalid' });
  });
});

describe('fromTemporaryCredentials against FakeAws: each client provably works in its role account', () => {
  // A fresh fake per test: each test counts the calls it caused.
  let aws: FakeAws;
  const clients: { destroy(): void }[] = [];
  const roleCredentials = (RoleArn: string, ExternalId?: string, stsEndpoint: string | undefined = aws.url) =>
    fromTemporaryCredentials({
      masterCredentials: base,
      params: { RoleArn, RoleSessionName: SESSION, ...(ExternalId ? { ExternalId } : {}) },
      clientConfig: { region: 'us-east-1', ...(stsEndpoint ? { endpoint: stsEndpoint } : {}) },
    });
  const sesv2 = (credentials: ReturnType<typeof fromTemporaryCredentials>, region = 'eu-west-1') => {
    const client = new SESv2Client({ region, endpoint: aws.url, credentials, maxAttempts: 1 });
    clients.push(client);
    return client;
  };
  const support = (credentials: ReturnType<typeof fromTemporaryCredentials> | AwsCredentialIdentity) => {
    const client = new SupportClient({ region: 'us-east-1', endpoint: aws.url, credentials, maxAttempts: 1 });
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    aws = new FakeAws();
    await aws.start();
    aws.addRole({ roleArn: PROD_ROLE, externalId: 'prod-external-id' });
    aws.addRole({ roleArn: STAGING_ROLE });
  });
  afterEach(async () => {
    vi.useRealTimers();
    for (const c of clients.splice(0)) c.destroy();
    await aws.stop();
  });

  it('records every SESv2 and Support call under the account whose role signed it', async () => {
    const prod = roleCredentials(PROD_ROLE, 'prod-external-id');
    const staging = roleCredentials(STAGING_ROLE);
    await sesv2(prod).send(new GetAccountCommand({}));
    await support(prod).send(new DescribeServicesCommand({}));
    await sesv2(staging).send(new GetAccountCommand({}));
    await support(base).send(new DescribeServicesCommand({}));

    expect(aws.callsBy(PROD).map((c) => `${c.service}:${c.operation}`)).toEqual(['sesv2:GetAccount', 'support:DescribeServices']);
    expect(aws.callsBy(STAGING).map((c) => `${c.service}:${c.operation}`)).toEqual(['sesv2:GetAccount']);
    // The base credentials assumed the roles, and made the last Support call themselves.
    expect(aws.callsBy(BASE_ACCOUNT).map((c) => `${c.service}:${c.operation}`)).toEqual(['sts:AssumeRole', 'sts:AssumeRole', 'sts:AssumeRole', 'support:DescribeServices']);
    // Each client assumed its role once (SESv2 and Support clients cache separately), with the session name and external id.
    expect(aws.callsTo('AssumeRole').map((c) => [c.input.RoleArn, c.input.RoleSessionName, c.input.ExternalId])).toEqual([
      [PROD_ROLE, SESSION, 'prod-external-id'],
      [PROD_ROLE, SESSION, 'prod-external-id'],
      [STAGING_ROLE, SESSION, undefined],
    ]);
    for (const call of aws.callsBy(PROD)) expect(call.accessKeyId).toMatch(new RegExp(`^ASIA${PROD}`));
  });

  it('finds the fake through the SDK’s own AWS_ENDPOINT_URL_STS', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_STS;
    process.env.AWS_ENDPOINT_URL_STS = aws.url;
    try {
      await sesv2(roleCredentials(STAGING_ROLE, undefined, undefined)).send(new GetAccountCommand({}));
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
      else process.env.AWS_ENDPOINT_URL_STS = saved;
    }
    expect(aws.callsTo('AssumeRole')).toHaveLength(1);
    expect(aws.callsBy(STAGING).map((c) => c.operation)).toEqual(['GetAccount']);
  });

  it('surfaces a refused role as the client call’s error, and nothing reaches the service', async () => {
    const err = await rejection(sesv2(roleCredentials(PROD_ROLE, 'wrong')).send(new GetAccountCommand({})));
    expect(err.name).toBe('AccessDenied');
    expect(aws.calls).toEqual([]);
  });

  it('assumes the role again when the credentials come within 5 minutes of their Expiration (clock moved, no waiting)', async () => {
    // Only Date is faked: the SDK's expiry check and the fake's clock move together, sockets and timers stay real.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-06-01T12:00:00Z') });
    aws.credentialLifetimeSeconds = 900;
    const client = sesv2(roleCredentials(STAGING_ROLE));

    await client.send(new GetAccountCommand({}));
    const first = aws.issuedCredentials(STAGING);
    expect(first).toHaveLength(1);
    expect(first[0]!.expiration).toBe('2026-06-01T12:15:00.000Z');

    vi.setSystemTime(new Date('2026-06-01T12:09:00Z')); // 6 minutes left: still cached
    await client.send(new GetAccountCommand({}));
    expect(aws.callsTo('AssumeRole')).toHaveLength(1);

    vi.setSystemTime(new Date('2026-06-01T12:11:00Z')); // 4 minutes left: the SDK refreshes first
    await client.send(new GetAccountCommand({}));
    expect(aws.callsTo('AssumeRole')).toHaveLength(2);
    const keys = aws.callsTo('GetAccount').map((c) => c.accessKeyId);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).not.toBe(keys[1]);
    expect(aws.callsTo('GetAccount').map((c) => c.accountId)).toEqual([STAGING, STAGING, STAGING]);
    expect(aws.issuedCredentials(STAGING)[1]!.expiration).toBe('2026-06-01T12:26:00.000Z');
    expect(aws.calls.filter((c) => c.credentialError)).toEqual([]);
  });

  it('refuses a call made with expired temporary credentials (ExpiredTokenException), as AWS does', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-06-01T12:00:00Z') });
    const sts = new STSClient({ region: 'us-east-1', endpoint: aws.url, credentials: base, maxAttempts: 1 });
    clients.push(sts);
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: STAGING_ROLE, RoleSessionName: SESSION, DurationSeconds: 900 }));
    const fixed = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };

    vi.setSystemTime(new Date('2026-06-01T12:14:59Z'));
    await support(fixed).send(new DescribeServicesCommand({}));
    vi.setSystemTime(new Date('2026-06-01T12:15:00Z'));
    const err = await rejection(support(fixed).send(new DescribeServicesCommand({})));
    expect(err.name).toBe('ExpiredTokenException');
    const expiredSts = new STSClient({ region: 'us-east-1', endpoint: aws.url, credentials: fixed, maxAttempts: 1 });
    clients.push(expiredSts);
    expect((await rejection(expiredSts.send(new GetCallerIdentityCommand({})))).name).toBe('ExpiredTokenException');
    expect(aws.callsTo('DescribeServices').map((c) => c.credentialError)).toEqual([undefined, 'expired']);
  });
});

describe('FakeAws keeps each account’s Support, SESv2 and Service Quotas data apart (real clients, assumed roles)', () => {
  let aws: FakeAws;
  const clients: { destroy(): void }[] = [];
  type Credentials = ReturnType<typeof fromTemporaryCredentials> | AwsCredentialIdentity;
  const role = (RoleArn: string): Credentials =>
    fromTemporaryCredentials({ masterCredentials: base, params: { RoleArn, RoleSessionName: SESSION }, clientConfig: { region: 'us-east-1', endpoint: aws.url } });
  const track = <T extends { destroy(): void }>(client: T): T => {
    clients.push(client);
    return client;
  };
  const support = (credentials: Credentials) => track(new SupportClient({ region: 'us-east-1', endpoint: aws.url, credentials, maxAttempts: 1 }));
  const sesv2 = (credentials: Credentials, region = 'eu-west-1') => track(new SESv2Client({ region, endpoint: aws.url, credentials, maxAttempts: 1 }));
  const quotas = (credentials: Credentials, region = 'eu-west-1') => track(new ServiceQuotasClient({ region, endpoint: aws.url, credentials, maxAttempts: 1 }));
  const newCase = (subject: string) => new CreateCaseCommand({ subject, communicationBody: `${subject}: body`, serviceCode: 'service-limit-increase', categoryCode: 'ses-sending-quota' });

  beforeEach(async () => {
    aws = new FakeAws();
    await aws.start();
    aws.addRole({ roleArn: PROD_ROLE });
    aws.addRole({ roleArn: STAGING_ROLE });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await aws.stop();
  });

  it('Support: a case is its account’s only; another account’s case id is answered as an unknown one', async () => {
    const prod = support(role(PROD_ROLE));
    const staging = support(role(STAGING_ROLE));
    const { caseId } = await prod.send(newCase('Prod case'));
    expect(caseId).toMatch(new RegExp(`^case-${PROD}-`));
    expect(aws.cases.get(caseId!)).toMatchObject({ accountId: PROD, subject: 'Prod case' });
    const { caseId: stagingCaseId } = await staging.send(newCase('Staging case'));
    expect(aws.latestCase(PROD)!.caseId).toBe(caseId);
    expect(aws.latestCase()!.caseId).toBe(stagingCaseId);

    // Prod sees it, by id and in its list.
    expect((await prod.send(new DescribeCasesCommand({ caseIdList: [caseId!] }))).cases!.map((c) => c.subject)).toEqual(['Prod case']);
    expect((await prod.send(new DescribeCasesCommand({}))).cases!.map((c) => c.caseId)).toEqual([caseId]);
    // Staging lists only its own, and every call naming prod's case fails as for an id that does not exist.
    expect((await staging.send(new DescribeCasesCommand({ includeResolvedCases: true }))).cases!.map((c) => c.caseId)).toEqual([stagingCaseId]);
    const unknown = await rejection(staging.send(new DescribeCasesCommand({ caseIdList: ['case-does-not-exist'] })));
    const foreign = await rejection(staging.send(new DescribeCasesCommand({ caseIdList: [caseId!] })));
    expect(unknown).toBeInstanceOf(CaseIdNotFound);
    expect(foreign).toBeInstanceOf(CaseIdNotFound);
    expect(foreign.message).toBe(`Invalid case ID: ${caseId}`);
    expect(foreign.$metadata.httpStatusCode).toBe(unknown.$metadata.httpStatusCode);
    const mixed = await rejection(staging.send(new DescribeCasesCommand({ caseIdList: [stagingCaseId!, caseId!] })));
    expect(mixed).toBeInstanceOf(CaseIdNotFound);
    expect(await rejection(staging.send(new AddCommunicationToCaseCommand({ caseId, communicationBody: 'from staging' })))).toBeInstanceOf(CaseIdNotFound);
    expect(await rejection(staging.send(new DescribeCommunicationsCommand({ caseId })))).toBeInstanceOf(CaseIdNotFound);
    expect(await rejection(staging.send(new ResolveCaseCommand({ caseId })))).toBeInstanceOf(CaseIdNotFound);
    // Nothing staging tried touched prod's case.
    expect(aws.cases.get(caseId!)).toMatchObject({ status: 'opened' });
    expect(aws.cases.get(caseId!)!.communications.map((m) => m.body)).toEqual(['Prod case: body']);

    // The long-term keys' account (where single-account tests live) sees neither.
    const own = support(base);
    expect((await own.send(new DescribeCasesCommand({ includeResolvedCases: true }))).cases).toEqual([]);
    expect(await rejection(own.send(new AddCommunicationToCaseCommand({ caseId, communicationBody: 'from base' })))).toBeInstanceOf(CaseIdNotFound);

    // Test-side helpers reach every account's cases, and prod sees what they add.
    aws.addCommunication(caseId!, { body: 'AWS answers prod' });
    const comms = await prod.send(new DescribeCommunicationsCommand({ caseId }));
    expect(comms.communications!.map((m) => m.body)).toEqual(['AWS answers prod', 'Prod case: body']);
    expect(aws.seedCase({ subject: 'seeded', accountId: STAGING }).accountId).toBe(STAGING);
    expect(aws.seedCase({ subject: 'seeded in the base account' }).accountId).toBe(BASE_ACCOUNT);
  });

  it('Support: the hourly CreateCase limit counts per account', async () => {
    aws.caseCreationLimitPerHour = 2;
    const prod = support(role(PROD_ROLE));
    await prod.send(newCase('one'));
    await prod.send(newCase('two'));
    expect(await rejection(prod.send(newCase('three')))).toBeInstanceOf(CaseCreationLimitExceeded);
    const { caseId } = await support(role(STAGING_ROLE)).send(newCase('staging one'));
    expect(aws.cases.get(caseId!)!.accountId).toBe(STAGING);
  });

  it('SESv2: each account has its own quotas, production access review and dedicated IPs per region', async () => {
    aws.setAccount('eu-west-1', { SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14 }, ProductionAccessEnabled: true }, PROD);
    aws.setDedicatedIps('eu-west-1', [standardPool('prod-pool', [warm('198.51.100.1'), warm('198.51.100.2')])], PROD);
    aws.setDedicatedIps('eu-west-1', [standardPool('staging-pool', [warming('203.0.113.9', 40)])], STAGING);
    const prod = sesv2(role(PROD_ROLE));
    const staging = sesv2(role(STAGING_ROLE));

    expect((await prod.send(new GetAccountCommand({}))).SendQuota).toEqual({ Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 });
    const stagingAccount = await staging.send(new GetAccountCommand({}));
    expect(stagingAccount.SendQuota).toEqual({ Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 }); // a new account's sandbox
    expect(stagingAccount.ProductionAccessEnabled).toBe(false);
    // Another region of prod is a separate sandbox too.
    expect((await sesv2(role(PROD_ROLE), 'us-east-1').send(new GetAccountCommand({}))).SendQuota!.Max24HourSend).toBe(200);
    // And the long-term keys' account is untouched.
    expect(aws.account('eu-west-1').SendQuota.Max24HourSend).toBe(200);
    expect(aws.account('eu-west-1', PROD).SendQuota.Max24HourSend).toBe(50_000);

    expect((await prod.send(new ListDedicatedIpPoolsCommand({}))).DedicatedIpPools).toEqual(['prod-pool']);
    expect((await prod.send(new GetDedicatedIpsCommand({}))).DedicatedIps!.map((i) => i.Ip)).toEqual(['198.51.100.1', '198.51.100.2']);
    expect((await staging.send(new GetDedicatedIpsCommand({}))).DedicatedIps).toEqual([{ Ip: '203.0.113.9', WarmupStatus: 'IN_PROGRESS', WarmupPercentage: 40, PoolName: 'staging-pool' }]);
    expect((await sesv2(base).send(new GetDedicatedIpsCommand({}))).DedicatedIps).toEqual([]);

    // Staging asks for production access: the review and its Support case are staging's.
    await staging.send(new PutAccountDetailsCommand({ MailType: 'TRANSACTIONAL', WebsiteURL: 'https://staging.example.com', ProductionAccessEnabled: true }));
    const review = aws.review('eu-west-1', STAGING)!;
    expect(review.Status).toBe('PENDING');
    expect(aws.cases.get(review.CaseId)!.accountId).toBe(STAGING);
    expect(aws.review('eu-west-1', PROD)).toBeUndefined();
    expect(aws.review('eu-west-1')).toBeUndefined();
    expect((await staging.send(new GetAccountCommand({}))).Details!.ReviewDetails).toMatchObject({ Status: 'PENDING', CaseId: review.CaseId });
    expect((await support(role(STAGING_ROLE)).send(new DescribeCasesCommand({ caseIdList: [review.CaseId] }))).cases).toHaveLength(1);
    expect(await rejection(support(role(PROD_ROLE)).send(new DescribeCasesCommand({ caseIdList: [review.CaseId] })))).toBeInstanceOf(CaseIdNotFound);
    // setReviewStatus acts in the account named.
    expect(aws.setReviewStatus('eu-west-1', 'GRANTED', STAGING).caseId).toBe(review.CaseId);
    expect((await staging.send(new GetAccountCommand({}))).ProductionAccessEnabled).toBe(true);
    expect(aws.setReviewStatus('us-east-1', 'DENIED', PROD).accountId).toBe(PROD);
  });

  it('Service Quotas: each account has its own catalogue and quota requests per region', async () => {
    aws.setQuotaValue('eu-west-1', 'L-804C8AE8', 50_000, PROD);
    const prod = quotas(role(PROD_ROLE));
    const staging = quotas(role(STAGING_ROLE));

    const prodQuota = (await prod.send(new GetServiceQuotaCommand({ ServiceCode: 'ses', QuotaCode: 'L-804C8AE8' }))).Quota!;
    expect(prodQuota).toMatchObject({ Value: 50_000, QuotaArn: `arn:aws:servicequotas:eu-west-1:${PROD}:ses/L-804C8AE8` });
    expect((await staging.send(new GetServiceQuotaCommand({ ServiceCode: 'ses', QuotaCode: 'L-804C8AE8' }))).Quota!.Value).toBe(200);

    const { RequestedQuota: made } = await prod.send(new RequestServiceQuotaIncreaseCommand({ ServiceCode: 'ses', QuotaCode: 'L-804C8AE8', DesiredValue: 100_000 }));
    expect(JSON.parse(made!.Requester!)).toMatchObject({ accountId: PROD });
    expect(aws.quotaRequest(made!.Id!)).toMatchObject({ accountId: PROD, region: 'eu-west-1', desiredValue: 100_000 });
    // Staging may ask for the same quota: prod's open request is not in its way.
    const { RequestedQuota: stagingMade } = await staging.send(new RequestServiceQuotaIncreaseCommand({ ServiceCode: 'ses', QuotaCode: 'L-804C8AE8', DesiredValue: 1000 }));
    expect(aws.quotaRequests({ accountId: STAGING }).map((r) => r.id)).toEqual([stagingMade!.Id]);
    expect(aws.quotaRequests({ accountId: PROD }).map((r) => r.id)).toEqual([made!.Id]);
    expect(aws.quotaRequests()).toHaveLength(2);

    // Each account's history and lookups see only its own.
    expect((await prod.send(new ListRequestedServiceQuotaChangeHistoryCommand({ ServiceCode: 'ses' }))).RequestedQuotas!.map((r) => r.Id)).toEqual([made!.Id]);
    expect(
      (await staging.send(new ListRequestedServiceQuotaChangeHistoryByQuotaCommand({ ServiceCode: 'ses', QuotaCode: 'L-804C8AE8' }))).RequestedQuotas!.map((r) => r.Id),
    ).toEqual([stagingMade!.Id]);
    expect((await quotas(base).send(new ListRequestedServiceQuotaChangeHistoryCommand({ ServiceCode: 'ses' }))).RequestedQuotas).toEqual([]);
    const foreign = await rejection(staging.send(new GetRequestedServiceQuotaChangeCommand({ RequestId: made!.Id })));
    const unknown = await rejection(staging.send(new GetRequestedServiceQuotaChangeCommand({ RequestId: 'no-such-request' })));
    expect(foreign).toBeInstanceOf(NoSuchResourceException);
    expect(unknown).toBeInstanceOf(NoSuchResourceException);
    expect(foreign.$metadata.httpStatusCode).toBe(unknown.$metadata.httpStatusCode);
    expect((await prod.send(new GetRequestedServiceQuotaChangeCommand({ RequestId: made!.Id }))).RequestedQuota!.DesiredValue).toBe(100_000);

    // The Support case AWS opens for a request is the request's account's.
    const opened = aws.openQuotaCase(made!.Id!);
    expect(opened.accountId).toBe(PROD);
    expect((await support(role(PROD_ROLE)).send(new DescribeCasesCommand({ caseIdList: [opened.caseId] }))).cases).toHaveLength(1);
    expect(await rejection(support(role(STAGING_ROLE)).send(new DescribeCasesCommand({ caseIdList: [opened.caseId] })))).toBeInstanceOf(CaseIdNotFound);

    // Test-side helpers take the account last.
    expect(aws.seedQuotaRequest('eu-west-1', { quotaCode: 'L-CDEF9B6B', desiredValue: 20 }, STAGING).accountId).toBe(STAGING);
    expect(aws.seedQuotaRequest('eu-west-1', { quotaCode: 'L-CDEF9B6B', desiredValue: 20 }).accountId).toBe(BASE_ACCOUNT);
    aws.makeQuotaCodeUnknown('eu-west-1', 'L-CDEF9B6B', 'L-NEWCODE1', STAGING);
    expect(aws.quotas('eu-west-1', STAGING).map((q) => q.code)).toContain('L-NEWCODE1');
    expect(aws.quotas('eu-west-1', PROD).map((q) => q.code)).toContain('L-CDEF9B6B');
  });

  it('refuses a temporary key it never issued before it reaches any account’s data', async () => {
    const forged = { accessKeyId: `ASIA${PROD}ZZZZ`, secretAccessKey: 's', sessionToken: 't' };
    expect((await rejection(support(forged).send(newCase('forged')))).name).toBe('UnrecognizedClientException');
    expect((await rejection(sesv2(forged).send(new GetAccountCommand({})))).name).toBe('UnrecognizedClientException');
    expect((await rejection(quotas(forged).send(new RequestServiceQuotaIncreaseCommand({ ServiceCode: 'ses', QuotaCode: 'L-804C8AE8', DesiredValue: 1000 })))).name).toBe(
      'UnrecognizedClientException',
    );
    expect(aws.cases.size).toBe(0);
    expect(aws.quotaRequests()).toEqual([]);
    expect(aws.calls.map((c) => [c.accountId, c.credentialError])).toEqual([
      [undefined, 'invalid'],
      [undefined, 'invalid'],
      [undefined, 'invalid'],
    ]);
  });
});
