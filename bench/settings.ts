/** The bench's options, sizes and fixed values: what each phase runs with. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The node options the bot runs with in production: those of `npm start` (package.json), which
 * the Dockerfile's CMD repeats (test/deployment.test.ts keeps the two the same). The bench starts
 * the bot with them, so that it measures the bot as deployed.
 */
export function productionNodeOptions(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.trim().split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/main.js') throw new Error(`package.json's start script is not "node [options] dist/main.js": ${pkg.scripts.start}`);
  return words.slice(1, -1);
}

export interface Options {
  /** --quick: about a minute (1 s load phases, N = 10 and 100 only; push at N = 100 only). */
  quick: boolean;
  /** Without --no-build, `npm run build` first; with it, dist/ is reused. */
  build: boolean;
  /** --update-benchmarks-md: replace the results section of BENCHMARKS.md with this run's. */
  updateBenchmarksMd: boolean;
  /** --soak: the leak check alone: three rounds of every ack phase against the bot, and its memory after each. */
  soak: boolean;
}

const KNOWN_OPTIONS = ['--quick', '--no-build', '--update-benchmarks-md', '--soak'];

/** The options from the command line, or the message for an unknown one. */
export function parseOptions(args: string[]): Options | { error: string } {
  const given = new Set(args);
  for (const a of given) if (!KNOWN_OPTIONS.includes(a)) return { error: `unknown option ${a}; use ${KNOWN_OPTIONS.join(', ')}` };
  return { quick: given.has('--quick'), build: !given.has('--no-build'), updateBenchmarksMd: given.has('--update-benchmarks-md'), soak: given.has('--soak') };
}

export interface Settings {
  /** How long each ack-latency phase sends for, and the warm-up before them. */
  loadPhaseMs: number;
  warmupMs: number;
  /** Requests per second of the ack-latency phases. */
  rates: number[];
  /** Numbers of open cases the sync-cost phases track. */
  sizes: number[];
  /** Replies timed one by one in the reply-latency phase. */
  replySamples: number;
  /** Numbers of tracked cases at which reply latency is measured with push (SQS events). */
  pushSizes: number[];
  /** With push, how long the bot is watched while nothing happens (after its start-up full poll). */
  pushQuietMs: number;
  /** Sync cycles observed before and after the one that finds new replies. */
  cyclesBefore: number;
  cyclesAfter: number;
  /** The watchdog ends the run (and every child) after this long. */
  hardLimitMs: number;
}

export function settingsFor(quick: boolean, soak = false): Settings {
  // --soak: the ack phases three times (twice more for the bot alone) and up to 60 s of waiting for memory after each round.
  if (soak) return { ...settingsFor(quick), hardLimitMs: quick ? 240_000 : 600_000 };
  return quick
    ? { loadPhaseMs: 1000, warmupMs: 400, rates: [50, 200], sizes: [10, 100], replySamples: 10, pushSizes: [100], pushQuietMs: 2000, cyclesBefore: 1, cyclesAfter: 1, hardLimitMs: 90_000 }
    : { loadPhaseMs: 3000, warmupMs: 1500, rates: [50, 200], sizes: [10, 100, 1000, 10_000], replySamples: 30, pushSizes: [100, 10_000], pushQuietMs: 5000, cyclesBefore: 2, cyclesAfter: 2, hardLimitMs: 420_000 };
}

/** N at which reply latency is measured with replies arriving at random times. */
export const REPLY_LATENCY_N = 100;
export const POLL_INTERVAL_S = 1;
/** With push: POLL_FALLBACK_SECONDS (the full poll while the queue works; the bot's default). */
export const PUSH_FALLBACK_S = 600;
export const SUPPORT_CALLS_PER_SECOND = 5;
/** Cases per DescribeCases call. */
export const BATCH = 100;

export const BOT_TOKEN = 'xoxb-111-222-benchbottokenvalue';
export const SIGNING_SECRET = 'benchsigningsecret0123456789abcdef';
export const USER = 'U0BENCH';
export const LOAD_CHANNEL = 'CBENCHLOAD';
export const CUSTOMER = 'ses-bot (Role) <ops@example.com>';
export const SUPPORT_OPS = new Set(['DescribeServices', 'CreateCase', 'DescribeCases', 'DescribeCommunications', 'AddCommunicationToCase', 'ResolveCase']);

export const KINDS = ['slash command', 'view submission', 'block action', 'message event'] as const;
export type Kind = (typeof KINDS)[number];
