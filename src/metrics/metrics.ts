/**
 * The bot's Prometheus metrics: one registry per running bot (tests start several in one
 * process), created in app.ts and handed to whatever records. Every label value comes from a
 * bounded set written here (or in src/domain/): an unknown value becomes "other", so no user
 * text, id, token or AWS message can ever become a label. docs/monitoring.md says what each
 * metric means and which alerts use it.
 *
 * Recording is cheap on the interaction path: the label children of the hot counters are
 * looked up in small maps (bounded by the label sets), never built per call.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { REQUEST_TRANSITIONS, type RequestKind } from '../domain/request.js';

export const METRIC_PREFIX = 'ses_bot_';

/** The value itself if it is one of `allowed`, otherwise `other`. */
export function bounded(value: string | null | undefined, allowed: ReadonlySet<string>, other = 'other'): string {
  return value !== null && value !== undefined && allowed.has(value) ? value : other;
}

const REQUEST_KINDS: readonly RequestKind[] = ['quota', 'dedicated_ip'];
const REQUEST_STATUSES = Object.keys(REQUEST_TRANSITIONS);
const KINDS: ReadonlySet<string> = new Set(REQUEST_KINDS);
const STATUSES: ReadonlySet<string> = new Set(REQUEST_STATUSES);

/** How a filing attempt ended (a request's status after it), or a submission the form refused. */
const SUBMISSION_OUTCOMES = new Set(['filed', 'failed', 'uncertain', 'not_posted', 'invalid']);
/**
 * Why a filing did not end filed: the AWS failure kinds (src/aws/errors.ts, themselves mapped
 * from AWS's error codes), the row filing's and the lookup's own codes, and the Slack codes that
 * keep a thread root from being posted.
 */
const SUBMISSION_CODES = new Set([
  'none',
  'account_unavailable',
  'no_support_plan',
  'case_limit',
  'access_denied',
  'throttled',
  'invalid_request',
  'not_found',
  'unavailable',
  'already_pending',
  'too_many_open_requests',
  'conflict',
  'unknown',
  'error',
  'rows_failed',
  'rows_uncertain',
  'awaiting_aws',
  'too_many_cases',
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'restricted_action',
  'ratelimited',
  'timeout',
  'network_error',
  'http_error',
  'validation',
]);

/** The AWS services and operations the bot calls. */
const AWS_SERVICES: Readonly<Record<string, string>> = {
  SupportClient: 'support',
  SESv2Client: 'sesv2',
  ServiceQuotasClient: 'service-quotas',
  SQSClient: 'sqs',
  STSClient: 'sts',
};
const AWS_OPERATIONS = new Set([
  'CreateCase',
  'DescribeCases',
  'DescribeCommunications',
  'DescribeServices',
  'AddCommunicationToCase',
  'ResolveCase',
  'GetAccount',
  'GetDedicatedIps',
  'GetDedicatedIpPool',
  'ListDedicatedIpPools',
  'PutAccountDetails',
  'GetServiceQuota',
  'ListServiceQuotas',
  'RequestServiceQuotaIncrease',
  'ListRequestedServiceQuotaChangeHistory',
  'ListRequestedServiceQuotaChangeHistoryByQuota',
  'ReceiveMessage',
  'DeleteMessage',
  'GetQueueAttributes',
  'GetCallerIdentity',
  'AssumeRole',
]);
/** AWS error codes (the SDK error's name) kept as they are; any other becomes "other". */
const AWS_ERROR_CODES = new Set([
  'SubscriptionRequiredException',
  'CaseCreationLimitExceeded',
  'CaseIdNotFound',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'LimitExceededException',
  'RequestLimitExceeded',
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'DependencyAccessDeniedException',
  'ValidationException',
  'BadRequestException',
  'IllegalArgumentException',
  'InvalidResourceStateException',
  'NoSuchResourceException',
  'NotFoundException',
  'ResourceNotFoundException',
  'ResourceAlreadyExistsException',
  'QuotaExceededException',
  'ConflictException',
  'ServiceException',
  'InternalServerError',
  'InternalFailure',
  'InternalServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'AbortError',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'CredentialsProviderError',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'OverLimit',
  // The bot's own refusals before anything is sent (src/aws/): an account whose role is unavailable, a Support call that waited too long for its turn.
  'AccountUnavailable',
  'SpacerTimeout',
  'NetworkingError',
]);

