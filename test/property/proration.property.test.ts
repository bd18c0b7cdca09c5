/**
 * Property 6: the charge shown for relinquishing addresses today is between nothing and a full
 * month, in whole cents, and never falls as the month goes on (or as more addresses are given back).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysInMonth, proratedCharge } from '../../src/domain/dedicated-ip.js';

const count = fc.integer({ min: 0, max: 100 });
const price = fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(0, 1, 2495, 99_999_999));
// Years 0 to 9999: JavaScript dates end on 13 September 275760, so the month around that day has
// no last day to count (daysInMonth is NaN there) — not a date the bot will see.
const anyDate = fc.oneof(
  fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }),
  fc.date({ min: new Date('1999-12-31T00:00:00Z'), max: new Date('2100-03-01T00:00:00Z'), noInvalidDate: true }),
  // Month ends and leap days, at the first and last millisecond of the day.
  fc
    .tuple(fc.integer({ min: 1900, max: 2400 }), fc.integer({ min: 0, max: 11 }), fc.constantFrom(1, 28, 29, 30, 31), fc.constantFrom(0, 86_399_999))
    .map(([y, m, d, ms]) => new Date(Date.UTC(y, m, Math.min(d, daysInMonth(new Date(Date.UTC(y, m, 1))))) + ms)),
);

describe('proratedCharge', () => {
  it('is whole cents between 0 and count × price, for the day of the month it is', () => {
    fc.assert(
      fc.property(count, price, anyDate, (n, p, date) => {
        const { cents, daysElapsed, daysInMonth: days } = proratedCharge(n, p, date);
        expect(Number.isInteger(cents)).toBe(true);
        expect(cents).toBeGreaterThanOrEqual(0);
        expect(cents).toBeLessThanOrEqual(n * p);
        expect([28, 29, 30, 31]).toContain(days);
        expect(daysElapsed).toBe(date.getUTCDate());
        expect(daysElapsed).toBeGreaterThanOrEqual(1);
        expect(daysElapsed).toBeLessThanOrEqual(days);
        if (daysElapsed === days) expect(cents).toBe(n * p);
      }),
      { numRuns: 1_000 },
    );
  });

  it('never falls as the month goes on, and never falls as more addresses are given back', () => {
    const sameMonth = fc
      .tuple(fc.integer({ min: 1900, max: 2400 }), fc.integer({ min: 0, max: 11 }), fc.nat(), fc.nat(), fc.nat({ max: 86_399_999 }), fc.nat({ max: 86_399_999 }))
      .map(([y, m, a, b, msA, msB]) => {
        const days = daysInMonth(new Date(Date.UTC(y, m, 1)));
        const [d1, d2] = [(a % days) + 1, (b % days) + 1].sort((x, z) => x - z) as [number, number];
        return [new Date(Date.UTC(y, m, d1) + msA), new Date(Date.UTC(y, m, d2) + msB)] as const;
      });
    fc.assert(
      fc.property(count, count, price, sameMonth, (n1, n2, p, [earlier, later]) => {
        expect(proratedCharge(n1, p, earlier).cents).toBeLessThanOrEqual(proratedCharge(n1, p, later).cents);
        const [few, many] = n1 <= n2 ? [n1, n2] : [n2, n1];
        expect(proratedCharge(few, p, later).cents).toBeLessThanOrEqual(proratedCharge(many, p, later).cents);
      }),
      { numRuns: 1_000 },
    );
  });
});
