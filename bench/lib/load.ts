/**
 * Open-loop load: requests are sent on a fixed schedule (request i at start + i / rate), each
 * without waiting for any reply, so a slow server faces the same offered load as a fast one.
 * Bodies are built and signed before the schedule starts, so the generator does as little as
 * possible while it measures.
 */
import http from 'node:http';
import { sign } from '../../test/helpers/slack-requests.js';
import { clock, sleep } from './procs.js';

export interface PreparedRequest {
  body: string;
  contentType: string;
  headers?: Record<string, string>;
  /** A correlation id (the trigger_id of a slash command). */
  tag?: string;
}

export interface Sample {
  scheduledAt: number;
  sentAt: number;
  /** NaN when the request failed or timed out. */
  doneAt: number;
  status: number;
  error?: string;
  tag?: string;
}

export interface LoadResult {
  samples: Sample[];
  /** How late the generator sent requests (ms), as a check that it kept its schedule. */
  maxLagMs: number;
  p99LagMs: number;
  elapsedMs: number;
}

const REQUEST_TIMEOUT_MS = 10_000;

/** Signs bodies the way Slack does (v0 HMAC), with the current timestamp. */
export function signed(secret: string, req: Omit<PreparedRequest, 'headers'> & { headers?: Record<string, string> }): PreparedRequest {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    ...req,
    headers: {
      ...req.headers,
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': sign(secret, timestamp, req.body),
    },
  };
}

function send(agent: http.Agent, port: number, req: PreparedRequest, sample: Sample, onDone: () => void): void {
  let finished = false;
  const done = () => {
    if (finished) return;
    finished = true;
    onDone();
  };
  sample.sentAt = clock();
  const r = http.request(
    {
      host: '127.0.0.1',
      port,
      path: '/slack/events',
      method: 'POST',
      agent,
      timeout: REQUEST_TIMEOUT_MS,
      headers: { 'content-type': req.contentType, 'content-length': Buffer.byteLength(req.body), ...req.headers },
    },
    (res) => {
      sample.status = res.statusCode ?? 0;
      res.resume();
      res.on('end', () => {
        sample.doneAt = clock();
        done();
      });
      res.on('error', (err) => {
        sample.error = err.message;
        done();
      });
    },
  );
  r.on('timeout', () => r.destroy(new Error('timeout')));
  r.on('error', (err) => {
    if (sample.error === undefined) sample.error = err.message;
    done();
  });
  r.end(req.body);
}

/**
 * Sends `requests` (in order) at `rate` per second to 127.0.0.1:`port`/slack/events, then waits
 * (at most `drainMs`) for the replies still outstanding.
 */
export async function openLoop(port: number, rate: number, requests: PreparedRequest[], drainMs = 15_000): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const gap = 1000 / rate;
  const samples: Sample[] = requests.map((r) => ({ scheduledAt: 0, sentAt: Number.NaN, doneAt: Number.NaN, status: 0, ...(r.tag ? { tag: r.tag } : {}) }));
  let outstanding = 0;
  let settled: () => void = () => undefined;
  const done = () => {
    outstanding -= 1;
    if (outstanding === 0) settled();
  };
  const start = clock() + 5;
  let next = 0;
  while (next < requests.length) {
    const now = clock();
    while (next < requests.length && start + next * gap <= now) {
      samples[next]!.scheduledAt = start + next * gap;
      outstanding += 1;
      send(agent, port, requests[next]!, samples[next]!, done);
      next += 1;
    }
    if (next < requests.length) await sleep(start + next * gap - clock());
  }
  const sentAll = clock();
  if (outstanding > 0) {
    await Promise.race([new Promise<void>((resolve) => (settled = resolve)), sleep(drainMs)]);
  }
  agent.destroy();
  const lags = samples.map((s) => s.sentAt - s.scheduledAt).sort((a, b) => a - b);
  return {
    samples,
    maxLagMs: lags.at(-1) ?? 0,
    p99LagMs: lags[Math.max(0, Math.ceil(lags.length * 0.99) - 1)] ?? 0,
    elapsedMs: sentAll - start,
  };
}

/** Sends one request to 127.0.0.1:`port`/slack/events and returns its status and body (outside any measurement). */
export async function sendOne(port: number, req: PreparedRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request(
      { host: '127.0.0.1', port, path: '/slack/events', method: 'POST', timeout: REQUEST_TIMEOUT_MS, headers: { 'content-type': req.contentType, 'content-length': Buffer.byteLength(req.body), ...req.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error('timeout')));
    r.on('error', reject);
    r.end(req.body);
  });
}
