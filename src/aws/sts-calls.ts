/**
 * The STS calls of AwsAccounts, in a module of their own: it is loaded only when
 * AWS_ACCOUNTS_FILE names accounts (the single-account setup never uses STS), and its commands
 * are imported by name, so the least-privilege test sees each action.
 */
import { GetCallerIdentityCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import type { AwsClientHook } from '../metrics/aws.js';

export { fromTemporaryCredentials } from '@aws-sdk/credential-providers';

/** The account id the credentials of `config` sign in as (GetCallerIdentity). */
export async function callerAccount(config: STSClientConfig, hook?: AwsClientHook): Promise<string | undefined> {
  const sts = new STSClient(config);
  hook?.(sts);
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Account;
  } finally {
    sts.destroy();
  }
}
