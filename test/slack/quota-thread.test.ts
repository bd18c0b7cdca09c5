import { describe, expect, it } from 'vitest';
import type { QuotaRowState } from '../../src/domain/quota-rows.js';
import { pasteReadyForm, rowFailedNotice, rowStatusNotice } from '../../src/slack/views/quota-thread.js';
import { buildRootMessage } from '../../src/slack/views/root-message.js';
import { buttonsOf, quotaRequest, REQUESTER, textOfBlocks } from './builders.js';

const sent = (over: Partial<QuotaRowState> = {}): QuotaRowState => ({ region: 'us-east-1', limit: 'send_quota', newValue: 200_000, path: 'service_quotas', sending: 'sent', awsId: 'req-1', status: 'PENDING', ...over });

describe('the root of a request sent through Service Quotas', () => {
  it('lists each row with where it went and its status, and offers no Reply or Resolve before the bot follows a case', () => {
    const request = quotaRequest({
      filingMode: 'service-quotas',
      caseId: null,
      displayId: null,
      caseStatus: null,
      quotaRows: [sent({ status: 'CASE_OPENED', caseId: 'case-9' }), sent({ region: 'eu-west-1', limit: 'send_rate', newValue: 50, path: 'production_access', status: 'PENDING', awsId: undefined })],
    });
    const text = textOfBlocks(buildRootMessage(request).blocks);
    expect(text).toContain('US East (N. Virginia): Desired Maximum Send Quota → *200,000* per 24 hours · Service Quotas: *case opened* · case `case-9`');
    expect(text).toContain('Europe (Ireland): Desired Maximum Send Rate → *50* per second · production access: *pending*');
    expect(text).toContain('Every request reached AWS');
    expect(buttonsOf(buildRootMessage(request).blocks).map((b) => b.action_id)).toEqual([]);
  });

  it('offers Reply and Resolve once the bot follows a case, and Retry while a row was refused', () => {
    const followed = quotaRequest({ filingMode: 'service-quotas', quotaRows: [sent({ caseId: 'case-123456789012-muen-2025-abcdef' })] });
    expect(buttonsOf(buildRootMessage(followed).blocks).map((b) => b.action_id)).toEqual(['reply_to_aws', 'resolve_case']);
    const refused = quotaRequest({
      filingMode: 'service-quotas',
      status: 'failed',
      caseId: null,
      errorMessage: '1 of 2 requests did not reach AWS (the thread says why).',
      quotaRows: [sent(), sent({ sending: 'failed', status: undefined, awsId: undefined, errorCode: 'too_many_open_requests' })],
    });
    const text = textOfBlocks(buildRootMessage(refused).blocks);
    expect(text).toContain(':x: not sent (too many open requests)');
    expect(text).toContain('Retry sends only the requests AWS does not have');
    expect(buttonsOf(buildRootMessage(refused).blocks).map((b) => b.action_id)).toEqual(['retry_filing']);
  });
});

describe('the thread of a request sent through Service Quotas', () => {
  it('mentions the requester on a final answer only', () => {
    expect(rowStatusNotice(sent({ status: 'APPROVED' }), REQUESTER).text).toContain(`<@${REQUESTER}>`);
    expect(rowStatusNotice(sent({ status: 'CASE_OPENED' }), REQUESTER).text).not.toContain('<@');
  });

  it('escapes AWS\'s words in a refusal', () => {
    expect(rowFailedNotice(sent({ sending: 'failed', errorMessage: 'value <100> & more' })).text).toContain('value &lt;100&gt; &amp; more');
  });

  it('gives the form to paste whole, escaped, in code blocks within Slack\'s limits', () => {
    const form = `Use case description: <b>bold</b> & more\n${'line of the form\n'.repeat(900)}end`;
    const messages = pasteReadyForm(REQUESTER, ['case-1', 'case-2'], form);
    const sections = messages.flatMap((m) => m.blocks).map((b: any) => b.text.text as string);
    expect(sections[0]).toContain('cases `case-1`, `case-2`');
    const pasted = sections.slice(1).map((s) => s.replace(/^```|```$/g, '')).join('\n');
    expect(pasted.replace(/\n/g, '')).toBe(form.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, ''));
    for (const s of sections) expect(s.length).toBeLessThanOrEqual(3000);
    for (const m of messages) expect(m.blocks.length).toBeLessThanOrEqual(50);
  });
});
