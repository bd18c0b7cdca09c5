/**
 * Who may do what, from configuration, checked on every action (never taken from modal
 * metadata: the acting user is always Slack's own `user.id`).
 * - ALLOWED_CHANNEL_IDS: the channels where the commands work (none listed: every channel);
 * - REQUESTER_USER_IDS: who may file requests (none listed: anyone who can run the commands);
 * - APPROVER_USER_IDS: who, besides a request's requester, may retry, confirm, reply to and
 *   resolve it.
 */
import type { StoredRequest } from '../domain/request.js';

export interface AccessSettings {
  allowedChannelIds: string[];
  requesterUserIds: string[];
  approverUserIds: string[];
}

export class AccessPolicy {
  constructor(private readonly settings: AccessSettings) {}

  mayUseChannel(channelId: string): boolean {
    return this.settings.allowedChannelIds.length === 0 || this.settings.allowedChannelIds.includes(channelId);
  }

  mayFile(userId: string): boolean {
    return this.settings.requesterUserIds.length === 0 || this.settings.requesterUserIds.includes(userId);
  }

  /** Retry, confirm, reply, resolve: the requester and the approvers. */
  mayActOn(userId: string, request: StoredRequest): boolean {
    return userId === request.requesterId || this.settings.approverUserIds.includes(userId);
  }

  whoMayActOn(request: StoredRequest): string[] {
    return [...new Set([request.requesterId, ...this.settings.approverUserIds])];
  }

  /** Why a user may not use a command in a channel, or undefined when they may. */
  refusal(userId: string, channelId: string): string | undefined {
    if (!this.mayUseChannel(channelId)) return 'The SES support commands are not enabled in this channel. Ask your Slack admins which channel to use.';
    if (!this.mayFile(userId)) return 'You are not on the list of people who may file SES support requests with this bot. Ask an approver to file it for you.';
    return undefined;
  }
}
