/**
 * Property 6: the charge shown for relinquishing addresses today is between nothing and a full
 * month, in whole cents, and never falls as the month goes on (or as more addresses are given back).
 * Across month ends and leap days it is the UTC day of the release: the last day of a month is a
 * full month, the next day is one day of the next month (also from 31 December to 1 January).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysInMonth, proratedCharge, prorationIfReleasedOn } from '../../src/domain/dedicated-ip.js';

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

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** The days in month m (0-11) of year y, by the calendar rule, not by Date. */
const calendarDays = (y: number, m: number) => (m === 1 && isLeap(y) ? 29 : DAYS[m]!);
const year = fc.oneof(fc.integer({ min: 1900, max: 2400 }), fc.constantFrom(1900, 2000, 2024, 2025, 2026, 2027, 2028, 2100, 2400));
const month = fc.integer({ min: 0, max: 11 });
const msOfDay = fc.oneof(fc.constantFrom(0, 1, 43_200_000, 86_399_998, 86_399_999), fc.nat({ max: 86_399_999 }));
/** The exact charge: n × p × elapsed ÷ days, rounded half up, computed without floating point. */
const exactCents = (n: number, p: number, elapsed: number, days: number) => Number((2n * BigInt(n) * BigInt(p) * BigInt(elapsed) + BigInt(days)) / (2n * BigInt(days)));

describe('proratedCharge at month boundaries (UTC)', () => {
  it('charges a full month on the last day of any month, and one day of the next month on the day after', () => {
    fc.assert(
      fc.property(count, price, year, month, msOfDay, msOfDay, (n, p, y, m, msLast, msNext) => {
        const days = calendarDays(y, m);
        const last = new Date(Date.UTC(y, m, days) + msLast);
        expect(proratedCharge(n, p, last)).toStrictEqual({ cents: n * p, daysElapsed: days, daysInMonth: days });

        const next = new Date(Date.UTC(y, m, days) + 86_400_000 + msNext);
        const [ny, nm] = m === 11 ? [y + 1, 0] : [y, m + 1];
        expect([next.getUTCFullYear(), next.getUTCMonth(), next.getUTCDate()]).toEqual([ny, nm, 1]);
        const nextDays = calendarDays(ny, nm);
        expect(proratedCharge(n, p, next)).toStrictEqual({ cents: exactCents(n, p, 1, nextDays), daysElapsed: 1, daysInMonth: nextDays });
      }),
      { numRuns: 1_000 },
    );
  });

  it('from 31 December to 1 January: a full December, then one day of a 31-day January in the next year', () => {
    fc.assert(
      fc.property(count, price, year, msOfDay, msOfDay, (n, p, y, a, b) => {
        expect(proratedCharge(n, p, new Date(Date.UTC(y, 11, 31) + a))).toStrictEqual({ cents: n * p, daysElapsed: 31, daysInMonth: 31 });
        expect(proratedCharge(n, p, new Date(Date.UTC(y + 1, 0, 1) + b))).toStrictEqual({ cents: exactCents(n, p, 1, 31), daysElapsed: 1, daysInMonth: 31 });
      }),
    );
  });

  it('February has 29 days in leap years only: 28 February is a full month in a common year, 28/29 in a leap year', () => {
    fc.assert(
      fc.property(count, price, year, msOfDay, (n, p, y, ms) => {
        const feb28 = proratedCharge(n, p, new Date(Date.UTC(y, 1, 28) + ms));
        if (isLeap(y)) {
          expect(feb28).toStrictEqual({ cents: exactCents(n, p, 28, 29), daysElapsed: 28, daysInMonth: 29 });
          expect(proratedCharge(n, p, new Date(Date.UTC(y, 1, 29) + ms))).toStrictEqual({ cents: n * p, daysElapsed: 29, daysInMonth: 29 });
        } else {
          expect(feb28).toStrictEqual({ cents: n * p, daysElapsed: 28, daysInMonth: 28 });
        }
        // The day after the last day of February is always 1 March, one day of 31.
        const march1 = new Date(Date.UTC(y, 2, 1) + ms);
        expect(proratedCharge(n, p, march1)).toStrictEqual({ cents: exactCents(n, p, 1, 31), daysElapsed: 1, daysInMonth: 31 });
      }),
    );
  });

  it('is the exact charge for the UTC day, whatever the time of day or the offset the instant was written in', () => {
    fc.assert(
      fc.property(count, price, year, month, fc.nat(), msOfDay, fc.integer({ min: -14 * 60, max: 14 * 60 }), (n, p, y, m, d, ms, offsetMin) => {
        const days = calendarDays(y, m);
        const day = (d % days) + 1;
        const instant = Date.UTC(y, m, day) + ms;
        const expected = { cents: exactCents(n, p, day, days), daysElapsed: day, daysInMonth: days };
        expect(proratedCharge(n, p, new Date(instant))).toStrictEqual(expected);
        // The same instant written with a local offset (what a server in another zone would parse) is the same UTC day.
        const local = new Date(instant + offsetMin * 60_000);
        const sign = offsetMin < 0 ? '-' : '+';
        const hh = String(Math.floor(Math.abs(offsetMin) / 60)).padStart(2, '0');
        const mm = String(Math.abs(offsetMin) % 60).padStart(2, '0');
        const iso = `${local.toISOString().slice(0, 23)}${sign}${hh}:${mm}`;
        if (y >= 1000 && y <= 9999) expect(proratedCharge(n, p, new Date(iso))).toStrictEqual(expected);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('prorationIfReleasedOn', () => {
  it('is proratedCharge for that day, and names the UTC day it assumes', () => {
    fc.assert(
      fc.property(count, price, anyDate, (n, p, date) => {
        const { date: day, dateText, ...figure } = prorationIfReleasedOn(n, p, date);
        expect(figure).toStrictEqual(proratedCharge(n, p, date));
        const y = date.getUTCFullYear();
        if (y >= 1000) {
          expect(day).toBe(date.toISOString().slice(0, 10));
          expect(dateText).toBe(`${date.getUTCDate()} ${date.toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' })} ${y}`);
        }
      }),
      { numRuns: 500 },
    );
  });
});
