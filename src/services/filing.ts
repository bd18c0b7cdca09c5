/**
 * Filing a request as an AWS Support case, exactly once: the request is stored before anything
 * else happens, every step moves it through an atomic status change, and a call whose outcome
 * AWS left unknown is reconciled (found by its reference) before anything is filed again.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupBy, referenceFor } from '../domain/common.js';
import { CASE_SERVICE_NAME, withAccountLine, type CaseText } from '../domain/case-text.js';
import { quotaCaseText } from '../domain/quota-request.js';
import { dedicatedIpCaseText } from '../domain/dedicated-ip.js';
import { AwsError } from '../aws/errors.js';
import { CategoryNotFoundError, REFERENCE_LOOKUP_MAX_PAGES, WRITE_MAX_MS, type Category, type CategoryMatch } from '../aws/support-gateway.js';
import type { AwsAccounts } from '../aws/accounts.js';
import { accountKey } from '../domain/accounts.js';
import type { Logger } from '../logger.js';
import { toSlackError, type SlackError, type SlackMessenger } from '../slack/messenger.js';
import { buildNotInChannelMessage, buildThreadNotice } from '../slack/views/notices.js';
import { buildRootMessage } from '../slack/views/root-message.js';
import type { RequestPatch, Store } from '../store/store.js';
import { CLAIMABLE_FOR, type FilingMode, type QuotaRequest, type RequestKind, type RequestPayload, type RequestStatus, type StoredRequest } from '../domain/request.js';
import { initialRows, pollUntil, statusAfterRows, type QuotaRowState } from '../domain/quota-rows.js';
import { armRegions, positiveOutcomeOf, type RegionEffect } from '../domain/proof.js';
import type { QuotaRowsFiling } from './quota-rows-filing.js';
import { threadPosts, type ThreadNotice, type ThreadPoster } from './thread-poster.js';
import type { ProofOfEffect } from './proof.js';
import type { Metrics } from '../metrics/metrics.js';

export interface FilingSettings {
  /** How quota requests go to AWS (dedicated-IP requests are always a Support case). */
  quotaFiling: FilingMode;
  severity: string;
  issueType: string | undefined;
  /** Category codes from configuration, which win over the DescribeServices lookup. */
  categoryOverrides: Partial<Record<RequestKind, string>>;
  /** Counts each filing attempt's outcome and the filings taken over (src/metrics/). */
  metrics?: Metrics;
}

const SENDING_LIMITS: CategoryMatch = { codes: ['ses-sending-quota', 'service-code-ses'], name: /SES.*Sending/i };
/**
 * Dedicated IPs have no quota code: they stay a Support case, preferably under a category
 * whose name mentions dedicated IPs, otherwise under the sending limits (the limit type the
 * console keeps for dedicated-IP cases) rather than not at all.
 */
const CATEGORIES: Record<RequestKind, CategoryMatch> = {
  quota: SENDING_LIMITS,
  dedicated_ip: { codes: ['ses-dedicated-ip'], name: /dedicated/i, otherwise: SENDING_LIMITS },
};


export interface Submission {
  request: RequestPayload;
  /** Identifies one submission of one modal: a second submission with the same key is the same request. */
  submissionKey: string;
  teamId: string;
  channelId: string;
  requesterId: string;
  responseUrl: string | undefined;
  /** The AWS account it is filed in (already checked against the channel); unset: "default". */
  account?: { name: string; id: string | null };
}

/** How long a claim on a request being filed lasts; renewed before the irreversible call, which takes far less (WRITE_MAX_MS). */
export const FILING_LEASE_MS = Math.max(120_000, 4 * WRITE_MAX_MS);
/** A thread root Slack answers 429 for is posted again after its Retry-After, this many times in all. */
const ROOT_POST_ATTEMPTS = 5;
/** The longest Retry-After waited out for a root (each far shorter than the claim). */
const ROOT_POST_MAX_WAIT_MS = 30_000;
/** Recording a posted root is tried this often, this far apart (a minute in all, half the shortest claim). */
const ROOT_RECORD_ATTEMPTS = 30;
const ROOT_RECORD_WAIT_MS = 2_000;
/**
 * After a CreateCase whose outcome is unknown (a timeout, a 5xx, a crash), AWS may take a while
 * to show the case; a lookup that finds nothing before this much time has passed proves nothing.
 */
