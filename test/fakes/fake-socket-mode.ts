// Fake Slack Socket Mode endpoint: a real WebSocket server on 127.0.0.1 that speaks the protocol
// @slack/socket-mode expects. `FakeSlack`'s `apps.connections.open` hands out `issueUrl()`; the
// client connects there, gets `hello`, then receives envelopes and acks each one over the socket.
//
// Protocol (as the real client reads it):
//   server → client  {"type":"hello", num_connections, debug_info, connection_info}
//   server → client  {"envelope_id", "type": "slash_commands" | "interactive" | "events_api", payload, accepts_response_payload}
//   client → server  {"envelope_id", "payload": {...}}            (the ack; payload is {} when ack() had no body)
//   server → client  {"type":"disconnect","reason":"refresh_requested" | "warning" | "link_disabled"}
//                    → the client closes this socket and, after its reconnect delay, calls
//                      apps.connections.open again for a new URL
//   client pings every few seconds and drops the socket if no pong comes; `ws` answers pings itself.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import {
  DEFAULT_APP,
  SlackIds,
  acceptsResponsePayload,
  blockActionsPayload,
  commandFields,
  eventEnvelope,
  unreachableResponseUrl,
  viewSubmissionPayload,
  type BlockActionInput,
  type CommandInput,
  type SlackAppIdentity,
  type SlackObject,
  type ViewSubmissionInput,
} from '../helpers/slack-payloads.js';
import { pollUntil } from './http-util.js';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface SocketEnvelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: SlackObject;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

export interface SocketAck {
  envelope_id: string;
  /** What the app passed to ack(): `{}` for a bare ack, e.g. `{ response_action: 'update', view }`. */
  payload: SlackObject;
  /** Milliseconds from sending the envelope to receiving the ack (Slack gives up after 3000). */
  elapsedMs: number;
  /** The connection (1-based, in order of connection) the ack came in on. */
  connection: number;
}

export interface FakeSocketModeOptions {
  teamId?: string;
  appId?: string;
  botUserId?: string;
  botId?: string;
  /** Makes default `response_url`s; FakeSlack passes `(id) => fakeSlack.responseUrl(id)`. */
  responseUrl?: (id: string) => string;
  /** How long a send*() waits for the ack before rejecting (default 5000 ms). */
  ackTimeoutMs?: number;
}

export interface SendOptions {
  /** Override the ack timeout for this envelope. */
  timeoutMs?: number;
}

interface Connection {
  n: number;
  ws: WebSocket;
  ticket: string;
}

