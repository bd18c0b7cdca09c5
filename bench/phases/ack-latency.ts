/**
 * Phase 1, ack latency: each kind of Slack request at each rate, open loop, to the bare Bolt app
 * (ack only), to the same-calls Bolt app (ack, then the bot's own outbound Slack calls) and to
 * the bot in turn; the time to each HTTP 200, and the CPU each process used meanwhile. Also the
 * bot's resident memory after start, after the load, and how soon after the load it comes back.
 * With --soak, the bot alone takes every phase twice more (the leak check: three rounds).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Apps, Running } from '../apps.js';
import type { RunContext } from '../context.js';
import type { FakesClient } from '../lib/fakes-client.js';
import type { SameCalls } from '../bare-bolt.js';
import { openLoop, sendOne, type LoadResult } from '../lib/load.js';
import { clock, cpuMsOf, machineBusyMs, memoryOf, settle, sleep, stopChild, type Memory } from '../lib/procs.js';
import type { Report, TargetCheck } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import type { SlackLoad } from '../requests.js';
import { KINDS, type Kind, type Settings } from '../settings.js';

export type Target = 'bot' | 'bare' | 'same';

export interface AckPhase {
  kind: Kind;
  rate: number;
  target: Target;
  /** 1 for the measured round; 2 and 3 with --soak (bot only). */
  round: number;
  result: LoadResult;
  /** CPU used during the phase, in % of one core: the app under test and the fakes. */
  cpuPct: number;
  fakesCpuPct: number;
  /** CPU used by every other process on the machine during the phase, in % of one core. */
  othersPct: number;
  /** How long after the last reply the app and the fakes took to go quiet (work left over from the phase). */
  settleS: number;
}

/** The bot's memory after a round of every ack phase: at once, and once back within 1.25 × the after-start figure (or after 60 s). */
export interface RoundMemory {
  round: number;
  afterLoad: Memory;
  recovered: Memory;
  /** Seconds from the end of the round to `recovered`; NaN if it never came back within the wait. */
  recoverS: number;
  /** How long the bench was prepared to wait (60 s; 10 s with --quick). */
  waitS: number;
}

export interface LoadPhases {
  phases: AckPhase[];
  rssAfterStart: Memory;
  rssAfterLoad: Memory;
  rounds: RoundMemory[];
}

/** How long the bench waits for memory to come back after the ack phases. */
export const RECOVERY_WAIT_MS = 60_000;
export const RECOVERY_FACTOR = 1.25;

/** Reads the bot's memory every second until it is back within RECOVERY_FACTOR × `start`, at most RECOVERY_WAIT_MS. */
async function recovery(pid: number, start: Memory, waitMs: number, timeLeft: () => number): Promise<{ recovered: Memory; recoverS: number }> {
  const t0 = clock();
  const limit = Math.min(waitMs, Math.max(0, timeLeft() - 30_000));
  for (;;) {
    const mem = memoryOf(pid);
    if (mem.rssMb <= RECOVERY_FACTOR * start.rssMb) return { recovered: mem, recoverS: (clock() - t0) / 1000 };
    if (clock() - t0 >= limit) return { recovered: mem, recoverS: Number.NaN };
    await sleep(1000);
  }
}

/** One slash command, to get the real modal (as the bot redraws it with the current quota) for view submissions and block actions. */
async function openModal(fakes: FakesClient, load: SlackLoad, port: number): Promise<void> {
  await openLoop(port, 1, load.prepare('slash command', 1));
  for (let i = 0; i < 250 && !load.modalView; i++) {
    await sleep(20);
    await fakes.pullRecords();
    if (!fakes.records.some((r) => r.op === 'views.update')) continue;
    load.modalView = (await fakes.ctl<{ view: Record<string, any> | null }>('/latest-view')).view ?? undefined;
  }
  if (!load.modalView) throw new Error('the bot did not open and update the quota modal after /ses-quota');
}

/**
 * The bot's outbound Slack calls for each kind of request, as the same-calls baseline makes
 * them: the view the bot opened after a slash command (the quota read a moment before is cached,
 * so the bot opens the modal with it and sends no views.update, as throughout the load), the view
 * of its views.update after one "Add another request", and its ack for the load's view
 * submission. Sent to the bot outside any measurement.
 */
