/**
 * Property 3: private_metadata is parsed and checked. For any text — garbage, arbitrary JSON,
 * near-valid objects with one thing wrong, prototype keys — decoding never throws and yields
 * either undefined or a value the schema accepts; encoding any valid metadata fits Slack's
 * 3,000 characters, dropping nothing but the quota display.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeDedicatedIpMeta,
  decodeQuotaMeta,
  decodeReplyMeta,
  dedicatedIpModalMeta,
  replyModalMeta,
  encodeMeta,
  quotaModalMeta,
  type DedicatedIpModalMeta,
  type QuotaModalMeta,
} from '../../src/slack/modal-metadata.js';
import { dedicatedIpMeta, nastyString, quotaLookup, quotaMeta, REGION_CODES } from './arbitraries.js';

const TEN_THOUSAND_KEYS = Array.from({ length: 10_000 }, (_, i) => i.toString(36));
const bigQuota = { state: 'ok', quota: { max24HourSend: 1e300, maxSendRate: -1, sentLast24Hours: 0, productionAccess: true } };

/** One thing wrong (or suspicious) in an otherwise valid metadata object. */
const mutation: fc.Arbitrary<[key: string, value: unknown]> = fc.oneof(
  fc.tuple(fc.constant('kind'), fc.constantFrom('quota', 'dedicated_ip', 'Quota', 'reply', '', null, 1, ['quota'], { kind: 'quota' })),
  fc.tuple(
    fc.constant('channelId'),
    fc.oneof(
      fc.constantFrom('c0sesops', 'C0sesops', 'C0SESOPS>', '<!channel>', '<#C0OTHER>', 'C0SESOPS\n', 'C0SESOPS|evil', ' C0SESOPS', 'U0REQUEST', 'C1', '', 'C' + 'A'.repeat(31), 'C0SES\u0000', 'Ｃ0SESOPS', null, 42),
      nastyString,
    ),
  ),
  fc.tuple(
    fc.constant('rowKeys'),
    fc.constantFrom(TEN_THOUSAND_KEYS, [], ['A'], ['__proto__'], ['constructor'], ['0', '0'], [0], ['0', null], 'x', ['toolongkey'], ['a-b'], ['0\n'], Array(11).fill('a'), { 0: '0', length: 1 }),
  ),
  fc.tuple(fc.constant('nextRowKey'), fc.constantFrom(-1, -1e9, 1.5, 1_000_001, '1', null, 2 ** 53, Number.MAX_VALUE, true)),
  fc.tuple(
    fc.constant('quotas'),
    fc.oneof(
      fc.constantFrom(
        Object.fromEntries(TEN_THOUSAND_KEYS.map((k) => [k, { state: 'loading' }])),
        JSON.parse('{"__proto__":{"state":"loading"},"us-east-1":{"state":"loading"}}'),
        JSON.parse(`{"__proto__":${JSON.stringify(bigQuota)}}`),
        { constructor: bigQuota, toString: bigQuota, hasOwnProperty: { state: 'loading' } },
        { 'us-east-1': { state: 'ok', quota: { max24HourSend: '1', maxSendRate: 1, sentLast24Hours: 1, productionAccess: true } } },
        { 'us-east-1': { state: 'ok' } },
        { 'us-east-1': { state: 'error', message: 'x'.repeat(301) } },
        { ['x'.repeat(21)]: { state: 'loading' } },
        { 'us-east-1': { state: 'weird' } },
        [],
        null,
      ),
      fc.dictionary(fc.oneof(fc.constantFrom(...REGION_CODES, '__proto__', 'constructor'), fc.string({ unit: 'binary', maxLength: 25 })), fc.oneof(quotaLookup, fc.jsonValue({ maxDepth: 2 })), { maxKeys: 40, noNullPrototype: true }),
    ),
  ),
  fc.tuple(
    fc.constant('responseUrl'),
    fc.constantFrom('javascript:alert(1)', 'ftp://example.com/x', 'file:///etc/passwd', 'https://' + 'a'.repeat(600) + '.com', 'https://hooks.slack.com/\u0001', '', 'not a url', 'https://evil.example/hook', 'HTTPS://HOOKS.SLACK.COM/x', null, 7),
  ),
  fc.tuple(fc.constant('action'), fc.constantFrom('request', 'relinquish', 'release', '', null)),
  fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype', 'userId', 'requesterId', 'extra'), fc.constantFrom({ polluted: true }, { kind: 'quota' }, 'U0ADMIN', null)),
  fc.tuple(fc.constantFrom('kind', 'channelId', 'rowKeys', 'nextRowKey', 'quotas', 'action'), fc.constant(undefined)),
);

