/**
 * Starts the real bot (Bolt, the real AWS SDK clients, the real store) in HTTP mode against the
 * fake Slack and fake AWS servers, and drives it over real HTTP with signed requests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { CycleReport } from '../../src/services/case-sync.js';
import { startBot, type RunningBot } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { FakeAws } from '../fakes/fake-aws.js';
import { FakeSlack, type FakeMessage } from '../fakes/fake-slack.js';
import { SlackRequester, fillState } from './slack-requests.js';

export const SIGNING_SECRET = 'testsigningsecret0123456789abcdef';
export const BOT_TOKEN = 'xoxb-111-222-testbottokenvalue';
export const AWS_KEY_ID = 'AKIAFAKETESTKEY12345';
export const AWS_SECRET = 'fakeAwsSecretAccessKeyForTests0123456789';

export const REQUESTER = 'U0REQUEST';
export const CHANNEL = 'C0SESOPS';

export interface Harness {
  slack: FakeSlack;
  aws: FakeAws;
  bot: RunningBot;
  requester: SlackRequester;
  /** Everything the bot logged, one JSON line each. */
  logs: string[];
  /** Stops the bot and starts it again on the same database; `env` changes settings from then on. */
  restart(env?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

/** The SDK's own endpoint and credential variables: the app is not told about the fakes otherwise. */
export function pointAwsSdkAt(aws: FakeAws): void {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SUPPORT: aws.url,
    AWS_ENDPOINT_URL_SESV2: aws.url,
    AWS_ENDPOINT_URL_SERVICE_QUOTAS: aws.url,
    AWS_ENDPOINT_URL_SQS: aws.url,
    AWS_ENDPOINT_URL_STS: aws.url,
    AWS_ACCESS_KEY_ID: AWS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: AWS_SECRET,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
}

/** A destination for the bot's logger that keeps every JSON line. */
export function logCapture(): { logs: string[]; sink: Writable } {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logs, sink };
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const slack = new FakeSlack();
  const aws = new FakeAws();
  await Promise.all([slack.start(), aws.start()]);
  pointAwsSdkAt(aws);
  const dir = mkdtempSync(join(tmpdir(), 'ses-bot-test-'));
  const { logs, sink } = logCapture();

  let settings = env;
  const boot = async () => {
    const config = loadConfig({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      DATABASE_URL: `file:${join(dir, 'bot.sqlite')}`,
      LOG_LEVEL: 'info',
      AWS_REGION: 'us-east-1',
      // Tests run sync cycles themselves (syncNow); the timer only runs the one at start-up.
      POLL_INTERVAL_SECONDS: '3600',
      // The Support-case path unless a test asks for Service Quotas (test/integration/service-quotas.test.ts).
      QUOTA_FILING: 'support-case',
      ...settings,
    });
    const logger = createLogger({ level: config.logLevel, destination: sink, secrets: [BOT_TOKEN, SIGNING_SECRET, AWS_SECRET] });
    return startBot(config, logger);
  };

  let bot = await boot();
  const harness: Harness = {
    slack,
    aws,
    bot,
    logs,
    requester: new SlackRequester(`http://127.0.0.1:${bot.port}`, SIGNING_SECRET, { responseUrl: (id) => slack.responseUrl(id) }),
    async restart(changed = {}) {
      settings = { ...settings, ...changed };
      await bot.stop();
      bot = await boot();
      harness.bot = bot;
      harness.requester = new SlackRequester(`http://127.0.0.1:${bot.port}`, SIGNING_SECRET, { responseUrl: (id) => slack.responseUrl(id) });
    },
    async close() {
      await bot.stop();
      await Promise.all([slack.stop(), aws.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** A complete, valid /ses-quota form, by block id; tests override what they exercise. */
export function validQuotaInputs(rowKey = '0'): Record<string, string | undefined> {
  return {
    mail_type: 'transactional',
    website_url: 'https://shop.example.com',
    complies_with_aup: 'yes',
    only_requested_recipients: 'yes',
    handles_bounces_and_complaints: 'yes',
    [`row:${rowKey}:region`]: 'us-east-1',
    [`row:${rowKey}:limit`]: 'send_quota',
    [`row:${rowKey}:newValue`]: '200000',
    use_case:
      'We send order confirmations and shipping notices to customers who bought from our shop. Addresses come only from checkout; ' +
      'bounces and complaints go to SNS and suppress the address at once; every mail has an unsubscribe link; the new value is our ' +
      'peak-season daily volume plus 30% headroom.',
    contact_language: 'en',
  };
}

/** Runs /ses-quota and returns the modal once the bot has shown the current quota in it. */
export async function openQuotaModal(h: Harness, userId = REQUESTER, channelId = CHANNEL) {
  const opens = h.slack.callsTo('views.open').length;
  const res = await h.requester.command({ command: '/ses-quota', userId, channelId });
  if (res.status !== 200) throw new Error(`/ses-quota answered ${res.status}: ${res.body}`);
  const opened = await h.slack.waitFor(() => h.slack.callsTo('views.open')[opens], 5000, 'views.open');
  // The quota is in the opened view when the bot had it at hand, else in an update moments later.
  const view = await h.slack.waitFor(() => {
    const v = h.slack.latestView()!;
    return v && !textOf(v.blocks).includes('looking up the current quota') ? v : undefined;
  }, 5000, 'the modal to show the current quota');
  return { openedWith: opened, view };
}

export function submitQuota(h: Harness, view: Record<string, any>, inputs: Record<string, string | undefined>, userId = REQUESTER) {
  return h.requester.viewSubmission({ view, values: fillState(view, inputs), userId });
}

/** The text of every section, header and context in a message or view, for assertions. */
export function textOf(blocks: any[] | undefined): string {
  const parts: string[] = [];
  for (const b of blocks ?? []) {
    if (b.text?.text) parts.push(b.text.text);
    for (const e of b.elements ?? []) if (typeof e.text === 'string') parts.push(e.text);
    for (const f of b.fields ?? []) parts.push(f.text);
    if (b.label?.text) parts.push(b.label.text);
  }
  return parts.join('\n');
}

/** Runs /ses-dedicated-ip and returns the modal once the bot has shown the inventory in it. */
export async function openDedicatedIpModal(h: Harness, userId = REQUESTER, channelId = CHANNEL) {
  const before = h.slack.callsTo('views.update').length;
  const res = await h.requester.command({ command: '/ses-dedicated-ip', userId, channelId });
  if (res.status !== 200) throw new Error(`/ses-dedicated-ip answered ${res.status}: ${res.body}`);
  await h.slack.waitFor(() => h.slack.callsTo('views.update').length > before, 5000, 'the modal to be updated with the inventory');
  return h.slack.latestView()!;
}

/** Sends a block action from a modal and returns the view once the bot has redrawn it. */
export async function actInModal(
  h: Harness,
  view: Record<string, any>,
  inputs: Record<string, string | string[] | undefined>,
  action: { action_id: string; block_id?: string; value?: string; type?: string; selected_option?: unknown },
  userId = REQUESTER,
) {
  const before = h.slack.views.get(view.id)!.hash;
  await h.requester.blockAction({ userId, view, values: fillState(view, inputs), actions: [action] });
  return h.slack.waitFor(() => {
    const v = h.slack.latestView(view.id)!;
    return v.hash !== before ? v : undefined;
  }, 5000, `the modal to be redrawn after ${action.action_id}`);
}

/** Runs one sync cycle and waits until its thread posts are in Slack. */
export async function syncNow(h: Harness) {
  // The whole interval's work, in the scheduler's order; the case sync's report is returned.
  const report = (await h.bot.scheduler.runOnce()).find((r): r is CycleReport => typeof r === 'object' && r !== null && 'describeCasesCalls' in r)!;
  await h.bot.poster.idle();
  return report;
}

/** Files a quota case through the modal and returns the request, its AWS case and thread root. */
export async function fileQuotaCase(h: Harness, userId = REQUESTER, channelId = CHANNEL) {
  const before = h.slack.rootMessages(channelId).length;
  const { view } = await openQuotaModal(h, userId, channelId);
  const res = await submitQuota(h, view, validQuotaInputs());
  if (res.json?.response_action !== 'update') throw new Error(`submission refused: ${res.body}`);
  return waitForFiledCase(h, channelId, before);
}

/** Waits for the channel's root message number `index` (0-based) to show a filed case; returns it with its request and AWS case. */
export async function waitForFiledCase(h: Harness, channelId = CHANNEL, index = 0) {
  const root = await h.slack.waitFor(() => {
    const m = h.slack.rootMessages(channelId)[index];
    return m && textOf(m.blocks).includes('AWS status') ? m : undefined;
  }, 10_000, 'a filed case');
  await h.bot.filing.idle();
  const request = (await h.bot.store.findRequestByThread(channelId, root.ts))!;
  const awsCase = h.aws.cases.get(request.caseId!)!;
  return { request, awsCase, rootTs: root.ts };
}

/** Files a relinquishment of the given addresses (which must be in the fake's eu-west-1 inventory). */
export async function fileRelinquishment(h: Harness, addresses: string[], userId = REQUESTER, channelId = CHANNEL) {
  const before = h.slack.rootMessages(channelId).length;
  const view = await openDedicatedIpModal(h, userId, channelId);
  const relinquish = await actInModal(h, view, { dip_action: 'relinquish', 'row:0:region': 'eu-west-1', contact_language: 'en' }, { action_id: 'dip_action', block_id: 'dip_action', type: 'radio_buttons' }, userId);
  const res = await h.requester.viewSubmission({
    view: relinquish,
    values: fillState(relinquish, { dip_action: 'relinquish', 'row:0:region': 'eu-west-1', 'row:0:addresses': addresses, dip_note: undefined, contact_language: 'en' }),
    userId,
  });
  if (res.json?.response_action !== 'update') throw new Error(`relinquishment refused: ${res.body}`);
  return waitForFiledCase(h, channelId, before);
}

/** AWS's reply asking for a relinquishment to be confirmed: after it, the bot posts its prompt. */
export const AWS_ASKS_TO_CONFIRM = 'Hello,\n\nBefore we release these addresses, please confirm that you want to relinquish them. This cannot be reversed.';

/** The bot's confirmation prompt: the thread message with the Confirm button. */
export function isConfirmationPrompt(m: FakeMessage): boolean {
  return (m.blocks ?? []).some((b) => b.type === 'actions' && b.elements?.some((e: any) => e.action_id === 'confirm_relinquish'));
}

/** Files a relinquishment of `addresses`; AWS asks for the confirmation; one sync brings the prompt. */
export async function promptedRelinquishment(h: Harness, addresses: string[]) {
  const filed = await fileRelinquishment(h, addresses);
  h.aws.addCommunication(filed.awsCase.caseId, { body: AWS_ASKS_TO_CONFIRM });
  await syncNow(h);
  const thread = h.slack.threadReplies(CHANNEL, filed.rootTs);
  const prompt = thread.find(isConfirmationPrompt);
  if (!prompt) throw new Error(`no confirmation prompt in the thread: ${JSON.stringify(thread.map((m) => textOf(m.blocks) || m.text || ''))}`);
  return { ...filed, caseId: filed.awsCase.caseId, prompt };
}

/** The buttons on a thread root, by action id, each with its block id. */
export function rootButtons(h: Harness, rootTs: string): Record<string, any> {
  const root = h.slack.message(CHANNEL, rootTs)!;
  const out: Record<string, any> = {};
  for (const b of root.blocks ?? []) if (b.type === 'actions') for (const e of b.elements) out[e.action_id] = { ...e, block_id: b.block_id ?? 'b' };
  return out;
}

/** `userId` presses a button on a thread root. */
export function clickRootButton(h: Harness, rootTs: string, actionId: string, userId: string) {
  const button = rootButtons(h, rootTs)[actionId];
  if (!button) throw new Error(`no ${actionId} button on the root`);
  return h.requester.blockAction({ userId, channelId: CHANNEL, messageTs: rootTs, actions: [{ action_id: actionId, block_id: button.block_id, value: button.value }] });
}

/** A user's reply in a thread, as the Events API delivers it. */
export function threadReply(h: Harness, opts: { channel?: string; threadTs: string; user: string; text: string; ts?: string; subtype?: string; eventId?: string }) {
  const ts = opts.ts ?? `${Math.floor(Date.now() / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  return h.requester.event(
    {
      type: 'message',
      channel: opts.channel ?? CHANNEL,
      user: opts.user,
      text: opts.text,
      ts,
      thread_ts: opts.threadTs,
      parent_user_id: h.slack.botUserId,
      channel_type: 'channel',
      event_ts: ts,
      ...(opts.subtype ? { subtype: opts.subtype } : {}),
    },
    opts.eventId ? { eventId: opts.eventId } : {},
  );
}

let seededRoots = 0;

/**
 * `count` cases the bot filed, straight into the fake AWS and the store (filing each through
 * Slack would take minutes), each with a thread root in CHANNEL; in `account` when given.
 */
export async function seedFiledCases(h: Harness, count: number, options: { prefix: string; account?: { name: string; id: string } }) {
  const { prefix, account } = options;
  const seeded: { requestId: string; caseId: string }[] = [];
  for (let i = 0; i < count; i++) {
    const c = h.aws.seedCase({ subject: `${prefix} ${i}`, ...(account ? { accountId: account.id } : {}) });
    const { request } = await h.bot.store.insertRequest({
      id: `${prefix}${String(i).padStart(9, '0')}`,
      submissionKey: `seed:${prefix}:${i}`,
      reference: `SESBOT-${prefix}${i}`,
      teamId: 'T111',
      channelId: CHANNEL,
      requesterId: REQUESTER,
      payload: {
        kind: 'quota',
        mailType: 'transactional',
        websiteUrl: 'https://example.com',
        compliesWithAup: true,
        onlyRequestedRecipients: true,
        handlesBouncesAndComplaints: true,
        rows: [{ region: 'us-east-1', limit: 'send_quota', newValue: 200000 }],
        useCase: 'Seeded.',
        language: 'en',
      },
      responseUrl: null,
      ...(account ? { account } : {}),
    });
    await h.bot.store.claimFiling(request.id, ['received'], 'seed', 60_000);
    // A root of its own per request, so that no two seeded threads are one.
    const rootTs = `1700000001.${String((seededRoots += 1)).padStart(6, '0')}`;
    await h.bot.store.finishFiling(request.id, 'seed', 'filed', { caseId: c.caseId, rootTs, caseStatus: c.status });
    seeded.push({ requestId: request.id, caseId: c.caseId });
  }
  return seeded;
}