async function sameCallsOf(fakes: FakesClient, load: SlackLoad, port: number): Promise<SameCalls> {
  const lastSent = async (method: string) => (await fakes.ctl<{ view: unknown }>(`/last-sent?method=${method}`)).view;
  const afterOne = async (kind: Kind, op: string) => {
    await fakes.pullRecords();
    const count = () => fakes.records.filter((r) => r.op === op).length;
    const before = count();
    await sendOne(port, load.prepare(kind, 1)[0]!);
    for (let i = 0; i < 250 && count() === before; i++) {
      await sleep(20);
      await fakes.pullRecords();
    }
    if (count() === before) throw new Error(`the bot sent no ${op} after a ${kind}`);
    return lastSent(op);
  };
  const commandOpen = await afterOne('slash command', 'views.open');
  const actionUpdate = await afterOne('block action', 'views.update');
  const submitted = await sendOne(port, load.prepare('view submission', 1)[0]!);
  if (submitted.status !== 200 || !submitted.body) throw new Error(`the bot answered the view submission with ${submitted.status} ${submitted.body.slice(0, 200)}`);
  return { commandOpen, actionUpdate, submissionAck: JSON.parse(submitted.body) as Record<string, unknown> };
}

export async function runAckPhases(ctx: RunContext, fakes: FakesClient, apps: Apps, load: SlackLoad, db: string): Promise<LoadPhases> {
  const { settings, log } = ctx;
  const bare = await apps.startBare();
  const bot = await apps.startBot('load', db, 0, 60);
  await sleep(1000);
  const rssAfterStart = memoryOf(bot.child.pid);
  await openModal(fakes, load, bot.port);
  const sameCallsFile = join(ctx.work, 'same-calls.json');
  writeFileSync(sameCallsFile, JSON.stringify(await sameCallsOf(fakes, load, bot.port)));
  const same = await apps.startBare(sameCallsFile);

  log('warming up the three apps');
  for (const target of [bare, same, bot]) await openLoop(target.port, 50, load.mixed(Math.ceil((50 * settings.warmupMs) / 1000)));
  await settle([bot.child.pid, bare.child.pid, same.child.pid, fakes.pid], 5000);

  const phases: AckPhase[] = [];
  const rounds: RoundMemory[] = [];
  const targets: [Target, Running][] = [
    ['bare', bare],
    ['same', same],
    ['bot', bot],
  ];
  for (let round = 1; round <= (ctx.options.soak ? 3 : 1); round++) {
    for (const rate of settings.rates) {
      for (const kind of KINDS) {
        for (const [name, target] of round === 1 ? targets : targets.filter(([n]) => n === 'bot')) {
          phases.push(await runPhase(ctx, fakes, load, { kind, rate, name, target, round }));
        }
      }
    }
    const afterLoad = memoryOf(bot.child.pid);
    // --quick waits 10 s at most: its figure is only a hint.
    const waitMs = ctx.options.quick ? 10_000 : RECOVERY_WAIT_MS;
    const back = await recovery(bot.child.pid, rssAfterStart, waitMs, ctx.timeLeft);
    rounds.push({ round, afterLoad, ...back, waitS: waitMs / 1000 });
    log(`round ${round}: bot RSS ${afterLoad.rssMb.toFixed(0)} MB after the ack phases, ${back.recovered.rssMb.toFixed(0)} MB ${Number.isFinite(back.recoverS) ? `${back.recoverS.toFixed(0)} s later` : `after ${waitMs / 1000} s (not back within ${RECOVERY_FACTOR} × ${rssAfterStart.rssMb.toFixed(0)} MB)`}`);
  }
  await apps.stopBot(bot);
  await stopChild(bare.child);
  await stopChild(same.child);
  await fakes.pullRecords();
  return { phases, rssAfterStart, rssAfterLoad: rounds[0]!.afterLoad, rounds };
}

/** One kind of request at one rate against one app, and the CPU it took. */
async function runPhase(ctx: RunContext, fakes: FakesClient, load: SlackLoad, p: { kind: Kind; rate: number; name: Target; target: Running; round: number }): Promise<AckPhase> {
  const { settings, log } = ctx;
  const quick = ctx.options.quick;
  const requests = load.prepare(p.kind, Math.round((p.rate * settings.loadPhaseMs) / 1000));
  const ours = [p.target.child.pid, fakes.pid, process.pid];
  const cpu0 = ours.map(cpuMsOf);
  const machine0 = machineBusyMs();
  const w0 = clock();
  const result = await openLoop(p.target.port, p.rate, requests);
  const wall = clock() - w0;
  const used = ours.map((pid, i) => cpuMsOf(pid) - cpu0[i]!);
  const cpuPct = (100 * used[0]!) / wall;
  const fakesCpuPct = (100 * used[1]!) / wall;
  // Everything else on the machine (other users' builds and tests): the bench cannot control it, so it reports it.
  const othersPct = Math.max(0, (100 * (machineBusyMs() - machine0 - used.reduce((a, b) => a + b, 0))) / wall);
  // The app's work after the ack (views.open, views.update) must not spill into the next phase.
  const settleS = await settle([p.target.child.pid, fakes.pid], Math.min(quick ? 3000 : 20_000, Math.max(500, ctx.timeLeft() - (quick ? 25_000 : 120_000))));
  const ok = result.samples.filter((s) => s.status === 200).length;
  log(
    `${p.round > 1 ? `round ${p.round} ` : ''}${p.name.padEnd(4)} ${p.kind.padEnd(15)} ${p.rate}/s: ${ok}/${requests.length} acked 200; CPU ${cpuPct.toFixed(0)}% (fakes ${fakesCpuPct.toFixed(0)}%), ` +
      `quiet ${settleS.toFixed(1)} s later; other processes ${othersPct.toFixed(0)}%; generator lag p99 ${result.p99LagMs.toFixed(1)} ms`,
  );
  return { kind: p.kind, rate: p.rate, target: p.name, round: p.round, result, cpuPct, fakesCpuPct, othersPct, settleS };
}

