import { describe, expect, it } from 'vitest';
import { LONGEST_REQUEST_ID, MAX_CASE_BODY_CHARS, MAX_REQUESTED_VALUE, referenceFor } from '../../src/domain/common.js';
import { CASE_SERVICE_NAME, FORM_LIMIT_TYPE } from '../../src/domain/case-text.js';
import { quotaCaseText } from '../../src/domain/quota-request.js';
import {
  ADDITIONAL_CONTACTS_HINT,
  FAR_ABOVE_FACTOR,
  MAX_ADDITIONAL_CONTACTS,
  MAX_EMAIL_CHARS,
  MAX_QUOTA_ROWS,
  MAX_USE_CASE_CHARS,
  MIN_USE_CASE_CHARS,
  QUOTA_EXPECTATIONS,
  QUOTA_LIMITS,
  USE_CASE_HINT,
  USE_CASE_INVITATION,
  USE_CASE_QUESTIONS,
  farAboveCurrent,
  parseAdditionalContacts,
  rowField,
  validateQuotaForm,
  type QuotaFormInput,
} from '../../src/domain/quota-request.js';
import { SES_REGIONS } from '../../src/domain/regions.js';
import { parsePayload } from '../../src/domain/request.js';
import { withAccountLine } from '../../src/domain/case-text.js';
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
    ['send_quota', '10000000001'],
    ['send_rate', '10000000001'],
    ['send_quota', '1000000000000000'],
    ['send_rate', '1,000,000,000,000,000'],
    ['send_quota', '99999999999999999999'],
  ])('refuses %s %s, above the one bound AWS documents, and names it as AWS\'s', (limit, newValue) => {
    const errors = errorsOf(withRow({ limit, newValue }));
    expect(errors).toStrictEqual({ [field]: 'The new limit value can be at most 10,000,000,000, the largest value AWS accepts in a limit request.' });
    expectPlainMessage(errors[field]);
  });

  it.each([
    ['send_quota', MAX_REQUESTED_VALUE],
    ['send_rate', MAX_REQUESTED_VALUE],
  ] as const)('accepts %s exactly at the bound (%d)', (limit, max) => {
    const request = valueOf(validateQuotaForm(withRow({ limit, newValue: String(max) })));
    expect(request.rows).toEqual([{ region: 'us-east-1', limit, newValue: max }]);
  });

  it.each([
    ['send_quota', '1000000001', 1_000_000_001],
    ['send_quota', '5,000,000,000', 5_000_000_000],
    ['send_rate', '100001', 100_001],
    ['send_rate', '2000000', 2_000_000],
  ] as const)('no longer caps %s at an invented figure: accepts %s', (limit, newValue, expected) => {
    expect(valueOf(validateQuotaForm(withRow({ limit, newValue }))).rows[0]!.newValue).toBe(expected);
  });

  it('has no per-limit cap any more, and never says a value is "beyond what AWS grants"', () => {
    for (const limit of Object.values(QUOTA_LIMITS)) expect(limit).not.toHaveProperty('max');
    for (const newValue of ['10000000001', '1000000000000000']) {
      expect(Object.values(errorsOf(withRow({ newValue }))).join(' ')).not.toMatch(/beyond what AWS grants|the most this bot files/);
    }
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
      return row(`k${i}`, longestNames[Math.floor(i / 2)]!.code, limit, String(MAX_REQUESTED_VALUE));
    });
    return validForm({ mailType: 'system_notifications', rows, useCase: 'u'.repeat(MAX_USE_CASE_CHARS), websiteUrl });
  }
  // As filed in a named account (AWS_ACCOUNTS_FILE): with the line naming the account, the longest case text there is.
  const bodyOf = (form: QuotaFormInput) =>
    withAccountLine(quotaCaseText(valueOf(validateQuotaForm(form)), referenceFor(LONGEST_REQUEST_ID)), '111111111111').body;
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

