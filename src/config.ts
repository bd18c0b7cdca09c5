/**
 * Configuration from the environment (and `.env`), validated once at start-up. Every bad
 * variable is reported together in one readable message; AWS settings are left to the SDK's
 * own chain (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_SUPPORT, …).
 */
import { z } from 'zod';
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
  defaultRegion: string | undefined;
  pollIntervalSeconds: number;
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

export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(env);
  const problems = new Map<string, string>();
  for (const issue of result.error?.issues ?? []) {
    const variable = String(issue.path[0] ?? 'environment');
    if (!problems.has(variable)) problems.set(variable, issue.message);
  }
  // Checked apart from the schema so that it is reported together with every other problem.
  if (!env.SLACK_APP_TOKEN?.trim() && !env.SLACK_SIGNING_SECRET?.trim()) {
    problems.set(
      'SLACK_SIGNING_SECRET',
      'required in HTTP mode (when SLACK_APP_TOKEN is not set): the Signing Secret from Basic Information',
    );
  }
  // The alert's button opens /ses-quota in the watch channel, so the commands must work there.
  // Read from the raw values so that it is reported even when other settings are bad.
  const allowed = (env.ALLOWED_CHANNEL_IDS ?? '').split(/[\s,]+/).filter(Boolean);
  const watchChannel = env.QUOTA_WATCH_CHANNEL_ID?.trim();
  if (watchChannel && allowed.length > 0 && !allowed.includes(watchChannel) && !problems.has('QUOTA_WATCH_CHANNEL_ID')) {
    problems.set(
      'QUOTA_WATCH_CHANNEL_ID',
      'must be one of ALLOWED_CHANNEL_IDS: its alerts\' Request an increase button opens /ses-quota in that channel',
    );
  }
  if (!result.success || problems.size > 0) {
    throw new ConfigError([...problems].map(([variable, problem]) => ({ variable, problem })));
  }
  const e = result.data!;
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
    defaultRegion: e.AWS_REGION,
    pollIntervalSeconds: e.POLL_INTERVAL_SECONDS,
    quotaWatch: {
      channelId: e.QUOTA_WATCH_CHANNEL_ID,
      regions: e.QUOTA_WATCH_REGIONS,
      thresholdPercent: e.QUOTA_WATCH_THRESHOLD_PERCENT,
      intervalMinutes: e.QUOTA_WATCH_INTERVAL_MINUTES,
    },
  };
}
