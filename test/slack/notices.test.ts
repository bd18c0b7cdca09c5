/** Short notices the bot posts (src/slack/views/notices.ts). */
import { describe, expect, it } from 'vitest';
import { ACTION } from '../../src/slack/ids.js';
import { SlackError } from '../../src/slack/messenger.js';
import { buildNotInChannelMessage, buildThreadNotice } from '../../src/slack/views/notices.js';
import { buttonsOf, quotaRequest } from './builders.js';

describe('buildThreadNotice', () => {
  it('addresses the user and escapes the text', () => {
    expect(buildThreadNotice('U0REQUEST', 'Only <!channel> approvers & the requester may confirm.')).toEqual({
      text: '<@U0REQUEST> Only &lt;!channel&gt; approvers &amp; the requester may confirm.',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '<@U0REQUEST> Only &lt;!channel&gt; approvers &amp; the requester may confirm.' } }],
    });
  });
});

describe('buildNotInChannelMessage', () => {
  it.each(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action'])('for %s: nothing was filed, invite the bot, then Retry', (code) => {
    const message = buildNotInChannelMessage(quotaRequest(), new SlackError(code, code));
    expect(message.text).toBe(
      ":warning: Nothing was filed with AWS. I can't post in <#C0SESOPS> because I'm not a member of it. Invite me with `/invite @SES Support` (or add the app from the channel's details), then press Retry. Your request is saved.",
    );
    const buttons = buttonsOf(message.blocks);
    expect(buttons).toHaveLength(1);
    expect(buttons[0]).toMatchObject({ action_id: ACTION.retryFiling, value: '0123456789abcdef', style: 'primary', text: { text: 'Retry' } });
  });

  it('for any other refusal: names Slack\'s error code and asks to retry in a moment', () => {
    const message = buildNotInChannelMessage(quotaRequest(), new SlackError('msg_too_long', 'msg_too_long'));
    expect(message.text).toBe(':warning: Nothing was filed with AWS. Slack refused my message in <#C0SESOPS> (`msg_too_long`). Press Retry in a moment. Your request is saved.');
    expect(buttonsOf(message.blocks).map((b) => b.action_id)).toEqual([ACTION.retryFiling]);
  });
});
