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

/**
 * The change not seen 72 hours after AWS's answer: what the account shows now (or that it could
 * not be read), and where to take it up: the case, or Service Quotas when there is no case.
 */
export function effectNotSeenNotice(requesterId: string, region: string, now: string | undefined, hasCase: boolean): SlackMessage {
  const shows = now ? `The account shows now: ${escape(now)}.` : 'The account could not be read to compare.';
  const where = hasCase ? 'If AWS said it was done, reply to AWS on the case.' : 'Check the request in Service Quotas in the AWS console for this region.';
  const text = `:warning: 72 hours after AWS's answer, the account does not show the change in ${escape(region)}. ${shows} ${where} ${userMention(requesterId)}`;
  return { text, blocks: [section(text)] };
}
