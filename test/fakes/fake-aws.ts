// Fake AWS Support (JSON 1.1, `X-Amz-Target`) and SESv2 (REST-JSON under /v2/email) on one
// HTTP server. Tests point AWS_ENDPOINT_URL_SUPPORT / AWS_ENDPOINT_URL_SESV2 (or a client's
// `endpoint`) at `url`, so the real SDK clients sign, serialise and parse errors as in production.
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { describeFn, FaultQueue, LocalServer, pollUntil, readBody, sendJson } from './http-util.js';

// Inputs are whatever the SDK serialised; tests index into them freely.
export type AwsInput = Record<string, any>;

export interface AwsCall {
  service: 'support' | 'sesv2';
  operation: string;
  /** From the SigV4 credential scope; '' when the request was not signed. */
  region: string;
  input: AwsInput;
  at: number;
  /** Set when an injected error answered this call. */
  fault?: AwsFault;
}

export interface AwsFault {
  /** HTTP status; defaults from `type` (404 NotFoundException, 429 TooManyRequestsException, 500 InternalServerError, else 400). */
  status?: number;
  /** Error name as the SDK will surface it in `err.name`. */
  type?: string;
  message?: string;
  /** How many calls this fault answers (default 1). The SDK's own retries each count. */
  times?: number;
  delayMs?: number;
  /** Perform the operation first (e.g. the case is created), then delay and/or answer the error. */
  afterHandling?: boolean;
}

export interface SupportCategory {
  code: string;
  name: string;
}
export interface SupportService {
  code: string;
  name: string;
  categories: SupportCategory[];
}

export interface FakeCommunication {
  caseId: string;
  body: string;
  submittedBy: string;
  timeCreated: string;
  attachmentSet: { attachmentId: string; fileName: string }[];
}

export interface FakeCase {
  caseId: string;
  displayId: string;
  subject: string;
  status: string;
  serviceCode?: string;
  categoryCode?: string;
  severityCode?: string;
  issueType?: string;
  language: string;
  ccEmailAddresses: string[];
  attachmentSetId?: string;
  submittedBy: string;
  timeCreated: string;
  /** Oldest first, as added; the API answers newest first. */
  communications: FakeCommunication[];
}

export interface SesSendQuota {
  Max24HourSend: number;
  MaxSendRate: number;
  SentLast24Hours: number;
}
export interface SesAccount {
  SendQuota: SesSendQuota;
  ProductionAccessEnabled: boolean;
  SendingEnabled: boolean;
  EnforcementStatus: string;
  DedicatedIpAutoWarmupEnabled: boolean;
  Details?: AwsInput;
}
export type SesAccountPatch = Partial<Omit<SesAccount, 'SendQuota'>> & { SendQuota?: Partial<SesSendQuota> };

export interface FakeIpPool {
  name: string;
  scalingMode: 'STANDARD' | 'MANAGED';
  ips: { ip: string; warmupStatus: 'IN_PROGRESS' | 'DONE' | 'NOT_APPLICABLE'; warmupPercentage: number }[];
}

/** An AWS error as a handler raises it; encoded per protocol by the router. */
class AwsError extends Error {
  constructor(readonly type: string, message: string, readonly status = defaultStatus(type)) {
    super(message);
  }
}

// As the SDK models declare them; Support (JSON 1.1) sends ThrottlingException as a 400.
function defaultStatus(type: string): number {
  if (type === 'NotFoundException') return 404;
  if (type === 'TooManyRequestsException') return 429;
  if (type === 'InternalServerError' || type === 'InternalFailure') return 500;
  return 400;
}

export function defaultSupportCatalogue(): SupportService[] {
  return [
    {
      code: 'service-limit-increase',
      name: 'Service Limit Increase',
      categories: [
        { code: 'ses-sending-quota', name: 'SES Sending Limits' },
        { code: 'ses-dedicated-ip', name: 'SES Dedicated IP' },
        { code: 'ses-production-access', name: 'SES Production Access' },
      ],
    },
    {
      code: 'amazon-simple-email-service',
      name: 'Simple Email Service (SES)',
      categories: [{ code: 'general-guidance', name: 'General Guidance' }],
    },
    {
      code: 'amazon-elastic-compute-cloud-linux',
      name: 'Elastic Compute Cloud (EC2 - Linux)',
      categories: [{ code: 'instance-issue', name: 'Instance Issue' }],
    },
  ];
}

