/** Opens the store named by DATABASE_URL and brings its schema up to date. */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { KyselyStore } from './kysely-store.js';
import type { Database } from './schema.js';
import type { Store } from './store.js';

export async function openStore(databaseUrl: string): Promise<Store> {
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
