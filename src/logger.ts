/**
 * pino JSON logs on stdout, with secrets redacted wherever they could appear, and an adapter
 * that puts Bolt's own logging onto the same stream.
 */
import { pino, type Logger as PinoLogger } from 'pino';
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';

export type Logger = PinoLogger;

const REDACT_PATHS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'authorization',
  'headers.authorization',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.authorization',
  '*.headers.authorization',
  'config.slack.botToken',
  'config.slack.appToken',
  'config.slack.signingSecret',
  'config.databaseUrl',
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
  '*.accessKeyId',
  '*.secretAccessKey',
  '*.sessionToken',
  'response_url',
  '*.response_url',
];

const SECRET_PATTERNS: RegExp[] = [
  /xox[abposr]-[\w-]+/g, // Slack bot/user tokens
  /xapp-[\w-]+/g, // Slack app-level tokens
  /(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/g, // AWS access key ids
];

/** Scrubs token-shaped text from free-form strings (error messages from SDKs can echo them). */
export function scrubSecrets(text: string, extraSecrets: string[] = []): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, '[redacted]');
  for (const secret of extraSecrets) if (secret && secret.length >= 8) out = out.split(secret).join('[redacted]');
  return out;
}

export function createLogger(options: {
  level: string;
  pretty?: boolean;
  secrets?: string[];
  destination?: NodeJS.WritableStream;
}): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 8);
  const transport = options.pretty && !options.destination ? { target: 'pino-pretty' } : undefined;
  const base = {
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Last line of defence: any string field that still carries a secret is scrubbed.
    hooks: {
      streamWrite: (line: string) => scrubSecrets(line, secrets),
    },
  };
  if (transport) return pino({ ...base, transport });
  return options.destination ? pino(base, options.destination as pino.DestinationStream) : pino(base);
}

const BOLT_LEVELS: Record<LogLevel, string> = {
  [LogLevel.DEBUG]: 'debug',
  [LogLevel.INFO]: 'info',
  [LogLevel.WARN]: 'warn',
  [LogLevel.ERROR]: 'error',
};

/**
 * Bolt (and the Web API and Socket Mode clients it creates) log through this onto pino. Their
 * debug lines are dropped whatever LOG_LEVEL says: they are raw payloads (user text, response
 * URLs, request bodies) that the path-based redaction cannot see into.
 */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  const join = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  return {
    debug: () => {},
    info: (...msg) => child.info(join(msg)),
    warn: (...msg) => child.warn(join(msg)),
    error: (...msg) => child.error(join(msg)),
    setLevel: (level: LogLevel) => {
      child.level = BOLT_LEVELS[level] ?? 'info';
    },
    getLevel: () => (Object.entries(BOLT_LEVELS).find(([, v]) => v === child.level)?.[0] as LogLevel) ?? LogLevel.INFO,
    setName: () => {},
  };
}
