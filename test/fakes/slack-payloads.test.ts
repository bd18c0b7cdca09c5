// One builder for what Slack sends (test/helpers/slack-payloads.ts): the signed-HTTP requester
// and the fake Socket Mode server deliver the same payloads, only wrapped differently.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { blockActionsPayload, commandFields, DEFAULT_APP, eventEnvelope, viewSubmissionPayload } from '../helpers/slack-payloads.js';
import { SlackRequester, type SlackResponse } from '../helpers/slack-requests.js';
import { FakeSocketMode } from './fake-socket-mode.js';

type Json = Record<string, any>;

/** A SlackRequester that keeps each body instead of posting it. */
class CapturingRequester extends SlackRequester {
  readonly bodies: { body: string; contentType: string }[] = [];
  override async raw(body: string, contentType: string): Promise<SlackResponse> {
    this.bodies.push({ body, contentType });
    return { status: 200, body: '' };
  }
  /** The last payload, decoded from its form or JSON body. */
  last(): Json {
    const { body, contentType } = this.bodies.at(-1)!;
    if (contentType === 'application/json') return JSON.parse(body);
    const form = Object.fromEntries(new URLSearchParams(body));
    return form.payload ? JSON.parse(form.payload) : form;
  }
}

/** Fields that are fresh per delivery (ids, times), blanked so that two deliveries compare. */
function withoutFreshIds(payload: Json): Json {
  const copy = structuredClone(payload);
  for (const key of ['trigger_id', 'response_url', 'event_id', 'event_time', 'event_context']) if (key in copy) copy[key] = '*';
  for (const action of copy.actions ?? []) action.action_ts = '*';
  return copy;
}

describe('the HTTP requester and the Socket Mode fake send the same payloads', () => {
  const socket = new FakeSocketMode();
  const http = new CapturingRequester('http://127.0.0.1:9', 'secret');
  let client: WebSocket;

  beforeAll(async () => {
    await socket.start();
    client = new WebSocket(socket.issueUrl());
    // Acks every envelope with an empty payload, as Bolt does for a bare ack().
    client.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.envelope_id) client.send(JSON.stringify({ envelope_id: message.envelope_id, payload: {} }));
    });
    await socket.waitForConnection();
  });
  afterAll(async () => {
    client.close();
    await socket.stop();
  });

  const VIEW = { id: 'V0001', callback_id: 'ses_quota_request', blocks: [], private_metadata: '{}' };

  it('a slash command: the same fields, as a form body or as the envelope payload', async () => {
    const input = { command: '/ses-quota', text: 'status', userId: 'U0REQUEST', channelId: 'C0SESOPS' };
    await http.command(input);
    await socket.sendCommand(input);
    const envelope = socket.envelopes.at(-1)!;
    expect(envelope).toMatchObject({ type: 'slash_commands', accepts_response_payload: true });
    expect(withoutFreshIds(envelope.payload)).toEqual(withoutFreshIds(http.last()));
    expect(http.last()).toMatchObject({ command: '/ses-quota', text: 'status', user_id: 'U0REQUEST', channel_id: 'C0SESOPS', team_id: 'T111' });
  });

  it('a view submission and a block action from a modal', async () => {
    const values = { rate: { rate: { type: 'plain_text_input', value: '5' } } };
    await http.viewSubmission({ view: VIEW, values, userId: 'U0REQUEST' });
    await socket.sendViewSubmission({ view: VIEW, values, userId: 'U0REQUEST' });
    expect(socket.envelopes.at(-1)).toMatchObject({ type: 'interactive', accepts_response_payload: true });
    expect(withoutFreshIds(socket.envelopes.at(-1)!.payload)).toEqual(withoutFreshIds(http.last()));

    const action = { userId: 'U0REQUEST', view: VIEW, values, actions: [{ action_id: 'add_row', block_id: 'add_row' }] };
    await http.blockAction(action);
    await socket.sendBlockAction(action);
    expect(socket.envelopes.at(-1)).toMatchObject({ type: 'interactive', accepts_response_payload: false });
    expect(withoutFreshIds(socket.envelopes.at(-1)!.payload)).toEqual(withoutFreshIds(http.last()));
  });

  it('an event: the same Events API callback, in an HTTP body or an events_api envelope', async () => {
    const event = { type: 'message', channel: 'C0SESOPS', user: 'U0REQUEST', text: 'confirm', ts: '1700000001.000100', thread_ts: '1700000000.000100' };
    await http.event(event);
    await socket.sendEvent(event);
    expect(socket.envelopes.at(-1)).toMatchObject({ type: 'events_api', accepts_response_payload: false, retry_attempt: 0 });
    expect(withoutFreshIds(socket.envelopes.at(-1)!.payload)).toEqual(withoutFreshIds(http.last()));
  });
});

