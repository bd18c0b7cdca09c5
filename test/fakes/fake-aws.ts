// Fake AWS Support (JSON 1.1, `X-Amz-Target: AWSSupport_20130415.*`), Service Quotas (JSON 1.1,
// `X-Amz-Target: ServiceQuotasV20190624.*`), SESv2 (REST-JSON under /v2/email), STS (Query:
// form-encoded POST `Action=…&Version=2011-06-15`, XML answers) and SQS (JSON 1.0,
// `X-Amz-Target: AmazonSQS.*`, AWS-query-compatible errors) on one HTTP server. Tests point
// AWS_ENDPOINT_URL_SUPPORT / AWS_ENDPOINT_URL_SERVICE_QUOTAS / AWS_ENDPOINT_URL_SESV2 /
// AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL_SQS (or a client's `endpoint`) at `url`, so the real SDK clients sign,
// serialise and parse errors as in production. Service Quotas and SESv2 are per region: the
// region is the one the client signed for (its SigV4 credential scope).
//
// Accounts: every call is recorded with the access key id that signed it and the account that key
// belongs to. Keys handed out by STS AssumeRole belong to the assumed role's account (see addRole);
// any other key (the tests' long-term keys) belongs to `accountId`. The fake checks that a
// temporary key comes with its session token and is not expired, as AWS does, but it does not
// verify signatures. Each account has its own Support cases (and hourly case limit), its own SESv2
// account and dedicated IPs per region and its own Service Quotas catalogue and requests per
// region: a call reads and writes the signer's account's only (an unsigned call, which the fake
// still lets through to these services, acts in `accountId`). Another account's case or quota
// request is answered exactly as an unknown id is. The test-side helpers take an optional last
// `accountId` (default: `accountId`, the long-term keys' account).
//
// SQS: queues are made by the test (createQueue), each in one account; a call may only use its
// signer's account's queues (another account's queue: AccessDenied, as without a queue policy).
// Long polls (WaitTimeSeconds) hold the answer until a message is visible or the wait ends; a
// message sent meanwhile (sendToQueue, emitSupportEvent, SendMessage, a visibility change) answers
// them at once. Visibility timeouts run on the real clock (Date.now), not on `now`.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type http from 'node:http';
import { describeFn, FaultQueue, LocalServer, pollUntil, readBody, sendJson } from './http-util.js';

// Inputs are whatever the SDK serialised; tests index into them freely.
export type AwsInput = Record<string, any>;

/** The services an account's role is given permissions for (docs/iam-policy.json). */
export type AwsService = 'support' | 'sesv2' | 'servicequotas' | 'sqs';

interface RecordedCallFields {
  operation: string;
  /** From the SigV4 credential scope; '' when the request was not signed. */
  region: string;
  /** The access key id of the SigV4 credential scope; '' when the request was not signed. */
  accessKeyId: string;
  /** The account `accessKeyId` belongs to (see FakeAws.accountOf); undefined when unsigned or unknown. */
  accountId?: string;
  input: AwsInput;
  at: number;
  /** Set when an injected error answered this call. */
  fault?: AwsFault;
  /**
   * Set when the fake refused the call's credentials before handling it: 'invalid' (a temporary
   * key the fake never issued, or with the wrong session token), 'expired' (a temporary key past
   * its Expiration), 'missing' (an unsigned STS call).
   */
  credentialError?: 'invalid' | 'expired' | 'missing';
}

/** A call to Support, SESv2, Service Quotas or SQS (what an account's credentials did). */
export interface AwsCall extends RecordedCallFields {
  service: AwsService;
}

/**
 * A call to STS. Kept apart from `calls` (in `stsCalls`) because STS is authorised by the bot's
 * own principal and the roles' trust policies, not by the permissions policy `calls` is checked
 * against; callsTo, callsBy, waitFor and waitForCall see both.
 */
export interface StsCall extends RecordedCallFields {
  service: 'sts';
}

export type RecordedCall = AwsCall | StsCall;

/** A role STS AssumeRole may hand credentials for (FakeAws.addRole); edit the live object freely. */
export interface FakeRole {
  roleArn: string;
  /** The role's account: the account of every key issued for it. */
  accountId: string;
  /** When set, AssumeRole must pass exactly this ExternalId, else AccessDenied. */
  externalId?: string;
  /** When set, every AssumeRole of this role is refused with this error code (e.g. 'AccessDenied'). */
  refuse?: string;
  /** The role's MaxSessionDuration (seconds, AWS's default 3600): a longer DurationSeconds is a ValidationError. */
  maxSessionDuration: number;
}

/** Temporary credentials the fake handed out (live; tests may e.g. move `expiration`). */
export interface FakeIssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ISO 8601, as AssumeRole answered it. */
  expiration: string;
  accountId: string;
  roleArn: string;
  roleSessionName: string;
  /** AssumedRoleUser.Arn: arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION. */
  assumedRoleArn: string;
  /** AssumedRoleUser.AssumedRoleId: AROA…:SESSION. */
  assumedRoleId: string;
  externalId?: string;
}

