/**
 * Filing a quota request through Service Quotas, row by row: each row becomes one
 * RequestServiceQuotaIncrease in its own region, or (for a region still in the SES sandbox)
 * joins one PutAccountDetails production access request for that region. Runs under the
 * request's filing claim: a row is marked "attempted" in the same step that renews the claim,
 * and its call goes out only if that step succeeded; a row left "attempted" or "uncertain" by an
 * earlier attempt is looked for at AWS before anything is sent again.
 */
import { AwsError, publicDetail } from '../aws/errors.js';
import type { QuotaChange } from '../aws/service-quotas-gateway.js';
import type { AccountGateways, AwsAccounts } from '../aws/accounts.js';
import { formatNumber } from '../domain/common.js';
import { productionAccessUseCase, type QuotaRowState } from '../domain/quota-rows.js';
import type { QuotaRequest } from '../domain/request.js';
import { isFinalQuotaStatus, isFinalReviewStatus, SES_QUOTAS } from '../domain/service-quotas.js';
import type { Logger } from '../logger.js';
import { rowFailedNotice, rowLinkedNotice, rowSentNotice, rowUncertainNotice } from '../slack/views/quota-thread.js';
import type { Store } from '../store/store.js';
import { rowNoticeKey } from './outbox-keys.js';
import type { ThreadNotice } from './thread-poster.js';

/** Requests at AWS created this long before the submission was stored are not taken for one of its rows (clocks differ). */
const LOOKUP_MARGIN_MS = 10 * 60_000;
const OPEN_STATUSES = new Set(['PENDING', 'CASE_OPENED']);

export interface RowsFilingResult {
  rows: QuotaRowState[];
  /** The claim was lost part-way: whoever took the request over finishes it. */
  lostClaim: boolean;
}

export interface RowsFilingOptions {
  /** A person asked (a new submission or Retry): refused rows are sent again. Recovery leaves them to Retry. */
  resendRefused: boolean;
  /** Queues a row's thread notices right after its outcome is stored, so a crash loses none. */
  tell(notices: ThreadNotice[]): Promise<void>;
}

type Outcome = Pick<QuotaRowState, 'sending' | 'awsId' | 'status' | 'finalAt' | 'caseId' | 'errorCode' | 'errorMessage' | 'note' | 'path'>;

export class QuotaRowsFiling {
  constructor(
    private readonly store: Store,
    private readonly accounts: AwsAccounts,
    private readonly timing: {
      /** The filing claim's length. */
      leaseMs: number;
      /** How long after a row's call AWS's silence about it proves nothing yet (AWS may still be recording it). */
      graceMs: number;
    },
    private readonly logger: Logger,
  ) {}

  /** The gateways of the request's own account: every row goes to AWS with its credentials. */
  private aws(request: QuotaRequest): AccountGateways {
    return this.accounts.forRequest(request);
  }

  /**
   * Sends every row AWS does not have yet, in order, writing each row's outcome as soon as it is
   * known. `owner` holds the request's filing claim.
   */
  async fileRows(request: QuotaRequest, rowsBefore: QuotaRowState[], owner: string, options: RowsFilingOptions): Promise<RowsFilingResult> {
    const rows = rowsBefore.map((r) => ({ ...r }));
    const log = this.logger.child({ requestId: request.id, reference: request.reference });
    for (let index = 0; index < rows.length; index += 1) {
      const row = rows[index]!;
      if (row.sending === 'sent' || (row.sending === 'failed' && !options.resendRefused)) continue;
      const before = { ...row };
      const outcome = await this.fileRow(request, rows, index, owner, log);
      if (outcome === 'lost') return { rows, lostClaim: true };
      // A production access request covers every sandboxed row of its region at once.
      const covered = outcome.path === 'production_access' && outcome.sending === 'sent' ? sandboxedRowsOf(rows, row) : [row];
      for (const r of covered) Object.assign(r, outcome);
      if (!(await this.store.updateFiling(request.id, owner, { quotaRows: rows }))) return { rows, lostClaim: true };
      await options.tell(this.noticesFor(request, index, before, row));
    }
    return { rows, lostClaim: false };
  }

