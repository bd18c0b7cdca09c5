/** `/ses-quota status` and `/ses-dedicated-ip status`: the channel's requests of that kind, newest first. */
import { caseStatusLabel } from '../../domain/case-text.js';
import type { RequestKind, StoredRequest } from '../../domain/request.js';
import { COMMANDS } from '../ids.js';
import { escape, link, userMention } from '../mrkdwn.js';
import { accountOf, statusLine } from './root-message.js';

/** `threads` holds each request's thread permalink, where Slack gave one. */
export function buildChannelStatus(kind: RequestKind, requests: StoredRequest[], threads: Map<string, string>): string {
  const what = kind === 'quota' ? 'sending quota' : 'dedicated IP';
  if (!requests.length) return `No ${what} requests have been made in this channel yet. Run \`${kind === 'quota' ? COMMANDS.quota : COMMANDS.dedicatedIp}\` to make one.`;
  const lines = requests.map((r) => {
    const permalink = threads.get(r.id);
    const thread = permalink ? link(permalink, 'thread') : r.rootTs ? 'thread' : 'no thread';
    const state = r.status === 'filed' && r.caseStatus ? `case ${escape(r.displayId ?? r.caseId ?? '')}: *${caseStatusLabel(r.caseStatus)}*` : statusLine(r);
    const account = accountOf(r);
    return `• ${r.createdAt.slice(0, 10)} by ${userMention(r.requesterId)}${account ? ` · AWS account ${escape(account)}` : ''} · ${state} · ${thread}`;
  });
  return [`*${kind === 'quota' ? 'SES sending quota' : 'SES dedicated IP'} requests in this channel* (newest first):`, ...lines].join('\n');
}
