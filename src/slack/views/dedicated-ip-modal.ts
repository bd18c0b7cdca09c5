/**
 * The /ses-dedicated-ip modal: request or relinquish standard dedicated IPs, with the account's
 * inventory, the Availability Zone advice and the costs in view. A pure function of the form's
 * values, its layout, the inventory lookups and the date.
 */
import type { types } from '@slack/bolt';
import { CASE_EXPECTATIONS, CONTACT_LANGUAGES, MAIL_TYPES } from '../../domain/common.js';
import {
  DEDICATED_IP_EXPECTATIONS,
  DEDICATED_IP_QUESTIONS,
  MAX_DEDICATED_IP_ROWS,
  MIN_DEDICATED_USE_CASE_CHARS,
  formatUsd,
  leaseGuidance,
  monthlyCost,
  prorationIfReleasedOn,
  rateSizedAdvice,
  relinquishGuidance,
  RELEASE_DAY_NOTE,
  singleIpAfterRelinquishWarning,
  standardIps,
  type Cents,
  type DedicatedIpFormInput,
  type Inventories,
  type RegionInventory,
} from '../../domain/dedicated-ip.js';
import { SES_REGIONS, isRegionCode, regionName, type RegionCode } from '../../domain/regions.js';
import { ACTION, CALLBACK, COMMANDS, DIP_BLOCK, rowBlockId } from '../ids.js';
import { encodeMeta, type DedicatedIpModalMeta } from '../modal-metadata.js';
import { channelMention, escape } from '../mrkdwn.js';
import {
  YES_NO,
  context,
  expectationsBlock,
  multiSelectInput,
  option,
  plain,
  radioDispatchInput,
  radioInput,
  section,
  selectInput,
  textInput,
} from './blocks.js';
import { accountBlocks, type AccountChoice } from './account-block.js';
import { standingAnswersBlock } from './quota-modal.js';

type KnownBlock = types.KnownBlock;
type ModalView = types.ModalView;

export type InventoryLookup = { state: 'loading' } | { state: 'ok'; inventory: RegionInventory } | { state: 'error'; message: string };

export interface DedicatedIpModalInput {
  form: DedicatedIpFormInput;
  meta: DedicatedIpModalMeta;
  lookups: Record<string, InventoryLookup>;
  defaultRegion: string;
  priceCents: Cents;
  now: Date;
  /** The AWS account chosen (AWS_ACCOUNTS_FILE); undefined: the single account. */
  account?: AccountChoice | undefined;
}

const REGION_OPTIONS = SES_REGIONS.map((r) => option(r.code, r.name));
/** Room for the largest value AWS accepts, written with thousands separators (10,000,000,000). */
const VALUE_CHARS = 14;
const ACTION_OPTIONS = [option('request', 'Request dedicated IPs'), option('relinquish', 'Relinquish dedicated IPs')];

export function newDedicatedIpMeta(channelId: string, responseUrl: string | undefined): DedicatedIpModalMeta {
  return { kind: 'dedicated_ip', action: 'request', channelId, ...(responseUrl ? { responseUrl } : {}), rowKeys: ['0'], nextRowKey: 1 };
}

export function dedicatedIpRegions(form: DedicatedIpFormInput, defaultRegion: string): string[] {
  const regions = form.rows.map((r) => (isRegionCode(r.region) ? r.region : defaultRegion));
  return [...new Set(regions.length ? regions : [defaultRegion])];
}

export function knownInventories(lookups: Record<string, InventoryLookup>): Inventories {
  const out: Inventories = {};
  for (const [region, lookup] of Object.entries(lookups)) if (lookup.state === 'ok') out[region] = lookup.inventory;
  return out;
}

export function buildDedicatedIpModal(input: DedicatedIpModalInput): ModalView {
  const { form, meta, lookups, defaultRegion } = input;
  const blocks: KnownBlock[] = [
    ...accountBlocks(input.account),
    radioDispatchInput({ blockId: DIP_BLOCK.action, label: 'What do you want to do?', options: ACTION_OPTIONS, initial: meta.action }),
    inventoryBlock(dedicatedIpRegions(form, defaultRegion), lookups),
  ];
  if (meta.action === 'request') blocks.push(...requestBlocks(input));
  else blocks.push(...relinquishBlocks(input));
  blocks.push(
    selectInput({
      blockId: DIP_BLOCK.language,
      actionId: DIP_BLOCK.language,
      label: 'Preferred contact language',
      placeholder: 'Choose a language',
      options: (Object.keys(CONTACT_LANGUAGES) as (keyof typeof CONTACT_LANGUAGES)[]).map((k) => option(k, CONTACT_LANGUAGES[k])),
      initial: form.language ?? 'en',
    }),
    expectationsBlock(meta.action === 'request' ? DEDICATED_IP_EXPECTATIONS : CASE_EXPECTATIONS),
  );
  return {
    type: 'modal',
    callback_id: CALLBACK.dedicatedIpRequest,
    title: plain('SES dedicated IPs', 24),
    submit: plain(meta.action === 'request' ? 'File case' : 'File relinquishment', 24),
    close: plain('Cancel', 24),
    private_metadata: encodeMeta(meta),
    blocks,
  };
}

