// What Slack sends to the app: signed slash commands, interactivity payloads and Events API
// envelopes, posted to `${appBaseUrl}/slack/events`. Shapes follow Slack's own examples.
import { createHmac, randomBytes } from 'node:crypto';

type SlackObject = Record<string, any>;

export interface SlackResponse {
  status: number;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: any;
}

export interface SlackRequesterOptions {
  teamId?: string;
  appId?: string;
  /** Makes default `response_url`s; pass `(id) => fakeSlack.responseUrl(id)` to capture them. */
  responseUrl?: (id: string) => string;
  /** Bot user for default `authorizations` and message authors. */
  botUserId?: string;
  botId?: string;
}

export interface ActionInput extends SlackObject {
  action_id: string;
  block_id?: string;
  type?: string;
}

export class SlackRequester {
  private readonly teamId: string;
  private readonly appId: string;
  private readonly botUserId: string;
  private readonly botId: string;
  private readonly makeResponseUrl: (id: string) => string;
  private seq = 0;

  constructor(
    private readonly appBaseUrl: string,
    private readonly signingSecret: string,
    options: SlackRequesterOptions = {},
  ) {
    this.teamId = options.teamId ?? 'T111';
    this.appId = options.appId ?? 'A111';
    this.botUserId = options.botUserId ?? 'UBOT';
    this.botId = options.botId ?? 'BBOT';
    // Port 9 refuses connections: a forgotten response_url fails fast instead of reaching the internet.
    this.makeResponseUrl = options.responseUrl ?? ((id) => `http://127.0.0.1:9/response/${id}`);
  }

  /** A slash command, as a form body. */
  command(input: {
    command: string;
    text?: string;
    userId: string;
    channelId: string;
    triggerId?: string;
    responseUrl?: string;
    userName?: string;
    channelName?: string;
    /** The workspace the command comes from (default: the requester's). */
    teamId?: string;
    /** Slack Connect: the acting user's own workspace, when it is not `teamId`'s. */
    userTeam?: string;
    enterpriseId?: string;
  }): Promise<SlackResponse> {
    const form = new URLSearchParams({
      token: 'verification_token',
      team_id: input.teamId ?? this.teamId,
      team_domain: 'fake-workspace',
      channel_id: input.channelId,
      channel_name: input.channelName ?? 'fake-channel',
      user_id: input.userId,
      user_name: input.userName ?? input.userId.toLowerCase(),
      command: input.command,
      text: input.text ?? '',
      api_app_id: this.appId,
      is_enterprise_install: 'false',
      response_url: input.responseUrl ?? this.makeResponseUrl(this.nextId('cmd')),
      trigger_id: input.triggerId ?? this.triggerId(),
      ...(input.userTeam ? { user_team: input.userTeam } : {}),
      ...(input.enterpriseId ? { enterprise_id: input.enterpriseId } : {}),
    });
    return this.raw(form.toString(), 'application/x-www-form-urlencoded');
  }

  /** A modal submission: `view` (e.g. the fake's stored view) with `state.values` replaced by `values`. */
  viewSubmission(input: { view: SlackObject; values?: SlackObject; userId: string; triggerId?: string; userTeamId?: string }): Promise<SlackResponse> {
    const view = { ...input.view, state: { values: input.values ?? input.view.state?.values ?? {} } };
    return this.interactive({
      type: 'view_submission',
      team: { id: this.teamId, domain: 'fake-workspace' },
      user: this.user(input.userId, input.userTeamId),
      api_app_id: this.appId,
      token: 'verification_token',
      trigger_id: input.triggerId ?? this.triggerId(),
      view,
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    });
  }

  /**
   * A block_actions payload. With `view`, it comes from a modal; otherwise from a message in
   * `channelId` at `messageTs` (or from the given `container`).
   */
  blockAction(input: {
    userId: string;
    actions: ActionInput[];
    view?: SlackObject;
    /** With `view`: the modal's `state.values` at the time of the action (e.g. from fillState). */
    values?: SlackObject;
    container?: SlackObject;
    channelId?: string;
    messageTs?: string;
    message?: SlackObject;
    triggerId?: string;
    responseUrl?: string;
    /** Slack Connect: the clicker's own workspace (default: the requester's). */
    userTeamId?: string;
  }): Promise<SlackResponse> {
    const actionTs = this.slackTs();
    const actions = input.actions.map((a) => ({ type: 'button', block_id: 'b', action_ts: actionTs, ...a }));
    const payload: SlackObject = {
      type: 'block_actions',
      user: this.user(input.userId, input.userTeamId),
      api_app_id: this.appId,
      token: 'verification_token',
      trigger_id: input.triggerId ?? this.triggerId(),
      team: { id: this.teamId, domain: 'fake-workspace' },
      enterprise: null,
      is_enterprise_install: false,
      actions,
    };
    if (input.view) {
      payload.container = input.container ?? { type: 'view', view_id: input.view.id };
      payload.view = input.values ? { ...input.view, state: { values: input.values } } : input.view;
    } else {
      const channelId = input.channelId ?? input.container?.channel_id;
      const messageTs = input.messageTs ?? input.container?.message_ts;
      if (!channelId || !messageTs) throw new Error('blockAction: give `view`, or `channelId` and `messageTs` (or a message `container`)');
      payload.container = input.container ?? { type: 'message', message_ts: messageTs, channel_id: channelId, is_ephemeral: false };
      payload.channel = { id: channelId, name: 'fake-channel' };
      payload.message = input.message ?? { type: 'message', user: this.botUserId, bot_id: this.botId, ts: messageTs, text: '' };
      payload.response_url = input.responseUrl ?? this.makeResponseUrl(this.nextId('action'));
    }
    return this.interactive(payload);
  }

