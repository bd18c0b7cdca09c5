/**
 * /ses-dedicated-ip listeners: open the modal at once, then read the account's dedicated IPs per
 * region (kept server-side with the view, see form snapshots) and redraw it; validate and hand a
 * valid request to the filing service.
 */
import type { App, webApi } from '@slack/bolt';
import { validateLease, validateRelinquish, type DedicatedIpFormInput } from '../domain/dedicated-ip.js';
import { isRegionCode } from '../domain/regions.js';
import { AwsError } from '../aws/errors.js';
import type { SesGateway } from '../aws/ses-gateway.js';
import type { Logger } from '../logger.js';
import type { AccessPolicy } from '../services/access.js';
import type { FilingService } from '../services/filing.js';
import type { Store } from '../store/store.js';
import { acceptAndFile, answeredWithoutModal, openModal, updateModal, type ViewOutput } from './slash-command.js';
import { dedicatedIpErrorsToBlocks, readDedicatedIpForm } from '../slack/dedicated-ip-form.js';
import { ACTION, CALLBACK, COMMANDS, DIP_BLOCK, rowBlockId } from '../slack/ids.js';
import { decodeDedicatedIpMeta, type DedicatedIpModalMeta } from '../slack/modal-metadata.js';
import {
  buildDedicatedIpAcceptedView,
  buildDedicatedIpModal,
  dedicatedIpRegions,
  knownInventories,
  newDedicatedIpMeta,
  type InventoryLookup,
} from '../slack/views/dedicated-ip-modal.js';

interface Deps {
  filing: FilingService;
  ses: SesGateway;
  store: Store;
  access: AccessPolicy;
  defaultRegion: string;
  priceCents: number;
  logger: Logger;
  now?: () => Date;
}


const INVENTORY_KEY = 'inventory:';

function lookupsFrom(snapshot: Record<string, unknown> | undefined): Record<string, InventoryLookup> {
  const out: Record<string, InventoryLookup> = {};
  for (const [key, value] of Object.entries(snapshot ?? {})) if (key.startsWith(INVENTORY_KEY)) out[key.slice(INVENTORY_KEY.length)] = value as InventoryLookup;
  return out;
}

