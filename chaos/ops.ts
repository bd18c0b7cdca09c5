/**
 * The work the soak drives, as Slack users and AWS would: each operation goes through the proxy
 * (signed as Slack signs) or into the fake AWS, and writes what it did to the ledger that the
 * checks read at the end.
 */
import type { SlackObject } from '../test/fakes/fake-slack.js';
import { CHANNEL, REQUESTER, textOf, validQuotaInputs } from '../test/helpers/harness.js';
import { leaseInputs } from '../test/helpers/dedicated-ip-fixtures.js';
import { fillState, type SlackResponse } from '../test/helpers/slack-requests.js';
import { ADDRESSES, sleep, type FilingMode, type World } from './world.js';

/** Someone in the channel who is neither the requester nor an approver: may not confirm. */
export const STRANGER = 'U0STRANGER';

export interface Submission {
  n: number;
  kind: 'quota' | 'lease' | 'relinquish';
  mode: FilingMode;
  viewId: string;
  /** The bot accepted it (answered `response_action: update`) at least once. */
  acked: boolean;
  sends: number;
  answers: number[];
}

export interface AwsReply {
  marker: string;
  caseId: string;
  addedAt: number;
}

export type ConfirmClass = 'accepted' | 'stranger' | 'hedged';
export interface Confirmation {
  rootTs: string;
  user: string;
  text: string;
  cls: ConfirmClass;
  ts: string;
  at: number;
  answer: number;
}

export interface ReplyToAws {
  marker: string;
  rootTs: string;
  viewId: string;
  acked: boolean;
}

export type OpName = 'quota' | 'lease' | 'relinquish' | 'awsReply' | 'quotaDecision' | 'confirm' | 'retry' | 'reply' | 'resolve' | 'resubmit';

export class Ledger {
  readonly submissions: Submission[] = [];
  readonly awsReplies: AwsReply[] = [];
  readonly confirmations: Confirmation[] = [];
  readonly replies: ReplyToAws[] = [];
  readonly resolved = new Set<string>();
  /** Operations started, by name; and those that could not get as far as their action (a fault in the way). */
  readonly started: Partial<Record<OpName, number>> = {};
  readonly incomplete: Partial<Record<OpName, number>> = {};
  readonly doubles = { submitTwice: 0, clickTwice: 0 };
  readonly usedAddresses = new Set<string>();
  quotaDecisions = 0;
  /** Retry clicks sent, by thread root (each delivery counts): each may rightly be answered in the thread. */
  readonly retryClicks = new Map<string, number>();
}

const HEDGED = ['confirm? not sure', 'I cannot confirm yet', 'confirmed', 'yes confirm', 'please confirm which IPs', 'Confirm?', '<@UBOT> confirm'];
const ACCEPTED = ['confirm', 'Confirm', 'CONFIRM.', ' confirm! '];

class Incomplete extends Error {}

export class Operations {
  private seq = 0;
  constructor(
    private readonly w: World,
    readonly ledger: Ledger,
    private readonly mode: () => FilingMode,
  ) {}

