import { describe, expect, it } from 'vitest';
import { LONGEST_REQUEST_ID, MAX_CASE_BODY_CHARS, referenceFor } from '../../src/domain/common.js';
import { quotaCaseText } from '../../src/domain/quota-request.js';
import {
  MAX_QUOTA_ROWS,
  MAX_USE_CASE_CHARS,
  MIN_USE_CASE_CHARS,
  QUOTA_LIMITS,
  rowField,
  validateQuotaForm,
  type QuotaFormInput,
} from '../../src/domain/quota-request.js';
import { SES_REGIONS } from '../../src/domain/regions.js';
import { VALID_USE_CASE, errorsOf, expectPlainMessage, quota, row, validForm, valueOf, withRow } from './builders.js';

describe('validateQuotaForm: form → request', () => {
  it('maps a complete valid form to the exact request: rows in order, yes/no as booleans, trimmed text', () => {
    const form: QuotaFormInput = {
      mailType: 'marketing',
      websiteUrl: '  https://shop.example.com/about  ',
      compliesWithAup: 'yes',
      onlyRequestedRecipients: 'no',
      handlesBouncesAndComplaints: 'yes',
      rows: [
        row('b', 'eu-west-1', 'send_rate', '50'),
        row('a', 'us-east-1', 'send_quota', ' 1,000,000 '),
        row('c', 'eu-west-1', 'send_quota', '250000'),
      ],
      useCase: `\n  ${VALID_USE_CASE}  \n`,
      language: 'ja',
    };

    expect(validateQuotaForm(form)).toStrictEqual({
      ok: true,
      value: {
        kind: 'quota',
        mailType: 'marketing',
        websiteUrl: 'https://shop.example.com/about',
        compliesWithAup: true,
        onlyRequestedRecipients: false,
        handlesBouncesAndComplaints: true,
        rows: [
          { region: 'eu-west-1', limit: 'send_rate', newValue: 50 },
          { region: 'us-east-1', limit: 'send_quota', newValue: 1_000_000 },
          { region: 'eu-west-1', limit: 'send_quota', newValue: 250_000 },
        ],
        useCase: VALID_USE_CASE,
        language: 'ja',
      },
    });
  });

  it('accepts "No" for the recipients and bounces questions and records them as false', () => {
    const request = valueOf(validateQuotaForm(validForm({ onlyRequestedRecipients: 'no', handlesBouncesAndComplaints: 'no' })));
    expect(request.onlyRequestedRecipients).toBe(false);
    expect(request.handlesBouncesAndComplaints).toBe(false);
    expect(request.compliesWithAup).toBe(true);
  });

  it.each(['marketing', 'transactional', 'system_notifications'])('accepts mail type %s', (mailType) => {
    expect(valueOf(validateQuotaForm(validForm({ mailType }))).mailType).toBe(mailType);
  });

  it('reports every problem of a form at once, each under its own field', () => {
    const errors = errorsOf({
      mailType: null,
      websiteUrl: 'example',
      compliesWithAup: 'no',
      onlyRequestedRecipients: null,
      handlesBouncesAndComplaints: 'maybe',
      rows: [row('r1', 'mars-1', 'send_speed', 'lots')],
      useCase: 'Please.',
      language: null,
    });
    expect(Object.keys(errors).sort()).toEqual(
      [
        'mailType',
        'websiteUrl',
        'compliesWithAup',
        'onlyRequestedRecipients',
        'handlesBouncesAndComplaints',
        'rows.r1.region',
        'rows.r1.limit',
        'rows.r1.newValue',
        'useCase',
        'language',
      ].sort(),
    );
    for (const message of Object.values(errors)) expectPlainMessage(message);
  });
});

describe('validateQuotaForm: answers', () => {
  it.each([
    ['missing', null],
    ['unknown', 'spam'],
  ])('refuses a %s mail type', (_, mailType) => {
    const errors = errorsOf(validForm({ mailType }));
    expect(errors).toStrictEqual({ mailType: 'Choose the type of mail that covers most of what you send.' });
  });

  it('refuses AUP "No" and says why the request cannot be filed', () => {
    const errors = errorsOf(validForm({ compliesWithAup: 'no' }));
    expect(Object.keys(errors)).toEqual(['compliesWithAup']);
    expect(errors.compliesWithAup).toMatch(/does not comply with the AWS Service Terms and Acceptable Use Policy/);
    expect(errors.compliesWithAup).toMatch(/cannot be filed with "No"/);
    expectPlainMessage(errors.compliesWithAup);
  });

  it.each([
    ['compliesWithAup', 'My email sending complies with the AWS Service Terms and AUP'],
    ['onlyRequestedRecipients', 'I only send to recipients who have specifically requested my mail'],
    ['handlesBouncesAndComplaints', 'I have a process to handle bounces and complaints'],
  ] as const)('asks for a Yes or No when %s is unanswered or not yes/no', (field, question) => {
    for (const answer of [null, undefined, '', 'maybe']) {
      const errors = errorsOf(validForm({ [field]: answer }));
      expect(errors).toStrictEqual({ [field]: `Answer "${question}" with Yes or No.` });
    }
  });

  it.each([
    ['missing', null],
    ['empty', ''],
    ['unsupported', 'fr'],
  ])('refuses a %s contact language', (_, language) => {
    expect(errorsOf(validForm({ language }))).toStrictEqual({ language: 'Choose English or Japanese.' });
  });
});

