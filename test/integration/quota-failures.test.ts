import { UNCERTAIN_GRACE_MS } from '../../src/services/filing.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHANNEL, REQUESTER, openQuotaModal, startHarness, submitQuota, textOf, validQuotaInputs, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ APPROVER_USER_IDS: 'U0APPROVE' });
});
afterEach(async () => {
  await h.close();
});

async function fileOnce() {
  const { view } = await openQuotaModal(h);
  await settle(async () => {
    const res = await submitQuota(h, view, validQuotaInputs());
    expect(res.json.response_action).toBe('update');
    return res;
  });
  return h.slack.rootMessages(CHANNEL)[0]!;
}

function retryButton(root: { blocks?: any[] }) {
  return root.blocks?.flatMap((b: any) => b.elements ?? []).find((e: any) => e.action_id === 'retry_filing');
}

async function pressRetry(root: { ts: string }, userId = REQUESTER) {
  const current = h.slack.message(CHANNEL, root.ts)!;
  const button = retryButton(current);
  expect(button, 'the root message offers Retry').toBeDefined();
  await settle(() => h.requester.blockAction({ userId, channelId: CHANNEL, messageTs: root.ts, actions: [{ action_id: 'retry_filing', block_id: 'b', value: button.value }] }));
}

/** Sends a request and waits until the bot has answered it in Slack and finished any filing it started. */
async function settle(send: () => Promise<{ status: number }>) {
  const before = h.slack.calls.length;
  const res = await send();
  expect(res.status).toBe(200);
  await h.slack.waitFor(() => h.slack.calls.length > before, 5000, 'the bot to answer in Slack');
  await h.bot.filing.idle();
}

