/**
 * Property: releasing dedicated IP addresses cannot be undone, so a thread reply confirms only
 * when it is exactly `confirm` (any letter case, surrounding whitespace, at most one trailing `.`
 * or `!`). Every other message that contains the word, in whatever form or company, is
 * conversation and confirms nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isConfirmation } from '../../src/domain/confirmation.js';
import { nastyString } from './arbitraries.js';

/** Whitespace `String.prototype.trim` removes: Slack clients add it, people type it. */
const blank = fc.array(fc.constantFrom(' ', '\t', '\n', '\r\n', '\u00a0', '\u3000', '\u2028', '\ufeff'), { maxLength: 4 }).map((a) => a.join(''));

/** The letters of a word, each in a random case. */
function anyCase(word: string): fc.Arbitrary<string> {
  return fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((upper) => [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
}

/** Exactly `confirm`: the only messages that confirm. */
const exact = fc.tuple(blank, anyCase('confirm'), fc.constantFrom('', '.', '!'), blank).map((parts) => parts.join(''));

/** The word as people write it in a sentence: exactly, or in another form. */
const word = fc.oneof(anyCase('confirm'), fc.constantFrom('confirmed', 'Confirmed', 'reconfirm', 'confirms', 'confirming', 'confirmation', 'unconfirmed', 'CONFIRMED'));

/** Non-empty company for the word: words, mentions, quotes, emoji, negations, another line. */
const company = fc.constantFrom(
  'I', 'we', 'yes', 'yes,', 'ok', 'please', 'pls', 'go ahead', 'not yet', "don't", 'do not', 'I cannot', 'AWS', 'can you', 'should I', 'who can',
  'which IPs are still in use', 'receipt of the case', '1.2.3.4 still carries traffic, keep it', 'tomorrow', 'once traffic moved',
  '<@U123>', '<@UBOT>', '<!here>', '<#C0OTHER>', '👍', '✅', ':+1:', ':white_check_mark:', '&gt;', '>', '-', '?', '...', 'lol',
  '\nbut keep 198.51.100.2', '\nconfirm', 'confirm\n', '\n\nthanks',
);

/** Punctuation that is not exactly one trailing `.` or `!`. */
const badEnding = fc.constantFrom('?', '..', '!!', '.!', '!.', '?!', '!?', ',', ';', ':', '...', '…', '。', '！', '．', ' .', ' !', '-', ')', '"', "'", '\u200b', '*', '_', '~');
const badLeading = fc.constantFrom('.', '!', '?', '"', "'", '“', '`', '*', '_', '~', '>', '> ', '&gt; ', '(', '-', '• ', '\u200b', ':');

const sentence = fc.oneof(
  // Words before the word, after it, or both.
  fc.tuple(company, fc.constantFrom(' ', '', '\n'), word).map(([a, sep, w]) => `${a}${sep}${w}`),
  fc.tuple(word, fc.constantFrom(' ', '', '\n', ', '), company).map(([w, sep, b]) => `${w}${sep}${b}`),
  fc.tuple(company, word, company).map(([a, w, b]) => `${a} ${w} ${b}`),
  // The word alone in another form.
  fc.constantFrom('confirmed', 'Confirmed.', 'reconfirm', 'confirms!', 'confirming', 'confirmation', 'CONFIRMED!', 'confirmd', 'conf', 'confir', 'confirmm', 'c onfirm', 'con-firm', 'con\u200bfirm'),
  // Punctuation other than one trailing . or !, before or after.
  fc.tuple(anyCase('confirm'), badEnding).map(([w, end]) => w + end),
  fc.tuple(badLeading, anyCase('confirm'), fc.constantFrom('', '.', '!')).map(([lead, w, end]) => lead + w + end),
  // Quoted.
  fc.tuple(fc.constantFrom(['"', '"'], ["'", "'"], ['“', '”'], ['`', '`'], ['*', '*'], ['_', '_'], ['```', '```']), anyCase('confirm')).map(([[open, close], w]) => open + w + close),
  // Several lines, each maybe a confirm.
  fc.array(fc.oneof(anyCase('confirm'), company), { minLength: 2, maxLength: 4 }).map((lines) => lines.join('\n')),
);

/** A sentence, maybe with whitespace around it, which never makes it exact. */
const chatter = fc.tuple(blank, sentence, blank).map((parts) => parts.join(''));

describe('which thread replies confirm a relinquishment', () => {
  it('exactly `confirm` confirms, in any case, with surrounding whitespace and one trailing . or !', () => {
    fc.assert(
      fc.property(exact, (text) => {
        expect(isConfirmation(text)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('no other sentence containing the word confirms', () => {
    fc.assert(
      fc.property(chatter, (text) => {
        expect(isConfirmation(text)).toBe(false);
      }),
      { numRuns: 2_000, examples: [['I cannot confirm'], ['AWS confirmed receipt of the case'], ['please confirm which IPs are still in use.'], ['Confirmed: 1.2.3.4 still carries traffic, keep it']] },
    );
  });

  it('any text at all confirms only when, trimmed and lower-cased, it is confirm, confirm. or confirm!', () => {
    const anyText = fc.oneof(nastyString, fc.tuple(nastyString, word, nastyString).map((parts) => parts.join('')), fc.tuple(blank, exact, nastyString).map((parts) => parts.join('')));
    fc.assert(
      fc.property(anyText, (text) => {
        if (isConfirmation(text)) expect(['confirm', 'confirm.', 'confirm!']).toContain(text.trim().toLowerCase());
      }),
      { numRuns: 1_000 },
    );
  });
});
