/**
 * The thread root of a request: re-rendered from the stored request whenever its state
 * changes, so every replica and every restart draws the same message.
 */
import type { types } from '@slack/bolt';
import { CASE_EXPECTATIONS, CONTACT_LANGUAGES, MAIL_TYPES, formatNumber } from '../../domain/common.js';
import { caseStatusLabel, supportCaseUrl } from '../../domain/case-text.js';
import { QUOTA_EXPECTATIONS, QUOTA_LIMITS, type QuotaIncreaseRequest } from '../../domain/quota-request.js';
import { DEDICATED_IP_EXPECTATIONS, type DedicatedIpRequest } from '../../domain/dedicated-ip.js';
import { regionName } from '../../domain/regions.js';
import type { StoredRequest } from '../../domain/request.js';
import { accountLabel, DEFAULT_ACCOUNT } from '../../domain/accounts.js';
import { rowStatusWord, type QuotaRowState } from '../../domain/quota-rows.js';
import type { RegionEffect } from '../../domain/proof.js';
import { ACTION } from '../ids.js';
import { escape, link, userMention } from '../mrkdwn.js';
import { context, expectationsBlock, plain, section } from './blocks.js';

type KnownBlock = types.KnownBlock;

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** The AWS account a request is in, when accounts are named (AWS_ACCOUNTS_FILE): "prod · 111111111111". */
export function accountOf(request: StoredRequest): string | undefined {
  return request.accountName === DEFAULT_ACCOUNT ? undefined : accountLabel(request.accountName, request.accountId);
}

function accountField(request: StoredRequest): string {
  const account = accountOf(request);
  return account ? ` · *AWS account* ${escape(account)}` : '';
}

/** "Case 17100000000", linked to Support Center, with the account it must be opened in when accounts are named. */
export function caseReference(request: StoredRequest, word = 'Case'): string {
  const ref = request.displayId ? link(supportCaseUrl(request.displayId), `${word} ${request.displayId}`) : `${word} \`${escape(request.caseId ?? '')}\``;
  return request.accountId && request.accountName !== DEFAULT_ACCOUNT ? `${ref} (AWS account ${request.accountId})` : ref;
}

function titleOf(request: StoredRequest): string {
  if (request.kind === 'quota') return 'SES sending quota increase';
  return request.payload.action === 'relinquish' ? 'SES dedicated IPs: relinquish' : 'SES dedicated IPs: request';
}

/** A request filed row by row through Service Quotas: its rows carry the detail, so the line stays short. */
function rowsStatusLine(request: StoredRequest): string {
  switch (request.status) {
    case 'received':
    case 'filing':
      return ':hourglass_flowing_sand: Sending each request to AWS Service Quotas…';
    case 'filed': {
      if (!request.caseId) return ':white_check_mark: Every request reached AWS; their statuses are below.';
      const caseRef = caseReference(request);
      const status = request.caseStatus ? ` · AWS status: *${escape(caseStatusLabel(request.caseStatus))}*` : '';
      return `:white_check_mark: Every request reached AWS; their statuses are below. ${caseRef} is followed here${status}`;
    }
    case 'failed':
      return `:x: ${escape(request.errorMessage ?? 'Not every request reached AWS.')} Retry sends only the requests AWS does not have.`;
    case 'uncertain':
      return ':warning: AWS did not say whether every request arrived. The bot looks for them at AWS before sending anything again.';
    case 'not_posted':
      return ':warning: Not sent: the bot could not post in this channel.';
  }
}

