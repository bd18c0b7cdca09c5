/**
 * formatNumber and utcDayText write what the locale formatter would (en-US numbers, en-GB long
 * months), without the locale formatter: every number the forms, cases and threads show.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatNumber, utcDayText } from '../../src/domain/common.js';

describe('formatNumber', () => {
  it('agrees with toLocaleString("en-US") for integers, decimals and quotas', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
          fc.double({ min: -1e15, max: 1e15, noNaN: true }),
          fc.double({ min: 0, max: 100, noNaN: true }),
          fc.integer({ min: 0, max: 100_000 }).map((n) => n / 1000 + 0.0005),
          fc.constantFrom(0, -0, 1, 14, 0.5, 1.0005, 2.675, 999.9995, 50_000, 1e20, 12345.6789, -0.0001),
        ),
        (n) => {
          expect(formatNumber(n)).toBe(n.toLocaleString('en-US'));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('says NaN and infinity as the locale formatter does', () => {
    for (const n of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e21, 1.5e300]) expect(formatNumber(n)).toBe(n.toLocaleString('en-US'));
  });
});

describe('utcDayText', () => {
  it('writes the UTC day as en-GB does with a long month', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2200-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        const expected = `${d.getUTCDate()} ${d.toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' })} ${d.getUTCFullYear()}`;
        expect(utcDayText(d)).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });
});
