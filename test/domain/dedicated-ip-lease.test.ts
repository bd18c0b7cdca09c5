/** validateLease: a dedicated-IP lease form becomes a request, or plain errors under each field. */
import { describe, expect, it } from 'vitest';
import { CASE_EXPECTATIONS, LONGEST_REQUEST_ID, MAX_CASE_BODY_CHARS, MAX_REQUESTED_VALUE, referenceFor } from '../../src/domain/common.js';
import * as dedicatedIp from '../../src/domain/dedicated-ip.js';
import {
  MAX_DEDICATED_IP_ROWS,
  MAX_TEXT_CHARS,
  MIN_DEDICATED_USE_CASE_CHARS,
  dedicatedIpCaseText,
  dedicatedRowField,
  validateLease,
  type DedicatedIpFormInput,
  type DedicatedIpLease,
} from '../../src/domain/dedicated-ip.js';
import { SES_REGIONS } from '../../src/domain/regions.js';
import { expectPlainMessage, valueOf } from './builders.js';
import { ACCOUNT_LINE_CHARS } from '../../src/domain/case-text.js';
import {
  DIP_USE_CASE,
  leaseErrors,
  leaseForm,
  leaseRow,
  withLeaseRow,
} from './dedicated-ip-builders.js';

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
    ['above the bound AWS documents', '10000000001', 'The desired maximum send rate (messages per second) can be at most 10,000,000,000, the largest value AWS accepts in a limit request.'],
    ['10^15', '1000000000000000', 'The desired maximum send rate (messages per second) can be at most 10,000,000,000, the largest value AWS accepts in a limit request.'],
  ])('refuses a send rate that is %s', (_, sendRate, message) => {
    const errors = leaseErrors(withLeaseRow({ sendRate }));
    expect(errors).toStrictEqual({ [field]: message });
    expectPlainMessage(errors[field]);
  });

  it.each([
    ['1', 1],
    ['100000', 100_000],
    ['100,000', 100_000],
    ['100001', 100_001], // once refused by an invented cap of 100,000
    ['10,000,000,000', MAX_REQUESTED_VALUE],
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
    ['above the bound AWS documents', '10000000001', 'The number of dedicated IPs can be at most 10,000,000,000, the largest value AWS accepts in a limit request.'],
    ['10^15', '1,000,000,000,000,000', 'The number of dedicated IPs can be at most 10,000,000,000, the largest value AWS accepts in a limit request.'],
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
    ['100', '100', 100],
    ['101 (once an invented cap)', '101', 101],
    ['5,000', '5,000', 5000],
    ['at the bound', '10000000000', MAX_REQUESTED_VALUE],
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
    // Counted with the line that names the AWS account, which a case in a named account carries.
    const length = dedicatedIpCaseText(request, referenceFor(LONGEST_REQUEST_ID)).body.length + ACCOUNT_LINE_CHARS;
    expect(length).toBeGreaterThan(MAX_CASE_BODY_CHARS);

    const errors = leaseErrors(form);
    expect(errors).toStrictEqual({
      useCase: `The case would be ${length.toLocaleString('en-US')} characters; AWS accepts 8,000. Shorten the text.`,
    });
    expectPlainMessage(errors.useCase);
  });

  // Ten regions with the longest names and the largest values: the statement of what is requested
  // takes one line per region, longer where AWS is asked to size the number from the rate.
  const longestNames = [...SES_REGIONS].sort((a, b) => b.name.length - a.name.length).slice(0, MAX_DEDICATED_IP_ROWS);
  const largest = (withCount: (i: number) => boolean) =>
    longestNames.map((r, i) => leaseRow(`k${i}`, r.code, String(MAX_REQUESTED_VALUE), withCount(i) ? String(MAX_REQUESTED_VALUE) : ''));
  const bodyLength = (form: DedicatedIpFormInput) => dedicatedIpCaseText(valueOf(validateLease(form)), referenceFor(LONGEST_REQUEST_ID)).body.length;

  it('accepts the longest use case with both answers at 1,000 characters in ten regions with the longest names, the largest values and counts', () => {
    const form = leaseForm({ rows: largest(() => true), optInProcess: 'o'.repeat(1000), bounceProcess: 'b'.repeat(1000), useCase: 'u'.repeat(MAX_TEXT_CHARS) });
    expect(bodyLength(form)).toBeLessThanOrEqual(MAX_CASE_BODY_CHARS);
  });

  it('accepts the longest use case with both answers at 700 characters in ten such regions, none with a count', () => {
    const form = leaseForm({ rows: largest(() => false), optInProcess: 'o'.repeat(700), bounceProcess: 'b'.repeat(700), useCase: 'u'.repeat(MAX_TEXT_CHARS) });
    expect(bodyLength(form)).toBeLessThanOrEqual(MAX_CASE_BODY_CHARS);
  });

  it('refuses, under the longest text, such a request whose answers are too long to fit with the statement', () => {
    const form = leaseForm({ rows: largest(() => false), optInProcess: 'o'.repeat(1000), bounceProcess: 'b'.repeat(1000), useCase: 'u'.repeat(MAX_TEXT_CHARS) });
    const errors = leaseErrors(form);
    expect(Object.keys(errors)).toEqual(['useCase']);
    expect(errors.useCase).toMatch(/^The case would be 8,\d{3} characters; AWS accepts 8,000\. Shorten the text\.$/);
  });
});

describe('no invented limits', () => {
  it('exports no per-region IP cap or send-rate cap, and never sends people to their account team', () => {
    expect(dedicatedIp).not.toHaveProperty('MAX_IPS_PER_REGION');
    expect(dedicatedIp).not.toHaveProperty('MAX_SEND_RATE');
    const errors = leaseErrors(withLeaseRow({ sendRate: '10000000001', ipCount: '10000000001' }));
    expect(Object.values(errors).join(' ')).not.toMatch(/account team|the most this bot files/i);
  });
});

describe('DEDICATED_IP_EXPECTATIONS: what to expect once a request is filed', () => {
  it('says what every case says, and that the send rate given sizes the number of IPs, so it should be accurate', () => {
    expect(dedicatedIp.DEDICATED_IP_EXPECTATIONS.slice(0, CASE_EXPECTATIONS.length)).toEqual(CASE_EXPECTATIONS);
    const text = dedicatedIp.DEDICATED_IP_EXPECTATIONS.join(' ');
    expect(text).toMatch(/within 24 hours/);
    expect(text).toMatch(/not guaranteed/);
    expect(text).toMatch(/send rate you give/);
    expect(text).toMatch(/number of dedicated IPs/);
    expect(text).toMatch(/accurate/);
    for (const sentence of dedicatedIp.DEDICATED_IP_EXPECTATIONS) expectPlainMessage(sentence);
  });
});