/** Near-valid metadata text: a valid object of either kind with mutations applied, as JSON. */
const nearValid = fc
  .tuple(fc.oneof(quotaMeta as fc.Arbitrary<object>, dedicatedIpMeta as fc.Arbitrary<object>), fc.array(mutation, { minLength: 1, maxLength: 3 }))
  .map(([meta, changes]) => {
    const entries = new Map<string, unknown>(Object.entries(meta));
    for (const [key, value] of changes) {
      if (value === undefined) entries.delete(key);
      else entries.set(key, value);
    }
    // fromEntries makes `__proto__` an own key, as JSON.parse does.
    return JSON.stringify(Object.fromEntries(entries));
  });

/** Text in every shape: garbage, JSON of anything, near-valid objects, and hand-written JSON. */
const metadataText: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 2, arbitrary: nastyString },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  { weight: 8, arbitrary: nearValid },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      undefined,
      '',
      'null',
      '{}',
      '[]',
      '{"kind":"quota","channelId":"C0SESOPS","rowKeys":["0"],"nextRowKey":1,"quotas":{},"kind":"dedicated_ip","action":"request"}',
      '{"__proto__":{"polluted":true},"kind":"quota","channelId":"C0SESOPS","rowKeys":["0"],"nextRowKey":1,"quotas":{}}',
      '{"kind":"quota","channelId":"C0SESOPS","rowKeys":["0"],"nextRowKey":1e400,"quotas":{}}',
      '{"kind":"quota","channelId":"C0SESOPS","rowKeys":["0"],"nextRowKey":1,"quotas":{"us-east-1":{"state":"ok","quota":{"max24HourSend":1e400,"maxSendRate":1,"sentLast24Hours":0,"productionAccess":true}}}}',
      '{"kind":"quota","channelId":"C0SESOPS","rowKeys":["0"],"nextRowKey":1,"quotas":{}',
      '\ufeff{"kind":"quota","channelId":"C0SESOPS","rowKeys":["0"],"nextRowKey":1,"quotas":{}}',
      '[' .repeat(5000) + ']'.repeat(5000),
      '{"requestId":"0123456789abcdef"}',
      '{"requestId":"0123456789abcdef","__proto__":{"polluted":true},"userId":"U0ADMIN"}',
      '{"requestId":"../../etc"}',
      '{"requestId":"ABC"}',
    ),
  },
);

function expectSound<T extends object>(decoded: T | undefined, schema: { safeParse(v: unknown): { success: boolean } }, kind: string): void {
  if (decoded === undefined) return;
  expect(schema.safeParse(decoded).success).toBe(true);
  expect((decoded as { kind?: string }).kind).toBe(kind);
  expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  if ('quotas' in decoded) expect(Object.getPrototypeOf(decoded.quotas)).toBe(Object.prototype);
  expect(Object.hasOwn(decoded, '__proto__')).toBe(false);
  // What the bot writes back after decoding decodes to the same thing.
  const again = kind === 'quota' ? decodeQuotaMeta(JSON.stringify(decoded)) : decodeDedicatedIpMeta(JSON.stringify(decoded));
  expect(again).toEqual(decoded);
}

