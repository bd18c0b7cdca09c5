/**
 * Drains the thread outbox, one independent loop per channel: a channel waiting out a Slack
 * rate limit never holds up the others (the Web API client rejects a 429 at once instead of
 * pausing its shared queue; the wait is kept here, per channel). Each post is claimed by this
 * process's token before it is sent, so replicas sharing the database never send the same post
 * twice, and the claim outlasts the longest time the Slack client can take with one post.
 * A post that fails is tried again with backoff; one Slack refuses for good, or that failed
 * too often, is dead-lettered and reported once, and never blocks the posts after it.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger.js';
import { toSlackError, type SlackMessenger } from '../slack/messenger.js';
import { plainNotice } from '../slack/views/thread-messages.js';
import type { SlackMessage } from '../slack/views/root-message.js';
import type { NewThreadPost, Store, ThreadPost } from '../store/store.js';
import type { StoredRequest } from '../domain/request.js';
import { SLACK_CALL_MAX_MS } from '../slack/client-options.js';
import type { Metrics } from '../metrics/metrics.js';

/** A claim must outlast the Slack client's longest call (timeouts and its own retries) with room to spare. */
export const POST_CLAIM_MS = Math.max(120_000, 3 * SLACK_CALL_MAX_MS);
/** Failed tries (rate limits not counted) before a post is dead-lettered. */
export const MAX_POST_ATTEMPTS = 8;
const MAX_BACKOFF_MS = 5 * 60_000;
/** After a database error the channel is tried again this much later. */
const STORE_RETRY_MS = 5_000;

/** A message for a request's thread under its outbox key; with `updateTs`, a redraw of that message (the root). */
export interface ThreadNotice {
  key: string;
  message: SlackMessage & { updateTs?: string };
}

/** The outbox rows for notices in a request's thread (none before it has a root to reply to). */
export function threadPosts(request: Pick<StoredRequest, 'id' | 'channelId' | 'rootTs'>, notices: readonly ThreadNotice[]): NewThreadPost[] {
  const threadTs = request.rootTs;
  if (!threadTs) return [];
  return notices.map(({ key, message }) => ({ contentKey: key, requestId: request.id, channelId: request.channelId, threadTs, message }));
}

