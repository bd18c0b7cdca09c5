import { describe, expect, it } from 'vitest';
import { eventShown, parseSupportEvent } from '../../src/domain/support-event.js';

/** An event as EventBridge delivers it to SQS (the message body). */
function event(detail: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: '0',
    id: '7f4a2b1c-0000-4000-8000-000000000000',
    'detail-type': 'Support Case Update',
    source: 'aws.support',
    account: '111111111111',
    time: '2026-11-30T06:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
    ...extra,
  });
}

describe('parseSupportEvent', () => {
  it('reads a communication added by AWS', () => {
    const body = event({ 'case-id': 'case-111111111111-muen-2026-abc', 'display-id': '17000000001', 'communication-id': 'comm-1', 'event-name': 'AddCommunicationToCase', origin: 'AWS' });
    expect(parseSupportEvent(body)).toEqual({ caseId: 'case-111111111111-muen-2026-abc', time: '2026-11-30T06:00:00Z', eventName: 'AddCommunicationToCase', account: '111111111111', origin: 'AWS' });
  });

  it('reads a resolution, whose communication id and origin AWS leaves empty', () => {
    const body = event({ 'case-id': 'case-1', 'display-id': '1', 'communication-id': '', 'event-name': 'ResolveCase', origin: '' });
    expect(parseSupportEvent(body)).toEqual({ caseId: 'case-1', time: '2026-11-30T06:00:00Z', eventName: 'ResolveCase', account: '111111111111', origin: undefined });
  });

  it.each([
    ['not JSON', 'hello'],
    ['another source', event({ 'case-id': 'case-1', 'event-name': 'ResolveCase' }, { source: 'aws.health' })],
    ['another detail type', event({ 'case-id': 'case-1', 'event-name': 'ResolveCase' }, { 'detail-type': 'AWS API Call via CloudTrail' })],
    ['no case id', event({ 'event-name': 'ResolveCase' })],
    ['an unknown event name', event({ 'case-id': 'case-1', 'event-name': 'DeleteCase' })],
    ['a malformed account', event({ 'case-id': 'case-1', 'event-name': 'ResolveCase' }, { account: 'prod' })],
    ['nothing', undefined],
  ])('refuses %s', (_what, body) => {
    expect(parseSupportEvent(body)).toBeUndefined();
  });
});

describe('eventShown: whether DescribeCases already shows what the event announced', () => {
  const at = '2026-11-30T06:00:00.000Z';
  const reply = { caseId: 'case-1', time: at, eventName: 'AddCommunicationToCase' as const, account: undefined, origin: 'AWS' as const };
  const comm = (timeCreated: string, submittedBy = 'Amazon Web Services') => ({ timeCreated, submittedBy });

  it('a reply by AWS: shown once AWS has a communication from about the event\'s time', () => {
    expect(eventShown(reply, { status: 'opened', recentCommunications: [comm('2026-11-30T05:59:58.000Z')] })).toBe(true);
    // Only an older one, or only the customer's (the case body): not yet.
    expect(eventShown(reply, { status: 'opened', recentCommunications: [comm('2026-11-30T05:40:00.000Z')] })).toBe(false);
    expect(eventShown(reply, { status: 'opened', recentCommunications: [comm('2026-11-30T05:59:59.000Z', 'ops@example.com')] })).toBe(false);
    expect(eventShown({ ...reply, origin: 'CUSTOMER' }, { status: 'opened', recentCommunications: [comm('2026-11-30T05:59:59.000Z', 'ops@example.com')] })).toBe(true);
  });

  it('a resolution or a reopening: shown by the status; a case not shown at all shows nothing', () => {
    expect(eventShown({ ...reply, eventName: 'ResolveCase' }, { status: 'resolved', recentCommunications: [] })).toBe(true);
    expect(eventShown({ ...reply, eventName: 'ResolveCase' }, { status: 'opened', recentCommunications: [] })).toBe(false);
    expect(eventShown({ ...reply, eventName: 'ReopenCase' }, { status: 'reopened', recentCommunications: [] })).toBe(true);
    expect(eventShown(reply, undefined)).toBe(false);
  });

  it('an event without a time (a hand-made message) counts as shown', () => {
    expect(eventShown({ ...reply, time: undefined }, { status: 'opened', recentCommunications: [] })).toBe(true);
  });
});
