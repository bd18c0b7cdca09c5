/**
 * The database goes away for a while during operation (PostgreSQL behind a proxy the test
 * cuts): the user is told, nothing typed is lost, /healthz says so, and work resumes when it
 * comes back, with nothing doubled.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CHANNEL,
  REQUESTER,
  clickRootButton,
  fileQuotaCase,
  openDedicatedIpModal,
  openQuotaModal,
  promptedRelinquishment,
  startHarness,
  submitQuota,
  syncNow,
  textOf,
  threadReply,
  validQuotaInputs,
  type Harness,
} from '../helpers/harness.js';
import { scrape } from '../helpers/metrics.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

let h: Harness;
let proxy: TcpProxy;
let db: { url: string; drop: () => Promise<void> };

beforeAll(async () => {
  db = await createTestDatabase();
  const target = new URL(db.url);
  proxy = new TcpProxy(target.hostname, Number(target.port));
  await proxy.start();
  const viaProxy = new URL(db.url);
  viaProxy.port = String(proxy.port);
  h = await startHarness({ DATABASE_URL: viaProxy.toString() });
}, 60_000);

/** Once the database is back, the bot says so on /healthz (its pool reconnects on first use). */
async function backHealthy(): Promise<void> {
  const healthz = () => fetch(`http://127.0.0.1:${h.bot.port}/healthz`).then((r) => r.status);
  const deadline = Date.now() + 10_000;
  while ((await healthz()) !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(await healthz()).toBe(200);
}

// A test that fails while the database is cut must not leave it cut for the next one.
afterEach(async () => {
  proxy.restore();
  await backHealthy();
});

afterAll(async () => {
  await h.close();
  await proxy.stop();
  await db.drop();
});

describe('a database outage during operation', () => {
  it('keeps the form open with a clear message, reports unhealthy, and files once when it is back', async () => {
    const first = await fileQuotaCase(h);
    const { view } = await openQuotaModal(h);
    // /metrics counts from PostgreSQL ...
    expect((await scrape(h.bot.port)).value('ses_bot_requests', { kind: 'quota', status: 'filed' })).toBeGreaterThanOrEqual(1);

    proxy.cut();
    // ... and without it still answers, leaving the database's counts out of the scrape.
    const scraped = await scrape(h.bot.port);
    expect(scraped.has('ses_bot_requests')).toBe(false);
    expect(scraped.has('ses_bot_submissions_total')).toBe(true);
    h.aws.addCommunication(first.awsCase.caseId, { body: 'Reply written while the database was away.' });
    const refused = await submitQuota(h, view, validQuotaInputs());
    expect(refused.status).toBe(200);
    expect(refused.json.response_action).toBe('errors');
    expect(Object.values(refused.json.errors).join(' ')).toMatch(/could not save your request \(its database is unavailable\)\. Nothing was filed/);
    expect((await fetch(`http://127.0.0.1:${h.bot.port}/healthz`)).status).toBe(503);
    await expect(h.bot.scheduler.runOnce()).rejects.toThrow();

    proxy.restore();
    await backHealthy();

    // The same modal, submitted again: filed once.
    const accepted = await submitQuota(h, view, validQuotaInputs());
    expect(accepted.json.response_action).toBe('update');
    await h.slack.waitFor(() => h.slack.rootMessages(CHANNEL).filter((m) => textOf(m.blocks).includes('AWS status')).length === 2 || undefined, 10_000, 'the second case filed');
    expect(h.aws.callsTo('CreateCase')).toHaveLength(2);

    // The reply AWS wrote meanwhile arrives, once.
    await syncNow(h);
    await syncNow(h);
    const replies = h.slack.threadReplies(CHANNEL, first.rootTs).filter((m) => textOf(m.blocks).includes('Reply written while the database was away.'));
    expect(replies).toHaveLength(1);
  });
});

describe('a "confirm" reply during a database outage', () => {
  it('tells the replier in the thread that it was not handled, and a confirm after the outage is sent once', async () => {
    h.aws.setDedicatedIps('eu-west-1', [{ name: 'marketing', scalingMode: 'STANDARD', ips: [{ ip: '198.51.100.30', warmupStatus: 'DONE', warmupPercentage: 100 }, { ip: '198.51.100.31', warmupStatus: 'DONE', warmupPercentage: 100 }] }]);
    const filed = await promptedRelinquishment(h, ['198.51.100.30']);
    const confirmations = () => h.aws.callsTo('AddCommunicationToCase').filter((c) => c.input.caseId === filed.caseId);
    const logsBefore = h.logs.length;

    proxy.cut();
    const during = await threadReply(h, { threadTs: filed.rootTs, user: REQUESTER, text: 'confirm' });
    expect(during.status).toBe(200);
    const told = await h.slack.waitFor(() => h.slack.ephemerals.find((m) => m.user === REQUESTER && m.thread_ts === filed.rootTs), 10_000, 'a private word to the replier');
    expect(told.text).toMatch(/could not handle your "confirm" just now \(its database did not answer\)\. Reply `confirm` again in a minute/);
    expect(told.channel).toBe(CHANNEL);
    expect(confirmations()).toHaveLength(0);
    expect(h.logs.slice(logsBefore).join('')).toContain('could not handle a \\"confirm\\" reply');

    proxy.restore();
    await backHealthy();
    await threadReply(h, { threadTs: filed.rootTs, user: REQUESTER, text: 'confirm' });
    await h.aws.waitForCall('AddCommunicationToCase', (c) => c.input.caseId === filed.caseId, 10_000);
    await threadReply(h, { threadTs: filed.rootTs, user: REQUESTER, text: 'confirm' });
    await h.slack.waitFor(() => h.slack.threadReplies(CHANNEL, filed.rootTs).some((m) => textOf(m.blocks).includes('Nothing more was sent')) || undefined, 10_000, 'the repeat answered');
    expect(confirmations()).toHaveLength(1);
  });
});

describe('a button whose work the database outage cuts short', () => {
  it('tells the clicker, names the action in the error log, and works when pressed again', async () => {
    const { awsCase, rootTs } = await fileQuotaCase(h);
    const click = () => clickRootButton(h, rootTs, 'resolve_case', REQUESTER);
    const logsBefore = h.logs.length;

    // AWS resolves the case slowly; the database goes away before the bot can record it.
    h.aws.inject('ResolveCase', { delayMs: 800 });
    await click();
    await h.aws.waitForCall('ResolveCase');
    proxy.cut();
    const told = await h.slack.waitFor(() => h.slack.ephemerals.find((m) => m.user === REQUESTER && /could not finish this just now/.test(m.text ?? '')), 10_000, 'a private word to the clicker');
    expect(told.text).toMatch(/press the button again in a moment: whatever was already done is not done twice/);
    const failure = h.logs.slice(logsBefore).find((l) => l.includes('unhandled error in a Slack listener'));
    expect(failure && JSON.parse(failure).during).toBe('action resolve_case');
    expect(h.aws.cases.get(awsCase.caseId)!.status).toBe('resolved');

    proxy.restore();
    await backHealthy();
    await click();
    await h.slack.waitFor(() => h.slack.threadReplies(CHANNEL, rootTs).some((m) => textOf(m.blocks).includes('resolved the case')) || undefined, 10_000, 'the thread to say who resolved it');
    await h.bot.poster.idle();
    expect(textOf(h.slack.message(CHANNEL, rootTs)!.blocks)).toContain('AWS status: *Resolved*');
  });
});

describe('/ses-dedicated-ip during a database outage', () => {
  it('still shows the inventory in the form (read again from AWS), and says nothing failed in the error log', async () => {
    h.aws.setDedicatedIps('us-east-1', [{ name: 'transactional', scalingMode: 'STANDARD', ips: [{ ip: '192.0.2.41', warmupStatus: 'DONE', warmupPercentage: 100 }] }]);
    const logsBefore = h.logs.length;
    proxy.cut();
    const view = await openDedicatedIpModal(h);
    expect(textOf(view.blocks)).toContain('192.0.2.41');
    expect(textOf(view.blocks)).not.toMatch(/looking up/i);
    expect(h.logs.slice(logsBefore).join('\n')).not.toContain('unhandled error in a Slack listener');
  });
});
