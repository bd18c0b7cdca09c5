/**
 * The AWS Support API as the bot uses it. Read calls ride on the SDK's retries; calls that
 * change a case are sent exactly once (CreateCase has no idempotency token, so a retried
 * CreateCase can file a second case) and their failures say whether AWS may have applied them.
 */
import {
  AddCommunicationToCaseCommand,
  CreateCaseCommand,
  DescribeCasesCommand,
  DescribeCommunicationsCommand,
  DescribeServicesCommand,
  ResolveCaseCommand,
  SupportClient,
  type CaseDetails,
  type Communication as SdkCommunication,
} from '@aws-sdk/client-support';
import { isCaseFor } from '../domain/case-text.js';
import { translateAwsError, type AwsCredentials } from './errors.js';
import { AwsError } from './errors.js';
import { CallSpacer, SpacerTimeoutError } from './rate-limiter.js';
import type { AwsClientHook } from '../metrics/aws.js';

export const LIMIT_INCREASE_SERVICE_CODE = 'service-limit-increase';

export interface CaseCommunication {
  body: string;
  submittedBy: string;
  timeCreated: string;
  attachments: string[];
}

export interface SupportCase {
  caseId: string;
  displayId: string | undefined;
  subject: string | undefined;
  status: string | undefined;
  timeCreated: string | undefined;
  recentCommunications: CaseCommunication[];
  moreCommunications: boolean;
}

export interface NewCase {
  subject: string;
  body: string;
  categoryCode: string;
  severityCode: string;
  language: string;
  issueType: string | undefined;
}

export interface CategoryMatch {
  /** Category codes known to mean this category, best first. */
  codes: string[];
  /** Fallback when none of the codes is offered: the category's display name. */
  name: RegExp;
  /** The category to use when AWS offers none of these (e.g. dedicated IPs under sending limits). */
  otherwise?: CategoryMatch;
}

/** A Support category: its code, and its name as AWS shows it (the case body's "Service:" line). */
export interface Category {
  code: string;
  name: string;
}

// throwOnRequestTimeout: without it the SDK only logs a slow answer instead of failing the call.
const TIMEOUTS = { requestTimeout: 15_000, connectionTimeout: 5_000, throwOnRequestTimeout: true };

/** The Support API allows 5 calls a second per account. */
export const SUPPORT_CALLS_PER_SECOND = 5;
/** The longest a call that changes a case waits for its turn; past it, it is not sent. */
export const WRITE_MAX_WAIT_MS = 10_000;
/**
 * The longest a call that changes a case can take once its claim was checked: its wait for a
 * turn, the connection and the answer. Leases on such work are several times longer.
 */
export const WRITE_MAX_MS = WRITE_MAX_WAIT_MS + TIMEOUTS.connectionTimeout + TIMEOUTS.requestTimeout;
/** The category lookup (with the read client's retries) may take this long before filing gives up. */
export const CATEGORY_LOOKUP_MAX_MS = 20_000;
/** Cases (100 a page) a reference lookup reads at most; a lookup that stops short proves nothing. */
export const REFERENCE_LOOKUP_MAX_PAGES = 10;

/** What AWS says about the cases that carry some references. */
export interface ReferenceLookup {
  /** Reference → case id, for the references found. */
  found: Map<string, string>;
  /** True when every case since the date was read: a reference not found is then provably absent. */
  complete: boolean;
}

export class SupportGateway {
  // The Support API has one commercial endpoint, signed for us-east-1, whatever AWS_REGION says.
  private readonly reads: SupportClient;
  private readonly writes: SupportClient;
  private readonly categoryCache = new Map<string, Promise<Category>>();
  private readonly spacer = new CallSpacer(SUPPORT_CALLS_PER_SECOND);
  /** Support API calls sent (each attempt), for the sync's accounting and the benchmark. */
  callCount = 0;

