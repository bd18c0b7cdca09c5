// Proves FakeAws speaks SQS as the real @aws-sdk/client-sqs expects it (JSON 1.0,
// `X-Amz-Target: AmazonSQS.*`, AWS-query-compatible errors, MD5 checks of bodies) with long polls,
// visibility timeouts, redelivery and dead-letter queues, and that the Support events it emits
// have EventBridge's envelope.
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  QueueDoesNotExist,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  type ReceiveMessageCommandInput,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AWS_KEY_ID, AWS_SECRET } from '../helpers/harness.js';
import { rejection } from '../helpers/rejection.js';
import { FakeAws } from './fake-aws.js';

const credentials = { accessKeyId: AWS_KEY_ID, secretAccessKey: AWS_SECRET };
const BASE_ACCOUNT = '123456789012';
const PROD = '111111111111';

describe('FakeAws SQS with the real SQSClient', () => {
  const aws = new FakeAws();
  let sqs: SQSClient;
  let queueUrl: string;
  let seq = 0;

  const receive = (input: Partial<ReceiveMessageCommandInput> = {}, client = sqs) =>
    client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, ...input }));
  const elapsed = async <T>(promise: Promise<T>): Promise<{ value: T; ms: number }> => {
    const start = performance.now();
    const value = await promise;
    return { value, ms: performance.now() - start };
  };

  beforeAll(async () => {
    await aws.start();
    // One attempt, so each injected fault is seen once.
    sqs = new SQSClient({ region: 'us-east-1', endpoint: aws.url, credentials, maxAttempts: 1 });
  });
  afterAll(async () => {
    sqs.destroy();
    await aws.stop();
  });
  beforeEach(() => {
    seq += 1;
    queueUrl = aws.createQueue(`support-events-${seq}`);
  });

  it('receives a message (the SDK checks its MD5), records the call as sqs in the signer\'s account, and deletes it', async () => {
    expect(queueUrl).toBe(`${aws.url}/${BASE_ACCOUNT}/support-events-${seq}`);
    const id = aws.sendToQueue(queueUrl, 'héllo ✓');

    const out = await receive({ MaxNumberOfMessages: 10 });
    expect(out.Messages).toHaveLength(1);
    const [m] = out.Messages!;
    expect(m).toMatchObject({ MessageId: id, Body: 'héllo ✓' });
    expect(m!.ReceiptHandle).toEqual(expect.any(String));
    expect(m!.Attributes).toBeUndefined();
    expect(aws.queueState(queueUrl)).toMatchObject({ visible: 0, inFlight: 1, deleted: 0 });
    expect(aws.callsTo('ReceiveMessage').at(-1)).toMatchObject({
      service: 'sqs',
      operation: 'ReceiveMessage',
      region: 'us-east-1',
      accessKeyId: AWS_KEY_ID,
      accountId: BASE_ACCOUNT,
      input: { QueueUrl: queueUrl, MaxNumberOfMessages: 10 },
    });
    expect(aws.calls.at(-1)!.service).toBe('sqs');

    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m!.ReceiptHandle! }));
    expect(aws.queueState(queueUrl)).toEqual({ visible: 0, inFlight: 0, deleted: 1, staleDeletes: 0, deadLettered: 0, messages: [] });
    // Nothing left: the answer has no Messages member, as SQS's.
    expect((await receive()).Messages).toBeUndefined();
  });

  it('hands out at most MaxNumberOfMessages (default 1), oldest first, and refuses out-of-range values', async () => {
    for (let i = 1; i <= 12; i += 1) aws.sendToQueue(queueUrl, `m${i}`);
    expect((await receive()).Messages!.map((m) => m.Body)).toEqual(['m1']);
    expect((await receive({ MaxNumberOfMessages: 10 })).Messages!.map((m) => m.Body)).toEqual(['m2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11']);
    const err = await rejection(receive({ MaxNumberOfMessages: 11 }));
    expect(err.name).toBe('InvalidParameterValue');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect((await rejection(receive({ WaitTimeSeconds: 21 }))).name).toBe('InvalidParameterValue');
  });

  it('sends with SendMessage (the SDK checks MD5OfMessageBody)', async () => {
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"a":1}' }));
    expect(sent.MessageId).toEqual(expect.any(String));
    expect(aws.queueState(queueUrl).messages).toEqual([{ id: sent.MessageId, body: '{"a":1}', receiveCount: 0, visible: true }]);
  });

  it('long poll: answers within ~100 ms of a message sent during the wait', async () => {
    const pending = elapsed(receive({ WaitTimeSeconds: 20 }));
    await aws.waitForCall('ReceiveMessage', (c) => c.input.QueueUrl === queueUrl);
    await new Promise((r) => setTimeout(r, 150));
    const sentAt = performance.now();
    const id = aws.sendToQueue(queueUrl, 'late');
    const { value } = await pending;
    const afterSend = performance.now() - sentAt;
    expect(value.Messages!.map((m) => m.MessageId)).toEqual([id]);
    expect(afterSend).toBeLessThan(150);
  });

  it('long poll: answers empty after WaitTimeSeconds when nothing comes', async () => {
    const { value, ms } = await elapsed(receive({ WaitTimeSeconds: 1 }));
    expect(value.Messages).toBeUndefined();
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(1600);
  });

  it('redelivers after the visibility timeout with ApproximateReceiveCount 2 and a new receipt handle; only the latest handle deletes', async () => {
    const id = aws.sendToQueue(queueUrl, 'redeliver me');
    const first = await receive({ VisibilityTimeout: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    expect(first.Messages![0]!.Attributes).toEqual({ ApproximateReceiveCount: '1' });
    // In flight: not handed out again meanwhile.
    expect((await receive()).Messages).toBeUndefined();
    expect(aws.queueState(queueUrl)).toMatchObject({ visible: 0, inFlight: 1 });

    // A long poll wakes when the visibility timeout runs out.
    const { value: second, ms } = await elapsed(receive({ WaitTimeSeconds: 5, AttributeNames: ['All'] }));
    expect(ms).toBeLessThan(1500);
    const again = second.Messages![0]!;
    expect(again.MessageId).toBe(id);
    expect(again.Attributes).toMatchObject({ ApproximateReceiveCount: '2', SentTimestamp: expect.stringMatching(/^\d+$/) });
    expect(again.ReceiptHandle).not.toBe(first.Messages![0]!.ReceiptHandle);

    // The superseded handle: success, but the message stays (as AWS documents it may).
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first.Messages![0]!.ReceiptHandle! }));
    expect(aws.queueState(queueUrl)).toMatchObject({ inFlight: 1, deleted: 0, staleDeletes: 1 });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: again.ReceiptHandle! }));
    expect(aws.queueState(queueUrl)).toMatchObject({ visible: 0, inFlight: 0, deleted: 1 });
    // A handle of a message already deleted: success again.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: again.ReceiptHandle! }));
    expect(aws.queueState(queueUrl).deleted).toBe(1);
  });

  it('the queue\'s own visibility timeout applies when ReceiveMessage sets none, and expireVisibility ends it at once', async () => {
    aws.sendToQueue(queueUrl, 'x');
    await receive();
    expect(aws.queueState(queueUrl).inFlight).toBe(1);
    const pending = elapsed(receive({ WaitTimeSeconds: 20 }));
    await aws.waitForCall('ReceiveMessage', (c) => c.input.WaitTimeSeconds === 20 && c.input.QueueUrl === queueUrl);
    aws.expireVisibility(queueUrl);
    const { value, ms } = await pending;
    expect(value.Messages![0]!.Body).toBe('x');
    expect(ms).toBeLessThan(1000);
  });

  it('an unknown receipt handle is ReceiptHandleIsInvalid (404)', async () => {
    const err = await rejection(sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: 'AQEBnot-a-handle' })));
    expect(err).toBeInstanceOf(ReceiptHandleIsInvalid);
    expect(err.name).toBe('ReceiptHandleIsInvalid');
    expect(err.$metadata.httpStatusCode).toBe(404);
    expect(err.$fault).toBe('client');
  });

  it('an unknown queue is QueueDoesNotExist; another account\'s queue is AccessDenied (403)', async () => {
    const missing = await rejection(receive({ QueueUrl: `${aws.url}/${BASE_ACCOUNT}/no-such-queue` }));
    expect(missing).toBeInstanceOf(QueueDoesNotExist);
    expect(missing.name).toBe('QueueDoesNotExist');
    expect(missing.Code).toBe('AWS.SimpleQueueService.NonExistentQueue');
    expect(missing.$metadata.httpStatusCode).toBe(400);

    const elsewhere = aws.createQueue('prod-events', { accountId: PROD });
    const denied = await rejection(receive({ QueueUrl: elsewhere }));
    expect(denied.name).toBe('AccessDenied');
    expect(denied.$metadata.httpStatusCode).toBe(403);
  });

  it('a queue of an assumed role\'s account serves that role, and refuses the base account', async () => {
    const role = `arn:aws:iam::${PROD}:role/ses-support-bot`;
    aws.addRole({ roleArn: role });
    const sts = new STSClient({ region: 'us-east-1', endpoint: aws.url, credentials, maxAttempts: 1 });
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'ses-support-bot' }));
    sts.destroy();
    const c = assumed.Credentials!;
    const prodSqs = new SQSClient({
      region: 'us-east-1',
      endpoint: aws.url,
      maxAttempts: 1,
      credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
    });
    try {
      const prodQueue = aws.createQueue(`prod-only-${seq}`, { accountId: PROD });
      aws.sendToQueue(prodQueue, 'for prod');
      const out = await prodSqs.send(new ReceiveMessageCommand({ QueueUrl: prodQueue }));
      expect(out.Messages![0]!.Body).toBe('for prod');
      expect(aws.callsBy(PROD).filter((call) => call.service === 'sqs').map((call) => call.operation)).toEqual(['ReceiveMessage']);
      expect((await rejection(receive({}, prodSqs))).name).toBe('AccessDenied');
    } finally {
      prodSqs.destroy();
    }
  });

  it('GetQueueAttributes answers the attributes asked for, with the RedrivePolicy as JSON', async () => {
    const dlq = aws.createQueue(`dlq-${seq}`);
    const policy = { deadLetterTargetArn: aws.queueArn(dlq), maxReceiveCount: 5 };
    const url = aws.createQueue(`with-dlq-${seq}`, { visibilityTimeoutSeconds: 45, redrivePolicy: policy });
    aws.sendToQueue(url, 'a');
    aws.sendToQueue(url, 'b');
    await receive({ QueueUrl: url });

    const out = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['RedrivePolicy', 'VisibilityTimeout', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    expect(out.Attributes).toEqual({
      RedrivePolicy: expect.any(String),
      VisibilityTimeout: '45',
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
    expect(JSON.parse(out.Attributes!.RedrivePolicy!)).toEqual(policy);
    expect(policy.deadLetterTargetArn).toBe(`arn:aws:sqs:us-east-1:${BASE_ACCOUNT}:dlq-${seq}`);

    // No redrive policy: no RedrivePolicy attribute, even for 'All'.
    const plain = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
    expect(plain.Attributes).toMatchObject({ VisibilityTimeout: '30', ApproximateNumberOfMessages: '0', QueueArn: `arn:aws:sqs:us-east-1:${BASE_ACCOUNT}:support-events-${seq}` });
    expect(plain.Attributes).not.toHaveProperty('RedrivePolicy');
    expect((await rejection(sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['Bogus' as never] })))).name).toBe('InvalidAttributeName');
  });

  it('moves a message received more than maxReceiveCount times to the dead-letter queue', async () => {
    const dlq = aws.createQueue(`dlq-${seq}`);
    const url = aws.createQueue(`redrive-${seq}`, { redrivePolicy: { deadLetterTargetArn: aws.queueArn(dlq), maxReceiveCount: 2 } });
    const id = aws.sendToQueue(url, 'poison');
    // VisibilityTimeout 0: visible again at once, as after a failed attempt.
    const counts: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const out = await receive({ QueueUrl: url, VisibilityTimeout: 0, MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
      counts.push(out.Messages![0]!.Attributes!.ApproximateReceiveCount!);
    }
    expect(counts).toEqual(['1', '2']);
    expect((await receive({ QueueUrl: url })).Messages).toBeUndefined();
    expect(aws.queueState(url)).toMatchObject({ visible: 0, inFlight: 0, deleted: 0, deadLettered: 1 });
    expect(aws.queueState(dlq).messages).toEqual([{ id, body: 'poison', receiveCount: 2, visible: true }]);
    expect((await receive({ QueueUrl: dlq })).Messages![0]!.MessageId).toBe(id);

    // Without the dead-letter queue in the fake, the message is dropped.
    const orphan = aws.createQueue(`orphan-${seq}`, { redrivePolicy: { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:gone', maxReceiveCount: 1 } });
    aws.sendToQueue(orphan, 'x');
    await receive({ QueueUrl: orphan, VisibilityTimeout: 0 });
    expect((await receive({ QueueUrl: orphan })).Messages).toBeUndefined();
    expect(aws.queueState(orphan)).toMatchObject({ messages: [], deadLettered: 1 });
  });

  it('ChangeMessageVisibility 0 makes a message visible at once (waking a long poll); an old handle has expired', async () => {
    aws.sendToQueue(queueUrl, 'retry soon');
    const first = (await receive()).Messages![0]!;
    const pending = elapsed(receive({ WaitTimeSeconds: 20 }));
    await aws.waitForCall('ReceiveMessage', (c) => c.input.WaitTimeSeconds === 20 && c.input.QueueUrl === queueUrl);
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: first.ReceiptHandle!, VisibilityTimeout: 0 }));
    const { value, ms } = await pending;
    expect(ms).toBeLessThan(1000);
    const second = value.Messages![0]!;
    expect(second.Body).toBe('retry soon');

    const expired = await rejection(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: first.ReceiptHandle!, VisibilityTimeout: 10 })));
    expect(expired.name).toBe('InvalidParameterValue');
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: second.ReceiptHandle!, VisibilityTimeout: 60 }));
    expect(aws.queueState(queueUrl)).toMatchObject({ inFlight: 1 });
  });

  it('DeleteMessageBatch reports each entry as Successful or Failed', async () => {
    aws.sendToQueue(queueUrl, 'a');
    aws.sendToQueue(queueUrl, 'b');
    const got = (await receive({ MaxNumberOfMessages: 10 })).Messages!;
    const out = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'a', ReceiptHandle: got[0]!.ReceiptHandle! },
          { Id: 'bogus', ReceiptHandle: 'AQEBnope' },
          { Id: 'b', ReceiptHandle: got[1]!.ReceiptHandle! },
        ],
      }),
    );
    expect(out.Successful!.map((e) => e.Id)).toEqual(['a', 'b']);
    expect(out.Failed).toEqual([{ Id: 'bogus', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: expect.any(String) }]);
    expect(aws.queueState(queueUrl)).toMatchObject({ deleted: 2, messages: [] });
    expect((await rejection(sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: [] })))).name).toBe('EmptyBatchRequest');
  });

  it('emitSupportEvent sends the Support Case Update envelope EventBridge delivers', async () => {
    const c = aws.seedCase({ subject: 'SES quota', accountId: PROD });
    aws.emitSupportEvent(queueUrl, { caseId: c.caseId, eventName: 'AddCommunicationToCase', origin: 'AWS', communicationId: 'comm-1' });
    aws.emitSupportEvent(queueUrl, { caseId: 'case-unknown', eventName: 'ResolveCase' });

    const out = await receive({ MaxNumberOfMessages: 10 });
    const [reply, resolve] = out.Messages!.map((m) => JSON.parse(m.Body!));
    expect(reply).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Support Case Update',
      source: 'aws.support',
      account: PROD,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: 'us-east-1',
      resources: [],
      detail: { 'case-id': c.caseId, 'display-id': c.displayId, 'communication-id': 'comm-1', 'event-name': 'AddCommunicationToCase', origin: 'AWS' },
    });
    // Other events: no communication and no origin (empty strings, as in AWS's examples); a case
    // the fake does not know belongs to `accountId`.
    expect(resolve).toMatchObject({
      account: BASE_ACCOUNT,
      detail: { 'case-id': 'case-unknown', 'display-id': '', 'communication-id': '', 'event-name': 'ResolveCase', origin: '' },
    });
    expect(resolve.id).not.toBe(reply.id);
  });

  it('an injected ReceiveMessage fault surfaces in the SDK, and answers a pending long poll at once', async () => {
    aws.sendToQueue(queueUrl, 'kept');
    aws.inject('ReceiveMessage', { status: 500 });
    const failure = await rejection(receive());
    expect(failure.name).toBe('InternalFailure');
    expect(failure.$fault).toBe('server');
    expect(failure.$metadata.httpStatusCode).toBe(500);
    expect(aws.callsTo('ReceiveMessage').at(-1)!.fault).toEqual({ status: 500 });
    // The fault answered before handling: the message was not handed out.
    expect(aws.queueState(queueUrl)).toMatchObject({ visible: 1, inFlight: 0 });

    aws.inject('ReceiveMessage', { type: 'AccessDenied', message: 'not for you' });
    const denied = await rejection(receive());
    expect(denied.name).toBe('AccessDenied');
    expect(denied.message).toBe('not for you');
    expect(denied.$metadata.httpStatusCode).toBe(403);

    // A poll already waiting takes a fault injected meanwhile.
    await receive(); // empties the queue
    const pending = elapsed(rejection(receive({ WaitTimeSeconds: 20 })));
    await aws.waitForCall('ReceiveMessage', (c) => c.input.WaitTimeSeconds === 20 && c.input.QueueUrl === queueUrl);
    aws.inject('ReceiveMessage', { status: 503 });
    const { value: late, ms } = await pending;
    expect(late.name).toBe('ServiceUnavailable');
    expect(ms).toBeLessThan(1000);
    expect(aws.pendingFaults()).toEqual([]);
  });
});

