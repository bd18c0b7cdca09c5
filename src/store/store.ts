/**
 * The store interface callers use. Back-ends (SQLite now) implement it; callers never see SQL.
 */
import type { RegionEffect } from '../domain/proof.js';
import type { StoreCounts } from '../metrics/metrics.js';
import type { OutgoingCommunication, OutgoingState, RequestKind, RequestPayload, RequestRecord, RequestStatus, StoredRequest } from '../domain/request.js';

export type NewRequest = Pick<RequestRecord, 'id' | 'submissionKey' | 'reference' | 'teamId' | 'channelId' | 'requesterId' | 'responseUrl'> & {
  payload: RequestPayload;
  /** Unset: a Support case. */
  filingMode?: RequestRecord['filingMode'];
  /** Unset: the "default" account (the bot's own credentials). */
  account?: { name: string; id: string | null };
};

/** A case the sync follows, and the account whose credentials read it. */
export interface TrackedCase {
  caseId: string;
  accountName: string;
  accountId: string | null;
}

export type RequestPatch = Partial<
  Pick<
    RequestRecord,
    | 'status'
    | 'rootTs'
    | 'caseId'
    | 'displayId'
    | 'caseStatus'
    | 'errorCode'
    | 'errorMessage'
    | 'responseUrl'
    | 'commWatermark'
    | 'resolvedAt'
    | 'statusChanges'
    | 'quotaRows'
    | 'pollUntil'
    | 'effects'
  >
>;

/** Something learned about the AWS account, and when it was last checked (database clock). */
export interface AccountFact {
  value: string;
  checkedAt: string;
}

/** A message waiting in the outbox for a request's thread. */
export interface ThreadPost {
  contentKey: string;
  requestId: string;
  channelId: string;
  threadTs: string;
  /** With `updateTs`, the post replaces that message (the thread root) instead of replying. */
  message: { text: string; blocks?: unknown[]; updateTs?: string };
  /** "dead": Slack refused it for good, or it failed too often; it no longer holds up its thread. */
  state: 'pending' | 'posted' | 'dead';
  postedTs: string | null;
  attempts: number;
  lastError: string | null;
}

export type NewThreadPost = Pick<ThreadPost, 'contentKey' | 'requestId' | 'channelId' | 'threadTs' | 'message'>;

/**
 * A case a request follows besides its own (a second Service Quotas row's case): its own sync
 * position, with the request it reports to.
 */
export interface FollowedCase {
  caseId: string;
  requestId: string;
  displayId: string | null;
  caseStatus: string | null;
  commWatermark: string | null;
  statusChanges: number;
  resolvedAt: string | null;
}

/** What one sync of one case found, written in one transaction. */
/**
 * Another sync recorded a status change of the same case since this one read it (the poll and a
 * pushed event, or two replicas' events): nothing of this one was recorded.
 */
export class CaseSyncConflict extends Error {
  override name = 'CaseSyncConflict';
}

export interface CaseSyncResult {
  requestId: string;
  /** Set for a case the request follows besides its own: the patch goes to that case's position. */
  followedCaseId?: string;
  patch: RequestPatch;
  seen: { contentKey: string; timeCreated: string }[];
  posts: NewThreadPost[];
}

