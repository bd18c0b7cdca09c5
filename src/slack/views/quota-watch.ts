/**
 * The quota watch's channel messages (the alert, the "watch started" summary, a region it cannot
 * read) and the value its "Request an increase" button carries. Pure Block Kit builders.
 */
import type { types } from '@slack/bolt';
import { z } from 'zod';
import { formatNumber, MAX_REQUESTED_VALUE } from '../../domain/common.js';
import { QUOTA_LIMITS, type QuotaLimit } from '../../domain/quota-request.js';
import { CRITICAL_PERCENT, regionKind, usagePercent, type AlertLevel, type QuotaReading, type RegionRead, type WatchedAccount } from '../../domain/quota-watch.js';
import { ACCOUNT_NAME } from '../../domain/accounts.js';
import { isRegionCode, regionName, type RegionCode } from '../../domain/regions.js';
import { ACTION, COMMANDS } from '../ids.js';
import { escape } from '../mrkdwn.js';
import { context, plain, section } from './blocks.js';
import type { SlackMessage } from './root-message.js';

type KnownBlock = types.KnownBlock;

/** What the button asks /ses-quota to pre-fill. */
export interface IncreasePreset {
  region: RegionCode;
  limit: QuotaLimit;
  newValue: number;
  /** The account the alert is about, when accounts are named: the form preselects it. */
  account?: string;
}

const presetSchema = z.object({
  r: z.string().refine(isRegionCode),
  l: z.enum(Object.keys(QUOTA_LIMITS) as [QuotaLimit, ...QuotaLimit[]]),
  v: z.number().int().positive().max(MAX_REQUESTED_VALUE),
  a: z.string().regex(ACCOUNT_NAME).optional(),
});

/** The button's value: short JSON (Slack allows 2,000 characters). */
export function encodeIncreasePreset(preset: IncreasePreset): string {
  return JSON.stringify({ r: preset.region, l: preset.limit, v: preset.newValue, ...(preset.account ? { a: preset.account } : {}) });
}

/** The preset a button carries, or undefined when the value is not one the bot wrote. */
export function decodeIncreasePreset(value: string | undefined): IncreasePreset | undefined {
  if (!value) return undefined;
  try {
    const parsed = presetSchema.safeParse(JSON.parse(value));
    if (!parsed.success) return undefined;
    const { r, l, v, a } = parsed.data;
    return { region: r as RegionCode, limit: l, newValue: v, ...(a ? { account: a } : {}) };
  } catch {
    return undefined;
  }
}

/** "US East (N. Virginia) (`us-east-1`)", as the other messages name a region; "… of prod · 111111111111" when accounts are named. */
function regionLabelOf(region: RegionCode, account?: WatchedAccount): string {
  const name = `${escape(regionName(region))} (\`${region}\`)`;
  return account ? `${name} of *${escape(account.label)}*` : name;
}

/** A share of the quota as people read it: whole percent, rounded down (never more than was reached). */
function percentText(reading: QuotaReading): string {
  return `${Math.floor(usagePercent(reading) ?? 0)}%`;
}

function usageText(reading: QuotaReading): string {
  return `${formatNumber(reading.sentLast24Hours)} of ${formatNumber(reading.max24HourSend)} emails sent in the last 24 hours`;
}

/** The alert: the region, sent/quota and percentage, and a button that opens /ses-quota pre-filled. */
export function buildQuotaAlert(opts: {
  region: RegionCode;
  reading: QuotaReading;
  level: AlertLevel;
  thresholdPercent: number;
  suggested: number;
  account?: WatchedAccount;
}): SlackMessage {
  const { reading, level, thresholdPercent, suggested } = opts;
  const region = opts.region;
  const regionLabel = (r: RegionCode) => regionLabelOf(r, opts.account);
  const percent = percentText(reading);
  const headline =
    level === 'critical'
      ? `:rotating_light: *SES sending quota ${percent} used in ${regionLabel(region)}*`
      : `:warning: *SES sending quota ${percent} used in ${regionLabel(region)}*`;
  const detail =
    level === 'critical'
      ? `${usageText(reading)}: past ${CRITICAL_PERCENT}%. At 100% SES refuses further mail from this region until earlier sends leave the 24-hour window.`
      : `${usageText(reading)}: past this channel's ${thresholdPercent}% threshold.`;
  const text = `${headline}\n${detail}`;
  const offer = `*Request an increase* opens the ${COMMANDS.quota} form for ${regionLabel(region)} with ${formatNumber(suggested)} ${QUOTA_LIMITS.send_quota.unit} filled in (twice the current quota); change it before submitting if you need another value.`;
  return {
    text,
    blocks: [
      section(text),
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: ACTION.quotaWatchIncrease,
            text: plain('Request an increase'),
            style: 'primary',
            value: encodeIncreasePreset({ region, limit: 'send_quota', newValue: suggested, ...(opts.account ? { account: opts.account.name } : {}) }),
          },
        ],
      },
      context(offer),
    ],
  };
}

