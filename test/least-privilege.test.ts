/**
 * Least privilege, checked against the code rather than taken on trust:
 *   - docs/iam-policy.json grants exactly the AWS actions that src/ sends: every
 *     `new <Name>Command(` (and `paginate<Name>(`) imported from @aws-sdk/client-support,
 *     @aws-sdk/client-sesv2 or @aws-sdk/client-service-quotas, read with the TypeScript compiler
 *     API, and nothing more;
 *   - the running bot, driven through filing, the dedicated-IP modal, a sync, a reply and a
 *     resolution, sends the fake AWS nothing that the policy does not grant;
 *   - docs/iam-trust-policy.json, the trust policy of the role each account gives the bot, lets
 *     one principal do one thing: sts:AssumeRole, with the external id;
 *   - docs/slack-scopes.md documents exactly the bot scopes of BOT_SCOPES.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { BOT_SCOPES } from '../src/slack/scopes.js';
import type { AwsCall } from './fakes/fake-aws.js';
import { fillState } from './helpers/slack-requests.js';
import { CHANNEL, REQUESTER, fileQuotaCase, openDedicatedIpModal, openQuotaModal, startHarness, syncNow, validQuotaInputs, type Harness } from './helpers/harness.js';
import { managedPool, standardPool, warm, warming } from './helpers/dedicated-ip-fixtures.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const POLICY_FILE = 'docs/iam-policy.json';
const TRUST_POLICY_FILE = 'docs/iam-trust-policy.json';
const SCOPES_FILE = 'docs/slack-scopes.md';

/** The AWS SDK clients the bot may use, and the IAM prefix of their actions (SESv2's is `ses`). */
const IAM_PREFIX: Record<string, string> = {
  '@aws-sdk/client-support': 'support',
  '@aws-sdk/client-sesv2': 'ses',
  '@aws-sdk/client-service-quotas': 'servicequotas',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-sqs': 'sqs',
};
/**
 * Sent by src/ with each account's role, yet granted by no policy: AWS answers
 * GetCallerIdentity for every principal (the bot checks which account a role lands in).
 * AssumeRole is the bot's own principal's permission, sent inside the SDK's credential provider.
 */
const NEEDS_NO_GRANT = new Set(['sts:GetCallerIdentity']);
/** The fake AWS's name for each service, and the IAM prefix of its operations. */
const FAKE_SERVICE_PREFIX: Record<AwsCall['service'], string> = { support: 'support', sesv2: 'ses', servicequotas: 'servicequotas', sqs: 'sqs' };
/** Aggregated clients send commands from methods (`ses.getAccount()`), which the scan cannot see. */
const AGGREGATED_CLIENTS = new Set(['Support', 'SESv2', 'ServiceQuotas']);

// ---- the policy ----------------------------------------------------------------------------

interface Statement {
  Sid?: unknown;
  Effect?: unknown;
  Action?: unknown;
  Resource?: unknown;
  [key: string]: unknown;
}

interface Policy {
  Version?: unknown;
  Statement?: unknown;
  [key: string]: unknown;
}

