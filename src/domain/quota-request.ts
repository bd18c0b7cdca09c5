/**
 * The SES sending-quota increase request: what the console's service limit increase form asks
 * for SES (limit type FORM_LIMIT_TYPE), its validation rules, the warnings shown before filing,
 * and nothing about Slack or AWS SDKs.
 */
import { z } from 'zod';
import {
  CASE_EXPECTATIONS,
  CONTACT_LANGUAGES,
  MAIL_TYPES,
  aboveMaxRequestedValue,
  checkWebsiteUrl,
  MAX_CASE_BODY_CHARS,
  formatNumber,
  normalizeLineBreaks,
  parseRequestedValue,
  templateLineProblem,
  referenceFor,
  LONGEST_REQUEST_ID,
  type ContactLanguage,
  type FieldErrors,
  type MailType,
  type Validation,
} from './common.js';
import { ACCOUNT_LINE_CHARS, renderLimitCaseBody, subjectWithReference, type CaseText } from './case-text.js';
import { isRegionCode, regionName, type RegionCode } from './regions.js';

/** The limits a row can ask to raise. Their values are bounded only by MAX_REQUESTED_VALUE (common.ts). */
export const QUOTA_LIMITS = {
  send_quota: { caseName: 'Desired Maximum Send Quota', label: 'Desired Maximum Send Quota (emails per 24 hours)', unit: 'per 24 hours' },
  send_rate: { caseName: 'Desired Maximum Send Rate', label: 'Desired Maximum Send Rate (emails per second)', unit: 'per second' },
} as const;
export type QuotaLimit = keyof typeof QUOTA_LIMITS;

/** At most this many request rows: keeps the modal well inside Block Kit's 100-block limit. */
export const MAX_QUOTA_ROWS = 10;

/** AWS denies vague requests; below this the description cannot answer the four questions. */
export const MIN_USE_CASE_CHARS = 150;
/** Slack's text inputs hold at most 3,000 characters (and redraw no more). */
export const MAX_USE_CASE_CHARS = 3000;

/** The four questions AWS asks a quota increase's use case to answer, in AWS's order, in our words. */
export const USE_CASE_QUESTIONS = [
  'How do you build or acquire your mailing list?',
  'How do you handle bounces and complaints?',
  'How can recipients opt out of your mail?',
  'How did you choose the new sending rate or sending quota you are asking for?',
] as const;

/** Shown after the four questions: AWS also takes into account anything else the case tells it. */
export const USE_CASE_INVITATION = 'Add anything else AWS should consider when it reviews this request.';

/** The use case field's hint: what AWS looks for, with no promise of an outcome. */
export const USE_CASE_HINT = `At least ${MIN_USE_CASE_CHARS} characters. Answer each question about your own sending, specifically: AWS reviews the request on what the case describes.`;

/** AWS's PutAccountDetails takes at most this many additional contact addresses. */
export const MAX_ADDITIONAL_CONTACTS = 4;
/** The longest email address AWS accepts there (and the longest a mailbox can have). */
export const MAX_EMAIL_CHARS = 254;

/** The additional contacts field's hint: what it is for, since the case itself does not use it. */
export const ADDITIONAL_CONTACTS_HINT =
  `Up to ${MAX_ADDITIONAL_CONTACTS} email addresses, separated by commas. Used when a region is still in the sandbox and the bot requests production access.`;

/** What to expect once a quota case is filed (the form and the thread's first message show these). */
export const QUOTA_EXPECTATIONS: readonly string[] = [...CASE_EXPECTATIONS];

/** A new value more than this many times the current quota gets a warning before it is filed. */
export const FAR_ABOVE_FACTOR = 100;

export interface QuotaRequestRow {
  region: RegionCode;
  limit: QuotaLimit;
  newValue: number;
}

export interface QuotaIncreaseRequest {
  kind: 'quota';
  mailType: MailType;
  websiteUrl: string;
  compliesWithAup: true;
  onlyRequestedRecipients: boolean;
  handlesBouncesAndComplaints: boolean;
  rows: QuotaRequestRow[];
  useCase: string;
  language: ContactLanguage;
  /** Whom AWS also writes to about a production access review; present only when non-empty. */
  additionalContactEmails?: string[];
}

/** The account's current sending limits in one region, as SESv2 GetAccount reports them. */
export interface CurrentQuota {
  max24HourSend: number; // -1 means unlimited
  maxSendRate: number; // -1 means unlimited
  sentLast24Hours: number;
  productionAccess: boolean;
}

