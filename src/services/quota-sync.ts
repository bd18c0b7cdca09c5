/**
 * Follows the rows of quota requests sent through Service Quotas and production access. Each
 * cycle asks AWS once per region, not once per row: one ListRequestedServiceQuotaChangeHistory
 * (all pages) per region with open Service Quotas rows, one GetAccount per region with an open
 * production access review. Every status change is said once in the thread and drawn on the
 * root, written in one step with the rows; a case AWS opens gets the form (CaseForms).
 */
import type { QuotaChange } from '../aws/service-quotas-gateway.js';
import type { AwsAccounts } from '../aws/accounts.js';
import { accountKey, accountOfKey, type AccountRef } from '../domain/accounts.js';
import type { ProductionAccessReview } from '../aws/ses-gateway.js';
import { armRegions, positiveOutcomeOf, type Outcome } from '../domain/proof.js';
import { isFinalRowStatus, isRowFollowed, pollUntil, type QuotaRowState } from '../domain/quota-rows.js';
import type { QuotaRequest, StoredRequest } from '../domain/request.js';
import type { Logger } from '../logger.js';
import { rowCaseNotice, rowStatusNotice } from '../slack/views/quota-thread.js';
import { buildRootMessage } from '../slack/views/root-message.js';
import type { Store } from '../store/store.js';
import type { CaseForms } from './case-forms.js';
import { rowCaseKey, rowsRootKey, rowStatusKey } from './outbox-keys.js';
import { threadPosts, type ThreadNotice, type ThreadPoster } from './thread-poster.js';

export interface RowSyncReport {
  requests: number;
  /** Regions asked: Service Quotas histories and production access reviews. */
  historyCalls: number;
  reviewCalls: number;
  posts: number;
}

/** What AWS says of every followed row this cycle, by region; a region AWS did not answer for is absent. */
/** What AWS says, read once per account and region (keyed by placeOf). */
interface AwsView {
  changes: Map<string, Map<string, QuotaChange>>;
  reviews: Map<string, ProductionAccessReview | undefined>;
}

/** An account's region: each account's requests and reviews are its own. */
function placeOf(account: AccountRef, region: string): string {
  return `${region}\n${accountKey(account)}`;
}

function splitPlace(place: string): [account: AccountRef, region: string] {
  const at = place.indexOf('\n');
  return [accountOfKey(place.slice(at + 1)), place.slice(0, at)];
}