  /** `credentials`: an account's assumed role; unset, the SDK's default chain (the bot's own). */
  constructor(credentials?: AwsCredentials, hook?: AwsClientHook) {
    this.reads = new SupportClient({ region: 'us-east-1', maxAttempts: 4, requestHandler: TIMEOUTS, credentials });
    this.writes = new SupportClient({ region: 'us-east-1', maxAttempts: 1, requestHandler: TIMEOUTS, credentials });
    // Metrics: every call counted and timed (src/metrics/aws.ts).
    hook?.(this.reads);
    hook?.(this.writes);
    for (const [client, urgent] of [
      [this.reads, false],
      [this.writes, true],
    ] as const) {
      // After the SDK's retry step, so that every attempt waits for its slot.
      client.middlewareStack.add(
        (next) => async (args) => {
          try {
            await this.spacer.take(urgent ? { urgent, maxWaitMs: WRITE_MAX_WAIT_MS } : {});
          } catch (err) {
            if (err instanceof SpacerTimeoutError) throw new AwsError('throttled', 'support', err.message, false, 'SpacerTimeout');
            throw err;
          }
          this.callCount += 1;
          return next(args);
        },
        { step: 'finalizeRequest', priority: 'low', name: 'supportCallSpacing' },
      );
    }
  }

  /**
   * Finds the Support category for a kind of SES limit request, once per process. A caller
   * waits at most CATEGORY_LOOKUP_MAX_MS (the lookup itself goes on and is cached if it ends well).
   */
  resolveCategory(match: CategoryMatch): Promise<Category> {
    const key = [match.codes.join(','), match.otherwise?.codes.join(',') ?? ''].join('|');
    let cached = this.categoryCache.get(key);
    if (!cached) {
      cached = this.lookUpCategory(match);
      this.categoryCache.set(key, cached);
      // A failed lookup is not cached: the next filing asks again.
      cached.catch(() => this.categoryCache.delete(key));
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new AwsError('unavailable', 'support:DescribeServices', 'the category lookup did not finish in time', false, 'Timeout')),
        CATEGORY_LOOKUP_MAX_MS,
      );
      timer.unref();
    });
    return Promise.race([cached, deadline]).finally(() => clearTimeout(timer));
  }

  private async lookUpCategory(match: CategoryMatch): Promise<Category> {
    const action = 'support:DescribeServices';
    let categories: { code?: string; name?: string }[];
    try {
      const out = await this.reads.send(new DescribeServicesCommand({ serviceCodeList: [LIMIT_INCREASE_SERVICE_CODE], language: 'en' }));
      categories = out.services?.find((s) => s.code === LIMIT_INCREASE_SERVICE_CODE)?.categories ?? [];
    } catch (err) {
      throw translateAwsError(err, action);
    }
    for (let m: CategoryMatch | undefined = match; m; m = m.otherwise) {
      const found = pick(m, categories);
      if (found) return found;
    }
    throw new CategoryNotFoundError(match.codes[0] ?? '', categories.map((c) => `${c.code} (${c.name})`));
  }

  async createCase(input: NewCase): Promise<string> {
    try {
      const out = await this.writes.send(
        new CreateCaseCommand({
          subject: input.subject,
          communicationBody: input.body,
          serviceCode: LIMIT_INCREASE_SERVICE_CODE,
          categoryCode: input.categoryCode,
          severityCode: input.severityCode,
          language: input.language,
          ...(input.issueType ? { issueType: input.issueType } : {}),
        }),
      );
      if (!out.caseId) throw new Error('CreateCase answered without a caseId');
      return out.caseId;
    } catch (err) {
      throw translateAwsError(err, 'support:CreateCase');
    }
  }

  /** Looks cases up by id, resolved ones included (a case the bot tracks may have been resolved). */
  async describeCases(caseIds: string[], includeCommunications = true): Promise<SupportCase[]> {
    try {
      const out = await this.reads.send(
        new DescribeCasesCommand({ caseIdList: caseIds, includeResolvedCases: true, includeCommunications }),
      );
      return (out.cases ?? []).map(toCase);
    } catch (err) {
      throw translateAwsError(err, 'support:DescribeCases');
    }
  }

  /**
   * Finds the cases filed for requests by the references written into their subjects and
   * bodies, among the cases created since `since`: one paged DescribeCases for all of them,
   * at most REFERENCE_LOOKUP_MAX_PAGES pages. Throws when AWS cannot be asked.
   */
  async findCasesByReferences(references: string[], since: Date): Promise<ReferenceLookup> {
    const found = new Map<string, string>();
    let nextToken: string | undefined;
    let pages = 0;
    do {
      let out;
      try {
        out = await this.reads.send(
          new DescribeCasesCommand({
            afterTime: since.toISOString(),
            includeResolvedCases: true,
            includeCommunications: true,
            maxResults: 100,
            nextToken,
          }),
        );
      } catch (err) {
        throw translateAwsError(err, 'support:DescribeCases');
      }
      pages += 1;
      for (const c of (out.cases ?? []).map(toCase)) {
        const bodies = c.recentCommunications.map((m) => m.body);
        for (const reference of references) {
          if (!found.has(reference) && isCaseFor(reference, { subject: c.subject, bodies })) found.set(reference, c.caseId);
        }
      }
      nextToken = out.nextToken;
    } while (nextToken && found.size < references.length && pages < REFERENCE_LOOKUP_MAX_PAGES);
    return { found, complete: !nextToken || found.size === references.length };
  }

  /**
   * Communications of a case created after `afterTime` (all when undefined), oldest first,
   * following every page.
   */
  async describeCommunications(caseId: string, afterTime: string | undefined): Promise<CaseCommunication[]> {
    const out: CaseCommunication[] = [];
    let nextToken: string | undefined;
    do {
      let page;
      try {
        page = await this.reads.send(new DescribeCommunicationsCommand({ caseId, afterTime, maxResults: 100, nextToken }));
      } catch (err) {
        throw translateAwsError(err, 'support:DescribeCommunications');
      }
      out.push(...(page.communications ?? []).map(toCommunication));
      nextToken = page.nextToken;
    } while (nextToken);
    // ISO 8601 times in one format: their code-unit order is their time order.
    return out.sort((a, b) => (a.timeCreated < b.timeCreated ? -1 : a.timeCreated > b.timeCreated ? 1 : 0));
  }

  /** Sends a communication on a case, once (no SDK retries: a repeat would be a second message). */
  async addCommunication(caseId: string, body: string): Promise<void> {
    try {
      await this.writes.send(new AddCommunicationToCaseCommand({ caseId, communicationBody: body }));
    } catch (err) {
      throw translateAwsError(err, 'support:AddCommunicationToCase');
    }
  }

  async resolveCase(caseId: string): Promise<string | undefined> {
    try {
      const out = await this.writes.send(new ResolveCaseCommand({ caseId }));
      return out.finalCaseStatus;
    } catch (err) {
      throw translateAwsError(err, 'support:ResolveCase');
    }
  }

  destroy(): void {
    this.reads.destroy();
    this.writes.destroy();
  }
}

