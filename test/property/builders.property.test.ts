/**
 * Property 4: the views and messages the bot builds never throw and stay inside Block Kit's limits
 * for any form state and any valid metadata, and a redraw keeps what the user typed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAIL_TYPES } from '../../src/domain/common.js';
import type { QuotaFormInput, QuotaIncreaseRequest } from '../../src/domain/quota-request.js';
import type { DedicatedIpFormInput, DedicatedIpRequest } from '../../src/domain/dedicated-ip.js';
import type { DedicatedIpModalMeta, QuotaModalMeta } from '../../src/slack/modal-metadata.js';
import { readDedicatedIpForm } from '../../src/slack/dedicated-ip-form.js';
import { readQuotaForm } from '../../src/slack/quota-form.js';
import { buildDedicatedIpModal, type DedicatedIpModalInput, type InventoryLookup } from '../../src/slack/views/dedicated-ip-modal.js';
import { buildQuotaModal } from '../../src/slack/views/quota-modal.js';
import { buildRootMessage } from '../../src/slack/views/root-message.js';
import type { RequestStatus, StoredRequest } from '../../src/domain/request.js';
import { fillState } from '../helpers/slack-requests.js';
import {
  blockKitViolations,
  dedicatedIpMeta,
  inventoryLookups,
  nastyString,
  quotaMeta,
  REGION_CODES,
  VALID_URLS,
} from './arbitraries.js';
import { inventory } from '../domain/dedicated-ip-builders.js';

type Json = Record<string, any>;

/** A form field as the readers can leave it: a string (anything), null or missing. */
const anyValue = (...good: string[]) => fc.option(fc.oneof(fc.constantFrom(...good), nastyString), { nil: undefined, freq: 6 }).map((v) => v);
const orNull = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 9, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) });

/** Rows for some of the metadata's keys (not necessarily all, maybe in another order) and stray keys. */
function rowsFor<R>(keys: string[], row: fc.Arbitrary<R>): fc.Arbitrary<(R & { key: string })[]> {
  return fc
    .tuple(fc.subarray([...keys, 'zz', 'stray']), fc.array(row, { minLength: keys.length + 2, maxLength: keys.length + 2 }))
    .map(([chosen, rows]) => chosen.map((key, i) => ({ ...rows[i]!, key })));
}

const quotaScenario = quotaMeta.chain((meta) =>
  fc.record({
    meta: fc.constant(meta),
    form: fc.record({
      mailType: orNull(anyValue(...Object.keys(MAIL_TYPES))),
      websiteUrl: orNull(anyValue(...VALID_URLS)),
      compliesWithAup: orNull(anyValue('yes', 'no')),
      onlyRequestedRecipients: orNull(anyValue('yes', 'no')),
      handlesBouncesAndComplaints: orNull(anyValue('yes', 'no')),
      rows: rowsFor(meta.rowKeys, fc.record({ region: orNull(anyValue(...REGION_CODES)), limit: orNull(anyValue('send_quota', 'send_rate')), newValue: orNull(anyValue('200000')) })),
      useCase: orNull(anyValue('We send receipts.')),
      language: orNull(anyValue('en', 'ja')),
    }) as fc.Arbitrary<QuotaFormInput>,
    defaultRegion: fc.constantFrom('us-east-1', 'eu-west-1', 'not-a-region', ''),
  }),
);

