/**
 * /ses-dedicated-ip listeners: open the modal at once (with the channel's standing lease answers
 * if the store gives them within a small budget), then read the account's dedicated IPs per
 * region (kept server-side with the view, see form snapshots) and redraw it; validate and hand a
 * valid request to the filing service.
 */
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs, SlackCommandMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction, webApi } from '@slack/bolt';
import type { ListenerApp } from './router.js';
import { AwsError } from '../aws/errors.js';
import type { AwsAccounts } from '../aws/accounts.js';
import { MAX_DEDICATED_IP_ROWS, validateLease, validateRelinquish, type DedicatedIpFormInput } from '../domain/dedicated-ip.js';
import { isRegionCode } from '../domain/regions.js';
import { DEFAULT_ACCOUNT } from '../domain/accounts.js';
import { standingLeaseAnswers } from '../domain/standing-answers.js';
import type { Logger } from '../logger.js';
import type { AccessPolicy } from '../services/access.js';
import type { FilingService } from '../services/filing.js';
import { dedicatedIpErrorsToBlocks, readDedicatedIpForm } from '../slack/dedicated-ip-form.js';
import { ACTION, CALLBACK, COMMANDS, DIP_BLOCK, rowBlockId } from '../slack/ids.js';
import { accountChoice, accountErrorBlock, formAccount, submittedAccount, switchedAccount } from './accounts.js';
import { decodeDedicatedIpMeta, type DedicatedIpModalMeta } from '../slack/modal-metadata.js';
import {
  buildDedicatedIpAcceptedView,
  buildDedicatedIpModal,
  dedicatedIpRegions,
  knownInventories,
  newDedicatedIpMeta,
  type InventoryLookup,
} from '../slack/views/dedicated-ip-modal.js';
import type { Store } from '../store/store.js';
import { acceptAndFile, answeredWithoutModal, asksForFreshForm, openModal, standingAnswersFor, updateModal } from './slash-command.js';
import type { OpenedView } from '../slack/messenger.js';
import type { Metrics } from '../metrics/metrics.js';

export interface DedicatedIpDeps {
  filing: FilingService;
  accounts: AwsAccounts;
  store: Store;
  access: AccessPolicy;
  defaultRegion: string;
  priceCents: number;
  logger: Logger;
  now?: () => Date;
  metrics?: Metrics;
}

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
type Modal = { view: OpenedView; meta: DedicatedIpModalMeta; form: DedicatedIpFormInput };

/** Inventories are kept in the view's form snapshot under this prefix, the account and the region code. */
const INVENTORY_KEY = 'inventory:';

function inventoryPrefix(account: string): string {
  return `${INVENTORY_KEY}${account}:`;
}

export function registerDedicatedIpListeners(app: ListenerApp, deps: DedicatedIpDeps): void {
  app.command(COMMANDS.dedicatedIp, openDedicatedIpForm(deps));
  app.action(ACTION.dipAction, switchAction(deps));
  app.action(ACTION.dipAddRow, addRow(deps));
  app.action(ACTION.dipRemoveRow, removeRow(deps));
  // A region change reads that region's inventory; a count or address change redraws the guidance.
  app.action(ACTION.dipRowRegion, redrawAfterChange(deps));
  app.action(ACTION.dipRowInput, redrawAfterChange(deps));
  // Both forms have the select: each answers only its own modal's (one ack per action).
  app.action({ type: 'block_actions', action_id: ACTION.account, callback_id: CALLBACK.dedicatedIpRequest }, switchDedicatedIpAccount(deps));
  app.view(CALLBACK.dedicatedIpRequest, submitDedicatedIpForm(deps));
}

/** One account's inventories, by region, from the view's snapshot. */
function lookupsFrom(snapshot: Record<string, unknown> | undefined, account: string): Record<string, InventoryLookup> {
  const out: Record<string, InventoryLookup> = {};
  const prefix = inventoryPrefix(account);
  for (const [key, value] of Object.entries(snapshot ?? {})) if (key.startsWith(prefix)) out[key.slice(prefix.length)] = value as InventoryLookup;
  return out;
}

function build(deps: DedicatedIpDeps, form: DedicatedIpFormInput, meta: DedicatedIpModalMeta, lookups: Record<string, InventoryLookup>) {
  const account = accountChoice(deps.accounts, meta.channelId, meta.account);
  return buildDedicatedIpModal({ form, meta, lookups, defaultRegion: deps.defaultRegion, priceCents: deps.priceCents, now: (deps.now ?? (() => new Date()))(), account });
}

