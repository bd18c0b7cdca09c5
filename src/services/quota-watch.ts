/**
 * The quota watch: every QUOTA_WATCH_INTERVAL_MINUTES, within the periodic work (so under its
 * lease, one replica at a time), read SESv2 GetAccount once per watched region and post in the
 * watch channel when a region's 24-hour sending crosses the threshold (the rules are in
 * src/domain/quota-watch.ts).
 *
 * Everything the watch remembers is in the database (account facts), on the database's clock,
 * so replicas and restarts agree:
 * - `quota_watch:last_run`: when the last run started (its checked_at); a run is due an
 *   interval later. It is written before the regions are read, so a run that fails half-way is
 *   not repeated before the next interval (one GetAccount per region per interval);
 * - `quota_watch:started`: the settings the "watch started" message was posted for;
 * - `quota_watch:<region>`: what was last said about the region (RegionWatchState).
 * A region's new state is written only once its message is posted: when Slack fails, the next
 * run says it again.
 */
import { AwsError } from '../aws/errors.js';
import type { AwsAccount, AwsAccounts } from '../aws/accounts.js';
import { accountLabel, DEFAULT_ACCOUNT } from '../domain/accounts.js';
import {
  isDue,
  parseRegionWatchState,
  readFailureStep,
  sameState,
  serializeRegionWatchState,
  suggestedQuota,
  watchedRegions,
  watchFingerprint,
  watchStep,
  type AlertLevel,
  type RegionRead,
  type RegionWatchState,
} from '../domain/quota-watch.js';
import { REQUEST_TRANSITIONS, type RequestStatus } from '../domain/request.js';
import type { RegionCode } from '../domain/regions.js';
import type { Logger } from '../logger.js';
import type { SlackMessenger } from '../slack/messenger.js';
import { buildQuotaAlert, buildUnreadableRegionNotice, buildWatchStarted } from '../slack/views/quota-watch.js';
import type { SlackMessage } from '../slack/views/root-message.js';
import type { Store } from '../store/store.js';

export const LAST_RUN_FACT = 'quota_watch:last_run';
export const STARTED_FACT = 'quota_watch:started';
export const regionFact = (region: RegionCode, account: string = DEFAULT_ACCOUNT): string =>
  account === DEFAULT_ACCOUNT ? `quota_watch:${region}` : `quota_watch:${account}:${region}`;

export interface QuotaWatchSettings {
  /** Unset: the watch is off. */
  channelId: string | undefined;
  /** Unset: the regions of stored requests plus `defaultRegion`. */
  regions: RegionCode[] | undefined;
  thresholdPercent: number;
  intervalMinutes: number;
  /** The bot's own region (AWS_REGION), always watched when no regions are configured. */
  defaultRegion: string | undefined;
}

/** What one run did (logged; the tests read it). */
export interface QuotaWatchReport {
  ran: boolean;
  regions: RegionCode[];
  started: boolean;
  alerts: { region: RegionCode; level: AlertLevel }[];
  unreadableReported: RegionCode[];
}

const ALL_STATUSES = Object.keys(REQUEST_TRANSITIONS) as RequestStatus[];

export class QuotaWatch {
  constructor(
    private readonly store: Store,
    private readonly accounts: AwsAccounts,
    private readonly messenger: Pick<SlackMessenger, 'post'>,
    private readonly settings: QuotaWatchSettings,
    private readonly logger: Logger,
  ) {}

  /** One run if the watch is on and its interval has passed since the last one; `undefined` when off. */
  async runIfDue(stillLeader: () => boolean = () => true): Promise<QuotaWatchReport | undefined> {
    const channelId = this.settings.channelId;
    if (channelId === undefined) return undefined;
    const report: QuotaWatchReport = { ran: false, regions: [], started: false, alerts: [], unreadableReported: [] };
    const [now, last] = await Promise.all([this.store.now(), this.store.getAccountFact(LAST_RUN_FACT)]);
    if (!isDue(last ? new Date(last.checkedAt) : undefined, now, this.settings.intervalMinutes * 60_000)) return report;
    if (!stillLeader()) return report;
    // Claim this interval first: whatever happens next, the regions are read once per interval.
    await this.store.setAccountFact(LAST_RUN_FACT, now.toISOString());
    report.ran = true;
    // The accounts the watch channel may use, each read with its own credentials.
    const accounts = this.accounts.forChannel(channelId);
    const targets = await this.targets(accounts);
    report.regions = [...new Set(targets.map((t) => t.region))];
    const reads = await Promise.all(targets.map((t) => this.read(t.account, t.region)));
    if (!stillLeader()) return report;

    const named = this.accounts.named ? `|${accounts.map((a) => a.name).join(',')}` : '';
    const fingerprint = watchFingerprint({ ...this.settings, channelId }) + named;
    const started = await this.store.getAccountFact(STARTED_FACT);
    if (started?.value !== fingerprint) {
      const message = buildWatchStarted({ reads, thresholdPercent: this.settings.thresholdPercent, intervalMinutes: this.settings.intervalMinutes });
      // Without its first message the watch has not started: nothing is remembered, the next run starts it.
      if (!(await this.post(channelId, message, { what: 'the quota watch start message' }))) return report;
      await this.store.setAccountFact(STARTED_FACT, fingerprint);
      report.started = true;
    }

    for (const read of reads) {
      const fact = regionFact(read.region, read.account?.name);
      const before = parseRegionWatchState((await this.store.getAccountFact(fact))?.value);
      const after = await this.handle(channelId, read, before, report);
      if (after && !sameState(before, after)) await this.store.setAccountFact(fact, serializeRegionWatchState(after));
    }
    this.logger.info({ regions: report.regions, started: report.started, alerts: report.alerts, unreadable: report.unreadableReported }, 'quota watch run');
    return report;
  }

