/**
 * The bot as an operator runs it: a real process started from src/main.ts, its exit codes,
 * its one-message configuration errors, its health check and its logs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAws } from '../fakes/fake-aws.js';
import { FakeSlack } from '../fakes/fake-slack.js';
import { SlackRequester } from '../helpers/slack-requests.js';
import { AWS_KEY_ID, AWS_SECRET, BOT_TOKEN, SIGNING_SECRET } from '../helpers/harness.js';

const MAIN = resolve(import.meta.dirname, '../../src/main.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

interface Run {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

/** Starts the bot in an empty folder (so no developer's .env is read) with exactly `env`. */
function run(env: Record<string, string>, cwd: string): Run {
  const child = spawn(process.execPath, ['--import', TSX, MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout!.on('data', (d) => stdout.push(String(d)));
  child.stderr!.on('data', (d) => stderr.push(String(d)));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, stdout, stderr, exited };
}

async function untilHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await fetch(url).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ses-bot-proc-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('configuration errors', () => {
  it('stops with exit code 1 and one readable message naming every bad variable', async () => {
    const bot = run({ SLACK_BOT_TOKEN: 'xoxp-not-a-bot-token', PORT: 'eighty', LOG_LEVEL: 'chatty', DATABASE_URL: 'mysql://db' }, dir);
    expect(await bot.exited).toBe(1);
    const err = bot.stderr.join('');
    expect(err).toContain('The bot cannot start: fix these settings');
    for (const variable of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'PORT', 'LOG_LEVEL', 'DATABASE_URL']) {
      expect(err).toMatch(new RegExp(`^  - ${variable}: `, 'm'));
    }
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
    expect(err).not.toContain('xoxp-not-a-bot-token');
    expect(bot.stdout.join('')).toBe('');
  });

  it('says so when Slack rejects the bot token, and exits 1', async () => {
    const slack = new FakeSlack();
    await slack.start();
    try {
      slack.inject('auth.test', { error: 'invalid_auth' });
      const bot = run({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0', DATABASE_URL: `file:${join(dir, 'a.sqlite')}` }, dir);
      expect(await bot.exited).toBe(1);
      expect(bot.stderr.join('')).toContain('Slack rejected SLACK_BOT_TOKEN (invalid_auth)');
    } finally {
      await slack.stop();
    }
  });
});

describe('the database', () => {
  it('unreachable at start-up: one readable line, exit 1, no password in it', async () => {
    const bot = run(
      { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, PORT: '0', DATABASE_URL: 'postgres://ses:S3cretDbPassword@127.0.0.1:1/ses' },
      dir,
    );
    expect(await bot.exited).toBe(1);
    const err = bot.stderr.join('');
    expect(err).toMatch(/^The bot could not start: cannot use the PostgreSQL database at postgres:\/\/ses:\*\*\*@127\.0\.0\.1:1\/ses \(.*ECONNREFUSED.*\)\. Check DATABASE_URL and that the server is up\.\n$/);
    expect(bot.stdout.join('') + err).not.toContain('S3cretDbPassword');
  });
});

describe('a running bot in HTTP mode', () => {
  const slack = new FakeSlack();
  const aws = new FakeAws();
  let bot: Run;
  let base: string;

  beforeAll(async () => {
    await Promise.all([slack.start(), aws.start()]);
    bot = run(
      {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        PORT: '0',
        DATABASE_URL: `file:${join(dir, 'bot.sqlite')}`,
        AWS_ENDPOINT_URL_SUPPORT: aws.url,
        AWS_ENDPOINT_URL_SESV2: aws.url,
        AWS_ACCESS_KEY_ID: AWS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: AWS_SECRET,
        AWS_REGION: 'eu-west-1',
      },
      dir,
    );
    // PORT=0 takes a free port; the bot logs which one.
    const started = await slack.waitFor(() => bot.stdout.join('').match(/"port":(\d+)[^\n]*SES support bot is running/) ?? undefined, 15_000, 'the start-up log line');
    base = `http://127.0.0.1:${started[1]}`;
    await untilHealthy(`${base}/healthz`, 5_000);
  }, 30_000);

  afterAll(async () => {
    bot.child.kill('SIGTERM');
    await bot.exited;
    await Promise.all([slack.stop(), aws.stop()]);
  });

  it('answers /healthz with 200 once ready', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('refuses requests that Slack did not sign, or signed more than five minutes ago', async () => {
    const requester = new SlackRequester(base, SIGNING_SECRET);
    const body = 'command=%2Fses-quota&user_id=U1&channel_id=C1&trigger_id=t';
    const forged = await requester.raw(body, 'application/x-www-form-urlencoded', { signature: 'v0=' + '0'.repeat(64) });
    expect(forged.status).toBe(401);
    const stale = await requester.raw(body, 'application/x-www-form-urlencoded', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(401);
    expect(slack.callsTo('views.open')).toHaveLength(0);
  });

  it('opens the modal for a signed command and preselects the bot\'s AWS region', async () => {
    const requester = new SlackRequester(base, SIGNING_SECRET);
    const res = await requester.command({ command: '/ses-quota', userId: 'U0REQUEST', channelId: 'C0SESOPS' });
    expect(res.status).toBe(200);
    const opened = await slack.waitForCall('views.open');
    const region = opened.args.view.blocks.find((b: any) => b.block_id === 'row:0:region');
    expect(region.element.initial_option.value).toBe('eu-west-1');
    await aws.waitForCall('GetAccount', (c) => c.region === 'eu-west-1');
  });

  it('logs JSON lines without the tokens, secrets or AWS keys it was given', () => {
    const lines = bot.stdout.join('').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const all = lines.join('\n');
    expect(all).toContain('SES support bot is running');
    for (const secret of [BOT_TOKEN, SIGNING_SECRET, AWS_SECRET]) expect(all).not.toContain(secret);
  });
});
