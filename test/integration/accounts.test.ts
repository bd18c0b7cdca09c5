/**
 * Several AWS accounts from one bot (AWS_ACCOUNTS_FILE): the real bot assumes each account's role
 * through the fake STS, and the fake AWS keeps each account's cases, quotas and dedicated IPs
 * apart and records which account signed every call, so each test proves which credentials did
 * what. The harness starts with one account (the tests' long-term keys, account 123456789012);
 * each test adds the roles and restarts the bot with the accounts file, as an operator would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsAccounts } from '../../src/aws/accounts.js';
import { SUPPORT_CALLS_PER_SECOND } from '../../src/aws/support-gateway.js';
import type { RecordedCall } from '../fakes/fake-aws.js';
import { twoWarmIps } from '../helpers/dedicated-ip-fixtures.js';
import {
  actInModal,
  CHANNEL,
  fileQuotaCase,
  fileRelinquishment,
  openDedicatedIpModal,
  openQuotaModal,
  REQUESTER,
  seedFiledCases,
  startHarness,
  submitQuota,
  syncNow,
  textOf,
  threadReply,
  validQuotaInputs,
  waitForFiledCase,
  type Harness,
} from '../helpers/harness.js';
import { fillState } from '../helpers/slack-requests.js';

const PROD = { name: 'prod', id: '111111111111', roleArn: 'arn:aws:iam::111111111111:role/ses-support-bot' };
const STAGING = { name: 'staging', id: '222222222222', roleArn: 'arn:aws:iam::222222222222:role/ses-support-bot', externalId: 'staging-external-id' };
/** The account of the tests' own keys: where every request filed without the file lives. */
const BASE_ACCOUNT = '123456789012';
const STAGING_ONLY = 'C0STAGING';
const NO_ACCOUNT = 'C0NOACCOUNT';

let h: Harness;
let dir: string;

/** The accounts file: CHANNEL may use prod and staging (prod first), STAGING_ONLY only staging. */
function accountsFile(channels: { prod: string[]; staging: string[] } = { prod: [CHANNEL], staging: [CHANNEL, STAGING_ONLY] }): string {
  const path = join(dir, `accounts-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    path,
    [
      'accounts:',
      `  - name: ${PROD.name}`,
      `    roleArn: ${PROD.roleArn}`,
      `    channels: [${channels.prod.join(', ')}]`,
      `  - name: ${STAGING.name}`,
      `    roleArn: ${STAGING.roleArn}`,
      `    externalId: ${STAGING.externalId}`,
      `    channels: [${channels.staging.join(', ')}]`,
    ].join('\n'),
  );
  return path;
}

/** Both roles in the fake's STS, then the bot restarted with the file. */
async function withAccounts(channels?: { prod: string[]; staging: string[] }) {
  h.aws.addRole({ roleArn: PROD.roleArn });
  h.aws.addRole({ roleArn: STAGING.roleArn, externalId: STAGING.externalId });
  await h.restart({ AWS_ACCOUNTS_FILE: accountsFile(channels) });
  // The interval's first run starts with the bot: let it finish so that each test counts only its own calls.
  await h.bot.scheduler.idle();
}

const supportCallsBy = (accountId: string) => h.aws.callsBy(accountId).filter((c) => (c as { service?: string }).service === 'support');
const operationsBy = (accountId: string) => h.aws.callsBy(accountId).map((c) => c.operation);

function selectState(view: Record<string, any>, inputs: Record<string, string | undefined>, account: string) {
  const values = fillState(view, inputs);
  // What Slack sends for the select, whether or not the form showed it.
  values.aws_account = { aws_account: { type: 'static_select', selected_option: { value: account, text: { type: 'plain_text', text: account } } } };
  return values;
}

async function healthz() {
  return (await (await fetch(`http://127.0.0.1:${h.bot.port}/healthz`)).json()) as { ok: boolean; accounts?: Record<string, { available: boolean; accountId: string | null; problem?: string }> };
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ses-bot-accounts-'));
  h = await startHarness();
  for (const [account, quota] of [
    [PROD.id, 50_000],
    [STAGING.id, 20_000],
  ] as const) {
    h.aws.setAccount('us-east-1', { SendQuota: { Max24HourSend: quota, MaxSendRate: 14, SentLast24Hours: 0 }, ProductionAccessEnabled: true }, account);
  }
});