  /** What to remember about a region after this run, or undefined to keep what was (a message Slack did not take). */
  private async handle(channelId: string, read: RegionRead, state: RegionWatchState, report: QuotaWatchReport): Promise<RegionWatchState | undefined> {
    if ('quota' in read) {
      const step = watchStep(state, read.quota, this.settings.thresholdPercent);
      if (!step.alert) return step.state;
      const message = buildQuotaAlert({
        region: read.region,
        reading: read.quota,
        level: step.alert,
        thresholdPercent: this.settings.thresholdPercent,
        suggested: suggestedQuota(read.quota.max24HourSend),
        ...(read.account ? { account: read.account } : {}),
      });
      if (!(await this.post(channelId, message, { what: 'a quota alert', region: read.region }))) return undefined;
      report.alerts.push({ region: read.region, level: step.alert });
      return step.state;
    }
    const step = readFailureStep(state, read.transient);
    if (!step.report) return step.state;
    // The start message just listed it: that was the one report.
    if (!report.started) {
      if (!(await this.post(channelId, buildUnreadableRegionNotice(read.region, read.problem, read.account), { what: 'an unreadable region notice', region: read.region }))) return undefined;
    }
    report.unreadableReported.push(read.region);
    return step.state;
  }

  /**
   * Each account's regions: the configured ones, or those of the account's stored requests plus
   * the bot's own region (worked out each run).
   */
  private async targets(accounts: AwsAccount[]): Promise<{ account: AwsAccount; region: RegionCode }[]> {
    const seen = new Map<string, string[]>();
    if (!this.settings.regions?.length) {
      try {
        for (const r of await this.store.listRequestsByStatus(ALL_STATUSES)) {
          const regions = seen.get(r.accountName) ?? [];
          regions.push(...r.payload.rows.map((row) => row.region));
          seen.set(r.accountName, regions);
        }
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'could not list the regions of stored requests; the quota watch reads only AWS_REGION this time');
      }
    }
    return accounts.flatMap((account) => {
      const regions = this.settings.regions?.length
        ? watchedRegions(this.settings.regions, [], undefined)
        : watchedRegions(undefined, seen.get(account.name) ?? [], this.settings.defaultRegion);
      return regions.map((region) => ({ account, region }));
    });
  }

  /** One GetAccount, fresh (a cached answer could hide a crossing), with the account's own credentials. */
  private async read(account: AwsAccount, region: RegionCode): Promise<RegionRead> {
    // Named only when there are names to tell apart (AWS_ACCOUNTS_FILE).
    const named = this.accounts.named ? { account: { name: account.name, label: accountLabel(account.name, account.accountId) } } : {};
    try {
      return { region, quota: await this.accounts.gateways(account.name).ses.readQuotaFresh(region), ...named };
    } catch (err) {
      const transient = !(err instanceof AwsError) || err.kind === 'throttled' || err.kind === 'unavailable';
      this.logger.warn({ account: account.name, region, err: (err as Error).message, transient }, 'the quota watch could not read a region');
      const problem = err instanceof AwsError ? err.brief : 'an unexpected error (see the bot log)';
      return { region, problem, transient, ...named };
    }
  }

  private async post(channelId: string, message: SlackMessage, context: { what: string; region?: RegionCode }): Promise<boolean> {
    try {
      await this.messenger.post(channelId, message);
      return true;
    } catch (err) {
      this.logger.warn({ channelId, ...context, err: (err as Error).message }, 'could not post in the quota watch channel; the next run tries again');
      return false;
    }
  }
}
