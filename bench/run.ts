/**
 * `npm run bench` (`-- --quick` for a short run): builds the bot, starts the production build
 * (`node dist/main.js`, HTTP mode) and a bare Bolt app as child processes against the test
 * suite's fake Slack and fake AWS (bench/fakes-server.ts, a third process), drives them from
 * this process, and prints one table. See BENCHMARKS.md for what each figure means.
 *
 * Options: --quick (about a minute), --no-build (reuse dist/; for working on the bench itself),
 * --update-benchmarks-md (replace the table in BENCHMARKS.md with this run's), --soak (the leak
 * check alone: three rounds of every ack phase, and the bot's memory after each).
 *
 * Everything listens on and talks to 127.0.0.1 only; every loop is bounded in count and time,
 * and a watchdog ends the run (and every child) if it overruns.
 *
 * This file runs the phases in order and writes the report; each phase is a module of
 * bench/phases/: ack-latency (1), views-open (2), sync-cost (3), reply-latency (4), footprint (5),
 * push-latency (6; its reply latencies are reported beside phase 4's).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Apps } from './apps.js';
import type { RunContext } from './context.js';
import { FakesClient, type FakesInfo } from './lib/fakes-client.js';
import { clock, cpuMsOf, killAllChildren, machineBusyMs, sleep, startChild, stopChild } from './lib/procs.js';
import { renderMarkdown, type Report } from './lib/report.js';
import { ackTable, ackTargets, memoryTargets, runAckPhases, type LoadPhases } from './phases/ack-latency.js';
import { footprintTable, footprintTargets } from './phases/footprint.js';
import { pushTargets, runPushPhase, type PushResult } from './phases/push-latency.js';
import { replyTable, replyTarget } from './phases/reply-latency.js';
import { emptyDatabase, runSyncPhase, syncTargets, type SyncResult } from './phases/sync-cost.js';
import { openedAtByTrigger, viewsOpenTable, viewsOpenTargets } from './phases/views-open.js';
import { SlackLoad } from './requests.js';
import { POLL_INTERVAL_S, PUSH_FALLBACK_S, REPLY_LATENCY_N, ROOT, parseOptions, productionNodeOptions, settingsFor } from './settings.js';

const parsed = parseOptions(process.argv.slice(2));
if ('error' in parsed) {
  process.stderr.write(`${parsed.error}\n`);
  process.exit(2);
}
const options = parsed;
const settings = settingsFor(options.quick, options.soak);

const runStart = clock();
const log = (msg: string) => process.stderr.write(`[bench +${((clock() - runStart) / 1000).toFixed(1)}s] ${msg}\n`);

// ---- safety: children never outlive the run; the run never outlives its limit ---------------
process.on('exit', killAllChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAllChildren();
    process.exit(130);
  });
}
const watchdog = setTimeout(() => {
  process.stderr.write(`bench: over its time limit of ${settings.hardLimitMs / 1000} s; stopping.\n`);
  killAllChildren();
  process.exit(3);
}, settings.hardLimitMs);
const deadline = runStart + settings.hardLimitMs - 3000;

const work = mkdtempSync(join(os.tmpdir(), 'ses-bot-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const ctx: RunContext = {
  options,
  settings,
  botNodeArgs: (process.env.BENCH_BOT_NODE_ARGS ?? '').split(' ').filter(Boolean),
  work,
  baseEnv: {
    PATH: process.env.PATH,
    HOME: work,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
  },
  log,
  timeLeft: () => deadline - clock(),
};

// ---- the run ---------------------------------------------------------------------------------
async function main(): Promise<void> {
  log(`${options.quick ? 'quick' : 'full'} run; results under bench/results/`);
  const machine0 = machineBusyMs();
  const self0 = cpuMsOf(process.pid);
  await sleep(1000);
  const idleBeforePct = Math.max(0, (machineBusyMs() - machine0 - (cpuMsOf(process.pid) - self0)) / 10);
  if (idleBeforePct > 25) log(`warning: other processes are using ${idleBeforePct.toFixed(0)}% of a core; tail latencies will show it`);
  const fakesChild = startChild('fakes', process.execPath, ['--import', 'tsx', join(ROOT, 'bench/fakes-server.ts')], { env: ctx.baseEnv, cwd: ROOT });
  let buildMs = Number.NaN;
  if (options.build) {
    const t0 = clock();
    const build = startChild('npm run build', 'npm', ['run', '--silent', 'build'], { env: process.env, cwd: ROOT });
    const code = await build.exited;
    if (code !== 0) throw new Error(`npm run build failed (exit ${code}):\n${build.lines.join('\n')}\n${build.stderrTail()}`);
    buildMs = clock() - t0;
    log(`built dist/ in ${(buildMs / 1000).toFixed(1)} s`);
  }
  if (!existsSync(join(ROOT, 'dist/main.js'))) throw new Error('dist/main.js is missing; run without --no-build');
  const info = JSON.parse(await fakesChild.waitForLine((l) => l.startsWith('{'), 30_000)) as FakesInfo;
  const fakes = new FakesClient(info, fakesChild.pid, ctx.timeLeft);
  const apps = new Apps(ctx, fakes);

  // 1, and the empty-database footprint.
  const loadDb = join(work, 'load.sqlite');
  const load = await runAckPhases(ctx, fakes, apps, new SlackLoad(fakes.slackOrigin), loadDb);
  emptyDatabase(loadDb);

  // 2: views.open after each slash command sent to the bot, matched by trigger_id.
  const openedAt = openedAtByTrigger(fakes.records);

  // 3–4 (the reply latency at N = REPLY_LATENCY_N).
  const sync: SyncResult[] = [];
  let latency: number[] = [];
  for (const n of options.soak ? [] : settings.sizes) {
    const out = await runSyncPhase(ctx, fakes, apps, n, loadDb);
    sync.push(out.result);
    if (out.latency) latency = out.latency;
  }

  // 6: push (SQS events) at each size, with the same seeding as 3.
  const push: PushResult[] = [];
  for (const n of options.soak ? [] : settings.pushSizes) push.push(await runPushPhase(ctx, fakes, apps, n, loadDb));
  const fakesMemory = await fakes.ctl<{ rss: number }>('/memory');
  await stopChild(fakesChild);

  const report = buildReport({ load, openedAt, sync, latency, push, apps, buildMs, idleBeforePct, fakesRssMb: fakesMemory.rss / 1048576 });
  const md = renderMarkdown(report);
  process.stdout.write(`\n${md}\n`);
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const stamp = report.date.replace(/[:.]/g, '-');
  for (const name of [stamp, 'latest']) {
    writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(dir, `${name}.md`), md);
  }
  log(`wrote bench/results/${stamp}.{json,md} and latest.{json,md}`);
  if (options.updateBenchmarksMd) updateBenchmarksMd(md);
}

function buildReport(r: {
  load: LoadPhases;
  openedAt: Map<string, number>;
  sync: SyncResult[];
  latency: number[];
  push: PushResult[];
  apps: Apps;
  buildMs: number;
  idleBeforePct: number;
  fakesRssMb: number;
}): Report {
  const ack = ackTable(settings, r.load);
  const viewsOpen = viewsOpenTable(settings, r.load, r.openedAt);
  const footprint = footprintTable(r.apps, r.load, r.sync, r.fakesRssMb);
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    mode: options.soak ? 'soak' : options.quick ? 'quick' : 'full',
    machine: { cpus: cpus.length, model: cpus[0]?.model.trim() ?? 'unknown', node: process.version, os: `${os.type()} ${os.release()}`, memoryGb: os.totalmem() / 1024 ** 3 },
    settings: { ...settings, pollIntervalS: POLL_INTERVAL_S, replyLatencyN: REPLY_LATENCY_N, pushFallbackS: PUSH_FALLBACK_S, botNodeArgs: ctx.botNodeArgs.join(' '), productionNodeOptions: productionNodeOptions().join(' ') },
    buildS: r.buildMs / 1000,
    idleBeforePct: r.idleBeforePct,
    ack,
    viewsOpen,
    sync: r.sync,
    reply: replyTable(r.latency),
    push: r.push,
    footprint,
    targets: [
      ...ackTargets(ack),
      ...viewsOpenTargets(viewsOpen),
      ...(options.soak ? [] : [...syncTargets(r.sync), replyTarget(r.latency), ...pushTargets(r.push, r.sync)]),
      ...footprintTargets(footprint, !options.soak),
      ...memoryTargets(r.load),
    ],
    botWarnings: [...new Set(r.apps.botWarnings)].slice(0, 20),
    botWarningCount: r.apps.botWarnings.length,
  };
}

function updateBenchmarksMd(md: string): void {
  const path = join(ROOT, 'BENCHMARKS.md');
  const start = '<!-- bench:results:start -->';
  const end = '<!-- bench:results:end -->';
  const doc = readFileSync(path, 'utf8');
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`BENCHMARKS.md has no ${start} … ${end} section`);
  writeFileSync(path, `${doc.slice(0, i + start.length)}\n${md}\n${doc.slice(j)}`);
  log('updated the results in BENCHMARKS.md');
}

try {
  await main();
  clearTimeout(watchdog);
  process.exit(0);
} catch (err) {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  killAllChildren();
  process.exit(1);
}
