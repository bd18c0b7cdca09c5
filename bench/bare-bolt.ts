/**
 * The baseline for ack latency: a Bolt HTTP app (the bot's Bolt version, the same signing
 * secret and receiver) that only acks the requests the bench sends. Same environment variables
 * as the bot: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL (the fake Slack), PORT.
 * Run with `node --import tsx bench/bare-bolt.ts`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, LogLevel } from '@slack/bolt';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`bare-bolt: ${name} is required`);
  return value;
};

const app = new App({
  token: env('SLACK_BOT_TOKEN'),
  signingSecret: env('SLACK_SIGNING_SECRET'),
  logLevel: LogLevel.ERROR,
  deferInitialization: true,
  clientOptions: { slackApiUrl: env('SLACK_API_URL') },
  customRoutes: [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      },
    },
  ],
});

app.command('/ses-quota', async ({ ack }) => ack());
app.command('/ses-dedicated-ip', async ({ ack }) => ack());
app.view('ses_quota_request', async ({ ack }) => ack());
app.action('add_row', async ({ ack }) => ack());
app.event('message', async () => undefined);

await app.init();
await app.start(Number(env('PORT')));

const stop = () => {
  app.stop().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
