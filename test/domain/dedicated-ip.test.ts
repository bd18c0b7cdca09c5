import { describe, expect, it } from 'vitest';
import { LONGEST_REQUEST_ID, MAX_CASE_BODY_CHARS, referenceFor, type FieldErrors, type Validation } from '../../src/domain/common.js';
import {
  MAX_DEDICATED_IP_ROWS,
  MAX_IPS_PER_REGION,
  MAX_SEND_RATE,
  MAX_TEXT_CHARS,
  MIN_DEDICATED_USE_CASE_CHARS,
  daysInMonth,
  dedicatedIpCaseText,
  dedicatedRowField,
  formatUsd,
  leaseGuidance,
  monthlyCost,
  proratedCharge,
  validateLease,
  validateRelinquish,
  type DedicatedIp,
  type DedicatedIpFormInput,
  type DedicatedIpLease,
  type DedicatedIpRelinquish,
  type Inventories,
  type RegionInventory,
} from '../../src/domain/dedicated-ip.js';
import { SES_REGIONS, type RegionCode } from '../../src/domain/regions.js';
import { expectPlainMessage, valueOf } from './builders.js';

// ---------------------------------------------------------------------------------------------
// Builders.

const REFERENCE = referenceFor('0123456789abcdef');
const PRICE = 2495; // USD 24.95 a month per standard dedicated IP

/** Comfortably above the 100-character minimum: why dedicated, the volume, and the warm-up. */
const DIP_USE_CASE =
  'We send 3 million receipts a month and want our own sending reputation, separate from shared IPs. ' +
  'We will warm the addresses up over six weeks.';

type FormRow = DedicatedIpFormInput['rows'][number];

function leaseRow(key: string, region: string | null, sendRate: string | null, ipCount: string | null = null): FormRow {
  return { key, region, sendRate, ipCount };
}

/** A complete lease form that validates; override any field. */
function leaseForm(overrides: Partial<DedicatedIpFormInput> = {}): DedicatedIpFormInput {
  return {
    action: 'request',
    mailType: 'transactional',
    websiteUrl: 'https://example.com',
    optInProcess: null,
    bounceProcess: null,
    compliesWithAup: 'yes',
    rows: [leaseRow('r1', 'us-east-1', '1000', '2')],
    useCase: DIP_USE_CASE,
    language: 'en',
    ...overrides,
  };
}

/** The lease form with only its first row changed. */
function withLeaseRow(changes: Partial<FormRow>): DedicatedIpFormInput {
  return leaseForm({ rows: [{ ...leaseRow('r1', 'us-east-1', '1000', '2'), ...changes }] });
}

function relinquishRow(key: string, region: string | null, addresses: string[] | null, count: string | null = null): FormRow {
  return { key, region, addresses, count };
}

function relinquishForm(overrides: Partial<DedicatedIpFormInput> = {}): DedicatedIpFormInput {
  return {
    action: 'relinquish',
    rows: [relinquishRow('r1', 'us-east-1', ['203.0.113.10'])],
    note: null,
    language: 'en',
    ...overrides,
  };
}

function ip(address: string, scalingMode: DedicatedIp['scalingMode'], pool = scalingMode === 'STANDARD' ? 'transactional' : 'managed-pool'): DedicatedIp {
  return scalingMode === 'STANDARD'
    ? { ip: address, pool, scalingMode, warmupStatus: 'DONE', warmupPercentage: 100 }
    : { ip: address, pool, scalingMode, warmupStatus: 'NOT_APPLICABLE', warmupPercentage: -1 };
}

function inventory(region: RegionCode, standard: string[], managed: string[] = []): RegionInventory {
  return { region, ips: [...standard.map((a) => ip(a, 'STANDARD')), ...managed.map((a) => ip(a, 'MANAGED'))] };
}

