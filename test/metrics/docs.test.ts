/**
 * docs/monitoring.md and docs/grafana-dashboard.json name only metrics the bot serves: every
 * metric in the alert rules and the dashboard's queries is in a /metrics exposition, and the
 * dashboard is JSON Grafana can import (a Prometheus input, panels with queries).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics/metrics.js';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs');
const monitoring = readFileSync(join(docs, 'monitoring.md'), 'utf8');
const dashboardText = readFileSync(join(docs, 'grafana-dashboard.json'), 'utf8');

/** The metric names a query or a text uses (bot's and process's), histogram suffixes kept. */
function metricNames(text: string): Set<string> {
  return new Set(text.match(/\b(ses_bot_[a-z_]+|process_[a-z_]+|nodejs_[a-z0-9_]+)\b/g) ?? []);
}

async function served(): Promise<Set<string>> {
  const metrics = new Metrics();
  metrics.readStoreWith(async () => ({ requests: [], posts: [], openCases: 0, quotaRows: [], periodicLeaseLive: true }));
  metrics.leaseHeld('periodic_work', true);
  metrics.caseSyncCycle().end(0, true);
  const { body } = await metrics.exposition();
  // Every metric declared (one with no sample yet too), a histogram's series by their suffixes.
  const names = new Set<string>();
  for (const [, name, type] of body.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram' || type === 'summary') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

describe('the monitoring docs and the dashboard', () => {
  it('use only metrics the bot serves', async () => {
    const names = await served();
    const alerts = monitoring.slice(monitoring.indexOf('## Alert rules'));
    const used = new Set([...metricNames(alerts), ...metricNames(dashboardText)]);
    expect(used.size).toBeGreaterThan(10);
    for (const name of used) expect(names, `${name} is not in /metrics`).toContain(name);
  });

  it('documents every metric of the bot in the table', async () => {
    const names = [...(await served())].filter((n) => n.startsWith('ses_bot_') && !/_(bucket|sum|count)$/.test(n));
    for (const name of new Set(names)) expect(monitoring, `${name} is not in docs/monitoring.md`).toContain(`\`${name}\``);
  });

  it('has five alert rules, and a dashboard Grafana can import', () => {
    expect(monitoring.match(/^\s+- alert: /gm)).toHaveLength(5);
    const dashboard = JSON.parse(dashboardText) as { __inputs: { pluginId: string }[]; panels: { type: string; targets?: { expr: string; datasource: { uid: string } }[] }[]; uid: string; title: string };
    expect(dashboard.__inputs.map((i) => i.pluginId)).toEqual(['prometheus']);
    expect(dashboard.uid).toBeTruthy();
    const queries = dashboard.panels.flatMap((p) => p.targets ?? []);
    expect(queries.length).toBeGreaterThan(20);
    for (const q of queries) expect(q.datasource.uid).toBe('${DS_PROMETHEUS}');
    // Balanced brackets in every query: a typo there shows as an empty panel, not an error.
    for (const { expr } of queries) {
      for (const [open, close] of [['(', ')'], ['{', '}'], ['[', ']']] as const) expect(expr.split(open).length, expr).toBe(expr.split(close).length);
    }
  });
});
