/**
 * Follows every case the bot filed and brings AWS's side into Slack: new communications into
 * the case's thread (once each, in order), status changes onto the thread root. Economical with
 * the Support API: one DescribeCases per 100 cases per cycle, which already carries each case's
 * status and five newest communications; DescribeCommunications only for a case with more new
 * ones than that.
 */
import type { AwsAccounts } from '../aws/accounts.js';
import { accountKey, accountOfKey, type AccountRef } from '../domain/accounts.js';
import type { CaseCommunication, SupportCase } from '../aws/support-gateway.js';
import { isOwnCommunication } from '../domain/case-text.js';
import type { Logger } from '../logger.js';
import { buildRootMessage } from '../slack/views/root-message.js';
import { addressesReleasedNotice, AWS_AUTHOR, communicationMessage, confirmationPrompt, statusNotice } from '../slack/views/thread-messages.js';
import { CaseSyncConflict, type FollowedCase, type NewThreadPost, type RequestPatch, type Store } from '../store/store.js';
import { isRelinquishment, type RelinquishRequest, type StoredRequest } from '../domain/request.js';
import { armRegions } from '../domain/proof.js';
import type { AccessPolicy } from './access.js';
import type { ThreadPoster } from './thread-poster.js';
import { groupBy } from '../domain/common.js';
import { communicationKey, communicationPostKey, promptPostKey, releasedPostKey, rootDisplayIdKey, rootRedrawKey, statusPostKey } from './outbox-keys.js';
import type { Metrics } from '../metrics/metrics.js';

export const DESCRIBE_CASES_BATCH = 100;
/** A resolved case can be reopened for 14 days; it is watched that long. */
export const RESOLVED_WATCH_MS = 14 * 24 * 60 * 60 * 1000;

export interface CycleReport {
  cases: number;
  describeCasesCalls: number;
  /** Every Support API call of the cycle, DescribeCommunications pages and retries included. */
  supportCalls: number;
  posts: number;
  /** Accounts whose cases were not read this cycle: their role cannot be assumed. */
  skippedAccounts: string[];
}


/** A request seen through another case it follows: that case's number, status and position. */
function asFollowing(request: StoredRequest, followed: FollowedCase): StoredRequest {
  return {
    ...request,
    caseId: followed.caseId,
    displayId: followed.displayId,
    caseStatus: followed.caseStatus,
    commWatermark: followed.commWatermark,
    statusChanges: followed.statusChanges,
    resolvedAt: followed.resolvedAt,
  };
}

function time(iso: string | null | undefined): number {
  const t = Date.parse(iso ?? '');
  return Number.isFinite(t) ? t : 0;
}

/**
 * AWS may show a communication a while after its creation time, after newer ones were synced:
 * each sync looks back this far behind its watermark and keeps what it has not seen (by content key).
 */
export const LATE_COMMUNICATION_WINDOW_MS = 60 * 60_000;

