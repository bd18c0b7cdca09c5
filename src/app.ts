/**
 * Wiring: the store, the AWS gateways, the services, the periodic work and the Slack listeners,
 * put together in the order they depend on each other. No behaviour of its own lives here.
 */
import type { Server } from 'node:http';
import { AwsAccounts } from './aws/accounts.js';
import type { Config } from './config.js';
import { defaultRegion } from './domain/regions.js';
import { registerListeners } from './listeners/index.js';
import type { Logger } from './logger.js';
import { AccessPolicy } from './services/access.js';
import { CaseActions } from './services/case-actions.js';
import { CaseSync, RESOLVED_WATCH_MS } from './services/case-sync.js';
import { CaseForms } from './services/case-forms.js';
import { FilingService, FILING_LEASE_MS, UNCERTAIN_GRACE_MS } from './services/filing.js';
import { QuotaRowsFiling } from './services/quota-rows-filing.js';
import { QuotaRowSync } from './services/quota-sync.js';
import { ProofOfEffect } from './services/proof.js';
import { QuotaWatch } from './services/quota-watch.js';
import { PERIODIC_WORK_LEASE, Scheduler, type Schedule } from './services/scheduler.js';
import { ThreadPoster } from './services/thread-poster.js';
import { SupportEvents } from './services/support-events.js';
import { createSlackConnection, Health } from './slack-connection.js';
import { SlackMessenger } from './slack/messenger.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';
import { Metrics } from './metrics/metrics.js';
import { awsClientHook } from './metrics/aws.js';

export { StartupError } from './slack-connection.js';

export interface RunningBot {
  /** The port of the HTTP server (Slack requests in HTTP mode; /healthz in both modes). */
  port: number;
  store: Store;
  filing: FilingService;
  sync: CaseSync;
  scheduler: Scheduler;
  poster: ThreadPoster;
  /** What /metrics serves. */
  metrics: Metrics;
  stop(): Promise<void>;
}

/** A modal lives at most a few hours; the snapshot of what it showed is kept a day. */
const FORM_SNAPSHOT_TTL_MS = 24 * 60 * 60_000;

/** The services, built in the order they depend on each other. */
function buildServices(config: Config, logger: Logger, store: Store, aws: AwsAccounts, messenger: SlackMessenger, metrics?: Metrics) {
  const access = new AccessPolicy({
    allowedChannelIds: config.allowedChannelIds,
    accounts: aws,
    requesterUserIds: config.requesterUserIds,
    approverUserIds: config.approverUserIds,
  });
  const poster = new ThreadPoster(store, messenger, logger.child({ component: 'thread-poster' }), undefined, metrics);
  const proof = new ProofOfEffect(store, aws, poster, { dedicatedIpPriceCents: config.dedicatedIpMonthlyPriceCents, metrics }, logger.child({ component: 'proof' }));
  const filing = new FilingService(
    store,
    aws,
    messenger,
    {
      quotaFiling: config.quotaFiling,
      severity: config.support.severity,
      issueType: config.support.issueType,
      categoryOverrides: { quota: config.support.quotaCategoryCode, dedicated_ip: config.support.dedicatedIpCategoryCode },
      metrics,
    },
    new QuotaRowsFiling(store, aws, { leaseMs: FILING_LEASE_MS, graceMs: UNCERTAIN_GRACE_MS }, logger.child({ component: 'filing' })),
    poster,
    proof,
    logger.child({ component: 'filing' }),
  );
  const actions = new CaseActions(store, aws, poster, access, logger.child({ component: 'case-actions' }), undefined, metrics);
  const sync = new CaseSync(store, aws, poster, { access, dedicatedIpPriceCents: config.dedicatedIpMonthlyPriceCents, metrics }, logger.child({ component: 'case-sync' }));
  const forms = new CaseForms(store, aws, poster, logger.child({ component: 'case-forms' }));
  const rowSync = new QuotaRowSync(store, aws, forms, poster, logger.child({ component: 'quota-sync' }));
  const watch = new QuotaWatch(store, aws, messenger, { ...config.quotaWatch, defaultRegion: defaultRegion(config.defaultRegion) }, logger.child({ component: 'quota-watch' }));
  return { access, filing, poster, actions, sync, rowSync, watch, proof };
}

