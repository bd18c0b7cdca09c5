/**
 * Typed private_metadata of the bot's modals. Slack hands it back verbatim, but it is still
 * parsed and checked: it carries the form's layout and what the user was shown, never who
 * the user is (that comes from Slack's payload).
 */
import { z } from 'zod';
import { ACCOUNT_NAME } from '../domain/accounts.js';

const quotaLookup = z.discriminatedUnion('state', [
  z.object({ state: z.literal('loading') }),
  z.object({
    state: z.literal('ok'),
    quota: z.object({
      max24HourSend: z.number(),
      maxSendRate: z.number(),
      sentLast24Hours: z.number(),
      productionAccess: z.boolean(),
    }),
  }),
  z.object({ state: z.literal('error'), message: z.string().max(300) }),
]);
export type QuotaLookup = z.infer<typeof quotaLookup>;

const rowKey = z.string().regex(/^[a-z0-9]{1,8}$/);
const rowKeys = z
  .array(rowKey)
  .min(1)
  .max(10)
  .refine((keys) => new Set(keys).size === keys.length, { error: 'row keys must be unique' });
/** Printable ASCII only: a URL needs nothing else, and JSON cannot blow it up past Slack's 3,000 characters. */
const responseUrl = z.url({ protocol: /^https?$/ }).max(500).regex(/^[\x21-\x7e]+$/);

/**
 * Where a form's pre-filled answers came from, or that they could not be read in time: said in
 * the form on every redraw, so it travels with it. Display only; the ids are shaped so that
 * nothing in them can form markup.
 */
const standingNote = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('prefilled'),
    reference: z.string().regex(/^[A-Za-z0-9-]{1,60}$/),
    requesterId: z.string().regex(/^[UW][A-Z0-9]{2,30}$/),
    filedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  }),
  z.object({ state: z.literal('unavailable') }),
]);
export type StandingNote = z.infer<typeof standingNote>;

/**
 * The note for answers pre-filled from a request, or undefined when its ids cannot travel in the
 * metadata (a decoder would then refuse the whole form on submit). The caller then pre-fills
 * nothing: answers from another request are never shown without saying which.
 */
export function prefilledNote(source: { reference: string; requesterId: string; filedOn: string }): StandingNote | undefined {
  const parsed = standingNote.safeParse({ state: 'prefilled', ...source });
  return parsed.success ? parsed.data : undefined;
}

function nextKeyIsNew(meta: { rowKeys: string[]; nextRowKey: number }): boolean {
  return meta.rowKeys.every((k) => parseInt(k, 36) < meta.nextRowKey);
}

export const quotaModalMeta = z.object({
  kind: z.literal('quota'),
  channelId: z.string().regex(/^[CGD][A-Z0-9]{2,30}$/),
  responseUrl: responseUrl.optional(),
  rowKeys,
  nextRowKey: z.number().int().min(0).max(1_000_000),
  quotas: z.record(z.string().max(20), quotaLookup),
  /** The values the user was warned about (far above the current quota) and chose to keep: submitting them again files them. */
  warned: z.string().max(400).optional(),
  standing: standingNote.optional(),
  /** The AWS account whose figures the form shows (AWS_ACCOUNTS_FILE); checked again on submit. */
  account: z.string().regex(ACCOUNT_NAME).optional(),
}).refine(nextKeyIsNew, { error: 'nextRowKey must be above every row key' });
export type QuotaModalMeta = z.infer<typeof quotaModalMeta>;

export const dedicatedIpModalMeta = z.object({
  kind: z.literal('dedicated_ip'),
  action: z.enum(['request', 'relinquish']),
  channelId: z.string().regex(/^[CGD][A-Z0-9]{2,30}$/),
  responseUrl: responseUrl.optional(),
  rowKeys,
  nextRowKey: z.number().int().min(0).max(1_000_000),
  standing: standingNote.optional(),
  /** As the quota form's. */
  account: z.string().regex(ACCOUNT_NAME).optional(),
}).refine(nextKeyIsNew, { error: 'nextRowKey must be above every row key' });
export type DedicatedIpModalMeta = z.infer<typeof dedicatedIpModalMeta>;

export function decodeDedicatedIpMeta(text: string | undefined): DedicatedIpModalMeta | undefined {
  try {
    const parsed = dedicatedIpModalMeta.safeParse(JSON.parse(text ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export const replyModalMeta = z.object({ requestId: z.string().regex(/^[0-9a-z]{1,40}$/) });

export function decodeReplyMeta(text: string | undefined): z.infer<typeof replyModalMeta> | undefined {
  try {
    const parsed = replyModalMeta.safeParse(JSON.parse(text ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function encodeReplyMeta(meta: z.infer<typeof replyModalMeta>): string {
  return JSON.stringify(replyModalMeta.parse(meta));
}

/** Slack's limit on private_metadata. */
const MAX_METADATA = 3000;

export function encodeMeta(meta: QuotaModalMeta | DedicatedIpModalMeta): string {
  let text = JSON.stringify(meta);
  if (text.length > MAX_METADATA && meta.kind === 'quota') {
    // Quota displays are a convenience: drop them before anything the form needs.
    text = JSON.stringify({ ...meta, quotas: {} });
  }
  return text;
}

export function decodeQuotaMeta(text: string | undefined): QuotaModalMeta | undefined {
  try {
    const parsed = quotaModalMeta.safeParse(JSON.parse(text ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
