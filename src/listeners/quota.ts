/**
 * /ses-quota listeners: thin — parse what Slack sent, call the domain and the filing service,
 * answer Slack. The modal opens from a view built in memory, with the channel's standing answers
 * if the store gives them within a small budget; anything slow comes after.
 */
import { createHash } from 'node:crypto';
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs, SlackCommandMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction, webApi } from '@slack/bolt';
import type { ListenerApp } from './router.js';
import { AwsError } from '../aws/errors.js';
import type { AwsAccounts } from '../aws/accounts.js';
import { farAboveCurrent, MAX_QUOTA_ROWS, validateQuotaForm, type CurrentQuota, type FieldWarning, type QuotaFormInput } from '../domain/quota-request.js';
import { isRegionCode } from '../domain/regions.js';
import type { QuotaFilingMode } from '../domain/service-quotas.js';
import { standingQuotaAnswers } from '../domain/standing-answers.js';
import type { Logger } from '../logger.js';
import type { AccessPolicy } from '../services/access.js';
import type { FilingService } from '../services/filing.js';
import { ACCOUNT_BLOCK, ACTION, CALLBACK, COMMANDS, QUOTA_BLOCK } from '../slack/ids.js';
import { accountChoice, accountErrorBlock, formAccount, submittedAccount, switchedAccount } from './accounts.js';
import { decodeQuotaMeta, type QuotaModalMeta } from '../slack/modal-metadata.js';
import { quotaErrorsToBlocks, readQuotaForm } from '../slack/quota-form.js';
import { buildQuotaAcceptedView, buildQuotaModal, newQuotaMeta, regionsInForm } from '../slack/views/quota-modal.js';
import type { Store } from '../store/store.js';
import { acceptAndFile, answeredWithoutModal, asksForFreshForm, openModal, standingAnswersFor, tellPrivately, updateModal } from './slash-command.js';
import type { OpenedView } from '../slack/messenger.js';
import type { Metrics } from '../metrics/metrics.js';

export interface QuotaDeps {
  filing: FilingService;
  accounts: AwsAccounts;
  store: Store;
  access: AccessPolicy;
  defaultRegion: string;
  /** QUOTA_FILING: what the form and its answers say submitting does. */
  quotaFiling: QuotaFilingMode;
  logger: Logger;
  metrics?: Metrics;
}

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

export function registerQuotaListeners(app: ListenerApp, deps: QuotaDeps): void {
  app.command(COMMANDS.quota, openQuotaForm(deps));
  app.action(ACTION.addRow, addQuotaRow(deps));
  app.action(ACTION.removeRow, removeQuotaRow(deps));
  app.action(ACTION.rowRegion, showRegionQuota(deps));
  // Both forms have the select: each answers only its own modal's (one ack per action).
  app.action({ type: 'block_actions', action_id: ACTION.account, callback_id: CALLBACK.quotaRequest }, switchQuotaAccount(deps));
  // The other row inputs dispatch nothing, but Bolt must not log unhandled actions for them.
  app.action(ACTION.rowLimit, async function ignoreLimitChange({ ack }) {
    await ack();
  });
  app.view(CALLBACK.quotaRequest, submitQuotaForm(deps));
}

/** Reads the quotas the form's regions still lack, then redraws the modal (if nobody else has since). */
async function showQuotas(deps: QuotaDeps, client: webApi.WebClient, view: OpenedView, form: QuotaFormInput, meta: QuotaModalMeta): Promise<void> {
  const missing = regionsInForm(form, deps.defaultRegion).filter((r) => meta.quotas[r]?.state !== 'ok');
  if (missing.length === 0) return;
  await Promise.all(
    missing.map(async (region) => {
      try {
        meta.quotas[region] = { state: 'ok', quota: await sesOf(deps, meta).getQuota(region) };
      } catch (err) {
        deps.logger.warn({ region, err: (err as Error).message }, 'could not read the sending quota');
        const message = err instanceof AwsError ? err.brief : 'unexpected error (see the bot log)';
        meta.quotas[region] = { state: 'error', message: message.slice(0, 200) };
      }
    }),
  );
  await updateModal(client, view, quotaModal(deps, form, meta), deps.logger);
}

/** The SESv2 gateway of the account the form shows. */
function sesOf(deps: QuotaDeps, meta: QuotaModalMeta) {
  return deps.accounts.gateways(formAccount(deps.accounts, meta.channelId, meta.account)).ses;
}

