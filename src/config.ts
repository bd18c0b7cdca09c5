/**
 * Configuration from the environment (and `.env`), validated once at start-up. Every bad
 * variable is reported together in one readable message; AWS settings are left to the SDK's
 * own chain (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_SUPPORT, …). AWS_ACCOUNTS_FILE names a
 * YAML file of AWS accounts, read and validated here too: its problems are one setting's.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as YamlModule from 'yaml';
import { z } from 'zod';
import { ACCOUNT_NAME, DEFAULT_ACCOUNT, ROLE_ARN, accountIdOfRole, type AccountSetting } from './domain/accounts.js';
import { isRegionCode, type RegionCode } from './domain/regions.js';

const SEVERITIES = ['low', 'normal', 'high', 'urgent', 'critical'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const userIdList = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(/[\s,]+/).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'Slack user ids such as U012AB3CD, separated by commas')));

const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;
const QUEUE_URL_PROBLEM = 'the URL of an SQS queue such as https://sqs.us-east-1.amazonaws.com/111111111111/ses-support-events';

/** A whole number between `min` and `max`, or `fallback` when unset; `problem` says what is expected. */
const wholeNumber = (fallback: number, min: number, max: number, problem: string) =>
  optionalText
    .pipe(z.string().regex(/^\d{1,6}$/, problem).optional())
    .transform((v) => (v === undefined ? fallback : Number(v)))
    .pipe(z.number().min(min, problem).max(max, problem));

const boolean = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', ''], { error: 'true or false' }))
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z
  .object({
    SLACK_BOT_TOKEN: z
      .string({ error: 'required: the Bot User OAuth Token (xoxb-…) from your Slack app' })
      .trim()
      .regex(/^xoxb-[\w-]+$/, 'a bot token starting with xoxb-'),
    SLACK_APP_TOKEN: optionalText.pipe(
      z.string().regex(/^xapp-[\w-]+$/, 'an app-level token starting with xapp- (Socket Mode), or unset for HTTP mode').optional(),
    ),
    SLACK_SIGNING_SECRET: optionalText.pipe(z.string().regex(/^[0-9a-zA-Z]{16,}$/, 'the Signing Secret from Basic Information (letters and digits)').optional()),
    PORT: optionalText
      .pipe(z.string().regex(/^\d{1,5}$/, 'a port number from 0 to 65535').optional())
      .transform((v) => (v === undefined ? 3000 : Number(v)))
      .pipe(z.number().max(65535, 'a port number from 0 to 65535')),
    SLACK_API_URL: optionalText.pipe(
      z.url({ protocol: /^https?$/, error: 'an http(s) URL such as https://slack.com/api/' }).default('https://slack.com/api/'),
    ),
    DATABASE_URL: optionalText.pipe(
      z
        .string()
        .regex(/^(file:.+|postgres(ql)?:\/\/.+)$/, 'file:PATH for SQLite, postgres://USER:PASSWORD@HOST:PORT/DATABASE for PostgreSQL, or unset for ./data/ses-bot.sqlite')
        .default('file:./data/ses-bot.sqlite'),
    ),
    LOG_LEVEL: optionalText.pipe(z.enum(LOG_LEVELS, { error: `one of ${LOG_LEVELS.join(', ')}` }).default('info')),
    LOG_PRETTY: boolean,
    SUPPORT_SEVERITY: optionalText.pipe(z.enum(SEVERITIES, { error: `one of ${SEVERITIES.join(', ')}` }).default('low')),
    SUPPORT_ISSUE_TYPE: optionalText.pipe(
      z.enum(['technical', 'customer-service', 'service-limit-increase'], { error: 'technical, customer-service or service-limit-increase' }).optional(),
    ),
    SES_QUOTA_CATEGORY_CODE: optionalText.pipe(z.string().regex(/^[a-z0-9-]+$/, 'a Support category code such as ses-sending-quota').optional()),
    SES_DEDICATED_IP_CATEGORY_CODE: optionalText.pipe(z.string().regex(/^[a-z0-9-]+$/, 'a Support category code such as ses-dedicated-ip').optional()),
    DEDICATED_IP_MONTHLY_PRICE_USD: optionalText
      .pipe(z.string().regex(/^\d{1,4}(\.\d{1,2})?$/, 'a price in US dollars such as 24.95').optional())
      .transform((v) => Math.round(Number(v ?? '24.95') * 100)),
    POLL_INTERVAL_SECONDS: optionalText
      .pipe(z.string().regex(/^\d{1,6}$/, 'a whole number of seconds, at least 1').optional())
      .transform((v) => (v === undefined ? 60 : Number(v)))
      .pipe(z.number().min(1, 'a whole number of seconds, at least 1')),
    QUOTA_FILING: optionalText.pipe(
      z
        .enum(['service-quotas', 'support-case'], {
          error: 'service-quotas (each request row goes to AWS Service Quotas; no paid support plan needed) or support-case (one AWS Support case)',
        })
        .default('service-quotas'),
    ),
    APPROVER_USER_IDS: userIdList,
    REQUESTER_USER_IDS: userIdList,
    ALLOWED_CHANNEL_IDS: z
      .string()
      .optional()
      .transform((v) => (v ?? '').split(/[\s,]+/).filter(Boolean))
      .pipe(z.array(z.string().regex(CHANNEL_ID, 'Slack channel ids such as C012AB3CD, separated by commas'))),
    QUOTA_WATCH_CHANNEL_ID: optionalText.pipe(z.string().regex(CHANNEL_ID, 'one Slack channel id such as C012AB3CD, or unset to turn the quota watch off').optional()),
    QUOTA_WATCH_REGIONS: z
      .string()
      .optional()
      .transform((v) => (v ?? '').split(/[\s,]+/).filter(Boolean))
      .check((ctx) => {
        const unknown = ctx.value.filter((r) => !isRegionCode(r));
        if (unknown.length) {
          ctx.issues.push({
            code: 'custom',
            input: ctx.value,
            message: `SES region codes such as us-east-1,eu-west-1, separated by commas, or unset for the regions of stored requests plus AWS_REGION (not SES regions: ${unknown.slice(0, 5).join(', ')})`,
          });
        }
      })
      .transform((v) => (v.length ? [...new Set(v as RegionCode[])] : undefined)),
    QUOTA_WATCH_THRESHOLD_PERCENT: wholeNumber(80, 11, 99, 'a whole number of percent from 11 to 99 (the watch re-arms 10 points below it)'),
    QUOTA_WATCH_INTERVAL_MINUTES: wholeNumber(15, 1, 1440, 'a whole number of minutes from 1 to 1440'),
    SUPPORT_EVENTS_QUEUE_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: `${QUEUE_URL_PROBLEM}, or unset to follow cases by polling only` }).optional()),
    POLL_FALLBACK_SECONDS: wholeNumber(600, 1, 86_400, 'a whole number of seconds from 1 to 86400'),
    SUPPORT_EVENTS_WAIT_SECONDS: wholeNumber(20, 1, 20, 'a whole number of seconds from 1 to 20 (the long poll of each ReceiveMessage)'),
    AWS_REGION: optionalText,
  });

