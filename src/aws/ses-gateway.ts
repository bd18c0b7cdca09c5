/**
 * Amazon SES (SESv2), one client per region. Reads are cached briefly: a user changing a form's
 * region back and forth should not cost a call each time. The one write, PutAccountDetails
 * (request production access), is sent once: a retried request could open a second review.
 */
import {
  GetAccountCommand,
  GetDedicatedIpPoolCommand,
  GetDedicatedIpsCommand,
  ListDedicatedIpPoolsCommand,
  PutAccountDetailsCommand,
  SESv2Client,
  type PutAccountDetailsCommandInput,
} from '@aws-sdk/client-sesv2';
import type { ContactLanguage, MailType } from '../domain/common.js';
import type { DedicatedIp, RegionInventory } from '../domain/dedicated-ip.js';
import type { CurrentQuota } from '../domain/quota-request.js';
import type { RegionCode } from '../domain/regions.js';
import { productionAccessMailType } from '../domain/service-quotas.js';
import { translateAwsError, type AwsCredentials } from './errors.js';
import type { AwsClientHook } from '../metrics/aws.js';

/** What a production access request tells AWS; empty fields are left out of the call. */
export interface ProductionAccessDetails {
  /** The form's mail type: Marketing goes as MARKETING, the other two as TRANSACTIONAL. */
  mailType?: MailType;
  websiteUrl?: string;
  language?: ContactLanguage;
  useCase?: string;
  /** 1 to 4 addresses AWS also writes to about the review. */
  additionalContactEmails?: readonly string[];
}

/** A production access review as GetAccount reports it (Details.ReviewDetails). */
export interface ProductionAccessReview {
  /** PENDING, FAILED, GRANTED or DENIED (see src/domain/service-quotas.ts). */
  status: string;
  /** The Support case AWS opened for the review, once it has one. */
  caseId: string | undefined;
}

const CACHE_MS = 60_000;

/** SESv2 reads fill a modal the user is looking at: they fail fast rather than keep it waiting. */
const SES_TIMEOUTS = { requestTimeout: 5_000, connectionTimeout: 3_000, throwOnRequestTimeout: true };
/** A write is not repeated, so it is given longer to answer. */
const SES_WRITE_TIMEOUTS = { requestTimeout: 15_000, connectionTimeout: 5_000, throwOnRequestTimeout: true };

export class SesGateway {
  private readonly clients = new Map<string, SESv2Client>();
  /** One attempt per call (no SDK retries), for PutAccountDetails. */
  private readonly writers = new Map<string, SESv2Client>();
  private readonly quotas = new Map<string, { at: number; value: Promise<CurrentQuota>; known?: CurrentQuota }>();

  /** `credentials`: an account's assumed role; unset, the SDK's default chain (the bot's own). */
  constructor(
    private readonly credentials?: AwsCredentials,
    private readonly now: () => number = Date.now,
    /** Metrics: every call counted and timed (src/metrics/aws.ts). */
    private readonly hook?: AwsClientHook,
  ) {}

  private client(region: string): SESv2Client {
    let client = this.clients.get(region);
    if (!client) {
      client = new SESv2Client({ region, maxAttempts: 3, requestHandler: SES_TIMEOUTS, credentials: this.credentials });
      this.hook?.(client);
      this.clients.set(region, client);
    }
    return client;
  }

  private writer(region: string): SESv2Client {
    let client = this.writers.get(region);
    if (!client) {
      client = new SESv2Client({ region, maxAttempts: 1, requestHandler: SES_WRITE_TIMEOUTS, credentials: this.credentials });
      this.hook?.(client);
      this.writers.set(region, client);
    }
    return client;
  }

  /** The quota of a region if a fresh answer is at hand, without calling AWS. */
  peekQuota(region: string): CurrentQuota | undefined {
    const cached = this.quotas.get(region);
    return cached && this.now() - cached.at < CACHE_MS ? cached.known : undefined;
  }

  /** The account's sending quota in a region, as SESv2 GetAccount reports it (cached for a minute). */
  getQuota(region: string): Promise<CurrentQuota> {
    const cached = this.quotas.get(region);
    if (cached && this.now() - cached.at < CACHE_MS) return cached.value;
    const value = this.readQuota(region)
      .then((quota) => {
        const entry = this.quotas.get(region);
        if (entry) entry.known = quota;
        return quota;
      })
      .catch((err: unknown) => {
        this.quotas.delete(region);
        throw err;
      });
    this.quotas.set(region, { at: this.now(), value });
    return value;
  }

  /**
   * The quota read now, bypassing the cache: for checks that must see a change the moment AWS
   * shows it (proof of effect, the quota watch). The answer also refreshes the cache.
   */
  async readQuotaFresh(region: string): Promise<CurrentQuota> {
    const quota = await this.readQuota(region);
    this.quotas.set(region, { at: this.now(), value: Promise.resolve(quota), known: quota });
    return quota;
  }

