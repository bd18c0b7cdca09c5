/**
 * The store interface callers use. Back-ends (SQLite now) implement it; callers never see SQL.
 */
export type RequestKind = 'quota' | 'dedicated_ip';

/**
 * received → filing → filed, or → failed (AWS refused: retryable), → uncertain (AWS may have
 * filed it: reconcile before filing again), → not_posted (the bot could not post in the channel).
 */
export type RequestStatus = 'received' | 'filing' | 'filed' | 'failed' | 'uncertain' | 'not_posted';

export interface StoredRequest {
  id: string;
  kind: RequestKind;
  submissionKey: string;
  reference: string;
  teamId: string;
  channelId: string;
  requesterId: string;
  /** The validated domain request, as JSON. */
  payload: unknown;
  status: RequestStatus;
  responseUrl: string | null;
  rootTs: string | null;
  caseId: string | null;
  displayId: string | null;
  caseStatus: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  /** Newest communication time the sync has handled for this case. */
  commWatermark: string | null;
  resolvedAt: string | null;
  /** How many status changes the sync has seen: keys the status notices in the thread. */
  statusChanges: number;
}

export type NewRequest = Pick<
  StoredRequest,
  'id' | 'kind' | 'submissionKey' | 'reference' | 'teamId' | 'channelId' | 'requesterId' | 'payload' | 'responseUrl'
>;

export type RequestPatch = Partial<
  Pick<
    StoredRequest,
    'status' | 'rootTs' | 'caseId' | 'displayId' | 'caseStatus' | 'errorCode' | 'errorMessage' | 'responseUrl' | 'commWatermark' | 'resolvedAt' | 'statusChanges'
  >
>;

/** A message waiting in the outbox for a request's thread. */
export interface ThreadPost {
  contentKey: string;
  requestId: string;
  channelId: string;
  threadTs: string;
  /** With `updateTs`, the post replaces that message (the thread root) instead of replying. */
  message: { text: string; blocks?: unknown[]; updateTs?: string };
  state: 'pending' | 'posted';
  postedTs: string | null;
  attempts: number;
}

export type NewThreadPost = Pick<ThreadPost, 'contentKey' | 'requestId' | 'channelId' | 'threadTs' | 'message'>;

export type OutgoingState = 'sending' | 'sent' | 'failed' | 'uncertain';

/** A communication the bot sends to AWS on a case (a confirmation, a reply). */
export interface OutgoingCommunication {
  id: string;
  requestId: string;
  kind: 'confirmation' | 'reply';
  authorId: string;
  body: string;
  state: OutgoingState;
  errorMessage: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What one sync of one case found, written in one transaction. */
export interface CaseSyncResult {
  requestId: string;
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
  /**
   * Moves a request from one of `from` to `to` in one atomic step, counting an attempt and
   * taking a lease until `leaseUntil` when `to` is "filing". Returns the updated request to
   * the one caller that made the move.
   */
  transition(id: string, from: RequestStatus[], to: RequestStatus, patch?: RequestPatch, leaseUntil?: Date): Promise<StoredRequest | undefined>;
  /** Takes over a "filing" request whose lease expired (its process died). */
  claimStaleFiling(id: string, now: Date, leaseUntil: Date): Promise<StoredRequest | undefined>;
  listStaleFilings(now: Date): Promise<StoredRequest[]>;
  /** Takes or renews a named lease; true when `owner` holds it until `until`. */
  acquireLease(name: string, owner: string, now: Date, until: Date): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;
  updateRequest(id: string, patch: RequestPatch): Promise<StoredRequest>;
  listRequestsByStatus(statuses: RequestStatus[]): Promise<StoredRequest[]>;
  /** Merges `data` into the snapshot kept for an open modal (by Slack view id). */
  mergeFormSnapshot(viewId: string, data: Record<string, unknown>): Promise<Record<string, unknown>>;
  getFormSnapshot(viewId: string): Promise<Record<string, unknown> | undefined>;
  /** Forgets snapshots of modals not touched since `before` (Slack closes a modal long before). */
  pruneFormSnapshots(before: Date): Promise<number>;
  /**
   * Case ids of the filed cases the sync follows: open ones, and resolved ones since
   * `resolvedSince`. Ids only: a cycle over thousands of cases loads each batch's rows when it
   * needs them.
   */
  listTrackedCaseIds(resolvedSince: string): Promise<string[]>;
  getRequestsByCaseIds(caseIds: string[]): Promise<StoredRequest[]>;
  findRequestByThread(channelId: string, rootTs: string): Promise<StoredRequest | undefined>;
  listRequestsByChannel(channelId: string, kind: RequestKind, limit: number): Promise<StoredRequest[]>;
  seenKeys(requestId: string, keys: string[]): Promise<Set<string>>;
  /** Records a case's sync: its new position, the communications handled, the posts they cause. */
  recordCaseSync(result: CaseSyncResult): Promise<void>;

  enqueuePosts(posts: NewThreadPost[]): Promise<void>;
  /** Claims the channel's oldest post not yet posted (nor claimed by a live process) until `until`. */
  claimNextPost(channelId: string, now: Date, until: Date): Promise<ThreadPost | undefined>;
  releasePost(contentKey: string): Promise<void>;
  markPosted(contentKey: string, postedTs: string): Promise<void>;
  countPostAttempt(contentKey: string): Promise<void>;
  channelsWithPendingPosts(): Promise<string[]>;

  /** Inserts unless a communication with the same id exists; returns the stored one. */
  insertOutgoing(row: Pick<OutgoingCommunication, 'id' | 'requestId' | 'kind' | 'authorId' | 'body'>): Promise<{ created: boolean; row: OutgoingCommunication }>;
  /** Atomic state change; a retry may also give the communication a new author and body. */
  transitionOutgoing(
    id: string,
    from: OutgoingState[],
    to: OutgoingState,
    errorMessage?: string | null,
    rewrite?: Pick<OutgoingCommunication, 'authorId' | 'body'>,
  ): Promise<OutgoingCommunication | undefined>;
  listOutgoing(requestId: string): Promise<OutgoingCommunication[]>;
  listOutgoingByState(states: OutgoingState[]): Promise<OutgoingCommunication[]>;

  close(): Promise<void>;
}