export interface AwsFault {
  /**
   * HTTP status; defaults from `type` as the service's SDK model declares it (Support and SESv2:
   * 404 NotFoundException, 409 ConflictException, 429 TooManyRequestsException, 500
   * InternalServerError, else 400; Service Quotas: see SERVICE_QUOTAS_ERROR_STATUS; SQS: see
   * SQS_ERRORS).
   */
  status?: number;
  /**
   * Error name as the SDK will surface it in `err.name`. Unset: from `status` (≥ 500
   * InternalServerError, or ServiceException for Service Quotas; 429 ThrottlingException for
   * Support, else TooManyRequestsException; otherwise ValidationException for Support,
   * IllegalArgumentException for Service Quotas, BadRequestException for SESv2). SQS: InternalFailure
   * (500), ServiceUnavailable (503), AccessDenied (403), RequestThrottled (429), else
   * InvalidParameterValue; an SQS type may also be given as its AWS query code (e.g.
   * 'AWS.SimpleQueueService.NonExistentQueue').
   */
  type?: string;
  message?: string;
  /** How many calls this fault answers (default 1). The SDK's own retries each count. */
  times?: number;
  delayMs?: number;
  /** Perform the operation first (e.g. the case is created), then delay and/or answer the error. */
  afterHandling?: boolean;
  /**
   * Answer nothing: close the connection instead (after `delayMs`). With `afterHandling`, the
   * call takes effect and its answer is lost on the way back, as when a network path drops.
   */
  dropConnection?: boolean;
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
  /** The account the case belongs to: only calls signed with that account's keys see it. */
  accountId: string;
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

/** RequestedQuota.Status as Service Quotas reports it. */
export type FakeQuotaStatus = 'PENDING' | 'CASE_OPENED' | 'APPROVED' | 'DENIED' | 'NOT_APPROVED' | 'CASE_CLOSED' | 'INVALID_REQUEST';

/** One quota of a region's Service Quotas catalogue for SES; tests may edit it. */
export interface FakeQuota {
  code: string;
  name: string;
  value: number;
  adjustable: boolean;
}

/** A quota increase request as the fake keeps it (the wire form has epoch-second times). */
export interface FakeQuotaRequest {
  id: string;
  /** The account the request was made in: only calls signed with that account's keys see it. */
  accountId: string;
  region: string;
  serviceCode: string;
  quotaCode: string;
  quotaName: string;
  desiredValue: number;
  status: FakeQuotaStatus;
  /** The Support case opened for it (openQuotaCase); unset before, as AWS sends none. */
  caseId?: string;
  supportCaseAllowed: boolean;
  /** ISO 8601. */
  created: string;
  lastUpdated: string;
}

/** Details.ReviewDetails.Status of GetAccount: a production access review. */
export type FakeReviewStatus = 'PENDING' | 'FAILED' | 'GRANTED' | 'DENIED';

/** A message in a fake SQS queue (live; the wire form is built from it). */
export interface FakeSqsMessage {
  id: string;
  body: string;
  /** Hex MD5 of the UTF-8 body (MD5OfBody; the SDK checks it). */
  md5: string;
  /** Epoch ms (SentTimestamp). */
  sentAt: number;
  /** ApproximateReceiveCount: how many times ReceiveMessage handed it out. */
  receiveCount: number;
  /** Epoch ms from which it is visible again; ≤ Date.now() means visible. */
  visibleAt: number;
  /** The receipt handle of its latest receive (only that one deletes it). */
  receiptHandle?: string;
  /** Epoch ms (ApproximateFirstReceiveTimestamp). */
  firstReceivedAt?: number;
}

/** A queue's redrive policy, as the RedrivePolicy attribute carries it (JSON). */
export interface FakeRedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** A fake SQS queue (live; tests may read or edit it through sqsQueue). */
export interface FakeSqsQueue {
  url: string;
  name: string;
  accountId: string;
  region: string;
  arn: string;
  /** Seconds; fractions are a fake-only convenience for fast tests (AWS takes whole seconds). */
  visibilityTimeoutSeconds: number;
  redrivePolicy?: FakeRedrivePolicy;
  /** Messages not deleted (visible and in flight), oldest first. */
  messages: FakeSqsMessage[];
  /** Messages DeleteMessage(Batch) removed. */
  deleted: number;
  /** Deletes with a superseded receipt handle: answered with success, the message left in place (as AWS says it may). */
  staleDeletes: number;
  /** Messages moved to the dead-letter queue (or dropped, when it is not in the fake). */
  deadLettered: number;
  /** Epoch ms. */
  createdAt: number;
}

/** What queueState reports of a queue. */
export interface FakeQueueState {
  visible: number;
  inFlight: number;
  deleted: number;
  staleDeletes: number;
  deadLettered: number;
  messages: { id: string; body: string; receiveCount: number; visible: boolean }[];
}

export type SupportEventName = 'CreateCase' | 'AddCommunicationToCase' | 'ResolveCase' | 'ReopenCase';

/** What emitSupportEvent puts in a `Support Case Update` event. */
export interface FakeSupportEvent {
  caseId: string;
  /** Default: the case's displayId when the fake knows the case, else ''. */
  displayId?: string;
  eventName: SupportEventName;
  /** AddCommunicationToCase only (default 'AWS'); other events carry origin '' as AWS's do. */
  origin?: 'AWS' | 'CUSTOMER';
  /** Default: a new id for AddCommunicationToCase, '' for the other events (as AWS's examples show). */
  communicationId?: string;
  /** The event's account. Default: the account the case belongs to, or `accountId`. */
  account?: string;
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
  if (type === 'ConflictException') return 409; // SESv2
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

/** Each Service Quotas error's HTTP status, as @aws-sdk/client-service-quotas' model declares it. */
const SERVICE_QUOTAS_ERROR_STATUS: Record<string, number> = {
  AccessDeniedException: 403,
  AWSServiceAccessNotEnabledException: 403,
  DependencyAccessDeniedException: 403,
  IllegalArgumentException: 400,
  InvalidPaginationTokenException: 400,
  InvalidResourceStateException: 405,
  NoSuchResourceException: 404,
  QuotaExceededException: 409,
  ResourceAlreadyExistsException: 400,
  ServiceException: 500,
  TooManyRequestsException: 429,
};

function serviceQuotasError(type: string, message: string): AwsError {
  return new AwsError(type, message, SERVICE_QUOTAS_ERROR_STATUS[type] ?? 400);
}

/**
 * Each STS error code's HTTP status: those @aws-sdk/client-sts' model declares, and the common
 * Query errors AWS sends without modelling them. Others: 400.
 */
const STS_ERROR_STATUS: Record<string, number> = {
  AccessDenied: 403,
  ExpiredTokenException: 400,
  IDPRejectedClaim: 403,
  InvalidClientTokenId: 403,
  MissingAuthenticationToken: 403,
  RegionDisabledException: 403,
  SessionDurationEscalationException: 403,
  InternalFailure: 500,
  ServiceUnavailable: 503,
};

function stsError(type: string, message: string): AwsError {
  return new AwsError(type, message, STS_ERROR_STATUS[type] ?? 400);
}

/**
 * SQS errors by the name the SDK surfaces (err.name): the AWS query code SQS sends in the
 * `x-amzn-query-error: CODE;Sender|Receiver` header (the SDK is awsQueryCompatible and names the
 * error from it), the HTTP status and the body's `__type` shape id. The modelled ones as
 * @aws-sdk/client-sqs' model declares them (`com.amazonaws.sqs#NAME`); AccessDenied, InternalFailure,
 * ServiceUnavailable, InvalidParameterValue, MissingParameter and the credential errors are common
 * errors no model declares: their `__type` shapes are assumptions (the SDK names them from the
 * header's code whatever the shape).
 */
const SQS_ERRORS: Record<string, { code: string; status: number; shape?: string }> = {
  BatchEntryIdsNotDistinct: { code: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', status: 400 },
  BatchRequestTooLong: { code: 'AWS.SimpleQueueService.BatchRequestTooLong', status: 400 },
  EmptyBatchRequest: { code: 'AWS.SimpleQueueService.EmptyBatchRequest', status: 400 },
  InvalidAddress: { code: 'InvalidAddress', status: 404 },
  InvalidAttributeName: { code: 'InvalidAttributeName', status: 400 },
  InvalidAttributeValue: { code: 'InvalidAttributeValue', status: 400 },
  InvalidBatchEntryId: { code: 'AWS.SimpleQueueService.InvalidBatchEntryId', status: 400 },
  InvalidIdFormat: { code: 'InvalidIdFormat', status: 400 },
  InvalidMessageContents: { code: 'InvalidMessageContents', status: 400 },
  InvalidSecurity: { code: 'InvalidSecurity', status: 403 },
  MessageNotInflight: { code: 'AWS.SimpleQueueService.MessageNotInflight', status: 400 },
  OverLimit: { code: 'OverLimit', status: 403 },
  PurgeQueueInProgress: { code: 'AWS.SimpleQueueService.PurgeQueueInProgress', status: 403 },
  QueueDeletedRecently: { code: 'AWS.SimpleQueueService.QueueDeletedRecently', status: 400 },
  QueueDoesNotExist: { code: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 },
  QueueNameExists: { code: 'QueueAlreadyExists', status: 400 },
  ReceiptHandleIsInvalid: { code: 'ReceiptHandleIsInvalid', status: 404 },
  RequestThrottled: { code: 'RequestThrottled', status: 403 },
  ResourceNotFoundException: { code: 'ResourceNotFoundException', status: 404 },
  TooManyEntriesInBatchRequest: { code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', status: 400 },
  UnsupportedOperation: { code: 'AWS.SimpleQueueService.UnsupportedOperation', status: 400 },
  AccessDenied: { code: 'AccessDenied', status: 403, shape: 'com.amazon.coral.service#AccessDeniedException' },
  InternalFailure: { code: 'InternalFailure', status: 500, shape: 'com.amazon.coral.service#InternalFailure' },
  ServiceUnavailable: { code: 'ServiceUnavailable', status: 503, shape: 'com.amazon.coral.service#ServiceUnavailableException' },
  InvalidParameterValue: { code: 'InvalidParameterValue', status: 400, shape: 'com.amazon.coral.validate#ValidationException' },
  MissingParameter: { code: 'MissingParameter', status: 400, shape: 'com.amazon.coral.validate#ValidationException' },
  InvalidClientTokenId: { code: 'InvalidClientTokenId', status: 403, shape: 'com.amazon.coral.service#UnrecognizedClientException' },
  ExpiredToken: { code: 'ExpiredToken', status: 403, shape: 'com.amazon.coral.service#ExpiredTokenException' },
};

/** An SQS error by its SDK name or its query code; `status` overrides the table's. */
function sqsError(type: string, message: string, status?: number): AwsError {
  const name = SQS_ERRORS[type] ? type : (Object.keys(SQS_ERRORS).find((k) => SQS_ERRORS[k]!.code === type) ?? type);
  return new AwsError(name, message, status ?? SQS_ERRORS[name]?.status ?? 400);
}

/** The JSON 1.0 body and the query-compatibility header of an SQS error. */
function sqsWireError(err: AwsError): { body: AwsInput; header: string } {
  const known = SQS_ERRORS[err.type];
  return {
    body: { __type: known?.shape ?? `com.amazonaws.sqs#${err.type}`, message: err.message },
    header: `${known?.code ?? err.type};${err.status >= 500 ? 'Receiver' : 'Sender'}`,
  };
}

function sqsInvalid(parameter: string, value: unknown, reason: string): AwsError {
  return sqsError('InvalidParameterValue', `Value ${String(value)} for parameter ${parameter} is invalid. Reason: ${reason}.`);
}

const SQS_TARGET = 'AmazonSQS.';
/** The region of queues createQueue makes unless told otherwise (and of the Support events, always us-east-1). */
const SQS_DEFAULT_REGION = 'us-east-1';
/** AWS's bounds for ReceiveMessage and the queue attributes the fake models. */
const SQS_MAX_WAIT_SECONDS = 20;
const SQS_MAX_MESSAGES = 10;
const SQS_MAX_VISIBILITY_SECONDS = 43_200;
const SQS_MAX_BODY_BYTES = 262_144;
const SQS_RETENTION_SECONDS = 345_600;
/** Message system attributes ReceiveMessage can return (of those the fake keeps). */
const SQS_MESSAGE_ATTRIBUTES = ['ApproximateReceiveCount', 'SentTimestamp', 'ApproximateFirstReceiveTimestamp', 'SenderId'];
const SQS_QUEUE_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'DelaySeconds',
  'LastModifiedTimestamp',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'QueueArn',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
  'VisibilityTimeout',
];

const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const STS_VERSION = '2011-06-15';
/** AWS's own bounds for AssumeRole's DurationSeconds. */
const MIN_ROLE_DURATION = 900;
const MAX_ROLE_DURATION = 43_200;

const SERVICE_QUOTAS_TARGET = 'ServiceQuotasV20190624.';
const SES_SERVICE_CODE = 'ses';
const SES_SERVICE_NAME = 'Amazon Simple Email Service (Amazon SES)';
/** Service Quotas' upper bound for DesiredValue. */
const MAX_DESIRED_VALUE = 10_000_000_000;
/** Statuses of a request still open: another for the same quota is refused meanwhile. */
const OPEN_QUOTA_STATUSES: ReadonlySet<string> = new Set(['PENDING', 'CASE_OPENED']);

/**
 * A region's SES quotas in Service Quotas, with a new account's values (the sandbox's 200 a day,
 * 1 a second). The two sending quotas are real codes; the others only make ListServiceQuotas
 * span pages (their codes are made up), and come first so that a search by name has to page.
 */
export function defaultSesQuotas(): FakeQuota[] {
  return [
    { code: 'L-FAKE0001', name: 'Configuration sets per AWS Region', value: 10_000, adjustable: false },
    { code: 'L-FAKE0002', name: 'Dedicated IP pools per AWS Region', value: 50, adjustable: true },
    { code: 'L-FAKE0003', name: 'Verified identities per AWS Region', value: 10_000, adjustable: true },
    { code: 'L-804C8AE8', name: 'Sending quota', value: 200, adjustable: true },
    { code: 'L-CDEF9B6B', name: 'Sending rate', value: 1, adjustable: true },
  ];
}

const SEVERITIES = new Set(['low', 'normal', 'high', 'urgent', 'critical']);
const MAX_BODY = 8000;

export class FakeAws {
  /** Calls to Support, SESv2 and Service Quotas, oldest first. */
  readonly calls: AwsCall[] = [];
  /** Calls to STS, oldest first. */
  readonly stsCalls: StsCall[] = [];
  /** Support cases by caseId; tests may edit them directly. */
  readonly cases = new Map<string, FakeCase>();
  /** DescribeServices catalogue; replace or edit freely. */
  services: SupportService[] = defaultSupportCatalogue();
  /** submittedBy of the case and of communications the app adds. */
  customerIdentity = 'ses-bot (Role) <ops@example.com>';
  /** The account of the tests' long-term keys (any key the fake's STS did not issue). */
  accountId = '123456789012';
  /** IAM user of the long-term keys, as GetCallerIdentity names it (arn:aws:iam::accountId:user/NAME). */
  baseUserName = 'ses-support-bot';
  /**
   * Upper bound on the lifetime of credentials AssumeRole hands out: Expiration is now +
   * min(DurationSeconds ?? 3600, credentialLifetimeSeconds). Set it small to exercise refreshes
   * (the SDK treats credentials as expired 5 minutes before their Expiration).
   */
  credentialLifetimeSeconds = 3600;
  /** Refuse calls signed with an issued key past its Expiration (ExpiredTokenException), as AWS does. */
  enforceCredentialExpiry = true;
  /** CreateCase answers CaseCreationLimitExceeded beyond this many cases per hour (as AWS does). */
  caseCreationLimitPerHour = 10;
  /** Largest SESv2 page the fake returns, whatever PageSize asks, so tests exercise NextToken. */
  pageSize = 2;
  /** "basic": the account has no paid support plan, and every Support API call is refused. */
  supportPlan: 'basic' | 'business' = 'business';
  /** Largest Service Quotas page (ListServiceQuotas, the histories), whatever MaxResults asks. */
  serviceQuotasPageSize = 2;
  /** Clock for timeCreated and the hourly limit. */
  now: () => Date = () => new Date();

  private readonly server = new LocalServer('FakeAws', (req, res) => this.route(req, res));
  private readonly faults = new FaultQueue<AwsFault>();
  /** SESv2 account state by accountRegion(account, region). */
  private readonly accounts = new Map<string, SesAccount>();
  /** Dedicated IP pools by accountRegion(account, region). */
  private readonly ipPools = new Map<string, FakeIpPool[]>();
  /** Service Quotas' SES catalogue by accountRegion(account, region), created with defaultSesQuotas() when first used. */
  private readonly quotaCatalogues = new Map<string, FakeQuota[]>();
  /** Every quota increase request, all accounts and regions, oldest first. */
  private readonly quotaChanges: FakeQuotaRequest[] = [];
  private displaySeq = 0;
  private commSeq = 0;
  private readonly commOrder = new WeakMap<FakeCommunication, number>();
  /** Times of the cases CreateCase created, by account (the hourly limit is each account's). */
  private readonly createdViaApi = new Map<string, number[]>();
  /** Every recorded call, STS or not, in arrival order. */
  private readonly log: RecordedCall[] = [];
  private readonly roles = new Map<string, FakeRole>();
  private readonly issued = new Map<string, FakeIssuedCredentials>();
  private keySeq = 0;
  /** SQS queues by queueKey(accountId, name). */
  private readonly queues = new Map<string, FakeSqsQueue>();
  /** Every receipt handle handed out, with its queue and message (kept after a delete: a late delete still succeeds, as on AWS). */
  private readonly receipts = new Map<string, { queue: FakeSqsQueue; message: FakeSqsMessage }>();
  /** Wakers of the pending long polls: each makes its ReceiveMessage look at its queue (and its faults) again. */
  private readonly pollers = new Set<() => void>();
  /** Bumped by stop(): a long poll of an earlier generation answers at once, empty. */
  private sqsGeneration = 0;

  start(): Promise<void> {
    return this.server.start();
  }

  /** Stops the server; pending SQS long polls answer at once (empty) first, and hold nothing open. */
  stop(): Promise<void> {
    this.sqsGeneration += 1;
    this.wakePollers();
    return this.server.stop();
  }

  get url(): string {
    return this.server.origin;
  }

  /**
   * Queue a fault for the next call(s) to `operation` (e.g. 'CreateCase', 'GetAccount',
   * 'ReceiveMessage'). A ReceiveMessage long poll already waiting takes an error fault at once
   * (one without `afterHandling`), as a failing queue would answer it.
   */
  inject(operation: string, fault: AwsFault): void {
    this.faults.add(operation, fault);
    this.wakePollers();
  }

  pendingFaults(): { key: string; fault: AwsFault; left: number }[] {
    return this.faults.pending();
  }

  /** Forget the faults injected but not yet used (everything else stays). */
  clearFaults(): void {
    this.faults.clear();
  }

  /** Calls to `operation` (any service, STS included), oldest first. */
  callsTo(operation: string): RecordedCall[] {
    return this.log.filter((c) => c.operation === operation);
  }

  /** Calls (any service, STS included) signed with a key of `accountId`, oldest first. */
  callsBy(accountId: string): RecordedCall[] {
    return this.log.filter((c) => c.accountId === accountId);
  }

  waitFor<T>(fn: () => T | undefined | false, timeoutMs = 5000, what = describeFn(fn)): Promise<T> {
    return pollUntil(fn, timeoutMs, what, () => {
      const seen = this.log.map(
        (c) => `${c.operation}@${c.region}${c.accountId ? ` by ${c.accountId}` : ''}${c.fault ? ' [fault]' : ''}${c.credentialError ? ` [${c.credentialError} credentials]` : ''}`,
      );
      return `AWS calls so far: ${seen.join(', ') || '(none)'}`;
    });
  }

  waitForCall(operation: string, predicate: (call: RecordedCall) => boolean = () => true, timeoutMs = 5000): Promise<RecordedCall> {
    const what = `a ${operation} call${predicate.length > 0 ? ` matching ${describeFn(predicate)}` : ''}`;
    return this.waitFor(() => this.log.find((c) => c.operation === operation && predicate(c)), timeoutMs, what);
  }

  // ---- test-side helpers: STS and accounts ---------------------------------

  /**
   * Lets AssumeRole hand out credentials for `roleArn`. `accountId` defaults to the one in the
   * ARN (arn:aws:iam::ACCOUNT:role/NAME). Registering the same ARN again replaces the role.
   */
  addRole(role: { roleArn: string; accountId?: string; externalId?: string; refuse?: string; maxSessionDuration?: number }): FakeRole {
    const accountId = role.accountId ?? /^arn:aws[\w-]*:iam::(\d{12}):role\//.exec(role.roleArn)?.[1];
    if (!accountId) throw new Error(`FakeAws.addRole: no account id given and none in ${role.roleArn}`);
    const stored: FakeRole = { ...role, accountId, maxSessionDuration: role.maxSessionDuration ?? 3600 };
    this.roles.set(role.roleArn, stored);
    return stored;
  }

  /** A role added with addRole (the live object). */
  role(roleArn: string): FakeRole {
    const role = this.roles.get(roleArn);
    if (!role) throw new Error(`FakeAws has no role ${roleArn}; known: ${[...this.roles.keys()].join(', ') || '(none)'}`);
    return role;
  }

  /**
   * The account an access key id belongs to: the assumed role's for a key AssumeRole issued,
   * undefined for '' (unsigned) and for any other ASIA… (temporary) key, `accountId` otherwise.
   */
  accountOf(accessKeyId: string): string | undefined {
    if (!accessKeyId) return undefined;
    const issued = this.issued.get(accessKeyId);
    if (issued) return issued.accountId;
    return accessKeyId.startsWith('ASIA') ? undefined : this.accountId;
  }

  /** Credentials AssumeRole handed out, oldest first, optionally only those of one account (live objects). */
  issuedCredentials(accountId?: string): FakeIssuedCredentials[] {
    return [...this.issued.values()].filter((c) => accountId === undefined || c.accountId === accountId);
  }

  // ---- test-side helpers: Support ------------------------------------------

  /** Put a case in place without the API's validation or hourly limit; in `fields.accountId` (default `accountId`). */
  seedCase(fields: Partial<Omit<FakeCase, 'communications'>> & { subject: string; body?: string }): FakeCase {
    const { body, accountId, ...rest } = fields;
    const c = this.newCase(rest, accountId ?? this.accountId);
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

  /** The case the app most recently created (or seeded), of any account or of `accountId` only. */
  latestCase(accountId?: string): FakeCase | undefined {
    return [...this.cases.values()].filter((c) => accountId === undefined || c.accountId === accountId).at(-1);
  }

  // ---- test-side helpers: SESv2 --------------------------------------------

  setAccount(region: string, patch: SesAccountPatch, accountId = this.accountId): void {
    const current = this.account(region, accountId);
    this.accounts.set(accountRegion(accountId, region), { ...current, ...patch, SendQuota: { ...current.SendQuota, ...patch.SendQuota } });
  }

  /** The account's SESv2 state in `region`, as GetAccount answers it. */
  account(region: string, accountId = this.accountId): SesAccount {
    return (
      this.accounts.get(accountRegion(accountId, region)) ?? {
        // A new account in the sandbox.
        SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 },
        ProductionAccessEnabled: false,
        SendingEnabled: true,
        EnforcementStatus: 'HEALTHY',
        DedicatedIpAutoWarmupEnabled: false,
      }
    );
  }

  setDedicatedIps(region: string, pools: FakeIpPool[], accountId = this.accountId): void {
    this.ipPools.set(accountRegion(accountId, region), pools);
  }

  /** The account's dedicated IP pools in `region` (live objects). */
  dedicatedIps(region: string, accountId = this.accountId): FakeIpPool[] {
    return this.ipPools.get(accountRegion(accountId, region)) ?? [];
  }

  // ---- test-side helpers: production access (SESv2 PutAccountDetails) ------

  /**
   * Sets the region's production access review to `status`, opening one (with its Support case,
   * as AWS does) if the region has none. GRANTED also gives the region production access.
   */
  setReviewStatus(region: string, status: FakeReviewStatus, accountId = this.accountId): FakeCase {
    const account = this.account(region, accountId);
    let review = account.Details?.ReviewDetails as { Status: string; CaseId: string } | undefined;
    if (!review) review = this.openReview(region, accountId);
    const Details = { ...account.Details, ReviewDetails: { ...review, Status: status } };
    this.setAccount(region, { Details, ...(status === 'GRANTED' ? { ProductionAccessEnabled: true } : {}) }, accountId);
    return this.mustCase(review.CaseId);
  }

  /** The region's production access review, as GetAccount reports it, if one was opened. */
  review(region: string, accountId = this.accountId): { Status: FakeReviewStatus; CaseId: string } | undefined {
    const review = this.account(region, accountId).Details?.ReviewDetails as { Status: FakeReviewStatus; CaseId: string } | undefined;
    return review ? { ...review } : undefined;
  }

  // ---- test-side helpers: Service Quotas -----------------------------------

  /** The region's SES quotas in Service Quotas (live objects: editing one edits the fake). */
  quotas(region: string, accountId = this.accountId): FakeQuota[] {
    const key = accountRegion(accountId, region);
    let catalogue = this.quotaCatalogues.get(key);
    if (!catalogue) {
      catalogue = defaultSesQuotas();
      this.quotaCatalogues.set(key, catalogue);
    }
    return catalogue;
  }

  /** Sets a quota's current value in a region (GetServiceQuota's Value; DesiredValue must exceed it). */
  setQuotaValue(region: string, quotaCode: string, value: number, accountId = this.accountId): void {
    this.mustQuota(region, quotaCode, accountId).value = value;
  }

  /**
   * Makes `quotaCode` unknown in `region`: GetServiceQuota and RequestServiceQuotaIncrease answer
   * NoSuchResourceException for it. With `newCode` the quota lives on under that code (same name,
   * value and place in ListServiceQuotas), so it can be found by name; without, it is gone.
   */
  makeQuotaCodeUnknown(region: string, quotaCode: string, newCode?: string, accountId = this.accountId): void {
    const catalogue = this.quotas(region, accountId);
    const at = catalogue.findIndex((q) => q.code === quotaCode);
    if (at < 0) throw new Error(`FakeAws has no quota ${quotaCode} in ${region} of ${accountId}`);
    if (newCode === undefined) catalogue.splice(at, 1);
    else catalogue[at]!.code = newCode;
  }

  /** Quota increase requests made (or seeded), oldest first, of every account unless `filter.accountId`; live objects. */
  quotaRequests(filter: { accountId?: string; region?: string; quotaCode?: string; status?: FakeQuotaStatus } = {}): FakeQuotaRequest[] {
    return this.quotaChanges.filter(
      (r) =>
        (filter.accountId === undefined || r.accountId === filter.accountId) &&
        (filter.region === undefined || r.region === filter.region) &&
        (filter.quotaCode === undefined || r.quotaCode === filter.quotaCode) &&
        (filter.status === undefined || r.status === filter.status),
    );
  }

  /** One quota increase request by id, whatever its account. */
  quotaRequest(id: string): FakeQuotaRequest {
    const r = this.quotaChanges.find((q) => q.id === id);
    if (!r) throw new Error(`FakeAws has no quota request ${id}; known: ${this.quotaChanges.map((q) => q.id).join(', ') || '(none)'}`);
    return r;
  }

  /**
   * Puts a quota increase request in place without the API's checks, e.g. one made in the
   * console. `quotaCode` must be in the account's catalogue for the region.
   */
  seedQuotaRequest(
    region: string,
    fields: { quotaCode: string; desiredValue: number; status?: FakeQuotaStatus; caseId?: string; created?: string; lastUpdated?: string },
    accountId = this.accountId,
  ): FakeQuotaRequest {
    const quota = this.mustQuota(region, fields.quotaCode, accountId);
    const created = fields.created ?? this.now().toISOString();
    const r: FakeQuotaRequest = {
      id: newQuotaRequestId(),
      accountId,
      region,
      serviceCode: SES_SERVICE_CODE,
      quotaCode: quota.code,
      quotaName: quota.name,
      desiredValue: fields.desiredValue,
      status: fields.status ?? 'PENDING',
      supportCaseAllowed: true,
      created,
      lastUpdated: fields.lastUpdated ?? created,
      ...(fields.caseId !== undefined ? { caseId: fields.caseId } : {}),
    };
    this.quotaChanges.push(r);
    return r;
  }

  /** Moves a request to `status` (LastUpdated: now), as AWS's review would. */
  setQuotaRequestStatus(id: string, status: FakeQuotaStatus): FakeQuotaRequest {
    const r = this.quotaRequest(id);
    r.status = status;
    r.lastUpdated = this.now().toISOString();
    return r;
  }

  /**
   * AWS opens a Support case for a request: a case of the request's account in the fake's case
   * store (followed like any other), its id in the request's CaseId, and the status CASE_OPENED if
   * it was PENDING.
   */
  openQuotaCase(id: string, opts: { body?: string } = {}): FakeCase {
    const r = this.quotaRequest(id);
    if (r.caseId) return this.mustCase(r.caseId);
    const c = this.newCase(
      {
        subject: `Service Quotas: increase ${r.quotaName} (${r.quotaCode}) in ${r.region} to ${r.desiredValue}`,
        serviceCode: 'service-limit-increase',
        categoryCode: 'ses-sending-quota',
        severityCode: 'low',
      },
      r.accountId,
    );
    this.appendCommunication(
      c,
      opts.body ??
        [`Service: ${SES_SERVICE_NAME}`, `Region: ${r.region}`, `Quota name: ${r.quotaName}`, `Quota code: ${r.quotaCode}`, `Requested value: ${r.desiredValue}`, `Request ID: ${r.id}`].join('\n'),
      'Amazon Web Services',
      c.timeCreated,
      [],
    );
    r.caseId = c.caseId;
    if (r.status === 'PENDING') r.status = 'CASE_OPENED';
    r.lastUpdated = this.now().toISOString();
    return c;
  }

  // ---- test-side helpers: SQS ---------------------------------------------

  /**
   * Makes a queue (replacing one of the same name in the account) and returns its URL,
   * `${url}/${accountId}/${name}`: what the SDK sends as QueueUrl. `redrivePolicy` names its
   * dead-letter queue by ARN (queueArn of another queue; without such a queue in the fake, a
   * message past maxReceiveCount is dropped).
   */
  createQueue(
    name: string,
    opts: { accountId?: string; region?: string; visibilityTimeoutSeconds?: number; redrivePolicy?: FakeRedrivePolicy } = {},
  ): string {
    if (!/^[\w-]{1,80}$/.test(name)) throw new Error(`FakeAws.createQueue: ${JSON.stringify(name)} is not a queue name SQS accepts`);
    const accountId = opts.accountId ?? this.accountId;
    const region = opts.region ?? SQS_DEFAULT_REGION;
    const queue: FakeSqsQueue = {
      url: `${this.url}/${accountId}/${name}`,
      name,
      accountId,
      region,
      arn: `arn:aws:sqs:${region}:${accountId}:${name}`,
      visibilityTimeoutSeconds: opts.visibilityTimeoutSeconds ?? 30,
      ...(opts.redrivePolicy ? { redrivePolicy: { ...opts.redrivePolicy } } : {}),
      messages: [],
      deleted: 0,
      staleDeletes: 0,
      deadLettered: 0,
      createdAt: Date.now(),
    };
    this.queues.set(queueKey(accountId, name), queue);
    return queue.url;
  }

  /** A queue createQueue made, by its URL (live object). */
  sqsQueue(queueUrl: string): FakeSqsQueue {
    const path = /^[a-z]+:\/\/[^/]+\/([^/]+)\/([^/?#]+)$/.exec(queueUrl);
    const queue = path ? this.queues.get(queueKey(path[1]!, path[2]!)) : undefined;
    if (!queue) throw new Error(`FakeAws has no queue ${queueUrl}; known: ${[...this.queues.values()].map((q) => q.url).join(', ') || '(none)'}`);
    return queue;
  }

  /** The queue's ARN (what a redrivePolicy's deadLetterTargetArn names). */
  queueArn(queueUrl: string): string {
    return this.sqsQueue(queueUrl).arn;
  }

  /** Puts a message in the queue, as a producer's SendMessage would, and wakes its long polls. Returns the MessageId. */
  sendToQueue(queueUrl: string, body: string): string {
    return this.enqueue(this.sqsQueue(queueUrl), body).id;
  }

  /**
   * Sends the `Support Case Update` event EventBridge would deliver for `event` to the queue (the
   * message body is the event's JSON, as AWS's examples show it: communication-id and origin are
   * '' unless the event is AddCommunicationToCase). Returns the MessageId.
   */
  emitSupportEvent(queueUrl: string, event: FakeSupportEvent): string {
    const known = this.cases.get(event.caseId);
    const communication = event.eventName === 'AddCommunicationToCase';
    const envelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Support Case Update',
      source: 'aws.support',
      account: event.account ?? known?.accountId ?? this.accountId,
      time: this.now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: 'us-east-1',
      resources: [],
      detail: {
        'case-id': event.caseId,
        'display-id': event.displayId ?? known?.displayId ?? '',
        'communication-id': event.communicationId ?? (communication ? `comm-${randomBytes(12).toString('hex')}` : ''),
        'event-name': event.eventName,
        origin: event.origin ?? (communication ? 'AWS' : ''),
      },
    };
    return this.sendToQueue(queueUrl, JSON.stringify(envelope));
  }

  /** The queue's messages now: visible, in flight (received, visibility timeout running), deleted so far. */
  queueState(queueUrl: string): FakeQueueState {
    const queue = this.sqsQueue(queueUrl);
    const now = Date.now();
    const messages = queue.messages.map((m) => ({ id: m.id, body: m.body, receiveCount: m.receiveCount, visible: m.visibleAt <= now }));
    return {
      visible: messages.filter((m) => m.visible).length,
      inFlight: messages.filter((m) => !m.visible).length,
      deleted: queue.deleted,
      staleDeletes: queue.staleDeletes,
      deadLettered: queue.deadLettered,
      messages,
    };
  }

  /** Ends every in-flight message's visibility timeout now (as if it ran out), waking the queue's long polls. */
  expireVisibility(queueUrl: string): void {
    const queue = this.sqsQueue(queueUrl);
    const now = Date.now();
    for (const m of queue.messages) if (m.visibleAt > now) m.visibleAt = now;
    this.wakePollers();
  }

  // ---- HTTP ----------------------------------------------------------------

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    // SigV4: `Credential=AKID/DATE/REGION/SERVICE/aws4_request`.
    const scope = /Credential=([^/,\s]+)\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '');
    const accessKeyId = scope?.[1] ?? '';
    const region = scope?.[2] ?? '';
    const target = req.headers['x-amz-target'];
    const contentType = String(req.headers['content-type'] ?? '');

    let service: RecordedCall['service'];
    let operation: string;
    let input: AwsInput;
    if (req.method === 'POST' && typeof target === 'string' && target.startsWith('AWSSupport_20130415.')) {
      service = 'support';
      operation = target.slice('AWSSupport_20130415.'.length);
      input = raw ? (JSON.parse(raw) as AwsInput) : {};
    } else if (req.method === 'POST' && typeof target === 'string' && target.startsWith(SERVICE_QUOTAS_TARGET)) {
      service = 'servicequotas';
      operation = target.slice(SERVICE_QUOTAS_TARGET.length);
      input = raw ? (JSON.parse(raw) as AwsInput) : {};
    } else if (req.method === 'POST' && typeof target === 'string' && target.startsWith(SQS_TARGET)) {
      service = 'sqs';
      operation = target.slice(SQS_TARGET.length);
      input = raw ? (JSON.parse(raw) as AwsInput) : {};
    } else if (req.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded') && new URLSearchParams(raw).has('Action')) {
      service = 'sts';
      ({ operation, input } = stsOperation(new URLSearchParams(raw)));
    } else if (url.pathname.startsWith('/v2/email/')) {
      service = 'sesv2';
      ({ operation, input } = sesOperation(req.method ?? 'GET', url, raw));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`FakeAws: no route for ${req.method} ${url.pathname}`);
      return;
    }

    const accountId = this.accountOf(accessKeyId);
    const call = { service, operation, region, accessKeyId, ...(accountId !== undefined ? { accountId } : {}), input, at: Date.now() } as RecordedCall;
    this.log.push(call);
    if (call.service === 'sts') this.stsCalls.push(call);
    else this.calls.push(call);
    const reply = (status: number, body: unknown) => this.reply(res, service, status, body);
    const fail = (err: AwsError) => {
      if (service === 'sts') return this.replyXml(res, err.status, stsErrorXml(err));
      // SQS (JSON 1.0, AWS-query-compatible): the shape in the body, the query code in a header.
      if (service === 'sqs') {
        const wire = sqsWireError(err);
        return this.reply(res, service, err.status, wire.body, undefined, { 'x-amzn-query-error': wire.header });
      }
      // JSON 1.1 (Support, Service Quotas) names the error in the body; REST-JSON in a header.
      const body = service === 'sesv2' ? { message: err.message } : { __type: err.type, message: err.message };
      this.reply(res, service, err.status, body, err.type);
    };

    // AWS authenticates before anything else: no fault, no handling for refused credentials.
    const sessionToken = req.headers['x-amz-security-token'];
    const credentialError = this.credentialProblem(service, accessKeyId, typeof sessionToken === 'string' ? sessionToken : undefined);
    if (credentialError) {
      call.credentialError = credentialError;
      return fail(credentialRefusal(service, credentialError));
    }

    const fault = this.faults.take(operation);
    const faultError = fault && (fault.type !== undefined || fault.status !== undefined) ? faultToError(fault, service) : undefined;
    if (faultError || fault?.dropConnection) call.fault = fault;
    const drop = () => {
      res.socket?.destroy();
      res.destroy();
    };

    if (fault && !fault.afterHandling) {
      if (fault.delayMs) await this.server.sleep(fault.delayMs);
      if (fault.dropConnection) return drop();
      if (faultError) return fail(faultError);
    }
    // The account whose data the call reads and writes; credentialProblem refused any other
    // unknown signer, so only an unsigned call has none (let through, as before STS was modelled).
    const actingAccount = accountId ?? this.accountId;
    let result: unknown;
    try {
      if (service === 'support') result = this.support(operation, input, actingAccount);
      else if (service === 'servicequotas') result = this.serviceQuotas(operation, input, region, actingAccount);
      else if (service === 'sts') result = this.sts(operation, input, accessKeyId);
      else if (service === 'sqs') {
        // A long poll looks for injected error faults whenever it wakes (inject wakes it).
        const takeFault = (): AwsError | undefined => {
          const late = this.faults.take(operation, (f) => !f.afterHandling && (f.type !== undefined || f.status !== undefined));
          if (late) call.fault = late;
          return late && faultToError(late, 'sqs');
        };
        result = await this.sqs(operation, input, actingAccount, res, takeFault);
      } else result = this.sesv2(operation, input, region, actingAccount);
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      return fail(err);
    }
    if (fault?.afterHandling) {
      if (fault.delayMs) await this.server.sleep(fault.delayMs);
      if (fault.dropConnection) return drop();
      if (faultError) return fail(faultError);
    }
    if (service === 'sts') return this.replyXml(res, 200, stsResultXml(operation, result as StsResult));
    reply(200, result);
  }