  async run(op: OpName): Promise<void> {
    this.ledger.started[op] = (this.ledger.started[op] ?? 0) + 1;
    try {
      switch (op) {
        case 'quota':
          return await this.submitQuota();
        case 'lease':
          return await this.submitLease();
        case 'relinquish':
          return await this.submitRelinquish();
        case 'awsReply':
          return this.awsReply();
        case 'quotaDecision':
          return this.quotaDecision();
        case 'confirm':
          return await this.confirm();
        case 'retry':
          return await this.retry();
        case 'reply':
          return await this.reply();
        case 'resolve':
          return await this.resolve();
        case 'resubmit':
          return await this.resubmit();
      }
    } catch (err) {
      if (!(err instanceof Incomplete) && !(err instanceof TypeError)) throw err;
      this.ledger.incomplete[op] = (this.ledger.incomplete[op] ?? 0) + 1;
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private async until<T>(fn: () => T | undefined | false, ms: number, what: string): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = fn();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline) throw new Incomplete(what);
      await sleep(50);
    }
  }

  private trigger(): string {
    return `chaos.${++this.seq}.${Date.now()}`;
  }

  /** Opens a modal with a slash command; the view once `ready` says it is. */
  private async open(command: string, ready: (v: SlackObject) => boolean): Promise<SlackObject> {
    const triggerId = this.trigger();
    const res = await this.w.requester.command({ command, userId: REQUESTER, channelId: CHANNEL, triggerId });
    if (res.status !== 200) throw new Incomplete(`${command} answered ${res.status}`);
    const viewId = await this.until(() => this.w.viewByTrigger.get(triggerId), 15_000, 'views.open');
    return this.until(() => {
      const v = this.w.slack.views.get(viewId);
      return v && ready(v) ? v : undefined;
    }, 15_000, 'the modal ready');
  }

  /** Submits a modal once, twice at once (a double click), and records what the bot answered. */
  private async submit(kind: Submission['kind'], view: SlackObject, values: SlackObject): Promise<void> {
    const s: Submission = { n: this.ledger.submissions.length, kind, mode: this.mode(), viewId: view.id, acked: false, sends: 0, answers: [] };
    this.ledger.submissions.push(s);
    const times = this.w.rng.chance(0.15) ? 2 : 1;
    if (times === 2) this.ledger.doubles.submitTwice += 1;
    const answers = await Promise.all(Array.from({ length: times }, () => this.w.requester.viewSubmission({ view, values, userId: REQUESTER })));
    this.record(s, answers);
    this.pendingResubmits.push({ s, view, values });
  }

  private record(s: Submission, answers: SlackResponse[]): void {
    for (const a of answers) {
      s.sends += 1;
      s.answers.push(a.status);
      if (a.status === 200 && a.json?.response_action === 'update') s.acked = true;
    }
  }

  private readonly pendingResubmits: { s: Submission; view: SlackObject; values: SlackObject }[] = [];

  /** The same modal submitted again later (the user saw an error, or clicked again). */
  private async resubmit(): Promise<void> {
    const item = this.pendingResubmits.length ? this.pendingResubmits.splice(this.w.rng.int(0, this.pendingResubmits.length - 1), 1)[0]! : undefined;
    if (!item) throw new Incomplete('nothing to resubmit');
    this.record(item.s, [await this.w.requester.viewSubmission({ view: item.view, values: item.values, userId: REQUESTER })]);
  }

  private roots(): SlackObject[] {
    return this.w.slack.rootMessages(CHANNEL).filter((m) => textOf(m.blocks).includes('AWS status'));
  }

  private buttonsOf(rootTs: string): Record<string, SlackObject> {
    const root = this.w.slack.message(CHANNEL, rootTs);
    const out: Record<string, SlackObject> = {};
    for (const b of root?.blocks ?? []) if (b.type === 'actions') for (const e of b.elements ?? []) out[e.action_id] = { ...e, block_id: b.block_id ?? 'b' };
    return out;
  }

  private async click(rootTs: string, actionId: string, userId: string, triggerId?: string): Promise<SlackResponse[]> {
    const button = this.buttonsOf(rootTs)[actionId];
    if (!button) throw new Incomplete(`no ${actionId} button`);
    const times = this.w.rng.chance(0.15) ? 2 : 1;
    if (times === 2) this.ledger.doubles.clickTwice += 1;
    return Promise.all(
      Array.from({ length: times }, () =>
        this.w.requester.blockAction({ userId, channelId: CHANNEL, messageTs: rootTs, ...(triggerId ? { triggerId } : {}), actions: [{ action_id: actionId, block_id: button.block_id, value: button.value }] }),
      ),
    );
  }

  // ---- submissions -------------------------------------------------------------------------------

  private async submitQuota(): Promise<void> {
    const view = await this.open('/ses-quota', (v) => !textOf(v.blocks).includes('looking up the current quota'));
    const region = this.w.rng.pick(['us-east-1', 'eu-west-1', 'us-west-2']);
    const rate = this.w.rng.chance(0.3);
    const inputs = { ...validQuotaInputs(), 'row:0:region': region, 'row:0:limit': rate ? 'send_rate' : 'send_quota', 'row:0:newValue': String(rate ? this.w.rng.int(20, 60) : this.w.rng.int(60, 200) * 1000) };
    await this.submit('quota', view, fillState(view, inputs));
  }

  private async submitLease(): Promise<void> {
    const view = await this.open('/ses-dedicated-ip', (v) => (this.w.viewUpdates.get(v.id) ?? 0) > 0);
    await this.submit('lease', view, fillState(view, leaseInputs({ 'row:0:sendRate': String(this.w.rng.int(50, 300)) })));
  }

  private async submitRelinquish(): Promise<void> {
    const view = await this.open('/ses-dedicated-ip', (v) => (this.w.viewUpdates.get(v.id) ?? 0) > 0);
    const updates = this.w.viewUpdates.get(view.id) ?? 0;
    await this.w.requester.blockAction({
      userId: REQUESTER,
      view,
      values: fillState(view, { dip_action: 'relinquish', 'row:0:region': 'eu-west-1', contact_language: 'en' }),
      actions: [{ action_id: 'dip_action', block_id: 'dip_action', type: 'radio_buttons' }],
    });
    const form = await this.until(() => {
      const v = this.w.slack.views.get(view.id);
      return (this.w.viewUpdates.get(view.id) ?? 0) > updates && v?.blocks.some((b: SlackObject) => b.block_id === 'row:0:addresses') ? v : undefined;
    }, 15_000, 'the relinquish form');
    const free = ADDRESSES.filter((a) => !this.ledger.usedAddresses.has(a));
    if (!free.length) throw new Incomplete('no address left to relinquish');
    const address = this.w.rng.pick(free);
    this.ledger.usedAddresses.add(address);
    await this.submit('relinquish', form, fillState(form, { dip_action: 'relinquish', 'row:0:region': 'eu-west-1', 'row:0:addresses': [address], dip_note: undefined, contact_language: 'en' }));
  }

  // ---- AWS ---------------------------------------------------------------------------------------

  /** AWS answers on a case the bot filed (or, now and then, opens a case on a Service Quotas request). */
  private awsReply(): void {
    const aws = this.w.aws;
    if (this.w.rng.chance(0.15)) {
      const open = aws.quotaRequests().filter((r) => !r.caseId);
      if (open.length) aws.openQuotaCase(this.w.rng.pick(open).id);
    }
    const cases = [...aws.cases.values()].filter((c) => c.status !== 'resolved');
    if (!cases.length) throw new Incomplete('no case to answer');
    // Relinquishments more often: their replies bring the confirmation prompts.
    const relinquish = cases.filter((c) => /relinquish/i.test(`${c.subject}`));
    const c = relinquish.length && this.w.rng.chance(0.5) ? this.w.rng.pick(relinquish) : this.w.rng.pick(cases);
    const marker = `CHAOS-AWS-${++this.seq}`;
    aws.addCommunication(c.caseId, { body: `${marker}: Hello, this is AWS Support. We have reviewed your request. Please confirm the details.` });
    this.ledger.awsReplies.push({ marker, caseId: c.caseId, addedAt: Date.now() });
  }

  /** Service Quotas decides an open request (which lets a new request for that quota be made). */
  private quotaDecision(): void {
    const open = this.w.aws.quotaRequests().filter((r) => r.status === 'PENDING' || r.status === 'CASE_OPENED');
    if (!open.length) throw new Incomplete('no open Service Quotas request');
    const r = this.w.rng.pick(open);
    this.w.aws.setQuotaRequestStatus(r.id, this.w.rng.pick(['APPROVED', 'DENIED', 'CASE_CLOSED'] as const));
    this.ledger.quotaDecisions += 1;
  }

  // ---- in the thread -------------------------------------------------------------------------------

  private async confirm(): Promise<void> {
    const prompted = this.roots().filter((r) => this.w.slack.threadReplies(CHANNEL, r.ts).some((m) => textOf(m.blocks).includes('AWS needs a confirmation') || (m.text ?? '').includes('AWS needs a confirmation')));
    if (!prompted.length) throw new Incomplete('no prompt to confirm');
    const root = this.w.rng.pick(prompted);
    const cls = this.w.rng.weighted({ accepted: 5, stranger: 2, hedged: 3 } as Record<'accepted' | 'stranger' | 'hedged', number>);
    const user = cls === 'stranger' ? STRANGER : REQUESTER;
    const text = cls === 'hedged' ? this.w.rng.pick(HEDGED) : this.w.rng.pick(ACCEPTED);
    const ts = `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, '0')}`;
    const event = { type: 'message', channel: CHANNEL, user, text, ts, thread_ts: root.ts, parent_user_id: this.w.slack.botUserId, channel_type: 'channel', event_ts: ts };
    const c: Confirmation = { rootTs: root.ts, user, text, cls, ts, at: Date.now(), answer: 0 };
    this.ledger.confirmations.push(c);
    const res = await this.w.requester.event(event);
    c.answer = res.status;
  }

  private async retry(): Promise<void> {
    const failed = this.w.slack.rootMessages(CHANNEL).filter((r) => this.buttonsOf(r.ts).retry_filing);
    if (!failed.length) throw new Incomplete('nothing to retry');
    const root = this.w.rng.pick(failed);
    const answers = await this.click(root.ts, 'retry_filing', REQUESTER);
    this.ledger.retryClicks.set(root.ts, (this.ledger.retryClicks.get(root.ts) ?? 0) + answers.length);
  }

  private async reply(): Promise<void> {
    const open = this.roots().filter((r) => this.buttonsOf(r.ts).reply_to_aws);
    if (!open.length) throw new Incomplete('no case to reply on');
    const root = this.w.rng.pick(open);
    const triggerId = this.trigger();
    await this.click(root.ts, 'reply_to_aws', REQUESTER, triggerId);
    const viewId = await this.until(() => this.w.viewByTrigger.get(triggerId), 15_000, 'the reply modal');
    const view = this.w.slack.views.get(viewId)!;
    const marker = `CHAOS-ANSWER-${++this.seq}`;
    const r: ReplyToAws = { marker, rootTs: root.ts, viewId, acked: false };
    this.ledger.replies.push(r);
    const values = fillState(view, { reply_body: `${marker}: we send about 150,000 a day at peak.` });
    const times = this.w.rng.chance(0.15) ? 2 : 1;
    if (times === 2) this.ledger.doubles.submitTwice += 1;
    const answers = await Promise.all(Array.from({ length: times }, () => this.w.requester.viewSubmission({ view, values, userId: REQUESTER })));
    r.acked = answers.some((a) => a.status === 200);
  }

  private async resolve(): Promise<void> {
    const open = this.roots().filter((r) => this.buttonsOf(r.ts).resolve_case);
    if (!open.length) throw new Incomplete('no case to resolve');
    const root = this.w.rng.pick(open);
    this.ledger.resolved.add(root.ts);
    await this.click(root.ts, 'resolve_case', this.w.rng.chance(0.2) ? STRANGER : REQUESTER);
  }
}