describe('validateQuotaForm: website URL', () => {
  it.each([
    ['empty', '   ', 'Enter the website URL of the business that sends this mail.'],
    ['not http(s)', 'ftp://example.com', 'The website URL must start with https:// or http://.'],
    ['malformed', 'example.com', 'Enter a full web address starting with https:// or http://, for example https://example.com.'],
    ['without a domain', 'https://localhost', 'The website URL needs a domain name such as example.com.'],
    ['with credentials', 'https://user:pass@example.com', 'Remove the user name or password from the website URL.'],
  ])('refuses a URL %s under websiteUrl', (_, websiteUrl, message) => {
    const errors = errorsOf(validForm({ websiteUrl }));
    expect(errors).toStrictEqual({ websiteUrl: message });
    expectPlainMessage(errors.websiteUrl);
  });

  it('refuses a missing URL', () => {
    expect(Object.keys(errorsOf(validForm({ websiteUrl: null })))).toEqual(['websiteUrl']);
  });
});

describe('validateQuotaForm: new limit values', () => {
  const field = rowField('r1', 'newValue');

  it('keys row errors as rows.<rowKey>.<field>', () => {
    expect(rowField('abc', 'region')).toBe('rows.abc.region');
    expect(rowField('abc', 'limit')).toBe('rows.abc.limit');
    expect(rowField('abc', 'newValue')).toBe('rows.abc.newValue');
  });

  it.each([
    ['empty', '', 'Enter the new limit value.'],
    ['blank', '   ', 'Enter the new limit value.'],
    ['missing', null, 'Enter the new limit value.'],
    ['non-numeric', 'lots', 'Enter a whole number, without decimals or units (for example 200000).'],
    ['with units', '200k', 'Enter a whole number, without decimals or units (for example 200000).'],
    ['decimal', '10.5', 'Enter a whole number, without decimals or units (for example 200000).'],
    ['in exponent notation', '1e6', 'Enter a whole number, without decimals or units (for example 200000).'],
    ['negative', '-5', 'Enter a whole number, without decimals or units (for example 200000).'],
    ['zero', '0', 'The new limit value must be at least 1.'],
  ])('refuses a %s value', (_, newValue, message) => {
    const errors = errorsOf(withRow({ newValue }));
    expect(errors).toStrictEqual({ [field]: message });
    expectPlainMessage(errors[field]);
  });

  it.each([
    ['send_quota', '1000000001', '1,000,000,001 is beyond what AWS grants through a case; the most this bot files is 1,000,000,000 per 24 hours.'],
    ['send_rate', '100001', '100,001 is beyond what AWS grants through a case; the most this bot files is 100,000 per second.'],
  ])('refuses a %s above its bound and names the bound', (limit, newValue, message) => {
    const errors = errorsOf(withRow({ limit, newValue }));
    expect(errors).toStrictEqual({ [field]: message });
    expectPlainMessage(errors[field]);
  });

  it.each([
    ['send_quota', QUOTA_LIMITS.send_quota.max],
    ['send_rate', QUOTA_LIMITS.send_rate.max],
  ] as const)('accepts %s exactly at its bound (%d)', (limit, max) => {
    const request = valueOf(validateQuotaForm(withRow({ limit, newValue: String(max) })));
    expect(request.rows).toEqual([{ region: 'us-east-1', limit, newValue: max }]);
  });

  it('checks only the number, not the bound, when the limit itself is unknown', () => {
    const errors = errorsOf(withRow({ limit: 'send_speed', newValue: '5000000000' }));
    expect(errors).toStrictEqual({ [rowField('r1', 'limit')]: 'Choose which limit to raise.' });
  });
});

