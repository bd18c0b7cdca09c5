/**
 * Phase 2, command → views.open: for each slash command sent to the bot during the ack phases,
 * the time from sending it to the fake Slack receiving the views.open with its trigger_id.
 */
import type { CallRecord } from '../fakes-server.js';
import type { Report, TargetCheck } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import type { Settings } from '../settings.js';
import type { LoadPhases } from './ack-latency.js';

/** When views.open first arrived for each trigger_id. */
export function openedAtByTrigger(records: CallRecord[]): Map<string, number> {
  const openedAt = new Map<string, number>();
  for (const r of records) if (r.op === 'views.open' && r.trigger && !openedAt.has(r.trigger)) openedAt.set(r.trigger, r.at);
  return openedAt;
}

export function viewsOpenTable(settings: Settings, load: LoadPhases, openedAt: Map<string, number>): Report['viewsOpen'] {
  return settings.rates.map((rate) => {
    const phase = load.phases.find((p) => p.kind === 'slash command' && p.rate === rate && p.target === 'bot')!;
    const deltas: number[] = [];
    let missing = 0;
    for (const s of phase.result.samples) {
      const at = s.tag ? openedAt.get(s.tag) : undefined;
      if (at === undefined) missing += 1;
      else deltas.push(at - s.sentAt);
    }
    return { rate, ...summarize(deltas), missing };
  });
}

export function viewsOpenTargets(viewsOpen: Report['viewsOpen']): TargetCheck[] {
  return viewsOpen.map((v) => ({
    figure: `Command → views.open p99, ${v.rate}/s`,
    target: '≤ 30 ms',
    measured: `${v.p99.toFixed(1)} ms${v.missing ? `, ${v.missing} never opened` : ''}`,
    met: v.p99 <= 30 && v.missing === 0,
  }));
}
