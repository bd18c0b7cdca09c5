/**
 * Two real bot processes on one PostgreSQL database, filing through Service Quotas: a quota
 * request submitted to both is sent to AWS once, each status is said once, and the form goes on
 * the case AWS opens once, whichever replica runs the sync.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAws } from '../fakes/fake-aws.js';
import { FakeSlack } from '../fakes/fake-slack.js';
import { startChildBot, type ChildBot } from '../helpers/child-bot.js';
import { CHANNEL, REQUESTER, textOf, validQuotaInputs } from '../helpers/harness.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { fillState } from '../helpers/slack-requests.js';

let slack: FakeSlack;
let aws: FakeAws;
let db: { url: string; drop: () => Promise<void> };
let dir: string;
let a: ChildBot;
let b: ChildBot;

beforeAll(async () => {
  slack = new FakeSlack();
  aws = new FakeAws();
  await Promise.all([slack.start(), aws.start()]);
  aws.setAccount('eu-west-1', { SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 }, ProductionAccessEnabled: true });
  db = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'ses-bot-sq-replicas-'));
  const env = { QUOTA_FILING: 'service-quotas' };
  [a, b] = await Promise.all([
    startChildBot({ slack, aws, databaseUrl: db.url, cwd: dir, env }),
    startChildBot({ slack, aws, databaseUrl: db.url, cwd: dir, env }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.kill('SIGTERM'), b?.kill('SIGTERM')]);
  await Promise.all([slack.stop(), aws.stop()]);
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const replies = (rootTs: string, pattern: RegExp) => slack.threadReplies(CHANNEL, rootTs).filter((m) => pattern.test(textOf(m.blocks) || m.text || ''));
const historyCalls = () => aws.callsTo('ListRequestedServiceQuotaChangeHistory').length;

describe('two replicas filing through Service Quotas', () => {
  let rootTs: string;

  it('send a request submitted to both once', async () => {
    const before = slack.callsTo('views.update').length;
    await a.requester.command({ command: '/ses-quota', userId: REQUESTER, channelId: CHANNEL });
    await slack.waitFor(() => slack.callsTo('views.update').length > before, 10_000, 'the quota in the modal');
    const view = slack.latestView()!;
    const values = fillState(view, { ...validQuotaInputs(), 'row:0:region': 'eu-west-1' });
    const answers = await Promise.all([a, b].map((bot) => bot.requester.viewSubmission({ view, values, userId: REQUESTER })));
    expect(answers.map((r) => r.json.response_action)).toEqual(['update', 'update']);
    const root = await slack.waitFor(() => slack.rootMessages(CHANNEL).find((m) => textOf(m.blocks).includes('Service Quotas: *pending*')), 15_000, 'the row sent');
    rootTs = root.ts;
    expect(aws.callsTo('RequestServiceQuotaIncrease')).toHaveLength(1);
    expect(slack.rootMessages(CHANNEL)).toHaveLength(1);
  });

  it('add the form to the case AWS opens once, and say each status once, over many cycles of both', async () => {
    const awsCase = aws.openQuotaCase(aws.quotaRequests()[0]!.id);
    await slack.waitFor(() => replies(rootTs, /was added to case/).length === 1, 15_000, 'the form added');
    aws.setQuotaRequestStatus(aws.quotaRequests()[0]!.id, 'APPROVED');
    await slack.waitFor(() => replies(rootTs, /\*approved\*/).length === 1, 15_000, 'the approval in the thread');
    const cycles = historyCalls();
    await aws.waitFor(() => historyCalls() >= cycles + 4, 15_000, 'four more sync cycles');

    const forms = aws.cases.get(awsCase.caseId)!.communications.filter((c) => c.body.includes('Slack request reference'));
    expect(forms).toHaveLength(1);
    expect(aws.callsTo('AddCommunicationToCase')).toHaveLength(1);
    expect(replies(rootTs, /\*case opened\*/)).toHaveLength(1);
    expect(replies(rootTs, /\*approved\*/)).toHaveLength(1);
    expect(replies(rootTs, /was added to case/)).toHaveLength(1);
  });
});