/** The Slack Web API methods the bot calls. */
export const SLACK_METHODS = new Set([
  'chat.postMessage',
  'chat.update',
  'chat.delete',
  'chat.postEphemeral',
  'chat.getPermalink',
  'views.open',
  'views.update',
  'views.push',
  'views.publish',
  'auth.test',
  'apps.connections.open',
  'conversations.info',
  'users.info',
]);
/** How a Slack Web API call ended: ok, a 429, no answer, a non-200, or Slack's own error code (the known ones). */
export const SLACK_OUTCOMES = new Set([
  'ok',
  'ratelimited',
  'timeout',
  'network_error',
  'http_error',
  'error',
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'restricted_action',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'missing_scope',
  'not_allowed_token_type',
  'message_not_found',
  'cant_update_message',
  'msg_too_long',
  'invalid_blocks',
  'invalid_arguments',
  'expired_trigger_id',
  'view_not_found',
  'hash_conflict',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'user_not_found',
]);

const OUTBOX_OUTCOMES = new Set(['posted', 'retry', 'ratelimited', 'dead_lettered']);
const LEASES = new Set(['periodic_work', 'filing', 'communication']);
const CONFIRMATION_OUTCOMES = new Set(['sent', 'failed', 'uncertain']);
const PROOF_RESULTS = new Set(['verified', 'not_seen']);
const OUTBOX_STATES = ['pending', 'dead'] as const;

/** Service Quotas' and production access's statuses (src/domain/service-quotas.ts); NONE: AWS has given none yet. */
const QUOTA_ROW_STATUSES: Readonly<Record<string, ReadonlySet<string>>> = {
  service_quotas: new Set(['PENDING', 'CASE_OPENED', 'APPROVED', 'DENIED', 'NOT_APPROVED', 'CASE_CLOSED', 'INVALID_REQUEST', 'NONE', 'other']),
  production_access: new Set(['PENDING', 'GRANTED', 'DENIED', 'FAILED', 'NONE', 'other']),
};

/** What the store counts at scrape time (KyselyStore.metricsCounts). */
export interface StoreCounts {
  requests: { kind: string; status: string; count: number }[];
  posts: { state: string; count: number }[];
  /** Cases the sync follows that are not resolved. */
  openCases: number;
  /** The rows of requests sent through Service Quotas that are still polled. */
  quotaRows: { path: string; status: string | null }[];
  /** True while some replica holds the periodic-work lease (on the database's clock). */
  periodicLeaseLive: boolean;
}

/**
 * Every label of the bot's own metrics (ses_bot_*) with the values it may take; `le` (histogram
 * buckets) aside. The tests hold every exposition to it.
 */
export function allowedLabelValues(): Record<string, ReadonlySet<string>> {
  return {
    kind: KINDS,
    status: new Set([...REQUEST_STATUSES, ...Object.values(QUOTA_ROW_STATUSES).flatMap((s) => [...s])]),
    outcome: new Set([...SUBMISSION_OUTCOMES, ...SLACK_OUTCOMES, ...AWS_ERROR_CODES, ...OUTBOX_OUTCOMES, ...CONFIRMATION_OUTCOMES, 'ok', 'failed', 'other']),
    code: SUBMISSION_CODES,
    service: new Set([...Object.values(AWS_SERVICES), 'other']),
    operation: new Set([...AWS_OPERATIONS, 'other']),
    method: new Set([...SLACK_METHODS, 'other']),
    lease: LEASES,
    result: PROOF_RESULTS,
    state: new Set(OUTBOX_STATES),
    path: new Set(Object.keys(QUOTA_ROW_STATUSES)),
  };
}

let processMetrics: Registry | undefined;

/**
 * The process's own metrics (CPU, memory, event loop lag, GC), collected once per process: they
 * describe the process, not one bot in it, and each collection keeps an event-loop monitor
 * running that cannot be stopped (tests start many bots in one process).
 */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

/** Two-level cache of label children: no label object built per call. */
class Children<T> {
  private readonly byFirst = new Map<string, Map<string, T>>();
  constructor(private readonly make: (a: string, b: string) => T) {}
  get(a: string, b: string): T {
    let inner = this.byFirst.get(a);
    if (!inner) this.byFirst.set(a, (inner = new Map()));
    let child = inner.get(b);
    if (!child) inner.set(b, (child = this.make(a, b)));
    return child;
  }
}

export interface CycleTimer {
  /** The cycle ended: the cases it looked at, and whether every account's share went through. */
  end(cases: number, ok: boolean): void;
}

