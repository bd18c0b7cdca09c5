/**
 * Dedicated IP requests: leasing standard dedicated IPs, or relinquishing leased ones, through a
 * Service limit increase case (limit "Desired Maximum Send Rate"). Rules, costs and case text.
 */
import { z } from 'zod';
import { ACCOUNT_LINE_CHARS, renderLimitCaseBody, subjectWithReference, type CaseText } from './case-text.js';
import {
  CASE_EXPECTATIONS,
  CONTACT_LANGUAGES,
  MAIL_TYPES,
  MAX_CASE_BODY_CHARS,
  aboveMaxRequestedValue,
  checkWebsiteUrl,
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
  utcDayText,
} from './common.js';
import { isRegionCode, regionName, type RegionCode } from './regions.js';

export const SEND_RATE_LIMIT_NAME = 'Desired Maximum Send Rate';
export const MAX_DEDICATED_IP_ROWS = 10;
// Send rates and numbers of IPs are bounded only by MAX_REQUESTED_VALUE (common.ts): AWS lets a
// team request as many dedicated IPs as it needs.
export const MIN_DEDICATED_USE_CASE_CHARS = 100;
export const MAX_TEXT_CHARS = 3000;

export type DedicatedIpAction = 'request' | 'relinquish';

/**
 * What to expect once a dedicated-IP request is filed: what every case says, and that AWS sizes
 * the number of IPs from the send rate given (the form and the thread's first message show these).
 */
export const DEDICATED_IP_EXPECTATIONS: readonly string[] = [
  ...CASE_EXPECTATIONS,
  'AWS uses the send rate you give to size the number of dedicated IPs, so give it accurately.',
];

export const DEDICATED_IP_QUESTIONS = {
  optIn: 'Describe, in detail, how you will only send to recipients who have specifically requested your mail',
  bounces: 'Describe, in detail, the process that you will follow when you receive bounce and complaint notifications',
  aup: 'Will you comply with AWS Service Terms and AUP',
} as const;

// ---------------------------------------------------------------------------------------------
// Inventory: what the account leases, per region (read with SESv2).

export interface DedicatedIp {
  ip: string;
  pool: string;
  scalingMode: 'STANDARD' | 'MANAGED';
  warmupStatus: string;
  warmupPercentage: number;
}

export interface RegionInventory {
  region: RegionCode;
  ips: DedicatedIp[];
}

export function standardIps(inventory: RegionInventory): DedicatedIp[] {
  return inventory.ips.filter((ip) => ip.scalingMode === 'STANDARD');
}

// ---------------------------------------------------------------------------------------------
// Costs.

/** Whole cents, to keep money arithmetic exact. */
export type Cents = number;

export function formatUsd(cents: Cents): string {
  return `USD ${(cents / 100).toFixed(2)}`;
}

export function monthlyCost(ipCount: number, pricePerMonth: Cents): Cents {
  return ipCount * pricePerMonth;
}

export function daysInMonth(date: Date): number {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
}

/**
 * This month's charge for addresses relinquished on `date` (UTC): the days elapsed, today
 * included, × the monthly price ÷ the days in the month, per address, rounded to the cent.
 */
export function proratedCharge(ipCount: number, pricePerMonth: Cents, date: Date): { cents: Cents; daysElapsed: number; daysInMonth: number } {
  const days = daysInMonth(date);
  const elapsed = date.getUTCDate();
  return { cents: Math.round((ipCount * pricePerMonth * elapsed) / days), daysElapsed: elapsed, daysInMonth: days };
}

/** A prorated charge and the day it assumes the addresses are released. */
export interface ReleaseProration {
  cents: Cents;
  daysElapsed: number;
  daysInMonth: number;
  /** The UTC day assumed, as YYYY-MM-DD. */
  date: string;
  /** The same day in words, as the form and the prompt show it: "12 March 2026". */
  dateText: string;
}

/**
 * This month's charge if the addresses were released on `date` (UTC), with that day: AWS
 * releases them only after it asks and someone confirms, often days later, so the words around
 * it say "if released today (<dateText>)" and RELEASE_DAY_NOTE.
 */
