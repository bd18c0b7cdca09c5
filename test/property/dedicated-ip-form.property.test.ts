import { normalizeLineBreaks } from '../../src/domain/common.js';
/**
 * Property 2: whatever a dedicated-IP submission carries, and whatever the account's inventories,
 * reading and validating never throws, and ends in errors on input blocks the modal has, or in a
 * lease or relinquishment that obeys every rule: a relinquishment only ever names standard IPs
 * the account leases in that region.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAIL_TYPES, MAX_CASE_BODY_CHARS, MAX_REQUESTED_VALUE, referenceFor } from '../../src/domain/common.js';
import { referenceLine } from '../../src/domain/case-text.js';
import {
  MAX_DEDICATED_IP_ROWS,
  MAX_TEXT_CHARS,
  MIN_DEDICATED_USE_CASE_CHARS,
  dedicatedIpCaseText,
  standardIps,
  validateLease,
  validateRelinquish,
  type DedicatedIpFormInput,
  type DedicatedIpLease,
  type DedicatedIpRelinquish,
  type Inventories,
} from '../../src/domain/dedicated-ip.js';
import { isRegionCode } from '../../src/domain/regions.js';
import { dedicatedIpErrorsToBlocks, readDedicatedIpForm } from '../../src/slack/dedicated-ip-form.js';
import { ACTION, DIP_BLOCK, rowBlockId } from '../../src/slack/ids.js';
import type { DedicatedIpModalMeta } from '../../src/slack/modal-metadata.js';
import { buildDedicatedIpModal, knownInventories, type InventoryLookup } from '../../src/slack/views/dedicated-ip-modal.js';
import {
  blockSpec,
  codePoints,
  dedicatedIpMeta,
  errorProblems,
  freeText,
  inputBlockIds,
  INJECTED_LINES,
  inventoryLookups,
  jsonJunk,
  languageValue,
  mailTypeValue,
  materializeState,
  nastyString,
  numberValue,
  regionValue,
  strayBlockId,
  urlValue,
  usually,
  wrongTopLevel,
  yesNoValue,
  REGION_CODES,
  VALID_URLS,
  type BlockSpec,
} from './arbitraries.js';
import { inventory } from '../domain/dedicated-ip-builders.js';

const cleanBlock = (value: fc.Arbitrary<string>): fc.Arbitrary<BlockSpec> =>
  fc.record({
    at: fc.constant('action' as const),
    element: fc.record({ as: fc.constantFrom('value' as const, 'selected_option' as const), value }),
    junk: fc.constant([] as [string, unknown][]),
    junkFirst: fc.constant(false),
  });
const multi = (values: fc.Arbitrary<string[]>): fc.Arbitrary<BlockSpec> =>
  fc.record({
    at: fc.constant('action' as const),
    element: fc.record({ as: fc.constant('selected_options' as const), values }),
    junk: fc.constant([] as [string, unknown][]),
    junkFirst: fc.constant(false),
  });

const DIP_FIELDS = [
  DIP_BLOCK.action,
  DIP_BLOCK.mailType,
  DIP_BLOCK.websiteUrl,
  DIP_BLOCK.optInProcess,
  DIP_BLOCK.bounceProcess,
  DIP_BLOCK.compliesWithAup,
  DIP_BLOCK.useCase,
  DIP_BLOCK.note,
  DIP_BLOCK.language,
] as const;

// What does not depend on the metadata or the inventories is built once.
const optionalCleanText = fc.option(cleanBlock(freeText(0, 3_100)), { nil: undefined });
const cleanFields = {
  [DIP_BLOCK.mailType]: cleanBlock(fc.constantFrom(...Object.keys(MAIL_TYPES))),
  [DIP_BLOCK.websiteUrl]: cleanBlock(fc.oneof(fc.constantFrom(...VALID_URLS), fc.webUrl({ validSchemes: ['https', 'http'] }))),
  [DIP_BLOCK.optInProcess]: optionalCleanText,
  [DIP_BLOCK.bounceProcess]: optionalCleanText,
  [DIP_BLOCK.compliesWithAup]: cleanBlock(fc.constantFrom('yes', 'yes', 'yes', 'no')),
  [DIP_BLOCK.useCase]: cleanBlock(freeText(MIN_DEDICATED_USE_CASE_CHARS, 3_000)),
  [DIP_BLOCK.note]: optionalCleanText,
  [DIP_BLOCK.language]: cleanBlock(fc.constantFrom('en', 'ja')),
};
const maybe = (arb: fc.Arbitrary<BlockSpec>) => fc.option(arb, { nil: undefined, freq: 8 });
const messyText = usually(freeText(0, 3_200), ['x', ' '.repeat(200)]);
const messyFields = fc.record({
  [DIP_BLOCK.action]: maybe(blockSpec(usually(fc.constantFrom('request', 'relinquish'), ['Request', 'release']))),
  [DIP_BLOCK.mailType]: maybe(blockSpec(mailTypeValue)),
  [DIP_BLOCK.websiteUrl]: maybe(blockSpec(urlValue)),
  [DIP_BLOCK.optInProcess]: maybe(blockSpec(messyText)),
  [DIP_BLOCK.bounceProcess]: maybe(blockSpec(messyText)),
  [DIP_BLOCK.compliesWithAup]: maybe(blockSpec(yesNoValue)),
  [DIP_BLOCK.useCase]: maybe(blockSpec(messyText)),
  [DIP_BLOCK.note]: maybe(blockSpec(messyText)),
  [DIP_BLOCK.language]: maybe(blockSpec(languageValue)),
});
const messyNumber = maybe(blockSpec(numberValue));
const messyStray = fc.array(fc.tuple(strayBlockId, jsonJunk), { maxLength: 3 });
/** Any positive whole number up to the one bound AWS documents; mostly small, as people type them. */
const positiveUpToBound = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 1_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: MAX_REQUESTED_VALUE }) });
const cleanSendRate = cleanBlock(positiveUpToBound.map(String));
const cleanIpCount = fc.option(cleanBlock(fc.oneof(positiveUpToBound.map(String), fc.constant(''))), { nil: undefined });
const cleanCount = cleanBlock(positiveUpToBound.map(String));
const wrongState = fc.oneof(wrongTopLevel, nastyString);

