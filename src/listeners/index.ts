/** Every inbound Slack surface, registered in one place; the installation guard comes first. */
import type { App } from '@slack/bolt';
import type { AwsAccounts } from '../aws/accounts.js';
import type { Logger } from '../logger.js';
import type { AccessPolicy } from '../services/access.js';
import type { CaseActions } from '../services/case-actions.js';
import type { FilingService } from '../services/filing.js';
import type { Store } from '../store/store.js';
import type { FilingMode } from '../domain/request.js';
import type { Metrics } from '../metrics/metrics.js';
import { registerCaseThreadListeners } from './case-thread.js';
import { registerDedicatedIpListeners } from './dedicated-ip.js';
import { registerInstallationGuard, type InstallationGuard } from './installation.js';
import { registerQuotaListeners } from './quota.js';
import { registerQuotaWatchListeners } from './quota-watch.js';
import { registerRetryListener } from './retry.js';
import { ListenerRouter } from './router.js';

export interface ListenerDeps {
  filing: FilingService;
  actions: CaseActions;
  access: AccessPolicy;
  accounts: AwsAccounts;
  store: Store;
  defaultRegion: string;
  quotaFiling: FilingMode;
  dedicatedIpPriceCents: number;
  logger: Logger;
  /** Counts the forms refused by validation (src/metrics/). */
  metrics?: Metrics;
}

/** Registers every listener; returns the installation guard, which learns its workspace at start-up. */
export function registerListeners(app: App, deps: ListenerDeps): InstallationGuard {
  // Before every listener: only the installation's own workspace acts.
  const installation = registerInstallationGuard(app, deps.logger.child({ component: 'installation' }));
  const router = new ListenerRouter(app);
  registerQuotaListeners(router, deps);
  registerQuotaWatchListeners(router, deps);
  registerDedicatedIpListeners(router, { ...deps, priceCents: deps.dedicatedIpPriceCents });
  registerRetryListener(router, deps);
  registerCaseThreadListeners(router, deps);
  return installation;
}
