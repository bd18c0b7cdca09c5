/** The Reply to AWS Support modal: one text field, sent as a communication on the case. */
import type { types } from '@slack/bolt';
import type { StoredRequest } from '../../domain/request.js';
import { CALLBACK, REPLY_BLOCK } from '../ids.js';
import { escape } from '../mrkdwn.js';
import { encodeReplyMeta } from '../modal-metadata.js';
import { plain, section, textInput } from './blocks.js';

/** What Support accepts in one communication, less room for the signature the bot adds. */
export const MAX_REPLY_CHARS = 7000;

export function buildReplyModal(request: StoredRequest): types.ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK.replyToAws,
    private_metadata: encodeReplyMeta({ requestId: request.id }),
    title: plain('Reply to AWS Support', 24),
    submit: plain('Send', 24),
    close: plain('Cancel', 24),
    blocks: [
      section(
        `Your reply is added to ${request.displayId ? `case ${escape(request.displayId)}` : 'the case'} as a communication from this AWS account, signed with your Slack name, and shown in the thread.`,
      ),
      textInput({ blockId: REPLY_BLOCK.body, actionId: REPLY_BLOCK.body, label: 'Reply', multiline: true, maxLength: MAX_REPLY_CHARS }),
    ],
  };
}
