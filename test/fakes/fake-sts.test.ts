// Proves FakeAws speaks STS (Query protocol, XML answers) as the real @aws-sdk/client-sts and
// @aws-sdk/credential-providers' fromTemporaryCredentials expect, and that every recorded call
// names the access key and account that signed it, so that multi-account tests (issue 14) can
// prove which account each call was made with.
import { GetAccountCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeServicesCommand, SupportClient } from '@aws-sdk/client-support';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
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