const SEVERITIES = new Set(['low', 'normal', 'high', 'urgent', 'critical']);
const MAX_BODY = 8000;

export class FakeAws {
  readonly calls: AwsCall[] = [];
  /** Support cases by caseId; tests may edit them directly. */
  readonly cases = new Map<string, FakeCase>();
  /** DescribeServices catalogue; replace or edit freely. */
  services: SupportService[] = defaultSupportCatalogue();
  /** submittedBy of the case and of communications the app adds. */
  customerIdentity = 'ses-bot (Role) <ops@example.com>';
  accountId = '123456789012';
  /** CreateCase answers CaseCreationLimitExceeded beyond this many cases per hour (as AWS does). */
  caseCreationLimitPerHour = 10;
  /** Largest SESv2 page the fake returns, whatever PageSize asks, so tests exercise NextToken. */
  pageSize = 2;
  /** Clock for timeCreated and the hourly limit. */
  now: () => Date = () => new Date();

  private readonly server = new LocalServer('FakeAws', (req, res) => this.route(req, res));
  private readonly faults = new FaultQueue<AwsFault>();
  private readonly accounts = new Map<string, SesAccount>();
  private readonly ipPools = new Map<string, FakeIpPool[]>();
  private displaySeq = 0;
  private commSeq = 0;
  private readonly commOrder = new WeakMap<FakeCommunication, number>();
  private readonly createdViaApi: number[] = [];

  start(): Promise<void> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  get url(): string {
    return this.server.origin;
  }

  /** Queue a fault for the next call(s) to `operation` (e.g. 'CreateCase', 'GetAccount'). */
  inject(operation: string, fault: AwsFault): void {
    this.faults.add(operation, fault);
  }

  pendingFaults(): { key: string; fault: AwsFault; left: number }[] {
    return this.faults.pending();
  }

  callsTo(operation: string): AwsCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  waitFor<T>(fn: () => T | undefined | false, timeoutMs = 5000, what = describeFn(fn)): Promise<T> {
    return pollUntil(fn, timeoutMs, what, () => {
      const seen = this.calls.map((c) => `${c.operation}@${c.region}${c.fault ? ' [fault]' : ''}`);
      return `AWS calls so far: ${seen.join(', ') || '(none)'}`;
    });
  }

  waitForCall(operation: string, predicate: (call: AwsCall) => boolean = () => true, timeoutMs = 5000): Promise<AwsCall> {
    const what = `a ${operation} call${predicate.length > 0 ? ` matching ${describeFn(predicate)}` : ''}`;
    return this.waitFor(() => this.calls.find((c) => c.operation === operation && predicate(c)), timeoutMs, what);
  }

  // ---- test-side helpers: Support ------------------------------------------

  /** Put a case in place without the API's validation or hourly limit. */
  seedCase(fields: Partial<Omit<FakeCase, 'communications'>> & { subject: string; body?: string }): FakeCase {
    const { body, ...rest } = fields;
    const c = this.newCase(rest);
    if (body !== undefined) this.appendCommunication(c, body, c.submittedBy, c.timeCreated, []);
    return c;
  }

  addCommunication(
    caseId: string,
    comm: { body: string; submittedBy?: string; timeCreated?: string; attachmentSet?: FakeCommunication['attachmentSet'] },
  ): FakeCommunication {
    const c = this.mustCase(caseId);
    return this.appendCommunication(
      c,
      comm.body,
      comm.submittedBy ?? 'Amazon Web Services',
      comm.timeCreated ?? this.now().toISOString(),
      comm.attachmentSet ?? [],
    );
  }

  setStatus(caseId: string, status: string): void {
    this.mustCase(caseId).status = status;
  }

  /** The case the app most recently created (or seeded). */
  latestCase(): FakeCase | undefined {
    return [...this.cases.values()].at(-1);
  }

