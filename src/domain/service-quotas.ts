/**
 * Service Quotas and production access as the bot speaks of them: the SES quota codes, the
 * words for each status in Slack, which statuses are final, and which mean the answer was yes.
 */
import type { QuotaLimit } from './quota-request.js';

export const SES_SERVICE_CODE = 'ses';

/** The SES quotas a row can ask to raise: Service Quotas' code, and its name there (to find it if the code ever changes). */
export const SES_QUOTAS: Record<QuotaLimit, { code: string; name: string }> = {
  send_quota: { code: 'L-804C8AE8', name: 'Sending quota' },
  send_rate: { code: 'L-CDEF9B6B', name: 'Sending rate' },
};

/** RequestedQuota.Status as Service Quotas reports it. */
export type QuotaRequestStatus = 'PENDING' | 'CASE_OPENED' | 'APPROVED' | 'DENIED' | 'NOT_APPROVED' | 'CASE_CLOSED' | 'INVALID_REQUEST';

const QUOTA_STATUS_WORDS: Record<QuotaRequestStatus, string> = {
  PENDING: 'pending',
  CASE_OPENED: 'case opened',
  APPROVED: 'approved',
  DENIED: 'denied',
  NOT_APPROVED: 'not approved',
  CASE_CLOSED: 'case closed',
  INVALID_REQUEST: 'invalid request',
};

/** The word a thread uses for a Service Quotas status; an unknown status is shown as AWS wrote it. */
export function quotaStatusWord(status: string): string {
  return Object.hasOwn(QUOTA_STATUS_WORDS, status) ? QUOTA_STATUS_WORDS[status as QuotaRequestStatus] : status.toLowerCase().replace(/_/g, ' ');
}

/** Statuses after which nothing changes any more: the request is no longer polled 14 days later. */
export function isFinalQuotaStatus(status: string): boolean {
  return ['APPROVED', 'DENIED', 'NOT_APPROVED', 'CASE_CLOSED', 'INVALID_REQUEST'].includes(status);
}

/** GetAccount's Details.ReviewDetails.Status for a production access review. */
export type ReviewStatus = 'PENDING' | 'FAILED' | 'GRANTED' | 'DENIED';

export function reviewStatusWord(status: string): string {
  const words: Record<string, string> = { PENDING: 'pending', GRANTED: 'granted', DENIED: 'denied', FAILED: 'failed' };
  return words[status] ?? status.toLowerCase();
}

export function isFinalReviewStatus(status: string): boolean {
  return ['GRANTED', 'DENIED', 'FAILED'].includes(status);
}

/** The form's mail type as PutAccountDetails wants it: marketing, or transactional for the other two. */
export function productionAccessMailType(mailType: 'marketing' | 'transactional' | 'system_notifications'): 'MARKETING' | 'TRANSACTIONAL' {
  return mailType === 'marketing' ? 'MARKETING' : 'TRANSACTIONAL';
}

/** How /ses-quota files a request: a Service Quotas request per row (production access for a sandboxed region), or one AWS Support case. */
export type QuotaFilingMode = 'service-quotas' | 'support-case';
