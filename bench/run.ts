/**
 * `npm run bench` (`-- --quick` for a short run): builds the bot, starts the production build
 * (`node dist/main.js`, HTTP mode) and a bare Bolt app as child processes against the test
 * suite's fake Slack and fake AWS (bench/fakes-server.ts, a third process), drives them from
 * this process, and prints one table. See BENCHMARKS.md for what each figure means.
 *
 * Options: --quick (under a minute), --no-build (reuse dist/; for working on the bench itself),
 * --update-benchmarks-md (replace the table in BENCHMARKS.md with this run's).
 *
 * Everything listens on and talks to 127.0.0.1 only; every loop is bounded in count and time,
 * and a watchdog ends the run (and every child) if it overruns.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { communicationKey } from '../src/services/outbox-keys.js';
import { SlackRequester, fillState, type SlackResponse } from '../test/helpers/slack-requests.js';
import type { AddedReply, CallRecord, ReplySpec, SeedCase } from './fakes-server.js';
import { openLoop, signed, type LoadResult, type PreparedRequest } from './lib/load.js';
import { clock, cpuMsOf, freePort, killAllChildren, machineBusyMs, memoryOf, sleep, startChild, stopChild, waitHealthy, type Child, type Memory } from './lib/procs.js';
import { renderMarkdown, type Report, type TargetCheck } from './lib/report.js';
import { maxInWindow, maxPerClockSecond, minGap, prng, summarize, type Summary } from './lib/stats.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = new Set(process.argv.slice(2));
for (const a of argv) {
  if (!['--quick', '--no-build', '--update-benchmarks-md'].includes(a)) {
    process.stderr.write(`unknown option ${a}; use --quick, --no-build, --update-benchmarks-md\n`);
    process.exit(2);
  }
}
const QUICK = argv.has('--quick');
/** Extra node options for the bot processes only, for profiling (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) or heap experiments. */
const BOT_NODE_ARGS = (process.env.BENCH_BOT_NODE_ARGS ?? '').split(' ').filter(Boolean);

const SETTINGS = QUICK
  ? { loadPhaseMs: 1000, warmupMs: 400, rates: [50, 200], sizes: [10, 100], replySamples: 10, cyclesBefore: 1, cyclesAfter: 1, hardLimitMs: 58_000 }
  : { loadPhaseMs: 5000, warmupMs: 1500, rates: [50, 200], sizes: [10, 100, 1000, 10_000], replySamples: 30, cyclesBefore: 2, cyclesAfter: 2, hardLimitMs: 295_000 };
/** N at which reply latency is measured with replies arriving at random times. */
const REPLY_LATENCY_N = 100;
const POLL_INTERVAL_S = 1;
const SUPPORT_CALLS_PER_SECOND = 5;
const BATCH = 100;

const BOT_TOKEN = 'xoxb-111-222-benchbottokenvalue';
const SIGNING_SECRET = 'benchsigningsecret0123456789abcdef';
const USER = 'U0BENCH';
const LOAD_CHANNEL = 'CBENCHLOAD';
const CUSTOMER = 'ses-bot (Role) <ops@example.com>';
const SUPPORT_OPS = new Set(['DescribeServices', 'CreateCase', 'DescribeCases', 'DescribeCommunications', 'AddCommunicationToCase', 'ResolveCase']);

const KINDS = ['slash command', 'view submission', 'block action', 'message event'] as const;
type Kind = (typeof KINDS)[number];

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
  process.stderr.write(`bench: over its time limit of ${SETTINGS.hardLimitMs / 1000} s; stopping.\n`);
  killAllChildren();
  process.exit(3);
}, SETTINGS.hardLimitMs);
const deadline = runStart + SETTINGS.hardLimitMs - 3000;
const timeLeft = () => deadline - clock();

