/**
 * The quota watch alert's "Request an increase": acks at once, checks the clicker and the
 * channel as /ses-quota does, and opens the /ses-quota form pre-filled for the alert's region
 * and limit with the suggested value (which the user may change).
 */
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ListenerApp } from './router.js';
import { ACTION, COMMANDS } from '../slack/ids.js';
import { decodeIncreasePreset } from '../slack/views/quota-watch.js';
import { openQuotaFormFor, type QuotaDeps } from './quota.js';

export function registerQuotaWatchListeners(app: ListenerApp, deps: QuotaDeps): void {
  app.action(ACTION.quotaWatchIncrease, requestIncrease(deps));
}

function requestIncrease(deps: QuotaDeps) {
  return async function requestIncrease({ ack, body, action, client, respond }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> {
    await ack();
    const channelId = body.channel?.id ?? body.container?.channel_id;
    const userId = body.user.id;
    // Privately, in the channel; through the response URL if the bot cannot post there.
    const tell = async (text: string) => {
      const sent = channelId ? await client.chat.postEphemeral({ channel: channelId, user: userId, text }).then(() => true, () => false) : false;
      if (!sent) await respond({ response_type: 'ephemeral', replace_original: false, text }).catch(() => undefined);
    };
    const preset = decodeIncreasePreset((action as { value?: string }).value);
    if (!channelId || !preset) return tell(`This button is out of date. Run \`${COMMANDS.quota}\` to request an increase.`);
    const refusal = deps.access.refusal(userId, channelId);
    if (refusal) return tell(`:no_entry: ${refusal}`);
    await openQuotaFormFor(deps, { client, triggerId: body.trigger_id, channelId, userId, responseUrl: body.response_url }, preset);
  };
}
