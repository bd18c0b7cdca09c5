/** The bench's result, as JSON (bench/results/*.json) and as the Markdown tables of BENCHMARKS.md. */
import type { Memory } from './procs.js';
import type { Summary } from './stats.js';

export interface TargetCheck {
  figure: string;
  target: string;
  measured: string;
  /** null: not measured in this run. */
  met: boolean | null;
}

/** Replies timed one by one: latency (s) of those posted, how many were added, posted, and posted more than once. */
export type ReplyFigures = Summary & { replies: number; posted: number; duplicates: number };

type AckSide = Summary & { errors: number; lagP99: number; cpuPct: number; fakesCpuPct: number; othersPct: number; settleS: number };

export interface Report {
  date: string;
  mode: 'quick' | 'full' | 'soak';
  machine: { cpus: number; model: string; node: string; os: string; memoryGb: number };
  settings: Record<string, unknown> & { loadPhaseMs: number; pollIntervalS: number; botNodeArgs: string; productionNodeOptions: string };
  buildS: number;
  /** CPU used by other processes in the second before the run, in % of one core. */
  idleBeforePct: number;
  /** bare: Bolt acking only; same: Bolt acking and making the bot's outbound Slack calls. */
  ack: { kind: string; rate: number; bot: AckSide; bare: AckSide; same: AckSide; ratioP99: number; ratioSameP99: number }[];
  viewsOpen: (Summary & { rate: number; missing: number })[];
  sync: {
    n: number;
    expectedDescribeCases: number;
    /** supportCallsPerMin: the quiet cycles' Support calls over their span (start of the first to start of the one after the last). */
    noNew: { cycles: number; describeCases: number[]; supportCalls: number[]; cycleS: Summary; supportCallsPerMin: number };
    withNew: { describeCases: number; supportCalls: number; cycleS: number; replies: number; posted: number; replyLatencyS: Summary };
    oneCallPerCase: { callsPerCycle: number; minCycleS: number };
    boundS: number;
    maxSupportCallsIn1s: number;
    maxSupportCallsInClockSecond: number;
    minGapMs: number;
    gapsUnder200Ms: number;
    rssAfterStart: Memory;
    rssAfterSync: Memory;
    startupMs: number;
    unexpectedPosts: number;
    cpuPct: number;
    othersPct: number;
  }[];
  reply: Summary & { tracked: number; intervalS: number };
  /** Phase 6: with push (SQS events), per number of tracked cases. */
  push: {
    n: number;
    startupMs: number;
    /** The full poll at start (describeCases: the ⌈N/100⌉ batches it reads). */
    startupPoll: { seconds: number; supportCalls: number; describeCases: number };
    /** Replies pushed while the start-up full poll ran (N ≥ 1,000 only). */
    duringPoll?: ReplyFigures;
    /** After the start-up poll, nothing happening: the calls the bot made and its CPU (% of a core). */
    quiet: { windowS: number; supportCalls: number; sqsCalls: number; otherCalls: number; cpuPct: number };
    /** supportCalls: every Support call from the first reply to the last post. */
    reply: ReplyFigures & { supportCalls: number };
    queueAfter: { visible: number; inFlight: number; deleted: number; staleDeletes: number; deadLettered: number };
    unexpectedPosts: number;
    cpuPct: number;
    othersPct: number;
  }[];
  footprint: {
    startups: { label: string; cases: number; ms: number }[];
    startupMs: Summary;
    rssAfterStart: Memory;
    rssAfterLoad: Memory;
    /** After each round of ack phases: at once, and when back within 1.25 × after start (recoverS NaN: not within 60 s). */
    rounds: { round: number; afterLoad: Memory; recovered: Memory; recoverS: number; waitS: number }[];
    rssAfterStart10k?: Memory;
    rssAfterSync10k?: Memory;
    fakesRssMb: number;
  };
  targets: TargetCheck[];
  botWarnings: string[];
  botWarningCount: number;
}

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '–');
const s2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
const int = (v: number) => v.toLocaleString('en-US');
const range = (values: number[]) => {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  return distinct.length ? distinct.map(int).join('–') : '–';
};

