/**
 * Phase 5, footprint: the bot's start-up times (every start of the run) and resident memory:
 * after start and after the ack load (empty database), and after syncing 10,000 cases.
 */
import type { Apps } from '../apps.js';
import type { Report, TargetCheck } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import type { LoadPhases } from './ack-latency.js';
import type { SyncResult } from './sync-cost.js';

export function footprintTable(apps: Apps, load: LoadPhases, sync: SyncResult[], fakesRssMb: number): Report['footprint'] {
  const big = sync.find((s) => s.n === 10_000);
  return {
    startups: apps.startups,
    startupMs: summarize(apps.startups.map((s) => s.ms)),
    rssAfterStart: load.rssAfterStart,
    rssAfterLoad: load.rssAfterLoad,
    rounds: load.rounds,
    ...(big ? { rssAfterStart10k: big.rssAfterStart, rssAfterSync10k: big.rssAfterSync } : {}),
    fakesRssMb,
  };
}

/** Start-up within 2 s; at most 100 MB resident after start, and 150 MB after syncing 10,000 cases (not measured by --quick). */
export function footprintTargets(footprint: Report['footprint'], measuredSync: boolean): TargetCheck[] {
  const after10k = footprint.rssAfterSync10k;
  const start = footprint.rssAfterStart;
  return [
    { figure: 'Start-up to /healthz 200 (max over starts)', target: '≤ 2 s', measured: `${(footprint.startupMs.max / 1000).toFixed(2)} s`, met: footprint.startupMs.max <= 2000 },
    { figure: 'Resident memory after start, empty store', target: '≤ 100 MB', measured: `${start.rssMb.toFixed(0)} MB (peak ${start.hwmMb.toFixed(0)} MB)`, met: start.rssMb <= 100 },
    after10k
      ? { figure: 'Resident memory after syncing 10,000 cases', target: '≤ 150 MB', measured: `${after10k.rssMb.toFixed(0)} MB (peak ${after10k.hwmMb.toFixed(0)} MB)`, met: after10k.rssMb <= 150 }
      : { figure: 'Resident memory after syncing 10,000 cases', target: '≤ 150 MB', measured: `not measured (${measuredSync ? '--quick' : '--soak'})`, met: null },
  ];
}
