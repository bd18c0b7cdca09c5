/**
 * The Slack app's bot scopes and what each is used for. manifest.yml must declare exactly
 * these (a test checks it, and checks that every Web API method the code calls is covered).
 */
export const BOT_SCOPES = {
  commands: 'Receive the /ses-quota and /ses-dedicated-ip slash commands.',
  'chat:write': 'Post and update each request\'s thread root and its thread replies, and post ephemeral notices (chat.postMessage, chat.update, chat.postEphemeral).',
} as const;

/** Events API subscriptions the bot handles (none yet: threads come with the case-threads work). */
export const BOT_EVENTS: readonly string[] = [];

export const SLASH_COMMANDS = {
  '/ses-quota': 'Request an Amazon SES sending quota increase from AWS Support',
  '/ses-dedicated-ip': 'Request or relinquish Amazon SES dedicated IP addresses',
} as const;
