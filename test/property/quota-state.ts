/**
 * Arbitrary `state.values` for the /ses-quota modal: clean submissions (most of them valid) and
 * messy ones (missing, extra and mistyped blocks, hostile strings), laid out on the metadata's rows.
 */
import fc from 'fast-check';
import { ACTION, QUOTA_BLOCK, rowBlockId } from '../../src/slack/ids.js';
import {
  blockSpec,
  freeText,
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
  wholeNumberText,
  wrongTopLevel,
  yesNoValue,
  REGION_CODES,
  VALID_URLS,
  type BlockSpec,
} from './arbitraries.js';

const FIELDS = [
  QUOTA_BLOCK.mailType,
  QUOTA_BLOCK.websiteUrl,
  QUOTA_BLOCK.compliesWithAup,
  QUOTA_BLOCK.onlyRequestedRecipients,
  QUOTA_BLOCK.handlesBouncesAndComplaints,
  QUOTA_BLOCK.useCase,
  QUOTA_BLOCK.language,
] as const;
type Field = (typeof FIELDS)[number];
const ROW_FIELDS = [
  ['region', ACTION.rowRegion],
  ['limit', ACTION.rowLimit],
  ['newValue', ACTION.rowValue],
] as const;

export interface QuotaStateSpec {
  wrongTop?: unknown;
  fields: Partial<Record<Field, BlockSpec>>;
  rows: Partial<Record<'region' | 'limit' | 'newValue', BlockSpec>>[];
  stray: [string, unknown][];
}

const limitValue = usually(fc.constantFrom('send_quota', 'send_rate'), ['Send quota', 'send-quota', 'max24HourSend']);
const useCaseValue = usually(freeText(140, 5_200), ['Need more.', 'x'.repeat(149), ' '.repeat(400)]);

/** A well-formed element under the right action id. */
function clean(value: fc.Arbitrary<string>): fc.Arbitrary<BlockSpec> {
  return fc.record({
    at: fc.constant('action' as const),
    element: fc.record({ as: fc.constantFrom('value' as const, 'selected_option' as const), value }),
    junk: fc.constant([] as [string, unknown][]),
    junkFirst: fc.constant(false),
  });
}

function specOf(make: (value: fc.Arbitrary<string>) => fc.Arbitrary<BlockSpec>, missing: number, values: {
  mailType: fc.Arbitrary<string>;
  url: fc.Arbitrary<string>;
  aup: fc.Arbitrary<string>;
  yesNo: fc.Arbitrary<string>;
  useCase: fc.Arbitrary<string>;
  language: fc.Arbitrary<string>;
  region: fc.Arbitrary<string>;
  limit: fc.Arbitrary<string>;
  number: fc.Arbitrary<string>;
}): fc.Arbitrary<QuotaStateSpec> {
  const opt = (value: fc.Arbitrary<string>) => (missing ? fc.option(make(value), { nil: undefined, freq: missing }) : make(value));
  const row = fc.record({ region: opt(values.region), limit: opt(values.limit), newValue: opt(values.number) });
  return fc.record({
    fields: fc.record({
      [QUOTA_BLOCK.mailType]: opt(values.mailType),
      [QUOTA_BLOCK.websiteUrl]: opt(values.url),
      [QUOTA_BLOCK.compliesWithAup]: opt(values.aup),
      [QUOTA_BLOCK.onlyRequestedRecipients]: opt(values.yesNo),
      [QUOTA_BLOCK.handlesBouncesAndComplaints]: opt(values.yesNo),
      [QUOTA_BLOCK.useCase]: opt(values.useCase),
      [QUOTA_BLOCK.language]: opt(values.language),
    }) as fc.Arbitrary<Partial<Record<Field, BlockSpec>>>,
    rows: fc.array(row, { minLength: 10, maxLength: 10 }),
    stray: missing ? fc.array(fc.tuple(strayBlockId, jsonJunk), { maxLength: 3 }) : fc.constant([]),
  });
}

/** Mostly-valid submissions: every block present and well-formed, values usually acceptable. */
const cleanSpec = specOf(clean, 0, {
  mailType: fc.constantFrom('marketing', 'transactional', 'system_notifications'),
  url: fc.oneof(fc.constantFrom(...VALID_URLS), fc.webUrl({ validSchemes: ['https', 'http'] })),
  aup: fc.constantFrom('yes', 'yes', 'yes', 'yes', 'no'),
  yesNo: fc.constantFrom('yes', 'no'),
  useCase: freeText(150, 5_000),
  language: fc.constantFrom('en', 'ja'),
  region: fc.constantFrom(...REGION_CODES),
  limit: fc.constantFrom('send_quota', 'send_rate'),
  number: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 100_000 }).map(String) }, { weight: 1, arbitrary: wholeNumberText }),
});

/** Anything: missing, extra, mistyped blocks and hostile values. */
const messySpec = specOf(blockSpec, 10, {
  mailType: mailTypeValue,
  url: urlValue,
  aup: yesNoValue,
  yesNo: yesNoValue,
  useCase: useCaseValue,
  language: languageValue,
  region: regionValue,
  limit: limitValue,
  number: numberValue,
});

const wrongTopSpec: fc.Arbitrary<QuotaStateSpec> = wrongTopLevel.map((wrongTop) => ({ wrongTop, fields: {}, rows: [], stray: [] }));

export const quotaStateSpec: fc.Arbitrary<QuotaStateSpec> = fc.oneof(
  { weight: 10, arbitrary: cleanSpec },
  { weight: 10, arbitrary: messySpec },
  { weight: 1, arbitrary: wrongTopSpec },
  { weight: 1, arbitrary: nastyString.map((s) => ({ wrongTop: s, fields: {}, rows: [], stray: [] })) },
);

/** The `state.values` the spec describes for a modal with these row keys. */
export function quotaState(spec: QuotaStateSpec, rowKeys: string[]): unknown {
  if ('wrongTop' in spec) return spec.wrongTop;
  const blocks: [string, string, BlockSpec | undefined][] = FIELDS.map((id) => [id, id, spec.fields[id]]);
  rowKeys.forEach((key, i) => {
    const row = spec.rows[i] ?? {};
    for (const [field, actionId] of ROW_FIELDS) blocks.push([rowBlockId(key, field), actionId, row[field]]);
  });
  return materializeState(blocks, spec.stray);
}