function warmup(status: string, percentage: number): string {
  if (status === 'DONE') return 'warm-up done';
  if (status === 'IN_PROGRESS') return `warming up ${percentage}%`;
  return 'no warm-up';
}

function inventoryBlock(regions: string[], lookups: Record<string, InventoryLookup>): KnownBlock {
  const lines = regions.map((region) => {
    const name = escape(isRegionCode(region) ? regionName(region) : region);
    const lookup = lookups[region] ?? { state: 'loading' };
    if (lookup.state === 'loading') return `*${name}*: reading the account's dedicated IPs…`;
    if (lookup.state === 'error') return `*${name}*: could not read the dedicated IPs (${escape(lookup.message)}).`;
    const standard = standardIps(lookup.inventory);
    const managed = lookup.inventory.ips.filter((ip) => ip.scalingMode === 'MANAGED');
    const pools = new Map<string, string[]>();
    for (const ip of standard) pools.set(ip.pool, [...(pools.get(ip.pool) ?? []), `${ip.ip} (${warmup(ip.warmupStatus, ip.warmupPercentage)})`]);
    const parts = [`*${name}*: ${standard.length} standard dedicated IP${standard.length === 1 ? '' : 's'} leased`];
    for (const [pool, ips] of pools) parts.push(`    pool \`${escape(pool)}\`: ${escape(ips.join(', '))}`);
    if (managed.length) {
      const managedPools = [...new Set(managed.map((ip) => ip.pool))].map((p) => `\`${escape(p)}\``).join(', ');
      parts.push(`    ${managed.length} managed IP${managed.length === 1 ? '' : 's'} in ${managedPools} (managed by SES; not relinquished through a case)`);
    }
    return parts.join('\n');
  });
  return section(['*Dedicated IPs on this account*', ...lines].join('\n'), DIP_BLOCK.inventory);
}

function rowHeader(key: string, index: number, rowCount: number): KnownBlock {
  return {
    type: 'section',
    block_id: rowBlockId(key, 'header'),
    text: { type: 'mrkdwn', text: `*Region ${index + 1}*` },
    ...(rowCount > 1 ? { accessory: { type: 'button', action_id: ACTION.dipRemoveRow, value: key, text: plain('Remove') } } : {}),
  };
}

function regionSelect(key: string, region: string | undefined): KnownBlock {
  return selectInput({
    blockId: rowBlockId(key, 'region'),
    actionId: ACTION.dipRowRegion,
    label: 'Region',
    placeholder: 'Choose a region',
    options: REGION_OPTIONS,
    initial: region,
    dispatchAction: true,
  });
}

function addRowBlock(meta: DedicatedIpModalMeta): KnownBlock {
  return meta.rowKeys.length < MAX_DEDICATED_IP_ROWS
    ? { type: 'actions', block_id: DIP_BLOCK.addRow, elements: [{ type: 'button', action_id: ACTION.dipAddRow, text: plain('Add another region') }] }
    : context(`${MAX_DEDICATED_IP_ROWS} regions is the most one case holds.`, DIP_BLOCK.addRow);
}

function rowsOf(input: DedicatedIpModalInput) {
  const byKey = new Map(input.form.rows.map((r) => [r.key, r]));
  return input.meta.rowKeys.map((key, i) => {
    const row = byKey.get(key);
    return { key, i, row, region: row?.region ?? (i === 0 ? input.defaultRegion : undefined) };
  });
}

