/**
 * Only the installation's own workspace acts. In a Slack Connect channel shared with another
 * organisation, that organisation's members see the bot's messages and can press its buttons,
 * reply in its threads and submit its forms; without this check one of them could file a
 * relinquishment and then confirm it as its requester.
 *
 * A global middleware, registered before every listener: it learns the installation's team
 * (and enterprise) from `auth.test` at start-up and refuses every command, action, view
 * submission and event whose acting user belongs to another team or enterprise. It acks what
 * must be acked and answers privately; a refused event is ignored and logged without its text.
 * (The app is installed per workspace, `org_deploy_enabled: false`, so one team id is the
 * installation.)
 */
import type { App, webApi } from '@slack/bolt';
import type { Logger } from '../logger.js';

export const OTHER_WORKSPACE_REFUSAL =
  'This bot serves only members of its own Slack workspace. People from other organisations in a shared channel cannot use it; ask someone from the workspace that installed it.';

interface Installation {
  teamId: string;
  enterpriseId: string | undefined;
}

/** Who acts, as far as the payload says: the teams and enterprises it attributes to the acting user. */
interface Actor {
  kind: 'command' | 'action' | 'view' | 'event' | 'other';
  teamIds: string[];
  enterpriseIds: string[];
  userId: string | undefined;
}

type Loose = Record<string, any>;

const present = (...values: unknown[]): string[] => values.filter((v): v is string => typeof v === 'string' && v !== '');

/** Reads the acting user's team and enterprise from a command, an interactive payload or an Events API envelope. */
function actorOf(body: Loose): Actor | undefined {
  if (typeof body.command === 'string' && typeof body.user_id === 'string') {
    // The workspace the command was run in, and (Slack Connect) the user's own if it differs.
    return { kind: 'command', teamIds: present(body.team_id, body.user_team), enterpriseIds: present(body.enterprise_id), userId: body.user_id };
  }
  if (body.type === 'event_callback' && body.event) {
    const e = body.event as Loose;
    // Slack Connect: user_team is the sender's team; older payloads only say team; the envelope's is the installation's.
    return { kind: 'event', teamIds: present(e.user_team ?? e.team ?? body.team_id), enterpriseIds: [], userId: typeof e.user === 'string' ? e.user : undefined };
  }
  if (typeof body.type === 'string' && body.user) {
    const kind = body.type === 'block_actions' ? 'action' : body.type === 'view_submission' ? 'view' : 'other';
    const user = body.user as Loose;
    return {
      kind,
      teamIds: present(user.team_id ?? body.team?.id),
      enterpriseIds: present(body.enterprise?.id, user.enterprise_id),
      userId: typeof user.id === 'string' ? user.id : undefined,
    };
  }
  return undefined;
}

function belongs(actor: Actor, own: Installation): boolean {
  if (actor.teamIds.length === 0 || actor.teamIds.some((t) => t !== own.teamId)) return false;
  return actor.enterpriseIds.every((e) => e === own.enterpriseId);
}

/** The first input block of a submitted view: where Slack can show a field error. */
function firstInputBlock(body: Loose): string | undefined {
  const blocks = (body.view?.blocks ?? []) as Loose[];
  return blocks.find((b) => b.type === 'input' && typeof b.block_id === 'string')?.block_id;
}

export interface InstallationGuard {
  /** Asks Slack which workspace the bot token belongs to; until then every request is refused. */
  learn(client: webApi.WebClient): Promise<void>;
}

export function registerInstallationGuard(app: App, logger: Logger): InstallationGuard {
  let own: Installation | undefined;

  app.use(async (args) => {
    const { body, next, client } = args;
    const actor = actorOf(body as Loose);
    if (!actor || (own && belongs(actor, own))) return next();

    const { ack, respond } = args as unknown as {
      ack?: (response?: unknown) => Promise<void>;
      respond?: (message: unknown) => Promise<unknown>;
    };
    const b = body as Loose;
    const who = { kind: actor.kind, user: actor.userId, teams: actor.teamIds, enterprises: actor.enterpriseIds };
    switch (actor.kind) {
      case 'command':
        await ack?.({ response_type: 'ephemeral', text: `:no_entry: ${OTHER_WORKSPACE_REFUSAL}` });
        break;
      case 'view': {
        // Nothing is stored or filed: the form stays open and says why.
        const blockId = firstInputBlock(b);
        await ack?.(blockId ? { response_action: 'errors', errors: { [blockId]: OTHER_WORKSPACE_REFUSAL } } : { response_action: 'clear' });
        break;
      }
      case 'action': {
        await ack?.();
        const text = `:no_entry: ${OTHER_WORKSPACE_REFUSAL}`;
        const channel = b.channel?.id ?? b.container?.channel_id;
        const told = respond
          ? await respond({ response_type: 'ephemeral', replace_original: false, text }).then(() => true, () => false)
          : false;
        if (!told && channel && actor.userId) await client.chat.postEphemeral({ channel, user: actor.userId, text }).catch(() => undefined);
        break;
      }
      case 'event':
        // Events were acked by Bolt already. The text is not logged.
        logger.info({ ...who, event: b.event?.type, subtype: b.event?.subtype, channel: b.event?.channel }, 'ignored a Slack event from a user of another workspace');
        return;
      default:
        await ack?.();
    }
    logger.info(who, 'refused a request from a user of another workspace');
  });

  return {
    async learn(client) {
      const auth = await client.auth.test();
      if (!auth.team_id) throw new Error('Slack did not say which workspace the bot token belongs to (auth.test returned no team_id)');
      own = { teamId: auth.team_id, enterpriseId: auth.enterprise_id || undefined };
      logger.info({ teamId: own.teamId, enterpriseId: own.enterpriseId }, 'serving the members of this workspace only');
    },
  };
}
