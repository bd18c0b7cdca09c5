/** Opens the store named by DATABASE_URL and brings its schema up to date. */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
// pg is imported only for a postgres:// DATABASE_URL (see openPostgres): on SQLite it would be
// a few MB of memory for nothing.
import type pg from 'pg';
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
  lockSqlite(sqlite, path);
  const store = new KyselyStore(new Kysely<Database>({ dialect: new SqliteDialect({ database: keepingStatements(sqlite) }) }), 'sqlite');
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

/** Prepared statements kept per connection: the bot's queries are a fixed set, plus a few lists of ids of varying length. */
const STATEMENTS_KEPT = 256;

/**
 * The connection as Kysely's SQLite driver sees it, with its prepared statements kept. The driver
 * prepares every query anew, and parsing the SQL cost more than running most of the bot's small
 * indexed queries (every slash command and thread reply runs one in front of the user). Kept by
 * SQL text, least recently used dropped first; better-sqlite3 re-prepares a kept statement itself
 * if a migration changes the schema under it. The bot never iterates a statement (Kysely's
 * stream), so one statement is never busy when it is handed out again.
 */
function keepingStatements(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const kept = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = kept.get(sql);
      if (statement) {
        kept.delete(sql);
      } else {
        statement = sqlite.prepare(sql);
        if (kept.size >= STATEMENTS_KEPT) kept.delete(kept.keys().next().value!);
      }
      kept.set(sql, statement);
      return statement;
    },
  };
}

/** How long a second process waits for a SQLite database's lock before it gives up. */
const SQLITE_LOCK_WAIT_MS = 1_500;

/**
 * SQLite serves one process only, and start-up relies on it: it treats every in-progress row
 * as abandoned. So the connection takes the database's lock for as long as it is open
 * (locking_mode EXCLUSIVE, taken at once by an immediate write transaction), and a second
 * process on the same file (two containers briefly sharing a volume during a rolling deploy)
 * stops here instead of re-filing the first one's work. The lock is the OS's: it goes with the
 * process, even one killed with SIGKILL.
 */
function lockSqlite(sqlite: BetterSqlite3.Database, path: string): void {
  try {
    sqlite.pragma(`busy_timeout = ${SQLITE_LOCK_WAIT_MS}`);
    // Set before WAL is entered, so that WAL keeps its index in this process's memory, shared with nobody.
    sqlite.pragma('locking_mode = EXCLUSIVE');
    // WAL: a crash mid-write never leaves a half-written page behind.
    sqlite.pragma('journal_mode = WAL');
    sqlite.exec('BEGIN IMMEDIATE');
    sqlite.exec('COMMIT');
  } catch (err) {
    sqlite.close();
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new DatabaseUnavailableError(
        `the SQLite database at ${path} is in use by another bot process; SQLite serves one process only — stop the other process, or use PostgreSQL (DATABASE_URL=postgres://…) to run several replicas.`,
      );
    }
    throw err;
  }
}

/** PostgreSQL: a stuck statement (a lock held by a wedged replica, a server in trouble) fails after this instead of hanging a claim. */
export const POSTGRES_STATEMENT_TIMEOUT_MS = 15_000;

/** The pool's settings; every connection runs with the statement timeout. */
export function postgresPoolConfig(url: string): pg.PoolConfig {
  return { connectionString: url, max: 10, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000, statement_timeout: POSTGRES_STATEMENT_TIMEOUT_MS };
}

/**
 * PostgreSQL, for several replicas sharing one database. Migrations take Kysely's lock, so
 * replicas starting together apply each one once.
 */
async function openPostgres(url: string): Promise<Store> {
  const { default: pgModule } = await import('pg');
  const pool = new pgModule.Pool(postgresPoolConfig(url));
  // A dropped idle connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // A connection that dies while checked out, between two statements of a transaction, emits
  // 'error' with no query to fail, and pg-pool listens only while a connection is idle: without
  // this the process would end. The transaction's next statement fails instead, and the pool
  // drops the connection when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const store = new KyselyStore(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), 'postgres');
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