const work = mkdtempSync(join(os.tmpdir(), 'ses-bot-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
/** Children get only what they need: no inherited proxies, AWS profiles or Slack tokens. */
const baseEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: work,
  NO_PROXY: '127.0.0.1,localhost',
  no_proxy: '127.0.0.1,localhost',
};

// ---- the fakes -----------------------------------------------------------------------------
interface FakesInfo {
  control: string;
  slackApiUrl: string;
  awsUrl: string;
}
let fakes: FakesInfo;
let recordCursor = 0;
const allRecords: CallRecord[] = [];

async function ctl<T = any>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${fakes.control}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`fakes ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Fetches the fakes' new call records into allRecords; returns the new ones. */
async function pullRecords(): Promise<CallRecord[]> {
  const out = await ctl<{ next: number; dropped: number; records: CallRecord[] }>(`/records?from=${recordCursor}`);
  if (out.dropped) throw new Error(`the fakes dropped ${out.dropped} call records`);
  recordCursor = out.next;
  allRecords.push(...out.records);
  return out.records;
}

async function resetFakes(): Promise<void> {
  await ctl('/reset', {});
  recordCursor = 0;
  allRecords.length = 0;
}

// ---- the bot and the bare Bolt app -----------------------------------------------------------
interface Running {
  child: Child;
  port: number;
  startupMs: number;
}
const startups: { label: string; cases: number; ms: number }[] = [];
const botWarnings: string[] = [];

function collectWarnings(child: Child): void {
  for (const line of child.lines) {
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: unknown };
      if ((entry.level ?? 0) >= 40) botWarnings.push(`${child.name}: ${entry.msg ?? ''}${entry.err ? ` (${String(typeof entry.err === 'string' ? entry.err : JSON.stringify(entry.err)).slice(0, 120)})` : ''}`);
    } catch {
      if (line.trim()) botWarnings.push(`${child.name}: ${line.slice(0, 160)}`);
    }
  }
}

async function startBot(label: string, db: string, cases: number, pollSeconds: number): Promise<Running> {
  const port = await freePort();
  const dir = mkdtempSync(join(work, 'bot-'));
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    NODE_ENV: 'production',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    // Empty, so that a developer's .env can never switch the bench to Socket Mode (dotenv does
    // not override a variable that is set; the bot also runs from an empty directory).
    SLACK_APP_TOKEN: '',
    SLACK_API_URL: fakes.slackApiUrl,
    PORT: String(port),
    DATABASE_URL: `file:${db}`,
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    POLL_INTERVAL_SECONDS: String(pollSeconds),
    AWS_ENDPOINT_URL_SUPPORT: fakes.awsUrl,
    AWS_ENDPOINT_URL_SESV2: fakes.awsUrl,
    AWS_ACCESS_KEY_ID: 'AKIAFAKEBENCHKEY1234',
    AWS_SECRET_ACCESS_KEY: 'fakeAwsSecretAccessKeyForBench0123456789',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
  };
  const t0 = clock();
  const child = startChild(`bot[${label}]`, process.execPath, [...BOT_NODE_ARGS, join(ROOT, 'dist/main.js')], { env, cwd: dir });
  const healthyAt = await waitHealthy(`http://127.0.0.1:${port}/healthz`, child, Math.min(30_000, timeLeft()));
  const startupMs = healthyAt - t0;
  startups.push({ label, cases, ms: startupMs });
  log(`${child.name} healthy on port ${port} after ${startupMs.toFixed(0)} ms`);
  return { child, port, startupMs };
}

async function stopBot(bot: Running): Promise<void> {
  await stopChild(bot.child, 8000);
  collectWarnings(bot.child);
}

async function startBare(): Promise<Running> {
  const port = await freePort();
  const env = { ...baseEnv, NODE_ENV: 'production', SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fakes.slackApiUrl, PORT: String(port) };
  const t0 = clock();
  const child = startChild('bare-bolt', process.execPath, ['--import', 'tsx', join(ROOT, 'bench/bare-bolt.ts')], { env, cwd: ROOT });
  const healthyAt = await waitHealthy(`http://127.0.0.1:${port}/healthz`, child, Math.min(30_000, timeLeft()));
  log(`bare Bolt app healthy on port ${port} after ${(healthyAt - t0).toFixed(0)} ms`);
  return { child, port, startupMs: healthyAt - t0 };
}

