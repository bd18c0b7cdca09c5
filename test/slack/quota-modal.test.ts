/** The /ses-quota modal (src/slack/views/quota-modal.ts): what the user sees and fills in. */
import { describe, expect, it } from 'vitest';
import { MAX_QUOTA_ROWS } from '../../src/domain/quota-request.js';
import { ACTION, CALLBACK, QUOTA_BLOCK } from '../../src/slack/ids.js';
import { decodeQuotaMeta, type QuotaModalMeta } from '../../src/slack/modal-metadata.js';
import { buildQuotaAcceptedView, buildQuotaModal, newQuotaMeta, regionsInForm } from '../../src/slack/views/quota-modal.js';
import { blockKitViolations } from '../property/arbitraries.js';
import { blockById, buttonsOf, inputIds, textOfBlocks } from './builders.js';

type Json = Record<string, any>;

const META: QuotaModalMeta = {
  ...newQuotaMeta('C0SESOPS', undefined),
  rowKeys: ['0', '1'],
  nextRowKey: 2,
  quotas: {
    'us-east-1': { state: 'ok', quota: { max24HourSend: 50_000, maxSendRate: 14, sentLast24Hours: 1234, productionAccess: true } },
    'eu-west-1': { state: 'error', message: 'Access <denied>' },
  },
};
const FORM = { rows: [{ key: '0', region: 'us-east-1', limit: null, newValue: null }, { key: '1', region: 'eu-west-1', limit: 'send_rate', newValue: '20' }] };

