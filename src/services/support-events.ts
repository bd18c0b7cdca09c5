/**
 * Push: AWS Support's case events, from EventBridge through SQS, bring a case's news into its
 * thread within seconds. Every replica long-polls each queue; an event for a case the bot
 * follows syncs that case at once through the case sync's own steps (so a reply seen by push and
 * by the poll is posted once). A message is deleted only once its case's sync is recorded;
 * otherwise SQS hands it out again after its visibility timeout. Events are best effort: while
 * the queues work the full poll still runs every POLL_FALLBACK_SECONDS, and at the poll interval
 * again once receiving has failed for two long polls.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { QueueMessage, SupportEventsQueue } from '../aws/support-events-queue.js';
import { DEFAULT_ACCOUNT } from '../domain/accounts.js';
import type { StoredRequest } from '../domain/request.js';
import { eventShown, LAG_RECEIVES, MAX_RECEIVES, parseSupportEvent, type SupportCaseEvent } from '../domain/support-event.js';
import { accountKey, accountOfKey } from '../domain/accounts.js';
import type { SupportCase } from '../aws/support-gateway.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import { groupBy } from '../domain/common.js';
import type { CaseSync } from './case-sync.js';

export interface SupportEventsSettings {
  /** While every queue works, the full case poll runs this often. */
  fallbackMs: number;
  /** Each ReceiveMessage's long poll; failing for two of them hands the work back to the poll. */
  waitSeconds: number;
}

/** A queue as /healthz shows it (its name, not its URL). */
export interface QueueHealth {
  queue: string;
  receiving: boolean;
  failingSince?: string;
}

/** The longest pause between two failed receives. */
const MAX_BACKOFF_MS = 20_000;

export class SupportEvents {
  private readonly receivers: QueueReceiver[];
  private lastFullPoll: number | undefined;

  constructor(
    queues: { queue: SupportEventsQueue; account: string | undefined }[],
    store: Store,
    sync: CaseSync,
    private readonly settings: SupportEventsSettings,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.receivers = queues.map(({ queue, account }) => new QueueReceiver(queue, account, store, sync, logger.child({ queue: queue.name }), now));
  }

  get configured(): boolean {
    return this.receivers.length > 0;
  }

  /** Starts one receiver per queue, without waiting for AWS. */
  start(): void {
    for (const r of this.receivers) r.start();
    if (this.configured) this.logger.info({ queues: this.receivers.map((r) => r.queue.name) }, 'receiving AWS Support events');
  }

  async stop(): Promise<void> {
    await Promise.all(this.receivers.map((r) => r.stop()));
  }

  /** True while every queue receives, or has failed for less than two long polls. */
  healthy(): boolean {
    return this.receivers.every((r) => this.receiving(r));
  }

  private receiving(r: QueueReceiver): boolean {
    return r.failingSince === undefined || this.now() - r.failingSince <= 2 * this.settings.waitSeconds * 1000;
  }

  /**
   * Whether an account's events arrive: through a shared queue that receives (every account's
   * events may come through it), or through the account's own queue that receives.
   */
  covers(account: string): boolean {
    return this.receivers.some((r) => (r.account === undefined || r.account === account) && this.receiving(r));
  }

  /** Whether the full case poll of every account should run now: without push, at start, or every fallback period. */
  fullPollDue(): boolean {
    if (!this.configured || this.lastFullPoll === undefined) return true;
    return this.now() - this.lastFullPoll >= this.settings.fallbackMs;
  }

  fullPollRan(): void {
    this.lastFullPoll = this.now();
  }

  /** For /healthz; undefined without queues. */
  health(): { healthy: boolean; queues: QueueHealth[] } | undefined {
    if (!this.configured) return undefined;
    return {
      healthy: this.healthy(),
      queues: this.receivers.map((r) => ({
        queue: r.queue.name,
        receiving: r.failingSince === undefined,
        ...(r.failingSince === undefined ? {} : { failingSince: new Date(r.failingSince).toISOString() }),
      })),
    };
  }

  destroy(): void {
    for (const r of this.receivers) r.queue.destroy();
  }
}

/** A message and the event in it, with the request it is about. */
interface Delivery {
  message: QueueMessage;
  event: SupportCaseEvent;
  request: StoredRequest;
}

class QueueReceiver {
  failingSince: number | undefined;
  private hasDeadLetterQueue: boolean | undefined;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    readonly queue: SupportEventsQueue,
    /** The account whose queue it is (AWS_ACCOUNTS_FILE), or undefined for the shared queue. */
    readonly account: string | undefined,
    private readonly store: Store,
    private readonly sync: CaseSync,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /** Starts receiving; nothing here waits for AWS (start-up goes on). */
  start(): void {
    this.loop = this.run();
  }