/** The modal in the deployment's filing mode: every redraw must speak of the same mode and account. */
function quotaModal(deps: QuotaDeps, form: QuotaFormInput, meta: QuotaModalMeta, warnings: FieldWarning[] = []) {
  return buildQuotaModal(form, meta, deps.defaultRegion, warnings, deps.quotaFiling, accountChoice(deps.accounts, meta.channelId, meta.account));
}

/** Which warnings were shown: the same values submitted again after them are meant. */
function warningsFingerprint(warnings: FieldWarning[]): string {
  return createHash('sha256').update(warnings.map((w) => `${w.field}\n${w.message}`).join('\n')).digest('hex').slice(0, 16);
}

/** The modal a block action came from, or undefined if it is not one of ours. */
function modalOf(body: unknown): { view: OpenedView; meta: QuotaModalMeta; form: QuotaFormInput } | undefined {
  const view = (body as { view?: OpenedView }).view;
  const meta = decodeQuotaMeta(view?.private_metadata);
  if (!view || !meta) return undefined;
  return { view, meta, form: readQuotaForm(view.state?.values, meta) };
}

/** What the form's first row asks, when the form is opened for one limit (the quota watch's "Request an increase"). */
export interface QuotaPreset {
  region: string;
  limit: 'send_quota' | 'send_rate';
  newValue: number;
  /** The account to preselect (the quota watch's alert is about one), if the channel may use it. */
  account?: string;
}

/** The form's first row: the preset's when given (a region the bot does not know falls back to the default), else the default region. */
function firstRow(key: string, defaultRegion: string, preset: QuotaPreset | undefined): QuotaFormInput['rows'][number] {
  if (!preset) return { key, region: defaultRegion };
  return { key, region: isRegionCode(preset.region) ? preset.region : defaultRegion, limit: preset.limit, newValue: String(preset.newValue) };
}

/**
 * Opens the /ses-quota form for a user in a channel, as the command does: the channel's standing
 * answers (unless `fresh`, or the store is slower than the budget), the first row from `preset`,
 * a quota read in the last minute at once; then reads the quotas and redraws. A refusal or a
 * form Slack will not open is said through `responseUrl`, or only logged without one.
 */
export async function openQuotaFormFor(
  deps: QuotaDeps,
  at: { client: webApi.WebClient; triggerId: string; channelId: string; userId: string; responseUrl?: string },
  preset?: QuotaPreset,
  options: { fresh?: boolean } = {},
): Promise<void> {
  const refusal = deps.access.refusal(at.userId, at.channelId);
  if (refusal) return tellPrivately(at.client, at.responseUrl, `:no_entry: ${refusal}`, deps.logger);
  const meta = newQuotaMeta(at.channelId, at.responseUrl);
  const choice = accountChoice(deps.accounts, at.channelId, preset?.account);
  if (choice) meta.account = choice.selected;
  const row = firstRow(meta.rowKeys[0]!, deps.defaultRegion, preset);
  const form: QuotaFormInput = { rows: [row] };
  if (!options.fresh) {
    const standing = await standingAnswersFor(deps, at.channelId, 'quota', standingQuotaAnswers);
    Object.assign(form, standing.answers);
    if (standing.note) meta.standing = standing.note;
  }
  // A quota read in the last minute goes straight into the modal: no second round trip.
  const known = sesOf(deps, meta).peekQuota(row.region!);
  if (known) meta.quotas[row.region!] = { state: 'ok', quota: known };
  const opened = await openModal(at.client, { triggerId: at.triggerId, command: COMMANDS.quota, responseUrl: at.responseUrl }, quotaModal(deps, form, meta), deps.logger);
  if (!opened) return;
  await showQuotas(deps, at.client, opened, form, meta);
}

