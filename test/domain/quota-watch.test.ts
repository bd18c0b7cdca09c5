/** The quota watch's rules (src/domain/quota-watch.ts): unit tests and fast-check properties. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_REQUESTED_VALUE } from '../../src/domain/common.js';
import {
  ARMED,
  DUE_SLACK_MS,
  isDue,
  parseRegionWatchState,
  readFailureStep,
  regionKind,
  serializeRegionWatchState,
  suggestedQuota,
  usagePercent,
  watchedRegions,
  watchFingerprint,
  watchStep,
  type AlertLevel,
  type QuotaReading,
  type RegionWatchState,
} from '../../src/domain/quota-watch.js';
import { SES_REGIONS } from '../../src/domain/regions.js';

const prod = (sentLast24Hours: number, max24HourSend = 50_000): QuotaReading => ({ max24HourSend, sentLast24Hours, productionAccess: true });

/** Runs readings through the state machine from armed; returns the alerts, one entry per reading. */
function run(readings: QuotaReading[], threshold: number, from: RegionWatchState = ARMED): { alerts: (AlertLevel | undefined)[]; state: RegionWatchState } {
  let state = from;
  const alerts: (AlertLevel | undefined)[] = [];
  for (const reading of readings) {
    const step = watchStep(state, reading, threshold);
    alerts.push(step.alert);
    state = step.state;
  }
  return { alerts, state };
}

describe('watchStep', () => {
  it('alerts once when sending reaches the threshold, and not again while it stays above', () => {
    expect(run([prod(39_999), prod(40_000), prod(41_000), prod(44_000), prod(40_000)], 80).alerts).toEqual([undefined, 'threshold', undefined, undefined, undefined]);
  });

  it('alerts again past 95%, once', () => {
    expect(run([prod(40_000), prod(47_499), prod(47_500), prod(49_000), prod(50_000)], 80).alerts).toEqual(['threshold', undefined, 'critical', undefined, undefined]);
  });

  it('says critical straight away when the first crossing is already past 95%', () => {
    const { alerts, state } = run([prod(48_000), prod(49_000)], 80);
    expect(alerts).toEqual(['critical', undefined]);
    expect(state.alerted).toBe('critical');
  });

  it('re-arms only below the threshold minus 10 points, then alerts at the next crossing', () => {
    // 80% threshold: 70% (35,000) is not below 70; 34,999 is.
    expect(run([prod(40_000), prod(35_000), prod(40_000), prod(34_999), prod(39_000), prod(40_000)], 80).alerts).toEqual([
      'threshold',
      undefined,
      undefined,
      undefined,
      undefined,
      'threshold',
    ]);
  });

  it('re-arms from critical too', () => {
    expect(run([prod(48_000), prod(10_000), prod(48_000)], 80).alerts).toEqual(['critical', undefined, 'critical']);
  });

  it('has no second level when the threshold is 95% or more', () => {
    expect(run([prod(48_000), prod(49_999)], 95).alerts).toEqual(['threshold', undefined]);
    expect(run([prod(48_500), prod(50_000)], 97).alerts).toEqual(['threshold', undefined]);
  });

  it('never alerts on an unlimited quota (-1) or a sandboxed region, and re-arms them', () => {
    expect(watchStep(ARMED, { max24HourSend: -1, sentLast24Hours: 10_000_000, productionAccess: true }, 80)).toEqual({ state: ARMED });
    expect(watchStep(ARMED, { max24HourSend: 200, sentLast24Hours: 200, productionAccess: false }, 80)).toEqual({ state: ARMED });
    expect(watchStep({ alerted: 'critical', unreadableReported: true }, { max24HourSend: -1, sentLast24Hours: 1, productionAccess: true }, 80)).toEqual({ state: ARMED });
  });

  it('compares exactly: 80% of a quota that does not divide evenly', () => {
    // 80% of 333 is 266.4: 266 is below, 267 is past.
    expect(watchStep(ARMED, prod(266, 333), 80).alert).toBeUndefined();
    expect(watchStep(ARMED, prod(267, 333), 80).alert).toBe('threshold');
  });

  it('a reading clears "unreadable reported", keeping the alert level', () => {
    expect(watchStep({ alerted: 'threshold', unreadableReported: true }, prod(41_000), 80)).toEqual({ state: { alerted: 'threshold', unreadableReported: false } });
  });
});

describe('readFailureStep', () => {
  it('reports a region it cannot read once, keeping its alert level', () => {
    const first = readFailureStep({ alerted: 'threshold', unreadableReported: false }, false);
    expect(first).toEqual({ state: { alerted: 'threshold', unreadableReported: true }, report: true });
    expect(readFailureStep(first.state, false)).toEqual({ state: first.state, report: false });
  });

  it('does not report a passing failure (throttling, AWS unreachable)', () => {
    expect(readFailureStep(ARMED, true)).toEqual({ state: ARMED, report: false });
  });
});

