/**
 * The AWS accounts the bot files in. Without AWS_ACCOUNTS_FILE there is one, the account of the
 * bot's own credentials (the "default" account); with it, each named account is reached through
 * a role the bot assumes, and each is open to the channels listed for it.
 */

/** The account of the bot's own credentials: every request filed before accounts were named. */
export const DEFAULT_ACCOUNT = 'default';

/** Letters, digits, - and _: short enough for a Slack select and safe in mrkdwn. */
export const ACCOUNT_NAME = /^[A-Za-z0-9_-]{1,32}$/;
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

/** One account as configured. */
export interface AccountSetting {
  name: string;
  roleArn: string;
  /** From the role's ARN; checked against GetCallerIdentity at start-up. */
  accountId: string;
  externalId: string | undefined;
  /** The channels that may file in (and act on requests of) this account. */
  channels: string[];
  /** An SQS queue of this account's AWS Support events, read with its role (optional). */
  supportEventsQueueUrl?: string | undefined;
}

/** An account as Slack shows it: its name and, once known, its id ("prod · 111111111111"). */
export function accountLabel(name: string, accountId: string | null | undefined): string {
  return accountId ? `${name} · ${accountId}` : name;
}

/** The account id in a role ARN (arn:aws:iam::ACCOUNT:role/NAME), if it is one. */
export function accountIdOfRole(roleArn: string): string | undefined {
  return ROLE_ARN.exec(roleArn)?.[1];
}

/** The accounts a channel may use, in the file's order (its first is the form's preselection). */
export function accountsForChannel(accounts: readonly AccountSetting[], channelId: string): AccountSetting[] {
  return accounts.filter((a) => a.channels.includes(channelId));
}

/** Which account a request is in: the name it was filed under and that account's id (null for "default"). */
export interface AccountRef {
  accountName: string;
  accountId: string | null;
}

/** One string per account of a request, to group requests by the account their calls go to. */
export function accountKey(ref: AccountRef): string {
  return `${ref.accountName}\n${ref.accountId ?? ''}`;
}

export function accountOfKey(key: string): AccountRef {
  const at = key.indexOf('\n');
  return { accountName: key.slice(0, at), accountId: key.slice(at + 1) || null };
}
