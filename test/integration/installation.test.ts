/**
 * Only the installation's own workspace acts. In a Slack Connect channel shared with another
 * organisation, its members see the bot's messages and can run its commands, press its buttons
 * and reply in its threads; none of that may file, confirm or answer anything.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CHANNEL,
  REQUESTER,
  fileRelinquishment,
  openQuotaModal,
  startHarness,
  submitQuota,
  syncNow,
  validQuotaInputs,
  type Harness,
} from '../helpers/harness.js';
import { fillState } from '../helpers/slack-requests.js';
import { twoWarmIps } from '../helpers/dedicated-ip-fixtures.js';

/** A member of the partner organisation on the other side of the shared channel. */
const PARTNER_TEAM = 'T0PARTNER';
const PARTNER_USER = 'W0PARTNER';
const OWN_ONLY = /serves only members of its own (Slack )?workspace/;

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ AWS_REGION: 'eu-west-1' });
  h.aws.setDedicatedIps('eu-west-1', twoWarmIps());
});
afterEach(async () => {
  await h.close();
});

describe('slash commands', () => {
  it.each([
    ['sent from the other workspace', { teamId: PARTNER_TEAM }],
    ['run in our workspace by a Slack Connect user (user_team)', { userTeam: PARTNER_TEAM }],
  ])('refuses /ses-quota %s, privately, and opens nothing', async (_what, team) => {
    const res = await h.requester.command({ command: '/ses-quota', userId: PARTNER_USER, channelId: CHANNEL, ...team });
    expect(res.status).toBe(200);
    expect(res.json?.response_type).toBe('ephemeral');
    expect(res.json?.text).toMatch(OWN_ONLY);
    // Nothing else happens: no modal, no status, nothing stored.
    await new Promise((r) => setTimeout(r, 200));
    expect(h.slack.callsTo('views.open')).toHaveLength(0);
    expect(h.aws.callsTo('GetAccount')).toHaveLength(0);
  });

  it('serves a member of its own workspace in a Slack Connect channel', async () => {
    const res = await h.requester.command({ command: '/ses-quota', userId: REQUESTER, channelId: CHANNEL, userTeam: h.slack.teamId });
    expect(res.status).toBe(200);
    await h.slack.waitForCall('views.open');
  });
});

describe('view submissions', () => {
  it('refuses a form submitted by a user of another workspace with a field error, and stores and files nothing', async () => {
    const { view } = await openQuotaModal(h);
    const res = await h.requester.viewSubmission({ view, values: fillState(view, validQuotaInputs()), userId: PARTNER_USER, userTeamId: PARTNER_TEAM });
    expect(res.status).toBe(200);
    expect(res.json?.response_action).toBe('errors');
    expect(Object.values(res.json.errors).join(' ')).toMatch(OWN_ONLY);
    await h.bot.filing.idle();
    expect(await h.bot.store.listRequestsByChannel(CHANNEL, 'quota', 20)).toEqual([]);
    expect(h.aws.callsTo('CreateCase')).toHaveLength(0);
    expect(h.slack.rootMessages(CHANNEL)).toHaveLength(0);

    // The same form from its own user is still accepted.
    const own = await submitQuota(h, view, validQuotaInputs());
    expect(own.json?.response_action).toBe('update');
  });
});

describe('confirming a relinquishment', () => {
  /**
   * A relinquishment whose requester id is the partner's user, as if they had filed it before
   * this check existed: only the team tells them from the requester.
   */
  async function prompted() {
    const filed = await fileRelinquishment(h, ['198.51.100.3'], PARTNER_USER);
    h.aws.addCommunication(filed.awsCase.caseId, { body: 'Please confirm that you want to release 198.51.100.3.' });
    await syncNow(h);
    const prompt = h.slack.threadReplies(CHANNEL, filed.rootTs).find((m) => (m.blocks ?? []).some((b) => b.type === 'actions' && b.elements?.some((e: any) => e.action_id === 'confirm_relinquish')));
    if (!prompt) throw new Error('no confirmation prompt in the thread');
    return { ...filed, prompt };
  }

  const handled = () => h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'confirmation in thread' || /another workspace/.test(String(l.msg)));

  it.each([
    ['user_team names the other workspace', { user_team: PARTNER_TEAM, team: PARTNER_TEAM, source_team: PARTNER_TEAM }],
    ['only team names it', { team: PARTNER_TEAM }],
  ])('a `confirm` in the thread from a user of another workspace (%s) sends nothing to AWS', async (_what, team) => {
    const { rootTs, awsCase } = await prompted();
    const before = h.slack.calls.length;
    const ts = `${Math.floor(Date.now() / 1000)}.000321`;
    const res = await h.requester.event({ type: 'message', channel: CHANNEL, user: PARTNER_USER, text: 'confirm', ts, thread_ts: rootTs, channel_type: 'channel', ...team });
    expect(res.status).toBe(200);
    const [line] = await h.slack.waitFor(() => (handled().length ? handled() : undefined), 5000, 'the bot to handle the reply');
    await h.bot.poster.idle();
    expect(h.aws.callsTo('AddCommunicationToCase')).toHaveLength(0);
    expect(h.aws.cases.get(awsCase.caseId)!.communications.some((c) => c.body.includes('Slack confirmation reference'))).toBe(false);
    // Ignored, and logged at info without the text.
    expect(line!.level).toBe(30);
    expect(line!.msg).toMatch(/another workspace/);
    expect(JSON.stringify(line)).not.toContain('"text"');
    expect(h.slack.calls.slice(before).filter((c) => c.method.startsWith('chat.'))).toEqual([]);
  });

  it('the confirmation button pressed by a user of another workspace answers privately and sends nothing', async () => {
    const { prompt } = await prompted();
    const actions = prompt.blocks!.find((b) => b.type === 'actions')!;
    const button = actions.elements.find((e: any) => e.action_id === 'confirm_relinquish');
    const res = await h.requester.blockAction({
      userId: PARTNER_USER,
      userTeamId: PARTNER_TEAM,
      channelId: CHANNEL,
      messageTs: prompt.ts,
      actions: [{ action_id: 'confirm_relinquish', block_id: actions.block_id ?? 'b', value: button.value }],
    });
    expect(res.status).toBe(200);
    const told = await h.slack.waitFor(() => h.slack.ephemerals.find((e) => e.user === PARTNER_USER) ?? h.slack.responses.find((r) => OWN_ONLY.test(JSON.stringify(r.body))), 5000, 'the private refusal');
    expect(JSON.stringify(told)).toMatch(OWN_ONLY);
    await h.bot.poster.idle();
    expect(h.aws.callsTo('AddCommunicationToCase')).toHaveLength(0);
  });
});