/**
 * Reads the inventories the form's regions still lack, keeps them with the view, and redraws.
 * The snapshot only spares AWS reads: without the database the inventories are read again and
 * shown all the same, rather than leaving the form "looking up" for good.
 */
async function redraw(deps: DedicatedIpDeps, client: webApi.WebClient, { view, form, meta }: Modal): Promise<void> {
  const account = formAccount(deps.accounts, meta.channelId, meta.account);
  const kept = await deps.store.getFormSnapshot(view.id).catch((err: unknown) => {
    deps.logger.warn({ err: (err as Error).message }, 'could not read the form snapshot; reading the inventories again');
    return undefined;
  });
  let lookups = lookupsFrom(kept, account);
  const missing = dedicatedIpRegions(form, deps.defaultRegion).filter((r) => !lookups[r] && isRegionCode(r));
  if (missing.length) {
    const fetched: Record<string, InventoryLookup> = {};
    await Promise.all(
      missing.map(async (region) => {
        if (!isRegionCode(region)) return;
        try {
          fetched[inventoryPrefix(account) + region] = { state: 'ok', inventory: await deps.accounts.gateways(account).ses.getDedicatedIpInventory(region) };
        } catch (err) {
          deps.logger.warn({ region, err: (err as Error).message }, 'could not read the dedicated IP inventory');
          const message = err instanceof AwsError ? err.brief : 'unexpected error (see the bot log)';
          fetched[inventoryPrefix(account) + region] = { state: 'error', message: message.slice(0, 200) };
        }
      }),
    );
    const merged = await deps.store.mergeFormSnapshot(view.id, fetched).catch((err: unknown) => {
      deps.logger.warn({ err: (err as Error).message }, 'could not keep the inventories with the form; showing them anyway');
      return { ...kept, ...fetched };
    });
    lookups = lookupsFrom(merged, account);
  }
  await updateModal(client, view, build(deps, form, meta, lookups), deps.logger);
}

function modalOf(body: unknown): Modal | undefined {
  const view = (body as { view?: OpenedView }).view;
  const meta = decodeDedicatedIpMeta(view?.private_metadata);
  if (!view || !meta) return undefined;
  return { view, meta, form: readDedicatedIpForm(view.state?.values, meta) };
}

