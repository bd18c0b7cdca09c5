/**
 * One SQS queue of AWS Support events, read with long polls. Reading and deleting only: the
 * events are put there by EventBridge.
 */
// The SQS calls (and the SQS client) are imported when a queue is first read (see `sqs`):
// without push they are never needed, and they cost memory.
import type { SqsCalls } from './sqs-calls.js';
import { translateAwsError, type AwsCredentials } from './errors.js';
import type { AwsClientHook } from '../metrics/aws.js';

export interface QueueMessage {
  id: string;
  receiptHandle: string;
  body: string | undefined;
  /** How many times SQS has handed it out, this time included. */
  receiveCount: number;
}

/**
 * The region of an SQS queue URL, whose calls must be signed for it: sqs.REGION.amazonaws.com
 * (and .com.cn), sqs.REGION.api.aws, the legacy REGION.queue.amazonaws.com and
 * queue.amazonaws.com (us-east-1); `fallback` (AWS_REGION) for any other host (an endpoint of your own).
 */
export function queueRegion(queueUrl: string, fallback: string): string {
  let host: string;
  try {
    host = new URL(queueUrl).hostname;
  } catch {
    return fallback;
  }
  if (host === 'queue.amazonaws.com') return 'us-east-1';
  const region =
    /^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(host)?.[1] ??
    /^sqs\.([a-z0-9-]+)\.api\.aws$/.exec(host)?.[1] ??
    /^([a-z]{2}(-[a-z]+)+-\d)\.queue\.amazonaws\.com(\.cn)?$/.exec(host)?.[1];
  return region ?? fallback;
}

/** The queue's name (the last part of its URL), for logs and /healthz: the URL itself names the account. */
export function queueName(queueUrl: string): string {
  return queueUrl.replace(/\/+$/, '').split('/').at(-1) ?? queueUrl;
}

export class SupportEventsQueue {
  private calls: SqsCalls | undefined;
  private destroyed = false;

  constructor(
    readonly url: string,
    private readonly region: string,
    /** Each long poll: ReceiveMessage's WaitTimeSeconds. */
    private readonly waitSeconds: number,
    private readonly credentials?: AwsCredentials,
    /** Metrics: every call counted and timed (src/metrics/aws.ts). */
    private readonly hook?: AwsClientHook,
  ) {}

  /** This queue's SQS calls, made on first use. */
  private async sqs(): Promise<SqsCalls> {
    const { SqsCalls } = await import('./sqs-calls.js');
    if (this.destroyed) throw new Error('the queue reader was stopped');
    if (this.calls) return this.calls;
    // The answer comes up to `waitSeconds` after the request: the timeout leaves room for it.
    this.calls = new SqsCalls({
      region: this.region,
      credentials: this.credentials,
      maxAttempts: 2,
      requestHandler: { requestTimeout: (this.waitSeconds + 10) * 1000, connectionTimeout: 5_000, throwOnRequestTimeout: true },
    });
    this.hook?.(this.calls.client);
    return this.calls;
  }

  get name(): string {
    return queueName(this.url);
  }

  /** Up to 10 messages, waiting up to the long poll for the first; [] when none came. */
  async receive(signal?: AbortSignal): Promise<QueueMessage[]> {
    try {
      const messages = await (await this.sqs()).receive(this.url, this.waitSeconds, signal);
      return messages.map((m) => ({
        id: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body,
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? '1') || 1,
      }));
    } catch (err) {
      throw translateAwsError(err, 'sqs:ReceiveMessage');
    }
  }

  async delete(message: QueueMessage): Promise<void> {
    try {
      await (await this.sqs()).delete(this.url, message.receiptHandle);
    } catch (err) {
      throw translateAwsError(err, 'sqs:DeleteMessage');
    }
  }

  /** Whether the queue moves messages that keep failing to a dead-letter queue (its redrive policy). */
  async hasDeadLetterQueue(): Promise<boolean> {
    try {
      return Boolean(await (await this.sqs()).redrivePolicy(this.url));
    } catch (err) {
      throw translateAwsError(err, 'sqs:GetQueueAttributes');
    }
  }

  destroy(): void {
    this.destroyed = true;
    this.calls?.destroy();
  }
}
