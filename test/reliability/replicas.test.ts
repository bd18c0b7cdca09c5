/**
 * Two real bot processes sharing one PostgreSQL database behave as one bot: each request filed
 * once, each AWS communication posted once, each confirmation sent once, and when one replica
 * is killed the other carries on with its work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAws } from '../fakes/fake-aws.js';
import { FakeSlack } from '../fakes/fake-slack.js';
import { startChildBot, submitRelinquishment, type ChildBot } from '../helpers/child-bot.js';
import { CHANNEL, REQUESTER, textOf } from '../helpers/harness.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { twoWarmIps } from '../helpers/dedicated-ip-fixtures.js';

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
  aws.setDedicatedIps('eu-west-1', twoWarmIps());
  db = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'ses-bot-replicas-'));
  // Started together: both apply the migrations under Kysely's lock.
  [a, b] = await Promise.all([
    startChildBot({ slack, aws, databaseUrl: db.url, cwd: dir }),
    startChildBot({ slack, aws, databaseUrl: db.url, cwd: dir }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.kill('SIGTERM'), b?.kill('SIGTERM')]);
  await Promise.all([slack.stop(), aws.stop()]);
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const awsRepliesIn = (rootTs: string) => slack.threadReplies(CHANNEL, rootTs).filter((m) => textOf(m.blocks).includes('*Amazon Web Services* replied'));

describe('two replicas on one PostgreSQL database', () => {
  let rootTs: string;
  let caseId: string;

  it('file a request submitted to both (a double click spread over the load balancer) once', async () => {
    // Opened on one replica, switched on the other, submitted to both at once.
    const answers = await submitRelinquishment(slack, ['198.51.100.3'], a, b, [a, b]);
    expect(answers.map((r) => r.json.response_action)).toEqual(['update', 'update']);
    const root = await slack.waitFor(() => slack.rootMessages(CHANNEL).find((m) => textOf(m.blocks).includes('AWS status')), 15_000, 'the case filed');
    rootTs = root.ts;
    caseId = aws.latestCase()!.caseId;
    expect(aws.callsTo('CreateCase')).toHaveLength(1);
    expect(slack.rootMessages(CHANNEL)).toHaveLength(1);
  });

  it('post each AWS reply once, whichever replica syncs', async () => {
    aws.addCommunication(caseId, { body: 'We can release 198.51.100.3. Please confirm.' });
    await slack.waitFor(() => awsRepliesIn(rootTs).length === 1, 15_000, 'the reply in the thread');
    aws.addCommunication(caseId, { body: 'A second note from AWS.' });
    await slack.waitFor(() => awsRepliesIn(rootTs).length === 2, 15_000, 'the second reply');
    // Several more sync cycles of both replicas go by: nothing is posted again.
    const cycles = aws.callsTo('DescribeCases').length;
    await aws.waitFor(() => aws.callsTo('DescribeCases').length >= cycles + 4, 15_000, 'four more sync cycles');
    expect(awsRepliesIn(rootTs)).toHaveLength(2);
    const prompts = slack.threadReplies(CHANNEL, rootTs).filter((m) => textOf(m.blocks).includes('AWS needs a confirmation'));
    expect(prompts).toHaveLength(2);
  });

  it('send one confirmation when "confirm" reaches both replicas at once', async () => {
    const ts = `${Math.floor(Date.now() / 1000)}.000321`;
    const event = { type: 'message', channel: CHANNEL, user: REQUESTER, text: 'confirm', ts, thread_ts: rootTs, channel_type: 'channel' };
    await Promise.all([a.requester.event(event), b.requester.event(event), a.requester.event({ ...event, ts: `${ts}9` })]);
    await slack.waitFor(() => slack.threadReplies(CHANNEL, rootTs).find((m) => /the confirmation was sent to AWS/.test(m.text ?? '')), 15_000, 'the confirmation sent');
    const confirmations = aws.cases.get(caseId)!.communications.filter((c) => c.body.includes('Slack confirmation reference'));
    expect(confirmations).toHaveLength(1);
    expect(aws.callsTo('AddCommunicationToCase')).toHaveLength(1);
  });

  it('carry on when the replica holding the sync lease is killed: the survivor takes over', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ owner: string }>("select owner from leases where name = 'case-sync'");
    await client.end();
    const leaderPid = Number(rows[0]!.owner.split(':')[1]);
    const [leader, survivor] = leaderPid === a.child.pid ? [a, b] : [b, a];
    expect(leader.child.pid).toBe(leaderPid);
    await leader.kill('SIGKILL');
    aws.addCommunication(caseId, { body: 'The address has been released.' });
    await slack.waitFor(() => awsRepliesIn(rootTs).length === 3, 30_000, 'the reply after the kill');
    const cycles = aws.callsTo('DescribeCases').length;
    await aws.waitFor(() => aws.callsTo('DescribeCases').length >= cycles + 3, 15_000, 'three more sync cycles');
    expect(awsRepliesIn(rootTs)).toHaveLength(3);
    expect((await fetch(`${survivor.url}/healthz`)).status).toBe(200);
  });
});
