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
