/** Standing answers (src/domain/standing-answers.ts): which request's answers carry over, and as what. */
import { describe, expect, it } from 'vitest';
import { validateLease, type DedicatedIpFormInput } from '../../src/domain/dedicated-ip.js';
import { validateQuotaForm, type QuotaIncreaseRequest } from '../../src/domain/quota-request.js';
import {
  dayText,
  leaseFormAnswers,
  quotaFormAnswers,
  standingAnswersLine,
  standingAnswersUnavailableLine,
  standingLeaseAnswers,
  standingQuotaAnswers,
  standingSource,
} from '../../src/domain/standing-answers.js';
import { QUOTA_PAYLOAD, leaseRequest, quotaRequest, relinquishRequest } from '../slack/builders.js';
import { VALID_USE_CASE } from './builders.js';
import { DIP_USE_CASE, lease } from './dedicated-ip-builders.js';

const PAYLOAD: QuotaIncreaseRequest = {
  ...QUOTA_PAYLOAD,
  onlyRequestedRecipients: false,
  useCase: VALID_USE_CASE,
  language: 'ja',
  additionalContactEmails: ['ops@example.com', 'Security@example.org'],
};

describe('quotaFormAnswers', () => {
  it('gives every answer but the rows, as the form holds them, the contacts joined by ", "', () => {
    expect(quotaFormAnswers(PAYLOAD)).toEqual({
      mailType: 'transactional',
      websiteUrl: 'https://shop.example.com',
      compliesWithAup: 'yes',
      onlyRequestedRecipients: 'no',
      handlesBouncesAndComplaints: 'yes',
      useCase: VALID_USE_CASE,
      language: 'ja',
      additionalContacts: 'ops@example.com, Security@example.org',
    });
    expect(quotaFormAnswers(PAYLOAD)).not.toHaveProperty('rows');
  });

  it('leaves the contacts empty when the request had none', () => {
    const { additionalContactEmails: _, ...without } = PAYLOAD;
    expect(quotaFormAnswers(without).additionalContacts).toBeNull();
  });

  it('submitted again with the same rows, files the same request', () => {
    const rows = PAYLOAD.rows.map((r, i) => ({ key: String(i), region: r.region, limit: r.limit, newValue: String(r.newValue) }));
    const again = validateQuotaForm({ ...quotaFormAnswers(PAYLOAD), rows });
    expect(again).toEqual({ ok: true, value: PAYLOAD });
  });
});

describe('leaseFormAnswers', () => {
  const answered = lease({ optInProcess: 'Double opt-in at sign-up.', bounceProcess: undefined, useCase: DIP_USE_CASE, language: 'ja' });

  it('gives the lease answers but no rows, an unanswered process description empty', () => {
    expect(leaseFormAnswers(answered)).toEqual({
      mailType: 'marketing',
      websiteUrl: 'https://shop.example.com',
      optInProcess: 'Double opt-in at sign-up.',
      bounceProcess: null,
      compliesWithAup: 'yes',
      useCase: DIP_USE_CASE,
      language: 'ja',
    });
  });

  it('submitted again with the same rows, files the same lease', () => {
    const rows = answered.rows.map((r, i) => ({ key: String(i), region: r.region, sendRate: String(r.sendRate), ipCount: r.ipCount === undefined ? null : String(r.ipCount) }));
    const form: DedicatedIpFormInput = { action: 'request', ...leaseFormAnswers(answered), rows };
    expect(validateLease(form)).toEqual({ ok: true, value: answered });
  });
});

describe('standingQuotaAnswers', () => {
  it('takes the newest filed request, whatever order the list comes in', () => {
    const older = quotaRequest({ id: 'a1', reference: 'SESBOT-a1', createdAt: '2025-03-01T10:00:00.000Z' });
    const newer = { ...quotaRequest({ id: 'b2', reference: 'SESBOT-b2', requesterId: 'U0OTHER', createdAt: '2025-03-20T23:59:00.000Z' }), payload: PAYLOAD };
    const found = standingQuotaAnswers([older, newer]);
    expect(found?.source).toEqual({ reference: 'SESBOT-b2', requesterId: 'U0OTHER', filedOn: '2025-03-20' });
    expect(found?.answers.language).toBe('ja');
  });

  it('passes over requests not filed (being filed, refused by AWS, uncertain) and other kinds', () => {
    const filed = quotaRequest({ id: 'a1', reference: 'SESBOT-a1', createdAt: '2025-03-01T10:00:00.000Z' });
    const later = (status: 'received' | 'filing' | 'failed' | 'uncertain' | 'not_posted', day: number) =>
      quotaRequest({ id: `x${day}`, reference: `SESBOT-x${day}`, status, createdAt: `2025-03-${String(day).padStart(2, '0')}T10:00:00.000Z` });
    const requests = [later('received', 10), later('filing', 11), later('failed', 12), later('uncertain', 13), later('not_posted', 14), leaseRequest({ createdAt: '2025-03-15T10:00:00.000Z' }), filed];
    expect(standingQuotaAnswers(requests)?.source.reference).toBe('SESBOT-a1');
  });

  it('finds nothing in a channel with no filed quota request', () => {
    expect(standingQuotaAnswers([])).toBeUndefined();
    expect(standingQuotaAnswers([quotaRequest({ status: 'failed' })])).toBeUndefined();
  });
});

describe('standingLeaseAnswers', () => {
  it('takes the newest filed lease, passing over a newer relinquishment (it has no lease answers, and its note is not one)', () => {
    const leased = leaseRequest({ reference: 'SESBOT-lease', createdAt: '2025-03-01T10:00:00.000Z' });
    const released = relinquishRequest({ reference: 'SESBOT-release', createdAt: '2025-03-10T10:00:00.000Z' });
    const found = standingLeaseAnswers([released, leased]);
    expect(found?.source.reference).toBe('SESBOT-lease');
    expect(found?.answers).not.toHaveProperty('note');
    expect(standingLeaseAnswers([released])).toBeUndefined();
  });
});

describe('the line above a pre-filled form', () => {
  it('names the day, the requester and the reference, and how to get an empty form', () => {
    const source = standingSource(quotaRequest({ createdAt: '2025-03-14T09:30:00.000Z' }));
    expect(standingAnswersLine(source, { requester: '<@U0REQUEST>', freshCommand: '`/ses-quota fresh`' })).toBe(
      'Answers pre-filled from the request of 14 March 2025 by <@U0REQUEST> in this channel (reference SESBOT-0123456789abcdef). Check them; `/ses-quota fresh` opens an empty form.',
    );
  });

  it('says the day in UTC, as stored', () => {
    expect(standingSource(quotaRequest({ createdAt: '2025-12-31T23:59:59.999Z' })).filedOn).toBe('2025-12-31');
    expect(dayText('2026-01-02')).toBe('2 January 2026');
  });

  it('says plainly when the answers could not be loaded in time', () => {
    expect(standingAnswersUnavailableLine('`/ses-dedicated-ip`')).toBe(
      "This channel's previous answers could not be loaded in time, so the form starts empty. Run `/ses-dedicated-ip` again to have them filled in.",
    );
  });
});