  /** Why the call's credentials are refused, if they are (see RecordedCallFields.credentialError). */
  private credentialProblem(service: RecordedCall['service'], accessKeyId: string, sessionToken: string | undefined): RecordedCall['credentialError'] {
    // Unsigned calls to the other services stay allowed, as before STS was modelled.
    if (!accessKeyId) return service === 'sts' ? 'missing' : undefined;
    const issued = this.issued.get(accessKeyId);
    if (!issued) return accessKeyId.startsWith('ASIA') ? 'invalid' : undefined;
    if (sessionToken !== issued.sessionToken) return 'invalid';
    if (this.enforceCredentialExpiry && this.now().getTime() >= Date.parse(issued.expiration)) return 'expired';
    return undefined;
  }

  private replyXml(res: http.ServerResponse, status: number, xml: string): void {
    if (res.destroyed) return;
    res.writeHead(status, {
      'content-type': 'text/xml',
      'content-length': Buffer.byteLength(xml),
      'x-amzn-requestid': randomUUID(),
    });
    res.end(xml);
  }

  // ---- STS -------------------------------------------------------------------

  private sts(operation: string, input: AwsInput, accessKeyId: string): StsResult {
    switch (operation) {
      case 'AssumeRole':
        return this.assumeRole(input, accessKeyId);
      case 'GetCallerIdentity':
        return this.callerIdentity(accessKeyId);
      default:
        throw stsError('InvalidAction', `Could not find operation ${operation} for version ${STS_VERSION}`);
    }
  }

