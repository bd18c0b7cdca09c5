/** What both request commands do the same way around their modals. */
import type { AckFn, RespondFn, SlashCommand, ViewResponseAction, types, webApi } from '@slack/bolt';
import type { Logger } from '../logger.js';
import type { AccessPolicy } from '../services/access.js';
import type { FilingService, Submission } from '../services/filing.js';
import type { Store } from '../store/store.js';
import type { RequestKind, StoredRequest } from '../domain/request.js';
import { STANDING_LOOKBACK, type Standing } from '../domain/standing-answers.js';
import { submissionKey } from '../services/outbox-keys.js';
import { SlackMessenger, toSlackError, type OpenedView } from '../slack/messenger.js';
import { prefilledNote, type StandingNote } from '../slack/modal-metadata.js';
import { section } from '../slack/views/blocks.js';
import { channelStatus } from './status.js';

/**
 * How long opening a form waits for the channel's standing answers. Slack takes views.open only
 * within 3 seconds of the user's command or click, and views.open is itself a round trip to Slack
 * (a few hundred ms, more on a bad day): 300 ms leaves most of the window to it, while a healthy
 * database answers this small indexed read in a few ms. Past it the form opens empty and says so.
 */
export const STANDING_ANSWERS_BUDGET_MS = 300;

/** Redraws a modal if nobody changed it since `view.hash`; a conflict means a newer change redraws it. */
export async function updateModal(client: webApi.WebClient, view: OpenedView, next: types.ModalView, logger: Logger): Promise<void> {
  try {
    await new SlackMessenger(client, logger).updateView(view.id, next, view.hash);
  } catch (err) {
    logger.debug({ err: toSlackError(err).code }, 'views.update skipped');
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

/** `fresh` after either command: open the form empty, without the channel's standing answers. */
export function asksForFreshForm(text: string | undefined): boolean {
  return (text ?? '').trim().toLowerCase() === 'fresh';
}

/**
 * The channel's newest requests of a kind (STANDING_LOOKBACK of them) if the store answers within
 * `budgetMs`, else undefined; a failed read is undefined too. Never waits past the budget: a read
 * still running then finishes unheard, and the form opens without it.
 */
export async function recentRequestsInTime(
  store: Store,
  channelId: string,
  kind: RequestKind,
  logger: Logger,
  budgetMs = STANDING_ANSWERS_BUDGET_MS,
): Promise<StoredRequest[] | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), budgetMs);
  });
  try {
    // Through a promise, so that a store throwing at once is a failed read, not a failed command.
    // Filed ones only, and for a quota the newest is the one: every /ses-quota pays for this read
    // (each row is parsed and checked), so it reads no more than it can use.
    const read = Promise.resolve().then(() => store.listRequestsByChannel(channelId, kind, kind === 'quota' ? 1 : STANDING_LOOKBACK, 'filed'));
    const result = await Promise.race([read, late]);
    if (result !== 'late') return result;
    logger.warn({ channelId, kind, budgetMs }, 'standing answers not read in time; the form opens empty');
  } catch (err) {
    logger.warn({ channelId, kind, err: (err as Error).message }, 'could not read the standing answers; the form opens empty');
  } finally {
    clearTimeout(timer);
  }
  return undefined;
}

/**
 * The standing answers a form opens with, picked by `pick` from the channel's recent requests,
 * and the note saying which request they came from; when the store did not answer in time, no
 * answers and a note saying so; in a channel with nothing filed yet, neither.
 */
export async function standingAnswersFor<T>(
  deps: { store: Store; logger: Logger },
  channelId: string,
  kind: RequestKind,
  pick: (requests: StoredRequest[]) => Standing<T> | undefined,
): Promise<{ answers?: T; note?: StandingNote }> {
  const recent = await recentRequestsInTime(deps.store, channelId, kind, deps.logger);
  if (!recent) return { note: { state: 'unavailable' } };
  const found = pick(recent);
  const note = found && prefilledNote(found.source);
  if (found && !note) deps.logger.warn({ channelId, kind }, 'standing answers not pre-filled: their request cannot be named in the form');
  return found && note ? { answers: found.answers, note } : {};
}

/**
 * Says something only the user sees, through the response_url Slack gave with the command or the
 * click; without one (a caller that had none), the log is the only place left to say it.
 */
export async function tellPrivately(client: webApi.WebClient, responseUrl: string | undefined, text: string, logger: Logger): Promise<void> {
  if (!responseUrl) {
    logger.warn({ text }, 'no response_url to tell the user');
    return;
  }
  await new SlackMessenger(client, logger).respond(responseUrl, { text, blocks: [section(text)] });
}

/** Opens a modal built in memory; if Slack refuses, tells the user privately and returns undefined. */
export async function openModal(
  client: webApi.WebClient,
  at: { triggerId: string; command: string; responseUrl?: string | undefined },
  view: types.ModalView,
  logger: Logger,
): Promise<OpenedView | undefined> {
  try {
    return await new SlackMessenger(client, logger).openView(at.triggerId, view);
  } catch (err) {
    logger.warn({ err: toSlackError(err).code }, 'views.open failed');
    await tellPrivately(client, at.responseUrl, `:warning: I couldn't open the form (${toSlackError(err).code}). Run \`${at.command}\` again.`, logger);
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
  /** The AWS account it files in, checked against the channel (undefined: the single account). */
  account?: { name: string; id: string | null } | undefined;
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
      ...(opts.account ? { account: opts.account } : {}),
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
