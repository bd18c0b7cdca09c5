/**
 * A throwaway PostgreSQL server for the chaos soak, from the distribution's binaries as
 * test/global-setup.ts starts one, that the soak can also stop (a database outage) and start
 * again on the same port and data directory.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { asPostgresUser, findPgBin, initCluster, serverArgs, waitReady } from '../test/helpers/pg-server.js';
import { freePort } from '../test/helpers/free-port.js';

function pgBin(): string {
  const bin = findPgBin();
  if (!bin) throw new Error('PostgreSQL is not installed: apt-get install postgresql (the soak starts a throwaway server from its binaries)');
  return bin;
}

export class PgServer {
  private readonly bin = pgBin();
  private readonly dir = mkdtempSync(join(tmpdir(), 'ses-bot-chaos-pg-'));
  private proc: ChildProcess | undefined;
  private readonly log: string[] = [];
  port = 0;
  /** Set while the soak has the server stopped on purpose. */
  down = false;
  /** Exits of the server the soak did not ask for. */
  readonly unexpectedExits: string[] = [];

  private run(cmd: string, args: string[]): { cmd: string; args: string[] } {
    return asPostgresUser(join(this.bin, cmd), args);
  }

  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  get databaseUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/ses_bot_chaos`;
  }

  async init(): Promise<void> {
    initCluster(this.bin, this.dir);
    this.port = await freePort();
    await this.start();
    const admin = new pg.Client({ connectionString: this.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE ses_bot_chaos');
    await admin.end();
  }

  async start(): Promise<void> {
    const start = this.run('postgres', serverArgs(this.dir, this.port));
    const proc = spawn(start.cmd, start.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    proc.stdout!.on('data', (d) => this.keep(String(d)));
    proc.stderr!.on('data', (d) => this.keep(String(d)));
    proc.once('exit', (code, signal) => {
      if (this.proc === proc && !this.down) this.unexpectedExits.push(`PostgreSQL exited (code ${code}, signal ${signal}): ${this.log.slice(-5).join('')}`);
    });
    await this.waitReady();
    this.down = false;
  }

  private keep(line: string): void {
    this.log.push(line);
    if (this.log.length > 200) this.log.splice(0, 100);
  }

  private async waitReady(): Promise<void> {
    // A server that exits at start (after an outage, say) fails at once rather than after the wait.
    await waitReady(this.adminUrl, () => this.log.join(''), () => this.proc?.exitCode !== null);
  }

  /** Stops the server at once (every connection dropped, as in a crash or a failover). */
  async stop(): Promise<void> {
    this.down = true;
    const proc = this.proc;
    const stop = this.run('pg_ctl', ['stop', '-D', join(this.dir, 'data'), '-m', 'immediate', '-w', '-t', '10']);
    try {
      execFileSync(stop.cmd, stop.args, { stdio: 'pipe', timeout: 15_000 });
    } catch {
      proc?.kill('SIGKILL');
    }
    if (proc && proc.exitCode === null) await new Promise((r) => proc.once('exit', r));
  }

  async destroy(): Promise<void> {
    if (!this.down) await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
