/**
 * The Slack app's bot scopes and what each is used for. manifest.yml must declare exactly
 * these (a test checks it, and checks that every Web API method the code calls is covered).
 */
export const BOT_SCOPES = {
  commands: 'Receive the /ses-quota and /ses-dedicated-ip slash commands.',
  'chat:write': 'Post and update each request\'s thread root and its thread replies, and post ephemeral notices (chat.postMessage, chat.update, chat.postEphemeral).',
  'channels:history': 'Receive replies in case threads in public channels (the message.channels event), to see "confirm".',
  'groups:history': 'Receive replies in case threads in private channels (the message.groups event), to see "confirm".',
} as const;

/** Events API subscriptions the bot handles: thread replies, for relinquishment confirmations. */
export const BOT_EVENTS: readonly string[] = ['message.channels', 'message.groups'];

export const SLASH_COMMANDS = {
  '/ses-quota': 'Request an Amazon SES sending quota increase from AWS Support',
  '/ses-dedicated-ip': 'Request or relinquish Amazon SES dedicated IP addresses',
} as const;
