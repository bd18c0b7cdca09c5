/**
 * The AWS account of a form: the choices shown (the channel's accounts), the one whose figures
 * are read, and the one a submission files in, checked against the channel every time (the
 * select's value and the metadata are the user's word, not an authority).
 */
import type { AwsAccounts } from '../aws/accounts.js';
import { DEFAULT_ACCOUNT, accountLabel } from '../domain/accounts.js';
import { ACCOUNT_BLOCK, ACTION } from '../slack/ids.js';
import { asStateValues, readValue } from '../slack/view-state.js';
import type { AccountChoice } from '../slack/views/account-block.js';

/** What the form shows: undefined without AWS_ACCOUNTS_FILE; `wanted` preselected if the channel may use it, else its first. */
export function accountChoice(accounts: AwsAccounts, channelId: string, wanted?: string): AccountChoice | undefined {
  if (!accounts.named) return undefined;
  const options = accounts.forChannel(channelId).map((a) => ({ name: a.name, accountId: a.accountId, available: a.available }));
  const first = options[0];
  if (!first) return undefined;
  return { options, selected: options.some((o) => o.name === wanted) ? wanted! : first.name };
}

/** The account whose figures a form reads: the chosen one, or "default" without AWS_ACCOUNTS_FILE. */
export function formAccount(accounts: AwsAccounts, channelId: string, wanted?: string): string {
  return accountChoice(accounts, channelId, wanted)?.selected ?? DEFAULT_ACCOUNT;
}

/** The account the select's block action switched the form to, if it is one the channel may use. */
export function switchedAccount(accounts: AwsAccounts, channelId: string, action: unknown): string | undefined {
  const value = (action as { selected_option?: { value?: string } }).selected_option?.value;
  return value && accounts.forChannel(channelId).some((a) => a.name === value) ? value : undefined;
}

/** Where a refusal about the account shows: on the select, or on `otherwise` in a form that has none. */
export function accountErrorBlock(accounts: AwsAccounts, channelId: string, otherwise: string): string {
  return (accountChoice(accounts, channelId)?.options.length ?? 0) > 1 ? ACCOUNT_BLOCK : otherwise;
}

export type SubmittedAccount = { account: { name: string; id: string | null } | undefined } | { error: string };

/**
 * The account a submission files in: the select's value (or the channel's one account), which
 * the channel must be allowed to use and whose role must be assumable now. Undefined account:
 * the single-account setup.
 */
export function submittedAccount(accounts: AwsAccounts, channelId: string, stateValues: unknown, metaAccount: string | undefined): SubmittedAccount {
  if (!accounts.named) return { account: undefined };
  const wanted = readValue(asStateValues(stateValues), ACCOUNT_BLOCK, ACTION.account) ?? metaAccount;
  const allowed = accounts.forChannel(channelId);
  const account = allowed.length === 1 && !wanted ? allowed[0] : allowed.find((a) => a.name === wanted);
  if (!account) {
    return { error: `This channel may not file in AWS account ${wanted ?? '(none chosen)'}: choose one of ${allowed.map((a) => a.name).join(', ') || 'none (ask whoever runs the bot to add this channel to AWS_ACCOUNTS_FILE)'}. Nothing was filed.` };
  }
  if (!account.available) {
    return { error: `AWS account ${accountLabel(account.name, account.accountId)} is unavailable: the bot cannot assume its role just now. Nothing was filed; try again later${allowed.length > 1 ? ' or choose another account' : ''}.` };
  }
  return { account: { name: account.name, id: account.accountId } };
}
