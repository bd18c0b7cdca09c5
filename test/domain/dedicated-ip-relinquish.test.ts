/** validateRelinquish: a relinquishment form becomes a request, checked against the account's inventory when it could be read. */
import { describe, expect, it } from 'vitest';
import {
  MAX_DEDICATED_IP_ROWS,
  MAX_TEXT_CHARS,
  dedicatedRowField,
  validateRelinquish,
  type Inventories,
} from '../../src/domain/dedicated-ip.js';
import { SES_REGIONS, type RegionCode } from '../../src/domain/regions.js';
import { expectPlainMessage, valueOf } from './builders.js';
import {
  INVENTORIES,
  inventory,
  relinquishErrors,
  relinquishForm,
  relinquishRow,
  type FormRow,
} from './dedicated-ip-builders.js';

describe('validateRelinquish: with the inventory', () => {
  const field = dedicatedRowField('r1', 'addresses');

  it('maps chosen addresses to the exact request: sorted numerically, duplicates removed, count = number chosen', () => {
    const form = relinquishForm({
      rows: [
        relinquishRow('a', 'us-east-1', ['203.0.113.10', '198.51.100.7', '203.0.113.9', '203.0.113.10']),
        relinquishRow('b', 'ap-northeast-1', ['192.0.2.9']),
      ],
      note: '  We moved our marketing mail to another provider.  ',
      language: 'ja',
    });

    expect(validateRelinquish(form, INVENTORIES)).toStrictEqual({
      ok: true,
      value: {
        kind: 'dedicated_ip',
        action: 'relinquish',
        rows: [
          { region: 'us-east-1', addresses: ['198.51.100.7', '203.0.113.9', '203.0.113.10'], count: 3 },
          { region: 'ap-northeast-1', addresses: ['192.0.2.9'], count: 1 },
        ],
        note: 'We moved our marketing mail to another provider.',
        language: 'ja',
      },
    });
  });

  it('sorts by each octet as a number, not as text', () => {
    const inventories = { 'us-east-1': inventory('us-east-1', ['10.0.0.200', '9.255.255.255', '10.0.0.3', '100.0.0.1']) };
    const form = relinquishForm({ rows: [relinquishRow('r1', 'us-east-1', ['100.0.0.1', '10.0.0.200', '9.255.255.255', '10.0.0.3'])] });
    expect(valueOf(validateRelinquish(form, inventories)).rows[0]!.addresses).toEqual(['9.255.255.255', '10.0.0.3', '10.0.0.200', '100.0.0.1']);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['empty', ''],
    ['blank', '  \n  '],
  ])('leaves a %s note undefined', (_, note) => {
    expect(valueOf(validateRelinquish(relinquishForm({ note }), INVENTORIES)).note).toBeUndefined();
  });

  it.each([
    ['no address list', null],
    ['an empty address list', []],
  ])('refuses a region with %s chosen', (_, addresses) => {
    const errors = relinquishErrors(relinquishForm({ rows: [relinquishRow('r1', 'us-east-1', addresses)] }));
    expect(errors).toStrictEqual({ [field]: 'Choose at least one address to give back.' });
    expectPlainMessage(errors[field]);
  });

  it('refuses an address that is not in the account, naming it and the region', () => {
    const errors = relinquishErrors(relinquishForm({ rows: [relinquishRow('r1', 'us-east-1', ['203.0.113.10', '192.0.2.200'])] }));
    expect(errors).toStrictEqual({ [field]: '192.0.2.200 is not a standard dedicated IP of this account in US East (N. Virginia).' });
    expectPlainMessage(errors[field]);
  });

  it('refuses an address leased in another region', () => {
    const errors = relinquishErrors(relinquishForm({ rows: [relinquishRow('r1', 'us-east-1', ['192.0.2.9'])] }));
    expect(errors).toStrictEqual({ [field]: '192.0.2.9 is not a standard dedicated IP of this account in US East (N. Virginia).' });
  });

  it('refuses an address in a managed pool and says managed IPs are released by deleting the pool', () => {
    const errors = relinquishErrors(relinquishForm({ rows: [relinquishRow('r1', 'us-east-1', ['203.0.113.10', '192.0.2.50'])] }));
    expect(errors).toStrictEqual({
      [field]: '192.0.2.50 belongs to a managed pool; managed IPs are released by deleting the pool, not through a case.',
    });
    expectPlainMessage(errors[field]);
  });

  it('refuses a region where the account leases no standard IPs (managed ones do not count)', () => {
    const errors = relinquishErrors(relinquishForm({ rows: [relinquishRow('r1', 'eu-west-1', ['192.0.2.60'])] }));
    expect(errors).toStrictEqual({ [field]: 'This account leases no standard dedicated IPs in Europe (Ireland).' });
    expectPlainMessage(errors[field]);
  });

  it('refuses the same region twice, on the second row, naming the first', () => {
    const errors = relinquishErrors(
      relinquishForm({
        rows: [
          relinquishRow('a', 'ap-northeast-1', ['192.0.2.9']),
          relinquishRow('b', 'us-east-1', ['203.0.113.10']),
          relinquishRow('c', 'us-east-1', ['203.0.113.9']),
        ],
      }),
    );
    expect(errors).toStrictEqual({ 'rows.c.region': 'Request 2 is already for US East (N. Virginia): one row per region.' });
    expectPlainMessage(errors['rows.c.region']);
  });

  it.each([
    ['missing', null],
    ['unknown', 'mars-east-1'],
    ['differently cased', 'US-EAST-1'],
  ])('refuses a %s region under rows.<key>.region', (_, region) => {
    const errors = relinquishErrors(relinquishForm({ rows: [relinquishRow('x7', region, ['203.0.113.10'])] }));
    expect(errors).toStrictEqual({ 'rows.x7.region': 'Choose the region of the addresses to give back.' });
    expectPlainMessage(errors['rows.x7.region']);
  });

  it('refuses a form without rows, and more than 10 rows', () => {
    expect(relinquishErrors(relinquishForm({ rows: [] }))).toStrictEqual({ rows: 'Add at least one region.' });
    const rows = SES_REGIONS.slice(0, MAX_DEDICATED_IP_ROWS + 1).map((r, i) => relinquishRow(`k${i}`, r.code, null, '1'));
    expect(relinquishErrors(relinquishForm({ rows }), {})).toStrictEqual({ rows: 'At most 10 regions fit in one case.' });
  });

  it('refuses a note over 3,000 characters and accepts exactly 3,000', () => {
    const errors = relinquishErrors(relinquishForm({ note: 'n'.repeat(MAX_TEXT_CHARS + 1) }));
    expect(errors).toStrictEqual({ note: 'Keep the note to at most 3,000 characters.' });
    expectPlainMessage(errors.note);
    expect(valueOf(validateRelinquish(relinquishForm({ note: 'n'.repeat(MAX_TEXT_CHARS) }), INVENTORIES)).note).toHaveLength(MAX_TEXT_CHARS);
  });

  it.each([
    ['missing', null],
    ['empty', ''],
    ['unsupported', 'fr'],
  ])('refuses a %s contact language', (_, language) => {
    expect(relinquishErrors(relinquishForm({ language }))).toStrictEqual({ language: 'Choose English or Japanese.' });
  });
});

