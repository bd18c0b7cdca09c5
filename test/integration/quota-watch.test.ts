/**
 * The quota watch through the real app: the scheduler's periodic work reads GetAccount from the
 * fake AWS and posts in the watch channel of the fake Slack; its button opens /ses-quota
 * pre-filled. Time is moved by editing the watch's last run in the database, never by sleeping.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LAST_RUN_FACT, type QuotaWatchReport } from '../../src/services/quota-watch.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import type { FakeAws } from '../fakes/fake-aws.js';
import { CHANNEL, REQUESTER, startHarness, textOf, type Harness } from '../helpers/harness.js';
import { QUOTA_PAYLOAD } from '../slack/builders.js';

const WATCH = 'C0WATCH';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** Puts a region in production with a 24-hour quota and what it sent in the last 24 hours. */
function production(aws: FakeAws, region: string, sent: number, max = 50_000): void {
  aws.setAccount(region, { SendQuota: { Max24HourSend: max, MaxSendRate: 14, SentLast24Hours: sent }, ProductionAccessEnabled: true });
}

const watchRuns = () => h.logs.filter((line) => line.includes('"msg":"quota watch run"')).length;

/** Waits for the periodic work's first tick, which the scheduler starts as the bot starts (so no test tick runs beside it). */
async function firstTickDone(): Promise<void> {
  await (h.bot.scheduler as unknown as { running?: Promise<unknown> }).running;
}

/**
 * Sets up the fake AWS, then (re)starts the bot with the watch on; the scheduler's first tick at
 * start-up runs the watch, and this waits for that run to finish.
 */
async function startWatching(setup: (aws: FakeAws) => void, env: Record<string, string> = {}): Promise<void> {
  h = await startHarness();
  await firstTickDone();
  setup(h.aws);
  const before = watchRuns();
  await h.restart({ QUOTA_WATCH_CHANNEL_ID: WATCH, ...env });
  await firstTickDone();
  expect(watchRuns()).toBe(before + 1);
}

/** Makes the watch's interval pass, on the database's clock. */
async function intervalPasses(): Promise<void> {
  await (h.bot.store as KyselyStore).db.updateTable('account_facts').set({ checked_at: '2000-01-01T00:00:00.000Z' }).where('name', '=', LAST_RUN_FACT).execute();
}

/** One tick of the periodic work (as the scheduler runs it); returns the watch's report. */
async function tick(): Promise<QuotaWatchReport> {
  const results = await h.bot.scheduler.runOnce();
  return results.find((r): r is QuotaWatchReport => typeof r === 'object' && r !== null && 'unreadableReported' in r)!;
}

const watchMessages = () => h.slack.rootMessages(WATCH);
const lastWatchText = () => watchMessages().at(-1)!.text;
const increaseButton = (m: { blocks?: any[] }) => m.blocks?.flatMap((b: any) => b.elements ?? []).find((e: any) => e.action_id === 'quota_watch_increase');

