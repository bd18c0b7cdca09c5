/**
 * The form reaches AWS even when Service Quotas files the request: the case Service Quotas (or a
 * production access review) opens has no use case in it, so the bot adds the whole form to it
 * once, as one communication (AddCommunicationToCase), exactly once across crashes and
 * replicas. From then on the request follows that case like a Support-case filing does.
 *
 * Without a paid support plan the Support API refuses every call: the bot learns it once,
 * remembers it for a day before asking again, and meanwhile gives the thread the form's text
 * to paste into the case if AWS asks for it.
 */
import { AwsError } from '../aws/errors.js';
import type { AwsAccounts } from '../aws/accounts.js';
import { DEFAULT_ACCOUNT } from '../domain/accounts.js';
import { quotaCaseText } from '../domain/quota-request.js';
import { withAccountLine } from '../domain/case-text.js';
import type { OutgoingCommunication, QuotaRequest } from '../domain/request.js';
import type { Logger } from '../logger.js';
import { formAddedNotice, pasteReadyForm } from '../slack/views/quota-thread.js';
import { buildRootMessage } from '../slack/views/root-message.js';
import type { Store } from '../store/store.js';
import { communicationOnCase, OUTGOING_LEASE_MS } from './case-actions.js';
import { newOwnerToken } from './filing.js';
import { formAddedKey, formId, pasteFormKey, rowsRootKey } from './outbox-keys.js';
import { threadPosts, type ThreadPoster } from './thread-poster.js';

/** The account fact that says whether the Support API serves this account. */
export const SUPPORT_PLAN_FACT = 'support_plan';
/** Each account has its own plan; the default account keeps the name it had before accounts were named. */
function planFact(account: string): string {
  return account === DEFAULT_ACCOUNT ? SUPPORT_PLAN_FACT : `${SUPPORT_PLAN_FACT}:${account}`;
}
/** A missing plan is asked about again at most this often (someone may subscribe). */
export const PLAN_RECHECK_MS = 24 * 60 * 60_000;

type FormOutcome = 'sent' | 'no_plan' | 'failed' | 'uncertain' | 'busy';

export class CaseForms {
  constructor(
    private readonly store: Store,
    private readonly accounts: AwsAccounts,
    private readonly poster: ThreadPoster,
    private readonly logger: Logger,
  ) {}

  /** True while the account is known to have no paid support plan (learned less than a day ago). */
  async planMissing(account: string): Promise<boolean> {
    const fact = await this.store.getAccountFact(planFact(account));
    if (fact?.value !== 'none') return false;
    return (await this.store.now()).getTime() - Date.parse(fact.checkedAt) < PLAN_RECHECK_MS;
  }

  /** Adds the form to each case the request's rows are in that does not have it yet. */
  async deliver(request: QuotaRequest): Promise<void> {
    const caseIds = [...new Set((request.quotaRows ?? []).flatMap((r) => (r.sending === 'sent' && r.caseId ? [r.caseId] : [])))];
    if (!caseIds.length || !request.rootTs) return;
    const forms = new Map((await this.store.listOutgoing(request.id)).filter((o) => o.kind === 'form').map((o) => [o.caseId, o]));
    const due = caseIds.filter((c) => forms.get(c)?.state !== 'sent');
    if (!due.length) return;
    if (await this.planMissing(request.accountName)) return this.offerPasteReady(request, caseIds);
    for (const caseId of due) {
      const outcome = await this.addForm(request, caseId, forms.get(caseId));
      if (outcome === 'no_plan') return this.offerPasteReady(request, caseIds);
    }
  }

  /**
   * Claims the case's form (a new one, one refused before, or one whose outcome AWS left unknown
   * or whose sender died) and sends it, unless an earlier attempt is found on the case.
   */
  private async addForm(request: QuotaRequest, caseId: string, existing: OutgoingCommunication | undefined): Promise<FormOutcome> {
    const owner = newOwnerToken();
    const id = formId(caseId);
    const body = withAccountLine(quotaCaseText(request.payload, request.reference), request.accountId).body;
    let row: OutgoingCommunication | undefined;
    if (!existing) {
      const inserted = await this.store.insertOutgoing({ id, requestId: request.id, kind: 'form', authorId: request.requesterId, body, caseId }, owner, OUTGOING_LEASE_MS);
      // Another request's row already put it there (both follow the same pending AWS request).
      if (!inserted.created) return 'busy';
      row = inserted.row;
    } else {
      row = await this.store.claimOutgoing(id, ['failed', 'uncertain', 'sending'], owner, OUTGOING_LEASE_MS);
      if (!row) return 'busy';
      if (existing.state !== 'failed') {
        const found = await this.lookFor(request, caseId, row, owner);
        if (found === 'found') return this.added(request, caseId, owner);
        if (found !== 'absent') return found;
      }
    }
    return this.send(request, caseId, row, owner);
  }