  /** An Events API envelope around `event`. `retryNum` adds Slack's retry headers. */
  event(
    event: SlackObject,
    options: { eventId?: string; eventTime?: number; retryNum?: number; retryReason?: string } = {},
  ): Promise<SlackResponse> {
    const ts = typeof event.ts === 'string' ? event.ts : this.slackTs();
    const envelope = {
      token: 'verification_token',
      team_id: this.teamId,
      api_app_id: this.appId,
      event: { event_ts: ts, ...event },
      type: 'event_callback',
      event_id: options.eventId ?? `Ev${this.nextId('').toUpperCase()}`,
      event_time: options.eventTime ?? Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: this.teamId, user_id: this.botUserId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    };
    const headers: Record<string, string> = {};
    if (options.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(options.retryNum);
      headers['x-slack-retry-reason'] = options.retryReason ?? 'http_timeout';
    }
    return this.raw(JSON.stringify(envelope), 'application/json', { headers });
  }

  /** Post any body, signed unless `signature` is given; `timestamp` (Unix seconds) fakes a stale request. */
  async raw(
    body: string,
    contentType: string,
    options: { timestamp?: number; signature?: string; headers?: Record<string, string> } = {},
  ): Promise<SlackResponse> {
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const signature = options.signature ?? sign(this.signingSecret, timestamp, body);
    const res = await fetch(`${this.appBaseUrl}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': signature,
        ...options.headers,
      },
      body,
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, body: text, ...(json !== undefined ? { json } : {}) };
  }

  private interactive(payload: SlackObject): Promise<SlackResponse> {
    const form = new URLSearchParams({ payload: JSON.stringify(payload) });
    return this.raw(form.toString(), 'application/x-www-form-urlencoded');
  }

  private user(id: string, teamId = this.teamId): SlackObject {
    return { id, username: id.toLowerCase(), name: id.toLowerCase(), team_id: teamId };
  }

  private nextId(prefix: string): string {
    return `${prefix}${++this.seq}${randomBytes(3).toString('hex')}`;
  }

  private triggerId(): string {
    return `${++this.seq}.${Date.now()}.${randomBytes(8).toString('hex')}`;
  }

  private slackTs(): string {
    return `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, '0')}`;
  }
}

/** Slack's v0 request signature. */
export function sign(signingSecret: string, timestamp: string, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

// ---- view state ------------------------------------------------------------

const TEXT_ELEMENTS = new Set(['plain_text_input', 'url_text_input', 'number_input', 'email_text_input']);
const SINGLE_SELECT = new Set(['static_select', 'radio_buttons']);
const MULTI_SELECT = new Set(['checkboxes', 'multi_static_select']);

/**
 * Build `state.values` as Slack would for `view`'s input blocks. `inputs` maps block_id to the
 * typed text or the chosen option value(s); a block_id given as `undefined` is left empty;
 * blocks not named keep their initial value. Unknown block ids or option values throw.
 */
export function fillState(view: SlackObject, inputs: Record<string, string | string[] | undefined>): SlackObject {
  const blocks: SlackObject[] = Array.isArray(view.blocks) ? view.blocks : [];
  const inputBlocks = blocks.filter((b) => b.type === 'input');
  for (const blockId of Object.keys(inputs)) {
    if (!inputBlocks.some((b) => b.block_id === blockId)) {
      const known = inputBlocks.map((b) => b.block_id).join(', ') || '(none)';
      throw new Error(`fillState: no input block "${blockId}" in view ${view.callback_id ?? view.id ?? ''}; input blocks: ${known}`);
    }
  }

  const values: SlackObject = {};
  for (const block of inputBlocks) {
    const element: SlackObject = block.element ?? {};
    const blockId: string = block.block_id;
    if (!blockId || !element.action_id) {
      throw new Error(`fillState: input block ${blockId ?? '(no block_id)'} needs block_id and element.action_id to be addressable`);
    }
    const given = Object.hasOwn(inputs, blockId);
    values[blockId] = { [element.action_id]: elementState(blockId, element, given, inputs[blockId]) };
  }
  return values;
}

function elementState(blockId: string, element: SlackObject, given: boolean, input: string | string[] | undefined): SlackObject {
  const type: string = element.type;
  const where = `fillState: block "${blockId}" (${type})`;
  if (TEXT_ELEMENTS.has(type)) {
    if (Array.isArray(input)) throw new Error(`${where} takes one string`);
    const value = given ? (input ?? null) : (element.initial_value ?? null);
    return { type, value };
  }
  if (SINGLE_SELECT.has(type)) {
    if (Array.isArray(input)) throw new Error(`${where} takes one option value`);
    const selected = given ? (input === undefined ? null : findOption(where, element, input)) : (element.initial_option ?? null);
    return { type, selected_option: selected };
  }
  if (MULTI_SELECT.has(type)) {
    const chosen = input === undefined ? [] : Array.isArray(input) ? input : [input];
    const selected = given ? chosen.map((v) => findOption(where, element, v)) : (element.initial_options ?? []);
    return { type, selected_options: selected };
  }
  throw new Error(`${where}: element type not supported by fillState`);
}

function findOption(where: string, element: SlackObject, value: string): SlackObject {
  const options: SlackObject[] = [
    ...(element.options ?? []),
    ...((element.option_groups ?? []) as SlackObject[]).flatMap((g) => g.options ?? []),
  ];
  const option = options.find((o) => o.value === value);
  if (!option) {
    throw new Error(`${where}: no option with value "${value}"; options: ${options.map((o) => o.value).join(', ')}`);
  }
  return option;
}
