/**
 * The quota watch's rules, pure: which regions are watched, when a run is due, when a region's
 * 24-hour sending has crossed the threshold (once per crossing, re-armed 10 points below it, and
 * once more past 95%), when a region that cannot be read is reported (once), and the value
 * suggested for an increase. The service (src/services/quota-watch.ts) keeps the state between
 * runs in the database and does the reading and posting.
 */
import { z } from 'zod';
import { MAX_REQUESTED_VALUE } from './common.js';
import { isRegionCode, SES_REGIONS, type RegionCode } from './regions.js';

/** Past this share of the quota a second alert is posted (when the threshold is below it). */
export const CRITICAL_PERCENT = 95;
/** A region re-arms once its sending falls this many points below the threshold. */
export const REARM_POINTS = 10;

/** What an alert says: the threshold was crossed, or the critical 95%. */
export type AlertLevel = 'threshold' | 'critical';

/** What was last said about a region, kept between runs (and shared by replicas). */
export interface RegionWatchState {
  /** The highest alert posted since the region last re-armed; 'none': armed, nothing said. */
  alerted: 'none' | AlertLevel;
  /** The region could not be read and that was said; cleared once it is read again. */
  unreadableReported: boolean;
}

export const ARMED: RegionWatchState = { alerted: 'none', unreadableReported: false };

const stateSchema = z.object({
  alerted: z.enum(['none', 'threshold', 'critical']).catch('none'),
  unreadableReported: z.boolean().catch(false),
});

/** A stored state; anything unreadable counts as armed (at worst one alert too many, never one too few). */
export function parseRegionWatchState(json: string | undefined): RegionWatchState {
  if (json === undefined) return { ...ARMED };
  try {
    const parsed = stateSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : { ...ARMED };
  } catch {
    return { ...ARMED };
  }
}

export function serializeRegionWatchState(state: RegionWatchState): string {
  return JSON.stringify({ alerted: state.alerted, unreadableReported: state.unreadableReported });
}

export function sameState(a: RegionWatchState, b: RegionWatchState): boolean {
  return a.alerted === b.alerted && a.unreadableReported === b.unreadableReported;
}

/** What GetAccount says of a region, as far as the watch cares. -1 is an unlimited quota. */
export interface QuotaReading {
  max24HourSend: number;
  sentLast24Hours: number;
  productionAccess: boolean;
}

/** How the watch treats a region it could read. */
export type RegionKind = 'watched' | 'sandbox' | 'unlimited';

export function regionKind(reading: QuotaReading): RegionKind {
  if (!reading.productionAccess) return 'sandbox';
  // -1 is AWS's "unlimited"; a quota of 0 (or anything not a positive number) has no share to measure.
  if (!(reading.max24HourSend > 0) || !Number.isFinite(reading.max24HourSend)) return 'unlimited';
  return 'watched';
}

/** The share of the quota sent in the last 24 hours, in percent; undefined when the region is not watched. */
export function usagePercent(reading: QuotaReading): number | undefined {
  if (regionKind(reading) !== 'watched') return undefined;
  return (Math.max(0, reading.sentLast24Hours) / reading.max24HourSend) * 100;
}

/** Whether sending has reached `percent` of the quota, compared without rounding (sent × 100 ≥ percent × quota). */
function reached(reading: QuotaReading, percent: number): boolean {
  return reading.sentLast24Hours * 100 >= percent * reading.max24HourSend;
}

/** The 95% alert exists only when the threshold is below it. */
function hasCriticalLevel(thresholdPercent: number): boolean {
  return thresholdPercent < CRITICAL_PERCENT;
}

export interface WatchStep {
  state: RegionWatchState;
  /** Post this alert; the new state counts only once it is posted. */
  alert?: AlertLevel;
}

/**
 * One reading of a region against its state:
 * - armed, and sending reached the threshold: alert (the critical one if it is already past 95%);
 * - alerted at the threshold, and sending reached 95%: alert once more (critical);
 * - alerted, and sending fell below the threshold minus 10 points: re-armed, nothing said;
 * - a sandboxed region, or one without a finite quota, is not watched: re-armed, nothing said.
 * Reading a region clears "unreadable reported", so a later failure is reported again.
 */