export class QuotaRowSync {
  constructor(
    private readonly store: Store,
    private readonly accounts: AwsAccounts,
    private readonly forms: CaseForms,
    private readonly poster: ThreadPoster,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async cycle(): Promise<RowSyncReport> {
    const requests = (await this.store.listPolledQuotaRequests()).filter(isRowRequest);
    const now = this.now();
    const view = await this.askAws(requests, now);
    const report: RowSyncReport = { requests: requests.length, historyCalls: view.changes.size, reviewCalls: view.reviews.size, posts: 0 };
    for (const request of requests) {
      const synced = await this.syncRequest(request, view, now);
      report.posts += synced.posts;
      await this.forms.deliver(synced.request).catch((err: unknown) => this.logger.warn({ requestId: request.id, err: (err as Error).message }, 'could not add the form to a case; the next cycle tries again'));
    }
    return report;
  }

  private async askAws(requests: QuotaRequest[], now: number): Promise<AwsView> {
    const histories = new Set<string>();
    const reviews = new Set<string>();
    for (const request of requests) {
      for (const row of request.quotaRows ?? []) {
        if (!isRowFollowed(row, now)) continue;
        if (row.path === 'production_access') reviews.add(placeOf(request, row.region));
        else if (row.awsId) histories.add(placeOf(request, row.region));
      }
    }
    const view: AwsView = { changes: new Map(), reviews: new Map() };
    await Promise.all([
      ...[...histories].map(async (place) => {
        const [account, region] = splitPlace(place);
        try {
          view.changes.set(place, new Map((await this.accounts.forRequest(account).quotas.history(region)).map((c) => [c.id, c])));
        } catch (err) {
          this.logger.warn({ account: account.accountName, region, err: (err as Error).message }, 'could not read the Service Quotas requests of a region; the next cycle tries again');
        }
      }),
      ...[...reviews].map(async (place) => {
        const [account, region] = splitPlace(place);
        try {
          view.reviews.set(place, await this.accounts.forRequest(account).ses.reviewDetails(region));
        } catch (err) {
          this.logger.warn({ account: account.accountName, region, err: (err as Error).message }, 'could not read the production access review of a region; the next cycle tries again');
        }
      }),
    ]);
    return view;
  }

  /** Brings one request's rows up to what AWS says, with a notice per change and one redraw. */
  private async syncRequest(request: QuotaRequest, view: AwsView, now: number): Promise<{ request: QuotaRequest; posts: number }> {
    const rows = (request.quotaRows ?? []).map((r) => ({ ...r }));
    const messages: ThreadNotice[] = [];
    const outcomes: Outcome[] = [];
    rows.forEach((row, index) => {
      const seen = isRowFollowed(row, now) ? awsSays(row, view, placeOf(request, row.region)) : undefined;
      if (!seen) return;
      // One production access review covers every sandboxed row of its region: said once for the region.
      const subject = row.path === 'production_access' ? `review:${row.region}` : String(index);
      if (seen.status && seen.status !== row.status) {
        row.status = seen.status;
        // A positive answer: the account should now show it (proof of effect).
        const outcome = positiveOutcomeOf(row);
        if (outcome) outcomes.push(outcome);
        row.finalAt = isFinalRowStatus(row) ? new Date(now).toISOString() : undefined;
        messages.push({ key: rowStatusKey(request.id, subject, row.path, seen.status), message: rowStatusNotice(row, request.requesterId) });
      }
      if (seen.caseId && seen.caseId !== row.caseId) {
        row.caseId = seen.caseId;
        messages.push({ key: rowCaseKey(request.id, subject, seen.caseId), message: rowCaseNotice(row) });
      }
    });
    if (!messages.length || !request.rootTs) return { request, posts: 0 };
    const effects = outcomes.length ? armRegions(request.effects, request.payload, new Date(now).toISOString(), outcomes) : request.effects;
    const updated: QuotaRequest = { ...request, quotaRows: rows, effects };
    const state = rows.map((r) => `${r.path}/${r.sending}/${r.status ?? ''}/${r.caseId ?? ''}`).join(',');
    messages.push({ key: rowsRootKey(request.id, state), message: { ...buildRootMessage(updated), updateTs: request.rootTs } });
    const posts = threadPosts(request, messages);
    const stored = await this.store.recordRowSync(request.id, request.updatedAt, { quotaRows: rows, pollUntil: pollUntil(rows), ...(outcomes.length ? { effects } : {}) }, posts);
    // Refused: a filing owns the rows now, or wrote them since they were read; the next cycle looks again.
    if (!stored || !isRowRequest(stored)) return { request, posts: 0 };
    this.poster.kick(request.channelId);
    return { request: stored, posts: posts.length };
  }
}

function isRowRequest(request: StoredRequest): request is QuotaRequest {
  return request.kind === 'quota' && request.quotaRows !== null;
}

/** What AWS reports for one row, if its region answered. */
function awsSays(row: QuotaRowState, view: AwsView, place: string): { status: string | undefined; caseId: string | undefined } | undefined {
  if (row.path === 'production_access') {
    if (!view.reviews.has(place)) return undefined;
    const review = view.reviews.get(place);
    return review && { status: review.status, caseId: review.caseId };
  }
  const change = row.awsId ? view.changes.get(place)?.get(row.awsId) : undefined;
  return change && { status: change.status, caseId: change.caseId };
}