function dedicatedScenarioFor(meta: DedicatedIpModalMeta, lookups: Record<string, InventoryLookup>) {
  const ips = Object.values(lookups).flatMap((l) => (l.state === 'ok' ? l.inventory.ips.map((ip) => ip.ip) : []));
  const address = ips.length ? fc.oneof(fc.constantFrom(...ips), nastyString) : nastyString;
  return fc.record({
    meta: fc.constant(meta),
    lookups: fc.constant(lookups),
    form: fc.record({
      action: orNull(anyValue('request', 'relinquish')),
      mailType: orNull(anyValue(...Object.keys(MAIL_TYPES))),
      websiteUrl: orNull(anyValue(...VALID_URLS)),
      optInProcess: orNull(anyValue('We only mail customers.')),
      bounceProcess: orNull(anyValue('SNS suppresses bounces.')),
      compliesWithAup: orNull(anyValue('yes', 'no')),
      rows: rowsFor(
        meta.rowKeys,
        fc.record({
          region: orNull(anyValue(...Object.keys(lookups), ...REGION_CODES)),
          sendRate: orNull(anyValue('100')),
          ipCount: orNull(anyValue('1', '2', '100')),
          addresses: orNull(fc.option(fc.oneof(fc.array(address, { maxLength: 5 }), fc.constant(ips)), { nil: undefined })),
          count: orNull(anyValue('1', '3', '0', '-2')),
        }),
      ),
      useCase: orNull(anyValue('We need dedicated IPs.')),
      note: orNull(anyValue('Thanks.')),
      language: orNull(anyValue('en', 'ja')),
    }) as fc.Arbitrary<DedicatedIpFormInput>,
    defaultRegion: fc.constantFrom<string>('us-east-1', 'eu-west-1', 'not-a-region'),
    priceCents: fc.integer({ min: 0, max: 10_000_000 }),
    now: fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }),
  });
}
const dedicatedScenario = fc.tuple(dedicatedIpMeta, inventoryLookups).chain(([meta, lookups]) => dedicatedScenarioFor(meta, lookups));

/** Block Kit refuses a select whose initial option(s) are not among its options. */
function initialOptionProblems(view: Json): string[] {
  const problems: string[] = [];
  for (const block of view.blocks as Json[]) {
    const e = block.element ?? {};
    const values = new Set(((e.options ?? []) as Json[]).map((o) => JSON.stringify(o)));
    const initial: Json[] = [...(e.initial_option ? [e.initial_option] : []), ...(e.initial_options ?? [])];
    for (const o of initial) if (!values.has(JSON.stringify(o))) problems.push(`${block.block_id}: initial option ${o.value} is not among the options`);
  }
  return problems;
}