function requestBlocks(input: DedicatedIpModalInput): KnownBlock[] {
  const { form, meta } = input;
  const blocks: KnownBlock[] = [
    // Only a lease's answers carry over, so the line stands above them, not in a relinquishment.
    ...standingAnswersBlock(meta.standing, COMMANDS.dedicatedIp, DIP_BLOCK.standingAnswers),
    radioInput({
      blockId: DIP_BLOCK.mailType,
      label: 'Mail type',
      hint: 'Pick the type that covers most of the mail you send.',
      options: (Object.keys(MAIL_TYPES) as (keyof typeof MAIL_TYPES)[]).map((k) => option(k, MAIL_TYPES[k])),
      initial: form.mailType ?? undefined,
    }),
    textInput({ blockId: DIP_BLOCK.websiteUrl, actionId: DIP_BLOCK.websiteUrl, label: 'Website URL', placeholder: 'https://example.com', initial: form.websiteUrl ?? undefined, maxLength: 1000 }),
    textInput({ blockId: DIP_BLOCK.optInProcess, actionId: DIP_BLOCK.optInProcess, label: DEDICATED_IP_QUESTIONS.optIn, multiline: true, optional: true, initial: form.optInProcess ?? undefined, maxLength: 3000 }),
    textInput({ blockId: DIP_BLOCK.bounceProcess, actionId: DIP_BLOCK.bounceProcess, label: DEDICATED_IP_QUESTIONS.bounces, multiline: true, optional: true, initial: form.bounceProcess ?? undefined, maxLength: 3000 }),
    radioInput({ blockId: DIP_BLOCK.compliesWithAup, label: DEDICATED_IP_QUESTIONS.aup, options: YES_NO, initial: form.compliesWithAup ?? undefined }),
    { type: 'divider' },
    section('*Requests*: one per region. AWS sizes the number of IPs from the send rate; give a number of IPs only if you need a specific one.'),
  ];
  for (const { key, i, row, region } of rowsOf(input)) {
    blocks.push(
      rowHeader(key, i, meta.rowKeys.length),
      regionSelect(key, region ?? undefined),
      textInput({
        blockId: rowBlockId(key, 'sendRate'),
        actionId: ACTION.dipRowInput,
        label: 'Desired maximum send rate (messages per second)',
        placeholder: 'A whole number, e.g. 100',
        initial: row?.sendRate ?? undefined,
        maxLength: VALUE_CHARS,
      }),
      textInput({
        blockId: rowBlockId(key, 'ipCount'),
        actionId: ACTION.dipRowInput,
        // Slack marks an optional input itself.
        label: 'Number of dedicated IPs',
        placeholder: 'e.g. 2',
        initial: row?.ipCount ?? undefined,
        optional: true,
        maxLength: VALUE_CHARS,
        dispatchOnType: true,
      }),
    );
  }
  blocks.push(addRowBlock(meta), leaseGuidanceBlock(input));
  blocks.push(
    textInput({
      blockId: DIP_BLOCK.useCase,
      actionId: DIP_BLOCK.useCase,
      label: 'Use case description',
      multiline: true,
      initial: form.useCase ?? undefined,
      maxLength: 3000,
      hint: `Why dedicated rather than shared IPs, and how you will use and warm them up. At least ${MIN_DEDICATED_USE_CASE_CHARS} characters.`,
    }),
  );
  return blocks;
}

function leaseGuidanceBlock(input: DedicatedIpModalInput): KnownBlock {
  const inventories = knownInventories(input.lookups);
  const rows = rowsOf(input).map(({ row, region }) => ({ region, ipCount: row?.ipCount }));
  const guidance = leaseGuidance(rows, inventories, input.priceCents);
  const lines: string[] = [];
  for (const region of guidance.singleIpRegions) {
    lines.push(
      `:warning: This would leave *${regionName(region)}* with a single dedicated IP. AWS advises more than one per region, so the addresses are spread across Availability Zones and sending survives the loss of one.`,
    );
  }
  for (const region of guidance.rateSizedRegions) lines.push(`:information_source: ${rateSizedAdvice(region)}`);
  if (guidance.monthlyCents !== undefined) {
    lines.push(`:moneybag: The IPs asked for cost *${formatUsd(guidance.monthlyCents)} a month* (${formatUsd(input.priceCents)} per IP per month).`);
  } else {
    lines.push(`Each standard dedicated IP costs ${formatUsd(input.priceCents)} a month.`);
  }
  return section(lines.join('\n'), DIP_BLOCK.guidance);
}

function relinquishBlocks(input: DedicatedIpModalInput): KnownBlock[] {
  const { form, meta } = input;
  const blocks: KnownBlock[] = [
    section(
      ':warning: *Relinquishing cannot be undone.* Once AWS releases an address it is gone from this account and cannot be leased back. AWS asks for a confirmation in the case thread before it releases anything.',
      DIP_BLOCK.irreversible,
    ),
  ];
  let chosenCount = 0;
  for (const { key, i, row, region } of rowsOf(input)) {
    blocks.push(rowHeader(key, i, meta.rowKeys.length), regionSelect(key, region ?? undefined));
    const { block, chosen } = addressesToGiveBack(key, row, region, input.lookups);
    blocks.push(block);
    chosenCount += chosen;
  }
  const { singleIpRegions } = relinquishGuidance(
    rowsOf(input).map(({ row, region }) => ({ region, addresses: row?.addresses, count: row?.count })),
    knownInventories(input.lookups),
  );
  blocks.push(addRowBlock(meta), prorationBlock(chosenCount, input.priceCents, input.now, singleIpRegions));
  blocks.push(
    textInput({
      blockId: DIP_BLOCK.note,
      actionId: DIP_BLOCK.note,
      label: 'Note for AWS (optional)',
      multiline: true,
      optional: true,
      initial: form.note ?? undefined,
      maxLength: 3000,
      hint: 'The bot writes the request itself: which addresses, per region. Add anything AWS should know.',
    }),
  );
  return blocks;
}