function openDedicatedIpForm(deps: DedicatedIpDeps) {
  return async function openDedicatedIpForm({ ack, command, client, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> {
    await ack();
    if (await answeredWithoutModal(command, respond, { access: deps.access, store: deps.store, client, kind: 'dedicated_ip' })) return;
    const meta = newDedicatedIpMeta(command.channel_id, command.response_url);
    const choice = accountChoice(deps.accounts, command.channel_id);
    if (choice) meta.account = choice.selected;
    const form: DedicatedIpFormInput = { rows: [{ key: meta.rowKeys[0]!, region: deps.defaultRegion }] };
    if (!asksForFreshForm(command.text)) {
      const standing = await standingAnswersFor(deps, command.channel_id, 'dedicated_ip', standingLeaseAnswers);
      Object.assign(form, standing.answers);
      if (standing.note) meta.standing = standing.note;
    }
    const at = { triggerId: command.trigger_id, command: command.command, responseUrl: command.response_url };
    const opened = await openModal(client, at, build(deps, form, meta, {}), deps.logger);
    if (!opened) return;
    await redraw(deps, client, { view: opened, form, meta });
  };
}

/** Request ↔ relinquish: the form changes shape and keeps what was typed. */
function switchAction(deps: DedicatedIpDeps) {
  return async function switchAction({ ack, body, client }: ActionArgs): Promise<void> {
    await ack();
    const modal = modalOf(body);
    const chosen = modal?.form.action;
    if (!modal || (chosen !== 'request' && chosen !== 'relinquish')) return;
    modal.meta.action = chosen;
    // The lease answers leave the form with its request fields: the note about them would no longer be true.
    if (chosen === 'relinquish') delete modal.meta.standing;
    await redraw(deps, client, modal);
  };
}

function addRow(deps: DedicatedIpDeps) {
  return async function addDedicatedIpRow({ ack, body, client }: ActionArgs): Promise<void> {
    await ack();
    const modal = modalOf(body);
    if (!modal || modal.meta.rowKeys.length >= MAX_DEDICATED_IP_ROWS) return;
    modal.meta.rowKeys.push(modal.meta.nextRowKey.toString(36));
    modal.meta.nextRowKey += 1;
    await redraw(deps, client, modal);
  };
}

function removeRow(deps: DedicatedIpDeps) {
  return async function removeDedicatedIpRow({ ack, body, action, client }: ActionArgs): Promise<void> {
    await ack();
    const modal = modalOf(body);
    const key = (action as { value?: string }).value;
    if (!modal || !key || modal.meta.rowKeys.length <= 1) return;
    modal.meta.rowKeys = modal.meta.rowKeys.filter((k) => k !== key);
    modal.form.rows = modal.form.rows.filter((r) => r.key !== key);
    await redraw(deps, client, modal);
  };
}

function redrawAfterChange(deps: DedicatedIpDeps) {
  return async function redrawAfterChange({ ack, body, client }: ActionArgs): Promise<void> {
    await ack();
    const modal = modalOf(body);
    if (modal) await redraw(deps, client, modal);
  };
}

/** Another account chosen: its inventory is read (or taken from the view's snapshot) and the form redrawn, keeping everything typed. */
function switchDedicatedIpAccount(deps: DedicatedIpDeps) {
  return async function switchDedicatedIpAccount({ ack, body, action, client }: ActionArgs): Promise<void> {
    await ack();
    const modal = modalOf(body);
    const chosen = modal && switchedAccount(deps.accounts, modal.meta.channelId, action);
    if (!modal || !chosen || chosen === modal.meta.account) return;
    modal.meta.account = chosen;
    await redraw(deps, client, modal);
  };
}

function submitDedicatedIpForm(deps: DedicatedIpDeps) {
  return async function submitDedicatedIpForm({ ack, body, view }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> {
    const refuse = (errors: Record<string, string>) => ack({ response_action: 'errors', errors });
    const meta = decodeDedicatedIpMeta(view.private_metadata);
    if (!meta) return refuse({ [DIP_BLOCK.language]: `This form is out of date. Close it and run ${COMMANDS.dedicatedIp} again.` });
    const refusal = deps.access.refusal(body.user.id, meta.channelId);
    if (refusal) return refuse({ [DIP_BLOCK.language]: refusal });
    const chosen = submittedAccount(deps.accounts, meta.channelId, view.state.values, meta.account);
    if ('error' in chosen) return refuse({ [accountErrorBlock(deps.accounts, meta.channelId, DIP_BLOCK.language)]: chosen.error });
    const form = readDedicatedIpForm(view.state.values, meta);
    // The choice was changed but the form not yet redrawn for it: never file the other action.
    if (form.action !== meta.action) return refuse({ [DIP_BLOCK.action]: 'The form is changing to match this choice. Check it, then submit again.' });
    const inputBlocks = new Set((view.blocks as { type?: string; block_id?: string }[]).filter((b) => b.type === 'input' && b.block_id).map((b) => b.block_id!));
    let result;
    if (meta.action === 'request') {
      result = validateLease(form);
    } else {
      // The addresses must be the chosen account's: its own inventory, read for this view.
      const lookups = lookupsFrom(await deps.store.getFormSnapshot(view.id).catch(() => undefined), chosen.account?.name ?? DEFAULT_ACCOUNT);
      const pending = form.rows.filter((r) => isRegionCode(r.region) && !lookups[r.region]);
      if (pending.length) {
        return refuse(Object.fromEntries(pending.map((r) => [rowBlockId(r.key, 'region'), 'The addresses in this region are still being read. Submit again in a moment.'])));
      }
      result = validateRelinquish(form, knownInventories(lookups));
    }
    if (!result.ok) {
      deps.metrics?.submission('dedicated_ip', 'invalid', 'validation');
      return refuse(dedicatedIpErrorsToBlocks(result.errors, meta, inputBlocks));
    }
    const acceptedView = buildDedicatedIpAcceptedView(meta.channelId, meta.action);
    await acceptAndFile({ ack, filing: deps.filing, logger: deps.logger, request: result.value, view, body, meta, errorBlockId: DIP_BLOCK.language, acceptedView, account: chosen.account });
  };
}