describe('decodeQuotaMeta / decodeDedicatedIpMeta / decodeReplyMeta', () => {
  it('never throw, and return undefined or a value the schema accepts', () => {
    let decoded = 0;
    fc.assert(
      fc.property(metadataText, (text) => {
        const quota = decodeQuotaMeta(text);
        const dip = decodeDedicatedIpMeta(text);
        expectSound(quota, quotaModalMeta, 'quota');
        expectSound(dip, dedicatedIpModalMeta, 'dedicated_ip');
        expect(quota === undefined || dip === undefined).toBe(true);
        const reply = decodeReplyMeta(text);
        if (reply !== undefined) {
          expect(replyModalMeta.safeParse(reply).success).toBe(true);
          expect(Object.keys(reply)).toEqual(['requestId']);
        }
        if (quota || dip) decoded++;
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 600 },
    );
    expect(decoded).toBeGreaterThan(20);
  });

  it('refuse every near-valid object with a broken required field', () => {
    const broken = [
      { channelId: 'c0sesops' },
      { channelId: '<!channel>' },
      { channelId: 'C0SESOPS\n' },
      { rowKeys: TEN_THOUSAND_KEYS },
      { rowKeys: [] },
      { rowKeys: ['__proto__'] },
      { nextRowKey: -1 },
      { nextRowKey: 1.5 },
      { responseUrl: 'javascript:alert(1)' },
      { responseUrl: 'ftp://example.com/x' },
      { kind: 'dedicated_ip' },
    ];
    for (const change of broken) {
      expect(decodeQuotaMeta(JSON.stringify({ kind: 'quota', channelId: 'C0SESOPS', rowKeys: ['0'], nextRowKey: 1, quotas: {}, ...change }))).toBeUndefined();
    }
  });
});

/** Quota metadata with many, long quota displays: enough to go over 3,000 characters. */
const heavyQuotaMeta: fc.Arbitrary<QuotaModalMeta> = fc
  .tuple(
    quotaMeta,
    fc.dictionary(
      fc.constantFrom(...REGION_CODES),
      fc.oneof(quotaLookup, fc.string({ minLength: 250, maxLength: 300 }).map((message) => ({ state: 'error' as const, message }))),
      { minKeys: 5, maxKeys: 27 },
    ),
  )
  .map(([meta, quotas]) => decodeQuotaMeta(JSON.stringify({ ...meta, quotas }))!)
  .filter((meta) => meta !== undefined);

describe('encodeMeta', () => {
  it('fits 3,000 characters for any valid metadata, dropping only the quota display', () => {
    let dropped = 0;
    fc.assert(
      fc.property(fc.oneof(quotaMeta, heavyQuotaMeta, dedicatedIpMeta as fc.Arbitrary<QuotaModalMeta | DedicatedIpModalMeta>), (meta) => {
        const text = encodeMeta(meta);
        expect(text.length).toBeLessThanOrEqual(3000);
        const full = JSON.stringify(meta);
        if (full.length <= 3000) {
          expect(text).toBe(full);
        } else {
          dropped++;
          expect(meta.kind).toBe('quota');
          expect(decodeQuotaMeta(text)).toEqual({ ...meta, quotas: {} });
        }
        const back = meta.kind === 'quota' ? decodeQuotaMeta(text) : decodeDedicatedIpMeta(text);
        expect(back).toBeDefined();
      }),
      { numRuns: 300 },
    );
    expect(dropped).toBeGreaterThan(5);
  });

  it('a schema-valid response_url with control characters makes the metadata exceed 3,000 characters', () => {
    // The schema bounds responseUrl at 500 characters, but JSON escapes a control character (or
    // an unpaired surrogate) as six: the encoded metadata can exceed Slack's 3,000 whatever is dropped.
    const hostileUrl = fc
      .tuple(fc.constantFrom('\u0001', '\u001f', '\u007f', '\ud800', '"', '\\'), fc.integer({ min: 100, max: 487 }))
      .map(([c, n]) => `https://a.bc/${c.repeat(n)}`);
    fc.assert(
      fc.property(fc.oneof(quotaMeta, dedicatedIpMeta as fc.Arbitrary<QuotaModalMeta | DedicatedIpModalMeta>), hostileUrl, (meta, responseUrl) => {
        const decoded = meta.kind === 'quota' ? decodeQuotaMeta(JSON.stringify({ ...meta, responseUrl })) : decodeDedicatedIpMeta(JSON.stringify({ ...meta, responseUrl }));
        if (!decoded) return;
        expect(encodeMeta(decoded).length).toBeLessThanOrEqual(3000);
      }),
      { endOnFailure: true, examples: [[{ kind: 'quota', channelId: 'C0SESOPS', rowKeys: ['0'], nextRowKey: 1, quotas: {} }, `https://a.bc/${'\u0001'.repeat(487)}`]] },
    );
  });

  it('decoded metadata can name one row twice, or make the next added row reuse a key', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9]{1,2}$/), { minLength: 1, maxLength: 10 }), fc.integer({ min: 0, max: 1300 }), (rowKeys, nextRowKey) => {
        const meta = decodeQuotaMeta(JSON.stringify({ kind: 'quota', channelId: 'C0SESOPS', rowKeys, nextRowKey, quotas: {} }));
        if (!meta) return;
        expect(new Set(meta.rowKeys).size).toBe(meta.rowKeys.length);
        expect(meta.rowKeys).not.toContain(meta.nextRowKey.toString(36));
      }),
      { endOnFailure: true, examples: [[['0', '0'], 1], [['0'], 0]] },
    );
  });
});
