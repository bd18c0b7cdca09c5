/**
 * What a throwaway PostgreSQL server needs, shared by the test run (test/global-setup.ts) and the
 * chaos soak (chaos/postgres.ts): the distribution's binaries, a free port, running them as the
 * postgres user when we are root, and waiting until the server accepts connections.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

/** The newest installed PostgreSQL's bin folder (apt-get install postgresql), if any. */
export function findPgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((bin) => existsSync(join(bin, 'initdb')));
}

const asRoot = process.getuid?.() === 0;

/** A command of the server's, run as the distribution's postgres user when we are root (initdb and postgres refuse root). */
export function asPostgresUser(cmd: string, args: string[]): { cmd: string; args: string[] } {
  return asRoot ? { cmd: 'runuser', args: ['-u', 'postgres', '--', cmd, ...args] } : { cmd, args };
}

/** Makes `dir` the postgres user's (when we are root) and private, as initdb wants it. */
export function prepareDataParent(dir: string): void {
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
}

/** The arguments of `postgres` for a throwaway server: loopback only, its socket in `dir`, no fsync. */
export function serverArgs(dir: string, port: number): string[] {
  return ['-D', join(dir, 'data'), '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'];
}

/** Runs initdb into `dir`/data (trust auth for the postgres user, UTF-8, no fsync). */
export function initCluster(bin: string, dir: string): void {
  prepareDataParent(dir);
  const init = asPostgresUser(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  execFileSync(init.cmd, init.args, { stdio: 'pipe' });
}

/**
 * Waits (at most 30 s) until `url` accepts a connection. `exited` says the server process is gone,
 * which ends the wait at once; `log` is the server's output for the error.
 */
export async function waitReady(url: string, log: () => string, exited: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`PostgreSQL exited while starting:\n${log()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`PostgreSQL did not accept connections within 30 s:\n${log()}`);
}
