/**
 * A request the bot keeps: what was asked (the payload, by kind), where it stands with AWS
 * (its status and case), and its thread in Slack. The lifecycle's states and the moves allowed
 * between them live here; the store keeps requests and checks their payloads on the way in
 * and out with the schemas below, so no caller ever guesses what a payload holds.
 */
import { z } from 'zod';
import { CONTACT_LANGUAGES, MAIL_TYPES, type ContactLanguage, type MailType } from './common.js';
import type { DedicatedIpLease, DedicatedIpRelinquish, DedicatedIpRequest } from './dedicated-ip.js';
import { MAX_ADDITIONAL_CONTACTS, MAX_EMAIL_CHARS, QUOTA_LIMITS, type QuotaIncreaseRequest, type QuotaLimit } from './quota-request.js';
import type { RegionEffect } from './proof.js';
import type { QuotaRowState } from './quota-rows.js';
import { SES_REGIONS, type RegionCode } from './regions.js';

/**
 * received → filing → filed, or → failed (AWS refused: retryable), → uncertain (AWS may have
 * filed it: reconcile before filing again), → not_posted (the bot could not post in the channel).
 */
export type RequestStatus = 'received' | 'filing' | 'filed' | 'failed' | 'uncertain' | 'not_posted';

/** Every move a request may make. Only "filing" is left by its claimant; the others are claimed into "filing". */
export const REQUEST_TRANSITIONS: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  received: ['filing'],
  filing: ['filed', 'failed', 'uncertain', 'not_posted'],
  failed: ['filing'],
  uncertain: ['filing'],
  not_posted: ['filing'],
  filed: [],
};

/** The statuses a request may be claimed for filing from: new, retried by a person, or reconciled. */
export const CLAIMABLE_FOR: Readonly<Record<'new' | 'retry' | 'reconcile', readonly RequestStatus[]>> = {
  new: ['received'],
  retry: ['failed', 'not_posted'],
  reconcile: ['uncertain'],
};

export function mayMove(from: RequestStatus, to: RequestStatus): boolean {
  return REQUEST_TRANSITIONS[from].includes(to);
}

/** What was asked, by kind. */
export type RequestPayload = QuotaIncreaseRequest | DedicatedIpRequest;
export type RequestKind = RequestPayload['kind'];

/** What every stored request has, whatever its kind. */
export interface RequestRecord {
  id: string;
  submissionKey: string;
  reference: string;
  teamId: string;
  channelId: string;
  requesterId: string;
  status: RequestStatus;
  responseUrl: string | null;
  rootTs: string | null;
  caseId: string | null;
  displayId: string | null;
  caseStatus: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  /** Newest communication time the sync has handled for this case. */
  commWatermark: string | null;
  resolvedAt: string | null;
  /** How many status changes the sync has seen: keys the status notices in the thread. */
  statusChanges: number;
  /** When CreateCase was last sent for it (database clock), or null if never. */
  attemptedAt: string | null;
  /** How it goes to AWS: one Support case, or (quota requests) one Service Quotas request per row. */
  filingMode: FilingMode;
  /** With "service-quotas": each row's own request, status and case (null until filing starts). */
  quotaRows: QuotaRowState[] | null;
  /** With "service-quotas": when its rows stop being polled (null while any is open). */
  pollUntil: string | null;
  /** Per region: the figures when filed and the check that AWS's answer took effect (null until filed). */
  effects: RegionEffect[] | null;
  /** The AWS account it is filed in: "default" (the bot's own credentials) or a name from AWS_ACCOUNTS_FILE. */
  accountName: string;
  /** That account's id, when known (a named account's, from its role ARN). */
  accountId: string | null;
}

/** As QUOTA_FILING names them; a dedicated-IP request is always a Support case. */
export type FilingMode = 'support-case' | 'service-quotas';

export type QuotaRequest = RequestRecord & { kind: 'quota'; payload: QuotaIncreaseRequest };
export type DedicatedIpStoredRequest = RequestRecord & { kind: 'dedicated_ip'; payload: DedicatedIpRequest };
export type RelinquishRequest = RequestRecord & { kind: 'dedicated_ip'; payload: DedicatedIpRelinquish };
/** A stored request: its kind tells its payload's type. */
export type StoredRequest = QuotaRequest | DedicatedIpStoredRequest;

export function isRelinquishment(request: StoredRequest): request is RelinquishRequest {
  return request.kind === 'dedicated_ip' && request.payload.action === 'relinquish';
}

export type OutgoingState = 'sending' | 'sent' | 'failed' | 'uncertain';