/** `state.values` for this modal: clean (mostly valid, rows on regions the lookups know) or messy. */
function dedicatedState(meta: DedicatedIpModalMeta, lookups: Record<string, InventoryLookup>): fc.Arbitrary<unknown> {
  const known = Object.keys(lookups);
  const ipsOf = (region: string) => {
    const lookup = lookups[region];
    return lookup?.state === 'ok' ? lookup.inventory.ips.map((ip) => ip.ip) : [];
  };
  const everyIp = known.flatMap(ipsOf);
  const anyIp = everyIp.length ? fc.oneof(fc.constantFrom(...everyIp), fc.ipV4()) : fc.ipV4();

  const regionPick = fc.oneof({ weight: 4, arbitrary: known.length ? fc.constantFrom(...known) : fc.constantFrom(...REGION_CODES) }, { weight: 1, arbitrary: fc.constantFrom(...REGION_CODES) });
  const cleanRow = (region: string) => {
    const lookup = lookups[region];
    const standard = lookup?.state === 'ok' ? standardIps(lookup.inventory).map((ip) => ip.ip) : [];
    return fc.record({
      region: cleanBlock(fc.constant(region)),
      sendRate: cleanSendRate,
      ipCount: cleanIpCount,
      addresses: multi(fc.oneof({ weight: 6, arbitrary: fc.subarray(standard.slice(0, 100), { minLength: standard.length ? 1 : 0 }) }, { weight: 1, arbitrary: fc.array(anyIp, { maxLength: 3 }) })),
      count: cleanCount,
    });
  };
  const n = meta.rowKeys.length;
  // Mostly one region per row, as the rules want; sometimes the same region twice.
  const others = REGION_CODES.filter((r) => !known.includes(r));
  const distinctRegions = fc
    .tuple(fc.shuffledSubarray(known), fc.shuffledSubarray(others, { minLength: n, maxLength: n }))
    .map(([mostlyKnown, rest]) => [...mostlyKnown, ...rest].slice(0, n));
  const cleanRows = fc
    .oneof({ weight: 5, arbitrary: distinctRegions }, { weight: 1, arbitrary: fc.array(regionPick, { minLength: n, maxLength: n }) })
    .chain((regions) => fc.tuple(...regions.map(cleanRow)));
  const clean = fc.record({
    fields: fc.record({
      [DIP_BLOCK.action]: cleanBlock(fc.oneof({ weight: 9, arbitrary: fc.constant(meta.action) }, { weight: 1, arbitrary: fc.constantFrom('request', 'relinquish') })),
      ...cleanFields,
    }),
    rows: cleanRows,
    stray: fc.constant([] as [string, unknown][]),
  });

  const messyRow = fc.record({
    region: maybe(blockSpec(known.length ? fc.oneof(regionValue, fc.constantFrom(...known)) : regionValue)),
    sendRate: messyNumber,
    ipCount: messyNumber,
    addresses: maybe(fc.oneof(multi(fc.array(fc.oneof(anyIp, nastyString), { maxLength: 4 })), blockSpec(anyIp))),
    count: messyNumber,
  });
  const messy = fc.record({ fields: messyFields, rows: fc.array(messyRow, { minLength: n, maxLength: n }), stray: messyStray });

  const materialize = (spec: { fields: Record<string, BlockSpec | undefined>; rows: Record<string, BlockSpec | undefined>[]; stray: [string, unknown][] }) => {
    const blocks: [string, string, BlockSpec | undefined][] = DIP_FIELDS.map((id) => [id, id, spec.fields[id]]);
    meta.rowKeys.forEach((key, i) => {
      const row = spec.rows[i] ?? {};
      blocks.push([rowBlockId(key, 'region'), ACTION.dipRowRegion, row.region]);
      for (const field of ['sendRate', 'ipCount', 'addresses', 'count'] as const) blocks.push([rowBlockId(key, field), ACTION.dipRowInput, row[field]]);
    });
    return materializeState(blocks, spec.stray);
  };
  return fc.oneof({ weight: 10, arbitrary: clean.map(materialize) }, { weight: 10, arbitrary: messy.map(materialize) }, { weight: 1, arbitrary: wrongState });
}

