/** The processes under test: the bot's production build and the bare Bolt app it is compared with. */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { RunContext } from './context.js';
import type { FakesClient } from './lib/fakes-client.js';
import { clock, startChild, stopChild, waitHealthy, type Child } from './lib/procs.js';
import { freePort } from '../test/helpers/free-port.js';
import { BOT_TOKEN, ROOT, SIGNING_SECRET, productionNodeOptions } from './settings.js';

export interface Running {
  child: Child;
  port: number;
  startupMs: number;
}

export class Apps {
  /** Every start of the bot: what it was for, how many cases its database held, and ms to /healthz 200. */
  readonly startups: { label: string; cases: number; ms: number }[] = [];
  /** Warnings and errors the bots logged, one line each. */
  readonly botWarnings: string[] = [];

  constructor(
    private readonly ctx: RunContext,
    private readonly fakes: FakesClient,
  ) {}

  /**
   * Starts `node dist/main.js` in HTTP mode on a SQLite database, and waits for /healthz.
   * `extraEnv` adds to (or overrides) the bot's environment, e.g. SUPPORT_EVENTS_QUEUE_URL.
   */
  async startBot(label: string, db: string, cases: number, pollSeconds: number, extraEnv: Record<string, string> = {}): Promise<Running> {
    const port = await freePort();
    const dir = mkdtempSync(join(this.ctx.work, 'bot-'));
    const env: NodeJS.ProcessEnv = {
      ...this.ctx.baseEnv,
      NODE_ENV: 'production',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      // Empty, so that a developer's .env can never switch the bench to Socket Mode (dotenv does
      // not override a variable that is set; the bot also runs from an empty directory).
      SLACK_APP_TOKEN: '',
      SLACK_API_URL: this.fakes.info.slackApiUrl,
      PORT: String(port),
      DATABASE_URL: `file:${db}`,
      LOG_LEVEL: 'warn',
      LOG_PRETTY: 'false',
      POLL_INTERVAL_SECONDS: String(pollSeconds),
      QUOTA_FILING: 'support-case',
      AWS_ENDPOINT_URL_SUPPORT: this.fakes.info.awsUrl,
      AWS_ENDPOINT_URL_SESV2: this.fakes.info.awsUrl,
      AWS_ENDPOINT_URL_SQS: this.fakes.info.awsUrl,
      AWS_ACCESS_KEY_ID: 'AKIAFAKEBENCHKEY1234',
      AWS_SECRET_ACCESS_KEY: 'fakeAwsSecretAccessKeyForBench0123456789',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
      ...extraEnv,
    };
    const t0 = clock();
    const child = startChild(`bot[${label}]`, process.execPath, [...productionNodeOptions(), ...this.ctx.botNodeArgs, join(ROOT, 'dist/main.js')], { env, cwd: dir });
    const healthyAt = await waitHealthy(`http://127.0.0.1:${port}/healthz`, child, Math.min(30_000, this.ctx.timeLeft()));
    const startupMs = healthyAt - t0;
    this.startups.push({ label, cases, ms: startupMs });
    this.ctx.log(`${child.name} healthy on port ${port} after ${startupMs.toFixed(0)} ms`);
    return { child, port, startupMs };
  }

  async stopBot(bot: Running): Promise<void> {
    await stopChild(bot.child, 8000);
    this.collectWarnings(bot.child);
  }

  /**
   * Starts bench/bare-bolt.ts: Bolt alone, acking the same requests; with `sameCallsFile` (a
   * SameCalls JSON file), also making the bot's outbound Slack calls with the bot's views.
   */
  async startBare(sameCallsFile?: string): Promise<Running> {
    const port = await freePort();
    const env = {
      ...this.ctx.baseEnv,
      NODE_ENV: 'production',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: this.fakes.info.slackApiUrl,
      PORT: String(port),
      ...(sameCallsFile ? { BARE_SAME_CALLS: sameCallsFile } : {}),
    };
    const t0 = clock();
    const name = sameCallsFile ? 'same-calls' : 'bare-bolt';
    // With the bot's own node options: the ratios are to isolate the bot's own work, not V8's settings.
    const child = startChild(name, process.execPath, [...productionNodeOptions(), '--import', 'tsx', join(ROOT, 'bench/bare-bolt.ts')], { env, cwd: ROOT });
    const healthyAt = await waitHealthy(`http://127.0.0.1:${port}/healthz`, child, Math.min(30_000, this.ctx.timeLeft()));
    this.ctx.log(`${name} Bolt app healthy on port ${port} after ${(healthyAt - t0).toFixed(0)} ms`);
    return { child, port, startupMs: healthyAt - t0 };
  }

  private collectWarnings(child: Child): void {
    for (const line of child.lines) {
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string; err?: unknown };
        if ((entry.level ?? 0) >= 40) {
          this.botWarnings.push(`${child.name}: ${entry.msg ?? ''}${entry.err ? ` (${String(typeof entry.err === 'string' ? entry.err : JSON.stringify(entry.err)).slice(0, 120)})` : ''}`);
        }
      } catch {
        if (line.trim()) this.botWarnings.push(`${child.name}: ${line.slice(0, 160)}`);
      }
    }
  }
}
