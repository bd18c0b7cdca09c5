/**
 * The case thread: a reply that is exactly "confirm", the prompt's Confirm button, Reply to AWS
 * Support (button and modal) and Resolve case. Each handler reads what Slack sent, hands it to
 * the case actions, and answers.
 */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { ListenerApp } from './router.js';
import { isConfirmation } from '../domain/confirmation.js';
import { isRelinquishment } from '../domain/request.js';
import type { Logger } from '../logger.js';
import type { AccessPolicy } from '../services/access.js';
import type { CaseActions } from '../services/case-actions.js';
import { buttonEventKey } from '../services/outbox-keys.js';
import { ACTION, CALLBACK, REPLY_BLOCK } from '../slack/ids.js';
import { SlackMessenger, toSlackError } from '../slack/messenger.js';
import { buildThreadNotice } from '../slack/views/notices.js';
import { decodeReplyMeta } from '../slack/modal-metadata.js';
import { asStateValues, readValue } from '../slack/view-state.js';
import { buildReplyModal } from '../slack/views/reply-modal.js';
import type { Store } from '../store/store.js';
import { loadForUser, onStoredRequest, type RequestAction } from './request-action.js';

export interface CaseThreadDeps {
  actions: CaseActions;
  store: Store;
  access: AccessPolicy;
  logger: Logger;
}

interface MessageEvent {
  type: 'message';
  subtype?: string;
  channel?: string;
  user?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  bot_id?: string;
}

export function registerCaseThreadListeners(app: ListenerApp, deps: CaseThreadDeps): void {
  app.event('message', confirmFromThreadReply(deps));
  // Who may confirm is the service's to say, in the thread, like a refused "confirm" reply.
  app.action(ACTION.confirmRelinquish, onStoredRequest(deps, confirmFromButton(deps), { authorize: false }));
  app.action(ACTION.replyToAws, onStoredRequest(deps, openReplyModal(deps)));
  app.view(CALLBACK.replyToAws, sendReply(deps));
  app.action(ACTION.resolveCase, onStoredRequest(deps, resolveCase(deps)));
}

/** What the replier is told when their "confirm" could not be handled (a database outage). */
const CONFIRM_NOT_HANDLED =
  'the bot could not handle your "confirm" just now (its database did not answer). Reply `confirm` again in a minute; if your confirmation did reach AWS, the bot will say so and send nothing more.';

/** A thread reply that is exactly "confirm", in the thread of a relinquishment. */
function confirmFromThreadReply({ actions, store, logger }: CaseThreadDeps) {
  return async function confirmFromThreadReply({ event, context, client }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs): Promise<void> {
    const e = event as MessageEvent;
    // Edits, deletions and bot messages never confirm anything; a reply also sent to the channel does.
    if (e.subtype && e.subtype !== 'thread_broadcast') return;
    if (e.bot_id || !e.user || !e.channel || !e.ts || !e.thread_ts || e.thread_ts === e.ts) return;
    if (!isConfirmation(e.text ?? '')) return;
    try {
      const request = await store.findRequestByThread(e.channel, e.thread_ts);
      if (!request || !isRelinquishment(request)) return;
      const result = await actions.confirm(request, e.user, undefined, e.ts, (context.retryNum ?? 0) > 0);
      logger.info({ requestId: request.id, user: e.user, result }, 'confirmation in thread');
    } catch (err) {
      // Bolt has acked the event, so Slack will not send it again: unless the replier hears it
      // here, their confirmation is lost in silence.
      logger.error({ err: (err as Error).message, channel: e.channel, threadTs: e.thread_ts, user: e.user }, 'could not handle a "confirm" reply');
      await new SlackMessenger(client, logger)
        .ephemeral(e.channel, e.user, buildThreadNotice(e.user, CONFIRM_NOT_HANDLED), e.thread_ts)
        .catch((sayErr: unknown) => logger.warn({ err: (sayErr as Error).message }, 'could not tell the replier either'));
    }
  };
}

function confirmFromButton({ actions, logger }: CaseThreadDeps) {
  return async function confirmFromButton({ request, userId, userName, action, body }: RequestAction): Promise<void> {
    if (!isRelinquishment(request)) return;
    const result = await actions.confirm(request, userId, userName, buttonEventKey(action.action_ts ?? String(Date.now())));
    logger.info({ requestId: request.id, user: userId, result, channel: body.channel?.id }, 'confirmation by button');
  };
}

function openReplyModal({ logger }: CaseThreadDeps) {
  return async function openReplyModal({ request, body, client, tell }: RequestAction): Promise<void> {
    try {
      await new SlackMessenger(client, logger).openView(body.trigger_id, buildReplyModal(request));
    } catch (err) {
      // Slack refused the form (a rate limit, an outage): the click is answered, not left silent.
      await tell(`Slack did not open the reply form just now (${toSlackError(err).code}). Nothing was sent to AWS; press Reply to AWS Support again in a moment.`);
    }
  };
}

function sendReply({ actions, store, access, logger }: CaseThreadDeps) {
  return async function sendReply({ ack, body, view }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> {
    const refuse = (message: string) => ack({ response_action: 'errors', errors: { [REPLY_BLOCK.body]: message } });
    const loaded = await loadForUser({ store, access }, decodeReplyMeta(view.private_metadata)?.requestId, body.user.id, () => 'Only the requester or an approver may reply to AWS on this case.');
    if ('refusal' in loaded) return refuse(loaded.why === 'unknown' ? 'This case is not known to the bot any more.' : loaded.refusal);
    const { request } = loaded;
    if (!request.caseId) return refuse('This case is not known to the bot any more.');
    const text = readValue(asStateValues(view.state.values), REPLY_BLOCK.body)?.trim() ?? '';
    if (!text) return refuse('Write the reply to send.');
    await ack();
    const result = await actions.reply(request, body.user.id, body.user.name, text, view.id);
    logger.info({ requestId: request.id, result }, 'reply to AWS');
  };
}

function resolveCase({ actions }: CaseThreadDeps) {
  return async function resolveCase({ request, userId, tell }: RequestAction): Promise<void> {
    if (request.caseStatus === 'resolved') return tell('This case is already resolved.');
    await actions.resolve(request, userId);
  };
}
