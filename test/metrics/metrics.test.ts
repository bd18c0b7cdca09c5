/**
 * The metrics on their own: the sync lag on a clock the test moves (the 10-minute alert), the
 * Slack fetch's outcomes (429, Slack's error codes, no answer), AWS error codes kept bounded, and
 * the periodic-work lease passing from one replica to another (takeover counted, held gauge).
 */
import { describe, expect, it } from 'vitest';
import { AwsError } from '../../src/aws/errors.js';
import { awsErrorCode } from '../../src/metrics/aws.js';
import { bounded, Metrics, type StoreCounts } from '../../src/metrics/metrics.js';
import { instrumentedSlackFetch, slackBodyOutcome, type SlackFetch } from '../../src/metrics/slack.js';
import { Scheduler } from '../../src/services/scheduler.js';
import type { Store } from '../../src/store/store.js';
import { createLogger } from '../../src/logger.js';
import { scrapeText } from '../helpers/metrics.js';

const counts = (openCases: number): StoreCounts => ({ requests: [], posts: [], openCases, quotaRows: [], periodicLeaseLive: true });

async function read(metrics: Metrics) {
  return scrapeText((await metrics.exposition()).body);
}

describe('case sync lag', () => {
  it('grows while cycles fail, crosses 10 minutes as the alert expects, and drops once a cycle goes through', async () => {
    let now = 0;
    const metrics = new Metrics({ defaultMetrics: false, now: () => now });
    let open = 3;
    metrics.readStoreWith(async () => counts(open));
    // A replica that does not run the sync says 0: max() over the replicas is the leader's lag.
    metrics.caseSyncCycle().end(3, false);
    now = 60_000;
    expect((await read(metrics)).value('ses_bot_case_sync_lag_seconds')).toBe(0);

    // It takes the lease over: its lag clock starts then.
    now = 0;
    metrics.leaseHeld('periodic_work', true);
    metrics.caseSyncCycle().end(3, true);
    now = 60_000;
    expect((await read(metrics)).value('ses_bot_case_sync_lag_seconds')).toBe(60);

    // Every cycle from now on fails: the lag counts from the start of the last good one.
    for (let minute = 2; minute <= 11; minute++) {
      now = minute * 60_000;
      metrics.caseSyncCycle().end(3, false);
    }
    now = 11 * 60_000 + 1_000;
    const late = await read(metrics);
    expect(late.value('ses_bot_case_sync_lag_seconds')).toBeGreaterThan(600);
    expect(late.value('ses_bot_case_sync_cycles_total', { outcome: 'failed' })).toBe(11);

    const cycle = metrics.caseSyncCycle();
    now += 2_000;
    cycle.end(3, true);
    expect((await read(metrics)).value('ses_bot_case_sync_lag_seconds')).toBe(2);

    // Nothing to follow: no lag, however long ago the last cycle was.
    open = 0;
    now += 3_600_000;
    expect((await read(metrics)).value('ses_bot_case_sync_lag_seconds')).toBe(0);
  });

  it('starts the lag clock when the replica takes the lease, so a sync that never goes through still alerts', async () => {
    let now = 1_000;
    const metrics = new Metrics({ defaultMetrics: false, now: () => now });
    metrics.readStoreWith(async () => counts(1));
    metrics.leaseHeld('periodic_work', true);
    now += 100_000;
    metrics.caseSyncCycle().end(1, false);
    now += 600_000;
    expect((await read(metrics)).value('ses_bot_case_sync_lag_seconds')).toBe(700);
    // It loses the lease: another replica speaks for the sync now.
    metrics.leaseHeld('periodic_work', false);
    expect((await read(metrics)).value('ses_bot_case_sync_lag_seconds')).toBe(0);
  });

  it('leaves the store gauges out of a scrape when the database does not answer, and still serves the rest', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.readStoreWith(async () => {
      throw new Error('database down');
    });
    const m = await read(metrics);
    expect(m.has('ses_bot_requests')).toBe(false);
    expect(m.has('ses_bot_outbox_sends_total', { outcome: 'dead_lettered' })).toBe(true);
  });
});