describe('farAboveCurrent: a warning, not a refusal, for a value more than 100 times the current quota', () => {
  const current = { 'us-east-1': quota(50_000, 14), 'eu-west-1': quota(200, 1) };
  const FOLLOW_UP = 'AWS grants what a case shows you need; check the number, then submit again to file it as it is.';

  it('is 100', () => {
    expect(FAR_ABOVE_FACTOR).toBe(100);
  });

  it('warns under the row\'s value, naming the value and the current quota with its unit', () => {
    const form = withRow({ newValue: '200,000,000' });
    expect(farAboveCurrent(form, current)).toStrictEqual([
      { field: rowField('r1', 'newValue'), message: `200,000,000 is more than 100 times your current quota (50,000 per 24 hours). ${FOLLOW_UP}` },
    ]);
    expect(farAboveCurrent(withRow({ limit: 'send_rate', newValue: '1401' }), current)).toStrictEqual([
      { field: rowField('r1', 'newValue'), message: `1,401 is more than 100 times your current quota (14 per second). ${FOLLOW_UP}` },
    ]);
    for (const warning of farAboveCurrent(form, current)) expectPlainMessage(warning.message);
  });

  it('does not refuse such a value: validation accepts it as it is', () => {
    expect(valueOf(validateQuotaForm(withRow({ newValue: '200,000,000' }), current)).rows).toEqual([
      { region: 'us-east-1', limit: 'send_quota', newValue: 200_000_000 },
    ]);
    expect(valueOf(validateQuotaForm(withRow({ limit: 'send_rate', newValue: String(MAX_REQUESTED_VALUE) }), current)).rows[0]!.newValue).toBe(MAX_REQUESTED_VALUE);
  });

  it('warns only above 100 times: exactly 100 times is no warning', () => {
    expect(farAboveCurrent(withRow({ newValue: '5000000' }), current)).toEqual([]);
    expect(farAboveCurrent(withRow({ newValue: '5000001' }), current)).toHaveLength(1);
    expect(farAboveCurrent(withRow({ limit: 'send_rate', newValue: '1400' }), current)).toEqual([]);
  });

  it('says nothing when the current quota is unknown, unlimited or zero, or the row cannot be read', () => {
    expect(farAboveCurrent(withRow({ newValue: '999999999' }), {})).toEqual([]);
    expect(farAboveCurrent(withRow({ region: 'ap-northeast-1', newValue: '999999999' }), current)).toEqual([]);
    expect(farAboveCurrent(withRow({ newValue: '999999999' }), { 'us-east-1': quota(-1, 14) })).toEqual([]);
    expect(farAboveCurrent(withRow({ newValue: '999999999' }), { 'us-east-1': quota(0, 14) })).toEqual([]);
    for (const changes of [{ newValue: 'lots' }, { newValue: '' }, { newValue: '10000000001' }, { limit: 'send_speed' }, { region: 'mars-1' }, { limit: '__proto__' }]) {
      expect(farAboveCurrent(withRow({ newValue: '999999999', ...changes }), current)).toEqual([]);
    }
  });

  it('judges each row against its own region and limit, and keys each warning by its row, in row order', () => {
    const form = validForm({
      rows: [
        row('a', 'eu-west-1', 'send_rate', '101'),
        row('b', 'us-east-1', 'send_quota', '60000'),
        row('c', 'eu-west-1', 'send_quota', '20001'),
        row('d', 'us-east-1', 'send_rate', '1500'),
      ],
    });
    expect(farAboveCurrent(form, current).map((w) => w.field)).toEqual([rowField('a', 'newValue'), rowField('c', 'newValue'), rowField('d', 'newValue')]);
    expect(farAboveCurrent(form, current)[1]!.message).toMatch(/^20,001 is more than 100 times your current quota \(200 per 24 hours\)\. /);
  });
});

