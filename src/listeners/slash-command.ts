/** What both request commands do the same way around their modals. */
import type { AckFn, RespondFn, SlashCommand, ViewResponseAction, types, webApi } from '@slack/bolt';
import type { Logger } from '../logger.js';
import type { AccessPolicy } from '../services/access.js';
import type { FilingService, Submission } from '../services/filing.js';
import type { Store } from '../store/store.js';
import type { RequestKind } from '../domain/request.js';
import { submissionKey } from '../services/outbox-keys.js';
import { channelStatus } from './status.js';

/** The parts of a view Slack returns that the listeners use. */
export type ViewOutput = { id: string; hash: string; private_metadata?: string; state?: { values?: unknown }; blocks?: { type?: string; block_id?: string }[] };

function slackErrorCode(err: unknown): string {
  return (err as { data?: { error?: string } }).data?.error ?? (err as Error).message ?? String(err);
}

/** Redraws a modal if nobody changed it since `view.hash`; a conflict means a newer change redraws it. */
export async function updateModal(client: webApi.WebClient, view: ViewOutput, next: types.ModalView, logger: Logger): Promise<void> {
  try {
    await client.views.update({ view_id: view.id, hash: view.hash, view: next });
  } catch (err) {
    logger.debug({ err: slackErrorCode(err) }, 'views.update skipped');
  }
}

/**
 * The start of both slash commands: refusals and `status` are answered privately; otherwise
 * the caller opens its modal. Returns true when the command has been answered.
 */
export async function answeredWithoutModal(
  command: SlashCommand,
  respond: RespondFn,
  deps: { access: AccessPolicy; store: Store; client: webApi.WebClient; kind: RequestKind },
): Promise<boolean> {
  const refusal = deps.access.refusal(command.user_id, command.channel_id);
  if (refusal) {
    await respond({ response_type: 'ephemeral', text: `:no_entry: ${refusal}` });
    return true;
  }
  if (command.text.trim().toLowerCase() === 'status') {
    await respond({ response_type: 'ephemeral', text: await channelStatus(deps.client, deps.store, command.channel_id, deps.kind) });
    return true;
  }
  return false;
}

/** Opens a modal built in memory; if Slack refuses, tells the user privately and returns undefined. */
export async function openModal(
  client: webApi.WebClient,
  respond: RespondFn,
  command: SlashCommand,
  view: types.ModalView,
  logger: Logger,
): Promise<ViewOutput | undefined> {
  try {
    const res = await client.views.open({ trigger_id: command.trigger_id, view });
    return res.view as ViewOutput;
  } catch (err) {
    logger.warn({ err: slackErrorCode(err) }, 'views.open failed');
    await respond({ response_type: 'ephemeral', text: `:warning: I couldn't open the form (${slackErrorCode(err)}). Run \`${command.command}\` again.` });
    return undefined;
  }
}

/**
 * The end of a valid submission in both forms: store it (the modal stays open with an error if
 * the database cannot take it, so nothing typed is lost), close the form on the "received"
 * view, then file it unless it is a repeat of a stored one.
 */
export async function acceptAndFile(opts: {
  /** Bolt types a view's ack as either kind; a view submission's takes a response action. */
  ack: AckFn<ViewResponseAction> | AckFn<void>;
  filing: FilingService;
  logger: Logger;
  /** The validated request, and what Slack sent: the modal, who submitted it, from which team. */
  request: Submission['request'];
  view: { id: string; team_id: string };
  body: { user: { id: string }; team: { id: string } | null };
  meta: { channelId: string; responseUrl?: string | undefined };
  errorBlockId: string;
  acceptedView: types.ModalView;
}): Promise<void> {
  const ack = opts.ack as AckFn<ViewResponseAction>;
  let accepted;
  try {
    accepted = await opts.filing.accept({
      request: opts.request,
      // One modal is one request: a double click or a resubmission of it files nothing more.
      submissionKey: submissionKey(opts.view.id),
      teamId: opts.body.team?.id ?? opts.view.team_id,
      channelId: opts.meta.channelId,
      // Who asked is Slack's word, never the metadata's.
      requesterId: opts.body.user.id,
      responseUrl: opts.meta.responseUrl,
    });
  } catch (err) {
    opts.logger.error({ err }, 'could not store a request');
    await ack({
      response_action: 'errors',
      errors: { [opts.errorBlockId]: 'The bot could not save your request (its database is unavailable). Nothing was filed; submit again in a moment.' },
    });
    return;
  }
  await ack({ response_action: 'update', view: opts.acceptedView });
  if (accepted.created) await opts.filing.startFiling(accepted.request.id);
}