function loadPolicy(file = POLICY_FILE): Policy {
  const parsed: unknown = JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${file} is not a JSON object`);
  return parsed as Policy;
}

function statementsOf(policy: Policy): Statement[] {
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  return statements.filter((s): s is Statement => typeof s === 'object' && s !== null);
}

function actionsOf(statement: Statement): string[] {
  const action = statement.Action;
  if (typeof action === 'string') return [action];
  return Array.isArray(action) ? action.filter((a): a is string => typeof a === 'string') : [];
}

/** Every action the policy grants. */
function grantedActions(policy: Policy): Set<string> {
  return new Set(statementsOf(policy).flatMap(actionsOf));
}

// ---- the code ----------------------------------------------------------------------------

interface Scan {
  /** IAM action → where it is sent ("src/aws/support-gateway.ts:123"). */
  actions: Map<string, string[]>;
  /** AWS SDK usage this scan cannot map to actions, which the policy could therefore miss. */
  problems: string[];
}

function sourceFiles(): string[] {
  return readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.replace(/\\/g, '/'))
    .sort();
}

/** Every AWS action that src/ sends through the Support and SESv2 clients, with where. */
function awsActionsSentBySrc(): Scan {
  const actions = new Map<string, string[]>();
  const problems: string[] = [];
  const add = (action: string, where: string) => actions.set(action, [...(actions.get(action) ?? []), where]);

  for (const file of sourceFiles()) {
    const path = `src/${file}`;
    const source = ts.createSourceFile(file, readFileSync(join(ROOT, path), 'utf8'), ts.ScriptTarget.Latest, true);
    const at = (node: ts.Node) => `${path}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
    /** Local name → the name it has in the client package, and that package's IAM prefix. */
    const named = new Map<string, { imported: string; prefix: string }>();
    /** Local names of `import * as x` (or default) imports of a client package → IAM prefix. */
    const namespaces = new Map<string, string>();

    for (const statement of source.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      const module = statement.moduleSpecifier.text;
      if (!module.startsWith('@aws-sdk/client-')) continue;
      const clause = statement.importClause;
      if (!clause || clause.isTypeOnly) continue;
      const prefix = IAM_PREFIX[module];
      if (prefix === undefined) {
        problems.push(`${at(statement)} imports ${module}: the policy and this test cover only ${Object.keys(IAM_PREFIX).join(' and ')}; add the service to both`);
        continue;
      }
      if (clause.name) namespaces.set(clause.name.text, prefix);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) namespaces.set(bindings.name.text, prefix);
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          if (element.isTypeOnly) continue;
          const imported = (element.propertyName ?? element.name).text;
          if (AGGREGATED_CLIENTS.has(imported)) {
            problems.push(`${at(element)} imports the aggregated client ${imported} from ${module}: send XxxCommand objects instead, so that this test sees every action`);
          }
          named.set(element.name.text, { imported, prefix });
        }
      }
    }

    /** The client-package name an expression refers to: `CreateCaseCommand`, `support.CreateCaseCommand`. */
    const resolve = (expression: ts.Expression): { imported: string; prefix: string } | undefined => {
      if (ts.isIdentifier(expression)) return named.get(expression.text);
      if (ts.isPropertyAccessExpression(expression) && ts.isIdentifier(expression.expression)) {
        const prefix = namespaces.get(expression.expression.text);
        if (prefix !== undefined) return { imported: expression.name.text, prefix };
      }
      return undefined;
    };

    const visit = (node: ts.Node): void => {
      // import('@aws-sdk/client-…') would hide its commands from this scan: a module that imports
      // them by name can itself be loaded lazily instead (src/aws/sqs-calls.ts, sts-calls.ts).
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const [specifier] = node.arguments;
        if (specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith('@aws-sdk/client-')) {
          problems.push(`${at(node)} imports ${specifier.text} dynamically: import its commands by name in a module of its own and load that module lazily, so that this test sees every action`);
        }
      }
      if (ts.isNewExpression(node)) {
        const target = resolve(node.expression);
        const operation = target && /^(\w+)Command$/.exec(target.imported)?.[1];
        if (target && operation) add(`${target.prefix}:${operation}`, at(node));
      } else if (ts.isCallExpression(node)) {
        // paginateDescribeCases(…) sends DescribeCasesCommand itself.
        const target = resolve(node.expression);
        const operation = target && /^paginate(\w+)$/.exec(target.imported)?.[1];
        if (target && operation) add(`${target.prefix}:${operation}`, at(node));
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { actions, problems };
}

const sorted = (values: Iterable<string>) => [...values].sort();