  /** Who signed: the assumed role's session for an issued key, else the base IAM user. */
  private callerIdentity(accessKeyId: string): StsResult {
    const issued = this.issued.get(accessKeyId);
    if (issued) return { Arn: issued.assumedRoleArn, UserId: issued.assumedRoleId, Account: issued.accountId };
    return { Arn: this.baseArn(), UserId: `AIDA${fakeId(this.accountId, 16)}`, Account: this.accountId };
  }

  private baseArn(): string {
    return `arn:aws:iam::${this.accountId}:user/${this.baseUserName}`;
  }

  private assumeRole(input: AwsInput, accessKeyId: string): StsResult {
    const roleArn = input.RoleArn as unknown;
    const sessionName = input.RoleSessionName as unknown;
    const externalId = input.ExternalId as unknown;
    const duration = input.DurationSeconds as unknown;
    if (typeof roleArn !== 'string' || roleArn.length < 20 || roleArn.length > 2048) {
      throw stsError('ValidationError', "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20");
    }
    if (typeof sessionName !== 'string' || !/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw stsError('ValidationError', `1 validation error detected: Value '${String(sessionName)}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64`);
    }
    if (externalId !== undefined && (typeof externalId !== 'string' || !/^[\w+=,.@:/-]{2,1224}$/.test(externalId))) {
      throw stsError('ValidationError', `1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]* and have length between 2 and 1224`);
    }
    if (duration !== undefined && (typeof duration !== 'number' || !Number.isInteger(duration) || duration < MIN_ROLE_DURATION || duration > MAX_ROLE_DURATION)) {
      throw stsError('ValidationError', `1 validation error detected: Value '${String(duration)}' at 'durationSeconds' failed to satisfy constraint: Member must have value between ${MIN_ROLE_DURATION} and ${MAX_ROLE_DURATION}`);
    }
    const caller = this.callerIdentity(accessKeyId).Arn;
    const denied = () => stsError('AccessDenied', `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    const role = this.roles.get(roleArn);
    if (!role) throw denied();
    if (role.refuse) throw role.refuse === 'AccessDenied' ? denied() : stsError(role.refuse, `Injected ${role.refuse} for ${roleArn}`);
    if (role.externalId !== undefined && externalId !== role.externalId) throw denied();
    const seconds = (duration as number | undefined) ?? 3600;
    if (seconds > role.maxSessionDuration) {
      throw stsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    }
    const lifetime = Math.min(seconds, this.credentialLifetimeSeconds);
    const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
    const roleId = `AROA${fakeId(roleArn, 17)}`;
    this.keySeq += 1;
    const creds: FakeIssuedCredentials = {
      // 20 characters like AWS's (and like src/logger.ts' redaction expects): ASIA, the account, a counter.
      accessKeyId: `ASIA${role.accountId}${this.keySeq.toString(36).toUpperCase().padStart(4, '0')}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `FakeSessionToken/${randomBytes(48).toString('base64')}`,
      expiration: new Date(this.now().getTime() + lifetime * 1000).toISOString(),
      accountId: role.accountId,
      roleArn,
      roleSessionName: sessionName,
      assumedRoleArn: `arn:aws:sts::${role.accountId}:assumed-role/${roleName}/${sessionName}`,
      assumedRoleId: `${roleId}:${sessionName}`,
      ...(typeof externalId === 'string' ? { externalId } : {}),
    };
    this.issued.set(creds.accessKeyId, creds);
    return {
      Credentials: { AccessKeyId: creds.accessKeyId, SecretAccessKey: creds.secretAccessKey, SessionToken: creds.sessionToken, Expiration: creds.expiration },
      AssumedRoleUser: { Arn: creds.assumedRoleArn, AssumedRoleId: creds.assumedRoleId },
    };
  }

