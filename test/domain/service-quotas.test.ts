import { describe, expect, it } from 'vitest';
import { isFinalQuotaStatus, isFinalReviewStatus, productionAccessMailType, quotaStatusWord, reviewStatusWord, SES_QUOTAS } from '../../src/domain/service-quotas.js';

describe('Service Quotas in words', () => {
  it('names each status with the word the thread uses', () => {
    expect(['PENDING', 'CASE_OPENED', 'APPROVED', 'DENIED', 'NOT_APPROVED', 'CASE_CLOSED', 'INVALID_REQUEST'].map(quotaStatusWord)).toEqual([
      'pending',
      'case opened',
      'approved',
      'denied',
      'not approved',
      'case closed',
      'invalid request',
    ]);
    expect(quotaStatusWord('SOMETHING_NEW')).toBe('something new');
  });

  it('knows which statuses are final', () => {
    expect(isFinalQuotaStatus('PENDING')).toBe(false);
    expect(isFinalQuotaStatus('CASE_OPENED')).toBe(false);
    expect(isFinalQuotaStatus('APPROVED')).toBe(true);
    expect(isFinalQuotaStatus('INVALID_REQUEST')).toBe(true);
    expect(isFinalReviewStatus('PENDING')).toBe(false);
    expect(['GRANTED', 'DENIED', 'FAILED'].every(isFinalReviewStatus)).toBe(true);
    expect(reviewStatusWord('GRANTED')).toBe('granted');
  });

  it('uses the SES quota codes and maps the mail type for production access', () => {
    expect(SES_QUOTAS.send_quota.code).toBe('L-804C8AE8');
    expect(SES_QUOTAS.send_rate.code).toBe('L-CDEF9B6B');
    expect(productionAccessMailType('marketing')).toBe('MARKETING');
    expect(productionAccessMailType('transactional')).toBe('TRANSACTIONAL');
    expect(productionAccessMailType('system_notifications')).toBe('TRANSACTIONAL');
  });
});
