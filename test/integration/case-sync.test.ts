import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHANNEL, REQUESTER, fileQuotaCase, seedFiledCases, startHarness, syncNow, textOf, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const awsReplies = (rootTs: string) => h.slack.threadReplies(CHANNEL, rootTs).filter((m) => textOf(m.blocks).includes('*Amazon Web Services* replied'));

describe('AWS replies in the thread', () => {
  it('posts each AWS reply once, with who and when, across many cycles and a restart; never echoes the case body', async () => {
    const { awsCase, rootTs } = await fileQuotaCase(h);
    await syncNow(h);
    expect(h.slack.threadReplies(CHANNEL, rootTs)).toHaveLength(0);

    h.aws.addCommunication(awsCase.caseId, { body: 'Hello,\nWe have received your request and are reviewing it.' });
    await syncNow(h);
    await syncNow(h);
    await syncNow(h);
    let replies = awsReplies(rootTs);
    expect(replies).toHaveLength(1);
    const text = textOf(replies[0]!.blocks);
    expect(text).toMatch(new RegExp(`\\*Amazon Web Services\\* replied on <https://console\\.aws\\.amazon\\.com/support/home#/case/\\?displayId=${awsCase.displayId}\\|case ${awsCase.displayId}> · <!date\\^\\d+\\^`));
    expect(text).toContain('We have received your request and are reviewing it.');
    expect(replies[0]!.args.unfurl_links).toBe('false');

    await h.restart();
    await syncNow(h);
    expect(awsReplies(rootTs)).toHaveLength(1);

    h.aws.addCommunication(awsCase.caseId, { body: 'Your limit has been raised.' });
    await syncNow(h);
    replies = awsReplies(rootTs);
    expect(replies.map((m) => textOf(m.blocks).split('\n').at(-1))).toEqual([
      'We have received your request and are reviewing it.',
      'Your limit has been raised.',
    ]);
  });

  it('brings every reply when more than five arrive between two polls, in order, paging DescribeCommunications', async () => {
    const { awsCase, rootTs } = await fileQuotaCase(h);
    await syncNow(h);
    const base = Date.now();
    for (let i = 1; i <= 8; i++) {
      h.aws.addCommunication(awsCase.caseId, { body: `Reply number ${i}`, timeCreated: new Date(base + i * 1000).toISOString() });
    }
    const pagesBefore = h.aws.callsTo('DescribeCommunications').length;
    await syncNow(h);
    expect(h.aws.callsTo('DescribeCommunications').length).toBeGreaterThan(pagesBefore);
    const bodies = awsReplies(rootTs).map((m) => textOf(m.blocks).split('\n').at(-1));
    expect(bodies).toEqual(Array.from({ length: 8 }, (_, i) => `Reply number ${i + 1}`));
    await syncNow(h);
    expect(awsReplies(rootTs)).toHaveLength(8);
  });

  it('keeps two replies written in the same millisecond apart', async () => {
    const { awsCase, rootTs } = await fileQuotaCase(h);
    const at = new Date(Date.now() + 5000).toISOString();
    h.aws.addCommunication(awsCase.caseId, { body: 'First half', timeCreated: at });
    await syncNow(h);
    h.aws.addCommunication(awsCase.caseId, { body: 'Second half', timeCreated: at });
    await syncNow(h);
    expect(awsReplies(rootTs).map((m) => textOf(m.blocks).split('\n').at(-1))).toEqual(['First half', 'Second half']);
  });

  it('neutralises mentions and disguised links in AWS text, lists attachments, and splits a long reply without losing any of it', async () => {
    const { awsCase, rootTs } = await fileQuotaCase(h);
    const long = Array.from({ length: 160 }, (_, i) => `Line ${i}: ${'x'.repeat(40)}`).join('\n');
    h.aws.addCommunication(awsCase.caseId, {
      body: `<!channel> <@U0BOSS> see <https://evil.example|your AWS console> & act now\n${long}`,
      attachmentSet: [
        { attachmentId: 'att-1', fileName: 'limits.csv' },
        { attachmentId: 'att-2', fileName: '<script>.txt' },
      ],
    });
    await syncNow(h);
    const [reply] = awsReplies(rootTs);
    const sections = reply!.blocks!.filter((b: any) => b.type === 'section').map((b: any) => b.text.text as string);
    const all = sections.join('\n');
    expect(all).toContain('&lt;!channel&gt; &lt;@U0BOSS&gt; see &lt;https://evil.example|your AWS console&gt; &amp; act now');
    expect(all).not.toMatch(/<!channel>|<@U0BOSS>|<https:\/\/evil/);
    for (const s of sections) expect(s.length).toBeLessThanOrEqual(3000);
    expect(sections.length).toBeGreaterThan(2);
    for (let i = 0; i < 160; i++) expect(all).toContain(`Line ${i}: `);
    expect(textOf(reply!.blocks)).toContain('Attachments: limits.csv, &lt;script&gt;.txt');
  });

  it('posts, once, a reply AWS shows only after a newer one was already synced', async () => {
    const { awsCase, rootTs } = await fileQuotaCase(h);
    const base = Date.now();
    h.aws.addCommunication(awsCase.caseId, { body: 'The newer reply.', timeCreated: new Date(base + 20 * 60_000).toISOString() });
    await syncNow(h);
    expect(awsReplies(rootTs)).toHaveLength(1);

    // AWS makes visible a reply written ten minutes before the one the bot has already posted.
    h.aws.addCommunication(awsCase.caseId, { body: 'The reply AWS showed late.', timeCreated: new Date(base + 10 * 60_000).toISOString() });
    await syncNow(h);
    expect(awsReplies(rootTs).map((m) => textOf(m.blocks).split('\n').at(-1))).toEqual(['The newer reply.', 'The reply AWS showed late.']);

    const posts = h.slack.callsTo('chat.postMessage').length;
    await syncNow(h);
    await syncNow(h);
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(posts);
    expect(awsReplies(rootTs)).toHaveLength(2);
  });

  it('shows a customer reply written in the console or by email as such, with its author', async () => {
    const { awsCase, rootTs } = await fileQuotaCase(h);
    h.aws.addCommunication(awsCase.caseId, { body: 'Adding our bounce rates: 0.4%.', submittedBy: 'jane@example.com' });
    await syncNow(h);
    const replies = h.slack.threadReplies(CHANNEL, rootTs);
    expect(replies).toHaveLength(1);
    expect(textOf(replies[0]!.blocks)).toContain('*jane@example.com* replied outside Slack (Support Center or email)');
    expect(textOf(replies[0]!.blocks)).toContain('Adding our bounce rates: 0.4%.');
  });
});