  // ---- test-side helpers: SESv2 --------------------------------------------

  setAccount(region: string, patch: SesAccountPatch): void {
    const current = this.account(region);
    this.accounts.set(region, { ...current, ...patch, SendQuota: { ...current.SendQuota, ...patch.SendQuota } });
  }

  account(region: string): SesAccount {
    return (
      this.accounts.get(region) ?? {
        // A new account in the sandbox.
        SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 },
        ProductionAccessEnabled: false,
        SendingEnabled: true,
        EnforcementStatus: 'HEALTHY',
        DedicatedIpAutoWarmupEnabled: false,
      }
    );
  }

  setDedicatedIps(region: string, pools: FakeIpPool[]): void {
    this.ipPools.set(region, pools);
  }

  // ---- HTTP ----------------------------------------------------------------

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    const region = /Credential=[^/]+\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const target = req.headers['x-amz-target'];

    let service: AwsCall['service'];
    let operation: string;
    let input: AwsInput;
    if (req.method === 'POST' && typeof target === 'string' && target.startsWith('AWSSupport_20130415.')) {
      service = 'support';
      operation = target.slice('AWSSupport_20130415.'.length);
      input = raw ? (JSON.parse(raw) as AwsInput) : {};
    } else if (url.pathname.startsWith('/v2/email/')) {
      service = 'sesv2';
      ({ operation, input } = sesOperation(req.method ?? 'GET', url));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`FakeAws: no route for ${req.method} ${url.pathname}`);
      return;
    }

    const call: AwsCall = { service, operation, region, input, at: Date.now() };
    this.calls.push(call);
    const reply = (status: number, body: unknown) => this.reply(res, service, status, body);
    const fail = (err: AwsError) => {
      const body = service === 'support' ? { __type: err.type, message: err.message } : { message: err.message };
      this.reply(res, service, err.status, body, err.type);
    };

    const fault = this.faults.take(operation);
    const faultError = fault && (fault.type !== undefined || fault.status !== undefined) ? faultToError(fault, service) : undefined;
    if (faultError) call.fault = fault;

    if (fault && !fault.afterHandling) {
      if (fault.delayMs) await this.server.sleep(fault.delayMs);
      if (faultError) return fail(faultError);
    }
    let result: unknown;
    try {
      result = service === 'support' ? this.support(operation, input) : this.sesv2(operation, input, region);
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      return fail(err);
    }
    if (fault?.afterHandling) {
      if (fault.delayMs) await this.server.sleep(fault.delayMs);
      if (faultError) return fail(faultError);
    }
    reply(200, result);
  }

  private reply(res: http.ServerResponse, service: AwsCall['service'], status: number, body: unknown, errorType?: string): void {
    if (res.destroyed) return; // the client gave up (e.g. its timeout during an injected delay)
    const headers: Record<string, string> = { 'x-amzn-requestid': randomBytes(16).toString('hex') };
    if (service === 'support') {
      headers['content-type'] = 'application/x-amz-json-1.1';
    } else if (errorType) {
      headers['x-amzn-errortype'] = errorType;
    }
    sendJson(res, status, body, headers);
  }

  // ---- Support -------------------------------------------------------------

  private support(operation: string, input: AwsInput): unknown {
    switch (operation) {
      case 'DescribeServices':
        return this.describeServices(input);
      case 'CreateCase':
        return this.createCase(input);
      case 'DescribeCases':
        return this.describeCases(input);
      case 'DescribeCommunications':
        return this.describeCommunications(input);
      case 'AddCommunicationToCase':
        return this.addCommunicationToCase(input);
      case 'ResolveCase':
        return this.resolveCase(input);
      default:
        throw new AwsError('UnknownOperationException', `FakeAws does not model Support ${operation}`);
    }
  }

  private describeServices(input: AwsInput): unknown {
    const wanted = input.serviceCodeList as string[] | undefined;
    const services = wanted?.length ? this.services.filter((s) => wanted.includes(s.code)) : this.services;
    return { services: structuredClone(services) };
  }

  private createCase(input: AwsInput): unknown {
    requireText('subject', input.subject, 1, 255);
    requireText('communicationBody', input.communicationBody, 1, MAX_BODY);
    if (input.severityCode !== undefined && !SEVERITIES.has(input.severityCode)) {
      throw validation(`Value '${input.severityCode}' at 'severityCode' failed to satisfy constraint: Member must be one of ${[...SEVERITIES].join(', ')}`);
    }
    if (Array.isArray(input.ccEmailAddresses) && input.ccEmailAddresses.length > 10) {
      throw validation(`Value at 'ccEmailAddresses' failed to satisfy constraint: Member must have length less than or equal to 10`);
    }
    const hourAgo = this.now().getTime() - 3_600_000;
    const lastHour = this.createdViaApi.filter((t) => t > hourAgo).length;
    if (lastHour >= this.caseCreationLimitPerHour) {
      throw new AwsError('CaseCreationLimitExceeded', `You have exceeded your limit of ${this.caseCreationLimitPerHour} cases per hour.`);
    }
    const c = this.newCase({
      subject: input.subject,
      serviceCode: input.serviceCode,
      categoryCode: input.categoryCode,
      severityCode: input.severityCode ?? 'low',
      issueType: input.issueType ?? 'technical',
      language: input.language ?? 'en',
      ccEmailAddresses: input.ccEmailAddresses ?? [],
      attachmentSetId: input.attachmentSetId,
    });
    this.createdViaApi.push(this.now().getTime());
    this.appendCommunication(c, input.communicationBody, c.submittedBy, c.timeCreated, []);
    return { caseId: c.caseId };
  }

  private describeCases(input: AwsInput): unknown {
    const ids = input.caseIdList as string[] | undefined;
    if (ids && ids.length > 100) {
      throw validation(`Value at 'caseIdList' failed to satisfy constraint: Member must have length less than or equal to 100`);
    }
    const maxResults = pageLimit(input.maxResults, 100);
    const after = timeParam('afterTime', input.afterTime);
    const before = timeParam('beforeTime', input.beforeTime);
    for (const id of ids ?? []) if (!this.cases.has(id)) throw caseNotFound(id);

    const matching = [...this.cases.values()]
      .filter((c) => !ids?.length || ids.includes(c.caseId))
      .filter((c) => input.displayId === undefined || c.displayId === input.displayId)
      .filter((c) => input.includeResolvedCases === true || c.status !== 'resolved')
      .filter((c) => inWindow(c.timeCreated, after, before))
      .sort((a, b) => b.timeCreated.localeCompare(a.timeCreated));

    const start = readToken(input.nextToken, 'cases');
    const page = matching.slice(start, start + maxResults);
    const cases = page.map((c) => {
      const out: AwsInput = {
        caseId: c.caseId,
        displayId: c.displayId,
        subject: c.subject,
        status: c.status,
        serviceCode: c.serviceCode,
        categoryCode: c.categoryCode,
        severityCode: c.severityCode,
        submittedBy: c.submittedBy,
        timeCreated: c.timeCreated,
        language: c.language,
        ccEmailAddresses: [...c.ccEmailAddresses],
      };
      if (input.includeCommunications !== false) {
        // Five newest, with a token DescribeCommunications accepts to continue.
        const comms = this.newestFirst(c);
        out.recentCommunications = {
          communications: comms.slice(0, 5).map(cloneComm),
          ...(comms.length > 5 ? { nextToken: makeToken(`comms:${c.caseId}`, 5) } : {}),
        };
      }
      return out;
    });
    const next = start + maxResults < matching.length ? makeToken('cases', start + maxResults) : undefined;
    return { cases, ...(next ? { nextToken: next } : {}) };
  }

  private describeCommunications(input: AwsInput): unknown {
    const c = this.cases.get(input.caseId);
    if (!c) throw caseNotFound(input.caseId);
    const maxResults = pageLimit(input.maxResults, 100);
    const after = timeParam('afterTime', input.afterTime);
    const before = timeParam('beforeTime', input.beforeTime);
    const matching = this.newestFirst(c).filter((m) => inWindow(m.timeCreated, after, before));
    const start = readToken(input.nextToken, `comms:${c.caseId}`);
    const communications = matching.slice(start, start + maxResults).map(cloneComm);
    const next = start + maxResults < matching.length ? makeToken(`comms:${c.caseId}`, start + maxResults) : undefined;
    return { communications, ...(next ? { nextToken: next } : {}) };
  }

  private addCommunicationToCase(input: AwsInput): unknown {
    const c = this.cases.get(input.caseId);
    if (!c) throw caseNotFound(input.caseId);
    requireText('communicationBody', input.communicationBody, 1, MAX_BODY);
    this.appendCommunication(c, input.communicationBody, this.customerIdentity, this.now().toISOString(), []);
    // Assumed from Support Center behaviour: a customer reply reopens / hands the case back to AWS.
    if (c.status === 'resolved') c.status = 'reopened';
    else if (c.status === 'pending-customer-action') c.status = 'customer-action-completed';
    return { result: true };
  }

  private resolveCase(input: AwsInput): unknown {
    const c = this.cases.get(input.caseId);
    if (!c) throw caseNotFound(input.caseId);
    const initialCaseStatus = c.status;
    c.status = 'resolved';
    return { initialCaseStatus, finalCaseStatus: 'resolved' };
  }

  private newCase(fields: Partial<Omit<FakeCase, 'communications'>> & { subject: string }): FakeCase {
    const created = fields.timeCreated ?? this.now().toISOString();
    const caseId = fields.caseId ?? `case-${this.accountId}-${created.slice(0, 4)}-${randomBytes(8).toString('hex')}`;
    const c: FakeCase = {
      status: 'opened',
      language: 'en',
      ccEmailAddresses: [],
      submittedBy: this.customerIdentity,
      ...fields,
      caseId,
      displayId: fields.displayId ?? String(17_000_000_000 + ++this.displaySeq),
      timeCreated: created,
      communications: [],
    };
    this.cases.set(caseId, c);
    return c;
  }

  private appendCommunication(
    c: FakeCase,
    body: string,
    submittedBy: string,
    timeCreated: string,
    attachmentSet: FakeCommunication['attachmentSet'],
  ): FakeCommunication {
    const comm: FakeCommunication = { caseId: c.caseId, body, submittedBy, timeCreated, attachmentSet };
    this.commOrder.set(comm, ++this.commSeq);
    c.communications.push(comm);
    return comm;
  }

  private newestFirst(c: FakeCase): FakeCommunication[] {
    const order = (m: FakeCommunication) => this.commOrder.get(m) ?? 0;
    return [...c.communications].sort((a, b) => b.timeCreated.localeCompare(a.timeCreated) || order(b) - order(a));
  }

  private mustCase(caseId: string): FakeCase {
    const c = this.cases.get(caseId);
    if (!c) throw new Error(`FakeAws has no case ${caseId}; known: ${[...this.cases.keys()].join(', ') || '(none)'}`);
    return c;
  }

  // ---- SESv2 ---------------------------------------------------------------

  private sesv2(operation: string, input: AwsInput, region: string): unknown {
    const pools = this.ipPools.get(region) ?? [];
    switch (operation) {
      case 'GetAccount':
        return structuredClone(this.account(region));
      case 'ListDedicatedIpPools':
        return this.sesPage(pools.map((p) => p.name), input, 'DedicatedIpPools');
      case 'GetDedicatedIpPool': {
        const pool = pools.find((p) => p.name === input.PoolName);
        if (!pool) throw new AwsError('NotFoundException', `Pool ${input.PoolName} does not exist.`);
        return { DedicatedIpPool: { PoolName: pool.name, ScalingMode: pool.scalingMode } };
      }
      case 'GetDedicatedIps': {
        const selected = input.PoolName === undefined ? pools : pools.filter((p) => p.name === input.PoolName);
        if (input.PoolName !== undefined && selected.length === 0) {
          throw new AwsError('NotFoundException', `Pool ${input.PoolName} does not exist.`);
        }
        const ips = selected.flatMap((p) =>
          p.ips.map((i) => ({ Ip: i.ip, WarmupStatus: i.warmupStatus, WarmupPercentage: i.warmupPercentage, PoolName: p.name })),
        );
        return this.sesPage(ips, input, 'DedicatedIps');
      }
      default:
        throw new AwsError('NotFoundException', `FakeAws does not model SESv2 ${operation}`);
    }
  }

  private sesPage<T>(items: T[], input: AwsInput, key: string): unknown {
    const size = Math.min(Number(input.PageSize ?? this.pageSize), this.pageSize);
    let start = 0;
    if (input.NextToken !== undefined) {
      try {
        start = readToken(input.NextToken, key);
      } catch {
        throw new AwsError('BadRequestException', 'Invalid NextToken.');
      }
    }
    const next = start + size < items.length ? makeToken(key, start + size) : undefined;
    return { [key]: items.slice(start, start + size), ...(next ? { NextToken: next } : {}) };
  }
}