export interface Config {
  slack: {
    botToken: string;
    appToken: string | undefined;
    signingSecret: string | undefined;
    apiUrl: string;
    mode: 'socket' | 'http';
  };
  port: number;
  databaseUrl: string;
  logLevel: (typeof LOG_LEVELS)[number];
  logPretty: boolean;
  support: {
    severity: (typeof SEVERITIES)[number];
    issueType: string | undefined;
    quotaCategoryCode: string | undefined;
    dedicatedIpCategoryCode: string | undefined;
  };
  /** How /ses-quota requests go to AWS. */
  quotaFiling: 'service-quotas' | 'support-case';
  /** Monthly price of one standard dedicated IP, in US cents. */
  dedicatedIpMonthlyPriceCents: number;
  approverUserIds: string[];
  /** Empty: anyone who can run the commands may file. */
  requesterUserIds: string[];
  /** Empty: the commands work in every channel. */
  allowedChannelIds: string[];
  /**
   * From AWS_ACCOUNTS_FILE: the accounts reached through assumed roles, in the file's order, each
   * with the channels that may use it. Unset: one account, the bot's own credentials (DEFAULT_ACCOUNT).
   */
  accounts: AccountSetting[] | undefined;
  defaultRegion: string | undefined;
  pollIntervalSeconds: number;
  /** Push: AWS Support events through SQS (SUPPORT_EVENTS_QUEUE_URL); unset, polling only. */
  supportEvents: {
    /** Read with the bot's own credentials; accounts may have their own (AWS_ACCOUNTS_FILE). */
    queueUrl: string | undefined;
    /** While push works, the full case poll runs this often instead of every poll interval. */
    fallbackSeconds: number;
    /** Each ReceiveMessage's long poll. */
    waitSeconds: number;
  };
  /** The quota watch: alerts in a channel when a region's 24-hour sending nears its quota. */
  quotaWatch: {
    /** Unset: the watch is off. */
    channelId: string | undefined;
    /** Unset: the regions of stored requests plus AWS_REGION, worked out at each run. */
    regions: RegionCode[] | undefined;
    /** Alert when the last 24 hours' sending reaches this share of the quota. */
    thresholdPercent: number;
    /** How often the regions are read (the poll interval's tick runs it when due). */
    intervalMinutes: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; problem: string }[]) {
    super(
      [
        'The bot cannot start: fix these settings (environment or .env):',
        ...problems.map((p) => `  - ${p.variable}: ${p.problem}`),
      ].join('\n'),
    );
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env): Config {
  const result = schema.safeParse(env);
  const problems = new Map<string, string>();
  for (const issue of result.error?.issues ?? []) {
    const variable = String(issue.path[0] ?? 'environment');
    if (!problems.has(variable)) problems.set(variable, issue.message);
  }
  addCrossProblems(env, problems);
  // Read even when other settings are bad, so that the file's problems are reported with theirs.
  const accounts = loadAccounts(env);
  if (typeof accounts === 'string') problems.set('AWS_ACCOUNTS_FILE', accounts);
  if (!result.success || problems.size > 0 || typeof accounts === 'string') {
    throw new ConfigError([...problems].map(([variable, problem]) => ({ variable, problem })));
  }
  return toConfig(result.data, accounts);
}

