/** Small builders shared by the domain tests: a valid quota form, rows, and message checks. */
import { expect } from 'vitest';
import type { FieldErrors, Validation } from '../../src/domain/common.js';
import { validateQuotaForm, type CurrentQuota, type QuotaFormInput } from '../../src/domain/quota-request.js';

/** 200 characters that answer the four questions; comfortably above the 150-character minimum. */
export const VALID_USE_CASE =
  'We send order receipts and password resets to customers of our shop who signed up on our site. ' +
  'Bounces and complaints go to SNS and suppress the address. Every mail has an unsubscribe link.';

export type FormRow = QuotaFormInput['rows'][number];

export function row(key: string, region: string | null, limit: string | null, newValue: string | null): FormRow {
  return { key, region, limit, newValue };
}

/** A complete form that validates; override any field. */
export function validForm(overrides: Partial<QuotaFormInput> = {}): QuotaFormInput {
  return {
    mailType: 'transactional',
    websiteUrl: 'https://example.com',
    compliesWithAup: 'yes',
    onlyRequestedRecipients: 'yes',
    handlesBouncesAndComplaints: 'yes',
    rows: [row('r1', 'us-east-1', 'send_quota', '200000')],
    useCase: VALID_USE_CASE,
    language: 'en',
    ...overrides,
  };
}

/** The form with only its first row changed. */
export function withRow(changes: Partial<FormRow>): QuotaFormInput {
  return validForm({ rows: [{ ...row('r1', 'us-east-1', 'send_quota', '200000'), ...changes }] });
}

export function quota(max24HourSend: number, maxSendRate: number): CurrentQuota {
  return { max24HourSend, maxSendRate, sentLast24Hours: 0, productionAccess: true };
}

/** Validates and returns the errors, failing the test if the form was accepted. */
export function errorsOf(input: QuotaFormInput, current?: Partial<Record<string, CurrentQuota>>): FieldErrors {
  const result = validateQuotaForm(input, current);
  if (result.ok) throw new Error(`expected the form to be refused, but it was accepted: ${JSON.stringify(result.value)}`);
  return result.errors;
}

/** Validates and returns the request, failing the test with the errors if the form was refused. */
export function valueOf<T>(result: Validation<T>): T {
  if (!result.ok) throw new Error(`expected the form to be accepted, but got errors: ${JSON.stringify(result.errors)}`);
  return result.value;
}

/** A message a person can act on: a full sentence in plain words, no validator jargon. */
export function expectPlainMessage(message: string | undefined): void {
  expect(message).toBeTypeOf('string');
  expect(message!.length).toBeGreaterThan(15);
  expect(message).toMatch(/^[A-Z0-9"]/);
  expect(message).toMatch(/\.$/);
  expect(message).not.toMatch(/invalid|expected|received|undefined|null|NaN|zod|regex|enum|\[object|\bstring\b/i);
}
