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
import type { NewRequest, Store } from '../../src/store/store.js';
import { createTestDatabase } from '../helpers/postgres.js';

let seq = 0;
function newRequest(overrides: Partial<NewRequest> = {}): NewRequest {
  seq += 1;
  const id = `r${Date.now().toString(36)}${seq}`;
  return {
    id,
    kind: 'quota',
    submissionKey: `view:${id}`,
    reference: `SESBOT-${id}`,
    teamId: 'T111',
    channelId: 'C0SESOPS',
    requesterId: 'U0REQUEST',
    payload: { kind: 'quota', rows: [{ region: 'us-east-1', limit: 'send_quota', newValue: 200000 }] },
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
    const again = await openStore(url);
    expect(await again.ping()).toBe(true);
    await again.close();
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

  it('lets exactly one of many simultaneous callers claim a request', async () => {
    const { request } = await store.insertRequest(newRequest());
    const results = await Promise.all(Array.from({ length: 8 }, () => store.transition(request.id, ['received'], 'filing')));
    expect(results.filter(Boolean)).toHaveLength(1);
    const claimed = await store.getRequest(request.id);
    expect(claimed!.attempts).toBe(1);
    expect(claimed!.status).toBe('filing');
  });

  it('hands a "filing" request to another process only after its lease expires', async () => {
    const { request } = await store.insertRequest(newRequest());
    const now = new Date();
    await store.transition(request.id, ['received'], 'filing', {}, new Date(now.getTime() + 60_000));
    expect(await store.claimStaleFiling(request.id, now, new Date(now.getTime() + 60_000))).toBeUndefined();
    expect((await store.listStaleFilings(now)).map((r) => r.id)).not.toContain(request.id);
    const later = new Date(now.getTime() + 61_000);
    expect((await store.listStaleFilings(later)).map((r) => r.id)).toContain(request.id);
    const takers = await Promise.all([1, 2, 3].map(() => store.claimStaleFiling(request.id, later, new Date(later.getTime() + 60_000))));
    expect(takers.filter(Boolean)).toHaveLength(1);
  });

  it('gives a named lease to one owner until it expires, renewable by its owner', async () => {
    const now = new Date();
    const until = new Date(now.getTime() + 10_000);
    const lease = `sync-${name}`;
    const [a, b] = await Promise.all([store.acquireLease(lease, 'replica-a', now, until), store.acquireLease(lease, 'replica-b', now, until)]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    const holder = a ? 'replica-a' : 'replica-b';
    const other = a ? 'replica-b' : 'replica-a';
    expect(await store.acquireLease(lease, holder, now, until)).toBe(true);
    expect(await store.acquireLease(lease, other, new Date(now.getTime() + 5_000), until)).toBe(false);
    expect(await store.acquireLease(lease, other, new Date(now.getTime() + 11_000), new Date(now.getTime() + 20_000))).toBe(true);
    await store.releaseLease(lease, other);
    expect(await store.acquireLease(lease, holder, now, until)).toBe(true);
  });

  it('records a case sync in one step: position, communications seen, posts, each once', async () => {
    const { request } = await store.insertRequest(newRequest());
    await store.transition(request.id, ['received'], 'filed', { caseId: `case-${request.id}`, rootTs: '1700000000.000100' });
    const post = (key: string) => ({ contentKey: key, requestId: request.id, channelId: 'C0STORE', threadTs: '1700000000.000100', message: { text: key } });
    const result = { requestId: request.id, patch: { commWatermark: '2026-11-22T10:00:00.000Z', caseStatus: 'work-in-progress' }, seen: [{ contentKey: `k1-${name}`, timeCreated: '2026-11-22T10:00:00.000Z' }], posts: [post(`p1-${name}`), post(`p2-${name}`)] };
    await store.recordCaseSync(result);
    await store.recordCaseSync(result);
    const after = await store.getRequest(request.id);
    expect(after!.commWatermark).toBe('2026-11-22T10:00:00.000Z');
    expect(after!.caseStatus).toBe('work-in-progress');
    expect(await store.seenKeys(request.id, [`k1-${name}`, 'unknown'])).toEqual(new Set([`k1-${name}`]));
    expect(await store.listTrackedCaseIds(new Date(0).toISOString())).toContain(`case-${request.id}`);
    expect((await store.getRequestsByCaseIds([`case-${request.id}`])).map((r) => r.id)).toEqual([request.id]);
    expect(await store.findRequestByThread('C0SESOPS', '1700000000.000100').then((r) => r?.id)).toBe(request.id);

    // The outbox gives posts out in order, each to one claimant at a time.
    const now = new Date();
    const claim = () => store.claimNextPost('C0STORE', now, new Date(now.getTime() + 60_000));
    const [c1, c2] = await Promise.all([claim(), claim()]);
    expect([c1, c2].filter(Boolean).map((p) => p!.contentKey)).toEqual([`p1-${name}`]);
    await store.markPosted(`p1-${name}`, '1700000000.000200');
    const next = await claim();
    expect(next!.contentKey).toBe(`p2-${name}`);
    expect(await store.channelsWithPendingPosts()).toContain('C0STORE');
    // A failed send is released and tried again; one claimed by a dead process is taken over after expiry.
    await store.releasePost(next!.contentKey);
    expect((await claim())!.contentKey).toBe(`p2-${name}`);
    expect(await claim()).toBeUndefined();
    const later = new Date(now.getTime() + 61_000);
    expect((await store.claimNextPost('C0STORE', later, new Date(later.getTime() + 60_000)))!.contentKey).toBe(`p2-${name}`);
  });

  it('keeps one outgoing communication per key, with atomic state changes', async () => {
    const { request } = await store.insertRequest(newRequest());
    const row = { id: `confirm:${request.id}`, requestId: request.id, kind: 'confirmation' as const, authorId: 'U0REQUEST', body: 'We confirm.' };
    const inserts = await Promise.all([store.insertOutgoing(row), store.insertOutgoing({ ...row, authorId: 'U0OTHER' })]);
    expect(inserts.filter((i) => i.created)).toHaveLength(1);
    expect(inserts.every((i) => i.row.state === 'sending')).toBe(true);
    const moves = await Promise.all([store.transitionOutgoing(row.id, ['sending'], 'sent'), store.transitionOutgoing(row.id, ['sending'], 'failed', 'x')]);
    expect(moves.filter(Boolean)).toHaveLength(1);
    expect((await store.listOutgoing(request.id))).toHaveLength(1);
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
