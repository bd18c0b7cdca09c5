/**
 * Standing answers, through the real app: /ses-quota and /ses-dedicated-ip open pre-filled with
 * the answers of the channel's most recent filed request of their kind (never its rows), say from
 * which request, open empty with `fresh`, and open at once, empty and saying so, when the store
 * is too slow for Slack's 3-second window.
 */
import { webApi } from '@slack/bolt';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsAccounts } from '../../src/aws/accounts.js';
import { openQuotaFormFor, type QuotaDeps } from '../../src/listeners/quota.js';
import { createLogger } from '../../src/logger.js';
import { AccessPolicy } from '../../src/services/access.js';
import type { FilingService } from '../../src/services/filing.js';
import { twoWarmIps } from '../helpers/dedicated-ip-fixtures.js';
import {
  BOT_TOKEN,
  CHANNEL,
  REQUESTER,
  fileQuotaCase,
  fileRelinquishment,
  logCapture,
  openDedicatedIpModal,
  openQuotaModal,
  startHarness,
  submitQuota,
  textOf,
  validQuotaInputs,
  waitForFiledCase,
  type Harness,
} from '../helpers/harness.js';
import { fillState } from '../helpers/slack-requests.js';

type Json = Record<string, any>;

const OTHER_CHANNEL = 'C0OTHERS';
const COLLEAGUE = 'U0COLLEAGUE';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  h.aws.setDedicatedIps('eu-west-1', twoWarmIps());
});
afterEach(async () => {
  await h.close();
});

const block = (view: Json, id: string): Json | undefined => (view.blocks as Json[]).find((b) => b.block_id === id);
const initialOption = (view: Json, id: string) => block(view, id)?.element.initial_option?.value;
const initialValue = (view: Json, id: string) => block(view, id)?.element.initial_value;
const noteOf = (view: Json) => block(view, 'standing_answers')?.elements[0].text as string | undefined;

/** Runs a command and returns the view Slack was asked to open with it (before any redraw). */
async function openedBy(command: '/ses-quota' | '/ses-dedicated-ip', text = '', channelId = CHANNEL, userId = REQUESTER): Promise<Json> {
  const opens = h.slack.callsTo('views.open').length;
  const res = await h.requester.command({ command, text, userId, channelId });
  expect(res.status).toBe(200);
  const call = await h.slack.waitFor(() => h.slack.callsTo('views.open')[opens], 5000, 'views.open');
  return call.args.view;
}

const LEASE_USE_CASE =
  'We move our receipts and password resets to dedicated IPs so that their reputation is ours alone; ' +
  'we send 2 million a day at up to 150 per second and will warm the addresses up over four weeks.';

/** Files a lease of dedicated IPs in us-east-1 through the modal, with answers a later form should carry. */
async function fileLease(channelId = CHANNEL) {
  const before = h.slack.rootMessages(channelId).length;
  const view = await openDedicatedIpModal(h, REQUESTER, channelId);
  const inputs = {
    dip_action: 'request',
    mail_type: 'marketing',
    website_url: 'https://news.example.com',
    opt_in_process: 'Double opt-in at sign-up.',
    bounce_process: 'SNS notifications suppress the address at once.',
    complies_with_aup: 'yes',
    'row:0:region': 'us-east-1',
    'row:0:sendRate': '150',
    'row:0:ipCount': '2',
    use_case: LEASE_USE_CASE,
    contact_language: 'ja',
  };
  const res = await h.requester.viewSubmission({ view, values: fillState(view, inputs), userId: REQUESTER });
  expect(res.json?.response_action).toBe('update');
  return waitForFiledCase(h, channelId, before);
}

