/**
 * The real bot in Socket Mode (SLACK_APP_TOKEN set, no signing secret): Bolt's SocketModeClient
 * calls `apps.connections.open` on the fake Slack, connects a real WebSocket to FakeSocketMode,
 * and every command, submission and ack travels over that socket.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startBot, type RunningBot } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { FakeAws } from '../fakes/fake-aws.js';
import { FakeSlack } from '../fakes/fake-slack.js';
import type { FakeSocketMode } from '../fakes/fake-socket-mode.js';
import { AWS_SECRET, BOT_TOKEN, CHANNEL, REQUESTER, logCapture, pointAwsSdkAt, textOf, validQuotaInputs } from '../helpers/harness.js';
import { fillState } from '../helpers/slack-requests.js';

const APP_TOKEN = 'xapp-1-A111-222-testapptokenvalue0123';

interface SocketBot {
  slack: FakeSlack;
  socket: FakeSocketMode;
  aws: FakeAws;
  bot: RunningBot | undefined;
  logs: string[];
  /** Starts the bot against the fakes (resolves once the socket said hello); `env` overrides. */
  boot(env?: Record<string, string>): Promise<RunningBot>;
  healthz(): Promise<Response>;
  close(): Promise<void>;
}

/** Fake Slack (with Socket Mode on) and fake AWS; the bot itself starts with `boot()`. */
async function socketModeFakes(): Promise<SocketBot> {
  const slack = new FakeSlack();
  const aws = new FakeAws();
  await Promise.all([slack.start(), aws.start()]);
  const socket = await slack.enableSocketMode();
  pointAwsSdkAt(aws);
  const dir = mkdtempSync(join(tmpdir(), 'ses-bot-socket-'));
  const { logs, sink } = logCapture();

  const fakes: SocketBot = {
    slack,
    socket,
    aws,
    bot: undefined,
    logs,
    async boot(env = {}) {
      const config = loadConfig({
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_API_URL: slack.apiUrl,
        PORT: '0',
        DATABASE_URL: `file:${join(dir, 'bot.sqlite')}`,
        LOG_LEVEL: 'debug',
        AWS_REGION: 'us-east-1',
        // The Support-case path, whose thread these tests follow (Service Quotas: service-quotas.test.ts).
        QUOTA_FILING: 'support-case',
        ...env,
      });
      expect(config.slack.mode).toBe('socket');
      const logger = createLogger({ level: config.logLevel, destination: sink, secrets: [BOT_TOKEN, APP_TOKEN, AWS_SECRET] });
      fakes.bot = await startBot(config, logger);
      return fakes.bot;
    },
    healthz() {
      if (!fakes.bot) throw new Error('boot() first');
      return fetch(`http://127.0.0.1:${fakes.bot.port}/healthz`);
    },
    async close() {
      await fakes.bot?.stop();
      fakes.bot = undefined;
      // bot.stop() returns before the socket's close handshake is done (Bolt's SocketModeReceiver
      // does not await it); cutting it short makes the SDK log a WebSocket error and leak a 30 s timer.
      await slack.waitFor(() => socket.openConnections === 0, 2000, 'the bot to close its socket').catch(() => undefined);
      await Promise.all([slack.stop(), aws.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fakes;
}

/** Sends /ses-quota over the socket; returns its ack and the modal once it shows the current quota. */
async function openQuotaModal(t: SocketBot) {
  const opens = t.slack.callsTo('views.open').length;
  const ack = await t.socket.sendCommand({ command: '/ses-quota', userId: REQUESTER, channelId: CHANNEL });
  const envelope = t.socket.envelopes.at(-1)!;
  await t.slack.waitFor(() => t.slack.callsTo('views.open').length > opens, 5000, 'views.open for this command');
  const openedWith = t.slack.callsTo('views.open').at(-1)!;
  // The quota is in the opened view when the bot had it at hand, else in an update moments later.
  const view = await t.slack.waitFor(() => {
    const v = t.slack.latestView()!;
    return JSON.stringify(v.blocks).includes('looking up the current quota') ? undefined : v;
  }, 5000, 'the modal to show the current quota');
  return { ack, envelope, openedWith, view };
}

let t: SocketBot;
beforeEach(async (ctx) => {
  t = await socketModeFakes();
  ctx.onTestFailed(() => {
    console.error(`--- bot log (last 60 lines) ---\n${t.logs.slice(-60).join('\n')}`);
  });
});
afterEach(async () => {
  await t.close();
});

describe('Socket Mode', () => {
  it('connects with the app token, then says healthy on /healthz, serves /metrics and no HTTP events endpoint', async () => {
    const bot = await t.boot();

    const opens = t.slack.callsTo('apps.connections.open');
    expect(opens).toHaveLength(1);
    expect(opens[0]!.token).toBe(APP_TOKEN);
    // The bot token, not the app token, is what the Web API calls use.
    expect(t.slack.callsTo('auth.test')[0]!.token).toBe(BOT_TOKEN);
    expect(t.socket.connectionCount).toBe(1);
    expect(t.socket.openConnections).toBe(1);

    const health = await t.healthz();
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    // /metrics on the same small server, the Web API calls already counted.
    const metrics = await fetch(`http://127.0.0.1:${bot.port}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^ses_bot_slack_api_calls_total\{method="auth\.test",outcome="ok"\} [1-9]/m);
    // Socket Mode takes no Slack requests over HTTP.
    const events = await fetch(`http://127.0.0.1:${bot.port}/slack/events`, { method: 'POST', body: '{}' });
    expect(events.status).toBe(404);
    // Nothing in the log carries the app token.
    expect(t.logs.join('\n')).not.toContain(APP_TOKEN);
  });

  it('opens the modal from /ses-quota, acks a submission with response_action update and files exactly one case', async () => {
    await t.boot();
    t.aws.setAccount('us-east-1', { SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 1234 }, ProductionAccessEnabled: true });

    const { ack, envelope, openedWith, view } = await openQuotaModal(t);
    expect(ack.payload).toEqual({});
    expect(ack.elapsedMs).toBeLessThan(3000);
    expect(openedWith.token).toBe(BOT_TOKEN);
    expect(openedWith.args.trigger_id).toBe(envelope.payload.trigger_id);
    expect(openedWith.args.view.callback_id).toBe('ses_quota_request');
    expect(textOf(view.blocks)).toContain('50,000 emails per 24 hours · 14 emails per second · 1,234 sent in the last 24 hours · production');

    const submitted = await t.socket.sendViewSubmission({ view, values: fillState(view, validQuotaInputs()), userId: REQUESTER });
    expect(submitted.payload.response_action).toBe('update');
    expect(submitted.payload.view?.type).toBe('modal');
    expect(submitted.elapsedMs).toBeLessThan(3000);

    const awsCase = await t.aws.waitFor(() => t.aws.latestCase());
    const root = await t.slack.waitFor(() =>
      t.slack.rootMessages(CHANNEL).find((m) => textOf(m.blocks).includes(`Case ${awsCase.displayId}`)),
    );
    const text = textOf(root.blocks);
    expect(text).toContain(`<@${REQUESTER}>`);
    expect(text).toContain(`https://console.aws.amazon.com/support/home#/case/?displayId=${awsCase.displayId}`);
    expect(t.aws.callsTo('CreateCase')).toHaveLength(1);
    expect(t.aws.callsTo('CreateCase')[0]!.input.subject).toMatch(/^Amazon SES sending limit increase: us-east-1 200,000 per day/);

    // Each envelope was acked exactly once, and the client sent nothing else.
    expect(t.socket.acks.map((a) => a.envelope_id)).toEqual(t.socket.envelopes.map((e) => e.envelope_id));
    expect(t.socket.otherMessages).toEqual([]);
  });

  it('acks an invalid submission with the field errors and files nothing', async () => {
    await t.boot();
    const { view } = await openQuotaModal(t);
    const res = await t.socket.sendViewSubmission({ view, values: fillState(view, { ...validQuotaInputs(), complies_with_aup: 'no' }), userId: REQUESTER });
    expect(res.payload.response_action).toBe('errors');
    expect(Object.keys(res.payload.errors)).toEqual(['complies_with_aup']);
    expect(t.aws.callsTo('CreateCase')).toHaveLength(0);
  });

  it('acks block actions from the modal and Events API envelopes over the socket', async () => {
    await t.boot();
    const { view } = await openQuotaModal(t);
    const addRow = await t.socket.sendBlockAction({
      userId: REQUESTER,
      view,
      values: fillState(view, validQuotaInputs()),
      actions: [{ action_id: 'add_row', block_id: 'add_row' }],
    });
    expect(addRow.payload).toEqual({});
    expect(t.socket.envelopes.at(-1)!.accepts_response_payload).toBe(false);
    await t.slack.waitFor(() => t.slack.latestView(view.id)!.blocks.some((b: any) => b.block_id === 'row:1:region'));

    // The bot subscribes to no events; one arriving anyway is still acked, so Slack does not retry it.
    const event = await t.socket.sendEvent({ type: 'app_mention', user: REQUESTER, channel: CHANNEL, text: '<@UBOT> hi' });
    expect(event.envelope_id).toBe(t.socket.envelopes.at(-1)!.envelope_id);
    expect(event.payload).toEqual({});
  });

  it('reconnects with a fresh URL after a refresh_requested disconnect and keeps working', async () => {
    await t.boot();
    await openQuotaModal(t);

    expect(t.socket.disconnect('refresh_requested')).toBe(1);
    // @slack/socket-mode closes the socket, waits its reconnect delay (clientPingTimeout, 5 s by
    // default; Bolt's App does not expose it) and asks apps.connections.open for a new URL.
    await t.socket.waitForConnection(2, 9000);
    expect(t.slack.callsTo('apps.connections.open')).toHaveLength(2);
    expect(t.socket.rejected).toEqual([]);
    await t.slack.waitFor(() => t.socket.openConnections === 1, 2000, 'the old connection to be closed');

    const health = await t.healthz();
    expect(health.status).toBe(200);

    const { ack, view } = await openQuotaModal(t);
    expect(ack.connection).toBe(2);
    expect(t.slack.callsTo('views.open')).toHaveLength(2);
    expect(view.callback_id).toBe('ses_quota_request');
  });

  it("keeps payloads out of the logs at LOG_LEVEL=debug: the Slack SDKs' own debug output is off", async () => {
    await t.boot({ LOG_LEVEL: 'debug' });
    const marker = `LEAKMARKER${Date.now()}`;
    const responseUrl = t.slack.responseUrl(`RESPONSEURL-${marker}`);
    const opens = t.slack.callsTo('views.open').length;
    const ack = await t.socket.sendCommand({ command: '/ses-quota', text: `please ${marker}`, userId: REQUESTER, channelId: CHANNEL, responseUrl });
    expect(ack.payload).toEqual({});
    await t.slack.waitFor(() => t.slack.callsTo('views.open').length > opens, 5000, 'views.open for this command');
    await t.slack.waitFor(() => t.slack.callsTo('views.update').length > 0, 5000, 'the quota in the modal');
    const all = t.logs.join('\n');
    // The bot ran at debug level; none of what it logged is the command.
    expect(all).toContain('"logLevel":"debug"');
    expect(all).not.toContain(marker);
    expect(all).not.toContain(responseUrl);
    expect(all).not.toContain('/response/');
  });

  it('fails to start, instead of hanging, when Slack refuses the app token', async () => {
    t.slack.inject('apps.connections.open', { error: 'invalid_auth' });
    await expect(t.boot()).rejects.toThrow(/^Slack rejected SLACK_APP_TOKEN \(invalid_auth\). Generate an app-level token with the connections:write scope/);
    expect(t.socket.connectionCount).toBe(0);
  });
});

describe('the fakes themselves', () => {
  it('apps.connections.open wants an app-level token in the Authorization header; app tokens work for nothing else', async () => {
    const withBotToken = new WebClient(BOT_TOKEN, { slackApiUrl: t.slack.apiUrl, retryConfig: { retries: 0 } });
    await expect(withBotToken.apps.connections.open()).rejects.toMatchObject({ data: { ok: false, error: 'invalid_auth' } });
    // As a body field the token does not count.
    const inBody = await fetch(`${t.slack.apiUrl}apps.connections.open`, { method: 'POST', body: new URLSearchParams({ token: APP_TOKEN }) });
    expect(await inBody.json()).toEqual({ ok: false, error: 'invalid_auth' });

    const withAppToken = new WebClient(undefined, { slackApiUrl: t.slack.apiUrl, headers: { Authorization: `Bearer ${APP_TOKEN}` }, retryConfig: { retries: 0 } });
    const opened = await withAppToken.apps.connections.open();
    expect(opened.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f]+&app_id=A111$/);
    await expect(new WebClient(APP_TOKEN, { slackApiUrl: t.slack.apiUrl, retryConfig: { retries: 0 } }).chat.postMessage({ channel: CHANNEL, text: 'hi' })).rejects.toMatchObject({
      data: { error: 'not_allowed_token_type' },
    });

    // A URL is good for one connection, which gets hello first.
    const first = new WebSocket(opened.url!);
    const hello = await new Promise<any>((resolve, reject) => {
      first.once('message', (data) => resolve(JSON.parse(String(data))));
      first.once('error', reject);
    });
    expect(hello).toMatchObject({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A111' } });
    const second = new WebSocket(opened.url!);
    second.on('error', () => undefined); // terminate() below reports the aborted handshake as an error
    const status = await new Promise<number>((resolve) => second.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    second.terminate();
    expect(status).toBe(401);
    expect(t.socket.rejected).toEqual([{ url: expect.stringContaining('/link/?ticket='), reason: 'unknown or used ticket' }]);

    // Acks resolve the send; the fake records what came back.
    first.on('message', (data) => {
      const envelope = JSON.parse(String(data));
      first.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: 'got it' } }));
    });
    const ack = await t.socket.sendCommand({ command: '/ses-quota', userId: REQUESTER, channelId: CHANNEL });
    expect(ack).toMatchObject({ payload: { text: 'got it' }, connection: 1 });
    expect(t.socket.envelopes[0]).toMatchObject({ type: 'slash_commands', accepts_response_payload: true, payload: { command: '/ses-quota' } });
    expect(t.socket.envelopes[0]!.payload.response_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/response\//);
    first.terminate();
  });
});
