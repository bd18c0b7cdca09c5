/** What dedicated IPs cost: monthly prices, the days of a month, and the prorated charge of a release. */
import { describe, expect, it } from 'vitest';
import {
  daysInMonth,
  formatUsd,
  monthlyCost,
  proratedCharge,
  prorationIfReleasedOn,
  RELEASE_DAY_NOTE,
} from '../../src/domain/dedicated-ip.js';
import { expectPlainMessage } from './builders.js';
import {
  PRICE,
} from './dedicated-ip-builders.js';

describe('monthlyCost and formatUsd', () => {
  it.each([
    [0, 0],
    [1, 2495],
    [3, 7485],
    [100, 249_500],
  ])('%d IPs at USD 24.95 cost %d cents a month', (count, cents) => {
    expect(monthlyCost(count, PRICE)).toBe(cents);
  });

  it.each([
    [2495, 'USD 24.95'],
    [0, 'USD 0.00'],
    [123_450, 'USD 1234.50'],
    [5, 'USD 0.05'],
    [100, 'USD 1.00'],
  ])('formats %d cents as %s', (cents, text) => {
    expect(formatUsd(cents)).toBe(text);
  });
});

describe('daysInMonth', () => {
  it.each([
    ['February 2027 (28 days)', '2027-02-14T12:00:00Z', 28],
    ['February 2028, a leap year (29 days)', '2028-02-01T00:00:00Z', 29],
    ['November 2026 (30 days)', '2026-11-30T12:00:00Z', 30],
    ['January 2027 (31 days)', '2027-01-31T23:59:59Z', 31],
    ['December 2026, whose next month is in the next year', '2026-12-31T23:59:59Z', 31],
    ['January 2027, just after New Year', '2027-01-01T00:00:00Z', 31],
  ])('counts %s', (_, iso, days) => {
    expect(daysInMonth(new Date(iso))).toBe(days);
  });

  it('uses the UTC month: 23:30 on 30 November at UTC-2 is in December', () => {
    expect(daysInMonth(new Date('2026-11-30T23:30:00-02:00'))).toBe(31);
  });
});

describe('proratedCharge', () => {
  // 2 IPs at 2495 cents: 4990 cents for a whole month, × days elapsed (today included) ÷ days in the month.
  it.each([
    ['1 Feb 2027 (28-day month)', 178, '2027-02-01T09:00:00Z', 1, 28], // 4990 × 1/28 = 178.21
    ['15 Feb 2027', 2673, '2027-02-15T09:00:00Z', 15, 28], // 4990 × 15/28 = 2673.21
    ['28 Feb 2027, the last day', 4990, '2027-02-28T09:00:00Z', 28, 28],
    ['1 Feb 2028 (29-day month)', 172, '2028-02-01T09:00:00Z', 1, 29], // 4990 × 1/29 = 172.07
    ['15 Feb 2028', 2581, '2028-02-15T09:00:00Z', 15, 29], // 4990 × 15/29 = 2581.03
    ['29 Feb 2028, the last day', 4990, '2028-02-29T09:00:00Z', 29, 29],
    ['1 Nov 2026 (30-day month)', 166, '2026-11-01T09:00:00Z', 1, 30], // 4990 × 1/30 = 166.33
    ['15 Nov 2026', 2495, '2026-11-15T09:00:00Z', 15, 30],
    ['30 Nov 2026, the last day', 4990, '2026-11-30T09:00:00Z', 30, 30],
    ['1 Jan 2027 (31-day month)', 161, '2027-01-01T09:00:00Z', 1, 31], // 4990 × 1/31 = 160.97
    ['15 Jan 2027', 2415, '2027-01-15T09:00:00Z', 15, 31], // 4990 × 15/31 = 2414.52
    ['31 Dec 2026, the last day', 4990, '2026-12-31T09:00:00Z', 31, 31],
  ])('charges 2 IPs released on %s %d cents', (_, cents, iso, daysElapsed, days) => {
    expect(proratedCharge(2, PRICE, new Date(iso))).toStrictEqual({ cents, daysElapsed, daysInMonth: days });
  });

  it('charges one address for one and for two days of a 30-day month to the nearest cent', () => {
    expect(proratedCharge(1, PRICE, new Date('2026-11-01T00:00:00Z')).cents).toBe(83); // 83.17
    expect(proratedCharge(1, PRICE, new Date('2026-11-02T00:00:00Z')).cents).toBe(166); // 166.33
  });

  it('uses the UTC date: 23:30 on 30 November at UTC-2 is 1 December', () => {
    expect(proratedCharge(2, PRICE, new Date('2026-11-30T23:30:00-02:00'))).toStrictEqual({ cents: 161, daysElapsed: 1, daysInMonth: 31 });
  });

  it('charges nothing for no addresses', () => {
    expect(proratedCharge(0, PRICE, new Date('2026-11-15T00:00:00Z')).cents).toBe(0);
  });
});

describe('prorationIfReleasedOn: the figure and the day it assumes', () => {
  it.each([
    ['the last day of a 31-day month', '2026-12-31T23:59:59Z', 4990, 31, 31, '2026-12-31', '31 December 2026'],
    ['the first day of the next month, in the next year', '2027-01-01T00:00:00Z', 161, 1, 31, '2027-01-01', '1 January 2027'],
    ['28 February in a leap year', '2028-02-28T12:00:00Z', 4818, 28, 29, '2028-02-28', '28 February 2028'], // 4990 × 28/29 = 4817.93
    ['29 February in a leap year', '2028-02-29T12:00:00Z', 4990, 29, 29, '2028-02-29', '29 February 2028'],
    ['28 February in a common year', '2027-02-28T12:00:00Z', 4990, 28, 28, '2027-02-28', '28 February 2027'],
    ['1 March after a common February', '2027-03-01T00:00:00Z', 161, 1, 31, '2027-03-01', '1 March 2027'],
    ['the last day of a 30-day month', '2026-04-30T08:00:00Z', 4990, 30, 30, '2026-04-30', '30 April 2026'],
    ['the next day', '2026-05-01T08:00:00Z', 161, 1, 31, '2026-05-01', '1 May 2026'],
    ['a UTC-2 evening that is already the next UTC day', '2026-11-30T23:30:00-02:00', 161, 1, 31, '2026-12-01', '1 December 2026'],
  ])('prices 2 addresses released on %s', (_, iso, cents, daysElapsed, days, date, dateText) => {
    expect(prorationIfReleasedOn(2, PRICE, new Date(iso))).toStrictEqual({ cents, daysElapsed, daysInMonth: days, date, dateText });
  });

  it('gives the same figure as proratedCharge', () => {
    const when = new Date('2026-03-12T10:00:00Z');
    const { date, dateText, ...figure } = prorationIfReleasedOn(3, PRICE, when);
    expect(figure).toStrictEqual(proratedCharge(3, PRICE, when));
    expect([date, dateText]).toEqual(['2026-03-12', '12 March 2026']);
  });

  it('says the final figure depends on the day AWS removes the addresses', () => {
    expect(RELEASE_DAY_NOTE).toMatch(/final figure depends on the day AWS removes the addresses/);
    expectPlainMessage(RELEASE_DAY_NOTE);
  });
});
