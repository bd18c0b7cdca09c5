/**
 * The bot's outgoing Slack messages. Wraps the Web API client Bolt made (so retries and
 * rate-limit waits are Slack's SDK's) and turns its errors into codes the services act on.
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from '../logger.js';
import type { SlackMessage } from './views/root-message.js';

export class SlackError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'SlackError';
  }

  /** The bot is not in the channel (or cannot see it): inviting it fixes this. */
  get notInChannel(): boolean {
    return ['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action'].includes(this.code);
  }
}

function toSlackError(err: unknown): SlackError {
  const e = err as { data?: { error?: string }; code?: string; message?: string };
  const code = e.data?.error ?? e.code ?? 'slack_error';
  return new SlackError(code, e.message ?? String(err));
}

export class SlackMessenger {
  constructor(
    private readonly client: webApi.WebClient,
    private readonly logger: Logger,
  ) {}

  async post(channel: string, message: SlackMessage, threadTs?: string): Promise<string> {
    try {
      const out = await this.client.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
      return out.ts ?? '';
    } catch (err) {
      throw toSlackError(err);
    }
  }

  async update(channel: string, ts: string, message: SlackMessage): Promise<void> {
    try {
      await this.client.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
    } catch (err) {
      throw toSlackError(err);
    }
  }

  /** Answers through a response_url (works where the bot is not a channel member). */
  async respond(responseUrl: string, message: SlackMessage & { replace_original?: boolean; delete_original?: boolean }): Promise<boolean> {
    try {
      const res = await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', ...message }),
        signal: AbortSignal.timeout(10_000),
      });
      return res.ok;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not answer through response_url');
      return false;
    }
  }
}
