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
  '0003_case_threads': {
    async up(db: Kysely<any>) {
      // The sync's per-case position: the newest communication time handled (never "now").
      await db.schema.alterTable('requests').addColumn('comm_watermark', 'text').execute();
      await db.schema.alterTable('requests').addColumn('resolved_at', 'text').execute();
      await db.schema.alterTable('requests').addColumn('status_changes', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.createIndex('requests_channel_root').on('requests').columns(['channel_id', 'root_ts']).execute();
      // Communications handled, by content key (case, time, author, body hash): they have no id.
      await db.schema
        .createTable('seen_communications')
        .addColumn('content_key', 'text', (c) => c.primaryKey())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('time_created', 'text', (c) => c.notNull())
        .execute();
      // Outbox of thread messages: written in the same transaction as what caused them, posted
      // by a per-channel poster, so a Slack outage or rate limit delays but never loses one.
      await db.schema
        .createTable('thread_posts')
        .addColumn('content_key', 'text', (c) => c.primaryKey())
        .addColumn('seq', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('thread_ts', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('posted_ts', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('thread_posts_pending').on('thread_posts').columns(['state', 'channel_id', 'seq']).execute();
      // What the bot sends to AWS on a case (confirmations, replies), keyed so it is sent once.
      await db.schema
        .createTable('outgoing_communications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('author_id', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('error_message', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('outgoing_by_request').on('outgoing_communications').columns(['request_id', 'kind']).execute();
    },
  },
  '0004_leases': {
    async up(db: Kysely<any>) {
      // A request in "filing" belongs to the process whose lease has not expired; after that,
      // another process (or the same one restarted) reconciles it with AWS.
      await db.schema.alterTable('requests').addColumn('lease_until', 'text').execute();
      // Named leases held by one replica at a time (the case sync), with expiry.
      await db.schema
        .createTable('leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('until', 'text', (c) => c.notNull())
        .execute();
      // A thread post being sent by one replica until `claimed_until`.
      await db.schema.alterTable('thread_posts').addColumn('claimed_until', 'text').execute();
    },
  },
  '0005_owned_leases': {
    async up(db: Kysely<any>) {
      // Every claim names its owner (a random token per attempt) and expires on the database's
      // clock; an update out of a claimed state is conditional on the token, so a claimant whose
      // lease ran out can never overwrite the work of the one that took over.
      await db.schema.alterTable('requests').addColumn('lease_owner', 'text').execute();
      // When the last irreversible call (CreateCase) was sent, on the database's clock: a lookup
      // that finds no case soon after it proves nothing yet (AWS may still be creating it).
      await db.schema.alterTable('requests').addColumn('attempted_at', 'text').execute();
      await db.schema.alterTable('outgoing_communications').addColumn('claim_owner', 'text').execute();
      await db.schema.alterTable('outgoing_communications').addColumn('claim_until', 'text').execute();
      await db.schema.alterTable('outgoing_communications').addColumn('attempted_at', 'text').execute();
      await db.schema.alterTable('thread_posts').addColumn('claim_owner', 'text').execute();
      // A post that failed waits until then before it is tried again (backoff), and a post that
      // can never be delivered moves to state "dead" with its last error instead of blocking.
      await db.schema.alterTable('thread_posts').addColumn('next_attempt_at', 'text').execute();
      await db.schema.alterTable('thread_posts').addColumn('last_error', 'text').execute();
      await db.schema.createIndex('thread_posts_thread').on('thread_posts').columns(['channel_id', 'thread_ts', 'state', 'seq']).execute();
      await db.schema.createIndex('seen_by_request').on('seen_communications').column('request_id').execute();
      await db.schema.createIndex('thread_posts_by_request').on('thread_posts').column('request_id').execute();
    },
  },
  '0006_service_quotas': {
    async up(db: Kysely<any>) {
      // How a request goes to AWS; every request stored before this was a Support case.
      await db.schema.alterTable('requests').addColumn('filing_mode', 'text', (c) => c.notNull().defaultTo('support-case')).execute();
      // A Service Quotas request's rows (JSON): each row's own AWS request, status and case,
      // kept with the request so that every read of it redraws its thread root whole.
      await db.schema.alterTable('requests').addColumn('quota_rows', 'text').execute();
      // When its rows stop being polled; null while any is open.
      await db.schema.alterTable('requests').addColumn('poll_until', 'text').execute();
      await db.schema.createIndex('requests_polled_rows').on('requests').columns(['filing_mode', 'poll_until']).execute();
      // The case a communication goes to, when it is a row's case rather than the request's.
      await db.schema.alterTable('outgoing_communications').addColumn('case_id', 'text').execute();
      // What the bot has learned about the AWS account and re-checks now and then (its support plan).
      await db.schema
        .createTable('account_facts')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('checked_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0007_proof_of_effect': {
    async up(db: Kysely<any>) {
      // Per region: the SESv2 figures when the request was filed and the check of its effect (JSON).
      await db.schema.alterTable('requests').addColumn('effects', 'text').execute();
      // When the request's next effect check is due; null when none is.
      await db.schema.alterTable('requests').addColumn('effect_due_at', 'text').execute();
      await db.schema.createIndex('requests_effect_due').on('requests').column('effect_due_at').execute();
    },
  },
  '0008_more_cases': {
    async up(db: Kysely<any>) {
      // Cases a request follows besides its own (requests.case_id): Service Quotas opens one case
      // per row, so rows in several regions can lead to several. Each has its own sync position.
      await db.schema
        .createTable('followed_cases')
        .addColumn('case_id', 'text', (c) => c.primaryKey())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('display_id', 'text')
        .addColumn('case_status', 'text')
        .addColumn('comm_watermark', 'text')
        .addColumn('status_changes', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('resolved_at', 'text')
        .execute();
      await db.schema.createIndex('followed_cases_by_request').on('followed_cases').column('request_id').execute();
    },
  },
  '0009_channel_index': {
    async up(db: Kysely<any>) {
      // Every /ses-quota and /ses-dedicated-ip reads the channel's newest filed request of its
      // kind (standing answers) within a 300 ms budget; without this a busy store scans.
      await db.schema.createIndex('requests_by_channel_kind').on('requests').columns(['channel_id', 'kind', 'created_at']).execute();
    },
  },
  '0010_accounts': {
    async up(db: Kysely<any>) {
      // The AWS account a request is filed in (AWS_ACCOUNTS_FILE's name) and its id. Null for
      // requests stored before: they belong to the bot's own credentials, the "default" account.
      await db.schema.alterTable('requests').addColumn('account_name', 'text').execute();
      await db.schema.alterTable('requests').addColumn('account_id', 'text').execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
