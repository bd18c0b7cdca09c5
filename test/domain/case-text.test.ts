import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_LINE_CHARS,
  caseStatusLabel,
  isCaseFor,
  renderLimitCaseBody,
  withAccountLine,
  subjectWithReference,
  supportCaseUrl,
} from '../../src/domain/case-text.js';
import { MAX_REQUESTED_VALUE, referenceFor } from '../../src/domain/common.js';
import { quotaCaseText, validateQuotaForm, type QuotaIncreaseRequest } from '../../src/domain/quota-request.js';
import { SES_REGIONS } from '../../src/domain/regions.js';
import { VALID_USE_CASE, row, validForm, valueOf } from './builders.js';

const REFERENCE = referenceFor('0123456789abcdef');

function twoRowRequest(overrides: Partial<QuotaIncreaseRequest> = {}): QuotaIncreaseRequest {
  return {
    kind: 'quota',
    mailType: 'transactional',
    websiteUrl: 'https://example.com',
    compliesWithAup: true,
    onlyRequestedRecipients: true,
    handlesBouncesAndComplaints: true,
    rows: [
      { region: 'us-east-1', limit: 'send_quota', newValue: 200000 },
      { region: 'sa-east-1', limit: 'send_rate', newValue: 50 },
    ],
    useCase: 'We send receipts and password resets to customers of our shop.',
    language: 'en',
    ...overrides,
  };
}

describe('quotaCaseText: body', () => {
  it('renders a two-row request in the console layout (golden)', () => {
    expect(quotaCaseText(twoRowRequest(), REFERENCE).body).toBe(
      `Limit increase request 1
Service: SES Sending Limits
Region: US East (N. Virginia)
Limit name: Desired Maximum Send Quota
New limit value: 200000
------------
Limit increase request 2
Service: SES Sending Limits
Region: South America (São Paulo)
Limit name: Desired Maximum Send Rate
New limit value: 50
------------
Use case description: We send receipts and password resets to customers of our shop.
Mail Type: Transactional
Website URL: https://example.com
My email-sending complies with the AWS Service Terms and AUP: Yes
I only send to recipients who have specifically requested my mail: Yes
I have a process to handle bounces and complaints: Yes

Slack request reference: SESBOT-0123456789abcdef`,
    );
  });

  it('writes "No" for the answers that were No, and the mail type as the console labels it', () => {
    const body = quotaCaseText(
      twoRowRequest({ mailType: 'system_notifications', onlyRequestedRecipients: false, handlesBouncesAndComplaints: false }),
      REFERENCE,
    ).body;
    expect(body).toContain('\nMail Type: System Notifications\n');
    expect(body).toContain('\nMy email-sending complies with the AWS Service Terms and AUP: Yes\n');
    expect(body).toContain('\nI only send to recipients who have specifically requested my mail: No\n');
    expect(body).toContain('\nI have a process to handle bounces and complaints: No\n');
  });

  it('writes the body of a validated form: the form’s rows, trimmed use case and reference', () => {
    const request = valueOf(
      validateQuotaForm(
        validForm({
          mailType: 'marketing',
          rows: [row('a', 'eu-west-1', 'send_rate', '1,000'), row('b', 'ap-northeast-1', 'send_quota', '5000000')],
          useCase: `  ${VALID_USE_CASE}\n`,
        }),
      ),
    );
    const body = quotaCaseText(request, REFERENCE).body;
    expect(body).toMatch(
      /^Limit increase request 1\nService: SES Sending Limits\nRegion: Europe \(Ireland\)\nLimit name: Desired Maximum Send Rate\nNew limit value: 1000\n------------\nLimit increase request 2\n/,
    );
    expect(body).toContain('Region: Asia Pacific (Tokyo)\nLimit name: Desired Maximum Send Quota\nNew limit value: 5000000\n------------\n');
    expect(body).toContain(`\nUse case description: ${VALID_USE_CASE}\nMail Type: Marketing\n`);
    expect(body.endsWith('\n\nSlack request reference: SESBOT-0123456789abcdef')).toBe(true);
  });
});

describe('withAccountLine', () => {
  const text = quotaCaseText(valueOf(validateQuotaForm(validForm())), 'SESBOT-0123456789abcdef');

  it('names the account just above the reference line, which stays last so the case is still recognised', () => {
    const named = withAccountLine(text, '111111111111');
    const lines = named.body.split('\n');
    expect(lines.slice(-3)).toEqual(['AWS account: 111111111111', '', 'Slack request reference: SESBOT-0123456789abcdef']);
    expect(named.body.length - text.body.length).toBe(ACCOUNT_LINE_CHARS);
    expect(named.subject).toBe(text.subject);
    expect(isCaseFor('SESBOT-0123456789abcdef', { bodies: [named.body] })).toBe(true);
  });

  it('leaves the text of the single account (no id) as it was', () => {
    expect(withAccountLine(text, null)).toEqual(text);
  });
});

