import { normalizeLineBreaks } from '../../src/domain/common.js';
/** Checks shared by the property tests: what an accepted quota request must satisfy. */
import { MAIL_TYPES, MAX_CASE_BODY_CHARS, MAX_REQUESTED_VALUE, yesNo } from '../../src/domain/common.js';
import { referenceLine } from '../../src/domain/case-text.js';
import { QUOTA_ANSWERS, quotaCaseText } from '../../src/domain/quota-request.js';
import {
  MAX_QUOTA_ROWS,
  MAX_USE_CASE_CHARS,
  MIN_USE_CASE_CHARS,
  QUOTA_LIMITS,
  type CurrentQuota,
  type QuotaFormInput,
  type QuotaIncreaseRequest,
} from '../../src/domain/quota-request.js';
import { isRegionCode, regionName } from '../../src/domain/regions.js';
import type { QuotaModalMeta } from '../../src/slack/modal-metadata.js';
import { codePoints } from './arbitraries.js';

/** A UTF-16 code unit that is half of a pair without its other half. */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** As the listener does: the quotas the user was shown. */
export function currentQuotas(meta: QuotaModalMeta): Record<string, CurrentQuota> {
  const current: Record<string, CurrentQuota> = {};
  for (const [region, lookup] of Object.entries(meta.quotas)) if (lookup.state === 'ok') current[region] = lookup.quota;
  return current;
}

/** The value a user typed, read the way a person reads "200,000" or "200 000". */
function typedNumber(text: string | null | undefined): number {
  return Number((text ?? '').trim().replace(/[, _]/g, ''));
}

/** Every rule an accepted quota request must satisfy, checked against what the user submitted. */
export function quotaRequestProblems(request: QuotaIncreaseRequest, form: QuotaFormInput, current: Record<string, CurrentQuota>, reference: string): string[] {
  const p: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) p.push(what);
  };
  check(request.kind === 'quota', 'kind');
  check(Object.hasOwn(MAIL_TYPES, request.mailType) && request.mailType === form.mailType, 'mail type is one of the form\'s and the one submitted');
  check(request.compliesWithAup === true && form.compliesWithAup === 'yes', 'AUP answered yes');
  check(form.onlyRequestedRecipients === 'yes' || form.onlyRequestedRecipients === 'no', 'recipients answered yes or no');
  check(form.handlesBouncesAndComplaints === 'yes' || form.handlesBouncesAndComplaints === 'no', 'bounces answered yes or no');
  check(request.onlyRequestedRecipients === (form.onlyRequestedRecipients === 'yes'), 'recipients answer kept');
  check(request.handlesBouncesAndComplaints === (form.handlesBouncesAndComplaints === 'yes'), 'bounces answer kept');
  check(request.language === form.language && (request.language === 'en' || request.language === 'ja'), 'language');

  const url = request.websiteUrl;
  check(url === (form.websiteUrl ?? '').trim(), 'URL is what was typed, trimmed');
  check(/^https?:\/\//i.test(url), 'URL is http(s)');
  check(url.length <= 1000, 'URL at most 1,000 characters');
  check(!/[\s\u0000-\u001f\u007f]/.test(url), 'URL has no whitespace or control characters');
  try {
    const parsed = new URL(url);
    check(parsed.protocol === 'https:' || parsed.protocol === 'http:', 'URL protocol');
    check(!parsed.username && !parsed.password, 'URL has no credentials');
    check(/\.[a-z]/i.test(parsed.hostname), 'URL has a domain name');
  } catch {
    p.push('URL does not parse');
  }

  check(request.rows.length >= 1 && request.rows.length <= MAX_QUOTA_ROWS, 'rows 1 to 10');
  check(request.rows.length === form.rows.length, 'every row of the form is in the request');
  const pairs = request.rows.map((r) => `${r.region}/${r.limit}`);
  check(new Set(pairs).size === pairs.length, 'region and limit unique');
  request.rows.forEach((row, i) => {
    const typed = form.rows[i];
    check(isRegionCode(row.region) && row.region === typed?.region, `row ${i}: region is a region code and the one chosen`);
    check(Object.hasOwn(QUOTA_LIMITS, row.limit) && row.limit === typed?.limit, `row ${i}: limit`);
    check(Number.isSafeInteger(row.newValue) && row.newValue >= 1, `row ${i}: whole value of at least 1`);
    check(row.newValue <= MAX_REQUESTED_VALUE, `row ${i}: value within the one bound AWS documents`);
    check(row.newValue === typedNumber(typed?.newValue), `row ${i}: value is the number typed`);
    const now = current[row.region]?.[row.limit === 'send_quota' ? 'max24HourSend' : 'maxSendRate'];
    if (now !== undefined) {
      check(now !== -1, `row ${i}: no request to raise an unlimited quota`);
      check(row.newValue > now, `row ${i}: above the current quota ${now}`);
    }
  });

  const useCase = request.useCase;
  check(useCase === normalizeLineBreaks(form.useCase ?? '').trim(), 'use case is what was typed, line breaks normalised, trimmed');
  check(codePoints(useCase) >= MIN_USE_CASE_CHARS && codePoints(useCase) <= MAX_USE_CASE_CHARS, `use case ${MIN_USE_CASE_CHARS} to ${MAX_USE_CASE_CHARS} characters`);

  const { subject, body } = quotaCaseText(request, reference);
  check(body.length <= MAX_CASE_BODY_CHARS, `body of ${body.length} characters fits AWS's 8,000`);
  check(subject.length <= 250 && subject.endsWith(` [${reference}]`), 'subject carries the reference and fits');
  // The template, line by line: the only text the user controls is the use case, in its one place.
  const head = request.rows.flatMap((row, i) => [
    `Limit increase request ${i + 1}`,
    'Service: SES Sending Limits',
    `Region: ${regionName(row.region)}`,
    `Limit name: ${QUOTA_LIMITS[row.limit].caseName}`,
    `New limit value: ${row.newValue}`,
    '------------',
  ]);
  const tail = [
    `Mail Type: ${MAIL_TYPES[request.mailType]}`,
    `Website URL: ${request.websiteUrl}`,
    `${QUOTA_ANSWERS.aup}: Yes`,
    `${QUOTA_ANSWERS.requested}: ${yesNo(request.onlyRequestedRecipients)}`,
    `${QUOTA_ANSWERS.bounces}: ${yesNo(request.handlesBouncesAndComplaints)}`,
    '',
    referenceLine(reference),
  ];
  check(body === [...head, `Use case description: ${useCase}`, ...tail].join('\n'), 'body is the template filled in');
  check(body.split('\n').at(-1) === referenceLine(reference), 'the reference line is the last line');
  return p;
}