  /** Whether an earlier attempt's form is on the case; a refusal for lack of a plan is learned here too. */
  private async lookFor(request: QuotaRequest, caseId: string, row: OutgoingCommunication, owner: string): Promise<'found' | 'absent' | 'no_plan' | 'uncertain'> {
    try {
      return (await communicationOnCase(this.accounts.forRequest(request).support, caseId, row)) ? 'found' : 'absent';
    } catch (err) {
      if (err instanceof AwsError && err.kind === 'no_support_plan') {
        await this.store.finishOutgoing(row.id, owner, 'failed', err.userMessage);
        await this.store.setAccountFact(planFact(request.accountName), 'none');
        return 'no_plan';
      }
      this.logger.warn({ caseId, err: (err as Error).message }, 'could not look for the form on the case; the next cycle looks again');
      await this.store.finishOutgoing(row.id, owner, 'uncertain', row.errorMessage);
      return 'uncertain';
    }
  }

  private async send(request: QuotaRequest, caseId: string, row: OutgoingCommunication, owner: string): Promise<FormOutcome> {
    const log = this.logger.child({ requestId: request.id, caseId });
    if (!(await this.store.renewOutgoing(row.id, owner, OUTGOING_LEASE_MS, true))) return 'busy';
    try {
      await this.accounts.forRequest(request).support.addCommunication(caseId, row.body);
    } catch (err) {
      const aws = err instanceof AwsError ? err : undefined;
      if (aws?.kind === 'no_support_plan') {
        log.info('the AWS Support API refuses this account (no paid support plan); the thread gets the form to paste instead');
        await this.store.finishOutgoing(row.id, owner, 'failed', aws.userMessage);
        await this.store.setAccountFact(planFact(request.accountName), 'none');
        return 'no_plan';
      }
      const state = aws?.maybeApplied ? 'uncertain' : 'failed';
      log.warn({ state, kind: aws?.kind, err: (err as Error).message }, 'could not add the form to the case; the next cycle tries again');
      await this.store.finishOutgoing(row.id, owner, state, aws?.userMessage ?? (err as Error).message);
      return state;
    }
    return this.added(request, caseId, owner);
  }

  /**
   * The form is on the case: the request follows the case (if it follows none yet) and the
   * thread hears it, in one step, before the form is marked sent; a crash in between leaves the
   * form "sending", found on the case by the next cycle, which completes the same step.
   */
  private async added(request: QuotaRequest, caseId: string, owner: string): Promise<FormOutcome> {
    const [notice, followedRoot] = threadPosts(request, [
      { key: formAddedKey(caseId), message: formAddedNotice(caseId) },
      { key: rowsRootKey(request.id, `follow:${caseId}`), message: { ...buildRootMessage({ ...request, caseId, caseStatus: null }), updateTs: request.rootTs! } },
    ]);
    const followed = await this.store.followCase(request.id, caseId, [notice!, followedRoot!]);
    // Already following another case of the request: this one is followed beside it, and only the notice is new.
    if (!followed) {
      // Unless it is the request's own case already (an earlier attempt got this far).
      if ((await this.store.getRequest(request.id))?.caseId !== caseId) await this.store.addFollowedCase(request.id, caseId);
      await this.store.enqueuePosts([notice!]);
    }
    await this.store.finishOutgoing(formId(caseId), owner, 'sent');
    await this.store.setAccountFact(planFact(request.accountName), 'paid');
    this.poster.kick(request.channelId);
    return 'sent';
  }

  private async offerPasteReady(request: QuotaRequest, caseIds: string[]): Promise<void> {
    const messages = pasteReadyForm(request.requesterId, caseIds, withAccountLine(quotaCaseText(request.payload, request.reference), request.accountId).body);
    await this.store.enqueuePosts(threadPosts(request, messages.map((message, i) => ({ key: pasteFormKey(request.id, caseIds, i), message }))));
    this.poster.kick(request.channelId);
  }
}
