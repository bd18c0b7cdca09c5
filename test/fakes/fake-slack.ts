// Fake Slack Web API over real HTTP. The app under test gets `apiUrl` as Bolt's
// `clientOptions.slackApiUrl`, so its real WebClient posts `/api/<method>` here.
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { FakeSocketMode } from './fake-socket-mode.js';
import { describeFn, FaultQueue, LocalServer, pollUntil, readBody, sendJson } from './http-util.js';

// Slack payloads are loose JSON; tests index into them freely.
export type SlackObject = Record<string, any>;

export interface SlackCall {
  method: string;
  /** Body arguments, with JSON-encoded fields (view, blocks, …) decoded; `token` removed. */
  args: SlackObject;
  token: string | undefined;
  at: number;
  /** Set when an injected fault answered this call instead of the fake's normal handling. */
  fault?: SlackFault;
}

export interface SlackFault {
  /** Answer 200 `{ ok: false, error }`. */
  error?: string;
  /** Answer this HTTP status (429 adds `Retry-After`). */
  status?: number;
  retryAfterSeconds?: number;
  /** How many calls this fault answers (default 1). */
  times?: number;
  /** Wait before answering; alone, the call is then handled normally. */
  delayMs?: number;
  /** Only for calls naming this channel (default: any call to the method). */
  channel?: string;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: SlackObject[];
  /** How many times chat.update changed it. */
  edits: number;
  /** Every argument of the post (and of the latest update), e.g. `unfurl_links`, `metadata`. */
  args: SlackObject;
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  message_ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: SlackObject[];
  args: SlackObject;
}

export interface StoredView extends SlackObject {
  id: string;
  hash: string;
  type: string;
  team_id: string;
  state: { values: SlackObject };
  blocks: SlackObject[];
  previous_view_id: string | null;
  root_view_id: string;
}

// Fields that are plain text even when they happen to look like JSON.
const TEXT_FIELDS = new Set(['text', 'markdown_text', 'initial_comment', 'title', 'username', 'alt_text']);

export class FakeSlack {
  readonly botUserId = 'UBOT';
  readonly botId = 'BBOT';
  readonly teamId = 'T111';
  readonly appId = 'A111';

  readonly calls: SlackCall[] = [];
  readonly views = new Map<string, StoredView>();
  readonly messages: FakeMessage[] = [];
  readonly ephemerals: FakeEphemeral[] = [];
  readonly responses: { id: string; body: unknown }[] = [];
  /** Channels the bot is not a member of: posting there answers `not_in_channel`. */
  readonly notInChannel = new Set<string>();

  private readonly server = new LocalServer('FakeSlack', (req, res) => this.route(req, res));
  private readonly faults = new FaultQueue<SlackFault>();
  private viewSeq = 0;
  private tsSeq = 0;
  private latestViewId: string | undefined;
  private socket: FakeSocketMode | undefined;