describe('validateRelinquish: without the inventory (unreadable)', () => {
  const field = dedicatedRowField('r1', 'count');
  const unreadable = (count: string | null) => relinquishForm({ rows: [relinquishRow('r1', 'eu-central-1', null, count)] });

  it.each([
    ['3', 3],
    [' 100 ', 100],
    ['101', 101],
    ['10,000,000,000', 10_000_000_000],
    ['1', 1],
  ])('accepts a count of %j and carries an empty address list', (count, expected) => {
    expect(validateRelinquish(unreadable(count), INVENTORIES)).toStrictEqual({
      ok: true,
      value: { kind: 'dedicated_ip', action: 'relinquish', rows: [{ region: 'eu-central-1', addresses: [], count: expected }], note: undefined, language: 'en' },
    });
  });

  const NOT_WHOLE = 'Enter the number of addresses to give back as a whole number, without decimals or units.';
  it.each([
    ['missing', null, 'Enter the number of addresses to give back.'],
    ['blank', '  ', 'Enter the number of addresses to give back.'],
    ['non-numeric', 'three', NOT_WHOLE],
    ['decimal', '2.5', NOT_WHOLE],
    ['negative', '-2', NOT_WHOLE],
    ['zero', '0', 'The number of addresses to give back must be at least 1.'],
    ['above the bound AWS documents', '10000000001', 'The number of addresses to give back can be at most 10,000,000,000, the largest value AWS accepts in a limit request.'],
  ])('refuses a count that is %s', (_, count, message) => {
    const errors = relinquishErrors(unreadable(count));
    expect(errors).toStrictEqual({ [field]: message });
    expectPlainMessage(errors[field]);
  });

  it('asks for a count only in the unreadable region, and for addresses in the readable one', () => {
    const form = relinquishForm({
      rows: [relinquishRow('a', 'us-east-1', ['203.0.113.9']), relinquishRow('b', 'eu-central-1', null, '2')],
    });
    expect(valueOf(validateRelinquish(form, INVENTORIES)).rows).toStrictEqual([
      { region: 'us-east-1', addresses: ['203.0.113.9'], count: 1 },
      { region: 'eu-central-1', addresses: [], count: 2 },
    ]);
    expect(relinquishErrors(relinquishForm({ rows: [relinquishRow('a', 'us-east-1', null, '2'), relinquishRow('b', 'eu-central-1', ['203.0.113.9'])] }))).toStrictEqual({
      'rows.a.addresses': 'Choose at least one address to give back.',
      'rows.b.count': 'Enter the number of addresses to give back.',
    });
  });
});

describe('findings from review', () => {
  it('blames the address lists, not an empty note, when a relinquishment is too large for one case', () => {
    const regions = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'ap-south-1', 'sa-east-1'] as RegionCode[];
    const inventories: Inventories = {};
    const rows: FormRow[] = [];
    regions.forEach((region, r) => {
      const addresses = Array.from({ length: 100 }, (_, i) => `10.${r}.${Math.floor(i / 250)}.${i + 1}`);
      inventories[region] = inventory(region, addresses);
      rows.push(relinquishRow(String(r), region, addresses));
    });
    const errors = relinquishErrors(relinquishForm({ rows, note: null }), inventories);
    expect(Object.keys(errors)).toEqual(['rows']);
    expect(errors.rows).toMatch(/give back the addresses of fewer regions per case/);
  });

  it('carries no addresses on a count-only row, whatever the form sent', () => {
    const result = validateRelinquish(relinquishForm({ rows: [relinquishRow('0', 'eu-west-1', ['192.0.2.1'], '3')] }), {});
    expect(valueOf(result).rows).toEqual([{ region: 'eu-west-1', addresses: [], count: 3 }]);
  });

  it('speaks of several addresses in the plural', () => {
    const errors = relinquishErrors(relinquishForm({ rows: [relinquishRow('0', 'us-east-1', ['9.9.9.9', '8.8.8.8'])] }));
    expect(errors['rows.0.addresses']).toMatch(/^8\.8\.8\.8, 9\.9\.9\.9 are not standard dedicated IPs of this account|^9\.9\.9\.9, 8\.8\.8\.8 are not standard dedicated IPs of this account/);
  });
});