/** US East: four standard IPs and one in a managed pool; Ireland: only managed; Tokyo: one standard. */
const INVENTORIES: Inventories = {
  'us-east-1': inventory('us-east-1', ['203.0.113.10', '198.51.100.7', '203.0.113.9', '10.0.0.200'], ['192.0.2.50', '192.0.2.51']),
  'eu-west-1': inventory('eu-west-1', [], ['192.0.2.60']),
  'ap-northeast-1': inventory('ap-northeast-1', ['192.0.2.9']),
};

function refused<T>(result: Validation<T>): FieldErrors {
  if (result.ok) throw new Error(`expected the form to be refused, but it was accepted: ${JSON.stringify(result.value)}`);
  return result.errors;
}

const leaseErrors = (input: DedicatedIpFormInput) => refused(validateLease(input));
const relinquishErrors = (input: DedicatedIpFormInput, inventories: Inventories = INVENTORIES) => refused(validateRelinquish(input, inventories));

// ---------------------------------------------------------------------------------------------
// validateLease

describe('validateLease: form → request', () => {
  it('maps a complete valid form to the exact request: rows in order, trimmed text, blank answers and counts undefined', () => {
    expect(DIP_USE_CASE.length).toBeGreaterThanOrEqual(MIN_DEDICATED_USE_CASE_CHARS);
    const form: DedicatedIpFormInput = {
      action: 'request',
      mailType: 'marketing',
      websiteUrl: '  https://shop.example.com/about  ',
      optInProcess: '  Double opt-in: we mail only addresses that clicked the confirmation link.  ',
      bounceProcess: '   ',
      compliesWithAup: 'yes',
      rows: [leaseRow('b', 'eu-west-1', ' 1,000 ', '2'), leaseRow('a', 'us-east-1', '50', ''), leaseRow('c', 'ap-northeast-1', '20', null)],
      useCase: `\n  ${DIP_USE_CASE}  \n`,
      language: 'ja',
    };

    expect(validateLease(form)).toStrictEqual({
      ok: true,
      value: {
        kind: 'dedicated_ip',
        action: 'request',
        mailType: 'marketing',
        websiteUrl: 'https://shop.example.com/about',
        optInProcess: 'Double opt-in: we mail only addresses that clicked the confirmation link.',
        bounceProcess: undefined,
        compliesWithAup: true,
        rows: [
          { region: 'eu-west-1', sendRate: 1000, ipCount: 2 },
          { region: 'us-east-1', sendRate: 50, ipCount: undefined },
          { region: 'ap-northeast-1', sendRate: 20, ipCount: undefined },
        ],
        useCase: DIP_USE_CASE,
        language: 'ja',
      },
    });
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['empty', ''],
    ['blank', '  \n '],
  ])('leaves %s optional answers undefined', (_, answer) => {
    const request = valueOf(validateLease(leaseForm({ optInProcess: answer, bounceProcess: answer })));
    expect(request.optInProcess).toBeUndefined();
    expect(request.bounceProcess).toBeUndefined();
  });

  it.each(['marketing', 'transactional', 'system_notifications'])('accepts mail type %s', (mailType) => {
    expect(valueOf(validateLease(leaseForm({ mailType }))).mailType).toBe(mailType);
  });

  it('reports every problem of a form at once, each under its own field', () => {
    const errors = leaseErrors({
      mailType: null,
      websiteUrl: 'example',
      optInProcess: 'o'.repeat(MAX_TEXT_CHARS + 1),
      bounceProcess: 'b'.repeat(MAX_TEXT_CHARS + 1),
      compliesWithAup: 'no',
      rows: [leaseRow('r1', 'mars-1', 'fast', 'two')],
      useCase: 'Please.',
      language: null,
    });
    expect(Object.keys(errors).sort()).toEqual(
      [
        'mailType',
        'websiteUrl',
        'optInProcess',
        'bounceProcess',
        'compliesWithAup',
        'rows.r1.region',
        'rows.r1.sendRate',
        'rows.r1.ipCount',
        'useCase',
        'language',
      ].sort(),
    );
    for (const message of Object.values(errors)) expectPlainMessage(message);
  });
});