const priceCents = fc.integer({ min: 0, max: 100_000 });
const now = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-12-31T23:59:59Z'), noInvalidDate: true });
const requestId = fc.stringMatching(/^[0-9a-f]{16}$/);
const scenario = fc
  .tuple(dedicatedIpMeta, inventoryLookups)
  .chain(([meta, lookups]) => fc.record({ meta: fc.constant(meta), lookups: fc.constant(lookups), values: dedicatedState(meta, lookups), priceCents, now, id: requestId }));

/** Blank as the form reads it: line breaks of every kind (U+0085, U+2028…) are normalised before trimming. */
const blank = (text: string | null | undefined) => !normalizeLineBreaks(text ?? '').trim();
const typedNumber = (text: string | null | undefined) => Number((text ?? '').trim().replace(/[, _]/g, ''));

function urlProblems(url: string, typed: string | null | undefined): string[] {
  const p: string[] = [];
  if (url !== (typed ?? '').trim()) p.push('URL is not what was typed');
  if (!/^https?:\/\//i.test(url) || url.length > 1000 || /[\s\u0000-\u001f\u007f]/.test(url)) p.push(`URL ${JSON.stringify(url)} breaks the rules`);
  return p;
}

function caseTextProblems(request: DedicatedIpLease | DedicatedIpRelinquish, reference: string): string[] {
  const { subject, body } = dedicatedIpCaseText(request, reference);
  const p: string[] = [];
  if (body.length > MAX_CASE_BODY_CHARS) p.push(`body of ${body.length} characters`);
  if (body.split('\n').at(-1) !== referenceLine(reference)) p.push('the reference line is not the last line');
  if (subject.length > 250 || !subject.endsWith(` [${reference}]`)) p.push('subject');
  return p;
}

export function leaseProblems(lease: DedicatedIpLease, form: DedicatedIpFormInput, reference: string): string[] {
  const p: string[] = [];
  const check = (ok: boolean, what: string) => void (ok || p.push(what));
  check(lease.action === 'request' && lease.compliesWithAup === true && form.compliesWithAup === 'yes', 'AUP answered yes');
  check(Object.hasOwn(MAIL_TYPES, lease.mailType) && lease.mailType === form.mailType, 'mail type');
  check((lease.language === 'en' || lease.language === 'ja') && lease.language === form.language, 'language');
  p.push(...urlProblems(lease.websiteUrl, form.websiteUrl));
  check(lease.useCase === normalizeLineBreaks(form.useCase ?? '').trim(), 'use case is what was typed, line breaks normalised, trimmed');
  check(codePoints(lease.useCase) >= MIN_DEDICATED_USE_CASE_CHARS && codePoints(lease.useCase) <= MAX_TEXT_CHARS, 'use case 100 to 3,000 characters');
  for (const key of ['optInProcess', 'bounceProcess'] as const) {
    const typed = form[key];
    check(blank(typed) ? lease[key] === undefined : lease[key] === normalizeLineBreaks(typed!).trim() && codePoints(lease[key]!) <= MAX_TEXT_CHARS, `${key} kept, trimmed, at most 3,000 characters`);
  }
  check(lease.rows.length >= 1 && lease.rows.length <= MAX_DEDICATED_IP_ROWS && lease.rows.length === form.rows.length, 'every row, 1 to 10');
  check(new Set(lease.rows.map((r) => r.region)).size === lease.rows.length, 'one row per region');
  lease.rows.forEach((row, i) => {
    const typed = form.rows[i]!;
    check(isRegionCode(row.region) && row.region === typed.region, `row ${i}: region`);
    check(Number.isSafeInteger(row.sendRate) && row.sendRate >= 1 && row.sendRate <= MAX_REQUESTED_VALUE && row.sendRate === typedNumber(typed.sendRate), `row ${i}: send rate`);
    check(
      blank(typed.ipCount) ? row.ipCount === undefined : row.ipCount === typedNumber(typed.ipCount) && Number.isSafeInteger(row.ipCount) && row.ipCount >= 1 && row.ipCount <= MAX_REQUESTED_VALUE,
      `row ${i}: IP count`,
    );
  });
  p.push(...caseTextProblems(lease, reference));
  return p;
}

export function relinquishProblems(request: DedicatedIpRelinquish, form: DedicatedIpFormInput, inventories: Inventories, reference: string): string[] {
  const p: string[] = [];
  const check = (ok: boolean, what: string) => void (ok || p.push(what));
  check(request.action === 'relinquish', 'action');
  check((request.language === 'en' || request.language === 'ja') && request.language === form.language, 'language');
  check(blank(form.note) ? request.note === undefined : request.note === normalizeLineBreaks(form.note!).trim() && codePoints(request.note) <= MAX_TEXT_CHARS, 'note');
  check(request.rows.length >= 1 && request.rows.length <= MAX_DEDICATED_IP_ROWS && request.rows.length === form.rows.length, 'every row, 1 to 10');
  check(new Set(request.rows.map((r) => r.region)).size === request.rows.length, 'one row per region');
  request.rows.forEach((row, i) => {
    const typed = form.rows[i]!;
    check(isRegionCode(row.region) && row.region === typed.region, `row ${i}: region`);
    const inventory = inventories[row.region];
    if (inventory) {
      const standard = new Set(standardIps(inventory).map((ip) => ip.ip));
      check(row.addresses.length >= 1, `row ${i}: at least one address`);
      check(row.addresses.every((a) => standard.has(a)), `row ${i}: only standard IPs of ${row.region}: ${row.addresses.join(', ')}`);
      check(new Set(row.addresses).size === row.addresses.length, `row ${i}: no address twice`);
      check(row.count === row.addresses.length, `row ${i}: count ${row.count} matches ${row.addresses.length} addresses`);
      check([...new Set(typed.addresses ?? [])].sort().join() === [...row.addresses].sort().join(), `row ${i}: the addresses chosen`);
    } else {
      check(row.addresses.length === 0, `row ${i}: no addresses without an inventory`);
      check(Number.isSafeInteger(row.count) && row.count >= 1 && row.count <= MAX_REQUESTED_VALUE && row.count === typedNumber(typed.count), `row ${i}: count typed, 1 to the bound`);
    }
  });
  p.push(...caseTextProblems(request, reference));
  return p;
}

describe('dedicated-IP submissions: readDedicatedIpForm + validateLease / validateRelinquish', () => {
  it('never throw, and give either errors on existing input blocks or a request that obeys every rule', () => {
    const outcomes = { request: { ok: 0, errors: 0 }, relinquish: { ok: 0, errors: 0 } };
    fc.assert(
      fc.property(scenario, ({ meta, lookups, values, priceCents, now, id }) => {
        const form = readDedicatedIpForm(values, meta);
        expect(form.rows.map((r) => r.key)).toEqual(meta.rowKeys);
        for (const row of form.rows) expect(row.addresses == null || row.addresses.every((a) => typeof a === 'string')).toBe(true);

        const inventories = knownInventories(lookups);
        const view = buildDedicatedIpModal({ form, meta, lookups, defaultRegion: 'us-east-1', priceCents, now });
        const ids = inputBlockIds(view);
        // Both validators, whatever the modal shows: neither may throw.
        const lease = validateLease(form);
        const relinquish = validateRelinquish(form, inventories);
        const result = meta.action === 'request' ? lease : relinquish;
        if (!result.ok) {
          outcomes[meta.action].errors++;
          const blocks = dedicatedIpErrorsToBlocks(result.errors, meta, ids);
          expect(errorProblems(blocks, ids)).toEqual([]);
          const shown = Object.values(blocks).join('\n');
          for (const message of Object.values(result.errors)) expect(shown).toContain(message);
        } else {
          outcomes[meta.action].ok++;
        }
        if (lease.ok) expect(leaseProblems(lease.value, form, referenceFor(id))).toEqual([]);
        if (relinquish.ok) expect(relinquishProblems(relinquish.value, form, inventories, referenceFor(id))).toEqual([]);
      }),
      { numRuns: 400 },
    );
    // Both outcomes must occur, or the property proved nothing (a low bound: the share of valid forms varies by seed).
    expect(outcomes.request.ok).toBeGreaterThan(1);
    expect(outcomes.relinquish.ok).toBeGreaterThan(1);
    expect(outcomes.request.errors).toBeGreaterThan(50);
    expect(outcomes.relinquish.errors).toBeGreaterThan(50);
  });
});

describe('case body integrity against user text', () => {
  it('a relinquishment note (or a lease\'s free-text answers) cannot add a reference line to the case body', () => {
    const inventories: Inventories = { 'eu-west-1': inventory('eu-west-1', ['192.0.2.10']) };
    fc.assert(
      fc.property(freeText(0, 2_000), requestId, (note, id) => {
        const result = validateRelinquish({ rows: [{ key: '0', region: 'eu-west-1', addresses: ['192.0.2.10'] }], note, language: 'en' }, inventories);
        if (!result.ok) return;
        const reference = referenceFor(id);
        const lines = dedicatedIpCaseText(result.value, reference).body.split(/\r\n|[\n\r\u000b\u000c\u0085\u2028\u2029]/);
        expect(lines.filter((l) => l.trimStart().startsWith('Slack request reference:'))).toEqual([referenceLine(reference)]);
        expect(lines.join('\n').match(/SESBOT-/g)).toHaveLength(1);
      }),
      { endOnFailure: true, numRuns: 200, examples: [[`Please release them today.${INJECTED_LINES[0]}`, '00000000000000aa']] },
    );
  });
});