describe('quota watch', () => {
  it('is off without QUOTA_WATCH_CHANNEL_ID: no GetAccount, no message', async () => {
    h = await startHarness();
    await firstTickDone();
    production(h.aws, 'us-east-1', 49_000);
    const before = h.aws.callsTo('GetAccount').length;
    await tick();
    expect(h.aws.callsTo('GetAccount')).toHaveLength(before);
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('says it started, listing the watched regions and the sandboxed ones; then alerts once when a region crosses the threshold', async () => {
    await startWatching((aws) => production(aws, 'us-east-1', 30_000), { QUOTA_WATCH_REGIONS: 'us-east-1,eu-west-1' });
    // eu-west-1 is in the fake's default state: the SES sandbox.
    expect(watchMessages()).toHaveLength(1);
    const started = textOf(watchMessages()[0]!.blocks);
    expect(started).toContain('*SES quota watch started.* This channel gets an alert when a region has sent 80% of its 24-hour sending quota, again past 95%; the regions are read every 15 minutes.');
    expect(started).toContain('*Watched*\n• US East (N. Virginia) (`us-east-1`): 30,000 of 50,000 emails sent in the last 24 hours (60%)');
    expect(started).toContain('*In the SES sandbox, not watched for quota* (/ses-quota requests production access)\n• Europe (Ireland) (`eu-west-1`)');
    // One GetAccount per region.
    expect(h.aws.callsTo('GetAccount').map((c) => c.region).sort()).toEqual(['eu-west-1', 'us-east-1']);

    // Before the interval has passed a tick reads nothing.
    production(h.aws, 'us-east-1', 42_000);
    expect((await tick()).ran).toBe(false);
    expect(h.aws.callsTo('GetAccount')).toHaveLength(2);

    await intervalPasses();
    const report = await tick();
    expect(report).toMatchObject({ ran: true, started: false, alerts: [{ region: 'us-east-1', level: 'threshold' }] });
    expect(h.aws.callsTo('GetAccount')).toHaveLength(4);
    expect(watchMessages()).toHaveLength(2);
    expect(lastWatchText()).toBe(":warning: *SES sending quota 84% used in US East (N. Virginia) (`us-east-1`)*\n42,000 of 50,000 emails sent in the last 24 hours: past this channel's 80% threshold.");
    expect(increaseButton(watchMessages()[1]!)).toMatchObject({ text: { text: 'Request an increase' }, value: '{"r":"us-east-1","l":"send_quota","v":100000}' });
  });

  it('does not repeat while above the threshold, says 95% once, and stays quiet across a restart', async () => {
    await startWatching((aws) => production(aws, 'us-east-1', 41_000), { QUOTA_WATCH_REGIONS: 'us-east-1' });
    expect(watchMessages()).toHaveLength(2); // started, then the crossing
    for (const sent of [43_000, 44_000, 40_000]) {
      production(h.aws, 'us-east-1', sent);
      await intervalPasses();
      expect((await tick()).alerts).toEqual([]);
    }
    production(h.aws, 'us-east-1', 48_000);
    await intervalPasses();
    expect((await tick()).alerts).toEqual([{ region: 'us-east-1', level: 'critical' }]);
    expect(lastWatchText()).toBe(
      ':rotating_light: *SES sending quota 96% used in US East (N. Virginia) (`us-east-1`)*\n48,000 of 50,000 emails sent in the last 24 hours: past 95%. At 100% SES refuses further mail from this region until earlier sends leave the 24-hour window.',
    );
    production(h.aws, 'us-east-1', 49_500);
    await intervalPasses();
    expect((await tick()).alerts).toEqual([]);

    // A restart (or another replica) knows what was said: no second "started", no repeat.
    const calls = h.aws.callsTo('GetAccount').length;
    await h.restart();
    await firstTickDone();
    expect((await tick()).ran).toBe(false);
    expect(h.aws.callsTo('GetAccount')).toHaveLength(calls);
    await intervalPasses();
    await tick();
    expect(watchMessages()).toHaveLength(3);
  });

  it('re-arms only after falling below the threshold minus 10 points', async () => {
    await startWatching((aws) => production(aws, 'us-east-1', 40_000), { QUOTA_WATCH_REGIONS: 'us-east-1' });
    expect(watchMessages()).toHaveLength(2);
    // 70% is not below 80 − 10: still not armed, so 82% says nothing.
    for (const sent of [35_000, 41_000]) {
      production(h.aws, 'us-east-1', sent);
      await intervalPasses();
      expect((await tick()).alerts).toEqual([]);
    }
    // 68%: re-armed, silently; the next crossing is said again.
    production(h.aws, 'us-east-1', 34_000);
    await intervalPasses();
    expect((await tick()).alerts).toEqual([]);
    expect(watchMessages()).toHaveLength(2);
    production(h.aws, 'us-east-1', 41_000);
    await intervalPasses();
    expect((await tick()).alerts).toEqual([{ region: 'us-east-1', level: 'threshold' }]);
    expect(watchMessages()).toHaveLength(3);
    expect(lastWatchText()).toContain('82% used');
  });

  it('a raised quota re-arms the region, and an alert Slack did not take is said at the next run', async () => {
    await startWatching((aws) => production(aws, 'us-east-1', 10_000), { QUOTA_WATCH_REGIONS: 'us-east-1', QUOTA_WATCH_THRESHOLD_PERCENT: '90' });
    expect(watchMessages()).toHaveLength(1);
    production(h.aws, 'us-east-1', 46_000);
    h.slack.inject('chat.postMessage', { error: 'internal_error', channel: WATCH });
    await intervalPasses();
    expect((await tick()).alerts).toEqual([]);
    expect(watchMessages()).toHaveLength(1);
    await intervalPasses();
    expect((await tick()).alerts).toEqual([{ region: 'us-east-1', level: 'threshold' }]);
    expect(lastWatchText()).toContain("92% used in US East (N. Virginia) (`us-east-1`)*\n46,000 of 50,000 emails sent in the last 24 hours: past this channel's 90% threshold.");
    // AWS raises the quota: 46,000 of 200,000 re-arms it.
    production(h.aws, 'us-east-1', 46_000, 200_000);
    await intervalPasses();
    await tick();
    production(h.aws, 'us-east-1', 185_000, 200_000);
    await intervalPasses();
    expect((await tick()).alerts).toEqual([{ region: 'us-east-1', level: 'threshold' }]);
    expect(increaseButton(watchMessages().at(-1)!).value).toBe('{"r":"us-east-1","l":"send_quota","v":400000}');
  });

  it('never alerts on an unlimited quota', async () => {
    await startWatching((aws) => aws.setAccount('us-east-1', { SendQuota: { Max24HourSend: -1, MaxSendRate: -1, SentLast24Hours: 5_000_000 }, ProductionAccessEnabled: true }), {
      QUOTA_WATCH_REGIONS: 'us-east-1',
    });
    expect(watchMessages()).toHaveLength(1);
    expect(textOf(watchMessages()[0]!.blocks)).toContain('*Unlimited sending quota, nothing to watch*\n• US East (N. Virginia) (`us-east-1`)');
  });

  it('reports a region it cannot read once, not every interval, and again only after it could read it in between', async () => {
    await startWatching((aws) => production(aws, 'eu-west-1', 1_000), { QUOTA_WATCH_REGIONS: 'eu-west-1' });
    expect(watchMessages()).toHaveLength(1);
    const denied = { type: 'AccessDeniedException', message: 'User: arn:aws:sts::123456789012:assumed-role/ses-bot/x is not authorized to perform: ses:GetAccount' };
    for (let run = 0; run < 3; run++) {
      h.aws.inject('GetAccount', denied);
      await intervalPasses();
      expect((await tick()).unreadableReported).toEqual(run === 0 ? ['eu-west-1'] : []);
    }
    expect(watchMessages()).toHaveLength(2);
    expect(lastWatchText()).toBe(
      ":warning: *The SES quota watch cannot read Europe (Ireland) (`eu-west-1`)*: access denied: User: [ARN] is not authorized to perform: ses:GetAccount. Check that the region is enabled for this AWS account (opt-in regions) and that the bot's credentials allow `ses:GetAccount` there. The watch keeps trying and says nothing more about it until it can read the region.",
    );
    // Read again: nothing to say. Denied again later: said again, once.
    await intervalPasses();
    await tick();
    h.aws.inject('GetAccount', { ...denied, times: 2 });
    for (let run = 0; run < 2; run++) {
      await intervalPasses();
      await tick();
    }
    expect(watchMessages()).toHaveLength(3);
  });

  it('lists a region it cannot read in the start message, which counts as its one report; throttling is not reported', async () => {
    await startWatching(
      (aws) => {
        // An opt-in region not enabled for the account: AWS refuses the credentials (403).
        aws.inject('GetAccount', { type: 'UnrecognizedClientException', status: 403, message: 'The security token included in the request is invalid.' });
      },
      { QUOTA_WATCH_REGIONS: 'me-central-1' },
    );
    expect(watchMessages()).toHaveLength(1);
    expect(textOf(watchMessages()[0]!.blocks)).toContain('• Middle East (UAE) (`me-central-1`): access denied: The security token included in the request is invalid.');
    h.aws.inject('GetAccount', { type: 'UnrecognizedClientException', status: 403, message: 'The security token included in the request is invalid.' });
    await intervalPasses();
    expect((await tick()).unreadableReported).toEqual([]);
    // Throttling (every SDK attempt) is retried at the next run, never reported.
    production(h.aws, 'me-central-1', 0);
    await intervalPasses();
    await tick();
    h.aws.inject('GetAccount', { type: 'TooManyRequestsException', times: 3 });
    await intervalPasses();
    expect((await tick()).unreadableReported).toEqual([]);
    expect(watchMessages()).toHaveLength(1);
  });

  it('watches the regions of stored requests plus AWS_REGION by default', async () => {
    await startWatching((aws) => {
      production(aws, 'us-east-1', 0);
      production(aws, 'ap-northeast-1', 45_000);
    });
    // No request yet: AWS_REGION (us-east-1) only.
    expect(h.aws.callsTo('GetAccount').map((c) => c.region)).toEqual(['us-east-1']);
    // A request for another region, stored as the bot stores a submission.
    await h.bot.store.insertRequest({
      id: 'abcdef0123456789',
      submissionKey: 'view:VWATCH',
      reference: 'SESBOT-abcdef0123456789',
      teamId: 'T111',
      channelId: CHANNEL,
      requesterId: REQUESTER,
      payload: { ...QUOTA_PAYLOAD, rows: [{ region: 'ap-northeast-1', limit: 'send_quota', newValue: 200000 }] },
      responseUrl: null,
    });
    await intervalPasses();
    const report = await tick();
    expect(report.regions).toEqual(['us-east-1', 'ap-northeast-1']);
    expect(report.alerts).toEqual([{ region: 'ap-northeast-1', level: 'threshold' }]);
  });
});

describe('Request an increase', () => {
  async function alerted(env: Record<string, string> = {}) {
    await startWatching((aws) => production(aws, 'eu-west-1', 45_000), { QUOTA_WATCH_REGIONS: 'eu-west-1', ...env });
    const alert = watchMessages()[1]!;
    const button = increaseButton(alert);
    const block = alert.blocks!.find((b: any) => b.elements?.includes(button));
    return { alert, action: { action_id: button.action_id, block_id: block?.block_id ?? 'b', value: button.value } };
  }

  it('opens the /ses-quota form pre-filled for the region and limit with twice the current quota, editable', async () => {
    const { alert, action } = await alerted();
    const res = await h.requester.blockAction({ userId: REQUESTER, channelId: WATCH, messageTs: alert.ts, actions: [action] });
    expect(res.status).toBe(200);
    const open = await h.slack.waitForCall('views.open');
    const view = (open.args as any).view as { blocks: any[]; private_metadata: string; callback_id: string };
    expect(view.callback_id).toBe('ses_quota_request');
    expect(JSON.parse(view.private_metadata).channelId).toBe(WATCH);
    const field = (suffix: string) => view.blocks.find((b) => typeof b.block_id === 'string' && b.block_id.startsWith('row:') && b.block_id.endsWith(`:${suffix}`));
    expect(field('region').element.initial_option.value).toBe('eu-west-1');
    expect(field('limit').element.initial_option.value).toBe('send_quota');
    // An ordinary text input: the user may change the suggestion before submitting.
    expect(field('newValue').element).toMatchObject({ type: 'plain_text_input', initial_value: '100000' });
  });

  it('is refused, privately, to someone who may not file, and opens nothing', async () => {
    const { alert, action } = await alerted({ REQUESTER_USER_IDS: REQUESTER });
    await h.requester.blockAction({ userId: 'U0STRANGER', channelId: WATCH, messageTs: alert.ts, actions: [action] });
    const told = await h.slack.waitFor(() => h.slack.ephemerals.find((e) => e.user === 'U0STRANGER'));
    expect(told.channel).toBe(WATCH);
    expect(told.text).toMatch(/not on the list of people who may file/);
    expect(h.slack.callsTo('views.open')).toHaveLength(0);
  });

  it('says a tampered button is out of date', async () => {
    const { alert, action } = await alerted();
    await h.requester.blockAction({ userId: REQUESTER, channelId: WATCH, messageTs: alert.ts, actions: [{ ...action, value: '{"r":"mars-1"}' }] });
    const told = await h.slack.waitFor(() => h.slack.ephemerals.find((e) => e.user === REQUESTER));
    expect(told.text).toMatch(/out of date/);
    expect(h.slack.callsTo('views.open')).toHaveLength(0);
  });
});
