/** Answers and fields shared by every SES limit-increase form. */

export const MAIL_TYPES = {
  marketing: 'Marketing',
  transactional: 'Transactional',
  system_notifications: 'System Notifications',
} as const;
export type MailType = keyof typeof MAIL_TYPES;

export const CONTACT_LANGUAGES = { en: 'English', ja: 'Japanese' } as const;
export type ContactLanguage = keyof typeof CONTACT_LANGUAGES;

export type YesNo = 'yes' | 'no';

/** Errors for one form, keyed by field (rows use `rows.<rowKey>.<field>`), in plain words. */
export type FieldErrors = Record<string, string>;

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** The API refuses a communication body over 8,000 characters. */
export const MAX_CASE_BODY_CHARS = 8000;

const MAX_URL_CHARS = 1000;

/** Parses a website URL the way a reviewer would accept it: http(s), a real-looking host. */
export function checkWebsiteUrl(raw: string | null | undefined): { ok: true; url: string } | { ok: false; error: string } {
  const text = (raw ?? '').trim();
  if (!text) return { ok: false, error: 'Enter the website URL of the business that sends this mail.' };
  // The URL is written into the case body line by line: no whitespace may smuggle in a line.
  if (/[\p{White_Space}\p{Cc}\p{Cf}\p{Cs}]/u.test(text)) return { ok: false, error: 'Remove spaces and line breaks from the website URL.' };
  if (/SESBOT-/i.test(text)) return { ok: false, error: 'Remove "SESBOT-…" from the website URL: the bot writes request references itself.' };
  if (text.length > MAX_URL_CHARS) return { ok: false, error: `Shorten the website URL to at most ${formatNumber(MAX_URL_CHARS)} characters.` };
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) && !/^https?:\/\//i.test(text)) {
    return { ok: false, error: 'The website URL must start with https:// or http://.' };
  }
  let url: URL;
  try {
    if (!/^https?:\/\//i.test(text)) throw new Error('no scheme');
    url = new URL(text);
  } catch {
    return { ok: false, error: 'Enter a full web address starting with https:// or http://, for example https://example.com.' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, error: 'The website URL must start with https:// or http://.' };
  }
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z][a-z0-9-]*$/i.test(url.hostname)) {
    return { ok: false, error: 'The website URL needs a domain name such as example.com.' };
  }
  if (url.username || url.password) {
    return { ok: false, error: 'Remove the user name or password from the website URL.' };
  }
  return { ok: true, url: text };
}

/** Whole number parsing that refuses "1e6", "10.5", "1,000" ambiguities with a readable message. */
export function parseWholeNumber(raw: string | null | undefined): number | undefined {
  const text = (raw ?? '').trim();
  // Plain digits, or digits grouped by thousands ("200,000", "200 000"): "1,5" is not fifteen.
  if (!/^\d{1,15}$/.test(text) && !/^\d{1,3}([, _]\d{3}){1,4}$/.test(text)) return undefined;
  return Number(text.replace(/[, _]/g, ''));
}

/**
 * The one bound on every number a request asks for (a quota value, a send rate, a number of
 * dedicated IPs or of addresses to give back): the largest `DesiredValue` Service Quotas
 * documents, 10,000,000,000. AWS sets no other limit on what may be asked for; anything above
 * this is a typing mistake, not a request.
 */
export const MAX_REQUESTED_VALUE = 10_000_000_000;

export type RequestedValue = { ok: true; value: number } | { ok: false; problem: 'missing' | 'not_whole' | 'above_max' };

/** Digits, or digits grouped by thousands, of any length: a whole number, however large. */
const WHOLE_NUMBER_TEXT = /^\d+$|^\d{1,3}([, _]\d{3})+$/;

/**
 * A number typed into a request: a whole number (0 included: callers say it must be at least 1)
 * up to MAX_REQUESTED_VALUE. A whole number too long to read exactly is still known to be above
 * the bound, and says so rather than "not a whole number".
 */