  private reply(
    res: http.ServerResponse,
    service: RecordedCall['service'],
    status: number,
    body: unknown,
    errorType?: string,
    extraHeaders: Record<string, string> = {},
  ): void {
    if (res.destroyed) return; // the client gave up (e.g. its timeout during an injected delay)
    const headers: Record<string, string> = { 'x-amzn-requestid': randomBytes(16).toString('hex'), ...extraHeaders };
    if (service === 'sqs') {
      headers['content-type'] = 'application/x-amz-json-1.0';
    } else if (service !== 'sesv2') {
      headers['content-type'] = 'application/x-amz-json-1.1';
    } else if (errorType) {
      headers['x-amzn-errortype'] = errorType;
    }
    sendJson(res, status, body, headers);
  }

  // ---- Support -------------------------------------------------------------

  private support(operation: string, input: AwsInput, accountId: string): unknown {
    // As AWS answers every Support API call from an account on the Basic or Developer plan.
    if (this.supportPlan === 'basic') {
      throw new AwsError('SubscriptionRequiredException', 'AWS Premium Support Subscription is required to use this service.');
    }
    switch (operation) {
      case 'DescribeServices':
        return this.describeServices(input);
      case 'CreateCase':
        return this.createCase(input, accountId);
      case 'DescribeCases':
        return this.describeCases(input, accountId);
      case 'DescribeCommunications':
        return this.describeCommunications(input, accountId);
      case 'AddCommunicationToCase':
        return this.addCommunicationToCase(input, accountId);
      case 'ResolveCase':
        return this.resolveCase(input, accountId);
      default:
        throw new AwsError('UnknownOperationException', `FakeAws does not model Support ${operation}`);
    }
  }

  private describeServices(input: AwsInput): unknown {
    const wanted = input.serviceCodeList as string[] | undefined;
    const services = wanted?.length ? this.services.filter((s) => wanted.includes(s.code)) : this.services;
    return { services: structuredClone(services) };
  }

  private createCase(input: AwsInput, accountId: string): unknown {
    requireText('subject', input.subject, 1, 255);
    requireText('communicationBody', input.communicationBody, 1, MAX_BODY);
    if (input.severityCode !== undefined && !SEVERITIES.has(input.severityCode)) {
      throw validation(`Value '${input.severityCode}' at 'severityCode' failed to satisfy constraint: Member must be one of ${[...SEVERITIES].join(', ')}`);
    }
    if (Array.isArray(input.ccEmailAddresses) && input.ccEmailAddresses.length > 10) {
      throw validation(`Value at 'ccEmailAddresses' failed to satisfy constraint: Member must have length less than or equal to 10`);
    }
    const hourAgo = this.now().getTime() - 3_600_000;
    let created = this.createdViaApi.get(accountId);
    if (!created) this.createdViaApi.set(accountId, (created = []));
    const lastHour = created.filter((t) => t > hourAgo).length;
    if (lastHour >= this.caseCreationLimitPerHour) {
      throw new AwsError('CaseCreationLimitExceeded', `You have exceeded your limit of ${this.caseCreationLimitPerHour} cases per hour.`);
    }
    const c = this.newCase(
      {
        subject: input.subject,
        serviceCode: input.serviceCode,
        categoryCode: input.categoryCode,
        severityCode: input.severityCode ?? 'low',
        issueType: input.issueType ?? 'technical',
        language: input.language ?? 'en',
        ccEmailAddresses: input.ccEmailAddresses ?? [],
        attachmentSetId: input.attachmentSetId,
      },
      accountId,
    );
    created.push(this.now().getTime());
    this.appendCommunication(c, input.communicationBody, c.submittedBy, c.timeCreated, []);
    return { caseId: c.caseId };
  }

