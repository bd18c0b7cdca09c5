/** The request model: its lifecycle and the payload check the store applies at its boundary. */
import { describe, expect, it } from 'vitest';
import { validateLease, validateRelinquish } from '../../src/domain/dedicated-ip.js';
import { validateQuotaForm } from '../../src/domain/quota-request.js';
import { InvalidPayloadError, isRelinquishment, mayMove, parsePayload, REQUEST_TRANSITIONS, typedRequest, type RequestRecord } from '../../src/domain/request.js';
import { validForm, valueOf } from './builders.js';
import { inventory } from './dedicated-ip-builders.js';

const record: RequestRecord = {
  id: '0123456789abcdef',
  submissionKey: 'view:V1',
  reference: 'SESBOT-0123456789abcdef',
  teamId: 'T111',
  channelId: 'C0SESOPS',
  requesterId: 'U0REQUEST',
  status: 'filed',
  responseUrl: null,
  rootTs: null,
  caseId: null,
  displayId: null,
  caseStatus: null,
  errorCode: null,
  errorMessage: null,
  attempts: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  commWatermark: null,
  resolvedAt: null,
  statusChanges: 0,
  attemptedAt: null,
  filingMode: 'support-case',
  quotaRows: null,
  pollUntil: null,
  effects: null,
  accountName: 'default',
  accountId: null,
};

/** What the store keeps: the validated request as JSON. */
const viaJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('the request lifecycle', () => {
  it('leaves "filing" only for an outcome, and is claimed into "filing" from every other state but "filed"', () => {
    expect(REQUEST_TRANSITIONS.filing).toEqual(['filed', 'failed', 'uncertain', 'not_posted']);
    for (const from of ['received', 'failed', 'uncertain', 'not_posted'] as const) expect(mayMove(from, 'filing')).toBe(true);
    expect(mayMove('filed', 'filing')).toBe(false);
    expect(mayMove('received', 'filed')).toBe(false);
  });
});

describe('payloads at the store boundary', () => {
  it('takes back, through JSON, every request the form validators produce', () => {
    const quota = valueOf(validateQuotaForm(validForm()));
    expect(parsePayload('quota', viaJson(quota))).toEqual(quota);
    const lease = valueOf(
      validateLease({
        action: 'request',
        mailType: 'marketing',
        websiteUrl: 'https://example.com',
        compliesWithAup: 'yes',
        rows: [{ key: '0', region: 'eu-west-1', sendRate: '50', ipCount: '' }],
        useCase: 'We send our newsletter to subscribers who confirmed by double opt-in; we want a reputation of our own, and we warm up slowly.',
        language: 'en',
      }),
    );
    expect(parsePayload('dedicated_ip', viaJson(lease))).toEqual(lease);
    const relinquish = valueOf(
      validateRelinquish(
        { action: 'relinquish', rows: [{ key: '0', region: 'eu-west-1', addresses: ['198.51.100.2'] }], language: 'en' },
        { 'eu-west-1': inventory('eu-west-1', ['198.51.100.2']) },
      ),
    );
    const typed = typedRequest(record, 'dedicated_ip', viaJson(relinquish));
    expect(isRelinquishment(typed)).toBe(true);
    expect(typed.payload).toEqual(relinquish);
  });

  it('refuses a payload that does not match its kind, naming what is wrong', () => {
    const quota = valueOf(validateQuotaForm(validForm()));
    expect(() => parsePayload('dedicated_ip', quota)).toThrow(InvalidPayloadError);
    expect(() => parsePayload('quota', { ...quota, rows: [] })).toThrow(/rows/);
    expect(() => parsePayload('quota', { ...quota, rows: [{ region: 'mars-1', limit: 'send_quota', newValue: 5 }] })).toThrow(/rows\.0\.region/);
    expect(() => parsePayload('carrier_pigeon', quota)).toThrow(/unknown request kind/);
  });
});