describe('modal builders stay inside Block Kit limits', () => {
  it('buildQuotaModal: any form state, any valid metadata', () => {
    fc.assert(
      fc.property(quotaScenario, ({ meta, form, defaultRegion }) => {
        const view = buildQuotaModal(form, meta, defaultRegion) as Json;
        expect(blockKitViolations(view, { maxBlocks: 100 })).toEqual([]);
        expect(initialOptionProblems(view)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('buildDedicatedIpModal: any form state, inventories, price and date', () => {
    fc.assert(
      fc.property(dedicatedScenario, (input) => {
        const view = buildDedicatedIpModal(input) as Json;
        expect(blockKitViolations(view, { maxBlocks: 100 })).toEqual([]);
        // Outside the known bug below (over 100 standard IPs in a region), preselections are offered options.
        const over100 = Object.values(input.lookups).some((l) => l.state === 'ok' && l.inventory.ips.filter((ip) => ip.scalingMode === 'STANDARD').length > 100);
        if (!over100) expect(initialOptionProblems(view)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('preselects only addresses the relinquish select offers (it lists the first 100)', () => {
    fc.assert(
      fc.property(dedicatedScenario, (input) => {
        expect(initialOptionProblems(buildDedicatedIpModal(input) as Json)).toEqual([]);
      }),
      { endOnFailure: true, numRuns: 300, examples: [[relinquishBeyondTheHundredth()]] },
    );
  });
});

/** 120 standard IPs in eu-west-1, the 110th chosen (a forged or stale state). */
function relinquishBeyondTheHundredth(): DedicatedIpModalInput {
  const addresses = Array.from({ length: 120 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
  return {
    meta: { kind: 'dedicated_ip' as const, action: 'relinquish' as const, channelId: 'C0SESOPS', rowKeys: ['0'], nextRowKey: 1 },
    lookups: { 'eu-west-1': { state: 'ok' as const, inventory: inventory('eu-west-1', addresses) } },
    form: { rows: [{ key: '0', region: 'eu-west-1', addresses: ['10.0.0.109'] }] },
    defaultRegion: 'us-east-1',
    priceCents: 2495,
    now: new Date('2025-03-15T00:00:00Z'),
  };
}

// ---------------------------------------------------------------------------------------------
// A redraw (add or remove a row, change a region) rebuilds the modal from the form it read: the
// user's answers must come back as the inputs' initial values, unchanged.

function validQuotaForm(maxUseCase: number) {
  return quotaMeta.chain((meta) =>
    fc.record({
      meta: fc.constant(meta),
      form: fc.record({
        mailType: fc.constantFrom(...Object.keys(MAIL_TYPES)),
        websiteUrl: fc.string({ minLength: 1, maxLength: 1000 }).filter((s) => s.length <= 1000),
        compliesWithAup: fc.constantFrom('yes', 'no'),
        onlyRequestedRecipients: fc.constantFrom('yes', 'no'),
        handlesBouncesAndComplaints: fc.constantFrom('yes', 'no'),
        rows: fc.tuple(
          ...meta.rowKeys.map((key) =>
            fc.record({ key: fc.constant(key), region: fc.constantFrom(...REGION_CODES), limit: fc.constantFrom('send_quota', 'send_rate'), newValue: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.length <= 20) }),
          ),
        ),
        useCase: fc.tuple(fc.constantFrom('a', 'é', '\n', ' ', 'x y '), fc.integer({ min: 1, max: maxUseCase })).map(([c, n]) => c.repeat(n).slice(0, n)).filter((s) => s.length > 0),
        language: fc.constantFrom('en', 'ja'),
      }) as fc.Arbitrary<QuotaFormInput>,
    }),
  );
}

function roundTrip(form: QuotaFormInput, meta: QuotaModalMeta): QuotaFormInput {
  return readQuotaForm(fillState(buildQuotaModal(form, meta, 'us-east-1'), {}), meta);
}

describe('a redraw keeps what the user typed', () => {
  it('quota modal: every answer within 3,000 characters survives', () => {
    fc.assert(
      fc.property(validQuotaForm(3000), ({ meta, form }) => {
        expect(roundTrip(form, meta)).toEqual(form);
      }),
      { numRuns: 150 },
    );
  });


  it('dedicated-IP modal (request): every answer survives', () => {
    const text = (max: number) => fc.string({ minLength: 1, maxLength: max }).filter((s) => s.length <= max);
    const scenario = dedicatedIpMeta.map((meta) => ({ ...meta, action: 'request' as const })).chain((meta) =>
      fc.record({
        meta: fc.constant(meta),
        form: fc.record({
          action: fc.constant('request'),
          mailType: fc.constantFrom(...Object.keys(MAIL_TYPES)),
          websiteUrl: text(1000),
          optInProcess: text(3000),
          bounceProcess: text(3000),
          compliesWithAup: fc.constantFrom('yes', 'no'),
          rows: fc.tuple(...meta.rowKeys.map((key) => fc.record({ key: fc.constant(key), region: fc.constantFrom(...REGION_CODES), sendRate: text(10), ipCount: text(4) }))),
          useCase: text(3000),
          language: fc.constantFrom('en', 'ja'),
        }) as fc.Arbitrary<DedicatedIpFormInput>,
      }),
    );
    fc.assert(
      fc.property(scenario, ({ meta, form }) => {
        const view = buildDedicatedIpModal({ form, meta, lookups: {}, defaultRegion: 'us-east-1', priceCents: 2495, now: new Date('2025-01-01') });
        const read = readDedicatedIpForm(fillState(view, {}), meta);
        expect(read).toEqual({ ...form, note: undefined, rows: form.rows.map((r) => ({ ...r, addresses: undefined, count: undefined })) });
      }),
      { numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The thread root, for every status and any request the validators could have accepted.

const STATUSES: RequestStatus[] = ['received', 'filing', 'filed', 'failed', 'uncertain', 'not_posted'];

const quotaPayload: fc.Arbitrary<QuotaIncreaseRequest> = fc.record({
  kind: fc.constant('quota' as const),
  mailType: fc.constantFrom('marketing' as const, 'transactional' as const, 'system_notifications' as const),
  websiteUrl: fc.oneof(fc.constantFrom(...VALID_URLS), fc.constant('https://example.com/<!channel>&<@U1>')),
  compliesWithAup: fc.constant(true as const),
  onlyRequestedRecipients: fc.boolean(),
  handlesBouncesAndComplaints: fc.boolean(),
  rows: fc.array(fc.record({ region: fc.constantFrom(...REGION_CODES), limit: fc.constantFrom('send_quota' as const, 'send_rate' as const), newValue: fc.integer({ min: 1, max: 1_000_000_000 }) }), { minLength: 1, maxLength: 10 }),
  useCase: fc.string({ minLength: 150, maxLength: 300 }),
  language: fc.constantFrom('en' as const, 'ja' as const),
});
const dedicatedPayload: fc.Arbitrary<DedicatedIpRequest> = fc.oneof(
  fc.record({
    kind: fc.constant('dedicated_ip' as const),
    action: fc.constant('request' as const),
    mailType: fc.constantFrom('marketing' as const, 'transactional' as const),
    websiteUrl: fc.constantFrom(...VALID_URLS),
    optInProcess: fc.option(fc.string(), { nil: undefined }),
    bounceProcess: fc.option(fc.string(), { nil: undefined }),
    compliesWithAup: fc.constant(true as const),
    rows: fc.array(fc.record({ region: fc.constantFrom(...REGION_CODES), sendRate: fc.integer({ min: 1, max: 100_000 }), ipCount: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }) }), { minLength: 1, maxLength: 10 }),
    useCase: fc.string({ minLength: 100 }),
    language: fc.constantFrom('en' as const, 'ja' as const),
  }),
  fc.record({
    kind: fc.constant('dedicated_ip' as const),
    action: fc.constant('relinquish' as const),
    rows: fc.array(
      fc.oneof(
        fc.record({ region: fc.constantFrom(...REGION_CODES), addresses: fc.uniqueArray(fc.ipV4(), { minLength: 1, maxLength: 100 }) }).map((r) => ({ ...r, count: r.addresses.length })),
        fc.record({ region: fc.constantFrom(...REGION_CODES), addresses: fc.constant([] as string[]), count: fc.integer({ min: 1, max: 100 }) }),
      ),
      { minLength: 1, maxLength: 10 },
    ),
    note: fc.option(fc.string(), { nil: undefined }),
    language: fc.constantFrom('en' as const, 'ja' as const),
  }),
);

const storedRequest: fc.Arbitrary<StoredRequest> = fc
  .record({
    kind: fc.constantFrom('quota' as const, 'dedicated_ip' as const),
    quota: quotaPayload,
    dedicated: dedicatedPayload,
    status: fc.constantFrom(...STATUSES),
    caseId: fc.option(fc.oneof(fc.constant('case-123456789012-muen-2025-abcdef'), nastyString), { nil: null }),
    displayId: fc.option(fc.stringMatching(/^[0-9]{1,12}$/), { nil: null }),
    caseStatus: fc.option(fc.oneof(fc.constantFrom('opened', 'resolved', 'pending-customer-action', 'work-in-progress'), nastyString), { nil: null }),
    errorMessage: fc.option(nastyString, { nil: null }),
    requesterId: fc.oneof(fc.constantFrom('U0REQUEST', 'W012ABC'), nastyString),
  })
  .map(({ kind, quota, dedicated, ...rest }) => ({
    ...(kind === 'quota' ? { kind, payload: quota } : { kind, payload: dedicated }),
    id: '0123456789abcdef',
    submissionKey: 'view:V1',
    reference: 'SESBOT-0123456789abcdef',
    teamId: 'T111',
    channelId: 'C0SESOPS',
    responseUrl: null,
    rootTs: '1700000000.000100',
    errorCode: null,
    attempts: 0,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    commWatermark: null,
    resolvedAt: null,
    statusChanges: 0,
    attemptedAt: null,
    filingMode: 'support-case',
    quotaRows: null,
    pollUntil: null,
    effects: null,
    accountName: 'default',
    accountId: null,
    ...rest,
  }));

describe('buildRootMessage', () => {
  it('stays inside Block Kit limits and lets no outside text mention anyone or hide a link', () => {
    fc.assert(
      fc.property(storedRequest, (request) => {
        const message = buildRootMessage(request);
        expect(blockKitViolations(message as Json, { maxBlocks: 50 })).toEqual([]);
        for (const block of message.blocks as Json[]) {
          const text: string = block.text?.text ?? (block.elements ?? []).map((e: Json) => e.text ?? '').join('');
          if (typeof text !== 'string') continue;
          // The bot's own syntax: the requester's mention and the Support Center link.
          const rest = text
            .replace(new RegExp(`<@${request.requesterId.replace(/[^A-Z0-9]/g, '')}>`, 'g'), '')
            .replace(/<https:\/\/console\.aws\.amazon\.com\/support\/home#\/case\/\?displayId=[0-9]+\|Case [0-9]+>/g, '');
          expect(rest).not.toMatch(/[<>]/);
        }
      }),
      { numRuns: 300 },
    );
  });
});
