/**
 * Wiring: the store, the AWS gateways, the services and Bolt, in HTTP or Socket Mode, with a
 * health check that says 200 only once all of them are ready.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { SesGateway } from './aws/ses-gateway.js';
import { SupportGateway } from './aws/support-gateway.js';
import type { Config } from './config.js';
import { boltLogger, type Logger } from './logger.js';
import { AccessPolicy } from './services/access.js';
import { CaseActions } from './services/case-actions.js';
import { CaseSync, RESOLVED_WATCH_MS } from './services/case-sync.js';
import { FilingService } from './services/filing.js';
import { ThreadPoster } from './services/thread-poster.js';
import { registerDedicatedIpListeners } from './slack/listeners/dedicated-ip.js';
import { registerInstallationGuard } from './slack/listeners/installation.js';
import { registerQuotaListeners } from './slack/listeners/quota.js';
import { registerRequestListeners } from './slack/listeners/requests.js';
import { registerThreadListeners } from './slack/listeners/threads.js';
import { SlackMessenger } from './slack/messenger.js';
import { slackClientOptions } from './slack/client-options.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';
import { defaultRegion } from './domain/regions.js';

export interface RunningBot {
  /** The port of the HTTP server (Slack requests in HTTP mode; /healthz in both modes). */
  port: number;
  store: Store;
  filing: FilingService;
  sync: CaseSync;
  poster: ThreadPoster;
  stop(): Promise<void>;
}

// Capped at INFO: the Slack SDKs' debug lines are raw payloads (see boltLogger).
const BOLT_LEVEL: Record<string, LogLevel> = {
  trace: LogLevel.INFO,
  debug: LogLevel.INFO,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  silent: LogLevel.ERROR,
};

export class StartupError extends Error {
  override name = 'StartupError';
}

const SOCKET_CONNECT_TIMEOUT_MS = 30_000;

