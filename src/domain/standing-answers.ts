/**
 * Standing answers: what a channel answered in its most recent filed request of a kind (mail
 * type, website, compliance answers, process descriptions, use case, contact language,
 * additional contacts), carried into its next form of that kind so that a second request needs
 * only its rows and values typed. Rows, values and addresses never carry over: they are what
 * each request is about, and a stale one filed again by mistake would ask AWS for the wrong thing.
 */
import { utcDayText } from './common.js';
import type { DedicatedIpFormInput, DedicatedIpLease } from './dedicated-ip.js';
import type { QuotaFormInput, QuotaIncreaseRequest } from './quota-request.js';
import type { DedicatedIpStoredRequest, QuotaRequest, StoredRequest } from './request.js';

/** How many of a channel's newest requests of a kind are looked through: enough to pass a run of failed ones or relinquishments, in one small read. */
export const STANDING_LOOKBACK = 20;

/** The /ses-quota fields that carry over: everything but the rows. */
export type QuotaStandingAnswers = Omit<QuotaFormInput, 'rows'>;

/** The /ses-dedicated-ip fields that carry over from a lease: everything but the action, the rows and a relinquishment's note. */
export type LeaseStandingAnswers = Pick<DedicatedIpFormInput, 'mailType' | 'websiteUrl' | 'optInProcess' | 'bounceProcess' | 'compliesWithAup' | 'useCase' | 'language'>;

/** Which request the answers came from, as the form names it. */
export interface StandingSource {
  reference: string;
  requesterId: string;
  /** The UTC day the request was made, as YYYY-MM-DD. */
  filedOn: string;
}

export interface Standing<T> {
  answers: T;
  source: StandingSource;
}

const yesNo = (v: boolean): 'yes' | 'no' => (v ? 'yes' : 'no');

/**
 * The newest request among `requests` that was filed and matches `accepts`: the list's order is
 * not trusted (two back-ends), the creation time decides. A request still being filed, or one AWS
 * refused, says nothing yet about what the team stands by.
 */
function newestFiled<T extends StoredRequest>(requests: readonly StoredRequest[], accepts: (r: StoredRequest) => r is T): T | undefined {
  let newest: T | undefined;
  for (const r of requests) {
    if (r.status !== 'filed' || !accepts(r)) continue;
    if (!newest || Date.parse(r.createdAt) > Date.parse(newest.createdAt)) newest = r;
  }
  return newest;
}

export function standingSource(request: StoredRequest): StandingSource {
  const created = new Date(request.createdAt);
  const filedOn = Number.isNaN(created.getTime()) ? request.createdAt.slice(0, 10) : created.toISOString().slice(0, 10);
  return { reference: request.reference, requesterId: request.requesterId, filedOn };
}

/** A quota payload's answers as the form holds them (its radio values and one contacts field). */
export function quotaFormAnswers(payload: QuotaIncreaseRequest): QuotaStandingAnswers {
  return {
    mailType: payload.mailType,
    websiteUrl: payload.websiteUrl,
    compliesWithAup: 'yes',
    onlyRequestedRecipients: yesNo(payload.onlyRequestedRecipients),
    handlesBouncesAndComplaints: yesNo(payload.handlesBouncesAndComplaints),
    useCase: payload.useCase,
    language: payload.language,
    // The form's own separator, so that the field reads as the user would have typed it.
    additionalContacts: payload.additionalContactEmails?.length ? payload.additionalContactEmails.join(', ') : null,
  };
}

/** A lease's answers as the form holds them; an unanswered process description stays empty. */
export function leaseFormAnswers(payload: DedicatedIpLease): LeaseStandingAnswers {
  return {
    mailType: payload.mailType,
    websiteUrl: payload.websiteUrl,
    optInProcess: payload.optInProcess ?? null,
    bounceProcess: payload.bounceProcess ?? null,
    compliesWithAup: 'yes',
    useCase: payload.useCase,
    language: payload.language,
  };
}

/** The standing /ses-quota answers among a channel's requests, or undefined when none was filed. */
export function standingQuotaAnswers(requests: readonly StoredRequest[]): Standing<QuotaStandingAnswers> | undefined {
  const found = newestFiled(requests, (r): r is QuotaRequest => r.kind === 'quota');
  return found && { answers: quotaFormAnswers(found.payload), source: standingSource(found) };
}

/**
 * The standing /ses-dedicated-ip answers: from the newest filed lease. A relinquishment has no
 * mail type, website or processes, and its note is about the addresses it gave back, so it is
 * passed over, not taken as "no answers".
 */
export function standingLeaseAnswers(requests: readonly StoredRequest[]): Standing<LeaseStandingAnswers> | undefined {
  const found = newestFiled(requests, (r): r is DedicatedIpStoredRequest & { payload: DedicatedIpLease } => r.kind === 'dedicated_ip' && r.payload.action === 'request');
  return found && { answers: leaseFormAnswers(found.payload), source: standingSource(found) };
}

/** "12 March 2026" for "2026-03-12": the day as people write it, with no time zone to get wrong. */
export function dayText(isoDay: string): string {
  const date = new Date(`${isoDay}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return isoDay;
  return utcDayText(date);
}

/**
 * The line above a pre-filled form. `requester` and `freshCommand` come formatted by the caller
 * (a mention, the command as code): the words are the domain's, the markup is not.
 */
export function standingAnswersLine(source: StandingSource, names: { requester: string; freshCommand: string }): string {
  return (
    `Answers pre-filled from the request of ${dayText(source.filedOn)} by ${names.requester} in this channel (reference ${source.reference}). ` +
    `Check them; ${names.freshCommand} opens an empty form.`
  );
}

/** The line above a form opened empty because the channel's answers were not read in time. */
export function standingAnswersUnavailableLine(command: string): string {
  return `This channel's previous answers could not be loaded in time, so the form starts empty. Run ${command} again to have them filled in.`;
}
