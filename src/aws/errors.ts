/**
 * AWS failures translated into what the bot and its users can act on. `maybeApplied` says
 * whether AWS may have carried out the call anyway (timeouts, 5xx): such a call must be
 * reconciled, never blindly repeated.
 */
/** Temporary credentials, as the SDK's clients take them. */
export interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
/** Where an account's clients get their credentials (an assumed role's, refreshed). */
export type AwsCredentials = () => Promise<AwsCredentialIdentity>;

export type AwsFailureKind =
  /** The account's role could not be assumed (or is not configured): nothing was sent. */
  | 'account_unavailable'
  | 'no_support_plan'
  | 'case_limit'
  | 'access_denied'
  | 'throttled'
  | 'invalid_request'
  | 'not_found'
  | 'unavailable'
  /** Service Quotas: a request for this quota is already open. */
  | 'already_pending'
  /** Service Quotas: the account has too many open quota requests. */
  | 'too_many_open_requests'
  /**
   * SESv2 ConflictException: the call clashes with the account's state. For PutAccountDetails:
   * a production access review is already open in the region, or an earlier one was denied.
   */
  | 'conflict'
  | 'unknown';

export class AwsError extends Error {
  constructor(
    readonly kind: AwsFailureKind,
    /** The IAM action of the failed call, e.g. support:CreateCase. */
    readonly action: string,
    message: string,
    readonly maybeApplied: boolean,
    readonly awsName?: string,
  ) {
    super(message);
    this.name = 'AwsError';
  }

  /** A short "kind: AWS's message" for a form's status line, without the account's identifiers. */
  get brief(): string {
    return `${this.kind.replace(/_/g, ' ')}: ${publicDetail(this.message)}`.slice(0, 200);
  }

  /** What to tell the user, in words they can act on. */
  get userMessage(): string {
    switch (this.kind) {
      case 'account_unavailable':
        return `The bot cannot work in this AWS account now: ${publicDetail(this.message)}. Nothing was sent to AWS. Fix its role (the bot's /healthz says what failed) and press Retry; the bot checks the role again every poll interval.`;
      case 'no_support_plan':
        return 'AWS Support refused: this AWS account has no paid support plan (Business, Enterprise On-Ramp or Enterprise), which the AWS Support API requires. Subscribe in the AWS console, or file the request in Support Center.';
      case 'case_limit':
        return 'AWS Support refused: this account has opened 10 cases in the last hour, the most AWS allows. Press Retry in an hour.';
      case 'access_denied':
        return `AWS refused the bot's credentials: they lack the IAM permission \`${this.action}\`. Add it to the bot's role or user (see docs/iam-policy.json), then try again.`;
      case 'throttled':
        return `AWS is throttling the bot's calls (\`${this.action}\`). Wait a minute and press Retry.`;
      case 'invalid_request':
        return `AWS rejected the request as invalid (\`${this.action}\`): ${publicDetail(this.message)}`;
      case 'already_pending':
        return 'A request for this quota is already open with AWS; it is followed instead of filing another.';
      case 'too_many_open_requests':
        return `AWS refused (\`${this.action}\`): this account has too many quota requests open at once. Wait until some are answered, then press Retry.`;
      case 'conflict':
        return this.action === 'ses:PutAccountDetails'
          ? 'AWS refused to open another production access review for this region: one is already open, or an earlier one was denied (then the sending quota has to be raised through Service Quotas instead).'
          : `AWS refused (\`${this.action}\`): it conflicts with a request already open or decided. ${publicDetail(this.message)}`;
      case 'not_found':
        return `AWS could not find what the bot asked for (\`${this.action}\`, ${this.awsName ?? 'not found'}).`;
      case 'unavailable':
        return this.maybeApplied
          ? `AWS did not answer clearly (\`${this.action}\`), so it is not known whether it went through. The bot checks before trying again.`
          : `AWS could not be reached (\`${this.action}\`). Press Retry in a moment.`;
      default:
        return `AWS returned an unexpected error (\`${this.action}\`, ${this.awsName ?? 'no error code'}). The bot's log has the details; press Retry later.`;
    }
  }
}

/**
 * AWS's own words, for people to read: shortened, and without the account's identifiers (ARNs,
 * 12-digit account ids), which a Slack channel has no need to see. The full text goes to the log.
 */
export function publicDetail(message: string): string {
  const cleaned = message
    .replace(/arn:aws[\w-]*:[^\s"',;)]*/g, '[ARN]')
    .replace(/(?<!\d)\d{12}(?!\d)/g, '[account]')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length > 200 ? `${cleaned.slice(0, 199)}…` : cleaned;
}

interface SdkLikeError {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'CredentialsProviderError']);

export function translateAwsError(err: unknown, action: string): AwsError {
  if (err instanceof AwsError) return err;
  const e = (err ?? {}) as SdkLikeError;
  const name = e.name ?? 'Error';
  const message = (e.message ?? String(err)).slice(0, 500);
  const status = e.$metadata?.httpStatusCode;
  const make = (kind: AwsFailureKind, maybeApplied = false) => new AwsError(kind, action, message, maybeApplied, name);

  if (name === 'SubscriptionRequiredException' || /Premium Support Subscription is required/i.test(message)) return make('no_support_plan');
  if (name === 'CaseCreationLimitExceeded') return make('case_limit');
  if (name === 'ResourceAlreadyExistsException') return make('already_pending');
  if (name === 'QuotaExceededException') return make('too_many_open_requests');
  // SESv2's ConflictException has a known meaning (see 'conflict'); from any other service it stays unexpected.
  if (name === 'ConflictException' && action.startsWith('ses:')) return make('conflict');
  // Service Quotas reaches other services for us; their refusal is still a missing permission.
  if (name === 'DependencyAccessDeniedException') return make('access_denied');
  if (name === 'IllegalArgumentException' || name === 'InvalidResourceStateException') return make('invalid_request');
  if (name === 'NoSuchResourceException') return make('not_found');
  if (name === 'AccessDeniedException' || name === 'UnauthorizedOperation' || name === 'AccessDenied' || status === 403) {
    return make('access_denied');
  }
  if (/Throttl|TooManyRequests|LimitExceeded|RequestLimitExceeded/.test(name) || status === 429) return make('throttled');
  if (name === 'CredentialsProviderError' || NOT_SENT_CODES.has(e.code ?? '')) return make('unavailable', false);
  if (/NotFound|CaseIdNotFound/.test(name) || status === 404) return make('not_found');
  if (name === 'TimeoutError' || name === 'RequestTimeout' || e.code === 'ECONNRESET' || e.code === 'ETIMEDOUT' || name === 'AbortError') {
    return make('unavailable', true);
  }
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) return make('unavailable', true);
  if (name === 'ValidationException' || name === 'BadRequestException' || status === 400) return make('invalid_request');
  // No HTTP answer at all and no known cause: assume it may have arrived.
  return make('unknown', status === undefined);
}
