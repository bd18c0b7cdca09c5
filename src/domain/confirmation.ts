/**
 * What the team sends AWS on a case from Slack, built and read back in one place: what counts
 * as confirming a relinquishment, the confirmation's words, and a reply's signature.
 */
import { confirmationReferenceLine, replyReference } from './case-text.js';
import type { DedicatedIpRelinquish } from './dedicated-ip.js';
import { regionName } from './regions.js';

/**
 * Releasing addresses cannot be undone, so only an unambiguous act confirms: a thread reply that
 * is exactly `confirm` (any letter case, surrounding whitespace, at most one trailing `.` or `!`).
 * Anything else ("I cannot confirm", "confirmed", "yes confirm", "<@bot> confirm", "confirm?",
 * "please confirm which IPs…") is conversation and never confirms.
 */
const EXACT_CONFIRM = /^confirm[.!]?$/i;

export function isConfirmation(text: string): boolean {
  return EXACT_CONFIRM.test(text.trim());
}

/** How a Slack user is named to AWS: their name when Slack gave it, always their user id. */
function slackAuthor(userId: string, userName: string | undefined): string {
  return userName ? `${userName} (Slack user ${userId})` : `Slack user ${userId}`;
}

/** The confirmation AWS receives: the addresses, region and count released, who confirmed and when. */
export function confirmationBody(
  relinquish: DedicatedIpRelinquish,
  reference: string,
  userId: string,
  userName: string | undefined,
  at: Date,
  /** The account, named when accounts are (AWS_ACCOUNTS_FILE): the release is the account's. */
  accountId: string | null = null,
): string {
  const total = relinquish.rows.reduce((n, r) => n + r.count, 0);
  const where = accountId ? ` in AWS account ${accountId}` : '';
  return [
    `We confirm the relinquishment of the following standard dedicated IP address${total === 1 ? '' : 'es'}${where} (${total} in total). We understand that this cannot be undone.`,
    ...relinquish.rows.map(
      (r) => `- Region ${regionName(r.region)} (${r.region}), ${r.count} address${r.count === 1 ? '' : 'es'}${r.addresses.length ? `: ${r.addresses.join(', ')}` : ''}`,
    ),
    '',
    `Confirmed in Slack by ${slackAuthor(userId, userName)} at ${at.toISOString()}.`,
    confirmationReferenceLine(reference),
  ].join('\n');
}

/** What a confirmation says, without its reference line: what the thread quotes back. */
export function confirmationQuote(body: string): string {
  return body.split('\n').slice(0, -1).join('\n');
}

const REPLY_SIGNATURE = '\n\n--\nSent from Slack by ';

/** A reply as AWS receives it: the text, signed with its Slack author and a reference only this reply has. */
export function replyBody(text: string, reference: string, key: string, userId: string, userName: string | undefined, accountId: string | null = null): string {
  const account = accountId ? ` for AWS account ${accountId}` : '';
  return `${text.trim()}${REPLY_SIGNATURE}${slackAuthor(userId, userName)}${account}. ${replyReference(reference, key)}`;
}

/** The text of a reply built by replyBody, without its signature. */
export function replyText(body: string): string {
  return body.split(REPLY_SIGNATURE)[0] ?? body;
}
