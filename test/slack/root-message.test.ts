/** The thread root of a request (src/slack/views/root-message.ts): what the channel sees of it, per kind and status. */
import { describe, expect, it } from 'vitest';
import type { RequestStatus } from '../../src/domain/request.js';
import { ACTION } from '../../src/slack/ids.js';
import { buildRootMessage, statusLine } from '../../src/slack/views/root-message.js';
import { blockKitViolations } from '../property/arbitraries.js';
import { buttonsOf, leaseRequest, quotaRequest, relinquishRequest, REQUESTER, textOfBlocks } from './builders.js';

const CASE_LINK = '<https://console.aws.amazon.com/support/home#/case/?displayId=17100000000|Case 17100000000>';

describe('buildRootMessage: a quota increase', () => {
  const message = buildRootMessage(quotaRequest());
  const text = textOfBlocks(message.blocks);

  it('heads the thread with the kind of request, who asked and the case, linked to Support Center', () => {
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text', text: 'SES sending quota increase' } });
    expect(text).toContain(`*Requested by* <@${REQUESTER}>`);
    expect(text).toContain(`*Status:* :white_check_mark: ${CASE_LINK} filed · AWS status: *Opened*`);
  });

  it('lists each region and limit asked for, with the new value and its unit', () => {
    expect(text).toContain('• US East (N. Virginia): Desired Maximum Send Quota → *200,000* per 24 hours\n• Europe (Ireland): Desired Maximum Send Rate → *50* per second');
  });

  it('names the mail type, website, contact language and the request reference', () => {
    expect(text).toContain('Mail type: Transactional · Website: https://shop.example.com · Contact language: English · Reference: SESBOT-0123456789abcdef');
  });

  it('gives a notification text that says the same in one line', () => {
    expect(message.text).toBe(`SES sending quota increase requested by <@${REQUESTER}>: :white_check_mark: ${CASE_LINK} filed · AWS status: *Opened*`);
  });

  it('offers Reply and Resolve on an open case; Resolve asks first in a Slack confirm dialog', () => {
    const [reply, resolve, ...rest] = buttonsOf(message.blocks);
    expect(rest).toEqual([]);
    expect(reply).toMatchObject({ action_id: ACTION.replyToAws, value: '0123456789abcdef', text: { text: 'Reply to AWS Support' } });
    expect(resolve).toMatchObject({ action_id: ACTION.resolveCase, value: '0123456789abcdef', text: { text: 'Resolve case' } });
    expect(resolve!.confirm).toEqual({
      title: { type: 'plain_text', text: 'Resolve this case?', emoji: true },
      text: { type: 'plain_text', text: 'AWS Support closes the case. It can be reopened for 14 days by replying to it.', emoji: true },
      confirm: { type: 'plain_text', text: 'Resolve', emoji: true },
      deny: { type: 'plain_text', text: 'Cancel', emoji: true },
    });
  });

  it('says what to expect from AWS while the case is open, and no more once it is resolved', () => {
    expect(text).toContain('*What to expect:*');
    expect(text).toMatch(/first answer usually comes within 24 hours/);
    expect(textOfBlocks(buildRootMessage(quotaRequest({ caseStatus: 'resolved' })).blocks)).not.toContain('*What to expect:*');
    expect(textOfBlocks(buildRootMessage(leaseRequest()).blocks)).toMatch(/send rate you give to size the number of dedicated IPs/);
  });

  it('offers no buttons once the case is resolved', () => {
    expect(buttonsOf(buildRootMessage(quotaRequest({ caseStatus: 'resolved' })).blocks)).toEqual([]);
  });

  it('stays inside Block Kit limits', () => {
    expect(blockKitViolations(message as Record<string, any>, { maxBlocks: 50 })).toEqual([]);
  });
});

