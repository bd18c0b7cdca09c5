/**
 * Filing a request as an AWS Support case, exactly once: the request is stored before anything
 * else happens, every step moves it through an atomic status change, and a call whose outcome
 * AWS left unknown is reconciled (found by its reference) before anything is filed again.
 */
import { randomBytes } from 'node:crypto';
import { referenceFor } from '../domain/common.js';
import { quotaCaseText, type CaseText } from '../domain/case-text.js';
import type { QuotaIncreaseRequest } from '../domain/quota-request.js';
import { dedicatedIpCaseText, type DedicatedIpRequest } from '../domain/dedicated-ip.js';
import { AwsError } from '../aws/errors.js';
import { CategoryNotFoundError, type CategoryMatch, type SupportGateway } from '../aws/support-gateway.js';
import type { Logger } from '../logger.js';
import { SlackError, type SlackMessenger } from '../slack/messenger.js';
import { buildNotInChannelMessage, buildThreadNotice } from '../slack/views/notices.js';
import { buildRootMessage } from '../slack/views/root-message.js';
import type { RequestKind, Store, StoredRequest } from '../store/store.js';

export interface FilingSettings {
  severity: string;
  issueType: string | undefined;
  /** Category codes from configuration, which win over the DescribeServices lookup. */
  categoryOverrides: Partial<Record<RequestKind, string>>;
}

const CATEGORIES: Record<RequestKind, CategoryMatch> = {
  quota: { codes: ['ses-sending-quota', 'service-code-ses'], name: /SES.*Sending/i },
  dedicated_ip: { codes: ['ses-dedicated-ip'], name: /SES.*Dedicated/i },
};

export type DomainRequest = QuotaIncreaseRequest | DedicatedIpRequest;

export interface Submission {
  kind: RequestKind;
  request: DomainRequest;
  /** Identifies one submission of one modal: a second submission with the same key is the same request. */
  submissionKey: string;
  teamId: string;
  channelId: string;
  requesterId: string;
  responseUrl: string | undefined;
}

/** How long a process holds a request it is filing before another may take it over. */
export const FILING_LEASE_MS = 120_000;

export function newRequestId(): string {
  return randomBytes(8).toString('hex');
}