describe('validateLease: answers', () => {
  it.each([
    ['missing', null],
    ['unknown', 'newsletters'],
  ])('refuses a %s mail type', (_, mailType) => {
    expect(leaseErrors(leaseForm({ mailType }))).toStrictEqual({ mailType: 'Choose the type of mail that covers most of what you send.' });
  });

  it.each([
    ['missing', null, 'Enter the website URL of the business that sends this mail.'],
    ['without a scheme', 'example.com', 'Enter a full web address starting with https:// or http://, for example https://example.com.'],
    ['not http(s)', 'ftp://example.com', 'The website URL must start with https:// or http://.'],
    ['without a domain', 'https://localhost', 'The website URL needs a domain name such as example.com.'],
    ['with a line break', 'https://example.com/\nWill you comply with AWS Service Terms and AUP: Yes', 'Remove spaces and line breaks from the website URL.'],
  ])('refuses a website URL %s', (_, websiteUrl, message) => {
    expect(leaseErrors(leaseForm({ websiteUrl }))).toStrictEqual({ websiteUrl: message });
  });

  it('refuses AUP "No" and says why the request cannot be filed', () => {
    const errors = leaseErrors(leaseForm({ compliesWithAup: 'no' }));
    expect(errors).toStrictEqual({
      compliesWithAup:
        'AWS does not provide dedicated IPs for sending that does not comply with the AWS Service Terms and Acceptable Use Policy, so this request cannot be filed with "No".',
    });
    expectPlainMessage(errors.compliesWithAup);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['empty', ''],
    ['not yes/no', 'maybe'],
  ])('asks for a Yes or No when the AUP question is %s', (_, compliesWithAup) => {
    const errors = leaseErrors(leaseForm({ compliesWithAup }));
    expect(errors).toStrictEqual({ compliesWithAup: 'Answer "Will you comply with AWS Service Terms and AUP" with Yes or No.' });
    expectPlainMessage(errors.compliesWithAup);
  });

  it.each(['optInProcess', 'bounceProcess'] as const)('refuses %s over 3,000 characters and accepts exactly 3,000 (padding not counted)', (field) => {
    const errors = leaseErrors(leaseForm({ [field]: 'a'.repeat(MAX_TEXT_CHARS + 1) }));
    expect(errors).toStrictEqual({ [field]: 'Keep this answer to at most 3,000 characters.' });
    expectPlainMessage(errors[field]);

    const request = valueOf(validateLease(leaseForm({ [field]: `  ${'a'.repeat(MAX_TEXT_CHARS)}\n` })));
    expect(request[field]).toBe('a'.repeat(MAX_TEXT_CHARS));
  });

  it.each([
    ['missing', null],
    ['empty', ''],
    ['unsupported', 'fr'],
  ])('refuses a %s contact language', (_, language) => {
    expect(leaseErrors(leaseForm({ language }))).toStrictEqual({ language: 'Choose English or Japanese.' });
  });
});

describe('validateLease: use case', () => {
  it('refuses a missing use case and says what to write', () => {
    const errors = leaseErrors(leaseForm({ useCase: null }));
    expect(errors).toStrictEqual({ useCase: 'Describe why you need dedicated IPs rather than shared ones, and how you will use them.' });
    expectPlainMessage(errors.useCase);
  });

  it.each([
    ['blank', '     ', 0],
    ['short, padded', `   ${'a'.repeat(42)}   `, 42],
    ['one character short', 'a'.repeat(MIN_DEDICATED_USE_CASE_CHARS - 1), 99],
  ])('refuses a %s use case and says how many characters were written', (_, useCase, written) => {
    const errors = leaseErrors(leaseForm({ useCase }));
    expect(errors).toStrictEqual({
      useCase: `Say more (at least 100 characters; you wrote ${written}): why dedicated rather than shared IPs, your volume, and how you will warm them up.`,
    });
    expectPlainMessage(errors.useCase);
  });

  it('refuses a use case over 3,000 characters', () => {
    const errors = leaseErrors(leaseForm({ useCase: 'a'.repeat(MAX_TEXT_CHARS + 1) }));
    expect(errors).toStrictEqual({ useCase: 'Keep the use case to at most 3,000 characters.' });
  });

  it('accepts exactly 100 and exactly 3,000 characters', () => {
    expect(valueOf(validateLease(leaseForm({ useCase: 'a'.repeat(MIN_DEDICATED_USE_CASE_CHARS) }))).useCase).toHaveLength(100);
    expect(valueOf(validateLease(leaseForm({ useCase: 'a'.repeat(MAX_TEXT_CHARS) }))).useCase).toHaveLength(3000);
  });
});

