/**
 * The test suite's fake Slack and fake AWS, in a process of their own, with a small control API
 * on 127.0.0.1 for the bench driver (bench/run.ts). Run with `node --import tsx bench/fakes-server.ts`;
 * prints one JSON line `{"control": …, "slackApiUrl": …, "awsUrl": …}` once listening.
 *
 * The fakes normally keep every call (with its full arguments) in memory; here each call is
 * reduced, as it arrives, to a small record (operation, arrival time, the few fields the bench
 * correlates on) and the full call is not kept. Arrival times use the clock the driver uses:
 * `performance.timeOrigin + performance.now()` (wall-clock milliseconds, sub-ms resolution).
 *
 * Control API (JSON):
 *   GET  /info                  URLs and pid
 *   POST /reset                 forget cases, views, messages, records and pending replies (queues
 *                               stay: each push phase makes its own)
 *   POST /seed {cases}          FakeAws.seedCase for each
 *   POST /replies {replies, after?, pushTo?}
 *                               add one AWS reply to each listed case, now, or (with `after`)
 *                               right after the fake answers the `after.occurrence`-th
 *                               DescribeCases that names `after.caseId` (i.e. between two batches);
 *                               with `pushTo` (a queue URL), each reply's AddCommunicationToCase
 *                               event (origin AWS) goes to that SQS queue as soon as it is added
 *   POST /queue {name}          FakeAws.createQueue: an SQS queue of AWS Support events; its URL
 *   GET  /queue?url=URL         the queue's counts now (visible, in flight, deleted, …), no bodies
 *   GET  /replies               replies added so far, with the time each was added
 *   GET  /records?from=N        call records from index N
 *   GET  /latest-view           the modal most recently opened or updated in the fake Slack
 *   GET  /last-sent?method=M    the `view` argument of the last views.open or views.update, as sent
 *   GET  /memory                this process's memory use
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { FakeAws, type AwsCall } from '../test/fakes/fake-aws.js';
import { FakeSlack, type SlackCall } from '../test/fakes/fake-slack.js';

export const clock = (): number => performance.timeOrigin + performance.now();

/** One call as the bench needs it. */
export interface CallRecord {
  svc: 'slack' | 'aws';
  op: string;
  at: number;
  /** views.open: the trigger_id (the driver gives every slash command a unique one). */
  trigger?: string;
  channel?: string;
  threadTs?: string;
  /** chat.postMessage: the bench reply marker found in the message, if any. */
  marker?: string;
  /** DescribeCases by id: how many ids, the first and the last. */
  ids?: { n: number; first: string; last: string };
  caseId?: string;
}

export interface SeedCase {
  caseId: string;
  displayId: string;
  subject: string;
  body: string;
  submittedBy: string;
  timeCreated: string;
}

export interface ReplySpec {
  caseId: string;
  marker: string;
}

export interface AddedReply extends ReplySpec {
  addedAt: number;
  timeCreated: string;
}

const MARKER = /BENCH-REPLY-[A-Za-z0-9-]+/;
const MAX_RECORDS = 2_000_000;

const slack = new FakeSlack();
const aws = new FakeAws();
let records: CallRecord[] = [];
let dropped = 0;
const added: AddedReply[] = [];
/** The `view` of the last views.open and views.update, as sent: the same-calls baseline sends these. */
const lastSentView = new Map<string, unknown>();
let pending: { replies: ReplySpec[]; caseId: string; occurrence: number; seen: number } | undefined;

function record(r: CallRecord): void {
  if (records.length >= MAX_RECORDS) {
    dropped += 1;
    return;
  }
  records.push(r);
}

/** Adds the replies to the fake AWS; with `pushTo`, also sends each one's Support event to that queue (after taking its time). */
function addReplies(replies: ReplySpec[], pushTo?: string): AddedReply[] {
  const out: AddedReply[] = [];
  for (const r of replies) {
    const timeCreated = new Date().toISOString();
    aws.addCommunication(r.caseId, { body: `Hello from AWS Support. ${r.marker} We are looking into your request.`, timeCreated });
    out.push({ ...r, addedAt: clock(), timeCreated });
    if (pushTo) aws.emitSupportEvent(pushTo, { caseId: r.caseId, eventName: 'AddCommunicationToCase', origin: 'AWS' });
  }
  added.push(...out);
  return out;
}