export class ThreadPoster {
  private readonly draining = new Map<string, Promise<void>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Channels waiting out a Slack rate limit, until this time (this process's clock: a local wait only). */
  private readonly pausedUntil = new Map<string, number>();
  private stopped = false;
  /**
   * Posts Slack took whose outcome the database did not record (it failed just then): recorded
   * first on the channel's next drain, while our claim still holds, so they are never sent again.
   */
  private readonly unrecorded = new Map<string, { channelId: string; ts: string }>();
  /** This process, as the owner of its claims. */
  readonly owner = `poster:${randomBytes(6).toString('hex')}`;

  constructor(
    private readonly store: Store,
    private readonly slack: SlackMessenger,
    private readonly logger: Logger,
    private readonly retryBaseMs = 1000,
    /** Counts each send's outcome, dead letters included (src/metrics/). */
    private readonly metrics?: Metrics,
  ) {}

  /** Starts draining a channel's outbox unless it is already being drained or waits out a rate limit. */
  kick(channelId: string): void {
    if (this.stopped || this.draining.has(channelId)) return;
    const paused = (this.pausedUntil.get(channelId) ?? 0) - Date.now();
    if (paused > 0) return this.schedule(channelId, paused);
    // Every failure is caught here: a database error (a failover) delays the channel, never ends the process.
    const run = this.drain(channelId)
      .catch((err: unknown) => {
        this.logger.warn({ err: (err as Error).message, channel: channelId, retryInMs: STORE_RETRY_MS }, 'thread outbox unavailable; will retry');
        this.schedule(channelId, STORE_RETRY_MS);
      })
      .finally(() => this.draining.delete(channelId));
    this.draining.set(channelId, run);
  }

  async kickAll(): Promise<void> {
    for (const channel of await this.store.channelsWithPendingPosts()) this.kick(channel);
  }

  /** Resolves once no channel is being drained (pending retries may still be scheduled). */
  async idle(): Promise<void> {
    while (this.draining.size) await Promise.allSettled([...this.draining.values()]);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(channelId: string, delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(channelId));
    const timer = setTimeout(() => {
      this.timers.delete(channelId);
      this.kick(channelId);
    }, Math.max(0, delayMs));
    timer.unref();
    this.timers.set(channelId, timer);
  }

  private async drain(channelId: string): Promise<void> {
    for (const [contentKey, done] of this.unrecorded) {
      if (done.channelId !== channelId) continue;
      await this.record(contentKey, channelId, done.ts);
      this.unrecorded.delete(contentKey);
    }
    for (;;) {
      if (this.stopped) return;
      const post = await this.store.claimNextPost(channelId, this.owner, POST_CLAIM_MS);
      if (!post) {
        // Posts waiting out a backoff (or held by another replica's claim) are tried when due.
        const due = await this.store.nextPostDueIn(channelId);
        if (due !== undefined) this.schedule(channelId, due + 50);
        return;
      }
      if (!(await this.send(channelId, post))) return;
    }
  }

  /** Sends one claimed post; false when the channel must pause (a rate limit). */
  private async send(channelId: string, post: ThreadPost): Promise<boolean> {
    const message = post.message as SlackMessage & { updateTs?: string };
    let ts: string;
    try {
      if (message.updateTs) {
        await this.slack.update(channelId, message.updateTs, message);
        ts = message.updateTs;
      } else {
        ts = await this.slack.post(channelId, message, post.threadTs);
      }
    } catch (err) {
      return this.failed(channelId, post, err);
    }
    try {
      await this.record(post.contentKey, channelId, ts);
      this.metrics?.outboxSend('posted');
    } catch (err) {
      this.unrecorded.set(post.contentKey, { channelId, ts });
      throw err;
    }
    return true;
  }

  private async record(contentKey: string, channelId: string, ts: string): Promise<void> {
    if (!(await this.store.markPosted(contentKey, this.owner, ts))) {
      // Our claim ran out while Slack answered and another replica took the post over.
      this.logger.error({ key: contentKey, channel: channelId }, 'a thread post was sent after its claim was lost; it may appear twice');
    }
  }

  private async failed(channelId: string, post: ThreadPost, err: unknown): Promise<boolean> {
    const error = toSlackError(err);
    const log = { code: error.code, channel: channelId, key: post.contentKey, attempts: post.attempts + 1 };
    if (error.code === 'ratelimited') {
      const waitMs = Math.max(1, error.retryAfterSec ?? 1) * 1000;
      this.pausedUntil.set(channelId, Date.now() + waitMs);
      await this.store.deferPost(post.contentKey, this.owner, waitMs, error.code, false);
      this.metrics?.outboxSend('ratelimited');
      this.logger.info({ ...log, retryInMs: waitMs }, 'Slack rate-limited this channel; its posts wait, other channels go on');
      this.schedule(channelId, waitMs);
      return false;
    }
    if (!error.transient || post.attempts + 1 >= MAX_POST_ATTEMPTS) {
      if (await this.store.deadLetterPost(post.contentKey, this.owner, error.code)) {
        this.metrics?.outboxSend('dead_lettered');
        await this.reportDead(post, error.code);
      }
      return true;
    }
    const delay = Math.min(MAX_BACKOFF_MS, this.retryBaseMs * 2 ** Math.min(post.attempts, 16));
    await this.store.deferPost(post.contentKey, this.owner, delay, error.code, true);
    this.metrics?.outboxSend('retry');
    this.logger.warn({ ...log, retryInMs: delay }, 'thread post failed; will retry');
    return true;
  }

  /** Says once that a message will never reach its thread: in the log, and privately to the requester where Slack lets us. */
  private async reportDead(post: ThreadPost, code: string): Promise<void> {
    this.logger.error({ key: post.contentKey, channel: post.channelId, requestId: post.requestId, code, attempts: post.attempts + 1 }, 'a thread post could not be delivered and was dead-lettered');
    const request = await this.store.getRequest(post.requestId).catch(() => undefined);
    if (!request) return;
    const what = post.message.updateTs ? 'An update of the message' : 'A message';
    const text = `:warning: ${what} for your SES request ${request.displayId ? `(case ${request.displayId}) ` : ''}could not be delivered to its thread (Slack answered \`${code}\`). If the thread's first message was deleted, follow the case in AWS Support Center; nothing was sent to AWS because of this.`;
    await this.slack.ephemeral(post.channelId, request.requesterId, plainNotice(text)).catch((err: unknown) => {
      this.logger.warn({ err: toSlackError(err).code, requestId: post.requestId }, 'could not tell the requester about an undelivered post');
    });
  }
}