describe('validateLease: rows', () => {
  it('keys row errors as rows.<rowKey>.<field>', () => {
    expect(dedicatedRowField('abc', 'region')).toBe('rows.abc.region');
    expect(dedicatedRowField('abc', 'sendRate')).toBe('rows.abc.sendRate');
    expect(dedicatedRowField('abc', 'ipCount')).toBe('rows.abc.ipCount');
    expect(dedicatedRowField('abc', 'addresses')).toBe('rows.abc.addresses');
    expect(dedicatedRowField('abc', 'count')).toBe('rows.abc.count');
  });

  it('refuses a form without rows', () => {
    const errors = leaseErrors(leaseForm({ rows: [] }));
    expect(errors).toStrictEqual({ rows: 'Add at least one region.' });
    expectPlainMessage(errors.rows);
  });

  it(`accepts ${MAX_DEDICATED_IP_ROWS} regions and refuses ${MAX_DEDICATED_IP_ROWS + 1}`, () => {
    const rows = SES_REGIONS.slice(0, MAX_DEDICATED_IP_ROWS + 1).map((r, i) => leaseRow(`k${i}`, r.code, '100', '2'));
    expect(valueOf(validateLease(leaseForm({ rows: rows.slice(0, MAX_DEDICATED_IP_ROWS) }))).rows).toHaveLength(MAX_DEDICATED_IP_ROWS);

    const errors = leaseErrors(leaseForm({ rows }));
    expect(errors).toStrictEqual({ rows: 'At most 10 regions fit in one case.' });
    expectPlainMessage(errors.rows);
  });

  it.each([
    ['missing', null],
    ['unknown', 'mars-east-1'],
    ['non-SES (GovCloud)', 'us-gov-west-1'],
    ['differently cased', 'US-EAST-1'],
    ['an inherited property name', 'toString'],
  ])('refuses a %s region under rows.<key>.region', (_, region) => {
    const errors = leaseErrors(leaseForm({ rows: [leaseRow('x7', region, '100')] }));
    expect(errors).toStrictEqual({ 'rows.x7.region': 'Choose the region for the dedicated IPs.' });
    expectPlainMessage(errors['rows.x7.region']);
  });

  it('refuses the same region twice, on the second row, naming the first', () => {
    const errors = leaseErrors(
      leaseForm({
        rows: [leaseRow('a', 'eu-west-1', '100'), leaseRow('b', 'us-east-1', '200', '2'), leaseRow('c', 'us-east-1', '300', '3')],
      }),
    );
    expect(errors).toStrictEqual({ 'rows.c.region': 'Request 2 is already for US East (N. Virginia): one row per region.' });
    expectPlainMessage(errors['rows.c.region']);
  });

  it('reports only the rows that are wrong, each under its own key', () => {
    const errors = leaseErrors(leaseForm({ rows: [leaseRow('ok', 'us-east-1', '100', '2'), leaseRow('bad', 'eu-west-1', '0', '0')] }));
    expect(errors).toStrictEqual({
      'rows.bad.sendRate': 'The desired maximum send rate (messages per second) must be at least 1.',
      'rows.bad.ipCount': 'The number of dedicated IPs must be at least 1.',
    });
  });
});

