import { describe, expect, it } from 'vitest';
import { isConfirmation } from '../../src/services/case-actions.js';

describe('which thread replies confirm a relinquishment', () => {
  it.each(['confirm', 'Confirm', 'I confirm.', 'Confirmed, go ahead.', '<@UBOT> confirm', 'confirm!', 'We confirm the relinquishment'])('%j confirms', (text) => {
    expect(isConfirmation(text)).toBe(true);
  });

  it.each([
    "Please don't confirm yet, we still send from 198.51.100.2",
    'do not confirm',
    'Should I confirm?',
    'confirm once the traffic has moved',
    'Wait before you confirm',
    'we will confirm tomorrow',
    'confirmation pending',
    'thanks AWS!',
    'I can’t confirm that',
    'no, hold on',
  ])('%j does not', (text) => {
    expect(isConfirmation(text)).toBe(false);
  });
});