// Replace the fakes' call logs by the small records above (see the header).
Object.defineProperty(slack.calls, 'push', {
  value: (...calls: SlackCall[]) => {
    for (const c of calls) {
      const at = clock();
      const r: CallRecord = { svc: 'slack', op: c.method, at };
      if (c.method === 'views.open' && typeof c.args.trigger_id === 'string') r.trigger = c.args.trigger_id;
      if (c.method === 'views.open' || c.method === 'views.update') lastSentView.set(c.method, c.args.view);
      if (c.method === 'chat.postMessage' || c.method === 'chat.update') {
        if (typeof c.args.channel === 'string') r.channel = c.args.channel;
        if (typeof c.args.thread_ts === 'string') r.threadTs = c.args.thread_ts;
        const marker = MARKER.exec(JSON.stringify(c.args.blocks ?? c.args.text ?? ''))?.[0];
        if (marker) r.marker = marker;
      }
      record(r);
    }
    return 0;
  },
});
Object.defineProperty(aws.calls, 'push', {
  value: (...calls: AwsCall[]) => {
    for (const c of calls) {
      const at = clock();
      const r: CallRecord = { svc: 'aws', op: c.operation, at };
      const ids = c.input.caseIdList as string[] | undefined;
      if (c.operation === 'DescribeCases' && Array.isArray(ids) && ids.length) {
        r.ids = { n: ids.length, first: ids[0]!, last: ids.at(-1)! };
        const armed = pending;
        if (armed && ids.includes(armed.caseId)) {
          armed.seen += 1;
          if (armed.seen >= armed.occurrence) {
            pending = undefined;
            // The fake answers this call synchronously after recording it, so the replies land
            // after this batch's answer and before the bot's next DescribeCases.
            setImmediate(() => addReplies(armed.replies));
          }
        }
      }
      if (typeof c.input.caseId === 'string') r.caseId = c.input.caseId;
      record(r);
    }
    return 0;
  },
});

async function readJson(req: http.IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function control(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://control');
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case 'GET /info':
      return send(res, 200, { pid: process.pid, slackApiUrl: slack.apiUrl, slackOrigin: slack.apiUrl.replace(/\/api\/$/, ''), awsUrl: aws.url });
    case 'POST /reset':
      slack.reset();
      aws.cases.clear();
      records = [];
      dropped = 0;
      added.length = 0;
      pending = undefined;
      return send(res, 200, { ok: true });
    case 'POST /seed': {
      const body = (await readJson(req)) as { cases: SeedCase[] };
      for (const c of body.cases) aws.seedCase(c);
      return send(res, 200, { ok: true, cases: aws.cases.size });
    }
    case 'POST /replies': {
      const body = (await readJson(req)) as { replies: ReplySpec[]; after?: { caseId: string; occurrence: number }; pushTo?: string };
      for (const r of body.replies) if (!aws.cases.has(r.caseId)) return send(res, 400, { error: `no case ${r.caseId}` });
      if (body.pushTo) aws.sqsQueue(body.pushTo);
      if (body.after && body.pushTo) return send(res, 400, { error: 'after and pushTo do not go together' });
      if (body.after) {
        pending = { replies: body.replies, caseId: body.after.caseId, occurrence: body.after.occurrence, seen: 0 };
        return send(res, 200, { armed: true });
      }
      return send(res, 200, { added: addReplies(body.replies, body.pushTo) });
    }
    case 'POST /queue': {
      const body = (await readJson(req)) as { name: string };
      return send(res, 200, { url: aws.createQueue(body.name) });
    }
    case 'GET /queue': {
      const q = aws.queueState(url.searchParams.get('url') ?? '');
      return send(res, 200, { visible: q.visible, inFlight: q.inFlight, deleted: q.deleted, staleDeletes: q.staleDeletes, deadLettered: q.deadLettered });
    }
    case 'GET /replies':
      return send(res, 200, { added, armed: pending !== undefined });
    case 'GET /records': {
      const from = Number(url.searchParams.get('from') ?? 0);
      return send(res, 200, { next: records.length, dropped, records: records.slice(from) });
    }
    case 'GET /latest-view':
      return send(res, 200, { view: slack.latestView() ?? null });
    case 'GET /last-sent':
      return send(res, 200, { view: lastSentView.get(url.searchParams.get('method') ?? '') ?? null });
    case 'GET /memory':
      return send(res, 200, process.memoryUsage());
    default:
      return send(res, 404, { error: `no route ${route}` });
  }
}

await Promise.all([slack.start(), aws.start()]);
const server = http.createServer((req, res) => {
  control(req, res).catch((err: unknown) => {
    if (!res.headersSent) send(res, 500, { error: err instanceof Error ? err.message : String(err) });
    else res.end();
  });
});
await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;

const stop = () => {
  server.closeAllConnections();
  server.close();
  void Promise.all([slack.stop(), aws.stop()]).finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The driver owns this process: if it goes away, so do the fakes.
process.stdin.on('end', stop);
process.stdin.resume();

process.stdout.write(`${JSON.stringify({ control: `http://127.0.0.1:${port}`, slackApiUrl: slack.apiUrl, awsUrl: aws.url })}\n`);
