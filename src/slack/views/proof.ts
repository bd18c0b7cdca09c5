/**
 * What the thread and the root say about the effect of AWS's answer: verified in the account
 * (figures before → after), or not seen within 72 hours (figures AWS reports now).
 */
import { escape, userMention } from '../mrkdwn.js';
import { section } from './blocks.js';
import type { SlackMessage } from './root-message.js';

export function effectVerifiedNotice(requesterId: string, summary: string): SlackMessage {
  const text = `:white_check_mark: *Verified* in the account: ${escape(summary)} ${userMention(requesterId)}`;
  return { text, blocks: [section(text)] };
}

export function effectNotSeenNotice(requesterId: string, region: string, summary: string): SlackMessage {
  const text =
    `:warning: 72 hours after AWS's answer, the account does not show the change in ${escape(region)}. ` +
    `AWS reports now: ${escape(summary)}. If AWS said it was done, reply to AWS on the case. ${userMention(requesterId)}`;
  return { text, blocks: [section(text)] };
}
