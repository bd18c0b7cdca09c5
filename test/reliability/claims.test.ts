/**
 * Claims with owners: work that outlives its lease is taken over by another claimant, and the
 * first one can then neither make the irreversible call nor overwrite what the new owner did.
 * Run on both back-ends. Time is moved by setting the lease's expiry on the database itself
 * (the clock every claim is measured on), not by sleeping two minutes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { confirmationReferenceLine } from '../../src/domain/case-text.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { CHANNEL, fileRelinquishment, openQuotaModal, startHarness, submitQuota, syncNow, textOf, validQuotaInputs, type Harness } from '../helpers/harness.js';
import { createTestDatabase } from '../helpers/postgres.js';

const backends: [string, () => Promise<{ env: Record<string, string>; drop: () => Promise<void> }>][] = [
  ['SQLite', async () => ({ env: {}, drop: async () => undefined })],
  [
    'PostgreSQL',
    async () => {
      const db = await createTestDatabase();
      return { env: { DATABASE_URL: db.url }, drop: db.drop };
    },
  ],
];

describe.each(backends)('claims on %s', (_name, makeDb) => {
  let h: Harness;
  let drop: () => Promise<void>;

  beforeEach(async () => {
    const db = await makeDb();
    drop = db.drop;
    h = await startHarness({ AWS_REGION: 'eu-west-1', ...db.env });
    h.aws.setAccount('eu-west-1', { SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 0 }, ProductionAccessEnabled: true });
    h.aws.setDedicatedIps('eu-west-1', [
      { name: 'marketing', scalingMode: 'STANDARD', ips: [{ ip: '198.51.100.2', warmupStatus: 'DONE', warmupPercentage: 100 }, { ip: '198.51.100.3', warmupStatus: 'DONE', warmupPercentage: 100 }] },
    ]);
  });

  afterEach(async () => {
    await h.close();
    await drop();
  });

  const db = () => (h.bot.store as KyselyStore).db;
  /** Every request in "filing" now has an expired lease, as if two minutes had gone by. */
  const expireFilingLeases = () => db().updateTable('requests').set({ lease_until: '2000-01-01T00:00:00.000Z' }).where('status', '=', 'filing').execute();

  async function submit() {
    const { view } = await openQuotaModal(h);
    const res = await submitQuota(h, view, { ...validQuotaInputs(), 'row:0:region': 'eu-west-1' });
    expect(res.json.response_action).toBe('update');
  }

  it('files one case when the thread root post outlasts the filing lease and another claimant takes over', async () => {
    h.slack.inject('chat.postMessage', { delayMs: 1500 });
    await submit();
    await h.slack.waitFor(() => h.slack.callsTo('chat.postMessage').length === 1 || undefined, 5000, 'the slow root post');
    await expireFilingLeases();
    // The next cycle's recovery takes the request over and files it, while the first post is still in flight.
    await h.bot.scheduler.runOnce();
    await h.bot.filing.idle();
    await new Promise((r) => setTimeout(r, 1800));
    await h.bot.filing.idle();

    expect(h.aws.callsTo('CreateCase')).toHaveLength(1);
    const request = (await h.bot.store.listRequestsByStatus(['filed']))[0]!;
    expect(request.caseId).toBe(h.aws.latestCase()!.caseId);
    // The late first root was removed: one root for the request, showing the case.
    const roots = h.slack.rootMessages(CHANNEL);
    expect(roots).toHaveLength(1);
    expect(roots[0]!.ts).toBe(request.rootTs);
    expect(textOf(roots[0]!.blocks)).toContain('AWS status');
    expect(h.logs.some((l) => l.includes('lost the claim while posting the thread root'))).toBe(true);
  });

  it('files one case when the category lookup outlasts the filing lease and another claimant takes over', async () => {
    h.aws.inject('DescribeServices', { delayMs: 1500 });
    await submit();
    await h.aws.waitFor(() => h.aws.callsTo('DescribeServices').length === 1 || undefined, 5000, 'the slow category lookup');
    await expireFilingLeases();
    await h.bot.scheduler.runOnce();
    await h.bot.filing.idle();

    expect(h.aws.callsTo('CreateCase')).toHaveLength(1);
    expect(h.aws.cases.size).toBe(1);
    const [request] = await h.bot.store.listRequestsByStatus(['filed']);
    expect(request!.caseId).toBe(h.aws.latestCase()!.caseId);
    expect(await h.bot.store.listRequestsByStatus(['filing', 'failed', 'uncertain'])).toHaveLength(0);
    expect(h.logs.some((l) => l.includes('expired or was taken over before CreateCase'))).toBe(true);
  });

  it('sends a confirmation left "sending" by a dead process once, however many reconcilers race for it', async () => {
    const filed = await fileRelinquishment(h, ['198.51.100.2']);
    // A process died after storing the confirmation, before sending it; its claim has expired.
    const body = `We confirm the relinquishment.\n${confirmationReferenceLine(filed.request.reference)}`;
    await h.bot.store.insertOutgoing({ id: `confirm:${filed.request.id}`, requestId: filed.request.id, kind: 'confirmation', authorId: 'U0REQUEST', body }, 'dead-process', 1);
    await new Promise((r) => setTimeout(r, 50));
    h.aws.inject('AddCommunicationToCase', { delayMs: 500 });
    // Two reconcilers at once (in production: the sync leader and a replica starting up).
    await Promise.all([h.bot.scheduler.runOnce(), h.bot.scheduler.runOnce(), h.bot.scheduler.runOnce()]);
    await h.bot.poster.idle();
    await syncNow(h);

    expect(h.aws.callsTo('AddCommunicationToCase')).toHaveLength(1);
    const onCase = h.aws.cases.get(filed.awsCase.caseId)!.communications.filter((m) => m.body.includes('We confirm the relinquishment.'));
    expect(onCase).toHaveLength(1);
    const [row] = await h.bot.store.listOutgoing(filed.request.id);
    expect(row!.state).toBe('sent');
  });
});