describe('what the quota form says: questions, invitation, hint, expectations, limit type', () => {
  it('asks the four questions AWS wants answered, in its order', () => {
    expect(USE_CASE_QUESTIONS).toEqual([
      'How do you build or acquire your mailing list?',
      'How do you handle bounces and complaints?',
      'How can recipients opt out of your mail?',
      'How did you choose the new sending rate or sending quota you are asking for?',
    ]);
  });

  it('invites anything else AWS should consider', () => {
    expect(USE_CASE_INVITATION).toMatch(/anything else/i);
    expect(USE_CASE_INVITATION).toMatch(/AWS should consider/);
    expectPlainMessage(USE_CASE_INVITATION);
  });

  it('hints at what AWS wants without promising an outcome', () => {
    expect(USE_CASE_HINT).toContain(`${MIN_USE_CASE_CHARS} characters`);
    expect(USE_CASE_HINT).not.toMatch(/raised|denied|approved|granted|guarantee/i);
    expectPlainMessage(USE_CASE_HINT);
  });

  it('tells what to expect: first answer within 24 hours, maybe more questions, no guarantee, ask only what is needed', () => {
    const text = QUOTA_EXPECTATIONS.join(' ');
    expect(text).toMatch(/within 24 hours/);
    expect(text).toMatch(/more information/);
    expect(text).toMatch(/not guaranteed/);
    expect(text).toMatch(/only what you need/);
    for (const sentence of QUOTA_EXPECTATIONS) expectPlainMessage(sentence);
  });

  it('names the limit type as the case body does', () => {
    expect(FORM_LIMIT_TYPE).toBe('SES Sending Limits');
    expect(FORM_LIMIT_TYPE).toBe(CASE_SERVICE_NAME);
  });
});

describe('farAboveCurrent and the sandbox', () => {
  it('says nothing for a region still in the sandbox: leaving it is a request far above its 200 a day', () => {
    const form = withRow({ newValue: '200000' });
    expect(farAboveCurrent(form, { 'us-east-1': { ...quota(200, 1), productionAccess: false } })).toEqual([]);
    expect(farAboveCurrent(form, { 'us-east-1': quota(200, 1) })).toHaveLength(1);
  });
});

