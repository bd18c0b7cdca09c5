/** The Store over Kysely: one implementation for every SQL back-end Kysely speaks. */
import { Migrator, sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import { migrationProvider } from './migrations.js';
import type { Database, OutgoingCommunicationsTable, RequestsTable, ThreadPostsTable } from './schema.js';
import type {
  CaseSyncResult,
  NewRequest,
  NewThreadPost,
  OutgoingCommunication,
  OutgoingState,
  RequestKind,
  RequestPatch,
  RequestStatus,
  Store,
  StoredRequest,
  ThreadPost,
} from './store.js';

let seqCounter = 0;
/** Orders outbox rows: time first, then a per-process counter for rows written in the same millisecond. */
function nextSeq(): string {
  seqCounter = (seqCounter + 1) % 1_000_000;
  return `${String(Date.now()).padStart(15, '0')}-${String(seqCounter).padStart(6, '0')}`;
}

export class KyselyStore implements Store {
  constructor(
    private readonly db: Kysely<Database>,
    readonly exclusive: boolean,
  ) {}

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
        kind: request.kind,
        submission_key: request.submissionKey,
        reference: request.reference,
        team_id: request.teamId,
        channel_id: request.channelId,
        requester_id: request.requesterId,
        payload: JSON.stringify(request.payload),
        status: 'received',
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

  async transition(id: string, from: RequestStatus[], to: RequestStatus, patch: RequestPatch = {}, leaseUntil?: Date): Promise<StoredRequest | undefined> {
    const row = await this.db
      .updateTable('requests')
      .set({
        ...toColumns(patch),
        status: to,
        updated_at: new Date().toISOString(),
        lease_until: to === 'filing' ? (leaseUntil ?? new Date(Date.now() + 120_000)).toISOString() : null,
        ...(to === 'filing' ? { attempts: sql<number>`attempts + 1` } : {}),
      })
      .where('id', '=', id)
      .where('status', 'in', from)
      .returningAll()
      .executeTakeFirst();
    return row && toRequest(row);
  }

  async claimStaleFiling(id: string, now: Date, leaseUntil: Date): Promise<StoredRequest | undefined> {
    const row = await this.db
      .updateTable('requests')
      .set({ lease_until: leaseUntil.toISOString(), updated_at: now.toISOString(), attempts: sql<number>`attempts + 1` })
      .where('id', '=', id)
      .where('status', '=', 'filing')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now.toISOString())]))
      .returningAll()
      .executeTakeFirst();
    return row && toRequest(row);
  }

  async listStaleFilings(now: Date): Promise<StoredRequest[]> {
    const rows = await this.db
      .selectFrom('requests')
      .selectAll()
      .where('status', '=', 'filing')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now.toISOString())]))
      .orderBy('created_at')
      .execute();
    return rows.map(toRequest);
  }

  async acquireLease(name: string, owner: string, now: Date, until: Date): Promise<boolean> {
    const row = await this.db
      .insertInto('leases')
      .values({ name, owner, until: until.toISOString() })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ owner, until: until.toISOString() })
          .where((eb) => eb.or([eb('leases.owner', '=', owner), eb('leases.until', '<', now.toISOString())])),
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

  async listTrackedCaseIds(resolvedSince: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('requests')
      .select('case_id')
      .where('status', '=', 'filed')
      .where('case_id', 'is not', null)
      .where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>=', resolvedSince)]))
      .orderBy('created_at')
      .execute();
    return rows.map((r) => r.case_id!);
  }

  async getRequestsByCaseIds(caseIds: string[]): Promise<StoredRequest[]> {
    if (caseIds.length === 0) return [];
    const rows = await this.db.selectFrom('requests').selectAll().where('case_id', 'in', caseIds).execute();
    return rows.map(toRequest);
  }

  async findRequestByThread(channelId: string, rootTs: string): Promise<StoredRequest | undefined> {
    const row = await this.db.selectFrom('requests').selectAll().where('channel_id', '=', channelId).where('root_ts', '=', rootTs).executeTakeFirst();
    return row && toRequest(row);
  }

  async listRequestsByChannel(channelId: string, kind: RequestKind, limit: number): Promise<StoredRequest[]> {
    const rows = await this.db
      .selectFrom('requests')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('kind', '=', kind)
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
      await insertPosts(trx, result.posts);
      const columns = toColumns(result.patch);
      if (Object.keys(columns).length) {
        await trx.updateTable('requests').set({ ...columns, updated_at: new Date().toISOString() }).where('id', '=', result.requestId).execute();
      }
    });
  }

  async enqueuePosts(posts: NewThreadPost[]): Promise<void> {
    await insertPosts(this.db, posts);
  }

  async claimNextPost(channelId: string, now: Date, until: Date): Promise<ThreadPost | undefined> {
    // The oldest unposted row of the channel; if another live process holds it, the channel waits.
    const next = await this.db
      .selectFrom('thread_posts')
      .selectAll()
      .where('state', '=', 'pending')
      .where('channel_id', '=', channelId)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    if (!next) return undefined;
    const claimed = await this.db
      .updateTable('thread_posts')
      .set({ claimed_until: until.toISOString() })
      .where('content_key', '=', next.content_key)
      .where('state', '=', 'pending')
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now.toISOString())]))
      .returningAll()
      .executeTakeFirst();
    return claimed && toPost(claimed);
  }

  async releasePost(contentKey: string): Promise<void> {
    await this.db.updateTable('thread_posts').set({ claimed_until: null }).where('content_key', '=', contentKey).execute();
  }

  async markPosted(contentKey: string, postedTs: string): Promise<void> {
    await this.db.updateTable('thread_posts').set({ state: 'posted', posted_ts: postedTs, claimed_until: null }).where('content_key', '=', contentKey).execute();
  }

  async countPostAttempt(contentKey: string): Promise<void> {
    await this.db.updateTable('thread_posts').set({ attempts: sql<number>`attempts + 1` }).where('content_key', '=', contentKey).execute();
  }

  async channelsWithPendingPosts(): Promise<string[]> {
    const rows = await this.db.selectFrom('thread_posts').select('channel_id').distinct().where('state', '=', 'pending').execute();
    return rows.map((r) => r.channel_id);
  }

  async insertOutgoing(
    row: Pick<OutgoingCommunication, 'id' | 'requestId' | 'kind' | 'authorId' | 'body'>,
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
        state: 'sending',
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { created: true, row: toOutgoing(inserted) };
    const existing = await this.db.selectFrom('outgoing_communications').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    return { created: false, row: toOutgoing(existing) };
  }

  async transitionOutgoing(
    id: string,
    from: OutgoingState[],
    to: OutgoingState,
    errorMessage: string | null = null,
    rewrite?: Pick<OutgoingCommunication, 'authorId' | 'body'>,
  ): Promise<OutgoingCommunication | undefined> {
    const row = await this.db
      .updateTable('outgoing_communications')
      .set({
        state: to,
        error_message: errorMessage,
        updated_at: new Date().toISOString(),
        ...(rewrite ? { author_id: rewrite.authorId, body: rewrite.body } : {}),
      })
      .where('id', '=', id)
      .where('state', 'in', from)
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

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

async function insertPosts(db: Kysely<Database>, posts: NewThreadPost[]): Promise<void> {
  const now = new Date().toISOString();
  for (const post of posts) {
    await db
      .insertInto('thread_posts')
      .values({
        content_key: post.contentKey,
        seq: nextSeq(),
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
  return columns;
}

function toRequest(row: Selectable<RequestsTable>): StoredRequest {
  return {
    id: row.id,
    kind: row.kind as StoredRequest['kind'],
    submissionKey: row.submission_key,
    reference: row.reference,
    teamId: row.team_id,
    channelId: row.channel_id,
    requesterId: row.requester_id,
    payload: JSON.parse(row.payload) as unknown,
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
  };
}
