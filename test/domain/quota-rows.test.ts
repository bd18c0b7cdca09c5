import { describe, expect, it } from 'vitest';
import {
  FINAL_STATUS_WATCH_MS,
  initialRows,
  isRowFollowed,
  pollUntil,
  productionAccessUseCase,
  quotaRowsSchema,
  rowLabel,
  rowStatusWord,
  statusAfterRows,
  type QuotaRowState,
} from '../../src/domain/quota-rows.js';
import { validateQuotaForm } from '../../src/domain/quota-request.js';
import { validForm, valueOf } from './builders.js';

const validQuota = () => valueOf(validateQuotaForm(validForm()));

const row = (over: Partial<QuotaRowState> = {}): QuotaRowState => ({ region: 'us-east-1', limit: 'send_quota', newValue: 200_000, path: 'service_quotas', sending: 'sent', status: 'PENDING', ...over });

describe('a request sent row by row', () => {
  it('starts with every row unsent, through Service Quotas', () => {
    const rows = initialRows({ ...validQuota(), rows: [{ region: 'us-east-1', limit: 'send_quota', newValue: 1000 }, { region: 'eu-west-1', limit: 'send_rate', newValue: 20 }] });
    expect(rows.map((r) => [r.region, r.limit, r.newValue, r.path, r.sending])).toEqual([
      ['us-east-1', 'send_quota', 1000, 'service_quotas', 'unsent'],
      ['eu-west-1', 'send_rate', 20, 'service_quotas', 'unsent'],
    ]);
  });

  it.each<[string, QuotaRowState['sending'][], string]>([
    ['every row sent', ['sent', 'sent'], 'filed'],
    ['a row refused', ['sent', 'failed'], 'failed'],
    ['a row AWS may have, beside a refused one', ['failed', 'uncertain'], 'uncertain'],
    ['a row whose call went out and whose answer was lost', ['attempted', 'sent'], 'uncertain'],
  ])('is %s → %s', (_, sendings, status) => {
    expect(statusAfterRows(sendings.map((sending) => row({ sending })))).toBe(status);
  });

  it('follows a sent row until 14 days after its final status', () => {
    const final = Date.parse('2026-11-01T00:00:00Z');
    const approved = row({ status: 'APPROVED', finalAt: new Date(final).toISOString() });
    expect(isRowFollowed(row({ status: 'CASE_OPENED' }), final + 100 * FINAL_STATUS_WATCH_MS)).toBe(true);
    expect(isRowFollowed(approved, final + FINAL_STATUS_WATCH_MS - 1)).toBe(true);
    expect(isRowFollowed(approved, final + FINAL_STATUS_WATCH_MS)).toBe(false);
    expect(isRowFollowed(row({ sending: 'failed', status: undefined }), final)).toBe(false);
  });

  it('is polled until 14 days after its last final row, and not at all when nothing reached AWS', () => {
    expect(pollUntil([row({ status: 'APPROVED', finalAt: '2026-11-01T00:00:00.000Z' }), row({ status: 'PENDING' })])).toBeNull();
    expect(pollUntil([row({ status: 'APPROVED', finalAt: '2026-11-01T00:00:00.000Z' }), row({ status: 'DENIED', finalAt: '2026-11-03T00:00:00.000Z' })])).toBe('2026-11-17T00:00:00.000Z');
    expect(pollUntil([row({ sending: 'failed', status: undefined })])).toBe('1970-01-01T00:00:00.000Z');
  });

  it('names statuses in the words the thread uses, by path', () => {
    expect(rowStatusWord(row({ status: 'CASE_OPENED' }))).toBe('case opened');
    expect(rowStatusWord(row({ status: 'NOT_APPROVED' }))).toBe('not approved');
    expect(rowStatusWord(row({ path: 'production_access', status: 'GRANTED' }))).toBe('granted');
    expect(rowLabel(row({ limit: 'send_rate', newValue: 50, region: 'eu-west-1' }))).toBe('Europe (Ireland): sending rate 50 per second');
  });

  it('stores rows as written and refuses a malformed one', () => {
    const rows = [row({ caseId: 'case-1', note: 'linked' })];
    expect(quotaRowsSchema.parse(JSON.parse(JSON.stringify(rows)))).toEqual(rows);
    expect(() => quotaRowsSchema.parse([{ ...rows[0], sending: 'maybe' }])).toThrow();
  });
});

describe('the use case of a production access request', () => {
  it('carries the use case, what is asked for in the region, the answers and the reference line, within AWS\'s 5,000 characters', () => {
    const payload = { ...validQuota(), useCase: 'x'.repeat(3000) };
    const text = productionAccessUseCase(payload, [row(), row({ limit: 'send_rate', newValue: 50 })], 'SESBOT-0123456789abcdef');
    expect(text.startsWith('x'.repeat(3000))).toBe(true);
    expect(text).toContain('Requested in US East (N. Virginia):\n- Desired Maximum Send Quota: 200,000 per 24 hours\n- Desired Maximum Send Rate: 50 per second');
    expect(text).toContain('I have a process to handle bounces and complaints: Yes');
    expect(text.endsWith('Slack request reference: SESBOT-0123456789abcdef')).toBe(true);
    expect(text.length).toBeLessThanOrEqual(5000);
  });
});