export function registerDedicatedIpListeners(app: App, deps: Deps): void {
  const { filing, ses, store, defaultRegion, priceCents, logger } = deps;
  const now = deps.now ?? (() => new Date());

  const build = (form: DedicatedIpFormInput, meta: DedicatedIpModalMeta, lookups: Record<string, InventoryLookup>) =>
    buildDedicatedIpModal({ form, meta, lookups, defaultRegion, priceCents, now: now() });

  /** Reads the inventories the form's regions still lack, keeps them with the view, and redraws. */
  async function redraw(client: webApi.WebClient, view: ViewOutput, form: DedicatedIpFormInput, meta: DedicatedIpModalMeta): Promise<void> {
    let lookups = lookupsFrom(await store.getFormSnapshot(view.id));
    const missing = dedicatedIpRegions(form, defaultRegion).filter((r) => !lookups[r] && isRegionCode(r));
    if (missing.length) {
      const fetched: Record<string, InventoryLookup> = {};
      await Promise.all(
        missing.map(async (region) => {
          if (!isRegionCode(region)) return;
          try {
            fetched[INVENTORY_KEY + region] = { state: 'ok', inventory: await ses.getDedicatedIpInventory(region) };
          } catch (err) {
            logger.warn({ region, err: (err as Error).message }, 'could not read the dedicated IP inventory');
            const message = err instanceof AwsError ? err.brief : 'unexpected error (see the bot log)';
            fetched[INVENTORY_KEY + region] = { state: 'error', message: message.slice(0, 200) };
          }
        }),
      );
      lookups = lookupsFrom(await store.mergeFormSnapshot(view.id, fetched));
    }
    await updateModal(client, view, build(form, meta, lookups), logger);
  }

  app.command(COMMANDS.dedicatedIp, async ({ ack, command, client, respond }) => {
    await ack();
    if (await answeredWithoutModal(command, respond, { access: deps.access, store, client, kind: 'dedicated_ip' })) return;
    const meta = newDedicatedIpMeta(command.channel_id, command.response_url);
    const form: DedicatedIpFormInput = { rows: [{ key: meta.rowKeys[0]!, region: defaultRegion }] };
    const opened = await openModal(client, respond, command, build(form, meta, {}), logger);
    if (!opened) return;
    await redraw(client, opened, form, meta);
  });

  function modalOf(body: unknown): { view: ViewOutput; meta: DedicatedIpModalMeta; form: DedicatedIpFormInput } | undefined {
    const view = (body as { view?: ViewOutput }).view;
    const meta = decodeDedicatedIpMeta(view?.private_metadata);
    if (!view || !meta) return undefined;
    return { view, meta, form: readDedicatedIpForm(view.state?.values, meta) };
  }

  app.action(ACTION.dipAction, async ({ ack, body, client }) => {
    await ack();
    const modal = modalOf(body);
    const chosen = modal?.form.action;
    if (!modal || (chosen !== 'request' && chosen !== 'relinquish')) return;
    modal.meta.action = chosen;
    await redraw(client, modal.view, modal.form, modal.meta);
  });

  app.action(ACTION.dipAddRow, async ({ ack, body, client }) => {
    await ack();
    const modal = modalOf(body);
    if (!modal || modal.meta.rowKeys.length >= 10) return;
    modal.meta.rowKeys.push(modal.meta.nextRowKey.toString(36));
    modal.meta.nextRowKey += 1;
    await redraw(client, modal.view, modal.form, modal.meta);
  });

  app.action(ACTION.dipRemoveRow, async ({ ack, body, action, client }) => {
    await ack();
    const modal = modalOf(body);
    const key = (action as { value?: string }).value;
    if (!modal || !key || modal.meta.rowKeys.length <= 1) return;
    modal.meta.rowKeys = modal.meta.rowKeys.filter((k) => k !== key);
    modal.form.rows = modal.form.rows.filter((r) => r.key !== key);
    await redraw(client, modal.view, modal.form, modal.meta);
  });

  // A region change reads that region's inventory; a count or address change redraws the guidance.
  for (const actionId of [ACTION.dipRowRegion, ACTION.dipRowInput]) {
    app.action(actionId, async ({ ack, body, client }) => {
      await ack();
      const modal = modalOf(body);
      if (modal) await redraw(client, modal.view, modal.form, modal.meta);
    });
  }

  app.view(CALLBACK.dedicatedIpRequest, async ({ ack, body, view }) => {
    const meta = decodeDedicatedIpMeta(view.private_metadata);
    if (!meta) {
      await ack({ response_action: 'errors', errors: { [DIP_BLOCK.language]: `This form is out of date. Close it and run ${COMMANDS.dedicatedIp} again.` } });
      return;
    }
    const refusal = deps.access.refusal(body.user.id, meta.channelId);
    if (refusal) {
      await ack({ response_action: 'errors', errors: { [DIP_BLOCK.language]: refusal } });
      return;
    }
    const form = readDedicatedIpForm(view.state.values, meta);
    // The choice was changed but the form not yet redrawn for it: never file the other action.
    if (form.action !== meta.action) {
      await ack({ response_action: 'errors', errors: { [DIP_BLOCK.action]: 'The form is changing to match this choice. Check it, then submit again.' } });
      return;
    }
    const inputBlocks = new Set((view.blocks as { type?: string; block_id?: string }[]).filter((b) => b.type === 'input' && b.block_id).map((b) => b.block_id!));
    let result;
    if (meta.action === 'request') {
      result = validateLease(form);
    } else {
      const lookups = lookupsFrom(await store.getFormSnapshot(view.id).catch(() => undefined));
      const pending = form.rows.filter((r) => isRegionCode(r.region) && !lookups[r.region]);
      if (pending.length) {
        await ack({
          response_action: 'errors',
          errors: Object.fromEntries(pending.map((r) => [rowBlockId(r.key, 'region'), 'The addresses in this region are still being read. Submit again in a moment.'])),
        });
        return;
      }
      result = validateRelinquish(form, knownInventories(lookups));
    }
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: dedicatedIpErrorsToBlocks(result.errors, meta, inputBlocks) });
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
      errorBlockId: DIP_BLOCK.language,
      acceptedView: buildDedicatedIpAcceptedView(meta.channelId, meta.action),
    });
  });
}