export function prorationIfReleasedOn(ipCount: number, pricePerMonth: Cents, date: Date): ReleaseProration {
  const figure = proratedCharge(ipCount, pricePerMonth, date);
  const y = date.getUTCFullYear();
  const iso = `${String(y).padStart(4, '0')}-${String(date.getUTCMonth() + 1).padStart(2, '0')}-${String(date.getUTCDate()).padStart(2, '0')}`;
  return { ...figure, date: iso, dateText: utcDayText(date) };
}

/** Said beside any prorated figure: the real charge is set by the day AWS removes the addresses. */
export const RELEASE_DAY_NOTE =
  'The final figure depends on the day AWS removes the addresses, which is only after AWS asks and the removal is confirmed.';

// ---------------------------------------------------------------------------------------------
// Requests.

export interface LeaseRow {
  region: RegionCode;
  sendRate: number;
  ipCount: number | undefined;
}

export interface DedicatedIpLease {
  kind: 'dedicated_ip';
  action: 'request';
  mailType: MailType;
  websiteUrl: string;
  optInProcess: string | undefined;
  bounceProcess: string | undefined;
  compliesWithAup: true;
  rows: LeaseRow[];
  useCase: string;
  language: ContactLanguage;
}

export interface RelinquishRow {
  region: RegionCode;
  /** The addresses to give back; empty when only a count could be given (inventory unreadable). */
  addresses: string[];
  count: number;
}

export interface DedicatedIpRelinquish {
  kind: 'dedicated_ip';
  action: 'relinquish';
  rows: RelinquishRow[];
  note: string | undefined;
  language: ContactLanguage;
}

export type DedicatedIpRequest = DedicatedIpLease | DedicatedIpRelinquish;

export interface DedicatedIpFormInput {
  action?: string | null;
  mailType?: string | null;
  websiteUrl?: string | null;
  optInProcess?: string | null;
  bounceProcess?: string | null;
  compliesWithAup?: string | null;
  rows: {
    key: string;
    region?: string | null;
    sendRate?: string | null;
    ipCount?: string | null;
    addresses?: string[] | null;
    count?: string | null;
  }[];
  useCase?: string | null;
  note?: string | null;
  language?: string | null;
}

export type DedicatedRowField = 'region' | 'sendRate' | 'ipCount' | 'addresses' | 'count';

export function dedicatedRowField(key: string, field: DedicatedRowField): string {
  return `rows.${key}.${field}`;
}

/** Inventories known per region; a region missing here could not be read. */
export type Inventories = Partial<Record<string, RegionInventory>>;

const language = z.enum(Object.keys(CONTACT_LANGUAGES) as [ContactLanguage, ...ContactLanguage[]], { error: 'Choose English or Japanese.' });
/** Free text for the case body: line breaks normalised, no line the bot writes itself. */
const noTemplateLines = (v: string, ctx: z.RefinementCtx) => {
  const problem = templateLineProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
};

const optionalText = (label: string) =>
  z
    .string()
    .transform(normalizeLineBreaks)
    .pipe(z.string().trim().max(MAX_TEXT_CHARS, { error: `Keep ${label} to at most ${formatNumber(MAX_TEXT_CHARS)} characters.` }).superRefine(noTemplateLines))
    .optional()
    .transform((v) => (v ? v : undefined));

