/**
 * Messages the bot posts in a case's thread. Text from AWS or from people is escaped for mrkdwn
 * here, so it can never mention anyone or hide a link.
 */
import type { types } from '@slack/bolt';
import { caseStatusLabel } from '../../domain/case-text.js';
import { formatUsd, prorationIfReleasedOn, RELEASE_DAY_NOTE } from '../../domain/dedicated-ip.js';
import { regionName } from '../../domain/regions.js';
import type { RelinquishRequest, StoredRequest } from '../../domain/request.js';
import { ACTION } from '../ids.js';
import { escape, truncate, userMention } from '../mrkdwn.js';
import { context, plain, section } from './blocks.js';
import { caseReference, type SlackMessage } from './root-message.js';

type KnownBlock = types.KnownBlock;

export const AWS_AUTHOR = 'Amazon Web Services';

/** A section holds 3,000 characters; escaping can grow text, so chunks leave room. */
const CHUNK = 2800;
/** Well inside Slack's 50 blocks per message. */
const MAX_CHUNKS = 40;

function slackDate(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return Number.isFinite(seconds) ? `<!date^${seconds}^{date_short_pretty} at {time}|${escape(iso)}>` : escape(iso);
}

function caseLink(request: StoredRequest): string {
  if (!request.displayId) return 'the case in Support Center';
  return caseReference(request, 'case');
}

/**
 * A hard cut at or before `at` that splits neither an HTML entity (&amp;) nor a surrogate pair,
 * always at least one character in, so splitting always makes progress.
 */
function safeCut(text: string, at: number): number {
  let cut = at;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp > 0 && amp > cut - 5 && /^&(amp|lt|gt);/.test(text.slice(amp, amp + 5)) && amp + text.slice(amp).indexOf(';') + 1 > cut) cut = amp;
  const code = text.charCodeAt(cut - 1);
  if (cut > 1 && code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return Math.max(1, cut);
}

/** Splits text into pieces of at most `size` characters, at line breaks or spaces where it can. */
export function splitText(text: string, size: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > size) {
    let cut = rest.lastIndexOf('\n', size);
    if (cut < size / 2) cut = rest.lastIndexOf(' ', size);
    if (cut < size / 2) cut = safeCut(rest, size);
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^[\n ]/, '');
  }
  if (rest.length) pieces.push(rest);
  return pieces;
}

export function communicationMessage(
  request: StoredRequest,
  comm: { body: string; submittedBy: string; timeCreated: string; attachments: string[] },
): SlackMessage {
  const fromAws = comm.submittedBy === AWS_AUTHOR;
  // Text from outside is shortened before the bot's own link and date are added, never after.
  const author = escape(truncate(comm.submittedBy || 'Someone', 200));
  const heading = fromAws
    ? `:speech_balloon: *Amazon Web Services* replied on ${caseLink(request)} · ${slackDate(comm.timeCreated)}`
    : `:envelope: *${author}* replied outside Slack (Support Center or email) on ${caseLink(request)} · ${slackDate(comm.timeCreated)}`;
  let chunks = splitText(escape(comm.body.trim() || '(empty message)'), CHUNK);
  const blocks: KnownBlock[] = [section(heading)];
  let trimmed = false;
  if (chunks.length > MAX_CHUNKS) {
    chunks = chunks.slice(0, MAX_CHUNKS);
    trimmed = true;
  }
  for (const chunk of chunks) blocks.push(section(chunk));
  if (comm.attachments.length) {
    const shown = comm.attachments.slice(0, 20).map((f) => escape(truncate(f, 100)));
    const more = comm.attachments.length > 20 ? ` and ${comm.attachments.length - 20} more` : '';
    blocks.push(context(`:paperclip: Attachments: ${shown.join(', ')}${more} (open ${caseLink(request)} to download)`));
  }
  if (trimmed) blocks.push(context(`:scissors: This reply is longer than Slack shows; the rest is in ${caseLink(request)}.`));
  const who = fromAws ? 'Amazon Web Services' : author;
  return { text: `${who} replied on ${request.displayId ? `case ${request.displayId}` : 'the case'}`, blocks };
}

export function statusNotice(request: StoredRequest, status: string): SlackMessage {
  const text =
    status === 'pending-customer-action'
      ? `:bell: AWS is waiting for an answer from us on ${caseLink(request)} (status: *${caseStatusLabel(status)}*). ${userMention(request.requesterId)}`
      : status === 'resolved'
        ? `:white_check_mark: ${caseLink(request)} is *resolved*. It can be reopened for 14 days by replying to it; the bot keeps watching it until then.`
        : `Case status: *${escape(caseStatusLabel(status))}*`;
  return { text, blocks: [section(text)] };
}

