/**
 * Property 5: text from AWS or from people can never mention anyone, ping a channel or hide a
 * link, and a reply reaches the thread whole: every section inside Block Kit's limits, nothing
 * lost for bodies up to AWS's 8,000 characters.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escape } from '../../src/slack/mrkdwn.js';
import { AWS_AUTHOR, communicationMessage, replyEcho, splitText } from '../../src/slack/views/thread-messages.js';
import type { StoredRequest } from '../../src/domain/request.js';
import { blockKitViolations, freeText, hugeString, nastyString, SPECIAL_CHARS } from './arbitraries.js';
import { LONE_SURROGATE } from './checks.js';

type Json = Record<string, any>;

function unescape(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Bodies up to 8,000 characters, with every character escaping grows or splitting can break. */
const body = fc.oneof(
  nastyString,
  freeText(0, 8_000),
  hugeString.map((s) => s.slice(0, 8_000)),
  fc.array(fc.constantFrom(...SPECIAL_CHARS, 'word ', 'a'), { maxLength: 3_000 }).map((parts) => parts.join('').slice(0, 8_000)),
  fc.tuple(fc.constantFrom('&', '<', '>', '😀', '<!channel>', '\n'), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 8_000 })).map(([c, lead, n]) => ('a'.repeat(lead) + c.repeat(n)).slice(0, 8_000)),
);

function request(displayId: string | null): StoredRequest {
  return {
    id: '0123456789abcdef',
    kind: 'quota',
    submissionKey: 'view:V1',
    reference: 'SESBOT-0123456789abcdef',
    teamId: 'T111',
    channelId: 'C0SESOPS',
    requesterId: 'U0REQUEST',
    payload: {
      kind: 'quota',
      mailType: 'transactional',
      websiteUrl: 'https://shop.example.com',
      compliesWithAup: true,
      onlyRequestedRecipients: true,
      handlesBouncesAndComplaints: true,
      rows: [{ region: 'us-east-1', limit: 'send_quota', newValue: 200000 }],
      useCase: 'Order confirmations.',
      language: 'en',
    },
    status: 'filed',
    responseUrl: null,
    rootTs: '1700000000.000100',
    caseId: 'case-1',
    displayId,
    caseStatus: 'opened',
    errorCode: null,
    errorMessage: null,
    attempts: 0,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    commWatermark: null,
    resolvedAt: null,
    statusChanges: 0,
    attemptedAt: null,
    filingMode: 'support-case',
    quotaRows: null,
    pollUntil: null,
    effects: null,
    accountName: 'default',
    accountId: null,
  };
}

const communication = fc.record({
  body,
  // Who wrote it, as DescribeCommunications says: an email address or a role, well under 255 characters.
  submittedBy: fc.oneof(fc.constant(AWS_AUTHOR), fc.constantFrom('', 'ops@example.com', '<!channel> <@U0BOSS>', 'Amazon Web Services '), nastyString.filter((a) => a.length <= 255)),
  timeCreated: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.constantFrom('', 'yesterday', '2025-01-01', '2025-01-01T00:00:00Z|<!channel>'), nastyString),
  // An attachment set holds at most three files; their names here are up to 100 characters.
  attachments: fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 100 }), fc.constantFrom('<https://evil.example|invoice.pdf>', 'report.csv', '<!channel>.txt')), { maxLength: 3 }),
});
const displayId = fc.option(fc.stringMatching(/^[0-9]{1,12}$/), { nil: null });

/** The text of every section and context element, and the notification text. */
function textsOf(message: { text: string; blocks: Json[] }): string[] {
  return [message.text, ...message.blocks.flatMap((b) => [b.text?.text, ...(b.elements ?? []).map((e: Json) => e.text)]).filter((t): t is string => typeof t === 'string')];
}

