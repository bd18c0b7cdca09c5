/**
 * What the team does to a case from Slack: confirm a relinquishment, reply to AWS, resolve the
 * case. Each communication to AWS is stored under a key before it is sent, so a second
 * "confirm", a Slack retry, an edit or a second replica sends nothing more; one whose outcome
 * AWS left unknown is looked for on the case before it is ever sent again.
 */
import { AwsError } from '../aws/errors.js';
import { WRITE_MAX_MS, type SupportGateway } from '../aws/support-gateway.js';
import type { AwsAccounts } from '../aws/accounts.js';
import { DEFAULT_ACCOUNT } from '../domain/accounts.js';
import { confirmationBody, confirmationQuote, replyBody, replyText } from '../domain/confirmation.js';
import type { Logger } from '../logger.js';
import { escape, userMention } from '../slack/mrkdwn.js';
import { buildRootMessage } from '../slack/views/root-message.js';
import { plainNotice, replyEcho, unsentReplyText } from '../slack/views/thread-messages.js';
import type { Store } from '../store/store.js';
import type { OutgoingCommunication, RelinquishRequest, StoredRequest } from '../domain/request.js';
import type { AccessPolicy } from './access.js';
import type { ThreadPoster } from './thread-poster.js';
import { newOwnerToken } from './filing.js';
import { confirmationId, confirmedPostKey, occurrenceKey, refusalPostKey, replyEchoKey, replyId, resolvedPostKey, unsentReplyKey } from './outbox-keys.js';
import type { Metrics } from '../metrics/metrics.js';

/** How long a claim on a communication being sent lasts; the call itself takes far less (WRITE_MAX_MS). */
export const OUTGOING_LEASE_MS = Math.max(120_000, 4 * WRITE_MAX_MS);
/** A communication is looked for among those AWS dated from this long before it was stored (clocks differ). */
const COMMUNICATION_LOOKBACK_MS = 5 * 60_000;

/**
 * Whether a communication the bot stored is on the case: its body ends with its own reference
 * line, which AWS keeps as sent. Throws when AWS cannot be asked.
 */
export async function communicationOnCase(support: SupportGateway, caseId: string, row: Pick<OutgoingCommunication, 'body' | 'createdAt'>): Promise<boolean> {
  const marker = row.body.trimEnd().split('\n').at(-1)!.trim();
  const since = new Date(Date.parse(row.createdAt) - COMMUNICATION_LOOKBACK_MS).toISOString();
  return (await support.describeCommunications(caseId, since)).some((m) => m.body.trimEnd().split('\n').at(-1)?.trim() === marker);
}

/** The account id AWS-facing text names: a named account's (AWS_ACCOUNTS_FILE), none for the single account. */
function namedAccountId(request: StoredRequest): string | null {
  return request.accountName === DEFAULT_ACCOUNT ? null : request.accountId;
}

export class CaseActions {
  constructor(
    private readonly store: Store,
    private readonly accounts: AwsAccounts,
    private readonly poster: ThreadPoster,
    private readonly access: AccessPolicy,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
    /** Counts confirmations sent and communications taken over (src/metrics/). */
    private readonly metrics?: Metrics,
  ) {}

  mayAct(userId: string, request: StoredRequest): boolean {
    return this.access.mayActOn(userId, request);
  }

  /** Who may confirm, reply and resolve: the requester and the approvers. */
  whoMayAct(request: StoredRequest): string[] {
    return this.access.whoMayActOn(request);
  }

  private async say(request: StoredRequest, key: string, text: string): Promise<void> {
    if (!request.rootTs) return;
    await this.store.enqueuePosts([{ contentKey: key, requestId: request.id, channelId: request.channelId, threadTs: request.rootTs, message: plainNotice(text) }]);
    this.poster.kick(request.channelId);
  }

