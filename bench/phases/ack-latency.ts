/**
 * Phase 1, ack latency: each kind of Slack request at each rate, open loop, to the bare Bolt app
 * and to the bot in turn; the time to each HTTP 200, and the CPU each process used meanwhile.
 * Also the bot's resident memory after start and after the load (the empty-database footprint).
 */
import type { Apps } from '../apps.js';
import type { RunContext } from '../context.js';
import type { FakesClient } from '../lib/fakes-client.js';
import { openLoop, type LoadResult } from '../lib/load.js';
import { clock, cpuMsOf, machineBusyMs, memoryOf, settle, sleep, stopChild, type Memory } from '../lib/procs.js';
import type { Report, TargetCheck } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import type { SlackLoad } from '../requests.js';
import { KINDS, type Kind, type Settings } from '../settings.js';

export interface AckPhase {
  kind: Kind;
  rate: number;
  target: 'bot' | 'bare';
  result: LoadResult;
  /** CPU used during the phase, in % of one core: the app under test and the fakes. */
  cpuPct: number;
  fakesCpuPct: number;
  /** CPU used by every other process on the machine during the phase, in % of one core. */
  othersPct: number;
  /** How long after the last reply the app and the fakes took to go quiet (work left over from the phase). */
  settleS: number;
}

export interface LoadPhases {
  phases: AckPhase[];
  rssAfterStart: Memory;
  rssAfterLoad: Memory;
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

export async function runAckPhases(ctx: RunContext, fakes: FakesClient, apps: Apps, load: SlackLoad, db: string): Promise<LoadPhases> {
  const { settings, log } = ctx;
  const quick = ctx.options.quick;
  const bare = await apps.startBare();
  const bot = await apps.startBot('load', db, 0, 60);
  await sleep(1000);
  const rssAfterStart = memoryOf(bot.child.pid);
  await openModal(fakes, load, bot.port);

  log('warming up both apps');
  for (const target of [bare, bot]) await openLoop(target.port, 50, load.mixed(Math.ceil((50 * settings.warmupMs) / 1000)));
  await settle([bot.child.pid, bare.child.pid, fakes.pid], 5000);

  const phases: AckPhase[] = [];
  for (const rate of settings.rates) {
    for (const kind of KINDS) {
      for (const [name, target] of [['bare', bare], ['bot', bot]] as const) {
        const requests = load.prepare(kind, Math.round((rate * settings.loadPhaseMs) / 1000));
        const ours = [target.child.pid, fakes.pid, process.pid];
        const cpu0 = ours.map(cpuMsOf);
        const machine0 = machineBusyMs();
        const w0 = clock();
        const result = await openLoop(target.port, rate, requests);
        const wall = clock() - w0;
        const used = ours.map((pid, i) => cpuMsOf(pid) - cpu0[i]!);
        const cpuPct = (100 * used[0]!) / wall;
        const fakesCpuPct = (100 * used[1]!) / wall;
        // Everything else on the machine (other users' builds and tests): the bench cannot control it, so it reports it.
        const othersPct = Math.max(0, (100 * (machineBusyMs() - machine0 - used.reduce((a, b) => a + b, 0))) / wall);
        // The bot's work after the ack (views.open, views.update) must not spill into the next phase.
        const settleS = await settle([target.child.pid, fakes.pid], Math.min(quick ? 3000 : 20_000, Math.max(500, ctx.timeLeft() - (quick ? 25_000 : 120_000))));
        phases.push({ kind, rate, target: name, result, cpuPct, fakesCpuPct, othersPct, settleS });
        const ok = result.samples.filter((s) => s.status === 200).length;
        log(
          `${name.padEnd(4)} ${kind.padEnd(15)} ${rate}/s: ${ok}/${requests.length} acked 200; CPU ${cpuPct.toFixed(0)}% (fakes ${fakesCpuPct.toFixed(0)}%), ` +
            `quiet ${settleS.toFixed(1)} s later; other processes ${othersPct.toFixed(0)}%; generator lag p99 ${result.p99LagMs.toFixed(1)} ms`,
        );
      }
    }
  }
  const rssAfterLoad = memoryOf(bot.child.pid);
  await apps.stopBot(bot);
  await stopChild(bare.child);
  await fakes.pullRecords();
  return { phases, rssAfterStart, rssAfterLoad };
}

/** The ack table: per kind and rate, the bot against the bare app. */
export function ackTable(settings: Settings, load: LoadPhases): Report['ack'] {
  const ack: Report['ack'] = [];
  for (const rate of settings.rates) {
    for (const kind of KINDS) {
      const of = (target: 'bot' | 'bare') => {
        const phase = load.phases.find((p) => p.kind === kind && p.rate === rate && p.target === target)!;
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
      ack.push({ kind, rate, bot, bare, ratioP99: bot.p99 / bare.p99 });
    }
  }
  return ack;
}

/** At 200 requests/s: the bot's p99 within 1.2 × the bare app's and 50 ms, without errors. */
export function ackTargets(ack: Report['ack']): TargetCheck[] {
  return ack
    .filter((x) => x.rate === 200)
    .map((a) => ({
      figure: `Ack p99, ${a.kind}, 200/s`,
      target: '≤ 1.2 × bare Bolt and ≤ 50 ms',
      measured: `${a.bot.p99.toFixed(1)} ms vs bare ${a.bare.p99.toFixed(1)} ms (${a.ratioP99.toFixed(2)}×)${a.bot.errors ? `, ${a.bot.errors} errors` : ''}`,
      met: a.bot.p99 <= 1.2 * a.bare.p99 && a.bot.p99 <= 50 && a.bot.errors === 0,
    }));
}