export class Metrics {
  readonly registry = new Registry();
  private readCounts: (() => Promise<StoreCounts>) | undefined;
  /** The store's counts for the scrape under way, read once and shared by every gauge that shows them. */
  private counts: Promise<StoreCounts | undefined> | undefined;
  /**
   * Start of the last case sync cycle that went through (this clock), or when this replica took
   * the periodic-work lease if no cycle has gone through since; undefined before either.
   */
  private syncedFrom: number | undefined;
  /** Whether this replica holds the periodic-work lease (it runs the sync). */
  private leading = false;

  private readonly submissions: Counter<'kind' | 'outcome' | 'code'>;
  private readonly awsCalls: Counter<'service' | 'operation' | 'outcome'>;
  private readonly awsDuration: Histogram<'service' | 'operation'>;
  private readonly slackCalls: Counter<'method' | 'outcome'>;
  private readonly slackDuration: Histogram<'method'>;
  private readonly syncCycles: Counter<'outcome'>;
  private readonly syncDuration: Histogram;
  private readonly syncCases: Gauge;
  private readonly outbox: Counter<'outcome'>;
  private readonly takeovers: Counter<'lease'>;
  private readonly leaseHeldHere: Gauge<'lease'>;
  private readonly confirmations: Counter<'outcome'>;
  private readonly proof: Counter<'result'>;

  private readonly awsChildren: Children<{ count: Map<string, Counter.Internal>; duration: Histogram.Internal<'service' | 'operation'> }>;
  private readonly slackChildren: Children<Counter.Internal>;
  private readonly slackDurations = new Map<string, Histogram.Internal<'method'>>();

  /** Whether the exposition includes the process's own metrics. */
  private readonly withProcess: boolean;
  /** The clock of the durations and the sync lag (tests move it). */
  private readonly now: () => number;