  /**
   * A confirmation from the thread (`eventKey` = the message's ts) or the prompt's button.
   * Returns what happened, for logs and tests.
   */
  async confirm(
    request: RelinquishRequest,
    userId: string,
    userName: string | undefined,
    eventKey: string,
    /** Slack redelivering an event it is not sure we got: a repeat needs no second answer. */
    redelivery = false,
  ): Promise<'sent' | 'denied' | 'duplicate' | 'not_filed' | 'not_asked' | 'failed' | 'uncertain'> {
    if (!this.mayAct(userId, request)) {
      // The thread's account is the only one a confirmation here can act on, and only where it is allowed.
      const accountRefusal = this.access.accountRefusal(request);
      await this.say(
        request,
        refusalPostKey('deny', request.id, eventKey),
        accountRefusal
          ? `${userMention(userId)}, ${escape(accountRefusal)}`
          : `${userMention(userId)}, only ${this.whoMayAct(request).map(userMention).join(', ')} may confirm this relinquishment. Nothing was sent to AWS.`,
      );
      return 'denied';
    }
    if (request.status !== 'filed' || !request.caseId) {
      await this.say(request, refusalPostKey('notfiled', request.id, eventKey), `${userMention(userId)}, the case is not filed yet, so there is nothing to confirm. Nothing was sent to AWS.`);
      return 'not_filed';
    }
    // Nothing is confirmed before AWS has asked and the bot has shown the prompt in the thread.
    if (!(await this.store.hasPostedConfirmationPrompt(request.id))) {
      await this.say(
        request,
        refusalPostKey('early', request.id, eventKey),
        `${userMention(userId)}, AWS has not asked for the confirmation yet, so there is nothing to confirm. Nothing was sent to AWS. The bot will post a prompt in this thread when AWS asks; confirm then.`,
      );
      return 'not_asked';
    }
    const id = confirmationId(request.id);
    const body = confirmationBody(request.payload, request.reference, userId, userName, this.now(), namedAccountId(request));
    const owner = newOwnerToken();
    let { created, row } = await this.store.insertOutgoing({ id, requestId: request.id, kind: 'confirmation', authorId: userId, body }, owner, OUTGOING_LEASE_MS);
    if (!created) {
      // A confirmation that failed outright may be given again, in the words of whoever gives it
      // now; anything else is already done or under way.
      const retried = row.state === 'failed' ? await this.store.claimOutgoing(id, ['failed'], owner, OUTGOING_LEASE_MS, { authorId: userId, body }) : undefined;
      if (!retried) {
        if (redelivery && row.authorId === userId) return 'duplicate';
        const state = row.state === 'sent' ? 'was sent to AWS' : 'is being sent to AWS';
        await this.say(request, refusalPostKey('dup', request.id, eventKey), `${userMention(userId)}, the confirmation by ${userMention(row.authorId)} ${state} already. Nothing more was sent.`);
        return 'duplicate';
      }
      row = retried;
    }
    return this.send(request, row, owner);
  }

  /**
   * Sends a stored outgoing communication that `owner` holds in state "sending": only while the
   * claim is still held (checked right before the call, which takes far less than the claim).
   */
  private async send(request: StoredRequest, row: OutgoingCommunication, owner: string): Promise<'sent' | 'failed' | 'uncertain' | 'duplicate'> {
    const log = this.logger.child({ id: row.id, requestId: request.id });
    if (!(await this.store.renewOutgoing(row.id, owner, OUTGOING_LEASE_MS, true))) {
      log.warn('the claim on a communication expired or was taken over before it was sent; not sending it here');
      return 'duplicate';
    }
    try {
      await this.accounts.forRequest(request).support.addCommunication(request.caseId!, row.body);
    } catch (err) {
      const aws = err instanceof AwsError ? err : undefined;
      const state = aws?.maybeApplied ? 'uncertain' : 'failed';
      const message = aws?.userMessage ?? 'Something unexpected stopped it; the bot\'s log has the details.';
      log.warn({ state, kind: aws?.kind, err: (err as Error).message }, 'sending a communication to AWS did not complete');
      if (!(await this.store.finishOutgoing(row.id, owner, state, message))) log.warn({ state }, 'lost the claim on a communication before recording its outcome');
      if (row.kind === 'confirmation') this.metrics?.confirmation(state);
      const what = row.kind === 'confirmation' ? 'The confirmation' : 'Your reply';
      const text =
        state === 'uncertain'
          ? `:warning: It is not known yet whether ${what.toLowerCase()} reached AWS (${escape(message)}). The bot checks the case and sends it only if AWS does not have it.`
          : `:x: ${what} was not sent: ${escape(message)} ${row.kind === 'confirmation' ? 'Reply `confirm` again to try again.' : 'Your text is kept below; send it again with Reply to AWS Support.'}`;
      await this.say(request, occurrenceKey('sendfail', row.id), text);
      return state;
    }
    if (!(await this.store.finishOutgoing(row.id, owner, 'sent'))) log.error('a communication reached AWS after its claim was lost; another process may send it again');
    if (row.kind === 'confirmation') this.metrics?.confirmation('sent');
    await this.announceSent(request, row);
    return 'sent';
  }

  /** Tells the thread that a communication reached AWS (once, whichever path found out). */
  private async announceSent(request: StoredRequest, row: OutgoingCommunication): Promise<void> {
    if (row.kind === 'confirmation') {
      await this.say(
        request,
        confirmedPostKey(request.id),
        `:white_check_mark: ${userMention(row.authorId)} confirmed the relinquishment; the confirmation was sent to AWS:\n>${escape(confirmationQuote(row.body)).split('\n').join('\n>')}`,
      );
      return;
    }
    const text = replyText(row.body);
    await this.store.enqueuePosts([
      { contentKey: replyEchoKey(row.id), requestId: request.id, channelId: request.channelId, threadTs: request.rootTs!, message: replyEcho(row.authorId, text, request) },
    ]);
    this.poster.kick(request.channelId);
  }

