/**
 * What Slack shows when something goes wrong: AWS's refusals reduced to what a user can act on
 * (never the account's ARNs or id, which stay in the bot's log), no internal error text, and a
 * reply AWS did not take given back whole, escaped and within Slack's block limits.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../fakes/fake-slack.js';
import { fillState } from '../helpers/slack-requests.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { CHANNEL, REQUESTER, fileQuotaCase, openQuotaModal, startHarness, submitQuota, textOf, validQuotaInputs, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const ACCOUNT = '123456789012';
const ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/ses-bot/session-7`;

/** Everything a message shows: its fallback text and every block's text. */
const shown = (m: FakeMessage) => `${m.text ?? ''}\n${textOf(m.blocks)}`;
const sections = (m: FakeMessage): string[] => (m.blocks ?? []).filter((b) => b.type === 'section').map((b) => b.text.text as string);

/** Submits the quota form and waits until the bot has finished with the request (filed or not). */
async function submitQuotaRequest() {
  const { view } = await openQuotaModal(h);
  const res = await submitQuota(h, view, validQuotaInputs());
  expect(res.json.response_action).toBe('update');
  const root = await h.slack.waitFor(() => h.slack.rootMessages(CHANNEL).find((m) => /Not filed|AWS status/.test(textOf(m.blocks))), 10_000, 'the filing to end');
  await h.bot.filing.idle();
  await h.bot.poster.idle();
  return h.slack.message(CHANNEL, root.ts)!;
}

describe("AWS's refusals in Slack", () => {
  it.each([
    ['ValidationException', 400, /AWS rejected the request as invalid \(`support:CreateCase`\)/],
    ['ConflictException', 409, /AWS returned an unexpected error \(`support:CreateCase`, ConflictException\)/],
  ])('%s naming an ARN and the account id: the root and thread show neither; the log has the full text', async (type, status, explained) => {
    const message = `User: ${ARN} is not authorized to perform: support:CreateCase on resource: * in account ${ACCOUNT}`;
    h.aws.inject('CreateCase', { type, status, message });
    const root = await submitQuotaRequest();
    const thread = h.slack.threadReplies(CHANNEL, root.ts);
    expect(thread.length).toBeGreaterThan(0);

    expect(textOf(root.blocks)).toMatch(/Not filed: /);
    expect(textOf(root.blocks)).toMatch(explained);
    expect(thread.map(shown).join('\n')).toMatch(explained);
    for (const m of [root, ...thread]) {
      expect(shown(m)).not.toContain('arn:aws');
      expect(shown(m)).not.toContain(ACCOUNT);
      expect(shown(m)).not.toContain('assumed-role');
    }
    expect(h.slack.ephemerals.map((e) => e.text ?? '').join('\n')).not.toContain(ACCOUNT);
    // The operator still has AWS's whole answer.
    expect(h.logs.some((l) => l.includes(message))).toBe(true);
  });

  it('shows no internal error text when something inside the bot stops a filing', async () => {
    // AWS answers DescribeServices with a shape the bot does not expect (categories not a list):
    // the failure is the bot's own (a TypeError while reading the answer), not an AWS error.
    h.aws.services = [{ code: 'service-limit-increase', name: 'Service Limit Increase', categories: 'temporarily unavailable' as unknown as [] }];
    const root = await submitQuotaRequest();

    expect(h.aws.callsTo('CreateCase')).toHaveLength(0);
    const told = [root, ...h.slack.threadReplies(CHANNEL, root.ts)].map(shown).join('\n');
    expect(told).toMatch(/Not filed: /);
    expect(told).toContain(`<@${REQUESTER}>`);
    expect(told).toMatch(/Retry/);
    expect(told).not.toMatch(/Unexpected error:/);
    expect(told).not.toMatch(/is not a function|TypeError|categories/);
    // The log has the internal details.
    expect(h.logs.some((l) => l.includes('filing did not complete') && l.includes('is not a function'))).toBe(true);
  });
});