describe('validateQuotaForm: additional contacts for AWS', () => {
  const contactsOf = (additionalContacts: string | null | undefined) => valueOf(validateQuotaForm(validForm({ additionalContacts }))).additionalContactEmails;

  it('leaves the field out of the request when nothing (or only separators) was typed', () => {
    for (const empty of [undefined, null, '', '   ', ' , ;\n,']) {
      const request = valueOf(validateQuotaForm(validForm({ additionalContacts: empty })));
      expect(Object.hasOwn(request, 'additionalContactEmails')).toBe(false);
    }
  });

  it('splits on commas, semicolons and whitespace, dropping empty pieces', () => {
    expect(contactsOf(' ops@example.com,security@example.co.uk; noc@mail.example.org\n\tboss+aws@example.com ,, ')).toEqual([
      'ops@example.com',
      'security@example.co.uk',
      'noc@mail.example.org',
      'boss+aws@example.com',
    ]);
  });

  it('drops duplicates ignoring case, keeping the first as typed, before counting', () => {
    expect(contactsOf('Ops@Example.com, b@example.com, ops@example.com, OPS@EXAMPLE.COM, c@example.com, d@example.com')).toEqual([
      'Ops@Example.com',
      'b@example.com',
      'c@example.com',
      'd@example.com',
    ]);
  });

  it(`refuses more than ${MAX_ADDITIONAL_CONTACTS}, saying how many were entered`, () => {
    const errors = errorsOf(validForm({ additionalContacts: 'a@x.io, b@x.io, c@x.io, d@x.io, e@x.io' }));
    expect(errors).toEqual({ additionalContacts: 'At most 4 additional contacts (you entered 5).' });
    expectPlainMessage(errors.additionalContacts);
  });

  it.each([
    ['ops', 'ops'],
    ['ops@localhost', 'ops@localhost'],
    ['@example.com', '@example.com'],
    ['ops@example.', 'ops@example.'],
    ['ops@.example.com', 'ops@.example.com'],
    ['ops@example..com', 'ops@example..com'],
    ['a@b@example.com', 'a@b@example.com'],
    ['good@example.com, <ops@example.com>x, also-bad', '<ops@example.com>x'],
    ['ops@exa\u0000mple.com', 'ops@exa\u0000mple.com'],
    ['ops@example.com/noc@example.com', 'ops@example.com/noc@example.com'],
    ['Jane Doe <jane@example.com>', 'Jane'],
    ['<jane@example.com>', '<jane@example.com>'],
  ])('refuses %j, naming the first address that is not one', (typed, bad) => {
    const errors = errorsOf(validForm({ additionalContacts: typed }));
    expect(errors).toEqual({ additionalContacts: `"${bad}" does not look like an email address. Enter addresses like ops@example.com, separated by commas.` });
  });

  it(`accepts an address of ${MAX_EMAIL_CHARS} characters and refuses a longer one, shortening it in the message`, () => {
    const address = (length: number) => `${'a'.repeat(length - '@example.com'.length)}@example.com`;
    expect(contactsOf(address(MAX_EMAIL_CHARS))).toEqual([address(MAX_EMAIL_CHARS)]);
    const message = errorsOf(validForm({ additionalContacts: address(MAX_EMAIL_CHARS + 1) })).additionalContacts;
    expect(message).toBe(`"${'a'.repeat(59)}…" is longer than 254 characters, the most an email address can have.`);
    expectPlainMessage(message);
  });

  it('reports a bad address along with the form\'s other problems, each under its own field', () => {
    expect(errorsOf(validForm({ additionalContacts: 'nope', useCase: 'Short.' }))).toMatchObject({
      additionalContacts: expect.stringContaining('"nope"'),
      useCase: expect.stringContaining('Say more'),
    });
  });

  it('does not change the case text', () => {
    const without = valueOf(validateQuotaForm(validForm()));
    const withContacts = valueOf(validateQuotaForm(validForm({ additionalContacts: 'ops@example.com' })));
    expect(withContacts.additionalContactEmails).toEqual(['ops@example.com']);
    expect(quotaCaseText(withContacts, referenceFor(LONGEST_REQUEST_ID))).toEqual(quotaCaseText(without, referenceFor(LONGEST_REQUEST_ID)));
  });

  it('is stored and read back: present when given, absent (not null, not undefined-valued) when not', () => {
    const withContacts = valueOf(validateQuotaForm(validForm({ additionalContacts: 'ops@example.com, noc@example.com' })));
    expect(parsePayload('quota', JSON.parse(JSON.stringify(withContacts)))).toStrictEqual(withContacts);
    const without = valueOf(validateQuotaForm(validForm()));
    expect(parsePayload('quota', JSON.parse(JSON.stringify(without)))).toStrictEqual(without);
    expect(parsePayload('quota', { ...without, additionalContactEmails: null }).additionalContactEmails).toBeUndefined();
    expect(() => parsePayload('quota', { ...without, additionalContactEmails: [] })).toThrow(/additionalContactEmails/);
    expect(() => parsePayload('quota', { ...without, additionalContactEmails: ['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io', 'e@x.io'] })).toThrow(/additionalContactEmails/);
  });
});

describe('parseAdditionalContacts', () => {
  it('gives the addresses, or the one error to show', () => {
    expect(parseAdditionalContacts(undefined)).toEqual({ ok: true, emails: [] });
    expect(parseAdditionalContacts('a@x.io;A@X.IO')).toEqual({ ok: true, emails: ['a@x.io'] });
    expect(parseAdditionalContacts('a@x.io b')).toEqual({ ok: false, error: '"b" does not look like an email address. Enter addresses like ops@example.com, separated by commas.' });
  });

  it('hints at the limit and what the addresses are for', () => {
    expect(ADDITIONAL_CONTACTS_HINT).toBe('Up to 4 email addresses, separated by commas. Used when a region is still in the sandbox and the bot requests production access.');
  });
});