/**
 * A relinquish row's choice of addresses: picked from the region's standard dedicated IPs when
 * the inventory was read, a count when it could not be, or a note while it is being read.
 * `chosen` is how many addresses the row gives back as it stands.
 */
function addressesToGiveBack(
  key: string,
  row: DedicatedIpFormInput['rows'][number] | undefined,
  region: string | null | undefined,
  lookups: Record<string, InventoryLookup>,
): { block: KnownBlock; chosen: number } {
  const lookup = region ? lookups[region] : undefined;
  if (lookup?.state === 'ok') {
    const standard = standardIps(lookup.inventory);
    if (!standard.length) {
      return { block: context(`No standard dedicated IPs are leased in ${region && isRegionCode(region) ? regionName(region) : 'this region'}: choose another region.`), chosen: 0 };
    }
    const chosen = (row?.addresses ?? []).filter((a) => standard.some((ip) => ip.ip === a));
    const block = multiSelectInput({
      blockId: rowBlockId(key, 'addresses'),
      actionId: ACTION.dipRowInput,
      label: 'Addresses to give back',
      placeholder: 'Choose addresses',
      options: standard.map((ip) => option(ip.ip, ip.ip, `pool ${ip.pool}, ${warmup(ip.warmupStatus, ip.warmupPercentage)}`)),
      initial: chosen,
      hint: standard.length > 100 ? 'Only the first 100 addresses are listed.' : undefined,
    });
    return { block, chosen: chosen.length };
  }
  if (lookup?.state === 'error') {
    const count = Number(row?.count ?? '');
    const block = textInput({
      blockId: rowBlockId(key, 'count'),
      actionId: ACTION.dipRowInput,
      label: 'How many addresses to give back',
      placeholder: 'The inventory could not be read: give a number',
      initial: row?.count ?? undefined,
      maxLength: VALUE_CHARS,
      dispatchOnType: true,
    });
    return { block, chosen: Number.isInteger(count) && count > 0 ? count : 0 };
  }
  return { block: context('Reading the addresses in this region…'), chosen: 0 };
}

/** This month's charge if released today, said as such: AWS releases the addresses only later. */
function prorationBlock(count: number, price: Cents, now: Date, singleIpRegions: RegionCode[]): KnownBlock {
  const { cents, daysElapsed, daysInMonth, dateText } = prorationIfReleasedOn(count || 1, price, now);
  const charge =
    count > 0
      ? `:receipt: If released today (${dateText}), this month's charge for ${count === 1 ? 'this address' : `these ${count} addresses`} would be ${count} × ${formatUsd(price)} × ${daysElapsed}/${daysInMonth} days = *${formatUsd(cents)}*; ${count === 1 ? 'it costs' : 'they cost'} nothing after that. Keeping ${count === 1 ? 'it' : 'them'} costs ${formatUsd(monthlyCost(count, price))} a month.`
      : `:receipt: A relinquished address is charged for the days of the month before its release (if released today, ${dateText}: ${daysElapsed}/${daysInMonth} × ${formatUsd(price)} = ${formatUsd(cents)} per address), then nothing.`;
  const warnings = singleIpRegions.map((region) => `:warning: ${singleIpAfterRelinquishWarning(region)}`);
  return section([...warnings, `${charge} ${RELEASE_DAY_NOTE}`].join('\n'), DIP_BLOCK.guidance);
}

/** The view shown once a valid request has been accepted. */
export function buildDedicatedIpAcceptedView(channelId: string, action: 'request' | 'relinquish'): ModalView {
  const extra = action === 'relinquish' ? ' Nothing is released until you confirm in that thread.' : '';
  return {
    type: 'modal',
    title: plain('SES dedicated IPs', 24),
    close: plain('Close', 24),
    blocks: [section(`:white_check_mark: Request received. The bot is filing it with AWS Support; follow it in ${channelMention(channelId)}.${extra}`)],
  };
}
