/**
 * The baselines for ack latency: a Bolt HTTP app (the bot's Bolt version, the same signing secret
 * and receiver) that acks the requests the bench sends. Same environment variables as the bot:
 * SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL (the fake Slack), PORT.
 *
 * Two modes:
 * - ack only (BARE_SAME_CALLS unset): acks and does nothing else.
 * - same calls (BARE_SAME_CALLS names a JSON file of SameCalls): acks, then makes the outbound
 *   Slack calls the bot makes for each request, with the views the bot sent (taken from the fake
 *   Slack), so that the bot's figures against it isolate the bot's own work: parsing, rendering,
 *   the store, logging.
 *
 * Run with `node --import tsx bench/bare-bolt.ts`.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, LogLevel } from '@slack/bolt';

/** What the same-calls baseline sends: the bot's own views and its answer to the load's view submission. */
export interface SameCalls {
  /**
   * The view of the bot's views.open after /ses-quota. With the account's quota read in the last
   * minute (all through the load) the bot opens the modal with it and sends no views.update.
   */
  commandOpen: unknown;
  /** The view of the bot's views.update after "Add another request". */
  actionUpdate: unknown;
  /** The bot's ack body for the load's view submission (field errors). */
  submissionAck: Record<string, unknown>;
}

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`bare-bolt: ${name} is required`);
  return value;
};

const same = process.env.BARE_SAME_CALLS ? (JSON.parse(readFileSync(process.env.BARE_SAME_CALLS, 'utf8')) as SameCalls) : undefined;
// The views go out as the bot's went: a JSON string each (the WebClient passes a string through).
const asString = (view: unknown): string => (typeof view === 'string' ? view : JSON.stringify(view));

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

if (same) {
  const commandOpen = asString(same.commandOpen);
  const actionUpdate = asString(same.actionUpdate);
  app.command('/ses-quota', async ({ ack, client, body }) => {
    await ack();
    await client.views.open({ trigger_id: body.trigger_id, view: commandOpen as never });
  });
  app.view('ses_quota_request', async ({ ack }) => ack(same.submissionAck as never));
  app.action('add_row', async ({ ack, client, body }) => {
    await ack();
    const view = (body as { view: { id: string; hash: string } }).view;
    await client.views.update({ view_id: view.id, hash: view.hash, view: actionUpdate as never }).catch(() => undefined);
  });
} else {
  app.command('/ses-quota', async ({ ack }) => ack());
  app.view('ses_quota_request', async ({ ack }) => ack());
  app.action('add_row', async ({ ack }) => ack());
}
app.command('/ses-dedicated-ip', async ({ ack }) => ack());
app.event('message', async () => undefined);

await app.init();
await app.start(Number(env('PORT')));

const stop = () => {
  app.stop().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
