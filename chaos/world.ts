/**
 * The soak's world: the fakes (in this process, so that their complete record is at hand for the
 * checks), the PostgreSQL server, the two bot replicas (child processes, restarted after each
 * kill) and the proxy in front of them. Also the seeded random source everything draws from.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeAws } from '../test/fakes/fake-aws.js';
import { FakeSlack, type SlackObject } from '../test/fakes/fake-slack.js';
import { startChildBot, type ChildBot } from '../test/helpers/child-bot.js';
import { SIGNING_SECRET } from '../test/helpers/harness.js';
import { standardPool, warm } from '../test/helpers/dedicated-ip-fixtures.js';
import { SlackRequester } from '../test/helpers/slack-requests.js';
import { PgServer } from './postgres.js';
import { SlackProxy } from './proxy.js';

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  between(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }
  int(lo: number, hi: number): number {
    return Math.floor(this.between(lo, hi + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  weighted<T extends string>(weights: Record<T, number>): T {
    const entries = Object.entries(weights) as [T, number][];
    let r = this.next() * entries.reduce((n, [, w]) => n + w, 0);
    for (const [k, w] of entries) if ((r -= w) < 0) return k;
    return entries.at(-1)![0];
  }
}

export type FilingMode = 'support-case' | 'service-quotas';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** The relinquishable addresses of the fake's eu-west-1 inventory. */
export const ADDRESSES = Array.from({ length: 90 }, (_, i) => `198.51.100.${i + 10}`);

export interface Death {
  replica: string;
  pid: number;
  code: number | null;
  signal: string | null;
  at: string;
  tail: string;
}

export class Replica {
  bot: ChildBot | undefined;
  starts = 0;
  private expectExit = false;
  constructor(
    readonly name: string,
    private readonly world: World,
  ) {}

  get url(): string | undefined {
    return this.bot?.url;
  }

  private starting: Promise<void> | undefined;

  /** Starts it unless it runs or is starting (a kill's restart and the mode switch may meet). */
  start(mode: FilingMode): Promise<void> {
    if (this.bot) return Promise.resolve();
    this.starting ??= this.launch(mode).finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async launch(mode: FilingMode): Promise<void> {
    this.expectExit = false;
    const bot = await startChildBot({
      slack: this.world.slack,
      aws: this.world.aws,
      databaseUrl: this.world.pg.databaseUrl,
      cwd: this.world.dir,
      env: { QUOTA_FILING: mode },
    });
    this.starts += 1;
    this.bot = bot;
    bot.child.once('exit', (code, signal) => {
      if (this.bot === bot) this.bot = undefined;
      if (!this.expectExit) {
        this.world.deaths.push({ replica: this.name, pid: bot.child.pid ?? 0, code, signal, at: new Date().toISOString(), tail: bot.output.join('').slice(-3000) });
      }
      this.world.noteOutput(bot.output.join(''));
    });
  }

  /** Ends it on purpose (the schedule's SIGKILL, or SIGTERM at the end). */
  async stop(signal: NodeJS.Signals): Promise<void> {
    const bot = this.bot;
    if (!bot) return;
    this.expectExit = true;
    await bot.kill(signal);
  }
}

export class World {
  readonly slack = new FakeSlack();
  readonly aws = new FakeAws();
  readonly pg = new PgServer();
  readonly dir = mkdtempSync(join(tmpdir(), 'ses-bot-chaos-'));
  readonly deaths: Death[] = [];
  readonly replicas: Replica[] = [new Replica('A', this), new Replica('B', this)];
  /** Each trigger_id's modal, as views.open answered it. */
  readonly viewByTrigger = new Map<string, string>();
  /** How many times each modal was updated. */
  readonly viewUpdates = new Map<string, number>();
  /** Log lines of level error (50) and above, over every replica's life. */
  readonly botErrors: string[] = [];
  proxy!: SlackProxy;
  requester!: SlackRequester;

  constructor(readonly rng: Rng) {}

  async start(mode: FilingMode): Promise<void> {
    await Promise.all([this.slack.start(), this.aws.start(), this.pg.init()]);
    // The soak files far more than AWS's 10 cases an hour; the limit is not what it tests.
    this.aws.caseCreationLimitPerHour = 1_000_000;
    this.aws.setDedicatedIps('eu-west-1', [standardPool('marketing', ADDRESSES.map(warm))]);
    for (const region of ['us-east-1', 'eu-west-1', 'us-west-2']) {
      this.aws.setAccount(region, { SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 }, ProductionAccessEnabled: true });
      this.aws.setQuotaValue(region, 'L-804C8AE8', 50_000);
      this.aws.setQuotaValue(region, 'L-CDEF9B6B', 14);
    }
    this.watchViews();
    this.proxy = new SlackProxy(() => this.replicas.map((r) => r.url), { both: () => this.rng.chance(0.08), twice: () => this.rng.chance(0.1) });
    await this.proxy.start();
    this.requester = new SlackRequester(this.proxy.url, SIGNING_SECRET, { responseUrl: (id) => this.slack.responseUrl(id) });
    // Started together: both apply the migrations under Kysely's lock.
    await Promise.all(this.replicas.map((r) => r.start(mode)));
  }

  /** Which modal each trigger opened, and how often each modal was redrawn (the fake keeps neither). */
  private watchViews(): void {
    const fake = this.slack as unknown as { openView(m: string, a: SlackObject): SlackObject; updateView(a: SlackObject): SlackObject };
    const open = fake.openView.bind(fake);
    const update = fake.updateView.bind(fake);
    fake.openView = (method, args) => {
      const out = open(method, args);
      if (out.ok && typeof args.trigger_id === 'string') this.viewByTrigger.set(args.trigger_id, out.view.id);
      return out;
    };
    fake.updateView = (args) => {
      const out = update(args);
      if (out.ok) this.viewUpdates.set(out.view.id, (this.viewUpdates.get(out.view.id) ?? 0) + 1);
      return out;
    };
  }

  noteOutput(text: string): void {
    for (const line of text.split('\n')) if (/"level":(50|60)/.test(line) && this.botErrors.length < 500) this.botErrors.push(line.slice(0, 600));
  }

  clearFaults(): void {
    this.slack.clearFaults();
    this.aws.clearFaults();
  }

  async close(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.stop('SIGTERM').catch(() => undefined)));
    await this.proxy?.stop().catch(() => undefined);
    await Promise.all([this.slack.stop(), this.aws.stop()]).catch(() => undefined);
    await this.pg.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
