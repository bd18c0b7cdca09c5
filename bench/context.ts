/** What every part of a bench run shares: its options and settings, its scratch directory, its clock and log. */
import type { Options, Settings } from './settings.js';

export interface RunContext {
  options: Options;
  settings: Settings;
  /** Extra node options for the bot processes only, for profiling (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) or heap experiments. */
  botNodeArgs: string[];
  /** The run's scratch directory (databases, the bots' working directories); removed on exit. */
  work: string;
  /** Children get only what they need: no inherited proxies, AWS profiles or Slack tokens. */
  baseEnv: NodeJS.ProcessEnv;
  log(msg: string): void;
  /** Milliseconds until the run must wrap up (a little before the watchdog fires). */
  timeLeft(): number;
}

/** A case the sync phases follow: the bot's request and AWS's case. */
export interface Tracked {
  requestId: string;
  caseId: string;
}
