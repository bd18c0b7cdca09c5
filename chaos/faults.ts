/**
 * The soak's fault schedule, drawn from the seed: SIGKILL of a random replica every 20–60 s and
 * its restart; PostgreSQL stopped for 5–15 s once or twice; AWS calls failing (5xx, throttling,
 * timeouts, and "applied but the answer lost"); Slack answering 429 with Retry-After, 5xx, and
 * slowly (past the 3-second window the proxy keeps).
 */
import type { FilingMode, Rng, World } from './world.js';
import { sleep } from './world.js';

export type FaultKind =
  | 'replica SIGKILL'
  | 'PostgreSQL stopped'
  | 'AWS 5xx'
  | 'AWS throttling'
  | 'AWS timeout'
  | 'AWS applied, answer lost (connection dropped)'
  | 'AWS applied, answer 5xx'
  | 'Slack 429 + Retry-After'
  | 'Slack 5xx'
  | 'Slack slow answer';

const AWS_OPS = {
  writes: ['CreateCase', 'AddCommunicationToCase', 'ResolveCase', 'RequestServiceQuotaIncrease', 'CreateSupportCase'],
  reads: ['DescribeCases', 'DescribeCommunications', 'GetRequestedServiceQuotaChange', 'ListRequestedServiceQuotaChangeHistory', 'GetServiceQuota', 'GetAccount', 'ListDedicatedIpPools', 'GetDedicatedIps', 'DescribeServices', 'DescribeSeverityLevels'],
};
const SLACK_METHODS = ['chat.postMessage', 'chat.update', 'views.open', 'views.update', 'chat.postEphemeral'];

export class Faults {
  readonly counts: Partial<Record<FaultKind, number>> = {};
  readonly kills: { replica: string; at: string; downMs: number }[] = [];
  readonly outages: { at: string; ms: number }[] = [];
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  /** Restarts in flight (a replica down between its kill and its restart). */
  private restarting = new Set<Promise<void>>();

  constructor(
    private readonly w: World,
    private readonly rng: Rng,
    private readonly mode: () => FilingMode,
    private readonly log: (msg: string) => void,
  ) {}

  private count(kind: FaultKind): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
  }

  start(durationMs: number): void {
    this.loops.push(this.killLoop(), this.awsLoop(), this.slackLoop(), this.databaseOutages(durationMs));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    await Promise.all(this.restarting);
    this.w.clearFaults();
  }

  /** Waits `ms`, or less if the schedule stops meanwhile. */
  private async wait(ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (!this.stopped && Date.now() < end) await sleep(Math.min(250, end - Date.now()));
    return !this.stopped;
  }

  private async killLoop(): Promise<void> {
    while (await this.wait(this.rng.between(20_000, 60_000))) {
      const replica = this.rng.pick(this.w.replicas);
      if (!replica.bot) continue;
      const downMs = this.rng.between(500, 5000);
      this.count('replica SIGKILL');
      this.kills.push({ replica: replica.name, at: new Date().toISOString(), downMs: Math.round(downMs) });
      this.log(`SIGKILL replica ${replica.name} (pid ${replica.bot.child.pid}); back in ${(downMs / 1000).toFixed(1)} s`);
      await replica.stop('SIGKILL');
      const restart = (async () => {
        await sleep(downMs);
        await this.restartWhenPossible(replica.name);
      })();
      this.restarting.add(restart);
      void restart.finally(() => this.restarting.delete(restart));
    }
  }

  /** Starts a replica again once PostgreSQL is up (a bot refuses to start without its database). */
  async restartWhenPossible(name: string): Promise<void> {
    const replica = this.w.replicas.find((r) => r.name === name)!;
    for (let attempt = 0; attempt < 20 && !replica.bot; attempt++) {
      while (this.w.pg.down) await sleep(200);
      try {
        await replica.start(this.mode());
      } catch (err) {
        this.log(`replica ${name} did not start (${(err as Error).message.split('\n')[0]}); trying again`);
        await sleep(1000);
      }
    }
  }

  private async databaseOutages(durationMs: number): Promise<void> {
    const n = this.rng.chance(0.5) ? 2 : 1;
    const at = Array.from({ length: n }, (_, i) => this.rng.between(0.15 + i * 0.4, 0.45 + i * 0.4) * durationMs).sort((a, b) => a - b);
    const t0 = Date.now();
    for (const when of at) {
      if (!(await this.wait(t0 + when - Date.now()))) return;
      const ms = this.rng.between(5000, 15_000);
      this.count('PostgreSQL stopped');
      this.outages.push({ at: new Date().toISOString(), ms: Math.round(ms) });
      this.log(`PostgreSQL stopped for ${(ms / 1000).toFixed(1)} s`);
      await this.w.pg.stop();
      await sleep(ms);
      await this.w.pg.start();
      this.log('PostgreSQL back');
    }
  }

  private async awsLoop(): Promise<void> {
    while (await this.wait(this.rng.between(1500, 5000))) {
      const write = this.rng.chance(0.5);
      const operation = this.rng.pick(write ? AWS_OPS.writes : AWS_OPS.reads);
      if (this.w.aws.pendingFaults().filter((f) => f.key === operation).length >= 2) continue;
      const kind = this.rng.weighted<FaultKind>({
        'AWS 5xx': 3,
        'AWS throttling': 2,
        'AWS timeout': 1,
        'AWS applied, answer lost (connection dropped)': write ? 3 : 1,
        'AWS applied, answer 5xx': write ? 2 : 0,
      } as Record<FaultKind, number>);
      this.count(kind);
      switch (kind) {
        case 'AWS 5xx':
          this.w.aws.inject(operation, { status: this.rng.pick([500, 503]) });
          break;
        case 'AWS throttling':
          this.w.aws.inject(operation, { status: 429, times: this.rng.int(1, 3) });
          break;
        case 'AWS timeout':
          // Longer than the bot's 15 s request timeout (5 s for SES reads): the call is never answered in time.
          this.w.aws.inject(operation, { delayMs: 16_000, status: 500 });
          break;
        case 'AWS applied, answer lost (connection dropped)':
          this.w.aws.inject(operation, { afterHandling: true, dropConnection: true, delayMs: this.rng.int(0, 500) });
          break;
        case 'AWS applied, answer 5xx':
          this.w.aws.inject(operation, { afterHandling: true, status: 500 });
          break;
        default:
          break;
      }
    }
  }

  private async slackLoop(): Promise<void> {
    while (await this.wait(this.rng.between(2000, 6000))) {
      const method = this.rng.pick(SLACK_METHODS);
      if (this.w.slack.pendingFaults().filter((f) => f.key === method).length >= 2) continue;
      const kind = this.rng.weighted<FaultKind>({ 'Slack 429 + Retry-After': 3, 'Slack 5xx': 2, 'Slack slow answer': 2 } as Record<FaultKind, number>);
      this.count(kind);
      if (kind === 'Slack 429 + Retry-After') this.w.slack.inject(method, { status: 429, retryAfterSeconds: this.rng.int(1, 3) });
      else if (kind === 'Slack 5xx') this.w.slack.inject(method, { status: this.rng.pick([500, 503]) });
      // Slow but within the bot's 10 s Slack timeout: a handler waiting on it answers Slack late.
      else this.w.slack.inject(method, { delayMs: this.rng.int(3200, 6000) });
    }
  }
}
