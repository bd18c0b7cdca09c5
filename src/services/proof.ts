/**
 * Proof of effect: records what SESv2 showed when a request was filed, and after AWS's positive
 * answer re-reads the same figures until the change is in the account (verified, said once in
 * the thread with before → after) or 72 hours have passed (said once too). Reads are bounded:
 * ten per region over the 72 hours, and one per region and kind per cycle, whatever the number of
 * requests waiting on it.
 */
import type { AwsAccounts } from '../aws/accounts.js';
import { accountKey, type AccountRef } from '../domain/accounts.js';
import { standardIps } from '../domain/dedicated-ip.js';
import { afterMiss, askedIn, describeChange, effectsOf, effectSeen, type Figures, type RegionEffect } from '../domain/proof.js';
import type { StoredRequest } from '../domain/request.js';
import type { Logger } from '../logger.js';
import { effectNotSeenNotice, effectVerifiedNotice } from '../slack/views/proof.js';
import { buildRootMessage } from '../slack/views/root-message.js';
import type { Store } from '../store/store.js';
import { effectPostKey, rowsRootKey } from './outbox-keys.js';
import { threadPosts, type ThreadNotice, type ThreadPoster } from './thread-poster.js';
import type { Metrics } from '../metrics/metrics.js';

export interface ProofReport {
  requests: number;
  reads: number;
  verified: number;
  notSeen: number;
}

export class ProofOfEffect {
  constructor(
    private readonly store: Store,
    private readonly accounts: AwsAccounts,
    private readonly poster: ThreadPoster,
    private readonly settings: { dedicatedIpPriceCents: number; metrics?: Metrics },
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** The figures of each region of a request as it is filed; kept once (a Retry keeps the first). */
  async recordBaseline(request: StoredRequest): Promise<void> {
    if (request.effects) return;
    const effects = effectsOf(request.payload);
    await Promise.all(
      effects.map(async (effect) => {
        try {
          effect.before = await this.read(request, effect);
        } catch (err) {
          this.logger.warn({ requestId: request.id, region: effect.region, err: (err as Error).message }, 'could not read the figures before filing; the effect is checked against what was asked');
        }
      }),
    );
    await this.store.initEffects(request.id, effects);
  }

  /** The account's figures for one effect, read with that account's credentials. */
  private async read(account: AccountRef, effect: Pick<RegionEffect, 'kind' | 'region'>): Promise<Figures> {
    const { ses } = this.accounts.forRequest(account);
    if (effect.kind === 'quota' || effect.kind === 'production_access') {
      const q = await ses.readQuotaFresh(effect.region);
      return { quota: { max24HourSend: q.max24HourSend, maxSendRate: q.maxSendRate, productionAccess: q.productionAccess } };
    }
    const inventory = await ses.getDedicatedIpInventory(effect.region);
    return { ips: standardIps(inventory).map((i) => ({ ip: i.ip, pool: i.pool, warmupPercentage: i.warmupPercentage })) };
  }

  /** Every check that is due: one read per region and kind, shared by the requests waiting on it. */
  async cycle(): Promise<ProofReport> {
    const due = await this.store.listDueEffectChecks();
    const reads = new Map<string, Promise<Figures | undefined>>();
    const readOnce = (account: AccountRef, effect: RegionEffect) => {
      const family = effect.kind === 'quota' || effect.kind === 'production_access' ? 'quota' : 'ips';
      const key = `${accountKey(account)}:${family}:${effect.region}`;
      if (!reads.has(key)) {
        reads.set(key, this.read(account, effect).catch((err: unknown) => {
          this.logger.warn({ account: account.accountName, region: effect.region, err: (err as Error).message }, 'could not read the account to check an effect; counted as not seen yet');
          return undefined;
        }));
      }
      return reads.get(key)!;
    };
    const report: ProofReport = { requests: due.length, reads: 0, verified: 0, notSeen: 0 };
    for (const request of due) await this.check(request, (effect) => readOnce(request, effect), report);
    report.reads = reads.size;
    return report;
  }

  private async check(request: StoredRequest, read: (e: RegionEffect) => Promise<Figures | undefined>, report: ProofReport): Promise<void> {
    const nowIso = new Date(this.now()).toISOString();
    const messages: ThreadNotice[] = [];
    const effects: RegionEffect[] = [];
    for (const effect of request.effects ?? []) {
      if (effect.state !== 'checking' || !effect.nextCheckAt || effect.nextCheckAt > nowIso) {
        effects.push(effect);
        continue;
      }
      const figures = await read(effect);
      const asked = askedIn(request.payload, effect.region);
      if (figures && effectSeen(effect, asked, figures)) {
        const summary = describeChange(effect, asked, figures, this.settings.dedicatedIpPriceCents, new Date(this.now()));
        effects.push({ ...effect, state: 'verified', after: figures, nextCheckAt: undefined, summary });
        messages.push({ key: effectPostKey(request.id, effect.region, 'verified', (effect.limits ?? [effect.kind]).join('+')), message: effectVerifiedNotice(request.requesterId, summary) });
        report.verified += 1;
        this.settings.metrics?.proofOfEffect('verified');
        continue;
      }
      const next = afterMiss(effect, figures, this.now());
      if (next.state === 'not_seen') {
        const shows = figures && describeChange(effect, asked, figures, this.settings.dedicatedIpPriceCents, new Date(this.now()));
        next.summary = shows ?? `${effect.region}: the account could not be read`;
        const message = effectNotSeenNotice(request.requesterId, effect.region, shows, request.caseId !== null);
        messages.push({ key: effectPostKey(request.id, effect.region, 'not_seen', effect.outcomeAt ?? ''), message });
        report.notSeen += 1;
        this.settings.metrics?.proofOfEffect('not_seen');
      }
      effects.push(next);
    }
    await this.save(request, effects, messages);
  }

  private async save(request: StoredRequest, effects: RegionEffect[], messages: ThreadNotice[]): Promise<void> {
    if (request.rootTs && messages.length) {
      const redrawn = { ...request, effects } as StoredRequest;
      // Keyed by the moment: the same states can recur (checked again after a new answer) with other figures.
      const state = `effects:${effects.map((e) => `${e.region}/${e.state}`).join(',')}@${new Date(this.now()).toISOString()}`;
      messages.push({ key: rowsRootKey(request.id, state), message: { ...buildRootMessage(redrawn), updateTs: request.rootTs } });
    }
    const posts = threadPosts(request, messages);
    // Refused when the request changed meanwhile: the next cycle checks again from what is stored.
    const stored = await this.store.recordRowSync(request.id, request.updatedAt, { effects }, posts);
    if (stored && posts.length) this.poster.kick(request.channelId);
  }
}
