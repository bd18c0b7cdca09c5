/**
 * Escaping for Slack mrkdwn, in one place. Text that did not come from the bot (users, AWS)
 * goes through `escape` so it can never form a mention, a channel ping or a disguised link.
 */
export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function userMention(userId: string): string {
  return /^[UW][A-Z0-9]+$/.test(userId) ? `<@${userId}>` : escape(userId);
}

export function channelMention(channelId: string): string {
  return /^[CGD][A-Z0-9]+$/.test(channelId) ? `<#${channelId}>` : escape(channelId);
}

export function link(url: string, label: string): string {
  // Inside a link label only &, < and > need escaping; | would end the URL part, so the URL is encoded.
  return `<${url.replace(/\|/g, '%7C')}|${escape(label)}>`;
}

/** Truncates plain text to a Block Kit limit, saying so rather than cutting silently. */
export function truncate(text: string, max: number, suffix = '…'): string {
  return text.length <= max ? text : text.slice(0, max - suffix.length) + suffix;
}
