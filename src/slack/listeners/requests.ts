/** Actions on a stored request from its messages: Retry. */
import type { App } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import type { AccessPolicy } from '../../services/access.js';
import type { FilingService } from '../../services/filing.js';
import type { Store } from '../../store/store.js';
import { ACTION } from '../ids.js';
import { userMention } from '../mrkdwn.js';

export function registerRequestListeners(app: App, deps: { filing: FilingService; store: Store; access: AccessPolicy; logger: Logger }): void {
  const { filing, store, access } = deps;

  app.action(ACTION.retryFiling, async ({ ack, body, action, client, respond }) => {
    await ack();
    const requestId = (action as { value?: string }).value ?? '';
    const channel = (body as { channel?: { id?: string } }).channel?.id;
    const tell = async (text: string) => {
      if (channel) await client.chat.postEphemeral({ channel, user: body.user.id, text }).catch(() => respond({ response_type: 'ephemeral', replace_original: false, text }));
      else await respond({ response_type: 'ephemeral', replace_original: false, text });
    };
    const request = await store.getRequest(requestId);
    if (!request) return tell('That request is not known to this bot.');
    if (!access.mayActOn(body.user.id, request)) {
      return tell(`Only ${userMention(request.requesterId)}, who made this request, or an approver can retry it.`);
    }
    // A retry files: the configuration may have changed since the request was made, so the
    // channel and the clicker are checked again as for a new request.
    const refusal = access.refusal(body.user.id, request.channelId);
    if (refusal) return tell(`:no_entry: ${refusal} Nothing was filed.`);
    if (request.status === 'filed') return tell('This request is already filed.');
    if ((await filing.startFiling(request.id, 'retry')) === 'busy') return tell('This request is being filed right now.');
    // A Retry on the ephemeral "not in channel" notice: that notice has done its job.
    if ((body as { container?: { is_ephemeral?: boolean } }).container?.is_ephemeral) {
      await respond({ delete_original: true }).catch(() => undefined);
    }
  });
}