export const UNCERTAIN_GRACE_MS = 5 * 60_000;
/** Cases created this long before a request was stored are not looked at for its reference. */
const LOOKUP_MARGIN_MS = 10 * 60_000;

export function newRequestId(): string {
  return randomBytes(8).toString('hex');
}

/** A claim's owner: one token per attempt, so even two attempts in one process never mistake each other's claims. */
export function newOwnerToken(): string {
  return randomBytes(12).toString('hex');
}

/** What AWS knows of a request whose earlier attempt may have filed it; `unknown` says why it cannot be told. */
type CaseLookup = { caseId: string } | 'absent' | { unknown: { code: string; message: string } };

/** One claimed request and whose claim it is. */
interface Claim {
  request: StoredRequest;
  owner: string;
}

export class FilingService {
  /** Filings under way in this process, so tests and shutdown can wait for them. */
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly accounts: AwsAccounts,
    private readonly slack: SlackMessenger,
    private readonly settings: FilingSettings,
    private readonly rowsFiling: QuotaRowsFiling,
    private readonly poster: ThreadPoster,
    private readonly proof: ProofOfEffect,
    private readonly logger: Logger,
  ) {}

  /** Stores a valid submission. Returns `created: false` for a repeat of one already stored. */
  async accept(submission: Submission): Promise<{ created: boolean; request: StoredRequest }> {
    const id = newRequestId();
    return this.store.insertRequest({
      id,
      submissionKey: submission.submissionKey,
      reference: referenceFor(id),
      teamId: submission.teamId,
      channelId: submission.channelId,
      requesterId: submission.requesterId,
      payload: submission.request,
      responseUrl: submission.responseUrl ?? null,
      filingMode: submission.request.kind === 'quota' ? this.settings.quotaFiling : 'support-case',
      ...(submission.account ? { account: submission.account } : {}),
    });
  }

  /**
   * Claims a stored request for filing and files it in the background (the Slack listener that
   * calls this has already acked). Only one caller can claim a request: a double click, a
   * second replica or a retried event gets `busy`.
   */
  async startFiling(requestId: string, from: 'new' | 'retry' = 'new'): Promise<'started' | 'busy'> {
    const clear = { errorCode: null, errorMessage: null };
    const owner = newOwnerToken();
    // "uncertain" is claimed on its own, so that whoever claims it knows to look for the case first.
    const uncertain = from === 'retry' ? await this.store.claimFiling(requestId, CLAIMABLE_FOR.reconcile, owner, FILING_LEASE_MS, clear) : undefined;
    const claimed = uncertain ?? (await this.store.claimFiling(requestId, CLAIMABLE_FOR[from], owner, FILING_LEASE_MS, clear));
    if (!claimed) return 'busy';
    const claim = { request: claimed, owner };
    // A Retry of an uncertain request is answered in the thread even when its state is unchanged.
    // A request sent row by row looks for each uncertain row itself.
    const lookUpFirst = uncertain && !byRows(claimed);
    this.track(lookUpFirst ? this.lookUp([claimed]).then((lookup) => this.fileAfterLookup(claim, lookup, undefined)) : this.file(claim));
    return 'started';
  }

  private track(filing: Promise<void>): void {
    const job = filing
      .catch((err: unknown) => this.logger.error({ err }, 'filing failed unexpectedly'))
      .finally(() => this.running.delete(job));
    this.running.add(job);
  }

  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  /** Asks AWS once which of these requests (all of one account) it already has a case for. */
  private async lookUp(requests: StoredRequest[]): Promise<(request: StoredRequest) => CaseLookup> {
    const since = new Date(Math.min(...requests.map((r) => Date.parse(r.createdAt))) - LOOKUP_MARGIN_MS);
    try {
      const result = await this.accounts.forRequest(requests[0]!).support.findCasesByReferences(requests.map((r) => r.reference), since);
      return (request) => {
        const caseId = result.found.get(request.reference);
        if (caseId) return { caseId };
        if (result.complete) return 'absent';
        const pages = `${REFERENCE_LOOKUP_MAX_PAGES * 100} most recent`;
        return { unknown: { code: 'too_many_cases', message: `the account has more cases since this request than the bot searches (the ${pages}), and the case was not among them` } };
      };
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not look cases up by reference');
      const aws = err instanceof AwsError ? err : undefined;
      return () => ({ unknown: { code: aws?.kind ?? 'unknown', message: aws?.userMessage ?? 'AWS did not answer' } });
    }
  }

  /**
   * Files a request whose earlier attempt may have filed it, given what AWS said: linked if
   * AWS has it; filed if AWS provably has not and the grace period after the last attempt has
   * passed; otherwise left "uncertain" for a later look. `before`: the request as it was
   * before this claim, so an unchanged state is not announced again.
   */
  private async fileAfterLookup(claim: Claim, lookup: (r: StoredRequest) => CaseLookup, before: StoredRequest | undefined): Promise<void> {
    const log = this.logger.child({ requestId: claim.request.id, reference: claim.request.reference });
    const found = lookup(claim.request);
    if (typeof found === 'object' && 'caseId' in found) {
      log.info({ caseId: found.caseId }, 'found the case of an uncertain filing');
      return this.linkCase(claim, found.caseId, log);
    }
    if (found !== 'absent') {
      log.warn({ why: found.unknown.code }, 'could not tell whether AWS already has the case');
      const message = `Could not ask AWS whether the case was already filed (${found.unknown.message}). Nothing was filed again; the bot looks again shortly, or press Retry later.`;
      return this.leaveUncertain(claim, found.unknown.code, message, before, log);
    }
    const attemptedAt = claim.request.attemptedAt ? Date.parse(claim.request.attemptedAt) : undefined;
    if (attemptedAt !== undefined && (await this.store.now()).getTime() - attemptedAt < UNCERTAIN_GRACE_MS) {
      const minutes = Math.round(UNCERTAIN_GRACE_MS / 60_000);
      const message = `AWS does not show the case yet, but the last attempt was moments ago and AWS may still be creating it. Nothing was filed again; the bot looks again and files only if AWS still has no case ${minutes} minutes after that attempt.`;
      return this.leaveUncertain(claim, 'awaiting_aws', message, before, log);
    }
    log.info('AWS has no case for an uncertain filing; filing it');
    return this.file(claim, true);
  }

  private async leaveUncertain(claim: Claim, errorCode: string, message: string, before: StoredRequest | undefined, log: Logger): Promise<void> {
    const stored = await this.finish(claim, 'uncertain', { errorCode, errorMessage: message }, log);
    // Recovery retries every cycle; the thread hears about a state once, not every minute.
    if (stored && !(before?.status === 'uncertain' && before.errorCode === errorCode)) {
      await this.refreshRoot(stored, log);
      await this.tellThread(stored, message, log);
    }
  }

  /** Moves a claimed request out of "filing"; a claim lost meanwhile is logged, never silently dropped. */
  private async finish(claim: Claim, to: RequestStatus, patch: RequestPatch, log: Logger): Promise<StoredRequest | undefined> {
    const stored = await this.store.finishFiling(claim.request.id, claim.owner, to, patch);
    if (stored) this.settings.metrics?.submission(stored.kind, to, patch.errorCode);
    if (!stored) log.warn({ to, ...(patch.caseId ? { caseId: patch.caseId } : {}) }, 'lost the claim on a request before recording its outcome; its new owner reconciles it with AWS');
    return stored;
  }

  /**
   * Files a request this process has claimed (status "filing"): the thread root first, then the
   * category, then CreateCase, sent only after the claim was confirmed as still held.
   * `recovered`: an automatic recovery, which does not redraw an unchanged root.
   */
  private async file(claim: Claim, recovered = false): Promise<void> {
    const log = this.logger.child({ requestId: claim.request.id, reference: claim.request.reference });
    const request = await this.ensureRootMessage(claim, log, !recovered);
    if (!request) return;
    // What the account shows before AWS acts, to prove the effect of its answer later (read once).
    await this.proof.recordBaseline(request).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'could not record the figures before filing'));
    if (request.kind === 'quota' && byRows(request)) return this.fileByRows(claim, request, log, recovered);

    const { support } = this.accounts.forRequest(request);
    let category: Category;
    let text: CaseText;
    try {
      const override = this.settings.categoryOverrides[request.kind];
      category = override ? { code: override, name: CASE_SERVICE_NAME } : await support.resolveCategory(CATEGORIES[request.kind]);
      text = withAccountLine(this.caseText(request, category.name), request.accountId);
    } catch (err) {
      return this.fail(claim, err, log);
    }

    // The irreversible call goes out only while the claim is still ours, and takes far less than the lease.
    if (!(await this.store.renewFiling(request.id, claim.owner, FILING_LEASE_MS, true))) {
      log.warn('the claim on this request expired or was taken over before CreateCase; not filing it here');
      return;
    }
    let caseId: string;
    try {
      caseId = await support.createCase({
        subject: text.subject,
        body: text.body,
        categoryCode: category.code,
        severityCode: this.settings.severity,
        language: request.payload.language,
        issueType: this.settings.issueType,
      });
    } catch (err) {
      return this.fail(claim, err, log);
    }
    log.info({ caseId }, 'case filed');
    return this.linkCase(claim, caseId, log);
  }

  /**
   * Sends each row of a quota request to Service Quotas (or production access), then settles the
   * request: filed when AWS has every row, failed when AWS refused some (Retry sends only those),
   * uncertain when AWS may have some (looked for before anything is sent again).
   */
  private async fileByRows(claim: Claim, request: QuotaRequest, log: Logger, recovered: boolean): Promise<void> {
    const result = await this.rowsFiling.fileRows(request, request.quotaRows ?? initialRows(request.payload), claim.owner, {
      resendRefused: !recovered,
      tell: (notices) => this.enqueueNotices(request, notices),
    });
    if (result.lostClaim) {
      log.warn('lost the claim on a request while sending its rows; its new owner looks for them at AWS');
      return;
    }
    const rows = result.rows;
    const status = statusAfterRows(rows);
    const effects = await this.effectsOfAnswersAtOnce(request, rows);
    const failed = rows.filter((r) => r.sending === 'failed').length;
    const stored = await this.finish(
      claim,
      status,
      {
        quotaRows: rows,
        pollUntil: pollUntil(rows),
        errorCode: status === 'filed' ? null : `rows_${status}`,
        errorMessage: status === 'failed' ? `${failed} of ${rows.length} request${rows.length === 1 ? '' : 's'} did not reach AWS (the thread says why).` : null,
        ...(effects ? { effects } : {}),
      },
      log,
    );
    // Recovery retries an uncertain request every cycle: an unchanged root is not redrawn.
    if (stored && (!recovered || JSON.stringify(stored.quotaRows) !== JSON.stringify(request.quotaRows))) await this.refreshRoot(stored, log);
  }

  /**
   * AWS may answer a row at once (an automatic approval, or a request found already approved):
   * such an answer starts the proof of effect here, since the sync only sees changes after it.
   */
  private async effectsOfAnswersAtOnce(request: QuotaRequest, rows: QuotaRowState[]): Promise<RegionEffect[] | undefined> {
    const wasSent = new Set((request.quotaRows ?? []).flatMap((r, i) => (r.sending === 'sent' ? [i] : [])));
    const outcomes = rows.flatMap((row, i) => {
      const outcome = wasSent.has(i) || row.sending !== 'sent' ? undefined : positiveOutcomeOf(row);
      return outcome ? [outcome] : [];
    });
    if (!outcomes.length) return undefined;
    // The figures recorded moments ago at the start of this filing.
    const recorded = (await this.store.getRequest(request.id))?.effects ?? null;
    return armRegions(recorded, request.payload, (await this.store.now()).toISOString(), outcomes);
  }

  private async enqueueNotices(request: StoredRequest, notices: ThreadNotice[]): Promise<void> {
    if (!request.rootTs || !notices.length) return;
    await this.store.enqueuePosts(threadPosts(request, notices));
    this.poster.kick(request.channelId);
  }

  /** The case as AWS receives it; its "Service:" line names the category it is filed under. */
  private caseText(request: StoredRequest, serviceName: string): CaseText {
    switch (request.kind) {
      case 'quota':
        return quotaCaseText(request.payload, request.reference, serviceName);
      case 'dedicated_ip':
        return dedicatedIpCaseText(request.payload, request.reference, serviceName);
    }
  }

  /** Posts the thread root once; without it there is nowhere to tell the team anything. */
  private async ensureRootMessage(claim: Claim, log: Logger, redraw: boolean): Promise<StoredRequest | undefined> {
    const request = claim.request;
    if (request.rootTs) {
      if (redraw) await this.refreshRoot(request, log);
      return request;
    }
    const posted = await this.postRoot(claim, log);
    if (typeof posted !== 'string') {
      const slackError = posted;
      log.warn({ code: slackError.code, channel: request.channelId }, 'could not post the thread root; nothing filed');
      const stored = await this.finish(claim, 'not_posted', {
        errorCode: slackError.code,
        errorMessage: slackError.notInChannel ? 'The bot is not a member of this channel.' : `Slack refused the message (${slackError.code}).`,
      }, log);
      if (stored?.responseUrl) {
        await this.slack.respond(stored.responseUrl, buildNotInChannelMessage(stored, slackError));
      }
      return undefined;
    }
    const ts = posted;
    let stored: StoredRequest | undefined;
    try {
      stored = await this.recordRoot(claim, ts, log);
    } catch (err) {
      // Never recorded: the recovery will post a root of its own, so this one would be a second,
      // orphaned root ("Filing with AWS Support…" forever). Remove it, then give up this attempt.
      log.warn({ err: (err as Error).message }, 'could not record the thread root; removing it');
      await this.slack.delete(request.channelId, ts).catch((e: unknown) => log.warn({ code: toSlackError(e).code }, 'could not remove an unrecorded thread root'));
      throw err;
    }
    if (!stored) {
      // The post outlasted our claim and another process has taken the request over (and posts
      // its own root): ours would be a second, orphaned root for the same request.
      log.warn('lost the claim while posting the thread root; removing that root and leaving the request to its new owner');
      await this.slack.delete(request.channelId, ts).catch((err: unknown) => log.warn({ code: toSlackError(err).code }, 'could not remove an orphaned thread root'));
    }
    return stored;
  }

  /**
   * Records the posted root's ts on the request. A database that does not answer is asked again
   * (a restart or failover takes seconds; the claim lasts minutes), so that the root posted a
   * moment ago is kept rather than orphaned; throws if it stays away.
   */
  private async recordRoot(claim: Claim, ts: string, log: Logger): Promise<StoredRequest | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.store.updateFiling(claim.request.id, claim.owner, { rootTs: ts });
      } catch (err) {
        if (attempt >= ROOT_RECORD_ATTEMPTS) throw err;
        log.warn({ attempt, err: (err as Error).message }, 'could not record the thread root; trying again');
        await sleep(ROOT_RECORD_WAIT_MS);
      }
    }
  }

  /**
   * Posts the thread root: its ts, or why Slack refused it. A 429 posted nothing, so its
   * Retry-After is waited out a few times (as the thread outbox does) while the claim is still
   * ours, instead of giving the submission up over a passing rate limit.
   */
  private async postRoot(claim: Claim, log: Logger): Promise<string | SlackError> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.slack.post(claim.request.channelId, buildRootMessage(claim.request));
      } catch (err) {
        const slackError = toSlackError(err);
        const again = slackError.code === 'ratelimited' && attempt < ROOT_POST_ATTEMPTS && (await this.store.renewFiling(claim.request.id, claim.owner, FILING_LEASE_MS));
        if (!again) return slackError;
        const waitMs = Math.min(ROOT_POST_MAX_WAIT_MS, Math.max(1, slackError.retryAfterSec ?? 1) * 1000);
        log.info({ attempt, waitMs }, 'Slack rate-limited the thread root; posting it again after the wait');
        await sleep(waitMs);
      }
    }
  }

  private async linkCase(claim: Claim, caseId: string, log: Logger): Promise<void> {
    let stored = await this.finish(claim, 'filed', { caseId, caseStatus: 'opened', errorCode: null, errorMessage: null }, log);
    if (!stored) return;
    try {
      const [details] = await this.accounts.forRequest(claim.request).support.describeCases([caseId], false);
      if (details) {
        stored = await this.store.updateRequest(claim.request.id, {
          displayId: details.displayId ?? null,
          caseStatus: details.status ?? stored.caseStatus,
        });
      }
    } catch (err) {
      // The case exists; only its display number is missing. The root shows the case id meanwhile.
      log.warn({ err: (err as Error).message, caseId }, 'could not fetch the case display id');
    }
    await this.refreshRoot(stored, log);
  }

  private async fail(claim: Claim, err: unknown, log: Logger): Promise<void> {
    const aws = err instanceof AwsError ? err : undefined;
    const status = aws?.maybeApplied ? 'uncertain' : 'failed';
    const message =
      aws?.userMessage ??
      (err instanceof CategoryNotFoundError ? err.message : `Something unexpected stopped the filing (the bot's log has the details, under ${claim.request.reference}). Press Retry.`);
    log.warn({ kind: aws?.kind ?? 'error', awsName: aws?.awsName, status, err: (err as Error).message }, 'filing did not complete');
    const stored = await this.finish(claim, status, { errorCode: aws?.kind ?? 'error', errorMessage: message }, log);
    if (!stored) return;
    await this.refreshRoot(stored, log);
    await this.tellThread(stored, message, log);
  }

  async refreshRoot(request: StoredRequest, log: Logger = this.logger): Promise<void> {
    if (!request.rootTs) return;
    try {
      await this.slack.update(request.channelId, request.rootTs, buildRootMessage(request));
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'could not update the thread root');
    }
  }

  private async tellThread(request: StoredRequest, text: string, log: Logger): Promise<void> {
    if (!request.rootTs) return;
    try {
      await this.slack.post(request.channelId, buildThreadNotice(request.requesterId, text), request.rootTs);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'could not post in the thread');
    }
  }

  /**
   * Picks up requests nobody is working on: accepted but never started (the process stopped
   * right after storing them) are filed; "filing" whose lease expired (its owner died) and
   * "uncertain" ones are claimed, then reconciled with AWS by one shared lookup: linked if AWS
   * has the case, filed if it provably has not (after the grace period), left waiting if AWS
   * cannot be asked. Safe to run in every replica; awaited, so the scheduler sees its end.
   */
  async recover(atStartup = false): Promise<void> {
    for (const request of await this.store.listRequestsByStatus(['received'])) await this.startFiling(request.id);
    // With a database no other process can open, whatever was "filing" at start-up belonged to a dead process.
    const abandoned = atStartup && this.store.exclusive;
    const claims: { claim: Claim; before: StoredRequest }[] = [];
    for (const request of await this.store.listStaleFilings(abandoned)) {
      const owner = newOwnerToken();
      const claimed = await this.store.claimStaleFiling(request.id, owner, FILING_LEASE_MS, abandoned);
      if (claimed) this.settings.metrics?.leaseTakeover('filing');
      if (claimed) claims.push({ claim: { request: claimed, owner }, before: request });
    }
    for (const request of await this.store.listRequestsByStatus(['uncertain'])) {
      const owner = newOwnerToken();
      const claimed = await this.store.claimFiling(request.id, CLAIMABLE_FOR.reconcile, owner, FILING_LEASE_MS);
      if (claimed) claims.push({ claim: { request: claimed, owner }, before: request });
    }
    // Rows sent through Service Quotas are each looked for by the row filing itself.
    for (const { claim } of claims.filter((c) => byRows(c.claim.request))) {
      const job = this.file(claim, true);
      this.track(job);
      await job.catch(() => undefined);
    }
    // One shared lookup per account: each account's cases are only visible with its credentials.
    const byAccount = groupBy(
      claims.filter((c) => !byRows(c.claim.request)),
      (c) => accountKey(c.claim.request),
    );
    for (const cases of byAccount.values()) {
      const lookup = await this.lookUp(cases.map((c) => c.claim.request));
      for (const { claim, before } of cases) {
        const job = this.fileAfterLookup(claim, lookup, before);
        this.track(job);
        await job.catch(() => undefined);
      }
    }
  }
}

/** A quota request sent row by row through Service Quotas, not as one Support case. */
function byRows(request: StoredRequest): boolean {
  return request.kind === 'quota' && request.filingMode === 'service-quotas';
}