export function watchStep(state: RegionWatchState, reading: QuotaReading, thresholdPercent: number): WatchStep {
  const readable = { ...state, unreadableReported: false };
  if (regionKind(reading) !== 'watched') return { state: { ...readable, alerted: 'none' } };
  const critical = hasCriticalLevel(thresholdPercent) && reached(reading, CRITICAL_PERCENT);
  switch (state.alerted) {
    case 'none':
      if (!reached(reading, thresholdPercent)) return { state: readable };
      return critical ? { state: { ...readable, alerted: 'critical' }, alert: 'critical' } : { state: { ...readable, alerted: 'threshold' }, alert: 'threshold' };
    case 'threshold':
    case 'critical':
      if (!reached(reading, thresholdPercent - REARM_POINTS)) return { state: { ...readable, alerted: 'none' } };
      if (state.alerted === 'threshold' && critical) return { state: { ...readable, alerted: 'critical' }, alert: 'critical' };
      return { state: readable };
  }
}

/**
 * A region that could not be read. A passing failure (throttling, AWS unreachable) is only
 * retried next run; any other (access denied, the region not enabled for the account) is
 * reported once, until the region is read again. The alert state is kept as it was.
 */
export function readFailureStep(state: RegionWatchState, transient: boolean): { state: RegionWatchState; report: boolean } {
  if (transient || state.unreadableReported) return { state, report: false };
  return { state: { ...state, unreadableReported: true }, report: true };
}

/** The value the alert's button suggests: twice the current quota, a whole number above it, at most what AWS accepts. */
export function suggestedQuota(max24HourSend: number): number {
  const current = Math.max(0, Math.floor(max24HourSend));
  return Math.min(MAX_REQUESTED_VALUE, Math.max(current + 1, Math.ceil(max24HourSend * 2)));
}

/** A run starts a little early rather than a whole poll interval late (ticks are not exactly on time). */
export const DUE_SLACK_MS = 5_000;

/**
 * Whether a run is due, on the database's clock. Never run: due. A last run in the future (the
 * clock went back) is due too, so the watch cannot stall until the clock catches up.
 */
export function isDue(lastRunAt: Date | undefined, now: Date, intervalMs: number): boolean {
  if (!lastRunAt || Number.isNaN(lastRunAt.getTime())) return true;
  const elapsed = now.getTime() - lastRunAt.getTime();
  return elapsed < 0 || elapsed >= intervalMs - DUE_SLACK_MS;
}

const REGION_ORDER = new Map<string, number>(SES_REGIONS.map((r, i) => [r.code, i]));

/**
 * The regions to watch: the configured ones as given; else the regions of stored requests plus
 * the bot's own AWS_REGION, SES regions only, in the console's order.
 */
export function watchedRegions(configured: readonly string[] | undefined, seen: Iterable<string>, awsRegion: string | undefined): RegionCode[] {
  if (configured?.length) return [...new Set(configured.filter(isRegionCode))];
  const found = new Set<RegionCode>();
  for (const region of [...seen, awsRegion]) if (isRegionCode(region)) found.add(region);
  return [...found].sort((a, b) => REGION_ORDER.get(a)! - REGION_ORDER.get(b)!);
}

/** What the "watch started" message depends on: when it changes, the watch starts again (and says so). */
export function watchFingerprint(settings: { channelId: string; regions: readonly string[] | undefined; thresholdPercent: number; intervalMinutes: number }): string {
  return JSON.stringify({
    channel: settings.channelId,
    regions: settings.regions?.length ? [...settings.regions] : 'default',
    threshold: settings.thresholdPercent,
    interval: settings.intervalMinutes,
  });
}

/** One region as a run read it: its quota, or why it could not be read (`transient`: retried next run, not reported). */
/** The account a read is of, when accounts are named (AWS_ACCOUNTS_FILE): its name and how Slack shows it. */
export interface WatchedAccount {
  name: string;
  label: string;
}
export type RegionRead =
  | { region: RegionCode; quota: QuotaReading; account?: WatchedAccount }
  | { region: RegionCode; problem: string; transient: boolean; account?: WatchedAccount };