  /** `defaultMetrics`: the process's own (CPU, memory, event loop, GC), under their standard names; on unless false. */
  constructor(options: { defaultMetrics?: boolean; now?: () => number } = {}) {
    const registers = [this.registry];
    const p = METRIC_PREFIX;
    this.now = options.now ?? (() => performance.now());
    this.withProcess = options.defaultMetrics !== false;

    this.submissions = new Counter({
      name: `${p}submissions_total`,
      help: 'Filing attempts that ended, by request kind, outcome (filed, failed, uncertain, not_posted) and failure code; invalid: a form the bot refused.',
      labelNames: ['kind', 'outcome', 'code'],
      registers,
    });
    this.awsCalls = new Counter({
      name: `${p}aws_calls_total`,
      help: 'AWS API calls (SDK retries included) by service, operation and outcome (ok or the AWS error code).',
      labelNames: ['service', 'operation', 'outcome'],
      registers,
    });
    this.awsDuration = new Histogram({
      name: `${p}aws_call_duration_seconds`,
      help: 'Time an AWS API call took, SDK retries and the Support API spacing included.',
      labelNames: ['service', 'operation'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30],
      registers,
    });
    this.slackCalls = new Counter({
      name: `${p}slack_api_calls_total`,
      help: 'Slack Web API requests (each retry counts) by method and outcome (ok, ratelimited for a 429, or Slack\'s error code).',
      labelNames: ['method', 'outcome'],
      registers,
    });
    this.slackDuration = new Histogram({
      name: `${p}slack_api_call_duration_seconds`,
      help: 'Time a Slack Web API request took to answer.',
      labelNames: ['method'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.syncCycles = new Counter({ name: `${p}case_sync_cycles_total`, help: 'Case sync cycles, by outcome (ok, or failed when some account could not be read).', labelNames: ['outcome'], registers });
    this.syncDuration = new Histogram({
      name: `${p}case_sync_cycle_duration_seconds`,
      help: 'Time one case sync cycle took.',
      buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    this.syncCases = new Gauge({ name: `${p}case_sync_cases`, help: 'Cases the last case sync cycle looked at.', registers });
    this.outbox = new Counter({
      name: `${p}outbox_sends_total`,
      help: 'Thread outbox sends by outcome: posted, retry (failed, tried again later), ratelimited (the channel waits), dead_lettered (given up).',
      labelNames: ['outcome'],
      registers,
    });
    this.takeovers = new Counter({
      name: `${p}lease_takeovers_total`,
      help: 'Leases this replica took: the periodic work (sync) lease when it did not hold it, a filing or a communication whose holder\'s lease expired.',
      labelNames: ['lease'],
      registers,
    });
    this.leaseHeldHere = new Gauge({ name: `${p}lease_held`, help: '1 while this replica holds the lease (periodic_work: it runs the sync), else 0.', labelNames: ['lease'], registers });
    this.confirmations = new Counter({
      name: `${p}confirmations_total`,
      help: 'Relinquishment confirmations sent to AWS, by outcome (sent, failed, uncertain).',
      labelNames: ['outcome'],
      registers,
    });
    this.proof = new Counter({
      name: `${p}proof_of_effect_total`,
      help: 'Proof-of-effect checks that settled: verified (the account shows AWS\'s answer) or not_seen (not within 72 hours).',
      labelNames: ['result'],
      registers,
    });

    // Known label sets start at zero, so a rate or an alert has a series before the first event.
    for (const outcome of ['ok', 'failed']) this.syncCycles.labels(outcome).inc(0);
    for (const outcome of OUTBOX_OUTCOMES) this.outbox.labels(outcome).inc(0);
    for (const lease of LEASES) this.takeovers.labels(lease).inc(0);
    this.leaseHeldHere.labels('periodic_work').set(0);
    for (const outcome of CONFIRMATION_OUTCOMES) this.confirmations.labels(outcome).inc(0);
    for (const result of PROOF_RESULTS) this.proof.labels(result).inc(0);
    for (const kind of REQUEST_KINDS) for (const outcome of ['filed', 'failed', 'uncertain']) this.submissions.labels(kind, outcome, outcome === 'filed' ? 'none' : 'error').inc(0);

    this.awsChildren = new Children((service, operation) => ({ count: new Map(), duration: this.awsDuration.labels(service, operation) }));
    this.slackChildren = new Children((method, outcome) => this.slackCalls.labels(method, outcome));

    this.storeGauges(registers);
  }

  /** Where the scrape-time gauges read their counts (the store opens after the metrics exist). */
  readStoreWith(read: () => Promise<StoreCounts>): void {
    this.readCounts = read;
  }

  private storeCounts(): Promise<StoreCounts | undefined> {
    // A database that does not answer leaves these gauges out of this scrape rather than failing it.
    this.counts ??= this.readCounts ? this.readCounts().catch(() => undefined) : Promise.resolve(undefined);
    return this.counts;
  }

  private storeGauges(registers: Registry[]): void {
    const p = METRIC_PREFIX;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const metrics = this;
    new Gauge({
      name: `${p}requests`,
      help: 'Requests in the database, by kind and status (received, filing, filed, failed, uncertain, not_posted).',
      labelNames: ['kind', 'status'],
      registers,
      async collect() {
        const counts = await metrics.storeCounts();
        this.reset();
        if (!counts) return;
        for (const kind of REQUEST_KINDS) for (const status of REQUEST_STATUSES) this.labels(kind, status).set(0);
        for (const r of counts.requests) this.labels(bounded(r.kind, KINDS), bounded(r.status, STATUSES)).inc(r.count);
      },
    });
    new Gauge({
      name: `${p}outbox_posts`,
      help: 'Thread outbox posts in the database by state: pending (waiting to be sent) or dead (dead-lettered, kept until the case is pruned).',
      labelNames: ['state'],
      registers,
      async collect() {
        const counts = await metrics.storeCounts();
        this.reset();
        if (!counts) return;
        for (const state of OUTBOX_STATES) this.labels(state).set(counts.posts.find((p) => p.state === state)?.count ?? 0);
      },
    });
    new Gauge({
      name: `${p}quota_rows`,
      help: 'Rows of requests sent through Service Quotas that are still followed, by path (service_quotas, production_access) and AWS status (NONE: none yet).',
      labelNames: ['path', 'status'],
      registers,
      async collect() {
        const counts = await metrics.storeCounts();
        this.reset();
        if (!counts) return;
        for (const [path, statuses] of Object.entries(QUOTA_ROW_STATUSES)) for (const status of statuses) this.labels(path, status).set(0);
        for (const row of counts.quotaRows) {
          const statuses = Object.hasOwn(QUOTA_ROW_STATUSES, row.path) ? QUOTA_ROW_STATUSES[row.path] : undefined;
          if (!statuses) continue;
          this.labels(row.path, row.status === null ? 'NONE' : bounded(row.status, statuses)).inc();
        }
      },
    });
    new Gauge({
      name: `${p}periodic_work_lease_live`,
      help: '1 while some replica holds the periodic-work (sync) lease, read from the database; 0: nobody runs the sync.',
      registers,
      async collect() {
        const counts = await metrics.storeCounts();
        this.reset();
        if (counts) this.set(counts.periodicLeaseLive ? 1 : 0);
      },
    });
    new Gauge({
      name: `${p}case_sync_lag_seconds`,
      help: 'Seconds since the start of the last case sync cycle that went through, on the replica that runs the sync (0 elsewhere, and when no case is open).',
      registers,
      async collect() {
        const counts = await metrics.storeCounts();
        const from = metrics.leading ? metrics.syncedFrom : undefined;
        this.set(from === undefined || (counts && counts.openCases === 0) ? 0 : (metrics.now() - from) / 1000);
      },
    });
  }

  // ---- recorders ----

  /** A filing attempt ended with the request in `outcome` (its status), or a form was refused ("invalid"). */
  submission(kind: string, outcome: string, code: string | null | undefined): void {
    const o = bounded(outcome, SUBMISSION_OUTCOMES);
    this.submissions.labels(bounded(kind, KINDS), o, o === 'filed' ? 'none' : o === 'invalid' ? 'validation' : bounded(code, SUBMISSION_CODES)).inc();
  }

  /** One AWS call (its retries included): `code` undefined when it succeeded, else AWS's error code. */
  awsCall(clientName: string | undefined, commandName: string | undefined, code: string | undefined, seconds: number): void {
    const service = AWS_SERVICES[clientName ?? ''] ?? 'other';
    const operation = bounded(commandName?.endsWith('Command') ? commandName.slice(0, -7) : commandName, AWS_OPERATIONS);
    const children = this.awsChildren.get(service, operation);
    const outcome = code === undefined ? 'ok' : bounded(code, AWS_ERROR_CODES);
    let counter = children.count.get(outcome);
    if (!counter) children.count.set(outcome, (counter = this.awsCalls.labels(service, operation, outcome)));
    counter.inc();
    children.duration.observe(seconds);
  }

  /** One Slack Web API request, by the method its URL names and how it ended. */
  slackCall(method: string, outcome: string, seconds: number): void {
    const m = bounded(method, SLACK_METHODS);
    this.slackChildren.get(m, bounded(outcome, SLACK_OUTCOMES, 'error')).inc();
    let duration = this.slackDurations.get(m);
    if (!duration) this.slackDurations.set(m, (duration = this.slackDuration.labels(m)));
    duration.observe(seconds);
  }

  /** Starts timing a case sync cycle. */
  caseSyncCycle(): CycleTimer {
    const started = this.now();
    // The first cycle starts the lag clock: a sync that never goes through shows a growing lag.
    this.syncedFrom ??= started;
    return {
      end: (cases, ok) => {
        this.syncDuration.observe((this.now() - started) / 1000);
        this.syncCases.set(cases);
        this.syncCycles.labels(ok ? 'ok' : 'failed').inc();
        if (ok) this.syncedFrom = Math.max(this.syncedFrom ?? started, started);
      },
    };
  }

  outboxSend(outcome: 'posted' | 'retry' | 'ratelimited' | 'dead_lettered'): void {
    this.outbox.labels(outcome).inc();
  }

  leaseTakeover(lease: 'periodic_work' | 'filing' | 'communication'): void {
    this.takeovers.labels(lease).inc();
  }

  /** Whether this replica holds the lease after a try: taking it when it did not is a takeover. */
  leaseHeld(lease: 'periodic_work', held: boolean): void {
    this.leaseHeldHere.labels(lease).set(held ? 1 : 0);
    if (held && !this.leading) {
      this.leaseTakeover(lease);
      // A replica that takes the sync over starts its lag clock then: its own earlier cycles say nothing of now.
      this.syncedFrom = this.now();
    }
    this.leading = held;
  }

  confirmation(outcome: 'sent' | 'failed' | 'uncertain'): void {
    this.confirmations.labels(outcome).inc();
  }

  proofOfEffect(result: 'verified' | 'not_seen'): void {
    this.proof.labels(result).inc();
  }

  // ---- exposition ----

  async exposition(): Promise<{ contentType: string; body: string }> {
    // Each scrape reads the store afresh (once).
    this.counts = undefined;
    const [process, own] = await Promise.all([this.withProcess ? processRegistry().metrics() : '', this.registry.metrics()]);
    return { contentType: this.registry.contentType, body: process + own };
  }

  /** GET /metrics: the Prometheus text format. */
  readonly handler = async (_req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const { contentType, body } = await this.exposition();
      res.writeHead(200, { 'content-type': contentType });
      res.end(body);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`metrics unavailable: ${(err as Error).message}\n`);
    }
  };
}
