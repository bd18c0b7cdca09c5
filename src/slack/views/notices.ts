/** Short messages the bot posts in threads or ephemerally. */
import type { StoredRequest } from '../../domain/request.js';
import { ACTION } from '../ids.js';
import type { SlackError } from '../messenger.js';
import { channelMention, escape, userMention } from '../mrkdwn.js';
import { plain, section } from './blocks.js';
import type { SlackMessage } from './root-message.js';

export function buildThreadNotice(userId: string, text: string): SlackMessage {
  const body = `${userMention(userId)} ${escape(text)}`;
  return { text: body, blocks: [section(body)] };
}

export function buildNotInChannelMessage(request: StoredRequest, error: SlackError): SlackMessage {
  const why = error.notInChannel
    ? `I can't post in ${channelMention(request.channelId)} because I'm not a member of it. Invite me with \`/invite @SES Support\` (or add the app from the channel's details), then press Retry.`
    : `Slack refused my message in ${channelMention(request.channelId)} (\`${escape(error.code)}\`). Press Retry in a moment.`;
  const text = `:warning: Nothing was filed with AWS. ${why} Your request is saved.`;
  return {
    text,
    blocks: [
      section(text),
      { type: 'actions', elements: [{ type: 'button', action_id: ACTION.retryFiling, value: request.id, text: plain('Retry'), style: 'primary' }] },
    ],
  };
}