const leaseSchema = z.object({
  mailType: z.enum(Object.keys(MAIL_TYPES) as [MailType, ...MailType[]], { error: 'Choose the type of mail that covers most of what you send.' }),
  optInProcess: optionalText('this answer'),
  bounceProcess: optionalText('this answer'),
  compliesWithAup: z.enum(['yes', 'no'], { error: `Answer "${DEDICATED_IP_QUESTIONS.aup}" with Yes or No.` }).refine((v) => v === 'yes', {
    error: 'AWS does not provide dedicated IPs for sending that does not comply with the AWS Service Terms and Acceptable Use Policy, so this request cannot be filed with "No".',
  }),
  useCase: z
    .string({ error: 'Describe why you need dedicated IPs rather than shared ones, and how you will use them.' })
    .transform(normalizeLineBreaks)
    .pipe(
      z
        .string()
        .trim()
        .min(MIN_DEDICATED_USE_CASE_CHARS, {
          error: (issue) =>
            `Say more (at least ${MIN_DEDICATED_USE_CASE_CHARS} characters; you wrote ${String(issue.input ?? '').trim().length}): why dedicated rather than shared IPs, your volume, and how you will warm them up.`,
        })
        .max(MAX_TEXT_CHARS, { error: `Keep the use case to at most ${formatNumber(MAX_TEXT_CHARS)} characters.` })
        .superRefine(noTemplateLines),
    ),
  language,
});

function zodErrors(error: z.ZodError | undefined, errors: FieldErrors): void {
  for (const issue of error?.issues ?? []) errors[String(issue.path[0])] ??= issue.message;
}

/** A positive whole number up to MAX_REQUESTED_VALUE, or the error to show; undefined when optional and blank. */
function checkWhole(raw: string | null | undefined, what: string, required: boolean): number | string | undefined {
  const parsed = parseRequestedValue(raw);
  if (!parsed.ok) {
    if (parsed.problem === 'missing') return required ? `Enter the ${what}.` : undefined;
    if (parsed.problem === 'not_whole') return `Enter the ${what} as a whole number, without decimals or units.`;
    return aboveMaxRequestedValue(what);
  }
  if (parsed.value < 1) return `The ${what} must be at least 1.`;
  return parsed.value;
}

function checkRowCount(count: number, errors: FieldErrors): void {
  if (count === 0) errors.rows = 'Add at least one region.';
  if (count > MAX_DEDICATED_IP_ROWS) errors.rows = `At most ${MAX_DEDICATED_IP_ROWS} regions fit in one case.`;
}