interface PendingAck {
  envelope: SocketEnvelope;
  sentAt: number;
  resolve: (ack: SocketAck) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class FakeSocketMode {
  readonly teamId: string;
  readonly appId: string;
  readonly botUserId: string;

  /** Every envelope sent, in order. */
  readonly envelopes: SocketEnvelope[] = [];
  /** Every ack received (also acks that came too late or for unknown envelopes). */
  readonly acks: SocketAck[] = [];
  /** Text messages from the client that were not acks (should stay empty). */
  readonly otherMessages: unknown[] = [];
  /** Upgrade requests refused (unknown or reused ticket, wrong path). */
  readonly rejected: { url: string; reason: string }[] = [];
  /** WebSocket pings received from clients (the client's heartbeat). */
  pingsReceived = 0;

  private server: http.Server | undefined;
  private wss: WebSocketServer | undefined;
  private port = 0;
  private readonly tickets = new Set<string>();
  private readonly open = new Map<number, Connection>();
  private readonly pending = new Map<string, PendingAck>();
  private connectionSeq = 0;
  private envelopeSeq = 0;
  private readonly ids = new SlackIds();
  private readonly app: SlackAppIdentity;
  private readonly makeResponseUrl: (id: string) => string;
  private readonly ackTimeoutMs: number;

  constructor(options: FakeSocketModeOptions = {}) {
    this.teamId = options.teamId ?? DEFAULT_APP.teamId;
    this.appId = options.appId ?? DEFAULT_APP.appId;
    this.botUserId = options.botUserId ?? DEFAULT_APP.botUserId;
    this.app = { teamId: this.teamId, appId: this.appId, botUserId: this.botUserId, botId: options.botId ?? DEFAULT_APP.botId };
    this.makeResponseUrl = options.responseUrl ?? unreachableResponseUrl;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5000;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
      res.end('FakeSocketMode only speaks WebSocket');
    });
    const wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const ticket = url.searchParams.get('ticket') ?? '';
      const refuse = (reason: string) => {
        this.rejected.push({ url: req.url ?? '', reason });
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      };
      if (url.pathname !== '/link/') return refuse('wrong path');
      // Tickets are single use: a client that reconnects without a fresh apps.connections.open is caught.
      if (!this.tickets.delete(ticket)) return refuse('unknown or used ticket');
      wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, ticket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.wss = wss;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(`FakeSocketMode stopped before the ack of ${p.envelope.type} envelope ${p.envelope.envelope_id}`));
    }
    this.pending.clear();
    for (const c of this.open.values()) c.ws.terminate();
    this.open.clear();
    this.wss?.close();
    this.wss = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A fresh single-use connection URL, as `apps.connections.open` answers it. */
  issueUrl(): string {
    if (!this.server) throw new Error('FakeSocketMode is not started; call start() first');
    const ticket = randomBytes(8).toString('hex');
    this.tickets.add(ticket);
    return `ws://127.0.0.1:${this.port}/link/?ticket=${ticket}&app_id=${this.appId}`;
  }

  // ---- connections ---------------------------------------------------------

  /** How many connections were accepted since start (reconnects count). */
  get connectionCount(): number {
    return this.connectionSeq;
  }

  /** How many connections are open now. */
  get openConnections(): number {
    return this.open.size;
  }

  /** Waits until `count` connections have been accepted in total and at least one is open. */
  waitForConnection(count = 1, timeoutMs = 5000): Promise<void> {
    return pollUntil(
      () => this.connectionSeq >= count && this.liveConnection() !== undefined,
      timeoutMs,
      `Socket Mode connection #${count} to be open`,
      () => `connections so far: ${this.connectionSeq}, open: ${this.open.size}, refused: ${JSON.stringify(this.rejected)}`,
    ).then(() => undefined);
  }

  /**
   * Sends `{"type":"disconnect","reason":…}` on every open connection, as Slack does before it
   * recycles a connection; the client closes the socket and reconnects. Returns how many were told.
   */
  disconnect(reason: 'refresh_requested' | 'warning' | 'link_disabled' | string = 'refresh_requested'): number {
    const live = [...this.open.values()].filter((c) => c.ws.readyState === WebSocket.OPEN);
    for (const c of live) c.ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-applink' } }));
    return live.length;
  }

  /** Cuts every open connection without a close handshake, as a network failure would. */
  dropConnections(): number {
    const n = this.open.size;
    for (const c of this.open.values()) c.ws.terminate();
    return n;
  }

  private onConnection(ws: WebSocket, ticket: string): void {
    const conn: Connection = { n: ++this.connectionSeq, ws, ticket };
    this.open.set(conn.n, conn);
    ws.on('ping', () => {
      this.pingsReceived += 1;
    });
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(conn, data, isBinary));
    ws.on('close', () => this.open.delete(conn.n));
    ws.on('error', () => this.open.delete(conn.n));
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.open.size,
        debug_info: { host: 'fake-applink', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
  }

  private onMessage(conn: Connection, data: RawData, isBinary: boolean): void {
    const text = isBinary ? undefined : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8');
    let message: unknown;
    try {
      message = text === undefined ? undefined : JSON.parse(text);
    } catch {
      message = undefined;
    }
    if (!isObject(message) || typeof message.envelope_id !== 'string') {
      this.otherMessages.push(message ?? text ?? '(binary)');
      return;
    }
    const pending = this.pending.get(message.envelope_id);
    const ack: SocketAck = {
      envelope_id: message.envelope_id,
      payload: isObject(message.payload) ? message.payload : {},
      elapsedMs: pending ? Date.now() - pending.sentAt : -1,
      connection: conn.n,
    };
    this.acks.push(ack);
    if (pending) {
      this.pending.delete(message.envelope_id);
      clearTimeout(pending.timer);
      pending.resolve(ack);
    }
  }

  /** The newest open connection (Slack may use any; the newest is the one a reconnect made). */
  private liveConnection(): Connection | undefined {
    return [...this.open.values()].reverse().find((c) => c.ws.readyState === WebSocket.OPEN);
  }

  // ---- envelopes -----------------------------------------------------------

  /** Sends an envelope on the newest open connection; resolves with its ack. */
  send(
    type: EnvelopeType,
    payload: SlackObject,
    options: SendOptions & { acceptsResponsePayload?: boolean; retryAttempt?: number; retryReason?: string } = {},
  ): Promise<SocketAck> {
    const envelope: SocketEnvelope = {
      envelope_id: `${randomBytes(4).toString('hex')}-${++this.envelopeSeq}-${randomBytes(6).toString('hex')}`,
      type,
      payload,
      accepts_response_payload: options.acceptsResponsePayload ?? type !== 'events_api',
      ...(type === 'events_api' ? { retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryReason ?? '' } : {}),
    };
    const conn = this.liveConnection();
    if (!conn) {
      return Promise.reject(
        new Error(`FakeSocketMode: no open connection to send a ${type} envelope on (connections so far: ${this.connectionSeq})`),
      );
    }
    const timeoutMs = options.timeoutMs ?? this.ackTimeoutMs;
    const promise = new Promise<SocketAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelope.envelope_id);
        reject(new Error(`FakeSocketMode: no ack for ${type} envelope ${envelope.envelope_id} within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      this.pending.set(envelope.envelope_id, { envelope, sentAt: Date.now(), resolve, reject, timer });
    });
    // A test that does not await the ack must not get an unhandled rejection when the fake stops.
    promise.catch(() => undefined);
    this.envelopes.push(envelope);
    conn.ws.send(JSON.stringify(envelope));
    return promise;
  }

  /** A slash command, with the fields Slack sends (all strings, as in the HTTP form body). */
  sendCommand(input: CommandInput, options: SendOptions = {}): Promise<SocketAck> {
    const payload = commandFields(this.app, {
      ...input,
      responseUrl: input.responseUrl ?? this.makeResponseUrl(this.ids.next('cmd')),
      triggerId: input.triggerId ?? this.ids.triggerId(),
    });
    return this.send('slash_commands', payload, options);
  }

  /** Any interactivity payload (block_actions, view_submission, shortcut, …), sent as given. */
  sendInteractive(payload: SlackObject, options: SendOptions = {}): Promise<SocketAck> {
    return this.send('interactive', payload, { ...options, acceptsResponsePayload: acceptsResponsePayload(payload) });
  }

  /** A view_submission of `view` (e.g. FakeSlack's stored view) with `state.values` replaced by `values`. */
  sendViewSubmission(input: ViewSubmissionInput, options: SendOptions = {}): Promise<SocketAck> {
    return this.sendInteractive(viewSubmissionPayload(this.app, { ...input, triggerId: input.triggerId ?? this.ids.triggerId() }), options);
  }

  /**
   * A block_actions payload. With `view`, it comes from a modal; otherwise from a message in
   * `channelId` at `messageTs` (or from the given `container`).
   */
  sendBlockAction(input: BlockActionInput, options: SendOptions = {}): Promise<SocketAck> {
    const actionTs = this.ids.slackTs();
    const triggerId = input.triggerId ?? this.ids.triggerId();
    const responseUrl = input.view ? input.responseUrl : (input.responseUrl ?? this.makeResponseUrl(this.ids.next('action')));
    return this.sendInteractive(blockActionsPayload(this.app, { ...input, triggerId, actionTs, ...(responseUrl ? { responseUrl } : {}) }), options);
  }

  /** An Events API callback around `event`. */
  sendEvent(event: SlackObject, options: SendOptions & { eventId?: string; retryAttempt?: number; retryReason?: string } = {}): Promise<SocketAck> {
    const payload = eventEnvelope(this.app, event, {
      ts: typeof event.ts === 'string' ? event.ts : this.ids.slackTs(),
      eventId: options.eventId ?? this.ids.eventId(),
      eventTime: Math.floor(Date.now() / 1000),
      eventContext: this.ids.eventContext(),
    });
    return this.send('events_api', payload, options);
  }
}

function isObject(value: unknown): value is SlackObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
