/**
 * Phase 6, push: the bot told of AWS Support events through an SQS queue
 * (SUPPORT_EVENTS_QUEUE_URL; POLL_FALLBACK_SECONDS 600; the poll interval as in phase 3). With N
 * cases tracked (seeded as in phase 3): the start-up full poll; a quiet window, in which the bot
 * should make no Support call at all; then replies at pseudo-random times, each added to the fake
 * AWS with its AddCommunicationToCase event sent to the queue, timed from there to the bot's
 * chat.postMessage of it. When the start-up full poll is long (N ≥ 1,000) replies also arrive
 * during it, so push and poll race for them. Every reply must be posted exactly once, and every
 * message deleted.
 */
import { join } from 'node:path';
import type { Apps } from '../apps.js';
import type { RunContext } from '../context.js';
import type { AddedReply, CallRecord } from '../fakes-server.js';
import type { FakesClient } from '../lib/fakes-client.js';
import { clock, cpuMsOf, machineBusyMs, sleep } from '../lib/procs.js';
import type { ReplyFigures, Report, TargetCheck } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import { BATCH, POLL_INTERVAL_S, PUSH_FALLBACK_S, SUPPORT_CALLS_PER_SECOND, SUPPORT_OPS } from '../settings.js';
import { addRepliesOverTime, latenciesOf } from './reply-latency.js';
import { copyDatabase, seedCases, type SyncResult } from './sync-cost.js';

export type PushResult = Report['push'][number];

/** The issue's bound: a pushed reply in its thread within 2 s (p99). */
export const PUSH_TARGET_S = 2;
const SQS_OPS = new Set(['ReceiveMessage', 'DeleteMessage', 'DeleteMessageBatch', 'GetQueueAttributes', 'ChangeMessageVisibility']);

const isSupport = (r: CallRecord) => r.svc === 'aws' && SUPPORT_OPS.has(r.op);
const within = (records: CallRecord[], from: number, to: number) => records.filter((r) => r.at >= from && r.at < to);

/** chat.postMessage calls per reply marker (a marker posted twice is a duplicate). */
function postCounts(records: CallRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) if (r.op === 'chat.postMessage' && r.marker) counts.set(r.marker, (counts.get(r.marker) ?? 0) + 1);
  return counts;
}

function replyFigures(added: AddedReply[], records: CallRecord[], posts: Map<string, CallRecord>): ReplyFigures {
  const counts = postCounts(records);
  const latency = latenciesOf(added, posts);
  return {
    ...summarize(latency.filter(Number.isFinite)),
    replies: added.length,
    posted: added.filter((a) => counts.has(a.marker)).length,
    duplicates: added.reduce((sum, a) => sum + Math.max(0, (counts.get(a.marker) ?? 0) - 1), 0),
  };
}

