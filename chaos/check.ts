/**
 * The invariants, checked once at the end over the complete record: the ledger of what the soak
 * did, everything the fake AWS and fake Slack kept, and the bot's database.
 */
import pg from 'pg';
import type { FakeMessage, FakeSlack } from '../test/fakes/fake-slack.js';
import { CHANNEL, REQUESTER, textOf } from '../test/helpers/harness.js';
import { STRANGER, type Ledger } from './ops.js';
import type { World } from './world.js';

export interface Invariant {
  name: string;
  held: boolean;
  checked: number;
  /** Up to a few examples of what broke it. */
  examples: string[];
  /** Cases that are not breaks but worth reading (e.g. waiting with a stated reason). */
  notes: string[];
}

interface RequestRow {
  id: string;
  kind: string;
  submission_key: string;
  reference: string;
  status: string;
  root_ts: string | null;
  case_id: string | null;
  error_code: string | null;
  error_message: string | null;
  filing_mode: string;
  quota_rows: string | null;
  payload: string;
}

export interface DbSnapshot {
  requests: RequestRow[];
  posts: { content_key: string; request_id: string; thread_ts: string; state: string; posted_ts: string | null; last_error: string | null; message: string }[];
  outgoing: { id: string; request_id: string; kind: string; author_id: string; body: string; state: string; error_message: string | null; case_id: string | null }[];
  followed: { case_id: string; request_id: string }[];
}

export async function snapshot(url: string): Promise<DbSnapshot> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const q = async <T>(sql: string) => (await client.query(sql)).rows as T[];
    return {
      requests: await q<RequestRow>('select id, kind, submission_key, reference, status, root_ts, case_id, error_code, error_message, filing_mode, quota_rows, payload from requests'),
      posts: await q('select content_key, request_id, thread_ts, state, posted_ts, last_error, message from thread_posts'),
      outgoing: await q('select id, request_id, kind, author_id, body, state, error_message, case_id from outgoing_communications'),
      followed: await q('select case_id, request_id from followed_cases'),
    };
  } finally {
    await client.end();
  }
}

/**
 * Requests, communications and posts still in flight: the settle loop waits for none. Something
 * uncertain that states why is waiting on purpose (AWS's 5-minute grace after an attempt whose
 * outcome is unknown): the settle does not wait for it, the checks read its reason.
 */
export function inFlight(db: DbSnapshot): number {
  const waitingUnsaid = (r: RequestRow) => r.status === 'uncertain' && !r.error_message && !rowsOf(r).some((row) => row.sending === 'uncertain' && row.errorMessage);
  return (
    db.requests.filter((r) => ['received', 'filing'].includes(r.status) || waitingUnsaid(r)).length +
    db.requests.filter((r) => rowsOf(r).some((row) => row.sending === 'attempted' || (row.sending === 'uncertain' && !row.errorMessage))).length +
    db.posts.filter((p) => p.state === 'pending').length +
    db.outgoing.filter((o) => o.state === 'sending' || (o.state === 'uncertain' && !o.error_message)).length
  );
}

interface RowState {
  region: string;
  path: string;
  sending: string;
  awsId?: string;
  caseId?: string;
  errorMessage?: string;
  note?: string;
}

function rowsOf(r: RequestRow): RowState[] {
  return r.quota_rows ? (JSON.parse(r.quota_rows) as RowState[]) : [];
}

const messageText = (m: FakeMessage) => `${m.text ?? ''}\n${textOf(m.blocks)}`;

/** The bot's messages in threads of the soak's channel (not the roots). */
function threadMessagesOf(slack: FakeSlack): FakeMessage[] {
  return slack.messages.filter((m) => m.channel === CHANNEL && m.thread_ts && m.thread_ts !== m.ts);
}

/** The thread messages that carry the AWS reply marked `marker`, read as invariant 2 reads them. */
function postsOfReply(threadMessages: FakeMessage[], marker: string): FakeMessage[] {
  return threadMessages.filter((m) => messageText(m).includes(`${marker}:`));
}

