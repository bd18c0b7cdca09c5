/**
 * The AWS accounts the bot works in, each with its own gateways (and so its own Support API
 * budget). Without AWS_ACCOUNTS_FILE there is one, "default", on the SDK's default credential
 * chain. With it, each named account is reached through its role: assumed once at start-up and
 * checked with GetCallerIdentity, then refreshed before expiry. An account whose role cannot be
 * assumed, or whose id is not the one in its ARN, is unavailable (its calls fail before anything
 * is sent) and checked again at every poll interval; the others work.
 * "default" stays reachable in file mode for requests filed before accounts were named.
 */
// STS and the role provider are loaded only when AWS_ACCOUNTS_FILE names accounts (see `loadSts`):
// the single-account setup never uses them, and they cost memory.
import type * as StsCalls from './sts-calls.js';
import { DEFAULT_ACCOUNT, type AccountRef, type AccountSetting } from '../domain/accounts.js';

export type { AccountRef };
import { AwsError, type AwsCredentialIdentity, type AwsCredentials } from './errors.js';
import { ServiceQuotasGateway } from './service-quotas-gateway.js';
import { SesGateway } from './ses-gateway.js';
import { SupportGateway } from './support-gateway.js';
import { queueRegion, SupportEventsQueue } from './support-events-queue.js';
import type { AwsClientHook } from '../metrics/aws.js';

/** The session name AWS CloudTrail shows for the bot's calls in each account. */
export const ROLE_SESSION_NAME = 'ses-support-bot';
/** Credentials are renewed this long before they expire (as the SDK's own clients do). */
const REFRESH_BEFORE_MS = 5 * 60_000;
const STS_TIMEOUTS = { requestTimeout: 10_000, connectionTimeout: 5_000, throwOnRequestTimeout: true };

export interface AccountGateways {
  support: SupportGateway;
  ses: SesGateway;
  quotas: ServiceQuotasGateway;
}

/** An account as the rest of the bot sees it. */
export interface AwsAccount {
  name: string;
  /** Known from the file's role ARN; null for "default" (the bot's own, never looked up). */
  accountId: string | null;
  /** Null: every channel (the single-account setup). */
  channels: string[] | null;
  available: boolean;
  /** Why it is unavailable, for the log, /healthz and the forms. */
  problem: string | undefined;
}

interface Entry extends AwsAccount {
  setting: AccountSetting | undefined;
  gateways: AccountGateways | undefined;
  credentials: AwsCredentials | undefined;
  /** The same credentials without the availability gate, for the check. */
  checkCredentials: AwsCredentials | undefined;
}

/** The STS calls and the role provider, imported on first use. */
function loadSts(): Promise<typeof StsCalls> {
  return import('./sts-calls.js');
}

/**
 * One refreshing cache of an assumed role's credentials, shared by every client of the account
 * (each SDK client would otherwise call AssumeRole on its own). `gated` refuses, before any call
 * is sent, while the account is unavailable; `raw` is for the check that makes it available.
 */
function roleCredentials(entry: Entry, setting: AccountSetting, region: string): { gated: AwsCredentials; raw: AwsCredentials } {
  let provider: ReturnType<typeof StsCalls.fromTemporaryCredentials> | undefined;
  const assume = async () => {
    const { fromTemporaryCredentials } = await loadSts();
    provider ??= fromTemporaryCredentials({
      params: { RoleArn: setting.roleArn, RoleSessionName: ROLE_SESSION_NAME, ...(setting.externalId ? { ExternalId: setting.externalId } : {}) },
      clientConfig: { region, maxAttempts: 2, requestHandler: STS_TIMEOUTS },
    });
    return provider();
  };
  let current: AwsCredentialIdentity | undefined;
  // One refresh at a time, shared by every client of the account.
  let refreshing: Promise<AwsCredentialIdentity> | undefined;
  const refresh = () =>
    (refreshing ??= assume().then(
      (identity) => {
        current = identity;
        refreshing = undefined;
        return identity;
      },
      (err: unknown) => {
        refreshing = undefined;
        throw err;
      },
    ));
  const raw: AwsCredentials = async () => {
    const expiresAt = current ? (current.expiration?.getTime() ?? Number.POSITIVE_INFINITY) : 0;
    if (current && Date.now() < expiresAt - REFRESH_BEFORE_MS) return current;
    try {
      return await refresh();
    } catch (err) {
      // Credentials still valid serve on: a failed early renewal is tried again by the next call.
      if (current && Date.now() < expiresAt) return current;
      // None left: the account is unavailable until the next check proves the role again.
      entry.available = false;
      entry.problem = `cannot assume ${setting.roleArn}: ${(err as Error).message}`.slice(0, 300);
      throw unavailable(entry);
    }
  };
  const gated: AwsCredentials = async () => {
    if (!entry.available) throw unavailable(entry);
    return raw();
  };
  return { gated, raw };
}

