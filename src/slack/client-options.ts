/**
 * How the bot's Slack Web API client behaves, in one place: every call has a timeout, a few
 * quick retries for Slack's or the network's hiccups, and a 429 is handed back at once (with its
 * Retry-After) instead of pausing the client's one shared queue, which would hold up every
 * channel behind one channel's rate limit. The thread outbox waits out a 429 per channel.
 */
import type { SlackFetch } from '../metrics/slack.js';

export const SLACK_REQUEST_TIMEOUT_MS = 10_000;

const RETRY = { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2_000, randomize: false };

/** The longest one Web API call can take: every attempt timing out, plus the waits between them. */
export const SLACK_CALL_MAX_MS = (RETRY.retries + 1) * SLACK_REQUEST_TIMEOUT_MS + RETRY.retries * RETRY.maxTimeout;

/** `fetch`: the client's HTTP requests go through it (the metrics' counting fetch, src/metrics/slack.ts). */
export function slackClientOptions(slackApiUrl: string, fetch?: SlackFetch) {
  return {
    slackApiUrl,
    timeout: SLACK_REQUEST_TIMEOUT_MS,
    rejectRateLimitedCalls: true,
    retryConfig: RETRY,
    ...(fetch ? { fetch } : {}),
  };
}