export function checkInvariants(w: World, ledger: Ledger, db: DbSnapshot): Invariant[] {
  const out: Invariant[] = [];
  const inv = (name: string) => {
    const i: Invariant = { name, held: true, checked: 0, examples: [], notes: [] };
    out.push(i);
    return {
      i,
      check: () => (i.checked += 1),
      broke: (example: string) => {
        i.held = false;
        if (i.examples.length < 8) i.examples.push(example);
      },
      note: (text: string) => {
        if (i.notes.length < 8) i.notes.push(text);
      },
    };
  };
  const aws = w.aws;
  const slack = w.slack;
  const byKey = new Map<string, RequestRow[]>();
  for (const r of db.requests) byKey.set(r.submission_key, [...(byKey.get(r.submission_key) ?? []), r]);
  const byCase = new Map<string, RequestRow>();
  for (const r of db.requests) if (r.case_id) byCase.set(r.case_id, r);
  const byId = new Map(db.requests.map((r) => [r.id, r]));
  // Cases AWS opened on a Service Quotas request (the soak's doing, not a filing): followed by the bot.
  const quotaCaseIds = new Set(aws.quotaRequests().flatMap((q) => (q.caseId ? [q.caseId] : [])));
  const filedCases = [...aws.cases.values()].filter((c) => !quotaCaseIds.has(c.caseId) && c.submittedBy !== 'aws');
  const caseText = (caseId: string) => {
    const c = aws.cases.get(caseId)!;
    return `${c.subject}\n${c.communications[0]?.body ?? ''}`;
  };

  // 1. Each acknowledged submission produced exactly one request, and each request exactly one
  //    case (or one Service Quotas request per row); nothing was filed that no request owns.
  {
    const { check, broke, note } = inv('each acknowledged submission filed exactly once (one case, or one Service Quotas request per row)');
    for (const s of ledger.submissions) {
      check();
      const rows = byKey.get(`view:${s.viewId}`) ?? [];
      if (s.acked && rows.length !== 1) broke(`submission ${s.n} (${s.kind}, view ${s.viewId}) acknowledged, but ${rows.length} requests stored for it`);
      if (!s.acked && rows.length > 1) broke(`submission ${s.n} (${s.kind}) stored ${rows.length} times`);
      // The soak never takes the bot out of the channel: a thread root Slack refused for a passing
      // reason (a 429, a 5xx) left the submission unfiled although nothing was wrong with it.
      const given = rows.find((r) => r.status === 'not_posted' && ['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'http_error'].includes(r.error_code ?? ''));
      if (s.acked && given) broke(`submission ${s.n} (${s.kind}) acknowledged, but its request ${given.reference} was given up as not_posted on a passing Slack error (${given.error_code}): nothing filed`);
      if (!s.acked && rows.length === 1) note(`submission ${s.n} (${s.kind}) was never acknowledged in Slack's window (answers ${s.answers.join(',')}) yet stored and handled: fine, the user sees the thread`);
    }
    for (const r of db.requests) {
      check();
      const cases = filedCases.filter((c) => caseText(c.caseId).includes(r.reference));
      if (r.filing_mode === 'service-quotas' && r.kind === 'quota') {
        for (const [i, row] of rowsOf(r).entries()) {
          if (row.sending === 'sent' && row.path === 'service_quotas' && !row.awsId) broke(`request ${r.reference} row ${i}: sent, but no Service Quotas request id`);
        }
        if (cases.length) broke(`request ${r.reference} (Service Quotas) also has ${cases.length} Support case(s): ${cases.map((c) => c.caseId).join(', ')}`);
        continue;
      }
      if (r.status === 'filed' && cases.length !== 1) broke(`request ${r.reference} (${r.kind}) is filed, but AWS has ${cases.length} cases with its reference: ${cases.map((c) => c.caseId).join(', ')}`);
      if (r.status === 'filed' && cases.length === 1 && r.case_id !== cases[0]!.caseId) broke(`request ${r.reference} follows case ${r.case_id}, but its case is ${cases[0]!.caseId}`);
      if (r.status !== 'filed' && cases.length > 0) broke(`request ${r.reference} is ${r.status}, but AWS has ${cases.length} case(s) with its reference (${cases.map((c) => c.caseId).join(', ')}): a Retry would file it again`);
    }
    // Every Service Quotas request was made for a row that names it.
    const named = new Set(db.requests.flatMap((r) => rowsOf(r).flatMap((row) => (row.awsId ? [row.awsId] : []))));
    for (const q of aws.quotaRequests()) {
      check();
      if (!named.has(q.id)) broke(`Service Quotas request ${q.id} (${q.region} ${q.quotaCode} → ${q.desiredValue}) belongs to no request row: filed twice or lost`);
    }
    for (const c of filedCases) {
      check();
      const owners = db.requests.filter((r) => caseText(c.caseId).includes(r.reference));
      if (owners.length === 0) broke(`case ${c.caseId} ("${c.subject}") belongs to no request`);
    }
  }

  // 2. Each AWS reply was posted exactly once, in its own thread.
  {
    const { check, broke } = inv('each AWS reply posted exactly once, in its own thread');
    const threadMessages = threadMessagesOf(slack);
    for (const reply of ledger.awsReplies) {
      check();
      const owner = byCase.get(reply.caseId) ?? byId.get(db.followed.find((f) => f.case_id === reply.caseId)?.request_id ?? '') ?? requestOfRowCase(db.requests, reply.caseId);
      const posted = postsOfReply(threadMessages, reply.marker);
      if (!owner) {
        broke(`${reply.marker} on case ${reply.caseId}: no request follows that case`);
        continue;
      }
      if (posted.length !== 1) broke(`${reply.marker} on case ${reply.caseId} (request ${owner.reference}) posted ${posted.length} times`);
      for (const m of posted) if (m.thread_ts !== owner.root_ts) broke(`${reply.marker} posted in thread ${m.thread_ts}, but its request's thread is ${owner.root_ts}`);
    }
  }

  // 3. Each accepted confirmation produced exactly one AddCommunicationToCase; no refused or hedged one produced any.
  {
    const { check, broke, note } = inv('each accepted confirmation sent exactly once; no refused or hedged one sent');
    const relinquishments = db.requests.filter((r) => r.kind === 'dedicated_ip' && (JSON.parse(r.payload) as { action?: string }).action === 'relinquish');
    for (const r of relinquishments) {
      check();
      const c = r.case_id ? aws.cases.get(r.case_id) : undefined;
      const sent = c ? c.communications.filter((m) => m.body.includes('Slack confirmation reference')) : [];
      const calls = aws.callsTo('AddCommunicationToCase').filter((call) => call.input.caseId === r.case_id && String(call.input.communicationBody ?? '').includes('Slack confirmation reference') && !call.fault);
      const confirms = ledger.confirmations.filter((x) => x.rootTs === r.root_ts);
      const accepted = confirms.filter((x) => x.cls === 'accepted');
      const row = db.outgoing.find((o) => o.id === `confirm:${r.id}`);
      if (sent.length > 1) broke(`request ${r.reference}: ${sent.length} confirmations on case ${r.case_id} (AddCommunicationToCase answered ${calls.length} times)`);
      for (const m of sent) {
        if (m.body.includes(`Slack user ${STRANGER}`)) broke(`request ${r.reference}: a confirmation by ${STRANGER}, who may not confirm, reached AWS`);
        if (!m.body.includes(`Slack user ${REQUESTER}`)) broke(`request ${r.reference}: a confirmation reached AWS not in the requester's name`);
      }
      if (sent.length >= 1 && accepted.length === 0) broke(`request ${r.reference}: a confirmation reached AWS, but only ${confirms.map((x) => JSON.stringify(x.text)).join(', ') || 'nothing'} was said in its thread`);
      if (sent.length === 1 && row?.state !== 'sent') broke(`request ${r.reference}: the confirmation is on the case, but the bot records it as ${row?.state ?? 'missing'}`);
      if (sent.length === 0 && accepted.length > 0) {
        const thread = r.root_ts ? slack.threadReplies(CHANNEL, r.root_ts).map(messageText) : [];
        const reason = thread.find((t) => /Nothing was sent to AWS|was not sent|not known yet whether/.test(t));
        // A "confirm" the bot could not handle (the database away) is answered to the replier only, in the thread.
        const toldPrivately = slack.ephemerals.find((e) => e.thread_ts === r.root_ts && e.user === REQUESTER && /could not handle your "confirm"/.test(e.text ?? ''));
        if (row?.state === 'sent') broke(`request ${r.reference}: the bot records the confirmation as sent, but it is not on case ${r.case_id}`);
        else if (reason) note(`request ${r.reference}: "confirm" accepted by the soak but not sent; the thread says why: ${reason.split('\n')[0]!.slice(0, 160)}`);
        else if (toldPrivately) note(`request ${r.reference}: "confirm" accepted by the soak but not sent; the requester was told privately in the thread: ${(toldPrivately.text ?? '').slice(0, 160)}`);
        else broke(`request ${r.reference}: ${accepted.length} "confirm" from the requester after the prompt, none sent, and the thread says nothing about it (outgoing ${row?.state ?? 'none'})`);
      }
    }
    // Replies written in the Reply modal: at most one copy each on the case, and one if the bot says it was sent.
    for (const reply of ledger.replies) {
      check();
      const r = db.requests.find((x) => x.root_ts === reply.rootTs);
      const copies = r?.case_id ? (aws.cases.get(r.case_id)?.communications ?? []).filter((m) => m.body.includes(`${reply.marker}:`)) : [];
      const row = db.outgoing.find((o) => o.id === `reply:${reply.viewId}`);
      if (copies.length > 1) broke(`reply ${reply.marker}: ${copies.length} copies on case ${r?.case_id}`);
      if (row?.state === 'sent' && copies.length !== 1) broke(`reply ${reply.marker}: recorded as sent, ${copies.length} copies on the case`);
    }
  }

  // 4. No thread message was posted twice.
  {
    const { check, broke, note } = inv('no thread message posted twice');
    const recorded = new Set(db.posts.flatMap((p) => (p.posted_ts ? [p.posted_ts] : [])));
    const roots = new Set(db.requests.flatMap((r) => (r.root_ts ? [r.root_ts] : [])));
    const threads = new Map<string, FakeMessage[]>();
    for (const m of slack.messages) {
      if (m.channel !== CHANNEL) continue;
      if (!m.thread_ts || m.thread_ts === m.ts) {
        check();
        if (!roots.has(m.ts)) broke(`root message ${m.ts} belongs to no request: ${messageText(m).replace(/\s+/g, ' ').slice(0, 140)}`);
        continue;
      }
      threads.set(m.thread_ts, [...(threads.get(m.thread_ts) ?? []), m]);
    }
    for (const [thread, messages] of threads) {
      const seen = new Map<string, FakeMessage[]>();
      for (const m of messages) {
        check();
        const key = messageText(m);
        seen.set(key, [...(seen.get(key) ?? []), m]);
      }
      for (const [text, copies] of seen) {
        // Two equal messages are a double post unless the outbox recorded each as a post of its own.
        const unrecorded = copies.filter((m) => !recorded.has(m.ts));
        // The filing's own notices go straight to Slack, and a Retry of a request is answered in
        // its thread each time, even when nothing changed: as many as the Retry clicks (the proxy
        // may have delivered each twice), and the one the automatic recovery gives.
        const clicks = ledger.retryClicks.get(thread) ?? 0;
        if (copies.length > 1 && unrecorded.length > 0 && clicks > 0 && copies.length <= 2 * clicks + 1) {
          note(`thread ${thread}: ${copies.length} copies of a filing notice, after ${clicks} Retry clicks: "${text.replace(/\s+/g, ' ').trim().slice(0, 100)}"`);
          continue;
        }
        if (copies.length > 1 && unrecorded.length > 0) broke(`thread ${thread}: ${copies.length} copies of "${text.replace(/\s+/g, ' ').trim().slice(0, 120)}" (${unrecorded.length} not recorded by the outbox)`);
      }
    }
  }

  // 5. Nothing is left in a non-final state without a stated reason.
  {
    const { check, broke, note } = inv('no request left non-final without a stated reason');
    for (const r of db.requests) {
      check();
      if (r.status === 'received' || r.status === 'filing') broke(`request ${r.reference} (${r.kind}) still ${r.status}`);
      // A Service Quotas request's doubt is its rows': each states its own reason (checked below).
      const rowReason = rowsOf(r).find((row) => row.sending === 'uncertain' && row.errorMessage)?.errorMessage;
      if (r.status === 'uncertain') (r.error_message || rowReason ? note : broke)(`request ${r.reference} uncertain: ${r.error_message ?? rowReason ?? 'no reason stated'}`);
      if ((r.status === 'failed' || r.status === 'not_posted') && !r.error_message) broke(`request ${r.reference} ${r.status} with no reason stated`);
      if (r.status === 'failed') note(`request ${r.reference} failed (Retry offered): ${r.error_message}`);
      for (const [i, row] of rowsOf(r).entries()) {
        if (row.sending === 'attempted') broke(`request ${r.reference} row ${i}: still being sent to Service Quotas`);
        if (row.sending === 'uncertain') (row.errorMessage ? note : broke)(`request ${r.reference} row ${i} uncertain: ${row.errorMessage ?? 'no reason stated'}`);
        if (row.sending === 'failed' && !row.errorMessage) broke(`request ${r.reference} row ${i} failed with no reason stated`);
      }
    }
    for (const p of db.posts) {
      check();
      if (p.state === 'pending') broke(`thread post ${p.content_key} (request ${byId.get(p.request_id)?.reference}) never posted`);
      if (p.state === 'dead') broke(`thread post ${p.content_key} given up: ${p.last_error}`);
    }
    for (const o of db.outgoing) {
      check();
      if (o.state === 'sending') broke(`${o.kind} ${o.id} still sending`);
      if (o.state === 'uncertain') (o.error_message ? note : broke)(`${o.kind} ${o.id} uncertain: ${o.error_message ?? 'no reason stated'}`);
    }
  }

  // 6. No process died other than by the schedule.
  {
    const { check, broke } = inv('no process died other than by the schedule');
    check();
    for (const d of w.deaths) broke(`replica ${d.replica} (pid ${d.pid}) exited with code ${d.code} signal ${d.signal} at ${d.at}: …${d.tail.slice(-400)}`);
    for (const e of w.pg.unexpectedExits) broke(e);
  }
  return out;
}

function requestOfRowCase(requests: RequestRow[], caseId: string): RequestRow | undefined {
  return requests.find((r) => rowsOf(r).some((row) => row.caseId === caseId));
}