  /** What the thread hears about one row's attempt: its outcome, once per distinct outcome. */
  private noticesFor(request: QuotaRequest, index: number, before: QuotaRowState, row: QuotaRowState): ThreadNotice[] {
    const attempt = request.attempts;
    if (row.sending === 'sent') {
      const key = rowNoticeKey('sent', request.id, index, `${row.path}:${row.awsId ?? row.region}`);
      return [{ key, message: row.note ? rowLinkedNotice(row) : rowSentNotice(row) }];
    }
    // Recovery tries an uncertain row every cycle; the thread hears about an unchanged state once.
    if (row.sending === 'uncertain') {
      if (before.sending === 'uncertain' && before.errorCode === row.errorCode) return [];
      return [{ key: rowNoticeKey('uncertain', request.id, index, `${attempt}`), message: rowUncertainNotice(row) }];
    }
    if (row.sending === 'failed') return [{ key: rowNoticeKey('failed', request.id, index, `${attempt}`), message: rowFailedNotice(row) }];
    return [];
  }

  private async fileRow(request: QuotaRequest, rows: QuotaRowState[], index: number, owner: string, log: Logger): Promise<Outcome | 'lost'> {
    const row = rows[index]!;
    if (row.sending === 'attempted' || row.sending === 'uncertain') {
      const found = await this.lookUp(request, row, log);
      if (found !== 'absent') return found;
      const waited = await this.waitedLongEnough(request);
      if (!waited) {
        const minutes = Math.round(this.timing.graceMs / 60_000);
        const errorMessage = `AWS does not show this request yet, but it was sent moments ago and AWS may still be recording it. Nothing was sent again; the bot looks again and sends it only if AWS still has none ${minutes} minutes after that.`;
        return { path: row.path, sending: 'uncertain', errorCode: 'awaiting_aws', errorMessage };
      }
    } else if (row.sending === 'unsent') {
      row.path = (await this.inSandbox(request, row.region, log)) ? 'production_access' : 'service_quotas';
    }
    return row.path === 'production_access' ? this.requestProductionAccess(request, rows, index, owner, log) : this.requestIncrease(request, rows, index, owner, log);
  }

  /** Whether the request's last call went out long enough ago for AWS's silence to prove it never arrived. */
  private async waitedLongEnough(request: QuotaRequest): Promise<boolean> {
    const attempted = Date.parse(request.attemptedAt ?? '');
    return !Number.isFinite(attempted) || (await this.store.now()).getTime() - attempted >= this.timing.graceMs;
  }

  /** Whether a region is still in the sandbox; unknown counts as not (Service Quotas takes the request either way). */
  private async inSandbox(request: QuotaRequest, region: string, log: Logger): Promise<boolean> {
    try {
      return !(await this.aws(request).ses.getQuota(region)).productionAccess;
    } catch (err) {
      log.warn({ region, err: (err as Error).message }, 'could not tell whether the region is in the sandbox; filing through Service Quotas');
      return false;
    }
  }

  /** Marks the row as going out, in the same step that confirms the claim is still ours. */
  private async markAttempted(request: QuotaRequest, rows: QuotaRowState[], index: number, owner: string, path: QuotaRowState['path']): Promise<boolean> {
    const marked = rows.map((r, i) => (i === index ? { ...r, path, sending: 'attempted' as const } : r));
    const held = await this.store.renewFiling(request.id, owner, this.timing.leaseMs, true, { quotaRows: marked });
    if (held) Object.assign(rows[index]!, { path, sending: 'attempted' });
    return held;
  }

  private async requestIncrease(request: QuotaRequest, rows: QuotaRowState[], index: number, owner: string, log: Logger, note?: string): Promise<Outcome | 'lost'> {
    const row = rows[index]!;
    let code: string;
    try {
      code = await this.aws(request).quotas.quotaCode(row.region, row.limit);
    } catch (err) {
      // Only a read failed: nothing reached AWS, whatever the error says.
      return { ...this.refused(row, 'service_quotas', err, log), sending: 'failed' };
    }
    if (!(await this.markAttempted(request, rows, index, owner, 'service_quotas'))) return 'lost';
    try {
      const change = await this.aws(request).quotas.requestIncrease(row.region, code, row.newValue);
      log.info({ region: row.region, quotaCode: code, awsId: change.id }, 'Service Quotas request sent');
      return { ...sentAs(change), path: 'service_quotas', note };
    } catch (err) {
      if (err instanceof AwsError && err.kind === 'already_pending') return this.linkPending(request, row, code, err, log);
      return this.refused(row, 'service_quotas', err, log);
    }
  }

