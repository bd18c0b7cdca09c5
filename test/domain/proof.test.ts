import { describe, expect, it } from 'vitest';
import { afterMiss, armed, armRegions, CHECK_OFFSETS_MS, describeChange, EFFECT_WINDOW_MS, effectSeen, nextDue, type RegionEffect } from '../../src/domain/proof.js';

const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const checking = (over: Partial<RegionEffect> = {}): RegionEffect => ({
  region: 'us-east-1',
  kind: 'quota',
  state: 'checking',
  checks: 0,
  outcomeAt: new Date(T0).toISOString(),
  nextCheckAt: new Date(T0).toISOString(),
  before: { quota: { max24HourSend: 50_000, maxSendRate: 14, productionAccess: true } },
  ...over,
});
const quota = (max24HourSend: number, maxSendRate = 14, productionAccess = true) => ({ quota: { max24HourSend, maxSendRate, productionAccess } });

describe('the re-read schedule', () => {
  it('reads at most ten times in 72 hours, at growing intervals, then gives up once', () => {
    let effect = checking();
    const reads: number[] = [];
    // A bot that checks whenever a check is due, every minute, for four days.
    for (let now = T0; now <= T0 + 96 * 3600_000 && effect.state === 'checking'; now += 60_000) {
      if (Date.parse(effect.nextCheckAt!) <= now) {
        reads.push(now - T0);
        effect = afterMiss(effect, quota(50_000), now);
      }
    }
    expect(reads).toEqual(CHECK_OFFSETS_MS);
    expect(effect.state).toBe('not_seen');
    expect(reads.at(-1)).toBe(EFFECT_WINDOW_MS);
  });

  it('after downtime skips the checks it missed instead of catching up in a burst', () => {
    const next = afterMiss(checking({ checks: 1 }), quota(50_000), T0 + 10 * 3600_000);
    expect(next.nextCheckAt).toBe(new Date(T0 + 12 * 3600_000).toISOString());
  });

  it('is due at the earliest checking region', () => {
    expect(nextDue([checking({ nextCheckAt: '2026-11-02T00:00:00.000Z' }), checking({ region: 'eu-west-1', nextCheckAt: '2026-11-01T05:00:00.000Z' }), checking({ state: 'verified' })])).toBe(
      '2026-11-01T05:00:00.000Z',
    );
    expect(nextDue([checking({ state: 'not_seen', nextCheckAt: undefined })])).toBeNull();
  });
});

describe('what counts as seen', () => {
  it('a raised limit: the value asked, unlimited, or more than before (a partial grant)', () => {
    const asked = { limits: { send_quota: 200_000 } };
    expect(effectSeen(checking(), asked, quota(200_000))).toBe(true);
    expect(effectSeen(checking(), asked, quota(-1))).toBe(true);
    expect(effectSeen(checking(), asked, quota(100_000))).toBe(true);
    expect(effectSeen(checking(), asked, quota(50_000))).toBe(false);
    // Without the figures from before, only the value asked proves it.
    expect(effectSeen(checking({ before: undefined }), asked, quota(100_000))).toBe(false);
  });

  it('only the limits approved are awaited; on a case any limit raised counts, and the words say which did not move', () => {
    const asked = { limits: { send_quota: 200_000, send_rate: 50 } };
    expect(effectSeen(checking({ limits: ['send_rate'] }), asked, quota(50_000, 50))).toBe(true);
    expect(effectSeen(checking({ limits: ['send_rate', 'send_quota'] }), asked, quota(50_000, 50))).toBe(false);
    expect(effectSeen(checking(), asked, quota(50_000, 50))).toBe(true);
    expect(describeChange(checking(), asked, quota(50_000, 50), 2495, new Date(T0))).toBe('us-east-1 sending quota 50,000 → 50,000 per 24 hours (unchanged) · rate 14 → 50/s');
  });

  it('a relinquishment of a count only: seen when that many fewer standard IPs remain', () => {
    const ips = (n: number) => ({ ips: Array.from({ length: n }, (_, i) => ({ ip: `198.51.100.${i + 1}`, pool: 'p', warmupPercentage: 100 })) });
    const effect = checking({ kind: 'released_ips', before: ips(4) });
    expect(effectSeen(effect, { addresses: [], count: 2 }, ips(3))).toBe(false);
    expect(effectSeen(effect, { addresses: [], count: 2 }, ips(2))).toBe(true);
    expect(describeChange(effect, { addresses: [], count: 2 }, ips(2), 2495, new Date(T0))).toBe('us-east-1: standard dedicated IPs 4 → 2 · charge for the 1 days held this month: about USD 1.66');
  });

  it('production access, released addresses and new addresses', () => {
    expect(effectSeen(checking({ kind: 'production_access' }), {}, quota(200, 1, true))).toBe(true);
    expect(effectSeen(checking({ kind: 'production_access' }), {}, quota(200, 1, false))).toBe(false);
    const ips = (...ips: string[]) => ({ ips: ips.map((ip) => ({ ip, pool: 'p', warmupPercentage: 100 })) });
    expect(effectSeen(checking({ kind: 'released_ips' }), { addresses: ['198.51.100.3'] }, ips('198.51.100.2'))).toBe(true);
    expect(effectSeen(checking({ kind: 'released_ips' }), { addresses: ['198.51.100.3'] }, ips('198.51.100.3'))).toBe(false);
    expect(effectSeen(checking({ kind: 'new_ips', before: ips('198.51.100.2') }), {}, ips('198.51.100.2', '203.0.113.9'))).toBe(true);
    expect(effectSeen(checking({ kind: 'new_ips', before: ips('198.51.100.2') }), {}, ips('198.51.100.2'))).toBe(false);
  });
});

describe('a positive outcome', () => {
  it('starts the checks over, keeps a verified region verified, and adds regions the filing could not record', () => {
    const at = '2026-11-03T00:00:00.000Z';
    expect(armed(checking({ checks: 4 }), at)).toMatchObject({ state: 'checking', checks: 0, outcomeAt: at, nextCheckAt: at });
    expect(armed(checking({ state: 'verified' }), at).state).toBe('verified');
    const payload = { kind: 'quota', rows: [{ region: 'eu-west-1', limit: 'send_rate', newValue: 50 }] } as never;
    expect(armRegions(null, payload, at, [{ region: 'eu-west-1', limits: ['send_rate'] }])).toEqual([
      expect.objectContaining({ region: 'eu-west-1', kind: 'quota', state: 'checking', limits: ['send_rate'] }),
    ]);
  });
});