describe('/ses-quota opens with the channel\'s standing answers', () => {
  it('pre-fills every answer of the last filed request but its rows, says from which one, and a second request needs only the rows', async () => {
    const { request } = await fileQuotaCase(h);
    expect(request.status).toBe('filed');
    const inputs = validQuotaInputs();

    const view = await openedBy('/ses-quota');
    expect(noteOf(view)).toBe(
      `:memo: Answers pre-filled from the request of ${dayOf(request.createdAt)} by <@${REQUESTER}> in this channel (reference ${request.reference}). Check them; \`/ses-quota fresh\` opens an empty form.`,
    );
    expect(initialOption(view, 'mail_type')).toBe(inputs.mail_type);
    expect(initialValue(view, 'website_url')).toBe(inputs.website_url);
    expect(initialOption(view, 'complies_with_aup')).toBe('yes');
    expect(initialOption(view, 'only_requested_recipients')).toBe('yes');
    expect(initialOption(view, 'handles_bounces_and_complaints')).toBe('yes');
    expect(initialValue(view, 'use_case')).toBe(inputs.use_case);
    expect(initialOption(view, 'contact_language')).toBe('en');
    // The rows are what each request is about: the region starts on the default, nothing else.
    expect(initialOption(view, 'row:0:region')).toBe('us-east-1');
    expect(initialOption(view, 'row:0:limit')).toBeUndefined();
    expect(initialValue(view, 'row:0:newValue')).toBeUndefined();

    // Another person in the same channel types only the row: the standing answers are filed with it.
    const { view: shown } = await openQuotaModal(h, COLLEAGUE);
    expect(noteOf(shown)).toContain(`by <@${REQUESTER}> in this channel`);
    const res = await submitQuota(h, shown, { 'row:0:region': 'us-east-1', 'row:0:limit': 'send_rate', 'row:0:newValue': '50' }, COLLEAGUE);
    expect(res.json.response_action).toBe('update');
    const second = await waitForFiledCase(h, CHANNEL, 1);
    expect(second.request.payload).toEqual({ ...request.payload, rows: [{ region: 'us-east-1', limit: 'send_rate', newValue: 50 }] });
  });

  it('takes the answers of the newest filed request, and only from its own channel', async () => {
    await fileQuotaCase(h);
    const { view } = await openQuotaModal(h);
    const changed = { ...validQuotaInputs(), website_url: 'https://new.example.com', only_requested_recipients: 'no', contact_language: 'ja' };
    expect((await submitQuota(h, view, changed)).json.response_action).toBe('update');
    const newest = await waitForFiledCase(h, CHANNEL, 1);

    const again = await openedBy('/ses-quota');
    expect(noteOf(again)).toContain(`(reference ${newest.request.reference})`);
    expect(initialValue(again, 'website_url')).toBe('https://new.example.com');
    expect(initialOption(again, 'only_requested_recipients')).toBe('no');
    expect(initialOption(again, 'contact_language')).toBe('ja');

    const elsewhere = await openedBy('/ses-quota', '', OTHER_CHANNEL);
    expect(noteOf(elsewhere)).toBeUndefined();
    expect(initialOption(elsewhere, 'mail_type')).toBeUndefined();
    expect(initialValue(elsewhere, 'website_url')).toBeUndefined();
  });

  it('takes nothing from a request that was not filed', async () => {
    h.aws.inject('CreateCase', { type: 'AccessDeniedException', message: 'no' });
    const { view } = await openQuotaModal(h);
    expect((await submitQuota(h, view, validQuotaInputs())).json.response_action).toBe('update');
    await h.slack.waitFor(() => h.aws.callsTo('CreateCase').length > 0);
    await h.bot.filing.idle();
    const [stored] = await h.bot.store.listRequestsByChannel(CHANNEL, 'quota', 5);
    expect(stored!.status).not.toBe('filed');

    const next = await openedBy('/ses-quota');
    expect(noteOf(next)).toBeUndefined();
    expect(initialOption(next, 'mail_type')).toBeUndefined();
  });
});