describe('a reply AWS refuses', () => {
  it('is given back whole, escaped, in blocks Slack accepts', async () => {
    const { request, rootTs, awsCase } = await fileQuotaCase(h);
    const lines = Array.from({ length: 124 }, (_, i) => `Line ${String(i).padStart(3, '0')}: our daily volume & ramp-up plan, week ${i}.`);
    const text = [`Hello <!channel>, details at <https://evil.example|click> before we start.`, ...lines, 'Last line <@U0BOSS>.'].join('\n');
    expect(text.length).toBeGreaterThan(6000);
    expect(text.length).toBeLessThan(7000);

    h.aws.inject('AddCommunicationToCase', { type: 'AccessDeniedException', message: `User: ${ARN} is not authorized to perform: support:AddCommunicationToCase` });
    const opens = h.slack.callsTo('views.open').length;
    await h.requester.blockAction({ userId: REQUESTER, channelId: CHANNEL, messageTs: rootTs, actions: [{ action_id: 'reply_to_aws', block_id: 'b', value: request.id }] });
    await h.slack.waitFor(() => h.slack.callsTo('views.open').length > opens, 5000, 'the reply modal');
    const view = h.slack.latestView()!;
    await h.requester.viewSubmission({ view, values: fillState(view, { reply_body: text }), userId: REQUESTER });
    await h.slack.waitFor(() => h.slack.threadReplies(CHANNEL, rootTs).some((m) => m.text === 'The text of a reply that was not sent'), 5000, 'the unsent text');
    await h.bot.poster.idle();

    expect(awsCase.communications).toHaveLength(1);
    const thread = h.slack.threadReplies(CHANNEL, rootTs);
    const why = thread.find((m) => shown(m).includes('Your reply was not sent'))!;
    expect(shown(why)).toContain('`support:AddCommunicationToCase`');

    // Every character, in order, across the blocks (and messages) it needed.
    const given = thread.filter((m) => m.text === 'The text of a reply that was not sent');
    const [heading, ...chunks] = given.flatMap(sections);
    expect(heading).toContain(`<@${REQUESTER}>`);
    expect(chunks.length).toBeGreaterThan(2);
    const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    expect(chunks.join('').replace(/\s/g, '')).toBe(escaped.replace(/\s/g, ''));
    const all = chunks.join('\n');
    expect(all).toContain('Hello &lt;!channel&gt;, details at &lt;https://evil.example|click&gt; before we start.');
    expect(all).toContain('Last line &lt;@U0BOSS&gt;.');
    for (const line of lines) expect(all).toContain(line.replace(/&/g, '&amp;'));

    // Nothing in the thread mentions anyone or hides a link, or exceeds a section's 3,000 characters.
    for (const m of thread) {
      expect(shown(m)).not.toMatch(/<!channel>|<@U0BOSS>|<https:\/\/evil/);
      expect(shown(m)).not.toContain(ACCOUNT);
      for (const s of sections(m)) expect(s.length).toBeLessThanOrEqual(3000);
    }
  });
});

describe('a request whose saved data the bot can no longer read', () => {
  it('answers a click on its Retry privately, and does nothing else', async () => {
    h.aws.inject('CreateCase', { type: 'ThrottlingException', message: 'Rate exceeded' });
    const root = await submitQuotaRequest();
    const request = (await h.bot.store.findRequestByThread(CHANNEL, root.ts))!;
    // The stored request no longer matches any shape the bot knows (edited by hand, say).
    await (h.bot.store as KyselyStore).db.updateTable('requests').set({ payload: '{"kind":"quota","rows":"?"}' }).where('id', '=', request.id).execute();
    await h.requester.blockAction({ userId: REQUESTER, channelId: CHANNEL, messageTs: root.ts, actions: [{ action_id: 'retry_filing', block_id: 'b', value: request.id }] });
    const told = await h.slack.waitFor(() => h.slack.ephemerals.find((e) => e.user === REQUESTER), 5000, 'a private answer');
    expect(told.text).toMatch(/could not read this request just now \(its saved data is damaged/);
    expect(h.aws.callsTo('CreateCase')).toHaveLength(1);
  });
});