/** The background work, in the order it runs: at start-up, then every poll interval. */
function backgroundWork(
  store: Store,
  accounts: AwsAccounts,
  events: SupportEvents,
  logger: Logger,
  { filing, actions, poster, sync, rowSync, watch, proof }: ReturnType<typeof buildServices>,
): Schedule {
  return {
    // What a previous process left: requests to file or reconcile, communications to settle, posts to send.
    atStartup: [
      { name: 'filing recovery', run: () => filing.recover(true) },
      { name: 'communication reconciliation', run: () => actions.reconcile(true) },
      { name: 'thread outbox', run: () => poster.kickAll() },
    ],
    // Each replica keeps its own credentials: roles that could not be assumed are tried again, so
    // their accounts come back on their own.
    everyReplica: [{ name: 'account check', run: () => checkAccounts(accounts, logger) }],
    everyInterval: [
      { name: 'filing recovery', run: () => filing.recover() },
      { name: 'communication reconciliation', run: () => actions.reconcile() },
      {
        name: 'pruning',
        run: async () => {
          await store.pruneFormSnapshots(new Date(Date.now() - FORM_SNAPSHOT_TTL_MS));
          await store.pruneFinishedCases(new Date(Date.now() - RESOLVED_WATCH_MS));
        },
      },
      // Only when QUOTA_WATCH_INTERVAL_MINUTES have passed since its last run (kept in the database).
      { name: 'quota watch', run: (stillLeader) => watch.runIfDue(stillLeader) },
      // Statuses of rows sent through Service Quotas (and the form added to their cases) before
      // the case sync, so a case followed this cycle is read in the same cycle.
      { name: 'quota row sync', run: () => rowSync.cycle() },
      // The accounts whose AWS Support events arrive are polled only every POLL_FALLBACK_SECONDS, as
      // a safety net; the others (no queue, or a queue failing for two long polls) every interval.
      {
        name: 'case sync',
        run: (stillLeader) => (events.fullPollDue() ? fullPoll(sync, events, stillLeader) : sync.cycle({ stillLeader, skip: (account) => events.covers(account) })),
      },
      // After both syncs, so an answer seen this cycle is checked in the account at once.
      { name: 'proof of effect', run: () => proof.cycle() },
    ],
  };
}

async function fullPoll(sync: CaseSync, events: SupportEvents, stillLeader: () => boolean) {
  const report = await sync.cycle({ stillLeader });
  events.fullPollRan();
  return report;
}

/** Assumes the roles not yet proven; each account still unavailable is named in the log. */
async function checkAccounts(accounts: AwsAccounts, logger: Logger): Promise<void> {
  for (const account of await accounts.check()) {
    logger.error({ account: account.name, accountId: account.accountId, problem: account.problem }, `AWS account ${account.name} is unavailable: ${account.problem}`);
  }
}

export async function startBot(config: Config, logger: Logger): Promise<RunningBot> {
  // Operators see what the bot runs with; the logger redacts the secrets in it.
  logger.info({ config }, 'starting with this configuration');
  const store = await openStore(config.databaseUrl);
  // One registry per bot (tests run several in a process); /metrics serves it beside /healthz.
  const metrics = new Metrics();
  metrics.readStoreWith(() => store.metricsCounts(PERIODIC_WORK_LEASE));
  const accounts = new AwsAccounts(config.accounts, defaultRegion(config.defaultRegion), awsClientHook(metrics));
  let events: SupportEvents | undefined;
  const health = new Health(store, () => ({ accounts: accounts.health(), push: events?.health() }));
  const slack = createSlackConnection(config, logger, health, metrics);
  const services = buildServices(config, logger, store, accounts, new SlackMessenger(slack.app.client, logger), metrics);
  const { filing, poster, sync } = services;
  events = new SupportEvents(
    accounts.eventQueues(config.supportEvents.queueUrl, config.supportEvents.waitSeconds),
    store,
    sync,
    { fallbackMs: config.supportEvents.fallbackSeconds * 1000, waitSeconds: config.supportEvents.waitSeconds },
    logger.child({ component: 'support-events' }),
  );
  const scheduler = new Scheduler(store, config.pollIntervalSeconds * 1000, backgroundWork(store, accounts, events, logger, services), logger.child({ component: 'scheduler' }), metrics);
  const installation = registerListeners(slack.app, {
    ...services,
    accounts,
    store,
    defaultRegion: defaultRegion(config.defaultRegion),
    quotaFiling: config.quotaFiling,
    dedicatedIpPriceCents: config.dedicatedIpMonthlyPriceCents,
    logger,
    metrics,
  });

  let server: Server;
  let port: number;
  try {
    await slack.app.init();
    await installation.learn(slack.app.client);
    ({ server, port } = await slack.start());
  } catch (err) {
    await store.close().catch(() => undefined);
    events.destroy();
    accounts.destroy();
    throw err;
  }
  // Each role once before the first sync; an account that fails stays unavailable, the others work.
  await checkAccounts(accounts, logger);
  await scheduler.startUp();
  events.start();
  scheduler.start();
  health.setReady(true);
  logger.info({ mode: config.slack.mode, port }, 'SES support bot is running');

  return {
    port,
    store,
    filing,
    sync,
    scheduler,
    poster,
    metrics,
    async stop() {
      health.setReady(false);
      await scheduler.stop();
      poster.stop();
      await events!.stop();
      await slack.app.stop().catch((err: Error) => logger.warn({ err: err.message }, 'error while stopping Bolt'));
      if (config.slack.mode === 'socket') await new Promise((resolve) => server.close(resolve));
      await filing.idle();
      await poster.idle();
      events!.destroy();
      accounts.destroy();
      await store.close();
    },
  };
}
