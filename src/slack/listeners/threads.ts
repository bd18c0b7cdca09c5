/**
 * The case thread: replies containing "confirm", the confirmation button, Reply to AWS Support,
 * Resolve case, and the `status` subcommand of both slash commands.
 */
import type { App } from '@slack/bolt';
import { caseStatusLabel } from '../../domain/case-text.js';
import type { Logger } from '../../logger.js';
import type { CaseActions } from '../../services/case-actions.js';
import { isConfirmation } from '../../domain/confirmation.js';
import { isRelinquishment } from '../../domain/request.js';
import type { Store } from '../../store/store.js';
import type { RequestKind, StoredRequest } from '../../domain/request.js';
import { ACTION, CALLBACK, COMMANDS, REPLY_BLOCK } from '../ids.js';
import { escape, link, userMention } from '../mrkdwn.js';
import { decodeReplyMeta } from '../modal-metadata.js';
import { asStateValues, readValue } from '../view-state.js';
import { plain, section, textInput } from '../views/blocks.js';
import { statusLine } from '../views/root-message.js';

interface Deps {
  actions: CaseActions;
  store: Store;
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

export function registerThreadListeners(app: App, { actions, store, logger }: Deps): void {
  app.event('message', async ({ event, context }) => {
    const e = event as MessageEvent;
    // Edits, deletions and bot messages never confirm anything; a reply also sent to the channel does.
    if (e.subtype && e.subtype !== 'thread_broadcast') return;
    if (e.bot_id || !e.user || !e.channel || !e.ts || !e.thread_ts || e.thread_ts === e.ts) return;
    if (!isConfirmation(e.text ?? '')) return;
    const request = await store.findRequestByThread(e.channel, e.thread_ts);
    if (!request || !isRelinquishment(request)) return;
    const result = await actions.confirm(request, e.user, undefined, e.ts, (context.retryNum ?? 0) > 0);
    logger.info({ requestId: request.id, user: e.user, result }, 'confirmation in thread');
  });

  /** The request a message button belongs to, and whether the clicker may act on it. */
  async function requestFor(value: string | undefined, userId: string, tell: (text: string) => Promise<unknown>): Promise<StoredRequest | undefined> {
    const request = value ? await store.getRequest(value) : undefined;
    if (!request) {
      await tell('That request is not known to this bot.');
      return undefined;
    }
    if (!actions.mayAct(userId, request)) {
      await tell(`Only ${actions.whoMayAct(request).map(userMention).join(', ')} may do that on this case.`);
      return undefined;
    }
    return request;
  }

  app.action(ACTION.confirmRelinquish, async ({ ack, body, action }) => {
    await ack();
    const channel = (body as { channel?: { id?: string } }).channel?.id;
    const request = await store.getRequest((action as { value?: string }).value ?? '');
    if (!request || !isRelinquishment(request)) return;
    const actionTs = (action as { action_ts?: string }).action_ts ?? String(Date.now());
    const result = await actions.confirm(request, body.user.id, (body.user as { name?: string }).name, `button:${actionTs}`);
    logger.info({ requestId: request.id, user: body.user.id, result, channel }, 'confirmation by button');
  });

  app.action(ACTION.replyToAws, async ({ ack, body, action, client }) => {
    await ack();
    const channel = (body as { channel?: { id?: string } }).channel?.id ?? '';
    const tell = (text: string) => client.chat.postEphemeral({ channel, user: body.user.id, text }).catch(() => undefined);
    const request = await requestFor((action as { value?: string }).value, body.user.id, tell);
    if (!request) return;
    await client.views.open({
      trigger_id: (body as { trigger_id: string }).trigger_id,
      view: {
        type: 'modal',
        callback_id: CALLBACK.replyToAws,
        private_metadata: JSON.stringify({ requestId: request.id }),
        title: plain('Reply to AWS Support', 24),
        submit: plain('Send', 24),
        close: plain('Cancel', 24),
        blocks: [
          section(`Your reply is added to ${request.displayId ? `case ${escape(request.displayId)}` : 'the case'} as a communication from this AWS account, signed with your Slack name, and shown in the thread.`),
          textInput({ blockId: REPLY_BLOCK.body, actionId: REPLY_BLOCK.body, label: 'Reply', multiline: true, maxLength: 7000 }),
        ],
      },
    });
  });

  app.view(CALLBACK.replyToAws, async ({ ack, body, view }) => {
    const meta = decodeReplyMeta(view.private_metadata);
    const request = meta ? await store.getRequest(meta.requestId) : undefined;
    const text = readValue(asStateValues(view.state.values), REPLY_BLOCK.body)?.trim() ?? '';
    if (!request || !request.caseId) {
      await ack({ response_action: 'errors', errors: { [REPLY_BLOCK.body]: 'This case is not known to the bot any more.' } });
      return;
    }
    if (!actions.mayAct(body.user.id, request)) {
      await ack({ response_action: 'errors', errors: { [REPLY_BLOCK.body]: 'Only the requester or an approver may reply to AWS on this case.' } });
      return;
    }
    if (!text) {
      await ack({ response_action: 'errors', errors: { [REPLY_BLOCK.body]: 'Write the reply to send.' } });
      return;
    }
    await ack();
    const result = await actions.reply(request, body.user.id, body.user.name, text, view.id);
    logger.info({ requestId: request.id, result }, 'reply to AWS');
  });

  app.action(ACTION.resolveCase, async ({ ack, body, action, client }) => {
    await ack();
    const channel = (body as { channel?: { id?: string } }).channel?.id ?? '';
    const tell = (text: string) => client.chat.postEphemeral({ channel, user: body.user.id, text }).catch(() => undefined);
    const request = await requestFor((action as { value?: string }).value, body.user.id, tell);
    if (!request) return;
    if (request.caseStatus === 'resolved') return void (await tell('This case is already resolved.'));
    await actions.resolve(request, body.user.id);
  });
}

/** `/ses-quota status` and `/ses-dedicated-ip status`: the channel's cases and their threads. */
export async function channelStatus(client: App['client'], store: Store, channelId: string, kind: RequestKind): Promise<string> {
  const requests = await store.listRequestsByChannel(channelId, kind, 20);
  const what = kind === 'quota' ? 'sending quota' : 'dedicated IP';
  if (!requests.length) return `No ${what} requests have been made in this channel yet. Run \`${kind === 'quota' ? COMMANDS.quota : COMMANDS.dedicatedIp}\` to make one.`;
  const lines = await Promise.all(
    requests.map(async (r) => {
      let thread = 'no thread';
      if (r.rootTs) {
        const permalink = await client.chat.getPermalink({ channel: channelId, message_ts: r.rootTs }).catch(() => undefined);
        thread = permalink?.permalink ? link(permalink.permalink, 'thread') : 'thread';
      }
      const state = r.status === 'filed' && r.caseStatus ? `case ${escape(r.displayId ?? r.caseId ?? '')}: *${caseStatusLabel(r.caseStatus)}*` : statusLine(r);
      return `• ${r.createdAt.slice(0, 10)} by ${userMention(r.requesterId)} · ${state} · ${thread}`;
    }),
  );
  return [`*${kind === 'quota' ? 'SES sending quota' : 'SES dedicated IP'} requests in this channel* (newest first):`, ...lines].join('\n');
}
