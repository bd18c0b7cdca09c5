/** leaseGuidance and relinquishGuidance: the Availability Zone advice and the monthly cost shown while a form is filled in. */
import { describe, expect, it } from 'vitest';
import {
  leaseGuidance,
  rateSizedAdvice,
  relinquishGuidance,
  singleIpAfterRelinquishWarning,
  type Inventories,
} from '../../src/domain/dedicated-ip.js';
import { expectPlainMessage } from './builders.js';
import { type RegionCode } from '../../src/domain/regions.js';
import {
  PRICE,
  inventory,
} from './dedicated-ip-builders.js';

describe('leaseGuidance', () => {
  const leased = (region: RegionCode, standard: number, managed = 0): Inventories => ({
    [region]: inventory(
      region,
      Array.from({ length: standard }, (_, i) => `198.51.100.${i + 1}`),
      Array.from({ length: managed }, (_, i) => `192.0.2.${i + 1}`),
    ),
  });

  it('warns about a region that would end with exactly one standard IP: none leased, one asked', () => {
    expect(leaseGuidance([{ region: 'us-east-1', ipCount: '1' }], {}, PRICE)).toStrictEqual({ singleIpRegions: ['us-east-1'], rateSizedRegions: [], monthlyCents: 2495 });
    expect(leaseGuidance([{ region: 'us-east-1', ipCount: '1' }], leased('us-east-1', 0), PRICE).singleIpRegions).toEqual(['us-east-1']);
  });

  it('does not count managed IPs as leased standard IPs', () => {
    expect(leaseGuidance([{ region: 'us-east-1', ipCount: '1' }], leased('us-east-1', 0, 3), PRICE).singleIpRegions).toEqual(['us-east-1']);
  });

  it.each([
    ['none leased, two asked', 0, '2'],
    ['one leased, one asked', 1, '1'],
    ['three leased, one asked', 3, '1'],
  ])('does not warn when %s', (_, standard, ipCount) => {
    expect(leaseGuidance([{ region: 'us-east-1', ipCount }], leased('us-east-1', standard), PRICE).singleIpRegions).toEqual([]);
  });

  it('lists only the regions that would end with one IP, in row order', () => {
    const guidance = leaseGuidance(
      [
        { region: 'eu-west-1', ipCount: '1' },
        { region: 'us-east-1', ipCount: '1' },
        { region: 'ap-northeast-1', ipCount: '1' },
      ],
      { ...leased('us-east-1', 1) },
      PRICE,
    );
    expect(guidance.singleIpRegions).toEqual(['eu-west-1', 'ap-northeast-1']);
  });

  it('totals the monthly cost of every count given: sum of counts × price', () => {
    expect(
      leaseGuidance(
        [
          { region: 'us-east-1', ipCount: '2' },
          { region: 'eu-west-1', ipCount: '3' },
        ],
        {},
        PRICE,
      ),
    ).toStrictEqual({ singleIpRegions: [], rateSizedRegions: [], monthlyCents: 5 * 2495 });
  });

  it('gives no cost and no warning with no rows', () => {
    expect(leaseGuidance([], {}, PRICE)).toStrictEqual({ singleIpRegions: [], rateSizedRegions: [], monthlyCents: undefined });
  });

  it('gives no cost and no single-IP warning with only blank counts, but advises on each region AWS will size', () => {
    const rows = [{ region: 'us-east-1', ipCount: '' }, { region: 'eu-west-1', ipCount: null }, { region: 'ap-northeast-1' }];
    expect(leaseGuidance(rows, {}, PRICE)).toStrictEqual({ singleIpRegions: [], rateSizedRegions: ['us-east-1', 'eu-west-1', 'ap-northeast-1'], monthlyCents: undefined });
  });

  it('ignores rows with an unknown or missing region, or a blank or non-numeric count', () => {
    const guidance = leaseGuidance(
      [
        { region: 'mars-east-1', ipCount: '1' },
        { region: null, ipCount: '5' },
        { ipCount: '7' },
        { region: 'eu-west-1', ipCount: '' },
        { region: 'ap-northeast-1', ipCount: 'one' },
        { region: 'us-east-1', ipCount: '2' },
      ],
      {},
      PRICE,
    );
    expect(guidance).toStrictEqual({ singleIpRegions: [], rateSizedRegions: ['eu-west-1'], monthlyCents: 4990 });
  });
});