// ---- Slack requests --------------------------------------------------------------------------
/** SlackRequester builds Slack's payloads; this one keeps them instead of sending them. */
class PayloadBuilder extends SlackRequester {
  last: { body: string; contentType: string; headers?: Record<string, string> } | undefined;

  override async raw(body: string, contentType: string, options: { headers?: Record<string, string> } = {}): Promise<SlackResponse> {
    this.last = { body, contentType, ...(options.headers ? { headers: options.headers } : {}) };
    return { status: 0, body: '' };
  }

  take(build: () => Promise<SlackResponse>): { body: string; contentType: string; headers?: Record<string, string> } {
    this.last = undefined;
    void build();
    if (!this.last) throw new Error('PayloadBuilder: the payload was not built synchronously');
    return this.last;
  }
}

let modalView: Record<string, any> | undefined;
let phaseSeq = 0;

/** A submission the quota form refuses (use case too short): parse, validate, answer errors. */
function submissionValues(view: Record<string, any>): Record<string, any> {
  try {
    return fillState(view, {
      mail_type: 'transactional',
      website_url: 'https://shop.example.com',
      complies_with_aup: 'yes',
      only_requested_recipients: 'yes',
      handles_bounces_and_complaints: 'yes',
      'row:0:region': 'us-east-1',
      'row:0:limit': 'send_quota',
      'row:0:newValue': '200000',
      use_case: 'Order confirmations.',
      contact_language: 'en',
    });
  } catch {
    return fillState(view, {});
  }
}

function prepare(kind: Kind, count: number, slackOrigin: string): PreparedRequest[] {
  const phase = ++phaseSeq;
  const builder = new PayloadBuilder('http://127.0.0.1:9', SIGNING_SECRET, { responseUrl: (id) => `${slackOrigin}/response/${id}` });
  const view = modalView ?? {};
  if (kind !== 'slash command' && !modalView) throw new Error('prepare: no modal yet');
  const values = kind === 'view submission' ? submissionValues(view) : {};
  const actionValues = kind === 'block action' ? fillState(view, {}) : {};
  const out: PreparedRequest[] = [];
  for (let i = 0; i < count; i++) {
    let tag: string | undefined;
    let built;
    switch (kind) {
      case 'slash command':
        tag = `bench.${phase}.${i}.${Math.random().toString(36).slice(2, 10)}`;
        built = builder.take(() => builder.command({ command: '/ses-quota', userId: USER, channelId: LOAD_CHANNEL, triggerId: tag }));
        break;
      case 'view submission':
        built = builder.take(() => builder.viewSubmission({ view, values, userId: USER }));
        break;
      case 'block action':
        built = builder.take(() => builder.blockAction({ userId: USER, view, values: actionValues, actions: [{ action_id: 'add_row', block_id: 'add_row' }] }));
        break;
      case 'message event': {
        // A reply containing "confirm" in a thread the bot does not know: a store lookup, then nothing.
        const ts = `${Math.floor(Date.now() / 1000)}.${String(phase * 10_000 + i).padStart(6, '0')}`;
        built = builder.take(() =>
          builder.event({ type: 'message', channel: LOAD_CHANNEL, user: USER, text: 'confirm', ts, thread_ts: '1600000000.000100', parent_user_id: 'UBOT', channel_type: 'channel', event_ts: ts }),
        );
        break;
      }
    }
    out.push({ ...signed(SIGNING_SECRET, built), ...(tag ? { tag } : {}) });
  }
  return out;
}

function mixed(count: number, slackOrigin: string): PreparedRequest[] {
  const per = KINDS.map((k) => prepare(k, Math.ceil(count / KINDS.length), slackOrigin));
  const out: PreparedRequest[] = [];
  for (let i = 0; out.length < count; i++) for (const list of per) if (list[i] && out.length < count) out.push(list[i]!);
  return out;
}