  private describeCases(input: AwsInput, accountId: string): unknown {
    const ids = input.caseIdList as string[] | undefined;
    if (ids && ids.length > 100) {
      throw validation(`Value at 'caseIdList' failed to satisfy constraint: Member must have length less than or equal to 100`);
    }
    const maxResults = pageLimit(input.maxResults, 100);
    const after = timeParam('afterTime', input.afterTime);
    const before = timeParam('beforeTime', input.beforeTime);
    for (const id of ids ?? []) if (!this.caseOf(id, accountId)) throw caseNotFound(id);

    const matching = [...this.cases.values()]
      .filter((c) => c.accountId === accountId)
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

  private describeCommunications(input: AwsInput, accountId: string): unknown {
    const c = this.caseOf(input.caseId, accountId);
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

  private addCommunicationToCase(input: AwsInput, accountId: string): unknown {
    const c = this.caseOf(input.caseId, accountId);
    if (!c) throw caseNotFound(input.caseId);
    requireText('communicationBody', input.communicationBody, 1, MAX_BODY);
    this.appendCommunication(c, input.communicationBody, this.customerIdentity, this.now().toISOString(), []);
    // Assumed from Support Center behaviour: a customer reply reopens / hands the case back to AWS.
    if (c.status === 'resolved') c.status = 'reopened';
    else if (c.status === 'pending-customer-action') c.status = 'customer-action-completed';
    return { result: true };
  }

  private resolveCase(input: AwsInput, accountId: string): unknown {
    const c = this.caseOf(input.caseId, accountId);
    if (!c) throw caseNotFound(input.caseId);
    const initialCaseStatus = c.status;
    c.status = 'resolved';
    return { initialCaseStatus, finalCaseStatus: 'resolved' };
  }

  /** The case `caseId` as the API shows it to `accountId`: undefined if unknown or another account's. */
  private caseOf(caseId: unknown, accountId: string): FakeCase | undefined {
    const c = typeof caseId === 'string' ? this.cases.get(caseId) : undefined;
    return c?.accountId === accountId ? c : undefined;
  }

  private newCase(fields: Partial<Omit<FakeCase, 'communications' | 'accountId'>> & { subject: string }, accountId: string): FakeCase {
    const created = fields.timeCreated ?? this.now().toISOString();
    const caseId = fields.caseId ?? `case-${accountId}-${created.slice(0, 4)}-${randomBytes(8).toString('hex')}`;
    const c: FakeCase = {
      status: 'opened',
      language: 'en',
      ccEmailAddresses: [],
      submittedBy: this.customerIdentity,
      ...fields,
      accountId,
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

  // ---- Service Quotas ------------------------------------------------------

  private serviceQuotas(operation: string, input: AwsInput, region: string, accountId: string): unknown {
    switch (operation) {
      case 'GetServiceQuota': {
        this.requireServiceCode(input.ServiceCode, true);
        return { Quota: this.wireQuota(region, accountId, this.findQuota(region, accountId, input.QuotaCode)) };
      }
      case 'ListServiceQuotas': {
        this.requireServiceCode(input.ServiceCode, true);
        const quotas = this.quotas(region, accountId).map((q) => this.wireQuota(region, accountId, q));
        return this.serviceQuotasPage(quotas, input, 'Quotas', `quotas:${region}`);
      }
      case 'RequestServiceQuotaIncrease':
        return { RequestedQuota: this.wireQuotaRequest(this.requestQuotaIncrease(input, region, accountId)) };
      case 'GetRequestedServiceQuotaChange': {
        if (typeof input.RequestId !== 'string' || !input.RequestId) throw serviceQuotasError('IllegalArgumentException', 'RequestId is required.');
        const r = this.quotaChanges.find((q) => q.id === input.RequestId && q.accountId === accountId && q.region === region);
        if (!r) throw serviceQuotasError('NoSuchResourceException', `The request ${input.RequestId} does not exist.`);
        return { RequestedQuota: this.wireQuotaRequest(r) };
      }
      case 'ListRequestedServiceQuotaChangeHistory': {
        this.requireServiceCode(input.ServiceCode, false);
        const status = this.statusFilter(input.Status);
        const matching = this.historyOf(region, accountId, (r) => status === undefined || r.status === status);
        return this.serviceQuotasPage(matching, input, 'RequestedQuotas', `history:${region}:${status ?? ''}`);
      }
      case 'ListRequestedServiceQuotaChangeHistoryByQuota': {
        this.requireServiceCode(input.ServiceCode, true);
        if (typeof input.QuotaCode !== 'string' || !input.QuotaCode) throw serviceQuotasError('IllegalArgumentException', 'QuotaCode is required.');
        const status = this.statusFilter(input.Status);
        const matching = this.historyOf(region, accountId, (r) => r.quotaCode === input.QuotaCode && (status === undefined || r.status === status));
        return this.serviceQuotasPage(matching, input, 'RequestedQuotas', `history:${region}:${input.QuotaCode}:${status ?? ''}`);
      }
      default:
        throw serviceQuotasError('IllegalArgumentException', `FakeAws does not model Service Quotas ${operation}`);
    }
  }

  private requestQuotaIncrease(input: AwsInput, region: string, accountId: string): FakeQuotaRequest {
    this.requireServiceCode(input.ServiceCode, true);
    const quota = this.findQuota(region, accountId, input.QuotaCode);
    const desired = input.DesiredValue as unknown;
    if (typeof desired !== 'number' || !Number.isFinite(desired)) throw serviceQuotasError('IllegalArgumentException', 'DesiredValue is required.');
    if (desired > MAX_DESIRED_VALUE || desired < 0) {
      throw serviceQuotasError('IllegalArgumentException', `DesiredValue must be between 0 and ${MAX_DESIRED_VALUE}.`);
    }
    if (!quota.adjustable) throw serviceQuotasError('IllegalArgumentException', `The quota ${quota.code} is not adjustable.`);
    if (desired <= quota.value) {
      throw serviceQuotasError('IllegalArgumentException', `The requested value ${desired} must be greater than the current quota value ${quota.value}.`);
    }
    if (this.quotaChanges.some((r) => r.accountId === accountId && r.region === region && r.quotaCode === quota.code && OPEN_QUOTA_STATUSES.has(r.status))) {
      throw serviceQuotasError('ResourceAlreadyExistsException', `A request to increase ${quota.name} (${quota.code}) is already pending.`);
    }
    const now = this.now().toISOString();
    const r: FakeQuotaRequest = {
      id: newQuotaRequestId(),
      accountId,
      region,
      serviceCode: SES_SERVICE_CODE,
      quotaCode: quota.code,
      quotaName: quota.name,
      desiredValue: desired,
      status: 'PENDING',
      supportCaseAllowed: input.SupportCaseAllowed !== false,
      created: now,
      lastUpdated: now,
    };
    this.quotaChanges.push(r);
    return r;
  }

  /** The fake models SES only; Service Quotas answers NoSuchResourceException for a service it does not know. */
  private requireServiceCode(code: unknown, required: boolean): void {
    if (code === undefined && !required) return;
    if (typeof code !== 'string' || !code) throw serviceQuotasError('IllegalArgumentException', 'ServiceCode is required.');
    if (code !== SES_SERVICE_CODE) throw serviceQuotasError('NoSuchResourceException', `The service ${code} does not exist.`);
  }

  private statusFilter(status: unknown): FakeQuotaStatus | undefined {
    if (status === undefined) return undefined;
    const known: FakeQuotaStatus[] = ['PENDING', 'CASE_OPENED', 'APPROVED', 'DENIED', 'NOT_APPROVED', 'CASE_CLOSED', 'INVALID_REQUEST'];
    if (!known.includes(status as FakeQuotaStatus)) throw serviceQuotasError('IllegalArgumentException', `Invalid Status ${String(status)}.`);
    return status as FakeQuotaStatus;
  }

  private findQuota(region: string, accountId: string, code: unknown): FakeQuota {
    if (typeof code !== 'string' || !code) throw serviceQuotasError('IllegalArgumentException', 'QuotaCode is required.');
    const quota = this.quotas(region, accountId).find((q) => q.code === code);
    if (!quota) throw serviceQuotasError('NoSuchResourceException', `The request failed because the specified quota ${code} does not exist.`);
    return quota;
  }

  private mustQuota(region: string, code: string, accountId: string): FakeQuota {
    const quota = this.quotas(region, accountId).find((q) => q.code === code);
    if (!quota) throw new Error(`FakeAws has no quota ${code} in ${region} of ${accountId}; known: ${this.quotas(region, accountId).map((q) => q.code).join(', ')}`);
    return quota;
  }

  /** An account's requests in a region matching `keep`, newest first (an assumption: AWS documents no order). */
  private historyOf(region: string, accountId: string, keep: (r: FakeQuotaRequest) => boolean): AwsInput[] {
    return this.quotaChanges
      .filter((r) => r.accountId === accountId && r.region === region && keep(r))
      .map((r, i) => ({ r, i }))
      .sort((a, b) => b.r.created.localeCompare(a.r.created) || b.i - a.i)
      .map(({ r }) => this.wireQuotaRequest(r));
  }

  private wireQuota(region: string, accountId: string, q: FakeQuota): AwsInput {
    return {
      ServiceCode: SES_SERVICE_CODE,
      ServiceName: SES_SERVICE_NAME,
      QuotaArn: `arn:aws:servicequotas:${region}:${accountId}:${SES_SERVICE_CODE}/${q.code}`,
      QuotaCode: q.code,
      QuotaName: q.name,
      Value: q.value,
      Unit: 'None',
      Adjustable: q.adjustable,
      GlobalQuota: false,
    };
  }

  private wireQuotaRequest(r: FakeQuotaRequest): AwsInput {
    return {
      Id: r.id,
      ...(r.caseId ? { CaseId: r.caseId } : {}),
      ServiceCode: r.serviceCode,
      ServiceName: SES_SERVICE_NAME,
      QuotaCode: r.quotaCode,
      QuotaName: r.quotaName,
      DesiredValue: r.desiredValue,
      Status: r.status,
      Created: epochSeconds(r.created),
      LastUpdated: epochSeconds(r.lastUpdated),
      Requester: JSON.stringify({ accountId: r.accountId, callerArn: `arn:aws:sts::${r.accountId}:assumed-role/ses-bot/session` }),
      QuotaArn: `arn:aws:servicequotas:${r.region}:${r.accountId}:${r.serviceCode}/${r.quotaCode}`,
      GlobalQuota: false,
      Unit: 'None',
    };
  }

  /** One page of `items`: at most serviceQuotasPageSize, whatever MaxResults (1–100) asks. */
  private serviceQuotasPage(items: AwsInput[], input: AwsInput, key: string, tokenKind: string): unknown {
    const max = input.MaxResults as unknown;
    if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 100)) {
      throw serviceQuotasError('IllegalArgumentException', `MaxResults must be between 1 and 100, not ${String(max)}.`);
    }
    const size = Math.min(max ?? 100, this.serviceQuotasPageSize);
    let start = 0;
    if (input.NextToken !== undefined) {
      try {
        start = readToken(input.NextToken, tokenKind);
      } catch {
        throw serviceQuotasError('InvalidPaginationTokenException', 'Invalid pagination token.');
      }
    }
    const next = start + size < items.length ? makeToken(tokenKind, start + size) : undefined;
    return { [key]: items.slice(start, start + size), ...(next ? { NextToken: next } : {}) };
  }

  // ---- SQS -----------------------------------------------------------------

  private async sqs(
    operation: string,
    input: AwsInput,
    accountId: string,
    res: http.ServerResponse,
    takeFault: () => AwsError | undefined,
  ): Promise<unknown> {
    const handled = ['SendMessage', 'ReceiveMessage', 'DeleteMessage', 'DeleteMessageBatch', 'ChangeMessageVisibility', 'GetQueueAttributes'];
    if (!handled.includes(operation)) throw sqsError('UnsupportedOperation', `FakeAws does not model SQS ${operation}`);
    const queue = this.queueFor(input.QueueUrl, accountId);
    switch (operation) {
      case 'SendMessage':
        return this.sendMessage(queue, input);
      case 'ReceiveMessage':
        return this.receiveMessage(queue, input, res, takeFault);
      case 'DeleteMessage':
        this.deleteMessage(queue, input.ReceiptHandle);
        return {};
      case 'DeleteMessageBatch':
        return this.deleteMessageBatch(queue, input);
      case 'ChangeMessageVisibility':
        this.changeVisibility(queue, input.ReceiptHandle, input.VisibilityTimeout);
        return {};
      default:
        return this.queueAttributes(queue, input.AttributeNames);
    }
  }

  /**
   * The queue a call names by QueueUrl, for a caller in `accountId`: only the path
   * (/ACCOUNT/NAME) counts. Another account's queue is AccessDenied (no queue policy grants it).
   */
  private queueFor(queueUrl: unknown, accountId: string): FakeSqsQueue {
    if (typeof queueUrl !== 'string' || !queueUrl) throw sqsError('MissingParameter', 'The request must contain the parameter QueueUrl.');
    let path: string;
    try {
      path = new URL(queueUrl).pathname;
    } catch {
      throw sqsError('InvalidAddress', `The address ${queueUrl} is not valid for this endpoint.`);
    }
    const parts = /^\/([^/]+)\/([^/]+)$/.exec(path);
    if (parts && parts[1] !== accountId) throw sqsError('AccessDenied', `Access to the resource ${queueUrl} is denied.`);
    const queue = parts ? this.queues.get(queueKey(parts[1]!, decodeURIComponent(parts[2]!))) : undefined;
    if (!queue) throw sqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return queue;
  }

  private enqueue(queue: FakeSqsQueue, body: string): FakeSqsMessage {
    const now = Date.now();
    const message: FakeSqsMessage = { id: randomUUID(), body, md5: md5Hex(body), sentAt: now, receiveCount: 0, visibleAt: now };
    queue.messages.push(message);
    this.wakePollers();
    return message;
  }

  private sendMessage(queue: FakeSqsQueue, input: AwsInput): unknown {
    const body = input.MessageBody as unknown;
    if (typeof body !== 'string') throw sqsError('MissingParameter', 'The request must contain the parameter MessageBody.');
    if (body.length === 0) throw sqsInvalid('MessageBody', body, 'Message must be at least one character long');
    if (Buffer.byteLength(body) > SQS_MAX_BODY_BYTES) throw sqsInvalid('MessageBody', '(too long)', `Message must be shorter than ${SQS_MAX_BODY_BYTES} bytes`);
    const message = this.enqueue(queue, body);
    return { MD5OfMessageBody: message.md5, MessageId: message.id };
  }

  /**
   * Hands out up to MaxNumberOfMessages visible messages, each made invisible for the visibility
   * timeout with a new receipt handle. With WaitTimeSeconds, waits until one is visible (sent, or
   * its visibility timeout over), the wait ends, an error fault is injected, the client goes away
   * or the fake stops. The answer has no Messages member when there are none, as SQS's.
   */
  private async receiveMessage(queue: FakeSqsQueue, input: AwsInput, res: http.ServerResponse, takeFault: () => AwsError | undefined): Promise<unknown> {
    const max = sqsInteger('MaxNumberOfMessages', input.MaxNumberOfMessages, 1, SQS_MAX_MESSAGES, 1);
    const wait = sqsInteger('WaitTimeSeconds', input.WaitTimeSeconds, 0, SQS_MAX_WAIT_SECONDS, 0);
    const visibility = sqsInteger('VisibilityTimeout', input.VisibilityTimeout, 0, SQS_MAX_VISIBILITY_SECONDS, queue.visibilityTimeoutSeconds);
    const names = [...((input.AttributeNames as string[] | undefined) ?? []), ...((input.MessageSystemAttributeNames as string[] | undefined) ?? [])];
    const all = names.includes('All');
    const wanted = SQS_MESSAGE_ATTRIBUTES.filter((a) => all || names.includes(a));

    const deadline = Date.now() + wait * 1000;
    const generation = this.sqsGeneration;
    let gone = false;
    const onClose = () => {
      gone = true;
      this.wakePollers();
    };
    res.once('close', onClose);
    try {
      for (let first = true; ; first = false) {
        if (!first) {
          const fault = takeFault();
          if (fault) throw fault;
        }
        // Stopping, or the client gave up: take nothing it would never see.
        if (gone || generation !== this.sqsGeneration) return {};
        const messages = this.takeVisible(queue, max, visibility, wanted);
        if (messages.length > 0) return { Messages: messages };
        const now = Date.now();
        if (now >= deadline) return {};
        const nextVisible = Math.min(...queue.messages.map((m) => m.visibleAt).filter((t) => t > now));
        await this.sleepUntilWoken(Math.min(deadline, nextVisible) - now);
      }
    } finally {
      res.off('close', onClose);
    }
  }

  /** Receives the visible messages (oldest first), moving those past the redrive policy's maxReceiveCount to the dead-letter queue. */
  private takeVisible(queue: FakeSqsQueue, max: number, visibilitySeconds: number, attributes: string[]): AwsInput[] {
    const now = Date.now();
    const out: AwsInput[] = [];
    for (const m of [...queue.messages]) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      if (queue.redrivePolicy && m.receiveCount >= queue.redrivePolicy.maxReceiveCount) {
        this.deadLetter(queue, m);
        continue;
      }
      m.receiveCount += 1;
      m.firstReceivedAt ??= now;
      m.visibleAt = now + visibilitySeconds * 1000;
      const handle = newReceiptHandle();
      m.receiptHandle = handle;
      this.receipts.set(handle, { queue, message: m });
      const values: Record<string, string> = {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt),
        SenderId: queue.accountId,
      };
      const Attributes = Object.fromEntries(attributes.map((a) => [a, values[a]!]));
      out.push({ MessageId: m.id, ReceiptHandle: handle, MD5OfBody: m.md5, Body: m.body, ...(attributes.length ? { Attributes } : {}) });
    }
    return out;
  }

