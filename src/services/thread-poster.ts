/**
 * Drains the thread outbox, one independent loop per channel: a channel waiting out a Slack
 * rate limit (the Web API client honours Retry-After) never holds up the others, and a post
 * that fails stays pending and is tried again later. Each post is claimed before it is sent,
 * so replicas sharing the database never send the same post twice.
 */
import type { Logger } from '../logger.js';
import type { SlackMessenger } from '../slack/messenger.js';
import type { SlackMessage } from '../slack/views/root-message.js';
import type { Store } from '../store/store.js';

const CLAIM_MS = 60_000;

export class ThreadPoster {
  private readonly draining = new Map<string, Promise<void>>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly slack: SlackMessenger,
    private readonly logger: Logger,
    private readonly retryBaseMs = 1000,
  ) {}

  /** Starts draining a channel's outbox unless it is already being drained. */
  kick(channelId: string): void {
    if (this.stopped || this.draining.has(channelId)) return;
    const run = this.drain(channelId).finally(() => this.draining.delete(channelId));
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
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
  }

  private async drain(channelId: string): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const now = new Date();
      // Claimed for a minute: long enough to wait out a rate limit, short enough that a post
      // claimed by a process that died is taken over soon.
      const post = await this.store.claimNextPost(channelId, now, new Date(now.getTime() + CLAIM_MS));
      if (!post) return;
      const message = post.message as SlackMessage & { updateTs?: string };
      try {
        let ts: string;
        if (message.updateTs) {
          await this.slack.update(channelId, message.updateTs, message);
          ts = message.updateTs;
        } else {
          ts = await this.slack.post(channelId, message, post.threadTs);
        }
        await this.store.markPosted(post.contentKey, ts);
      } catch (err) {
        await this.store.countPostAttempt(post.contentKey);
        await this.store.releasePost(post.contentKey);
        const delay = Math.min(60_000, this.retryBaseMs * 2 ** Math.min(post.attempts, 6));
        this.logger.warn({ err: (err as Error).message, channel: channelId, key: post.contentKey, retryInMs: delay }, 'thread post failed; will retry');
        const timer = setTimeout(() => {
          this.retryTimers.delete(channelId);
          this.kick(channelId);
        }, delay);
        timer.unref();
        this.retryTimers.set(channelId, timer);
        return;
      }
    }
  }
}