export class FilingService {
  /** Filings under way in this process, so tests and shutdown can wait for them. */
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly support: SupportGateway,
    private readonly slack: SlackMessenger,
    private readonly settings: FilingSettings,
    private readonly logger: Logger,
  ) {}

  /** Stores a valid submission. Returns `created: false` for a repeat of one already stored. */
  async accept(submission: Submission): Promise<{ created: boolean; request: StoredRequest }> {
    const id = newRequestId();
    return this.store.insertRequest({
      id,
      kind: submission.kind,
      submissionKey: submission.submissionKey,
      reference: referenceFor(id),
      teamId: submission.teamId,
      channelId: submission.channelId,
      requesterId: submission.requesterId,
      payload: submission.request,
      responseUrl: submission.responseUrl ?? null,
    });
  }

  /**
   * Claims a stored request for filing and files it in the background (the Slack listener that
   * calls this has already acked). Only one caller can claim a request: a double click, a
   * second replica or a retried event gets `busy`.
   */
  async startFiling(requestId: string, from: 'new' | 'retry' = 'new'): Promise<'started' | 'busy'> {
    const clear = { errorCode: null, errorMessage: null };
    // "uncertain" is claimed on its own, so that whoever claims it knows to look for the case first.
    const uncertain = from === 'retry' ? await this.store.transition(requestId, ['uncertain'], 'filing', clear, new Date(Date.now() + FILING_LEASE_MS)) : undefined;
    const lease = new Date(Date.now() + FILING_LEASE_MS);
    const claimed =
      uncertain ?? (await this.store.transition(requestId, from === 'new' ? ['received'] : ['failed', 'not_posted'], 'filing', clear, lease));
    if (!claimed) return 'busy';
    this.track(this.file(claimed, uncertain !== undefined));
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


  /**
   * Files a request this process has claimed (status "filing"). `before`, for an automatic
   * recovery, is the request as it was: an unchanged failure is not announced again.
   */
  private async file(claimed: StoredRequest, mayAlreadyBeFiled: boolean, before?: StoredRequest): Promise<void> {
    let request: StoredRequest | undefined = claimed;
    const log = this.logger.child({ requestId: request.id, reference: request.reference });

    request = await this.ensureRootMessage(request, log);
    if (!request) return;

    if (mayAlreadyBeFiled) {
      const found = await this.reconcile(request, log, before);
      if (found === 'unknown') return;
      if (found) return this.linkCase(request, found.caseId, log);
    }

    let categoryCode: string;
    let text: CaseText;
    try {
      categoryCode = this.settings.categoryOverrides[request.kind] ?? (await this.support.resolveCategoryCode(CATEGORIES[request.kind]));
      text = this.caseText(request);
    } catch (err) {
      return this.fail(request, err, log);
    }

    let caseId: string;
    try {
      caseId = await this.support.createCase({
        subject: text.subject,
        body: text.body,
        categoryCode,
        severityCode: this.settings.severity,
        language: (request.payload as DomainRequest).language,
        issueType: this.settings.issueType,
      });
    } catch (err) {
      return this.fail(request, err, log);
    }
    log.info({ caseId }, 'case filed');
    return this.linkCase(request, caseId, log);
  }

  private caseText(request: StoredRequest): CaseText {
    switch (request.kind) {
      case 'quota':
        return quotaCaseText(request.payload as QuotaIncreaseRequest, request.reference);
      case 'dedicated_ip':
        return dedicatedIpCaseText(request.payload as DedicatedIpRequest, request.reference);
    }
  }

  /** Posts the thread root once; without it there is nowhere to tell the team anything. */
  private async ensureRootMessage(request: StoredRequest, log: Logger): Promise<StoredRequest | undefined> {
    if (request.rootTs) {
      await this.refreshRoot(request, log);
      return request;
    }
    try {
      const ts = await this.slack.post(request.channelId, buildRootMessage(request));
      return await this.store.updateRequest(request.id, { rootTs: ts });
    } catch (err) {
      const slackError = err instanceof SlackError ? err : new SlackError('slack_error', String(err));
      log.warn({ code: slackError.code, channel: request.channelId }, 'could not post the thread root; nothing filed');
      const stored = await this.store.transition(request.id, ['filing'], 'not_posted', {
        errorCode: slackError.code,
        errorMessage: slackError.notInChannel
          ? 'The bot is not a member of this channel.'
          : `Slack refused the message (${slackError.code}).`,
      });
      if (stored?.responseUrl) {
        await this.slack.respond(stored.responseUrl, buildNotInChannelMessage(stored, slackError));
      }
      return undefined;
    }
  }

  /** Looks for a case AWS may have created for this request. `undefined`: provably none. */
  private async reconcile(request: StoredRequest, log: Logger, before?: StoredRequest): Promise<{ caseId: string } | undefined | 'unknown'> {
    const since = new Date(Date.parse(request.createdAt) - 10 * 60_000);
    try {
      const found = await this.support.findCaseByReference(request.reference, since);
      log.info({ found: found?.caseId ?? null }, 'reconciled an uncertain filing');
      return found ? { caseId: found.caseId } : undefined;
    } catch (err) {
      const aws = err instanceof AwsError ? err : undefined;
      const message = `Could not ask AWS whether the case was already filed (${aws?.userMessage ?? String(err)}). Nothing was filed again; press Retry later.`;
      const errorCode = aws?.kind ?? 'unknown';
      const stored = await this.store.transition(request.id, ['filing'], 'uncertain', { errorCode, errorMessage: message });
      // Recovery retries every cycle; the thread hears about a failure once, not every minute.
      if (stored && !(before?.status === 'uncertain' && before.errorCode === errorCode)) {
        await this.refreshRoot(stored, log);
        await this.tellThread(stored, message, log);
      }
      return 'unknown';
    }
  }

  private async linkCase(request: StoredRequest, caseId: string, log: Logger): Promise<void> {
    let stored = await this.store.transition(request.id, ['filing'], 'filed', { caseId, caseStatus: 'opened' });
    if (!stored) return;
    try {
      const [details] = await this.support.describeCases([caseId], false);
      if (details) {
        stored = await this.store.updateRequest(request.id, {
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

  private async fail(request: StoredRequest, err: unknown, log: Logger): Promise<void> {
    const aws = err instanceof AwsError ? err : undefined;
    const status = aws?.maybeApplied ? 'uncertain' : 'failed';
    const message =
      aws?.userMessage ?? (err instanceof CategoryNotFoundError ? err.message : `Unexpected error: ${(err as Error).message ?? String(err)}`);
    log.warn({ kind: aws?.kind ?? 'error', awsName: aws?.awsName, status }, 'filing did not complete');
    const stored = await this.store.transition(request.id, ['filing'], status, { errorCode: aws?.kind ?? 'error', errorMessage: message });
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
   * right after storing them) are filed; "filing" whose lease expired (its process died) and
   * "uncertain" ones are reconciled with AWS first: linked if AWS has the case, filed if it
   * provably has not, left waiting if AWS cannot be asked. Safe to run in every replica.
   */
  async recover(atStartup = false): Promise<void> {
    for (const request of await this.store.listRequestsByStatus(['received'])) await this.startFiling(request.id);
    // With a database of its own, whatever was "filing" at start-up belonged to a dead process.
    const now = atStartup && this.store.exclusive ? new Date(Date.now() + 10 * FILING_LEASE_MS) : new Date();
    for (const request of await this.store.listStaleFilings(now)) {
      const claimed = await this.store.claimStaleFiling(request.id, now, new Date(Date.now() + FILING_LEASE_MS));
      if (claimed) this.track(this.file(claimed, true, claimed));
    }
    for (const request of await this.store.listRequestsByStatus(['uncertain'])) {
      const claimed = await this.store.transition(request.id, ['uncertain'], 'filing', {}, new Date(Date.now() + FILING_LEASE_MS));
      if (claimed) this.track(this.file(claimed, true, request));
    }
  }
}
