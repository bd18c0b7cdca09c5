/**
 * The account's dedicated IPs as FakeAws serves them (`aws.setDedicatedIps(region, pools)`):
 * builders for pools and addresses, and the inventories the tests share. Each fixture is a
 * function, so that every test gets its own copy.
 *
 * Domain-level inventories (`RegionInventory`, as the bot reads them) are built by
 * test/domain/dedicated-ip-builders.ts.
 */
import type { FakeIpPool } from '../fakes/fake-aws.js';

export type FakeIp = FakeIpPool['ips'][number];

/** A standard IP whose warm-up is done. */
export function warm(ip: string): FakeIp {
  return { ip, warmupStatus: 'DONE', warmupPercentage: 100 };
}

/** A standard IP still warming up, `percentage`% of the way. */
export function warming(ip: string, percentage: number): FakeIp {
  return { ip, warmupStatus: 'IN_PROGRESS', warmupPercentage: percentage };
}

/** A pool of standard dedicated IPs: leased by the account, given back through a case. */
export function standardPool(name: string, ips: FakeIp[]): FakeIpPool {
  return { name, scalingMode: 'STANDARD', ips };
}

/** A managed pool: SES leases and releases its addresses itself (no warm-up figures). */
export function managedPool(name: string, addresses: string[]): FakeIpPool {
  return { name, scalingMode: 'MANAGED', ips: addresses.map((ip) => ({ ip, warmupStatus: 'NOT_APPLICABLE', warmupPercentage: -1 })) };
}

/** The two warm addresses of `twoWarmIps()`, in the pool `marketing`. */
export const WARM_MARKETING_IPS = ['198.51.100.2', '198.51.100.3'] as const;

/** The pool `marketing` with two warm standard IPs: enough to file a relinquishment. */
export function twoWarmIps(): FakeIpPool[] {
  return [standardPool('marketing', WARM_MARKETING_IPS.map(warm))];
}

/**
 * What the dedicated-IP modal shows and offers: three standard IPs in `marketing` (one warming
 * up, 45%), one in SES's default pool, and two managed IPs (listed, never offered for release).
 */
export function mixedPools(): FakeIpPool[] {
  return [
    standardPool('marketing', [warm('198.51.100.10'), warm('198.51.100.2'), warming('198.51.100.30', 45)]),
    standardPool('ses-default-dedicated-pool', [warm('203.0.113.7')]),
    managedPool('auto-pool', ['192.0.2.1', '192.0.2.2']),
  ];
}

/** A use case long enough for the lease form. */
export const LEASE_USE_CASE =
  'We move our transactional mail (receipts, password resets) to dedicated IPs so that its reputation is ours alone; ' +
  'we send 2 million a day at up to 150 per second and will warm the addresses up over four weeks.';

/** The lease form filled in for eu-west-1 (150 per second, no count), as fillState takes it; `extra` overrides. */
export function leaseInputs(extra: Record<string, string | string[] | undefined> = {}) {
  return {
    dip_action: 'request',
    mail_type: 'transactional',
    website_url: 'https://shop.example.com',
    opt_in_process: 'Double opt-in at sign-up.',
    bounce_process: undefined,
    complies_with_aup: 'yes',
    'row:0:region': 'eu-west-1',
    'row:0:sendRate': '150',
    'row:0:ipCount': undefined,
    use_case: LEASE_USE_CASE,
    contact_language: 'en',
    ...extra,
  };
}
