import { describe, expect, it } from 'vitest';
import { queueName, queueRegion } from '../../src/aws/support-events-queue.js';

describe('queueRegion: the region an SQS queue URL is signed for', () => {
  it.each([
    ['https://sqs.eu-west-1.amazonaws.com/111111111111/events', 'eu-west-1'],
    ['https://sqs.cn-north-1.amazonaws.com.cn/111111111111/events', 'cn-north-1'],
    ['https://sqs.ap-southeast-2.api.aws/111111111111/events', 'ap-southeast-2'],
    ['https://eu-central-1.queue.amazonaws.com/111111111111/events', 'eu-central-1'],
    ['https://queue.amazonaws.com/111111111111/events', 'us-east-1'],
    ['http://127.0.0.1:4566/111111111111/events', 'us-west-2'],
    ['not a url', 'us-west-2'],
  ])('%s → %s', (url, region) => {
    expect(queueRegion(url, 'us-west-2')).toBe(region);
  });

  it('names a queue by the last part of its URL, for logs and /healthz', () => {
    expect(queueName('https://sqs.eu-west-1.amazonaws.com/111111111111/ses-support-events')).toBe('ses-support-events');
  });
});