function unavailable(entry: AwsAccount): AwsError {
  return new AwsError('account_unavailable', 'sts:AssumeRole', `${entry.name}: ${entry.problem ?? 'not configured'}`, false, 'AccountUnavailable');
}

export class AwsAccounts {
  private readonly entries = new Map<string, Entry>();

  /** `settings` undefined: the single-account setup. `region`: where STS is called. */
  constructor(
    private readonly settings: readonly AccountSetting[] | undefined,
    private readonly region: string,
    /** Metrics: each SDK client made here is handed to it (src/metrics/aws.ts). */
    private readonly hook?: AwsClientHook,
  ) {
    this.entries.set(DEFAULT_ACCOUNT, { name: DEFAULT_ACCOUNT, accountId: null, channels: null, available: true, problem: undefined, setting: undefined, gateways: undefined, credentials: undefined, checkCredentials: undefined });
    for (const setting of settings ?? []) {
      const entry: Entry = { name: setting.name, accountId: setting.accountId, channels: setting.channels, available: false, problem: 'not checked yet', setting, gateways: undefined, credentials: undefined, checkCredentials: undefined };
      const { gated, raw } = roleCredentials(entry, setting, region);
      entry.credentials = gated;
      entry.checkCredentials = raw;
      this.entries.set(setting.name, entry);
    }
  }

  /** True when AWS_ACCOUNTS_FILE names the accounts. */
  get named(): boolean {
    return this.settings !== undefined;
  }

  /** The accounts a new request may be filed in: the file's, or "default" without one. */
  list(): AwsAccount[] {
    return [...this.entries.values()].filter((e) => (this.named ? e.setting : e.name === DEFAULT_ACCOUNT)).map(publicView);
  }

  /**
   * An account by name (including "default", for requests filed before accounts were named);
   * one no longer in the file is reported unavailable, saying so.
   */
  find(name: string): AwsAccount {
    return publicView(this.entries.get(name) ?? this.removed(name));
  }

  /** The accounts a channel may file in, in the file's order (the first is the forms' preselection). */
  forChannel(channelId: string): AwsAccount[] {
    return this.list().filter((a) => a.channels === null || a.channels.includes(channelId));
  }

  /**
   * The gateways of an account. An account no longer in the file gets gateways whose every call
   * fails before it is sent, saying so: its requests wait, they are never sent with other credentials.
   */
  gateways(name: string | null | undefined): AccountGateways {
    const entry = this.entries.get(name ?? DEFAULT_ACCOUNT) ?? this.removed(name!);
    entry.gateways ??= {
      support: new SupportGateway(entry.credentials, this.hook),
      ses: new SesGateway(entry.credentials, undefined, this.hook),
      quotas: new ServiceQuotasGateway(entry.credentials, this.hook),
    };
    return entry.gateways;
  }

  /**
   * The gateways of a request's account: its name, provided the name still means the account the
   * request was filed in. A name the file now gives another account id gets gateways that refuse:
   * the request's calls are never made in another account.
   */
  forRequest(request: AccountRef): AccountGateways {
    return this.gateways(this.keyOf(request));
  }

  /** A request's account, as find() says, with the same check of its id. */
  findFor(request: AccountRef): AwsAccount {
    return this.find(this.keyOf(request));
  }

