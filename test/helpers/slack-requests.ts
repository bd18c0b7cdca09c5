// What Slack sends to the app over HTTP: signed slash commands, interactivity payloads and Events
// API envelopes, posted to `${appBaseUrl}/slack/events`. The payloads themselves are built by
// test/helpers/slack-payloads.ts, which FakeSocketMode shares.
import { createHmac } from 'node:crypto';
import {
  DEFAULT_APP,
  SlackIds,
  blockActionsPayload,
  commandFields,
  eventEnvelope,
  interactiveFormBody,
  unreachableResponseUrl,
  viewSubmissionPayload,
  type BlockActionInput,
  type CommandInput,
  type SlackAppIdentity,
  type SlackObject,
  type ViewSubmissionInput,
} from './slack-payloads.js';

export type { ActionInput } from './slack-payloads.js';

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

export class SlackRequester {
  private readonly app: SlackAppIdentity;
  private readonly makeResponseUrl: (id: string) => string;
  private readonly ids = new SlackIds();

  constructor(
    private readonly appBaseUrl: string,
    private readonly signingSecret: string,
    options: SlackRequesterOptions = {},
  ) {
    this.app = {
      teamId: options.teamId ?? DEFAULT_APP.teamId,
      appId: options.appId ?? DEFAULT_APP.appId,
      botUserId: options.botUserId ?? DEFAULT_APP.botUserId,
      botId: options.botId ?? DEFAULT_APP.botId,
    };
    this.makeResponseUrl = options.responseUrl ?? unreachableResponseUrl;
  }

  /** A slash command, as a form body. */
  command(input: CommandInput): Promise<SlackResponse> {
    const form = new URLSearchParams(
      commandFields(this.app, {
        ...input,
        responseUrl: input.responseUrl ?? this.makeResponseUrl(this.ids.next('cmd')),
        triggerId: input.triggerId ?? this.ids.triggerId(),
      }),
    );
    return this.raw(form.toString(), 'application/x-www-form-urlencoded');
  }

  /** A modal submission: `view` (e.g. the fake's stored view) with `state.values` replaced by `values`. */
  viewSubmission(input: ViewSubmissionInput): Promise<SlackResponse> {
    return this.interactive(viewSubmissionPayload(this.app, { ...input, triggerId: input.triggerId ?? this.ids.triggerId() }));
  }

  /**
   * A block_actions payload. With `view`, it comes from a modal; otherwise from a message in
   * `channelId` at `messageTs` (or from the given `container`).
   */
  blockAction(input: BlockActionInput): Promise<SlackResponse> {
    const actionTs = this.ids.slackTs();
    const triggerId = input.triggerId ?? this.ids.triggerId();
    const responseUrl = input.view ? input.responseUrl : (input.responseUrl ?? this.makeResponseUrl(this.ids.next('action')));
    return this.interactive(blockActionsPayload(this.app, { ...input, triggerId, actionTs, ...(responseUrl ? { responseUrl } : {}) }));
  }

  /** An Events API envelope around `event`. `retryNum` adds Slack's retry headers. */
  event(
    event: SlackObject,
    options: { eventId?: string; eventTime?: number; retryNum?: number; retryReason?: string } = {},
  ): Promise<SlackResponse> {
    const envelope = eventEnvelope(this.app, event, {
      ts: typeof event.ts === 'string' ? event.ts : this.ids.slackTs(),
      eventId: options.eventId ?? this.ids.eventId(),
      eventTime: options.eventTime ?? Math.floor(Date.now() / 1000),
      eventContext: this.ids.eventContext(),
    });
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
    return this.raw(interactiveFormBody(payload), 'application/x-www-form-urlencoded');
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