describe('validateQuotaForm: against the current quota', () => {
  const field = rowField('r1', 'newValue');
  const current = { 'us-east-1': quota(50_000, 14) };

  it.each([
    ['send_quota', '50000', 'Your current limit is 50,000 per 24 hours; ask for more than that.'],
    ['send_quota', '40000', 'Your current limit is 50,000 per 24 hours; ask for more than that.'],
    ['send_rate', '14', 'Your current limit is 14 per second; ask for more than that.'],
    ['send_rate', '1', 'Your current limit is 14 per second; ask for more than that.'],
  ])('refuses %s %s when it is not above the current quota', (limit, newValue, message) => {
    const errors = errorsOf(withRow({ limit, newValue }), current);
    expect(errors).toStrictEqual({ [field]: message });
    expectPlainMessage(errors[field]);
  });

  it.each([
    ['send_quota', '50001', 50_001],
    ['send_rate', '15', 15],
  ])('accepts %s %s when it is above the current quota', (limit, newValue, expected) => {
    expect(valueOf(validateQuotaForm(withRow({ limit, newValue }), current)).rows[0]!.newValue).toBe(expected);
  });

  it('compares each limit with its own current value (24-hour quota vs rate)', () => {
    const mixed = { 'us-east-1': quota(200, 1000) };
    expect(valueOf(validateQuotaForm(withRow({ limit: 'send_quota', newValue: '500' }), mixed)).rows[0]!.newValue).toBe(500);
    expect(errorsOf(withRow({ limit: 'send_rate', newValue: '500' }), mixed)[field]).toBe(
      'Your current limit is 1,000 per second; ask for more than that.',
    );
  });

  it('accepts any positive value when the current quota is unknown, or known only for another region', () => {
    expect(validateQuotaForm(withRow({ newValue: '1' })).ok).toBe(true);
    expect(validateQuotaForm(withRow({ newValue: '1' }), {}).ok).toBe(true);
    expect(validateQuotaForm(withRow({ region: 'eu-west-1', newValue: '1' }), current).ok).toBe(true);
  });

  it.each([
    ['send_quota', quota(-1, 14), 'This account already has no limit here (per 24 hours); there is nothing to raise.'],
    ['send_rate', quota(50_000, -1), 'This account already has no limit here (per second); there is nothing to raise.'],
  ])('refuses raising %s when the current quota is unlimited (-1)', (limit, currentQuota, message) => {
    const errors = errorsOf(withRow({ limit, newValue: '50000' }), { 'us-east-1': currentQuota });
    expect(errors).toStrictEqual({ [field]: message });
    expectPlainMessage(errors[field]);
  });
});

describe('validateQuotaForm: rows', () => {
  it('refuses a form without rows', () => {
    const errors = errorsOf(validForm({ rows: [] }));
    expect(errors).toStrictEqual({ rows: 'Add at least one request.' });
  });

  it(`accepts ${MAX_QUOTA_ROWS} rows and refuses ${MAX_QUOTA_ROWS + 1}`, () => {
    const rows = SES_REGIONS.slice(0, MAX_QUOTA_ROWS + 1).map((r, i) => row(`k${i}`, r.code, 'send_quota', '200000'));
    expect(valueOf(validateQuotaForm(validForm({ rows: rows.slice(0, MAX_QUOTA_ROWS) }))).rows).toHaveLength(MAX_QUOTA_ROWS);

    const errors = errorsOf(validForm({ rows }));
    expect(errors).toStrictEqual({ rows: `At most ${MAX_QUOTA_ROWS} requests fit in one case.` });
    expectPlainMessage(errors.rows);
  });

  it.each([
    ['missing', null],
    ['unknown', 'mars-east-1'],
    ['non-SES (GovCloud)', 'us-gov-west-1'],
    ['differently cased', 'US-EAST-1'],
  ])('refuses a %s region code under rows.<key>.region', (_, region) => {
    const errors = errorsOf(validForm({ rows: [row('x7', region, 'send_quota', '200000')] }));
    expect(errors).toStrictEqual({ 'rows.x7.region': 'Choose the region whose limit you want raised.' });
  });

  it.each([
    ['missing', null],
    ['unknown', 'send_speed'],
    ['an inherited property name', 'toString'],
    ['__proto__', '__proto__'],
  ])('refuses a %s limit code under rows.<key>.limit', (_, limit) => {
    const errors = errorsOf(validForm({ rows: [row('x7', 'us-east-1', limit, '200')] }));
    expect(errors).toStrictEqual({ 'rows.x7.limit': 'Choose which limit to raise.' });
  });

  it('refuses the same region and limit twice, on the second row, naming the first', () => {
    const errors = errorsOf(
      validForm({
        rows: [
          row('a', 'eu-west-1', 'send_rate', '100'),
          row('b', 'us-east-1', 'send_quota', '200000'),
          row('c', 'us-east-1', 'send_rate', '100'),
          row('d', 'us-east-1', 'send_quota', '300000'),
        ],
      }),
    );
    expect(errors).toStrictEqual({
      'rows.d.limit': 'Request 2 already asks for the Desired Maximum Send Quota in US East (N. Virginia). Remove one of them.',
    });
    expectPlainMessage(errors['rows.d.limit']);
  });

  it('reports only the rows that are wrong, each under its own key', () => {
    const errors = errorsOf(
      validForm({
        rows: [row('ok', 'us-east-1', 'send_quota', '200000'), row('bad', 'eu-west-1', 'send_rate', '0')],
      }),
    );
    expect(errors).toStrictEqual({ 'rows.bad.newValue': 'The new limit value must be at least 1.' });
  });
});

