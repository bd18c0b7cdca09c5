/**
 * Authorization from configuration, checked on every action with Slack's own user id, and
 * secrets kept out of the logs of a whole run at debug level.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AWS_KEY_ID,
  AWS_SECRET,
  BOT_TOKEN,
  CHANNEL,
  REQUESTER,
  SIGNING_SECRET,
  fileQuotaCase,
  openQuotaModal,
  startHarness,
  submitQuota,
  syncNow,
  textOf,
  validQuotaInputs,
  type Harness,
} from '../helpers/harness.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

describe('who may file, and where', () => {
  beforeEach(async () => {
    h = await startHarness({ ALLOWED_CHANNEL_IDS: `${CHANNEL},C0SECOND`, REQUESTER_USER_IDS: `${REQUESTER},U0APPROVE`, APPROVER_USER_IDS: 'U0APPROVE' });
  });

  it.each([
    ['a channel that is not enabled', REQUESTER, 'C0RANDOM', /not enabled in this channel/],
    ['a user who may not file', 'U0STRANGER', CHANNEL, /not on the list of people who may file/],
  ])('refuses the command in %s, privately, and opens nothing', async (_what, userId, channelId, message) => {
    for (const command of ['/ses-quota', '/ses-dedicated-ip']) {
      const before = h.slack.responses.length;
      await h.requester.command({ command, userId, channelId });
      const answer: any = await h.slack.waitFor(() => h.slack.responses[before]);
      expect(answer.body.response_type).toBe('ephemeral');
      expect(answer.body.text).toMatch(message);
    }
    expect(h.slack.callsTo('views.open')).toHaveLength(0);
  });

  it('checks the submitter again: a modal opened by a filer but submitted by someone else files nothing', async () => {
    const { view } = await openQuotaModal(h);
    const res = await submitQuota(h, view, validQuotaInputs(), 'U0STRANGER');
    expect(res.json.response_action).toBe('errors');
    expect(Object.values(res.json.errors).join(' ')).toMatch(/not on the list of people who may file/);
    expect(h.aws.callsTo('CreateCase')).toHaveLength(0);
  });

  it('takes no authority from private_metadata: a forged channel is checked like any other', async () => {
    const { view } = await openQuotaModal(h);
    const meta = JSON.parse(view.private_metadata);
    const forged = { ...view, private_metadata: JSON.stringify({ ...meta, channelId: 'C0RANDOM' }) };
    const res = await submitQuota(h, forged, validQuotaInputs());
    expect(res.json.response_action).toBe('errors');
    expect(Object.values(res.json.errors).join(' ')).toMatch(/not enabled in this channel/);
    // Metadata that does not parse is refused as out of date, never trusted.
    const garbage = await submitQuota(h, { ...view, private_metadata: '{"kind":"quota","channelId":"<!channel>"}' }, validQuotaInputs());
    expect(garbage.json.response_action).toBe('errors');
    expect(Object.values(garbage.json.errors).join(' ')).toMatch(/out of date/);
    expect(h.aws.callsTo('CreateCase')).toHaveLength(0);
  });

  it('files for an allowed user in an allowed channel', async () => {
    const { awsCase } = await fileQuotaCase(h, 'U0APPROVE', 'C0SECOND');
    expect(awsCase).toBeDefined();
    expect(h.aws.callsTo('CreateCase')).toHaveLength(1);
  });
});

describe('Retry checks the configuration again', () => {
  const retryButton = (m: { blocks?: any[] }) => m.blocks?.flatMap((b: any) => b.elements ?? []).find((e: any) => e.action_id === 'retry_filing');

  /** A request AWS refused (throttling), its root message showing Retry. */
  async function failedRequest() {
    h.aws.inject('CreateCase', { type: 'ThrottlingException', message: 'Rate exceeded' });
    const { view } = await openQuotaModal(h);
    const res = await submitQuota(h, view, validQuotaInputs());
    expect(res.json.response_action).toBe('update');
    const root = await h.slack.waitFor(() => {
      const m = h.slack.rootMessages(CHANNEL)[0];
      return m && retryButton(m) ? m : undefined;
    }, 5000, 'Retry on the root message');
    await h.bot.filing.idle();
    expect(h.aws.callsTo('CreateCase')).toHaveLength(1);
    return root;
  }

  async function pressRetry(root: { ts: string }, userId: string) {
    const button = retryButton(h.slack.message(CHANNEL, root.ts)!);
    const res = await h.requester.blockAction({ userId, channelId: CHANNEL, messageTs: root.ts, actions: [{ action_id: 'retry_filing', block_id: 'b', value: button.value }] });
    expect(res.status).toBe(200);
    const told = await h.slack.waitFor(() => h.slack.ephemerals.find((e) => e.user === userId), 5000, 'a private answer to the clicker');
    await h.bot.filing.idle();
    return told;
  }

  it.each([
    ['the channel is no longer enabled', { ALLOWED_CHANNEL_IDS: 'C0SECOND' }, /not enabled in this channel/],
    ['the requester may no longer file', { REQUESTER_USER_IDS: 'U0APPROVE' }, /not on the list of people who may file/],
  ])('refuses the requester privately when %s, and files nothing', async (_what, changed, refusal) => {
    h = await startHarness({ ALLOWED_CHANNEL_IDS: CHANNEL, REQUESTER_USER_IDS: REQUESTER });
    const root = await failedRequest();
    await h.restart(changed);
    const told = await pressRetry(root, REQUESTER);
    expect(told.text).toMatch(refusal);
    expect(told.channel).toBe(CHANNEL);
    expect(h.aws.callsTo('CreateCase')).toHaveLength(1);
    expect(textOf(h.slack.message(CHANNEL, root.ts)!.blocks)).toMatch(/Not filed/);
  });

  it('refuses an approver who may not file', async () => {
    h = await startHarness({ REQUESTER_USER_IDS: REQUESTER, APPROVER_USER_IDS: 'U0APPROVE' });
    const root = await failedRequest();
    const told = await pressRetry(root, 'U0APPROVE');
    expect(told.text).toMatch(/not on the list of people who may file/);
    expect(h.aws.callsTo('CreateCase')).toHaveLength(1);
  });
});

describe('secrets in logs', () => {
  it('never logs the bot token, signing secret or AWS keys, even at debug level through a whole run', async () => {
    h = await startHarness({ LOG_LEVEL: 'trace', APPROVER_USER_IDS: 'U0APPROVE' });
    const { awsCase } = await fileQuotaCase(h);
    h.aws.addCommunication(awsCase.caseId, { body: 'Hello from AWS' });
    h.aws.inject('DescribeCases', { type: 'AccessDeniedException', message: 'not authorized' });
    await syncNow(h).catch(() => undefined);
    await syncNow(h);
    await h.requester.raw('payload=%7B%7D', 'application/x-www-form-urlencoded', { signature: 'v0=bad' });
    // The bot's own lines; the Slack SDKs' debug output is off (socket-mode.test.ts checks that it carries no payloads).
    expect(h.logs.length).toBeGreaterThan(3);
    const all = h.logs.join('\n');
    for (const secret of [BOT_TOKEN, SIGNING_SECRET, AWS_SECRET, AWS_KEY_ID]) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/xoxb-[\w-]{8,}/);
  });
});
