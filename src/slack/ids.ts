/** Every block id, action id and callback id the bot uses, in one place. */

export const COMMANDS = { quota: '/ses-quota', dedicatedIp: '/ses-dedicated-ip' } as const;

export const CALLBACK = {
  quotaRequest: 'ses_quota_request',
  dedicatedIpRequest: 'ses_dedicated_ip_request',
  replyToAws: 'ses_reply_to_aws',
} as const;

export const REPLY_BLOCK = { body: 'reply_body' } as const;

/** Input blocks of the quota form; block id and action id are the same string. */
export const QUOTA_BLOCK = {
  limitType: 'limit_type',
  currentQuota: 'current_quota',
  mailType: 'mail_type',
  websiteUrl: 'website_url',
  compliesWithAup: 'complies_with_aup',
  onlyRequestedRecipients: 'only_requested_recipients',
  handlesBouncesAndComplaints: 'handles_bounces_and_complaints',
  rowsHeader: 'rows_header',
  addRow: 'add_row',
  farAbove: 'far_above_current',
  useCaseQuestions: 'use_case_questions',
  useCase: 'use_case',
  language: 'contact_language',
  additionalContacts: 'additional_contacts',
  /** The line saying which request the pre-filled answers came from (or that they could not be read). */
  standingAnswers: 'standing_answers',
} as const;

/** Both forms' AWS account select (or the line naming the channel's one account); block id = action id. */
export const ACCOUNT_BLOCK = 'aws_account';

/** Blocks of the dedicated-IP form that are not rows. */
export const DIP_BLOCK = {
  action: 'dip_action',
  inventory: 'dip_inventory',
  mailType: 'mail_type',
  websiteUrl: 'website_url',
  optInProcess: 'opt_in_process',
  bounceProcess: 'bounce_process',
  compliesWithAup: 'complies_with_aup',
  irreversible: 'dip_irreversible',
  guidance: 'dip_guidance',
  addRow: 'dip_add_row',
  useCase: 'use_case',
  note: 'dip_note',
  language: 'contact_language',
  /** As QUOTA_BLOCK.standingAnswers. */
  standingAnswers: 'standing_answers',
} as const;

export const ACTION = {
  addRow: 'add_row',
  removeRow: 'remove_row',
  rowRegion: 'row_region',
  rowLimit: 'row_limit',
  rowValue: 'row_value',
  retryFiling: 'retry_filing',
  dipAction: 'dip_action',
  dipAddRow: 'dip_add_row',
  dipRemoveRow: 'dip_remove_row',
  dipRowRegion: 'dip_row_region',
  /** Inputs whose changes redraw the guidance (send rate, IP count, chosen addresses). */
  dipRowInput: 'dip_row_input',
  confirmRelinquish: 'confirm_relinquish',
  replyToAws: 'reply_to_aws',
  resolveCase: 'resolve_case',
  /** The quota watch alert's "Request an increase": opens /ses-quota pre-filled. */
  quotaWatchIncrease: 'quota_watch_increase',
  /** The forms' AWS account select (AWS_ACCOUNTS_FILE, a channel with several accounts). */
  account: 'aws_account',
} as const;

/** Row blocks carry a stable row key so that typed values survive adding and removing rows. */
export type RowField = 'region' | 'limit' | 'newValue' | 'header' | 'sandboxNotice' | 'sendRate' | 'ipCount' | 'addresses' | 'count';

export function rowBlockId(rowKey: string, field: RowField): string {
  return `row:${rowKey}:${field}`;
}