describe('/ses-dedicated-ip opens with the channel\'s standing lease answers', () => {
  it('pre-fills the last filed lease\'s answers (not a newer relinquishment\'s), never its rows; quota answers stay with /ses-quota', async () => {
    await fileQuotaCase(h);
    const quotaOnly = await openedBy('/ses-dedicated-ip');
    expect(noteOf(quotaOnly)).toBeUndefined();
    expect(initialOption(quotaOnly, 'mail_type')).toBeUndefined();

    const { request: leased } = await fileLease();
    await fileRelinquishment(h, ['198.51.100.2']);

    const view = await openedBy('/ses-dedicated-ip');
    expect(noteOf(view)).toBe(
      `:memo: Answers pre-filled from the request of ${dayOf(leased.createdAt)} by <@${REQUESTER}> in this channel (reference ${leased.reference}). Check them; \`/ses-dedicated-ip fresh\` opens an empty form.`,
    );
    expect(initialOption(view, 'mail_type')).toBe('marketing');
    expect(initialValue(view, 'website_url')).toBe('https://news.example.com');
    expect(initialValue(view, 'opt_in_process')).toBe('Double opt-in at sign-up.');
    expect(initialValue(view, 'bounce_process')).toBe('SNS notifications suppress the address at once.');
    expect(initialOption(view, 'complies_with_aup')).toBe('yes');
    expect(initialValue(view, 'use_case')).toBe(LEASE_USE_CASE);
    expect(initialOption(view, 'contact_language')).toBe('ja');
    expect(initialValue(view, 'row:0:sendRate')).toBeUndefined();
    expect(initialValue(view, 'row:0:ipCount')).toBeUndefined();

    // The quota form is not pre-filled from a dedicated-IP request: it still has its own.
    const quotaView = await openedBy('/ses-quota');
    expect(initialOption(quotaView, 'mail_type')).toBe('transactional');
  });
});

describe('`fresh` opens the empty form', () => {
  it.each([
    ['/ses-quota', 'fresh'],
    ['/ses-quota', '  FRESH '],
    ['/ses-dedicated-ip', 'fresh'],
  ] as const)('%s %j', async (command, text) => {
    await fileQuotaCase(h);
    await fileLease();
    const store = h.bot.store;
    const read = store.listRequestsByChannel.bind(store);
    let reads = 0;
    store.listRequestsByChannel = (...args) => {
      reads++;
      return read(...args);
    };
    const view = await openedBy(command, text);
    // Not read at all: `fresh` costs the window nothing.
    expect(reads).toBe(0);
    expect(noteOf(view)).toBeUndefined();
    expect(initialOption(view, 'mail_type')).toBeUndefined();
    expect(initialValue(view, 'website_url')).toBeUndefined();
    expect(initialValue(view, 'use_case')).toBeUndefined();
    expect(initialOption(view, 'contact_language')).toBe('en');
  });

  it('any other argument opens the form as usual, pre-filled', async () => {
    await fileQuotaCase(h);
    const view = await openedBy('/ses-quota', 'please');
    expect(initialOption(view, 'mail_type')).toBe('transactional');
  });
});

describe('a store too slow for the 3-second window', () => {
  /** Makes the channel's request list answer only after `ms` (the listeners share this store object). */
  function slowStore(ms: number) {
    const store = h.bot.store;
    const original = store.listRequestsByChannel.bind(store);
    const state = { calls: 0, answeredAt: undefined as number | undefined };
    store.listRequestsByChannel = async (...args) => {
      state.calls++;
      await new Promise((resolve) => setTimeout(resolve, ms));
      const result = await original(...args);
      state.answeredAt = Date.now();
      return result;
    };
    return state;
  }

  it.each(['/ses-quota', '/ses-dedicated-ip'] as const)('%s opens at once, empty, saying the answers could not be loaded in time', async (command) => {
    await fileQuotaCase(h);
    await fileLease();
    const slow = slowStore(2500);
    const sent = Date.now();
    const view = await openedBy(command);
    const opened = h.slack.callsTo('views.open').at(-1)!;
    expect(slow.calls).toBe(1);
    expect(slow.answeredAt).toBeUndefined();
    expect(opened.at - sent).toBeLessThan(1500);
    expect(noteOf(view)).toBe(
      `:hourglass: This channel's previous answers could not be loaded in time, so the form starts empty. Run \`${command}\` again to have them filled in.`,
    );
    expect(initialOption(view, 'mail_type')).toBeUndefined();

    // The read that came too late changes nothing: the form stays empty and keeps saying why.
    await h.slack.waitFor(() => slow.answeredAt, 5000, 'the slow read to finish');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const latest = h.slack.latestView()!;
    expect(initialOption(latest, 'mail_type')).toBeUndefined();
    expect(noteOf(latest)).toContain('could not be loaded in time');
  });

  it('a store that fails opens the empty form the same way, and the form still files', async () => {
    await fileQuotaCase(h);
    h.bot.store.listRequestsByChannel = () => Promise.reject(new Error('database is locked'));
    const { view } = await openQuotaModal(h);
    expect(noteOf(view)).toContain('could not be loaded in time');
    expect(h.logs.some((l) => l.includes('could not read the standing answers'))).toBe(true);
    expect((await submitQuota(h, view, validQuotaInputs())).json.response_action).toBe('update');
  });
});

