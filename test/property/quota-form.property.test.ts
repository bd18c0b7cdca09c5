/**
 * Property 1: whatever `state.values` a quota submission carries, reading and validating it never
 * throws, and ends either in field errors on blocks the modal has, or in a request that obeys
 * every rule and renders into a case body AWS accepts, laid out exactly as the template says.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceFor } from '../../src/domain/common.js';
import { referenceLine } from '../../src/domain/case-text.js';
import { parsePayload } from '../../src/domain/request.js';
import { quotaCaseText } from '../../src/domain/quota-request.js';
import { validateQuotaForm, type QuotaFormInput } from '../../src/domain/quota-request.js';
import { decodeQuotaMeta } from '../../src/slack/modal-metadata.js';
import { quotaErrorsToBlocks, readQuotaForm } from '../../src/slack/quota-form.js';
import { buildQuotaModal } from '../../src/slack/views/quota-modal.js';
import { errorProblems, freeText, inputBlockIds, nastyString, quotaMeta, INJECTED_LINES, TRICKY_URLS, VALID_URLS } from './arbitraries.js';
import { currentQuotas, quotaRequestProblems, LONE_SURROGATE } from './checks.js';
import { quotaState, quotaStateSpec } from './quota-state.js';

const requestId = fc.stringMatching(/^[0-9a-f]{16}$/);

describe('quota submissions: readQuotaForm + validateQuotaForm', () => {
  it('never throw, and give either errors on existing input blocks or a request that obeys every rule', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(quotaMeta, quotaStateSpec, requestId, (meta, spec, id) => {
        const values = quotaState(spec, meta.rowKeys);
        // Only metadata the listener would decode reaches the parser.
        expect(decodeQuotaMeta(JSON.stringify(meta))).toEqual(meta);
        const form = readQuotaForm(values, meta);
        for (const v of [form.mailType, form.websiteUrl, form.compliesWithAup, form.onlyRequestedRecipients, form.handlesBouncesAndComplaints, form.useCase, form.language]) {
          expect(v === undefined || typeof v === 'string').toBe(true);
        }
        expect(form.rows.map((r) => r.key)).toEqual(meta.rowKeys);

        const current = currentQuotas(meta);
        const result = validateQuotaForm(form, current);
        const view = buildQuotaModal(form, meta, 'us-east-1');
        if (!result.ok) {
          refused++;
          const blocks = quotaErrorsToBlocks(result.errors, meta);
          expect(errorProblems(blocks, inputBlockIds(view))).toEqual([]);
          // No error is lost on the way to the blocks.
          const shown = Object.values(blocks).join('\n');
          for (const message of Object.values(result.errors)) expect(shown).toContain(message);
        } else {
          accepted++;
          expect(quotaRequestProblems(result.value, form, current, referenceFor(id))).toEqual([]);
        }
      }),
      { numRuns: 500 },
    );
    // Both outcomes must actually be exercised, or the property proves little.
    expect(accepted).toBeGreaterThan(5);
    expect(refused).toBeGreaterThan(100);
  });
});

// ---------------------------------------------------------------------------------------------
// The additional contacts field: whatever is typed there, the form either says what is wrong
// under that field, or stores 1 to 4 distinct addresses taken from what was typed (or none).

const SEPARATORS = [',', ', ', ';', '; ', ' ', '\n', '\t', ' ,; ', '\u3000'];
const contactToken = fc.oneof(
  { weight: 6, arbitrary: fc.emailAddress() },
  { weight: 1, arbitrary: fc.emailAddress().map((e) => e.toUpperCase()) },
  { weight: 1, arbitrary: fc.constantFrom('ops', 'ops@localhost', '@example.com', 'a@b@c.io', '<ops@example.com>', 'ops@example.com.', 'Jane') },
  { weight: 1, arbitrary: nastyString },
);
const contactsText = fc
  .array(fc.tuple(contactToken, fc.constantFrom(...SEPARATORS)), { maxLength: 7 })
  .map((parts) => parts.map(([token, separator]) => token + separator).join(''));

describe('quota submissions: additional contacts', () => {
  const meta = decodeQuotaMeta(JSON.stringify({ kind: 'quota', channelId: 'C0SESOPS', rowKeys: ['0'], nextRowKey: 1, quotas: {} }))!;
  const fieldIds = inputBlockIds(buildQuotaModal({ rows: [] }, meta, 'us-east-1', [], 'service-quotas'));

  it('give an error under the field, or 1 to 4 distinct addresses from what was typed, stored as they were', () => {
    fc.assert(
      fc.property(contactsText, (typed) => {
        const result = validateQuotaForm({ ...validForm(FILLER), additionalContacts: typed });
        const tokens = typed.split(/[\s,;]+/).filter(Boolean);
        if (!result.ok) {
          expect(Object.keys(result.errors)).toEqual(['additionalContacts']);
          expect(errorProblems(quotaErrorsToBlocks(result.errors, meta), fieldIds)).toEqual([]);
          return;
        }
        const emails = result.value.additionalContactEmails;
        expect(Object.hasOwn(result.value, 'additionalContactEmails')).toBe(tokens.length > 0);
        if (tokens.length === 0) return;
        expect(emails!.length).toBeGreaterThanOrEqual(1);
        expect(emails!.length).toBeLessThanOrEqual(4);
        expect(new Set(emails!.map((e) => e.toLowerCase())).size).toBe(emails!.length);
        for (const email of emails!) {
          expect(tokens).toContain(email);
          expect(email.length).toBeLessThanOrEqual(254);
          expect(email.split('@')).toHaveLength(2);
          expect(email).not.toMatch(/[\s,;<>\p{Cc}]/u);
        }
        expect(parsePayload('quota', JSON.parse(JSON.stringify(result.value)))).toStrictEqual(result.value);
      }),
      { numRuns: 500 },
    );
  });

  it('accept any 1 to 4 ordinary addresses exactly as typed', () => {
    const addresses = fc.uniqueArray(fc.emailAddress().filter((e) => e.length <= 254), { minLength: 1, maxLength: 4, selector: (e) => e.toLowerCase() });
    fc.assert(
      fc.property(addresses, fc.constantFrom(...SEPARATORS), (emails, separator) => {
        const result = validateQuotaForm({ ...validForm(FILLER), additionalContacts: emails.join(separator) });
        expect(result.ok && result.value.additionalContactEmails).toEqual(emails);
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Known bugs: these properties fail today (it.fails). When a bug is fixed, the test turns red:
// drop `.fails` and keep the property.

const validForm = (useCase: string, websiteUrl = 'https://example.com'): QuotaFormInput => ({
  mailType: 'transactional',
  websiteUrl,
  compliesWithAup: 'yes',
  onlyRequestedRecipients: 'yes',
  handlesBouncesAndComplaints: 'yes',
  rows: [{ key: '0', region: 'us-east-1', limit: 'send_quota', newValue: '200000' }],
  useCase,
  language: 'en',
});
const FILLER = 'We send receipts to customers who bought from us; bounces and complaints suppress the address at once. '.repeat(2);

/** Any line break a reader (or a parser) of the case body may honour. */
const LINE_BREAK = /\r\n|[\n\r\u000b\u000c\u0085\u2028\u2029]/;

