/**
 * A quota request filed through Service Quotas: each request row goes to AWS on its own (one
 * Service Quotas request in its region, or a production access request for a region still in
 * the SES sandbox), so each row keeps its own sending state, AWS request, status and case.
 * The request's own status follows from its rows'.
 */
import { z } from 'zod';
import { referenceLine } from './case-text.js';
import { formatNumber, MAIL_TYPES, yesNo } from './common.js';
import { QUOTA_ANSWERS, QUOTA_LIMITS, type QuotaIncreaseRequest } from './quota-request.js';
import { regionName, SES_REGIONS, type RegionCode } from './regions.js';
import { isFinalQuotaStatus, isFinalReviewStatus, quotaStatusWord, reviewStatusWord, SES_QUOTAS } from './service-quotas.js';

/** Which AWS request a row became. */
export type RowPath = 'service_quotas' | 'production_access';

/**
 * unsent → attempted (the call is going out: its answer may be lost) → sent, or failed (AWS
 * refused: Retry sends it again), or uncertain (AWS may have it: looked for before anything is
 * sent again).
 */
export type RowSending = 'unsent' | 'attempted' | 'sent' | 'failed' | 'uncertain';

export interface QuotaRowState {
  region: RegionCode;
  limit: keyof typeof QUOTA_LIMITS;
  newValue: number;
  path: RowPath;
  sending: RowSending;
  /** The Service Quotas request id (production access has none: the region's review is the request). */
  awsId?: string | undefined;
  /** Service Quotas' or the review's status, as AWS wrote it. */
  status?: string | undefined;
  /** When the status became final: the row is polled 14 days longer, then no more. */
  finalAt?: string | undefined;
  /** The Support case AWS opened for it. */
  caseId?: string | undefined;
  errorCode?: string | undefined;
  errorMessage?: string | undefined;
  /** Why the row went the way it did, when that is not the obvious way (linked to a pending request, filed after a denied review). */
  note?: string | undefined;
}

/** A final status is watched this long, in case AWS changes its mind or the case is reopened. */
export const FINAL_STATUS_WATCH_MS = 14 * 24 * 60 * 60_000;

const opt = <T extends z.ZodType>(t: T) => t.nullish().transform((v) => v ?? undefined);
export const quotaRowsSchema = z.array(
  z.object({
    region: z.enum(SES_REGIONS.map((r) => r.code) as [RegionCode, ...RegionCode[]]),
    limit: z.enum(Object.keys(QUOTA_LIMITS) as [keyof typeof QUOTA_LIMITS, ...(keyof typeof QUOTA_LIMITS)[]]),
    newValue: z.number().int().positive(),
    path: z.enum(['service_quotas', 'production_access']),
    sending: z.enum(['unsent', 'attempted', 'sent', 'failed', 'uncertain']),
    awsId: opt(z.string()),
    status: opt(z.string()),
    finalAt: opt(z.string()),
    caseId: opt(z.string()),
    errorCode: opt(z.string()),
    errorMessage: opt(z.string()),
    note: opt(z.string()),
  }),
) satisfies z.ZodType<QuotaRowState[]>;

/** The rows of a new request, all through Service Quotas until a row's region proves to be in the sandbox. */
export function initialRows(payload: QuotaIncreaseRequest): QuotaRowState[] {
  return payload.rows.map((row) => ({ region: row.region, limit: row.limit, newValue: row.newValue, path: 'service_quotas', sending: 'unsent' }));
}

/** The request's status once every row has been tried: any unknown outcome first, then any refusal, else filed. */
export function statusAfterRows(rows: readonly QuotaRowState[]): 'filed' | 'failed' | 'uncertain' {
  if (rows.some((r) => r.sending === 'uncertain' || r.sending === 'attempted' || r.sending === 'unsent')) return 'uncertain';
  if (rows.some((r) => r.sending === 'failed')) return 'failed';
  return 'filed';
}

export function isFinalRowStatus(row: QuotaRowState): boolean {
  if (!row.status) return false;
  return row.path === 'production_access' ? isFinalReviewStatus(row.status) : isFinalQuotaStatus(row.status);
}

/** The word a thread uses for a row's status. */
export function rowStatusWord(row: QuotaRowState): string | undefined {
  if (!row.status) return undefined;
  return row.path === 'production_access' ? reviewStatusWord(row.status) : quotaStatusWord(row.status);
}

/** Whether the row is still worth asking AWS about at `now`. */
export function isRowFollowed(row: QuotaRowState, now: number): boolean {
  if (row.sending !== 'sent') return false;
  if (!isFinalRowStatus(row)) return true;
  const final = Date.parse(row.finalAt ?? '');
  return !Number.isFinite(final) || now - final < FINAL_STATUS_WATCH_MS;
}

/** When a request's rows stop being polled (ISO), or null while any row is still open. */
export function pollUntil(rows: readonly QuotaRowState[]): string | null {
  if (rows.some((r) => r.sending === 'sent' && !isFinalRowStatus(r))) return null;
  const finals = rows.map((r) => Date.parse(r.finalAt ?? '')).filter(Number.isFinite);
  // Nothing was sent (every row refused): nothing to poll, from now on.
  if (!finals.length) return new Date(0).toISOString();
  return new Date(Math.max(...finals) + FINAL_STATUS_WATCH_MS).toISOString();
}

/** A row as the thread names it: "US East (N. Virginia): sending quota 200,000 per 24 hours". */
export function rowLabel(row: Pick<QuotaRowState, 'region' | 'limit' | 'newValue'>): string {
  const what = row.limit === 'send_quota' ? 'sending quota' : 'sending rate';
  return `${regionName(row.region)}: ${what} ${formatNumber(row.newValue)} ${QUOTA_LIMITS[row.limit].unit}`;
}

/** The Service Quotas name of a row's quota. */
export function quotaNameOf(row: Pick<QuotaRowState, 'limit'>): string {
  return SES_QUOTAS[row.limit].name;
}

/**
 * The use case a production access request carries (PutAccountDetails has no field for the
 * values wanted, nor for the compliance answers): the form's use case, then what is asked for
 * in the region and the answers, ending with the request's reference. At most 5,000 characters,
 * AWS's limit; the form's own limits keep it far below.
 */
export function productionAccessUseCase(payload: QuotaIncreaseRequest, rows: readonly Pick<QuotaRowState, 'region' | 'limit' | 'newValue'>[], reference: string): string {
  const wanted = rows.map((r) => `- ${QUOTA_LIMITS[r.limit].caseName}: ${formatNumber(r.newValue)} ${QUOTA_LIMITS[r.limit].unit}`);
  const text = [
    payload.useCase,
    '',
    `Requested in ${rows[0] ? regionName(rows[0].region) : 'this region'}:`,
    ...wanted,
    `Mail type: ${MAIL_TYPES[payload.mailType]}`,
    `${QUOTA_ANSWERS.aup}: ${yesNo(payload.compliesWithAup)}`,
    `${QUOTA_ANSWERS.requested}: ${yesNo(payload.onlyRequestedRecipients)}`,
    `${QUOTA_ANSWERS.bounces}: ${yesNo(payload.handlesBouncesAndComplaints)}`,
    '',
    referenceLine(reference),
  ].join('\n');
  return text.length > 5000 ? `${text.slice(0, 4999)}…` : text;
}