describe('when AWS refuses the case', () => {
  it.each([
    ['SubscriptionRequiredException', 'AWS Premium Support Subscription is required to use this service.', /no paid support plan/],
    ['CaseCreationLimitExceeded', 'You have exceeded your limit of 10 cases per hour.', /opened 10 cases in the last hour/],
    ['AccessDeniedException', 'User: arn:aws:sts::123456789012:assumed-role/bot/x is not authorized to perform: support:CreateCase', /lack the IAM permission `support:CreateCase`/],
    ['ThrottlingException', 'Rate exceeded', /throttling the bot's calls \(`support:CreateCase`\)/],
  ])('%s: says why in the thread, keeps the request, and files it on Retry', async (type, message, explained) => {
    h.aws.inject('CreateCase', { type, message });
    const root = await fileOnce();

    expect(h.aws.cases.size).toBe(0);
    const failedRoot = h.slack.message(CHANNEL, root.ts)!;
    expect(textOf(failedRoot.blocks)).toMatch(/Not filed: /);
    expect(textOf(failedRoot.blocks)).toMatch(explained);
    const [notice] = h.slack.threadReplies(CHANNEL, root.ts);
    expect(notice!.text).toMatch(explained);
    expect(notice!.text).toContain(`<@${REQUESTER}>`);

    await pressRetry(root);
    expect(h.aws.callsTo('CreateCase')).toHaveLength(2);
    expect(h.aws.cases.size).toBe(1);
    const body = h.aws.latestCase()!.communications[0]!.body;
    expect(body).toContain('New limit value: 200000');
    const filedRoot = h.slack.message(CHANNEL, root.ts)!;
    expect(textOf(filedRoot.blocks)).toContain(`Case ${h.aws.latestCase()!.displayId}`);
    expect(retryButton(filedRoot)).toBeUndefined();
    // Still one thread root: the retry reused it.
    expect(h.slack.rootMessages(CHANNEL)).toHaveLength(1);
  });

  it('names the missing permission when DescribeServices is refused, and files nothing', async () => {
    h.aws.inject('DescribeServices', { type: 'AccessDeniedException', message: 'not authorized to perform: support:DescribeServices' });
    const root = await fileOnce();
    expect(h.aws.callsTo('CreateCase')).toHaveLength(0);
    expect(textOf(h.slack.message(CHANNEL, root.ts)!.blocks)).toContain('`support:DescribeServices`');
  });

  it('lets only the requester or an approver retry; double clicks file once', async () => {
    h.aws.inject('CreateCase', { type: 'ThrottlingException', message: 'Rate exceeded' });
    const root = await fileOnce();

    await pressRetry(root, 'U0STRANGER');
    expect(h.aws.callsTo('CreateCase')).toHaveLength(1);
    const refusal = h.slack.ephemerals.find((e) => e.user === 'U0STRANGER');
    expect(refusal?.text).toContain(`Only <@${REQUESTER}>`);

    const button = retryButton(h.slack.message(CHANNEL, root.ts)!);
    await Promise.all(
      ['U0APPROVE', REQUESTER, 'U0APPROVE'].map((userId) =>
        h.requester.blockAction({ userId, channelId: CHANNEL, messageTs: root.ts, actions: [{ action_id: 'retry_filing', value: button.value }] }),
      ),
    );
    // One click files; the other two are told it is being (or has been) filed.
    const told = await h.slack.waitFor(() => {
      const others = h.slack.ephemerals.filter((e) => /being filed right now|already filed/.test(e.text ?? ''));
      return others.length === 2 ? others : undefined;
    });
    expect(told).toHaveLength(2);
    await h.bot.filing.idle();
    expect(h.aws.callsTo('CreateCase')).toHaveLength(2);
    expect(h.aws.cases.size).toBe(1);
  });

  it('keeps a failed request across a restart and files it on Retry afterwards', async () => {
    h.aws.inject('CreateCase', { type: 'CaseCreationLimitExceeded', message: 'You have exceeded your limit of 10 cases per hour.' });
    const root = await fileOnce();
    await h.restart();
    await pressRetry(root);
    expect(h.aws.cases.size).toBe(1);
    expect(textOf(h.slack.message(CHANNEL, root.ts)!.blocks)).toContain('AWS status: *Opened*');
  });
});

describe('when AWS may have filed the case without saying so', () => {
  it('checks AWS for the case on Retry and links it instead of filing a second one', async () => {
    h.aws.inject('CreateCase', { status: 500, type: 'InternalServerError', message: 'Internal error', afterHandling: true });
    const root = await fileOnce();
    expect(h.aws.cases.size).toBe(1);
    expect(textOf(h.slack.message(CHANNEL, root.ts)!.blocks)).toContain('AWS did not say whether the case was filed');

    await pressRetry(root);
    expect(h.aws.callsTo('CreateCase')).toHaveLength(1);
    expect(h.aws.cases.size).toBe(1);
    expect(textOf(h.slack.message(CHANNEL, root.ts)!.blocks)).toContain(`Case ${h.aws.latestCase()!.displayId}`);
  });

  it('files on Retry when AWS provably has no such case, but only once the grace period after the uncertain attempt has passed', async () => {
    h.aws.inject('CreateCase', { status: 500, type: 'InternalServerError', message: 'Internal error' });
    const root = await fileOnce();
    expect(h.aws.cases.size).toBe(0);
    // Seconds after the attempt, "no such case" proves nothing: AWS may still be creating it.
    await pressRetry(root);
    expect(h.aws.callsTo('CreateCase')).toHaveLength(1);
    expect(h.slack.threadReplies(CHANNEL, root.ts).at(-1)!.text).toMatch(/AWS does not show the case yet.*Nothing was filed again/);
    expect((await h.bot.store.findRequestByThread(CHANNEL, root.ts))!.status).toBe('uncertain');
    // The database's clock says the attempt was longer ago than the grace period.
    const request = (await h.bot.store.findRequestByThread(CHANNEL, root.ts))!;
    const longAgo = new Date((await h.bot.store.now()).getTime() - UNCERTAIN_GRACE_MS - 1000).toISOString();
    await (h.bot.store as KyselyStore).db.updateTable('requests').set({ attempted_at: longAgo }).where('id', '=', request.id).execute();
    await pressRetry(root);
    expect(h.aws.callsTo('CreateCase')).toHaveLength(2);
    expect(h.aws.cases.size).toBe(1);
  });

  it('files nothing when AWS cannot be asked whether the case exists', async () => {
    h.aws.inject('CreateCase', { status: 500, type: 'InternalServerError', message: 'Internal error', afterHandling: true });
    const root = await fileOnce();
    h.aws.inject('DescribeCases', { type: 'AccessDeniedException', message: 'not authorized to perform: support:DescribeCases' });
    await pressRetry(root);
    expect(h.aws.callsTo('CreateCase')).toHaveLength(1);
    const replies = h.slack.threadReplies(CHANNEL, root.ts);
    expect(replies.at(-1)!.text).toMatch(/Could not ask AWS whether the case was already filed .*support:DescribeCases.*Nothing was filed again/);
  });
});

describe('when Slack rate-limits the thread root', () => {
  // Found by the chaos soak (invariant "each acknowledged submission filed exactly once"): a 429
  // on the root gave the submission up as not_posted, so nothing was filed until someone
  // pressed Retry on a private message.
  it('waits out the Retry-After and files the request, instead of giving it up as not posted', async () => {
    h.slack.inject('chat.postMessage', { status: 429, retryAfterSeconds: 1, channel: CHANNEL });
    const root = await fileOnce();
    await h.slack.waitFor(() => h.aws.cases.size === 1, 10_000, 'the case filed after the wait');
    await h.bot.filing.idle();
    const request = (await h.bot.store.findRequestByThread(CHANNEL, root.ts))!;
    expect(request.status).toBe('filed');
    expect(h.aws.callsTo('CreateCase')).toHaveLength(1);
    expect(h.slack.rootMessages(CHANNEL)).toHaveLength(1);
    expect(h.slack.callsTo('chat.postMessage').filter((c) => c.fault?.status === 429)).toHaveLength(1);
    expect(h.slack.responses.filter((r: any) => String(r.body.text ?? '').includes('Slack refused'))).toHaveLength(0);
  });

  it('still gives up, and says so, when Slack keeps refusing', async () => {
    h.slack.inject('chat.postMessage', { status: 429, retryAfterSeconds: 1, channel: CHANNEL, times: 5 });
    const { view } = await openQuotaModal(h);
    const res = await submitQuota(h, view, validQuotaInputs());
    expect(res.json.response_action).toBe('update');
    await h.slack.waitFor(() => h.slack.callsTo('chat.postMessage').filter((c) => c.fault).length === 5, 15_000, 'five refused roots');
    await h.bot.filing.idle();
    const [request] = await h.bot.store.listRequestsByStatus(['not_posted']);
    expect(request?.errorCode).toBe('ratelimited');
    expect(h.aws.callsTo('CreateCase')).toHaveLength(0);
  }, 20_000);
});

describe('when the database does not answer right after the thread root is posted', () => {
  // Found by the chaos soak (invariant "no thread message posted twice"): the root's ts could not
  // be recorded during a database outage, the filing gave up, and the recovery posted a second
  // root, leaving the first one saying "Filing with AWS Support…" forever.
  it('records the root once the database is back: one root, the one the request follows', async () => {
    const store = h.bot.store as KyselyStore;
    const updateFiling = store.updateFiling.bind(store);
    let failures = 0;
    store.updateFiling = async (id, owner, patch) => {
      if (patch.rootTs && failures < 2) {
        failures += 1;
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      }
      return updateFiling(id, owner, patch);
    };
    const root = await fileOnce();
    await h.slack.waitFor(() => h.aws.cases.size === 1, 15_000, 'the case filed');
    await h.bot.filing.idle();
    expect(failures).toBe(2);
    expect(h.slack.rootMessages(CHANNEL)).toHaveLength(1);
    const request = (await h.bot.store.findRequestByThread(CHANNEL, root.ts))!;
    expect(request.status).toBe('filed');
    expect(h.aws.callsTo('CreateCase')).toHaveLength(1);
  }, 20_000);
});

describe('when the bot is not in the channel', () => {
  it('files nothing, tells the requester ephemerally how to invite it, and files on Retry once invited', async () => {
    h.slack.notInChannel.add(CHANNEL);
    await fileOnce();
    expect(h.aws.callsTo('CreateCase')).toHaveLength(0);
    const notice: any = await h.slack.waitFor(() => h.slack.responses.find((r: any) => String(r.body.text).includes('not a member')));
    expect(notice.body.response_type).toBe('ephemeral');
    expect(notice.body.text).toContain('/invite');
    const button = notice.body.blocks.flatMap((b: any) => b.elements ?? []).find((e: any) => e.action_id === 'retry_filing');

    h.slack.notInChannel.delete(CHANNEL);
    await settle(() =>
      h.requester.blockAction({
        userId: REQUESTER,
        container: { type: 'message', message_ts: '1700000000.999999', channel_id: CHANNEL, is_ephemeral: true },
        actions: [{ action_id: 'retry_filing', value: button.value }],
      }),
    );
    expect(h.aws.cases.size).toBe(1);
    expect(h.slack.rootMessages(CHANNEL)).toHaveLength(1);
  });
});