describe('validateLease: send rate', () => {
  const field = dedicatedRowField('r1', 'sendRate');
  const NOT_WHOLE = 'Enter the desired maximum send rate (messages per second) as a whole number, without decimals or units.';

  it.each([
    ['missing', null, 'Enter the desired maximum send rate (messages per second).'],
    ['empty', '', 'Enter the desired maximum send rate (messages per second).'],
    ['blank', '   ', 'Enter the desired maximum send rate (messages per second).'],
    ['non-numeric', 'fast', NOT_WHOLE],
    ['with units', '50/s', NOT_WHOLE],
    ['decimal', '10.5', NOT_WHOLE],
    ['negative', '-5', NOT_WHOLE],
    ['in exponent notation', '1e3', NOT_WHOLE],
    ['zero', '0', 'The desired maximum send rate (messages per second) must be at least 1.'],
    ['over 100,000', '100001', 'The most this bot files is 100,000; for more, talk to your AWS account team.'],
  ])('refuses a send rate that is %s', (_, sendRate, message) => {
    const errors = leaseErrors(withLeaseRow({ sendRate }));
    expect(errors).toStrictEqual({ [field]: message });
    expectPlainMessage(errors[field]);
  });

  it.each([
    ['1', 1],
    ['100000', MAX_SEND_RATE],
    ['100,000', MAX_SEND_RATE],
  ])('accepts a send rate of %s', (sendRate, expected) => {
    expect(valueOf(validateLease(withLeaseRow({ sendRate }))).rows).toEqual([{ region: 'us-east-1', sendRate: expected, ipCount: 2 }]);
  });
});

describe('validateLease: number of IPs', () => {
  const field = dedicatedRowField('r1', 'ipCount');
  const NOT_WHOLE = 'Enter the number of dedicated IPs as a whole number, without decimals or units.';

  it.each([
    ['non-numeric', 'two', NOT_WHOLE],
    ['decimal', '1.5', NOT_WHOLE],
    ['negative', '-1', NOT_WHOLE],
    ['zero', '0', 'The number of dedicated IPs must be at least 1.'],
    ['over 100', '101', 'The most this bot files is 100; for more, talk to your AWS account team.'],
  ])('refuses an IP count that is %s', (_, ipCount, message) => {
    const errors = leaseErrors(withLeaseRow({ ipCount }));
    expect(errors).toStrictEqual({ [field]: message });
    expectPlainMessage(errors[field]);
  });

  it.each([
    ['missing', undefined, undefined],
    ['null', null, undefined],
    ['empty', '', undefined],
    ['blank', '  ', undefined],
    ['1', '1', 1],
    ['100', '100', MAX_IPS_PER_REGION],
  ])('accepts a %s count', (_, ipCount, expected) => {
    expect(valueOf(validateLease(withLeaseRow({ ipCount }))).rows).toStrictEqual([{ region: 'us-east-1', sendRate: 1000, ipCount: expected }]);
  });
});