/** A communication the bot sends to AWS on a case (a confirmation, a reply). */
export interface OutgoingCommunication {
  id: string;
  requestId: string;
  /** "form": the whole quota form, added to the case Service Quotas or a review opened. */
  kind: 'confirmation' | 'reply' | 'form';
  authorId: string;
  body: string;
  state: OutgoingState;
  errorMessage: string | null;
  createdAt: string;
  updatedAt: string;
  /** When AddCommunicationToCase was last sent for it (database clock), or null if never. */
  attemptedAt: string | null;
  /** The case it goes to when that is not the request's own case (a row's case), else null. */
  caseId: string | null;
}

// ---- payloads as stored ---------------------------------------------------------------------
// Structural checks of what the form validators produced (they hold the user-facing rules):
// a row written by another version, or edited by hand, is refused at the store's boundary.

const regionCode = z.enum(SES_REGIONS.map((r) => r.code) as [RegionCode, ...RegionCode[]]);
const mailType = z.enum(Object.keys(MAIL_TYPES) as [MailType, ...MailType[]]);
const language = z.enum(Object.keys(CONTACT_LANGUAGES) as [ContactLanguage, ...ContactLanguage[]]);
const count = z.number().int().positive();
/** JSON drops undefined: an absent optional text comes back as undefined, never as a missing key. */
const optionalText = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined);

const quotaPayload = z.object({
  kind: z.literal('quota'),
  mailType,
  websiteUrl: z.string(),
  compliesWithAup: z.literal(true),
  onlyRequestedRecipients: z.boolean(),
  handlesBouncesAndComplaints: z.boolean(),
  rows: z.array(z.object({ region: regionCode, limit: z.enum(Object.keys(QUOTA_LIMITS) as [QuotaLimit, ...QuotaLimit[]]), newValue: count })).min(1),
  useCase: z.string(),
  language,
  // Absent in payloads stored before the field existed, and whenever the form's field was empty.
  additionalContactEmails: z.array(z.string().min(1).max(MAX_EMAIL_CHARS)).min(1).max(MAX_ADDITIONAL_CONTACTS).nullish().transform((v) => v ?? undefined),
}) satisfies z.ZodType<QuotaIncreaseRequest>;

const leasePayload = z.object({
  kind: z.literal('dedicated_ip'),
  action: z.literal('request'),
  mailType,
  websiteUrl: z.string(),
  optInProcess: optionalText,
  bounceProcess: optionalText,
  compliesWithAup: z.literal(true),
  rows: z.array(z.object({ region: regionCode, sendRate: count, ipCount: z.number().int().positive().nullish().transform((v) => v ?? undefined) })).min(1),
  useCase: z.string(),
  language,
}) satisfies z.ZodType<DedicatedIpLease>;

const relinquishPayload = z.object({
  kind: z.literal('dedicated_ip'),
  action: z.literal('relinquish'),
  rows: z.array(z.object({ region: regionCode, addresses: z.array(z.string()), count })).min(1),
  note: optionalText,
  language,
}) satisfies z.ZodType<DedicatedIpRelinquish>;

const payloadSchemas = {
  quota: quotaPayload,
  dedicated_ip: z.discriminatedUnion('action', [leasePayload, relinquishPayload]),
} as const;

export class InvalidPayloadError extends Error {
  override name = 'InvalidPayloadError';
}

/** A request's payload checked against its kind; throws InvalidPayloadError naming what is wrong. */
export function parsePayload(kind: 'quota', data: unknown): QuotaIncreaseRequest;
export function parsePayload(kind: 'dedicated_ip', data: unknown): DedicatedIpRequest;
export function parsePayload(kind: string, data: unknown): RequestPayload;
export function parsePayload(kind: string, data: unknown): RequestPayload {
  const schema = Object.hasOwn(payloadSchemas, kind) ? payloadSchemas[kind as RequestKind] : undefined;
  if (!schema) throw new InvalidPayloadError(`unknown request kind "${kind}"`);
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidPayloadError(`a ${kind} request's payload is not valid: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** A record and its payload as one typed request. */
export function typedRequest(record: RequestRecord, kind: string, payload: unknown): StoredRequest {
  const checked = parsePayload(kind, payload);
  // Added to the record, not spread into a copy: V8 promotes every copy spread from this 27-field record to the old generation.
  return Object.assign(record, checked.kind === 'quota' ? { kind: 'quota' as const, payload: checked } : { kind: 'dedicated_ip' as const, payload: checked });
}