describe('FakeAws SQS long polls and stop()', () => {
  it('stop() ends a pending long poll at once', async () => {
    const aws = new FakeAws();
    await aws.start();
    const url = aws.createQueue('q');
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: aws.url, credentials, maxAttempts: 1 });
    try {
      const start = performance.now();
      const pending = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 })).then(
        (out) => out.Messages,
        (err: Error) => err,
      );
      await aws.waitForCall('ReceiveMessage');
      await aws.stop();
      const settled = await pending;
      expect(settled === undefined || settled instanceof Error).toBe(true);
      expect(performance.now() - start).toBeLessThan(2000);
    } finally {
      sqs.destroy();
    }
  });

  it('a client that gives up on its long poll takes no message', async () => {
    const aws = new FakeAws();
    await aws.start();
    const url = aws.createQueue('q');
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: aws.url, credentials, maxAttempts: 1 });
    try {
      const abort = new AbortController();
      const pending = rejection(sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }), { abortSignal: abort.signal }));
      await aws.waitForCall('ReceiveMessage');
      abort.abort();
      await pending;
      await new Promise((r) => setTimeout(r, 100));
      aws.sendToQueue(url, 'for the next poll');
      expect(aws.queueState(url)).toMatchObject({ visible: 1, inFlight: 0 });
    } finally {
      sqs.destroy();
      await aws.stop();
    }
  });
});
