/**
 * The Slack app manifests must declare what the code needs and no more:
 *   - manifest.yml (Socket Mode) and manifest.http.yml (HTTP mode) carry the commands, bot scopes
 *     and bot events of src/slack/scopes.ts, and are the same app apart from how Slack reaches it;
 *   - every Slack Web API method that src/ calls is granted by a scope in BOT_SCOPES, and every
 *     scope in BOT_SCOPES (but `commands`) is needed by some called method or handled event.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BOT_EVENTS, BOT_SCOPES, SLASH_COMMANDS } from '../src/slack/scopes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SLACK_PATH = '/slack/events';

interface SlashCommand {
  command?: string;
  description?: string;
  usage_hint?: string;
  url?: string;
}

interface Manifest {
  _metadata?: { major_version?: number };
  display_information?: { name?: string; description?: string };
  features?: { bot_user?: { display_name?: string }; slash_commands?: SlashCommand[] };
  oauth_config?: { scopes?: { bot?: string[]; user?: string[] } };
  settings?: {
    socket_mode_enabled?: boolean;
    interactivity?: { is_enabled?: boolean; request_url?: string };
    event_subscriptions?: { request_url?: string; bot_events?: string[]; user_events?: string[] };
  };
}

function loadManifest(file: string): Manifest {
  const parsed: unknown = parse(readFileSync(join(ROOT, file), 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${file} is not a YAML mapping`);
  return parsed as Manifest;
}

/** Every field whose name mentions a URL (url, request_url, message_menu_options_url, redirect_urls…), anywhere. */
function urlFields(value: unknown, path = ''): { path: string; value: unknown }[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const here = path ? `${path}.${key}` : key;
    return [...(/url/i.test(key) ? [{ path: here, value: child }] : []), ...urlFields(child, here)];
  });
}

/** The manifest without what differs between the modes, to compare the two files. */
function withoutTransport(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTransport);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !/url/i.test(key) && key !== 'socket_mode_enabled')
      .map(([key, child]) => [key, withoutTransport(child)]),
  );
}

const sorted = (values: readonly string[]) => [...values].sort();

const MANIFESTS = [
  { file: 'manifest.yml', mode: 'socket' },
  { file: 'manifest.http.yml', mode: 'http' },
] as const;

