/**
 * Arbitraries shared by the property tests: hostile strings, Slack `state.values` in every shape
 * (right, wrong, missing, extra), valid and near-valid modal metadata, inventories, and the
 * Block Kit limits the bot's views must respect.
 *
 * Everything that stands for a Slack payload goes through a JSON round trip (`viaJson`), as Bolt
 * hands the listeners `JSON.parse`d payloads: keys like `__proto__` become own properties there.
 */
import fc from 'fast-check';
import { SES_REGIONS, type RegionCode } from '../../src/domain/regions.js';
import type { DedicatedIp, RegionInventory } from '../../src/domain/dedicated-ip.js';
import type { InventoryLookup } from '../../src/slack/views/dedicated-ip-modal.js';
import { decodeDedicatedIpMeta, decodeQuotaMeta, type DedicatedIpModalMeta, type QuotaLookup, type QuotaModalMeta } from '../../src/slack/modal-metadata.js';


export const REGION_CODES = SES_REGIONS.map((r) => r.code) as RegionCode[];

/** What Bolt would hand a listener for this value: a JSON round trip. */
export function viaJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

// ---------------------------------------------------------------------------------------------
// Strings.

/**
 * Length as the validators measure it: zod counts Unicode code points (an emoji is one), while
 * `.length` counts UTF-16 units (an emoji is two). Case bodies are measured in UTF-16 units.
 */
export function codePoints(text: string): number {
  return [...text].length;
}

/** Characters that break naive text handling: controls, line and paragraph separators, lone surrogates, mrkdwn. */
export const SPECIAL_CHARS = [
  '\u0000', '\u0001', '\u0008', '\t', '\n', '\u000b', '\u000c', '\r', '\u001b', '\u001f', '\u007f',
  '\u0085', '\u00a0', '\u00ad', '\u200b', '\u200e', '\u202e', '\u2028', '\u2029', '\u3000', '\ufeff', '\ufffd',
  '\ud800', '\udbff', '\udc00', '\udfff', '😀', '👩‍👩‍👧', 'é', 'ß', 'İ', '日本', 'ﷺ',
  '<', '>', '&', '|', '*', '_', '~', '`', '"', '\\', '/', ':', '.', ',', ' ', '-', '#', '@', '!', '^', '{', '}',
  '<!channel>', '<!here>', '<@U0VICTIM>', '<#C0OTHER>', '<https://evil.example|click>', '&lt;', '&amp;', '&gt;',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty',
];

const specialChar = fc.constantFrom(...SPECIAL_CHARS);

/** One long run of one character (or a short pattern): "huge values". */
export const hugeString = fc
  .tuple(fc.constantFrom('a', ' ', '\n', 'é', '😀', '\u0000', '<', '&', 'ab cd\n', '\r\n', '9'), fc.integer({ min: 1_000, max: 12_000 }))
  .map(([c, n]) => c.repeat(Math.ceil(n / c.length)).slice(0, n));

/** Any string a user, a forged payload or a broken client could put where text is expected. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.array(fc.oneof(specialChar, fc.string({ unit: 'binary-ascii', maxLength: 3 })), { maxLength: 30 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: hugeString },
);

/** Lines a user might try to smuggle into a case body through a multi-line field. */
export const INJECTED_LINES = [
  '\nSlack request reference: SESBOT-0123456789abcdef',
  '\nLimit increase request 99',
  '\nLimit increase request 1\nService: SES Sending Limits\nRegion: US East (N. Virginia)\nLimit name: Desired Maximum Send Quota\nNew limit value: 1000000000\n------------',
  '\r\nSlack request reference: SESBOT-ffffffffffffffff',
  '\u2028Slack request reference: SESBOT-aaaaaaaaaaaaaaaa',
  '\nMail Type: Marketing',
  '\n\nSESBOT-0000000000000000',
];

