/**
 * Every key that makes something happen at most once, built here and nowhere else.
 *
 * The store refuses a second row with the same key (a primary key or a unique column): the
 * first writer wins and every later writer — a retry, a double click, Slack redelivering an
 * event, another replica, a restart — finds the row already there and does nothing. So a key
 * must name exactly the thing that should happen once, no more and no less: two different
 * things must never share a key (one would be lost), and the same thing must always get the
 * same key (it would happen twice). Each function says what its key identifies.
 *
 * The prefixes are distinct, so keys of different kinds can never collide.
 */
import { createHash, randomUUID } from 'node:crypto';

/** What a communication from AWS is known by: it has no id of its own in the Support API. */
export interface CommunicationIdentity {
  timeCreated: string;
  submittedBy: string;
  body: string;
}

// ---- requests and what the bot sends AWS ------------------------------------------------------

/** A submitted modal: Slack's view id is unique per modal, so resubmitting the same modal is the same request. */
export function submissionKey(viewId: string): string {
  return `view:${viewId}`;
}

/** A relinquishment has at most one confirmation: a second confirm finds it and sends nothing. */
export function confirmationId(requestId: string): string {
  return `confirm:${requestId}`;
}

/** A reply is one submission of the Reply modal (its view id): a retried submission sends nothing more. */
export function replyId(viewId: string): string {
  return `reply:${viewId}`;
}

// ---- communications seen on a case ------------------------------------------------------------

/**
 * A communication on a case, by content: case, time, author and a hash of the body. Two
 * replies in the same millisecond differ by body; the same reply seen again (by a later
 * cycle, another replica, push and poll) has the same key.
 */
export function communicationKey(caseId: string, m: CommunicationIdentity): string {
  const hash = createHash('sha256').update(m.body).digest('hex').slice(0, 24);
  return `${caseId}|${m.timeCreated}|${m.submittedBy}|${hash}`;
}

// ---- thread posts (the outbox's content keys) -------------------------------------------------

/** The thread message showing one communication from AWS or a person. */
export function communicationPostKey(communication: string): string {
  return `comm:${communication}`;
}

/** The confirmation prompt that follows one AWS reply on a relinquishment. */
export function promptPostKey(communication: string): string {
  return `prompt:${communication}`;
}

/** The thread notice of a case's n-th status change (the count only grows). */
export function statusPostKey(requestId: string, change: number): string {
  return `status:${requestId}:${change}`;
}

/** The root's redraw for a case's n-th status change. */
export function rootRedrawKey(requestId: string, change: number): string {
  return `root:${requestId}:${change}`;
}

/** The root's redraw once the case's display number is known (it is learned once). */
export function rootDisplayIdKey(requestId: string): string {
  return `root:${requestId}:display`;
}

/** "Resolved by <someone>" for the case's n-th status change, which the resolve caused. */
export function resolvedPostKey(requestId: string, change: number): string {
  return `resolved:${requestId}:${change}`;
}

/** A press of a message button, as the event a refusal answers (Slack's action_ts is unique per press). */
export function buttonEventKey(actionTs: string): string {
  return `button:${actionTs}`;
}

/** One person's one message (the Slack event's ts, or a button press) answered with a refusal: once per message. */
export function refusalPostKey(reason: 'deny' | 'notfiled' | 'early' | 'dup', requestId: string, eventKey: string): string {
  return `${reason}:${requestId}:${eventKey}`;
}

/** "The addresses are no longer in the account" for a relinquishment: said once. */
export function releasedPostKey(requestId: string): string {
  return `released:${requestId}`;
}

/** "The confirmation was sent" for a request: one confirmation, so one notice, whichever path found out. */
export function confirmedPostKey(requestId: string): string {
  return `confirmed:${requestId}`;
}

/** The echo in the thread of one reply sent to AWS. */
export function replyEchoKey(outgoingId: string): string {
  return `echo:${outgoingId}`;
}

/** Piece `index` of the text of one reply AWS did not take, given back to its author. */
export function unsentReplyKey(outgoingId: string, index: number): string {
  return `replytext:${outgoingId}:${index}`;
}

/**
 * Something that may rightly be said each time it happens (a send that failed, a resolve that
 * failed, a redraw after a resolve): every occurrence gets a key of its own.
 */
export function occurrenceKey(kind: 'sendfail' | 'resolvefail' | 'root-resolve', id: string): string {
  return `${kind}:${id}:${randomUUID()}`;
}

// ---- Service Quotas rows ----------------------------------------------------------------------

/**
 * What the thread hears about one attempt at one row of a request: sent (keyed by the AWS
 * request it became), failed or uncertain (keyed by the filing attempt, so a Retry that fails
 * again is said again).
 */
export function rowNoticeKey(kind: 'sent' | 'failed' | 'uncertain', requestId: string, row: number, discriminator: string): string {
  return `row${kind}:${requestId}:${row}:${discriminator}`;
}

/**
 * A status AWS reports, said once per status for its subject: a row (its index), or a region's
 * production access review (`review:<region>`, which covers all its sandboxed rows). Per path
 * too: a row may move from production access to Service Quotas.
 */
export function rowStatusKey(requestId: string, subject: string, path: string, status: string): string {
  return `rowstatus:${requestId}:${subject}:${path}:${status}`;
}

/** "AWS opened case X" for a row or a region's review, once per case. */
export function rowCaseKey(requestId: string, subject: string, caseId: string): string {
  return `rowcase:${requestId}:${subject}:${caseId}`;
}

/** The root's redraw for one state of a request's rows: the same state is drawn once. */
export function rowsRootKey(requestId: string, state: string): string {
  return `rowsroot:${requestId}:${createHash('sha256').update(state).digest('hex').slice(0, 24)}`;
}

/** The form added to a case: once per case, whichever rows, cycles or replicas lead there. */
export function formId(caseId: string): string {
  return `form:${caseId}`;
}

/** "The form was added to case X". */
export function formAddedKey(caseId: string): string {
  return `formadded:${caseId}`;
}

/**
 * Piece `index` of the form's text, ready to paste, for a request whose cases the bot cannot
 * write to (no paid plan): once per set of cases, so a case AWS opens later is named too.
 */
export function pasteFormKey(requestId: string, caseIds: readonly string[], index: number): string {
  const cases = createHash('sha256').update([...caseIds].sort().join(',')).digest('hex').slice(0, 16);
  return `pasteform:${requestId}:${cases}:${index}`;
}

/**
 * A region's proof of effect, said once per what it is about: verified for a set of granted
 * limits (a limit approved later is a new verification), or not seen after one positive outcome.
 */
export function effectPostKey(requestId: string, region: string, outcome: 'verified' | 'not_seen', about: string): string {
  return `effect:${requestId}:${region}:${outcome}:${about}`;
}