describe(`${POLICY_FILE}`, () => {
  const policy = loadPolicy();
  const statements = statementsOf(policy);

  it('is a plain allow-list: version 2012-10-17, Allow statements of named actions on "*", each with a Sid', () => {
    expect(policy.Version, 'Version').toBe('2012-10-17');
    expect(Object.keys(policy).sort(), 'top-level keys').toEqual(['Statement', 'Version']);
    expect(Array.isArray(policy.Statement) && policy.Statement.length > 0, 'Statement is a non-empty list').toBe(true);
    expect(statements).toHaveLength((policy.Statement as unknown[]).length);

    const sids: string[] = [];
    const seen = new Set<string>();
    for (const [i, s] of statements.entries()) {
      const name = typeof s.Sid === 'string' ? s.Sid : `Statement[${i}]`;
      // No NotAction, NotResource, Principal or Condition: nothing that widens or hides a grant.
      expect(Object.keys(s).sort(), `${name}: keys`).toEqual(['Action', 'Effect', 'Resource', 'Sid']);
      expect(s.Sid, `${name}: Sid (letters and digits only, as IAM requires)`).toMatch(/^[A-Za-z0-9]+$/);
      sids.push(String(s.Sid));
      expect(s.Effect, `${name}: Effect`).toBe('Allow');
      // Support has no resource-level permissions; the SESv2 reads cover every pool in every region.
      expect(s.Resource, `${name}: Resource`).toBe('*');
      expect(Array.isArray(s.Action) && s.Action.length > 0, `${name}: Action is a non-empty list`).toBe(true);
      const actions = actionsOf(s);
      expect(actions, `${name}: every action is a string`).toHaveLength((s.Action as unknown[]).length);
      for (const action of actions) {
        expect(action, `${name}: ${action} is one named Support, SES, Service Quotas or SQS action, no wildcard`).toMatch(/^(support|ses|servicequotas|sqs):[A-Z][A-Za-z0-9]+$/);
        expect(seen.has(action), `${action} is granted once`).toBe(false);
        seen.add(action);
      }
      const prefixes = new Set(actions.map((a) => a.split(':')[0]));
      expect(prefixes.size, `${name}: one service per statement, so that its Sid says what it is for`).toBe(1);
    }
    expect(new Set(sids).size, 'Sids are unique').toBe(sids.length);
  });

  it('grants only reads on SES, and the one write that requests production access for a sandboxed region (ses:PutAccountDetails)', () => {
    const ses = sorted(grantedActions(policy)).filter((a) => a.startsWith('ses:'));
    expect(ses.filter((a) => !/^ses:(Get|List)[A-Z]/.test(a)), 'SES actions that are not Get*/List*').toEqual(['ses:PutAccountDetails']);
    // The write sits in a statement of its own, so that its Sid says why the bot may change the SES account.
    const writes = statements.filter((s) => actionsOf(s).includes('ses:PutAccountDetails'));
    expect(writes.map(actionsOf), 'the statement granting ses:PutAccountDetails grants nothing else').toEqual([['ses:PutAccountDetails']]);
    expect(String(writes[0]?.Sid), 'its Sid says it is for production access').toMatch(/ProductionAccess/);
  });

  it('grants exactly the AWS actions that src/ sends: nothing missing, nothing unused', () => {
    const { actions: sent, problems } = awsActionsSentBySrc();
    expect(problems, 'AWS SDK usage in src/ that this test cannot map to IAM actions').toEqual([]);
    expect(sent.size, 'the scan found no AWS command at all: is it still looking in the right place?').toBeGreaterThan(0);

    const granted = grantedActions(policy);
    const missing = sorted(sent.keys())
      .filter((a) => !granted.has(a) && !NEEDS_NO_GRANT.has(a))
      .map((a) => `${a} (sent at ${sent.get(a)!.join(', ')})`);
    const unused = sorted(granted).filter((a) => !sent.has(a));
    expect(
      { missing, unused },
      `${POLICY_FILE} must grant exactly the actions src/ sends. "missing": add to the policy (the bot would get AccessDenied). ` +
        `"unused": remove from the policy (nothing in src/ sends it).`,
    ).toEqual({ missing: [], unused: [] });
  });
});

describe(`${TRUST_POLICY_FILE}`, () => {
  it('lets one AWS principal assume the role, and only with the external id: one Allow of sts:AssumeRole', () => {
    const policy = loadPolicy(TRUST_POLICY_FILE);
    expect(policy.Version, 'Version').toBe('2012-10-17');
    expect(Object.keys(policy).sort(), 'top-level keys').toEqual(['Statement', 'Version']);
    expect(Array.isArray(policy.Statement) && policy.Statement.length === 1, 'Statement is a list of one').toBe(true);
    const [s] = statementsOf(policy);
    expect(s, 'the statement is an object').toBeDefined();
    // No NotPrincipal, NotAction or Resource: a trust policy names who, and the role is the resource.
    expect(Object.keys(s!).sort(), 'statement keys').toEqual(['Action', 'Condition', 'Effect', 'Principal', 'Sid']);
    expect(s!.Sid, 'Sid (letters and digits only, as IAM requires)').toMatch(/^[A-Za-z0-9]+$/);
    expect(s!.Effect, 'Effect').toBe('Allow');
    expect(actionsOf(s!), 'Action').toEqual(['sts:AssumeRole']);

    // One principal, the bot's own: an IAM role or user ARN (a placeholder account id is fine), never "*".
    const principal = s!.Principal as Record<string, unknown> | undefined;
    expect(typeof principal === 'object' && principal !== null ? Object.keys(principal) : principal, 'Principal has AWS only').toEqual(['AWS']);
    expect(principal!.AWS, 'Principal.AWS is one IAM role or user ARN').toMatch(/^arn:aws[a-z-]*:iam::[A-Z0-9_]+:(role|user)\/[\w+=,.@/-]+$/);

    // The external id: StringEquals on sts:ExternalId, one string value, and no other condition.
    expect(s!.Condition, 'Condition').toEqual({ StringEquals: { 'sts:ExternalId': expect.any(String) } });
    const externalId = (s!.Condition as { StringEquals: Record<string, string> }).StringEquals['sts:ExternalId']!;
    expect(externalId.length, 'sts:ExternalId is not empty').toBeGreaterThan(0);
  });
});

