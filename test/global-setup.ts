/**
 * Gives the test run a PostgreSQL server: TEST_DATABASE_URL when set, otherwise a throwaway
 * cluster started here from the distribution's binaries (apt-get install postgresql) in a
 * temporary folder, on a free port on 127.0.0.1, stopped at the end of the run. Tests that
 * need PostgreSQL read process.env.TEST_DATABASE_URL.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

function findPgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((bin) => existsSync(join(bin, 'initdb')));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`PostgreSQL exited while starting:\n${log()}`);
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

export default async function setup(): Promise<(() => Promise<void>) | void> {
  if (process.env.TEST_DATABASE_URL) return;
  const bin = findPgBin();
  if (!bin) {
    // The PostgreSQL tests say how to get a server; everything else runs.
    process.env.TEST_DATABASE_URL_MISSING = 'Install PostgreSQL (apt-get install postgresql) or set TEST_DATABASE_URL to a server the tests may create databases on.';
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ses-bot-pg-'));
  const asRoot = process.getuid?.() === 0;
  // initdb and postgres refuse to run as root: run them as the distribution's postgres user.
  const run = (cmd: string, args: string[]) => (asRoot ? { cmd: 'runuser', args: ['-u', 'postgres', '--', cmd, ...args] } : { cmd, args });
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const init = run(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  execFileSync(init.cmd, init.args, { stdio: 'pipe' });
  const port = await freePort();
  const start = run(join(bin, 'postgres'), ['-D', join(dir, 'data'), '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200']);
  const output: string[] = [];
  const server = spawn(start.cmd, start.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (d) => output.push(String(d)));
  server.stderr!.on('data', (d) => output.push(String(d)));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitReady(url, server, () => output.join(''));
  process.env.TEST_DATABASE_URL = url;

  return async () => {
    // Through runuser a signal to our child does not reach postgres: stop it with pg_ctl, and
    // kill what is left after a few seconds so the run never hangs here.
    const stop = run(join(bin, 'pg_ctl'), ['stop', '-D', join(dir, 'data'), '-m', 'immediate', '-w', '-t', '10']);
    try {
      execFileSync(stop.cmd, stop.args, { stdio: 'pipe', timeout: 15_000 });
    } catch {
      server.kill('SIGKILL');
    }
    await Promise.race([
      new Promise((resolve) => (server.exitCode !== null ? resolve(null) : server.once('exit', resolve))),
      new Promise((resolve) => setTimeout(resolve, 5_000)),
    ]);
    rmSync(dir, { recursive: true, force: true });
  };
}
