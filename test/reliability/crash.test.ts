/**
 * Filing and confirming survive a SIGKILL at any instant: the bot is a real child process,
 * killed while a call is in flight (the fake servers hold the answer), then restarted on the
 * same database. Exactly one case per request, exactly one confirmation, the thread complete.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from '../fakes/fake-aws.js';
import { FakeSlack } from '../fakes/fake-slack.js';
import { startChildBot, submitRelinquishment, type ChildBot } from '../helpers/child-bot.js';
import { CHANNEL, REQUESTER, textOf, validQuotaInputs } from '../helpers/harness.js';
import { fillState } from '../helpers/slack-requests.js';
import { twoWarmIps } from '../helpers/dedicated-ip-fixtures.js';

let slack: FakeSlack;
let aws: FakeAws;
let dir: string;
let bot: ChildBot | undefined;

beforeEach(async () => {
  slack = new FakeSlack();
  aws = new FakeAws();
  await Promise.all([slack.start(), aws.start()]);
  aws.setAccount('eu-west-1', { SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 0 }, ProductionAccessEnabled: true });
  aws.setDedicatedIps('eu-west-1', twoWarmIps());
  dir = mkdtempSync(join(tmpdir(), 'ses-bot-crash-'));
});

afterEach(async () => {
  await bot?.kill();
  bot = undefined;
  await Promise.all([slack.stop(), aws.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

const start = async () => {
  bot = await startChildBot({ slack, aws, databaseUrl: `file:${join(dir, 'bot.sqlite')}`, cwd: dir });
  return bot;
};

async function submitQuotaRequest(b: ChildBot) {
  const before = slack.callsTo('views.update').length;
  await b.requester.command({ command: '/ses-quota', userId: REQUESTER, channelId: CHANNEL });
  await slack.waitFor(() => slack.callsTo('views.update').length > before, 10_000, 'the quota shown in the modal');
  const view = slack.latestView()!;
  const inputs = { ...validQuotaInputs(), 'row:0:region': 'eu-west-1' };
  const res = await b.requester.viewSubmission({ view, values: fillState(view, inputs), userId: REQUESTER });
  expect(res.json.response_action).toBe('update');
}

const filedRoot = (displayId: string) => () => slack.rootMessages(CHANNEL).find((m) => textOf(m.blocks).includes(`Case ${displayId}`));

describe('a kill while filing', () => {
  it('before CreateCase reached AWS: the restarted bot finds no case and files exactly one', async () => {
    const b = await start();
    aws.inject('DescribeServices', { delayMs: 10_000, status: 500, type: 'InternalServerError', message: 'held' });
    await submitQuotaRequest(b);
    await aws.waitFor(() => aws.callsTo('DescribeServices').length === 1, 10_000);
    await b.kill();
    expect(aws.cases.size).toBe(0);

    await start();
    const root = await slack.waitFor(() => aws.latestCase() && filedRoot(aws.latestCase()!.displayId)(), 20_000, 'the case filed after the restart');
    expect(aws.callsTo('CreateCase')).toHaveLength(1);
    expect(aws.cases.size).toBe(1);
    expect(textOf(root.blocks)).toContain('AWS status');
    expect(slack.rootMessages(CHANNEL)).toHaveLength(1);
  });

  it('while AWS was creating the case: the restarted bot finds it by its reference and files nothing more', async () => {
    const b = await start();
    aws.inject('CreateCase', { afterHandling: true, delayMs: 10_000 });
    await submitQuotaRequest(b);
    await aws.waitFor(() => aws.cases.size === 1, 10_000, 'AWS to hold the case');
    await b.kill();

    await start();
    await slack.waitFor(filedRoot(aws.latestCase()!.displayId), 20_000, 'the case linked after the restart');
    expect(aws.callsTo('CreateCase')).toHaveLength(1);
    expect(aws.cases.size).toBe(1);
    expect(slack.rootMessages(CHANNEL)).toHaveLength(1);
  });

  it('after the case was filed, before its number was known: the restarted bot shows it', async () => {
    const b = await start();
    aws.inject('DescribeCases', { delayMs: 10_000 });
    await submitQuotaRequest(b);
    await aws.waitFor(() => aws.callsTo('DescribeCases').length === 1, 10_000);
    await b.kill();

    await start();
    await slack.waitFor(filedRoot(aws.latestCase()!.displayId), 20_000, 'the display id after the restart');
    expect(aws.callsTo('CreateCase')).toHaveLength(1);
  });
});

describe('a kill while a row goes to Service Quotas', () => {
  const startServiceQuotas = async () => {
    bot = await startChildBot({ slack, aws, databaseUrl: `file:${join(dir, 'bot.sqlite')}`, cwd: dir, env: { QUOTA_FILING: 'service-quotas' } });
    return bot;
  };
  const pendingRoot = () => slack.rootMessages(CHANNEL).find((m) => textOf(m.blocks).includes('Service Quotas: *pending*'));

  it.each([
    ['after AWS took the request, before its answer was stored', { afterHandling: true, delayMs: 10_000 }, 1],
    ['before the row was marked as going out (its quota code being checked)', { delayMs: 10_000, status: 500, type: 'ServiceException', message: 'held' }, 0],
  ])('%s: exactly one request for the row after the restart', async (_when, fault, heldByAws) => {
    const b = await startServiceQuotas();
    const held = heldByAws ? 'RequestServiceQuotaIncrease' : 'GetServiceQuota';
    aws.inject(held, fault);
    await submitQuotaRequest(b);
    await aws.waitFor(() => aws.callsTo(held).length >= 1, 10_000, 'the row in flight');
    await b.kill();
    expect(aws.quotaRequests()).toHaveLength(heldByAws);

    await startServiceQuotas();
    await slack.waitFor(pendingRoot, 20_000, 'the row settled after the restart');
    expect(aws.quotaRequests()).toHaveLength(1);
    expect(aws.quotaRequests()[0]).toMatchObject({ region: 'eu-west-1', quotaCode: 'L-804C8AE8', desiredValue: 200_000 });
    // Found in the history when AWS had it (not sent again); sent once after the restart when it was never sent.
    expect(aws.callsTo('RequestServiceQuotaIncrease')).toHaveLength(1);
    expect(aws.callsTo('CreateCase')).toHaveLength(0);
    expect(slack.rootMessages(CHANNEL)).toHaveLength(1);
  });
});

describe('a kill while confirming a relinquishment', () => {
  async function relinquishmentAwaitingConfirmation(b: ChildBot) {
    const [res] = await submitRelinquishment(slack, ['198.51.100.3'], b);
    expect(res!.json.response_action).toBe('update');
    const root = await slack.waitFor(() => aws.latestCase() && filedRoot(aws.latestCase()!.displayId)(), 15_000, 'the relinquishment filed');
    aws.addCommunication(aws.latestCase()!.caseId, { body: 'Please confirm that you want to release 198.51.100.3.' });
    await slack.waitFor(() => slack.threadReplies(CHANNEL, root.ts).find((m) => textOf(m.blocks).includes('reply in this thread with the word `confirm`')), 15_000, 'the confirmation prompt');
    return root;
  }

  const confirmations = () => aws.latestCase()!.communications.filter((c) => c.body.includes('Slack confirmation reference'));

  it.each([
    ['after AWS stored it, before it answered', { afterHandling: true, delayMs: 10_000 }],
    ['before AWS stored it', { delayMs: 10_000, status: 500, type: 'InternalServerError', message: 'never stored' }],
  ])('%s: exactly one confirmation reaches AWS after the restart', async (_when, fault) => {
    const b = await start();
    const root = await relinquishmentAwaitingConfirmation(b);
    aws.inject('AddCommunicationToCase', fault);
    const ts = `${Math.floor(Date.now() / 1000)}.000777`;
    await b.requester.event({ type: 'message', channel: CHANNEL, user: REQUESTER, text: 'confirm', ts, thread_ts: root.ts, channel_type: 'channel' });
    await aws.waitFor(() => aws.callsTo('AddCommunicationToCase').length === 1, 10_000, 'the confirmation in flight');
    await b.kill();

    const restarted = await start();
    await slack.waitFor(() => confirmations().length === 1 && slack.threadReplies(CHANNEL, root.ts).find((m) => /confirmation (reached AWS|was sent to AWS)/.test(m.text ?? '')), 20_000, 'the confirmation to be settled');
    // A second "confirm" after the restart changes nothing.
    await restarted.requester.event({ type: 'message', channel: CHANNEL, user: REQUESTER, text: 'confirm', ts: `${Math.floor(Date.now() / 1000)}.000888`, thread_ts: root.ts, channel_type: 'channel' });
    await slack.waitFor(() => slack.threadReplies(CHANNEL, root.ts).find((m) => /already\. Nothing more was sent/.test(m.text ?? '')), 10_000, 'the duplicate answered');
    expect(confirmations()).toHaveLength(1);
    expect(confirmations()[0]!.body).toContain('198.51.100.3');
  });
});
