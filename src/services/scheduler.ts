/**
 * The bot's background work, in one place and in order: what runs once at start-up, and what
 * runs every poll interval. The periodic work runs in one replica at a time, under a lease on
 * the database's clock that a heartbeat renews while the work runs; a step starts only while
 * the lease is still held, and the case sync checks it between batches too. When the holder
 * dies, the lease expires (twice the interval plus 5 seconds) and another replica takes over.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import type { Metrics } from '../metrics/metrics.js';

/** One piece of periodic work; `stillLeader` says whether this replica still holds the lease. */
export interface PeriodicStep {
  name: string;
  run(stillLeader: () => boolean): Promise<unknown>;
}

export interface Schedule {
  /** Run once, in order, before the bot says it is ready (recovering what a previous process left). */
  atStartup: PeriodicStep[];
  /** Run every interval, in order, by the replica holding the lease. */
  everyInterval: PeriodicStep[];
  /** Run every interval by every replica, before the lease is sought: state each process keeps for itself. */
  everyReplica?: PeriodicStep[];
}

/** The name of the lease; unchanged from earlier versions so old and new replicas never both lead. */
export const PERIODIC_WORK_LEASE = 'case-sync';
/** Slack between two intervals' leases: a replica late by this much does not lose its turn. */
const LEASE_SLACK_MS = 5_000;

export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  /** This process, as the lease's owner: host and pid, so an operator can tell which replica leads. */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  constructor(
    private readonly store: Store,
    private readonly intervalMs: number,
    private readonly schedule: Schedule,
    private readonly logger: Logger,
    /** Told whether this replica holds the lease after each try: it counts the takeovers (src/metrics/). */
    private readonly metrics?: Metrics,
  ) {}

  private leaseMs(): number {
    return this.intervalMs * 2 + LEASE_SLACK_MS;
  }

  private async holdLease(takeOver = false): Promise<boolean> {
    const held = await this.store.acquireLease(PERIODIC_WORK_LEASE, this.owner, this.leaseMs(), takeOver);
    this.metrics?.leaseHeld('periodic_work', held);
    return held;
  }

  /** The start-up steps; one that fails is logged and left to the periodic work to retry. */
  async startUp(): Promise<void> {
    for (const step of this.schedule.atStartup) {
      await step.run(() => true).catch((err: unknown) => this.logger.warn({ step: step.name, err: (err as Error).message }, 'a start-up step failed; the periodic work retries it'));
    }
  }

  start(): void {
    let first = true;
    const tick = async () => {
      if (this.stopped) return;
      this.running = this.leadOnce(first).catch((err: unknown) => this.logger.warn({ err: (err as Error).message }, 'periodic work failed; the next interval retries'));
      first = false;
      await this.running;
      if (!this.stopped) {
        this.timer = setTimeout(tick, this.intervalMs);
        this.timer.unref();
      }
    };
    void tick();
  }

  /** Waits for the interval's work under way, if any (tests, shutdown). */
  async idle(): Promise<void> {
    await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    // Let another replica take over at once rather than after the lease runs out.
    await this.store.releaseLease(PERIODIC_WORK_LEASE, this.owner).catch(() => undefined);
    this.metrics?.leaseHeld('periodic_work', false);
  }

  /** Runs every periodic step once, in order, without the lease; returns each step's result (tests, the benchmark). */
  async runOnce(): Promise<unknown[]> {
    const results: unknown[] = [];
    await this.ownWork();
    for (const step of this.schedule.everyInterval) results.push(await step.run(() => true));
    return results;
  }

  /** This replica's own steps; one that fails is logged, and the lease's work goes on. */
  private async ownWork(): Promise<void> {
    for (const step of this.schedule.everyReplica ?? []) {
      await step.run(() => true).catch((err: unknown) => this.logger.warn({ step: step.name, err: (err as Error).message }, 'a step of this replica failed; the next interval retries'));
    }
  }

  /**
   * One interval's work if this replica holds the lease. A heartbeat renews it every third of
   * its length while the work runs; once a renewal fails, no further step starts.
   */
  private async leadOnce(first: boolean): Promise<void> {
    await this.ownWork();
    // A database no other process shares: a lease left by a dead predecessor is ours at once.
    if (!(await this.holdLease(first && this.store.exclusive))) return;
    let held = true;
    const heartbeat = setInterval(() => {
      this.holdLease().then(
        (ok) => {
          held &&= ok;
        },
        () => {
          held = false;
        },
      );
    }, this.leaseMs() / 3);
    heartbeat.unref();
    try {
      for (const step of this.schedule.everyInterval) {
        if (!held) {
          this.logger.warn({ step: step.name }, 'lost the periodic-work lease; another replica carries on');
          return;
        }
        await step.run(() => held);
      }
    } finally {
      clearInterval(heartbeat);
    }
  }
}
