import { describe, expect, it } from 'vitest';
import { SES_REGIONS, defaultRegion, isRegionCode, regionName } from '../../src/domain/regions.js';

describe('SES_REGIONS', () => {
  it('lists the 27 commercial regions where SES sends', () => {
    expect(SES_REGIONS).toHaveLength(27);
  });

  it('has unique, well-formed codes and unique names', () => {
    const codes = SES_REGIONS.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(SES_REGIONS.map((r) => r.name)).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
  });

  it.each([
    ['us-east-1', 'US East (N. Virginia)'],
    ['us-west-2', 'US West (Oregon)'],
    ['eu-west-1', 'Europe (Ireland)'],
    ['eu-central-2', 'Europe (Zurich)'],
    ['ap-northeast-1', 'Asia Pacific (Tokyo)'],
    ['ap-southeast-5', 'Asia Pacific (Malaysia)'],
    ['ca-west-1', 'Canada West (Calgary)'],
    ['me-central-1', 'Middle East (UAE)'],
    ['sa-east-1', 'South America (São Paulo)'],
  ] as const)('names %s as the console does: %s', (code, name) => {
    expect(regionName(code)).toBe(name);
  });
});

describe('isRegionCode', () => {
  it('accepts every listed code', () => {
    for (const { code } of SES_REGIONS) expect(isRegionCode(code)).toBe(true);
  });

  it.each([undefined, null, 42, '', 'US-EAST-1', ' us-east-1', 'us-gov-west-1', 'cn-north-1', 'mars-east-1', 'toString', '__proto__'])(
    'refuses %j',
    (value) => {
      expect(isRegionCode(value)).toBe(false);
    },
  );
});

describe('defaultRegion', () => {
  it.each(['us-east-1', 'eu-west-1', 'ap-southeast-2', 'sa-east-1'])('keeps the SES region %s', (region) => {
    expect(defaultRegion(region)).toBe(region);
  });

  it.each([
    ['unset', undefined],
    ['empty', ''],
    ['unknown', 'mars-east-1'],
    ['a GovCloud region', 'us-gov-west-1'],
    ['a China region', 'cn-north-1'],
    ['differently cased', 'EU-WEST-1'],
  ])('falls back to us-east-1 when AWS_REGION is %s', (_, region) => {
    expect(defaultRegion(region)).toBe('us-east-1');
  });
});
