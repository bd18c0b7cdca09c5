/**
 * The database goes away while the thread poster is in the middle of a post (PostgreSQL behind
 * a proxy the test cuts, the bot a real child process): Slack takes the post, recording it
 * fails, and the process must carry on rather than die on an unhandled rejection; when the
 * database is back the post is recorded, never sent twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAws } from '../fakes/fake-aws.js';
import { FakeSlack } from '../fakes/fake-slack.js';
import { startChildBot, type ChildBot } from '../helpers/child-bot.js';
import { CHANNEL, REQUESTER, textOf, validQuotaInputs } from '../helpers/harness.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { fillState } from '../helpers/slack-requests.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

let slack: FakeSlack;
let aws: FakeAws;
let proxy: TcpProxy;
let db: { url: string; drop: () => Promise<void> };
let dir: string;
let bot: ChildBot;

beforeAll(async () => {
  slack = new FakeSlack();
  aws = new FakeAws();
  await Promise.all([slack.start(), aws.start()]);
  aws.setAccount('eu-west-1', { SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 0 }, ProductionAccessEnabled: true });
  db = await createTestDatabase();
  const target = new URL(db.url);
  proxy = new TcpProxy(target.hostname, Number(target.port));
  await proxy.start();
  const viaProxy = new URL(db.url);
  viaProxy.port = String(proxy.port);
  dir = mkdtempSync(join(tmpdir(), 'ses-bot-poster-outage-'));
  bot = await startChildBot({ slack, aws, databaseUrl: viaProxy.toString(), cwd: dir });
}, 60_000);

afterAll(async () => {
  await bot?.kill('SIGTERM');
  await proxy?.stop();
  await Promise.all([slack.stop(), aws.stop()]);
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = () => bot.output.join('');

describe('a database outage while a thread post is in flight', () => {
  it('leaves the process running, and the reply is in the thread exactly once when the database is back', async () => {
    const before = slack.callsTo('views.update').length;
    await bot.requester.command({ command: '/ses-quota', userId: REQUESTER, channelId: CHANNEL });
    await slack.waitFor(() => slack.callsTo('views.update').length > before, 10_000, 'the quota shown in the modal');
    const view = slack.latestView()!;
    const res = await bot.requester.viewSubmission({ view, values: fillState(view, { ...validQuotaInputs(), 'row:0:region': 'eu-west-1' }), userId: REQUESTER });
    expect(res.json.response_action).toBe('update');
    const root = await slack.waitFor(() => slack.rootMessages(CHANNEL).find((m) => textOf(m.blocks).includes('AWS status')), 15_000, 'the case filed');
    const caseId = aws.latestCase()!.caseId;
    const replies = () => slack.threadReplies(CHANNEL, root.ts).filter((m) => textOf(m.blocks).includes('We are looking into your request.'));

    // The reply's post is slow; the database goes away while Slack holds it.
    slack.inject('chat.postMessage', { delayMs: 2000 });
    aws.addCommunication(caseId, { body: 'We are looking into your request.' });
    await slack.waitForCall('chat.postMessage', (c) => c.args.thread_ts === root.ts, 10_000);
    proxy.cut();

    await slack.waitFor(() => replies().length === 1 || undefined, 5000, 'Slack to take the slow post');
    await sleep(4000);
    expect(bot.child.exitCode, log()).toBeNull();
    expect(log()).not.toContain('unhandled failure');
    expect(replies()).toHaveLength(1);

    proxy.restore();
    const deadline = Date.now() + 15_000;
    while ((await fetch(`${bot.url}/healthz`).then((r) => r.status, () => 0)) !== 200 && Date.now() < deadline) await sleep(200);
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    // Several sync cycles (one a second) and poster retries go by: the reply is not posted again.
    const cycles = aws.callsTo('DescribeCases').length;
    await aws.waitFor(() => aws.callsTo('DescribeCases').length >= cycles + 4, 20_000, 'four more sync cycles');
    await sleep(6000);
    expect(replies()).toHaveLength(1);
    expect(slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === root.ts)).toHaveLength(1);
    expect(bot.child.exitCode).toBeNull();
    expect(log()).not.toContain('unhandled failure');
    // Recorded as posted (what the post went out under), so no later drain sends it again.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ state: string; posted_ts: string }>("select state, posted_ts from thread_posts where content_key like 'comm:%'");
    await client.end();
    expect(rows).toEqual([{ state: 'posted', posted_ts: replies()[0]!.ts }]);
  }, 90_000);
});
