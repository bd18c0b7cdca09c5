/**
 * /ses-quota listeners: thin — parse what Slack sent, call the domain and the filing service,
 * answer Slack. The modal opens from a view built in memory; anything slow comes after.
 */
import type { App, webApi } from '@slack/bolt';
import { MAX_QUOTA_ROWS, validateQuotaForm, type CurrentQuota, type QuotaFormInput } from '../domain/quota-request.js';
import type { SesGateway } from '../aws/ses-gateway.js';
import { AwsError } from '../aws/errors.js';
import type { Logger } from '../logger.js';
import type { AccessPolicy } from '../services/access.js';
import type { FilingService } from '../services/filing.js';
import type { Store } from '../store/store.js';
import { acceptAndFile, answeredWithoutModal, openModal, updateModal, type ViewOutput } from './slash-command.js';
import { ACTION, CALLBACK, COMMANDS, QUOTA_BLOCK } from '../slack/ids.js';
import { decodeQuotaMeta, type QuotaModalMeta } from '../slack/modal-metadata.js';
import { quotaErrorsToBlocks, readQuotaForm } from '../slack/quota-form.js';
import { buildQuotaAcceptedView, buildQuotaModal, newQuotaMeta, regionsInForm } from '../slack/views/quota-modal.js';

interface Deps {
  filing: FilingService;
  ses: SesGateway;
  store: Store;
  access: AccessPolicy;
  defaultRegion: string;
  logger: Logger;
}


export function registerQuotaListeners(app: App, deps: Deps): void {
  const { filing, ses, store, defaultRegion, logger } = deps;

  /** Reads the quotas the form's regions still lack, then redraws the modal (if nobody else has since). */
  async function showQuotas(client: webApi.WebClient, view: ViewOutput, form: QuotaFormInput, meta: QuotaModalMeta): Promise<void> {
    const missing = regionsInForm(form, defaultRegion).filter((r) => meta.quotas[r]?.state !== 'ok');
    if (missing.length === 0) return;
    await Promise.all(
      missing.map(async (region) => {
        try {
          meta.quotas[region] = { state: 'ok', quota: await ses.getQuota(region) };
        } catch (err) {
          logger.warn({ region, err: (err as Error).message }, 'could not read the sending quota');
          const message = err instanceof AwsError ? err.brief : 'unexpected error (see the bot log)';
          meta.quotas[region] = { state: 'error', message: message.slice(0, 200) };
        }
      }),
    );
    await updateModal(client, view, buildQuotaModal(form, meta, defaultRegion), logger);
  }

  app.command(COMMANDS.quota, async ({ ack, command, client, respond }) => {
    await ack();
    if (await answeredWithoutModal(command, respond, { access: deps.access, store, client, kind: 'quota' })) return;
    const meta = newQuotaMeta(command.channel_id, command.response_url);
    const form: QuotaFormInput = { rows: [{ key: meta.rowKeys[0]!, region: defaultRegion }] };
    // A quota read in the last minute goes straight into the modal: no second round trip.
    const known = ses.peekQuota(defaultRegion);
    if (known) meta.quotas[defaultRegion] = { state: 'ok', quota: known };
    const opened = await openModal(client, respond, command, buildQuotaModal(form, meta, defaultRegion), logger);
    if (!opened) return;
    await showQuotas(client, opened, form, meta);
  });

  /** Reads the modal a block action came from, or undefined if it is not one of ours. */
  function modalOf(body: unknown): { view: ViewOutput; meta: QuotaModalMeta; form: QuotaFormInput } | undefined {
    const view = (body as { view?: ViewOutput }).view;
    const meta = decodeQuotaMeta(view?.private_metadata);
    if (!view || !meta) return undefined;
    return { view, meta, form: readQuotaForm(view.state?.values, meta) };
  }

  app.action(ACTION.addRow, async ({ ack, body, client }) => {
    await ack();
    const modal = modalOf(body);
    if (!modal || modal.meta.rowKeys.length >= MAX_QUOTA_ROWS) return;
    const key = modal.meta.nextRowKey.toString(36);
    modal.meta.rowKeys.push(key);
    modal.meta.nextRowKey += 1;
    await updateModal(client, modal.view, buildQuotaModal(modal.form, modal.meta, defaultRegion), logger);
  });

  app.action(ACTION.removeRow, async ({ ack, body, action, client }) => {
    await ack();
    const modal = modalOf(body);
    const key = (action as { value?: string }).value;
    if (!modal || !key || modal.meta.rowKeys.length <= 1) return;
    modal.meta.rowKeys = modal.meta.rowKeys.filter((k) => k !== key);
    modal.form.rows = modal.form.rows.filter((r) => r.key !== key);
    await updateModal(client, modal.view, buildQuotaModal(modal.form, modal.meta, defaultRegion), logger);
  });

  app.action(ACTION.rowRegion, async ({ ack, body, client }) => {
    await ack();
    const modal = modalOf(body);
    if (!modal) return;
    await showQuotas(client, modal.view, modal.form, modal.meta);
  });

  // The other row inputs dispatch nothing, but Bolt must not log unhandled actions for them.
  app.action(ACTION.rowLimit, async ({ ack }) => ack());

  app.view(CALLBACK.quotaRequest, async ({ ack, body, view }) => {
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
    const form = readQuotaForm(view.state.values, meta);
    const current: Record<string, CurrentQuota> = {};
    for (const [region, lookup] of Object.entries(meta.quotas)) if (lookup.state === 'ok') current[region] = lookup.quota;
    const result = validateQuotaForm(form, current);
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: quotaErrorsToBlocks(result.errors, meta) });
      return;
    }
    await acceptAndFile({
      ack,
      filing,
      logger,
      request: result.value,
      view,
      body,
      meta,
      errorBlockId: QUOTA_BLOCK.useCase,
      acceptedView: buildQuotaAcceptedView(meta.channelId),
    });
  });
}
