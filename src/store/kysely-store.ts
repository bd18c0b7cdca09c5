/** The Store over Kysely: one implementation for every SQL back-end Kysely speaks. */
import { Migrator, sql, type Kysely, type Selectable } from 'kysely';
import { migrationProvider } from './migrations.js';
import type { Database, RequestsTable } from './schema.js';
import type { NewRequest, RequestPatch, RequestStatus, Store, StoredRequest } from './store.js';

export class KyselyStore implements Store {
  constructor(private readonly db: Kysely<Database>) {}

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

  async transition(id: string, from: RequestStatus[], to: RequestStatus, patch: RequestPatch = {}): Promise<StoredRequest | undefined> {
    const row = await this.db
      .updateTable('requests')
      .set({
        ...toColumns(patch),
        status: to,
        updated_at: new Date().toISOString(),
        ...(to === 'filing' ? { attempts: sql<number>`attempts + 1` } : {}),
      })
      .where('id', '=', id)
      .where('status', 'in', from)
      .returningAll()
      .executeTakeFirst();
    return row && toRequest(row);
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

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

function toColumns(patch: RequestPatch): Partial<Omit<RequestsTable, 'attempts'>> {
  const columns: Partial<Omit<RequestsTable, 'attempts'>> = {};
  if (patch.status !== undefined) columns.status = patch.status;
  if (patch.rootTs !== undefined) columns.root_ts = patch.rootTs;
  if (patch.caseId !== undefined) columns.case_id = patch.caseId;
  if (patch.displayId !== undefined) columns.display_id = patch.displayId;
  if (patch.caseStatus !== undefined) columns.case_status = patch.caseStatus;
  if (patch.errorCode !== undefined) columns.error_code = patch.errorCode;
  if (patch.errorMessage !== undefined) columns.error_message = patch.errorMessage;
  if (patch.responseUrl !== undefined) columns.response_url = patch.responseUrl;
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
  };
}