export interface Store {
  /**
   * True when no other process can share this database (SQLite): work left "in progress" at
   * start-up was then abandoned by a dead process and can be taken over at once.
   */
  readonly exclusive: boolean;
  /** True when the database answers. */
  ping(): Promise<boolean>;
  /** Inserts unless a request with the same submission key exists; returns the stored one. */
  insertRequest(request: NewRequest): Promise<{ created: boolean; request: StoredRequest }>;
  getRequest(id: string): Promise<StoredRequest | undefined>;
  /** The database's clock: every lease and grace period is measured on it, never on a replica's own. */
  now(): Promise<Date>;
  /**
   * Claims a request for filing: moves it from one of `from` to "filing" in one atomic step,
   * counting an attempt, owned by `owner` until `leaseMs` from now. Returns the request to the
   * one caller that made the move.
   */
  claimFiling(id: string, from: readonly RequestStatus[], owner: string, leaseMs: number, patch?: RequestPatch): Promise<StoredRequest | undefined>;
  /**
   * Takes over a "filing" request whose lease expired (its owner died or stalled); with
   * `ignoreLease`, any "filing" request (a database no other process can share, at start-up).
   */
  claimStaleFiling(id: string, owner: string, leaseMs: number, ignoreLease?: boolean): Promise<StoredRequest | undefined>;
  listStaleFilings(ignoreLease?: boolean): Promise<StoredRequest[]>;
  /**
   * Extends `owner`'s lease on a "filing" request, only while it still holds it (not expired,
   * not taken over). With `attempt`, also records that the irreversible call is being sent now;
   * `patch` is written in the same step (e.g. a row marked as being sent).
   */
  renewFiling(id: string, owner: string, leaseMs: number, attempt?: boolean, patch?: RequestPatch): Promise<boolean>;
  /** Changes a request in "filing" only if `owner` still holds it; undefined otherwise. */
  updateFiling(id: string, owner: string, patch: RequestPatch): Promise<StoredRequest | undefined>;
  /** Moves a request out of "filing", only if `owner` still holds it; undefined otherwise. */
  finishFiling(id: string, owner: string, to: RequestStatus, patch?: RequestPatch): Promise<StoredRequest | undefined>;
  /**
   * Takes or renews a named lease for `leaseMs`; true when `owner` holds it. With `takeOver`,
   * takes it even from a live holder (a database no other process shares, at start-up).
   */
  acquireLease(name: string, owner: string, leaseMs: number, takeOver?: boolean): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;
  updateRequest(id: string, patch: RequestPatch): Promise<StoredRequest>;
  listRequestsByStatus(statuses: RequestStatus[]): Promise<StoredRequest[]>;
  /** Merges `data` into the snapshot kept for an open modal (by Slack view id). */
  mergeFormSnapshot(viewId: string, data: Record<string, unknown>): Promise<Record<string, unknown>>;
  getFormSnapshot(viewId: string): Promise<Record<string, unknown> | undefined>;
  /** Forgets snapshots of modals not touched since `before` (Slack closes a modal long before). */
  pruneFormSnapshots(before: Date): Promise<number>;
  /**
   * The filed cases the sync follows (open ones, and resolved ones since `resolvedSince`) with
   * their account. Ids only: a cycle over thousands of cases loads each batch's rows when it
   * needs them.
   */
  listTrackedCases(resolvedSince: string): Promise<TrackedCase[]>;
  getRequestsByCaseIds(caseIds: string[]): Promise<StoredRequest[]>;
  /** Follows one more case for a request (its own is requests.case_id); nothing if already followed. */
  addFollowedCase(requestId: string, caseId: string): Promise<void>;
  /** The other cases of these ids that requests follow, each with its request. */
  getFollowedCases(caseIds: string[]): Promise<{ followed: FollowedCase; request: StoredRequest }[]>;
  findRequestByThread(channelId: string, rootTs: string): Promise<StoredRequest | undefined>;
  /** The channel's newest requests of a kind; with `status`, only those in it. */
  listRequestsByChannel(channelId: string, kind: RequestKind, limit: number, status?: RequestStatus): Promise<StoredRequest[]>;
  seenKeys(requestId: string, keys: string[]): Promise<Set<string>>;
  /** Records a case's sync: its new position, the communications handled, the posts they cause. */
  recordCaseSync(result: CaseSyncResult): Promise<void>;
  /**
   * Service Quotas requests whose rows are still polled: not being filed right now, and not
   * past their poll_until.
   */
  listPolledQuotaRequests(): Promise<StoredRequest[]>;
  /**
   * Writes what a poll of a request found, with the posts it causes, in one step: only while
   * nobody is filing the request (a filing owns its rows) and only if the request is unchanged
   * since it was read (`readAt`: its updatedAt then), so an older read never overwrites newer
   * work. Undefined when refused; the next cycle reads it again.
   */
  recordRowSync(requestId: string, readAt: string, patch: RequestPatch, posts: NewThreadPost[]): Promise<StoredRequest | undefined>;
  /**
   * The request follows `caseId` from now on, with the posts that say so, in one step; only if it
   * follows no case yet. Undefined when it already follows one.
   */
  followCase(requestId: string, caseId: string, posts: NewThreadPost[]): Promise<StoredRequest | undefined>;
  /** Stores a request's first effect figures, only if it has none yet (a Retry does not overwrite them). */
  initEffects(requestId: string, effects: RegionEffect[]): Promise<boolean>;
  /** Requests with an effect check due now (database clock). */
  listDueEffectChecks(): Promise<StoredRequest[]>;
  getAccountFact(name: string): Promise<AccountFact | undefined>;
  /** Stores a fact, checked now (database clock). */
  setAccountFact(name: string, value: string): Promise<void>;