  /** Moves `m` to the redrive policy's dead-letter queue (visible there at once), or drops it when that queue is not in the fake. */
  private deadLetter(queue: FakeSqsQueue, m: FakeSqsMessage): void {
    queue.messages.splice(queue.messages.indexOf(m), 1);
    queue.deadLettered += 1;
    const target = [...this.queues.values()].find((q) => q.arn === queue.redrivePolicy?.deadLetterTargetArn);
    if (!target) return;
    // A new record: receipt handles of the source queue do not reach it. It keeps its id, body and receive count.
    target.messages.push({ id: m.id, body: m.body, md5: m.md5, sentAt: m.sentAt, receiveCount: m.receiveCount, visibleAt: Date.now() });
    this.wakePollers();
  }

  /**
   * Deletes the message whose latest receipt handle is `handle`. As AWS documents it, an older
   * handle of a message received again since succeeds without deleting it (counted in
   * staleDeletes), and a handle of a message already deleted succeeds; a handle the queue never
   * handed out is ReceiptHandleIsInvalid.
   */
  private deleteMessage(queue: FakeSqsQueue, handle: unknown): void {
    const receipt = this.receiptOf(queue, handle);
    const at = queue.messages.indexOf(receipt.message);
    if (at < 0) return;
    if (receipt.message.receiptHandle !== handle) {
      queue.staleDeletes += 1;
      return;
    }
    queue.messages.splice(at, 1);
    queue.deleted += 1;
  }

