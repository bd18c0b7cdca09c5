/** Kysely table types, shared by every back-end. */
import type { Generated } from 'kysely';

export interface RequestsTable {
  id: string;
  kind: string;
  submission_key: string;
  reference: string;
  team_id: string;
  channel_id: string;
  requester_id: string;
  payload: string;
  status: string;
  response_url: string | null;
  root_ts: string | null;
  case_id: string | null;
  display_id: string | null;
  case_status: string | null;
  error_code: string | null;
  error_message: string | null;
  attempts: Generated<number>;
  created_at: string;
  updated_at: string;
  comm_watermark: string | null;
  resolved_at: string | null;
  status_changes: Generated<number>;
  lease_until: string | null;
  lease_owner: string | null;
  attempted_at: string | null;
  filing_mode: Generated<string>;
  account_name: string | null;
  account_id: string | null;
  quota_rows: string | null;
  poll_until: string | null;
  effects: string | null;
  effect_due_at: string | null;
}

export interface FollowedCasesTable {
  case_id: string;
  request_id: string;
  display_id: string | null;
  case_status: string | null;
  comm_watermark: string | null;
  status_changes: Generated<number>;
  resolved_at: string | null;
}

export interface AccountFactsTable {
  name: string;
  value: string;
  checked_at: string;
}

export interface LeasesTable {
  name: string;
  owner: string;
  until: string;
}

export interface SeenCommunicationsTable {
  content_key: string;
  request_id: string;
  time_created: string;
}

export interface ThreadPostsTable {
  content_key: string;
  seq: string;
  request_id: string;
  channel_id: string;
  thread_ts: string;
  message: string;
  state: string;
  posted_ts: string | null;
  attempts: Generated<number>;
  created_at: string;
  claimed_until: string | null;
  claim_owner: string | null;
  next_attempt_at: string | null;
  last_error: string | null;
}

export interface OutgoingCommunicationsTable {
  id: string;
  request_id: string;
  kind: string;
  author_id: string;
  body: string;
  state: string;
  error_message: string | null;
  created_at: string;
  updated_at: string;
  claim_owner: string | null;
  claim_until: string | null;
  attempted_at: string | null;
  case_id: string | null;
}

export interface FormSnapshotsTable {
  view_id: string;
  data: string;
  updated_at: string;
}

export interface Database {
  requests: RequestsTable;
  form_snapshots: FormSnapshotsTable;
  seen_communications: SeenCommunicationsTable;
  thread_posts: ThreadPostsTable;
  outgoing_communications: OutgoingCommunicationsTable;
  leases: LeasesTable;
  account_facts: AccountFactsTable;
  followed_cases: FollowedCasesTable;
}