describe('the payload builders', () => {
  it('commandFields: a Slack Connect command names the acting user\'s own workspace', () => {
    const fields = commandFields(DEFAULT_APP, { command: '/ses-quota', userId: 'W0PARTNER', channelId: 'C1', userTeam: 'T0PARTNER', triggerId: 't', responseUrl: 'r' });
    expect(fields).toMatchObject({ team_id: 'T111', user_team: 'T0PARTNER', user_id: 'W0PARTNER', user_name: 'w0partner', text: '', trigger_id: 't', response_url: 'r' });
    expect(fields).not.toHaveProperty('enterprise_id');
  });

  it('viewSubmissionPayload: replaces the view\'s state with the values given, or keeps its own', () => {
    const view = { id: 'V1', state: { values: { a: { a: { type: 'plain_text_input', value: 'old' } } } } };
    expect(viewSubmissionPayload(DEFAULT_APP, { view, userId: 'U1', triggerId: 't' }).view.state).toEqual(view.state);
    expect(viewSubmissionPayload(DEFAULT_APP, { view, values: {}, userId: 'U1', triggerId: 't' }).view.state).toEqual({ values: {} });
  });

  it('blockActionsPayload: from a message it names the channel, the message and a response_url', () => {
    const payload = blockActionsPayload(DEFAULT_APP, {
      userId: 'U1',
      channelId: 'C1',
      messageTs: '1700000000.000100',
      actions: [{ action_id: 'retry_filing', value: 'req1' }],
      triggerId: 't',
      actionTs: '1700000001.000001',
      responseUrl: 'http://127.0.0.1:9/response/x',
    });
    expect(payload).toMatchObject({
      container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C1' },
      channel: { id: 'C1' },
      message: { ts: '1700000000.000100', user: 'UBOT', bot_id: 'BBOT' },
      response_url: 'http://127.0.0.1:9/response/x',
      actions: [{ type: 'button', block_id: 'b', action_id: 'retry_filing', value: 'req1', action_ts: '1700000001.000001' }],
    });
    expect(() => blockActionsPayload(DEFAULT_APP, { userId: 'U1', actions: [], triggerId: 't', actionTs: '1' })).toThrow(/give `view`, or `channelId` and `messageTs`/);
  });

  it('eventEnvelope: the event\'s own ts is its event_ts, and the bot is the authorization', () => {
    const envelope = eventEnvelope(DEFAULT_APP, { type: 'message', ts: '5.000001' }, { ts: '9.000009', eventId: 'Ev1', eventTime: 1, eventContext: 'c' });
    expect(envelope.event).toEqual({ type: 'message', ts: '5.000001', event_ts: '5.000001' });
    expect(envelope.authorizations).toEqual([{ enterprise_id: null, team_id: 'T111', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }]);
    expect(eventEnvelope(DEFAULT_APP, { type: 'app_mention' }, { ts: '9.000009', eventId: 'Ev1', eventTime: 1, eventContext: 'c' }).event.event_ts).toBe('9.000009');
  });
});
