/**
 * The bot's outgoing Slack messages. Wraps the Web API client Bolt made (so retries and
 * rate-limit waits are Slack's SDK's) and turns its errors into codes the services act on.
 */
import type { types, webApi } from '@slack/bolt';
import type { Logger } from '../logger.js';
import type { SlackMessage } from './views/root-message.js';

/**
 * A Block Kit value (a view, a list of blocks) as the JSON text Slack's form-encoded Web API
 * takes. The Web API client would encode it the same way, but first copies the whole value
 * through its debug-log redaction (`redact` in @slack/web-api 8, run at every log level), which
 * for a full modal costs as much CPU as building it: a string goes through both untouched, and
 * the request Slack receives is byte for byte the same.
 */
function asJson<T>(value: T): T {
  return JSON.stringify(value) as unknown as T;
}

/** The parts of a view Slack returns (views.open) that the listeners use. */
export type OpenedView = { id: string; hash: string; private_metadata?: string; state?: { values?: unknown }; blocks?: { type?: string; block_id?: string }[] };

/** Slack's answers that say "try again later" rather than "this message can never be sent". */
const TRANSIENT_CODES = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'timeout', 'network_error', 'http_error']);

export class SlackError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Seconds Slack asked us to wait (a 429's Retry-After), when it did. */
    readonly retryAfterSec?: number,
  ) {
    super(message);
    this.name = 'SlackError';
  }

  /** The bot is not in the channel (or cannot see it): inviting it fixes this. */
  get notInChannel(): boolean {
    return ['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action'].includes(this.code);
  }

  /** Worth trying again later (rate limits, Slack or network trouble); anything else is final for this message. */
  get transient(): boolean {
    return TRANSIENT_CODES.has(this.code);
  }
}

/** web-api's error classes, by their `code`, turned into Slack's own error codes. */
export function toSlackError(err: unknown): SlackError {
  if (err instanceof SlackError) return err;
  const e = err as { data?: { error?: string }; code?: string; message?: string; retryAfter?: number; statusCode?: number };
  const message = e.message ?? String(err);
  switch (e.code) {
    case 'slack_webapi_rate_limited_error':
      return new SlackError('ratelimited', message, e.retryAfter);
    case 'slack_webapi_request_error':
      // No answer: a timeout, a refused or dropped connection.
      return new SlackError(/abort|timeout/i.test(message) ? 'timeout' : 'network_error', message);
    case 'slack_webapi_http_error':
      return new SlackError('http_error', message);
    default:
      return new SlackError(e.data?.error ?? e.code ?? 'slack_error', message);
  }
}

/** A response_url answer is a convenience; it never holds anything up for long. */
const RESPONSE_URL_TIMEOUT_MS = 10_000;

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
        blocks: asJson(message.blocks),
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
      await this.client.chat.update({ channel, ts, text: message.text, blocks: asJson(message.blocks) });
    } catch (err) {
      throw toSlackError(err);
    }
  }

  async delete(channel: string, ts: string): Promise<void> {
    try {
      await this.client.chat.delete({ channel, ts });
    } catch (err) {
      throw toSlackError(err);
    }
  }

  /** Opens a modal (Slack takes it only within 3 s of `triggerId`'s command or click); the view Slack made, or a SlackError. */
  async openView(triggerId: string, view: types.ModalView): Promise<OpenedView> {
    try {
      const res = await this.client.views.open({ trigger_id: triggerId, view: asJson(view) });
      return res.view as OpenedView;
    } catch (err) {
      throw toSlackError(err);
    }
  }

  /** Redraws an open modal; with `hash`, only if nobody changed it since (else a SlackError "hash_conflict"). */
  async updateView(viewId: string, view: types.ModalView, hash?: string): Promise<void> {
    try {
      await this.client.views.update({ view_id: viewId, view: asJson(view), ...(hash ? { hash } : {}) });
    } catch (err) {
      throw toSlackError(err);
    }
  }

  /** A message only `user` sees, in a channel the bot is in (in a thread, with `threadTs`). */
  async ephemeral(channel: string, user: string, message: SlackMessage, threadTs?: string): Promise<void> {
    try {
      await this.client.chat.postEphemeral({ channel, user, text: message.text, blocks: asJson(message.blocks), ...(threadTs ? { thread_ts: threadTs } : {}) });
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
        signal: AbortSignal.timeout(RESPONSE_URL_TIMEOUT_MS),
      });
      return res.ok;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not answer through response_url');
      return false;
    }
  }
}