  /** AWS already has an open request for this quota: the row follows it instead of failing. */
  private async linkPending(request: QuotaRequest, row: QuotaRowState, code: string, err: AwsError, log: Logger): Promise<Outcome> {
    let open: QuotaChange | undefined;
    try {
      open = (await this.aws(request).quotas.historyOfQuota(row.region, code)).filter((c) => OPEN_STATUSES.has(c.status)).sort(byCreated).at(-1);
    } catch (lookupErr) {
      return { ...this.refused(row, 'service_quotas', lookupErr, log), sending: 'failed' };
    }
    if (!open) {
      log.warn({ region: row.region, quotaCode: code, err: err.message }, 'AWS says a request for this quota is open, but its history shows none');
      return {
        path: 'service_quotas',
        sending: 'failed',
        errorCode: 'already_pending',
        errorMessage: `AWS says a request for this quota is already open, but the bot could not find it in the quota's request history. See Service Quotas in the AWS console (${row.region}), and press Retry once that request is answered.`,
      };
    }
    const asked = open.created ? ` on ${open.created.slice(0, 10)}` : '';
    return {
      ...sentAs(open),
      path: 'service_quotas',
      note: `A request for this quota was already pending with AWS (${formatNumber(open.desiredValue)}, asked${asked}); the bot follows that one instead of filing another.`,
    };
  }

  private async requestProductionAccess(request: QuotaRequest, rows: QuotaRowState[], index: number, owner: string, log: Logger): Promise<Outcome | 'lost'> {
    const row = rows[index]!;
    const region = sandboxedRowsOf(rows, row);
    if (!(await this.markAttempted(request, rows, index, owner, 'production_access'))) return 'lost';
    const p = request.payload;
    try {
      await this.aws(request).ses.requestProductionAccess(row.region, {
        mailType: p.mailType,
        websiteUrl: p.websiteUrl,
        language: p.language,
        useCase: productionAccessUseCase(p, region, request.reference),
        ...(p.additionalContactEmails?.length ? { additionalContactEmails: p.additionalContactEmails } : {}),
      });
      log.info({ region: row.region }, 'production access requested');
      return { path: 'production_access', sending: 'sent', status: 'PENDING', errorCode: undefined, errorMessage: undefined };
    } catch (err) {
      if (!(err instanceof AwsError) || err.kind !== 'conflict') return this.refused(row, 'production_access', err, log);
      return this.afterConflict(request, rows, index, owner, err, log);
    }
  }

  /**
   * PutAccountDetails refused because of the region's review: a pending one is followed; after
   * a denial the row goes to Service Quotas (as AWS says to), and the thread says why.
   */
  private async afterConflict(request: QuotaRequest, rows: QuotaRowState[], index: number, owner: string, err: AwsError, log: Logger): Promise<Outcome | 'lost'> {
    const row = rows[index]!;
    let review;
    try {
      review = await this.aws(request).ses.reviewDetails(row.region);
    } catch (lookupErr) {
      return this.refused(row, 'production_access', lookupErr, log);
    }
    if (review?.status === 'PENDING') {
      return { path: 'production_access', sending: 'sent', status: 'PENDING', caseId: review.caseId, errorCode: undefined, errorMessage: undefined, note: 'A production access review was already open for this region; the bot follows it instead of opening another.' };
    }
    if (review?.status === 'DENIED') {
      log.info({ region: row.region }, 'production access was denied earlier; filing the row through Service Quotas');
      const note = `AWS denied an earlier production access request for this region, so this row went to Service Quotas instead (quota ${SES_QUOTAS[row.limit].code}), as AWS asks.`;
      return this.requestIncrease(request, rows, index, owner, log, note);
    }
    return this.refused(row, 'production_access', err, log);
  }

