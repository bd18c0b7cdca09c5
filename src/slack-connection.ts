/**
 * The bot's connection to Slack and its health: the Bolt app in HTTP mode or Socket Mode, the
 * HTTP server that serves /healthz in both, and what /healthz says. Nothing here knows what
 * the bot does; app.ts wires the listeners and services onto the app this makes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { Config } from './config.js';
import { boltLogger, type Logger } from './logger.js';
import { slackClientOptions } from './slack/client-options.js';
import type { Store } from './store/store.js';
import type { Metrics } from './metrics/metrics.js';
import { instrumentedSlackFetch } from './metrics/slack.js';

/**
 * Which request a listener failed on, in ids only (never what a user typed): the command, the
 * action, the form or the event type.
 */
function describePayload(body: unknown): string {
  const b = (body ?? {}) as { command?: unknown; type?: unknown; actions?: { action_id?: unknown }[]; view?: { callback_id?: unknown }; event?: { type?: unknown; subtype?: unknown } };
  const id = (v: unknown) => (typeof v === 'string' ? v.slice(0, 80) : '?');
  if (typeof b.command === 'string') return `command ${id(b.command)}`;
  if (b.type === 'block_actions') return `action ${id(b.actions?.[0]?.action_id)}`;
  if (b.type === 'view_submission' || b.type === 'view_closed') return `${b.type} ${id(b.view?.callback_id)}`;
  if (b.type === 'event_callback') return `event ${id(b.event?.type)}${b.event?.subtype ? `/${id(b.event.subtype)}` : ''}`;
  return `payload ${id(b.type)}`;
}

export class StartupError extends Error {
  override name = 'StartupError';
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

const SOCKET_CONNECT_TIMEOUT_MS = 30_000;
/** Socket Mode reconnects by itself; only a connection lost for this long makes the bot unhealthy. */
const SOCKET_GRACE_MS = 30_000;

/** What /healthz answers: 200 once the bot is ready, its database answers and Slack is connected. */
export class Health {
  private ready = false;
  private disconnectedSince: number | null = null;

  /** `details`: what else /healthz shows (each AWS account's availability, the push state); undefined parts are left out. */
  constructor(
    private readonly store: Store,
    private readonly details: () => Record<string, unknown> = () => ({}),
  ) {}

  setReady(ready: boolean): void {
    this.ready = ready;
  }

  /** Follows a Socket Mode connection: down for longer than the grace period is unhealthy. */
  watch(receiver: SocketModeReceiver): void {
    receiver.client.on('connected', () => {
      this.disconnectedSince = null;
    });
    receiver.client.on('disconnected', () => {
      this.disconnectedSince ??= Date.now();
    });
  }

  async healthy(): Promise<boolean> {
    const connected = this.disconnectedSince === null || Date.now() - this.disconnectedSince < SOCKET_GRACE_MS;
    return this.ready && connected && (await this.store.ping());
  }

  readonly handler = async (_req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const ok = await this.healthy();
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
    // `ok` is the process's (Slack, database): one account's role or a queue failing does not make it restart.
    res.end(JSON.stringify({ ok, ...this.details() }));
  };
}

export interface SlackConnection {
  app: App;
  /** Starts serving: HTTP mode's server, or the Socket Mode connection plus a server for /healthz. */
  start(): Promise<{ port: number; server: Server }>;
}

/** Builds the Bolt app for the configured mode; nothing is connected until `start`. */
/** `metrics`: served on /metrics beside /healthz, and told of every Slack Web API call. */
export function createSlackConnection(config: Config, logger: Logger, health: Health, metrics?: Metrics): SlackConnection {
  const logLevel = BOLT_LEVEL[config.logLevel] ?? LogLevel.INFO;
  // Every Slack call has a timeout and a few quick retries; a 429 comes back at once (the
  // outbox waits it out per channel), so one channel's rate limit never holds up another's.
  const clientOptions = slackClientOptions(config.slack.apiUrl, metrics && instrumentedSlackFetch(metrics));
  // Built here rather than by Bolt so that the connection's state is visible to /healthz.
  const socketReceiver =
    config.slack.mode === 'socket'
      ? new SocketModeReceiver({ appToken: config.slack.appToken!, logger: boltLogger(logger), logLevel, installerOptions: { clientOptions } })
      : undefined;
  if (socketReceiver) health.watch(socketReceiver);

  const app = new App({
    token: config.slack.botToken,
    logger: boltLogger(logger),
    logLevel,
    // Bolt otherwise calls auth.test from its constructor, where a bad token becomes an
    // unhandled rejection; app.init() lets start-up report it.
    deferInitialization: true,
    // Bolt's conversation store (context.conversation) is not used: without it, no store lookup
    // runs in front of every request.
    convoStore: false,
    // The error handler gets the payload too, so the log can say which request failed.
    extendedErrorHandler: true,
    clientOptions,
    ...(socketReceiver
      ? { receiver: socketReceiver }
      : { signingSecret: config.slack.signingSecret!, customRoutes: [
            { path: '/healthz', method: ['GET'], handler: health.handler },
            ...(metrics ? [{ path: '/metrics', method: ['GET'], handler: metrics.handler }] : []),
          ],
        }),
  });
  // Parameters<> takes the last overload of app.error: the extended handler (Bolt does not export its type).
  const onListenerError: Parameters<App['error']>[0] = async ({ error, body }) => {
    logger.error({ err: error.message, code: error.code, during: describePayload(body) }, 'unhandled error in a Slack listener');
  };
  app.error(onListenerError);

  return {
    app,
    async start() {
      let server: Server;
      if (config.slack.mode === 'http') {
        server = (await app.start(config.port)) as Server;
      } else {
        await connectSocketMode(app);
        server = createServer((req, res) => {
          if (req.method === 'GET' && req.url === '/healthz') return void health.handler(req, res);
          if (metrics && req.method === 'GET' && req.url === '/metrics') return void metrics.handler(req, res);
          res.writeHead(404).end();
        });
        await new Promise<void>((resolve, reject) => server.once('error', reject).listen(config.port, resolve));
      }
      return { server, port: (server.address() as AddressInfo).port };
    },
  };
}

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
