/**
 * Proof of effect: what SESv2 showed in each region when a request was filed, what a positive
 * answer from AWS should change there, and whether the account now shows it. A region's check
 * waits for a positive outcome, then re-reads the account at growing intervals for 72 hours:
 * verified once the change is seen, "not seen" once, if it never is. Pure: the service reads
 * AWS and stores the result.
 */
import { z } from 'zod';
import { formatNumber } from './common.js';
import { formatUsd, proratedCharge, type Cents, type DedicatedIpRequest } from './dedicated-ip.js';
import { QUOTA_LIMITS, type QuotaIncreaseRequest, type QuotaLimit } from './quota-request.js';
import type { QuotaRowState } from './quota-rows.js';
import { SES_REGIONS, type RegionCode } from './regions.js';

/** What was asked (a request's payload): proof.ts stays below request.ts, which keeps its effects. */
type Payload = QuotaIncreaseRequest | DedicatedIpRequest;

/** What SESv2 GetAccount shows of a region's sending limits. */
export interface QuotaFigures {
  max24HourSend: number;
  maxSendRate: number;
  productionAccess: boolean;
}

/** A region's standard dedicated IPs (managed pools are AWS's to size). */
export interface IpFigure {
  ip: string;
  pool: string;
  warmupPercentage: number;
}

export type Figures = { quota: QuotaFigures } | { ips: IpFigure[] };

/** What a positive answer should change: raised limits, production access, new IPs, released IPs. */
export type EffectKind = 'quota' | 'production_access' | 'new_ips' | 'released_ips';

export interface RegionEffect {
  region: RegionCode;
  kind: EffectKind;
  /** The figures when the request was filed; absent when they could not be read. */
  before?: Figures | undefined;
  /** For 'quota': the limits whose positive answer came (a Service Quotas row approved, or all on a case). */
  limits?: QuotaLimit[] | undefined;
  state: 'awaiting_outcome' | 'checking' | 'verified' | 'not_seen';
  /** The latest positive outcome (database clock); the 72 hours run from it. */
  outcomeAt?: string | undefined;
  /** Checks done since that outcome. */
  checks: number;
  nextCheckAt?: string | undefined;
  /** The figures when verified, or when the window ran out. */
  after?: Figures | undefined;
  /** What the thread said when it was verified or not seen (the root shows it too). */
  summary?: string | undefined;
}

/** How long after a positive outcome the bot looks for its effect. */
export const EFFECT_WINDOW_MS = 72 * 60 * 60_000;
/** When each check runs, after the outcome: at once, then less and less often (10 reads in 72 hours). */
export const CHECK_OFFSETS_MS = [0, 5, 15, 60, 180, 360, 720, 1440, 2880, 4320].map((m) => m * 60_000);

const figuresSchema = z.union([
  z.object({ quota: z.object({ max24HourSend: z.number(), maxSendRate: z.number(), productionAccess: z.boolean() }) }),
  z.object({ ips: z.array(z.object({ ip: z.string(), pool: z.string(), warmupPercentage: z.number() })) }),
]);
const opt = <T extends z.ZodType>(t: T) => t.nullish().transform((v) => v ?? undefined);
export const effectsSchema = z.array(
  z.object({
    region: z.enum(SES_REGIONS.map((r) => r.code) as [RegionCode, ...RegionCode[]]),
    kind: z.enum(['quota', 'production_access', 'new_ips', 'released_ips']),
    before: opt(figuresSchema),
    limits: opt(z.array(z.enum(Object.keys(QUOTA_LIMITS) as [QuotaLimit, ...QuotaLimit[]]))),
    state: z.enum(['awaiting_outcome', 'checking', 'verified', 'not_seen']),
    outcomeAt: opt(z.string()),
    checks: z.number().int().nonnegative(),
    nextCheckAt: opt(z.string()),
    after: opt(figuresSchema),
    summary: opt(z.string()),
  }),
) satisfies z.ZodType<RegionEffect[]>;

/** The regions a request can change, each with the kind of change, before anything is read. */
export function effectsOf(payload: Payload): RegionEffect[] {
  const regions = [...new Set(payload.rows.map((r) => r.region))];
  const kind: EffectKind = payload.kind === 'quota' ? 'quota' : payload.action === 'request' ? 'new_ips' : 'released_ips';
  return regions.map((region) => ({ region, kind, state: 'awaiting_outcome', checks: 0 }));
}

/**
 * A positive outcome in a region: its checks (re)start from `at`. A region already verified
 * stays so; a 'quota' region learns which limits were granted (all of them when `limits` is
 * undefined, as on a case).
 */
export function armed(effect: RegionEffect, at: string, change: { kind?: EffectKind; limits?: QuotaLimit[] } = {}): RegionEffect {
  // Verified stays verified, unless an approval names a limit the verified change did not cover.
  const newLimit = change.limits?.some((l) => !(effect.limits ?? []).includes(l)) ?? false;
  if (effect.state === 'verified' && !newLimit) return effect;
  const kind = change.kind ?? effect.kind;
  const limits = kind === 'quota' && change.limits ? [...new Set([...(effect.limits ?? []), ...change.limits])] : effect.limits;
  return { ...effect, kind, limits, state: 'checking', outcomeAt: at, checks: 0, nextCheckAt: at, after: undefined, summary: undefined };
}