const UNREADABLE_ADVICE =
  "Check that the region is enabled for this AWS account (opt-in regions) and that the bot's credentials allow `ses:GetAccount` there.";

/** A region the watch cannot read: said once, until it can read the region again. */
export function buildUnreadableRegionNotice(region: RegionCode, problem: string, account?: WatchedAccount): SlackMessage {
  const text = `:warning: *The SES quota watch cannot read ${regionLabelOf(region, account)}*: ${escape(problem)}. ${UNREADABLE_ADVICE} The watch keeps trying and says nothing more about it until it can read the region.`;
  return { text, blocks: [section(text)] };
}

/** Block Kit's limit on a section's text, with room to spare for the heading. */
const MAX_LIST_CHARS = 2900;

function listSection(heading: string, lines: string[]): KnownBlock[] {
  if (!lines.length) return [];
  const shown: string[] = [];
  let length = heading.length;
  for (const [i, line] of lines.entries()) {
    if (length + line.length + 1 > MAX_LIST_CHARS) {
      shown.push(`…and ${lines.length - i} more`);
      break;
    }
    shown.push(line);
    length += line.length + 1;
  }
  return [section([heading, ...shown].join('\n'))];
}

/**
 * Said when the watch starts (or its settings change): what it alerts on and how often, each
 * region it watches with its usage now, and the regions it does not watch (the sandbox, an
 * unlimited quota) or cannot read.
 */
export function buildWatchStarted(opts: { reads: RegionRead[]; thresholdPercent: number; intervalMinutes: number }): SlackMessage {
  const { reads, thresholdPercent, intervalMinutes } = opts;
  const every = intervalMinutes === 1 ? 'every minute' : `every ${intervalMinutes} minutes`;
  const again = thresholdPercent < CRITICAL_PERCENT ? `, again past ${CRITICAL_PERCENT}%` : '';
  const intro = `:eyes: *SES quota watch started.* This channel gets an alert when a region has sent ${thresholdPercent}% of its 24-hour sending quota${again}; the regions are read ${every}.`;
  const watched: string[] = [];
  const sandbox: string[] = [];
  const unlimited: string[] = [];
  const unreadable: string[] = [];
  const notNow: string[] = [];
  for (const read of reads) {
    if (!('quota' in read)) {
      (read.transient ? notNow : unreadable).push(`• ${regionLabelOf(read.region, read.account)}: ${escape(read.problem)}`);
      continue;
    }
    switch (regionKind(read.quota)) {
      case 'watched':
        watched.push(`• ${regionLabelOf(read.region, read.account)}: ${usageText(read.quota)} (${percentText(read.quota)})`);
        break;
      case 'sandbox':
        sandbox.push(`• ${regionLabelOf(read.region, read.account)}`);
        break;
      case 'unlimited':
        unlimited.push(`• ${regionLabelOf(read.region, read.account)}`);
        break;
    }
  }
  const blocks: KnownBlock[] = [
    section(intro),
    ...(watched.length ? listSection('*Watched*', watched) : [section('*Watched*\nNo region yet: none of the regions read is out of the SES sandbox with a sending quota.')]),
    ...listSection(`*In the SES sandbox, not watched for quota* (${COMMANDS.quota} requests production access)`, sandbox),
    ...listSection('*Unlimited sending quota, nothing to watch*', unlimited),
    ...listSection(`*Cannot be read* (said once). ${UNREADABLE_ADVICE}`, unreadable),
    ...listSection('*Not read this time* (tried again at the next run)', notNow),
  ];
  const counts = [`${watched.length} watched`, sandbox.length ? `${sandbox.length} in the sandbox` : '', unreadable.length ? `${unreadable.length} unreadable` : '']
    .filter(Boolean)
    .join(', ');
  return { text: `SES quota watch started: alerts at ${thresholdPercent}% of the 24-hour quota (${counts}).`, blocks };
}
