/**
 * `npm run chaos -- --minutes N [--seed S]`: the chaos soak (issue 17). Starts a throwaway
 * PostgreSQL server, the fake Slack and fake AWS (in this process), and two bot replicas (child
 * processes, HTTP mode) behind a round-robin proxy that also delivers some requests to both
 * replicas or twice (chaos/proxy.ts). For N minutes it drives a seeded random mix of real work
 * (chaos/ops.ts) under a seeded fault schedule (chaos/faults.ts); then it stops the faults, lets
 * the system settle, checks the invariants over the full record (chaos/check.ts), prints a
 * table, writes it to chaos/results/, and exits 1 if any invariant broke. The seed is printed
 * first and last: the same seed gives the same schedule of operations and faults (timings, and
 * so interleavings, still vary with the machine).
 *
 * The filing mode changes half-way: both replicas start with QUOTA_FILING=support-case and are
 * restarted with service-quotas at the half (a deployment changing it), so that both modes are
 * filed and the first half's requests are still followed by the second half's bots.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkInvariants, inFlight, snapshot, type Invariant } from './check.js';
import { Faults } from './faults.js';
import { Ledger, Operations, type OpName } from './ops.js';
import { Rng, World, sleep, type FilingMode } from './world.js';

const ROOT = resolve(import.meta.dirname, '..');

function parseArgs(argv: string[]): { minutes: number; seed: number; settleS: number; concurrency: number; write: boolean } {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const minutes = Number(get('minutes') ?? 2);
  const seed = get('seed') !== undefined ? Number(get('seed')) : Math.floor(Math.random() * 2 ** 31);
  const settleS = Number(get('settle') ?? 120);
  const concurrency = Number(get('concurrency') ?? 3);
  if (!(minutes > 0) || !Number.isInteger(seed) || !(settleS > 0) || !(concurrency > 0)) {
    process.stderr.write('usage: npm run chaos -- --minutes N [--seed S] [--settle SECONDS] [--concurrency K] [--no-write]\n');
    process.exit(2);
  }
  return { minutes, seed, settleS, concurrency, write: !argv.includes('--no-write') };
}

const opts = parseArgs(process.argv.slice(2));
const t0 = Date.now();
const log = (msg: string) => process.stderr.write(`[chaos +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);

const OPS: Record<OpName, number> = { quota: 5, lease: 2, relinquish: 3, awsReply: 6, quotaDecision: 1, confirm: 4, retry: 2, reply: 2, resolve: 0.5, resubmit: 1 };

async function main(): Promise<number> {
  log(`seed ${opts.seed}; ${opts.minutes} min of operations and faults, then up to ${opts.settleS} s to settle`);
  const rng = new Rng(opts.seed);
  // Separate streams, so that the fault schedule does not shift when an operation draws more or less.
  const world = new World(new Rng(opts.seed ^ 0x5eed));
  const durationMs = opts.minutes * 60_000;
  let mode: FilingMode = 'support-case';
  const ledger = new Ledger();
  const ops = new Operations(world, ledger, () => mode);
  const faults = new Faults(world, new Rng(opts.seed ^ 0xfa17), () => mode, log);
  const hardLimit = setTimeout(() => {
    log('over the hard time limit; stopping');
    void world.close().finally(() => process.exit(3));
  }, durationMs + opts.settleS * 1000 + 180_000);
  hardLimit.unref();

  try {
    await world.start(mode);
    log(`PostgreSQL on ${world.pg.port}; replicas ${world.replicas.map((r) => `${r.name}=${r.url}`).join(', ')}; proxy ${world.proxy.url}`);
    faults.start(durationMs);
    const opsStart = Date.now();

    // The mode switch half-way: a deployment restarts both replicas with the other QUOTA_FILING.
    const switchAt = opsStart + durationMs / 2;
    let switched = false;
    const inflight = new Set<Promise<void>>();
    let failures = 0;
    while (Date.now() - opsStart < durationMs) {
      if (!switched && Date.now() >= switchAt) {
        switched = true;
        await Promise.all(inflight);
        mode = 'service-quotas';
        log('switching both replicas to QUOTA_FILING=service-quotas');
        for (const r of world.replicas) {
          await r.stop('SIGTERM');
          await faults.restartWhenPossible(r.name);
        }
      }
      await sleep(rng.between(150, 900));
      if (inflight.size >= opts.concurrency) continue;
      const op = rng.weighted(OPS);
      const p = ops.run(op).catch((err: unknown) => {
        failures += 1;
        log(`operation ${op} failed in the soak itself: ${(err as Error).stack ?? String(err)}`);
      });
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    log('operations done; waiting for those in flight');
    await Promise.all(inflight);
    log('stopping the faults');
    await faults.stop();
    for (const r of world.replicas) if (!r.bot) await faults.restartWhenPossible(r.name);

    // Settle: until nothing is in flight and every AWS reply has reached Slack, for a few polls in a row.
    const settleStart = Date.now();
    let quiet = 0;
    let left = -1;
    while (Date.now() - settleStart < opts.settleS * 1000) {
      await sleep(2000);
      const db = await snapshot(world.pg.databaseUrl).catch(() => undefined);
      if (!db) continue;
      const posted = new Set(world.slack.messages.map((m) => `${m.text ?? ''}${JSON.stringify(m.blocks ?? [])}`));
      const repliesLeft = ledger.awsReplies.filter((r) => ![...posted].some((t) => t.includes(`${r.marker}:`))).length;
      left = inFlight(db) + repliesLeft;
      quiet = left === 0 ? quiet + 1 : 0;
      // At least 30 s, so that recoveries and reconciliations run many cycles without faults.
      if (quiet >= 3 && Date.now() - settleStart >= 30_000) break;
    }
    const settledS = (Date.now() - settleStart) / 1000;
    log(`settled after ${settledS.toFixed(0)} s (${left} still in flight)`);

    const db = await snapshot(world.pg.databaseUrl);
    const invariants = checkInvariants(world, ledger, db);
    const report = {
      date: new Date().toISOString(),
      seed: opts.seed,
      minutes: opts.minutes,
      settledS: Math.round(settledS),
      operations: { started: ledger.started, incomplete: ledger.incomplete, doubles: ledger.doubles, soakFailures: failures },
      submissions: summarizeSubmissions(ledger),
      confirmations: countBy(ledger.confirmations.map((c) => c.cls)),
      awsReplies: ledger.awsReplies.length,
      requests: countBy(db.requests.map((r) => `${r.kind}/${r.filing_mode}/${r.status}`)),
      faults: faults.counts,
      kills: faults.kills,
      outages: faults.outages,
      proxy: world.proxy.stats,
      replicaStarts: Object.fromEntries(world.replicas.map((r) => [r.name, r.starts])),
      fakes: { awsCalls: world.aws.calls.length, slackCalls: world.slack.calls.length, cases: world.aws.cases.size, quotaRequests: world.aws.quotaRequests().length, slackMessages: world.slack.messages.length },
      botErrorLines: world.botErrors.length,
      botErrorExamples: [...new Set(world.botErrors.map((l) => l.replace(/"time":\d+,|"pid":\d+,|"hostname":"[^"]*",/g, '')))].slice(0, 5),
      invariants,
    };
    const md = renderMarkdown(report, invariants);
    process.stdout.write(`\n${md}\n`);
    if (opts.write) {
      const dir = join(ROOT, 'chaos/results');
      mkdirSync(dir, { recursive: true });
      const stamp = `${report.date.replace(/[:.]/g, '-')}-${opts.minutes}min-seed${opts.seed}`;
      writeFileSync(join(dir, `${stamp}.md`), md);
      writeFileSync(join(dir, `${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
      log(`wrote chaos/results/${stamp}.{md,json}`);
    }
    const broken = invariants.filter((i) => !i.held);
    if (broken.length) {
      // Everything the checks read, for the investigation (not committed: chaos/results/ is ignored).
      const dir = join(ROOT, 'chaos/results');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `state-seed${opts.seed}.json`);
      const state = { db, ledger: { ...ledger, resolved: [...ledger.resolved], usedAddresses: undefined, retryClicks: [...ledger.retryClicks] }, slackMessages: world.slack.messages, ephemerals: world.slack.ephemerals, cases: [...world.aws.cases.values()], quotaRequests: world.aws.quotaRequests(), awsCalls: world.aws.calls.map((c) => ({ op: c.operation, at: c.at, fault: c.fault, caseId: c.input?.caseId })) };
      writeFileSync(file, JSON.stringify(state, null, 1));
      log(`wrote what the checks read to ${file}`);
    }
    log(`${broken.length ? `${broken.length} invariant(s) BROKEN` : 'every invariant held'}; replay with: npm run chaos -- --minutes ${opts.minutes} --seed ${opts.seed}`);
    return broken.length ? 1 : 0;
  } finally {
    clearTimeout(hardLimit);
    await world.close();
  }
}

function countBy(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[i] = (out[i] ?? 0) + 1;
  return out;
}

function summarizeSubmissions(ledger: Ledger) {
  const out: Record<string, { submitted: number; acknowledged: number; sends: number }> = {};
  for (const s of ledger.submissions) {
    const k = `${s.kind}${s.kind === 'quota' ? ` (${s.mode})` : ''}`;
    const e = (out[k] ??= { submitted: 0, acknowledged: 0, sends: 0 });
    e.submitted += 1;
    e.sends += s.sends;
    if (s.acked) e.acknowledged += 1;
  }
  return out;
}

function renderMarkdown(r: Record<string, any>, invariants: Invariant[]): string {
  const lines: string[] = [];
  lines.push(`### Chaos soak, ${r.minutes} min, seed ${r.seed} (${r.date})`, '');
  lines.push(`Replay: \`npm run chaos -- --minutes ${r.minutes} --seed ${r.seed}\`. Settled ${r.settledS} s after the faults stopped.`, '');
  lines.push('| Operations | started | could not proceed |', '|---|---:|---:|');
  for (const [k, v] of Object.entries(r.operations.started as Record<string, number>)) lines.push(`| ${k} | ${v} | ${(r.operations.incomplete as Record<string, number>)[k] ?? 0} |`);
  lines.push(`| double submissions / double clicks | ${r.operations.doubles.submitTwice} / ${r.operations.doubles.clickTwice} | |`);
  lines.push(`| proxy: to both replicas / redelivered events / Slack-window retries / rerouted from a dead replica | ${r.proxy.toBoth} / ${r.proxy.redelivered} / ${r.proxy.timeoutRetries} / ${r.proxy.rerouted} | |`, '');
  lines.push('| Submissions | submitted | acknowledged | deliveries |', '|---|---:|---:|---:|');
  for (const [k, v] of Object.entries(r.submissions as Record<string, any>)) lines.push(`| ${k} | ${v.submitted} | ${v.acknowledged} | ${v.sends} |`);
  lines.push('', `Confirmations said in threads: ${Object.entries(r.confirmations).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}. AWS replies added: ${r.awsReplies}.`);
  lines.push(`Requests at the end: ${Object.entries(r.requests).map(([k, v]) => `${k} ${v}`).join(', ')}.`, '');
  lines.push('| Faults injected | count |', '|---|---:|');
  for (const [k, v] of Object.entries(r.faults as Record<string, number>)) lines.push(`| ${k} | ${v} |`);
  lines.push('', `Replica starts: ${Object.entries(r.replicaStarts).map(([k, v]) => `${k} ${v}`).join(', ')}. Database outages: ${(r.outages as { ms: number }[]).map((o) => `${(o.ms / 1000).toFixed(1)} s`).join(', ') || 'none'}. Fakes: ${r.fakes.awsCalls} AWS calls, ${r.fakes.slackCalls} Slack calls, ${r.fakes.cases} cases, ${r.fakes.quotaRequests} Service Quotas requests, ${r.fakes.slackMessages} Slack messages. Bot log lines at error level: ${r.botErrorLines}.`, '');
  if (r.botErrorExamples.length) lines.push('Bot log lines at error level (distinct, first few):', '', ...r.botErrorExamples.map((l: string) => `- \`${l.slice(0, 300).replace(/`/g, "'")}\``), '');
  lines.push('| Invariant | result | checked | examples |', '|---|---|---:|---|');
  for (const i of invariants) lines.push(`| ${i.name} | ${i.held ? 'held' : '**BROKEN**'} | ${i.checked} | ${i.examples.map((e) => e.replace(/\|/g, '\\|').replace(/\n/g, ' ')).join('<br>') || ''} |`);
  const notes = invariants.flatMap((i) => i.notes.map((n) => `- ${n}`));
  if (notes.length) lines.push('', 'Notes (not breaks: final states with a stated reason):', '', ...notes.slice(0, 15));
  return `${lines.join('\n')}\n`;
}

try {
  process.exitCode = await main();
} catch (err) {
  process.stderr.write(`chaos failed: ${(err as Error).stack ?? String(err)}\n(seed ${opts.seed})\n`);
  process.exitCode = 2;
}
process.exit(process.exitCode);