describe('buildQuotaModal', () => {
  const view = buildQuotaModal(FORM, META, 'us-east-1');
  const text = textOfBlocks(view.blocks);

  it('asks the four questions in AWS\'s sense, invites anything else, promises no outcome, and says what to expect', () => {
    expect(text).toContain('4. How did you choose the new sending rate or sending quota you are asking for?');
    expect(text).toContain('Add anything else AWS should consider when it reviews this request.');
    expect(JSON.stringify(view.blocks)).not.toContain('Specific answers get limits raised');
    expect(text).toContain('*What to expect:*');
    expect(text).toMatch(/24 hours/);
  });

  it('shows the warnings for values far above the current quota, and none without them', () => {
    const warned = buildQuotaModal(FORM, META, 'us-east-1', [{ field: 'rows.1.newValue', message: '20,000 is more than 100 times <yours>.' }]);
    expect(blockById(warned, QUOTA_BLOCK.farAbove).text.text).toBe(':warning: 20,000 is more than 100 times &lt;yours&gt;.');
    expect(view.blocks.some((b: Json) => b.block_id === QUOTA_BLOCK.farAbove)).toBe(false);
  });

  it('is the SES sending-limits case form, filed with "File case"', () => {
    expect(view).toMatchObject({
      type: 'modal',
      callback_id: CALLBACK.quotaRequest,
      title: { text: 'SES sending quota' },
      submit: { text: 'File case' },
      close: { text: 'Cancel' },
    });
    // One limit-type name in the form and in the case body: the Support category's.
    expect(text).toContain('*Limit type:* SES Sending Limits');
  });

  it('shows the current quota of each region in the form, and says when it could not be read', () => {
    expect(blockById(view, QUOTA_BLOCK.currentQuota).text.text).toBe(
      [
        '*Current sending quota*',
        '*US East (N. Virginia)*: 50,000 emails per 24 hours · 14 emails per second · 1,234 sent in the last 24 hours · production',
        '*Europe (Ireland)*: could not read the current quota (Access &lt;denied&gt;). You can still file the request.',
      ].join('\n'),
    );
  });

  it('says "looking up" while a quota is loading, and "unlimited" and "sandbox" as they are', () => {
    const loading = buildQuotaModal({ rows: [] }, newQuotaMeta('C0SESOPS', undefined), 'ap-south-1');
    expect(blockById(loading, QUOTA_BLOCK.currentQuota).text.text).toBe('*Current sending quota*\n*Asia Pacific (Mumbai)*: looking up the current quota…');
    const unlimited = buildQuotaModal({ rows: [] }, { ...newQuotaMeta('C0SESOPS', undefined), quotas: { 'us-east-1': { state: 'ok', quota: { max24HourSend: -1, maxSendRate: -1, sentLast24Hours: 0, productionAccess: false } } } }, 'us-east-1');
    expect(blockById(unlimited, QUOTA_BLOCK.currentQuota).text.text).toContain('unlimited emails per 24 hours · unlimited emails per second · 0 sent in the last 24 hours · sandbox');
  });

  it('asks the console\'s questions, one request row per metadata row key, then the use case and language', () => {
    expect(inputIds(view)).toEqual([
      QUOTA_BLOCK.mailType,
      QUOTA_BLOCK.websiteUrl,
      QUOTA_BLOCK.compliesWithAup,
      QUOTA_BLOCK.onlyRequestedRecipients,
      QUOTA_BLOCK.handlesBouncesAndComplaints,
      'row:0:region',
      'row:0:limit',
      'row:0:newValue',
      'row:1:region',
      'row:1:limit',
      'row:1:newValue',
      QUOTA_BLOCK.useCase,
      QUOTA_BLOCK.language,
    ]);
    expect(text).toContain('*Use case description.* AWS asks you to answer:\n1. How do you build or acquire your mailing list?');
  });

  it('keeps what the user chose in each row as the initial values', () => {
    expect(blockById(view, 'row:1:region').element.initial_option.value).toBe('eu-west-1');
    expect(blockById(view, 'row:1:limit').element.initial_option.value).toBe('send_rate');
    expect(blockById(view, 'row:1:newValue').element.initial_value).toBe('20');
    expect(blockById(view, 'row:0:limit').element.initial_option).toBeUndefined();
    expect(blockById(view, QUOTA_BLOCK.language).element.initial_option.value).toBe('en');
  });

  it('offers Remove on each row only when there is more than one, and Add another request below them', () => {
    expect(buttonsOf(view.blocks).map((b) => [b.action_id, b.text.text, b.value])).toEqual([
      [ACTION.removeRow, 'Remove', '0'],
      [ACTION.removeRow, 'Remove', '1'],
      [ACTION.addRow, 'Add another request', undefined],
    ]);
    const single = buildQuotaModal({ rows: [] }, newQuotaMeta('C0SESOPS', undefined), 'us-east-1');
    expect(buttonsOf(single.blocks).map((b) => b.action_id)).toEqual([ACTION.addRow]);
  });

  it(`says ${MAX_QUOTA_ROWS} requests is the most one case holds, instead of offering another`, () => {
    const rowKeys = Array.from({ length: MAX_QUOTA_ROWS }, (_, i) => String(i));
    const full = buildQuotaModal({ rows: [] }, { ...newQuotaMeta('C0SESOPS', undefined), rowKeys, nextRowKey: MAX_QUOTA_ROWS }, 'us-east-1');
    expect(buttonsOf(full.blocks).map((b) => b.action_id)).not.toContain(ACTION.addRow);
    expect(blockById(full, QUOTA_BLOCK.addRow)).toMatchObject({ type: 'context', elements: [{ text: '10 requests is the most one case holds.' }] });
    expect(blockKitViolations(full as Json, { maxBlocks: 100 })).toEqual([]);
  });

  it('carries its metadata, which decodes to what it was built with', () => {
    expect(decodeQuotaMeta(view.private_metadata)).toEqual(META);
  });

  it('never gets metadata naming a row twice: the decoder refuses it, so block ids stay unique', () => {
    const meta = { kind: 'quota', channelId: 'C0SESOPS', rowKeys: ['0', '0'], nextRowKey: 1, quotas: {} } as QuotaModalMeta;
    expect(decodeQuotaMeta(JSON.stringify(meta))).toBeUndefined();
    expect(blockKitViolations(buildQuotaModal({ rows: [] }, { ...meta, rowKeys: ['0'] }, 'us-east-1') as Json, { maxBlocks: 100 })).toEqual([]);
  });
});

describe('regionsInForm', () => {
  it('names each row\'s region once, in row order, and the default for a row without a valid one', () => {
    const rows = [
      { key: '0', region: 'eu-west-1', limit: null, newValue: null },
      { key: '1', region: null, limit: null, newValue: null },
      { key: '2', region: 'eu-west-1', limit: null, newValue: null },
      { key: '3', region: 'mars-1', limit: null, newValue: null },
    ];
    expect(regionsInForm({ rows }, 'us-east-1')).toEqual(['eu-west-1', 'us-east-1']);
    expect(regionsInForm({ rows: [] }, 'us-east-1')).toEqual(['us-east-1']);
  });
});

describe('buildQuotaAcceptedView', () => {
  it('says the request was received and where to follow it', () => {
    const view = buildQuotaAcceptedView('C0SESOPS');
    expect(view).toMatchObject({ type: 'modal', title: { text: 'SES sending quota' }, close: { text: 'Close' } });
    expect(view.submit).toBeUndefined();
    expect(textOfBlocks(view.blocks)).toBe(
      ':white_check_mark: Request received. The bot is filing it with AWS Support; follow it in <#C0SESOPS>, where the case gets its own thread.',
    );
  });
});
