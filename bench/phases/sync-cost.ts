/**
 * Phase 3, sync cost: N open cases (seeded in the fake AWS and in the bot's store, already in
 * step), and the Support calls each sync cycle makes with no new communications and with new
 * replies on 1% of the cases; how fast the cycles run against the 5 calls/s budget, and the
 * bot's memory and CPU meanwhile.
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { communicationKey } from '../../src/services/outbox-keys.js';
import type { Apps } from '../apps.js';
import type { RunContext, Tracked } from '../context.js';
import type { AddedReply, CallRecord, ReplySpec, SeedCase } from '../fakes-server.js';
import type { FakesClient } from '../lib/fakes-client.js';
import { clock, cpuMsOf, machineBusyMs, memoryOf, sleep } from '../lib/procs.js';
import type { Report, TargetCheck } from '../lib/report.js';
import { maxInWindow, maxPerClockSecond, minGap, summarize } from '../lib/stats.js';
import { BATCH, CUSTOMER, POLL_INTERVAL_S, REPLY_LATENCY_N, SUPPORT_CALLS_PER_SECOND, SUPPORT_OPS, USER } from '../settings.js';
import { measureReplyLatency } from './reply-latency.js';

export type SyncResult = Report['sync'][number];


/** Empties every table of a migrated database, so that it serves as the template for the sync phases. */
export function emptyDatabase(path: string): void {
  const db = new Database(path);
  try {
    const tables = db.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%'`).all() as { name: string }[];
    db.transaction(() => {
      for (const { name } of tables) db.prepare(`delete from "${name.replace(/"/g, '""')}"`).run();
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

export function copyDatabase(from: string, to: string): void {
  copyFileSync(from, to);
  for (const suffix of ['-wal', '-shm']) if (existsSync(from + suffix)) copyFileSync(from + suffix, to + suffix);
}

/** N open cases: in the fake AWS (one communication each, the case body) and as filed requests in the bot's store, already in step. */
export async function seedCases(fakes: FakesClient, n: number, db: string): Promise<Tracked[]> {
  const base = Date.now() - 2 * 24 * 3600 * 1000;
  const tracked: Tracked[] = [];
  const seeds: SeedCase[] = [];
  const sqlite = new Database(db);
  try {
    const columns = new Set((sqlite.prepare(`pragma table_info(requests)`).all() as { name: string }[]).map((c) => c.name));
    for (const needed of ['id', 'status', 'case_id', 'root_ts', 'channel_id', 'comm_watermark', 'case_status', 'display_id']) {
      if (!columns.has(needed)) throw new Error(`the requests table has no ${needed} column any more; update seedCases in bench/phases/sync-cost.ts`);
    }
    const insertRequest = sqlite.prepare(`insert into requests (id, kind, submission_key, reference, team_id, channel_id, requester_id, payload, status, response_url,
      root_ts, case_id, display_id, case_status, attempts, created_at, updated_at, comm_watermark, resolved_at, status_changes)
      values (@id, 'quota', @submissionKey, @reference, 'T111', @channel, @requester, @payload, 'filed', null,
      @rootTs, @caseId, @displayId, 'opened', 1, @created, @created, @created, null, 0)`);
    const insertSeen = sqlite.prepare(`insert into seen_communications (content_key, request_id, time_created) values (?, ?, ?)`);
    const payload = JSON.stringify({
      kind: 'quota',
      mailType: 'transactional',
      websiteUrl: 'https://shop.example.com',
      compliesWithAup: true,
      onlyRequestedRecipients: true,
      handlesBouncesAndComplaints: true,
      rows: [{ region: 'us-east-1', limit: 'send_quota', newValue: 200000 }],
      useCase: 'We send order confirmations and shipping notices to customers who bought from our shop. Addresses come only from checkout; bounces and complaints suppress the address at once.',
      language: 'en',
    });
    sqlite.transaction(() => {
      for (let i = 0; i < n; i++) {
        const id = `bench${String(i).padStart(6, '0')}`;
        const reference = `SESBOT-${id}`;
        const caseId = `case-123456789012-2025-bench${String(i).padStart(6, '0')}`;
        const created = new Date(base + i * 1000).toISOString();
        const body = `Limit increase request 1\nService: SES Sending Limits\nRegion: US East (N. Virginia)\nNew limit value: 200000\n\nReference: ${reference}`;
        seeds.push({ caseId, displayId: String(17_100_000_000 + i), subject: `Amazon SES sending limit increase [${reference}]`, body, submittedBy: CUSTOMER, timeCreated: created });
        insertRequest.run({
          id,
          submissionKey: `bench:${id}`,
          reference,
          channel: `CBENCH${i % 10}`,
          requester: USER,
          payload,
          rootTs: `1700001000.${String(i).padStart(6, '0')}`,
          caseId,
          displayId: String(17_100_000_000 + i),
          created,
        });
        insertSeen.run(communicationKey(caseId, { body, submittedBy: CUSTOMER, timeCreated: created }), id, created);
        tracked.push({ requestId: id, caseId });
      }
    })();
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    sqlite.close();
  }
  for (let i = 0; i < seeds.length; i += 2000) await fakes.ctl('/seed', { cases: seeds.slice(i, i + 2000) });
  return tracked;
}

interface Cycle {
  start: number;
  describeCases: CallRecord[];
  supportCalls: number;
  /** Start of the next cycle minus the interval: the whole cycle, listing and DB work included. */
  cycleMs?: number;
}

/** The sync cycles in the call records: a cycle starts when a DescribeCases asks again for a batch already asked for. */
function cyclesOf(records: CallRecord[]): Cycle[] {
  const cycles: Cycle[] = [];
  let firsts = new Set<string>();
  for (const r of records) {
    if (r.svc !== 'aws' || r.op !== 'DescribeCases' || !r.ids) continue;
    let current = cycles.at(-1);
    if (!current || firsts.has(r.ids.first)) {
      current = { start: r.at, describeCases: [], supportCalls: 0 };
      cycles.push(current);
      firsts = new Set();
    }
    firsts.add(r.ids.first);
    current.describeCases.push(r);
  }
  for (let i = 0; i < cycles.length; i++) {
    const c = cycles[i]!;
    const end = cycles[i + 1]?.start ?? Number.POSITIVE_INFINITY;
    c.supportCalls = records.filter((r) => r.svc === 'aws' && SUPPORT_OPS.has(r.op) && r.at >= c.start && r.at < end).length;
    if (cycles[i + 1]) c.cycleMs = end - c.start - POLL_INTERVAL_S * 1000;
  }
  return cycles;
}

/**
 * One sync size: a bot on a copy of `template` holding N cases; replies on 1% of them land just
 * after a quiet cycle. At N = REPLY_LATENCY_N it also measures reply latency (phase 4).
 */
export async function runSyncPhase(ctx: RunContext, fakes: FakesClient, apps: Apps, n: number, template: string): Promise<{ result: SyncResult; latency?: number[] }> {
  const { settings } = ctx;
  await fakes.reset();
  const db = join(ctx.work, `sync-${n}.sqlite`);
  copyDatabase(template, db);
  const tracked = await seedCases(fakes, n, db);
  const expected = Math.ceil(n / BATCH);
  const replyCount = Math.max(1, Math.round(n / 100));
  const step = Math.floor(n / replyCount);
  const replies: ReplySpec[] = Array.from({ length: replyCount }, (_, k) => ({ caseId: tracked[k * step + Math.floor(step / 2)]!.caseId, marker: `BENCH-REPLY-n${n}-${k}` }));
  const before = n >= 10_000 ? 1 : settings.cyclesBefore;
  const after = n >= 10_000 ? 1 : settings.cyclesAfter;
  // The last case is in the last batch: the replies land just after cycle `before` has seen it.
  await fakes.ctl('/replies', { replies, after: { caseId: tracked.at(-1)!.caseId, occurrence: before } });

  const bot = await apps.startBot(`sync N=${n}`, db, n, POLL_INTERVAL_S);
  const rssAfterStart = memoryOf(bot.child.pid);
  const cpu0 = cpuMsOf(bot.child.pid);
  const ours0 = [cpuMsOf(fakes.pid), cpuMsOf(process.pid)];
  const machine0 = machineBusyMs();
  const wall0 = clock();
  const wanted = before + 1 + after + 1;
  const cycleGuessMs = (expected / SUPPORT_CALLS_PER_SECOND + POLL_INTERVAL_S + 0.5) * 1000;
  const until = clock() + Math.min(wanted * cycleGuessMs * 2 + 15_000, ctx.timeLeft());
  let cycles: Cycle[] = [];
  for (let i = 0; i < 100_000 && clock() < until; i++) {
    await sleep(200);
    await fakes.pullRecords();
    cycles = cyclesOf(fakes.records);
    if (cycles.length >= wanted) break;
  }
  if (cycles.length < wanted) throw new Error(`N=${n}: saw ${cycles.length} sync cycles, wanted ${wanted}, before the time limit`);
  const posts = await fakes.waitForPosts(replies.map((r) => r.marker), 30_000);
  const botUsed = cpuMsOf(bot.child.pid) - cpu0;
  const oursUsed = botUsed + cpuMsOf(fakes.pid) - ours0[0]! + cpuMsOf(process.pid) - ours0[1]!;
  const cpuPct = (100 * botUsed) / (clock() - wall0);
  const othersPct = Math.max(0, (100 * (machineBusyMs() - machine0 - oursUsed)) / (clock() - wall0));
  const { added } = await fakes.ctl<{ added: AddedReply[] }>('/replies');

  let latency: number[] | undefined;
  if (n === REPLY_LATENCY_N) latency = await measureReplyLatency(ctx, fakes, tracked);
  const rssAfterSync = memoryOf(bot.child.pid);
  await apps.stopBot(bot);
  await fakes.pullRecords();

  const records = fakes.records;
  const noNew = [...cycles.slice(0, before), ...cycles.slice(before + 1, before + 1 + after)];
  const withNew = cycles[before]!;
  const support = records.filter((r) => r.svc === 'aws' && SUPPORT_OPS.has(r.op));
  const replyLatencies = added.map((a) => ((posts.get(a.marker)?.at ?? Number.NaN) - a.addedAt) / 1000).filter(Number.isFinite);
  const markers = new Set(replies.map((r) => r.marker));
  // Polling with nothing new: the Support calls of the quiet cycles over their whole span (interval included).
  const quietMs = noNew.reduce((sum, c) => sum + c.cycleMs! + POLL_INTERVAL_S * 1000, 0);
  const result: SyncResult = {
    n,
    expectedDescribeCases: expected,
    noNew: {
      cycles: noNew.length,
      describeCases: noNew.map((c) => c.describeCases.length),
      supportCalls: noNew.map((c) => c.supportCalls),
      cycleS: summarize(noNew.map((c) => c.cycleMs! / 1000)),
      supportCallsPerMin: (noNew.reduce((sum, c) => sum + c.supportCalls, 0) * 60_000) / quietMs,
    },
    withNew: {
      describeCases: withNew.describeCases.length,
      supportCalls: withNew.supportCalls,
      cycleS: withNew.cycleMs! / 1000,
      replies: added.length,
      posted: [...posts.keys()].filter((m) => markers.has(m)).length,
      replyLatencyS: summarize(replyLatencies),
    },
    oneCallPerCase: { callsPerCycle: n, minCycleS: n / SUPPORT_CALLS_PER_SECOND },
    boundS: expected / SUPPORT_CALLS_PER_SECOND,
    maxSupportCallsIn1s: maxInWindow(support.map((r) => r.at), 1000),
    maxSupportCallsInClockSecond: maxPerClockSecond(support.map((r) => r.at)),
    minGapMs: minGap(support.map((r) => r.at)),
    gapsUnder200Ms: support.slice(1).filter((r, i) => r.at - support[i]!.at < 1000 / SUPPORT_CALLS_PER_SECOND).length,
    rssAfterStart,
    rssAfterSync,
    startupMs: bot.startupMs,
    cpuPct,
    othersPct,
    unexpectedPosts: records.filter((r) => (r.op === 'chat.postMessage' || r.op === 'chat.update') && !(r.marker && r.marker.startsWith('BENCH-REPLY-'))).length,
  };
  ctx.log(
    `N=${n}: ${noNew.length} quiet cycles (${result.noNew.supportCalls.join(', ')} Support calls; ${result.noNew.cycleS.median.toFixed(2)} s median), ` +
      `1% cycle ${withNew.supportCalls} calls, ${result.withNew.posted}/${replies.length} replies posted`,
  );
  return { result, ...(latency ? { latency } : {}) };
}

/** With no new communications: exactly ⌈N/100⌉ DescribeCases and nothing else per cycle, at most 5 calls in any second. */
export function syncTargets(sync: SyncResult[]): TargetCheck[] {
  return sync.map((s) => {
    const exact = s.noNew.describeCases.every((d) => d === s.expectedDescribeCases) && s.noNew.supportCalls.every((d) => d === s.expectedDescribeCases);
    return {
      figure: `Sync N=${s.n.toLocaleString('en-US')}, no new communications`,
      target: `${s.expectedDescribeCases} DescribeCases (⌈N/100⌉) per cycle, ≤ 5 calls/s`,
      measured: `${[...new Set(s.noNew.supportCalls)].join('/')} Support calls per cycle; at most ${s.maxSupportCallsIn1s} in any sliding 1 s (${s.maxSupportCallsInClockSecond} in a clock second), smallest gap ${s.minGapMs.toFixed(1)} ms`,
      met: exact && s.maxSupportCallsIn1s <= 5,
    };
  });
}