describe('status changes', () => {
  it('updates the root for every change and says pending customer action and resolved in the thread', async () => {
    const { awsCase, rootTs } = await fileQuotaCase(h);
    const rootText = () => textOf(h.slack.message(CHANNEL, rootTs)!.blocks);

    h.aws.setStatus(awsCase.caseId, 'work-in-progress');
    await syncNow(h);
    expect(rootText()).toContain('AWS status: *Work in progress*');
    expect(h.slack.threadReplies(CHANNEL, rootTs)).toHaveLength(0);

    h.aws.setStatus(awsCase.caseId, 'pending-customer-action');
    await syncNow(h);
    expect(rootText()).toContain('AWS status: *Pending customer action*');
    expect(h.slack.threadReplies(CHANNEL, rootTs).at(-1)!.text).toContain(`AWS is waiting for an answer from us`);
    expect(h.slack.threadReplies(CHANNEL, rootTs).at(-1)!.text).toContain(`<@${REQUESTER}>`);

    h.aws.setStatus(awsCase.caseId, 'resolved');
    await syncNow(h);
    expect(rootText()).toContain('AWS status: *Resolved*');
    expect(h.slack.threadReplies(CHANNEL, rootTs).at(-1)!.text).toMatch(/is \*resolved\*\. It can be reopened for 14 days/);
    const notices = h.slack.threadReplies(CHANNEL, rootTs).length;

    // Still watched while resolved: a reopening shows.
    h.aws.setStatus(awsCase.caseId, 'reopened');
    await syncNow(h);
    await syncNow(h);
    expect(rootText()).toContain('AWS status: *Reopened*');
    expect(h.slack.threadReplies(CHANNEL, rootTs)).toHaveLength(notices);
  });

  it('stops watching a case resolved more than 14 days ago', async () => {
    const { request, awsCase } = await fileQuotaCase(h);
    h.aws.setStatus(awsCase.caseId, 'resolved');
    await syncNow(h);
    await h.bot.store.updateRequest(request.id, { resolvedAt: new Date(Date.now() - 15 * 24 * 3600 * 1000).toISOString() });
    const report = await syncNow(h);
    expect(report.cases).toBe(0);
    expect(report.describeCasesCalls).toBe(0);
  });
});