/** One size: a bot with push on N tracked cases; its start-up full poll, a quiet window, and replies by push. */
export async function runPushPhase(ctx: RunContext, fakes: FakesClient, apps: Apps, n: number, template: string): Promise<PushResult> {
  const { settings } = ctx;
  await fakes.reset();
  const db = join(ctx.work, `push-${n}.sqlite`);
  copyDatabase(template, db);
  const tracked = await seedCases(fakes, n, db);
  const { url: queueUrl } = await fakes.ctl<{ url: string }>('/queue', { name: `bench-support-events-n${n}` });
  const expected = Math.ceil(n / BATCH);
  const lastCase = tracked.at(-1)!.caseId;

  const bot = await apps.startBot(`push N=${n}`, db, n, POLL_INTERVAL_S, { SUPPORT_EVENTS_QUEUE_URL: queueUrl, POLL_FALLBACK_SECONDS: String(PUSH_FALLBACK_S) });
  const cpu0 = cpuMsOf(bot.child.pid);
  const ours0 = [cpuMsOf(fakes.pid), cpuMsOf(process.pid)];
  const machine0 = machineBusyMs();
  const wall0 = clock();
  // The start-up full poll has ended when a DescribeCases has asked for the last case (the last
  // batch); the pushed replies never go to that case.
  const pollEnd = () => fakes.records.find((r) => r.svc === 'aws' && r.op === 'DescribeCases' && r.ids?.last === lastCase);

  // Replies during the start-up full poll, when it lasts long enough to hold some.
  let duringPoll: PushResult['duringPoll'];
  if (expected >= 10) {
    // Other cases than the steady-state replies below pick: the same picks, half the list further on.
    const rotated = [...tracked.slice(Math.floor(n / 2)), ...tracked.slice(0, Math.floor(n / 2))];
    const added = await addRepliesOverTime(ctx, fakes, rotated, {
      samples: settings.replySamples,
      markerPrefix: `push-poll-n${n}`,
      seed: 20240602,
      pushTo: queueUrl,
      keepGoing: async () => {
        await fakes.pullRecords();
        return pollEnd() === undefined;
      },
    });
    const posts = await fakes.waitForPosts(added.map((a) => a.marker), 15_000);
    duringPoll = replyFigures(added, fakes.records, posts);
  }
  const pollGuessMs = (expected / SUPPORT_CALLS_PER_SECOND + 15) * 1000;
  const until = clock() + Math.min(pollGuessMs * 2, ctx.timeLeft());
  for (let i = 0; i < 100_000 && clock() < until && pollEnd() === undefined; i++) {
    await sleep(200);
    await fakes.pullRecords();
  }
  const ended = pollEnd();
  if (!ended) throw new Error(`push N=${n}: the start-up full poll did not reach the last case before the time limit`);
  const firstDescribe = fakes.records.find((r) => r.svc === 'aws' && r.op === 'DescribeCases')!;
  const startupPoll = { seconds: (ended.at - firstDescribe.at) / 1000, supportCalls: within(fakes.records, firstDescribe.at, ended.at + 1).filter(isSupport).length, describeCases: expected };

  // Nothing happens: no Support call is expected until the fallback poll, PUSH_FALLBACK_S later.
  await sleep(1000);
  const quietCpu0 = cpuMsOf(bot.child.pid);
  const q0 = clock();
  await sleep(settings.pushQuietMs);
  const q1 = clock();
  const quietCpuMs = cpuMsOf(bot.child.pid) - quietCpu0;
  await fakes.pullRecords();
  const inQuiet = within(fakes.records, q0, q1);
  const quiet: PushResult['quiet'] = {
    windowS: (q1 - q0) / 1000,
    supportCalls: inQuiet.filter(isSupport).length,
    sqsCalls: inQuiet.filter((r) => r.svc === 'aws' && SQS_OPS.has(r.op)).length,
    otherCalls: inQuiet.filter((r) => !isSupport(r) && !(r.svc === 'aws' && SQS_OPS.has(r.op))).length,
    cpuPct: (100 * quietCpuMs) / (q1 - q0),
  };

  // Replies one at a time, at the same pseudo-random times as phase 4, each with its event.
  const r0 = clock();
  const added = await addRepliesOverTime(ctx, fakes, tracked, { samples: settings.replySamples, markerPrefix: `push-n${n}`, seed: 20240601, pushTo: queueUrl });
  const posts = await fakes.waitForPosts(added.map((a) => a.marker), 15_000);
  // A little longer, for a second post of any reply to show.
  await sleep(1000);
  await fakes.pullRecords();
  const r1 = Math.max(r0, ...added.map((a) => posts.get(a.marker)?.at ?? 0)) + 1;
  const reply = { ...replyFigures(added, fakes.records, posts), supportCalls: within(fakes.records, r0, r1).filter(isSupport).length };

  // Every message handled is deleted.
  let queueAfter = await fakes.ctl<PushResult['queueAfter']>(`/queue?url=${encodeURIComponent(queueUrl)}`);
  for (let i = 0; i < 50 && queueAfter.visible + queueAfter.inFlight > 0 && ctx.timeLeft() > 5000; i++) {
    await sleep(100);
    queueAfter = await fakes.ctl<PushResult['queueAfter']>(`/queue?url=${encodeURIComponent(queueUrl)}`);
  }
  const botUsed = cpuMsOf(bot.child.pid) - cpu0;
  const oursUsed = botUsed + cpuMsOf(fakes.pid) - ours0[0]! + cpuMsOf(process.pid) - ours0[1]!;
  const cpuPct = (100 * botUsed) / (clock() - wall0);
  const othersPct = Math.max(0, (100 * (machineBusyMs() - machine0 - oursUsed)) / (clock() - wall0));
  await apps.stopBot(bot);
  await fakes.pullRecords();

  const result: PushResult = {
    n,
    startupMs: bot.startupMs,
    startupPoll,
    ...(duringPoll ? { duringPoll } : {}),
    quiet,
    reply,
    queueAfter,
    unexpectedPosts: fakes.records.filter((r) => (r.op === 'chat.postMessage' || r.op === 'chat.update') && !(r.marker && r.marker.startsWith('BENCH-REPLY-'))).length,
    cpuPct,
    othersPct,
  };
  ctx.log(
    `push N=${n}: start-up poll ${startupPoll.seconds.toFixed(1)} s; ${quiet.supportCalls} Support calls in ${quiet.windowS.toFixed(0)} s quiet; ` +
      `${reply.posted}/${reply.replies} replies posted (${reply.duplicates} twice), p99 ${reply.p99.toFixed(2)} s` +
      (duringPoll ? `; during the poll ${duringPoll.posted}/${duringPoll.replies} (${duringPoll.duplicates} twice), p99 ${duringPoll.p99.toFixed(2)} s` : ''),
  );
  return result;
}

/** p99 ≤ 2 s with every reply posted exactly once; no Support call while nothing happens; every message deleted. */
export function pushTargets(push: PushResult[], sync: SyncResult[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  const latencyCheck = (figure: string, r: ReplyFigures): TargetCheck => ({
    figure,
    target: `≤ ${PUSH_TARGET_S} s, each reply posted once`,
    measured: `${r.p99.toFixed(2)} s (n=${r.n}${r.posted < r.replies ? `, ${r.replies - r.posted} never posted` : ''}${r.duplicates ? `, ${r.duplicates} posted twice` : ''})`,
    met: r.n > 0 && r.p99 <= PUSH_TARGET_S && r.posted === r.replies && r.duplicates === 0,
  });
  for (const p of push) {
    const n = p.n.toLocaleString('en-US');
    out.push(latencyCheck(`Reply latency p99 with push (N=${n})`, p.reply));
    if (p.duringPoll) out.push(latencyCheck(`Reply latency p99 with push, during the start-up full poll (N=${n})`, p.duringPoll));
    const poll = sync.find((s) => s.n === p.n)?.noNew.supportCallsPerMin;
    out.push({
      figure: `Support calls while nothing happens, push (N=${n})`,
      target: `0 between full polls (every ${PUSH_FALLBACK_S} s); every event deleted`,
      measured:
        `${p.quiet.supportCalls} in ${p.quiet.windowS.toFixed(0)} s (polling every ${POLL_INTERVAL_S} s: ${poll === undefined ? 'not measured' : `${poll.toFixed(0)}/min`}); ` +
        `${p.queueAfter.visible + p.queueAfter.inFlight} messages left`,
      met: p.quiet.supportCalls === 0 && p.queueAfter.visible + p.queueAfter.inFlight === 0 && p.unexpectedPosts === 0,
    });
  }
  return out;
}
