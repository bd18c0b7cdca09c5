/** dedicatedIpCaseText: the subject and body of the case a lease or a relinquishment files. */
import { describe, expect, it } from 'vitest';
import {
  dedicatedIpCaseText,
  validateLease,
  validateRelinquish,
} from '../../src/domain/dedicated-ip.js';
import { valueOf } from './builders.js';
import {
  DIP_USE_CASE,
  REFERENCE,
  lease,
  leaseForm,
  leaseRow,
  relinquishForm,
  relinquishRow,
  relinquishment,
} from './dedicated-ip-builders.js';

describe('dedicatedIpCaseText: lease', () => {
  it('renders a two-region lease with a count in one region only, answers not given: the statement first, then why (golden)', () => {
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
Use case description: We request standard dedicated IP addresses for each region listed:
- US East (N. Virginia): 2 dedicated IP addresses.
- South America (São Paulo): no specific number; please size it from our requested maximum send rate of 50 messages per second.

Why dedicated rather than shared IP addresses:
We send newsletters to 2 million subscribers and want our own reputation.
Mail Type: Marketing
Website URL: https://shop.example.com
Describe, in detail, how you will only send to recipients who have specifically requested your mail: Not answered
Describe, in detail, the process that you will follow when you receive bounce and complaint notifications: Not answered
Will you comply with AWS Service Terms and AUP: Yes

Slack request reference: SESBOT-0123456789abcdef`,
    );
  });

  it('writes the answers as given, and asks AWS to size the count from the rate when no count was given', () => {
    const body = dedicatedIpCaseText(
      lease({
        optInProcess: 'Double opt-in only.',
        bounceProcess: 'SNS notifications suppress the address.',
        rows: [{ region: 'eu-west-1', sendRate: 200, ipCount: undefined }],
      }),
      REFERENCE,
    ).body;
    expect(body).toContain(
      '\nUse case description: We request standard dedicated IP addresses for each region listed:\n' +
        '- Europe (Ireland): no specific number; please size it from our requested maximum send rate of 200 messages per second.\n' +
        '\nWhy dedicated rather than shared IP addresses:\nWe send newsletters to 2 million subscribers and want our own reputation.\nMail Type: Marketing\n',
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
      '\nUse case description: We request standard dedicated IP addresses for each region listed:\n' +
        '- Europe (Frankfurt): 3 dedicated IP addresses.\n- Asia Pacific (Tokyo): 1 dedicated IP address.\n' +
        `\nWhy dedicated rather than shared IP addresses:\n${DIP_USE_CASE}\nMail Type: System Notifications\n`,
    );
    expect(body.endsWith('\n\nSlack request reference: SESBOT-0123456789abcdef')).toBe(true);
  });

  it('states the request even when no region has a count, before the reason, which is kept whole', () => {
    const useCase = 'Line one of why.\n\n  Line three, indented.\nWe will warm them up over six weeks.';
    const body = dedicatedIpCaseText(
      lease({ useCase, rows: [{ region: 'us-east-1', sendRate: 1, ipCount: undefined }, { region: 'eu-west-2', sendRate: 1_500_000, ipCount: undefined }] }),
      REFERENCE,
    ).body;
    expect(body).toContain(
      '\nUse case description: We request standard dedicated IP addresses for each region listed:\n' +
        '- US East (N. Virginia): no specific number; please size it from our requested maximum send rate of 1 message per second.\n' +
        '- Europe (London): no specific number; please size it from our requested maximum send rate of 1,500,000 messages per second.\n' +
        `\nWhy dedicated rather than shared IP addresses:\n${useCase}\nMail Type: Marketing\n`,
    );
  });

  it('writes large counts with thousands separators in the statement and as plain digits in the block', () => {
    const body = dedicatedIpCaseText(lease({ rows: [{ region: 'us-east-1', sendRate: 10_000_000_000, ipCount: 2500 }] }), REFERENCE).body;
    expect(body).toContain('\nNew limit value: 10000000000\n');
    expect(body).toContain('\n- US East (N. Virginia): 2,500 dedicated IP addresses.\n');
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
