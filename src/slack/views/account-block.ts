/**
 * Which AWS account a form files in, at the top of both forms: nothing without AWS_ACCOUNTS_FILE
 * (one account, as before), a line naming it when the channel has one, an Account select when
 * it has several (changing it reloads the account's figures).
 */
import type { types } from '@slack/bolt';
import { accountLabel } from '../../domain/accounts.js';
import { ACCOUNT_BLOCK, ACTION } from '../ids.js';
import { escape } from '../mrkdwn.js';
import { context, option, selectInput } from './blocks.js';

type KnownBlock = types.KnownBlock;

export interface AccountOption {
  name: string;
  accountId: string | null;
  available: boolean;
}

/** The accounts the form's channel may use (in the file's order) and the one chosen. */
export interface AccountChoice {
  options: AccountOption[];
  selected: string;
}

const UNAVAILABLE = "the bot cannot assume this account's role just now, so nothing can be filed in it until it can (the bot's /healthz says why).";

export function accountBlocks(choice: AccountChoice | undefined): KnownBlock[] {
  if (!choice) return [];
  const selected = choice.options.find((o) => o.name === choice.selected) ?? choice.options[0];
  if (!selected) return [];
  const warning = selected.available ? [] : [context(`:warning: *${escape(accountLabel(selected.name, selected.accountId))}* is unavailable: ${UNAVAILABLE}`)];
  if (choice.options.length === 1) {
    return [context(`AWS account: *${escape(accountLabel(selected.name, selected.accountId))}*`, ACCOUNT_BLOCK), ...warning];
  }
  return [
    selectInput({
      blockId: ACCOUNT_BLOCK,
      actionId: ACTION.account,
      label: 'AWS account',
      placeholder: 'Choose an account',
      options: choice.options.map((o) => option(o.name, accountLabel(o.name, o.accountId))),
      initial: selected.name,
      dispatchAction: true,
    }),
    ...warning,
  ];
}
