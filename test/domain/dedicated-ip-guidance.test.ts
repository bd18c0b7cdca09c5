/** leaseGuidance: the Availability Zone advice and the monthly cost shown while a lease is filled in. */
import { describe, expect, it } from 'vitest';
import {
  leaseGuidance,
  type Inventories,
} from '../../src/domain/dedicated-ip.js';
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
    expect(leaseGuidance([{ region: 'us-east-1', ipCount: '1' }], {}, PRICE)).toStrictEqual({ singleIpRegions: ['us-east-1'], monthlyCents: 2495 });
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
    ).toStrictEqual({ singleIpRegions: [], monthlyCents: 5 * 2495 });
  });

  it.each([
    ['no rows', []],
    ['only blank counts', [{ region: 'us-east-1', ipCount: '' }, { region: 'eu-west-1', ipCount: null }, { region: 'ap-northeast-1' }]],
  ])('gives no cost and no warning with %s', (_, rows) => {
    expect(leaseGuidance(rows, {}, PRICE)).toStrictEqual({ singleIpRegions: [], monthlyCents: undefined });
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
    expect(guidance).toStrictEqual({ singleIpRegions: [], monthlyCents: 4990 });
  });
});

describe('findings from review', () => {
  it('adds up rows for the same region before judging Availability Zone redundancy and cost', () => {
    const twoRows = leaseGuidance([{ region: 'us-east-1', ipCount: '1' }, { region: 'us-east-1', ipCount: '1' }], {}, PRICE);
    expect(twoRows).toEqual({ singleIpRegions: [], monthlyCents: 2 * PRICE });
    expect(leaseGuidance([{ region: 'us-east-1', ipCount: '0' }], {}, PRICE)).toEqual({ singleIpRegions: [], monthlyCents: undefined });
    expect(leaseGuidance([{ region: 'us-east-1', ipCount: '1,000' }], {}, PRICE).monthlyCents).toBeUndefined();
  });
});
