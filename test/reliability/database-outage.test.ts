/**
 * The database goes away for a while during operation (PostgreSQL behind a proxy the test
 * cuts): the user is told, nothing typed is lost, /healthz says so, and work resumes when it
 * comes back, with nothing doubled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL, fileQuotaCase, openQuotaModal, startHarness, submitQuota, syncNow, textOf, validQuotaInputs, type Harness } from '../helpers/harness.js';
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

afterAll(async () => {
  await h.close();
  await proxy.stop();
  await db.drop();
});

describe('a database outage during operation', () => {
  it('keeps the form open with a clear message, reports unhealthy, and files once when it is back', async () => {
    const first = await fileQuotaCase(h);
    const { view } = await openQuotaModal(h);

    proxy.cut();
    h.aws.addCommunication(first.awsCase.caseId, { body: 'Reply written while the database was away.' });
    const refused = await submitQuota(h, view, validQuotaInputs());
    expect(refused.status).toBe(200);
    expect(refused.json.response_action).toBe('errors');
    expect(Object.values(refused.json.errors).join(' ')).toMatch(/could not save your request \(its database is unavailable\)\. Nothing was filed/);
    expect((await fetch(`http://127.0.0.1:${h.bot.port}/healthz`)).status).toBe(503);
    await expect(h.bot.scheduler.runOnce()).rejects.toThrow();

    proxy.restore();
    const deadline = Date.now() + 10_000;
    while ((await fetch(`http://127.0.0.1:${h.bot.port}/healthz`)).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await fetch(`http://127.0.0.1:${h.bot.port}/healthz`)).status).toBe(200);

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
