/**
 * The SQS calls SupportEventsQueue makes, in a module of their own: the queue loads it (and so
 * the SQS client) only when it is first read, since without push it is never needed. Its
 * commands are imported by name, so the least-privilege test sees each action.
 */
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message, type SQSClientConfig } from '@aws-sdk/client-sqs';

export class SqsCalls {
  readonly client: SQSClient;

  constructor(config: SQSClientConfig) {
    this.client = new SQSClient(config);
  }

  /** Up to 10 messages with their receive counts, waiting up to `waitSeconds` for the first. */
  async receive(queueUrl: string, waitSeconds: number, signal?: AbortSignal): Promise<Message[]> {
    const out = await this.client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
      { abortSignal: signal },
    );
    return out.Messages ?? [];
  }

  async delete(queueUrl: string, receiptHandle: string): Promise<void> {
    await this.client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }));
  }

  async redrivePolicy(queueUrl: string): Promise<string | undefined> {
    const out = await this.client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }));
    return out.Attributes?.RedrivePolicy;
  }

  destroy(): void {
    this.client.destroy();
  }
}
