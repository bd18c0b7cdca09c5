/**
 * The thread root of a request: re-rendered from the stored request whenever its state
 * changes, so every replica and every restart draws the same message.
 */
import type { types } from '@slack/bolt';
import { CONTACT_LANGUAGES, MAIL_TYPES, formatNumber } from '../../domain/common.js';
import { caseStatusLabel, supportCaseUrl } from '../../domain/case-text.js';
import { QUOTA_LIMITS, type QuotaIncreaseRequest } from '../../domain/quota-request.js';
import { regionName } from '../../domain/regions.js';
import type { StoredRequest } from '../../store/store.js';
import { ACTION } from '../ids.js';
import { escape, link, userMention } from '../mrkdwn.js';
import { context, plain, section } from './blocks.js';

type KnownBlock = types.KnownBlock;

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

const TITLES: Record<StoredRequest['kind'], string> = {
  quota: 'SES sending quota increase',
  dedicated_ip: 'SES dedicated IPs',
};

export function statusLine(request: StoredRequest): string {
  switch (request.status) {
    case 'received':
    case 'filing':
      return request.caseId ? ':hourglass_flowing_sand: Case filed; fetching its number…' : ':hourglass_flowing_sand: Filing with AWS Support…';
    case 'filed': {
      const caseRef = request.displayId ? link(supportCaseUrl(request.displayId), `Case ${request.displayId}`) : `Case \`${escape(request.caseId ?? '')}\``;
      const status = request.caseStatus ? ` · AWS status: *${escape(caseStatusLabel(request.caseStatus))}*` : '';
      return `:white_check_mark: ${caseRef} filed${status}`;
    }
    case 'failed':
      return `:x: Not filed: ${escape(request.errorMessage ?? 'AWS refused the case.')}`;
    case 'uncertain':
      return ':warning: AWS did not say whether the case was filed. Retry checks AWS for it before filing anything.';
    case 'not_posted':
      return ':warning: Not filed: the bot could not post in this channel.';
  }
}

function quotaLines(request: QuotaIncreaseRequest): string[] {
  return [
    ...request.rows.map(
      (row) => `• ${regionName(row.region)}: ${QUOTA_LIMITS[row.limit].caseName} → *${formatNumber(row.newValue)}* ${QUOTA_LIMITS[row.limit].unit}`,
    ),
  ];
}

function detailsLine(request: QuotaIncreaseRequest, reference: string): string {
  return [
    `Mail type: ${MAIL_TYPES[request.mailType]}`,
    `Website: ${escape(request.websiteUrl)}`,
    `Contact language: ${CONTACT_LANGUAGES[request.language]}`,
    `Reference: ${escape(reference)}`,
  ].join(' · ');
}

export function buildRootMessage(request: StoredRequest): SlackMessage {
  const title = TITLES[request.kind];
  const payload = request.payload as QuotaIncreaseRequest;
  const status = statusLine(request);
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(title, 150) },
    section(`*Requested by* ${userMention(request.requesterId)}\n*Status:* ${status}`),
    section(quotaLines(payload).join('\n')),
    context(detailsLine(payload, request.reference)),
  ];
  if (request.status === 'failed' || request.status === 'uncertain' || request.status === 'not_posted') {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', action_id: ACTION.retryFiling, value: request.id, text: plain('Retry'), style: 'primary' }],
    });
  }
  return { text: `${title} requested by ${userMention(request.requesterId)}: ${status}`, blocks };
}