describe('findings from review', () => {
  it('adds up rows for the same region before judging Availability Zone redundancy and cost', () => {
    const twoRows = leaseGuidance([{ region: 'us-east-1', ipCount: '1' }, { region: 'us-east-1', ipCount: '1' }], {}, PRICE);
    expect(twoRows).toEqual({ singleIpRegions: [], rateSizedRegions: [], monthlyCents: 2 * PRICE });
    expect(leaseGuidance([{ region: 'us-east-1', ipCount: '0' }], {}, PRICE)).toEqual({ singleIpRegions: [], rateSizedRegions: [], monthlyCents: undefined });
  });

  it('costs any positive count (no invented cap), and ignores only a count above the one bound AWS documents', () => {
    expect(leaseGuidance([{ region: 'us-east-1', ipCount: '1,000' }], {}, PRICE).monthlyCents).toBe(1000 * PRICE);
    expect(leaseGuidance([{ region: 'us-east-1', ipCount: '10000000000' }], {}, PRICE).monthlyCents).toBe(10_000_000_000 * PRICE);
    expect(leaseGuidance([{ region: 'us-east-1', ipCount: '10000000001' }], {}, PRICE)).toEqual({ singleIpRegions: [], rateSizedRegions: [], monthlyCents: undefined });
  });
});

const leasedIn = (region: RegionCode, standard: number, managed = 0): Inventories => ({
  [region]: inventory(
    region,
    Array.from({ length: standard }, (_, i) => `198.51.100.${i + 1}`),
    Array.from({ length: managed }, (_, i) => `192.0.2.${i + 1}`),
  ),
});

describe('leaseGuidance: a region left for AWS to size', () => {
  it.each([
    ['no standard IPs (inventory read)', leasedIn('us-east-1', 0)],
    ['only managed IPs', leasedIn('us-east-1', 0, 4)],
    ['one standard IP', leasedIn('us-east-1', 1)],
    ['an inventory that could not be read (counted as none, as the single-IP warning does)', {}],
  ])('advises on a row with no count in a region with %s', (_, inventories) => {
    for (const ipCount of [undefined, null, '', '   ']) {
      expect(leaseGuidance([{ region: 'us-east-1', ipCount }], inventories, PRICE)).toStrictEqual({ singleIpRegions: [], rateSizedRegions: ['us-east-1'], monthlyCents: undefined });
    }
  });

  it.each([
    ['two standard IPs', 2],
    ['five standard IPs', 5],
  ])('does not advise when the region already has %s', (_, standard) => {
    expect(leaseGuidance([{ region: 'us-east-1', ipCount: '' }], leasedIn('us-east-1', standard), PRICE).rateSizedRegions).toEqual([]);
  });

  it('does not advise on a row with a count, or a count that cannot be read (the form says what is wrong with it)', () => {
    for (const ipCount of ['2', '1', 'two', '0', '1.5']) {
      expect(leaseGuidance([{ region: 'us-east-1', ipCount }], {}, PRICE).rateSizedRegions).toEqual([]);
    }
  });

  it('does not advise on a region that another row gives a count for, and names a region once', () => {
    const rows = [
      { region: 'us-east-1', ipCount: '' },
      { region: 'us-east-1', ipCount: '3' },
      { region: 'eu-west-1', ipCount: '' },
      { region: 'eu-west-1', ipCount: null },
      { region: 'mars-east-1', ipCount: '' },
      { region: null, ipCount: '' },
    ];
    expect(leaseGuidance(rows, {}, PRICE)).toStrictEqual({ singleIpRegions: [], rateSizedRegions: ['eu-west-1'], monthlyCents: 3 * PRICE });
  });

  it('keeps the single-IP warning for a row with a count that would leave exactly one', () => {
    const rows = [{ region: 'us-east-1', ipCount: '1' }, { region: 'eu-west-1', ipCount: '' }];
    expect(leaseGuidance(rows, {}, PRICE)).toStrictEqual({ singleIpRegions: ['us-east-1'], rateSizedRegions: ['eu-west-1'], monthlyCents: PRICE });
  });

  it('says AWS will size the count from the rate, and that at least two give Availability Zone redundancy', () => {
    const advice = rateSizedAdvice('eu-west-1');
    expect(advice).toBe(
      'No number of IPs is given for Europe (Ireland): AWS will size it from the send rate you ask for. Ask for at least two if you want Availability Zone redundancy.',
    );
    expectPlainMessage(advice);
  });
});

