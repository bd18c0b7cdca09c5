/** Process entry: configuration, logger, bot, signals. Exits non-zero with one readable message on bad settings. */
import dotenv from 'dotenv';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { StartupError, startBot } from './app.js';
import { DatabaseUnavailableError } from './store/open-store.js';

dotenv.config({ quiet: true });

let config: Config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

const logger = createLogger({
  level: config.logLevel,
  pretty: config.logPretty,
  secrets: [config.slack.botToken, config.slack.appToken ?? '', config.slack.signingSecret ?? '', process.env.AWS_SECRET_ACCESS_KEY ?? '', process.env.AWS_SESSION_TOKEN ?? ''],
});

// A failure nobody awaited (e.g. a Socket Mode reconnect that gives up) is logged and ends the
// process with one line, so that a supervisor restarts it, rather than a raw stack trace.
process.on('unhandledRejection', (reason) => {
  const message = reason instanceof Error ? reason.message : String(reason);
  logger.fatal({ err: message }, 'unhandled failure; exiting');
  process.stderr.write(`The bot stopped: ${message}\n`);
  process.exit(1);
});

try {
  const bot = await startBot(config, logger);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    bot.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
} catch (err) {
  const message = describeStartupError(err);
  logger.fatal({ err: message }, 'the bot could not start');
  process.stderr.write(`The bot could not start: ${message}\n`);
  process.exit(1);
}

function describeStartupError(err: unknown): string {
  if (err instanceof StartupError || err instanceof DatabaseUnavailableError) return err.message;
  const e = err as { code?: string; message?: string; data?: { error?: string } };
  if (e.data?.error === 'invalid_auth' || e.data?.error === 'not_authed') {
    return 'Slack rejected SLACK_BOT_TOKEN (invalid_auth). Copy the Bot User OAuth Token from your app\'s OAuth & Permissions page.';
  }
  if (e.code === 'EADDRINUSE') return `port ${config.port} is already in use; set PORT to a free port.`;
  if (e.code === 'SQLITE_CANTOPEN' || /unable to open database/i.test(e.message ?? '')) {
    return `cannot open the database at ${config.databaseUrl}: ${e.message}. Check DATABASE_URL and that the folder is writable.`;
  }
  return e.message ?? String(err);
}
