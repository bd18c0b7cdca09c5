/** The Store over Kysely: one implementation for every SQL back-end Kysely speaks. */
import { Migrator, sql, type Expression, type Kysely, type RawBuilder, type Selectable, type Updateable } from 'kysely';
import { migrationProvider } from './migrations.js';
import type { Database, OutgoingCommunicationsTable, RequestsTable, ThreadPostsTable } from './schema.js';
import { CaseSyncConflict, type AccountFact, type CaseSyncResult, type FollowedCase, type NewRequest, type NewThreadPost, type RequestPatch, type Store, type ThreadPost, type TrackedCase } from './store.js';
import { DEFAULT_ACCOUNT } from '../domain/accounts.js';
import type { StoreCounts } from '../metrics/metrics.js';
import { quotaRowsSchema } from '../domain/quota-rows.js';
import { effectsSchema, nextDue, type RegionEffect } from '../domain/proof.js';
import { mayMove, parsePayload, typedRequest, type OutgoingCommunication, type OutgoingState, type RequestKind, type RequestRecord, type RequestStatus, type StoredRequest } from '../domain/request.js';

export type SqlFlavor = 'sqlite' | 'postgres';

/** How many pending posts of a channel are looked at to find when the next one is due. */
const DUE_SCAN_LIMIT = 1000;

let seqCounter = 0;
/** A per-process counter that orders outbox rows written at the same database instant. */
function nextCounter(): string {
  seqCounter = (seqCounter + 1) % 1_000_000;
  return String(seqCounter).padStart(6, '0');
}

/**
 * The database's clock as ISO-8601 text in UTC with milliseconds (the format every timestamp
 * column holds, so text comparison is time comparison), shifted by `offsetMs`. Every replica
 * then measures leases and grace periods on the same clock, whatever its own says.
 */
