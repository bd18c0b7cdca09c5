/** Child processes of the bench: started, watched, measured and always stopped. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** Wall-clock milliseconds with sub-ms resolution; the fakes process uses the same expression. */
export const clock = (): number => performance.timeOrigin + performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** Complete stdout lines so far (bounded). */
  lines: string[];
  /** The last few KB of stderr, for error messages. */
  stderrTail(): string;
  exited: Promise<number | null>;
  /** Resolves with the first stdout line matching `test`. */
  waitForLine(test: (line: string) => boolean, timeoutMs: number): Promise<string>;
}

const children = new Set<Child>();
const MAX_LINES = 5000;

export function startChild(name: string, command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string }): Child {
  const proc = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  if (proc.pid === undefined) throw new Error(`could not start ${name}`);
  const lines: string[] = [];
  const waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let partial = '';
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      if (lines.length < MAX_LINES) lines.push(line);
      for (const w of [...waiters]) {
        if (w.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  let stderr = '';
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const child: Child = {
    name,
    proc,
    pid: proc.pid,
    lines,
    stderrTail: () => stderr,
    exited,
    waitForLine(test, timeoutMs) {
      const seen = lines.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no expected output within ${timeoutMs} ms. stderr: ${stderr.slice(-1500)}`)), timeoutMs);
        waiters.push({ test, resolve: (line) => (clearTimeout(timer), resolve(line)) });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (code ${code}) before the expected output. stderr: ${stderr.slice(-1500)}`));
        });
      });
    },
  };
  children.add(child);
  void exited.then(() => children.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL if the child is still there after `graceMs`. */
export async function stopChild(child: Child, graceMs = 5000): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** Kills every child still running (synchronously: also usable from an 'exit' handler). */
export function killAllChildren(): void {
  for (const child of children) {
    try {
      child.proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
function getStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Polls `url` every `everyMs` until it answers 200; returns the clock() of that answer. */
export async function waitHealthy(url: string, child: Child, timeoutMs: number, everyMs = 5): Promise<number> {
  const deadline = clock() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  for (let i = 0; clock() < deadline && i < 1_000_000; i++) {
    if (exited) throw new Error(`${child.name} exited during start-up: ${child.stderrTail().slice(-2000)}`);
    if ((await getStatus(url, 1000)) === 200) return clock();
    await sleep(everyMs);
  }
  throw new Error(`${child.name} did not answer 200 on ${url} within ${timeoutMs} ms: ${child.stderrTail().slice(-2000)}`);
}

export interface Memory {
  rssMb: number;
  hwmMb: number;
}

/** VmRSS and VmHWM of a process, from /proc/<pid>/status. */
export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** CPU time (user + system, ms) a process has used so far, from /proc/<pid>/stat. */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS;
}

/** USER_HZ: 100 on every Linux the bench is likely to meet. */
const CLOCK_TICKS = 100;

/** CPU time (ms, all CPUs together) the whole machine has been busy so far, from /proc/stat. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, ...values] = line.trim().split(/\s+/);
  const v = values.map(Number);
  // user nice system idle iowait irq softirq steal: busy = everything but idle and iowait.
  const busy = (v[0] ?? 0) + (v[1] ?? 0) + (v[2] ?? 0) + (v[5] ?? 0) + (v[6] ?? 0) + (v[7] ?? 0);
  return (busy * 1000) / CLOCK_TICKS;
}

/**
 * Waits (at most `maxMs`) until `pids` use under 5% of a core over 250 ms; returns the seconds
 * until that quiet window began (0: quiet at once), or NaN if they never went quiet.
 */
export async function settle(pids: number[], maxMs: number): Promise<number> {
  const t0 = clock();
  for (let i = 0; i < 400 && clock() - t0 < maxMs; i++) {
    const before = pids.map(cpuMsOf);
    const w0 = clock();
    await sleep(250);
    const busy = pids.map((pid, k) => (cpuMsOf(pid) - before[k]!) / (clock() - w0));
    if (busy.every((b) => b < 0.05)) return (w0 - t0) / 1000;
  }
  return Number.NaN;
}
