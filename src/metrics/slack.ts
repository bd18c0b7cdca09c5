/**
 * Counts and times every Slack Web API request, 429s included: a `fetch` for the Web API client
 * (its `fetch` option, which Bolt passes to every client it makes). The method is the last part
 * of the URL; the outcome is read from the HTTP status, or for a 200 from the start of the body
 * (Slack writes "ok" and "error" first), without parsing it a second time.
 */
import { bounded, SLACK_OUTCOMES, type Metrics } from './metrics.js';

import type { webApi } from '@slack/bolt';

/** The `fetch` the Web API client takes (its `fetch` option). */
export type SlackFetch = webApi.FetchFunction;
type SlackFetchResponse = Awaited<ReturnType<SlackFetch>>;

/** The outcome a 200's body says: ok, or Slack's error code (a known one, else "error"). */
export function slackBodyOutcome(text: string): string {
  const head = text.length > 300 ? text.slice(0, 300) : text;
  if (/"ok"\s*:\s*true/.test(head)) return 'ok';
  const code = /"error"\s*:\s*"([a-z_]{1,60})"/.exec(head)?.[1];
  return bounded(code, SLACK_OUTCOMES, 'error');
}

function methodOf(url: string | URL): string {
  const s = typeof url === 'string' ? url : url.href;
  const slash = s.lastIndexOf('/');
  const q = s.indexOf('?', slash);
  return s.slice(slash + 1, q === -1 ? undefined : q);
}

export function instrumentedSlackFetch(metrics: Metrics, base: SlackFetch = globalThis.fetch as unknown as SlackFetch): SlackFetch {
  return async (url, init) => {
    const method = methodOf(url);
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    let res: SlackFetchResponse;
    try {
      res = await base(url, init);
    } catch (err) {
      const name = (err as { name?: string }).name;
      metrics.slackCall(method, name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network_error', seconds());
      throw err;
    }
    if (res.status !== 200) {
      metrics.slackCall(method, res.status === 429 ? 'ratelimited' : 'http_error', seconds());
      return res;
    }
    // A 200: the body says ok or Slack's error; recorded when the client reads it.
    let recorded = false;
    const record = (outcome: string) => {
      if (recorded) return;
      recorded = true;
      metrics.slackCall(method, outcome, seconds());
    };
    return {
      ok: res.ok,
      status: res.status,
      statusText: res.statusText,
      url: res.url,
      headers: res.headers,
      arrayBuffer: () => res.arrayBuffer().finally(() => record('ok')),
      json: () =>
        res.json().then((data) => {
          const d = data as { ok?: boolean; error?: string } | null;
          record(d?.ok ? 'ok' : bounded(d?.error, SLACK_OUTCOMES, 'error'));
          return data;
        }),
      text: () =>
        res.text().then((text) => {
          record(slackBodyOutcome(text));
          return text;
        }),
    };
  };
}
