/**
 * Phase 4, reply latency: with REPLY_LATENCY_N cases tracked, replies added to the fake AWS at
 * pseudo-random times, each timed from its arrival there to the bot's chat.postMessage of it.
 */
import type { RunContext, Tracked } from '../context.js';
import type { AddedReply, CallRecord, ReplySpec } from '../fakes-server.js';
import type { FakesClient } from '../lib/fakes-client.js';
import { sleep } from '../lib/procs.js';
import type { Report, TargetCheck } from '../lib/report.js';
import { prng, summarize } from '../lib/stats.js';
import { POLL_INTERVAL_S, REPLY_LATENCY_N } from '../settings.js';

/**
 * Adds `samples` replies to the fake AWS one at a time, 0.2–0.6 s apart (pseudo-random from
 * `seed`, the same every run), each to a different tracked case; with `pushTo` (a queue URL)
 * each reply's Support event goes to that queue as it is added. `keepGoing` (checked before each
 * reply) can end it early. Returns the replies as the fake added them.
 */
export async function addRepliesOverTime(
  ctx: RunContext,
  fakes: FakesClient,
  tracked: Tracked[],
  opts: { samples: number; markerPrefix: string; seed: number; pushTo?: string; keepGoing?: () => Promise<boolean> },
): Promise<AddedReply[]> {
  const random = prng(opts.seed);
  const added: AddedReply[] = [];
  for (let s = 0; s < opts.samples && ctx.timeLeft() > 10_000; s++) {
    await sleep(200 + random() * 400);
    if (opts.keepGoing && !(await opts.keepGoing())) break;
    const spec: ReplySpec = { caseId: tracked[(s * 37 + 11) % tracked.length]!.caseId, marker: `BENCH-REPLY-${opts.markerPrefix}-${s}` };
    added.push(...(await fakes.ctl<{ added: AddedReply[] }>('/replies', { replies: [spec], ...(opts.pushTo ? { pushTo: opts.pushTo } : {}) })).added);
  }
  return added;
}

/** Seconds from each reply's arrival in the fake AWS to its first chat.postMessage (NaN: never posted). */
export function latenciesOf(added: AddedReply[], posts: Map<string, CallRecord>): number[] {
  return added.map((a) => ((posts.get(a.marker)?.at ?? Number.NaN) - a.addedAt) / 1000);
}

/** Replies at pseudo-random times (every 0.2–0.6 s); seconds from each reply's arrival to its post (NaN: never posted). */
export async function measureReplyLatency(ctx: RunContext, fakes: FakesClient, tracked: Tracked[]): Promise<number[]> {
  const added = await addRepliesOverTime(ctx, fakes, tracked, { samples: ctx.settings.replySamples, markerPrefix: 'lat', seed: 20240601 });
  const posts = await fakes.waitForPosts(added.map((a) => a.marker), 15_000);
  return latenciesOf(added, posts);
}

export function replyTable(latency: number[]): Report['reply'] {
  return { tracked: REPLY_LATENCY_N, intervalS: POLL_INTERVAL_S, ...summarize(latency.filter(Number.isFinite)) };
}

/** p99 within the poll interval plus half a second, every reply posted. */
export function replyTarget(latency: number[]): TargetCheck {
  const replyS = summarize(latency.filter(Number.isFinite));
  return {
    figure: `Reply latency p99 (N=${REPLY_LATENCY_N}, ${POLL_INTERVAL_S} s interval)`,
    target: `≤ ${POLL_INTERVAL_S + 0.5} s`,
    measured: `${replyS.p99.toFixed(2)} s (n=${replyS.n}${replyS.n < latency.length ? `, ${latency.length - replyS.n} never posted` : ''})`,
    met: replyS.p99 <= POLL_INTERVAL_S + 0.5 && replyS.n === latency.length && replyS.n > 0,
  };
}
