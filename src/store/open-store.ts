/** Opens the store named by DATABASE_URL and brings its schema up to date. */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { KyselyStore } from './kysely-store.js';
import type { Database } from './schema.js';
import type { Store } from './store.js';

export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

export async function openStore(databaseUrl: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return openPostgres(databaseUrl);
  if (!databaseUrl.startsWith('file:')) throw new Error(`unsupported DATABASE_URL scheme: ${databaseUrl.split(':')[0]}`);
  const path = resolve(databaseUrl.slice('file:'.length));
  mkdirSync(dirname(path), { recursive: true });
  const sqlite = new BetterSqlite3(path);
  // WAL lets readers go on while a write commits; busy_timeout rides out a second process briefly holding the lock.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  const store = new KyselyStore(new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }), true);
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

/**
 * PostgreSQL, for several replicas sharing one database. Migrations take Kysely's lock, so
 * replicas starting together apply each one once.
 */
async function openPostgres(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
  // A dropped idle connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const store = new KyselyStore(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), false);
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    const where = new URL(url);
    where.password = where.password ? '***' : '';
    throw new DatabaseUnavailableError(`cannot use the PostgreSQL database at ${where.toString()} (${(err as Error).message}). Check DATABASE_URL and that the server is up.`);
  }
  return store;
}
