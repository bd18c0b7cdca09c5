// Small pieces shared by the fake servers: listening on an ephemeral port,
// shutting down without waiting for keep-alive sockets, body reading, polling.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

/** One HTTP server on 127.0.0.1 with an OS-assigned port. */
export class LocalServer {
  private server: http.Server | undefined;
  private port = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly name: string, private readonly handler: Handler) {}

  async start(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => {
      this.handler(req, res).catch((err: unknown) => {
        // A bug in a fake must be loud, not a hung request.
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
        }
        res.end(`${this.name} crashed: ${err instanceof Error ? err.stack : String(err)}`);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    // Clients (fetch, the AWS SDK) keep sockets alive; close() alone would wait for them.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get origin(): string {
    if (!this.server) throw new Error(`${this.name} is not started; call start() first`);
    return `http://127.0.0.1:${this.port}`;
  }

  /** A delay that stop() cancels, so a test's injected delay never outlives the server. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }
}

export async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Polls `fn` every 20 ms until it returns something other than undefined/false.
 * `what` names the awaited condition in the timeout error; `state` adds what was seen instead.
 */
export async function pollUntil<T>(
  fn: () => T | undefined | false,
  timeoutMs: number,
  what: string,
  state: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}\n${state()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Readable name for a predicate in timeout messages. */
export function describeFn(fn: (...args: never[]) => unknown): string {
  const src = fn.toString().replace(/\s+/g, ' ');
  return src.length > 200 ? `${src.slice(0, 200)}…` : src;
}

/** Per-operation queues of injected faults; each fault is used `times` times (default 1), in order. */
export class FaultQueue<F extends { times?: number }> {
  private readonly queues = new Map<string, { fault: F; left: number }[]>();

  add(key: string, fault: F): void {
    const queue = this.queues.get(key) ?? [];
    queue.push({ fault, left: fault.times ?? 1 });
    this.queues.set(key, queue);
  }

  /**
   * The next fault for `key` that applies to this call (`applies` lets a fault target e.g. one
   * channel; by default every fault applies), consuming one use of it.
   */
  take(key: string, applies: (fault: F) => boolean = () => true): F | undefined {
    const queue = this.queues.get(key);
    const at = queue?.findIndex((e) => applies(e.fault)) ?? -1;
    const entry = at >= 0 ? queue![at] : undefined;
    if (!queue || !entry) return undefined;
    entry.left -= 1;
    if (entry.left <= 0) queue.splice(at, 1);
    return entry.fault;
  }

  /** Faults not yet used, so a test can assert that all of them fired. */
  pending(): { key: string; fault: F; left: number }[] {
    return [...this.queues].flatMap(([key, q]) => q.map((e) => ({ key, ...e })));
  }

  clear(): void {
    this.queues.clear();
  }
}