/** The category a match names among those AWS offers: by a known code first, then by name. */
function pick(match: CategoryMatch, categories: { code?: string; name?: string }[]): Category | undefined {
  for (const code of match.codes) {
    const c = categories.find((c) => c.code === code);
    if (c) return { code, name: c.name || code };
  }
  const byName = categories.find((c) => c.code && c.name && match.name.test(c.name));
  return byName ? { code: byName.code!, name: byName.name! } : undefined;
}

export class CategoryNotFoundError extends Error {
  constructor(readonly wanted: string, readonly offered: string[]) {
    super(
      `AWS Support offers no "${wanted}" category under Service Limit Increase (offered: ${offered.join(', ') || 'none'}). Set the category code in the bot's configuration.`,
    );
    this.name = 'CategoryNotFoundError';
  }
}

function toCase(c: CaseDetails): SupportCase {
  return {
    caseId: c.caseId ?? '',
    displayId: c.displayId,
    subject: c.subject,
    status: c.status,
    timeCreated: c.timeCreated,
    recentCommunications: (c.recentCommunications?.communications ?? []).map(toCommunication),
    moreCommunications: Boolean(c.recentCommunications?.nextToken),
  };
}

function toCommunication(m: SdkCommunication): CaseCommunication {
  return {
    body: m.body ?? '',
    submittedBy: m.submittedBy ?? '',
    timeCreated: m.timeCreated ?? '',
    attachments: (m.attachmentSet ?? []).map((a) => a.fileName ?? a.attachmentId ?? 'attachment'),
  };
}