export function parseRequestedValue(raw: string | null | undefined): RequestedValue {
  const text = (raw ?? '').trim();
  if (!text) return { ok: false, problem: 'missing' };
  if (!WHOLE_NUMBER_TEXT.test(text)) return { ok: false, problem: 'not_whole' };
  const digits = BigInt(text.replace(/[, _]/g, ''));
  if (digits > BigInt(MAX_REQUESTED_VALUE)) return { ok: false, problem: 'above_max' };
  return { ok: true, value: Number(digits) };
}

/** What a field says about a value above MAX_REQUESTED_VALUE; `what` names the field ("new limit value"). */
export function aboveMaxRequestedValue(what: string): string {
  return `The ${what} can be at most ${formatNumber(MAX_REQUESTED_VALUE)}, the largest value AWS accepts in a limit request.`;
}

/**
 * What to expect once a case is filed, in short sentences: the forms and the thread's first
 * message show the same words. Nothing here promises an outcome.
 */
export const CASE_EXPECTATIONS = [
  "AWS's first answer usually comes within 24 hours.",
  'AWS may ask for more information, and then the answer takes longer.',
  'The amount asked for is not guaranteed: request only what you need.',
] as const;

/**
 * A number as `toLocaleString('en-US')` writes it (1,234,567.891: grouped thousands, at most three
 * decimals, the shortest decimal form of the number rounded half away from zero), without ICU:
 * toLocaleString builds a number formatter on every call, and its first call maps in megabytes of
 * the node binary's locale data, which the bot otherwise never needs.
 * test/property/format-number.property.test.ts checks that the two agree.
 */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n) || Math.abs(n) >= 1e21) return n.toLocaleString('en-US');
  const sign = n < 0 || Object.is(n, -0) ? '-' : '';
  // Below half a thousandth (the only numbers String() writes with an exponent here) it rounds to 0.
  if (Math.abs(n) < 0.0005) return `${sign}0`;
  const [whole, fraction = ''] = String(Math.abs(n)).split('.') as [string, string?];
  const thousandths = BigInt(whole + fraction.slice(0, 3).padEnd(3, '0')) + ((fraction[3] ?? '0') >= '5' ? 1n : 0n);
  const digits = thousandths.toString().padStart(4, '0');
  const decimals = digits.slice(-3).replace(/0+$/, '');
  return `${sign}${digits.slice(0, -3).replace(/\B(?=(\d{3})+$)/g, ',')}${decimals ? `.${decimals}` : ''}`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;

/** "12 March 2026": a date's UTC day as people write it (what en-GB's long month gives, without ICU). */
export function utcDayText(date: Date): string {
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

export function yesNo(answer: boolean): 'Yes' | 'No' {
  return answer ? 'Yes' : 'No';
}

/**
 * A request's reference: short, unique and unlikely to appear in a case by chance. It is
 * written into the case subject and body so the bot can find its case again.
 */
/** Request ids are 16 characters; case bodies are measured with the reference they make. */
export const LONGEST_REQUEST_ID = 'x'.repeat(16);

export function referenceFor(requestId: string): string {
  return `SESBOT-${requestId}`;
}

/** Every line break a reader or parser of the case may honour, as one newline. */
export function normalizeLineBreaks(text: string): string {
  return text.replace(/\r\n|[\r\u000b\u000c\u0085\u2028\u2029]/g, '\n');
}

/**
 * Free text goes into the case body line by line: it may not write the lines the bot writes
 * itself (a request block, a reference the bot finds its cases by).
 */
export function templateLineProblem(text: string): string | undefined {
  if (/SESBOT-/i.test(text)) return 'Remove "SESBOT-…": the bot writes request references itself.';
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (/^Limit increase request\s*\d/i.test(l) || /^Slack (request|confirmation|reply) reference/i.test(l)) {
      return `Remove the line "${l.slice(0, 40)}": the bot writes that line itself.`;
    }
  }
  return undefined;
}

/** Items by key, in the order first seen (each group in its items' order). Linear: no array is copied. */
export function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
