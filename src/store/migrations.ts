/** Versioned migrations, written with Kysely's schema builder so every back-end runs the same ones. */
import type { Kysely, Migration, MigrationProvider } from 'kysely';

const migrations: Record<string, Migration> = {
  '0001_requests': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('submission_key', 'text', (c) => c.notNull().unique())
        .addColumn('reference', 'text', (c) => c.notNull().unique())
        .addColumn('team_id', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('requester_id', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('response_url', 'text')
        .addColumn('root_ts', 'text')
        .addColumn('case_id', 'text', (c) => c.unique())
        .addColumn('display_id', 'text')
        .addColumn('case_status', 'text')
        .addColumn('error_code', 'text')
        .addColumn('error_message', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('requests_status').on('requests').column('status').execute();
    },
  },
  '0002_form_snapshots': {
    // What a modal showed the user (e.g. the dedicated-IP inventory), kept server-side by view
    // id so that a submission is checked against it without an AWS call in Slack's 3 seconds.
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('form_snapshots')
        .addColumn('view_id', 'text', (c) => c.primaryKey())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
