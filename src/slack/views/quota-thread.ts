/**
 * What the thread of a quota request filed through Service Quotas says about its rows: each
 * row sent, refused or uncertain, each status AWS reports, the case AWS opens, and the form
 * (added to that case, or ready to paste when the account has no paid support plan).
 */
import { rowLabel, rowStatusWord, type QuotaRowState } from '../../domain/quota-rows.js';
import { regionName } from '../../domain/regions.js';
import { SES_QUOTAS } from '../../domain/service-quotas.js';
import { escape, userMention } from '../mrkdwn.js';
import { section } from './blocks.js';
import type { SlackMessage } from './root-message.js';
import { splitText } from './thread-messages.js';

function notice(text: string): SlackMessage {
  return { text, blocks: [section(text)] };
}

export function rowSentNotice(row: QuotaRowState): SlackMessage {
  if (row.path === 'production_access') {
    return notice(
      `:outbox_tray: *${escape(regionName(row.region))}* is in the SES sandbox, so the bot requested production access there (the values asked for are in the use case). AWS reviews it, usually within a day; status: *${escape(rowStatusWord(row) ?? 'pending')}*.`,
    );
  }
  return notice(
    `:outbox_tray: Sent to AWS Service Quotas: ${escape(rowLabel(row))} (quota ${SES_QUOTAS[row.limit].code}, request \`${escape(row.awsId ?? '')}\`). Status: *${escape(rowStatusWord(row) ?? 'pending')}*.`,
  );
}

/** A row that follows a request AWS already had (a pending quota request, an open review, or sent on another path after a denial). */
export function rowLinkedNotice(row: QuotaRowState): SlackMessage {
  const what = row.path === 'production_access' ? `production access for *${escape(regionName(row.region))}*` : escape(rowLabel(row));
  return notice(`:link: ${what}: ${escape(row.note ?? '')} Status: *${escape(rowStatusWord(row) ?? 'pending')}*.`);
}

export function rowFailedNotice(row: QuotaRowState): SlackMessage {
  return notice(`:x: ${escape(rowLabel(row))} was not sent: ${escape(row.errorMessage ?? 'AWS refused it.')} Press Retry on the request to send it again; rows AWS already has are not sent twice.`);
}

export function rowUncertainNotice(row: QuotaRowState): SlackMessage {
  return notice(
    `:warning: It is not known whether AWS received ${escape(rowLabel(row))} (${escape(row.errorMessage ?? 'AWS did not answer clearly')}). The bot looks for it at AWS and sends it again only if AWS does not have it.`,
  );
}

/** A status AWS reported for a row, said once. */
export function rowStatusNotice(row: QuotaRowState, requesterId: string): SlackMessage {
  const word = rowStatusWord(row) ?? '';
  const what = row.path === 'production_access' ? `Production access for *${escape(regionName(row.region))}*` : `Service Quotas request for ${escape(rowLabel(row))}`;
  const icon = ['approved', 'granted'].includes(word) ? ':white_check_mark:' : ['denied', 'not approved', 'failed', 'invalid request'].includes(word) ? ':x:' : ':arrows_counterclockwise:';
  const mention = ['denied', 'not approved', 'failed', 'invalid request', 'approved', 'granted'].includes(word) ? ` ${userMention(requesterId)}` : '';
  return notice(`${icon} ${what}: *${escape(word)}*.${mention}`);
}

export function rowCaseNotice(row: QuotaRowState): SlackMessage {
  const what = row.path === 'production_access' ? `the production access review for ${regionName(row.region)}` : rowLabel(row);
  return notice(`:envelope_with_arrow: AWS opened Support case \`${escape(row.caseId ?? '')}\` for ${escape(what)}.`);
}

export function formAddedNotice(caseId: string): SlackMessage {
  return notice(`:page_facing_up: The whole form (use case, mail type, website, answers) was added to case \`${escape(caseId)}\`, so AWS's reviewers have it without asking. AWS's replies on the case appear in this thread.`);
}

/** A section holds 3,000 characters; the fences and escaping need room. */
const CHUNK = 2700;

/**
 * For an account without a paid support plan: where AWS will write, and the form's full text in
 * code blocks, ready to paste into the case if AWS asks for the use case.
 */
export function pasteReadyForm(requesterId: string, caseIds: string[], formText: string): SlackMessage[] {
  const cases = caseIds.map((c) => `\`${escape(c)}\``).join(', ');
  const intro =
    `${userMention(requesterId)}, this AWS account has no paid support plan, so the bot cannot add the form to ${caseIds.length === 1 ? 'case' : 'cases'} ${cases} ` +
    '(the AWS Support API needs Business, Enterprise On-Ramp or Enterprise). AWS will write to the account\'s contacts by email and in Support Center. ' +
    'If AWS asks for the use case, paste this into the case there. Statuses keep coming here from Service Quotas.';
  // A fence typed into the use case would close the code block early: a zero-width space breaks it.
  const chunks = splitText(escape(formText).replace(/```/g, '`\u200b``'), CHUNK);
  const messages: SlackMessage[] = [];
  const perMessage = 40;
  for (let i = 0; i < chunks.length; i += perMessage) {
    const blocks = chunks.slice(i, i + perMessage).map((chunk) => section(`\`\`\`${chunk}\`\`\``));
    messages.push({ text: i === 0 ? 'The form, ready to paste into the case' : 'The form, continued', blocks: i === 0 ? [section(intro), ...blocks] : blocks });
  }
  return messages;
}
