/**
 * Property 8: a new quota value far above the current one is a warning, never a refusal. For any
 * current quota and any value above it (up to the one bound AWS documents), validation accepts the
 * value, and farAboveCurrent warns under that row exactly when the value is more than 100 times
 * the current quota.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_REQUESTED_VALUE, formatNumber } from '../../src/domain/common.js';
import { FAR_ABOVE_FACTOR, QUOTA_LIMITS, farAboveCurrent, rowField, validateQuotaForm, type CurrentQuota, type QuotaLimit } from '../../src/domain/quota-request.js';
import { REGION_CODES } from './arbitraries.js';
import { validForm } from '../domain/builders.js';

const scenario = fc
  .record({
    region: fc.constantFrom(...REGION_CODES),
    limit: fc.constantFrom<QuotaLimit>('send_quota', 'send_rate'),
    current: fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: MAX_REQUESTED_VALUE - 1 }), fc.constantFrom(1, 14, 200, 50_000)),
    other: fc.integer({ min: 1, max: 1_000_000 }),
  })
  .chain((s) =>
    fc.record({
      s: fc.constant(s),
      value: fc.oneof(
        fc.integer({ min: s.current + 1, max: MAX_REQUESTED_VALUE }),
        fc.constantFrom(s.current + 1, Math.min(MAX_REQUESTED_VALUE, s.current * FAR_ABOVE_FACTOR), Math.min(MAX_REQUESTED_VALUE, s.current * FAR_ABOVE_FACTOR + 1), MAX_REQUESTED_VALUE),
      ).filter((v) => v > s.current),
      grouped: fc.boolean(),
    }),
  );

describe('farAboveCurrent', () => {
  it('warns exactly above 100 times the current quota, and validation never refuses the value for it', () => {
    fc.assert(
      fc.property(scenario, ({ s, value, grouped }) => {
        const quota: CurrentQuota = {
          max24HourSend: s.limit === 'send_quota' ? s.current : s.other,
          maxSendRate: s.limit === 'send_rate' ? s.current : s.other,
          sentLast24Hours: 0,
          productionAccess: true,
        };
        const form = validForm({ rows: [{ key: 'r', region: s.region, limit: s.limit, newValue: grouped ? formatNumber(value) : String(value) }] });
        const current = { [s.region]: quota };
        const result = validateQuotaForm(form, current);
        expect(result.ok && result.value.rows[0]!.newValue).toBe(value);

        const warnings = farAboveCurrent(form, current);
        if (value > FAR_ABOVE_FACTOR * s.current) {
          expect(warnings).toEqual([
            {
              field: rowField('r', 'newValue'),
              message: `${formatNumber(value)} is more than 100 times your current quota (${formatNumber(s.current)} ${QUOTA_LIMITS[s.limit].unit}). AWS grants what a case shows you need; check the number, then submit again to file it as it is.`,
            },
          ]);
        } else {
          expect(warnings).toEqual([]);
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
