/**
 * Service Quotas as the bot uses it, one client per region (quotas are regional, and so is
 * every call here). Reads ride on the SDK's retries; RequestServiceQuotaIncrease is sent once
 * (a retried request could open a second one) and its failures say whether AWS may have applied
 * it. No paid support plan is needed for any of these calls.
 */
import {
  GetServiceQuotaCommand,
  ListRequestedServiceQuotaChangeHistoryByQuotaCommand,
  ListRequestedServiceQuotaChangeHistoryCommand,
  ListServiceQuotasCommand,
  RequestServiceQuotaIncreaseCommand,
  ServiceQuotasClient,
  type RequestedServiceQuotaChange,
} from '@aws-sdk/client-service-quotas';
import type { QuotaLimit } from '../domain/quota-request.js';
import { SES_QUOTAS, SES_SERVICE_CODE } from '../domain/service-quotas.js';
import { AwsError, translateAwsError, type AwsCredentials } from './errors.js';
import type { AwsClientHook } from '../metrics/aws.js';

/** A quota increase request as Service Quotas reports it. */
export interface QuotaChange {
  id: string;
  quotaCode: string;
  desiredValue: number;
  status: string;
  /** The Support case Service Quotas opened for it, once it has one. */
  caseId: string | undefined;
  created: string | undefined;
  lastUpdated: string | undefined;
}

// throwOnRequestTimeout: without it the SDK only logs a slow answer instead of failing the call.
const TIMEOUTS = { requestTimeout: 15_000, connectionTimeout: 5_000, throwOnRequestTimeout: true };
/**
 * History pages (100 requests each) read at most per call: every page in practice (10,000 SES
 * requests in one region), but bounded. A lookup that hits the bound says it cannot tell.
 */
const MAX_HISTORY_PAGES = 100;

function toChange(r: RequestedServiceQuotaChange): QuotaChange {
  return {
    id: r.Id ?? '',
    quotaCode: r.QuotaCode ?? '',
    desiredValue: r.DesiredValue ?? 0,
    status: r.Status ?? 'PENDING',
    caseId: r.CaseId || undefined,
    created: r.Created?.toISOString(),
    lastUpdated: r.LastUpdated?.toISOString(),
  };
}

export class ServiceQuotasGateway {
  private readonly clients = new Map<string, { reads: ServiceQuotasClient; writes: ServiceQuotasClient }>();
  private readonly codes = new Map<string, Promise<string>>();

  /** `credentials`: an account's assumed role; unset, the SDK's default chain (the bot's own). */
  constructor(
    private readonly credentials?: AwsCredentials,
    /** Metrics: every call counted and timed (src/metrics/aws.ts). */
    private readonly hook?: AwsClientHook,
  ) {}

  private client(region: string) {
    let pair = this.clients.get(region);
    if (!pair) {
      pair = {
        reads: new ServiceQuotasClient({ region, maxAttempts: 3, requestHandler: TIMEOUTS, credentials: this.credentials }),
        writes: new ServiceQuotasClient({ region, maxAttempts: 1, requestHandler: TIMEOUTS, credentials: this.credentials }),
      };
      this.hook?.(pair.reads);
      this.hook?.(pair.writes);
      this.clients.set(region, pair);
    }
    return pair;
  }

  /**
   * The quota code for a limit in a region: the known code, checked with GetServiceQuota the
   * first time the region is used; if AWS does not know it there, found by name with
   * ListServiceQuotas. Cached per region once found.
   */
  quotaCode(region: string, limit: QuotaLimit): Promise<string> {
    const key = `${region}/${limit}`;
    let cached = this.codes.get(key);
    if (!cached) {
      cached = this.findQuotaCode(region, limit);
      this.codes.set(key, cached);
      cached.catch(() => this.codes.delete(key));
    }
    return cached;
  }

