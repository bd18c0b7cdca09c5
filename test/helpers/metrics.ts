/**
 * Reads a running bot's /metrics as a scraper would and parses it with a Prometheus text-format
 * parser (which throws on any line that is not the format); lookups by name and labels for the
 * assertions, and the check that every label value of the bot's own metrics is one of the allowed
 * ones.
 *
 * parse-prometheus-text-format folds a histogram's samples into one object and loses them when the
 * histogram has labels; so samples are looked up in a second parse of the same text without its
 * TYPE lines, where every line (name_bucket, name_sum, name_count) is a sample with its labels.
 */
import parsePrometheusTextFormat, { type PromFamily, type PromSample } from 'parse-prometheus-text-format';
import { allowedLabelValues, METRIC_PREFIX } from '../../src/metrics/metrics.js';

export interface Scrape {
  text: string;
  families: PromFamily[];
  /** The sum of the samples of `name` whose labels include `labels` (0 when none). */
  value(name: string, labels?: Record<string, string>): number;
  /** Whether `name` has a sample with these labels at all. */
  has(name: string, labels?: Record<string, string>): boolean;
  /** Every sample, its labels with it (histograms as their _bucket, _sum and _count lines). */
  samples: PromFamily[];
  /** A histogram's count over the samples whose labels include `labels`. */
  count(name: string, labels?: Record<string, string>): number;
}

function matches(sample: PromSample, labels: Record<string, string>): boolean {
  return Object.entries(labels).every(([k, v]) => sample.labels?.[k] === v);
}

export async function scrape(port: number): Promise<Scrape> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('text/plain') || !type.includes('version=0.0.4')) throw new Error(`/metrics content-type: ${type}`);
  return scrapeText(await res.text());
}

/** Parses an exposition (throws on a line that is not the Prometheus text format). */
export function scrapeText(text: string): Scrape {
  const families = parsePrometheusTextFormat(text);
  const flat = parsePrometheusTextFormat(text.replace(/^# TYPE .*\n/gm, ''));
  // A histogram's lines of one name are interleaved with its others: one family per run of lines.
  const samples = (name: string, labels: Record<string, string>) => flat.filter((f) => f.name === name).flatMap((f) => f.metrics.filter((s) => matches(s, labels)));
  const value = (name: string, labels: Record<string, string> = {}) => samples(name, labels).reduce((sum, s) => sum + Number(s.value ?? 0), 0);
  return {
    text,
    families,
    samples: flat,
    value,
    has: (name, labels = {}) => samples(name, labels).length > 0,
    count: (name, labels = {}) => value(`${name}_count`, labels),
  };
}

/** Every label value of the bot's own metrics that is not in its allowed set, as "metric label=value". */
export function labelsOutsideAllowed(scraped: Scrape): string[] {
  const allowed = allowedLabelValues();
  const bad: string[] = [];
  for (const family of scraped.samples.filter((f) => f.name.startsWith(METRIC_PREFIX))) {
    for (const sample of family.metrics) {
      for (const [label, value] of Object.entries(sample.labels ?? {})) {
        // A histogram's bucket bounds are numbers the bot chose.
        if (label === 'le' && family.name.endsWith('_bucket') && /^(\+Inf|\d+(\.\d+)?)$/.test(value)) continue;
        if (!allowed[label]?.has(value)) bad.push(`${family.name} ${label}=${JSON.stringify(value)}`);
      }
    }
  }
  return bad;
}