/** Problems between settings, checked apart from the schema so that they are reported with every other. */
function addCrossProblems(env: Env, problems: Map<string, string>): void {
  if (!env.SLACK_APP_TOKEN?.trim() && !env.SLACK_SIGNING_SECRET?.trim()) {
    problems.set(
      'SLACK_SIGNING_SECRET',
      'required in HTTP mode (when SLACK_APP_TOKEN is not set): the Signing Secret from Basic Information',
    );
  }
  // The alert's button opens /ses-quota in the watch channel, so the commands must work there.
  // Read from the raw values so that it is reported even when other settings are bad.
  const allowed = rawAllowedChannels(env);
  const watchChannel = env.QUOTA_WATCH_CHANNEL_ID?.trim();
  if (watchChannel && allowed.length > 0 && !allowed.includes(watchChannel) && !problems.has('QUOTA_WATCH_CHANNEL_ID')) {
    problems.set(
      'QUOTA_WATCH_CHANNEL_ID',
      'must be one of ALLOWED_CHANNEL_IDS: its alerts\' Request an increase button opens /ses-quota in that channel',
    );
  }
}

const rawAllowedChannels = (env: Env) => (env.ALLOWED_CHANNEL_IDS ?? '').split(/[\s,]+/).filter(Boolean);

function toConfig(e: z.output<typeof schema>, accounts: AccountSetting[] | undefined): Config {
  return {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      appToken: e.SLACK_APP_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      apiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`,
      mode: e.SLACK_APP_TOKEN ? 'socket' : 'http',
    },
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
    logPretty: e.LOG_PRETTY,
    support: { severity: e.SUPPORT_SEVERITY, issueType: e.SUPPORT_ISSUE_TYPE, quotaCategoryCode: e.SES_QUOTA_CATEGORY_CODE,
      dedicatedIpCategoryCode: e.SES_DEDICATED_IP_CATEGORY_CODE,
    },
    quotaFiling: e.QUOTA_FILING,
    dedicatedIpMonthlyPriceCents: e.DEDICATED_IP_MONTHLY_PRICE_USD,
    approverUserIds: e.APPROVER_USER_IDS,
    requesterUserIds: e.REQUESTER_USER_IDS,
    allowedChannelIds: e.ALLOWED_CHANNEL_IDS,
    accounts,
    defaultRegion: e.AWS_REGION,
    pollIntervalSeconds: e.POLL_INTERVAL_SECONDS,
    supportEvents: { queueUrl: e.SUPPORT_EVENTS_QUEUE_URL, fallbackSeconds: e.POLL_FALLBACK_SECONDS, waitSeconds: e.SUPPORT_EVENTS_WAIT_SECONDS },
    quotaWatch: {
      channelId: e.QUOTA_WATCH_CHANNEL_ID,
      regions: e.QUOTA_WATCH_REGIONS,
      thresholdPercent: e.QUOTA_WATCH_THRESHOLD_PERCENT,
      intervalMinutes: e.QUOTA_WATCH_INTERVAL_MINUTES,
    },
  };
}

// ---- AWS_ACCOUNTS_FILE: the accounts, in YAML ------------------------------------------------

/** Where a problem is in the file, as zod gives it: ['accounts', 0, 'channels', 1]. */
type FileIssue = { path: PropertyKey[]; message: string };

/** Shown in full this many at most; the rest are counted. */
const MAX_FILE_PROBLEMS = 5;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const ACCOUNT_FIELDS = ['name', 'roleArn', 'externalId', 'channels', 'supportEventsQueueUrl'];

const NAME_PROBLEM = 'up to 32 letters, digits, - and _ such as prod (in quotes if it is only digits)';
const ROLE_ARN_PROBLEM = 'an IAM role ARN such as arn:aws:iam::111111111111:role/ses-support-bot';
const EXTERNAL_ID_PROBLEM = '2 to 1224 letters, digits and _+=,.@:/- (in quotes if it is only digits), or leave the line out';
const CHANNEL_PROBLEM = 'a Slack channel id such as C012AB3CD';

/** What a field expects; "required: " first when it is missing. */
const expected = (problem: string) => (issue: { input?: unknown }) => (issue.input === undefined ? `required: ${problem}` : problem);

/** Names the unknown keys, and the known key each may be a misspelling of. */
function unknownFields(keys: string[], known: string[]): string {
  const named = keys.map((key) => {
    const meant = known.find((k) => k.toLowerCase() === key.toLowerCase().replace(/[-_\s]/g, ''));
    return meant ? `${key} (did you mean ${meant}?)` : key;
  });
  return `unknown field${keys.length > 1 ? 's' : ''} ${named.join(', ')}, expected ${known.join(', ')}`;
}

const objectError = (known: string[], what: string) => (issue: { code?: string; keys?: string[] }) =>
  issue.code === 'unrecognized_keys' ? unknownFields(issue.keys ?? [], known) : what;

const accountSchema = z.strictObject(
  {
    name: z
      .string({ error: expected(NAME_PROBLEM) })
      .regex(ACCOUNT_NAME, NAME_PROBLEM)
      .refine((name) => name.toLowerCase() !== DEFAULT_ACCOUNT, `"${DEFAULT_ACCOUNT}" is reserved for the bot's own credentials (the account used without AWS_ACCOUNTS_FILE): choose another name`),
    roleArn: z.string({ error: expected(ROLE_ARN_PROBLEM) }).regex(ROLE_ARN, ROLE_ARN_PROBLEM),
    externalId: z.string({ error: EXTERNAL_ID_PROBLEM }).regex(EXTERNAL_ID, EXTERNAL_ID_PROBLEM).optional(),
    channels: z
      .array(z.string({ error: CHANNEL_PROBLEM }).regex(CHANNEL_ID, CHANNEL_PROBLEM), {
        error: expected('a list of the Slack channel ids that may use this account, such as [C0123ABCD, C0456EFGH]'),
      })
      .min(1, 'at least one Slack channel id: the channels that may use this account'),
    supportEventsQueueUrl: z.url({ protocol: /^https?$/, error: QUEUE_URL_PROBLEM }).optional(),
  },
  { error: objectError(ACCOUNT_FIELDS, 'a mapping with name, roleArn, channels and optionally externalId') },
);