  /** A refusal in words a user can act on: "uncertain" when AWS may have acted, else "failed" (Retry). */
  private refused(row: QuotaRowState, path: QuotaRowState['path'], err: unknown, log: Logger): Outcome {
    const aws = err instanceof AwsError ? err : undefined;
    log.warn({ region: row.region, limit: row.limit, kind: aws?.kind ?? 'error', awsName: aws?.awsName, err: (err as Error).message }, 'a quota row was not sent');
    const detail = aws && (aws.kind === 'not_found' || aws.kind === 'unknown') ? ` (${publicDetail(aws.message)})` : '';
    return {
      path,
      sending: aws?.maybeApplied ? 'uncertain' : 'failed',
      errorCode: aws?.kind ?? 'error',
      errorMessage: aws ? `${refusalWords(aws)}${detail}` : "Something unexpected stopped it (the bot's log has the details). Press Retry.",
    };
  }

  /**
   * Looks for a row whose earlier attempt may have reached AWS: a Service Quotas request for the
   * same quota and value made since the submission, or the region's open production access review.
   */
  private async lookUp(request: QuotaRequest, row: QuotaRowState, log: Logger): Promise<Outcome | 'absent'> {
    try {
      if (row.path === 'production_access') {
        const review = await this.aws(request).ses.reviewDetails(row.region);
        if (review?.status === 'PENDING' || review?.status === 'GRANTED') {
          const finalAt = isFinalReviewStatus(review.status) ? new Date().toISOString() : undefined;
          return { path: 'production_access', sending: 'sent', status: review.status, finalAt, caseId: review.caseId, errorCode: undefined, errorMessage: undefined };
        }
        return 'absent';
      }
      const code = await this.aws(request).quotas.quotaCode(row.region, row.limit);
      const since = Date.parse(request.createdAt) - LOOKUP_MARGIN_MS;
      const found = (await this.aws(request).quotas.historyOfQuota(row.region, code))
        .filter((c) => c.desiredValue === row.newValue && Date.parse(c.created ?? '') >= since)
        .sort(byCreated)
        .at(0);
      if (found) log.info({ region: row.region, awsId: found.id }, 'found the Service Quotas request of an uncertain row');
      return found ? { ...sentAs(found), path: 'service_quotas' } : 'absent';
    } catch (err) {
      const aws = err instanceof AwsError ? err : undefined;
      log.warn({ region: row.region, err: (err as Error).message }, 'could not look for an uncertain row at AWS');
      return {
        path: row.path,
        sending: 'uncertain',
        errorCode: aws?.kind ?? 'unknown',
        errorMessage: `Could not ask AWS whether it already has this request (${aws?.userMessage ?? 'AWS did not answer'}). Nothing was sent again; the bot looks again shortly.`,
      };
    }
  }
}

/** The rows one production access request covers: the row and its region's others not yet sent through another path. */
function sandboxedRowsOf(rows: QuotaRowState[], row: QuotaRowState): QuotaRowState[] {
  return rows.filter((r) => r === row || (r.region === row.region && r.sending !== 'sent' && (r.path === 'production_access' || r.sending === 'unsent')));
}

/**
 * An AWS refusal in words: the missing permission for a plain AccessDenied; for Service Quotas'
 * DependencyAccessDeniedException, that Service Quotas itself was refused by a service it calls
 * for the bot (the bot's own permission is there), with AWS's words.
 */
function refusalWords(aws: AwsError): string {
  if (aws.awsName === 'DependencyAccessDeniedException') {
    return `Service Quotas was refused access to a service it uses for this request (${publicDetail(aws.message)}). The bot's role needs the permissions AWS lists for Service Quotas requests (for SES, opening a Support case: support:CreateCase), or ask in the console. Then press Retry.`;
  }
  return aws.userMessage;
}

/** A request AWS has: a status already final when first seen still gets its 14 days of watching. */
function sentAs(change: QuotaChange): Outcome {
  const finalAt = isFinalQuotaStatus(change.status) ? new Date().toISOString() : undefined;
  return { path: 'service_quotas', sending: 'sent', awsId: change.id, status: change.status, finalAt, caseId: change.caseId, errorCode: undefined, errorMessage: undefined };
}

function byCreated(a: QuotaChange, b: QuotaChange): number {
  return Date.parse(a.created ?? '') - Date.parse(b.created ?? '');
}
