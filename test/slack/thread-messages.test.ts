/**
 * Messages the bot posts in a case's thread (src/slack/views/thread-messages.ts): AWS replies,
 * status notices, the confirmation prompt of a relinquishment, reply echoes and a reply given
 * back unsent. Text from AWS or from people is shown escaped.
 */
import { describe, expect, it } from 'vitest';
import { ACTION } from '../../src/slack/ids.js';
import {
  AWS_AUTHOR,
  communicationMessage,
  confirmationPrompt,
  plainNotice,
  replyEcho,
  statusNotice,
  unsentReplyText,
} from '../../src/slack/views/thread-messages.js';
import { blockKitViolations } from '../property/arbitraries.js';
import { buttonsOf, quotaRequest, relinquishRequest, REQUESTER, textOfBlocks } from './builders.js';

type Json = Record<string, any>;

const CASE_LINK = '<https://console.aws.amazon.com/support/home#/case/?displayId=17100000000|case 17100000000>';
const sections = (blocks: Json[]) => blocks.filter((b) => b.type === 'section').map((b) => b.text.text as string);

describe('unsentReplyText: a reply AWS did not take, given back to its author', () => {
  it('whole: one message that tells the author and holds the text as they wrote it', () => {
    const messages = unsentReplyText(REQUESTER, 'Our peak is 150,000 a day.\nThanks!');
    expect(messages).toHaveLength(1);
    expect(messages[0]!.text).toBe('The text of a reply that was not sent');
    expect(sections(messages[0]!.blocks)).toEqual([`<@${REQUESTER}>, the text of your reply that was not sent:`, 'Our peak is 150,000 a day.\nThanks!']);
  });

  it('escaped: what the author typed can neither mention anyone nor form a link', () => {
    const [message] = unsentReplyText(REQUESTER, 'cc <!channel> <@U0BOSS> see <https://evil.example|docs> & more');
    expect(sections(message!.blocks)[1]).toBe('cc &lt;!channel&gt; &lt;@U0BOSS&gt; see &lt;https://evil.example|docs&gt; &amp; more');
  });

  it('split: a reply of the Reply field\'s 7,000 characters comes back in sections Slack can show, nothing lost', () => {
    const words = Array.from({ length: 1000 }, (_, i) => `word${String(i).padStart(2, '0')}`).join(' ').slice(0, 7000);
    const messages = unsentReplyText(REQUESTER, words);
    expect(messages).toHaveLength(1);
    const pieces = sections(messages[0]!.blocks).slice(1);
    expect(pieces.length).toBe(3);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(3000);
    // Cut at spaces, each dropped once.
    expect(pieces.join(' ')).toBe(words);
    expect(blockKitViolations(messages[0] as Json, { maxBlocks: 50 })).toEqual([]);
  });

  it('split over several messages when it needs more blocks than one message holds; only the first names the author', () => {
    const body = 'x'.repeat(2800 * 45);
    const messages = unsentReplyText(REQUESTER, body);
    expect(messages).toHaveLength(2);
    expect(messages[0]!.blocks).toHaveLength(41);
    expect(messages[1]!.blocks).toHaveLength(5);
    expect(textOfBlocks(messages[1]!.blocks)).not.toContain(REQUESTER);
    expect(messages.flatMap((m) => sections(m.blocks)).slice(1).join('')).toBe(body);
    for (const m of messages) expect(blockKitViolations(m as Json, { maxBlocks: 50 })).toEqual([]);
  });
});

describe('confirmationPrompt: AWS asks before it releases addresses', () => {
  // 3 addresses at USD 24.95, prompted on 30 January 2028: 30 of 31 days.
  const prompt = confirmationPrompt(relinquishRequest(), [REQUESTER, 'U0APPROVER'], 2495, new Date('2028-01-30T12:00:00Z'));
  const text = textOfBlocks(prompt.blocks);

  it('lists the addresses per region, says it cannot be undone and who may confirm', () => {
    expect(prompt.text).toBe('AWS needs a confirmation before it releases the dedicated IP addresses');
    expect(text).toContain(':warning: *AWS needs a confirmation before it releases these dedicated IP addresses:*');
    expect(text).toContain('• US East (N. Virginia) (`us-east-1`): `198.51.100.7`, `203.0.113.10`\n• Asia Pacific (Tokyo) (`ap-northeast-1`): `192.0.2.9`');
    expect(text).toContain('*This cannot be undone*: released addresses are gone from the account for good.');
    expect(text).toContain(`Who may confirm: <@${REQUESTER}>, <@U0APPROVER>.`);
  });

  it('says to reply with exactly `confirm`, and that any other message is never sent to AWS', () => {
    expect(text).toContain('reply in this thread with the word `confirm` exactly (nothing else in the message)');
    expect(text).toContain('Any other message is treated as conversation and never sent to AWS.');
  });

  it("prices the release on the day of the prompt, says the final figure depends on AWS's release day, and that an email or Support Center confirmation counts", () => {
    expect(text).toContain("If released today (30 January 2028), this month's charge for these 3 addresses would be 3 × USD 24.95 × 30/31 days = *USD 72.44*.");
    expect(text).toContain('The final figure depends on the day AWS removes the addresses');
    expect(text).toContain('A confirmation sent to AWS by email or in Support Center counts too');
    // Across the month boundary and in a leap year: 1 of 29 days on 1 February 2028.
    const next = textOfBlocks(confirmationPrompt(relinquishRequest(), [REQUESTER], 2495, new Date('2028-02-01T00:30:00Z')).blocks);
    expect(next).toContain("If released today (1 February 2028), this month's charge for these 3 addresses would be 3 × USD 24.95 × 1/29 days = *USD 2.58*.");
  });

  it('has a red Confirm button that asks again in a Slack confirm dialog', () => {
    const buttons = buttonsOf(prompt.blocks);
    expect(buttons).toHaveLength(1);
    expect(buttons[0]).toMatchObject({ action_id: ACTION.confirmRelinquish, value: '0123456789abcdef', style: 'danger', text: { text: 'Confirm relinquishment' } });
    expect(buttons[0]!.confirm).toEqual({
      title: { type: 'plain_text', text: 'Release these addresses?', emoji: true },
      text: { type: 'plain_text', text: 'AWS releases them for good. This cannot be undone.', emoji: true },
      confirm: { type: 'plain_text', text: 'Confirm', emoji: true },
      deny: { type: 'plain_text', text: 'Cancel', emoji: true },
    });
  });

  it('gives the number of addresses for a row filed by count', () => {
    const byCount = confirmationPrompt(relinquishRequest({}, { rows: [{ region: 'eu-west-1', addresses: [], count: 1 }, { region: 'us-west-2', addresses: [], count: 3 }] }), [REQUESTER], 2495, new Date());
    expect(textOfBlocks(byCount.blocks)).toContain('• Europe (Ireland) (`eu-west-1`): 1 address\n• US West (Oregon) (`us-west-2`): 3 addresses');
  });
});