  enqueuePosts(posts: NewThreadPost[]): Promise<void>;
  /**
   * Claims for `owner`, for `claimMs`, the channel's oldest post that is due: not posted, not
   * dead, not waiting out a backoff, not claimed by a live owner, and with no older pending post
   * in its own thread (a thread's messages keep their order; other threads do not wait on it).
   */
  claimNextPost(channelId: string, owner: string, claimMs: number): Promise<ThreadPost | undefined>;
  /** Marks a claimed post as posted; false when `owner` no longer held it. */
  markPosted(contentKey: string, owner: string, postedTs: string): Promise<boolean>;
  /** Gives a claimed post back to wait `delayMs` before its next try, counting a failed attempt if `countAttempt`. */
  deferPost(contentKey: string, owner: string, delayMs: number, error: string, countAttempt: boolean): Promise<boolean>;
  /** Moves a claimed post to "dead"; true for the one caller that did it (it reports it). */
  deadLetterPost(contentKey: string, owner: string, error: string): Promise<boolean>;
  /** Milliseconds until the channel's next pending post is due (0: now), or undefined when none is pending. */
  nextPostDueIn(channelId: string): Promise<number | undefined>;
  channelsWithPendingPosts(): Promise<string[]>;

  /**
   * Inserts unless a communication with the same id exists; a new one is in state "sending",
   * claimed by `owner` for `leaseMs`. Returns the stored one.
   */
  insertOutgoing(
    row: Pick<OutgoingCommunication, 'id' | 'requestId' | 'kind' | 'authorId' | 'body'> & { caseId?: string | null },
    owner: string,
    leaseMs: number,
  ): Promise<{ created: boolean; row: OutgoingCommunication }>;
  /**
   * Claims a communication for `owner`: from one of `from` to "sending". A "sending" one is
   * claimed only once its previous claim expired. A retry may also give it a new author and body.
   */
  claimOutgoing(
    id: string,
    from: OutgoingState[],
    owner: string,
    leaseMs: number,
    rewrite?: Pick<OutgoingCommunication, 'authorId' | 'body'>,
    /** Take a "sending" one even if its claim has not expired (a database no other process shares, at start-up). */
    ignoreClaim?: boolean,
  ): Promise<OutgoingCommunication | undefined>;
  /** Like renewFiling, for a communication in "sending". */
  renewOutgoing(id: string, owner: string, leaseMs: number, attempt?: boolean): Promise<boolean>;
  /** Moves a communication out of "sending", only if `owner` still holds it. */
  finishOutgoing(id: string, owner: string, to: OutgoingState, errorMessage?: string | null): Promise<OutgoingCommunication | undefined>;
  listOutgoing(requestId: string): Promise<OutgoingCommunication[]>;
  listOutgoingByState(states: OutgoingState[]): Promise<OutgoingCommunication[]>;

  /**
   * Forgets what only a followed case needs (communications seen, delivered or dead posts,
   * finished communications) for requests no longer followed: resolved before `before`.
   */
  pruneFinishedCases(before: Date): Promise<number>;
  /**
   * What the /metrics gauges show, counted in a few grouped queries: requests by kind and status,
   * pending and dead posts, open cases, the followed Service Quotas rows' statuses, and whether the
   * periodic-work lease (`periodicLease`) has a live holder.
   */
  metricsCounts(periodicLease: string): Promise<StoreCounts>;
  /** Whether the bot has posted a relinquishment confirmation prompt (`prompt:…`) in the request's thread. */
  hasPostedConfirmationPrompt(requestId: string): Promise<boolean>;
  close(): Promise<void>;
}