/** Removes the bot's own syntax: the date token and the Support Center link. What is left must hold no angle bracket. */
function withoutOwnSyntax(text: string): string {
  return text
    .replace(/<!date\^-?\d+\^\{date_short_pretty\} at \{time\}\|[^<>]*>/g, '')
    .replace(/<https:\/\/console\.aws\.amazon\.com\/support\/home#\/case\/\?displayId=[0-9]+\|case [0-9]+>/g, '')
    .replace(/<@U0REQUEST>/g, '');
}

/** The escaped body, cut into these pieces with at most one space or line break dropped at each cut. */
function reassembles(pieces: string[], full: string): boolean {
  let pos = 0;
  for (let i = 0; i < pieces.length; i++) {
    if (i > 0 && (full[pos] === '\n' || full[pos] === ' ')) pos++;
    if (!full.startsWith(pieces[i]!, pos)) return false;
    pos += pieces[i]!.length;
  }
  // The last cut may leave only its separator, which is dropped with no piece after it.
  return pos === full.length || (pieces.length > 0 && pos === full.length - 1 && (full[pos] === '\n' || full[pos] === ' '));
}

describe('escape', () => {
  it('leaves no angle bracket, only whole entities, and unescapes to the input', () => {
    fc.assert(
      fc.property(fc.oneof(nastyString, fc.string({ unit: 'binary' })), (text) => {
        const escaped = escape(text);
        expect(escaped).not.toMatch(/[<>]/);
        expect(escaped.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
        expect(unescape(escaped)).toBe(text);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('communicationMessage', () => {
  it('never mentions, pings or links outside the bot\'s own syntax, stays in limits and loses no text up to 8,000 characters', () => {
    fc.assert(
      fc.property(communication, displayId, (comm, id) => {
        const message = communicationMessage(request(id), comm) as { text: string; blocks: Json[] };
        expect(message.blocks.length).toBeLessThanOrEqual(50);
        expect(blockKitViolations(message, { maxBlocks: 50 })).toEqual([]);
        for (const text of textsOf(message)) expect(withoutOwnSyntax(text)).not.toMatch(/[<>]/);

        const pieces = message.blocks.slice(1).filter((b) => b.type === 'section').map((b) => b.text.text as string);
        for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(3000);
        expect(reassembles(pieces, escape(comm.body.trim() || '(empty message)'))).toBe(true);
        expect(textsOf(message).join('\n')).not.toContain('longer than Slack shows');
      }),
      { numRuns: 300 },
    );
  });

  it('replyEcho: the same guarantees for what a user sends AWS', () => {
    fc.assert(
      fc.property(body, displayId, (text, id) => {
        const message = replyEcho('U0REQUEST', text, request(id)) as { text: string; blocks: Json[] };
        expect(blockKitViolations(message, { maxBlocks: 50 })).toEqual([]);
        for (const t of textsOf(message)) expect(withoutOwnSyntax(t)).not.toMatch(/[<>]/);
        const pieces = message.blocks.slice(1).map((b) => b.text.text as string);
        expect(reassembles(pieces, escape(text))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('splitting a long reply never cuts an entity (&amp;) or an emoji in two', () => {
    fc.assert(
      fc.property(communication, (comm) => {
        const message = communicationMessage(request('1234'), comm) as { text: string; blocks: Json[] };
        for (const block of message.blocks.slice(1).filter((b) => b.type === 'section')) {
          const piece: string = block.text.text;
          // Every & starts a whole entity in its own section, and no section gains half an emoji.
          expect(piece.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
          if (!LONE_SURROGATE.test(comm.body)) expect(piece).not.toMatch(LONE_SURROGATE);
        }
      }),
      {
        endOnFailure: true,
        numRuns: 300,
        examples: [
          [{ body: 'a' + '&'.repeat(3_000), submittedBy: AWS_AUTHOR, timeCreated: '2025-01-01T00:00:00Z', attachments: [] }],
          [{ body: 'a' + '😀'.repeat(3_000), submittedBy: AWS_AUTHOR, timeCreated: '2025-01-01T00:00:00Z', attachments: [] }],
        ],
      },
    );
  });
});

describe('communicationMessage with a long author or attachment list', () => {
  it('truncating the heading or the attachments line never cuts the bot\'s own date token or case link (or an entity) in two', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(AWS_AUTHOR), nastyString),
        fc.array(fc.oneof(nastyString, fc.string({ unit: 'binary', maxLength: 255 })), { maxLength: 30 }),
        displayId,
        (submittedBy, attachments, id) => {
          const message = communicationMessage(request(id), { body: 'See attached.', submittedBy, timeCreated: '2025-01-01T00:00:00Z', attachments }) as { text: string; blocks: Json[] };
          expect(blockKitViolations(message, { maxBlocks: 50 })).toEqual([]);
          for (const text of textsOf(message)) {
            expect(withoutOwnSyntax(text)).not.toMatch(/[<>]/);
            expect(text.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
          }
        },
      ),
      { endOnFailure: true, numRuns: 300, examples: [[AWS_AUTHOR, ['a'.repeat(2_900)], '1234'], ['a'.repeat(2_900), [], '1234']] },
    );
  });
});

describe('splitText', () => {
  it('pieces are at most the size, and reassemble the text', () => {
    fc.assert(
      fc.property(fc.oneof(body, fc.string({ unit: 'binary', maxLength: 500 })), fc.integer({ min: 2, max: 3_000 }), (text, size) => {
        const pieces = splitText(text, size);
        for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(size);
        expect(reassembles(pieces, text)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
