/**
 * One Bolt listener for every block action and one for every view submission, instead of one per
 * action id or form. Bolt runs the matchers of every registered listener for every request it
 * receives (two middleware and a promise each, 20 listeners here), and that was a measurable
 * share of the bot's own work per request (BENCHMARKS.md, issue 16). The listener modules
 * register on this router as they would on the App; a request finds its handlers in a map by its
 * action id (and the form's callback id) or by its form's callback id, and they run as Bolt would
 * have run them.
 */
import type { App } from '@slack/bolt';

// Bolt types each listener by the payload it matches; the router only passes Bolt's arguments on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyListener = (args: any) => Promise<void>;

interface ActionRoute {
  /** Set: only block actions in the form with this callback id. */
  callbackId: string | undefined;
  listeners: AnyListener[];
}

type ActionConstraint = string | { type?: 'block_actions'; action_id: string; callback_id?: string };

/** The part of Bolt's App the listener modules register on. */
export type ListenerApp = Pick<App, 'action' | 'view' | 'command' | 'event'>;

export class ListenerRouter implements ListenerApp {
  private readonly actionRoutes = new Map<string, ActionRoute[]>();
  private readonly formRoutes = new Map<string, AnyListener[][]>();

  constructor(private readonly app: App) {
    app.action({ type: 'block_actions' }, async (args) => {
      const actionId = (args.payload as { action_id?: string }).action_id ?? '';
      const callbackId = (args.body as { view?: { callback_id?: string } }).view?.callback_id;
      const routes = (this.actionRoutes.get(actionId) ?? []).filter((r) => r.callbackId === undefined || r.callbackId === callbackId);
      await runAll(routes.map((r) => r.listeners), args);
    });
    app.view({ type: 'view_submission' }, async (args) => {
      await runAll(this.formRoutes.get(args.view.callback_id) ?? [], args);
    });
  }

  /** As App.action, for an action id, or a block action's id in one form (`{ action_id, callback_id }`). */
  readonly action = ((constraint: ActionConstraint, ...listeners: AnyListener[]) => {
    const { actionId, callbackId } = typeof constraint === 'string' ? { actionId: constraint, callbackId: undefined } : { actionId: constraint.action_id, callbackId: constraint.callback_id };
    const routes = this.actionRoutes.get(actionId) ?? [];
    routes.push({ callbackId, listeners });
    this.actionRoutes.set(actionId, routes);
  }) as unknown as App['action'];

  /** As App.view, for a form's callback id (submissions only, as Bolt's string form). */
  readonly view = ((callbackId: string, ...listeners: AnyListener[]) => {
    this.formRoutes.set(callbackId, [...(this.formRoutes.get(callbackId) ?? []), listeners]);
  }) as unknown as App['view'];

  /** Commands and events stay Bolt's own: there are few of them. */
  readonly command: App['command'] = ((...args: Parameters<App['command']>) => this.app.command(...args)) as App['command'];
  readonly event: App['event'] = ((...args: Parameters<App['event']>) => this.app.event(...args)) as App['event'];
}

/**
 * Runs the registrations matching one request as Bolt runs matching listeners: each one's
 * functions as a middleware chain (each calls `next` to pass on), the registrations side by side;
 * the first failure is thrown once all have finished.
 */
async function runAll(registrations: AnyListener[][], args: object): Promise<void> {
  const chain = (fns: AnyListener[], i: number): Promise<void> => fns[i]!({ ...args, next: () => (i + 1 < fns.length ? chain(fns, i + 1) : Promise.resolve()) });
  const settled = await Promise.allSettled(registrations.filter((fns) => fns.length > 0).map((fns) => chain(fns, 0)));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
