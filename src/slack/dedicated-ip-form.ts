/** Between the dedicated-IP modal's Slack state and the domain's form input and field errors. */
import type { FieldErrors } from '../domain/common.js';
import type { DedicatedIpFormInput } from '../domain/dedicated-ip.js';
import { ACTION, DIP_BLOCK, rowBlockId, type RowField } from './ids.js';
import type { DedicatedIpModalMeta } from './modal-metadata.js';
import { asStateValues, readValue, readValues } from './view-state.js';

export function readDedicatedIpForm(rawValues: unknown, meta: DedicatedIpModalMeta): DedicatedIpFormInput {
  const values = asStateValues(rawValues);
  return {
    action: readValue(values, DIP_BLOCK.action),
    mailType: readValue(values, DIP_BLOCK.mailType),
    websiteUrl: readValue(values, DIP_BLOCK.websiteUrl),
    optInProcess: readValue(values, DIP_BLOCK.optInProcess),
    bounceProcess: readValue(values, DIP_BLOCK.bounceProcess),
    compliesWithAup: readValue(values, DIP_BLOCK.compliesWithAup),
    rows: meta.rowKeys.map((key) => ({
      key,
      region: readValue(values, rowBlockId(key, 'region'), ACTION.dipRowRegion),
      sendRate: readValue(values, rowBlockId(key, 'sendRate'), ACTION.dipRowInput),
      ipCount: readValue(values, rowBlockId(key, 'ipCount'), ACTION.dipRowInput),
      addresses: readValues(values, rowBlockId(key, 'addresses'), ACTION.dipRowInput),
      count: readValue(values, rowBlockId(key, 'count'), ACTION.dipRowInput),
    })),
    useCase: readValue(values, DIP_BLOCK.useCase),
    note: readValue(values, DIP_BLOCK.note),
    language: readValue(values, DIP_BLOCK.language),
  };
}

const FIELD_BLOCKS: Record<string, string> = {
  mailType: DIP_BLOCK.mailType,
  websiteUrl: DIP_BLOCK.websiteUrl,
  optInProcess: DIP_BLOCK.optInProcess,
  bounceProcess: DIP_BLOCK.bounceProcess,
  compliesWithAup: DIP_BLOCK.compliesWithAup,
  useCase: DIP_BLOCK.useCase,
  note: DIP_BLOCK.note,
  language: DIP_BLOCK.language,
};

/**
 * Domain field errors → `response_action: "errors"` keyed by input block id. Slack refuses
 * errors on blocks the view does not have, so an error whose block is absent goes to the row's
 * region (or the first input).
 */
export function dedicatedIpErrorsToBlocks(errors: FieldErrors, meta: DedicatedIpModalMeta, inputBlockIds: Set<string>): Record<string, string> {
  const out: Record<string, string> = {};
  const fallback = rowBlockId(meta.rowKeys[0]!, 'region');
  for (const [field, message] of Object.entries(errors)) {
    const row = /^rows\.([^.]+)\.(\w+)$/.exec(field);
    let blockId = row ? rowBlockId(row[1]!, row[2] as RowField) : field === 'rows' ? fallback : (FIELD_BLOCKS[field] ?? fallback);
    if (!inputBlockIds.has(blockId)) blockId = row && inputBlockIds.has(rowBlockId(row[1]!, 'region')) ? rowBlockId(row[1]!, 'region') : fallback;
    out[blockId] = out[blockId] ? `${out[blockId]} ${message}` : message;
  }
  return out;
}