/** What the form holds, as loose strings: anything may be missing or malformed. */
export interface QuotaFormInput {
  mailType?: string | null;
  websiteUrl?: string | null;
  compliesWithAup?: string | null;
  onlyRequestedRecipients?: string | null;
  handlesBouncesAndComplaints?: string | null;
  rows: { key: string; region?: string | null; limit?: string | null; newValue?: string | null }[];
  useCase?: string | null;
  language?: string | null;
  /** Email addresses separated by commas, semicolons or spaces. */
  additionalContacts?: string | null;
}

export function rowField(key: string, field: 'region' | 'limit' | 'newValue'): string {
  return `rows.${key}.${field}`;
}

const answer = (question: string) =>
  z.enum(['yes', 'no'], { error: `Answer "${question}" with Yes or No.` });

const formSchema = z.object({
  mailType: z.enum(Object.keys(MAIL_TYPES) as [MailType, ...MailType[]], {
    error: 'Choose the type of mail that covers most of what you send.',
  }),
  compliesWithAup: answer('My email sending complies with the AWS Service Terms and AUP').refine((v) => v === 'yes', {
    error: 'AWS does not raise limits for sending that does not comply with the AWS Service Terms and Acceptable Use Policy, so this request cannot be filed with "No".',
  }),
  onlyRequestedRecipients: answer('I only send to recipients who have specifically requested my mail'),
  handlesBouncesAndComplaints: answer('I have a process to handle bounces and complaints'),
  useCase: z
    .string({ error: 'Describe your use case.' })
    .transform(normalizeLineBreaks)
    .pipe(
      z
        .string()
        .trim()
        .min(MIN_USE_CASE_CHARS, {
          error: (issue) =>
            `Say more (at least ${MIN_USE_CASE_CHARS} characters; you wrote ${String(issue.input ?? '').trim().length}): AWS denies vague requests. Answer the four questions above.`,
        })
        .max(MAX_USE_CASE_CHARS, { error: `Keep the use case to at most ${formatNumber(MAX_USE_CASE_CHARS)} characters.` })
        .superRefine((v, ctx) => {
          const problem = templateLineProblem(v);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
    ),
  language: z.enum(Object.keys(CONTACT_LANGUAGES) as [ContactLanguage, ...ContactLanguage[]], {
    error: 'Choose English or Japanese.',
  }),
});

/**
 * Validates the form. `current` holds the quotas the user was shown, per region, when known:
 * a new value must then be above the current one.
 */
export function validateQuotaForm(
  input: QuotaFormInput,
  current: Partial<Record<string, CurrentQuota>> = {},
): Validation<QuotaIncreaseRequest> {
  const errors: FieldErrors = {};
  const parsed = formSchema.safeParse({
    mailType: input.mailType ?? undefined,
    compliesWithAup: input.compliesWithAup ?? undefined,
    onlyRequestedRecipients: input.onlyRequestedRecipients ?? undefined,
    handlesBouncesAndComplaints: input.handlesBouncesAndComplaints ?? undefined,
    useCase: input.useCase ?? undefined,
    language: input.language ?? undefined,
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0]);
      errors[field] ??= issue.message;
    }
  }

  const website = checkWebsiteUrl(input.websiteUrl);
  if (!website.ok) errors.websiteUrl = website.error;

  const rows = validateRows(input.rows, current, errors);
  const contacts = parseAdditionalContacts(input.additionalContacts);
  if (!contacts.ok) errors.additionalContacts = contacts.error;

  if (Object.keys(errors).length > 0 || !parsed.success || !website.ok || !contacts.ok) return { ok: false, errors };
  const request: QuotaIncreaseRequest = {
    kind: 'quota',
    mailType: parsed.data.mailType,
    websiteUrl: website.url,
    compliesWithAup: true,
    onlyRequestedRecipients: parsed.data.onlyRequestedRecipients === 'yes',
    handlesBouncesAndComplaints: parsed.data.handlesBouncesAndComplaints === 'yes',
    rows,
    useCase: parsed.data.useCase,
    language: parsed.data.language,
    // JSON drops an undefined key anyway; leaving it out keeps stored payloads equal to their parse.
    ...(contacts.emails.length ? { additionalContactEmails: contacts.emails } : {}),
  };
  // With room for the account line a case in a named account carries.
  const bodyLength = quotaCaseText(request, referenceFor(LONGEST_REQUEST_ID)).body.length + ACCOUNT_LINE_CHARS;
  if (bodyLength > MAX_CASE_BODY_CHARS) {
    return {
      ok: false,
      errors: { useCase: `The case would be ${formatNumber(bodyLength)} characters; AWS accepts ${formatNumber(MAX_CASE_BODY_CHARS)}. Shorten the use case description.` },
    };
  }
  return { ok: true, value: request };
}