  private async findQuotaCode(region: string, limit: QuotaLimit): Promise<string> {
    const known = SES_QUOTAS[limit];
    try {
      await this.client(region).reads.send(new GetServiceQuotaCommand({ ServiceCode: SES_SERVICE_CODE, QuotaCode: known.code }));
      return known.code;
    } catch (err) {
      const aws = translateAwsError(err, 'servicequotas:GetServiceQuota');
      if (aws.kind !== 'not_found') throw aws;
    }
    let nextToken: string | undefined;
    do {
      let page;
      try {
        page = await this.client(region).reads.send(new ListServiceQuotasCommand({ ServiceCode: SES_SERVICE_CODE, NextToken: nextToken, MaxResults: 100 }));
      } catch (err) {
        throw translateAwsError(err, 'servicequotas:ListServiceQuotas');
      }
      const found = page.Quotas?.find((q) => q.QuotaName?.toLowerCase() === known.name.toLowerCase());
      if (found?.QuotaCode) return found.QuotaCode;
      nextToken = page.NextToken;
    } while (nextToken);
    throw new AwsError('not_found', 'servicequotas:ListServiceQuotas', `Service Quotas has no "${known.name}" quota for SES in ${region}`, false, 'NoSuchResourceException');
  }

  /** Asks for a quota increase, once (no SDK retries: a repeat could be a second request). */
  async requestIncrease(region: string, quotaCode: string, desiredValue: number): Promise<QuotaChange> {
    try {
      const out = await this.client(region).writes.send(new RequestServiceQuotaIncreaseCommand({ ServiceCode: SES_SERVICE_CODE, QuotaCode: quotaCode, DesiredValue: desiredValue }));
      if (!out.RequestedQuota?.Id) throw new Error('RequestServiceQuotaIncrease answered without a request id');
      return toChange(out.RequestedQuota);
    } catch (err) {
      throw translateAwsError(err, 'servicequotas:RequestServiceQuotaIncrease');
    }
  }

  /**
   * Every increase request of one quota in a region, newest data included (to find one whose
   * answer was lost). Throws rather than answer from a partial history: "not there" must mean it.
   */
  async historyOfQuota(region: string, quotaCode: string): Promise<QuotaChange[]> {
    const action = 'servicequotas:ListRequestedServiceQuotaChangeHistoryByQuota';
    const { changes, complete } = await this.pages(action, (NextToken) =>
      this.client(region).reads.send(new ListRequestedServiceQuotaChangeHistoryByQuotaCommand({ ServiceCode: SES_SERVICE_CODE, QuotaCode: quotaCode, MaxResults: 100, NextToken })),
    );
    if (!complete) throw new AwsError('unavailable', action, `the history of ${quotaCode} in ${region} has more than ${MAX_HISTORY_PAGES} pages`, false);
    return changes;
  }

  /** Every SES increase request in a region: one call per region covers all its open rows. */
  async history(region: string): Promise<QuotaChange[]> {
    const { changes } = await this.pages('servicequotas:ListRequestedServiceQuotaChangeHistory', (NextToken) =>
      this.client(region).reads.send(new ListRequestedServiceQuotaChangeHistoryCommand({ ServiceCode: SES_SERVICE_CODE, MaxResults: 100, NextToken })),
    );
    return changes;
  }

  private async pages(
    action: string,
    page: (nextToken: string | undefined) => Promise<{ RequestedQuotas?: RequestedServiceQuotaChange[]; NextToken?: string }>,
  ): Promise<{ changes: QuotaChange[]; complete: boolean }> {
    const out: QuotaChange[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      let result;
      try {
        result = await page(nextToken);
      } catch (err) {
        throw translateAwsError(err, action);
      }
      out.push(...(result.RequestedQuotas ?? []).map(toChange));
      nextToken = result.NextToken;
      pages += 1;
    } while (nextToken && pages < MAX_HISTORY_PAGES);
    return { changes: out, complete: !nextToken };
  }

  destroy(): void {
    for (const { reads, writes } of this.clients.values()) {
      reads.destroy();
      writes.destroy();
    }
  }
}