export function renderMarkdown(r: Report): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`### Results: ${r.date.slice(0, 10)} (${r.mode} run)`);
  out.push('');
  out.push(
    `Machine: ${m.cpus} × ${m.model}, ${m.memoryGb.toFixed(0)} GB RAM, Node ${m.node}, ${m.os}. ` +
      `Run at ${r.date}; production build (\`npm run build\`${Number.isFinite(r.buildS) ? `, ${r.buildS.toFixed(1)} s` : ', reused'}). ` +
      `Bot (\`node ${r.settings.productionNodeOptions ? `${r.settings.productionNodeOptions} ` : ''}dist/main.js\`, as \`npm start\` and the image run it), Bolt baselines, fakes and load generator are separate processes sharing the ${m.cpus} CPUs.`,
  );
  const others = [...r.ack.flatMap((a) => [a.bot.othersPct, a.bare.othersPct, a.same.othersPct]), ...r.sync.map((x) => x.othersPct), ...r.push.map((x) => x.othersPct)];
  const othersMax = Math.max(0, ...others);
  out.push('');
  out.push(
    `Other processes on the machine used ${r.idleBeforePct.toFixed(0)}% of a core just before the run and up to ${othersMax.toFixed(0)}% during a phase` +
      (othersMax > 25 ? ' — the machine was not quiet, so tail latencies are inflated by CPU the bench does not control; compare with a run on a quiet machine.' : '.'),
  );
  out.push('');
  if (r.settings.botNodeArgs) {
    out.push(`**Not a default run:** the bot ran with node options \`${r.settings.botNodeArgs}\` (BENCH_BOT_NODE_ARGS).`);
    out.push('');
  }

  out.push(
    `**1. Ack latency** (ms; open loop, ${r.settings.loadPhaseMs / 1000} s per request type and rate; bot = \`node dist/main.js\`; ` +
      `ack only = bench/bare-bolt.ts acking; same calls = bench/bare-bolt.ts acking and then making the bot's Slack calls with the bot's views)`,
  );
  out.push('');
  out.push('| Request | Offered | Bot median | Bot p99 | Bot max | Same calls median | Same calls p99 | Ack only p99 | p99 bot ÷ same calls | p99 bot ÷ ack only | CPU bot / same calls / ack only / fakes / others | Bot quiet after | Failed (bot / same / ack only) |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const perReq = (side: AckSide, rate: number) => `${side.cpuPct.toFixed(0)}% (${((side.cpuPct * 10) / rate).toFixed(1)} ms/req)`;
  for (const a of r.ack) {
    out.push(
      `| ${a.kind} | ${a.rate}/s | ${ms(a.bot.median)} | ${ms(a.bot.p99)} | ${ms(a.bot.max)} | ${ms(a.same.median)} | ${ms(a.same.p99)} | ${ms(a.bare.p99)} | ${s2(a.ratioSameP99)}× | ${s2(a.ratioP99)}× | ` +
        `${perReq(a.bot, a.rate)} / ${perReq(a.same, a.rate)} / ${perReq(a.bare, a.rate)} / ${a.bot.fakesCpuPct.toFixed(0)}% / ${Math.max(a.bot.othersPct, a.bare.othersPct, a.same.othersPct).toFixed(0)}% | ${Number.isFinite(a.bot.settleS) ? `${a.bot.settleS.toFixed(1)} s` : 'not within the wait'} | ${a.bot.errors} / ${a.same.errors} / ${a.bare.errors} |`,
    );
  }
  const lag = Math.max(...r.ack.flatMap((a) => [a.bot.lagP99, a.bare.lagP99, a.same.lagP99]));
  out.push('');
  out.push(
    `CPU: % of one core used during each app's phase by that app, by the fakes during the bot's phase, ` +
      `and by every other process on the machine (the highest of the three phases; not under the bench's control). ` +
      `"Bot quiet after": how long after its last ack the bot (and the fakes) still worked on the phase's requests. ` +
      `Load generator schedule lag, worst phase p99: ${ms(lag)} ms.`,
  );
  out.push('');

  out.push('**2. Slash command → views.open** (ms, from sending the command to the fake Slack receiving views.open with its trigger_id)');
  out.push('');
  out.push('| Offered | n | Median | p99 | Max | Never opened |');
  out.push('|---:|---:|---:|---:|---:|---:|');
  for (const v of r.viewsOpen) out.push(`| ${v.rate}/s | ${v.n} | ${ms(v.median)} | ${ms(v.p99)} | ${ms(v.max)} | ${v.missing} |`);
  out.push('');

  out.push(`**3. Sync cost** (${r.settings.pollIntervalS} s interval; cycle time = start of the next cycle − start of this one − interval)`);
  out.push('');
  out.push(
    '| Tracked open cases N | Support calls per cycle, no new (expected ⌈N/100⌉) | Cycle time, no new: median / p99 / max (s) | Support calls, 1% new | Cycle time, 1% new (s) | Replies posted | One call per case: calls per cycle (floor at 5/s) | Bound ⌈N/100⌉ ÷ 5/s | Most Support calls in any 1 s (in one clock second) | Smallest gap; gaps < 200 ms | CPU bot / others |',
  );
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const x of r.sync) {
    const c = x.noNew.cycleS;
    out.push(
      `| ${int(x.n)} | ${range(x.noNew.supportCalls)} (${x.expectedDescribeCases}) over ${x.noNew.cycles} cycles | ${s2(c.median)} / ${s2(c.p99)} / ${s2(c.max)} | ${x.withNew.supportCalls} | ${s2(x.withNew.cycleS)} | ${x.withNew.posted}/${x.withNew.replies} | ${int(x.oneCallPerCase.callsPerCycle)} (${s2(x.oneCallPerCase.minCycleS)} s) | ${s2(x.boundS)} s | ${x.maxSupportCallsIn1s} (${x.maxSupportCallsInClockSecond}) | ${ms(x.minGapMs)} ms; ${x.gapsUnder200Ms} | ${x.cpuPct.toFixed(0)}% / ${x.othersPct.toFixed(0)}% |`,
    );
  }
  out.push('');

  const fallback = Number(r.settings.pushFallbackS);
  const pushHow = `push (SQS), full poll every ${fallback} s`;
  const twice = (x: ReplyFigures) => `${x.posted}/${x.replies} / ${x.duplicates}`;
  out.push(`**4. Reply latency** (s, from the fake AWS adding a reply — and, with push, sending its event to the queue — to the fake Slack receiving its chat.postMessage; ${r.reply.intervalS} s interval)`);
  out.push('');
  out.push('| Bot learns of replies by | Replies | Tracked cases | n | Median | p99 | Max | Posted / twice |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|');
  out.push(`| polling every ${r.reply.intervalS} s | one at a time, every 0.2–0.6 s (random) | ${int(r.reply.tracked)} | ${r.reply.n} | ${s2(r.reply.median)} | ${s2(r.reply.p99)} | ${s2(r.reply.max)} | – |`);
  for (const x of r.sync) {
    const l = x.withNew.replyLatencyS;
    out.push(`| polling every ${r.reply.intervalS} s | 1% of the cases at once, just after a cycle | ${int(x.n)} | ${l.n} | ${s2(l.median)} | ${s2(l.p99)} | ${s2(l.max)} | ${x.withNew.posted}/${x.withNew.replies} / – |`);
  }
  for (const p of r.push) {
    const l = p.reply;
    out.push(`| ${pushHow} | one at a time, every 0.2–0.6 s (random) | ${int(p.n)} | ${l.n} | ${s2(l.median)} | ${s2(l.p99)} | ${s2(l.max)} | ${twice(l)} |`);
    const d = p.duringPoll;
    if (d) out.push(`| ${pushHow} | one at a time, every 0.2–0.6 s, during the start-up full poll (${s2(p.startupPoll.seconds)} s) | ${int(p.n)} | ${d.n} | ${s2(d.median)} | ${s2(d.p99)} | ${s2(d.max)} | ${twice(d)} |`);
  }
  out.push('');

  const f = r.footprint;
  out.push('**5. Footprint**');
  out.push('');
  out.push('| Figure | Median | p99 | Max |');
  out.push('|---|---:|---:|---:|');
  out.push(`| Start-up to /healthz 200 (${f.startupMs.n} starts: ${f.startups.map((s) => `${s.label} ${(s.ms / 1000).toFixed(2)} s`).join(', ')}) | ${s2(f.startupMs.median / 1000)} s | ${s2(f.startupMs.p99 / 1000)} s | ${s2(f.startupMs.max / 1000)} s |`);
  const one = (label: string, mem: Memory | undefined) => {
    if (mem) out.push(`| ${label} (one reading; VmHWM = peak) | ${mem.rssMb.toFixed(0)} MB | – | ${mem.hwmMb.toFixed(0)} MB |`);
  };
  one('Resident memory after start, empty store', f.rssAfterStart);
  for (const round of f.rounds) {
    const of = f.rounds.length > 1 ? ` (round ${round.round} of ${f.rounds.length})` : '';
    one(`Resident memory at the end of the ack phases${of}`, round.afterLoad);
    one(`… ${Number.isFinite(round.recoverS) ? `${round.recoverS.toFixed(0)} s later, back within 1.25 × after start` : `not back within 1.25 × after start in ${round.waitS} s`}`, round.recovered);
  }
  one('Resident memory after start, 10,000 tracked cases', f.rssAfterStart10k);
  one('Resident memory after syncing 10,000 cases', f.rssAfterSync10k);
  out.push('');

  if (r.push.length) {
    out.push(`**6. Support calls while nothing happens** (polling every ${r.settings.pollIntervalS} s, against push with the full poll every ${fallback} s)`);
    out.push('');
    out.push(
      '| Tracked cases | Polling, no push: Support calls/min | Push: Support calls in the quiet window (per min) | Push, with the full poll spread over its period: per min | SQS / other calls in the window | Bot CPU in the window | Start-up full poll: s (Support calls) | Support calls for the pushed replies | Events left in the queue (deleted) | CPU bot / others, whole phase |',
    );
    out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const p of r.push) {
      const poll = r.sync.find((x) => x.n === p.n)?.noNew.supportCallsPerMin;
      const perMin = (p.quiet.supportCalls * 60) / p.quiet.windowS;
      const withFallback = perMin + (p.startupPoll.describeCases * 60) / fallback;
      const left = p.queueAfter.visible + p.queueAfter.inFlight;
      const replies = p.reply.replies + (p.duringPoll?.replies ?? 0);
      out.push(
        `| ${int(p.n)} | ${poll === undefined ? '–' : poll.toFixed(1)} | ${p.quiet.supportCalls} in ${p.quiet.windowS.toFixed(0)} s (${perMin.toFixed(1)}) | ${withFallback.toFixed(1)} | ${p.quiet.sqsCalls} / ${p.quiet.otherCalls} | ${p.quiet.cpuPct.toFixed(1)}% | ` +
          `${s2(p.startupPoll.seconds)} (${p.startupPoll.supportCalls}) | ${p.reply.supportCalls} for ${p.reply.replies}${p.duringPoll ? ` (+${p.duringPoll.replies} during the full poll)` : ''} | ${left} (${p.queueAfter.deleted} of ${replies}) | ${p.cpuPct.toFixed(0)}% / ${p.othersPct.toFixed(0)}% |`,
      );
    }
    out.push('');
  }

  out.push('**Targets**');
  out.push('');
  out.push('| Figure | Target | Measured | Met |');
  out.push('|---|---|---|---|');
  for (const t of r.targets) out.push(`| ${t.figure} | ${t.target} | ${t.measured} | ${t.met === null ? 'n/a' : t.met ? 'yes' : '**no**'} |`);
  out.push('');
  out.push(`Bot warnings logged during the run: ${r.botWarningCount}${r.botWarnings.length ? ` (${r.botWarnings.slice(0, 5).map((w) => `\`${w.replace(/`/g, "'")}\``).join('; ')})` : ''}.`);
  return out.join('\n');
}