describe.each(MANIFESTS)('$file ($mode mode)', ({ file, mode }) => {
  const manifest = loadManifest(file);
  const settings = manifest.settings ?? {};

  it('has the fields a Slack app manifest needs', () => {
    const name = manifest.display_information?.name ?? '';
    expect(name.trim(), 'display_information.name').not.toBe('');
    expect(name.length, 'display_information.name is at most 35 characters').toBeLessThanOrEqual(35);
    const botName = manifest.features?.bot_user?.display_name ?? '';
    expect(botName.trim(), 'features.bot_user.display_name').not.toBe('');
    expect(botName.length, 'features.bot_user.display_name is at most 80 characters').toBeLessThanOrEqual(80);
    expect(manifest.display_information?.description?.length ?? 0, 'description is at most 140 characters').toBeLessThanOrEqual(140);
    if (manifest._metadata !== undefined) expect(manifest._metadata.major_version, '_metadata.major_version').toBe(1);
  });

  it('declares exactly the slash commands of SLASH_COMMANDS', () => {
    const commands = manifest.features?.slash_commands ?? [];
    const declared = Object.fromEntries(commands.map((c) => [c.command, c.description]));
    expect(commands.length, 'no command declared twice').toBe(Object.keys(declared).length);
    expect(declared).toEqual(SLASH_COMMANDS);
    for (const c of commands) {
      expect(c.command, 'a lowercase command of at most 32 characters').toMatch(/^\/[a-z0-9_-]{1,31}$/);
      if (c.usage_hint !== undefined) expect(c.usage_hint.trim(), `${c.command} usage_hint`).not.toBe('');
    }
  });

  it('asks for exactly the bot scopes of BOT_SCOPES and no user scopes', () => {
    const bot = manifest.oauth_config?.scopes?.bot ?? [];
    expect(sorted(bot)).toEqual(sorted(Object.keys(BOT_SCOPES)));
    expect(new Set(bot).size, 'no scope listed twice').toBe(bot.length);
    expect(manifest.oauth_config?.scopes?.user ?? []).toEqual([]);
  });

  it('subscribes to exactly the bot events of BOT_EVENTS', () => {
    const events = settings.event_subscriptions;
    if (BOT_EVENTS.length === 0) {
      expect(events, 'no event_subscriptions section while BOT_EVENTS is empty').toBeUndefined();
    } else {
      expect(sorted(events?.bot_events ?? [])).toEqual(sorted(BOT_EVENTS));
    }
    expect(events?.user_events ?? []).toEqual([]);
  });

  it('enables interactivity (the modal and the message buttons)', () => {
    expect(settings.interactivity?.is_enabled).toBe(true);
  });

  if (mode === 'socket') {
    it('is a Socket Mode app with no request URL anywhere', () => {
      expect(settings.socket_mode_enabled).toBe(true);
      expect(urlFields(manifest).map((f) => f.path)).toEqual([]);
    });
  } else {
    it(`is an HTTP app whose every request URL ends in ${SLACK_PATH}`, () => {
      expect(settings.socket_mode_enabled ?? false).toBe(false);
      for (const c of manifest.features?.slash_commands ?? []) {
        expect(c.url, `${c.command} url`).toMatch(/^https:\/\/.+\/slack\/events$/);
      }
      expect(settings.interactivity?.request_url, 'interactivity.request_url').toMatch(/^https:\/\/.+\/slack\/events$/);
      if (settings.event_subscriptions !== undefined) {
        expect(settings.event_subscriptions.request_url, 'event_subscriptions.request_url').toMatch(/^https:\/\/.+\/slack\/events$/);
      }
      // Nothing else points elsewhere, and there is one host to replace.
      const fields = urlFields(manifest);
      for (const f of fields) expect(f.value, f.path).toMatch(/^https:\/\/.+\/slack\/events$/);
      expect(new Set(fields.map((f) => f.value)).size, 'every URL is the same one').toBe(1);
    });
  }
});

describe('the two manifests', () => {
  it('describe the same app apart from how Slack reaches it', () => {
    expect(withoutTransport(loadManifest('manifest.http.yml'))).toEqual(withoutTransport(loadManifest('manifest.yml')));
  });
});

// ---------------------------------------------------------------------------------------------
// Scopes the code needs.

/**
 * The bot-token scopes each Slack Web API method accepts (any one of them will do; [] means the
 * method needs none), as the method's page in Slack's API reference lists them. A method that
 * src/ calls must be here.
 */
const METHOD_SCOPES: Record<string, readonly string[]> = {
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.delete': ['chat:write'],
  'chat.scheduleMessage': ['chat:write'],
  'chat.getPermalink': [],
  'views.open': [],
  'views.update': [],
  'views.push': [],
  'views.publish': [],
  'auth.test': [],
  'apps.connections.open': [], // uses the app-level token (connections:write), not a bot scope
  'conversations.info': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
  'conversations.list': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
  'conversations.members': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
  'conversations.history': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
  'conversations.replies': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
  'conversations.join': ['channels:join'],
  'conversations.open': ['im:write', 'mpim:write'],
  'users.info': ['users:read'],
  'users.list': ['users:read'],
  'users.lookupByEmail': ['users:read.email'],
  'users.profile.get': ['users.profile:read'],
  'reactions.add': ['reactions:write'],
  'reactions.remove': ['reactions:write'],
  'reactions.get': ['reactions:read'],
};

/** The bot scopes each Events API event needs (any one of them will do). */
const EVENT_SCOPES: Record<string, readonly string[]> = {
  'message.channels': ['channels:history'],
  'message.groups': ['groups:history'],
  'message.im': ['im:history'],
  'message.mpim': ['mpim:history'],
  app_mention: ['app_mentions:read'],
  reaction_added: ['reactions:read'],
  reaction_removed: ['reactions:read'],
  member_joined_channel: ['channels:read', 'groups:read'],
  member_left_channel: ['channels:read', 'groups:read'],
  app_home_opened: [],
  app_uninstalled: [],
  tokens_revoked: [],
};

/** Method families scanned for, as in `client.chat.postMessage(` or `this.client.views.open(`. */
const API_FAMILIES = new Set(['chat', 'views', 'conversations', 'users', 'reactions', 'apps', 'auth']);

