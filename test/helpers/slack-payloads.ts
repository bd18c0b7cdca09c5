// What Slack sends an app, built once for both transports: the slash command's fields, the
// block_actions and view_submission payloads and the Events API envelope. SlackRequester
// (test/helpers/slack-requests.ts) signs them and posts them over HTTP; FakeSocketMode
// (test/fakes/fake-socket-mode.ts) wraps them in Socket Mode envelopes. Shapes follow Slack's
// own examples.
//
// The builders are pure: every id and time is given to them. `SlackIds` makes fresh ones.
import { randomBytes } from 'node:crypto';

export type SlackObject = Record<string, any>;

/** The workspace, the app and the bot the payloads are for. */
export interface SlackAppIdentity {
  teamId: string;
  appId: string;
  botUserId: string;
  botId: string;
}

export const DEFAULT_APP: SlackAppIdentity = { teamId: 'T111', appId: 'A111', botUserId: 'UBOT', botId: 'BBOT' };

/** Port 9 refuses connections: a forgotten response_url fails fast instead of reaching the internet. */
export function unreachableResponseUrl(id: string): string {
  return `http://127.0.0.1:9/response/${id}`;
}

/** Fresh trigger ids, message timestamps and id suffixes, unique within one SlackIds. */
export class SlackIds {
  private seq = 0;

  /** `prefix` followed by a sequence number and random hex, e.g. for response_url ids. */
  next(prefix: string): string {
    return `${prefix}${++this.seq}${randomBytes(3).toString('hex')}`;
  }

  triggerId(): string {
    return `${++this.seq}.${Date.now()}.${randomBytes(8).toString('hex')}`;
  }

  /** A Slack message timestamp for now ("seconds.sequence"). */
  slackTs(): string {
    return `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, '0')}`;
  }

  eventId(): string {
    return `Ev${this.next('').toUpperCase()}`;
  }

  eventContext(): string {
    return `4-${randomBytes(8).toString('hex')}`;
  }
}

// ---- slash commands ---------------------------------------------------------

export interface CommandInput {
  command: string;
  text?: string;
  userId: string;
  channelId: string;
  triggerId?: string;
  responseUrl?: string;
  userName?: string;
  channelName?: string;
  /** The workspace the command comes from (default: the app's). */
  teamId?: string;
  /** Slack Connect: the acting user's own workspace, when it is not `teamId`'s. */
  userTeam?: string;
  enterpriseId?: string;
}

/** A slash command's fields, all strings: the HTTP form body, or the Socket Mode payload. */
export function commandFields(app: SlackAppIdentity, input: CommandInput & { triggerId: string; responseUrl: string }): Record<string, string> {
  return {
    token: 'verification_token',
    team_id: input.teamId ?? app.teamId,
    team_domain: 'fake-workspace',
    channel_id: input.channelId,
    channel_name: input.channelName ?? 'fake-channel',
    user_id: input.userId,
    user_name: input.userName ?? input.userId.toLowerCase(),
    command: input.command,
    text: input.text ?? '',
    api_app_id: app.appId,
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: input.triggerId,
    ...(input.userTeam ? { user_team: input.userTeam } : {}),
    ...(input.enterpriseId ? { enterprise_id: input.enterpriseId } : {}),
  };
}

// ---- interactivity ----------------------------------------------------------

/** The acting user, as interactivity payloads name them. */
export function slackUser(app: SlackAppIdentity, userId: string, teamId = app.teamId): SlackObject {
  return { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: teamId };
}

export interface ViewSubmissionInput {
  /** The submitted view (e.g. the fake's stored view); its `state.values` are replaced by `values`. */
  view: SlackObject;
  values?: SlackObject;
  userId: string;
  triggerId?: string;
  /** Slack Connect: the submitter's own workspace (default: the app's). */
  userTeamId?: string;
}

