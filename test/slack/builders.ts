/**
 * Builders shared by the Block Kit view tests: stored requests of each kind, and what a user
 * sees of a message or a view (its text, its buttons, its inputs).
 */
import type { DedicatedIpRelinquish } from '../../src/domain/dedicated-ip.js';
import type { QuotaIncreaseRequest } from '../../src/domain/quota-request.js';
import type { DedicatedIpStoredRequest, QuotaRequest, RelinquishRequest, RequestRecord } from '../../src/domain/request.js';
import { lease, relinquishment } from '../domain/dedicated-ip-builders.js';

type Json = Record<string, any>;

export const REQUESTER = 'U0REQUEST';
export const CHANNEL = 'C0SESOPS';

/** The record of a request the bot has filed (case 17100000000, opened); override any field. */
function record(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: '0123456789abcdef',
    submissionKey: 'view:V1',
    reference: 'SESBOT-0123456789abcdef',
    teamId: 'T111',
    channelId: CHANNEL,
    requesterId: REQUESTER,
    status: 'filed',
    responseUrl: null,
    rootTs: '1700000000.000100',
    caseId: 'case-123456789012-muen-2025-abcdef',
    displayId: '17100000000',
    caseStatus: 'opened',
    errorCode: null,
    errorMessage: null,
    attempts: 1,
    createdAt: '2025-03-14T09:30:00.000Z',
    updatedAt: '2025-03-14T09:31:00.000Z',
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
    ...overrides,
  };
}

export const QUOTA_PAYLOAD: QuotaIncreaseRequest = {
  kind: 'quota',
  mailType: 'transactional',
  websiteUrl: 'https://shop.example.com',
  compliesWithAup: true,
  onlyRequestedRecipients: true,
  handlesBouncesAndComplaints: true,
  rows: [
    { region: 'us-east-1', limit: 'send_quota', newValue: 200_000 },
    { region: 'eu-west-1', limit: 'send_rate', newValue: 50 },
  ],
  useCase: 'We send order confirmations and shipping notices to customers who bought from our shop.',
  language: 'en',
};

/** A filed quota increase in two regions; override any field of the record. */
export function quotaRequest(overrides: Partial<RequestRecord> = {}): QuotaRequest {
  return { ...record(overrides), kind: 'quota', payload: QUOTA_PAYLOAD };
}

/** A filed lease of dedicated IPs (test/domain/dedicated-ip-builders.ts `lease()`). */
export function leaseRequest(overrides: Partial<RequestRecord> = {}): DedicatedIpStoredRequest {
  return { ...record(overrides), kind: 'dedicated_ip', payload: lease() };
}

/** A filed relinquishment (by default `relinquishment()`: three addresses in two regions). */
export function relinquishRequest(overrides: Partial<RequestRecord> = {}, payload: Partial<DedicatedIpRelinquish> = {}): RelinquishRequest {
  return { ...record(overrides), kind: 'dedicated_ip', payload: relinquishment(payload) };
}

// ---- what a user sees -------------------------------------------------------

/** Every text a user reads in these blocks: sections, fields, context, headers and button labels. */
export function textOfBlocks(blocks: readonly unknown[]): string {
  const texts: string[] = [];
  for (const block of blocks as readonly Json[]) {
    if (block.text?.text) texts.push(block.text.text);
    for (const field of block.fields ?? []) texts.push(field.text);
    for (const element of block.elements ?? []) if (typeof element.text === 'string') texts.push(element.text);
    if (block.accessory?.text?.text) texts.push(block.accessory.text.text);
    if (block.label?.text) texts.push(block.label.text);
  }
  return texts.join('\n');
}

/** The buttons in a message or view, from actions blocks and section accessories. */
export function buttonsOf(blocks: readonly unknown[]): Json[] {
  const buttons: Json[] = [];
  for (const block of blocks as readonly Json[]) {
    for (const element of block.elements ?? []) if (element.type === 'button') buttons.push(element);
    if (block.accessory?.type === 'button') buttons.push(block.accessory);
  }
  return buttons;
}

/** The block with this block_id; fails the test when there is none. */
export function blockById(view: { blocks: readonly unknown[] }, blockId: string): Json {
  const block = (view.blocks as readonly Json[]).find((b) => b.block_id === blockId);
  if (!block) throw new Error(`no block "${blockId}"; blocks: ${(view.blocks as readonly Json[]).map((b) => b.block_id ?? b.type).join(', ')}`);
  return block;
}

/** The block ids of a view's input blocks, in order. */
export function inputIds(view: { blocks: readonly unknown[] }): string[] {
  return (view.blocks as readonly Json[]).filter((b) => b.type === 'input').map((b) => b.block_id);
}