export function validateLease(input: DedicatedIpFormInput): Validation<DedicatedIpLease> {
  const errors: FieldErrors = {};
  const parsed = leaseSchema.safeParse({
    mailType: input.mailType ?? undefined,
    optInProcess: input.optInProcess ?? undefined,
    bounceProcess: input.bounceProcess ?? undefined,
    compliesWithAup: input.compliesWithAup ?? undefined,
    useCase: input.useCase ?? undefined,
    language: input.language ?? undefined,
  });
  zodErrors(parsed.error, errors);
  const website = checkWebsiteUrl(input.websiteUrl);
  if (!website.ok) errors.websiteUrl = website.error;

  checkRowCount(input.rows.length, errors);
  const rows: LeaseRow[] = [];
  const seen = new Map<string, number>();
  input.rows.forEach((row, index) => {
    const region = row.region ?? undefined;
    if (!isRegionCode(region)) errors[dedicatedRowField(row.key, 'region')] = 'Choose the region for the dedicated IPs.';
    else if (seen.has(region)) {
      errors[dedicatedRowField(row.key, 'region')] = `Request ${seen.get(region)! + 1} is already for ${regionName(region)}: one row per region.`;
    } else seen.set(region, index);
    const sendRate = checkWhole(row.sendRate, 'desired maximum send rate (messages per second)', true);
    if (typeof sendRate === 'string') errors[dedicatedRowField(row.key, 'sendRate')] = sendRate;
    const ipCount = checkWhole(row.ipCount, 'number of dedicated IPs', false);
    if (typeof ipCount === 'string') errors[dedicatedRowField(row.key, 'ipCount')] = ipCount;
    if (isRegionCode(region) && typeof sendRate === 'number' && typeof ipCount !== 'string') rows.push({ region, sendRate, ipCount });
  });

  if (!parsed.success || !website.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  const request: DedicatedIpLease = {
    kind: 'dedicated_ip',
    action: 'request',
    mailType: parsed.data.mailType,
    websiteUrl: website.url,
    optInProcess: parsed.data.optInProcess,
    bounceProcess: parsed.data.bounceProcess,
    compliesWithAup: true,
    rows,
    useCase: parsed.data.useCase,
    language: parsed.data.language,
  };
  const texts = { useCase: request.useCase.length, optInProcess: request.optInProcess?.length ?? 0, bounceProcess: request.bounceProcess?.length ?? 0 };
  const longest = (Object.keys(texts) as (keyof typeof texts)[]).reduce((a, b) => (texts[b] > texts[a] ? b : a));
  return fitsCase(request, longest);
}

export function validateRelinquish(input: DedicatedIpFormInput, inventories: Inventories): Validation<DedicatedIpRelinquish> {
  const errors: FieldErrors = {};
  const lang = language.safeParse(input.language ?? undefined);
  if (!lang.success) errors.language = lang.error.issues[0]!.message;
  const note = optionalText('the note').safeParse(input.note ?? undefined);
  if (!note.success) errors.note = note.error.issues[0]!.message;

  checkRowCount(input.rows.length, errors);
  const rows: RelinquishRow[] = [];
  const seen = new Map<string, number>();
  input.rows.forEach((row, index) => {
    const region = row.region ?? undefined;
    if (!isRegionCode(region)) {
      errors[dedicatedRowField(row.key, 'region')] = 'Choose the region of the addresses to give back.';
      return;
    }
    if (seen.has(region)) {
      errors[dedicatedRowField(row.key, 'region')] = `Request ${seen.get(region)! + 1} is already for ${regionName(region)}: one row per region.`;
      return;
    }
    seen.set(region, index);
    const inventory = inventories[region];
    if (inventory) {
      const field = dedicatedRowField(row.key, 'addresses');
      const chosen = [...new Set(row.addresses ?? [])];
      const standard = new Set(standardIps(inventory).map((ip) => ip.ip));
      const managed = new Set(inventory.ips.filter((ip) => ip.scalingMode === 'MANAGED').map((ip) => ip.ip));
      const notOurs = chosen.filter((ip) => !standard.has(ip));
      if (standard.size === 0) errors[field] = `This account leases no standard dedicated IPs in ${regionName(region)}.`;
      else if (chosen.length === 0) errors[field] = 'Choose at least one address to give back.';
      else if (notOurs.some((ip) => managed.has(ip))) {
        const inManaged = notOurs.filter((ip) => managed.has(ip));
        errors[field] = `${inManaged.join(', ')} ${inManaged.length === 1 ? 'belongs to a managed pool' : 'belong to managed pools'}; managed IPs are released by deleting the pool, not through a case.`;
      } else if (notOurs.length > 0) {
        errors[field] = `${notOurs.slice(0, 5).join(', ')} ${notOurs.length === 1 ? 'is not a standard dedicated IP' : 'are not standard dedicated IPs'} of this account in ${regionName(region)}.`;
      }
      else rows.push({ region, addresses: chosen.sort(compareIps), count: chosen.length });
    } else {
      // The inventory could not be read: the user says how many, and the text says so.
      const field = dedicatedRowField(row.key, 'count');
      const count = checkWhole(row.count, 'number of addresses to give back', true);
      if (typeof count !== 'number') errors[field] = count ?? 'Enter the number of addresses to give back.';
      else rows.push({ region, addresses: [], count });
    }
  });

  if (Object.keys(errors).length > 0 || !lang.success || !note.success) return { ok: false, errors };
  const request: DedicatedIpRelinquish = { kind: 'dedicated_ip', action: 'relinquish', rows, note: note.data, language: lang.data };
  const withoutNote = fitsCase({ ...request, note: undefined }, 'rows');
  if (!withoutNote.ok) {
    return { ok: false, errors: { rows: 'That many addresses do not fit in one case (AWS accepts 8,000 characters): give back the addresses of fewer regions per case.' } };
  }
  return fitsCase(request, 'note');
}

function compareIps(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

function fitsCase<T extends DedicatedIpRequest>(request: T, field: string): Validation<T> {
  // With room for the account line a case in a named account carries.
  const length = dedicatedIpCaseText(request, referenceFor(LONGEST_REQUEST_ID)).body.length + ACCOUNT_LINE_CHARS;
  if (length <= MAX_CASE_BODY_CHARS) return { ok: true, value: request };
  return {
    ok: false,
    errors: { [field]: `The case would be ${formatNumber(length)} characters; AWS accepts ${formatNumber(MAX_CASE_BODY_CHARS)}. Shorten the text.` },
  };
}

// ---------------------------------------------------------------------------------------------
// Guidance shown while the form is filled in: warnings, never blocks.

export interface LeaseGuidance {
  /** Regions that would end up with a single standard dedicated IP. */
  singleIpRegions: RegionCode[];
  /**
   * Regions asked for without a number of IPs (AWS will size it from the send rate) that have
   * fewer than two standard dedicated IPs: ask for at least two for Availability Zone redundancy.
   */
  rateSizedRegions: RegionCode[];
  /** Monthly cost of the counts given, when any count is given. */
  monthlyCents: Cents | undefined;
}

/** Whether a form's number field was left blank (as opposed to filled in wrongly). */
function isBlank(raw: string | null | undefined): boolean {
  return !(raw ?? '').trim();
}

/** Standard dedicated IPs leased in a region; a region whose inventory could not be read counts as none. */
function leasedStandard(inventories: Inventories, region: RegionCode): number {
  const inventory = Object.hasOwn(inventories, region) ? inventories[region] : undefined;
  return inventory ? standardIps(inventory).length : 0;
}

export function leaseGuidance(rows: { region?: string | null; ipCount?: string | null }[], inventories: Inventories, price: Cents): LeaseGuidance {
  const perRegion = new Map<RegionCode, number>();
  const blankRegions: RegionCode[] = [];
  for (const row of rows) {
    if (!isRegionCode(row.region)) continue;
    if (isBlank(row.ipCount)) {
      if (!blankRegions.includes(row.region)) blankRegions.push(row.region);
      continue;
    }
    const count = parseRequestedValue(row.ipCount);
    if (!count.ok || count.value < 1) continue;
    perRegion.set(row.region, (perRegion.get(row.region) ?? 0) + count.value);
  }
  const singleIpRegions: RegionCode[] = [];
  let total = 0;
  for (const [region, count] of perRegion) {
    total += monthlyCost(count, price);
    if (leasedStandard(inventories, region) + count === 1) singleIpRegions.push(region);
  }
  const rateSizedRegions = blankRegions.filter((region) => !perRegion.has(region) && leasedStandard(inventories, region) < 2);
  return { singleIpRegions, rateSizedRegions, monthlyCents: perRegion.size ? total : undefined };
}

/** The advice for a region in LeaseGuidance.rateSizedRegions, in plain words. */
export function rateSizedAdvice(region: RegionCode): string {
  return `No number of IPs is given for ${regionName(region)}: AWS will size it from the send rate you ask for. Ask for at least two if you want Availability Zone redundancy.`;
}

export interface RelinquishGuidance {
  /** Regions the relinquishment would leave with exactly one standard dedicated IP. */
  singleIpRegions: RegionCode[];
}

/**
 * Judged only where the inventory was read: the standard dedicated IPs chosen (each once, across
 * rows for the same region) against those leased there. Leaving none, or two or more, is fine.
 */
export function relinquishGuidance(rows: { region?: string | null; addresses?: string[] | null; count?: string | null }[], inventories: Inventories): RelinquishGuidance {
  const chosen = new Map<RegionCode, Set<string>>();
  for (const row of rows) {
    if (!isRegionCode(row.region) || !Object.hasOwn(inventories, row.region) || !inventories[row.region]) continue;
    const set = chosen.get(row.region) ?? new Set<string>();
    for (const address of row.addresses ?? []) set.add(address);
    chosen.set(row.region, set);
  }
  const singleIpRegions: RegionCode[] = [];
  for (const [region, addresses] of chosen) {
    const standard = standardIps(inventories[region]!).map((ip) => ip.ip);
    const givenBack = standard.filter((ip) => addresses.has(ip)).length;
    if (givenBack > 0 && standard.length - givenBack === 1) singleIpRegions.push(region);
  }
  return { singleIpRegions };
}

/** The warning for a region in RelinquishGuidance.singleIpRegions, in plain words. */
export function singleIpAfterRelinquishWarning(region: RegionCode): string {
  return `This would leave ${regionName(region)} with a single standard dedicated IP, without Availability Zone redundancy. Keep at least two there, or give back all of them.`;
}

// ---------------------------------------------------------------------------------------------
// Case text.

/** The first line of a lease's use case: what is requested (one line per region follows). */
const LEASE_STATEMENT = 'We request standard dedicated IP addresses for each region listed:';
/** What introduces the form's use case text in a lease's body. */
const LEASE_REASON_LABEL = 'Why dedicated rather than shared IP addresses:';

export function dedicatedIpCaseText(request: DedicatedIpRequest, reference: string, serviceName?: string): CaseText {
  if (request.action === 'request') {
    // AWS's procedure: say that dedicated IPs are wanted, and how many where a number is wanted
    // (otherwise AWS sizes it from the send rate), before why dedicated rather than shared ones.
    const useCase = [
      LEASE_STATEMENT,
      ...request.rows.map((r) =>
        r.ipCount !== undefined
          ? `- ${regionName(r.region)}: ${formatNumber(r.ipCount)} dedicated IP address${r.ipCount === 1 ? '' : 'es'}.`
          : `- ${regionName(r.region)}: no specific number; please size it from our requested maximum send rate of ${formatNumber(r.sendRate)} message${r.sendRate === 1 ? '' : 's'} per second.`,
      ),
      '',
      LEASE_REASON_LABEL,
      request.useCase,
    ].join('\n');
    const body = renderLimitCaseBody({
      blocks: request.rows.map((r) => ({ region: r.region, limitName: SEND_RATE_LIMIT_NAME, newValue: r.sendRate })),
      useCase,
      mailType: request.mailType,
      websiteUrl: request.websiteUrl,
      answers: [
        [DEDICATED_IP_QUESTIONS.optIn, request.optInProcess ?? 'Not answered'],
        [DEDICATED_IP_QUESTIONS.bounces, request.bounceProcess ?? 'Not answered'],
        [DEDICATED_IP_QUESTIONS.aup, request.compliesWithAup],
      ],
      reference,
      ...(serviceName ? { serviceName } : {}),
    });
    const what = request.rows.map((r) => `${r.region}${r.ipCount ? ` ${r.ipCount} IP${r.ipCount === 1 ? '' : 's'}` : ''} at ${formatNumber(r.sendRate)}/s`).join(', ');
    return { subject: subjectWithReference(`Amazon SES dedicated IP request: ${what}`, reference), body };
  }

  const total = request.rows.reduce((n, r) => n + r.count, 0);
  const useCase = [
    `Please relinquish (release) the following ${total === 1 ? 'standard dedicated IP address' : `${total} standard dedicated IP addresses`} from this account. We no longer need ${total === 1 ? 'it' : 'them'}.`,
    ...request.rows.map((r) =>
      r.addresses.length
        ? `- ${regionName(r.region)} (${r.region}), ${r.count} address${r.count === 1 ? '' : 'es'}: ${r.addresses.join(', ')}`
        : `- ${regionName(r.region)} (${r.region}), ${r.count} address${r.count === 1 ? '' : 'es'} (the addresses could not be listed; please confirm them with us before releasing)`,
    ),
    ...(request.note ? ['', `Note: ${request.note}`] : []),
  ].join('\n');
  const body = renderLimitCaseBody({
    blocks: request.rows.map((r) => ({ region: r.region, limitName: SEND_RATE_LIMIT_NAME, newValue: r.count })),
    useCase,
    answers: [],
    reference,
    ...(serviceName ? { serviceName } : {}),
  });
  const what = request.rows.map((r) => `${r.region} ${r.count} IP${r.count === 1 ? '' : 's'}`).join(', ');
  return { subject: subjectWithReference(`Amazon SES dedicated IP relinquishment: ${what}`, reference), body };
}