export class CaseSync {
  constructor(
    private readonly store: Store,
    private readonly accounts: AwsAccounts,
    private readonly poster: ThreadPoster,
    private readonly settings: { access: AccessPolicy; dedicatedIpPriceCents: number; metrics?: Metrics },
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * One pass over every tracked case, account by account side by side (each account has its own
   * Support API budget), a batch of 100 at a time: each batch's rows are loaded when its answer
   * arrives and its posts are handed to the poster at once, so memory stays flat and a reply
   * does not wait for the rest of a long cycle. A replica that loses the sync lease mid-cycle
   * stops. An account whose role cannot be assumed is skipped until it can be.
   */
  async cycle(options: { stillLeader?: () => boolean; skip?: (account: string) => boolean } = {}): Promise<CycleReport> {
    const leading = options.stillLeader ?? (() => true);
    const timer = this.settings.metrics?.caseSyncCycle();
    const tracked = await this.store.listTrackedCases(new Date(this.now() - RESOLVED_WATCH_MS).toISOString());
    // Accounts whose AWS Support events arrive (push) are left to them between fallback polls.
    const polled = tracked.filter((t) => !options.skip?.(t.accountName));
    const byAccount = groupBy(polled, accountKey);
    const report: CycleReport = { cases: polled.length, describeCasesCalls: 0, supportCalls: 0, posts: 0, skippedAccounts: [] };
    const failures: unknown[] = [];
    await Promise.all(
      [...byAccount].map(async ([key, cases]) => {
        const account = accountOfKey(key);
        const ids = cases.map((c) => c.caseId);
        // Unavailable, or no longer configured as this account: nothing is sent with credentials that would be refused.
        if (!this.accounts.findFor(account).available) {
          report.skippedAccounts.push(account.accountName);
          return;
        }
        try {
          await this.syncAccount(account, ids, report, leading);
        } catch (err) {
          // One account's failure (its role, its throttling) leaves the others' cycle whole.
          this.logger.warn({ account, err: (err as Error).message }, 'case sync of an account stopped early');
          failures.push(err);
        }
      }),
    );
    if (report.skippedAccounts.length) this.logger.warn({ accounts: report.skippedAccounts }, 'case sync skipped accounts whose role cannot be assumed');
    // Also posts left pending by a failed try or by a replica that died.
    await this.poster.kickAll();
    timer?.end(report.cases, failures.length === 0);
    // The cycle still fails as a whole (the scheduler logs it) once every account has had its turn.
    if (failures.length) throw failures[0];
    return report;
  }

  /** One account's share of a cycle: ⌈N/100⌉ DescribeCases, spaced by that account's own budget. */
  private async syncAccount(account: AccountRef, ids: string[], report: CycleReport, leading: () => boolean): Promise<void> {
    const { support } = this.accounts.forRequest(account);
    const callsBefore = support.callCount;
    try {
      for (let i = 0; i < ids.length; i += DESCRIBE_CASES_BATCH) {
        if (!leading()) {
          this.logger.warn('lost the case-sync lease mid-cycle; another replica carries on');
          break;
        }
        const batch = ids.slice(i, i + DESCRIBE_CASES_BATCH);
        report.describeCasesCalls += 1;
        const cases = await support.describeCases(batch, true);
        report.posts += await this.syncBatch(batch, cases);
      }
    } finally {
      report.supportCalls += support.callCount - callsBefore;
    }
  }

  /**
   * Syncs these cases of one account now (AWS said they changed), through the same steps as the
   * cycle, so a communication seen both ways is posted once. Returns the posts queued; throws
   * when AWS could not be asked, and then nothing was recorded.
   */
  async syncNow(account: AccountRef, caseIds: string[]): Promise<{ posts: number; cases: SupportCase[] }> {
    if (!caseIds.length) return { posts: 0, cases: [] };
    const cases = await this.accounts.forRequest(account).support.describeCases(caseIds, true);
    // A case another sync changed meanwhile fails this one: the event comes back and is synced afresh.
    return { posts: await this.syncBatch(caseIds, cases, true), cases };
  }

  /**
   * Brings one DescribeCases answer into the threads; returns the posts queued. A case whose
   * status another sync recorded meanwhile is left to the next sync (`strict`: fails the batch).
   */
  private async syncBatch(batch: string[], cases: SupportCase[], strict = false): Promise<number> {
    const requests = new Map((await this.store.getRequestsByCaseIds(batch)).map((r) => [r.caseId!, r]));
    const others = requests.size < batch.length ? new Map((await this.store.getFollowedCases(batch)).map((f) => [f.followed.caseId, f])) : new Map();
    const channels = new Set<string>();
    let total = 0;
    for (const c of cases) {
      const other = others.get(c.caseId);
      // Another case of a request (a second Service Quotas row's): synced as the request's, from its own position.
      const request = requests.get(c.caseId) ?? (other && asFollowing(other.request, other.followed));
      if (!request?.rootTs) continue;
      let posts: number;
      try {
        posts = await this.syncCase(request, c, other?.followed.caseId);
      } catch (err) {
        if (strict || !(err instanceof CaseSyncConflict)) throw err;
        this.logger.info({ requestId: request.id, caseId: c.caseId }, 'another sync recorded this case meanwhile; the next sync reads it again');
        continue;
      }
      total += posts;
      if (posts) channels.add(request.channelId);
    }
    for (const channel of channels) this.poster.kick(channel);
    return total;
  }

  /**
   * The case's communications not seen yet, oldest first. What is new is what has not been seen
   * (by content key), not merely what is newer than the watermark: a communication AWS shows
   * late, behind newer ones, is still found.
   */
  private async unseenCommunications(request: StoredRequest, c: SupportCase): Promise<{ m: CaseCommunication; key: string }[]> {
    const watermark = request.commWatermark;
    const since = watermark === null ? undefined : time(watermark) - LATE_COMMUNICATION_WINDOW_MS;
    const inWindow = (m: CaseCommunication) => since === undefined || time(m.timeCreated) >= since;
    const unseenOf = async (comms: CaseCommunication[]) => {
      const keyed = comms.filter(inWindow).map((m) => ({ m, key: communicationKey(c.caseId, m) }));
      const seen = await this.store.seenKeys(request.id, keyed.map((k) => k.key));
      return keyed.filter((k) => !seen.has(k.key));
    };
    let unseen = await unseenOf(c.recentCommunications);
    if (c.moreCommunications && unseen.length === c.recentCommunications.length) {
      // Every one of the five shown is new and there are more: page the rest since the look-back.
      unseen = await unseenOf(await this.accounts.forRequest(request).support.describeCommunications(c.caseId, since === undefined ? undefined : new Date(since).toISOString()));
    }
    return unseen.sort((a, b) => time(a.m.timeCreated) - time(b.m.timeCreated));
  }

  /**
   * Brings one case's news into Slack: new communications, prompts, status changes, all recorded
   * in one step. `followedCaseId`: the case is another one the request follows (not its own), whose
   * status is said in the thread but not drawn on the root, and whose position is its own.
   */
  private async syncCase(request: StoredRequest, c: SupportCase, followedCaseId?: string): Promise<number> {
    const keyId = followedCaseId ? `${request.id}@${followedCaseId}` : request.id;
    const watermark = request.commWatermark;
    const unseen = await this.unseenCommunications(request, c);
    const posts: NewThreadPost[] = [];
    const post = (contentKey: string, message: NewThreadPost['message']) =>
      posts.push({ contentKey, requestId: request.id, channelId: request.channelId, threadTs: request.rootTs!, message });
    const patch: RequestPatch = {};
    let current: StoredRequest = request;
    if (c.displayId && c.displayId !== request.displayId) {
      patch.displayId = c.displayId;
      current = { ...current, displayId: c.displayId };
    }

    let needsConfirmation = await this.awaitsConfirmation(request);
    // AWS may have released the addresses on a confirmation given by email or in Support Center:
    // then its reply needs no prompt, and the thread says the addresses are gone.
    if (needsConfirmation && isRelinquishment(current) && unseen.some(({ m }) => m.submittedBy === AWS_AUTHOR) && (await this.addressesGone(current))) {
      post(releasedPostKey(request.id), addressesReleasedNotice(current));
      needsConfirmation = false;
    }
    for (const { m, key } of unseen) {
      const fromAws = m.submittedBy === AWS_AUTHOR;
      // The bot's own words (the case body, confirmations, replies) end with the request's reference.
      if (!fromAws && isOwnCommunication(request.reference, m.body)) continue;
      post(communicationPostKey(key), communicationMessage(current, m));
      if (fromAws && needsConfirmation && isRelinquishment(current)) post(promptPostKey(key), confirmationPrompt(current, this.settings.access.whoMayActOn(current), this.settings.dedicatedIpPriceCents, new Date(this.now())));
    }
    const newest = unseen.at(-1)?.m.timeCreated;
    if (newest && time(newest) > time(watermark)) patch.commWatermark = newest;

    // AWS answered on the case, or resolved it: the account should show the change (proof of
    // effect), and the root says it is being checked. A request sent through Service Quotas takes
    // its answer from Service Quotas; a relinquishment's answer counts only once it was confirmed
    // (AWS's question asking for the confirmation releases nothing).
    const resolvedNow = c.status === 'resolved' && request.caseStatus !== 'resolved';
    const awsAnswered = (unseen.some(({ m }) => m.submittedBy === AWS_AUTHOR) && !needsConfirmation) || resolvedNow;
    if (awsAnswered && request.filingMode !== 'service-quotas' && !followedCaseId) {
      patch.effects = armRegions(request.effects, request.payload, new Date(this.now()).toISOString(), [{}]);
      current = { ...current, effects: patch.effects };
    }

    if (c.status && c.status !== request.caseStatus) {
      const changes = request.statusChanges + 1;
      patch.caseStatus = c.status;
      patch.statusChanges = changes;
      patch.resolvedAt = c.status === 'resolved' ? new Date(this.now()).toISOString() : null;
      current = { ...current, ...patch };
      if (c.status === 'pending-customer-action' || c.status === 'resolved') post(statusPostKey(keyId, changes), statusNotice(current, c.status));
      if (!followedCaseId) post(rootRedrawKey(request.id, changes), { ...buildRootMessage(current), updateTs: request.rootTs! });
    } else if (patch.displayId && !followedCaseId) {
      post(rootDisplayIdKey(request.id), { ...buildRootMessage(current), updateTs: request.rootTs! });
    }

    if (posts.length || unseen.length || Object.keys(patch).length) {
      await this.store.recordCaseSync({
        requestId: request.id,
        ...(followedCaseId ? { followedCaseId } : {}),
        patch,
        seen: unseen.map(({ m, key }) => ({ contentKey: key, timeCreated: m.timeCreated })),
        posts,
      });
    }
    return posts.length;
  }

  /**
   * True when none of a relinquishment's named addresses is in the account any more (SESv2);
   * false when some still are, none were named (a count only), or the inventory cannot be read.
   */
  private async addressesGone(request: RelinquishRequest): Promise<boolean> {
    const rows = request.payload.rows.filter((r) => r.addresses.length);
    if (!rows.length) return false;
    try {
      for (const row of rows) {
        const present = new Set((await this.accounts.forRequest(request).ses.getDedicatedIpInventory(row.region)).ips.map((ip) => ip.ip));
        if (row.addresses.some((a) => present.has(a))) return false;
      }
      return true;
    } catch (err) {
      this.logger.warn({ requestId: request.id, err: (err as Error).message }, 'could not read the dedicated IPs to see whether they were released');
      return false;
    }
  }

  /** A relinquishment not yet confirmed (or whose confirmation failed) prompts after AWS replies. */
  private async awaitsConfirmation(request: StoredRequest): Promise<boolean> {
    if (!isRelinquishment(request)) return false;
    const outgoing = await this.store.listOutgoing(request.id);
    return !outgoing.some((o) => o.kind === 'confirmation' && o.state !== 'failed');
  }
}