/**
 * Something shaped like local@domain.tld: AWS checks deliverability itself; this catches typos
 * and pasted "Name <address>" lists. The local part has none of RFC 5322's specials (no quoted
 * forms: nobody needs them here); the domain is letters, digits and hyphens, IDNs included.
 */
const EMAIL_SHAPE = /^[^\s@<>()[\]\\,;:"\p{Cc}\p{Cf}]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+$/u;

/** A token short enough to name in an error message without drowning it. */
function quoted(token: string): string {
  return `"${token.length > 60 ? `${token.slice(0, 59)}…` : token}"`;
}

/**
 * The additional contacts field: addresses separated by commas, semicolons or whitespace (people
 * paste lists in all three forms), each shaped like an address, duplicates (ignoring case) dropped
 * silently, at most MAX_ADDITIONAL_CONTACTS. An empty field is no addresses, not an error.
 */
export function parseAdditionalContacts(raw: string | null | undefined): { ok: true; emails: string[] } | { ok: false; error: string } {
  const tokens = (raw ?? '').split(/[\s,;]+/).filter((t) => t.length > 0);
  const tooLong = tokens.find((t) => t.length > MAX_EMAIL_CHARS);
  if (tooLong) return { ok: false, error: `${quoted(tooLong)} is longer than ${MAX_EMAIL_CHARS} characters, the most an email address can have.` };
  const bad = tokens.find((t) => !EMAIL_SHAPE.test(t));
  if (bad) return { ok: false, error: `${quoted(bad)} does not look like an email address. Enter addresses like ops@example.com, separated by commas.` };
  // Mailbox names are case-insensitive in practice: "Ops@x.com, ops@x.com" is one contact, kept as first typed.
  const byAddress = new Map<string, string>();
  for (const t of tokens) if (!byAddress.has(t.toLowerCase())) byAddress.set(t.toLowerCase(), t);
  const emails = [...byAddress.values()];
  if (emails.length > MAX_ADDITIONAL_CONTACTS) {
    return { ok: false, error: `At most ${MAX_ADDITIONAL_CONTACTS} additional contacts (you entered ${emails.length}).` };
  }
  return { ok: true, emails };
}

/** The request rows: each region and limit once, each value a whole number above the current one. Errors go into `errors`. */
function validateRows(inputRows: QuotaFormInput['rows'], current: Partial<Record<string, CurrentQuota>>, errors: FieldErrors): QuotaRequestRow[] {
  const rows: QuotaRequestRow[] = [];
  const seen = new Map<string, number>();
  if (inputRows.length === 0) errors.rows = 'Add at least one request.';
  if (inputRows.length > MAX_QUOTA_ROWS) errors.rows = `At most ${MAX_QUOTA_ROWS} requests fit in one case.`;
  inputRows.forEach((row, index) => {
    const region = row.region ?? undefined;
    const limit = row.limit ?? undefined;
    const regionOk = isRegionCode(region);
    const limitOk = typeof limit === 'string' && Object.hasOwn(QUOTA_LIMITS, limit);
    if (!regionOk) errors[rowField(row.key, 'region')] = 'Choose the region whose limit you want raised.';
    if (!limitOk) errors[rowField(row.key, 'limit')] = 'Choose which limit to raise.';
    const valueError = checkNewValue(row.newValue, regionOk && limitOk ? currentValue(current, region, limit as QuotaLimit) : undefined, limitOk ? (limit as QuotaLimit) : undefined);
    if (typeof valueError === 'string') errors[rowField(row.key, 'newValue')] = valueError;
    if (regionOk && limitOk) {
      const pair = `${region}/${limit}`;
      const first = seen.get(pair);
      if (first !== undefined) {
        errors[rowField(row.key, 'limit')] =
          `Request ${first + 1} already asks for the ${QUOTA_LIMITS[limit as QuotaLimit].caseName} in ${regionName(region)}. Remove one of them.`;
      } else {
        seen.set(pair, index);
      }
      if (typeof valueError === 'number') rows.push({ region, limit: limit as QuotaLimit, newValue: valueError });
    }
  });

  return rows;
}

function limitKey(limit: QuotaLimit): 'max24HourSend' | 'maxSendRate' {
  return limit === 'send_quota' ? 'max24HourSend' : 'maxSendRate';
}

/** The current value of a limit in a region, when it is known (own properties only: the form's strings pick it). */
function currentValue(current: Partial<Record<string, CurrentQuota>>, region: string, limit: QuotaLimit): number | undefined {
  return Object.hasOwn(current, region) ? current[region]?.[limitKey(limit)] : undefined;
}

/** Returns the parsed value, or the error to show under the field. */
function checkNewValue(raw: string | null | undefined, now: number | undefined, limit: QuotaLimit | undefined): number | string {
  const parsed = parseRequestedValue(raw);
  if (!parsed.ok) {
    if (parsed.problem === 'missing') return 'Enter the new limit value.';
    if (parsed.problem === 'not_whole') return 'Enter a whole number, without decimals or units (for example 200000).';
    return aboveMaxRequestedValue('new limit value');
  }
  const value = parsed.value;
  if (value < 1) return 'The new limit value must be at least 1.';
  if (limit) {
    const { unit } = QUOTA_LIMITS[limit];
    if (now === -1) return `This account already has no limit here (${unit}); there is nothing to raise.`;
    if (now !== undefined && value <= now) {
      return `Your current limit is ${formatNumber(now)} ${unit}; ask for more than that.`;
    }
  }
  return value;
}

/** A warning shown under a field before filing; the user may submit again to file as it is. */
export interface FieldWarning {
  field: string;
  message: string;
}

/**
 * The rows whose new value is more than FAR_ABOVE_FACTOR times the current quota of its limit in
 * its region (known, positive, not unlimited): a warning under each such row's value, in row
 * order, never a refusal. AWS grants what a case shows is needed, so a number that far above
 * is more often a typing mistake than a plan; the user checks it and submits again to file it.
 * Rows that cannot be read say nothing here (validation says what is wrong with them). A region
 * still in the sandbox is not compared: its quota (200 a day) says nothing of what production
 * sending needs, and leaving the sandbox is exactly a request far above it.
 */
export function farAboveCurrent(input: Pick<QuotaFormInput, 'rows'>, current: Partial<Record<string, CurrentQuota>>): FieldWarning[] {
  const warnings: FieldWarning[] = [];
  for (const row of input.rows) {
    const limit = row.limit;
    if (!isRegionCode(row.region) || typeof limit !== 'string' || !Object.hasOwn(QUOTA_LIMITS, limit)) continue;
    const parsed = parseRequestedValue(row.newValue);
    const now = currentValue(current, row.region, limit as QuotaLimit);
    if (!parsed.ok || now === undefined || now <= 0 || current[row.region]?.productionAccess === false) continue;
    if (parsed.value > FAR_ABOVE_FACTOR * now) {
      warnings.push({
        field: rowField(row.key, 'newValue'),
        message:
          `${formatNumber(parsed.value)} is more than ${FAR_ABOVE_FACTOR} times your current quota (${formatNumber(now)} ${QUOTA_LIMITS[limit as QuotaLimit].unit}). ` +
          'AWS grants what a case shows you need; check the number, then submit again to file it as it is.',
      });
    }
  }
  return warnings;
}

export const QUOTA_ANSWERS = {
  aup: 'My email-sending complies with the AWS Service Terms and AUP',
  requested: 'I only send to recipients who have specifically requested my mail',
  bounces: 'I have a process to handle bounces and complaints',
} as const;

/** The case a quota request becomes, in the console's layout (also what Service Quotas' case is given). */
export function quotaCaseText(request: QuotaIncreaseRequest, reference: string, serviceName?: string): CaseText {
  const body = renderLimitCaseBody({
    blocks: request.rows.map((row) => ({ region: row.region, limitName: QUOTA_LIMITS[row.limit].caseName, newValue: row.newValue })),
    useCase: request.useCase,
    mailType: request.mailType,
    websiteUrl: request.websiteUrl,
    answers: [
      [QUOTA_ANSWERS.aup, request.compliesWithAup],
      [QUOTA_ANSWERS.requested, request.onlyRequestedRecipients],
      [QUOTA_ANSWERS.bounces, request.handlesBouncesAndComplaints],
    ],
    reference,
    ...(serviceName ? { serviceName } : {}),
  });
  const what = request.rows
    .map((row) => `${row.region} ${formatNumber(row.newValue)} ${row.limit === 'send_quota' ? 'per day' : 'per second'}`)
    .join(', ');
  return { subject: subjectWithReference(`Amazon SES sending limit increase: ${what}`, reference), body };
}