describe('communicationMessage: a reply on the case', () => {
  const comm = { body: 'We raised your limit.', submittedBy: AWS_AUTHOR, timeCreated: '2025-03-14T10:00:00.000Z', attachments: [] as string[] };

  it('from AWS: who, on which case (linked), when (in the reader\'s time zone), then the text', () => {
    const message = communicationMessage(quotaRequest(), comm);
    expect(message.text).toBe('Amazon Web Services replied on case 17100000000');
    expect(sections(message.blocks)).toEqual([
      `:speech_balloon: *Amazon Web Services* replied on ${CASE_LINK} · <!date^1741946400^{date_short_pretty} at {time}|2025-03-14T10:00:00.000Z>`,
      'We raised your limit.',
    ]);
  });

  it('from a person outside Slack: their name escaped, and where they replied', () => {
    const message = communicationMessage(quotaRequest(), { ...comm, submittedBy: 'ops <ops@example.com>' });
    expect(sections(message.blocks)[0]).toMatch(/^:envelope: \*ops &lt;ops@example\.com&gt;\* replied outside Slack \(Support Center or email\) on /);
  });

  it('names the attachments and says where to download them', () => {
    const message = communicationMessage(quotaRequest(), { ...comm, attachments: ['limits.pdf', '<!here>.txt'] });
    expect(textOfBlocks(message.blocks)).toContain(`:paperclip: Attachments: limits.pdf, &lt;!here&gt;.txt (open ${CASE_LINK} to download)`);
  });

  it('says when a reply is longer than Slack shows, and where the rest is', () => {
    const message = communicationMessage(quotaRequest(), { ...comm, body: 'y'.repeat(2800 * 41) });
    expect(textOfBlocks(message.blocks)).toContain(`:scissors: This reply is longer than Slack shows; the rest is in ${CASE_LINK}.`);
  });

  it('names "the case in Support Center" before the case number is known', () => {
    expect(sections(communicationMessage(quotaRequest({ displayId: null }), comm).blocks)[0]).toContain('replied on the case in Support Center');
  });
});

describe('statusNotice', () => {
  it('pings the requester when AWS waits for an answer', () => {
    expect(statusNotice(quotaRequest(), 'pending-customer-action').text).toBe(
      `:bell: AWS is waiting for an answer from us on ${CASE_LINK} (status: *Pending customer action*). <@${REQUESTER}>`,
    );
  });

  it('says a resolved case can be reopened for 14 days', () => {
    expect(statusNotice(quotaRequest(), 'resolved').text).toBe(
      `:white_check_mark: ${CASE_LINK} is *resolved*. It can be reopened for 14 days by replying to it; the bot keeps watching it until then.`,
    );
  });

  it('names any other status by its label, escaping one it does not know', () => {
    expect(statusNotice(quotaRequest(), 'work-in-progress').text).toBe('Case status: *Work in progress*');
    expect(statusNotice(quotaRequest(), 'odd<!here>').text).toBe('Case status: *odd&lt;!here&gt;*');
  });
});

describe('replyEcho and plainNotice', () => {
  it('replyEcho shows who replied to AWS and what, escaped', () => {
    const message = replyEcho('U0OTHER', 'Peak is <150k>.', quotaRequest());
    expect(message.text).toBe('<@U0OTHER> replied to AWS Support');
    expect(sections(message.blocks)).toEqual([`:outbox_tray: <@U0OTHER> replied to AWS Support on ${CASE_LINK}:`, 'Peak is &lt;150k&gt;.']);
  });

  it('plainNotice is the text in one section', () => {
    expect(plainNotice('Done.')).toEqual({ text: 'Done.', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Done.' } }] });
  });
});