describe('validateLease: case body size', () => {
  it('refuses, under the use case, answers that together would not fit in an 8,000-character case, and gives the length', () => {
    const form = leaseForm({
      optInProcess: 'o'.repeat(MAX_TEXT_CHARS),
      bounceProcess: 'b'.repeat(MAX_TEXT_CHARS),
      useCase: 'u'.repeat(MAX_TEXT_CHARS),
    });
    const request: DedicatedIpLease = {
      kind: 'dedicated_ip',
      action: 'request',
      mailType: 'transactional',
      websiteUrl: 'https://example.com',
      optInProcess: 'o'.repeat(MAX_TEXT_CHARS),
      bounceProcess: 'b'.repeat(MAX_TEXT_CHARS),
      compliesWithAup: true,
      rows: [{ region: 'us-east-1', sendRate: 1000, ipCount: 2 }],
      useCase: 'u'.repeat(MAX_TEXT_CHARS),
      language: 'en',
    };
    const length = dedicatedIpCaseText(request, referenceFor(LONGEST_REQUEST_ID)).body.length;
    expect(length).toBeGreaterThan(MAX_CASE_BODY_CHARS);

    const errors = leaseErrors(form);
    expect(errors).toStrictEqual({
      useCase: `The case would be ${length.toLocaleString('en-US')} characters; AWS accepts 8,000. Shorten the text.`,
    });
    expectPlainMessage(errors.useCase);
  });

  it('accepts the longest use case with both answers at 1,000 characters in ten regions with the longest names', () => {
    const longestNames = [...SES_REGIONS].sort((a, b) => b.name.length - a.name.length);
    const rows = longestNames.slice(0, MAX_DEDICATED_IP_ROWS).map((r, i) => leaseRow(`k${i}`, r.code, String(MAX_SEND_RATE), String(MAX_IPS_PER_REGION)));
    const form = leaseForm({ rows, optInProcess: 'o'.repeat(1000), bounceProcess: 'b'.repeat(1000), useCase: 'u'.repeat(MAX_TEXT_CHARS) });
    const request = valueOf(validateLease(form));
    expect(dedicatedIpCaseText(request, referenceFor(LONGEST_REQUEST_ID)).body.length).toBeLessThanOrEqual(MAX_CASE_BODY_CHARS);
  });
});

// ---------------------------------------------------------------------------------------------
// validateRelinquish

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
    [' 100 ', MAX_IPS_PER_REGION],
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
    ['over 100', '101', 'The most this bot files is 100; for more, talk to your AWS account team.'],
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

// ---------------------------------------------------------------------------------------------
// Costs

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

// ---------------------------------------------------------------------------------------------
// Case text

function lease(overrides: Partial<DedicatedIpLease> = {}): DedicatedIpLease {
  return {
    kind: 'dedicated_ip',
    action: 'request',
    mailType: 'marketing',
    websiteUrl: 'https://shop.example.com',
    optInProcess: undefined,
    bounceProcess: undefined,
    compliesWithAup: true,
    rows: [
      { region: 'us-east-1', sendRate: 1000, ipCount: 2 },
      { region: 'sa-east-1', sendRate: 50, ipCount: undefined },
    ],
    useCase: 'We send newsletters to 2 million subscribers and want our own reputation.',
    language: 'en',
    ...overrides,
  };
}

function relinquishment(overrides: Partial<DedicatedIpRelinquish> = {}): DedicatedIpRelinquish {
  return {
    kind: 'dedicated_ip',
    action: 'relinquish',
    rows: [
      { region: 'us-east-1', addresses: ['198.51.100.7', '203.0.113.10'], count: 2 },
      { region: 'ap-northeast-1', addresses: ['192.0.2.9'], count: 1 },
    ],
    note: 'Our marketing mail moved to another provider.',
    language: 'en',
    ...overrides,
  };
}