/** A positive outcome for some regions of a request (all of them when `region` is unset). */
export interface Outcome {
  region?: RegionCode;
  kind?: EffectKind;
  limits?: QuotaLimit[];
}

/** The positive outcome a row's status is, if it is one: a Service Quotas approval or a production access grant. */
export function positiveOutcomeOf(row: Pick<QuotaRowState, 'region' | 'limit' | 'path' | 'status'>): Outcome | undefined {
  if (row.path === 'service_quotas' && row.status === 'APPROVED') return { region: row.region, kind: 'quota', limits: [row.limit] };
  if (row.path === 'production_access' && row.status === 'GRANTED') return { region: row.region, kind: 'production_access' };
  return undefined;
}

/** The request's effects after positive outcomes at `at`; regions are added if the filing could not record them. */
export function armRegions(effects: readonly RegionEffect[] | null, payload: Payload, at: string, outcomes: Outcome[]): RegionEffect[] {
  let current = effects ? [...effects] : effectsOf(payload);
  for (const outcome of outcomes) {
    current = current.map((e) => (outcome.region === undefined || e.region === outcome.region ? armed(e, at, outcome) : e));
  }
  return current;
}

/** When the request's next check is due (the earliest of its regions'), or null when none is. */
export function nextDue(effects: readonly RegionEffect[]): string | null {
  const due = effects.filter((e) => e.state === 'checking' && e.nextCheckAt).map((e) => e.nextCheckAt!);
  return due.length ? due.sort()[0]! : null;
}

/** What a region's request asked for, for the check to compare with. */
export interface Asked {
  /** Quota rows of the region: limit → value asked. */
  limits?: Partial<Record<QuotaLimit, number>>;
  /** A lease: how many IPs were asked for (undefined: AWS sizes it). */
  ipCount?: number | undefined;
  /** A relinquishment: the addresses given back (none when only a count was given), and how many. */
  addresses?: string[];
  count?: number;
}

export function askedIn(payload: Payload, region: RegionCode): Asked {
  if (payload.kind === 'quota') {
    const limits: Partial<Record<QuotaLimit, number>> = {};
    for (const row of payload.rows) if (row.region === region) limits[row.limit] = row.newValue;
    return { limits };
  }
  if (payload.action === 'request') return { ipCount: payload.rows.find((r) => r.region === region)?.ipCount };
  const rows = payload.rows.filter((r) => r.region === region);
  return { addresses: rows.flatMap((r) => r.addresses), count: rows.reduce((n, r) => n + r.count, 0) };
}

/**
 * Whether the account now shows the change a region's positive outcome should have made. On a
 * case (no limits named) any limit raised counts, and the words say which were not; limits a
 * Service Quotas approval named must all be raised.
 */
export function effectSeen(effect: RegionEffect, asked: Asked, now: Figures): boolean {
  if ('quota' in now) {
    if (effect.kind === 'production_access') return now.quota.productionAccess;
    if (effect.kind !== 'quota') return false;
    const before = effect.before && 'quota' in effect.before ? effect.before.quota : undefined;
    const raised = (limit: QuotaLimit) => limitRaised(limit, asked.limits?.[limit], before, now.quota);
    if (effect.limits) return effect.limits.length > 0 && effect.limits.every(raised);
    return (Object.keys(asked.limits ?? {}) as QuotaLimit[]).some(raised);
  }
  if (effect.kind === 'released_ips') return releasedSeen(effect, asked, now.ips);
  if (effect.kind === 'new_ips') return newIps(effect, now.ips).length > 0;
  return false;
}

/** Named addresses all gone; or, for a count only, that many fewer standard IPs than before. */
function releasedSeen(effect: RegionEffect, asked: Asked, now: IpFigure[]): boolean {
  const named = asked.addresses ?? [];
  if (named.length) {
    const present = new Set(now.map((i) => i.ip));
    return !named.some((a) => present.has(a));
  }
  const before = effect.before && 'ips' in effect.before ? effect.before.ips.length : undefined;
  return before !== undefined && (asked.count ?? 0) > 0 && now.length <= before - (asked.count ?? 0);
}

function figureOf(limit: QuotaLimit, q: QuotaFigures): number {
  return limit === 'send_quota' ? q.max24HourSend : q.maxSendRate;
}

/** Raised to the value asked (or unlimited), or above what it was when filed (a partial grant). */
function limitRaised(limit: QuotaLimit, asked: number | undefined, before: QuotaFigures | undefined, now: QuotaFigures): boolean {
  const value = figureOf(limit, now);
  if (value < 0 || (asked !== undefined && value >= asked)) return true;
  return before !== undefined && value > figureOf(limit, before);
}

