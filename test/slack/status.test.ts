/** `/ses-quota status` and `/ses-dedicated-ip status` (src/slack/views/status.ts): the channel's requests, newest first. */
import { describe, expect, it } from 'vitest';
import { buildChannelStatus } from '../../src/slack/views/status.js';
import { leaseRequest, quotaRequest, REQUESTER } from './builders.js';

describe('buildChannelStatus', () => {
  it.each([
    ['quota', 'No sending quota requests have been made in this channel yet. Run `/ses-quota` to make one.'],
    ['dedicated_ip', 'No dedicated IP requests have been made in this channel yet. Run `/ses-dedicated-ip` to make one.'],
  ] as const)('with no %s requests, says so and which command makes one', (kind, text) => {
    expect(buildChannelStatus(kind, [], new Map())).toBe(text);
  });

  it('lists each request with its date, requester, state and thread, under a heading', () => {
    const filed = quotaRequest({ id: 'r-filed' });
    const failed = quotaRequest({ id: 'r-failed', status: 'failed', caseId: null, displayId: null, caseStatus: null, errorMessage: 'AWS said <no>.', createdAt: '2025-03-10T08:00:00.000Z' });
    const text = buildChannelStatus('quota', [filed, failed], new Map([['r-filed', 'https://example.slack.com/archives/C0SESOPS/p1700000000000100']]));
    expect(text.split('\n')).toEqual([
      '*SES sending quota requests in this channel* (newest first):',
      `• 2025-03-14 by <@${REQUESTER}> · case 17100000000: *Opened* · <https://example.slack.com/archives/C0SESOPS/p1700000000000100|thread>`,
      `• 2025-03-10 by <@${REQUESTER}> · :x: Not filed: AWS said &lt;no&gt;. · thread`,
    ]);
  });

  it('says "thread" without a link when Slack gave no permalink, and "no thread" when the root was never posted', () => {
    const text = buildChannelStatus('dedicated_ip', [leaseRequest({ id: 'a' }), leaseRequest({ id: 'b', rootTs: null, status: 'not_posted', caseId: null, displayId: null, caseStatus: null })], new Map());
    const [heading, a, b] = text.split('\n');
    expect(heading).toBe('*SES dedicated IP requests in this channel* (newest first):');
    expect(a).toMatch(/ · thread$/);
    expect(b).toBe(`• 2025-03-14 by <@${REQUESTER}> · :warning: Not filed: the bot could not post in this channel. · no thread`);
  });

  it('names a filed case by its number, or by its id until the number is known', () => {
    const text = buildChannelStatus('quota', [quotaRequest({ displayId: null, caseStatus: 'pending-customer-action' })], new Map());
    expect(text).toContain('· case case-123456789012-muen-2025-abcdef: *Pending customer action* ·');
  });

  it('shows a filed case whose AWS status is not known yet by its status line', () => {
    const text = buildChannelStatus('quota', [quotaRequest({ caseStatus: null })], new Map());
    expect(text).toContain(':white_check_mark: <https://console.aws.amazon.com/support/home#/case/?displayId=17100000000|Case 17100000000> filed · thread');
  });
});
