/**
 * Who may do what, from configuration, checked on every action (never taken from modal
 * metadata: the acting user is always Slack's own `user.id`).
 * - ALLOWED_CHANNEL_IDS: the channels where the commands work (none listed: every channel);
 * - REQUESTER_USER_IDS: who may file requests (none listed: anyone who can run the commands);
 * - APPROVER_USER_IDS: who, besides a request's requester, may retry, confirm, reply to and
 *   resolve it;
 * - AWS_ACCOUNTS_FILE: which AWS accounts each channel may file in; a request is acted on only in
 *   a channel its account allows (the file as it is now). Requests from before accounts were
 *   named ("default") keep working wherever the commands do.
 */
import type { AwsAccounts } from '../aws/accounts.js';
import { accountLabel, DEFAULT_ACCOUNT } from '../domain/accounts.js';
import type { StoredRequest } from '../domain/request.js';

export interface AccessSettings {
  allowedChannelIds: string[];
  requesterUserIds: string[];
  approverUserIds: string[];
  accounts: Pick<AwsAccounts, 'named' | 'forChannel' | 'find'>;
}

export class AccessPolicy {
  constructor(private readonly settings: AccessSettings) {}

  mayUseChannel(channelId: string): boolean {
    return this.settings.allowedChannelIds.length === 0 || this.settings.allowedChannelIds.includes(channelId);
  }

  mayFile(userId: string): boolean {
    return this.settings.requesterUserIds.length === 0 || this.settings.requesterUserIds.includes(userId);
  }

  /** Whether a channel may file in (and act on requests of) an account; whether the commands work there at all is `refusal`'s. */
  mayUseAccount(channelId: string, accountName: string, accountId: string | null = null): boolean {
    if (accountName === DEFAULT_ACCOUNT) return true;
    // The name must still mean the account the request was filed in.
    return this.settings.accounts.forChannel(channelId).some((a) => a.name === accountName && (accountId === null || a.accountId === accountId));
  }

  /** Retry, confirm, reply, resolve: the requester and the approvers, in a channel the request's account allows. */
  mayActOn(userId: string, request: StoredRequest): boolean {
    const person = userId === request.requesterId || this.settings.approverUserIds.includes(userId);
    return person && this.mayUseAccount(request.channelId, request.accountName, request.accountId);
  }

  /** Why nobody may act on a request in its channel, or undefined when its account allows it. */
  accountRefusal(request: StoredRequest): string | undefined {
    if (this.mayUseAccount(request.channelId, request.accountName, request.accountId)) return undefined;
    const account = accountLabel(request.accountName, request.accountId);
    return `This request is in AWS account ${account}, which this channel may no longer use (the bot's AWS_ACCOUNTS_FILE). Nothing was done.`;
  }

  whoMayActOn(request: StoredRequest): string[] {
    return [...new Set([request.requesterId, ...this.settings.approverUserIds])];
  }

  /** Why a user may not use a command in a channel, or undefined when they may. */
  refusal(userId: string, channelId: string): string | undefined {
    if (!this.mayUseChannel(channelId)) return 'The SES support commands are not enabled in this channel. Ask your Slack admins which channel to use.';
    if (!this.mayFile(userId)) return 'You are not on the list of people who may file SES support requests with this bot. Ask an approver to file it for you.';
    if (this.settings.accounts.named && this.settings.accounts.forChannel(channelId).length === 0) {
      return "No AWS account is set up for this channel: the bot's AWS_ACCOUNTS_FILE lists the channels each account may be used in, and this one is in none. Ask whoever runs the bot to add it.";
    }
    return undefined;
  }
}
