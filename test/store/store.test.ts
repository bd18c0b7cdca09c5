/**
 * The store's contract, run against both back-ends: SQLite (a file) and PostgreSQL (a fresh
 * database on the test server). What callers rely on: exactly-once keys, atomic claims,
 * leases that expire, an outbox in order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { InvalidPayloadError } from '../../src/domain/request.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { CaseSyncConflict, type NewRequest, type Store } from '../../src/store/store.js';
import { createTestDatabase } from '../helpers/postgres.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let seq = 0;
function newRequest(overrides: Partial<NewRequest> = {}): NewRequest {
  seq += 1;
  const id = `r${Date.now().toString(36)}${seq}`;
  return {
    id,
    submissionKey: `view:${id}`,
    reference: `SESBOT-${id}`,
    teamId: 'T111',
    channelId: 'C0SESOPS',
    requesterId: 'U0REQUEST',
    payload: {
      kind: 'quota',
      mailType: 'transactional',
      websiteUrl: 'https://shop.example.com',
      compliesWithAup: true,
      onlyRequestedRecipients: true,
      handlesBouncesAndComplaints: false,
      rows: [{ region: 'us-east-1', limit: 'send_quota', newValue: 200000 }],
      useCase: 'Order confirmations.',
      language: 'en',
    },
    responseUrl: null,
    ...overrides,
  };
}

const backends: [string, () => Promise<{ url: string; cleanup: () => Promise<void> }>][] = [
  [
    'SQLite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ses-bot-store-'));
      return { url: `file:${join(dir, 'store.sqlite')}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const db = await createTestDatabase();
      return { url: db.url, cleanup: db.drop };
    },
  ],
];

describe.each(backends)('the store on %s', (name, make) => {
  let store: Store;
  let url: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ url, cleanup } = await make());
    store = await openStore(url);
  });
  afterAll(async () => {
    await store.close();
    await cleanup();
  });

  it('says whether other processes may share it', () => {
    expect(store.exclusive).toBe(name === 'SQLite');
  });

  it('answers ping, and opening it again applies no migration twice', async () => {
    expect(await store.ping()).toBe(true);
    if (name === 'SQLite') {
      // One process, one connection: while the store is open, the file is locked.
      await expect(openStore(url)).rejects.toThrow(/is in use by another bot process/);
      await store.close();
      store = await openStore(url);
      expect(await store.ping()).toBe(true);
      return;
    }
    const again = await openStore(url);
    expect(await again.ping()).toBe(true);
    await again.close();
  });

  it('counts for the metrics what the sync still follows: a resolved case no more, an open followed case of it still', async () => {
    const before = await store.metricsCounts('periodic-work');
    const { request } = await store.insertRequest(newRequest());
    await store.updateRequest(request.id, { status: 'filed', caseId: `case-counted-${name}`, resolvedAt: new Date().toISOString() });
    expect((await store.metricsCounts('periodic-work')).openCases).toBe(before.openCases);
    await store.addFollowedCase(request.id, `case-followed-${name}`);
    const after = await store.metricsCounts('periodic-work');
    expect(after.openCases).toBe(before.openCases + 1);
    // PostgreSQL answers counts as text: they come out as numbers.
    const filed = (c: typeof after) => c.requests.find((r) => r.kind === 'quota' && r.status === 'filed')?.count ?? 0;
    expect(filed(after)).toBe(filed(before) + 1);
  });

  it('stores a request once per submission key and returns the stored one on a repeat', async () => {
    const first = newRequest();
    const a = await store.insertRequest(first);
    const b = await store.insertRequest({ ...newRequest(), submissionKey: first.submissionKey });
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.request.id).toBe(first.id);
    expect(b.request.payload).toEqual(first.payload);
    expect(b.request.status).toBe('received');
  });

  it('checks payloads at its boundary: nothing malformed goes in, and a row spoiled outside the bot is refused by name', async () => {
    const bad = newRequest();
    await expect(store.insertRequest({ ...bad, payload: { ...bad.payload, rows: [] } as never })).rejects.toThrow(InvalidPayloadError);
    const { request } = await store.insertRequest(newRequest());
    expect(request.kind).toBe('quota');
    await (store as KyselyStore).db.updateTable('requests').set({ payload: JSON.stringify({ kind: 'quota', rows: 'none' }) }).where('id', '=', request.id).execute();
    await expect(store.getRequest(request.id)).rejects.toThrow(/payload is not valid/);
  });

  it('lets exactly one of many simultaneous callers claim a request', async () => {
    const { request } = await store.insertRequest(newRequest());
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.claimFiling(request.id, ['received'], `owner-${i}`, 60_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const claimed = await store.getRequest(request.id);
    expect(claimed!.attempts).toBe(1);
    expect(claimed!.status).toBe('filing');
  });

  it('hands a "filing" request to another owner only after its lease expires, on the database clock', async () => {
    const { request } = await store.insertRequest(newRequest());
    await store.claimFiling(request.id, ['received'], 'first', 300);
    expect(await store.claimStaleFiling(request.id, 'second', 60_000)).toBeUndefined();
    expect((await store.listStaleFilings()).map((r) => r.id)).not.toContain(request.id);
    expect(await store.renewFiling(request.id, 'first', 300)).toBe(true);
    expect(await store.renewFiling(request.id, 'second', 300)).toBe(false);
    await sleep(400);
    // An expired lease can no longer be renewed by its owner: it must not go on to call AWS.
    expect(await store.renewFiling(request.id, 'first', 300, true)).toBe(false);
    expect((await store.listStaleFilings()).map((r) => r.id)).toContain(request.id);
    const takers = await Promise.all(['a', 'b', 'c'].map((o) => store.claimStaleFiling(request.id, o, 60_000)));
    expect(takers.filter(Boolean)).toHaveLength(1);
    const taker = ['a', 'b', 'c'][takers.findIndex(Boolean)]!;
    // The first owner's late outcome cannot overwrite the new owner's row.
    expect(await store.finishFiling(request.id, 'first', 'failed', { errorCode: 'late' })).toBeUndefined();
    expect(await store.renewFiling(request.id, taker, 60_000, true)).toBe(true);
    const attempted = (await store.getRequest(request.id))!.attemptedAt!;
    expect(Math.abs(Date.parse(attempted) - (await store.now()).getTime())).toBeLessThan(5_000);
    const filed = await store.finishFiling(request.id, taker, 'filed', { caseId: `case-${request.id}-x` });
    expect(filed!.status).toBe('filed');
  });

  it('gives a named lease to one owner until it expires, renewable by its owner', async () => {
    const lease = `sync-${name}`;
    const [a, b] = await Promise.all([store.acquireLease(lease, 'replica-a', 300), store.acquireLease(lease, 'replica-b', 300)]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    const holder = a ? 'replica-a' : 'replica-b';
    const other = a ? 'replica-b' : 'replica-a';
    expect(await store.acquireLease(lease, holder, 300)).toBe(true);
    expect(await store.acquireLease(lease, other, 300)).toBe(false);
    await sleep(400);
    expect(await store.acquireLease(lease, other, 60_000)).toBe(true);
    await store.releaseLease(lease, other);
    expect(await store.acquireLease(lease, holder, 60_000)).toBe(true);
  });

  it('records a status change only over the count it was computed from: of two syncs from one reading, the later records nothing', async () => {
    const { request } = await store.insertRequest(newRequest());
    await store.claimFiling(request.id, ['received'], 'o', 60_000);
    await store.finishFiling(request.id, 'o', 'filed', { caseId: `case-${request.id}`, rootTs: '1700000009.000100' });
    const post = (key: string) => ({ contentKey: key, requestId: request.id, channelId: 'C0RACE', threadTs: '1700000009.000100', message: { text: key } });
    // The pushed event's sync and the poll both read change 0; the event's answer is recorded first.
    await store.recordCaseSync({ requestId: request.id, patch: { caseStatus: 'resolved', statusChanges: 1 }, seen: [], posts: [post(`resolved-${name}`)] });
    const late = store.recordCaseSync({ requestId: request.id, patch: { caseStatus: 'pending-customer-action', statusChanges: 1 }, seen: [{ contentKey: `late-${name}`, timeCreated: '2026-11-22T10:00:00.000Z' }], posts: [post(`pending-${name}`)] });
    await expect(late).rejects.toBeInstanceOf(CaseSyncConflict);
    const after = await store.getRequest(request.id);
    expect([after!.caseStatus, after!.statusChanges]).toEqual(['resolved', 1]);
    // Nothing of the refused one: neither its post nor what it had seen.
    expect(await store.seenKeys(request.id, [`late-${name}`])).toEqual(new Set());
    const first = await store.claimNextPost('C0RACE', 'poster', 60_000);
    expect(first?.contentKey).toBe(`resolved-${name}`);
    expect(await store.markPosted(first!.contentKey, 'poster', '1700000000.000200')).toBe(true);
    expect(await store.claimNextPost('C0RACE', 'poster', 60_000)).toBeUndefined();
  });

  it('records a case sync in one step: position, communications seen, posts, each once', async () => {
    const { request } = await store.insertRequest(newRequest());
    await store.claimFiling(request.id, ['received'], 'o', 60_000);
    await store.finishFiling(request.id, 'o', 'filed', { caseId: `case-${request.id}`, rootTs: '1700000000.000100' });
    const post = (key: string) => ({ contentKey: key, requestId: request.id, channelId: 'C0STORE', threadTs: '1700000000.000100', message: { text: key } });
    const result = { requestId: request.id, patch: { commWatermark: '2026-11-22T10:00:00.000Z', caseStatus: 'work-in-progress' }, seen: [{ contentKey: `k1-${name}`, timeCreated: '2026-11-22T10:00:00.000Z' }], posts: [post(`p1-${name}`), post(`p2-${name}`)] };
    await store.recordCaseSync(result);
    await store.recordCaseSync(result);
    const after = await store.getRequest(request.id);
    expect(after!.commWatermark).toBe('2026-11-22T10:00:00.000Z');
    expect(after!.caseStatus).toBe('work-in-progress');
    expect(await store.seenKeys(request.id, [`k1-${name}`, 'unknown'])).toEqual(new Set([`k1-${name}`]));
    expect(await store.listTrackedCases(new Date(0).toISOString())).toContainEqual({ caseId: `case-${request.id}`, accountName: 'default', accountId: null });
    expect((await store.getRequestsByCaseIds([`case-${request.id}`])).map((r) => r.id)).toEqual([request.id]);
    expect(await store.findRequestByThread('C0SESOPS', '1700000000.000100').then((r) => r?.id)).toBe(request.id);

    // The outbox gives posts out in order, each to one claimant at a time.
    const claim = (owner = 'poster-a', ms = 60_000) => store.claimNextPost('C0STORE', owner, ms);
    const [c1, c2] = await Promise.all([claim(), claim('poster-b')]);
    expect([c1, c2].filter(Boolean).map((p) => p!.contentKey)).toEqual([`p1-${name}`]);
    const holder = c1 ? 'poster-a' : 'poster-b';
    expect(await store.markPosted(`p1-${name}`, 'not-the-holder', '1')).toBe(false);
    expect(await store.markPosted(`p1-${name}`, holder, '1700000000.000200')).toBe(true);
    const next = await claim('poster-a', 300);
    expect(next!.contentKey).toBe(`p2-${name}`);
    expect(await store.channelsWithPendingPosts()).toContain('C0STORE');
    // A failed send waits out its backoff, then is tried again; one claimed by a dead process is taken over after expiry.
    expect(await store.deferPost(next!.contentKey, 'poster-a', 300, 'internal_error', true)).toBe(true);
    expect(await claim()).toBeUndefined();
    expect(await store.nextPostDueIn('C0STORE')).toBeGreaterThan(0);
    await sleep(400);
    expect((await claim('poster-a', 300))!.contentKey).toBe(`p2-${name}`);
    expect(await claim('poster-b')).toBeUndefined();
    await sleep(400);
    const taken = await claim('poster-b');
    expect(taken!.contentKey).toBe(`p2-${name}`);
    expect(taken!.attempts).toBe(1);
    // A dead post leaves the line; it is reported by the one that moved it.
    expect(await store.deadLetterPost(taken!.contentKey, 'poster-a', 'x')).toBe(false);
    expect(await store.deadLetterPost(taken!.contentKey, 'poster-b', 'message_not_found')).toBe(true);
    expect(await claim()).toBeUndefined();
    expect(await store.channelsWithPendingPosts()).not.toContain('C0STORE');
  });

  it('holds up only its own thread behind a post that waits, and orders posts of different writers by the database clock', async () => {
    const { request } = await store.insertRequest(newRequest());
    const post = (key: string, thread: string) => ({ contentKey: `${key}-${name}`, requestId: request.id, channelId: 'C0THREADS', threadTs: thread, message: { text: key } });
    await store.enqueuePosts([post('a1', '1.1'), post('b1', '2.2'), post('a2', '1.1')]);
    const first = await store.claimNextPost('C0THREADS', 'p', 60_000);
    expect(first!.contentKey).toBe(`a1-${name}`);
    await store.deferPost(first!.contentKey, 'p', 60_000, 'internal_error', true);
    // Thread 1.1 waits for a1; thread 2.2 goes on.
    const second = await store.claimNextPost('C0THREADS', 'p', 60_000);
    expect(second!.contentKey).toBe(`b1-${name}`);
    await store.markPosted(second!.contentKey, 'p', '3');
    expect(await store.claimNextPost('C0THREADS', 'p', 60_000)).toBeUndefined();
  });

  it('keeps one outgoing communication per key, claimed by one owner at a time', async () => {
    const { request } = await store.insertRequest(newRequest());
    const row = { id: `confirm:${request.id}`, requestId: request.id, kind: 'confirmation' as const, authorId: 'U0REQUEST', body: 'We confirm.' };
    const inserts = await Promise.all([store.insertOutgoing(row, 'a', 300), store.insertOutgoing({ ...row, authorId: 'U0OTHER' }, 'b', 300)]);
    expect(inserts.filter((i) => i.created)).toHaveLength(1);
    expect(inserts.every((i) => i.row.state === 'sending')).toBe(true);
    const owner = inserts[0]!.created ? 'a' : 'b';
    // Reconcilers racing over a "sending" one: none may take it while its claim is live, one after.
    expect(await Promise.all(['r1', 'r2'].map((o) => store.claimOutgoing(row.id, ['sending'], o, 60_000)))).toEqual([undefined, undefined]);
    expect(await store.renewOutgoing(row.id, owner, 300, true)).toBe(true);
    await sleep(400);
    expect(await store.renewOutgoing(row.id, owner, 300, true)).toBe(false);
    const takers = await Promise.all(['r1', 'r2', 'r3'].map((o) => store.claimOutgoing(row.id, ['sending'], o, 60_000)));
    expect(takers.filter(Boolean)).toHaveLength(1);
    expect(takers.find(Boolean)!.attemptedAt).not.toBeNull();
    const taker = ['r1', 'r2', 'r3'][takers.findIndex(Boolean)]!;
    expect(await store.finishOutgoing(row.id, owner, 'failed', 'late')).toBeUndefined();
    expect((await store.finishOutgoing(row.id, taker, 'sent'))!.state).toBe('sent');
    expect((await store.listOutgoing(request.id))).toHaveLength(1);
  });

  it('forgets what only a followed case needs once the case is past its watch', async () => {
    const { request } = await store.insertRequest(newRequest());
    await store.claimFiling(request.id, ['received'], 'o', 60_000);
    await store.finishFiling(request.id, 'o', 'filed', { caseId: `case-prune-${request.id}`, rootTs: '1700000009.000100', resolvedAt: '2026-01-01T00:00:00.000Z' });
    await store.recordCaseSync({ requestId: request.id, patch: {}, seen: [{ contentKey: `seen-prune-${request.id}`, timeCreated: '2026-01-01T00:00:00.000Z' }], posts: [] });
    expect(await store.pruneFinishedCases(new Date('2025-12-01T00:00:00.000Z'))).toBe(0);
    expect(await store.pruneFinishedCases(new Date('2026-02-01T00:00:00.000Z'))).toBeGreaterThanOrEqual(1);
    expect(await store.seenKeys(request.id, [`seen-prune-${request.id}`])).toEqual(new Set());
  });

  it('keeps form snapshots by view, merging keys', async () => {
    await store.mergeFormSnapshot(`V-${name}`, { 'inventory:eu-west-1': { state: 'loading' } });
    const merged = await store.mergeFormSnapshot(`V-${name}`, { 'inventory:us-east-1': { state: 'ok' } });
    expect(Object.keys(merged).sort()).toEqual(['inventory:eu-west-1', 'inventory:us-east-1']);
    expect(await store.getFormSnapshot(`V-${name}`)).toEqual(merged);
    expect(await store.getFormSnapshot('V-none')).toBeUndefined();
    expect(await store.pruneFormSnapshots(new Date(Date.now() - 60_000))).toBe(0);
    expect(await store.pruneFormSnapshots(new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(1);
    expect(await store.getFormSnapshot(`V-${name}`)).toBeUndefined();
  });
});
