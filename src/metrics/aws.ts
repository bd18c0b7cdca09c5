/**
 * Counts and times every AWS SDK call: one middleware at the outermost step of a client, so a
 * call is measured once with its retries (and the Support API's spacing) included, and its
 * outcome is the AWS error code the SDK raised (bounded: src/metrics/metrics.ts).
 */
import type { Metrics } from './metrics.js';

/** Any AWS SDK v3 client (their middleware stacks' generic types differ; the one used here is common to all). */
export interface InstrumentableClient {
  middlewareStack: object;
}

type Stack = {
  add(
    middleware: (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => (args: unknown) => Promise<unknown>,
    options: { step: 'initialize'; name: string; override?: boolean },
  ): void;
};

/** Hands each new SDK client to the metrics; undefined: nothing is recorded. */
export type AwsClientHook = (client: InstrumentableClient) => void;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/** The AWS error code of a failed call: the SDK error's name, the bot's own refusal's AWS name, or NetworkingError. */
export function awsErrorCode(err: unknown): string {
  const e = (err ?? {}) as { name?: string; awsName?: string; code?: string };
  if (e.name === 'AwsError' && e.awsName) return e.awsName;
  if (e.code && NETWORK_CODES.has(e.code)) return 'NetworkingError';
  return e.name ?? 'Error';
}

export function awsClientHook(metrics: Metrics): AwsClientHook {
  return (client) => {
    (client.middlewareStack as Stack).add(
      (next, context) => async (args) => {
        const started = performance.now();
        try {
          const out = await next(args);
          metrics.awsCall(context.clientName, context.commandName, undefined, (performance.now() - started) / 1000);
          return out;
        } catch (err) {
          metrics.awsCall(context.clientName, context.commandName, awsErrorCode(err), (performance.now() - started) / 1000);
          throw err;
        }
      },
      { step: 'initialize', name: 'sesBotMetrics', override: true },
    );
  };
}
