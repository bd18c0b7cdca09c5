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
import { translateAwsError } from './errors.js';
import { CallSpacer } from './rate-limiter.js';

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
}

// throwOnRequestTimeout: without it the SDK only logs a slow answer instead of failing the call.
const TIMEOUTS = { requestTimeout: 15_000, connectionTimeout: 5_000, throwOnRequestTimeout: true };

/** The Support API allows 5 calls a second per account. */
export const SUPPORT_CALLS_PER_SECOND = 5;

export class SupportGateway {
  // The Support API has one commercial endpoint, signed for us-east-1, whatever AWS_REGION says.
  private readonly reads = new SupportClient({ region: 'us-east-1', maxAttempts: 4, requestHandler: TIMEOUTS });
  private readonly writes = new SupportClient({ region: 'us-east-1', maxAttempts: 1, requestHandler: TIMEOUTS });
  private readonly categoryCache = new Map<string, Promise<string>>();
  private readonly spacer = new CallSpacer(SUPPORT_CALLS_PER_SECOND);
  /** Support API calls sent (each attempt), for the sync's accounting and the benchmark. */
  callCount = 0;

  constructor() {
    for (const client of [this.reads, this.writes]) {
      // After the SDK's retry step, so that every attempt waits for its slot.
      client.middlewareStack.add(
        (next) => async (args) => {
          await this.spacer.take();
          this.callCount += 1;
          return next(args);
        },
        { step: 'finalizeRequest', priority: 'low', name: 'supportCallSpacing' },
      );
    }
  }

  /** Finds the Support category for a kind of SES limit request, once per process. */
  resolveCategoryCode(match: CategoryMatch): Promise<string> {
    const key = match.codes.join(',');
    let cached = this.categoryCache.get(key);
    if (!cached) {
      cached = this.lookUpCategory(match);
      this.categoryCache.set(key, cached);
      // A failed lookup is not cached: the next filing asks again.
      cached.catch(() => this.categoryCache.delete(key));
    }
    return cached;
  }

  private async lookUpCategory(match: CategoryMatch): Promise<string> {
    const action = 'support:DescribeServices';
    let categories: { code?: string; name?: string }[];
    try {
      const out = await this.reads.send(new DescribeServicesCommand({ serviceCodeList: [LIMIT_INCREASE_SERVICE_CODE], language: 'en' }));
      categories = out.services?.find((s) => s.code === LIMIT_INCREASE_SERVICE_CODE)?.categories ?? [];
    } catch (err) {
      throw translateAwsError(err, action);
    }
    const byCode = match.codes.find((code) => categories.some((c) => c.code === code));
    if (byCode) return byCode;
    const byName = categories.find((c) => c.name && match.name.test(c.name))?.code;
    if (byName) return byName;
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
   * Finds the case filed for a request by the reference written into its subject and body,
   * among the cases created since `since`. Answers undefined only when AWS said it has none.
   */
  async findCaseByReference(reference: string, since: Date): Promise<SupportCase | undefined> {
    let nextToken: string | undefined;
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
      const found = (out.cases ?? []).map(toCase).find((c) => isCaseFor(reference, { subject: c.subject, bodies: c.recentCommunications.map((m) => m.body) }));
      if (found) return found;
      nextToken = out.nextToken;
    } while (nextToken);
    return undefined;
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
    return out.sort((a, b) => a.timeCreated.localeCompare(b.timeCreated));
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