export function dbTime(flavor: SqlFlavor, offsetMs = 0): RawBuilder<string> {
  const seconds = (offsetMs / 1000).toFixed(3);
  if (flavor === 'sqlite') {
    const modifier = `${offsetMs < 0 ? '' : '+'}${seconds} seconds`;
    return sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ${modifier})`;
  }
  return sql<string>`to_char((clock_timestamp() + make_interval(secs => ${seconds}::double precision)) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

export class KyselyStore implements Store {
  readonly exclusive: boolean;

  constructor(
    /** Exposed for tests that move the database's idea of when something happened. */
    readonly db: Kysely<Database>,
    readonly flavor: SqlFlavor,
  ) {
    this.exclusive = flavor === 'sqlite';
  }

  private at(offsetMs = 0): RawBuilder<string> {
    return dbTime(this.flavor, offsetMs);
  }

  async now(): Promise<Date> {
    const { rows } = await sql<{ now: string }>`select ${this.at()} as now`.execute(this.db);
    return new Date(rows[0]!.now);
  }

  async migrate(): Promise<void> {
    const { error, results } = await new Migrator({ db: this.db, provider: migrationProvider }).migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      throw new Error(`database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async ping(): Promise<boolean> {
    try {
      await sql`select 1`.execute(this.db);
      return true;
    } catch {
      return false;
    }
  }

  async insertRequest(request: NewRequest): Promise<{ created: boolean; request: StoredRequest }> {
    const now = new Date().toISOString();
    const inserted = await this.db
      .insertInto('requests')
      .values({
        id: request.id,
        kind: request.payload.kind,
        submission_key: request.submissionKey,
        reference: request.reference,
        team_id: request.teamId,
        channel_id: request.channelId,
        requester_id: request.requesterId,
        // Checked on the way in as on the way out: nothing malformed is ever stored.
        payload: JSON.stringify(parsePayload(request.payload.kind, request.payload)),
        status: 'received',
        filing_mode: request.filingMode ?? 'support-case',
        // The default account is stored as null, as every request from before accounts were named.
        account_name: request.account && request.account.name !== DEFAULT_ACCOUNT ? request.account.name : null,
        account_id: request.account?.id ?? null,
        response_url: request.responseUrl,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('submission_key').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { created: true, request: toRequest(inserted) };
    const existing = await this.db
      .selectFrom('requests')
      .selectAll()
      .where('submission_key', '=', request.submissionKey)
      .executeTakeFirstOrThrow();
    return { created: false, request: toRequest(existing) };
  }

  async getRequest(id: string): Promise<StoredRequest | undefined> {
    const row = await this.db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRequest(row);
  }

  async claimFiling(id: string, from: readonly RequestStatus[], owner: string, leaseMs: number, patch: RequestPatch = {}): Promise<StoredRequest | undefined> {
    const row = await this.db
      .updateTable('requests')
      .set({
        ...toColumns(patch),
        status: 'filing',
        updated_at: new Date().toISOString(),
        lease_owner: owner,
        lease_until: this.at(leaseMs),
        attempts: sql<number>`attempts + 1`,
      })
      .where('id', '=', id)
      .where('status', 'in', from)
      .where('status', '!=', 'filing')
      .returningAll()
      .executeTakeFirst();
    return row && toRequest(row);
  }

  async claimStaleFiling(id: string, owner: string, leaseMs: number, ignoreLease = false): Promise<StoredRequest | undefined> {
    const row = await this.db
      .updateTable('requests')
      .set({ lease_owner: owner, lease_until: this.at(leaseMs), updated_at: new Date().toISOString(), attempts: sql<number>`attempts + 1` })
      .where('id', '=', id)
      .where('status', '=', 'filing')
      .where((eb) => (ignoreLease ? eb.lit(true) : eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', this.at())])))
      .returningAll()
      .executeTakeFirst();
    return row && toRequest(row);
  }

  async listStaleFilings(ignoreLease = false): Promise<StoredRequest[]> {
    const rows = await this.db
      .selectFrom('requests')
      .selectAll()
      .where('status', '=', 'filing')
      .where((eb) => (ignoreLease ? eb.lit(true) : eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', this.at())])))
      .orderBy('created_at')
      .execute();
    return rows.map(toRequest);
  }

  async renewFiling(id: string, owner: string, leaseMs: number, attempt = false, patch: RequestPatch = {}): Promise<boolean> {
    const row = await this.db
      .updateTable('requests')
      .set({ ...toColumns(patch), lease_until: this.at(leaseMs), ...(attempt ? { attempted_at: this.at() } : {}) })
      .where('id', '=', id)
      .where('status', '=', 'filing')
      .where('lease_owner', '=', owner)
      .where('lease_until', '>', this.at())
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  async updateFiling(id: string, owner: string, patch: RequestPatch): Promise<StoredRequest | undefined> {
    const row = await this.db
      .updateTable('requests')
      .set({ ...toColumns(patch), updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .where('status', '=', 'filing')
      .where('lease_owner', '=', owner)
      .returningAll()
      .executeTakeFirst();
    return row && toRequest(row);
  }

  async finishFiling(id: string, owner: string, to: RequestStatus, patch: RequestPatch = {}): Promise<StoredRequest | undefined> {
    if (!mayMove('filing', to)) throw new Error(`a request cannot move from filing to ${to}`);
    const row = await this.db
      .updateTable('requests')
      .set({ ...toColumns(patch), status: to, updated_at: new Date().toISOString(), lease_owner: null, lease_until: null })
      .where('id', '=', id)
      .where('status', '=', 'filing')
      .where('lease_owner', '=', owner)
      .returningAll()
      .executeTakeFirst();
    return row && toRequest(row);
  }

  async acquireLease(name: string, owner: string, leaseMs: number, takeOver = false): Promise<boolean> {
    const row = await this.db
      .insertInto('leases')
      .values({ name, owner, until: this.at(leaseMs) })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ owner, until: this.at(leaseMs) })
          .where((eb) => (takeOver ? eb.lit(true) : eb.or([eb('leases.owner', '=', owner), eb('leases.until', '<', this.at())]))),
      )
      .returning('owner')
      .executeTakeFirst();
    return row?.owner === owner;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.db.deleteFrom('leases').where('name', '=', name).where('owner', '=', owner).execute();
  }

  async updateRequest(id: string, patch: RequestPatch): Promise<StoredRequest> {
    const row = await this.db
      .updateTable('requests')
      .set({ ...toColumns(patch), updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRequest(row);
  }

  async listRequestsByStatus(statuses: RequestStatus[]): Promise<StoredRequest[]> {
    const rows = await this.db.selectFrom('requests').selectAll().where('status', 'in', statuses).orderBy('created_at').execute();
    return rows.map(toRequest);
  }

  async mergeFormSnapshot(viewId: string, data: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('form_snapshots').select('data').where('view_id', '=', viewId).executeTakeFirst();
      const merged = { ...(row ? (JSON.parse(row.data) as Record<string, unknown>) : {}), ...data };
      const values = { view_id: viewId, data: JSON.stringify(merged), updated_at: new Date().toISOString() };
      await trx
        .insertInto('form_snapshots')
        .values(values)
        .onConflict((oc) => oc.column('view_id').doUpdateSet({ data: values.data, updated_at: values.updated_at }))
        .execute();
      return merged;
    });
  }

  async getFormSnapshot(viewId: string): Promise<Record<string, unknown> | undefined> {
    const row = await this.db.selectFrom('form_snapshots').select('data').where('view_id', '=', viewId).executeTakeFirst();
    return row ? (JSON.parse(row.data) as Record<string, unknown>) : undefined;
  }

  async listTrackedCases(resolvedSince: string): Promise<TrackedCase[]> {
    const rows = await this.db
      .selectFrom('requests')
      .select(['case_id', 'account_name', 'account_id'])
      // A request sent row by row follows its case even while one of its other rows is refused.
      .where((eb) => eb.or([eb('status', '=', 'filed'), eb.and([eb('filing_mode', '=', 'service-quotas'), eb('status', '!=', 'filing')])]))
      .where('case_id', 'is not', null)
      .where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>=', resolvedSince)]))
      .orderBy('created_at')
      .execute();
    const more = await this.db
      .selectFrom('followed_cases')
      .innerJoin('requests', 'requests.id', 'followed_cases.request_id')
      .select(['followed_cases.case_id', 'requests.account_name', 'requests.account_id'])
      .where((eb) => eb.or([eb('followed_cases.resolved_at', 'is', null), eb('followed_cases.resolved_at', '>=', resolvedSince)]))
      .orderBy('followed_cases.case_id')
      .execute();
    const tracked = (r: { case_id: string | null; account_name: string | null; account_id: string | null }) => ({
      caseId: r.case_id!,
      accountName: r.account_name ?? DEFAULT_ACCOUNT,
      accountId: r.account_id,
    });
    return [...rows.map(tracked), ...more.map(tracked)];
  }

  async getRequestsByCaseIds(caseIds: string[]): Promise<StoredRequest[]> {
    if (caseIds.length === 0) return [];
    const rows = await this.db.selectFrom('requests').selectAll().where('case_id', 'in', caseIds).execute();
    return rows.map(toRequest);
  }

  async addFollowedCase(requestId: string, caseId: string): Promise<void> {
    await this.db.insertInto('followed_cases').values({ case_id: caseId, request_id: requestId }).onConflict((oc) => oc.column('case_id').doNothing()).execute();
  }

  async getFollowedCases(caseIds: string[]): Promise<{ followed: FollowedCase; request: StoredRequest }[]> {
    if (caseIds.length === 0) return [];
    const rows = await this.db.selectFrom('followed_cases').selectAll().where('case_id', 'in', caseIds).execute();
    const requests = new Map((await this.db.selectFrom('requests').selectAll().where('id', 'in', [...new Set(rows.map((r) => r.request_id)), '']).execute()).map((r) => [r.id, toRequest(r)]));
    return rows.flatMap((r) => {
      const request = requests.get(r.request_id);
      const followed: FollowedCase = {
        caseId: r.case_id,
        requestId: r.request_id,
        displayId: r.display_id,
        caseStatus: r.case_status,
        commWatermark: r.comm_watermark,
        statusChanges: Number(r.status_changes),
        resolvedAt: r.resolved_at,
      };
      return request ? [{ followed, request }] : [];
    });
  }

  async findRequestByThread(channelId: string, rootTs: string): Promise<StoredRequest | undefined> {
    const row = await this.db.selectFrom('requests').selectAll().where('channel_id', '=', channelId).where('root_ts', '=', rootTs).executeTakeFirst();
    return row && toRequest(row);
  }

  async listRequestsByChannel(channelId: string, kind: RequestKind, limit: number, status?: RequestStatus): Promise<StoredRequest[]> {
    const rows = await this.db
      .selectFrom('requests')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('kind', '=', kind)
      .$if(status !== undefined, (q) => q.where('status', '=', status!))
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toRequest);
  }

  async seenKeys(requestId: string, keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('seen_communications')
      .select('content_key')
      .where('request_id', '=', requestId)
      .where('content_key', 'in', keys)
      .execute();
    return new Set(rows.map((r) => r.content_key));
  }

  async recordCaseSync(result: CaseSyncResult): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const seen of result.seen) {
        await trx
          .insertInto('seen_communications')
          .values({ content_key: seen.contentKey, request_id: result.requestId, time_created: seen.timeCreated })
          .onConflict((oc) => oc.column('content_key').doNothing())
          .execute();
      }
      await insertPosts(trx, this.flavor, result.posts);
      if (result.followedCaseId) {
        // Only the case's own position: the request's row belongs to its own case.
        const p = result.patch;
        const position = {
          ...(p.displayId !== undefined ? { display_id: p.displayId } : {}),
          ...(p.caseStatus !== undefined ? { case_status: p.caseStatus } : {}),
          ...(p.commWatermark !== undefined ? { comm_watermark: p.commWatermark } : {}),
          ...(p.statusChanges !== undefined ? { status_changes: p.statusChanges } : {}),
          ...(p.resolvedAt !== undefined ? { resolved_at: p.resolvedAt } : {}),
        };
        if (Object.keys(position).length) {
          let update = trx.updateTable('followed_cases').set(position).where('case_id', '=', result.followedCaseId);
          if (p.statusChanges !== undefined) update = update.where('status_changes', '=', p.statusChanges - 1);
          const done = await update.executeTakeFirst();
          if (p.statusChanges !== undefined && Number(done.numUpdatedRows) === 0) throw new CaseSyncConflict(`case ${result.followedCaseId} changed status meanwhile`);
        }
        return;
      }
      const columns = toColumns(result.patch);
      if (Object.keys(columns).length) {
        // A status change is recorded only over the count it was computed from: two syncs of one
        // case at once (the poll and a pushed event) cannot both record "change n".
        let update = trx.updateTable('requests').set({ ...columns, updated_at: new Date().toISOString() }).where('id', '=', result.requestId);
        if (result.patch.statusChanges !== undefined) update = update.where('status_changes', '=', result.patch.statusChanges - 1);
        const done = await update.executeTakeFirst();
        if (result.patch.statusChanges !== undefined && Number(done.numUpdatedRows) === 0) throw new CaseSyncConflict(`request ${result.requestId}'s case changed status meanwhile`);
      }
    });
  }

  /** Requests sent through Service Quotas whose rows are still polled (within their poll window). */
  private polledQuotaRows() {
    return this.db
      .selectFrom('requests')
      .where('filing_mode', '=', 'service-quotas')
      .where('quota_rows', 'is not', null)
      .where((eb) => eb.or([eb('poll_until', 'is', null), eb('poll_until', '>', this.at())]));
  }

  async listPolledQuotaRequests(): Promise<StoredRequest[]> {
    const rows = await this.polledQuotaRows().selectAll().where('status', '!=', 'filing').orderBy('created_at').execute();
    return rows.map(toRequest);
  }

  async recordRowSync(requestId: string, readAt: string, patch: RequestPatch, posts: NewThreadPost[]): Promise<StoredRequest | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('requests')
        .set({ ...toColumns(patch), updated_at: nextUpdatedAt(readAt) })
        .where('id', '=', requestId)
        .where('status', '!=', 'filing')
        .where('updated_at', '=', readAt)
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      await insertPosts(trx, this.flavor, posts);
      return toRequest(row);
    });
  }

  async followCase(requestId: string, caseId: string, posts: NewThreadPost[]): Promise<StoredRequest | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('requests')
        .set({ case_id: caseId, case_status: null, updated_at: new Date().toISOString() })
        .where('id', '=', requestId)
        .where('case_id', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      await insertPosts(trx, this.flavor, posts);
      return toRequest(row);
    });
  }

  async initEffects(requestId: string, effects: RegionEffect[]): Promise<boolean> {
    const row = await this.db
      .updateTable('requests')
      .set(toColumns({ effects }))
      .where('id', '=', requestId)
      .where('effects', 'is', null)
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  async listDueEffectChecks(): Promise<StoredRequest[]> {
    const rows = await this.db.selectFrom('requests').selectAll().where('effect_due_at', 'is not', null).where('effect_due_at', '<=', this.at()).orderBy('effect_due_at').execute();
    return rows.map(toRequest);
  }

  async getAccountFact(name: string): Promise<AccountFact | undefined> {
    const row = await this.db.selectFrom('account_facts').selectAll().where('name', '=', name).executeTakeFirst();
    return row && { value: row.value, checkedAt: row.checked_at };
  }

  async setAccountFact(name: string, value: string): Promise<void> {
    await this.db
      .insertInto('account_facts')
      .values({ name, value, checked_at: this.at() })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value, checked_at: this.at() }))
      .execute();
  }

  async enqueuePosts(posts: NewThreadPost[]): Promise<void> {
    await insertPosts(this.db, this.flavor, posts);
  }

  async claimNextPost(channelId: string, owner: string, claimMs: number): Promise<ThreadPost | undefined> {
    // The oldest due post of the channel that is first in line in its own thread: a thread keeps
    // its order, and a post that waits (backoff, a live claim) holds up only its own thread.
    const next = await this.db
      .selectFrom('thread_posts as p')
      .selectAll('p')
      .where('p.state', '=', 'pending')
      .where('p.channel_id', '=', channelId)
      .where((eb) => eb.or([eb('p.next_attempt_at', 'is', null), eb('p.next_attempt_at', '<=', this.at())]))
      .where((eb) => eb.or([eb('p.claimed_until', 'is', null), eb('p.claimed_until', '<', this.at())]))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('thread_posts as q')
              .select('q.content_key')
              .where('q.state', '=', 'pending')
              .whereRef('q.channel_id', '=', 'p.channel_id')
              .whereRef('q.thread_ts', '=', 'p.thread_ts')
              .whereRef('q.seq', '<', 'p.seq'),
          ),
        ),
      )
      .orderBy('p.seq')
      .limit(1)
      .executeTakeFirst();
    if (!next) return undefined;
    const claimed = await this.db
      .updateTable('thread_posts')
      .set({ claimed_until: this.at(claimMs), claim_owner: owner })
      .where('content_key', '=', next.content_key)
      .where('state', '=', 'pending')
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', this.at())]))
      .returningAll()
      .executeTakeFirst();
    return claimed && toPost(claimed);
  }

  async markPosted(contentKey: string, owner: string, postedTs: string): Promise<boolean> {
    const row = await this.db
      .updateTable('thread_posts')
      .set({ state: 'posted', posted_ts: postedTs, claimed_until: null, claim_owner: null })
      .where('content_key', '=', contentKey)
      .where('state', '=', 'pending')
      .where('claim_owner', '=', owner)
      .returning('content_key')
      .executeTakeFirst();
    return row !== undefined;
  }

  async deferPost(contentKey: string, owner: string, delayMs: number, error: string, countAttempt: boolean): Promise<boolean> {
    const row = await this.db
      .updateTable('thread_posts')
      .set({
        claimed_until: null,
        claim_owner: null,
        next_attempt_at: this.at(delayMs),
        last_error: error,
        ...(countAttempt ? { attempts: sql<number>`attempts + 1` } : {}),
      })
      .where('content_key', '=', contentKey)
      .where('state', '=', 'pending')
      .where('claim_owner', '=', owner)
      .returning('content_key')
      .executeTakeFirst();
    return row !== undefined;
  }

  async deadLetterPost(contentKey: string, owner: string, error: string): Promise<boolean> {
    const row = await this.db
      .updateTable('thread_posts')
      .set({ state: 'dead', claimed_until: null, claim_owner: null, last_error: error, attempts: sql<number>`attempts + 1` })
      .where('content_key', '=', contentKey)
      .where('state', '=', 'pending')
      .where('claim_owner', '=', owner)
      .returning('content_key')
      .executeTakeFirst();
    return row !== undefined;
  }

  async nextPostDueIn(channelId: string): Promise<number | undefined> {
    // A pending post is due when its backoff and any claim on it have passed. One due already
    // (but behind another in its thread) needs no timer: the post ahead of it kicks the channel.
    const rows = await this.db
      .selectFrom('thread_posts')
      .select(['next_attempt_at', 'claimed_until', sql<string>`${this.at()}`.as('now')])
      .where('state', '=', 'pending')
      .where('channel_id', '=', channelId)
      .limit(DUE_SCAN_LIMIT)
      .execute();
    if (rows.length === 0) return undefined;
    const now = Date.parse(rows[0]!.now);
    const waits = rows
      .map((r) => Math.max(Date.parse(r.next_attempt_at ?? '') || 0, Date.parse(r.claimed_until ?? '') || 0) - now)
      .filter((ms) => ms > 0);
    return waits.length ? Math.min(...waits) : undefined;
  }

  async channelsWithPendingPosts(): Promise<string[]> {
    const rows = await this.db.selectFrom('thread_posts').select('channel_id').distinct().where('state', '=', 'pending').execute();
    return rows.map((r) => r.channel_id);
  }

  async insertOutgoing(
    row: Pick<OutgoingCommunication, 'id' | 'requestId' | 'kind' | 'authorId' | 'body'> & { caseId?: string | null },
    owner: string,
    leaseMs: number,
  ): Promise<{ created: boolean; row: OutgoingCommunication }> {
    const now = new Date().toISOString();
    const inserted = await this.db
      .insertInto('outgoing_communications')
      .values({
        id: row.id,
        request_id: row.requestId,
        kind: row.kind,
        author_id: row.authorId,
        body: row.body,
        case_id: row.caseId ?? null,
        state: 'sending',
        created_at: now,
        updated_at: now,
        claim_owner: owner,
        claim_until: this.at(leaseMs),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { created: true, row: toOutgoing(inserted) };
    const existing = await this.db.selectFrom('outgoing_communications').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    return { created: false, row: toOutgoing(existing) };
  }

  async claimOutgoing(
    id: string,
    from: OutgoingState[],
    owner: string,
    leaseMs: number,
    rewrite?: Pick<OutgoingCommunication, 'authorId' | 'body'>,
    ignoreClaim = false,
  ): Promise<OutgoingCommunication | undefined> {
    const row = await this.db
      .updateTable('outgoing_communications')
      .set({
        state: 'sending',
        claim_owner: owner,
        claim_until: this.at(leaseMs),
        updated_at: new Date().toISOString(),
        ...(rewrite ? { author_id: rewrite.authorId, body: rewrite.body, error_message: null } : {}),
      })
      .where('id', '=', id)
      .where('state', 'in', from)
      // A "sending" communication belongs to its claimant until the claim expires.
      .where((eb) => (ignoreClaim ? eb.lit(true) : eb.or([eb('state', '!=', 'sending'), eb('claim_until', 'is', null), eb('claim_until', '<', this.at())])))
      .returningAll()
      .executeTakeFirst();
    return row && toOutgoing(row);
  }

  async renewOutgoing(id: string, owner: string, leaseMs: number, attempt = false): Promise<boolean> {
    const row = await this.db
      .updateTable('outgoing_communications')
      .set({ claim_until: this.at(leaseMs), ...(attempt ? { attempted_at: this.at() } : {}) })
      .where('id', '=', id)
      .where('state', '=', 'sending')
      .where('claim_owner', '=', owner)
      .where('claim_until', '>', this.at())
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  async finishOutgoing(id: string, owner: string, to: OutgoingState, errorMessage: string | null = null): Promise<OutgoingCommunication | undefined> {
    const row = await this.db
      .updateTable('outgoing_communications')
      .set({ state: to, error_message: errorMessage, updated_at: new Date().toISOString(), claim_owner: null, claim_until: null })
      .where('id', '=', id)
      .where('state', '=', 'sending')
      .where('claim_owner', '=', owner)
      .returningAll()
      .executeTakeFirst();
    return row && toOutgoing(row);
  }

  async listOutgoing(requestId: string): Promise<OutgoingCommunication[]> {
    const rows = await this.db.selectFrom('outgoing_communications').selectAll().where('request_id', '=', requestId).orderBy('created_at').execute();
    return rows.map(toOutgoing);
  }

  async listOutgoingByState(states: OutgoingState[]): Promise<OutgoingCommunication[]> {
    const rows = await this.db.selectFrom('outgoing_communications').selectAll().where('state', 'in', states).orderBy('created_at').execute();
    return rows.map(toOutgoing);
  }

  async pruneFormSnapshots(before: Date): Promise<number> {
    const result = await this.db.deleteFrom('form_snapshots').where('updated_at', '<', before.toISOString()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async pruneFinishedCases(before: Date): Promise<number> {
    const done = (eb: any) =>
      eb.exists(
        eb
          .selectFrom('requests as r')
          .select('r.id')
          .whereRef('r.id', '=', eb.ref('request_id'))
          .where('r.status', '=', 'filed')
          .where('r.resolved_at', '<', before.toISOString())
          // Not while another case of the request is still followed.
          .where((e: any) =>
            e.not(
              e.exists(
                e
                  .selectFrom('followed_cases as f')
                  .select('f.case_id')
                  .whereRef('f.request_id', '=', 'r.id')
                  .where((f: any) => f.or([f('f.resolved_at', 'is', null), f('f.resolved_at', '>=', before.toISOString())])),
              ),
            ),
          ),
      );
    return this.db.transaction().execute(async (trx) => {
      const seen = await trx.deleteFrom('seen_communications').where(done).executeTakeFirst();
      const posts = await trx.deleteFrom('thread_posts').where('state', '!=', 'pending').where(done).executeTakeFirst();
      const outgoing = await trx.deleteFrom('outgoing_communications').where('state', 'in', ['sent', 'failed']).where(done).executeTakeFirst();
      return Number(seen.numDeletedRows) + Number(posts.numDeletedRows) + Number(outgoing.numDeletedRows);
    });
  }

  async metricsCounts(periodicLease: string): Promise<StoreCounts> {
    // Side by side: on PostgreSQL one round trip's wait instead of five.
    const [requests, posts, openCases, openFollowed, polled, lease] = await Promise.all([
      this.db.selectFrom('requests').select(['kind', 'status', (eb) => eb.fn.countAll<number | string>().as('count')]).groupBy(['kind', 'status']).execute(),
      this.db.selectFrom('thread_posts').select(['state', (eb) => eb.fn.countAll<number | string>().as('count')]).where('state', 'in', ['pending', 'dead']).groupBy('state').execute(),
      this.db.selectFrom('requests').select((eb) => eb.fn.countAll<number | string>().as('count')).where('case_id', 'is not', null).where('resolved_at', 'is', null).executeTakeFirst(),
      // The other cases a request follows are synced too: one still open keeps the sync's lag meaningful.
      this.db.selectFrom('followed_cases').select((eb) => eb.fn.countAll<number | string>().as('count')).where('resolved_at', 'is', null).executeTakeFirst(),
      this.polledQuotaRows().select('quota_rows').execute(),
      this.db.selectFrom('leases').select('name').where('name', '=', periodicLease).where('until', '>', this.at()).executeTakeFirst(),
    ]);
    const quotaRows: StoreCounts['quotaRows'] = [];
    for (const r of polled) {
      let json: unknown;
      try {
        json = JSON.parse(r.quota_rows ?? '[]');
      } catch {
        continue;
      }
      const rows = quotaRowsSchema.safeParse(json);
      if (rows.success) for (const row of rows.data) quotaRows.push({ path: row.path, status: row.status ?? null });
    }
    return {
      requests: requests.map((r) => ({ kind: r.kind, status: r.status, count: Number(r.count) })),
      posts: posts.map((p) => ({ state: p.state, count: Number(p.count) })),
      openCases: Number(openCases?.count ?? 0) + Number(openFollowed?.count ?? 0),
      quotaRows,
      periodicLeaseLive: lease !== undefined,
    };
  }

  async hasPostedConfirmationPrompt(requestId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('thread_posts')
      .select(sql<number>`1`.as('one'))
      .where('request_id', '=', requestId)
      .where('content_key', 'like', 'prompt:%')
      .where('state', '=', 'posted')
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

async function insertPosts(db: Kysely<Database>, flavor: SqlFlavor, posts: NewThreadPost[]): Promise<void> {
  const now = new Date().toISOString();
  for (const post of posts) {
    // Ordered on the database's clock, so posts written by different replicas keep their order.
    const seq: Expression<string> = sql<string>`${dbTime(flavor)} || '-' || ${nextCounter()}`;
    await db
      .insertInto('thread_posts')
      .values({
        content_key: post.contentKey,
        seq,
        request_id: post.requestId,
        channel_id: post.channelId,
        thread_ts: post.threadTs,
        message: JSON.stringify(post.message),
        state: 'pending',
        created_at: now,
      })
      .onConflict((oc) => oc.column('content_key').doNothing())
      .execute();
  }
}

/**
 * A new updated_at for a conditional write: now, but always later than the value it replaces,
 * so two writes in the same millisecond still tell apart the versions they saw.
 */
function nextUpdatedAt(previous: string): string {
  const now = Date.now();
  const before = Date.parse(previous);
  return new Date(Number.isFinite(before) && before >= now ? before + 1 : now).toISOString();
}

function toPost(row: Selectable<ThreadPostsTable>): ThreadPost {
  return {
    contentKey: row.content_key,
    requestId: row.request_id,
    channelId: row.channel_id,
    threadTs: row.thread_ts,
    message: JSON.parse(row.message) as ThreadPost['message'],
    state: row.state as ThreadPost['state'],
    postedTs: row.posted_ts,
    attempts: Number(row.attempts),
    lastError: row.last_error,
  };
}

function toOutgoing(row: Selectable<OutgoingCommunicationsTable>): OutgoingCommunication {
  return {
    id: row.id,
    requestId: row.request_id,
    kind: row.kind as OutgoingCommunication['kind'],
    authorId: row.author_id,
    body: row.body,
    state: row.state as OutgoingState,
    errorMessage: row.error_message,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    attemptedAt: row.attempted_at,
    caseId: row.case_id,
  };
}

function toColumns(patch: RequestPatch): Updateable<RequestsTable> {
  const columns: Updateable<RequestsTable> = {};
  if (patch.status !== undefined) columns.status = patch.status;
  if (patch.rootTs !== undefined) columns.root_ts = patch.rootTs;
  if (patch.caseId !== undefined) columns.case_id = patch.caseId;
  if (patch.displayId !== undefined) columns.display_id = patch.displayId;
  if (patch.caseStatus !== undefined) columns.case_status = patch.caseStatus;
  if (patch.errorCode !== undefined) columns.error_code = patch.errorCode;
  if (patch.errorMessage !== undefined) columns.error_message = patch.errorMessage;
  if (patch.responseUrl !== undefined) columns.response_url = patch.responseUrl;
  if (patch.commWatermark !== undefined) columns.comm_watermark = patch.commWatermark;
  if (patch.resolvedAt !== undefined) columns.resolved_at = patch.resolvedAt;
  if (patch.statusChanges !== undefined) columns.status_changes = patch.statusChanges;
  if (patch.quotaRows !== undefined) columns.quota_rows = patch.quotaRows === null ? null : JSON.stringify(quotaRowsSchema.parse(patch.quotaRows));
  if (patch.pollUntil !== undefined) columns.poll_until = patch.pollUntil;
  // The due time always follows the effects it is computed from.
  if (patch.effects !== undefined) {
    columns.effects = patch.effects === null ? null : JSON.stringify(effectsSchema.parse(patch.effects));
    columns.effect_due_at = patch.effects === null ? null : nextDue(patch.effects);
  }
  return columns;
}

/** A row as a typed request: its payload checked against its kind (zod) at the store's boundary. */
function toRequest(row: Selectable<RequestsTable>): StoredRequest {
  const record: RequestRecord = {
    id: row.id,
    submissionKey: row.submission_key,
    reference: row.reference,
    teamId: row.team_id,
    channelId: row.channel_id,
    requesterId: row.requester_id,
    status: row.status as RequestStatus,
    responseUrl: row.response_url,
    rootTs: row.root_ts,
    caseId: row.case_id,
    displayId: row.display_id,
    caseStatus: row.case_status,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    attempts: Number(row.attempts),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    commWatermark: row.comm_watermark,
    resolvedAt: row.resolved_at,
    statusChanges: Number(row.status_changes),
    attemptedAt: row.attempted_at,
    filingMode: row.filing_mode === 'service-quotas' ? 'service-quotas' : 'support-case',
    quotaRows: row.quota_rows === null ? null : quotaRowsSchema.parse(JSON.parse(row.quota_rows)),
    pollUntil: row.poll_until,
    effects: row.effects === null ? null : effectsSchema.parse(JSON.parse(row.effects)),
    accountName: row.account_name ?? DEFAULT_ACCOUNT,
    accountId: row.account_id,
  };
  return typedRequest(record, row.kind, JSON.parse(row.payload));
}