export function statusLine(request: StoredRequest): string {
  if (request.quotaRows) return rowsStatusLine(request);
  switch (request.status) {
    case 'received':
    case 'filing':
      return request.caseId ? ':hourglass_flowing_sand: Case filed; fetching its number…' : ':hourglass_flowing_sand: Filing with AWS Support…';
    case 'filed': {
      const caseRef = caseReference(request);
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

/** A row sent on its own: where it went and what AWS says of it now. */
function rowLine(row: QuotaRowState): string {
  const asked = `• ${regionName(row.region)}: ${QUOTA_LIMITS[row.limit].caseName} → *${formatNumber(row.newValue)}* ${QUOTA_LIMITS[row.limit].unit}`;
  const via = row.path === 'production_access' ? 'production access' : 'Service Quotas';
  const state =
    row.sending === 'sent'
      ? `${via}: *${escape(rowStatusWord(row) ?? 'pending')}*${row.caseId ? ` · case \`${escape(row.caseId)}\`` : ''}`
      : row.sending === 'failed'
        ? `:x: not sent (${escape(row.errorCode?.replace(/_/g, ' ') ?? 'refused')})`
        : row.sending === 'unsent'
          ? 'not sent yet'
          : ':warning: not known whether AWS has it';
  return `${asked} · ${state}`;
}

function quotaLines(request: QuotaIncreaseRequest, rows: QuotaRowState[] | null): string[] {
  if (rows) return rows.map(rowLine);
  return request.rows.map(
    (row) => `• ${regionName(row.region)}: ${QUOTA_LIMITS[row.limit].caseName} → *${formatNumber(row.newValue)}* ${QUOTA_LIMITS[row.limit].unit}`,
  );
}

function dedicatedIpLines(request: DedicatedIpRequest, requesterId: string): string[] {
  if (request.action === 'request') {
    return request.rows.map(
      (row) =>
        `• ${regionName(row.region)}: up to *${formatNumber(row.sendRate)}* messages per second${row.ipCount ? `, *${row.ipCount}* dedicated IP${row.ipCount === 1 ? '' : 's'}` : ''}`,
    );
  }
  return [
    ...request.rows.map(
      (row) =>
        `• ${regionName(row.region)}: give back *${row.count}* address${row.count === 1 ? '' : 'es'}${row.addresses.length ? `: ${row.addresses.map((a) => `\`${a}\``).join(', ')}` : ''}`,
    ),
    `:warning: This cannot be undone. AWS will ask for confirmation in this thread; nothing is released until ${userMention(requesterId)} (or an approver) confirms here, or someone confirms to AWS by email or in Support Center.`,
  ];
}

function expectationsFor(request: StoredRequest): readonly string[] {
  if (request.kind === 'quota') return QUOTA_EXPECTATIONS;
  return request.payload.action === 'request' ? DEDICATED_IP_EXPECTATIONS : CASE_EXPECTATIONS;
}

function detailsLine(request: StoredRequest): string {
  const payload = request.payload;
  const parts: string[] = [];
  if ('mailType' in payload) parts.push(`Mail type: ${MAIL_TYPES[payload.mailType]}`, `Website: ${escape(payload.websiteUrl)}`);
  parts.push(`Contact language: ${CONTACT_LANGUAGES[payload.language]}`, `Reference: ${escape(request.reference)}`);
  return parts.join(' · ');
}

/** The root's lines about effects: one per region being checked, verified or not seen. */
export function effectLines(effects: readonly RegionEffect[] | null): string[] {
  return (effects ?? []).flatMap((e) => {
    if (e.state === 'verified') return [`:white_check_mark: *Verified:* ${escape(e.summary ?? regionName(e.region))}`];
    if (e.state === 'not_seen') return [`:warning: *Not seen in the account* 72 hours after AWS's answer: ${escape(e.summary ?? regionName(e.region))}`];
    if (e.state === 'checking') return [`:mag: Checking ${escape(regionName(e.region))} for the change AWS answered…`];
    return [];
  });
}

export function buildRootMessage(request: StoredRequest): SlackMessage {
  const title = titleOf(request);
  const status = statusLine(request);
  const lines = request.kind === 'quota' ? quotaLines(request.payload, request.quotaRows) : dedicatedIpLines(request.payload, request.requesterId);
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(title, 150) },
    section(`*Requested by* ${userMention(request.requesterId)}${accountField(request)}\n*Status:* ${status}`),
    section(lines.join('\n')),
    context(detailsLine(request)),
  ];
  const effects = effectLines(request.effects);
  if (effects.length) blocks.push(section(effects.join('\n')));
  // Once filed and until resolved: what to expect from AWS, in its own terms.
  if (request.status === 'filed' && request.caseStatus !== 'resolved') blocks.push(expectationsBlock(expectationsFor(request)));
  if (request.status === 'failed' || request.status === 'uncertain' || request.status === 'not_posted') {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', action_id: ACTION.retryFiling, value: request.id, text: plain('Retry'), style: 'primary' }],
    });
  }
  // Reply and Resolve act on the request's case; a request sent through Service Quotas has one
  // only once the bot follows it, and keeps it while another of its rows waits for a Retry.
  const followsCase = request.caseId !== null && (request.status === 'filed' || request.quotaRows !== null);
  if (followsCase && request.caseStatus !== 'resolved') {
    blocks.push({
      type: 'actions',
      elements: [
        { type: 'button', action_id: ACTION.replyToAws, value: request.id, text: plain('Reply to AWS Support') },
        {
          type: 'button',
          action_id: ACTION.resolveCase,
          value: request.id,
          text: plain('Resolve case'),
          confirm: {
            title: plain('Resolve this case?'),
            text: plain('AWS Support closes the case. It can be reopened for 14 days by replying to it.'),
            confirm: plain('Resolve'),
            deny: plain('Cancel'),
          },
        },
      ],
    });
  }
  return { text: `${title} requested by ${userMention(request.requesterId)}: ${status}`, blocks };
}