  private deleteMessageBatch(queue: FakeSqsQueue, input: AwsInput): unknown {
    const entries = input.Entries as unknown;
    if (!Array.isArray(entries) || entries.length === 0) throw sqsError('EmptyBatchRequest', 'There should be at least one DeleteMessageBatchRequestEntry in the request.');
    if (entries.length > SQS_MAX_MESSAGES) {
      throw sqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${SQS_MAX_MESSAGES}. You have sent ${entries.length}.`);
    }
    const ids = entries.map((e: AwsInput) => e?.Id as unknown);
    if (ids.some((id) => typeof id !== 'string' || !/^[\w-]{1,80}$/.test(id))) {
      throw sqsError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
    }
    if (new Set(ids).size !== ids.length) throw sqsError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
    const Successful: AwsInput[] = [];
    const Failed: AwsInput[] = [];
    for (const entry of entries as AwsInput[]) {
      try {
        this.deleteMessage(queue, entry.ReceiptHandle);
        Successful.push({ Id: entry.Id });
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        Failed.push({ Id: entry.Id, SenderFault: err.status < 500, Code: SQS_ERRORS[err.type]?.code ?? err.type, Message: err.message });
      }
    }
    return { Successful, Failed };
  }

  /**
   * Sets the in-flight message's visibility timeout from now (0: visible at once). Only the
   * latest receipt handle of a message still in flight works: an older one, or one of a deleted
   * message, has expired; a message whose timeout ran out is MessageNotInflight.
   */
  private changeVisibility(queue: FakeSqsQueue, handle: unknown, timeout: unknown): void {
    if (timeout === undefined || timeout === null) throw sqsError('MissingParameter', 'The request must contain the parameter VisibilityTimeout.');
    const seconds = sqsInteger('VisibilityTimeout', timeout, 0, SQS_MAX_VISIBILITY_SECONDS, 0);
    const { message } = this.receiptOf(queue, handle);
    if (!queue.messages.includes(message) || message.receiptHandle !== handle) {
      throw sqsInvalid('ReceiptHandle', handle, 'The receipt handle has expired');
    }
    const now = Date.now();
    if (message.visibleAt <= now) throw sqsError('MessageNotInflight', 'The message referred to is not in flight.');
    message.visibleAt = now + seconds * 1000;
    if (seconds === 0) this.wakePollers();
  }

  private receiptOf(queue: FakeSqsQueue, handle: unknown): { queue: FakeSqsQueue; message: FakeSqsMessage } {
    if (typeof handle !== 'string' || !handle) throw sqsError('MissingParameter', 'The request must contain the parameter ReceiptHandle.');
    const receipt = this.receipts.get(handle);
    if (!receipt || receipt.queue !== queue) throw sqsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
    return receipt;
  }

  /** GetQueueAttributes: the attributes named (or 'All'), values as strings; RedrivePolicy only when the queue has one. */
  private queueAttributes(queue: FakeSqsQueue, names: unknown): unknown {
    const requested = (names as string[] | undefined) ?? [];
    for (const name of requested) {
      if (name !== 'All' && !SQS_QUEUE_ATTRIBUTES.includes(name)) throw sqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
    const now = Date.now();
    const values: Record<string, string | undefined> = {
      ApproximateNumberOfMessages: String(queue.messages.filter((m) => m.visibleAt <= now).length),
      ApproximateNumberOfMessagesNotVisible: String(queue.messages.filter((m) => m.visibleAt > now).length),
      ApproximateNumberOfMessagesDelayed: '0',
      CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      DelaySeconds: '0',
      LastModifiedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      MaximumMessageSize: String(SQS_MAX_BODY_BYTES),
      MessageRetentionPeriod: String(SQS_RETENTION_SECONDS),
      QueueArn: queue.arn,
      ReceiveMessageWaitTimeSeconds: '0',
      RedrivePolicy: queue.redrivePolicy ? JSON.stringify(queue.redrivePolicy) : undefined,
      VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
    };
    const all = requested.includes('All');
    const Attributes = Object.fromEntries(
      SQS_QUEUE_ATTRIBUTES.filter((a) => (all || requested.includes(a)) && values[a] !== undefined).map((a) => [a, values[a]!]),
    );
    return Object.keys(Attributes).length ? { Attributes } : {};
  }

  /** Waits until wakePollers, or `ms` (an unref'd timer: a pending poll never keeps the process alive). */
  private sleepUntilWoken(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.pollers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      timer.unref();
      this.pollers.add(done);
    });
  }

  /** Makes every pending long poll look again (a message arrived or became visible, a fault was injected, the fake stops). */
  private wakePollers(): void {
    for (const wake of [...this.pollers]) wake();
  }

  // ---- SESv2 ---------------------------------------------------------------

  private sesv2(operation: string, input: AwsInput, region: string, accountId: string): unknown {
    const pools = this.dedicatedIps(region, accountId);
    switch (operation) {
      case 'GetAccount':
        return structuredClone(this.account(region, accountId));
      case 'PutAccountDetails':
        return this.putAccountDetails(input, region, accountId);
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

  /**
   * Stores the account's details in the region; with ProductionAccessEnabled true (and no
   * production access yet) opens a review with a Support case, as AWS does. While a review is
   * PENDING, or after it was DENIED, AWS answers ConflictException (a new request must then go
   * through Service Quotas).
   */
  private putAccountDetails(input: AwsInput, region: string, accountId: string): unknown {
    const bad = (detail: string) => new AwsError('BadRequestException', detail);
    if (input.MailType !== 'MARKETING' && input.MailType !== 'TRANSACTIONAL') {
      throw bad(`MailType must be MARKETING or TRANSACTIONAL, not ${JSON.stringify(input.MailType)}.`);
    }
    if (typeof input.WebsiteURL !== 'string' || input.WebsiteURL.length < 1 || input.WebsiteURL.length > 1000) {
      throw bad('WebsiteURL is required and must be 1 to 1000 characters long.');
    }
    if (input.ContactLanguage !== undefined && input.ContactLanguage !== 'EN' && input.ContactLanguage !== 'JA') {
      throw bad(`ContactLanguage must be EN or JA, not ${JSON.stringify(input.ContactLanguage)}.`);
    }
    if (input.UseCaseDescription !== undefined && (typeof input.UseCaseDescription !== 'string' || input.UseCaseDescription.length < 1 || input.UseCaseDescription.length > 5000)) {
      throw bad('UseCaseDescription must be 1 to 5000 characters long.');
    }
    const emails = input.AdditionalContactEmailAddresses as unknown;
    if (emails !== undefined && (!Array.isArray(emails) || emails.length < 1 || emails.length > 4 || !emails.every((e) => typeof e === 'string' && /^[^@\s]+@[^@\s]+$/.test(e)))) {
      throw bad('AdditionalContactEmailAddresses must hold 1 to 4 email addresses.');
    }
    if (input.ProductionAccessEnabled !== undefined && typeof input.ProductionAccessEnabled !== 'boolean') {
      throw bad('ProductionAccessEnabled must be a boolean.');
    }
    const account = this.account(region, accountId);
    const review = account.Details?.ReviewDetails as { Status: string; CaseId: string } | undefined;
    if (review?.Status === 'PENDING') {
      throw new AwsError('ConflictException', 'A review of your request for production access is already in progress in this AWS Region.');
    }
    if (review?.Status === 'DENIED') {
      throw new AwsError('ConflictException', 'Your earlier request for production access in this AWS Region was denied. Request a sending quota increase through Service Quotas instead.');
    }
    const Details: AwsInput = { MailType: input.MailType, WebsiteURL: input.WebsiteURL };
    for (const key of ['ContactLanguage', 'UseCaseDescription', 'AdditionalContactEmailAddresses']) {
      if (input[key] !== undefined) Details[key] = structuredClone(input[key]);
    }
    if (input.ProductionAccessEnabled === true && !account.ProductionAccessEnabled) {
      Details.ReviewDetails = this.openReview(region, accountId, Details);
    } else if (review) {
      Details.ReviewDetails = review;
    }
    this.setAccount(region, { Details }, accountId);
    return {};
  }

  /** A PENDING review with the Support case AWS opens for it, in the account under review. */
  private openReview(region: string, accountId: string, details: AwsInput = {}): { Status: FakeReviewStatus; CaseId: string } {
    const c = this.newCase(
      {
        subject: `Amazon SES production access request (${region})`,
        serviceCode: 'service-limit-increase',
        categoryCode: 'ses-production-access',
        severityCode: 'low',
      },
      accountId,
    );
    const lines = [`Region: ${region}`, `Mail type: ${details.MailType ?? ''}`, `Website URL: ${details.WebsiteURL ?? ''}`, `Use case description: ${details.UseCaseDescription ?? ''}`];
    this.appendCommunication(c, lines.join('\n'), 'Amazon Web Services', c.timeCreated, []);
    return { Status: 'PENDING', CaseId: c.caseId };
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
function sesOperation(method: string, url: URL, raw: string): { operation: string; input: AwsInput } {
  const body: AwsInput = raw ? (JSON.parse(raw) as AwsInput) : {};
  const input: AwsInput = { ...body, ...Object.fromEntries(url.searchParams) };
  if (input.PageSize !== undefined) input.PageSize = Number(input.PageSize);
  const path = url.pathname;
  if (method === 'GET' && path === '/v2/email/account') return { operation: 'GetAccount', input };
  if (method === 'POST' && path === '/v2/email/account/details') return { operation: 'PutAccountDetails', input };
  if (method === 'GET' && path === '/v2/email/dedicated-ip-pools') return { operation: 'ListDedicatedIpPools', input };
  if (method === 'GET' && path === '/v2/email/dedicated-ips') return { operation: 'GetDedicatedIps', input };
  const pool = /^\/v2\/email\/dedicated-ip-pools\/([^/]+)$/.exec(path);
  if (method === 'GET' && pool?.[1]) {
    return { operation: 'GetDedicatedIpPool', input: { ...input, PoolName: decodeURIComponent(pool[1]) } };
  }
  return { operation: `${method} ${path}`, input };
}

function faultToError(fault: AwsFault, service: RecordedCall['service']): AwsError {
  if (service === 'sqs') {
    const status = fault.status ?? 400;
    const type =
      fault.type ??
      (status === 503 ? 'ServiceUnavailable' : status >= 500 ? 'InternalFailure' : status === 403 ? 'AccessDenied' : status === 429 ? 'RequestThrottled' : 'InvalidParameterValue');
    return sqsError(type, fault.message ?? `Injected ${type}`, fault.status);
  }
  let type = fault.type;
  if (type === undefined) {
    const status = fault.status ?? 400;
    if (service === 'sts') type = status >= 500 ? 'InternalFailure' : status === 429 ? 'Throttling' : status === 403 ? 'AccessDenied' : 'ValidationError';
    else if (status >= 500) type = service === 'servicequotas' ? 'ServiceException' : 'InternalServerError';
    else if (status === 429) type = service === 'support' ? 'ThrottlingException' : 'TooManyRequestsException';
    else type = { support: 'ValidationException', servicequotas: 'IllegalArgumentException', sesv2: 'BadRequestException' }[service];
  }
  const status =
    fault.status ??
    (service === 'servicequotas' ? (SERVICE_QUOTAS_ERROR_STATUS[type] ?? 400) : service === 'sts' ? (STS_ERROR_STATUS[type] ?? 400) : defaultStatus(type));
  return new AwsError(type, fault.message ?? `Injected ${type}`, status);
}

/**
 * How each protocol refuses credentials. STS: InvalidClientTokenId (403), the modelled
 * ExpiredTokenException (400), MissingAuthenticationToken (403). The JSON services answer
 * UnrecognizedClientException / ExpiredTokenException (400 for JSON 1.1, 403 for SESv2's REST-JSON:
 * an assumption, AWS's models declare neither); SQS InvalidClientTokenId / ExpiredToken (403).
 */
function credentialRefusal(service: RecordedCall['service'], problem: NonNullable<RecordedCall['credentialError']>): AwsError {
  if (problem === 'missing') return stsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
  const message = problem === 'expired' ? 'The security token included in the request is expired' : 'The security token included in the request is invalid.';
  if (service === 'sts') return stsError(problem === 'expired' ? 'ExpiredTokenException' : 'InvalidClientTokenId', message);
  // SQS: the query codes (an assumption, as for the others).
  if (service === 'sqs') return sqsError(problem === 'expired' ? 'ExpiredToken' : 'InvalidClientTokenId', message);
  const type = problem === 'expired' ? 'ExpiredTokenException' : 'UnrecognizedClientException';
  return new AwsError(type, message, service === 'sesv2' ? 403 : 400);
}

/** What an STS handler answers: the members of `<OperationResult>`, nested objects as elements. */
type StsResult = { [member: string]: string | StsResult };

/** The STS Query request: the form's parameters, DurationSeconds as a number; Action and Version apart. */
function stsOperation(form: URLSearchParams): { operation: string; input: AwsInput } {
  const input: AwsInput = Object.fromEntries(form);
  const operation = String(input.Action);
  delete input.Action;
  delete input.Version;
  if (input.DurationSeconds !== undefined && /^\d+$/.test(input.DurationSeconds)) input.DurationSeconds = Number(input.DurationSeconds);
  return { operation, input };
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function xmlMembers(members: StsResult): string {
  return Object.entries(members)
    .map(([name, value]) => `<${name}>${typeof value === 'string' ? xmlEscape(value) : xmlMembers(value)}</${name}>`)
    .join('');
}

function stsResultXml(operation: string, result: StsResult): string {
  return (
    `<${operation}Response xmlns="${STS_NAMESPACE}">` +
    `<${operation}Result>${xmlMembers(result)}</${operation}Result>` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>` +
    `</${operation}Response>`
  );
}

function stsErrorXml(err: AwsError): string {
  return (
    `<ErrorResponse xmlns="${STS_NAMESPACE}">` +
    `<Error><Type>${err.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${xmlEscape(err.type)}</Code><Message>${xmlEscape(err.message)}</Message></Error>` +
    `<RequestId>${randomUUID()}</RequestId>` +
    `</ErrorResponse>`
  );
}

/** The key of a queue in FakeAws.queues. */
function queueKey(accountId: string, name: string): string {
  return `${accountId}/${name}`;
}

/** Opaque like AWS's (which start AQEB and run to a few hundred characters). */
function newReceiptHandle(): string {
  return `AQEB${randomBytes(96).toString('base64')}`;
}

function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** An optional whole-number parameter within [min, max], else InvalidParameterValue. */
function sqsInteger(name: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw sqsInvalid(name, value, `Must be between ${min} and ${max}, if provided`);
  }
  return value;
}

/** The key of an account's per-region state (SESv2 account and IPs, Service Quotas catalogue). */
function accountRegion(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}

/** A stable made-up id of `length` upper-case letters and digits derived from `seed` (role ids, user ids). */
function fakeId(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').toUpperCase().slice(0, length);
}

/** Service Quotas request ids: 32 hex digits and a suffix, like AWS's. */
function newQuotaRequestId(): string {
  return `${randomBytes(16).toString('hex')}${randomBytes(6).toString('base64url')}`;
}

/** Epoch seconds, as JSON 1.1 carries timestamps. */
function epochSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
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
