/** The Reply to AWS Support modal (src/slack/views/reply-modal.ts). */
import { describe, expect, it } from 'vitest';
import { CALLBACK, REPLY_BLOCK } from '../../src/slack/ids.js';
import { decodeReplyMeta } from '../../src/slack/modal-metadata.js';
import { buildReplyModal, MAX_REPLY_CHARS } from '../../src/slack/views/reply-modal.js';
import { fillState } from '../helpers/slack-requests.js';
import { blockKitViolations } from '../property/arbitraries.js';
import { inputIds, quotaRequest, textOfBlocks } from './builders.js';

describe('buildReplyModal', () => {
  const view = buildReplyModal(quotaRequest());

  it('is titled for AWS Support, with Send and Cancel', () => {
    expect(view).toMatchObject({
      type: 'modal',
      callback_id: CALLBACK.replyToAws,
      title: { type: 'plain_text', text: 'Reply to AWS Support' },
      submit: { type: 'plain_text', text: 'Send' },
      close: { type: 'plain_text', text: 'Cancel' },
    });
  });

  it('says where the reply goes, how it is signed and that the thread shows it', () => {
    expect(textOfBlocks(view.blocks)).toContain(
      'Your reply is added to case 17100000000 as a communication from this AWS account, signed with your Slack name, and shown in the thread.',
    );
  });

  it('says "the case" before its number is known, and escapes a number it did not expect', () => {
    expect(textOfBlocks(buildReplyModal(quotaRequest({ displayId: null })).blocks)).toContain('Your reply is added to the case as a communication');
    expect(textOfBlocks(buildReplyModal(quotaRequest({ displayId: '1<!here>' })).blocks)).toContain('added to case 1&lt;!here&gt; as');
  });

  it('has one required multi-line Reply field of at most 7,000 characters', () => {
    expect(inputIds(view)).toEqual([REPLY_BLOCK.body]);
    const input = view.blocks.find((b) => b.type === 'input') as Record<string, any>;
    expect(input).toMatchObject({ label: { text: 'Reply' }, optional: false, element: { type: 'plain_text_input', action_id: REPLY_BLOCK.body, multiline: true, max_length: MAX_REPLY_CHARS } });
    expect(MAX_REPLY_CHARS).toBe(7000);
    expect(fillState(view, { [REPLY_BLOCK.body]: 'Thanks.' })).toEqual({ [REPLY_BLOCK.body]: { [REPLY_BLOCK.body]: { type: 'plain_text_input', value: 'Thanks.' } } });
  });

  it('carries the request it replies to in its metadata', () => {
    expect(decodeReplyMeta(view.private_metadata)).toEqual({ requestId: '0123456789abcdef' });
  });

  it('stays inside Block Kit limits', () => {
    expect(blockKitViolations(view as Record<string, any>, { maxBlocks: 100 })).toEqual([]);
  });
});