  /** A reply written in the Reply modal (`key` = the modal's view id). */
  async reply(request: StoredRequest, userId: string, userName: string | undefined, text: string, key: string): Promise<'sent' | 'duplicate' | 'denied' | 'failed' | 'uncertain'> {
    if (!this.mayAct(userId, request) || !request.caseId) return 'denied';
    const body = replyBody(text, request.reference, key, userId, userName, namedAccountId(request));
    const owner = newOwnerToken();
    const { created, row } = await this.store.insertOutgoing({ id: replyId(key), requestId: request.id, kind: 'reply', authorId: userId, body }, owner, OUTGOING_LEASE_MS);
    if (!created) return 'duplicate';
    const result = await this.send(request, row, owner);
    if (result === 'failed' && request.rootTs) {
      // Kept whole, escaped, split over as many blocks and messages as it needs.
      await this.store.enqueuePosts(
        unsentReplyText(userId, text.trim()).map((message, i) => ({ contentKey: unsentReplyKey(row.id, i), requestId: request.id, channelId: request.channelId, threadTs: request.rootTs!, message })),
      );
      this.poster.kick(request.channelId);
    }
    return result;
  }

  async resolve(request: StoredRequest, userId: string): Promise<'resolved' | 'denied' | 'failed'> {
    if (!this.mayAct(userId, request) || !request.caseId) return 'denied';
    try {
      await this.accounts.forRequest(request).support.resolveCase(request.caseId);
    } catch (err) {
      const message = err instanceof AwsError ? err.userMessage : 'something unexpected stopped it; the bot\'s log has the details.';
      this.logger.warn({ requestId: request.id, err: (err as Error).message }, 'resolving a case did not complete');
      await this.say(request, occurrenceKey('resolvefail', request.id), `:x: ${userMention(userId)}, the case was not resolved: ${escape(message)}`);
      return 'failed';
    }
    const changes = request.statusChanges + 1;
    const updated = await this.store.updateRequest(request.id, { caseStatus: 'resolved', resolvedAt: this.now().toISOString(), statusChanges: changes });
    await this.store.enqueuePosts([
      // A redraw is idempotent: its own key, so a sync's redraw keyed by the same count cannot swallow it.
      { contentKey: occurrenceKey('root-resolve', request.id), requestId: request.id, channelId: request.channelId, threadTs: request.rootTs!, message: { ...buildRootMessage(updated), updateTs: request.rootTs! } },
      { contentKey: resolvedPostKey(request.id, changes), requestId: request.id, channelId: request.channelId, threadTs: request.rootTs!, message: plainNotice(`:white_check_mark: ${userMention(userId)} resolved the case. It can be reopened for 14 days by replying to it.`) },
    ]);
    this.poster.kick(request.channelId);
    return 'resolved';
  }

  /**
   * Communications whose sending was interrupted or whose outcome AWS left unknown: each is
   * claimed first (one claimant, whatever the number of replicas), then looked for on the case
   * by its reference: found → recorded as sent; provably absent → sent; AWS unreachable → left
   * for a later look.
   */
  async reconcile(atStartup = false): Promise<void> {
    // With a database no other process can open, whatever was "sending" at start-up was abandoned.
    const abandoned = atStartup && this.store.exclusive;
    for (const row of await this.store.listOutgoingByState(['uncertain', 'sending'])) {
      // The quota form on a Service Quotas case is settled by CaseForms, each cycle.
      if (row.kind === 'form') continue;
      const owner = newOwnerToken();
      const claimed = await this.store.claimOutgoing(row.id, [row.state], owner, OUTGOING_LEASE_MS, undefined, abandoned);
      if (!claimed) continue;
      if (row.state === 'sending') this.metrics?.leaseTakeover('communication');
      await this.reconcileOne(claimed, owner);
    }
  }

  private async reconcileOne(row: OutgoingCommunication, owner: string): Promise<void> {
    const log = this.logger.child({ id: row.id, requestId: row.requestId });
    const request = await this.store.getRequest(row.requestId);
    if (!request?.caseId) {
      await this.store.finishOutgoing(row.id, owner, 'uncertain', row.errorMessage);
      return;
    }
    let found: boolean;
    try {
      found = await communicationOnCase(this.accounts.forRequest(request).support, request.caseId, row);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'could not check a communication with AWS; will retry');
      await this.store.finishOutgoing(row.id, owner, 'uncertain', row.errorMessage);
      return;
    }
    if (found) {
      await this.store.finishOutgoing(row.id, owner, 'sent');
      if (row.kind === 'confirmation') this.metrics?.confirmation('sent');
      if (row.kind === 'confirmation') await this.say(request, confirmedPostKey(request.id), `:white_check_mark: ${userMention(row.authorId)}'s confirmation reached AWS.`);
      else await this.announceSent(request, row);
      return;
    }
    // Unlike a case, a communication AWS did not keep is not worth waiting for: a second copy on
    // the case costs nothing, a confirmation never sent holds up the release.
    await this.send(request, row, owner);
  }
}