  start(): Promise<void> {
    return this.server.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.server.stop(), this.socket?.stop()]);
  }

  /**
   * Turns on Socket Mode: starts `socket` (by default a new FakeSocketMode whose response_urls
   * point here) and makes `apps.connections.open` answer its URLs. `stop()` stops it too.
   */
  async enableSocketMode(socket?: FakeSocketMode): Promise<FakeSocketMode> {
    const fake =
      socket ?? new FakeSocketMode({ teamId: this.teamId, appId: this.appId, botUserId: this.botUserId, responseUrl: (id) => this.responseUrl(id) });
    await fake.start();
    this.socket = fake;
    return fake;
  }

  /** The FakeSocketMode given to (or made by) enableSocketMode, if any. */
  get socketMode(): FakeSocketMode | undefined {
    return this.socket;
  }

  get apiUrl(): string {
    return `${this.server.origin}/api/`;
  }

  responseUrl(id: string): string {
    return `${this.server.origin}/response/${encodeURIComponent(id)}`;
  }

  /** Queue a fault for the next call(s) to `method` (faults for one method are used in order). */
  inject(method: string, fault: SlackFault): void {
    this.faults.add(method, fault);
  }

  /** Faults injected but not yet used. */
  pendingFaults(): { key: string; fault: SlackFault; left: number }[] {
    return this.faults.pending();
  }

  /** Forget the faults injected but not yet used (everything else stays). */
  clearFaults(): void {
    this.faults.clear();
  }

  /** Forget all calls, views, messages, responses and faults (the bot identity stays). */
  reset(): void {
    this.calls.length = 0;
    this.views.clear();
    this.messages.length = 0;
    this.ephemerals.length = 0;
    this.responses.length = 0;
    this.notInChannel.clear();
    this.faults.clear();
    this.latestViewId = undefined;
  }

  // ---- test-side queries ---------------------------------------------------

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  waitFor<T>(fn: () => T | undefined | false, timeoutMs = 5000, what = describeFn(fn)): Promise<T> {
    return pollUntil(fn, timeoutMs, what, () => `Slack calls so far: ${this.summary()}`);
  }

  waitForCall(method: string, predicate: (call: SlackCall) => boolean = () => true, timeoutMs = 5000): Promise<SlackCall> {
    const what = `a ${method} call${predicate.length > 0 ? ` matching ${describeFn(predicate)}` : ''}`;
    return this.waitFor(() => this.calls.find((c) => c.method === method && predicate(c)), timeoutMs, what);
  }

  /** The view with this id, or the one most recently opened/updated/pushed. */
  latestView(id?: string): StoredView | undefined {
    const key = id ?? this.latestViewId;
    return key === undefined ? undefined : this.views.get(key);
  }

  message(channel: string, ts: string): FakeMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  threadReplies(channel: string, threadTs: string): FakeMessage[] {
    return this.messages.filter((m) => m.channel === channel && m.thread_ts === threadTs && m.ts !== threadTs);
  }

  rootMessages(channel: string): FakeMessage[] {
    return this.messages.filter((m) => m.channel === channel && (m.thread_ts === undefined || m.thread_ts === m.ts));
  }

  private summary(): string {
    if (this.calls.length === 0) return '(none)';
    return this.calls.map((c) => `${c.method}${c.fault ? ' [fault]' : ''}`).join(', ');
  }

  // ---- HTTP ----------------------------------------------------------------

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);

    if (req.method === 'POST' && url.pathname.startsWith('/response/')) {
      const id = decodeURIComponent(url.pathname.slice('/response/'.length));
      this.responses.push({ id, body: tryJson(raw) ?? raw });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (req.method !== 'POST' || !url.pathname.startsWith('/api/')) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }

    const method = url.pathname.slice('/api/'.length);
    const args = parseArgs(raw, req.headers['content-type']);
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? (typeof args.token === 'string' ? args.token : undefined);
    delete args.token;
    const call: SlackCall = { method, args, token, at: Date.now() };
    this.calls.push(call);

    const fault = this.faults.take(method, (f) => f.channel === undefined || f.channel === args.channel);
    if (fault?.delayMs) await this.server.sleep(fault.delayMs);
    if (fault && (fault.status !== undefined || fault.error !== undefined)) {
      call.fault = fault;
      if (fault.status === 429) {
        sendJson(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfterSeconds ?? 1) });
      } else if (fault.status !== undefined && fault.status !== 200) {
        sendJson(res, fault.status, { ok: false, error: fault.error ?? 'internal_error' });
      } else {
        sendJson(res, 200, { ok: false, error: fault.error ?? 'internal_error' });
      }
      return;
    }

    if (method === 'apps.connections.open') {
      sendJson(res, 200, this.openConnection(bearer));
      return;
    }
    if (token?.startsWith('xapp-')) {
      // An app-level token is good for apps.connections.* only, as on Slack.
      sendJson(res, 200, { ok: false, error: 'not_allowed_token_type' });
      return;
    }
    sendJson(res, 200, token ? this.handle(method, args) : { ok: false, error: 'not_authed' });
  }

  /** Socket Mode's first step: an app-level token (Authorization header only) buys a WebSocket URL. */
  private openConnection(bearer: string | undefined): SlackObject {
    if (!bearer?.startsWith('xapp-')) return { ok: false, error: 'invalid_auth' };
    // Not a Slack error: loud, for a test that forgot enableSocketMode().
    if (!this.socket) return { ok: false, error: 'fake_socket_mode_not_enabled' };
    return { ok: true, url: this.socket.issueUrl() };
  }

  private handle(method: string, args: SlackObject): SlackObject {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://fake-workspace.slack.com/',
          team: 'Fake Workspace',
          user: 'ses-bot',
          team_id: this.teamId,
          user_id: this.botUserId,
          bot_id: this.botId,
          is_enterprise_install: false,
        };
      case 'views.open':
      case 'views.push':
        return this.openView(method, args);
      case 'views.update':
        return this.updateView(args);
      case 'chat.postMessage':
        return this.postMessage(args);
      case 'chat.update':
        return this.updateMessage(args);
      case 'chat.postEphemeral':
        return this.postEphemeral(args);
      case 'chat.delete': {
        const found = this.message(String(args.channel), String(args.ts));
        if (!found) return { ok: false, error: 'message_not_found' };
        this.deleteMessage(found.channel, found.ts);
        return { ok: true, channel: args.channel, ts: args.ts };
      }
      case 'chat.getPermalink': {
        const found = this.message(String(args.channel), String(args.message_ts));
        if (!found) return { ok: false, error: 'message_not_found' };
        return { ok: true, channel: args.channel, permalink: `https://fake-workspace.slack.com/archives/${args.channel}/p${String(args.message_ts).replace('.', '')}` };
      }
      default:
        // Loud, so a test notices the app calling something the fake does not model.
        return { ok: false, error: 'unknown_method' };
    }
  }

  // ---- views ---------------------------------------------------------------

  private openView(method: string, args: SlackObject): SlackObject {
    if (!args.trigger_id && !args.interactivity_pointer) return { ok: false, error: 'invalid_arguments' };
    if (!isObject(args.view)) return { ok: false, error: 'invalid_arguments' };
    const id = `V${String(++this.viewSeq).padStart(4, '0')}`;
    // views.push stacks on the current modal; the fake assumes the most recent one.
    const parent = method === 'views.push' ? this.latestView() : undefined;
    const view = this.storeView(id, args.view, parent?.id ?? null, parent?.root_view_id ?? id);
    return { ok: true, view };
  }

  private updateView(args: SlackObject): SlackObject {
    if (!isObject(args.view)) return { ok: false, error: 'invalid_arguments' };
    const current =
      typeof args.view_id === 'string'
        ? this.views.get(args.view_id)
        : [...this.views.values()].find((v) => args.external_id !== undefined && v.external_id === args.external_id);
    if (!current) return { ok: false, error: 'not_found' };
    if (typeof args.hash === 'string' && args.hash !== current.hash) return { ok: false, error: 'hash_conflict' };
    const view = this.storeView(current.id, args.view, current.previous_view_id, current.root_view_id);
    return { ok: true, view };
  }

  private storeView(id: string, posted: SlackObject, previous: string | null, root: string): StoredView {
    const view: StoredView = {
      type: 'modal',
      blocks: [],
      private_metadata: '',
      callback_id: '',
      external_id: '',
      ...posted,
      id,
      team_id: this.teamId,
      app_id: this.appId,
      bot_id: this.botId,
      app_installed_team_id: this.teamId,
      hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
      state: { values: {} },
      previous_view_id: previous,
      root_view_id: root,
    };
    this.views.set(id, view);
    this.latestViewId = id;
    return view;
  }

  // ---- messages ------------------------------------------------------------

  private nextTs(): string {
    // Unique, increasing, Slack-shaped: 1700000000.000100, 1700000000.000200, …
    const micros = ++this.tsSeq * 100;
    return `${1_700_000_000 + Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  private postMessage(args: SlackObject): SlackObject {
    const channel = args.channel;
    if (typeof channel !== 'string' || channel === '') return { ok: false, error: 'channel_not_found' };
    if (this.notInChannel.has(channel)) return { ok: false, error: 'not_in_channel' };
    if (!args.text && !args.blocks && !args.attachments) return { ok: false, error: 'no_text' };
    const ts = this.nextTs();
    const threadTs = typeof args.thread_ts === 'string' && args.thread_ts !== '' ? args.thread_ts : undefined;
    const stored: FakeMessage = { channel, ts, thread_ts: threadTs, text: args.text, blocks: args.blocks, edits: 0, args };
    this.messages.push(stored);
    return { ok: true, channel, ts, message: this.messageView(stored) };
  }

  private updateMessage(args: SlackObject): SlackObject {
    const { channel, ts } = args;
    if (typeof channel === 'string' && this.notInChannel.has(channel)) return { ok: false, error: 'not_in_channel' };
    const stored = typeof channel === 'string' && typeof ts === 'string' ? this.message(channel, ts) : undefined;
    if (!stored) return { ok: false, error: 'message_not_found' };
    if (args.text !== undefined) stored.text = args.text;
    if (args.blocks !== undefined) stored.blocks = args.blocks;
    stored.edits += 1;
    stored.args = { ...stored.args, ...args };
    return { ok: true, channel, ts, text: stored.text, message: this.messageView(stored) };
  }

  /** Deletes a message as a workspace admin (or chat.delete) would: later updates of it answer message_not_found. */
  deleteMessage(channel: string, ts: string): boolean {
    const at = this.messages.findIndex((m) => m.channel === channel && m.ts === ts);
    if (at < 0) return false;
    this.messages.splice(at, 1);
    return true;
  }

  private postEphemeral(args: SlackObject): SlackObject {
    const { channel, user } = args;
    if (typeof channel !== 'string' || channel === '') return { ok: false, error: 'channel_not_found' };
    if (typeof user !== 'string' || user === '') return { ok: false, error: 'user_not_found' };
    if (this.notInChannel.has(channel)) return { ok: false, error: 'not_in_channel' };
    const message_ts = this.nextTs();
    this.ephemerals.push({ channel, user, message_ts, thread_ts: args.thread_ts, text: args.text, blocks: args.blocks, args });
    return { ok: true, message_ts };
  }

  private messageView(m: FakeMessage): SlackObject {
    return {
      type: 'message',
      user: this.botUserId,
      bot_id: this.botId,
      app_id: this.appId,
      team: this.teamId,
      ts: m.ts,
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      text: m.text ?? '',
      ...(m.blocks ? { blocks: m.blocks } : {}),
    };
  }
}

/** Decode a Web API body as @slack/web-api sends it (form fields, objects as JSON strings) or as JSON. */
function parseArgs(raw: string, contentType: string | undefined): SlackObject {
  if (contentType?.includes('application/json')) {
    const parsed = tryJson(raw);
    return isObject(parsed) ? parsed : {};
  }
  const args: SlackObject = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const decoded = !TEXT_FIELDS.has(key) && /^\s*[[{]/.test(value) ? tryJson(value) : undefined;
    args[key] = decoded !== undefined && typeof decoded === 'object' ? decoded : value;
  }
  return args;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is SlackObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