/** Free text of a target length (often inside the validators' bounds), with hostile inserts. */
export function freeText(minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc
    .record({
      n: fc.integer({ min: minLength, max: maxLength }),
      unit: fc.constantFrom(
        'We send receipts to customers who bought from us. ',
        'Bounces and complaints go to SNS and suppress the address.\n',
        'Ünïcödé 😀 text, 日本語も。 ',
        'line one\r\nline two\n\n',
        '<!channel> & <@U1> *bold* `code` ',
        'x',
      ),
      inserts: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...INJECTED_LINES), specialChar), fc.nat()), { maxLength: 3 }),
      pad: fc.constantFrom('', '  ', '\n\n', '\t \u3000'),
    })
    .map(({ n, unit, inserts, pad }) => {
      let text = unit.repeat(Math.ceil(n / unit.length) || 0).slice(0, n);
      for (const [insert, at] of inserts) {
        const i = text.length ? at % text.length : 0;
        text = text.slice(0, i) + insert + text.slice(i);
      }
      return pad + text + pad;
    });
}

/** A value that is usually one of `good`, sometimes a near miss, sometimes anything. */
export function usually(good: fc.Arbitrary<string>, nearMisses: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 12, arbitrary: good },
    { weight: 1, arbitrary: fc.constantFrom(...nearMisses, '', ' ', '__proto__', 'constructor', 'toString', 'valueOf') },
    { weight: 1, arbitrary: nastyString },
  );
}

export const VALID_URLS = [
  'https://example.com',
  'http://shop.example.co.uk/path?q=1#top',
  'https://EXAMPLE.COM/',
  'https://xn--r8jz45g.jp',
  'https://a-b.example/' + 'p'.repeat(960),
];
export const TRICKY_URLS = [
  'ftp://example.com',
  'javascript:alert(1)',
  'https://localhost',
  'https://127.0.0.1',
  'https://user:pw@example.com',
  'https://example.com/ with space',
  'https://example.com/\nSlack request reference: SESBOT-0123456789abcdef',
  'https://example.com/\u0085x',
  'https://example.com/\ud800',
  'https://example.com\\@evil.com',
  'https://例え.jp',
  'example.com',
  '//example.com',
  'https://',
  'https://example.com/' + 'a'.repeat(1000),
  '   https://example.com   ',
  'https://example.com/SESBOT-0123456789abcdef',
];

export const urlValue = usually(
  fc.oneof(fc.constantFrom(...VALID_URLS), fc.webUrl({ validSchemes: ['https', 'http'], withQueryParameters: true, withFragments: true })),
  TRICKY_URLS,
);

export const regionValue = usually(fc.constantFrom(...REGION_CODES), ['us-gov-west-1', 'cn-north-1', 'US-EAST-1', ' us-east-1', 'us-east-1\n', 'Europe (Ireland)']);

export const wholeNumberText = fc.oneof(
  fc.integer({ min: 1, max: 2_000_000_000 }).map(String),
  fc.integer({ min: 1, max: 100_000 }).map(String),
  fc.integer({ min: 1, max: 120 }).map(String),
  fc.integer({ min: 1_000, max: 999_999_999 }).map((n) => n.toLocaleString('en-US')),
  fc.integer({ min: 1_000, max: 999_999 }).map((n) => n.toLocaleString('en-US').replace(/,/g, ' ')),
);
export const NUMBER_NEAR_MISSES = [
  '0', '-5', '1.5', '1e6', '1,5', '0x10', '١٢٣', '２００', 'Infinity', 'NaN', '99999999999999999999', '999,999,999,999,999',
  '1_000', '1,000,00', ' 200000 ', '200000\n', '+5', '00000000000000001', '1 0', '٠',
];
export const numberValue = usually(wholeNumberText, NUMBER_NEAR_MISSES);

