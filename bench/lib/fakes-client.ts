/**
 * The driver's side of bench/fakes-server.ts: its JSON control API (seed cases, add replies,
 * reset, the latest view, memory) and the call records of the fake Slack and fake AWS, fetched
 * as they accumulate.
 */
import type { CallRecord } from '../fakes-server.js';
import { clock, sleep } from './procs.js';

/** The first line the fakes process prints: where its control API and the two fakes listen. */
export interface FakesInfo {
  control: string;
  slackApiUrl: string;
  awsUrl: string;
}

export class FakesClient {
  /** Every call record fetched so far (since the last reset). */
  readonly records: CallRecord[] = [];
  private cursor = 0;

  constructor(
    readonly info: FakesInfo,
    /** The fakes process, for its CPU use. */
    readonly pid: number,
    private readonly timeLeft: () => number,
  ) {}

  /** The fake Slack's origin, for response_urls. */
  get slackOrigin(): string {
    return this.info.slackApiUrl.replace(/\/api\/$/, '');
  }

  async ctl<T = any>(path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.info.control}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`fakes ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  /** Fetches the fakes' new call records into `records`; returns the new ones. */
  async pullRecords(): Promise<CallRecord[]> {
    const out = await this.ctl<{ next: number; dropped: number; records: CallRecord[] }>(`/records?from=${this.cursor}`);
    if (out.dropped) throw new Error(`the fakes dropped ${out.dropped} call records`);
    this.cursor = out.next;
    this.records.push(...out.records);
    return out.records;
  }

  /** Empties the fakes (cases, replies, records) and the records fetched. */
  async reset(): Promise<void> {
    await this.ctl('/reset', {});
    this.cursor = 0;
    this.records.length = 0;
  }

  /** The first chat.postMessage carrying each reply marker. */
  postsByMarker(): Map<string, CallRecord> {
    const map = new Map<string, CallRecord>();
    for (const r of this.records) if (r.op === 'chat.postMessage' && r.marker && !map.has(r.marker)) map.set(r.marker, r);
    return map;
  }

  /** Waits (at most `timeoutMs`, and never past the run's time) until every marker has been posted. */
  async waitForPosts(markers: string[], timeoutMs: number): Promise<Map<string, CallRecord>> {
    const until = clock() + Math.min(timeoutMs, this.timeLeft());
    let posts = this.postsByMarker();
    for (let i = 0; i < 10_000 && clock() < until && markers.some((m) => !posts.has(m)); i++) {
      await sleep(100);
      await this.pullRecords();
      posts = this.postsByMarker();
    }
    return posts;
  }
}
