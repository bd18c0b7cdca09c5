/**
 * What stands between Slack and the two replicas in the soak: a small round-robin load balancer
 * that also does what Slack does on its own. It sends each request to the next live replica
 * (and to the other when the connection is refused, as a load balancer does); some requests it
 * delivers to both replicas at once (a double click spread over the balancer), some twice
 * (Slack redelivering an event with `x-slack-retry-num`); and it keeps Slack's 3-second window:
 * an event not answered in time is delivered again with `x-slack-retry-reason: http_timeout`
 * (up to three retries, as Slack does); an interaction not answered in time is answered 504
 * (Slack shows the user an error; the bot may still act on it).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyStats {
  requests: number;
  toBoth: number;
  redelivered: number;
  timeoutRetries: number;
  rerouted: number;
  timedOut: number;
  failed: number;
}

export interface ProxyChoices {
  /** Deliver this request to both replicas at once? */
  both(): boolean;
  /** Deliver this event a second time (a Slack retry)? */
  twice(): boolean;
}

const SLACK_WINDOW_MS = 3000;

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

export class SlackProxy {
  private server: http.Server | undefined;
  private next = 0;
  readonly stats: ProxyStats = { requests: 0, toBoth: 0, redelivered: 0, timeoutRetries: 0, rerouted: 0, timedOut: 0, failed: 0 };
  port = 0;

  constructor(
    /** The replicas' base URLs now (a killed replica's is undefined). */
    private readonly targets: () => (string | undefined)[],
    private readonly choices: ProxyChoices,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.stats.failed += 1;
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy: ${(err as Error).message}`);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'x-slack-request-timestamp', 'x-slack-signature', 'x-slack-retry-num', 'x-slack-retry-reason']) {
      const v = req.headers[name];
      if (typeof v === 'string') headers[name] = v;
    }
    this.stats.requests += 1;
    const isEvent = (headers['content-type'] ?? '').includes('application/json');
    let answer: Answer;
    if (this.choices.both()) {
      this.stats.toBoth += 1;
      const urls = this.targets().filter((u): u is string => u !== undefined);
      const answers = await Promise.all(urls.map((u) => this.send(u, req.url ?? '/slack/events', body, headers)));
      answer = answers.find((a) => a.status === 200) ?? answers[0] ?? { status: 502, body: 'no replica', headers: {} };
    } else {
      answer = await this.deliver(req.url ?? '/slack/events', body, headers);
    }
    if (isEvent) {
      // Slack retries an event it got no timely 200 for, and sometimes one it did.
      let retry = 0;
      while (retry < 3 && answer.status !== 200) {
        retry += 1;
        this.stats.timeoutRetries += 1;
        answer = await this.deliver(req.url ?? '/slack/events', body, { ...headers, 'x-slack-retry-num': String(retry), 'x-slack-retry-reason': answer.status === 504 ? 'http_timeout' : 'http_error' });
      }
      if (retry === 0 && this.choices.twice()) {
        this.stats.redelivered += 1;
        const again = await this.deliver(req.url ?? '/slack/events', body, { ...headers, 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
        if (again.status !== 200) answer = again;
      }
    }
    if (answer.status === 504) this.stats.timedOut += 1;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  /** To the next live replica; to another when the connection is refused. */
  private async deliver(path: string, body: string, headers: Record<string, string>): Promise<Answer> {
    const urls = this.targets();
    let last: Answer = { status: 502, body: 'no replica is up', headers: {} };
    for (let i = 0; i < urls.length * 2; i++) {
      const url = urls[this.next++ % urls.length];
      if (!url) continue;
      last = await this.send(url, path, body, headers);
      if (last.status !== 502) return last;
      this.stats.rerouted += 1;
    }
    return last;
  }

  private async send(base: string, path: string, body: string, headers: Record<string, string>): Promise<Answer> {
    try {
      const res = await fetch(`${base}${path}`, { method: 'POST', headers, body, signal: AbortSignal.timeout(SLACK_WINDOW_MS) });
      const text = await res.text();
      const out: Record<string, string> = {};
      const type = res.headers.get('content-type');
      if (type) out['content-type'] = type;
      return { status: res.status, body: text, headers: out };
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') return { status: 504, body: 'the app did not answer within 3 seconds', headers: {} };
      return { status: 502, body: `connection failed: ${(err as Error).message}`, headers: {} };
    }
  }
}