/** The ack table: per kind and rate, the bot against the two baselines (round 1). */
export function ackTable(settings: Settings, load: LoadPhases): Report['ack'] {
  const ack: Report['ack'] = [];
  for (const rate of settings.rates) {
    for (const kind of KINDS) {
      const of = (target: Target) => {
        const phase = load.phases.find((p) => p.kind === kind && p.rate === rate && p.target === target && p.round === 1)!;
        const ok = phase.result.samples.filter((s) => s.status === 200 && Number.isFinite(s.doneAt));
        return {
          ...summarize(ok.map((s) => s.doneAt - s.sentAt)),
          errors: phase.result.samples.length - ok.length,
          lagP99: phase.result.p99LagMs,
          cpuPct: phase.cpuPct,
          fakesCpuPct: phase.fakesCpuPct,
          othersPct: phase.othersPct,
          settleS: phase.settleS,
        };
      };
      const bot = of('bot');
      const bare = of('bare');
      const same = of('same');
      ack.push({ kind, rate, bot, bare, same, ratioP99: bot.p99 / bare.p99, ratioSameP99: bot.p99 / same.p99 });
    }
  }
  return ack;
}

/** At every rate: the bot's p99 within 1.2 × the same-calls app's and 50 ms, without errors. */
export function ackTargets(ack: Report['ack']): TargetCheck[] {
  return ack.map((a) => ({
    figure: `Ack p99, ${a.kind}, ${a.rate}/s`,
    target: '≤ 1.2 × same-calls Bolt and ≤ 50 ms',
    measured: `${a.bot.p99.toFixed(1)} ms vs same-calls ${a.same.p99.toFixed(1)} ms (${a.ratioSameP99.toFixed(2)}×; ack-only ${a.bare.p99.toFixed(1)} ms, ${a.ratioP99.toFixed(2)}×)${a.bot.errors ? `, ${a.bot.errors} errors` : ''}`,
    met: a.bot.p99 <= 1.2 * a.same.p99 && a.bot.p99 <= 50 && a.bot.errors === 0,
  }));
}

/** Memory back within RECOVERY_FACTOR × after-start within the wait, after every round; with three rounds, no growth from the first to the last. */
export function memoryTargets(load: LoadPhases): TargetCheck[] {
  const start = load.rssAfterStart.rssMb;
  const out: TargetCheck[] = load.rounds.map((r) => ({
    figure: `Resident memory after the ack phases${load.rounds.length > 1 ? ` (round ${r.round})` : ''}, back within ${r.waitS} s`,
    target: `≤ ${RECOVERY_FACTOR} × after start (${(RECOVERY_FACTOR * start).toFixed(0)} MB)`,
    measured: `${r.afterLoad.rssMb.toFixed(0)} MB at the end, ${r.recovered.rssMb.toFixed(0)} MB ${Number.isFinite(r.recoverS) ? `${r.recoverS.toFixed(0)} s later` : `after ${r.waitS} s`}`,
    met: Number.isFinite(r.recoverS),
  }));
  const settled = load.rounds.map((r) => r.recovered.rssMb);
  out.push(
    settled.length >= 3
      ? {
          figure: 'Leak check: resident memory after each of 3 rounds of every ack phase (once settled)',
          target: 'no growth (last ≤ first + 5%)',
          measured: settled.map((m) => `${m.toFixed(0)} MB`).join(', '),
          met: settled.at(-1)! <= settled[0]! * 1.05,
        }
      : { figure: 'Leak check: 3 rounds of every ack phase', target: 'no growth (last ≤ first + 5%)', measured: 'not measured (run with --soak)', met: null },
  );
  return out;
}
