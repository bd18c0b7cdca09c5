/**
 * SQLite serves one process only, and the bot enforces it: at start-up it treats every
 * in-progress row as abandoned, which is only true when no other process shares the file (two
 * containers briefly sharing a volume during a rolling deploy would otherwise both file the
 * same work). A second bot on the same file refuses to start; the first goes on serving.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from '../fakes/fake-aws.js';
import { FakeSlack } from '../fakes/fake-slack.js';
import { startChildBot, type ChildBot } from '../helpers/child-bot.js';
import { AWS_KEY_ID, AWS_SECRET, BOT_TOKEN, SIGNING_SECRET } from '../helpers/harness.js';

const MAIN = resolve(import.meta.dirname, '../../src/main.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

let slack: FakeSlack;
let aws: FakeAws;
let dir: string;
let first: ChildBot | undefined;

beforeEach(async () => {
  slack = new FakeSlack();
  aws = new FakeAws();
  await Promise.all([slack.start(), aws.start()]);
  dir = mkdtempSync(join(tmpdir(), 'ses-bot-lock-'));
});

afterEach(async () => {
  await first?.kill();
  first = undefined;
  await Promise.all([slack.stop(), aws.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

/** A second bot process on `databaseUrl`, run to its exit. */
async function runSecond(databaseUrl: string): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', TSX, MAIN], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_NO_WARNINGS: '1',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      DATABASE_URL: databaseUrl,
      AWS_ENDPOINT_URL_SUPPORT: aws.url,
      AWS_ENDPOINT_URL_SESV2: aws.url,
      AWS_ACCESS_KEY_ID: AWS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: AWS_SECRET,
      AWS_REGION: 'eu-west-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout!.on('data', (d) => stdout.push(String(d)));
  child.stderr!.on('data', (d) => stderr.push(String(d)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
  clearTimeout(timer);
  return { code, stdout: stdout.join(''), stderr: stderr.join(''), ms: Date.now() - started };
}

describe('one process per SQLite database', () => {
  it('a second bot on the same file exits 1 with one clear message; the first keeps serving', async () => {
    const path = join(dir, 'bot.sqlite');
    first = await startChildBot({ slack, aws, databaseUrl: `file:${path}`, cwd: dir });
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);

    const second = await runSecond(`file:${path}`);
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(
      `The bot could not start: the SQLite database at ${path} is in use by another bot process; SQLite serves one process only — stop the other process, or use PostgreSQL (DATABASE_URL=postgres://…) to run several replicas.\n`,
    );
    // It gave up quickly (a second or two of waiting, plus the process's own start).
    expect(second.ms).toBeLessThan(10_000);
    // It never got as far as Slack or its HTTP port.
    expect(second.stdout).not.toContain('SES support bot is running');

    const health = await fetch(`${first.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    expect(first.child.exitCode).toBeNull();
  }, 40_000);

  it('a SIGKILLed bot leaves no lock behind: the next one starts on the same file', async () => {
    const url = `file:${join(dir, 'bot.sqlite')}`;
    first = await startChildBot({ slack, aws, databaseUrl: url, cwd: dir });
    await first.kill('SIGKILL');
    first = await startChildBot({ slack, aws, databaseUrl: url, cwd: dir });
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
  }, 40_000);
});