function openQuotaForm(deps: QuotaDeps) {
  return async function openQuotaForm({ ack, command, client, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> {
    await ack();
    if (await answeredWithoutModal(command, respond, { access: deps.access, store: deps.store, client, kind: 'quota' })) return;
    const at = { client, triggerId: command.trigger_id, channelId: command.channel_id, userId: command.user_id, responseUrl: command.response_url };
    await openQuotaFormFor(deps, at, undefined, { fresh: asksForFreshForm(command.text) });
  };
}

function addQuotaRow(deps: QuotaDeps) {
  return async function addQuotaRow({ ack, body, client }: ActionArgs): Promise<void> {
    await ack();
    const modal = modalOf(body);
    if (!modal || modal.meta.rowKeys.length >= MAX_QUOTA_ROWS) return;
    modal.meta.rowKeys.push(modal.meta.nextRowKey.toString(36));
    modal.meta.nextRowKey += 1;
    await updateModal(client, modal.view, quotaModal(deps, modal.form, modal.meta), deps.logger);
  };
}

function removeQuotaRow(deps: QuotaDeps) {
  return async function removeQuotaRow({ ack, body, action, client }: ActionArgs): Promise<void> {
    await ack();
    const modal = modalOf(body);
    const key = (action as { value?: string }).value;
    if (!modal || !key || modal.meta.rowKeys.length <= 1) return;
    modal.meta.rowKeys = modal.meta.rowKeys.filter((k) => k !== key);
    modal.form.rows = modal.form.rows.filter((r) => r.key !== key);
    await updateModal(client, modal.view, quotaModal(deps, modal.form, modal.meta), deps.logger);
  };
}

function showRegionQuota(deps: QuotaDeps) {
  return async function showRegionQuota({ ack, body, client }: ActionArgs): Promise<void> {
    await ack();
    const modal = modalOf(body);
    if (modal) await showQuotas(deps, client, modal.view, modal.form, modal.meta);
  };
}

/** Another account chosen: its quotas are read and the form redrawn, keeping everything typed. */
function switchQuotaAccount(deps: QuotaDeps) {
  return async function switchQuotaAccount({ ack, body, action, client }: ActionArgs): Promise<void> {
    await ack();
    const modal = modalOf(body);
    const chosen = modal && switchedAccount(deps.accounts, modal.meta.channelId, action);
    if (!modal || !chosen || chosen === modal.meta.account) return;
    modal.meta.account = chosen;
    // The figures shown were the other account's: every region is read again (one redraw, when they arrive).
    modal.meta.quotas = {};
    await showQuotas(deps, client, modal.view, modal.form, modal.meta);
  };
}

function submitQuotaForm(deps: QuotaDeps) {
  return async function submitQuotaForm({ ack, body, view }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> {
    const meta = decodeQuotaMeta(view.private_metadata);
    if (!meta) {
      await ack({ response_action: 'errors', errors: { [QUOTA_BLOCK.useCase]: `This form is out of date. Copy your text, close the form and run ${COMMANDS.quota} again.` } });
      return;
    }
    const refusal = deps.access.refusal(body.user.id, meta.channelId);
    if (refusal) {
      await ack({ response_action: 'errors', errors: { [QUOTA_BLOCK.useCase]: refusal } });
      return;
    }
    const chosen = submittedAccount(deps.accounts, meta.channelId, view.state.values, meta.account);
    if ('error' in chosen) {
      await ack({ response_action: 'errors', errors: { [accountErrorBlock(deps.accounts, meta.channelId, QUOTA_BLOCK.useCase)]: chosen.error } });
      return;
    }
    // The quotas the values are checked against must be the chosen account's, redrawn for it.
    if (chosen.account && meta.account !== undefined && chosen.account.name !== meta.account) {
      await ack({ response_action: 'errors', errors: { [ACCOUNT_BLOCK]: 'The form is loading this account\'s current quotas. Check them, then submit again.' } });
      return;
    }
    const form = readQuotaForm(view.state.values, meta);
    const current: Record<string, CurrentQuota> = {};
    for (const [region, lookup] of Object.entries(meta.quotas)) if (lookup.state === 'ok') current[region] = lookup.quota;
    const result = validateQuotaForm(form, current);
    if (!result.ok) {
      deps.metrics?.submission('quota', 'invalid', 'validation');
      await ack({ response_action: 'errors', errors: quotaErrorsToBlocks(result.errors, meta) });
      return;
    }
    // A value far above the current quota is filed as it is, but only once the user has seen the warning.
    const warnings = farAboveCurrent(form, current);
    const warned = warnings.length ? warningsFingerprint(warnings) : undefined;
    if (warned && meta.warned !== warned) {
      await ack({ response_action: 'update', view: quotaModal(deps, form, { ...meta, warned }, warnings) });
      return;
    }
    const acceptedView = buildQuotaAcceptedView(meta.channelId, deps.quotaFiling);
    await acceptAndFile({ ack, filing: deps.filing, logger: deps.logger, request: result.value, view, body, meta, errorBlockId: QUOTA_BLOCK.useCase, acceptedView, account: chosen.account });
  };
}