describe('dedicatedIpCaseText: lease', () => {
  it('renders a two-region lease with a count in one region only, answers not given (golden)', () => {
    expect(dedicatedIpCaseText(lease(), REFERENCE).body).toBe(
      `Limit increase request 1
Service: SES Sending Limits
Region: US East (N. Virginia)
Limit name: Desired Maximum Send Rate
New limit value: 1000
------------
Limit increase request 2
Service: SES Sending Limits
Region: South America (São Paulo)
Limit name: Desired Maximum Send Rate
New limit value: 50
------------
Use case description: We send newsletters to 2 million subscribers and want our own reputation.

Number of standard dedicated IPs requested:
- US East (N. Virginia): 2
Mail Type: Marketing
Website URL: https://shop.example.com
Describe, in detail, how you will only send to recipients who have specifically requested your mail: Not answered
Describe, in detail, the process that you will follow when you receive bounce and complaint notifications: Not answered
Will you comply with AWS Service Terms and AUP: Yes

Slack request reference: SESBOT-0123456789abcdef`,
    );
  });

  it('writes the answers as given, and no count section when no count was given', () => {
    const body = dedicatedIpCaseText(
      lease({
        optInProcess: 'Double opt-in only.',
        bounceProcess: 'SNS notifications suppress the address.',
        rows: [{ region: 'eu-west-1', sendRate: 200, ipCount: undefined }],
      }),
      REFERENCE,
    ).body;
    expect(body).toContain(
      '\nUse case description: We send newsletters to 2 million subscribers and want our own reputation.\nMail Type: Marketing\n',
    );
    expect(body).not.toContain('Number of standard dedicated IPs requested');
    expect(body).toContain('\nDescribe, in detail, how you will only send to recipients who have specifically requested your mail: Double opt-in only.\n');
    expect(body).toContain(
      '\nDescribe, in detail, the process that you will follow when you receive bounce and complaint notifications: SNS notifications suppress the address.\n',
    );
    expect(body).not.toContain('Not answered');
  });

  it('writes the body of a validated form', () => {
    const request = valueOf(
      validateLease(leaseForm({ mailType: 'system_notifications', rows: [leaseRow('a', 'eu-central-1', '5,000', '3'), leaseRow('b', 'ap-northeast-1', '40', '1')] })),
    );
    const body = dedicatedIpCaseText(request, REFERENCE).body;
    expect(body).toMatch(/^Limit increase request 1\nService: SES Sending Limits\nRegion: Europe \(Frankfurt\)\nLimit name: Desired Maximum Send Rate\nNew limit value: 5000\n/);
    expect(body).toContain(
      `\nUse case description: ${DIP_USE_CASE}\n\nNumber of standard dedicated IPs requested:\n- Europe (Frankfurt): 3\n- Asia Pacific (Tokyo): 1\nMail Type: System Notifications\n`,
    );
    expect(body.endsWith('\n\nSlack request reference: SESBOT-0123456789abcdef')).toBe(true);
  });

  it('names each region, count and rate in the subject, which ends with the reference', () => {
    expect(dedicatedIpCaseText(lease(), REFERENCE).subject).toBe(
      'Amazon SES dedicated IP request: us-east-1 2 IPs at 1,000/s, sa-east-1 at 50/s [SESBOT-0123456789abcdef]',
    );
    expect(dedicatedIpCaseText(lease({ rows: [{ region: 'eu-west-1', sendRate: 100_000, ipCount: 1 }] }), REFERENCE).subject).toBe(
      'Amazon SES dedicated IP request: eu-west-1 1 IP at 100,000/s [SESBOT-0123456789abcdef]',
    );
  });
});