/** SESv2 REST routes the fake models; anything else is reported under `METHOD /path`. */
function sesOperation(method: string, url: URL): { operation: string; input: AwsInput } {
  const input: AwsInput = Object.fromEntries(url.searchParams);
  if (input.PageSize !== undefined) input.PageSize = Number(input.PageSize);
  const path = url.pathname;
  if (method === 'GET' && path === '/v2/email/account') return { operation: 'GetAccount', input };
  if (method === 'GET' && path === '/v2/email/dedicated-ip-pools') return { operation: 'ListDedicatedIpPools', input };
  if (method === 'GET' && path === '/v2/email/dedicated-ips') return { operation: 'GetDedicatedIps', input };
  const pool = /^\/v2\/email\/dedicated-ip-pools\/([^/]+)$/.exec(path);
  if (method === 'GET' && pool?.[1]) {
    return { operation: 'GetDedicatedIpPool', input: { ...input, PoolName: decodeURIComponent(pool[1]) } };
  }
  return { operation: `${method} ${path}`, input };
}

function faultToError(fault: AwsFault, service: AwsCall['service']): AwsError {
  let type = fault.type;
  if (type === undefined) {
    const status = fault.status ?? 400;
    if (status >= 500) type = 'InternalServerError';
    else if (status === 429) type = service === 'support' ? 'ThrottlingException' : 'TooManyRequestsException';
    else type = service === 'support' ? 'ValidationException' : 'BadRequestException';
  }
  return new AwsError(type, fault.message ?? `Injected ${type}`, fault.status ?? defaultStatus(type));
}