// ---- the running bot ---------------------------------------------------------------------

/** An operation the fake AWS recorded, as the IAM action that authorises it. */
const iamActionOf = (call: AwsCall) => `${FAKE_SERVICE_PREFIX[call.service]}:${call.operation}`;

function rootButton(h: Harness, rootTs: string, actionId: string): { action_id: string; block_id: string; value: string } {
  const root = h.slack.message(CHANNEL, rootTs);
  for (const block of root?.blocks ?? []) {
    if (block.type !== 'actions') continue;
    const button = (block.elements ?? []).find((e: { action_id?: string }) => e.action_id === actionId);
    if (button) return { action_id: actionId, block_id: block.block_id ?? 'b', value: button.value };
  }
  throw new Error(`no ${actionId} button on the thread root`);
}

async function clickRootButton(h: Harness, rootTs: string, actionId: string): Promise<void> {
  const res = await h.requester.blockAction({ userId: REQUESTER, channelId: CHANNEL, messageTs: rootTs, actions: [rootButton(h, rootTs, actionId)] });
  if (res.status !== 200) throw new Error(`${actionId} answered ${res.status}: ${res.body}`);
}

describe('the policy against what the running bot sends', () => {
  it('grants every operation the bot sends while filing, reading the inventory, syncing, replying and resolving', async () => {
    const h = await startHarness({ AWS_REGION: 'eu-west-1' });
    try {
      h.aws.setDedicatedIps('eu-west-1', [
        standardPool('marketing', [warm('198.51.100.10'), warming('198.51.100.2', 45)]),
        managedPool('auto-pool', ['192.0.2.1']),
      ]);

      // A quota case: GetAccount for the modal, DescribeServices, CreateCase, DescribeCases.
      const { awsCase, rootTs } = await fileQuotaCase(h);

      // The dedicated-IP modal: the inventory reads.
      await openDedicatedIpModal(h);

      // AWS answers, more than the five replies DescribeCases carries: the sync pages DescribeCommunications.
      const base = Date.now();
      for (let i = 1; i <= 6; i++) {
        h.aws.addCommunication(awsCase.caseId, { body: `AWS reply ${i}`, timeCreated: new Date(base + i * 1000).toISOString() });
      }
      await syncNow(h);

      // Reply to AWS Support from the thread root: AddCommunicationToCase.
      const opened = h.slack.callsTo('views.open').length;
      await clickRootButton(h, rootTs, 'reply_to_aws');
      await h.slack.waitFor(() => h.slack.callsTo('views.open').length > opened, 5000, 'the Reply to AWS Support modal');
      const view = h.slack.latestView()!;
      await h.requester.viewSubmission({ view, values: fillState(view, { reply_body: 'Our bounce rate is 0.4%.' }), userId: REQUESTER });
      await h.aws.waitForCall('AddCommunicationToCase');

      // Resolve case: ResolveCase.
      await clickRootButton(h, rootTs, 'resolve_case');
      await h.aws.waitForCall('ResolveCase');
      await h.bot.poster.idle();

      const { sent, denied } = deniedOperations(h);
      // The scenario did reach what it drives; otherwise the check below would prove little.
      expect(sorted(sent.keys()), 'operations the scenario is built to reach').toEqual(
        expect.arrayContaining([
          'ses:GetAccount',
          'ses:ListDedicatedIpPools',
          'ses:GetDedicatedIpPool',
          'ses:GetDedicatedIps',
          'support:DescribeServices',
          'support:CreateCase',
          'support:DescribeCases',
          'support:DescribeCommunications',
          'support:AddCommunicationToCase',
          'support:ResolveCase',
        ]),
      );

      expect(denied, `operations the running bot sent that ${POLICY_FILE} does not grant (AWS would answer AccessDenied)`).toEqual([]);
    } finally {
      await h.close();
    }
  });
});

/** The operations the bot sent, each with the regions it sent them to, and those the policy does not grant. */
function deniedOperations(h: Harness): { sent: Map<string, string[]>; denied: string[] } {
  const sent = new Map<string, string[]>();
  for (const call of h.aws.calls) {
    const action = iamActionOf(call);
    sent.set(action, [...(sent.get(action) ?? []), call.region || '(unsigned)']);
  }
  const granted = grantedActions(loadPolicy());
  const denied = sorted(sent.keys())
    .filter((a) => !granted.has(a))
    .map((a) => `${a} (sent ${sent.get(a)!.length}×, regions ${[...new Set(sent.get(a))].join(', ')})`);
  return { sent, denied };
}

