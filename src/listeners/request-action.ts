/**
 * The steps every button and form on a stored request's messages takes before it acts: read
 * the request id Slack sent back, load the request, check that the clicker may act on it, and
 * answer a refusal privately. A handler written with these receives a request it may act on.
 */
import type { AllMiddlewareArgs, BlockAction, Middleware, SlackActionMiddlewareArgs, webApi } from '@slack/bolt';
import { InvalidPayloadError, type StoredRequest } from '../domain/request.js';
import type { AccessPolicy } from '../services/access.js';
import { userMention } from '../slack/mrkdwn.js';
import type { Store } from '../store/store.js';

export interface RequestActionDeps {
  store: Store;
  access: AccessPolicy;
}

/** What a request-bound button handler gets: the request, who clicked, and a way to answer them privately. */
export interface RequestAction {
  request: StoredRequest;
  userId: string;
  userName: string | undefined;
  body: BlockAction;
  action: { value?: string; action_ts?: string };
  client: webApi.WebClient;
  respond: SlackActionMiddlewareArgs<BlockAction>['respond'];
  /** Answers the clicker privately (in the channel, or through the response URL). */
  tell(text: string): Promise<void>;
}

/** What the clicker is told when a handler fails part-way (a database outage, Slack refusing a call). */
const HANDLER_FAILED =
  'The bot could not finish this just now (something it depends on did not answer; the bot log says what). Check the thread, and if nothing happened, press the button again in a moment: whatever was already done is not done twice.';

/** Who may act, for a refusal: "Only <@requester>, <@approver> may …". */
export type Refusal = (request: StoredRequest, mayAct: string[]) => string;

/** The usual refusal: who may act, and that they may "do that" here. */
export const mayNotDoThat: Refusal = (_request, mayAct) => `Only ${mayAct.map(userMention).join(', ')} may do that on this case.`;

/** Loads a request by id and checks the user may act on it; otherwise says why, in words for the user. */
export async function loadForUser(
  deps: RequestActionDeps,
  requestId: string | undefined,
  userId: string,
  refusal: Refusal = mayNotDoThat,
): Promise<{ request: StoredRequest } | { refusal: string; why: 'unreadable' | 'unknown' | 'not_allowed' }> {
  let request: StoredRequest | undefined;
  try {
    request = requestId ? await deps.store.getRequest(requestId) : undefined;
  } catch (err) {
    // A database outage, or a stored request the bot can no longer read: the user is told, never left waiting.
    return {
      why: 'unreadable',
      refusal: `The bot could not read this request just now (${err instanceof InvalidPayloadError ? 'its saved data is damaged; the bot log names what is wrong' : 'its database did not answer'}). Nothing was done; try again in a moment.`,
    };
  }
  if (!request) return { why: 'unknown', refusal: 'That request is not known to this bot.' };
  const accountRefusal = deps.access.accountRefusal(request);
  if (accountRefusal) return { why: 'not_allowed', refusal: accountRefusal };
  if (!deps.access.mayActOn(userId, request)) return { why: 'not_allowed', refusal: refusal(request, deps.access.whoMayActOn(request)) };
  return { request };
}

/**
 * A button handler on a stored request: acks, loads the request named by the button's value
 * and checks the clicker (`refusal` says who may act instead). With `authorize: false` the
 * service decides who may act (and says so in the thread).
 */
export function onStoredRequest(
  deps: RequestActionDeps,
  handle: (act: RequestAction) => Promise<void>,
  options: { authorize?: boolean; refusal?: Refusal } = {},
): Middleware<SlackActionMiddlewareArgs<BlockAction>> {
  return async function requestBoundAction({ ack, body, action, client, respond }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) {
    await ack();
    const channel = body.channel?.id ?? body.container?.channel_id;
    const tell = async (text: string) => {
      const sent = channel ? await client.chat.postEphemeral({ channel, user: body.user.id, text }).then(() => true, () => false) : false;
      if (!sent) await respond({ response_type: 'ephemeral', replace_original: false, text }).catch(() => undefined);
    };
    const value = (action as { value?: string }).value;
    let request: StoredRequest | undefined;
    if (options.authorize === false) {
      request = value ? await deps.store.getRequest(value).catch(() => undefined) : undefined;
      if (!request) return tell('The bot could not find or read this request just now. Nothing was done; try again in a moment.');
    } else {
      const loaded = await loadForUser(deps, value, body.user.id, options.refusal);
      if ('refusal' in loaded) return tell(loaded.refusal);
      request = loaded.request;
    }
    try {
      await handle({ request, userId: body.user.id, userName: body.user.name, body, action: action as RequestAction['action'], client, respond, tell });
    } catch (err) {
      // The click is acked already: without a word here the user would see nothing happen. The
      // error still goes on to the app's error log, with the action named.
      await tell(HANDLER_FAILED);
      throw err;
    }
  };
}