  private keyOf({ accountName, accountId }: AccountRef): string {
    const entry = this.entries.get(accountName);
    if (!entry?.setting || !accountId || entry.accountId === accountId) return accountName;
    const key = `${accountName}@${accountId}`;
    if (!this.entries.has(key)) this.removed(key, `${accountName} is now account ${entry.accountId} in AWS_ACCOUNTS_FILE, but this request was filed in account ${accountId}`);
    return key;
  }

  private removed(name: string, problem = 'no longer in AWS_ACCOUNTS_FILE'): Entry {
    const entry: Entry = { name, accountId: null, channels: [], available: false, problem, setting: undefined, gateways: undefined, credentials: undefined, checkCredentials: undefined };
    entry.credentials = async () => {
      throw unavailable(entry);
    };
    this.entries.set(name, entry);
    return entry;
  }

  /**
   * The queues of AWS Support events to read: `sharedUrl` with the bot's own credentials, and
   * each account's own queue (AWS_ACCOUNTS_FILE) with its role.
   */
  eventQueues(sharedUrl: string | undefined, waitSeconds: number): { queue: SupportEventsQueue; account: string | undefined }[] {
    const queues: { queue: SupportEventsQueue; account: string | undefined }[] = [];
    if (sharedUrl) queues.push({ queue: new SupportEventsQueue(sharedUrl, queueRegion(sharedUrl, this.region), waitSeconds, undefined, this.hook), account: undefined });
    // One receiver per queue: a queue named twice is read once, by its first listing.
    const listed = new Set(sharedUrl ? [sharedUrl] : []);
    for (const entry of this.entries.values()) {
      const url = entry.setting?.supportEventsQueueUrl;
      if (!url || listed.has(url)) continue;
      listed.add(url);
      queues.push({ queue: new SupportEventsQueue(url, queueRegion(url, this.region), waitSeconds, entry.credentials, this.hook), account: entry.name });
    }
    return queues;
  }

  /**
   * Assumes each role not yet proven and checks with GetCallerIdentity that it lands in the
   * account its ARN names. Returns the accounts that are (still) unavailable.
   */
  async check(): Promise<AwsAccount[]> {
    const pending = [...this.entries.values()].filter((e) => e.setting && !e.available);
    await Promise.all(pending.map((entry) => this.checkOne(entry)));
    return pending.filter((e) => !e.available).map(publicView);
  }

  private async checkOne(entry: Entry): Promise<void> {
    const setting = entry.setting!;
    try {
      const { callerAccount } = await loadSts();
      const Account = await callerAccount({ region: this.region, credentials: entry.checkCredentials, maxAttempts: 2, requestHandler: STS_TIMEOUTS }, this.hook);
      if (Account === setting.accountId) {
        entry.available = true;
        entry.problem = undefined;
      } else {
        entry.problem = `the role ${setting.roleArn} signs in as account ${Account ?? '(none)'}, not ${setting.accountId}`;
      }
    } catch (err) {
      // A failed AssumeRole has set the problem already; anything else (GetCallerIdentity) is said here.
      if (!(err instanceof AwsError)) entry.problem = `cannot check ${setting.roleArn} with GetCallerIdentity: ${(err as Error).message}`.slice(0, 300);
    }
  }

  /** For /healthz: each account's availability (undefined in the single-account setup). */
  health(): Record<string, { available: boolean; accountId: string | null; problem?: string }> | undefined {
    if (!this.named) return undefined;
    return Object.fromEntries(this.list().map((a) => [a.name, { available: a.available, accountId: a.accountId, ...(a.problem ? { problem: a.problem } : {}) }]));
  }

  destroy(): void {
    for (const entry of this.entries.values()) {
      entry.gateways?.support.destroy();
      entry.gateways?.ses.destroy();
      entry.gateways?.quotas.destroy();
    }
  }
}

function publicView(entry: Entry): AwsAccount {
  return { name: entry.name, accountId: entry.accountId, channels: entry.channels, available: entry.available, problem: entry.problem };
}
