/** The /ses-quota modal (src/slack/views/quota-modal.ts): what the user sees and fills in. */
import { describe, expect, it } from 'vitest';
import { MAX_QUOTA_ROWS } from '../../src/domain/quota-request.js';
import { ACTION, CALLBACK, QUOTA_BLOCK } from '../../src/slack/ids.js';
import { decodeQuotaMeta, prefilledNote, type QuotaLookup, type QuotaModalMeta } from '../../src/slack/modal-metadata.js';
import { quotaErrorsToBlocks, readQuotaForm } from '../../src/slack/quota-form.js';
import { buildQuotaAcceptedView, buildQuotaModal, newQuotaMeta, regionsInForm } from '../../src/slack/views/quota-modal.js';
import { fillState } from '../helpers/slack-requests.js';
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

  it('is the SES sending-limits form, submitted with "Submit" when it goes to Service Quotas', () => {
    expect(view).toMatchObject({
      type: 'modal',
      callback_id: CALLBACK.quotaRequest,
      title: { text: 'SES sending quota' },
      submit: { text: 'Submit' },
      close: { text: 'Cancel' },
    });
    // One limit-type name in the form and in the case body: the Support category's.
    expect(text).toContain('*Limit type:* SES Sending Limits');
    expect(text).toContain('This sends each request to AWS *Service Quotas*');
    expect(text).not.toContain('AWS Support');
  });

  it('is filed with "File case" and says it opens a Support case in support-case mode', () => {
    const caseView = buildQuotaModal(FORM, META, 'us-east-1', [], 'support-case');
    expect(caseView.submit).toMatchObject({ text: 'File case' });
    expect(textOfBlocks(caseView.blocks)).toContain('This files a *Service limit increase* case with AWS Support, as the Support Center form does.');
    expect(textOfBlocks(caseView.blocks)).not.toContain('Service Quotas');
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
      QUOTA_BLOCK.additionalContacts,
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
    expect(blockById(full, QUOTA_BLOCK.addRow)).toMatchObject({ type: 'context', elements: [{ text: '10 requests is the most one form holds.' }] });
    expect(blockKitViolations(full as Json, { maxBlocks: 100 })).toEqual([]);
    const fullCase = buildQuotaModal({ rows: [] }, { ...newQuotaMeta('C0SESOPS', undefined), rowKeys, nextRowKey: MAX_QUOTA_ROWS }, 'us-east-1', [], 'support-case');
    expect(blockById(fullCase, QUOTA_BLOCK.addRow)).toMatchObject({ elements: [{ text: '10 requests is the most one case holds.' }] });
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

const SANDBOX: QuotaLookup = { state: 'ok', quota: { max24HourSend: 200, maxSendRate: 1, sentLast24Hours: 0, productionAccess: false } };
const PRODUCTION: QuotaLookup = { state: 'ok', quota: { max24HourSend: 50_000, maxSendRate: 14, sentLast24Hours: 0, productionAccess: true } };

/** The block ids of a view, in order (input or not). */
const blockIds = (view: { blocks: readonly unknown[] }) => (view.blocks as Json[]).map((b) => b.block_id);

describe('buildQuotaModal: a row whose region is still in the sandbox', () => {
  const meta: QuotaModalMeta = { ...newQuotaMeta('C0SESOPS', undefined), rowKeys: ['0', '1'], nextRowKey: 2, quotas: { 'eu-west-1': SANDBOX, 'us-east-1': PRODUCTION } };
  const form = { rows: [{ key: '0', region: 'eu-west-1', limit: 'send_quota', newValue: '50000' }, { key: '1', region: 'us-east-1', limit: null, newValue: null }] };

  it('says, right under the row\'s value, that submitting requests production access there (Service Quotas mode)', () => {
    const view = buildQuotaModal(form, meta, 'us-east-1', [], 'service-quotas');
    const ids = blockIds(view);
    expect(ids[ids.indexOf('row:0:newValue') + 1]).toBe('row:0:sandboxNotice');
    expect(blockById(view, 'row:0:sandboxNotice')).toEqual({
      type: 'context',
      block_id: 'row:0:sandboxNotice',
      elements: [
        {
          type: 'mrkdwn',
          text: ':information_source: Europe (Ireland) is in the SES sandbox. Submitting requests production access for Europe (Ireland) (AWS reviews it, usually within a day); the value you ask for goes into the use case.',
        },
      ],
    });
    // A region in production gets no notice.
    expect(ids).not.toContain('row:1:sandboxNotice');
  });

  it('says the case asks for production access as well (support-case mode)', () => {
    const view = buildQuotaModal(form, meta, 'us-east-1', [], 'support-case');
    expect(blockById(view, 'row:0:sandboxNotice').elements[0].text).toBe('Europe (Ireland) is in the SES sandbox: the case asks AWS for production access there as well.');
    expect(blockIds(view)).not.toContain('row:1:sandboxNotice');
  });

  it('follows the region the first row shows by default', () => {
    const view = buildQuotaModal({ rows: [] }, { ...newQuotaMeta('C0SESOPS', undefined), quotas: { 'ap-south-1': SANDBOX } }, 'ap-south-1');
    expect(blockById(view, 'row:0:sandboxNotice').elements[0].text).toContain('Asia Pacific (Mumbai) is in the SES sandbox.');
  });

  it('says nothing while the region\'s quota is loading or unreadable, or for a row without a region', () => {
    const quotas: Record<string, QuotaLookup> = { 'eu-west-1': { state: 'loading' }, 'us-east-1': { state: 'error', message: 'Throttled' }, 'ap-south-1': SANDBOX };
    const rows = [
      { key: '0', region: 'eu-west-1' },
      { key: '1', region: 'us-east-1' },
      { key: '2', region: null },
      { key: '3', region: 'mars-1' },
    ];
    const view = buildQuotaModal({ rows }, { ...newQuotaMeta('C0SESOPS', undefined), rowKeys: ['0', '1', '2', '3'], nextRowKey: 4, quotas }, 'ap-south-1');
    expect(blockIds(view).filter((id) => String(id).endsWith(':sandboxNotice'))).toEqual([]);
  });

  it.each(['service-quotas', 'support-case'] as const)(`fits Block Kit with ${MAX_QUOTA_ROWS} rows all in a sandboxed region and a warning (%s)`, (mode) => {
    const rowKeys = Array.from({ length: MAX_QUOTA_ROWS }, (_, i) => String(i));
    const full: QuotaModalMeta = { ...newQuotaMeta('C0SESOPS', undefined), rowKeys, nextRowKey: MAX_QUOTA_ROWS, quotas: { 'eu-west-1': SANDBOX } };
    const rows = rowKeys.map((key) => ({ key, region: 'eu-west-1', limit: 'send_quota', newValue: '1' }));
    const view = buildQuotaModal({ rows }, full, 'us-east-1', [{ field: 'rows.0.newValue', message: 'Check it.' }], mode);
    expect(blockIds(view).filter((id) => String(id).endsWith(':sandboxNotice'))).toHaveLength(MAX_QUOTA_ROWS);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(blockKitViolations(view as Json, { maxBlocks: 100 })).toEqual([]);
  });
});

describe('buildQuotaModal: additional contacts for AWS', () => {
  it('asks for them last, optional, with a hint saying what they are for (Service Quotas mode)', () => {
    const view = buildQuotaModal({ rows: [], additionalContacts: 'ops@example.com, sec@example.com' }, newQuotaMeta('C0SESOPS', undefined), 'us-east-1', [], 'service-quotas');
    expect(inputIds(view).slice(-2)).toEqual([QUOTA_BLOCK.language, QUOTA_BLOCK.additionalContacts]);
    expect(blockById(view, QUOTA_BLOCK.additionalContacts)).toMatchObject({
      type: 'input',
      optional: true,
      label: { text: 'Additional contacts for AWS' },
      hint: { text: 'Up to 4 email addresses, separated by commas. Used when a region is still in the sandbox and the bot requests production access.' },
      element: { type: 'plain_text_input', action_id: QUOTA_BLOCK.additionalContacts, multiline: false, initial_value: 'ops@example.com, sec@example.com' },
    });
  });

  it('does not ask in support-case mode: the case has no place for them', () => {
    const view = buildQuotaModal({ rows: [], additionalContacts: 'ops@example.com' }, newQuotaMeta('C0SESOPS', undefined), 'us-east-1', [], 'support-case');
    expect(inputIds(view)).not.toContain(QUOTA_BLOCK.additionalContacts);
    expect(inputIds(view).at(-1)).toBe(QUOTA_BLOCK.language);
  });

  it('is read back from the submission, and its errors go under it', () => {
    const meta = newQuotaMeta('C0SESOPS', undefined);
    const values = fillState(buildQuotaModal({ rows: [] }, meta, 'us-east-1'), { [QUOTA_BLOCK.additionalContacts]: 'a@example.com b@example.com' });
    expect(readQuotaForm(values, meta).additionalContacts).toBe('a@example.com b@example.com');
    expect(quotaErrorsToBlocks({ additionalContacts: 'At most 4 additional contacts (you entered 5).' }, meta)).toEqual({
      [QUOTA_BLOCK.additionalContacts]: 'At most 4 additional contacts (you entered 5).',
    });
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
  it('says the rows go to Service Quotas (or production access) and where to follow them', () => {
    const view = buildQuotaAcceptedView('C0SESOPS', 'service-quotas');
    expect(view).toMatchObject({ type: 'modal', title: { text: 'SES sending quota' }, close: { text: 'Close' } });
    expect(view.submit).toBeUndefined();
    expect(textOfBlocks(view.blocks)).toBe(
      ':white_check_mark: Request received. The bot sends each request row to AWS Service Quotas (or requests production access for a region still in the sandbox); follow it in <#C0SESOPS>, where it gets its own thread.',
    );
  });

  it('says the request was received and where to follow it (support-case mode)', () => {
    const view = buildQuotaAcceptedView('C0SESOPS', 'support-case');
    expect(view).toMatchObject({ type: 'modal', title: { text: 'SES sending quota' }, close: { text: 'Close' } });
    expect(view.submit).toBeUndefined();
    expect(textOfBlocks(view.blocks)).toBe(
      ':white_check_mark: Request received. The bot is filing it with AWS Support; follow it in <#C0SESOPS>, where the case gets its own thread.',
    );
  });
});

describe('buildQuotaModal: standing answers', () => {
  const PREFILLED: QuotaModalMeta = {
    ...newQuotaMeta('C0SESOPS', undefined),
    standing: { state: 'prefilled', reference: 'SESBOT-0123456789abcdef', requesterId: 'U0REQUEST', filedOn: '2025-03-14' },
  };

  it('says, above the answers, from which request and day they were pre-filled, by whom, and how to get an empty form', () => {
    const view = buildQuotaModal({ rows: [], mailType: 'marketing', websiteUrl: 'https://shop.example.com' }, PREFILLED, 'us-east-1', [], 'support-case');
    expect(blockById(view, QUOTA_BLOCK.standingAnswers)).toEqual({
      type: 'context',
      block_id: QUOTA_BLOCK.standingAnswers,
      elements: [
        {
          type: 'mrkdwn',
          text: ':memo: Answers pre-filled from the request of 14 March 2025 by <@U0REQUEST> in this channel (reference SESBOT-0123456789abcdef). Check them; `/ses-quota fresh` opens an empty form.',
        },
      ],
    });
    const ids = (view.blocks as Json[]).map((b) => b.block_id);
    expect(ids.indexOf(QUOTA_BLOCK.standingAnswers)).toBeLessThan(ids.indexOf(QUOTA_BLOCK.mailType));
    expect(blockById(view, QUOTA_BLOCK.mailType).element.initial_option.value).toBe('marketing');
    expect(blockById(view, QUOTA_BLOCK.websiteUrl).element.initial_value).toBe('https://shop.example.com');
  });

  it('says the answers could not be loaded in time when the form opened empty for that', () => {
    const view = buildQuotaModal({ rows: [] }, { ...newQuotaMeta('C0SESOPS', undefined), standing: { state: 'unavailable' } }, 'us-east-1');
    expect(blockById(view, QUOTA_BLOCK.standingAnswers).elements[0].text).toBe(
      ":hourglass: This channel's previous answers could not be loaded in time, so the form starts empty. Run `/ses-quota` again to have them filled in.",
    );
  });

  it('says nothing of standing answers in a form opened empty on purpose or with none to give', () => {
    expect((buildQuotaModal({ rows: [] }, newQuotaMeta('C0SESOPS', undefined), 'us-east-1').blocks as Json[]).some((b) => b.block_id === QUOTA_BLOCK.standingAnswers)).toBe(false);
  });

  it('keeps the note in its metadata, so every redraw still says it', () => {
    const view = buildQuotaModal({ rows: [] }, PREFILLED, 'us-east-1');
    expect(decodeQuotaMeta(view.private_metadata)).toEqual(PREFILLED);
  });

  it(`stays inside Block Kit's limits with the note and ${MAX_QUOTA_ROWS} rows, in either mode`, () => {
    const rowKeys = Array.from({ length: MAX_QUOTA_ROWS }, (_, i) => String(i));
    const meta = { ...PREFILLED, rowKeys, nextRowKey: MAX_QUOTA_ROWS };
    for (const mode of ['service-quotas', 'support-case'] as const) {
      const full = buildQuotaModal({ rows: [] }, meta, 'us-east-1', [{ field: 'rows.0.newValue', message: 'far above' }], mode);
      expect(full.blocks.length).toBeLessThanOrEqual(100);
      expect(blockKitViolations(full as Json, { maxBlocks: 100 })).toEqual([]);
    }
  });

  it('refuses a note whose request cannot be named safely: the form is then not pre-filled at all', () => {
    expect(prefilledNote({ reference: 'SESBOT-0123456789abcdef', requesterId: 'U0REQUEST', filedOn: '2025-03-14' })).toEqual(PREFILLED.standing);
    expect(prefilledNote({ reference: 'SESBOT-<!channel>', requesterId: 'U0REQUEST', filedOn: '2025-03-14' })).toBeUndefined();
    expect(prefilledNote({ reference: 'SESBOT-1', requesterId: '<!here>', filedOn: '2025-03-14' })).toBeUndefined();
    expect(decodeQuotaMeta(JSON.stringify({ ...PREFILLED, standing: { state: 'prefilled', reference: 'x', requesterId: 'U0REQUEST', filedOn: 'yesterday' } }))).toBeUndefined();
  });
});
