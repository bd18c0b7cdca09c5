/**
 * Amazon SES (SESv2) reads, one client per region. Results are cached briefly: a user changing
 * a form's region back and forth should not cost a call each time.
 */
import { GetAccountCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { CurrentQuota } from '../domain/quota-request.js';
import { translateAwsError } from './errors.js';

const CACHE_MS = 60_000;

export class SesGateway {
  private readonly clients = new Map<string, SESv2Client>();
  private readonly quotas = new Map<string, { at: number; value: Promise<CurrentQuota> }>();

  constructor(private readonly now: () => number = Date.now) {}

  private client(region: string): SESv2Client {
    let client = this.clients.get(region);
    if (!client) {
      client = new SESv2Client({ region, maxAttempts: 3, requestHandler: { requestTimeout: 5_000, connectionTimeout: 3_000, throwOnRequestTimeout: true } });
      this.clients.set(region, client);
    }
    return client;
  }

  /** The account's sending quota in a region, as SESv2 GetAccount reports it. */
  getQuota(region: string): Promise<CurrentQuota> {
    const cached = this.quotas.get(region);
    if (cached && this.now() - cached.at < CACHE_MS) return cached.value;
    const value = this.client(region)
      .send(new GetAccountCommand({}))
      .then((out) => ({
        max24HourSend: out.SendQuota?.Max24HourSend ?? 0,
        maxSendRate: out.SendQuota?.MaxSendRate ?? 0,
        sentLast24Hours: out.SendQuota?.SentLast24Hours ?? 0,
        productionAccess: out.ProductionAccessEnabled ?? false,
      }))
      .catch((err: unknown) => {
        this.quotas.delete(region);
        throw translateAwsError(err, 'ses:GetAccount');
      });
    this.quotas.set(region, { at: this.now(), value });
    return value;
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
  }
}