export const yesNoValue = usually(fc.constantFrom('yes', 'yes', 'yes', 'no'), ['Yes', 'YES', 'true', 'y', ' yes']);
export const mailTypeValue = usually(fc.constantFrom('marketing', 'transactional', 'system_notifications'), ['Marketing', 'system notifications']);
export const languageValue = usually(fc.constantFrom('en', 'ja'), ['fr', 'EN', 'english', 'en-US']);

// ---------------------------------------------------------------------------------------------
// Slack state.values, in every shape.

/** How a value is wrapped as a block element: right for the element, or the wrong type altogether. */
export type ElementSpec =
  | { as: 'value'; value: string; extra?: unknown }
  | { as: 'selected_option'; value: string; extra?: unknown }
  | { as: 'selected_options'; values: string[] }
  | { as: 'raw'; element: unknown };

/** Anything JSON can carry, with the keys the readers look for among them. */
export const jsonJunk: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, 0, -1, 1e308, true, '', [], {}, [null], { value: null }, { value: 42 }, { value: ['yes'] }, { value: { value: 'yes' } }),
  fc.constantFrom({ selected_option: 'yes' }, { selected_option: [{ value: 'yes' }] }, { selected_option: { value: 7 } }, { selected_option: null }),
  fc.constantFrom({ selected_options: 'yes' }, { selected_options: [null, 1, 'x', { value: 3 }] }, { selected_options: { value: 'x' } }),
  fc.constantFrom({ __proto__: { value: 'yes' } }, JSON.parse('{"__proto__":{"value":"yes"}}'), JSON.parse('{"constructor":{"value":"yes"}}')),
);

