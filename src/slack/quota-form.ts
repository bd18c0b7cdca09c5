/** Between the quota modal's Slack state and the domain's form input and field errors. */
import type { FieldErrors } from '../domain/common.js';
import type { QuotaFormInput } from '../domain/quota-request.js';
import { ACTION, QUOTA_BLOCK, rowBlockId } from './ids.js';
import type { QuotaModalMeta } from './modal-metadata.js';
import { asStateValues, readValue } from './view-state.js';

export function readQuotaForm(rawValues: unknown, meta: QuotaModalMeta): QuotaFormInput {
  const values = asStateValues(rawValues);
  return {
    mailType: readValue(values, QUOTA_BLOCK.mailType),
    websiteUrl: readValue(values, QUOTA_BLOCK.websiteUrl),
    compliesWithAup: readValue(values, QUOTA_BLOCK.compliesWithAup),
    onlyRequestedRecipients: readValue(values, QUOTA_BLOCK.onlyRequestedRecipients),
    handlesBouncesAndComplaints: readValue(values, QUOTA_BLOCK.handlesBouncesAndComplaints),
    rows: meta.rowKeys.map((key) => ({
      key,
      region: readValue(values, rowBlockId(key, 'region'), ACTION.rowRegion),
      limit: readValue(values, rowBlockId(key, 'limit'), ACTION.rowLimit),
      newValue: readValue(values, rowBlockId(key, 'newValue'), ACTION.rowValue),
    })),
    useCase: readValue(values, QUOTA_BLOCK.useCase),
    language: readValue(values, QUOTA_BLOCK.language),
    additionalContacts: readValue(values, QUOTA_BLOCK.additionalContacts),
  };
}

const FIELD_BLOCKS: Record<string, string> = {
  mailType: QUOTA_BLOCK.mailType,
  websiteUrl: QUOTA_BLOCK.websiteUrl,
  compliesWithAup: QUOTA_BLOCK.compliesWithAup,
  onlyRequestedRecipients: QUOTA_BLOCK.onlyRequestedRecipients,
  handlesBouncesAndComplaints: QUOTA_BLOCK.handlesBouncesAndComplaints,
  useCase: QUOTA_BLOCK.useCase,
  language: QUOTA_BLOCK.language,
  additionalContacts: QUOTA_BLOCK.additionalContacts,
};

/** Domain field errors → `response_action: "errors"` keyed by input block id. */
export function quotaErrorsToBlocks(errors: FieldErrors, meta: QuotaModalMeta): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, message] of Object.entries(errors)) {
    const row = /^rows\.([^.]+)\.(region|limit|newValue)$/.exec(field);
    const blockId = row
      ? rowBlockId(row[1]!, row[2] as 'region' | 'limit' | 'newValue')
      : field === 'rows'
        ? rowBlockId(meta.rowKeys[0]!, 'region')
        : (FIELD_BLOCKS[field] ?? QUOTA_BLOCK.useCase);
    out[blockId] = out[blockId] ? `${out[blockId]} ${message}` : message;
  }
  return out;
}