function newIps(effect: RegionEffect, now: IpFigure[]): IpFigure[] {
  if (!effect.before || !('ips' in effect.before)) return [];
  const had = new Set(effect.before.ips.map((i) => i.ip));
  return now.filter((i) => !had.has(i.ip));
}

/**
 * After a check that did not see the change (or could not read the account: `figures`
 * undefined) at `nowMs`: the next check on the schedule that is still ahead (a bot that was down
 * does not catch up with a burst), or "not seen" once the 72 hours are over.
 */
export function afterMiss(effect: RegionEffect, figures: Figures | undefined, nowMs: number): RegionEffect {
  const checks = effect.checks + 1;
  const outcome = Date.parse(effect.outcomeAt ?? '');
  if (!Number.isFinite(outcome) || nowMs - outcome >= EFFECT_WINDOW_MS) return { ...effect, checks, state: 'not_seen', nextCheckAt: undefined, after: figures };
  const next = CHECK_OFFSETS_MS.find((offset) => outcome + offset > nowMs) ?? EFFECT_WINDOW_MS;
  return { ...effect, checks, nextCheckAt: new Date(outcome + next).toISOString() };
}

// ---- words ------------------------------------------------------------------------------------

const quotaWord = (n: number) => (n < 0 ? 'unlimited' : formatNumber(n));

function limitLine(limit: QuotaLimit, asked: number | undefined, before: QuotaFigures | undefined, now: QuotaFigures): string {
  const name = limit === 'send_quota' ? 'sending quota' : 'rate';
  const unit = limit === 'send_quota' ? ` ${QUOTA_LIMITS.send_quota.unit}` : '/s';
  const after = figureOf(limit, now);
  const from = before ? `${quotaWord(figureOf(limit, before))} → ` : '';
  const unchanged = before !== undefined && after === figureOf(limit, before);
  const short = unchanged ? ' (unchanged)' : asked !== undefined && after >= 0 && after < asked ? ` (asked ${formatNumber(asked)}, got ${formatNumber(after)})` : '';
  return `${name} ${from}${quotaWord(after)}${unit}${short}`;
}

/** The figures before → after, as the thread and the root say them: "us-east-1 sending quota 50,000 → 200,000 per 24 hours · rate 14 → 50/s". */
export function describeChange(effect: RegionEffect, asked: Asked, now: Figures, priceCents: Cents, today: Date): string {
  if ('quota' in now) {
    const before = effect.before && 'quota' in effect.before ? effect.before.quota : undefined;
    const limits: QuotaLimit[] = effect.kind === 'quota' ? (effect.limits ?? (Object.keys(asked.limits ?? {}) as QuotaLimit[])) : ['send_quota', 'send_rate'];
    const lines = limits.map((l) => limitLine(l, asked.limits?.[l], before, now.quota));
    const access = effect.kind === 'production_access' ? ` production access ${now.quota.productionAccess ? 'on' : 'off'} ·` : '';
    return `${effect.region}${access} ${lines.join(' · ')}`;
  }
  if (effect.kind === 'released_ips') return describeRelease(effect, asked, now.ips, priceCents, today);
  const added = newIps(effect, now.ips);
  if (!effect.before) return `${effect.region}: ${now.ips.length} standard dedicated IPs in the account (the figures from before the request could not be read, so new ones cannot be told apart)`;
  const listed = added.map((i) => `${i.ip} (pool ${i.pool}, warm-up ${i.warmupPercentage}%)`).join(', ');
  const short = asked.ipCount !== undefined && added.length < asked.ipCount ? ` (asked ${asked.ipCount}, got ${added.length})` : '';
  return added.length
    ? `${effect.region}: ${added.length} new dedicated IP${added.length === 1 ? '' : 's'}: ${listed}${short}`
    : `${effect.region}: no new standard dedicated IP; ${now.ips.length} in the account`;
}

function describeRelease(effect: RegionEffect, asked: Asked, now: IpFigure[], priceCents: Cents, today: Date): string {
  const named = asked.addresses ?? [];
  const count = named.length || (asked.count ?? 0);
  const charge = proratedCharge(count, priceCents, today);
  const held = `charge for the ${charge.daysElapsed} days held this month: about ${formatUsd(charge.cents)}`;
  if (named.length) {
    const present = new Set(now.map((i) => i.ip));
    const still = named.filter((a) => present.has(a));
    if (still.length) return `${effect.region}: still in the account: ${still.join(', ')}`;
    return `${effect.region}: ${named.join(', ')} no longer in the account · ${held}`;
  }
  const before = effect.before && 'ips' in effect.before ? effect.before.ips.length : undefined;
  if (before === undefined) return `${effect.region}: ${now.length} standard dedicated IPs in the account (the count before the request could not be read)`;
  const gone = before - now.length;
  return gone >= count ? `${effect.region}: standard dedicated IPs ${before} → ${now.length} · ${held}` : `${effect.region}: standard dedicated IPs ${before} → ${now.length} (${count} to give back)`;
}