describe('openQuotaFormFor (the quota watch\'s "Request an increase")', () => {
  // The bot's own credentials, as without AWS_ACCOUNTS_FILE.
  const singleAccount = new AwsAccounts(undefined, 'us-east-1');
  afterAll(() => singleAccount.destroy());
  function deps(access = new AccessPolicy({ allowedChannelIds: [], requesterUserIds: [], approverUserIds: [], accounts: singleAccount })): QuotaDeps {
    return {
      // Opening a form files nothing.
      filing: undefined as unknown as FilingService,
      accounts: singleAccount,
      store: h.bot.store,
      access,
      defaultRegion: 'us-east-1',
      quotaFiling: 'support-case',
      logger: createLogger({ level: 'silent' }),
    };
  }
  const client = () => new webApi.WebClient(BOT_TOKEN, { slackApiUrl: h.slack.apiUrl });

  it('opens the form with the standing answers and the first row set to the region, limit and value', async () => {
    await fileQuotaCase(h);
    h.aws.setAccount('eu-west-1', { SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 45_000 }, ProductionAccessEnabled: true });
    const at = { client: client(), triggerId: '1234.5678.abcd', channelId: CHANNEL, userId: COLLEAGUE, responseUrl: h.slack.responseUrl('watch') };
    await openQuotaFormFor(deps(), at, { region: 'eu-west-1', limit: 'send_quota', newValue: 100_000 });

    const opened = h.slack.callsTo('views.open').at(-1)!.args.view;
    expect(initialOption(opened, 'row:0:region')).toBe('eu-west-1');
    expect(initialOption(opened, 'row:0:limit')).toBe('send_quota');
    expect(initialValue(opened, 'row:0:newValue')).toBe('100000');
    expect(initialOption(opened, 'mail_type')).toBe('transactional');
    expect(noteOf(opened)).toContain('Answers pre-filled from the request of');
    // Then the quotas are read and the modal redrawn, as after the command.
    const view = h.slack.latestView()!;
    expect(textOf(view.blocks)).toContain('*Europe (Ireland)*: 50,000 emails per 24 hours');

    const res = await submitQuota(h, view, {}, COLLEAGUE);
    expect(res.json.response_action).toBe('update');
    const filed = await waitForFiledCase(h, CHANNEL, 1);
    expect(filed.request.payload.rows).toEqual([{ region: 'eu-west-1', limit: 'send_quota', newValue: 100_000 }]);
  });

  it('tells a user who may not file, through the response_url, and opens nothing', async () => {
    const refused = deps(new AccessPolicy({ allowedChannelIds: ['C0ELSEWHERE'], requesterUserIds: [], approverUserIds: [], accounts: singleAccount }));
    await openQuotaFormFor(refused, { client: client(), triggerId: '1234.5678.abcd', channelId: CHANNEL, userId: COLLEAGUE, responseUrl: h.slack.responseUrl('watch') });
    const response: any = await h.slack.waitFor(() => h.slack.responses[0]);
    expect(response.body.text).toContain(':no_entry: The SES support commands are not enabled in this channel.');
    expect(response.body.response_type).toBe('ephemeral');
    expect(h.slack.callsTo('views.open')).toHaveLength(0);
  });

  it('without a response_url, a form Slack will not open is only logged', async () => {
    h.slack.inject('views.open', { error: 'expired_trigger_id' });
    const { logs, sink } = logCapture();
    const quiet = { ...deps(), logger: createLogger({ level: 'info', destination: sink }) };
    await openQuotaFormFor(quiet, { client: client(), triggerId: '1234.5678.abcd', channelId: CHANNEL, userId: COLLEAGUE });
    expect(h.slack.callsTo('views.open')).toHaveLength(1);
    expect(h.slack.responses).toHaveLength(0);
    expect(logs.some((l) => l.includes('views.open failed'))).toBe(true);
    expect(logs.some((l) => l.includes('no response_url to tell the user'))).toBe(true);
  });
});

/** The day of a stored time as the form says it: "14 March 2025" (UTC). */
function dayOf(iso: string): string {
  const d = new Date(iso);
  return `${d.getUTCDate()} ${d.toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' })} ${d.getUTCFullYear()}`;
}