describe('economy', () => {
  it('costs two DescribeCases calls per cycle for 151 tracked cases, and nothing more when nothing is new', async () => {
    await fileQuotaCase(h);
    // 150 more cases the bot filed, straight into its store (filing each through Slack would take minutes).
    await seedFiledCases(h, 150, { prefix: 'sibling' });
    await syncNow(h);
    const before = h.aws.calls.length;
    const report = await syncNow(h);
    expect(report.cases).toBe(151);
    expect(report.describeCasesCalls).toBe(2);
    const calls = h.aws.calls.slice(before);
    expect(calls.map((c) => c.operation)).toEqual(['DescribeCases', 'DescribeCases']);
    expect(calls.map((c) => c.input.caseIdList.length).sort()).toEqual([100, 51].sort());
    expect(calls.every((c) => c.input.includeResolvedCases === true)).toBe(true);
    // Spaced to at most five Support calls a second: the bot starts them 200 ms apart; their
    // arrival at the fake may jitter by some tens of ms on a loaded machine (a CI run saw 176), but
    // without the spacing they would arrive a few ms apart.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(150);
  });
});

describe('faults', () => {
  it('rides out AWS throttling: a failed cycle loses nothing and the next one posts once', async () => {
    const { awsCase, rootTs } = await fileQuotaCase(h);
    h.aws.addCommunication(awsCase.caseId, { body: 'Thanks for waiting.' });
    h.aws.inject('DescribeCases', { type: 'ThrottlingException', message: 'Rate exceeded', times: 4 });
    await expect(h.bot.scheduler.runOnce()).rejects.toMatchObject({ kind: 'throttled', action: 'support:DescribeCases' });
    expect(h.slack.threadReplies(CHANNEL, rootTs)).toHaveLength(0);
    await syncNow(h);
    await syncNow(h);
    expect(awsReplies(rootTs)).toHaveLength(1);
  });

  it('waits out a Slack 429 with Retry-After in its own channel only, posting each reply once', async () => {
    const first = await fileQuotaCase(h);
    const second = await fileQuotaCase(h, REQUESTER, 'C0OTHER');
    h.aws.addCommunication(first.awsCase.caseId, { body: 'Reply in the first channel.' });
    h.aws.addCommunication(second.awsCase.caseId, { body: 'Reply in the other channel.' });
    // The first channel's next post is rate-limited for 3 seconds; the other channel's post is not held behind it
    // (web-api would otherwise pause its one shared queue for every channel).
    h.slack.inject('chat.postMessage', { status: 429, retryAfterSeconds: 3, channel: CHANNEL });
    const started = Date.now();
    await syncNow(h);
    await h.slack.waitFor(() => h.slack.threadReplies('C0OTHER', second.rootTs).find((m) => textOf(m.blocks).includes('Amazon Web Services')), 5000, 'the other channel');
    expect(Date.now() - started).toBeLessThan(2500);
    expect(awsReplies(first.rootTs)).toHaveLength(0);
    await h.slack.waitFor(() => awsReplies(first.rootTs)[0], 8000, 'the rate-limited reply after Retry-After');
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    await syncNow(h);
    expect(awsReplies(first.rootTs)).toHaveLength(1);
    expect(h.slack.threadReplies('C0OTHER', second.rootTs).filter((m) => textOf(m.blocks).includes('Amazon Web Services'))).toHaveLength(1);
    expect(h.slack.callsTo('chat.postMessage').filter((c) => c.fault?.status === 429)).toHaveLength(1);
  });

  it('keeps a post whose Slack call failed and posts it on a later try', async () => {
    const { awsCase, rootTs } = await fileQuotaCase(h);
    h.aws.addCommunication(awsCase.caseId, { body: 'Please send your bounce rate.' });
    h.slack.inject('chat.postMessage', { error: 'fatal_error' });
    await syncNow(h);
    expect(awsReplies(rootTs)).toHaveLength(0);
    await h.slack.waitFor(() => awsReplies(rootTs)[0], 5000, 'the retried post');
    await syncNow(h);
    expect(awsReplies(rootTs)).toHaveLength(1);
  });
});
