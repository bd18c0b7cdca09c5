/**
 * Gives the test run a PostgreSQL server: TEST_DATABASE_URL when set, otherwise a throwaway
 * cluster started here from the distribution's binaries (apt-get install postgresql) in a
 * temporary folder, on a free port on 127.0.0.1, stopped at the end of the run. Tests that
 * need PostgreSQL read process.env.TEST_DATABASE_URL.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asPostgresUser, findPgBin, initCluster, serverArgs, waitReady } from './helpers/pg-server.js';
import { freePort } from './helpers/free-port.js';

export default async function setup(): Promise<(() => Promise<void>) | void> {
  if (process.env.TEST_DATABASE_URL) return;
  const bin = findPgBin();
  if (!bin) {
    // The PostgreSQL tests say how to get a server; everything else runs.
    process.env.TEST_DATABASE_URL_MISSING = 'Install PostgreSQL (apt-get install postgresql) or set TEST_DATABASE_URL to a server the tests may create databases on.';
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ses-bot-pg-'));
  initCluster(bin, dir);
  const port = await freePort();
  const start = asPostgresUser(join(bin, 'postgres'), serverArgs(dir, port));
  const output: string[] = [];
  const server = spawn(start.cmd, start.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (d) => output.push(String(d)));
  server.stderr!.on('data', (d) => output.push(String(d)));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitReady(url, () => output.join(''), () => server.exitCode !== null);
  process.env.TEST_DATABASE_URL = url;

  return async () => {
    // Through runuser a signal to our child does not reach postgres: stop it with pg_ctl, and
    // kill what is left after a few seconds so the run never hangs here.
    const stop = asPostgresUser(join(bin, 'pg_ctl'), ['stop', '-D', join(dir, 'data'), '-m', 'immediate', '-w', '-t', '10']);
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