/** The property names of a call's callee, outermost last: `this.client.chat.update` → client, chat, update. */
function calleeProperties(callee: ts.Expression): string[] {
  const names: string[] = [];
  let node: ts.Expression = callee;
  while (ts.isPropertyAccessExpression(node) || ts.isNonNullExpression(node) || ts.isParenthesizedExpression(node)) {
    if (ts.isPropertyAccessExpression(node)) names.unshift(node.name.text);
    node = node.expression;
  }
  return names;
}

/** The Web API method a call makes, if it is one: `client.chat.postMessage(…)`, `client.apiCall('x.y', …)`, Bolt's `say(…)`. */
function slackMethodOf(call: ts.CallExpression): string | undefined {
  if (ts.isIdentifier(call.expression) && call.expression.text === 'say') return 'chat.postMessage';
  const names = calleeProperties(call.expression);
  const first = call.arguments[0];
  if (names.at(-1) === 'apiCall' && first && ts.isStringLiteralLike(first)) return first.text;
  const family = names.findIndex((n) => API_FAMILIES.has(n));
  return family >= 0 && family < names.length - 1 ? names.slice(family).join('.') : undefined;
}

/** Every Slack Web API method called in src/, with where ("src/slack/messenger.ts:35"). */
function slackMethodsCalledInSrc(): Map<string, string[]> {
  const calls = new Map<string, string[]>();
  const files = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  for (const file of files.sort()) {
    const source = ts.createSourceFile(file, readFileSync(join(ROOT, 'src', file), 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const method = slackMethodOf(node);
        if (method) {
          const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
          calls.set(method, [...(calls.get(method) ?? []), `src/${file.replace(/\\/g, '/')}:${line}`]);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return calls;
}

describe('scopes and the code', () => {
  const calls = slackMethodsCalledInSrc();
  const scopes = new Set(Object.keys(BOT_SCOPES));

  it('finds the Slack Web API calls in src/', () => {
    expect(calls.size, 'the scan found no Slack Web API call at all: is it still looking in the right place?').toBeGreaterThan(0);
  });

  it('grants every Web API method that src/ calls a scope in BOT_SCOPES', () => {
    const problems: string[] = [];
    for (const [method, where] of calls) {
      const accepted = METHOD_SCOPES[method];
      if (accepted === undefined) {
        problems.push(
          `${method} (called at ${where.join(', ')}) is not in METHOD_SCOPES in test/manifest.test.ts: add it with the bot scopes its page in Slack's API reference lists ([] if none)`,
        );
      } else if (accepted.length > 0 && !accepted.some((s) => scopes.has(s))) {
        problems.push(`${method} (called at ${where.join(', ')}) needs one of ${accepted.join(', ')}: add it to BOT_SCOPES in src/slack/scopes.ts and to both manifests`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('grants every event in BOT_EVENTS a scope in BOT_SCOPES', () => {
    const problems: string[] = [];
    for (const event of BOT_EVENTS) {
      const accepted = EVENT_SCOPES[event];
      if (accepted === undefined) {
        problems.push(`${event} is not in EVENT_SCOPES in test/manifest.test.ts: add it with the bot scopes its page in Slack's event reference lists ([] if none)`);
      } else if (accepted.length > 0 && !accepted.some((s) => scopes.has(s))) {
        problems.push(`the ${event} event needs one of ${accepted.join(', ')}: add it to BOT_SCOPES in src/slack/scopes.ts and to both manifests`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('asks for no scope that nothing uses', () => {
    const needed = new Set([
      ...[...calls.keys()].flatMap((m) => METHOD_SCOPES[m] ?? []),
      ...BOT_EVENTS.flatMap((e) => EVENT_SCOPES[e] ?? []),
    ]);
    const unused = [...scopes].filter((s) => s !== 'commands' && !needed.has(s));
    expect(unused, 'scopes in BOT_SCOPES that no called Web API method nor handled event needs: remove them (and from both manifests)').toEqual([]);
  });

  it('asks for `commands` exactly when there are slash commands', () => {
    expect(scopes.has('commands')).toBe(Object.keys(SLASH_COMMANDS).length > 0);
  });
});
