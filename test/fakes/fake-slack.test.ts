// Proves FakeSlack speaks the real Web API protocol: every check drives it with the real
// @slack/web-api WebClient.
import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../helpers/rejection.js';
import { FakeSlack } from './fake-slack.js';

describe('FakeSlack with the real WebClient', () => {
  const slack = new FakeSlack();
  let client: WebClient;

  beforeAll(async () => {
    await slack.start();
    client = new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
  });
  afterAll(() => slack.stop());
  afterEach(() => slack.reset());

  it('answers auth.test with the bot identity and records the bearer token', async () => {
    const res = await client.auth.test();
    expect(res).toMatchObject({ ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T111' });
    expect(slack.calls).toHaveLength(1);
    expect(slack.calls[0]).toMatchObject({ method: 'auth.test', token: 'xoxb-test' });
    expect(slack.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('posts, threads and updates messages, decoding JSON-encoded blocks', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'Case *filed*' } }];
    const root = await client.chat.postMessage({ channel: 'C1', text: '[x] looks like JSON', blocks, unfurl_links: false });
    expect(root.ok).toBe(true);
    const reply = await client.chat.postMessage({ channel: 'C1', text: 'reply', thread_ts: root.ts! });
    expect(Number(reply.ts)).toBeGreaterThan(Number(root.ts));
    expect(root.message).toMatchObject({ user: 'UBOT', bot_id: 'BBOT', ts: root.ts, blocks });

    const call = slack.callsTo('chat.postMessage')[0]!;
    expect(call.args.blocks).toEqual(blocks);
    expect(call.args.text).toBe('[x] looks like JSON');
    expect(call.args.unfurl_links).toBe('false'); // form fields arrive as strings

    expect(slack.rootMessages('C1').map((m) => m.ts)).toEqual([root.ts]);
    expect(slack.threadReplies('C1', root.ts!).map((m) => m.text)).toEqual(['reply']);

    await client.chat.update({ channel: 'C1', ts: root.ts!, text: 'edited' });
    expect(slack.message('C1', root.ts!)).toMatchObject({ text: 'edited', edits: 1, blocks });

    const missing = await rejection(client.chat.update({ channel: 'C1', ts: '1.2', text: 'x' }));
    expect(missing).toBeInstanceOf(WebAPIPlatformError);
    expect(missing.data.error).toBe('message_not_found');

    const eph = await client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'only you' });
    expect(eph.message_ts).toBeTruthy();
    expect(slack.ephemerals[0]).toMatchObject({ channel: 'C1', user: 'U1', text: 'only you' });
  });

  it('refuses channels the bot is not in', async () => {
    slack.notInChannel.add('CPRIVATE');
    const err = await rejection(client.chat.postMessage({ channel: 'CPRIVATE', text: 'hi' }));
    expect(err.data.error).toBe('not_in_channel');
    const eph = await rejection(client.chat.postEphemeral({ channel: 'CPRIVATE', user: 'U1', text: 'hi' }));
    expect(eph.data.error).toBe('not_in_channel');
  });

  it('opens, updates and pushes views, detecting hash conflicts', async () => {
    const modal = { type: 'modal' as const, callback_id: 'quota', title: { type: 'plain_text' as const, text: 'Quota' }, blocks: [] };
    const opened = await client.views.open({ trigger_id: '1.2.3', view: modal });
    expect(opened.view).toMatchObject({ id: 'V0001', callback_id: 'quota', team_id: 'T111', type: 'modal', state: { values: {} } });
    const firstHash = opened.view!.hash!;

    const updated = await client.views.update({ view_id: 'V0001', hash: firstHash, view: { ...modal, private_metadata: 'm1' } });
    expect(updated.view!.hash).not.toBe(firstHash);
    expect(slack.latestView()).toMatchObject({ id: 'V0001', private_metadata: 'm1' });

    const conflict = await rejection(client.views.update({ view_id: 'V0001', hash: firstHash, view: modal }));
    expect(conflict.data.error).toBe('hash_conflict');

    const pushed = await client.views.push({ trigger_id: '4.5.6', view: { ...modal, callback_id: 'confirm' } });
    expect(pushed.view).toMatchObject({ id: 'V0002', previous_view_id: 'V0001', root_view_id: 'V0001' });
    expect(slack.latestView()?.callback_id).toBe('confirm');
    expect(slack.latestView('V0001')?.callback_id).toBe('quota');

    const noTrigger = await rejection(client.apiCall('views.open', { view: modal }));
    expect(noTrigger.data.error).toBe('invalid_arguments');
  });

  it('injects errors, 5xx and delays, consumed in order', async () => {
    slack.inject('chat.postMessage', { error: 'channel_not_found' });
    slack.inject('chat.postMessage', { status: 503 });
    slack.inject('chat.postMessage', { delayMs: 50 });
    expect((await rejection(client.chat.postMessage({ channel: 'C1', text: 'a' }))).data.error).toBe('channel_not_found');
    const http = await rejection(client.chat.postMessage({ channel: 'C1', text: 'b' }));
    expect(http).toBeInstanceOf(WebAPIHTTPError);
    expect(http.statusCode).toBe(503);
    const started = Date.now();
    await client.chat.postMessage({ channel: 'C1', text: 'c' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(slack.messages.map((m) => m.text)).toEqual(['c']);
    expect(slack.callsTo('chat.postMessage').map((c) => Boolean(c.fault))).toEqual([true, true, false]);
    expect(slack.pendingFaults()).toEqual([]);
  });

  it('answers 429 with Retry-After, which WebClient surfaces as a rate-limit error', async () => {
    const strict = new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    slack.inject('chat.update', { status: 429, retryAfterSeconds: 7, times: 2 });
    const err = await rejection(strict.chat.update({ channel: 'C1', ts: '1.1', text: 'x' }));
    expect(err).toBeInstanceOf(WebAPIRateLimitedError);
    expect(err.retryAfter).toBe(7);
    expect(slack.pendingFaults()).toMatchObject([{ key: 'chat.update', left: 1 }]);
  });

  it('answers unknown methods with unknown_method and calls without a token with not_authed', async () => {
    expect((await rejection(client.apiCall('conversations.kick', { channel: 'C1' }))).data.error).toBe('unknown_method');
    const anonymous = new WebClient(undefined, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    expect((await rejection(anonymous.auth.test())).data.error).toBe('not_authed');
    // A token in the body counts too.
    await anonymous.auth.test({ token: 'xoxb-body' });
    expect(slack.calls.at(-1)?.token).toBe('xoxb-body');
  });

  it('records response_url posts and times out waits with a useful message', async () => {
    const res = await fetch(slack.responseUrl('cmd-1'), { method: 'POST', body: JSON.stringify({ text: 'done' }) });
    expect(await res.text()).toBe('ok');
    expect(slack.responses).toEqual([{ id: 'cmd-1', body: { text: 'done' } }]);
    await client.auth.test();
    expect((await slack.waitForCall('auth.test')).token).toBe('xoxb-test');
    const err = await rejection(slack.waitForCall('views.open', (c) => c.args.trigger_id === 'x', 60));
    expect(err.message).toMatch(/Timed out after 60 ms waiting for a views.open call matching/);
    expect(err.message).toMatch(/Slack calls so far: auth.test/);
  });
});