const accountsFileSchema = z.strictObject(
  {
    accounts: z
      .array(accountSchema, { error: expected('a list of accounts, each with name, roleArn and channels') })
      .min(1, 'at least one account, each with name, roleArn and channels'),
  },
  { error: objectError(['accounts'], 'the file is empty or not a YAML mapping: it must hold accounts, a list of accounts') },
);

/**
 * The accounts of AWS_ACCOUNTS_FILE (undefined when it is unset), or one problem that names the
 * file and reports everything wrong with it.
 */
function loadAccounts(env: Env): AccountSetting[] | undefined | string {
  const file = env.AWS_ACCOUNTS_FILE?.trim();
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    // "ENOENT: no such file or directory, open '/etc/bot/accounts.yaml'": the path is said once.
    return `cannot read ${file} (${(err as Error).message.replace(/, \w+( '.*')?$/, '')})`;
  }
  const parsed = parseYaml(text);
  if ('problems' in parsed) return fileProblem(file, parsed.problems);
  const result = accountsFileSchema.safeParse(parsed.value);
  const issues: FileIssue[] = [...(result.error?.issues ?? []), ...crossFileIssues(parsed.value, env)];
  if (issues.length > 0) return fileProblem(file, describeIssues(issues, parsed.value));
  return result.data!.accounts.map((a) => ({
    name: a.name,
    roleArn: a.roleArn,
    accountId: accountIdOfRole(a.roleArn)!,
    externalId: a.externalId,
    channels: [...new Set(a.channels)],
    ...(a.supportEventsQueueUrl ? { supportEventsQueueUrl: a.supportEventsQueueUrl } : {}),
  }));
}