export function elementSpec(value: fc.Arbitrary<string>): fc.Arbitrary<ElementSpec> {
  return fc.oneof(
    { weight: 10, arbitrary: fc.record({ as: fc.constant('value' as const), value }) },
    { weight: 10, arbitrary: fc.record({ as: fc.constant('selected_option' as const), value }) },
    { weight: 1, arbitrary: fc.record({ as: fc.constant('value' as const), value, extra: jsonJunk }) },
    { weight: 1, arbitrary: fc.record({ as: fc.constant('selected_option' as const), value, extra: jsonJunk }) },
    { weight: 1, arbitrary: fc.record({ as: fc.constant('selected_options' as const), values: fc.array(value, { maxLength: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ as: fc.constant('raw' as const), element: jsonJunk }) },
  );
}

export function materializeElement(spec: ElementSpec): unknown {
  switch (spec.as) {
    case 'value':
      return { type: 'plain_text_input', value: spec.value, ...(spec.extra !== undefined ? { selected_option: spec.extra } : {}) };
    case 'selected_option':
      return {
        type: 'static_select',
        selected_option: { text: { type: 'plain_text', text: 'x', emoji: true }, value: spec.value },
        ...(spec.extra !== undefined ? { value: spec.extra } : {}),
      };
    case 'selected_options':
      return { type: 'multi_static_select', selected_options: spec.values.map((value) => ({ text: { type: 'plain_text', text: 'x' }, value })) };
    case 'raw':
      return spec.element;
  }
}

/** Where the element sits in its block: under the right action id, under another key, among junk, or no block object at all. */
export type BlockSpec =
  | { at: 'action'; element: ElementSpec; junk: [string, unknown][]; junkFirst: boolean }
  | { at: 'other-key'; key: string; element: ElementSpec }
  | { at: 'wrong-block'; block: unknown };

export function blockSpec(value: fc.Arbitrary<string>): fc.Arbitrary<BlockSpec> {
  return fc.oneof(
    {
      weight: 20,
      arbitrary: fc.record({
        at: fc.constant('action' as const),
        element: elementSpec(value),
        junk: fc.oneof({ weight: 5, arbitrary: fc.constant([] as [string, unknown][]) }, { weight: 1, arbitrary: fc.array(fc.tuple(nastyString, jsonJunk), { maxLength: 2 }) }),
        junkFirst: fc.boolean(),
      }),
    },
    { weight: 1, arbitrary: fc.record({ at: fc.constant('other-key' as const), key: fc.oneof(nastyString, fc.constantFrom('row_region', 'row_value', 'dip_row_input', '__proto__')), element: elementSpec(value) }) },
    { weight: 1, arbitrary: fc.record({ at: fc.constant('wrong-block' as const), block: jsonJunk }) },
  );
}

export function materializeBlock(spec: BlockSpec, actionId: string): unknown {
  switch (spec.at) {
    case 'action': {
      const junk = spec.junk.filter(([k]) => k !== actionId);
      const entries: [string, unknown][] = [[actionId, materializeElement(spec.element)]];
      return Object.fromEntries(spec.junkFirst ? [...junk, ...entries] : [...entries, ...junk]);
    }
    case 'other-key':
      return Object.fromEntries([[spec.key, materializeElement(spec.element)]]);
    case 'wrong-block':
      return spec.block;
  }
}

/** Block ids that are not the form's: other rows, other forms, prototype keys. */
export const strayBlockId = fc.oneof(
  nastyString,
  fc.constantFrom('__proto__', 'constructor', 'toString', 'row:zz:region', 'row:0:region ', 'ROW:0:REGION', 'reply_body', 'dip_action', 'use_case_questions'),
  fc.stringMatching(/^row:[a-z0-9]{1,9}:(region|limit|newValue|sendRate|ipCount|addresses|count|header)$/),
);

/** Top-level `state.values` that is not an object at all. */
export const wrongTopLevel = fc.constantFrom(null, undefined, 'values', 42, true, [], [{ mail_type: { mail_type: { value: 'marketing' } } }]);

/** Builds `state.values` from block specs keyed by block id (row fields get `rowActionIds`). */
export function materializeState(
  blocks: [blockId: string, actionId: string, spec: BlockSpec | undefined][],
  stray: [string, unknown][],
): Record<string, unknown> {
  const entries: [string, unknown][] = [];
  for (const [blockId, actionId, spec] of blocks) if (spec) entries.push([blockId, materializeBlock(spec, actionId)]);
  const known = new Set(entries.map(([k]) => k));
  for (const [k, v] of stray) if (!known.has(k)) entries.push([k, v]);
  return viaJson(Object.fromEntries(entries));
}

// ---------------------------------------------------------------------------------------------
// Modal metadata.

export const rowKey = fc.stringMatching(/^[a-z0-9]{1,8}$/);
export const channelId = fc.stringMatching(/^[CGD][A-Z0-9]{2,30}$/);
export const responseUrl = fc.option(
  fc.oneof(
    fc.constantFrom('https://hooks.slack.com/commands/T111/1234567890/abcdefABCDEF0123456789', 'http://127.0.0.1:9/response/cmd-1'),
    fc.webUrl({ validSchemes: ['https'], withQueryParameters: true }).filter((u) => u.length <= 500),
  ),
  { nil: undefined },
);

const finiteNumber = fc.oneof(
  fc.constant(-1),
  fc.integer({ min: 0, max: 2_000_000_000 }),
  fc.integer({ min: -100, max: 100 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
);

export const quotaLookup: fc.Arbitrary<QuotaLookup> = fc.oneof(
  fc.constant({ state: 'loading' as const }),
  fc.record({
    state: fc.constant('ok' as const),
    quota: fc.record({ max24HourSend: finiteNumber, maxSendRate: finiteNumber, sentLast24Hours: finiteNumber, productionAccess: fc.boolean() }),
  }),
  fc.record({ state: fc.constant('error' as const), message: fc.string({ unit: 'binary', maxLength: 300 }) }),
);

/** Quota metadata that the schema accepts, with distinct row keys (what the bot itself writes). */
export const quotaMeta: fc.Arbitrary<QuotaModalMeta> = fc
  .record({
    kind: fc.constant('quota' as const),
    channelId,
    responseUrl,
    rowKeys: fc.uniqueArray(rowKey, { minLength: 1, maxLength: 10 }),
    nextRowKey: fc.integer({ min: 0, max: 1_000_000 }),
    quotas: fc.dictionary(fc.oneof(fc.constantFrom(...REGION_CODES), fc.string({ maxLength: 20 })), quotaLookup, { maxKeys: 12, noNullPrototype: true }),
  })
  // What the listener sees is what the schema makes of it (it drops a `__proto__` quota, say).
  .map(({ responseUrl: url, ...rest }) => decodeQuotaMeta(JSON.stringify({ ...rest, ...(url === undefined ? {} : { responseUrl: url }) })))
  .filter((meta): meta is QuotaModalMeta => meta !== undefined);

export const dedicatedIpMeta: fc.Arbitrary<DedicatedIpModalMeta> = fc
  .record({
    kind: fc.constant('dedicated_ip' as const),
    action: fc.constantFrom('request' as const, 'relinquish' as const),
    channelId,
    responseUrl,
    rowKeys: fc.uniqueArray(rowKey, { minLength: 1, maxLength: 10 }),
    nextRowKey: fc.integer({ min: 0, max: 1_000_000 }),
  })
  .map(({ responseUrl: url, ...rest }) => decodeDedicatedIpMeta(JSON.stringify({ ...rest, ...(url === undefined ? {} : { responseUrl: url }) })))
  .filter((meta): meta is DedicatedIpModalMeta => meta !== undefined);

// ---------------------------------------------------------------------------------------------
// Dedicated IP inventories.

export const dedicatedIp: fc.Arbitrary<DedicatedIp> = fc.record({
  ip: fc.oneof({ weight: 9, arbitrary: fc.ipV4() }, { weight: 1, arbitrary: fc.constantFrom('10.0.0.1', '256.1.1.1', '::1') }),
  pool: fc.oneof(fc.constantFrom('default', 'marketing', 'ses-default-dedicated-pool'), fc.string({ unit: 'binary', maxLength: 64 }), fc.constantFrom('<!channel>', 'a&b', '`x`', 'p'.repeat(300))),
  scalingMode: fc.constantFrom('STANDARD' as const, 'STANDARD' as const, 'MANAGED' as const),
  warmupStatus: fc.constantFrom('DONE', 'IN_PROGRESS', 'NOT_APPLICABLE'),
  warmupPercentage: fc.integer({ min: -1, max: 100 }),
});

export function inventory(region: RegionCode): fc.Arbitrary<RegionInventory> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.array(dedicatedIp, { maxLength: 8 }) },
    { weight: 1, arbitrary: fc.array(dedicatedIp, { minLength: 95, maxLength: 130 }) },
  ).map((ips) => ({ region, ips }));
}

/** Per region: read, unreadable, still loading or never asked. */
export const inventoryLookups: fc.Arbitrary<Record<string, InventoryLookup>> = fc
  .array(
    fc.constantFrom(...REGION_CODES).chain((region) =>
      fc.tuple(
        fc.constant(region),
        fc.oneof(
          { weight: 5, arbitrary: inventory(region).map((inv) => ({ state: 'ok' as const, inventory: inv }) as InventoryLookup) },
          { weight: 2, arbitrary: fc.string({ maxLength: 200 }).map((message) => ({ state: 'error' as const, message }) as InventoryLookup) },
          { weight: 1, arbitrary: fc.constant({ state: 'loading' } as InventoryLookup) },
        ),
      ),
    ),
    { maxLength: 8 },
  )
  .map((entries) => Object.fromEntries(entries));

// ---------------------------------------------------------------------------------------------
// Block Kit limits.

type Json = Record<string, any>;

/** Every Block Kit limit the brief names, plus the ones that make Slack refuse a view outright. */
export function blockKitViolations(view: Json, opts: { maxBlocks: number }): string[] {
  const problems: string[] = [];
  const blocks: Json[] = view.blocks ?? [];
  if (blocks.length > opts.maxBlocks) problems.push(`${blocks.length} blocks`);
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) problems.push(`private_metadata of ${view.private_metadata.length} characters`);
  for (const key of ['title', 'submit', 'close'] as const) if (view[key] && view[key].text.length > 24) problems.push(`${key} over 24 characters`);
  const ids = blocks.map((b) => b.block_id).filter((id): id is string => typeof id === 'string');
  const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (dupes.length) problems.push(`duplicate block ids ${[...new Set(dupes)].join(', ')}`);
  for (const id of ids) if (id.length > 255 || id.length === 0) problems.push(`block id of ${id.length} characters`);

  const text = (where: string, t: Json | undefined, max: number) => {
    if (!t) return;
    if (typeof t.text !== 'string') problems.push(`${where}: text is not a string`);
    else if (t.text.length > max) problems.push(`${where}: ${t.text.length} > ${max} characters`);
    else if (t.text.length === 0) problems.push(`${where}: empty text`);
  };
  const options = (where: string, opts: Json[] | undefined) => {
    if (!opts) return;
    if (opts.length > 100) problems.push(`${where}: ${opts.length} options`);
    for (const o of opts) {
      text(`${where} option`, o.text, 75);
      text(`${where} option description`, o.description, 75);
      if (typeof o.value === 'string' && o.value.length > 150) problems.push(`${where}: option value of ${o.value.length} characters`);
    }
  };
  const element = (where: string, e: Json | undefined) => {
    if (!e) return;
    if (typeof e.action_id === 'string' && e.action_id.length > 255) problems.push(`${where}: long action id`);
    text(`${where} placeholder`, e.placeholder, 150);
    text(`${where} button`, e.type === 'button' ? e.text : undefined, 75);
    options(where, e.options);
    if (typeof e.initial_value === 'string' && e.initial_value.length > 3000) problems.push(`${where}: initial_value of ${e.initial_value.length}`);
  };
  blocks.forEach((b, i) => {
    const where = `block ${i} (${b.block_id ?? b.type})`;
    if (b.type === 'section') {
      text(where, b.text, 3000);
      element(`${where} accessory`, b.accessory);
    } else if (b.type === 'context') {
      if ((b.elements ?? []).length > 10) problems.push(`${where}: over 10 context elements`);
      for (const e of b.elements ?? []) text(where, e, 3000);
    } else if (b.type === 'header') {
      text(where, b.text, 150);
    } else if (b.type === 'input') {
      text(`${where} label`, b.label, 2000);
      text(`${where} hint`, b.hint, 2000);
      element(where, b.element);
    } else if (b.type === 'actions') {
      if ((b.elements ?? []).length > 25) problems.push(`${where}: over 25 elements`);
      for (const e of b.elements ?? []) element(where, e);
    }
  });
  return problems;
}

/** Input blocks' ids of a view. */
export function inputBlockIds(view: { blocks?: unknown[] }): Set<string> {
  return new Set(
    ((view.blocks ?? []) as Json[]).filter((b) => b.type === 'input' && typeof b.block_id === 'string').map((b) => b.block_id as string),
  );
}

/** The `response_action: "errors"` contract: only existing input blocks, each with a non-empty string. */
export function errorProblems(errors: Record<string, unknown>, inputIds: Set<string>): string[] {
  const problems: string[] = [];
  const entries = Object.entries(errors);
  if (entries.length === 0) problems.push('no errors in an error response');
  for (const [blockId, message] of entries) {
    if (!inputIds.has(blockId)) problems.push(`error on "${blockId}", which is not an input block of the view`);
    if (typeof message !== 'string' || message.trim().length === 0) problems.push(`empty or non-string message on ${blockId}`);
  }
  return problems;
}