describe('buildRootMessage: dedicated IPs', () => {
  it('a lease: each region with its send rate, and the number of IPs where one was asked for', () => {
    const message = buildRootMessage(leaseRequest());
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { text: 'SES dedicated IPs: request' } });
    const text = textOfBlocks(message.blocks);
    expect(text).toContain('• US East (N. Virginia): up to *1,000* messages per second, *2* dedicated IPs\n• South America (São Paulo): up to *50* messages per second');
    expect(text).toContain('Mail type: Marketing · Website: https://shop.example.com');
  });

  it('a relinquishment: the addresses per region, and that nothing is released until the requester or an approver confirms', () => {
    const message = buildRootMessage(relinquishRequest());
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { text: 'SES dedicated IPs: relinquish' } });
    const text = textOfBlocks(message.blocks);
    expect(text).toContain('• US East (N. Virginia): give back *2* addresses: `198.51.100.7`, `203.0.113.10`');
    expect(text).toContain('• Asia Pacific (Tokyo): give back *1* address: `192.0.2.9`');
    expect(text).toContain(`:warning: This cannot be undone. AWS will ask for confirmation in this thread; nothing is released until <@${REQUESTER}> (or an approver) confirms here, or someone confirms to AWS by email or in Support Center.`);
    // No mail type or website: a relinquishment has none.
    expect(text).toContain('\nContact language: English · Reference: SESBOT-0123456789abcdef');
    expect(text).not.toContain('Mail type');
  });

  it('a relinquishment by count, when the inventory could not be read: the number of addresses only', () => {
    const message = buildRootMessage(relinquishRequest({}, { rows: [{ region: 'eu-west-1', addresses: [], count: 3 }] }));
    expect(textOfBlocks(message.blocks)).toContain('• Europe (Ireland): give back *3* addresses\n');
  });
});

describe('statusLine and the Retry button, by status', () => {
  it.each<[string, Partial<Parameters<typeof quotaRequest>[0]>, string]>([
    ['received', { status: 'received', caseId: null, displayId: null, caseStatus: null }, ':hourglass_flowing_sand: Filing with AWS Support…'],
    ['filing', { status: 'filing', caseId: null, displayId: null, caseStatus: null }, ':hourglass_flowing_sand: Filing with AWS Support…'],
    ['filing, the case id known', { status: 'filing', displayId: null, caseStatus: null }, ':hourglass_flowing_sand: Case filed; fetching its number…'],
    ['filed, no number yet', { status: 'filed', displayId: null, caseStatus: null }, ':white_check_mark: Case `case-123456789012-muen-2025-abcdef` filed'],
    ['filed, in progress', { caseStatus: 'work-in-progress' }, `:white_check_mark: ${CASE_LINK} filed · AWS status: *Work in progress*`],
    ['failed', { status: 'failed', caseId: null, displayId: null, caseStatus: null, errorMessage: 'AWS said no.' }, ':x: Not filed: AWS said no.'],
    ['failed, no message', { status: 'failed', caseId: null, displayId: null, caseStatus: null }, ':x: Not filed: AWS refused the case.'],
    ['uncertain', { status: 'uncertain', caseId: null, displayId: null, caseStatus: null }, ':warning: AWS did not say whether the case was filed. Retry checks AWS for it before filing anything.'],
    ['not_posted', { status: 'not_posted', caseId: null, displayId: null, caseStatus: null }, ':warning: Not filed: the bot could not post in this channel.'],
  ])('%s', (_, overrides, line) => {
    expect(statusLine(quotaRequest(overrides))).toBe(line);
  });

  it('escapes what AWS said, so an error message cannot mention anyone or hide a link', () => {
    const line = statusLine(quotaRequest({ status: 'failed', errorMessage: 'Denied <!channel> see <https://evil.example|here> & more' }));
    expect(line).toBe(':x: Not filed: Denied &lt;!channel&gt; see &lt;https://evil.example|here&gt; &amp; more');
  });

  it.each<RequestStatus>(['failed', 'uncertain', 'not_posted'])('offers Retry (and nothing else) when the request is %s', (status) => {
    const buttons = buttonsOf(buildRootMessage(quotaRequest({ status, caseId: null, displayId: null, caseStatus: null })).blocks);
    expect(buttons).toHaveLength(1);
    expect(buttons[0]).toMatchObject({ action_id: ACTION.retryFiling, value: '0123456789abcdef', style: 'primary', text: { text: 'Retry' } });
  });

  it.each<RequestStatus>(['received', 'filing'])('offers no button while the request is %s', (status) => {
    expect(buttonsOf(buildRootMessage(quotaRequest({ status, caseId: null, displayId: null, caseStatus: null })).blocks)).toEqual([]);
  });
});
