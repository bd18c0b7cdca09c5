/**
 * A throwaway PostgreSQL server for the chaos soak, from the distribution's binaries as
 * test/global-setup.ts starts one, that the soak can also stop (a database outage) and start
 * again on the same port and data directory.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

function findPgBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const bin = versions.map((v) => join(root, v, 'bin')).find((b) => existsSync(join(b, 'initdb')));
  if (!bin) throw new Error('PostgreSQL is not installed: apt-get install postgresql (the soak starts a throwaway server from its binaries)');
  return bin;
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

export class PgServer {
  private readonly bin = findPgBin();
  private readonly dir = mkdtempSync(join(tmpdir(), 'ses-bot-chaos-pg-'));
  private readonly asRoot = process.getuid?.() === 0;
  private proc: ChildProcess | undefined;
  private readonly log: string[] = [];
  port = 0;
  /** Set while the soak has the server stopped on purpose. */
  down = false;
  /** Exits of the server the soak did not ask for. */
  readonly unexpectedExits: string[] = [];

  private run(cmd: string, args: string[]): { cmd: string; args: string[] } {
    // initdb and postgres refuse to run as root: run them as the distribution's postgres user.
    return this.asRoot ? { cmd: 'runuser', args: ['-u', 'postgres', '--', join(this.bin, cmd), ...args] } : { cmd: join(this.bin, cmd), args };
  }

  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  get databaseUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/ses_bot_chaos`;
  }

  async init(): Promise<void> {
    if (this.asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(this.dir, uid, gid);
    }
    chmodSync(this.dir, 0o700);
    const init = this.run('initdb', ['-D', join(this.dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    execFileSync(init.cmd, init.args, { stdio: 'pipe' });
    this.port = await freePort();
    await this.start();
    const admin = new pg.Client({ connectionString: this.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE ses_bot_chaos');
    await admin.end();
  }

  async start(): Promise<void> {
    const start = this.run('postgres', ['-D', join(this.dir, 'data'), '-p', String(this.port), '-k', this.dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200']);
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
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const client = new pg.Client({ connectionString: this.adminUrl });
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        await client.end().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`PostgreSQL did not accept connections within 30 s:\n${this.log.join('')}`);
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