describe('case body integrity against user text', () => {
  it('user text cannot add a reference line or a second request reference to the case body', () => {
    fc.assert(
      fc.property(freeText(150, 3_000), fc.constantFrom(...VALID_URLS, ...TRICKY_URLS), requestId, (useCase, url, id) => {
        const result = validateQuotaForm(validForm(useCase, url));
        if (!result.ok) return;
        const reference = referenceFor(id);
        const lines = quotaCaseText(result.value, reference).body.split(LINE_BREAK);
        // The reference line appears exactly once, as the last line...
        expect(lines.filter((l) => l.trimStart().startsWith('Slack request reference:'))).toEqual([referenceLine(reference)]);
        expect(lines.at(-1)).toBe(referenceLine(reference));
        // ...no other request's reference appears (findCaseByReference matches it anywhere)...
        expect(lines.join('\n').match(/SESBOT-/g)).toHaveLength(1);
        // ...and the use case cannot start a request block of its own.
        expect(lines.filter((l) => /^\s*Limit increase request \d+/.test(l))).toHaveLength(result.value.rows.length);
      }),
      { endOnFailure: true, numRuns: 200, examples: [[FILLER + INJECTED_LINES[0], 'https://example.com', '00000000000000aa']] },
    );
  });

  it('an accepted website URL holds no line break, control character or unpaired surrogate', () => {
    fc.assert(
      fc.property(fc.constantFrom(...VALID_URLS, ...TRICKY_URLS), (url) => {
        const result = validateQuotaForm(validForm(FILLER, url));
        if (!result.ok) return;
        expect(result.value.websiteUrl).not.toMatch(/[\p{White_Space}\p{Cc}\p{Cf}]/u);
        expect(result.value.websiteUrl).not.toMatch(LONE_SURROGATE);
      }),
      { endOnFailure: true, examples: [['https://example.com/\u0085x'], ['https://example.com/\ud800']] },
    );
  });
});