/** Connects in Socket Mode, naming the app token when Slack refuses it, and never hanging. */
async function connectSocketMode(app: App): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StartupError(`could not connect to Slack in Socket Mode within ${SOCKET_CONNECT_TIMEOUT_MS / 1000} s. Check that SLACK_APP_TOKEN is an app-level token with the connections:write scope and that Socket Mode is enabled for the app.`)),
      SOCKET_CONNECT_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([app.start(), timeout]);
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error ?? (err as { message?: string }).message ?? '';
    if (/invalid_auth|not_authed|not_allowed_token_type|account_inactive/.test(code)) {
      throw new StartupError(`Slack rejected SLACK_APP_TOKEN (${code}). Generate an app-level token with the connections:write scope under Basic Information → App-Level Tokens.`);
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

export async function startBot(config: Config, logger: Logger): Promise<RunningBot> {
  // Operators see what the bot runs with; the logger redacts the secrets in it.
  logger.info({ config }, 'starting with this configuration');
  const store = await openStore(config.databaseUrl);
  const support = new SupportGateway();
  const ses = new SesGateway();
  let ready = false;
  const boltLogLevel = BOLT_LEVEL[config.logLevel] ?? LogLevel.INFO;
  // Every Slack call has a timeout and a few quick retries; a 429 comes back at once (the
  // outbox waits it out per channel), so one channel's rate limit never holds up another's.
  const clientOptions = slackClientOptions(config.slack.apiUrl);

  // Built here rather than by Bolt so that the connection's state is visible to /healthz.
  const socketReceiver =
    config.slack.mode === 'socket'
      ? new SocketModeReceiver({
          appToken: config.slack.appToken!,
          logger: boltLogger(logger),
          logLevel: boltLogLevel,
          installerOptions: { clientOptions },
        })
      : undefined;
  let disconnectedSince: number | null = null;
  socketReceiver?.client.on('connected', () => {
    disconnectedSince = null;
  });
  socketReceiver?.client.on('disconnected', () => {
    disconnectedSince ??= Date.now();
  });
  /** Socket Mode reconnects by itself; only a connection lost for this long makes the bot unhealthy. */
  const SOCKET_GRACE_MS = 30_000;

  const healthz = async (_req: IncomingMessage, res: ServerResponse) => {
    const connected = disconnectedSince === null || Date.now() - disconnectedSince < SOCKET_GRACE_MS;
    const ok = ready && connected && (await store.ping());
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok }));
  };

  const app = new App({
    token: config.slack.botToken,
    logger: boltLogger(logger),
    logLevel: boltLogLevel,
    // Bolt otherwise calls auth.test from its constructor, where a bad token becomes an
    // unhandled rejection; app.init() below lets start-up report it.
    deferInitialization: true,
    clientOptions,
    ...(socketReceiver
      ? { receiver: socketReceiver }
      : {
          signingSecret: config.slack.signingSecret!,
          customRoutes: [{ path: '/healthz', method: ['GET'], handler: healthz }],
        }),
  });
  app.error(async (err) => {
    logger.error({ err: err.message, code: (err as { code?: string }).code }, 'unhandled error in a Slack listener');
  });

  const messenger = new SlackMessenger(app.client, logger);
  const filing = new FilingService(
    store,
    support,
    messenger,
    {
      severity: config.support.severity,
      issueType: config.support.issueType,
      categoryOverrides: { quota: config.support.quotaCategoryCode, dedicated_ip: config.support.dedicatedIpCategoryCode },
    },
    logger.child({ component: 'filing' }),
  );
  const poster = new ThreadPoster(store, messenger, logger.child({ component: 'thread-poster' }));
  const access = new AccessPolicy({
    allowedChannelIds: config.allowedChannelIds,
    requesterUserIds: config.requesterUserIds,
    approverUserIds: config.approverUserIds,
  });
  const actions = new CaseActions(store, support, poster, access, logger.child({ component: 'case-actions' }));
  const sync = new CaseSync(
    store,
    support,
    poster,
    { intervalMs: config.pollIntervalSeconds * 1000, access },
    logger.child({ component: 'case-sync' }),
    [
      () => filing.recover(),
      () => actions.reconcile(),
      async () => {
        // A modal lives at most a few hours; its snapshot a day. A case no longer followed needs nothing kept.
        await store.pruneFormSnapshots(new Date(Date.now() - 24 * 3600_000));
        await store.pruneFinishedCases(new Date(Date.now() - RESOLVED_WATCH_MS));
      },
    ],
  );
  // Before every listener: only the installation's own workspace acts.
  const installation = registerInstallationGuard(app, logger.child({ component: 'installation' }));
  registerQuotaListeners(app, { filing, ses, store, access, defaultRegion: defaultRegion(config.defaultRegion), logger });
  registerDedicatedIpListeners(app, {
    filing,
    access,
    ses,
    store,
    defaultRegion: defaultRegion(config.defaultRegion),
    priceCents: config.dedicatedIpMonthlyPriceCents,
    logger,
  });
  registerRequestListeners(app, { filing, store, access, logger });
  registerThreadListeners(app, { actions, store, logger });

  let server: Server;
  try {
    await app.init();
    await installation.learn(app.client);
    if (config.slack.mode === 'http') {
      server = (await app.start(config.port)) as Server;
    } else {
      await connectSocketMode(app);
      server = createServer((req, res) => {
        if (req.method === 'GET' && req.url === '/healthz') return void healthz(req, res);
        res.writeHead(404).end();
      });
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(config.port, resolve));
    }
  } catch (err) {
    await store.close().catch(() => undefined);
    support.destroy();
    ses.destroy();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  await filing.recover(true);
  await actions.reconcile(true).catch((err: Error) => logger.warn({ err: err.message }, 'could not check unsent communications; the sync retries'));
  await poster.kickAll();
  sync.start();
  ready = true;
  logger.info({ mode: config.slack.mode, port }, 'SES support bot is running');

  return {
    port,
    store,
    filing,
    sync,
    poster,
    async stop() {
      ready = false;
      await sync.stop();
      poster.stop();
      await app.stop().catch((err: Error) => logger.warn({ err: err.message }, 'error while stopping Bolt'));
      if (config.slack.mode === 'socket') await new Promise((resolve) => server.close(resolve));
      await filing.idle();
      await poster.idle();
      support.destroy();
      ses.destroy();
      await store.close();
    },
  };
}
