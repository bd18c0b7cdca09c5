/** Retry on a request that was not filed (its root message, or the private "not in channel" notice). */
import type { ListenerApp } from './router.js';
import type { AccessPolicy } from '../services/access.js';
import type { FilingService } from '../services/filing.js';
import { ACTION } from '../slack/ids.js';
import { userMention } from '../slack/mrkdwn.js';
import type { Store } from '../store/store.js';
import { onStoredRequest, type RequestAction } from './request-action.js';

export interface RetryDeps {
  filing: FilingService;
  store: Store;
  access: AccessPolicy;
}

export function registerRetryListener(app: ListenerApp, deps: RetryDeps): void {
  app.action(ACTION.retryFiling, onStoredRequest(deps, retryFiling(deps), { refusal: onlyRequesterOrApprover }));
}

const onlyRequesterOrApprover = (request: { requesterId: string }) => `Only ${userMention(request.requesterId)}, who made this request, or an approver can retry it.`;

function retryFiling({ filing, access }: RetryDeps) {
  return async function retryFiling({ request, userId, body, respond, tell }: RequestAction): Promise<void> {
    // A retry files: the configuration may have changed since the request was made, so the
    // channel and the clicker are checked again as for a new request.
    const refusal = access.refusal(userId, request.channelId);
    if (refusal) return tell(`:no_entry: ${refusal} Nothing was filed.`);
    if (request.status === 'filed') return tell('This request is already filed.');
    if ((await filing.startFiling(request.id, 'retry')) === 'busy') return tell('This request is being filed right now.');
    // A Retry on the ephemeral "not in channel" notice: that notice has done its job.
    if (body.container?.is_ephemeral) await respond({ delete_original: true }).catch(() => undefined);
  };
}
