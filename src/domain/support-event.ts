/**
 * AWS Support's "Support Case Update" event, as EventBridge delivers it to an SQS queue (the
 * message body is the event's JSON). Only what the bot acts on is read; anything that is not
 * such an event is refused here, whole.
 */
import { z } from 'zod';

export const SUPPORT_EVENT_NAMES = ['CreateCase', 'AddCommunicationToCase', 'ResolveCase', 'ReopenCase'] as const;

const eventSchema = z.object({
  source: z.literal('aws.support'),
  'detail-type': z.literal('Support Case Update'),
  account: z.string().regex(/^\d{12}$/).optional(),
  time: z.string().optional(),
  // AWS sends "" (or leaves out) what an event has none of: a resolution has no communication or origin.
  detail: z.object({
    'case-id': z.string().min(1).max(200),
    'display-id': z.string().max(60).nullish(),
    'communication-id': z.string().max(200).nullish(),
    'event-name': z.enum(SUPPORT_EVENT_NAMES),
    origin: z.enum(['AWS', 'CUSTOMER', '']).nullish(),
  }),
});

export interface SupportCaseEvent {
  caseId: string;
  /** When AWS emitted it (absent in hand-made messages). */
  time: string | undefined;
  eventName: (typeof SUPPORT_EVENT_NAMES)[number];
  /** The account the case is in, as EventBridge says (absent in hand-made messages). */
  account: string | undefined;
  origin: 'AWS' | 'CUSTOMER' | undefined;
}

/** The event in a queue message's body, or undefined when the body is not one. */
export function parseSupportEvent(body: string | undefined): SupportCaseEvent | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    return undefined;
  }
  const parsed = eventSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const { detail, account, time } = parsed.data;
  return { caseId: detail['case-id'], time, eventName: detail['event-name'], account, origin: detail.origin || undefined };
}

/** A message SQS has handed out this many times without it being deleted is given up on. */
export const MAX_RECEIVES = 5;

/** An event whose news AWS's API does not show yet comes back at most until its receive this many. */
export const LAG_RECEIVES = 3;

/** How far a communication's creation time may be before its event's and still be the one it announces. */
const COMMUNICATION_SKEW_MS = 30_000;
/** How the Support API names AWS as a communication's author. */
const AWS_SUBMITTER = 'Amazon Web Services';

/**
 * Whether a case as DescribeCases shows it carries the news its event announced: the
 * communication (one created around the event's time, by AWS when the event says so), the
 * resolution, the reopening. An event
 * the bot cannot judge counts as shown.
 */
export function eventShown(
  event: SupportCaseEvent,
  shown: { status: string | undefined; recentCommunications: { timeCreated: string; submittedBy: string }[] } | undefined,
): boolean {
  if (!shown) return false;
  switch (event.eventName) {
    case 'ResolveCase':
      return shown.status === 'resolved';
    case 'ReopenCase':
      return shown.status !== 'resolved';
    case 'AddCommunicationToCase': {
      const at = Date.parse(event.time ?? '');
      if (!Number.isFinite(at)) return true;
      // AWS's own reply when the event says AWS wrote it; any communication otherwise.
      return shown.recentCommunications.some((c) => Date.parse(c.timeCreated) >= at - COMMUNICATION_SKEW_MS && (event.origin !== 'AWS' || c.submittedBy === AWS_SUBMITTER));
    }
    default:
      return true;
  }
}
