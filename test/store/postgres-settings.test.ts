/**
 * The PostgreSQL store's session settings: a statement timeout, so a stuck query (a lock held by
 * a wedged replica, a server in trouble) fails instead of hanging a claim forever.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_STATEMENT_TIMEOUT_MS, openStore, postgresPoolConfig } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

let db: { url: string; drop: () => Promise<void> };
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('PostgreSQL statement timeout', () => {
  it('is 15 s', () => {
    expect(POSTGRES_STATEMENT_TIMEOUT_MS).toBe(15_000);
    expect(postgresPoolConfig(db.url).statement_timeout).toBe(POSTGRES_STATEMENT_TIMEOUT_MS);
  });

  it("is what the store's connections run with", async () => {
    const store: Store = await openStore(db.url);
    try {
      // The Kysely instance the store wraps (a private field: this test looks inside on purpose).
      const kysely = (store as unknown as { db: Kysely<unknown> }).db;
      expect(typeof kysely?.executeQuery).toBe('function');
      const { rows } = await sql<{ statement_timeout: string }>`SHOW statement_timeout`.execute(kysely);
      expect(rows[0]!.statement_timeout).toBe('15s');
    } finally {
      await store.close();
    }
  });

  it('makes a stuck statement fail', async () => {
    const pool = new pg.Pool({ ...postgresPoolConfig(db.url), statement_timeout: 200 });
    try {
      await expect(pool.query('SELECT pg_sleep(5)')).rejects.toThrow(/statement timeout/);
    } finally {
      await pool.end();
    }
  });
});

describe('a PostgreSQL connection lost in the middle of a transaction', () => {
  it('fails the transaction, not the process, and the store works again once the server is reachable', async () => {
    const target = new URL(db.url);
    const proxy = new TcpProxy(target.hostname, Number(target.port));
    await proxy.start();
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    const store = await openStore(viaProxy.toString());
    try {
      const kysely = (store as unknown as { db: Kysely<any> }).db;
      // Between two statements no query is running: the dropped connection can only say so by an
      // 'error' event, which nobody would be listening to.
      const lost = kysely.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        proxy.cut();
        await new Promise((r) => setTimeout(r, 300));
        await sql`select 2`.execute(trx);
      });
      await expect(lost).rejects.toThrow();
      proxy.restore();
      expect(await store.ping()).toBe(true);
    } finally {
      await store.close().catch(() => undefined);
      await proxy.stop();
    }
  });
});