// ---- phases ----------------------------------------------------------------------------------
interface AckPhase {
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

let fakesPid = 0;
let idleBeforePct = Number.NaN;

/**
 * Waits (at most `maxMs`) until `pids` use under 5% of a core over 250 ms; returns the seconds
 * until that quiet window began (0: quiet at once), or NaN if they never went quiet.
 */
async function settle(pids: number[], maxMs: number): Promise<number> {
  const t0 = clock();
  for (let i = 0; i < 400 && clock() - t0 < maxMs; i++) {
    const before = pids.map(cpuMsOf);
    const w0 = clock();
    await sleep(250);
    const busy = pids.map((pid, k) => (cpuMsOf(pid) - before[k]!) / (clock() - w0));
    if (busy.every((b) => b < 0.05)) return (w0 - t0) / 1000;
  }
  return Number.NaN;
}

async function loadPhases(slackOrigin: string, db: string): Promise<{ phases: AckPhase[]; rssAfterStart: Memory; rssAfterLoad: Memory }> {
  const bare = await startBare();
  const bot = await startBot('load', db, 0, 60);
  await sleep(1000);
  const rssAfterStart = memoryOf(bot.child.pid);

  // One slash command, to get the real modal for view submissions and block actions.
  const opener = prepare('slash command', 1, slackOrigin);
  await openLoop(bot.port, 1, opener);
  for (let i = 0; i < 250 && !modalView; i++) {
    await sleep(20);
    await pullRecords();
    // Once the bot has redrawn the modal with the current quota, as a user would see it.
    if (!allRecords.some((r) => r.op === 'views.update')) continue;
    modalView = (await ctl<{ view: Record<string, any> | null }>('/latest-view')).view ?? undefined;
  }
  if (!modalView) throw new Error('the bot did not open and update the quota modal after /ses-quota');

  log('warming up both apps');
  for (const target of [bare, bot]) await openLoop(target.port, 50, mixed(Math.ceil((50 * SETTINGS.warmupMs) / 1000), slackOrigin));
  await settle([bot.child.pid, bare.child.pid, fakesPid], 5000);

  const phases: AckPhase[] = [];
  for (const rate of SETTINGS.rates) {
    for (const kind of KINDS) {
      for (const [name, target] of [['bare', bare], ['bot', bot]] as const) {
        const requests = prepare(kind, Math.round((rate * SETTINGS.loadPhaseMs) / 1000), slackOrigin);
        const ours = [target.child.pid, fakesPid, process.pid];
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
        const settleS = await settle([target.child.pid, fakesPid], Math.min(QUICK ? 3000 : 20_000, Math.max(500, timeLeft() - (QUICK ? 25_000 : 120_000))));
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
  await stopBot(bot);
  await stopChild(bare.child);
  await pullRecords();
  return { phases, rssAfterStart, rssAfterLoad };
}

/** Empties every table of a migrated database, so that it serves as the template for the sync phases. */
function emptyDatabase(path: string): void {
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

function copyDatabase(from: string, to: string): void {
  copyFileSync(from, to);
  for (const suffix of ['-wal', '-shm']) if (existsSync(from + suffix)) copyFileSync(from + suffix, to + suffix);
}

interface Tracked {
  requestId: string;
  caseId: string;
}

/** N open cases: in the fake AWS (one communication each, the case body) and as filed requests in the bot's store, already in step. */
async function seedCases(n: number, db: string): Promise<Tracked[]> {
  const base = Date.now() - 2 * 24 * 3600 * 1000;
  const tracked: Tracked[] = [];
  const seeds: SeedCase[] = [];
  const sqlite = new Database(db);
  try {
    const columns = new Set((sqlite.prepare(`pragma table_info(requests)`).all() as { name: string }[]).map((c) => c.name));
    for (const needed of ['id', 'status', 'case_id', 'root_ts', 'channel_id', 'comm_watermark', 'case_status', 'display_id']) {
      if (!columns.has(needed)) throw new Error(`the requests table has no ${needed} column any more; update bench/run.ts seedCases`);
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
        insertSeen.run(communicationKey(caseId, { body, submittedBy: CUSTOMER, timeCreated: created, attachments: [] }), id, created);
        tracked.push({ requestId: id, caseId });
      }
    })();
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    sqlite.close();
  }
  for (let i = 0; i < seeds.length; i += 2000) await ctl('/seed', { cases: seeds.slice(i, i + 2000) });
  return tracked;
}

interface Cycle {
  start: number;
  describeCases: CallRecord[];
  supportCalls: number;
  /** Start of the next cycle minus the interval: the whole cycle, listing and DB work included. */
  cycleMs?: number;
}

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

interface SyncResult {
  n: number;
  expectedDescribeCases: number;
  noNew: { cycles: number; describeCases: number[]; supportCalls: number[]; cycleS: Summary };
  withNew: { describeCases: number; supportCalls: number; cycleS: number; replies: number; posted: number; replyLatencyS: Summary };
  oneCallPerCase: { callsPerCycle: number; minCycleS: number };
  boundS: number;
  maxSupportCallsIn1s: number;
  /** The most Support calls in one whole clock second (e.g. 12:00:03.000–12:00:03.999). */
  maxSupportCallsInClockSecond: number;
  minGapMs: number;
  gapsUnder200Ms: number;
  rssAfterStart: Memory;
  rssAfterSync: Memory;
  startupMs: number;
  unexpectedPosts: number;
  /** The bot's CPU use while the cycles were observed, in % of one core. */
  cpuPct: number;
  /** Every other process on the machine meanwhile, in % of one core. */
  othersPct: number;
}

function postsByMarker(): Map<string, CallRecord> {
  const map = new Map<string, CallRecord>();
  for (const r of allRecords) if (r.op === 'chat.postMessage' && r.marker && !map.has(r.marker)) map.set(r.marker, r);
  return map;
}

async function waitForPosts(markers: string[], timeoutMs: number): Promise<Map<string, CallRecord>> {
  const until = clock() + Math.min(timeoutMs, timeLeft());
  let posts = postsByMarker();
  for (let i = 0; i < 10_000 && clock() < until && markers.some((m) => !posts.has(m)); i++) {
    await sleep(100);
    await pullRecords();
    posts = postsByMarker();
  }
  return posts;
}

async function syncPhase(n: number, template: string): Promise<{ result: SyncResult; latency?: number[] }> {
  await resetFakes();
  const db = join(work, `sync-${n}.sqlite`);
  copyDatabase(template, db);
  const tracked = await seedCases(n, db);
  const expected = Math.ceil(n / BATCH);
  const replyCount = Math.max(1, Math.round(n / 100));
  const step = Math.floor(n / replyCount);
  const replies: ReplySpec[] = Array.from({ length: replyCount }, (_, k) => ({ caseId: tracked[k * step + Math.floor(step / 2)]!.caseId, marker: `BENCH-REPLY-n${n}-${k}` }));
  const before = n >= 10_000 ? 1 : SETTINGS.cyclesBefore;
  const after = n >= 10_000 ? 1 : SETTINGS.cyclesAfter;
  // The last case is in the last batch: the replies land just after cycle `before` has seen it.
  await ctl('/replies', { replies, after: { caseId: tracked.at(-1)!.caseId, occurrence: before } });

  const bot = await startBot(`sync N=${n}`, db, n, POLL_INTERVAL_S);
  const rssAfterStart = memoryOf(bot.child.pid);
  const cpu0 = cpuMsOf(bot.child.pid);
  const ours0 = [cpuMsOf(fakesPid), cpuMsOf(process.pid)];
  const machine0 = machineBusyMs();
  const wall0 = clock();
  const wanted = before + 1 + after + 1;
  const cycleGuessMs = (expected / SUPPORT_CALLS_PER_SECOND + POLL_INTERVAL_S + 0.5) * 1000;
  const until = clock() + Math.min(wanted * cycleGuessMs * 2 + 15_000, timeLeft());
  let cycles: Cycle[] = [];
  for (let i = 0; i < 100_000 && clock() < until; i++) {
    await sleep(200);
    await pullRecords();
    cycles = cyclesOf(allRecords);
    if (cycles.length >= wanted) break;
  }
  if (cycles.length < wanted) throw new Error(`N=${n}: saw ${cycles.length} sync cycles, wanted ${wanted}, before the time limit`);
  const posts = await waitForPosts(replies.map((r) => r.marker), 30_000);
  const botUsed = cpuMsOf(bot.child.pid) - cpu0;
  const oursUsed = botUsed + cpuMsOf(fakesPid) - ours0[0]! + cpuMsOf(process.pid) - ours0[1]!;
  const cpuPct = (100 * botUsed) / (clock() - wall0);
  const othersPct = Math.max(0, (100 * (machineBusyMs() - machine0 - oursUsed)) / (clock() - wall0));
  const { added } = await ctl<{ added: AddedReply[] }>('/replies');

  let latency: number[] | undefined;
  if (n === REPLY_LATENCY_N) latency = await replyLatency(tracked);
  const rssAfterSync = memoryOf(bot.child.pid);
  await stopBot(bot);
  await pullRecords();

  const noNew = [...cycles.slice(0, before), ...cycles.slice(before + 1, before + 1 + after)];
  const withNew = cycles[before]!;
  const support = allRecords.filter((r) => r.svc === 'aws' && SUPPORT_OPS.has(r.op));
  const replyLatencies = added.map((a) => ((posts.get(a.marker)?.at ?? Number.NaN) - a.addedAt) / 1000).filter(Number.isFinite);
  const markers = new Set(replies.map((r) => r.marker));
  const result: SyncResult = {
    n,
    expectedDescribeCases: expected,
    noNew: {
      cycles: noNew.length,
      describeCases: noNew.map((c) => c.describeCases.length),
      supportCalls: noNew.map((c) => c.supportCalls),
      cycleS: summarize(noNew.map((c) => c.cycleMs! / 1000)),
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
    unexpectedPosts: allRecords.filter((r) => (r.op === 'chat.postMessage' || r.op === 'chat.update') && !(r.marker && r.marker.startsWith('BENCH-REPLY-'))).length,
  };
  log(
    `N=${n}: ${noNew.length} quiet cycles (${result.noNew.supportCalls.join(', ')} Support calls; ${result.noNew.cycleS.median.toFixed(2)} s median), ` +
      `1% cycle ${withNew.supportCalls} calls, ${result.withNew.posted}/${replies.length} replies posted`,
  );
  return { result, ...(latency ? { latency } : {}) };
}

/** Replies at pseudo-random times (every 0.2–0.6 s), each timed from its arrival in the fake AWS to its chat.postMessage. */
async function replyLatency(tracked: Tracked[]): Promise<number[]> {
  const random = prng(20240601);
  const specs: ReplySpec[] = [];
  const added: AddedReply[] = [];
  for (let s = 0; s < SETTINGS.replySamples && timeLeft() > 10_000; s++) {
    await sleep(200 + random() * 400);
    const spec = { caseId: tracked[(s * 37 + 11) % tracked.length]!.caseId, marker: `BENCH-REPLY-lat-${s}` };
    specs.push(spec);
    added.push(...(await ctl<{ added: AddedReply[] }>('/replies', { replies: [spec] })).added);
  }
  const posts = await waitForPosts(specs.map((s) => s.marker), 15_000);
  return added.map((a) => ((posts.get(a.marker)?.at ?? Number.NaN) - a.addedAt) / 1000);
}

// ---- the run ---------------------------------------------------------------------------------
async function main(): Promise<void> {
  log(`${QUICK ? 'quick' : 'full'} run; results under bench/results/`);
  const machine0 = machineBusyMs();
  const self0 = cpuMsOf(process.pid);
  await sleep(1000);
  idleBeforePct = Math.max(0, (machineBusyMs() - machine0 - (cpuMsOf(process.pid) - self0)) / 10);
  if (idleBeforePct > 25) log(`warning: other processes are using ${idleBeforePct.toFixed(0)}% of a core; tail latencies will show it`);
  const fakesChild = startChild('fakes', process.execPath, ['--import', 'tsx', join(ROOT, 'bench/fakes-server.ts')], { env: baseEnv, cwd: ROOT });
  let buildMs = Number.NaN;
  if (!argv.has('--no-build')) {
    const t0 = clock();
    const build = startChild('npm run build', 'npm', ['run', '--silent', 'build'], { env: process.env, cwd: ROOT });
    const code = await build.exited;
    if (code !== 0) throw new Error(`npm run build failed (exit ${code}):\n${build.lines.join('\n')}\n${build.stderrTail()}`);
    buildMs = clock() - t0;
    log(`built dist/ in ${(buildMs / 1000).toFixed(1)} s`);
  }
  if (!existsSync(join(ROOT, 'dist/main.js'))) throw new Error('dist/main.js is missing; run without --no-build');
  fakes = JSON.parse(await fakesChild.waitForLine((l) => l.startsWith('{'), 30_000)) as FakesInfo;
  fakesPid = fakesChild.pid;
  const slackOrigin = fakes.slackApiUrl.replace(/\/api\/$/, '');

  // 1–2, and the empty-database footprint.
  const loadDb = join(work, 'load.sqlite');
  const load = await loadPhases(slackOrigin, loadDb);
  emptyDatabase(loadDb);

  // views.open after each slash command sent to the bot, matched by trigger_id.
  const openedAt = new Map<string, number>();
  for (const r of allRecords) if (r.op === 'views.open' && r.trigger && !openedAt.has(r.trigger)) openedAt.set(r.trigger, r.at);

  // 3–5.
  const sync: SyncResult[] = [];
  let latency: number[] = [];
  for (const n of SETTINGS.sizes) {
    const out = await syncPhase(n, loadDb);
    sync.push(out.result);
    if (out.latency) latency = out.latency;
  }
  const fakesMemory = await ctl<{ rss: number }>('/memory');
  await stopChild(fakesChild);

  const report = buildReport(load, openedAt, sync, latency, buildMs, fakesMemory.rss / 1048576);
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
  if (argv.has('--update-benchmarks-md')) updateBenchmarksMd(md);
}

function buildReport(
  load: Awaited<ReturnType<typeof loadPhases>>,
  openedAt: Map<string, number>,
  sync: SyncResult[],
  latency: number[],
  buildMs: number,
  fakesRssMb: number,
): Report {
  const ack: Report['ack'] = [];
  for (const rate of SETTINGS.rates) {
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
  const viewsOpen: Report['viewsOpen'] = SETTINGS.rates.map((rate) => {
    const phase = load.phases.find((p) => p.kind === 'slash command' && p.rate === rate && p.target === 'bot')!;
    const deltas: number[] = [];
    let missing = 0;
    for (const s of phase.result.samples) {
      const at = s.tag ? openedAt.get(s.tag) : undefined;
      if (at === undefined) missing += 1;
      else deltas.push(at - s.sentAt);
    }
    return { rate, ...summarize(deltas), missing };
  });
  const replyS = summarize(latency.filter(Number.isFinite));
  const startup = summarize(startups.map((s) => s.ms));
  const big = sync.find((s) => s.n === 10_000);

  const targets: TargetCheck[] = [];
  for (const a of ack.filter((x) => x.rate === 200)) {
    const met = a.bot.p99 <= 1.2 * a.bare.p99 && a.bot.p99 <= 50 && a.bot.errors === 0;
    targets.push({
      figure: `Ack p99, ${a.kind}, 200/s`,
      target: '≤ 1.2 × bare Bolt and ≤ 50 ms',
      measured: `${a.bot.p99.toFixed(1)} ms vs bare ${a.bare.p99.toFixed(1)} ms (${a.ratioP99.toFixed(2)}×)${a.bot.errors ? `, ${a.bot.errors} errors` : ''}`,
      met,
    });
  }
  for (const v of viewsOpen) {
    targets.push({ figure: `Command → views.open p99, ${v.rate}/s`, target: '≤ 30 ms', measured: `${v.p99.toFixed(1)} ms${v.missing ? `, ${v.missing} never opened` : ''}`, met: v.p99 <= 30 && v.missing === 0 });
  }
  for (const s of sync) {
    const exact = s.noNew.describeCases.every((d) => d === s.expectedDescribeCases) && s.noNew.supportCalls.every((d) => d === s.expectedDescribeCases);
    targets.push({
      figure: `Sync N=${s.n.toLocaleString('en-US')}, no new communications`,
      target: `${s.expectedDescribeCases} DescribeCases (⌈N/100⌉) per cycle, ≤ 5 calls/s`,
      measured: `${[...new Set(s.noNew.supportCalls)].join('/')} Support calls per cycle; at most ${s.maxSupportCallsIn1s} in any sliding 1 s (${s.maxSupportCallsInClockSecond} in a clock second), smallest gap ${s.minGapMs.toFixed(1)} ms`,
      met: exact && s.maxSupportCallsIn1s <= 5,
    });
  }
  targets.push({
    figure: `Reply latency p99 (N=${REPLY_LATENCY_N}, ${POLL_INTERVAL_S} s interval)`,
    target: `≤ ${POLL_INTERVAL_S + 0.5} s`,
    measured: `${replyS.p99.toFixed(2)} s (n=${replyS.n}${replyS.n < latency.length ? `, ${latency.length - replyS.n} never posted` : ''})`,
    met: replyS.p99 <= POLL_INTERVAL_S + 0.5 && replyS.n === latency.length && replyS.n > 0,
  });
  targets.push({ figure: 'Start-up to /healthz 200 (max over starts)', target: '≤ 2 s', measured: `${(startup.max / 1000).toFixed(2)} s`, met: startup.max <= 2000 });
  targets.push(
    big
      ? { figure: 'Resident memory after syncing 10,000 cases', target: '≤ 150 MB', measured: `${big.rssAfterSync.rssMb.toFixed(0)} MB (peak ${big.rssAfterSync.hwmMb.toFixed(0)} MB)`, met: big.rssAfterSync.rssMb <= 150 }
      : { figure: 'Resident memory after syncing 10,000 cases', target: '≤ 150 MB', measured: 'not measured (--quick)', met: null },
  );

  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    mode: QUICK ? 'quick' : 'full',
    machine: { cpus: cpus.length, model: cpus[0]?.model.trim() ?? 'unknown', node: process.version, os: `${os.type()} ${os.release()}`, memoryGb: os.totalmem() / 1024 ** 3 },
    settings: { ...SETTINGS, pollIntervalS: POLL_INTERVAL_S, replyLatencyN: REPLY_LATENCY_N, botNodeArgs: BOT_NODE_ARGS.join(' ') },
    buildS: buildMs / 1000,
    idleBeforePct,
    ack,
    viewsOpen,
    sync,
    reply: { tracked: REPLY_LATENCY_N, intervalS: POLL_INTERVAL_S, ...replyS },
    footprint: {
      startups,
      startupMs: startup,
      rssAfterStart: load.rssAfterStart,
      rssAfterLoad: load.rssAfterLoad,
      ...(big ? { rssAfterStart10k: big.rssAfterStart, rssAfterSync10k: big.rssAfterSync } : {}),
      fakesRssMb,
    },
    targets,
    botWarnings: [...new Set(botWarnings)].slice(0, 20),
    botWarningCount: botWarnings.length,
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