describe('relinquishGuidance: a region left with a single standard dedicated IP', () => {
  const addresses = (n: number) => Array.from({ length: n }, (_, i) => `198.51.100.${i + 1}`);

  it.each([
    ['two leased, one given back', 2, 1],
    ['three leased, two given back', 3, 2],
    ['ten leased, nine given back', 10, 9],
  ])('warns when %s', (_, leased, givenBack) => {
    expect(relinquishGuidance([{ region: 'us-east-1', addresses: addresses(givenBack) }], leasedIn('us-east-1', leased))).toStrictEqual({ singleIpRegions: ['us-east-1'] });
  });

  it.each([
    ['one leased, one given back (leaves none)', 1, 1],
    ['three leased, all given back (leaves none)', 3, 3],
    ['four leased, two given back (leaves two)', 4, 2],
    ['three leased, one given back (leaves two)', 3, 1],
    ['one leased, none chosen yet', 1, 0],
    ['two leased, none chosen yet', 2, 0],
  ])('does not warn when %s', (_, leased, givenBack) => {
    expect(relinquishGuidance([{ region: 'us-east-1', addresses: addresses(givenBack) }], leasedIn('us-east-1', leased)).singleIpRegions).toEqual([]);
  });

  it('counts only standard dedicated IPs of that region, each once, across rows for the same region', () => {
    const inventories: Inventories = { 'us-east-1': inventory('us-east-1', ['203.0.113.1', '203.0.113.2', '203.0.113.3'], ['192.0.2.50']) };
    // Managed, unknown and repeated addresses do not count: one standard address given back of three.
    const rows = [{ region: 'us-east-1', addresses: ['203.0.113.1', '203.0.113.1', '192.0.2.50', '9.9.9.9'] }];
    expect(relinquishGuidance(rows, inventories).singleIpRegions).toEqual([]);
    // Two rows for the same region: together two of three, leaving one.
    expect(relinquishGuidance([...rows, { region: 'us-east-1', addresses: ['203.0.113.2'] }], inventories).singleIpRegions).toEqual(['us-east-1']);
  });

  it('says nothing about a region whose inventory could not be read, or an unknown region', () => {
    expect(relinquishGuidance([{ region: 'eu-central-1', count: '1' }], {}).singleIpRegions).toEqual([]);
    expect(relinquishGuidance([{ region: 'mars-east-1', addresses: ['198.51.100.1'] }, { region: null, addresses: [] }], leasedIn('us-east-1', 2)).singleIpRegions).toEqual([]);
  });

  it('lists the regions in row order', () => {
    const inventories = { ...leasedIn('eu-west-1', 2), ...leasedIn('us-east-1', 3), ...leasedIn('ap-northeast-1', 2) };
    const rows = [
      { region: 'eu-west-1', addresses: addresses(1) },
      { region: 'us-east-1', addresses: addresses(1) },
      { region: 'ap-northeast-1', addresses: addresses(1) },
    ];
    expect(relinquishGuidance(rows, inventories).singleIpRegions).toEqual(['eu-west-1', 'ap-northeast-1']);
  });

  it('names the region in its warning', () => {
    const warning = singleIpAfterRelinquishWarning('eu-central-1');
    expect(warning).toContain('Europe (Frankfurt)');
    expect(warning).toMatch(/single standard dedicated IP/);
    expect(warning).toMatch(/Availability Zone/);
    expectPlainMessage(warning);
  });
});