afterEach(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('one account (no AWS_ACCOUNTS_FILE)', () => {
  it('works as before: the default credentials, no STS call, no account named in Slack', async () => {
    const { request, rootTs } = await fileQuotaCase(h);
    expect(h.aws.stsCalls).toEqual([]);
    expect(request.accountName).toBe('default');
    expect(supportCallsBy(BASE_ACCOUNT).map((c) => c.operation)).toContain('CreateCase');
    const root = h.slack.rootMessages(CHANNEL).find((m) => m.ts === rootTs)!;
    expect(textOf(root.blocks)).not.toContain('AWS account');
    expect(h.aws.latestCase()!.communications[0]!.body).not.toContain('AWS account:');
    expect(await healthz()).toEqual({ ok: true });
  });
});

describe('a channel with two accounts', () => {
  it('starts the form on the first account, reloads the quotas for another, keeps what was typed and files there with its credentials', async () => {
    await withAccounts();
    // Each role assumed once at start-up, as ses-support-bot, and its account checked.
    expect(h.aws.callsTo('AssumeRole').map((c) => (c as { input: Record<string, string> }).input.RoleSessionName)).toEqual(['ses-support-bot', 'ses-support-bot']);
    expect(h.aws.callsTo('GetCallerIdentity').map((c) => c.accountId).sort()).toEqual([PROD.id, STAGING.id]);

    const { view } = await openQuotaModal(h);
    const select = (view.blocks as any[]).find((b: any) => b.block_id === 'aws_account');
    expect(select.element.options.map((o: any) => o.text.text)).toEqual(['prod · 111111111111', 'staging · 222222222222']);
    expect(select.element.initial_option.value).toBe('prod');
    expect(textOf(view.blocks)).toContain('50,000');

    const typed = { ...validQuotaInputs(), website_url: 'https://typed-before-switching.example.com' };
    const switched = await actInModal(h, view, { ...typed, aws_account: 'staging' }, { action_id: 'aws_account', block_id: 'aws_account', type: 'static_select', selected_option: { value: 'staging' } });
    expect(textOf(switched.blocks)).toContain('20,000');
    expect(textOf(switched.blocks)).not.toContain('50,000');
    expect((switched.blocks as any[]).find((b: any) => b.block_id === 'website_url').element.initial_value).toBe('https://typed-before-switching.example.com');
    expect((switched.blocks as any[]).find((b: any) => b.block_id === 'aws_account').element.initial_option.value).toBe('staging');
    // The staging quota was read with staging's keys.
    expect(h.aws.callsBy(STAGING.id).some((c) => c.operation === 'GetAccount')).toBe(true);

    const res = await submitQuota(h, switched, { ...typed, aws_account: 'staging' });
    expect(res.json.response_action).toBe('update');
    const { request, rootTs } = await waitForFiledCase(h);
    expect([request.accountName, request.accountId]).toEqual(['staging', STAGING.id]);
    expect(operationsBy(STAGING.id)).toContain('CreateCase');
    expect(operationsBy(PROD.id)).not.toContain('CreateCase');
    expect(supportCallsBy(BASE_ACCOUNT)).toEqual([]);
    // AWS's side names the account; Slack's root says which it is.
    expect(h.aws.cases.get(request.caseId!)!.communications[0]!.body).toContain('AWS account: 222222222222');
    const root = h.slack.rootMessages(CHANNEL).find((m) => m.ts === rootTs)!;
    expect(textOf(root.blocks)).toContain('staging · 222222222222');

    // The case is followed with staging's credentials, and `status` names the account.
    const before = h.aws.calls.length;
    await syncNow(h);
    const describes = h.aws.calls.slice(before).filter((c) => c.operation === 'DescribeCases');
    expect(describes.map((c) => c.accountId)).toEqual([STAGING.id]);
    await h.requester.command({ command: '/ses-quota', text: 'status', userId: REQUESTER, channelId: CHANNEL });
    const status: any = await h.slack.waitFor(() => h.slack.responses.find((r: any) => String(r.body.text).includes('requests in this channel')));
    expect(status.body.text).toContain('AWS account staging · 222222222222');
  });

  it('shows each account\'s own dedicated IPs in the dedicated-IP form and relinquishes in the chosen one', async () => {
    h.aws.setDedicatedIps('eu-west-1', twoWarmIps(), STAGING.id);
    await withAccounts();
    const view = await openDedicatedIpModal(h);
    const switched = await actInModal(h, view, { aws_account: 'staging' }, { action_id: 'aws_account', block_id: 'aws_account', type: 'static_select', selected_option: { value: 'staging' } });
    expect((switched.blocks as any[]).find((b: any) => b.block_id === 'aws_account').element.initial_option.value).toBe('staging');
    const addresses = twoWarmIps()[0]!.ips.map((ip) => ip.ip).slice(0, 1);
    // The relinquishment form of staging lists staging's addresses; prod has none.
    const relinquish = await actInModal(
      h,
      switched,
      { aws_account: 'staging', dip_action: 'relinquish', 'row:0:region': 'eu-west-1', contact_language: 'en' },
      { action_id: 'dip_action', block_id: 'dip_action', type: 'radio_buttons' },
    );
    const res = await h.requester.viewSubmission({
      view: relinquish,
      values: fillState(relinquish, { aws_account: 'staging', dip_action: 'relinquish', 'row:0:region': 'eu-west-1', 'row:0:addresses': addresses, contact_language: 'en' }),
      userId: REQUESTER,
    });
    expect(res.json?.response_action, res.body).toBe('update');
    const { request, rootTs } = await waitForFiledCase(h);
    expect(request.accountName).toBe('staging');
    expect(operationsBy(STAGING.id)).toContain('CreateCase');
    expect(operationsBy(PROD.id)).not.toContain('CreateCase');

    // The confirmation goes to staging's case with staging's keys, and names the account to AWS.
    h.aws.addCommunication(request.caseId!, { body: 'Please confirm that you want to release these addresses.' });
    await syncNow(h);
    await threadReply(h, { threadTs: rootTs, user: REQUESTER, text: 'confirm' });
    const confirmation = await h.aws.waitForCall('AddCommunicationToCase');
    expect(confirmation.accountId).toBe(STAGING.id);
    expect(String(confirmation.input.communicationBody)).toContain(`in AWS account ${STAGING.id}`);
  });
});

describe('Service Quotas and production access, per account', () => {
  it('sends each row with the chosen account\'s role: a quota increase where it is in production, production access where it is in the sandbox', async () => {
    // Staging's eu-west-1 is still in the sandbox (the fake's default); its us-east-1 is in production.
    await withAccounts();
    await h.restart({ QUOTA_FILING: 'service-quotas' });
    await h.bot.scheduler.idle();
    const { view } = await openQuotaModal(h, REQUESTER, STAGING_ONLY);
    const inputs = { ...validQuotaInputs(), 'row:0:region': 'us-east-1' };
    const withRow = await actInModal(h, view, inputs, { action_id: 'add_row', block_id: 'add_row', value: 'add' });
    const res = await submitQuota(h, withRow, { ...inputs, 'row:1:region': 'eu-west-1', 'row:1:limit': 'send_quota', 'row:1:newValue': '50000' });
    expect(res.json.response_action, res.body).toBe('update');
    const increase = await h.aws.waitForCall('RequestServiceQuotaIncrease');
    const access = await h.aws.waitForCall('PutAccountDetails');
    expect([increase.accountId, increase.region]).toEqual([STAGING.id, 'us-east-1']);
    expect([access.accountId, access.region]).toEqual([STAGING.id, 'eu-west-1']);
    await h.bot.filing.idle();
    expect(h.aws.callsBy(PROD.id).filter((c) => c.operation === 'RequestServiceQuotaIncrease' || c.operation === 'PutAccountDetails')).toEqual([]);
    expect(h.aws.callsBy(BASE_ACCOUNT).filter((c) => c.operation === 'RequestServiceQuotaIncrease' || c.operation === 'PutAccountDetails')).toEqual([]);
  });
});

describe('authorization per channel and account', () => {
  it('a channel allowed only staging names it, and cannot file in prod even with a forged select', async () => {
    await withAccounts();
    const { view } = await openQuotaModal(h, REQUESTER, STAGING_ONLY);
    expect(view.blocks.some((b: any) => b.type === 'input' && b.block_id === 'aws_account')).toBe(false);
    expect(textOf(view.blocks)).toContain('AWS account: *staging · 222222222222*');
    expect(textOf(view.blocks)).toContain('20,000');

    const forged = await h.requester.viewSubmission({ view, values: selectState(view, validQuotaInputs(), 'prod'), userId: REQUESTER });
    expect(forged.json.response_action).toBe('errors');
    expect(JSON.stringify(forged.json.errors)).toContain('may not file in AWS account prod');
    await h.bot.filing.idle();
    expect(operationsBy(PROD.id)).not.toContain('CreateCase');
    expect(h.slack.rootMessages(STAGING_ONLY)).toEqual([]);
  });

  it('a channel with no account gets a private answer naming the setting, and no form', async () => {
    await withAccounts();
    const opens = h.slack.callsTo('views.open').length;
    await h.requester.command({ command: '/ses-quota', userId: REQUESTER, channelId: NO_ACCOUNT });
    const answer: any = await h.slack.waitFor(() => h.slack.responses.find((r: any) => String(r.body.text).includes('AWS_ACCOUNTS_FILE')));
    expect(answer.body.response_type).toBe('ephemeral');
    expect(answer.body.text).toContain('No AWS account is set up for this channel');
    expect(h.slack.callsTo('views.open')).toHaveLength(opens);
  });

  it('`confirm` acts on its thread\'s account only: once the channel may no longer use prod, nothing is sent', async () => {
    h.aws.setDedicatedIps('eu-west-1', twoWarmIps(), PROD.id);
    await withAccounts();
    const address = twoWarmIps()[0]!.ips[0]!.ip;
    const { request, rootTs } = await fileRelinquishment(h, [address]);
    expect(request.accountName).toBe('prod');
    h.aws.addCommunication(request.caseId!, { body: 'Please confirm that you want to release these addresses.' });
    await syncNow(h);
    expect(textOf(h.slack.threadReplies(CHANNEL, rootTs).flatMap((m) => m.blocks))).toContain('confirm');

    // The channel is taken off prod (it keeps staging).
    await h.restart({ AWS_ACCOUNTS_FILE: accountsFile({ prod: [STAGING_ONLY], staging: [CHANNEL] }) });
    const sent = h.aws.callsTo('AddCommunicationToCase').length;
    await threadReply(h, { threadTs: rootTs, user: REQUESTER, text: 'confirm' });
    const refusal = await h.slack.waitFor(() => h.slack.threadReplies(CHANNEL, rootTs).find((m) => textOf(m.blocks).includes('may no longer use')));
    expect(textOf(refusal.blocks)).toContain('prod · 111111111111');
    await h.bot.poster.idle();
    expect(h.aws.callsTo('AddCommunicationToCase')).toHaveLength(sent);

    // Resolve on the root is refused privately in the same way, and reaches no account.
    const root = h.slack.message(CHANNEL, rootTs)!;
    const resolve = root.blocks!.filter((b: any) => b.type === 'actions').flatMap((b: any) => b.elements.map((e: any) => ({ ...e, block_id: b.block_id ?? 'b' }))).find((e: any) => e.action_id === 'resolve_case');
    await h.requester.blockAction({ userId: REQUESTER, channelId: CHANNEL, messageTs: rootTs, actions: [{ action_id: 'resolve_case', block_id: resolve.block_id, value: resolve.value }] });
    const denied = await h.slack.waitFor(() => h.slack.ephemerals.find((e) => String(e.text).includes('may no longer use')), 5000, 'an ephemeral refusal');
    expect(denied.user).toBe(REQUESTER);
    expect(h.aws.callsTo('ResolveCase')).toHaveLength(0);
  });
});

describe('a name the file gives another account', () => {
  it('leaves the requests filed in the old account alone: nothing is sent with the new account\'s role', async () => {
    await withAccounts();
    const { request, rootTs } = await fileQuotaCase(h);
    expect(request.accountId).toBe(PROD.id);
    // prod now names account 333333333333.
    const OTHER = 'arn:aws:iam::333333333333:role/ses-support-bot';
    h.aws.addRole({ roleArn: OTHER });
    const file = join(dir, 'moved.yaml');
    writeFileSync(file, ['accounts:', '  - name: prod', `    roleArn: ${OTHER}`, `    channels: [${CHANNEL}]`].join('\n'));
    await h.restart({ AWS_ACCOUNTS_FILE: file });
    await h.bot.scheduler.idle();
    h.aws.addCommunication(request.caseId!, { body: 'An answer in the old account.' });
    await syncNow(h);
    expect(h.aws.callsBy('333333333333').filter((c) => c.operation !== 'GetCallerIdentity')).toEqual([]);
    // Acting on it is refused, saying why.
    const root = h.slack.message(CHANNEL, rootTs)!;
    const resolve = root.blocks!.filter((b: any) => b.type === 'actions').flatMap((b: any) => b.elements.map((e: any) => ({ ...e, block_id: b.block_id ?? 'b' }))).find((e: any) => e.action_id === 'resolve_case');
    await h.requester.blockAction({ userId: REQUESTER, channelId: CHANNEL, messageTs: rootTs, actions: [{ action_id: 'resolve_case', block_id: resolve.block_id, value: resolve.value }] });
    await h.slack.waitFor(() => h.slack.ephemerals.find((e) => String(e.text).includes('may no longer use')), 5000, 'an ephemeral refusal');
    expect(h.aws.callsTo('ResolveCase')).toHaveLength(0);
  });
});

describe('roles that cannot be assumed, and expiring credentials', () => {
  it('starts with one role refused: names it in the log and /healthz, refuses to file there, and brings it back once it works', async () => {
    h.aws.addRole({ roleArn: PROD.roleArn });
    h.aws.addRole({ roleArn: STAGING.roleArn, externalId: STAGING.externalId, refuse: 'AccessDenied' });
    await h.restart({ AWS_ACCOUNTS_FILE: accountsFile() });

    expect(h.logs.some((l) => l.includes('AWS account staging is unavailable'))).toBe(true);
    const health = await healthz();
    expect(health.ok).toBe(true);
    expect(health.accounts!.prod).toEqual({ available: true, accountId: PROD.id });
    expect(health.accounts!.staging!.available).toBe(false);
    expect(health.accounts!.staging!.problem).toContain(STAGING.roleArn);

    // The other account works.
    const { request } = await fileQuotaCase(h);
    expect(request.accountName).toBe('prod');
    // Staging is said to be unavailable in its form, and nothing is filed there.
    const { view } = await openQuotaModal(h, REQUESTER, STAGING_ONLY);
    expect(textOf(view.blocks)).toContain('is unavailable');
    const res = await submitQuota(h, view, validQuotaInputs());
    expect(res.json.response_action).toBe('errors');
    expect(JSON.stringify(res.json.errors)).toContain('unavailable');
    expect(operationsBy(STAGING.id)).toEqual([]);

    // The role is fixed: the next interval's check makes the account available again.
    h.aws.role(STAGING.roleArn).refuse = undefined;
    await syncNow(h);
    expect((await healthz()).accounts!.staging).toEqual({ available: true, accountId: STAGING.id });
    const again = await openQuotaModal(h, REQUESTER, STAGING_ONLY);
    expect((await submitQuota(h, again.view, validQuotaInputs())).json.response_action).toBe('update');
    const filed = await waitForFiledCase(h, STAGING_ONLY);
    expect(filed.request.accountName).toBe('staging');
    expect(operationsBy(STAGING.id)).toContain('CreateCase');
  });

  it('refuses an account whose role lands in another account than its ARN names', async () => {
    h.aws.addRole({ roleArn: PROD.roleArn, accountId: '999999999999' });
    h.aws.addRole({ roleArn: STAGING.roleArn, externalId: STAGING.externalId });
    await h.restart({ AWS_ACCOUNTS_FILE: accountsFile() });
    const health = await healthz();
    expect(health.accounts!.prod!.available).toBe(false);
    expect(health.accounts!.prod!.problem).toContain('999999999999');
    expect(health.accounts!.staging!.available).toBe(true);
    expect(h.aws.callsBy('999999999999').filter((c) => c.operation !== 'GetCallerIdentity')).toEqual([]);
  });

  it('renews credentials before they expire, during a long run, without a refused call', async () => {
    // Credentials that live 302 s: renewed once fewer than 5 minutes are left, i.e. after 2 s.
    h.aws.credentialLifetimeSeconds = 302;
    await withAccounts();
    await fileQuotaCase(h);
    const issued = h.aws.issuedCredentials(PROD.id).length;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await syncNow(h);
    await syncNow(h);
    expect(h.aws.issuedCredentials(PROD.id).length).toBeGreaterThan(issued);
    expect(h.aws.calls.filter((c: RecordedCall) => c.credentialError)).toEqual([]);
  });
});

describe('the case sync, per account', () => {
  const seedFiled = (account: typeof PROD, count: number) => seedFiledCases(h, count, { prefix: account.name, account: { name: account.name, id: account.id } });

  it('spends each account\'s own budget: ⌈N/100⌉ DescribeCases per account, one account not waiting on the other', async () => {
    await withAccounts();
    await seedFiled(PROD, 250);
    await seedFiled(STAGING, 40);
    const before = h.aws.calls.length;
    const report = await syncNow(h);
    expect(report.cases).toBe(290);
    expect(report.describeCasesCalls).toBe(4);
    const describes = h.aws.calls.slice(before).filter((c) => c.operation === 'DescribeCases');
    const prod = describes.filter((c) => c.accountId === PROD.id);
    const staging = describes.filter((c) => c.accountId === STAGING.id);
    expect(prod.map((c) => c.input.caseIdList.length)).toEqual([100, 100, 50]);
    expect(staging.map((c) => c.input.caseIdList.length)).toEqual([40]);
    // Prod's calls are spaced by its budget (5 a second); staging's first call does not wait behind
    // them (one shared budget would send it fourth, after prod's third).
    const spacing = 1000 / SUPPORT_CALLS_PER_SECOND;
    expect(prod[2]!.at - prod[0]!.at).toBeGreaterThanOrEqual(2 * spacing - 50);
    expect(staging[0]!.at).toBeLessThan(prod[2]!.at);
  });

  it('keeps syncing requests filed before the accounts file, with the bot\'s own credentials', async () => {
    const { request, rootTs } = await fileQuotaCase(h);
    await withAccounts();
    h.aws.addCommunication(request.caseId!, { body: 'Your limit increase is approved.' });
    const before = h.aws.calls.length;
    await syncNow(h);
    const replies = h.slack.threadReplies(CHANNEL, rootTs).map((m) => textOf(m.blocks));
    expect(replies.some((t) => t.includes('Your limit increase is approved.'))).toBe(true);
    const describes = h.aws.calls.slice(before).filter((c) => c.operation === 'DescribeCases');
    expect(describes.map((c) => c.accountId)).toEqual([BASE_ACCOUNT]);
    expect((await h.bot.store.getRequest(request.id))!.accountName).toBe('default');
  });
});

describe('the quota watch, per account', () => {
  it('reads each account of its channel with that account\'s keys and names the account in its messages and button', async () => {
    h.aws.setAccount('us-east-1', { SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 45_000 }, ProductionAccessEnabled: true }, PROD.id);
    h.aws.setAccount('us-east-1', { SendQuota: { Max24HourSend: 20_000, MaxSendRate: 14, SentLast24Hours: 1_000 }, ProductionAccessEnabled: true }, STAGING.id);
    h.aws.addRole({ roleArn: PROD.roleArn });
    h.aws.addRole({ roleArn: STAGING.roleArn, externalId: STAGING.externalId });
    await h.restart({ AWS_ACCOUNTS_FILE: accountsFile(), QUOTA_WATCH_CHANNEL_ID: CHANNEL, QUOTA_WATCH_REGIONS: 'us-east-1' });
    await h.bot.scheduler.idle();

    expect(h.aws.callsBy(PROD.id).filter((c) => c.operation === 'GetAccount').length).toBeGreaterThan(0);
    expect(h.aws.callsBy(STAGING.id).filter((c) => c.operation === 'GetAccount').length).toBeGreaterThan(0);
    const [started, alert, ...rest] = h.slack.rootMessages(CHANNEL);
    expect(rest).toEqual([]);
    expect(textOf(started!.blocks)).toContain('US East (N. Virginia) (`us-east-1`) of *prod · 111111111111*: 45,000 of 50,000');
    expect(textOf(started!.blocks)).toContain('US East (N. Virginia) (`us-east-1`) of *staging · 222222222222*: 1,000 of 20,000');
    // Only prod is past the threshold; its alert and button are prod's.
    expect(textOf(alert!.blocks)).toContain('90% used in US East (N. Virginia) (`us-east-1`) of *prod · 111111111111*');
    const button = alert!.blocks!.flatMap((b: any) => b.elements ?? []).find((e: any) => e.action_id === 'quota_watch_increase');
    expect(JSON.parse(button.value)).toMatchObject({ r: 'us-east-1', a: 'prod' });
  });
});

describe('AwsAccounts', () => {
  it('lists only the file\'s accounts for new requests, in its order, and keeps "default" for old ones', () => {
    const accounts = new AwsAccounts(
      [
        { name: 'prod', roleArn: PROD.roleArn, accountId: PROD.id, externalId: undefined, channels: [CHANNEL] },
        { name: 'staging', roleArn: STAGING.roleArn, accountId: STAGING.id, externalId: 'x', channels: [CHANNEL, STAGING_ONLY] },
      ],
      'us-east-1',
    );
    try {
      expect(accounts.forChannel(CHANNEL).map((a) => a.name)).toEqual(['prod', 'staging']);
      expect(accounts.forChannel(STAGING_ONLY).map((a) => a.name)).toEqual(['staging']);
      expect(accounts.forChannel(NO_ACCOUNT)).toEqual([]);
      expect(accounts.find('default')?.available).toBe(true);
      expect(accounts.list().map((a) => a.name)).toEqual(['prod', 'staging']);
    } finally {
      accounts.destroy();
    }
  });
});