/**
 * The prompt that follows AWS's request for a confirmation: what is released, that it cannot
 * be undone, who may confirm and how, and this month's charge if released on `now` (the day of
 * the prompt; the final figure is set by the day AWS removes them).
 */
export function confirmationPrompt(request: RelinquishRequest, mayConfirm: string[], priceCents: number, now: Date): SlackMessage {
  const total = request.payload.rows.reduce((n, r) => n + r.count, 0);
  const { cents, daysElapsed, daysInMonth, dateText } = prorationIfReleasedOn(total, priceCents, now);
  const what = request.payload.rows
    .map((r) => `• ${regionName(r.region)} (\`${r.region}\`): ${r.addresses.length ? r.addresses.map((a) => `\`${a}\``).join(', ') : `${r.count} address${r.count === 1 ? '' : 'es'}`}`)
    .join('\n');
  const who = mayConfirm.map(userMention).join(', ');
  const text = [
    ':warning: *AWS needs a confirmation before it releases these dedicated IP addresses:*',
    what,
    '*This cannot be undone*: released addresses are gone from the account for good.',
    `:receipt: If released today (${dateText}), this month's charge for ${total === 1 ? 'this address' : `these ${total} addresses`} would be ${total} × ${formatUsd(priceCents)} × ${daysElapsed}/${daysInMonth} days = *${formatUsd(cents)}*. ${RELEASE_DAY_NOTE}`,
    `Who may confirm: ${who}. To confirm, reply in this thread with the word \`confirm\` exactly (nothing else in the message), or press the button and confirm in the dialog. Any other message is treated as conversation and never sent to AWS. A confirmation sent to AWS by email or in Support Center counts too; nothing more is needed here then.`,
  ].join('\n');
  return {
    text: 'AWS needs a confirmation before it releases the dedicated IP addresses',
    blocks: [
      section(text),
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: ACTION.confirmRelinquish,
            value: request.id,
            style: 'danger',
            text: plain('Confirm relinquishment'),
            confirm: {
              title: plain('Release these addresses?'),
              text: plain('AWS releases them for good. This cannot be undone.'),
              confirm: plain('Confirm'),
              deny: plain('Cancel'),
            },
          },
        ],
      },
    ],
  };
}

export function plainNotice(text: string): SlackMessage {
  return { text, blocks: [section(text)] };
}

export function replyEcho(userId: string, body: string, request: StoredRequest): SlackMessage {
  const blocks: KnownBlock[] = [section(`:outbox_tray: ${userMention(userId)} replied to AWS Support on ${caseLink(request)}:`)];
  for (const chunk of splitText(escape(body), CHUNK).slice(0, MAX_CHUNKS)) blocks.push(section(chunk));
  return { text: `${userMention(userId)} replied to AWS Support`, blocks };
}

/**
 * The text of a reply that AWS did not take, given back whole: escaped, in as many blocks and
 * messages as it needs (the Reply field holds 7,000 characters; a section 3,000).
 */
export function unsentReplyText(userId: string, body: string): SlackMessage[] {
  const chunks = splitText(escape(body), CHUNK);
  const messages: SlackMessage[] = [];
  for (let i = 0; i < chunks.length; i += MAX_CHUNKS) {
    const blocks: KnownBlock[] = i === 0 ? [section(`${userMention(userId)}, the text of your reply that was not sent:`)] : [];
    for (const chunk of chunks.slice(i, i + MAX_CHUNKS)) blocks.push(section(chunk));
    messages.push({ text: 'The text of a reply that was not sent', blocks });
  }
  return messages;
}

/** AWS released the addresses without a confirmation from this thread (by email or in Support Center, say). */
export function addressesReleasedNotice(request: RelinquishRequest): SlackMessage {
  const addresses = request.payload.rows.flatMap((r) => r.addresses).map((a) => `\`${a}\``);
  const text = `:white_check_mark: AWS replied, and ${addresses.join(', ')} ${addresses.length === 1 ? 'is' : 'are'} no longer in the account: the relinquishment went through (a confirmation by email or in Support Center counts too). Nothing more needs confirming here.`;
  return { text, blocks: [section(text)] };
}