describe('renderLimitCaseBody', () => {
  it('leaves out mail type and website when not given and writes text answers as they are', () => {
    expect(
      renderLimitCaseBody({
        blocks: [{ region: 'eu-central-1', limitName: 'Dedicated IP addresses', newValue: 3 }],
        useCase: 'Warm-up planned.',
        answers: [
          ['Do you already use dedicated IPs', false],
          ['Expected daily volume', '2 million'],
        ],
        reference: 'SESBOT-abc',
      }),
    ).toBe(
      `Limit increase request 1
Service: SES Sending Limits
Region: Europe (Frankfurt)
Limit name: Dedicated IP addresses
New limit value: 3
------------
Use case description: Warm-up planned.
Do you already use dedicated IPs: No
Expected daily volume: 2 million

Slack request reference: SESBOT-abc`,
    );
  });
});

describe('quotaCaseText: subject', () => {
  it('names SES, each region and value, and ends with the reference', () => {
    expect(quotaCaseText(twoRowRequest(), REFERENCE).subject).toBe(
      'Amazon SES sending limit increase: us-east-1 200,000 per day, sa-east-1 50 per second [SESBOT-0123456789abcdef]',
    );
  });

  it('is capped at 250 characters for the largest request and still ends with the reference', () => {
    const rows = SES_REGIONS.slice(0, 10).map((r) => ({ region: r.code, limit: 'send_quota' as const, newValue: MAX_REQUESTED_VALUE }));
    const subject = quotaCaseText(twoRowRequest({ rows }), REFERENCE).subject;
    expect(subject.length).toBeLessThanOrEqual(250);
    expect(subject.startsWith('Amazon SES sending limit increase: us-east-1 10,000,000,000 per day, ')).toBe(true);
    expect(subject.endsWith('… [SESBOT-0123456789abcdef]')).toBe(true);
  });
});

describe('subjectWithReference', () => {
  const suffix = ' [SESBOT-x]';
  const room = 250 - suffix.length;

  it('appends the reference in brackets to a short subject', () => {
    expect(subjectWithReference('Short subject', 'SESBOT-x')).toBe('Short subject [SESBOT-x]');
  });

  it('keeps a subject that exactly fits', () => {
    const subject = subjectWithReference('s'.repeat(room), 'SESBOT-x');
    expect(subject).toBe(`${'s'.repeat(room)}${suffix}`);
    expect(subject).toHaveLength(250);
  });

  it('shortens a subject one character too long with an ellipsis, to exactly 250 characters', () => {
    const subject = subjectWithReference('s'.repeat(room + 1), 'SESBOT-x');
    expect(subject).toBe(`${'s'.repeat(room - 1)}…${suffix}`);
    expect(subject).toHaveLength(250);
  });

  it('caps a huge subject at 250 characters', () => {
    const subject = subjectWithReference('s'.repeat(100_000), referenceFor('0123456789abcdef'));
    expect(subject).toHaveLength(250);
    expect(subject.endsWith('… [SESBOT-0123456789abcdef]')).toBe(true);
  });
});

describe('supportCaseUrl', () => {
  it('links to the case in Support Center by display id', () => {
    expect(supportCaseUrl('12345678910')).toBe('https://console.aws.amazon.com/support/home#/case/?displayId=12345678910');
  });

  it('encodes characters that would break the link', () => {
    expect(supportCaseUrl('a b&c=d#e')).toBe('https://console.aws.amazon.com/support/home#/case/?displayId=a%20b%26c%3Dd%23e');
  });
});

describe('caseStatusLabel', () => {
  it.each([
    ['opened', 'Opened'],
    ['unassigned', 'Unassigned'],
    ['work-in-progress', 'Work in progress'],
    ['pending-customer-action', 'Pending customer action'],
    ['customer-action-completed', 'Customer action completed'],
    ['reopened', 'Reopened'],
    ['resolved', 'Resolved'],
  ])('shows %s as %s', (status, label) => {
    expect(caseStatusLabel(status)).toBe(label);
  });

  it('shows an unknown status as AWS wrote it', () => {
    expect(caseStatusLabel('some-new-status')).toBe('some-new-status');
  });
});