describe('validateQuotaForm: use case', () => {
  it(`accepts exactly ${MIN_USE_CASE_CHARS} and ${MAX_USE_CASE_CHARS} characters`, () => {
    expect(VALID_USE_CASE.length).toBeGreaterThanOrEqual(MIN_USE_CASE_CHARS);
    expect(validateQuotaForm(validForm({ useCase: 'a'.repeat(MIN_USE_CASE_CHARS) })).ok).toBe(true);
    expect(validateQuotaForm(validForm({ useCase: 'a'.repeat(MAX_USE_CASE_CHARS) })).ok).toBe(true);
  });

  it('refuses a short use case and says how many characters were written (not counting padding)', () => {
    const errors = errorsOf(validForm({ useCase: `   ${'a'.repeat(42)}   ` }));
    expect(errors).toStrictEqual({
      useCase: `Say more (at least ${MIN_USE_CASE_CHARS} characters; you wrote 42): AWS denies vague requests. Answer the four questions above.`,
    });
    expectPlainMessage(errors.useCase);
  });

  it('counts a 149-character use case as too short', () => {
    expect(errorsOf(validForm({ useCase: 'a'.repeat(MIN_USE_CASE_CHARS - 1) })).useCase).toMatch(/you wrote 149\)/);
  });

  it.each([
    ['missing', null],
    ['blank', '      '],
  ])('refuses a %s use case', (_, useCase) => {
    const errors = errorsOf(validForm({ useCase }));
    expect(Object.keys(errors)).toEqual(['useCase']);
    expectPlainMessage(errors.useCase);
  });

  it('refuses a use case over the maximum', () => {
    const errors = errorsOf(validForm({ useCase: 'a'.repeat(MAX_USE_CASE_CHARS + 1) }));
    expect(errors).toStrictEqual({ useCase: 'Keep the use case to at most 3,000 characters.' });
  });
});

describe('validateQuotaForm: case body size', () => {
  const longestNames = [...SES_REGIONS].sort((a, b) => b.name.length - a.name.length);
  /** Every field at its maximum: 10 rows with the longest region names and values, the longest use case. */
  function maximalForm(websiteUrl: string): QuotaFormInput {
    const rows = Array.from({ length: MAX_QUOTA_ROWS }, (_, i) => {
      const limit = i % 2 === 0 ? 'send_quota' : 'send_rate';
      return row(`k${i}`, longestNames[Math.floor(i / 2)]!.code, limit, String(QUOTA_LIMITS[limit].max));
    });
    return validForm({ mailType: 'system_notifications', rows, useCase: 'u'.repeat(MAX_USE_CASE_CHARS), websiteUrl });
  }
  const bodyOf = (form: QuotaFormInput) =>
    quotaCaseText(valueOf(validateQuotaForm(form)), referenceFor(LONGEST_REQUEST_ID)).body;
  const urlOfLength = (n: number) => `https://example.com/${'p'.repeat(n - 'https://example.com/'.length)}`;

  it('fits the largest form with an ordinary website URL into 8,000 characters', () => {
    const body = bodyOf(maximalForm('https://www.example-company.com/'));
    expect(body.length).toBeLessThanOrEqual(MAX_CASE_BODY_CHARS);
  });

  it('keeps the largest valid form, with the longest URL accepted, within the 8,000-character limit', () => {
    const largest = maximalForm(urlOfLength(1000));
    expect(errorsOf(maximalForm(urlOfLength(1001)))).toHaveProperty('websiteUrl');
    const result = validateQuotaForm(largest);
    expect(result.ok).toBe(true);
    expect(bodyOf(largest).length).toBeLessThanOrEqual(MAX_CASE_BODY_CHARS);
  });
});
