/**
 * Case subject and body in the console's own layout for SES limit cases, which AWS reviewers
 * and their tools parse. Pure functions: golden-tested.
 */
import { MAIL_TYPES, yesNo, type MailType } from './common.js';
import { regionName, type RegionCode } from './regions.js';

/** The Support category a limit case is filed under by default, as AWS names it (the body's `Service:` line). */
export const CASE_SERVICE_NAME = 'SES Sending Limits';
/** The limit type the quota form shows: the same name as the case body's, so the two never disagree. */
export const FORM_LIMIT_TYPE = CASE_SERVICE_NAME;
const SEPARATOR = '------------';

export interface LimitBlock {
  region: RegionCode;
  limitName: string;
  newValue: number;
}

export interface CaseText {
  subject: string;
  body: string;
}

/** The line that lets the bot find its case again among the account's cases (e.g. after a crash). */
export function referenceLine(reference: string): string {
  return `Slack request reference: ${reference}`;
}

function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1)?.trim() ?? '';
}

/**
 * Whether a case is the one filed for `reference`: by the subject's suffix or the body's last
 * line, both written by the bot, never by a match anywhere in text users typed.
 */
export function isCaseFor(reference: string, c: { subject?: string; bodies: string[] }): boolean {
  return Boolean(c.subject?.endsWith(` [${reference}]`)) || c.bodies.some((b) => lastLine(b) === referenceLine(reference));
}

/** Whether a communication on the case is one the bot sent (the filing, a confirmation, a reply). */
export function isOwnCommunication(reference: string, body: string): boolean {
  const last = lastLine(body);
  if (last === referenceLine(reference) || last === confirmationReferenceLine(reference)) return true;
  const marker = replyReference(reference, '');
  return last.startsWith('Sent from Slack by ') && last.includes(marker) && /^[A-Za-z0-9]+$/.test(last.slice(last.lastIndexOf(marker) + marker.length));
}

export function confirmationReferenceLine(reference: string): string {
  return `Slack confirmation reference: ${reference}-confirm`;
}

/** The end of a reply's signature line; `key` identifies the reply. */
export function replyReference(reference: string, key: string): string {
  return `Slack reply reference: ${reference}-${key}`;
}

export function renderLimitCaseBody(parts: {
  blocks: LimitBlock[];
  useCase: string;
  mailType?: MailType;
  websiteUrl?: string;
  answers: [question: string, answer: boolean | string][];
  reference: string;
  /** The Support category the case is filed under, as AWS names it (the console's limit type). */
  serviceName?: string;
}): string {
  const lines: string[] = [];
  parts.blocks.forEach((block, i) => {
    lines.push(
      `Limit increase request ${i + 1}`,
      `Service: ${parts.serviceName ?? CASE_SERVICE_NAME}`,
      `Region: ${regionName(block.region)}`,
      `Limit name: ${block.limitName}`,
      `New limit value: ${block.newValue}`,
      SEPARATOR,
    );
  });
  lines.push(`Use case description: ${parts.useCase}`);
  if (parts.mailType) lines.push(`Mail Type: ${MAIL_TYPES[parts.mailType]}`);
  if (parts.websiteUrl) lines.push(`Website URL: ${parts.websiteUrl}`);
  for (const [question, answer] of parts.answers) {
    lines.push(`${question}: ${typeof answer === 'boolean' ? yesNo(answer) : answer}`);
  }
  lines.push('', referenceLine(parts.reference));
  return lines.join('\n');
}

/** The line naming the AWS account a case is filed in (a named account's: AWS_ACCOUNTS_FILE). */
export function accountLine(accountId: string): string {
  return `AWS account: ${accountId}`;
}

/** Room the account line takes (with its line break): the form's length checks keep it free. */
export const ACCOUNT_LINE_CHARS = accountLine('123456789012').length + 1;

/** The case text with the account it is filed in named just above the reference line (which stays last). */
export function withAccountLine(text: CaseText, accountId: string | null): CaseText {
  if (!accountId) return text;
  const lines = text.body.split('\n');
  const at = Math.max(0, lines.length - 2);
  return { ...text, body: [...lines.slice(0, at), accountLine(accountId), ...lines.slice(at)].join('\n') };
}

const MAX_SUBJECT = 250;

/** Subjects carry the reference too, so a case can be recognised from DescribeCases alone. */
export function subjectWithReference(subject: string, reference: string): string {
  const suffix = ` [${reference}]`;
  const room = MAX_SUBJECT - suffix.length;
  const head = subject.length > room ? `${subject.slice(0, room - 1)}…` : subject;
  return head + suffix;
}

/** The case as people open it in Support Center. */
export function supportCaseUrl(displayId: string): string {
  return `https://console.aws.amazon.com/support/home#/case/?displayId=${encodeURIComponent(displayId)}`;
}

const CASE_STATUS_LABELS: Record<string, string> = {
  opened: 'Opened',
  unassigned: 'Unassigned',
  'work-in-progress': 'Work in progress',
  'pending-customer-action': 'Pending customer action',
  'customer-action-completed': 'Customer action completed',
  reopened: 'Reopened',
  resolved: 'Resolved',
};

export function caseStatusLabel(status: string): string {
  return Object.hasOwn(CASE_STATUS_LABELS, status) ? CASE_STATUS_LABELS[status]! : status;
}