/** The file's value, or its YAML syntax errors with their lines. */
function parseYaml(text: string): { value: unknown } | { problems: string[] } {
  // Loaded here, only when there is an accounts file: the YAML parser is a few MB of memory that
  // the single-account setup never needs. Configuration is read synchronously, hence require.
  const { parseDocument } = createRequire(import.meta.url)('yaml') as typeof YamlModule;
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => {
        const at = e.linePos?.[0];
        const what = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return `invalid YAML${at ? ` at line ${at.line}, column ${at.col}` : ''}: ${what}`;
      }),
    };
  }
  try {
    return { value: doc.toJS() };
  } catch (err) {
    return { problems: [`invalid YAML: ${(err as Error).message}`] }; // an alias to no anchor, too many aliases
  }
}

function fileProblem(file: string, problems: string[]): string {
  const shown = problems.slice(0, MAX_FILE_PROBLEMS);
  const more = problems.length - shown.length;
  return `${file}: ${shown.join('; ')}${more > 0 ? `; and ${more} more problem${more > 1 ? 's' : ''}` : ''}`;
}

/** The file's accounts as written, whatever their shape: for the checks that span accounts. */
function rawAccounts(value: unknown): { name: unknown; channels: unknown }[] {
  const list = (value as { accounts?: unknown } | null | undefined)?.accounts;
  if (!Array.isArray(list)) return [];
  return list.map((a) => (a !== null && typeof a === 'object' ? (a as { name: unknown; channels: unknown }) : { name: undefined, channels: undefined }));
}

/** Unique names; channels where the commands work; the quota watch's channel in some account. */
function crossFileIssues(value: unknown, env: Env): FileIssue[] {
  const accounts = rawAccounts(value);
  const issues: FileIssue[] = [];
  const firstWithName = new Map<string, number>();
  accounts.forEach((a, i) => {
    if (typeof a.name !== 'string' || !ACCOUNT_NAME.test(a.name)) return;
    const first = firstWithName.get(a.name.toLowerCase());
    if (first === undefined) firstWithName.set(a.name.toLowerCase(), i);
    else issues.push({ path: ['accounts', i, 'name'], message: `also the name of accounts[${first}] (names must be unique, ignoring case)` });
  });
  const channelsOf = (a: { channels: unknown }) => (Array.isArray(a.channels) ? (a.channels as unknown[]) : []);
  const allowed = rawAllowedChannels(env);
  accounts.forEach((a, i) =>
    channelsOf(a).forEach((c, j) => {
      if (allowed.length > 0 && typeof c === 'string' && CHANNEL_ID.test(c) && !allowed.includes(c)) {
        issues.push({ path: ['accounts', i, 'channels', j], message: `${c} is not one of ALLOWED_CHANNEL_IDS, so the commands would be refused there: add it to ALLOWED_CHANNEL_IDS or remove it here` });
      }
    }),
  );
  const watch = env.QUOTA_WATCH_CHANNEL_ID?.trim();
  if (watch && CHANNEL_ID.test(watch) && accounts.length > 0 && !accounts.some((a) => channelsOf(a).includes(watch))) {
    issues.push({ path: ['accounts'], message: `no account has QUOTA_WATCH_CHANNEL_ID ${watch} in its channels: the quota watch reads the accounts of its channel, so add it to one` });
  }
  return issues;
}

/** One line per place in the file (the first problem there): 'account "prod" (accounts[0]) roleArn: …'. */
function describeIssues(issues: FileIssue[], value: unknown): string[] {
  const accounts = rawAccounts(value);
  const byPlace = new Map<string, string>();
  // By account, each account's own problems (an unknown field: a misspelt one) before its fields'.
  const order = ({ path }: FileIssue) =>
    typeof path[1] === 'number' ? path[1] + (path.length > 2 ? 0.5 : 0) : path.length === 0 ? -2 : -1;
  for (const { path, message } of [...issues].sort((a, b) => order(a) - order(b))) {
    const [top, index, ...field] = path;
    let place = path.map(String).join('.');
    if (top === 'accounts' && typeof index === 'number') {
      const name = accounts[index]?.name;
      const account = typeof name === 'string' && ACCOUNT_NAME.test(name) ? `account "${name}" (accounts[${index}])` : `accounts[${index}]`;
      place = [account, field.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('')].filter(Boolean).join(' ');
    }
    if (!byPlace.has(place)) byPlace.set(place, place ? `${place}: ${message}` : message);
  }
  return [...byPlace.values()];
}
