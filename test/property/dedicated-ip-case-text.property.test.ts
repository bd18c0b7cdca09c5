/**
 * Property 7: the body of any valid dedicated-IP lease states, before anything the user wrote,
 * that standard dedicated IP addresses are requested in every region of the request, and for each
 * region either the number asked for or that AWS is to size it from the requested send rate (with
 * that rate); then the user's reason for dedicated rather than shared IPs, whole.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_REQUESTED_VALUE, formatNumber, referenceFor } from '../../src/domain/common.js';
import { dedicatedIpCaseText, validateLease, MIN_DEDICATED_USE_CASE_CHARS, type DedicatedIpFormInput } from '../../src/domain/dedicated-ip.js';
import { regionName } from '../../src/domain/regions.js';
import { REGION_CODES, VALID_URLS, freeText } from './arbitraries.js';

const positive = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 100 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: MAX_REQUESTED_VALUE }) },
  { weight: 1, arbitrary: fc.constantFrom(1, 2, MAX_REQUESTED_VALUE) },
);
/** How a person may type a number: plain, or grouped by thousands. */
const typed = (n: number) => fc.constantFrom(String(n), formatNumber(n), ` ${n} `);

const leaseForm: fc.Arbitrary<DedicatedIpFormInput> = fc
  .record({
    regions: fc.shuffledSubarray(REGION_CODES, { minLength: 1, maxLength: 10 }),
    rows: fc.array(fc.record({ sendRate: positive, ipCount: fc.option(positive, { nil: undefined }), blank: fc.constantFrom('', '  ', null, undefined) }), { minLength: 10, maxLength: 10 }),
    mailType: fc.constantFrom('marketing', 'transactional', 'system_notifications'),
    websiteUrl: fc.constantFrom(...VALID_URLS),
    // Mostly texts that leave room for ten regions' statement in 8,000 characters; sometimes the longest.
    optInProcess: fc.option(fc.oneof({ weight: 4, arbitrary: freeText(0, 500) }, { weight: 1, arbitrary: freeText(0, 1_000) }), { nil: undefined, freq: 2 }),
    bounceProcess: fc.option(fc.oneof({ weight: 4, arbitrary: freeText(0, 500) }, { weight: 1, arbitrary: freeText(0, 1_000) }), { nil: undefined, freq: 2 }),
    useCase: fc.oneof({ weight: 4, arbitrary: freeText(MIN_DEDICATED_USE_CASE_CHARS, 2_000) }, { weight: 1, arbitrary: freeText(MIN_DEDICATED_USE_CASE_CHARS, 3_000) }),
    language: fc.constantFrom('en', 'ja'),
  })
  .chain(({ regions, rows, ...rest }) =>
    fc.tuple(...regions.map((region, i) => {
      const row = rows[i]!;
      return fc.record({
        key: fc.constant(`k${i}`),
        region: fc.constant(region as string),
        sendRate: typed(row.sendRate),
        ipCount: row.ipCount === undefined ? fc.constant(row.blank) : typed(row.ipCount),
      });
    })).map((formRows) => ({ action: 'request', compliesWithAup: 'yes', ...rest, rows: formRows })),
  );

describe('dedicatedIpCaseText: the request statement', () => {
  it('states every region of a valid lease, with its count or that AWS sizes it from the rate, before the reason kept whole', () => {
    let checked = 0;
    fc.assert(
      fc.property(leaseForm, fc.stringMatching(/^[0-9a-f]{16}$/), (form, id) => {
        const result = validateLease(form);
        if (!result.ok) return; // refused: free text that writes the bot's own lines, or too long for one case
        checked++;
        const request = result.value;
        const lines = dedicatedIpCaseText(request, referenceFor(id)).body.split('\n');
        const start = lines.findIndex((l) => l.startsWith('Use case description: '));
        // The use case begins with the statement: nothing the user wrote comes before it.
        expect(lines[start]).toBe('Use case description: We request standard dedicated IP addresses for each region listed:');
        request.rows.forEach((row, i) => {
          const line = lines[start + 1 + i]!;
          expect(line.startsWith(`- ${regionName(row.region)}: `)).toBe(true);
          if (row.ipCount !== undefined) {
            expect(line).toBe(`- ${regionName(row.region)}: ${formatNumber(row.ipCount)} dedicated IP address${row.ipCount === 1 ? '' : 'es'}.`);
          } else {
            expect(line).toContain('please size it from our requested maximum send rate');
            expect(line).toContain(` ${formatNumber(row.sendRate)} message${row.sendRate === 1 ? '' : 's'} per second.`);
          }
        });
        // Every region, once each, in the order of the blocks above it.
        const stated = lines.slice(start + 1, start + 1 + request.rows.length).map((l) => l.slice(2, l.indexOf(': ')));
        expect(stated).toEqual(request.rows.map((r) => regionName(r.region)));
        const afterStatement = lines.slice(start + 1 + request.rows.length).join('\n');
        expect(afterStatement.startsWith(`\nWhy dedicated rather than shared IP addresses:\n${request.useCase}\nMail Type: `)).toBe(true);
      }),
      { numRuns: 400 },
    );
    // A third or so of the forms are valid (free text often carries injected lines, refused by design).
    expect(checked).toBeGreaterThan(80);
  });
});