function validation(detail: string): AwsError {
  return new AwsError('ValidationException', `1 validation error detected: ${detail}`);
}

function caseNotFound(caseId: unknown): AwsError {
  return new AwsError('CaseIdNotFound', `Invalid case ID: ${String(caseId)}`);
}

function requireText(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'string' || value.length < min) {
    throw validation(`Value at '${name}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`);
  }
  if (value.length > max) {
    throw validation(`Value at '${name}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  }
}

function pageLimit(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || value < 10 || value > 100) {
    throw validation(`Value '${String(value)}' at 'maxResults' failed to satisfy constraint: Member must have value between 10 and 100`);
  }
  return value;
}

function timeParam(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const t = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(t)) throw validation(`Value '${String(value)}' at '${name}' is not an ISO 8601 time`);
  return t;
}

function inWindow(time: string, after: number | undefined, before: number | undefined): boolean {
  const t = Date.parse(time);
  return (after === undefined || t >= after) && (before === undefined || t <= before);
}

// Paging tokens are opaque to the app; they name what they page so a token cannot be misused.
function makeToken(kind: string, offset: number): string {
  return Buffer.from(JSON.stringify({ kind, offset })).toString('base64url');
}

function readToken(token: unknown, kind: string): number {
  if (token === undefined) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as { kind?: string; offset?: number };
    if (parsed.kind === kind && typeof parsed.offset === 'number') return parsed.offset;
  } catch {
    // fall through
  }
  throw validation(`Invalid nextToken for ${kind}`);
}

function cloneComm(m: FakeCommunication): FakeCommunication {
  return { ...m, attachmentSet: m.attachmentSet.map((a) => ({ ...a })) };
}
