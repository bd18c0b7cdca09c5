// Proves SlackRequester speaks Slack's inbound protocol: signed slash commands, interactivity
// payloads and Events API envelopes go through Bolt's real HTTP receiver.
import { App, LogLevel } from '@slack/bolt';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillState, sign, SlackRequester } from '../helpers/slack-requests.js';
import { FakeSlack } from './fake-slack.js';

describe('SlackRequester against a real Bolt app', () => {
  const slack = new FakeSlack();
  const secret = 'test-signing-secret';
  const seen: { kind: string; body: any }[] = [];
  let app: App;
  let requester: SlackRequester;

  const modal = {
    type: 'modal' as const,
    callback_id: 'quota',
    title: { type: 'plain_text' as const, text: 'Quota' },
    submit: { type: 'plain_text' as const, text: 'File' },
    blocks: [
      { type: 'input', block_id: 'rate', label: { type: 'plain_text', text: 'Rate' }, element: { type: 'number_input', action_id: 'v', is_decimal_allowed: false } },
      {
        type: 'input',
        block_id: 'region',
        label: { type: 'plain_text', text: 'Region' },
        element: {
          type: 'static_select',
          action_id: 'v',
          option_groups: [
            { label: { type: 'plain_text', text: 'EU' }, options: [{ text: { type: 'plain_text', text: 'Ireland' }, value: 'eu-west-1' }] },
          ],
          initial_option: { text: { type: 'plain_text', text: 'Ireland' }, value: 'eu-west-1' },
        },
      },
      {
        type: 'input',
        block_id: 'ack',
        optional: true,
        label: { type: 'plain_text', text: 'Terms' },
        element: {
          type: 'checkboxes',
          action_id: 'v',
          options: [
            { text: { type: 'plain_text', text: 'AUP' }, value: 'aup' },
            { text: { type: 'plain_text', text: 'Bounces' }, value: 'bounces' },
          ],
        },
      },
      { type: 'input', block_id: 'note', optional: true, label: { type: 'plain_text', text: 'Note' }, element: { type: 'plain_text_input', action_id: 'v', initial_value: 'n/a' } },
    ],
  };

  beforeAll(async () => {
    await slack.start();
    app = new App({ token: 'xoxb-test', signingSecret: secret, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: slack.apiUrl } });
    app.command('/ses-quota', async ({ ack, command, client, respond }) => {
      await ack();
      await client.views.open({ trigger_id: command.trigger_id, view: modal });
      await respond({ text: `opened for ${command.text}` });
    });
    app.view('quota', async ({ ack, view, body }) => {
      seen.push({ kind: 'view', body: { values: view.state.values, user: body.user.id } });
      await ack({ response_action: 'errors', errors: { rate: 'too high' } });
    });
    app.action('approve', async ({ ack, body }) => {
      await ack();
      seen.push({ kind: 'action', body });
    });
    app.event('message', async ({ event }) => {
      seen.push({ kind: 'event', body: event });
    });
    const server = await app.start({ port: 0, host: '127.0.0.1' });
    const { port } = server.address() as AddressInfo;
    requester = new SlackRequester(`http://127.0.0.1:${port}`, secret, { responseUrl: (id) => slack.responseUrl(id) });
  });
  afterAll(async () => {
    await app.stop();
    await slack.stop();
  });

  it('runs a slash command through Bolt into the fake Slack, then submits the modal', async () => {
    const res = await requester.command({ command: '/ses-quota', text: 'eu-west-1', userId: 'U1', channelId: 'C1' });
    expect(res.status).toBe(200);
    const view = await slack.waitFor(() => slack.latestView());
    expect(view.callback_id).toBe('quota');
    await slack.waitFor(() => slack.responses[0]);
    expect(slack.responses[0]!.body).toMatchObject({ text: 'opened for eu-west-1' });

    const values = fillState(view, { rate: '20', ack: ['aup', 'bounces'] });
    expect(values).toEqual({
      rate: { v: { type: 'number_input', value: '20' } },
      region: { v: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'Ireland' }, value: 'eu-west-1' } } },
      ack: {
        v: {
          type: 'checkboxes',
          selected_options: [
            { text: { type: 'plain_text', text: 'AUP' }, value: 'aup' },
            { text: { type: 'plain_text', text: 'Bounces' }, value: 'bounces' },
          ],
        },
      },
      note: { v: { type: 'plain_text_input', value: 'n/a' } },
    });
    const submitted = await requester.viewSubmission({ view, values, userId: 'U1' });
    expect(submitted.status).toBe(200);
    expect(submitted.json).toEqual({ response_action: 'errors', errors: { rate: 'too high' } });
    expect(seen.at(-1)).toEqual({ kind: 'view', body: { values, user: 'U1' } });
  });

  it('fillState refuses unknown blocks and options', () => {
    expect(() => fillState(modal, { nope: 'x' })).toThrow(/no input block "nope".*rate, region, ack, note/);
    expect(() => fillState(modal, { region: 'mars-1' })).toThrow(/no option with value "mars-1"/);
    expect(fillState(modal, { region: undefined, note: undefined }).region).toEqual({ v: { type: 'static_select', selected_option: null } });
  });

  it('delivers message block actions and events', async () => {
    const action = await requester.blockAction({ userId: 'U2', channelId: 'C1', messageTs: '1700000000.000100', actions: [{ action_id: 'approve', value: 'case-1' }] });
    expect(action.status).toBe(200);
    await slack.waitFor(() => seen.find((s) => s.kind === 'action'));
    const body = seen.find((s) => s.kind === 'action')!.body;
    expect(body).toMatchObject({ container: { type: 'message', channel_id: 'C1' }, channel: { id: 'C1' }, actions: [{ value: 'case-1' }] });
    expect(body.response_url).toContain('/response/');

    const view = slack.latestView()!;
    const values = fillState(view, { rate: '5' });
    await requester.blockAction({ userId: 'U2', view, values, actions: [{ action_id: 'approve', block_id: 'region', type: 'static_select' }] });
    const fromView = await slack.waitFor(() => seen.filter((s) => s.kind === 'action')[1]?.body);
    expect(fromView).toMatchObject({ container: { type: 'view', view_id: view.id }, view: { id: view.id, state: { values } } });

    const ev = await requester.event({ type: 'message', user: 'U3', text: 'more detail', ts: '1700000001.000100', thread_ts: '1700000000.000100', channel: 'C1', channel_type: 'channel' });
    expect(ev.status).toBe(200);
    const event = await slack.waitFor(() => seen.find((s) => s.kind === 'event')?.body);
    expect(event).toMatchObject({ text: 'more detail', thread_ts: '1700000000.000100' });
  });

  it('is rejected by Bolt when the signature or timestamp is wrong', async () => {
    const body = JSON.stringify({ type: 'event_callback', event: { type: 'message' } });
    expect((await requester.raw(body, 'application/json', { signature: 'v0=deadbeef' })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 600;
    expect((await requester.raw(body, 'application/json', { timestamp: stale })).status).toBe(401);
    expect(sign('s', '1', 'b')).toMatch(/^v0=[0-9a-f]{64}$/);
  });
});