describe('regionKind and usagePercent', () => {
  it.each<[QuotaReading, string, number | undefined]>([
    [prod(42_000), 'watched', 84],
    [{ max24HourSend: 200, sentLast24Hours: 150, productionAccess: false }, 'sandbox', undefined],
    [{ max24HourSend: -1, sentLast24Hours: 150, productionAccess: true }, 'unlimited', undefined],
    [{ max24HourSend: 0, sentLast24Hours: 0, productionAccess: true }, 'unlimited', undefined],
  ])('%j is %s', (reading, kind, percent) => {
    expect(regionKind(reading)).toBe(kind);
    expect(usagePercent(reading)).toBe(percent);
  });
});

describe('suggestedQuota', () => {
  it.each([
    [50_000, 100_000],
    [200, 400],
    [0.5, 1],
    [1.5, 3],
    [6_000_000_000, MAX_REQUESTED_VALUE],
    [MAX_REQUESTED_VALUE, MAX_REQUESTED_VALUE],
  ])('suggests %d → %d', (current, suggested) => {
    expect(suggestedQuota(current)).toBe(suggested);
  });

  it('is a whole number above the current quota, twice it where AWS accepts that', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_REQUESTED_VALUE - 1 }), (current) => {
        const suggested = suggestedQuota(current);
        expect(Number.isInteger(suggested)).toBe(true);
        expect(suggested).toBeGreaterThan(current);
        expect(suggested).toBeLessThanOrEqual(MAX_REQUESTED_VALUE);
        if (current * 2 <= MAX_REQUESTED_VALUE) expect(suggested).toBe(current * 2);
      }),
    );
  });
});

describe('isDue', () => {
  const at = (iso: string) => new Date(iso);
  const interval = 15 * 60_000;

  it('is due when it never ran, an interval after the last run, or when the last run is in the future', () => {
    expect(isDue(undefined, at('2025-01-01T00:00:00Z'), interval)).toBe(true);
    expect(isDue(at('2025-01-01T00:00:00Z'), at('2025-01-01T00:10:00Z'), interval)).toBe(false);
    expect(isDue(at('2025-01-01T00:00:00Z'), at('2025-01-01T00:15:00Z'), interval)).toBe(true);
    // A tick a few seconds early still runs rather than waiting a whole poll interval.
    expect(isDue(at('2025-01-01T00:00:00Z'), new Date(at('2025-01-01T00:15:00Z').getTime() - DUE_SLACK_MS), interval)).toBe(true);
    expect(isDue(at('2025-01-01T01:00:00Z'), at('2025-01-01T00:00:00Z'), interval)).toBe(true);
    expect(isDue(new Date(Number.NaN), at('2025-01-01T00:00:00Z'), interval)).toBe(true);
  });
});

describe('watchedRegions', () => {
  it('takes the configured regions as given, without repeats', () => {
    expect(watchedRegions(['eu-west-1', 'us-east-1', 'eu-west-1'], ['ap-south-1'], 'us-west-2')).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('otherwise: the regions of stored requests plus AWS_REGION, SES regions only, in the console order', () => {
    expect(watchedRegions(undefined, ['eu-west-1', 'us-east-1', 'eu-west-1', 'mars-1'], 'us-west-2')).toEqual(['us-east-1', 'us-west-2', 'eu-west-1']);
    expect(watchedRegions(undefined, [], undefined)).toEqual([]);
    expect(watchedRegions([], [], 'cn-north-1')).toEqual([]);
  });
});

describe('state codec and fingerprint', () => {
  it('round-trips a state; anything unreadable is armed', () => {
    for (const state of [ARMED, { alerted: 'threshold', unreadableReported: true }, { alerted: 'critical', unreadableReported: false }] as RegionWatchState[]) {
      expect(parseRegionWatchState(serializeRegionWatchState(state))).toEqual(state);
    }
    expect(parseRegionWatchState(undefined)).toEqual(ARMED);
    expect(parseRegionWatchState('not json')).toEqual(ARMED);
    expect(parseRegionWatchState('{"alerted":"loud","unreadableReported":"yes"}')).toEqual(ARMED);
    expect(parseRegionWatchState('null')).toEqual(ARMED);
  });

  it('never throws on stored text', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), (text) => void parseRegionWatchState(text)));
  });

  it('changes with any setting the start message depends on', () => {
    const base = { channelId: 'C0WATCH', regions: undefined, thresholdPercent: 80, intervalMinutes: 15 };
    const variants = [
      { ...base, channelId: 'C0OTHER' },
      { ...base, regions: ['us-east-1'] },
      { ...base, thresholdPercent: 85 },
      { ...base, intervalMinutes: 5 },
    ];
    for (const v of variants) expect(watchFingerprint(v)).not.toBe(watchFingerprint(base));
    expect(watchFingerprint({ ...base, regions: [] })).toBe(watchFingerprint(base));
  });
});