describe('Slack calls', () => {
  const answer = (status: number, body: string, headers: Record<string, string> = {}) => async () => new Response(body, { status, headers }) as unknown as Awaited<ReturnType<SlackFetch>>;

  it('counts ok, a 429, Slack\'s known error codes, unknown ones as "error", non-200s and no answer', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const call = async (base: SlackFetch, method: string) => {
      const res = await instrumentedSlackFetch(metrics, base)(`http://slack.test/api/${method}`);
      if (res.status === 200) await res.text();
    };
    await call(answer(200, '{"ok":true,"ts":"1.2"}'), 'chat.postMessage');
    await call(answer(429, '{"ok":false,"error":"ratelimited"}', { 'retry-after': '3' }), 'chat.postMessage');
    await call(answer(200, '{"ok":false,"error":"not_in_channel"}'), 'chat.postMessage');
    await call(answer(200, '{"ok":false,"error":"some_new_code"}'), 'chat.update');
    await call(answer(503, 'unavailable'), 'views.open');
    await call(answer(200, '{"ok":true}'), 'files.secretMethod');
    await expect(call(async () => Promise.reject(Object.assign(new Error('t'), { name: 'TimeoutError' })), 'views.update')).rejects.toThrow();
    await expect(call(async () => Promise.reject(new TypeError('fetch failed')), 'views.update')).rejects.toThrow();

    const m = await read(metrics);
    expect(m.value('ses_bot_slack_api_calls_total', { method: 'chat.postMessage', outcome: 'ok' })).toBe(1);
    expect(m.value('ses_bot_slack_api_calls_total', { method: 'chat.postMessage', outcome: 'ratelimited' })).toBe(1);
    expect(m.value('ses_bot_slack_api_calls_total', { method: 'chat.postMessage', outcome: 'not_in_channel' })).toBe(1);
    expect(m.value('ses_bot_slack_api_calls_total', { method: 'chat.update', outcome: 'error' })).toBe(1);
    expect(m.value('ses_bot_slack_api_calls_total', { method: 'views.open', outcome: 'http_error' })).toBe(1);
    expect(m.value('ses_bot_slack_api_calls_total', { method: 'other', outcome: 'ok' })).toBe(1);
    expect(m.value('ses_bot_slack_api_calls_total', { method: 'views.update', outcome: 'timeout' })).toBe(1);
    expect(m.value('ses_bot_slack_api_calls_total', { method: 'views.update', outcome: 'network_error' })).toBe(1);
  });

  it('reads the outcome from the head of the body only', () => {
    expect(slackBodyOutcome('{"ok": true, "channel": "C1"}')).toBe('ok');
    expect(slackBodyOutcome('{"ok":false,"error":"invalid_auth"}')).toBe('invalid_auth');
    expect(slackBodyOutcome('{"ok":false,"error":"x\\"}\\n{evil"}')).toBe('error');
    expect(slackBodyOutcome('not json')).toBe('error');
  });
});

describe('AWS error codes', () => {
  it('keeps the bot\'s own refusals by their AWS name, and calls a dropped connection NetworkingError', () => {
    expect(awsErrorCode(new AwsError('account_unavailable', 'sts:AssumeRole', 'x', false, 'AccountUnavailable'))).toBe('AccountUnavailable');
    expect(awsErrorCode(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe('NetworkingError');
    expect(awsErrorCode(Object.assign(new Error('no plan'), { name: 'SubscriptionRequiredException' }))).toBe('SubscriptionRequiredException');
  });

  it('turns an unknown code into "other" and an unknown operation or service into "other"', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.awsCall('SupportClient', 'CreateCaseCommand', 'Evil"}\nException', 0.1);
    metrics.awsCall('MysteryClient', 'DoThingsCommand', undefined, 0.1);
    const m = await read(metrics);
    expect(m.value('ses_bot_aws_calls_total', { service: 'support', operation: 'CreateCase', outcome: 'other' })).toBe(1);
    expect(m.value('ses_bot_aws_calls_total', { service: 'other', operation: 'other', outcome: 'ok' })).toBe(1);
    expect(bounded('x', new Set(['y']))).toBe('other');
  });
});

describe('the periodic-work lease between two replicas', () => {
  it('counts a takeover when the other replica lets it go, and shows which replica holds it', async () => {
    // The lease table, on one clock, as acquireLease/releaseLease use it.
    const leases = new Map<string, string>();
    const store = {
      exclusive: false,
      async acquireLease(name: string, owner: string) {
        const holder = leases.get(name);
        if (holder && holder !== owner) return false;
        leases.set(name, owner);
        return true;
      },
      async releaseLease(name: string, owner: string) {
        if (leases.get(name) === owner) leases.delete(name);
      },
    } as unknown as Store;
    const logger = createLogger({ level: 'silent' });
    const [ma, mb] = [new Metrics({ defaultMetrics: false }), new Metrics({ defaultMetrics: false })];
    const a = new Scheduler(store, 3_600_000, { atStartup: [], everyInterval: [] }, logger, ma);
    const b = new Scheduler(store, 3_600_000, { atStartup: [], everyInterval: [] }, logger, mb);
    a.start();
    await a.idle();
    b.start();
    await b.idle();
    expect((await read(ma)).value('ses_bot_lease_held', { lease: 'periodic_work' })).toBe(1);
    expect((await read(mb)).value('ses_bot_lease_held', { lease: 'periodic_work' })).toBe(0);
    expect((await read(mb)).value('ses_bot_lease_takeovers_total', { lease: 'periodic_work' })).toBe(0);

    await a.stop();
    // B's next interval, brought forward.
    await (b as unknown as { leadOnce(first: boolean): Promise<void> }).leadOnce(false);
    const after = await read(mb);
    expect(after.value('ses_bot_lease_held', { lease: 'periodic_work' })).toBe(1);
    expect(after.value('ses_bot_lease_takeovers_total', { lease: 'periodic_work' })).toBe(1);
    expect((await read(ma)).value('ses_bot_lease_held', { lease: 'periodic_work' })).toBe(0);
    await b.stop();
  });
});
