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
}

export type NewRequest = Pick<
  StoredRequest,
  'id' | 'kind' | 'submissionKey' | 'reference' | 'teamId' | 'channelId' | 'requesterId' | 'payload' | 'responseUrl'
>;

export type RequestPatch = Partial<
  Pick<StoredRequest, 'status' | 'rootTs' | 'caseId' | 'displayId' | 'caseStatus' | 'errorCode' | 'errorMessage' | 'responseUrl'>
>;

export interface Store {
  /** True when the database answers. */
  ping(): Promise<boolean>;
  /** Inserts unless a request with the same submission key exists; returns the stored one. */
  insertRequest(request: NewRequest): Promise<{ created: boolean; request: StoredRequest }>;
  getRequest(id: string): Promise<StoredRequest | undefined>;
  /**
   * Moves a request from one of `from` to `to` in one atomic step, counting an attempt when
   * `to` is "filing". Returns the updated request to the one caller that made the move.
   */
  transition(id: string, from: RequestStatus[], to: RequestStatus, patch?: RequestPatch): Promise<StoredRequest | undefined>;
  updateRequest(id: string, patch: RequestPatch): Promise<StoredRequest>;
  listRequestsByStatus(statuses: RequestStatus[]): Promise<StoredRequest[]>;
  /** Merges `data` into the snapshot kept for an open modal (by Slack view id). */
  mergeFormSnapshot(viewId: string, data: Record<string, unknown>): Promise<Record<string, unknown>>;
  getFormSnapshot(viewId: string): Promise<Record<string, unknown> | undefined>;
  close(): Promise<void>;
}