  private async readQuota(region: string): Promise<CurrentQuota> {
    let out;
    try {
      out = await this.client(region).send(new GetAccountCommand({}));
    } catch (err) {
      throw translateAwsError(err, 'ses:GetAccount');
    }
    return {
      max24HourSend: out.SendQuota?.Max24HourSend ?? 0,
      maxSendRate: out.SendQuota?.MaxSendRate ?? 0,
      sentLast24Hours: out.SendQuota?.SentLast24Hours ?? 0,
      productionAccess: out.ProductionAccessEnabled ?? false,
    };
  }

  /**
   * The account's dedicated IPs in a region with their pools' scaling modes. SESv2 has no
   * paginators for these calls, so NextToken is followed here.
   */
  async getDedicatedIpInventory(region: RegionCode): Promise<RegionInventory> {
    const client = this.client(region);
    const call = async <T>(action: string, send: () => Promise<T>): Promise<T> => {
      try {
        return await send();
      } catch (err) {
        throw translateAwsError(err, action);
      }
    };
    const poolNames: string[] = [];
    let token: string | undefined;
    do {
      const page = await call('ses:ListDedicatedIpPools', () => client.send(new ListDedicatedIpPoolsCommand({ NextToken: token, PageSize: 100 })));
      poolNames.push(...(page.DedicatedIpPools ?? []));
      token = page.NextToken;
    } while (token);
    const modes = new Map<string, 'STANDARD' | 'MANAGED'>();
    await Promise.all(
      poolNames.map(async (name) => {
        const out = await call('ses:GetDedicatedIpPool', () => client.send(new GetDedicatedIpPoolCommand({ PoolName: name })));
        modes.set(name, out.DedicatedIpPool?.ScalingMode === 'MANAGED' ? 'MANAGED' : 'STANDARD');
      }),
    );
    const ips: DedicatedIp[] = [];
    token = undefined;
    do {
      const page = await call('ses:GetDedicatedIps', () => client.send(new GetDedicatedIpsCommand({ NextToken: token, PageSize: 100 })));
      for (const ip of page.DedicatedIps ?? []) {
        if (!ip.Ip) continue;
        const pool = ip.PoolName ?? 'ses-default-dedicated-pool';
        ips.push({
          ip: ip.Ip,
          pool,
          scalingMode: modes.get(pool) ?? 'STANDARD',
          warmupStatus: ip.WarmupStatus ?? 'NOT_APPLICABLE',
          warmupPercentage: ip.WarmupPercentage ?? -1,
        });
      }
      token = page.NextToken;
    } while (token);
    return { region, ips };
  }

  /**
   * Requests production access (leaving the sandbox) for a region: PutAccountDetails with
   * ProductionAccessEnabled, sent once. AWS opens a review (see reviewDetails); while one is open,
   * or after it was denied, AWS answers ConflictException (an AwsError of kind 'conflict').
   */
  async requestProductionAccess(region: string, details: ProductionAccessDetails): Promise<void> {
    const input: Partial<PutAccountDetailsCommandInput> = { ProductionAccessEnabled: true };
    if (details.mailType) input.MailType = productionAccessMailType(details.mailType);
    const websiteUrl = details.websiteUrl?.trim();
    if (websiteUrl) input.WebsiteURL = websiteUrl;
    if (details.language) input.ContactLanguage = details.language === 'ja' ? 'JA' : 'EN';
    const useCase = details.useCase?.trim();
    if (useCase) input.UseCaseDescription = useCase;
    const emails = (details.additionalContactEmails ?? []).map((e) => e.trim()).filter(Boolean);
    if (emails.length) input.AdditionalContactEmailAddresses = emails;
    try {
      // MailType and WebsiteURL are required: left out when empty, AWS refuses (BadRequestException, kind invalid_request).
      await this.writer(region).send(new PutAccountDetailsCommand(input as PutAccountDetailsCommandInput));
    } catch (err) {
      throw translateAwsError(err, 'ses:PutAccountDetails');
    }
  }

  /** The region's production access review, read fresh (not from the quota cache); undefined when none was opened. */
  async reviewDetails(region: string): Promise<ProductionAccessReview | undefined> {
    let out;
    try {
      out = await this.client(region).send(new GetAccountCommand({}));
    } catch (err) {
      throw translateAwsError(err, 'ses:GetAccount');
    }
    const review = out.Details?.ReviewDetails;
    if (!review?.Status) return undefined;
    return { status: review.Status, caseId: review.CaseId || undefined };
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    for (const client of this.writers.values()) client.destroy();
  }
}