describe('properties of the crossing and re-arm rules', () => {
  const threshold = fc.integer({ min: 11, max: 99 });
  const quota = fc.integer({ min: 1, max: 10_000_000 });
  /** A run of readings: each a share of the quota in per-mille (0..1100), so every band is visited. */
  const shares = fc.array(fc.integer({ min: 0, max: 1100 }), { minLength: 1, maxLength: 60 });
  const readingsOf = (max: number, perMille: number[]) => perMille.map((p) => prod(Math.floor((p * max) / 1000), max));
  /** Whether a reading reached `percent` of its quota, exactly (as the watch compares). */
  const atLeast = (r: QuotaReading, percent: number) => r.sentLast24Hours * 100 >= percent * r.max24HourSend;

  it('alerts only at or past the threshold; critical only past 95% below a threshold under 95', () => {
    fc.assert(
      fc.property(threshold, quota, shares, (t, max, perMille) => {
        const readings = readingsOf(max, perMille);
        run(readings, t).alerts.forEach((alert, i) => {
          if (alert) expect(readings[i]!.sentLast24Hours * 100).toBeGreaterThanOrEqual(t * max);
          if (alert === 'critical') {
            expect(readings[i]!.sentLast24Hours * 100).toBeGreaterThanOrEqual(95 * max);
            expect(t).toBeLessThan(95);
          }
        });
      }),
    );
  });

  it('between two alerts of the same level there is a reading below the threshold minus 10 (a re-arm); a crossing after a re-arm is never missed', () => {
    fc.assert(
      fc.property(threshold, quota, shares, (t, max, perMille) => {
        const readings = readingsOf(max, perMille);
        const { alerts } = run(readings, t);
        let armed = true;
        let criticalSaid = false;
        alerts.forEach((alert, i) => {
          const r = readings[i]!;
          if (!armed && !atLeast(r, t - 10)) {
            armed = true;
            criticalSaid = false;
          }
          if (armed && atLeast(r, t)) {
            // An armed region crossing the threshold is always said.
            expect(alert).toBeDefined();
            armed = false;
            criticalSaid = alert === 'critical';
            return;
          }
          if (alert === 'threshold') throw new Error(`a second threshold alert without a re-arm at reading ${i}`);
          if (alert === 'critical') {
            expect(criticalSaid).toBe(false);
            criticalSaid = true;
          }
          // Once alerted, a reading past 95% (threshold below 95) is said unless it was already.
          if (!armed && t < 95 && atLeast(r, 95) && !alert) expect(criticalSaid).toBe(true);
        });
      }),
    );
  });

  it('at most one alert per reading, and at most two (threshold, then critical) between re-arms', () => {
    fc.assert(
      fc.property(threshold, quota, shares, (t, max, perMille) => {
        const readings = readingsOf(max, perMille);
        const { alerts } = run(readings, t);
        let sinceRearm = 0;
        alerts.forEach((alert, i) => {
          if (!atLeast(readings[i]!, t - 10)) sinceRearm = 0;
          if (alert) sinceRearm += 1;
          expect(sinceRearm).toBeLessThanOrEqual(2);
        });
      }),
    );
  });

  it('a run of failures is reported once; a successful read in between re-arms the report', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('ok', 'fail', 'transient'), { maxLength: 40 }), (events) => {
        let state: RegionWatchState = ARMED;
        let reportsSinceOk = 0;
        for (const event of events) {
          if (event === 'ok') {
            state = watchStep(state, prod(0), 80).state;
            reportsSinceOk = 0;
            continue;
          }
          const step = readFailureStep(state, event === 'transient');
          if (step.report) reportsSinceOk += 1;
          if (event === 'transient') expect(step.report).toBe(false);
          state = step.state;
          expect(reportsSinceOk).toBeLessThanOrEqual(1);
        }
      }),
    );
  });

  it('watched regions are always SES regions', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...SES_REGIONS.map((r) => r.code)), fc.string())), fc.option(fc.string(), { nil: undefined }), (seen, own) => {
        for (const r of watchedRegions(undefined, seen, own)) expect(SES_REGIONS.some((s) => s.code === r)).toBe(true);
      }),
    );
  });
});
