import { describe, expect, it } from 'vitest';
import { isConfirmation } from '../../src/domain/confirmation.js';

/**
 * Releasing addresses cannot be undone, so only an unambiguous act confirms: a thread reply that
 * is exactly `confirm` (any case, surrounding whitespace, one trailing `.` or `!`). Everything
 * else is conversation, however much it looks like agreement.
 */
describe('which thread replies confirm a relinquishment', () => {
  it.each(['confirm', 'Confirm', ' Confirm. ', 'CONFIRM!', 'confirm.', 'confirm!', '\n\tconfirm\n', 'cOnFiRm'])('%j confirms', (text) => {
    expect(isConfirmation(text)).toBe(true);
  });

  it.each([
    // Sentences that mention the word but do not confirm (the safety defect).
    'I cannot confirm',
    'AWS confirmed receipt of the case',
    'please confirm which IPs are still in use.',
    'Confirmed: 1.2.3.4 still carries traffic, keep it',
    // Other forms of the word: still not the exact reply.
    'confirmed',
    'Confirmed.',
    'I confirm',
    'I confirm.',
    'confirm please',
    'yes confirm',
    'yes, confirm',
    '<@UBOT> confirm',
    'confirm <@UBOT>',
    'confirm?',
    'confirm?!',
    'confirm..',
    'confirm!!',
    'confirm.!',
    'confirm ,',
    'confirm .',
    '"confirm"',
    '`confirm`',
    '*confirm*',
    'confirm :+1:',
    'confirm 👍',
    'confirm\nbut not 198.51.100.2',
    'confirm\nconfirm',
    'reconfirm',
    'confirmation',
    'Confirmed, go ahead.',
    'We confirm the relinquishment',
    "Please don't confirm yet, we still send from 198.51.100.2",
    'do not confirm',
    'Should I confirm?',
    'confirm once the traffic has moved',
    'thanks AWS!',
    '',
    '   ',
  ])('%j does not', (text) => {
    expect(isConfirmation(text)).toBe(false);
  });
});