describe('dedicatedIpCaseText: relinquishment', () => {
  it('renders a relinquishment of addresses in two regions plus a note (golden)', () => {
    expect(dedicatedIpCaseText(relinquishment(), REFERENCE).body).toBe(
      `Limit increase request 1
Service: SES Sending Limits
Region: US East (N. Virginia)
Limit name: Desired Maximum Send Rate
New limit value: 2
------------
Limit increase request 2
Service: SES Sending Limits
Region: Asia Pacific (Tokyo)
Limit name: Desired Maximum Send Rate
New limit value: 1
------------
Use case description: Please relinquish (release) the following 3 standard dedicated IP addresses from this account. We no longer need them.
- US East (N. Virginia) (us-east-1), 2 addresses: 198.51.100.7, 203.0.113.10
- Asia Pacific (Tokyo) (ap-northeast-1), 1 address: 192.0.2.9

Note: Our marketing mail moved to another provider.

Slack request reference: SESBOT-0123456789abcdef`,
    );
  });

  it('begins the use case with the relinquishment, has no mail type or website, and ends with the reference', () => {
    const body = dedicatedIpCaseText(relinquishment({ note: undefined }), REFERENCE).body;
    expect(body).toContain('\nUse case description: Please relinquish (release) the following 3 standard dedicated IP addresses from this account.');
    expect(body).not.toMatch(/Mail Type:|Website URL:|Note:/);
    const lines = body.split('\n');
    expect(lines.at(-1)).toBe('Slack request reference: SESBOT-0123456789abcdef');
    expect(lines.at(-2)).toBe('');
    expect(lines.at(-3)).toBe('- Asia Pacific (Tokyo) (ap-northeast-1), 1 address: 192.0.2.9');
  });

  it('sets each region’s New limit value to the number of addresses given back', () => {
    const body = dedicatedIpCaseText(
      relinquishment({
        rows: [
          { region: 'eu-west-1', addresses: ['192.0.2.1', '192.0.2.2', '192.0.2.3'], count: 3 },
          { region: 'eu-central-1', addresses: [], count: 7 },
        ],
      }),
      REFERENCE,
    ).body;
    expect(body).toContain('Region: Europe (Ireland)\nLimit name: Desired Maximum Send Rate\nNew limit value: 3\n');
    expect(body).toContain('Region: Europe (Frankfurt)\nLimit name: Desired Maximum Send Rate\nNew limit value: 7\n');
    expect(body).toContain('the following 10 standard dedicated IP addresses');
  });

  it('says in the singular when one address is given back', () => {
    const body = dedicatedIpCaseText(relinquishment({ rows: [{ region: 'us-east-1', addresses: ['203.0.113.10'], count: 1 }], note: undefined }), REFERENCE).body;
    expect(body).toContain(
      '\nUse case description: Please relinquish (release) the following standard dedicated IP address from this account. We no longer need it.\n- US East (N. Virginia) (us-east-1), 1 address: 203.0.113.10\n\nSlack request reference:',
    );
  });

  it('asks AWS to confirm the addresses when only a count could be given (inventory unreadable)', () => {
    const request = valueOf(validateRelinquish(relinquishForm({ rows: [relinquishRow('r1', 'eu-central-1', null, '2')] }), {}));
    expect(dedicatedIpCaseText(request, REFERENCE).body).toBe(
      `Limit increase request 1
Service: SES Sending Limits
Region: Europe (Frankfurt)
Limit name: Desired Maximum Send Rate
New limit value: 2
------------
Use case description: Please relinquish (release) the following 2 standard dedicated IP addresses from this account. We no longer need them.
- Europe (Frankfurt) (eu-central-1), 2 addresses (the addresses could not be listed; please confirm them with us before releasing)

Slack request reference: SESBOT-0123456789abcdef`,
    );
  });

  it('names each region and count in the subject, which ends with the reference', () => {
    expect(dedicatedIpCaseText(relinquishment(), REFERENCE).subject).toBe(
      'Amazon SES dedicated IP relinquishment: us-east-1 2 IPs, ap-northeast-1 1 IP [SESBOT-0123456789abcdef]',
    );
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

  it('adds up rows for the same region before judging Availability Zone redundancy and cost', () => {
    const twoRows = leaseGuidance([{ region: 'us-east-1', ipCount: '1' }, { region: 'us-east-1', ipCount: '1' }], {}, PRICE);
    expect(twoRows).toEqual({ singleIpRegions: [], monthlyCents: 2 * PRICE });
    expect(leaseGuidance([{ region: 'us-east-1', ipCount: '0' }], {}, PRICE)).toEqual({ singleIpRegions: [], monthlyCents: undefined });
    expect(leaseGuidance([{ region: 'us-east-1', ipCount: '1,000' }], {}, PRICE).monthlyCents).toBeUndefined();
  });

  it('speaks of several addresses in the plural', () => {
    const errors = relinquishErrors(relinquishForm({ rows: [relinquishRow('0', 'us-east-1', ['9.9.9.9', '8.8.8.8'])] }));
    expect(errors['rows.0.addresses']).toMatch(/^8\.8\.8\.8, 9\.9\.9\.9 are not standard dedicated IPs of this account|^9\.9\.9\.9, 8\.8\.8\.8 are not standard dedicated IPs of this account/);
  });
});
