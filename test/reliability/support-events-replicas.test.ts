/**
 * Two real bot processes on one PostgreSQL database, both receiving from one queue of AWS
 * Support events: whichever replica gets an event syncs its case, and each AWS reply is posted
 * once, however the events are spread between them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAws } from '../fakes/fake-aws.js';
import { FakeSlack } from '../fakes/fake-slack.js';
import { startChildBot, submitRelinquishment, type ChildBot } from '../helpers/child-bot.js';
import { CHANNEL, textOf } from '../helpers/harness.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { twoWarmIps } from '../helpers/dedicated-ip-fixtures.js';

let slack: FakeSlack;
let aws: FakeAws;
let db: { url: string; drop: () => Promise<void> };
let dir: string;
let queueUrl: string;
let a: ChildBot;
let b: ChildBot;

beforeAll(async () => {
  slack = new FakeSlack();
  aws = new FakeAws();
  await Promise.all([slack.start(), aws.start()]);
  aws.setDedicatedIps('eu-west-1', twoWarmIps());
  queueUrl = aws.createQueue('ses-support-events', { visibilityTimeoutSeconds: 2 });
  db = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'ses-bot-push-replicas-'));
  const env = { SUPPORT_EVENTS_QUEUE_URL: queueUrl, POLL_FALLBACK_SECONDS: '600' };
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

describe('two replicas receiving from one queue', () => {
  it('post each reply once, whichever replica receives its event, and delete every event', async () => {
    await submitRelinquishment(slack, ['198.51.100.3'], a);
    const root = await slack.waitFor(() => slack.rootMessages(CHANNEL).find((m) => textOf(m.blocks).includes('AWS status')), 15_000, 'the case filed');
    const caseId = aws.latestCase()!.caseId;
    const receivesBefore = aws.callsTo('ReceiveMessage').length;

    // Six replies, each announced twice (EventBridge delivers at least once).
    for (let i = 1; i <= 6; i++) {
      aws.addCommunication(caseId, { body: `Reply number ${i} from AWS.` });
      aws.emitSupportEvent(queueUrl, { caseId, eventName: 'AddCommunicationToCase', origin: 'AWS' });
      aws.emitSupportEvent(queueUrl, { caseId, eventName: 'AddCommunicationToCase', origin: 'AWS' });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const replies = () => slack.threadReplies(CHANNEL, root.ts).map((m) => textOf(m.blocks)).filter((t) => /Reply number \d from AWS/.test(t));
    await slack.waitFor(() => replies().length >= 6 || undefined, 15_000, 'six replies in the thread');
    await aws.waitFor(() => {
      const q = aws.queueState(queueUrl);
      return q.visible === 0 && q.inFlight === 0 && q.deleted === 12 ? q : undefined;
    }, 15_000, 'all twelve events deleted');
    // Both processes keep long-polling the queue.
    expect(aws.callsTo('ReceiveMessage').length - receivesBefore).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (let i = 1; i <= 6; i++) expect(replies().filter((t) => t.includes(`Reply number ${i} from AWS.`)), `reply ${i}`).toHaveLength(1);
    expect(replies()).toHaveLength(6);
  }, 60_000);
});