describe(`${POLICY_FILE} and the Service Quotas path`, () => {
  it('grants every operation the bot sends while filing rows through Service Quotas and production access and following them', async () => {
    const h = await startHarness({ QUOTA_FILING: 'service-quotas', AWS_REGION: 'us-east-1' });
    try {
      h.aws.setAccount('us-east-1', { SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 }, ProductionAccessEnabled: true });
      // The 24-hour quota's code is unknown in the region (found by name); the rate already has a request pending (found in its history).
      h.aws.makeQuotaCodeUnknown('us-east-1', 'L-804C8AE8', 'L-RENAMED1');
      h.aws.seedQuotaRequest('us-east-1', { quotaCode: 'L-CDEF9B6B', desiredValue: 30 });
      const rows = { 'row:1:region': 'us-east-1', 'row:1:limit': 'send_rate', 'row:1:newValue': '50', 'row:2:region': 'eu-west-1', 'row:2:limit': 'send_quota', 'row:2:newValue': '1000' };
      // Once it shows the quota: a row added before that redraw would be redrawn away.
      let { view } = await openQuotaModal(h);
      for (const key of ['1', '2']) {
        await h.requester.blockAction({ userId: REQUESTER, view, values: {}, actions: [{ action_id: 'add_row', block_id: 'add_row' }] });
        view = await h.slack.waitFor(() => {
          const v = h.slack.latestView(view.id)!;
          return v.blocks.some((b: any) => b.block_id === `row:${key}:region`) ? v : undefined;
        });
      }
      const res = await h.requester.viewSubmission({ view, values: fillState(view, { ...validQuotaInputs(), ...rows }), userId: REQUESTER });
      expect(res.json.response_action).toBe('update');
      await h.aws.waitFor(() => h.aws.callsTo('PutAccountDetails').length === 1, 5000, 'the production access request');
      await h.bot.filing.idle();
      for (const r of h.aws.quotaRequests()) h.aws.openQuotaCase(r.id);
      await syncNow(h);

      const { sent, denied } = deniedOperations(h);
      expect(sorted(sent.keys()), 'operations the scenario is built to reach').toEqual(
        expect.arrayContaining([
          'servicequotas:GetServiceQuota',
          'servicequotas:ListServiceQuotas',
          'servicequotas:RequestServiceQuotaIncrease',
          'servicequotas:ListRequestedServiceQuotaChangeHistory',
          'servicequotas:ListRequestedServiceQuotaChangeHistoryByQuota',
          'ses:PutAccountDetails',
          'ses:GetAccount',
          'support:AddCommunicationToCase',
        ]),
      );
      expect(denied, `operations the running bot sent that ${POLICY_FILE} does not grant`).toEqual([]);
    } finally {
      await h.close();
    }
  });
});

// ---- Slack scopes ------------------------------------------------------------------------

/** Anything shaped like a Slack OAuth scope (`chat:write`, `users:read.email`, `users.profile:read`). */
const SCOPE_LIKE = /(?<![\w.:/-])[a-z][a-z0-9_.]*:[a-z][a-z0-9_.]*/g;
/** The app-level token's scope for Socket Mode: documented there, but not a bot scope. */
const APP_LEVEL_SCOPES = new Set(['connections:write']);

describe(`${SCOPES_FILE}`, () => {
  const doc = readFileSync(join(ROOT, SCOPES_FILE), 'utf8');

  it('documents every bot scope of BOT_SCOPES', () => {
    const undocumented = Object.keys(BOT_SCOPES).filter((scope) => !doc.includes(`\`${scope}\``));
    expect(undocumented, `scopes in BOT_SCOPES (src/slack/scopes.ts) that ${SCOPES_FILE} does not mention as \`scope\``).toEqual([]);
  });

  it('mentions no other bot scope, and the app-level scope connections:write', () => {
    const mentioned = new Set((doc.match(SCOPE_LIKE) ?? []).map((s) => s.replace(/\.+$/, '')));
    const others = sorted(mentioned).filter((s) => !(s in BOT_SCOPES) && !APP_LEVEL_SCOPES.has(s));
    expect(others, `${SCOPES_FILE} mentions scopes the bot does not ask for (BOT_SCOPES in src/slack/scopes.ts)`).toEqual([]);
    expect(doc, 'the app-level token scope for Socket Mode').toContain('`connections:write`');
  });
});
