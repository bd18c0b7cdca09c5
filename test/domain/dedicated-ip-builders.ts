/**
 * Builders shared by the dedicated-IP domain tests: valid lease and relinquishment forms, rows,
 * inventories (the account's dedicated IPs per region), validated requests, and the refusal checks.
 */
import { referenceFor, type FieldErrors, type Validation } from '../../src/domain/common.js';
import {
  validateLease,
  validateRelinquish,
  type DedicatedIp,
  type DedicatedIpFormInput,
  type DedicatedIpLease,
  type DedicatedIpRelinquish,
  type Inventories,
  type RegionInventory,
} from '../../src/domain/dedicated-ip.js';
import type { RegionCode } from '../../src/domain/regions.js';

export const REFERENCE = referenceFor('0123456789abcdef');
export const PRICE = 2495; // USD 24.95 a month per standard dedicated IP

/** Comfortably above the 100-character minimum: why dedicated, the volume, and the warm-up. */
export const DIP_USE_CASE =
  'We send 3 million receipts a month and want our own sending reputation, separate from shared IPs. ' +
  'We will warm the addresses up over six weeks.';

export type FormRow = DedicatedIpFormInput['rows'][number];

export function leaseRow(key: string, region: string | null, sendRate: string | null, ipCount: string | null = null): FormRow {
  return { key, region, sendRate, ipCount };
}

/** A complete lease form that validates; override any field. */
export function leaseForm(overrides: Partial<DedicatedIpFormInput> = {}): DedicatedIpFormInput {
  return {
    action: 'request',
    mailType: 'transactional',
    websiteUrl: 'https://example.com',
    optInProcess: null,
    bounceProcess: null,
    compliesWithAup: 'yes',
    rows: [leaseRow('r1', 'us-east-1', '1000', '2')],
    useCase: DIP_USE_CASE,
    language: 'en',
    ...overrides,
  };
}

/** The lease form with only its first row changed. */
export function withLeaseRow(changes: Partial<FormRow>): DedicatedIpFormInput {
  return leaseForm({ rows: [{ ...leaseRow('r1', 'us-east-1', '1000', '2'), ...changes }] });
}

export function relinquishRow(key: string, region: string | null, addresses: string[] | null, count: string | null = null): FormRow {
  return { key, region, addresses, count };
}

export function relinquishForm(overrides: Partial<DedicatedIpFormInput> = {}): DedicatedIpFormInput {
  return {
    action: 'relinquish',
    rows: [relinquishRow('r1', 'us-east-1', ['203.0.113.10'])],
    note: null,
    language: 'en',
    ...overrides,
  };
}

export function ip(address: string, scalingMode: DedicatedIp['scalingMode'], pool = scalingMode === 'STANDARD' ? 'transactional' : 'managed-pool'): DedicatedIp {
  return scalingMode === 'STANDARD'
    ? { ip: address, pool, scalingMode, warmupStatus: 'DONE', warmupPercentage: 100 }
    : { ip: address, pool, scalingMode, warmupStatus: 'NOT_APPLICABLE', warmupPercentage: -1 };
}

export function inventory(region: RegionCode, standard: string[], managed: string[] = []): RegionInventory {
  return { region, ips: [...standard.map((a) => ip(a, 'STANDARD')), ...managed.map((a) => ip(a, 'MANAGED'))] };
}

/** US East: four standard IPs and one in a managed pool; Ireland: only managed; Tokyo: one standard. */
export const INVENTORIES: Inventories = {
  'us-east-1': inventory('us-east-1', ['203.0.113.10', '198.51.100.7', '203.0.113.9', '10.0.0.200'], ['192.0.2.50', '192.0.2.51']),
  'eu-west-1': inventory('eu-west-1', [], ['192.0.2.60']),
  'ap-northeast-1': inventory('ap-northeast-1', ['192.0.2.9']),
};

export function refused<T>(result: Validation<T>): FieldErrors {
  if (result.ok) throw new Error(`expected the form to be refused, but it was accepted: ${JSON.stringify(result.value)}`);
  return result.errors;
}

export const leaseErrors = (input: DedicatedIpFormInput) => refused(validateLease(input));
export const relinquishErrors = (input: DedicatedIpFormInput, inventories: Inventories = INVENTORIES) => refused(validateRelinquish(input, inventories));

export function lease(overrides: Partial<DedicatedIpLease> = {}): DedicatedIpLease {
  return {
    kind: 'dedicated_ip',
    action: 'request',
    mailType: 'marketing',
    websiteUrl: 'https://shop.example.com',
    optInProcess: undefined,
    bounceProcess: undefined,
    compliesWithAup: true,
    rows: [
      { region: 'us-east-1', sendRate: 1000, ipCount: 2 },
      { region: 'sa-east-1', sendRate: 50, ipCount: undefined },
    ],
    useCase: 'We send newsletters to 2 million subscribers and want our own reputation.',
    language: 'en',
    ...overrides,
  };
}

export function relinquishment(overrides: Partial<DedicatedIpRelinquish> = {}): DedicatedIpRelinquish {
  return {
    kind: 'dedicated_ip',
    action: 'relinquish',
    rows: [
      { region: 'us-east-1', addresses: ['198.51.100.7', '203.0.113.10'], count: 2 },
      { region: 'ap-northeast-1', addresses: ['192.0.2.9'], count: 1 },
    ],
    note: 'Our marketing mail moved to another provider.',
    language: 'en',
    ...overrides,
  };
}