  /**
   * Whether the queue has a dead-letter queue (its redrive policy), read once it can be: until
   * then a message that keeps failing is left to come back rather than deleted.
   */
  private async deadLetterQueue(): Promise<boolean | undefined> {
    if (this.hasDeadLetterQueue !== undefined) return this.hasDeadLetterQueue;
    try {
      this.hasDeadLetterQueue = await this.queue.hasDeadLetterQueue();
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not read the queue\'s redrive policy; asked again when a message keeps failing');
    }
    return this.hasDeadLetterQueue;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    let backoffMs = 1_000;
    while (!this.abort.signal.aborted) {
      let messages: QueueMessage[];
      try {
        messages = await this.queue.receive(this.abort.signal);
      } catch (err) {
        if (this.abort.signal.aborted) return;
        if (this.failingSince === undefined) this.logger.warn({ err: (err as Error).message }, 'cannot receive AWS Support events; the case poll covers them meanwhile');
        this.failingSince ??= this.now();
        await sleep(backoffMs, undefined, { signal: this.abort.signal }).catch(() => undefined);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
        continue;
      }
      if (this.failingSince !== undefined) this.logger.info('receiving AWS Support events again');
      this.failingSince = undefined;
      backoffMs = 1_000;
      await this.handle(messages).catch((err: unknown) => this.logger.warn({ err: (err as Error).message }, 'could not handle AWS Support events; SQS hands them out again'));
    }
  }

  /**
   * Syncs the cases the messages are about, one DescribeCases per account, then deletes each
   * message whose news the sync saw. One whose news AWS does not show yet (its API may lag its
   * events) is left to come back after the queue's visibility timeout, a few times at most.
   */
  private async handle(messages: QueueMessage[]): Promise<void> {
    const deliveries = await this.deliveries(messages);
    const byAccount = groupBy(deliveries, (d) => accountKey(d.request));
    await Promise.all(
      [...byAccount].map(async ([key, group]) => {
        const account = accountOfKey(key);
        const caseIds = [...new Set(group.map((d) => d.event.caseId))];
        let synced: { posts: number; cases: SupportCase[] };
        try {
          synced = await this.sync.syncNow(account, caseIds);
          this.logger.info({ account: account.accountName, cases: caseIds.length, events: group.map((d) => d.event.eventName), posts: synced.posts }, 'synced cases on AWS Support events');
        } catch (err) {
          this.logger.warn({ account: account.accountName, cases: caseIds.length, err: (err as Error).message }, 'could not sync cases on their events; SQS hands the events out again');
          return;
        }
        const shown = new Map(synced.cases.map((c) => [c.caseId, c]));
        await Promise.all(
          group.map((d) => {
            if (eventShown(d.event, shown.get(d.event.caseId)) || d.message.receiveCount >= LAG_RECEIVES) return this.delete(d.message);
            this.logger.info({ messageId: d.message.id, caseId: d.event.caseId, event: d.event.eventName }, 'AWS does not show this event\'s news yet; it comes back after the queue\'s visibility timeout');
            return undefined;
          }),
        );
      }),
    );
  }

  /** The messages about cases the bot follows; every other message is deleted here, with a reason logged. */
  private async deliveries(messages: QueueMessage[]): Promise<Delivery[]> {
    const parsed: { message: QueueMessage; event: SupportCaseEvent }[] = [];
    for (const message of messages) {
      if (message.receiveCount > MAX_RECEIVES && (await this.deadLetterQueue()) === false) {
        this.logger.warn({ messageId: message.id, receiveCount: message.receiveCount }, 'an AWS Support event failed too often; deleted (the case poll covers its case)');
        await this.delete(message);
        continue;
      }
      const event = parseSupportEvent(message.body);
      // Logged once, by id: the body is AWS's and may hold anything.
      if (!event) {
        this.logger.warn({ messageId: message.id }, 'a queue message is not an AWS Support case event; deleted');
        await this.delete(message);
        continue;
      }
      parsed.push({ message, event });
    }
    const requests = await this.requestsByCase(parsed.map((p) => p.event.caseId));
    const out: Delivery[] = [];
    for (const { message, event } of parsed) {
      const request = requests.get(event.caseId);
      if (!request || !this.sameAccount(request, event)) {
        this.logger.debug({ messageId: message.id, caseId: event.caseId }, 'an event for a case the bot does not follow; deleted');
        await this.delete(message);
        continue;
      }
      out.push({ message, event, request });
    }
    return out;
  }

  /** A case id names a request's case, or another case it follows. */
  private async requestsByCase(caseIds: string[]): Promise<Map<string, StoredRequest>> {
    const ids = [...new Set(caseIds)];
    const found = new Map((await this.store.getRequestsByCaseIds(ids)).map((r) => [r.caseId!, r]));
    if (found.size < ids.length) for (const f of await this.store.getFollowedCases(ids)) found.set(f.followed.caseId, f.request);
    return found;
  }

  /**
   * The event is the request's account's, by the account id it names. Whichever queue it came
   * through, the case is then read with the request's own account's credentials.
   */
  private sameAccount(request: StoredRequest, event: SupportCaseEvent): boolean {
    return !(event.account && request.accountName !== DEFAULT_ACCOUNT && request.accountId && event.account !== request.accountId);
  }

  private async delete(message: QueueMessage): Promise<void> {
    // A delete that fails is redelivered and synced again: the sync's keys make that harmless.
    await this.queue.delete(message).catch((err: unknown) => this.logger.warn({ messageId: message.id, err: (err as Error).message }, 'could not delete a handled event; it comes back and is synced again, harmlessly'));
  }
}
