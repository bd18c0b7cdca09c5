/**
 * The bot as a real child process (src/main.ts through tsx), for tests that kill it with
 * SIGKILL or run several replicas. It finds its port from its own start-up log line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SlackRequester, fillState } from './slack-requests.js';
import { AWS_KEY_ID, AWS_SECRET, BOT_TOKEN, CHANNEL, REQUESTER, SIGNING_SECRET } from './harness.js';
import type { FakeAws } from '../fakes/fake-aws.js';
import type { FakeSlack } from '../fakes/fake-slack.js';

const MAIN = resolve(import.meta.dirname, '../../src/main.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface ChildBot {
  child: ChildProcess;
  port: number;
  url: string;
  requester: SlackRequester;
  output: string[];
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startChildBot(opts: { slack: FakeSlack; aws: FakeAws; databaseUrl: string; cwd: string; env?: Record<string, string> }): Promise<ChildBot> {
  const child = spawn(process.execPath, ['--import', TSX, MAIN], {
    cwd: opts.cwd,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_NO_WARNINGS: '1',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: opts.slack.apiUrl,
      PORT: '0',
      DATABASE_URL: opts.databaseUrl,
      LOG_LEVEL: 'info',
      POLL_INTERVAL_SECONDS: '1',
      // The Support-case path unless a test asks for Service Quotas.
      QUOTA_FILING: 'support-case',
      AWS_ENDPOINT_URL_SUPPORT: opts.aws.url,
      AWS_ENDPOINT_URL_SESV2: opts.aws.url,
      AWS_ENDPOINT_URL_SERVICE_QUOTAS: opts.aws.url,
      AWS_ENDPOINT_URL_STS: opts.aws.url,
      AWS_ENDPOINT_URL_SQS: opts.aws.url,
      AWS_ACCESS_KEY_ID: AWS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: AWS_SECRET,
      AWS_REGION: 'eu-west-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (d) => output.push(String(d)));
  child.stderr!.on('data', (d) => output.push(String(d)));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const deadline = Date.now() + 20_000;
  let port: number | undefined;
  while (port === undefined) {
    const match = /"port":(\d+)[^\n]*SES support bot is running/.exec(output.join(''));
    if (match) port = Number(match[1]);
    else if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the bot did not start:\n${output.join('')}`);
    else await new Promise((r) => setTimeout(r, 25));
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    child,
    port,
    url,
    requester: new SlackRequester(url, SIGNING_SECRET, { responseUrl: (id) => opts.slack.responseUrl(id) }),
    output,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child.exitCode === null) child.kill(signal);
      await exited;
    },
  };
}

/**
 * Opens /ses-dedicated-ip through `opener`, switches it to Relinquish through `switcher` and
 * submits it (through each bot in `submitters`) for addresses of the fake's eu-west-1 inventory.
 * Returns the answers to the submissions.
 */
export async function submitRelinquishment(slack: FakeSlack, addresses: string[], opener: ChildBot, switcher = opener, submitters: ChildBot[] = [opener]) {
  const before = slack.callsTo('views.update').length;
  await opener.requester.command({ command: '/ses-dedicated-ip', userId: REQUESTER, channelId: CHANNEL });
  await slack.waitFor(() => slack.callsTo('views.update').length > before, 10_000, 'the inventory in the modal');
  const view = slack.latestView()!;
  const switched = slack.callsTo('views.update').length;
  await switcher.requester.blockAction({
    userId: REQUESTER,
    view,
    values: fillState(view, { dip_action: 'relinquish', 'row:0:region': 'eu-west-1', contact_language: 'en' }),
    actions: [{ action_id: 'dip_action', block_id: 'dip_action', type: 'radio_buttons' }],
  });
  await slack.waitFor(() => slack.callsTo('views.update').length > switched, 10_000, 'the relinquish form');
  const form = slack.latestView()!;
  const values = fillState(form, { dip_action: 'relinquish', 'row:0:region': 'eu-west-1', 'row:0:addresses': addresses, dip_note: undefined, contact_language: 'en' });
  return Promise.all(submitters.map((bot) => bot.requester.viewSubmission({ view: form, values, userId: REQUESTER })));
}
