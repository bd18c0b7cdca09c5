/**
 * The real bot (Bolt over HTTP, real store, real AWS SDK against the fake AWS), one quota modal,
 * and arbitrary `state.values` submitted to it: every answer is a 200 with field errors on input
 * blocks the view has, or an accepted submission — and at most one case is filed for the modal,
 * from a request that obeys every rule.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quotaCaseText } from '../../src/domain/quota-request.js';
import { validateQuotaForm, type QuotaIncreaseRequest } from '../../src/domain/quota-request.js';
import { decodeQuotaMeta, type QuotaModalMeta } from '../../src/slack/modal-metadata.js';
import { readQuotaForm } from '../../src/slack/quota-form.js';
import { CHANNEL, REQUESTER, openQuotaModal, startHarness, textOf, validQuotaInputs, type Harness } from '../helpers/harness.js';
import { fillState } from '../helpers/slack-requests.js';
import { errorProblems, inputBlockIds, nastyString } from './arbitraries.js';
import { currentQuotas, quotaRequestProblems } from './checks.js';
import { quotaState, quotaStateSpec } from './quota-state.js';

let h: Harness;
let view: Record<string, any>;
let meta: QuotaModalMeta;
let inputIds: Set<string>;

beforeAll(async () => {
  h = await startHarness();
  view = (await openQuotaModal(h)).view;
  meta = decodeQuotaMeta(view.private_metadata)!;
  inputIds = inputBlockIds(view);
});
afterAll(async () => {
  await h?.close();
});

describe('quota submissions to the running bot', () => {
  it('always answer 200 with errors on existing input blocks or an update, and file at most one valid case', async () => {
    expect(meta).toBeDefined();
    const accepted: { values: unknown; request: QuotaIncreaseRequest }[] = [];

    const submit = async (values: unknown) => {
      const res = await h.requester.viewSubmission({ view, values: values as Record<string, unknown> | undefined, userId: REQUESTER });
      expect(res.status).toBe(200);
      // What the listener read: the values sent, or the view's own state when none were.
      const sent = values === undefined ? view.state?.values : values;
      const expected = validateQuotaForm(readQuotaForm(sent, meta), currentQuotas(meta));
      if (res.json?.response_action === 'errors') {
        expect(errorProblems(res.json.errors, inputIds)).toEqual([]);
        expect(expected.ok).toBe(false);
      } else {
        expect(res.json?.response_action).toBe('update');
        expect(expected.ok).toBe(true);
        if (expected.ok) accepted.push({ values: sent, request: expected.value });
      }
    };

    await fc.assert(
      fc.asyncProperty(quotaStateSpec, async (spec) => submit(quotaState(spec, meta.rowKeys))),
      { numRuns: 40 },
    );
    // Make sure the filing path is exercised even on a seed that drew no valid submission.
    if (accepted.length === 0) await submit(fillState(view, validQuotaInputs()));

    // Every accepted submission carried the same view id: one request, one case.
    await h.slack.waitFor(() => h.slack.rootMessages(CHANNEL).some((m) => textOf(m.blocks).includes('AWS status')), 10_000, 'the case to be filed');
    await h.bot.filing.idle();
    const created = h.aws.callsTo('CreateCase');
    expect(created).toHaveLength(1);
    expect(h.slack.rootMessages(CHANNEL)).toHaveLength(1);

    // What was filed is the first accepted request, rendered by the template, obeying every rule.
    const input = created[0]!.input;
    const reference = /\nSlack request reference: (SESBOT-[0-9a-f]{16})$/.exec(input.communicationBody)?.[1];
    expect(reference).toBeDefined();
    const first = accepted[0]!;
    const text = quotaCaseText(first.request, reference!);
    expect(input.communicationBody).toBe(text.body);
    expect(input.subject).toBe(text.subject);
    expect(quotaRequestProblems(first.request, readQuotaForm(first.values, meta), currentQuotas(meta), reference!)).toEqual([]);
  });

  it('answer 200 with an error on an existing input block for corrupt private_metadata, and file nothing more', async () => {
    const before = h.aws.callsTo('CreateCase').length;
    await fc.assert(
      fc.asyncProperty(fc.oneof(nastyString, fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v))), async (privateMetadata) => {
        const res = await h.requester.viewSubmission({ view: { ...view, id: 'V0FORGED', private_metadata: privateMetadata }, values: fillState(view, validQuotaInputs()), userId: REQUESTER });
        expect(res.status).toBe(200);
        if (decodeQuotaMeta(privateMetadata) === undefined) {
          expect(res.json?.response_action).toBe('errors');
          expect(errorProblems(res.json.errors, inputIds)).toEqual([]);
        }
      }),
      { numRuns: 15 },
    );
    await h.bot.filing.idle();
    expect(h.aws.callsTo('CreateCase')).toHaveLength(before);
  });
});