export function viewSubmissionPayload(app: SlackAppIdentity, input: ViewSubmissionInput & { triggerId: string }): SlackObject {
  const view = { ...input.view, state: { values: input.values ?? input.view.state?.values ?? {} } };
  return {
    type: 'view_submission',
    team: { id: app.teamId, domain: 'fake-workspace' },
    user: slackUser(app, input.userId, input.userTeamId),
    api_app_id: app.appId,
    token: 'verification_token',
    trigger_id: input.triggerId,
    view,
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

export interface ActionInput extends SlackObject {
  action_id: string;
  block_id?: string;
  type?: string;
}

export interface BlockActionInput {
  userId: string;
  actions: ActionInput[];
  /** The modal the action comes from; without it, the action comes from a message. */
  view?: SlackObject;
  /** With `view`: the modal's `state.values` at the time of the action (e.g. from fillState). */
  values?: SlackObject;
  container?: SlackObject;
  channelId?: string;
  messageTs?: string;
  message?: SlackObject;
  triggerId?: string;
  /** From a message: where the app may respond (required then). */
  responseUrl?: string;
  /** Slack Connect: the clicker's own workspace (default: the app's). */
  userTeamId?: string;
}

/**
 * A block_actions payload. With `view`, it comes from a modal; otherwise from a message in
 * `channelId` at `messageTs` (or from the given `container`), and needs a `responseUrl`.
 */
export function blockActionsPayload(app: SlackAppIdentity, input: BlockActionInput & { triggerId: string; actionTs: string }): SlackObject {
  const actions = input.actions.map((a) => ({ type: 'button', block_id: 'b', action_ts: input.actionTs, ...a }));
  const payload: SlackObject = {
    type: 'block_actions',
    user: slackUser(app, input.userId, input.userTeamId),
    api_app_id: app.appId,
    token: 'verification_token',
    trigger_id: input.triggerId,
    team: { id: app.teamId, domain: 'fake-workspace' },
    enterprise: null,
    is_enterprise_install: false,
    actions,
  };
  if (input.view) {
    payload.container = input.container ?? { type: 'view', view_id: input.view.id };
    payload.view = input.values ? { ...input.view, state: { values: input.values } } : input.view;
    return payload;
  }
  const channelId = input.channelId ?? input.container?.channel_id;
  const messageTs = input.messageTs ?? input.container?.message_ts;
  if (!channelId || !messageTs) throw new Error('blockAction: give `view`, or `channelId` and `messageTs` (or a message `container`)');
  if (!input.responseUrl) throw new Error('blockAction: an action from a message needs a `responseUrl`');
  payload.container = input.container ?? { type: 'message', message_ts: messageTs, channel_id: channelId, is_ephemeral: false };
  payload.channel = { id: channelId, name: 'fake-channel' };
  payload.message = input.message ?? { type: 'message', user: app.botUserId, bot_id: app.botId, ts: messageTs, text: '' };
  payload.response_url = input.responseUrl;
  return payload;
}

/** Whether Slack lets the app answer this interactivity payload in its ack (view_submission and the like). */
export function acceptsResponsePayload(payload: SlackObject): boolean {
  return ['view_submission', 'view_closed', 'block_suggestion', 'shortcut', 'message_action'].includes(payload.type);
}

/** An interactivity payload as the HTTP form body Slack posts (`payload=<json>`). */
export function interactiveFormBody(payload: SlackObject): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

// ---- events -----------------------------------------------------------------

/** An Events API callback around `event`; `event.ts`, when it is a string, is also its event_ts. */
export function eventEnvelope(
  app: SlackAppIdentity,
  event: SlackObject,
  ids: { ts: string; eventId: string; eventTime: number; eventContext: string },
): SlackObject {
  const ts = typeof event.ts === 'string' ? event.ts : ids.ts;
  return {
    token: 'verification_token',
    team_id: app.teamId,
    api_app_id: app.appId,
    event: { event_ts: ts, ...event },
    type: 'event_callback',
    event_id: ids.eventId,
    event_time: ids.eventTime,
    authorizations: [{ enterprise_id: null, team_id: app.teamId, user_id: app.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: ids.eventContext,
  };
}
