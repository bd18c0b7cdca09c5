/**
 * Smoke test of the built container image, run by scripts/build-image.sh (which makes the
 * container). Starts the fake Slack and fake AWS (test/fakes/) on 127.0.0.1, runs the image's own
 * ENTRYPOINT + CMD in the container with `buildah run` (chroot isolation shares this machine's
 * network, so the bot and the fakes reach each other on 127.0.0.1) and checks that the bot:
 * answers /healthz with 200 and passes the image's HEALTHCHECK, opens the /ses-quota modal (with
 * the current quota from the fake AWS) for a signed slash command, runs as the non-root `node`
 * user, keeps its SQLite database in /app/data, stops cleanly on SIGTERM, and that without
 * SLACK_BOT_TOKEN it exits non-zero with the one configuration message.
 *
 * Environment: CONTAINER (a `buildah from` container of the image), IMAGE_INSPECT (a file with
 * `buildah inspect --type image` of it), BUILDAH_ARGS (global buildah options: storage). Exits non-zero on failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { FakeAws } from '../test/fakes/fake-aws.js';
import { FakeSlack } from '../test/fakes/fake-slack.js';
import { SlackRequester } from '../test/helpers/slack-requests.js';
import { freePort } from '../test/helpers/free-port.js';

const SIGNING_SECRET = 'testsigningsecret0123456789abcdef';
const BOT_TOKEN = 'xoxb-111-222-testbottokenvalue';
const DATA_DIR = '/app/data';

interface ImageConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  Healthcheck?: { Test?: string[] };
}

const container = required('CONTAINER');
const image = (JSON.parse(readFileSync(required('IMAGE_INSPECT'), 'utf8')) as { Docker: { config: ImageConfig } }).Docker.config;
const buildahArgs = (process.env.BUILDAH_ARGS ?? '').split(/\s+/).filter(Boolean);
const command = [...(image.Entrypoint ?? []), ...(image.Cmd ?? [])];

let failed = false;
const started = Date.now();
function step(what: string): void {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${what}`);
}
function ok(what: string): void {
  console.log(`        ok: ${what}`);
}
function check(condition: unknown, what: string, detail = ''): asserts condition {
  if (!condition) throw new Error(`${what}${detail ? `\n${detail}` : ''}`);
  ok(what);
}

const slack = new FakeSlack();
const aws = new FakeAws();
let bot: ChildProcess | undefined;
let botExited: Promise<number | null> | undefined;
const output: string[] = [];

try {
  step(`image: user ${image.User ?? '(none)'}, workdir ${image.WorkingDir ?? '(none)'}, command ${JSON.stringify(command)}`);
  check(image.User === 'node', 'the image runs as USER node');
  check(command.length > 0, 'the image has a command');

  step('starting the fake Slack and fake AWS on 127.0.0.1');
  await Promise.all([slack.start(), aws.start()]);
  ok(`fake Slack ${slack.apiUrl}, fake AWS ${aws.url}`);

  const port = await freePort();
  const env: Record<string, string> = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    DATABASE_URL: `file:${DATA_DIR}/ses-bot.sqlite`,
    LOG_LEVEL: 'info',
    QUOTA_FILING: 'support-case',
    AWS_ENDPOINT_URL_SUPPORT: aws.url,
    AWS_ENDPOINT_URL_SESV2: aws.url,
    AWS_ENDPOINT_URL_SERVICE_QUOTAS: aws.url,
    AWS_ENDPOINT_URL_STS: aws.url,
    AWS_ENDPOINT_URL_SQS: aws.url,
    AWS_ACCESS_KEY_ID: 'AKIAFAKETESTKEY12345',
    AWS_SECRET_ACCESS_KEY: 'fakeAwsSecretAccessKeyForTests0123456789',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };

  step(`running the image's command in the container (PORT=${port}, DATABASE_URL=${env.DATABASE_URL})`);
  bot = spawn('buildah', [...buildahArgs, 'run', '--isolation', 'chroot', ...envArgs(env), container, '--', ...command], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  bot.stdout!.on('data', (d) => output.push(String(d)));
  bot.stderr!.on('data', (d) => output.push(String(d)));
  botExited = new Promise((done) => bot!.on('exit', (code) => done(code)));

  step('waiting for GET /healthz to answer 200');
  const health = await waitFor(async () => {
    if (bot!.exitCode !== null) throw new Error(`the bot exited with code ${bot!.exitCode}`);
    const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    return res?.status === 200 ? await res.text() : undefined;
  }, 60_000, '/healthz to answer 200');
  ok(`/healthz 200: ${health.slice(0, 200)}`);

  step('finding the bot process');
  const pid = botPid(bot.pid!);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
  const passwd = readFileSync(`/proc/${pid}/root/etc/passwd`, 'utf8');
  const user = passwd.split('\n').find((l) => l.split(':')[2] === String(uid))?.split(':')[0];
  ok(`pid ${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim()}`);
  check(uid !== 0 && user === 'node', `the bot process runs as the non-root node user (uid ${uid}, ${user ?? 'not in /etc/passwd'})`);

  step(`checking ${DATA_DIR}`);
  const data = `/proc/${pid}/root${DATA_DIR}`;
  check(statSync(data).uid === uid, `${DATA_DIR} belongs to node`);
  const files = readdirSync(data);
  check(files.includes('ses-bot.sqlite') && statSync(`${data}/ses-bot.sqlite`).uid === uid,
    `the bot created its SQLite database in ${DATA_DIR} (writable by node)`, `files: ${files.join(', ')}`);

  if (image.Healthcheck?.Test?.length) {
    step(`running the image's HEALTHCHECK: ${JSON.stringify(image.Healthcheck.Test)}`);
    const [kind, ...test] = image.Healthcheck.Test;
    const argv = kind === 'CMD-SHELL' ? ['/bin/sh', '-c', test.join(' ')] : test;
    const probe = spawnSync('buildah', [...buildahArgs, 'run', '--isolation', 'chroot', '-e', `PORT=${port}`, container, '--', ...argv], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    check(probe.status === 0, 'the HEALTHCHECK passes', `exit ${probe.status}: ${probe.stderr}`);
  } else {
    step('the image has no HEALTHCHECK (built in OCI format?)');
    failed = true;
  }

  step('sending a signed /ses-quota slash command to POST /slack/events');
  const requester = new SlackRequester(`http://127.0.0.1:${port}`, SIGNING_SECRET, { responseUrl: (id) => slack.responseUrl(id) });
  const res = await requester.command({ command: '/ses-quota', userId: 'U0REQUEST', channelId: 'C0SESOPS' });
  check(res.status === 200, `the bot acknowledged the command (HTTP ${res.status})`, res.body);
  await slack.waitFor(() => slack.callsTo('views.open')[0], 10_000, 'views.open');
  ok('views.open reached the fake Slack');
  const view = await slack.waitFor(() => {
    const v = slack.latestView();
    return v && !JSON.stringify(v.blocks).includes('looking up the current quota') ? v : undefined;
  }, 10_000, 'the modal to show the current quota');
  check(JSON.stringify(view.blocks).includes('Current sending quota'), 'the modal shows the current sending quota from the fake AWS (SESv2 GetAccount)');

  step('stopping the bot with SIGTERM');
  process.kill(pid, 'SIGTERM');
  const code = await within(botExited, 15_000, 'the bot to stop');
  check(code === 0, `the bot stopped cleanly (exit code ${code})`);
  bot = undefined;

  step('running the image without SLACK_BOT_TOKEN');
  const { SLACK_BOT_TOKEN: _, ...noToken } = env;
  const run = spawnSync('buildah', [...buildahArgs, 'run', '--isolation', 'chroot', ...envArgs(noToken), container, '--', ...command], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  // buildah reports the exit status in lines of its own; the rest is the bot's.
  const botLines = run.stderr.split('\n').filter((l) => l && !/^(subprocess exited with status \d+|Error: exit status \d+)$/.test(l));
  console.log(run.stderr.replace(/^/gm, '        | '));
  check(run.status !== 0 && run.status !== null, `it exits non-zero (exit code ${run.status})`);
  check(
    botLines[0] === 'The bot cannot start: fix these settings (environment or .env):' &&
      botLines.slice(1).length === 1 &&
      /^ {2}- SLACK_BOT_TOKEN: required/.test(botLines[1] ?? ''),
    'with the one configuration message naming SLACK_BOT_TOKEN and no stack trace',
    `stderr: ${run.stderr}`,
  );
  check(run.stdout.trim() === '', 'and nothing on stdout', run.stdout);
} catch (err) {
  failed = true;
  console.error(`\nFAILED: ${err instanceof Error ? err.message : String(err)}`);
  if (output.length > 0) console.error(`\nthe bot's output:\n${output.join('').replace(/^/gm, '  | ')}`);
} finally {
  if (bot && bot.exitCode === null) {
    // Killing buildah alone would leave the bot running: kill everything under it, bot first.
    for (const pid of descendants(bot.pid!).reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    bot.kill('SIGKILL');
    await within(botExited!, 10_000, 'buildah run to end').catch(() => undefined);
  }
  await Promise.all([slack.stop(), aws.stop()]);
}
step(failed ? 'smoke test FAILED' : 'smoke test passed');
process.exit(failed ? 1 : 0);

// ---------------------------------------------------------------------------------------------

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run scripts/build-image.sh)`);
  return value;
}

function envArgs(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
}

/** Every process below `root`, nearest first. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended meanwhile
    }
  }
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/**
 * The bot under `buildah run` (pid `root`): buildah-chroot-runtime starts buildah-chroot-exec,
 * which starts the image's command (the entrypoint execs node). Its argv[0] is node.
 */
function botPid(root: number): number {
  for (const pid of descendants(root)) {
    try {
      const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
      if (argv0 === 'node' || argv0.endsWith('/node')) return pid;
    } catch {
      // the process ended meanwhile
    }
  }
  throw new Error(`no node process under buildah run (pid ${root})`);
}

async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
