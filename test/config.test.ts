import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

type Env = Record<string, string | undefined>;

const BOT_TOKEN = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp';
const APP_TOKEN = 'xapp-1-A0123456789-1234567890-abcdef0123456789';
const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

/** HTTP mode: a bot token and a signing secret. */
const httpEnv = (overrides: Env = {}): Env => ({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, ...overrides });
/** Socket Mode: a bot token and an app-level token, no signing secret. */
const socketEnv = (overrides: Env = {}): Env => ({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, ...overrides });

/** Loads the config, expecting a ConfigError, and returns it. */
function configError(env: Env): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

const badVariables = (err: ConfigError) => err.problems.map((p) => p.variable).sort();

describe('loadConfig: valid settings', () => {
  it('loads an HTTP-mode config with every default', () => {
    expect(loadConfig(httpEnv())).toStrictEqual({
      slack: {
        botToken: BOT_TOKEN,
        appToken: undefined,
        signingSecret: SIGNING_SECRET,
        apiUrl: 'https://slack.com/api/',
        mode: 'http',
      },
      port: 3000,
      databaseUrl: 'file:./data/ses-bot.sqlite',
      logLevel: 'info',
      logPretty: false,
      support: { severity: 'low', issueType: undefined, quotaCategoryCode: undefined, dedicatedIpCategoryCode: undefined },
      quotaFiling: 'service-quotas',
      dedicatedIpMonthlyPriceCents: 2495,
      approverUserIds: [],
      requesterUserIds: [],
      allowedChannelIds: [],
      accounts: undefined,
      defaultRegion: undefined,
      pollIntervalSeconds: 60,
      supportEvents: { queueUrl: undefined, fallbackSeconds: 600, waitSeconds: 20 },
      quotaWatch: { channelId: undefined, regions: undefined, thresholdPercent: 80, intervalMinutes: 15 },
    });
  });

  it('loads a Socket-Mode config without a signing secret', () => {
    const config = loadConfig(socketEnv());
    expect(config.slack).toStrictEqual({
      botToken: BOT_TOKEN,
      appToken: APP_TOKEN,
      signingSecret: undefined,
      apiUrl: 'https://slack.com/api/',
      mode: 'socket',
    });
  });

  it('uses Socket Mode whenever an app token is set, even with a signing secret', () => {
    expect(loadConfig(socketEnv({ SLACK_SIGNING_SECRET: SIGNING_SECRET })).slack.mode).toBe('socket');
  });

  it('reads a bot token and LOG_PRETTY pasted with stray whitespace or capitals', () => {
    const config = loadConfig(httpEnv({ SLACK_BOT_TOKEN: `${BOT_TOKEN}\n`, LOG_PRETTY: ' TRUE ' }));
    expect(config.slack.botToken).toBe(BOT_TOKEN);
    expect(config.logPretty).toBe(true);
  });

  it('treats empty and blank variables as unset and uses the defaults', () => {
    const config = loadConfig(
      httpEnv({
        SLACK_APP_TOKEN: '',
        PORT: '',
        SLACK_API_URL: '  ',
        DATABASE_URL: '',
        LOG_LEVEL: '',
        LOG_PRETTY: '',
        SUPPORT_SEVERITY: ' ',
        SUPPORT_ISSUE_TYPE: '',
        SES_QUOTA_CATEGORY_CODE: '',
        APPROVER_USER_IDS: '',
        AWS_REGION: '',
      }),
    );
    expect(config.slack.mode).toBe('http');
    expect(config.slack.appToken).toBeUndefined();
    expect(config.port).toBe(3000);
    expect(config.slack.apiUrl).toBe('https://slack.com/api/');
    expect(config.databaseUrl).toBe('file:./data/ses-bot.sqlite');
    expect(config.logLevel).toBe('info');
    expect(config.logPretty).toBe(false);
    expect(config.support).toStrictEqual({ severity: 'low', issueType: undefined, quotaCategoryCode: undefined, dedicatedIpCategoryCode: undefined });
    expect(config.dedicatedIpMonthlyPriceCents).toBe(2495);
    expect(config.approverUserIds).toEqual([]);
    expect(config.defaultRegion).toBeUndefined();
  });

  it('reads every optional setting', () => {
    const config = loadConfig(
      httpEnv({
        PORT: '8080',
        SLACK_API_URL: 'http://localhost:4000/api/',
        DATABASE_URL: 'file:/var/lib/ses-bot/db.sqlite',
        LOG_LEVEL: 'debug',
        LOG_PRETTY: 'true',
        SUPPORT_SEVERITY: 'urgent',
        SUPPORT_ISSUE_TYPE: 'service-limit-increase',
        SES_QUOTA_CATEGORY_CODE: 'ses-sending-quota',
        SES_DEDICATED_IP_CATEGORY_CODE: 'ses-dedicated-ip',
        DEDICATED_IP_MONTHLY_PRICE_USD: '30.5',
        APPROVER_USER_IDS: 'U012AB3CD, W0456EFGH  U0789XYZ',
        AWS_REGION: 'eu-west-1',
      }),
    );
    expect(config).toMatchObject({
      port: 8080,
      slack: { apiUrl: 'http://localhost:4000/api/' },
      databaseUrl: 'file:/var/lib/ses-bot/db.sqlite',
      logLevel: 'debug',
      logPretty: true,
      support: { severity: 'urgent', issueType: 'service-limit-increase', quotaCategoryCode: 'ses-sending-quota', dedicatedIpCategoryCode: 'ses-dedicated-ip' },
      dedicatedIpMonthlyPriceCents: 3050,
      approverUserIds: ['U012AB3CD', 'W0456EFGH', 'U0789XYZ'],
      defaultRegion: 'eu-west-1',
    });
  });

  it.each([
    ['https://slack.com/api', 'https://slack.com/api/'],
    ['https://slack.com/api/', 'https://slack.com/api/'],
    ['http://127.0.0.1:3999/api', 'http://127.0.0.1:3999/api/'],
  ])('normalises SLACK_API_URL %s to end with one slash', (value, apiUrl) => {
    expect(loadConfig(httpEnv({ SLACK_API_URL: value })).slack.apiUrl).toBe(apiUrl);
  });

  it.each([
    ['0', 0],
    ['  8080 ', 8080],
    ['65535', 65535],
  ])('accepts PORT %j', (value, port) => {
    expect(loadConfig(httpEnv({ PORT: value })).port).toBe(port);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('reads LOG_PRETTY=%s as %s', (value, pretty) => {
    expect(loadConfig(httpEnv({ LOG_PRETTY: value })).logPretty).toBe(pretty);
  });

  it.each([
    [undefined, 'service-quotas'],
    ['', 'service-quotas'],
    ['service-quotas', 'service-quotas'],
    [' support-case ', 'support-case'],
  ])('reads QUOTA_FILING=%j as %s (Service Quotas unless told otherwise)', (value, mode) => {
    expect(loadConfig(httpEnv({ QUOTA_FILING: value })).quotaFiling).toBe(mode);
  });

  it('reads the quota watch settings', () => {
    const config = loadConfig(
      httpEnv({
        QUOTA_WATCH_CHANNEL_ID: ' C0WATCH ',
        QUOTA_WATCH_REGIONS: 'eu-west-1, us-east-1 eu-west-1',
        QUOTA_WATCH_THRESHOLD_PERCENT: '90',
        QUOTA_WATCH_INTERVAL_MINUTES: '5',
      }),
    );
    expect(config.quotaWatch).toStrictEqual({ channelId: 'C0WATCH', regions: ['eu-west-1', 'us-east-1'], thresholdPercent: 90, intervalMinutes: 5 });
  });

  it('treats blank quota watch settings as unset: the watch is off, with the defaults', () => {
    const config = loadConfig(httpEnv({ QUOTA_WATCH_CHANNEL_ID: ' ', QUOTA_WATCH_REGIONS: ' , ', QUOTA_WATCH_THRESHOLD_PERCENT: '', QUOTA_WATCH_INTERVAL_MINUTES: '' }));
    expect(config.quotaWatch).toStrictEqual({ channelId: undefined, regions: undefined, thresholdPercent: 80, intervalMinutes: 15 });
  });

  it('accepts a watch channel that is one of ALLOWED_CHANNEL_IDS, and the threshold and interval bounds', () => {
    expect(loadConfig(httpEnv({ ALLOWED_CHANNEL_IDS: 'C0OPS,G0WATCH', QUOTA_WATCH_CHANNEL_ID: 'G0WATCH' })).quotaWatch.channelId).toBe('G0WATCH');
    expect(loadConfig(httpEnv({ QUOTA_WATCH_THRESHOLD_PERCENT: '11', QUOTA_WATCH_INTERVAL_MINUTES: '1' })).quotaWatch).toMatchObject({ thresholdPercent: 11, intervalMinutes: 1 });
    expect(loadConfig(httpEnv({ QUOTA_WATCH_THRESHOLD_PERCENT: '99', QUOTA_WATCH_INTERVAL_MINUTES: '1440' })).quotaWatch).toMatchObject({ thresholdPercent: 99, intervalMinutes: 1440 });
  });

  it.each(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])('accepts LOG_LEVEL %s', (level) => {
    expect(loadConfig(httpEnv({ LOG_LEVEL: level })).logLevel).toBe(level);
  });

  it.each(['low', 'normal', 'high', 'urgent', 'critical'])('accepts SUPPORT_SEVERITY %s', (severity) => {
    expect(loadConfig(httpEnv({ SUPPORT_SEVERITY: severity })).support.severity).toBe(severity);
  });
});

describe('loadConfig: bad settings', () => {
  it('lists every bad variable in one ConfigError', () => {
    const err = configError({
      SLACK_BOT_TOKEN: 'xoxp-user-token',
      PORT: 'eighty',
      SLACK_API_URL: 'not a url',
      DATABASE_URL: 'mysql://ses:pw@db.internal/ses',
      LOG_LEVEL: 'verbose',
      SUPPORT_SEVERITY: 'meh',
      APPROVER_USER_IDS: 'U012AB3CD, bob',
    });
    expect(err.name).toBe('ConfigError');
    expect(err).toBeInstanceOf(Error);
    expect(badVariables(err)).toEqual(
      [
        'SLACK_BOT_TOKEN',
        'SLACK_SIGNING_SECRET',
        'PORT',
        'SLACK_API_URL',
        'DATABASE_URL',
        'LOG_LEVEL',
        'SUPPORT_SEVERITY',
        'APPROVER_USER_IDS',
      ].sort(),
    );
    const lines = err.message.split('\n');
    expect(lines[0]).toBe('The bot cannot start: fix these settings (environment or .env):');
    expect(lines).toHaveLength(1 + err.problems.length);
    for (const { variable, problem } of err.problems) {
      expect(err.message).toContain(`  - ${variable}: ${problem}`);
    }
  });

  it('names every bad quota watch setting in the one ConfigError, with the other bad settings', () => {
    const err = configError(
      httpEnv({
        LOG_LEVEL: 'loud',
        ALLOWED_CHANNEL_IDS: 'C0OPS',
        QUOTA_WATCH_CHANNEL_ID: 'C0WATCH',
        QUOTA_WATCH_REGIONS: 'moon-1',
        QUOTA_WATCH_THRESHOLD_PERCENT: 'high',
        QUOTA_WATCH_INTERVAL_MINUTES: '-5',
      }),
    );
    expect(badVariables(err)).toEqual(['LOG_LEVEL', 'QUOTA_WATCH_CHANNEL_ID', 'QUOTA_WATCH_INTERVAL_MINUTES', 'QUOTA_WATCH_REGIONS', 'QUOTA_WATCH_THRESHOLD_PERCENT']);
  });

  it('reports a variable with several bad items once', () => {
    const err = configError(httpEnv({ APPROVER_USER_IDS: 'alice, bob, carol' }));
    expect(err.problems).toStrictEqual([{ variable: 'APPROVER_USER_IDS', problem: 'Slack user ids such as U012AB3CD, separated by commas' }]);
  });

  it.each<[string, Env, string, RegExp]>([
    ['a missing bot token', { SLACK_SIGNING_SECRET: SIGNING_SECRET }, 'SLACK_BOT_TOKEN', /^required: the Bot User OAuth Token \(xoxb-…\)/],
    ['a user token instead of a bot token', httpEnv({ SLACK_BOT_TOKEN: 'xoxp-123-abc' }), 'SLACK_BOT_TOKEN', /starting with xoxb-/],
    ['a bot token as the app token', socketEnv({ SLACK_APP_TOKEN: BOT_TOKEN }), 'SLACK_APP_TOKEN', /starting with xapp-.*or unset for HTTP mode/],
    ['no signing secret in HTTP mode', { SLACK_BOT_TOKEN: BOT_TOKEN }, 'SLACK_SIGNING_SECRET', /^required in HTTP mode \(when SLACK_APP_TOKEN is not set\)/],
    ['a blank signing secret in HTTP mode', httpEnv({ SLACK_SIGNING_SECRET: '   ' }), 'SLACK_SIGNING_SECRET', /^required in HTTP mode/],
    ['a malformed signing secret', httpEnv({ SLACK_SIGNING_SECRET: 'not-a-secret!' }), 'SLACK_SIGNING_SECRET', /Signing Secret from Basic Information/],
    ['a malformed signing secret in Socket Mode', socketEnv({ SLACK_SIGNING_SECRET: 'short' }), 'SLACK_SIGNING_SECRET', /Signing Secret from Basic Information/],
    ['a price that is not in dollars', httpEnv({ DEDICATED_IP_MONTHLY_PRICE_USD: '$24.95' }), 'DEDICATED_IP_MONTHLY_PRICE_USD', /a price in US dollars such as 24.95/],
    ['a non-numeric PORT', httpEnv({ PORT: 'http' }), 'PORT', /^a port number from 0 to 65535$/],
    ['a channel id that is not one', httpEnv({ ALLOWED_CHANNEL_IDS: 'C012AB3CD, #general' }), 'ALLOWED_CHANNEL_IDS', /Slack channel ids such as C012AB3CD/],
    ['a requester id that is not one', httpEnv({ REQUESTER_USER_IDS: 'alice' }), 'REQUESTER_USER_IDS', /Slack user ids such as U012AB3CD/],
    ['a poll interval of zero', httpEnv({ POLL_INTERVAL_SECONDS: '0' }), 'POLL_INTERVAL_SECONDS', /at least 1/],
    ['a fractional poll interval', httpEnv({ POLL_INTERVAL_SECONDS: '0.5' }), 'POLL_INTERVAL_SECONDS', /whole number of seconds/],
    ['a negative PORT', httpEnv({ PORT: '-1' }), 'PORT', /^a port number from 0 to 65535$/],
    ['a PORT above 65535', httpEnv({ PORT: '65536' }), 'PORT', /^a port number from 0 to 65535$/],
    ['a decimal PORT', httpEnv({ PORT: '80.5' }), 'PORT', /^a port number from 0 to 65535$/],
    ['a SLACK_API_URL that is not a URL', httpEnv({ SLACK_API_URL: 'slack api' }), 'SLACK_API_URL', /^an http\(s\) URL such as https:\/\/slack\.com\/api\/$/],
    ['an ftp SLACK_API_URL', httpEnv({ SLACK_API_URL: 'ftp://slack.com/api/' }), 'SLACK_API_URL', /^an http\(s\) URL/],
    ['a MySQL DATABASE_URL', httpEnv({ DATABASE_URL: 'mysql://localhost/ses' }), 'DATABASE_URL', /postgres:\/\/USER:PASSWORD@HOST:PORT\/DATABASE for PostgreSQL/],
    ['a DATABASE_URL without a path', httpEnv({ DATABASE_URL: 'file:' }), 'DATABASE_URL', /^file:PATH for SQLite/],
    ['an unknown LOG_LEVEL', httpEnv({ LOG_LEVEL: 'verbose' }), 'LOG_LEVEL', /^one of fatal, error, warn, info, debug, trace, silent$/],
    ['an unknown SUPPORT_SEVERITY', httpEnv({ SUPPORT_SEVERITY: 'meh' }), 'SUPPORT_SEVERITY', /^one of low, normal, high, urgent, critical$/],
    ['a lower-case user id', httpEnv({ APPROVER_USER_IDS: 'u012ab3cd' }), 'APPROVER_USER_IDS', /^Slack user ids such as U012AB3CD/],
    ['a channel id as approver', httpEnv({ APPROVER_USER_IDS: 'U012AB3CD,C0123ABCD' }), 'APPROVER_USER_IDS', /^Slack user ids such as U012AB3CD/],
    ['a LOG_PRETTY that is not a boolean', httpEnv({ LOG_PRETTY: 'pretty' }), 'LOG_PRETTY', /^true or false$/],
    ['an unknown SUPPORT_ISSUE_TYPE', httpEnv({ SUPPORT_ISSUE_TYPE: 'billing' }), 'SUPPORT_ISSUE_TYPE', /technical, customer-service or service-limit-increase/],
    ['an upper-case category code', httpEnv({ SES_QUOTA_CATEGORY_CODE: 'SES Quota' }), 'SES_QUOTA_CATEGORY_CODE', /category code such as ses-sending-quota/],
    ['an unknown QUOTA_FILING', httpEnv({ QUOTA_FILING: 'email' }), 'QUOTA_FILING', /^service-quotas \(each request row goes to AWS Service Quotas; no paid support plan needed\) or support-case/],
    ['a watch channel given by name', httpEnv({ QUOTA_WATCH_CHANNEL_ID: '#ses-ops' }), 'QUOTA_WATCH_CHANNEL_ID', /^one Slack channel id such as C012AB3CD, or unset to turn the quota watch off$/],
    ['two watch channels', httpEnv({ QUOTA_WATCH_CHANNEL_ID: 'C0ONE,C0TWO' }), 'QUOTA_WATCH_CHANNEL_ID', /^one Slack channel id such as C012AB3CD/],
    ['a user id as the watch channel', httpEnv({ QUOTA_WATCH_CHANNEL_ID: 'U012AB3CD' }), 'QUOTA_WATCH_CHANNEL_ID', /^one Slack channel id/],
    ['a watch channel where the commands do not work', httpEnv({ ALLOWED_CHANNEL_IDS: 'C0OPS', QUOTA_WATCH_CHANNEL_ID: 'C0WATCH' }), 'QUOTA_WATCH_CHANNEL_ID', /^must be one of ALLOWED_CHANNEL_IDS/],
    ['a watched region that is not an SES region', httpEnv({ QUOTA_WATCH_REGIONS: 'us-east-1, cn-north-1, mars-1' }), 'QUOTA_WATCH_REGIONS', /^SES region codes such as us-east-1,eu-west-1, .*\(not SES regions: cn-north-1, mars-1\)$/],
    ['a region name instead of a code', httpEnv({ QUOTA_WATCH_REGIONS: 'US East (N. Virginia)' }), 'QUOTA_WATCH_REGIONS', /^SES region codes/],
    ['an upper-case region code', httpEnv({ QUOTA_WATCH_REGIONS: 'US-EAST-1' }), 'QUOTA_WATCH_REGIONS', /not SES regions: US-EAST-1/],
    ['a threshold of 100', httpEnv({ QUOTA_WATCH_THRESHOLD_PERCENT: '100' }), 'QUOTA_WATCH_THRESHOLD_PERCENT', /^a whole number of percent from 11 to 99 \(the watch re-arms 10 points below it\)$/],
    ['a threshold of 10', httpEnv({ QUOTA_WATCH_THRESHOLD_PERCENT: '10' }), 'QUOTA_WATCH_THRESHOLD_PERCENT', /from 11 to 99/],
    ['a threshold with a percent sign', httpEnv({ QUOTA_WATCH_THRESHOLD_PERCENT: '80%' }), 'QUOTA_WATCH_THRESHOLD_PERCENT', /from 11 to 99/],
    ['a fractional threshold', httpEnv({ QUOTA_WATCH_THRESHOLD_PERCENT: '80.5' }), 'QUOTA_WATCH_THRESHOLD_PERCENT', /whole number of percent/],
    ['a watch interval of zero', httpEnv({ QUOTA_WATCH_INTERVAL_MINUTES: '0' }), 'QUOTA_WATCH_INTERVAL_MINUTES', /^a whole number of minutes from 1 to 1440$/],
    ['a watch interval over a day', httpEnv({ QUOTA_WATCH_INTERVAL_MINUTES: '1441' }), 'QUOTA_WATCH_INTERVAL_MINUTES', /^a whole number of minutes from 1 to 1440$/],
    ['a watch interval with a unit', httpEnv({ QUOTA_WATCH_INTERVAL_MINUTES: '15m' }), 'QUOTA_WATCH_INTERVAL_MINUTES', /^a whole number of minutes/],
  ])('refuses %s', (_, env, variable, problem) => {
    const err = configError(env);
    expect(err.problems.map((p) => p.variable)).toEqual([variable]);
    expect(err.problems[0]!.problem).toMatch(problem);
    expect(err.message).toContain(`  - ${variable}: `);
  });
});

describe('loadConfig: secrets stay out of error messages', () => {
  function expectNotLeaked(err: ConfigError, secrets: string[]): void {
    const everything = [err.message, String(err), err.stack ?? '', JSON.stringify(err.problems)].join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
  }

  it('does not echo malformed tokens or signing secrets', () => {
    const secrets = ['xoxp-LEAKED-bot-token-1234', 'xoxb-LEAKED-app-token-5678', 'LEAKED!signing#secret'];
    const err = configError({ SLACK_BOT_TOKEN: secrets[0], SLACK_APP_TOKEN: secrets[1], SLACK_SIGNING_SECRET: secrets[2] });
    expect(badVariables(err)).toEqual(['SLACK_APP_TOKEN', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']);
    expectNotLeaked(err, secrets);
  });

  it('does not echo valid secrets when other settings are wrong', () => {
    const err = configError(socketEnv({ SLACK_SIGNING_SECRET: SIGNING_SECRET, PORT: 'x', LOG_LEVEL: 'loud' }));
    expect(badVariables(err)).toEqual(['LOG_LEVEL', 'PORT']);
    expectNotLeaked(err, [BOT_TOKEN, APP_TOKEN, SIGNING_SECRET]);
  });

  it('accepts a PostgreSQL DATABASE_URL', () => {
    expect(loadConfig(httpEnv({ DATABASE_URL: 'postgres://ses:pw@db.internal:5432/ses' })).databaseUrl).toBe('postgres://ses:pw@db.internal:5432/ses');
    expect(loadConfig(httpEnv({ DATABASE_URL: 'postgresql://db.internal/ses' })).databaseUrl).toBe('postgresql://db.internal/ses');
  });

  it('does not echo a database password', () => {
    const err = configError(httpEnv({ DATABASE_URL: 'mysql://ses:LEAKEDdbPassword@db.internal:5432/ses' }));
    expectNotLeaked(err, ['LEAKEDdbPassword']);
  });
});

describe('loadConfig: AWS_ACCOUNTS_FILE', () => {
  let dir: string;
  let count = 0;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ses-bot-accounts-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes `yaml` to a new file under the temp directory and returns its path. */
  function accountsFile(yaml: string): string {
    const file = join(dir, `accounts-${++count}.yaml`);
    writeFileSync(file, yaml);
    return file;
  }

  const PROD = 'arn:aws:iam::111111111111:role/ses-support-bot';
  const STAGING = 'arn:aws:iam::222222222222:role/ses-support-bot';
  const TWO_ACCOUNTS = `# the issue's example
accounts:
  - name: prod                 # letters, digits, - and _
    roleArn: ${PROD}
    externalId: optional-string
    channels: [C0123ABCD, C0456EFGH]
  - name: staging
    roleArn: ${STAGING}
    channels: [C0456EFGH]
`;

  it('reads every account of the file, with its account id from the role ARN', () => {
    const config = loadConfig(httpEnv({ AWS_ACCOUNTS_FILE: accountsFile(TWO_ACCOUNTS) }));
    expect(config.accounts).toStrictEqual([
      { name: 'prod', roleArn: PROD, accountId: '111111111111', externalId: 'optional-string', channels: ['C0123ABCD', 'C0456EFGH'] },
      { name: 'staging', roleArn: STAGING, accountId: '222222222222', externalId: undefined, channels: ['C0456EFGH'] },
    ]);
  });

  it('accepts channels within ALLOWED_CHANNEL_IDS, a watch channel of an account, and other partitions', () => {
    const file = accountsFile(`accounts:
  - name: cn_prod-2
    roleArn: arn:aws-cn:iam::333333333333:role/path/ses-bot
    externalId: "0123456789"
    channels:
      - G0PRIVATE
      - G0PRIVATE
`);
    const config = loadConfig(httpEnv({ AWS_ACCOUNTS_FILE: ` ${file} `, ALLOWED_CHANNEL_IDS: 'C0OPS,G0PRIVATE', QUOTA_WATCH_CHANNEL_ID: 'G0PRIVATE' }));
    expect(config.accounts).toStrictEqual([
      { name: 'cn_prod-2', roleArn: 'arn:aws-cn:iam::333333333333:role/path/ses-bot', accountId: '333333333333', externalId: '0123456789', channels: ['G0PRIVATE'] },
    ]);
  });

  it.each([undefined, '', '  '])('is one default account (accounts undefined) when AWS_ACCOUNTS_FILE is %j', (value) => {
    expect(loadConfig(httpEnv({ AWS_ACCOUNTS_FILE: value })).accounts).toBeUndefined();
  });

  const account = (lines: string) => `accounts:\n  - name: prod\n    roleArn: ${PROD}\n    channels: [C0123ABCD]\n${lines}`;

  it.each<[string, string, Env, string]>([
    ['an unknown (misspelt) field', 'accounts:\n  - name: prod\n    rolearn: x\n    channels: [C0123ABCD]\n', {},
      'account "prod" (accounts[0]): unknown field rolearn (did you mean roleArn?), expected name, roleArn, externalId, channels, supportEventsQueueUrl'],
    ['an unknown top-level key', 'account:\n  - name: prod\n', {}, 'unknown field account, expected accounts'],
    ['an empty file', '', {}, 'the file is empty or not a YAML mapping: it must hold accounts, a list of accounts'],
    ['a list instead of a mapping', '- name: prod\n', {}, 'the file is empty or not a YAML mapping'],
    ['no accounts', 'accounts: []\n', {}, 'accounts: at least one account'],
    ['accounts that are not a list', 'accounts: prod\n', {}, 'accounts: a list of accounts'],
    ['an account that is not a mapping', 'accounts:\n  - prod\n', {}, 'accounts[0]: a mapping with name, roleArn, channels and optionally externalId'],
    ['an account without a name', account(`  - roleArn: ${STAGING}\n    channels: [C0123ABCD]\n`), {}, 'accounts[1] name: required: up to 32 letters, digits, - and _ such as prod'],
    ['a name with a space', `accounts:\n  - name: prod env\n    roleArn: ${PROD}\n    channels: [C0123ABCD]\n`, {}, 'accounts[0] name: up to 32 letters, digits, - and _ such as prod'],
    ['a name that is a number', `accounts:\n  - name: 42\n    roleArn: ${PROD}\n    channels: [C0123ABCD]\n`, {}, 'accounts[0] name: up to 32 letters, digits, - and _ such as prod (in quotes if it is only digits)'],
    ['two accounts of one name', account(`  - name: prod\n    roleArn: ${STAGING}\n    channels: [C0123ABCD]\n`), {},
      'account "prod" (accounts[1]) name: also the name of accounts[0] (names must be unique, ignoring case)'],
    ['two names differing in case', account(`  - name: PROD\n    roleArn: ${STAGING}\n    channels: [C0123ABCD]\n`), {}, 'account "PROD" (accounts[1]) name: also the name of accounts[0]'],
    ['the reserved name default', `accounts:\n  - name: Default\n    roleArn: ${PROD}\n    channels: [C0123ABCD]\n`, {},
      'account "Default" (accounts[0]) name: "default" is reserved for the bot\'s own credentials'],
    ['a role ARN that is not one', 'accounts:\n  - name: prod\n    roleArn: ses-support-bot\n    channels: [C0123ABCD]\n', {},
      'account "prod" (accounts[0]) roleArn: an IAM role ARN such as arn:aws:iam::111111111111:role/ses-support-bot'],
    ['a user ARN', 'accounts:\n  - name: prod\n    roleArn: arn:aws:iam::111111111111:user/bot\n    channels: [C0123ABCD]\n', {}, 'account "prod" (accounts[0]) roleArn: an IAM role ARN'],
    ['no role ARN', 'accounts:\n  - name: prod\n    channels: [C0123ABCD]\n', {}, 'account "prod" (accounts[0]) roleArn: required: an IAM role ARN'],
    ['a one-character external id', account('    externalId: x\n'), {}, 'account "prod" (accounts[0]) externalId: 2 to 1224 letters, digits and _+=,.@:/-'],
    ['an external id with a space', account('    externalId: my id\n'), {}, 'account "prod" (accounts[0]) externalId: 2 to 1224'],
    ['an external id too long', account(`    externalId: ${'x'.repeat(1225)}\n`), {}, 'account "prod" (accounts[0]) externalId: 2 to 1224'],
    ['an unquoted numeric external id', account('    externalId: 12345\n'), {}, 'account "prod" (accounts[0]) externalId: 2 to 1224 letters, digits and _+=,.@:/- (in quotes if it is only digits)'],
    ['an empty external id', account('    externalId:\n'), {}, 'account "prod" (accounts[0]) externalId: 2 to 1224'],
    ['no channels', `accounts:\n  - name: prod\n    roleArn: ${PROD}\n`, {}, 'account "prod" (accounts[0]) channels: required: a list of the Slack channel ids that may use this account'],
    ['an empty channel list', `accounts:\n  - name: prod\n    roleArn: ${PROD}\n    channels: []\n`, {}, 'account "prod" (accounts[0]) channels: at least one Slack channel id'],
    ['one channel not in a list', `accounts:\n  - name: prod\n    roleArn: ${PROD}\n    channels: C0123ABCD\n`, {}, 'account "prod" (accounts[0]) channels: a list of the Slack channel ids'],
    ['a channel given by name', `accounts:\n  - name: prod\n    roleArn: ${PROD}\n    channels: [C0123ABCD, "#general"]\n`, {}, 'account "prod" (accounts[0]) channels[1]: a Slack channel id such as C012AB3CD'],
    ['a channel where the commands are refused', TWO_ACCOUNTS, { ALLOWED_CHANNEL_IDS: 'C0123ABCD' },
      'account "prod" (accounts[0]) channels[1]: C0456EFGH is not one of ALLOWED_CHANNEL_IDS, so the commands would be refused there'],
    ['a watch channel of no account', TWO_ACCOUNTS, { QUOTA_WATCH_CHANNEL_ID: 'C0WATCH' },
      'accounts: no account has QUOTA_WATCH_CHANNEL_ID C0WATCH in its channels: the quota watch reads the accounts of its channel'],
    ['a YAML syntax error', `accounts:\n  - name: prod\n    roleArn: ${PROD}\n  channels: [C0123ABCD\n`, {}, 'invalid YAML at line 4, column 1: All mapping items must start at the same column; invalid YAML at line 5'],
    ['a key given twice', `accounts:\n  - name: prod\n    name: staging\n`, {}, 'invalid YAML at line 3, column 5: Map keys must be unique'],
    ['a tab as indentation', 'accounts:\n\t- name: prod\n', {}, 'invalid YAML at line 2, column 1: Tabs are not allowed as indentation'],
    ['an alias to no anchor', 'accounts: *prod\n', {}, 'invalid YAML: '],
  ])('refuses %s, naming the file, the account and the field', (_, yaml, env, problem) => {
    const file = accountsFile(yaml);
    const err = configError(httpEnv({ AWS_ACCOUNTS_FILE: file, ...env }));
    expect(err.problems.map((p) => p.variable)).toEqual(['AWS_ACCOUNTS_FILE']);
    expect(err.problems[0]!.problem.slice(0, file.length + 2 + problem.length)).toBe(`${file}: ${problem}`);
    expect(err.message).toContain(`  - AWS_ACCOUNTS_FILE: ${file}: ${problem}`);
  });

  it('says the exact problem of a bad role ARN', () => {
    const file = accountsFile('accounts:\n  - name: prod\n    roleArn: arn:aws:iam::1111:role/x\n    channels: [C0123ABCD]\n');
    expect(configError(httpEnv({ AWS_ACCOUNTS_FILE: file })).problems).toStrictEqual([
      { variable: 'AWS_ACCOUNTS_FILE', problem: `${file}: account "prod" (accounts[0]) roleArn: an IAM role ARN such as arn:aws:iam::111111111111:role/ses-support-bot` },
    ]);
  });

  it('cannot read a file that does not exist, or a directory', () => {
    const missing = join(dir, 'missing.yaml');
    expect(configError(httpEnv({ AWS_ACCOUNTS_FILE: missing })).problems).toStrictEqual([
      { variable: 'AWS_ACCOUNTS_FILE', problem: `cannot read ${missing} (ENOENT: no such file or directory)` },
    ]);
    const directory = join(dir, 'a-directory');
    mkdirSync(directory);
    expect(configError(httpEnv({ AWS_ACCOUNTS_FILE: directory })).problems[0]!.problem).toBe(`cannot read ${directory} (EISDIR: illegal operation on a directory)`);
  });

  it('reports every problem of the file in one, joined by "; ", the first of each place only, at most five', () => {
    const file = accountsFile(`accounts:
  - name: prod
    roleArn: nope
    channels: ["#ops", "#eng"]
  - roleArn: ${STAGING}
    channels: [C0123ABCD]
    externalid: x
  - 7
  - name: prod
    roleArn: ${PROD}
    channels: []
  - name: qa
`);
    const [problem] = configError(httpEnv({ AWS_ACCOUNTS_FILE: file })).problems;
    expect(problem).toStrictEqual({
      variable: 'AWS_ACCOUNTS_FILE',
      problem: [
        `${file}: account "prod" (accounts[0]) roleArn: an IAM role ARN such as arn:aws:iam::111111111111:role/ses-support-bot`,
        'account "prod" (accounts[0]) channels[0]: a Slack channel id such as C012AB3CD',
        'account "prod" (accounts[0]) channels[1]: a Slack channel id such as C012AB3CD',
        'accounts[1]: unknown field externalid (did you mean externalId?), expected name, roleArn, externalId, channels, supportEventsQueueUrl',
        'accounts[1] name: required: up to 32 letters, digits, - and _ such as prod (in quotes if it is only digits)',
        'and 5 more problems',
      ].join('; '),
    });
  });

  it('reports a bad file together with every other bad setting', () => {
    const err = configError({
      SLACK_BOT_TOKEN: 'xoxp-user-token',
      LOG_LEVEL: 'loud',
      AWS_ACCOUNTS_FILE: accountsFile('accounts:\n  - name: prod\n    roleArn: nope\n    channels: [C0123ABCD]\n'),
    });
    expect(badVariables(err)).toEqual(['AWS_ACCOUNTS_FILE', 'LOG_LEVEL', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']);
    expect(err.message.split('\n')).toHaveLength(1 + 4);
  });

  it('reports a missing file together with a watch channel outside ALLOWED_CHANNEL_IDS', () => {
    const err = configError(httpEnv({ AWS_ACCOUNTS_FILE: join(dir, 'gone.yaml'), ALLOWED_CHANNEL_IDS: 'C0OPS', QUOTA_WATCH_CHANNEL_ID: 'C0WATCH' }));
    expect(badVariables(err)).toEqual(['AWS_ACCOUNTS_FILE', 'QUOTA_WATCH_CHANNEL_ID']);
  });
});
