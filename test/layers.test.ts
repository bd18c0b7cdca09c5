// The layering rules of .dependency-cruiser.cjs (run on src/ by `npm run lint:layers`) fire:
// a fixture tree with one forbidden import per rule, and some allowed ones, is cruised with the
// repository's own configuration, and exactly the forbidden imports are reported.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const configFile = join(dirname(fileURLToPath(import.meta.url)), '..', '.dependency-cruiser.cjs');

/** path → content; every import marked FORBIDDEN must be reported, no other. */
const fixture: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true },
    include: ['src', 'test', 'bench'],
  }),
  'node_modules/zod/package.json': JSON.stringify({ name: 'zod', version: '4.0.0', main: 'index.js' }),
  'node_modules/zod/index.js': 'exports.z = {};\n',
  'node_modules/pino/package.json': JSON.stringify({ name: 'pino', version: '10.0.0', main: 'index.js' }),
  'node_modules/pino/index.js': 'exports.pino = () => ({});\n',

  // domain: zod and itself only
  'src/domain/values.ts': "export const LIMIT = 1;\n",
  'src/domain/rules.ts': "import { z } from 'zod';\nimport { LIMIT } from './values.js';\nexport const rule = [z, LIMIT];\n",
  'src/domain/uses-crypto.ts': "import { randomUUID } from 'node:crypto'; // FORBIDDEN domain-is-pure\nexport const id = randomUUID;\n",
  'src/domain/uses-pino.ts': "import { pino } from 'pino'; // FORBIDDEN domain-is-pure\nexport const log = pino;\n",
  'src/domain/uses-slack.ts': "import { BLOCK_ID } from '../slack/ids.js'; // FORBIDDEN domain-is-pure\nexport const b = BLOCK_ID;\n",
  'src/domain/cycle-a.ts': "import { b } from './cycle-b.js'; // FORBIDDEN no-circular\nexport const a = () => b;\n",
  'src/domain/cycle-b.ts': "import { a } from './cycle-a.js';\nexport const b = () => a;\n",

  // store and aws: domain only
  'src/store/store.ts': "import { LIMIT } from '../domain/values.js';\nimport type { Ids } from '../slack/ids.js'; // FORBIDDEN store-and-aws-below-slack (type-only counts)\nexport type Row = Ids & { limit: typeof LIMIT };\n",
  'src/aws/gateway.ts': "import { file } from '../services/filing.js'; // FORBIDDEN store-and-aws-below-slack\nexport const g = file;\n",

  // slack (outbound): domain and store, not services or listeners
  'src/slack/ids.ts': "export const BLOCK_ID = 'b';\nexport type Ids = { block: string };\n",
  'src/slack/messenger.ts': "import type { Row } from '../store/store.js';\nimport { file } from '../services/filing.js'; // FORBIDDEN slack-is-outbound\nexport const post = (r: Row) => [r, file];\n",
  'src/slack/views.ts': "import { onQuota } from '../listeners/quota.js'; // FORBIDDEN slack-is-outbound\nexport const v = onQuota;\n",

  // services: slack, aws, store, domain; not listeners
  'src/services/filing.ts': "import { BLOCK_ID } from '../slack/ids.js';\nimport { rule } from '../domain/rules.js';\nexport const file = [BLOCK_ID, rule];\n",
  'src/services/scheduler.ts': "import { onQuota } from '../listeners/quota.js'; // FORBIDDEN services-below-listeners\nexport const tick = onQuota;\n",

  // listeners (inbound) and app: anything below
  'src/listeners/quota.ts': "import { file } from '../services/filing.js';\nimport { BLOCK_ID } from '../slack/ids.js';\nexport const onQuota = [file, BLOCK_ID];\n",
  'src/app.ts': "import { onQuota } from './listeners/quota.js';\nexport const app = onQuota;\n",

  // metrics: every layer may record into it; it imports only itself and the domain
  'src/metrics/metrics.ts': "import { LIMIT } from '../domain/values.js';\nexport const count = () => LIMIT;\n",
  'src/metrics/uses-store.ts': "import type { Row } from '../store/store.js'; // FORBIDDEN metrics-is-a-leaf\nexport type R = Row;\n",
  'src/metrics/uses-services.ts': "import { file } from '../services/filing.js'; // FORBIDDEN metrics-is-a-leaf\nexport const f = file;\n",
  'src/aws/metered.ts': "import { count } from '../metrics/metrics.js';\nexport const m = count;\n",
  'src/store/metered.ts': "import { count } from '../metrics/metrics.js';\nexport const m = count;\n",

  // src never imports tests or the benchmark, nor what does not exist
  'src/uses-test.ts': "import { helper } from '../test/helper.js'; // FORBIDDEN src-not-to-test-or-bench\nexport const h = helper;\n",
  'src/uses-bench.ts': "import { run } from '../bench/run.js'; // FORBIDDEN src-not-to-test-or-bench\nexport const r = run;\n",
  'src/unresolved.ts': "import { gone } from './missing.js'; // FORBIDDEN not-to-unresolvable\nexport const x = gone;\n",
  'test/helper.ts': "import { app } from '../src/app.js';\nexport const helper = app;\n",
  'bench/run.ts': "import { app } from '../src/app.js';\nexport const run = app;\n",
};

/** "rule from" for each import marked FORBIDDEN in the fixture. */
function expectedViolations(): string[] {
  const expected: string[] = [];
  for (const [path, content] of Object.entries(fixture)) {
    for (const match of content.matchAll(/FORBIDDEN ([a-z-]+)/g)) expected.push(`${match[1]} ${path}`);
  }
  return expected.sort();
}

describe('layering rules (.dependency-cruiser.cjs)', () => {
  let dir: string;
  let result: ICruiseResult;
  let ruleNames: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'layers-'));
    for (const [path, content] of Object.entries(fixture)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    const options = await extractDepcruiseOptions(configFile);
    ruleNames = (options.ruleSet?.forbidden ?? []).map((rule) => rule.name ?? '');
    const { output } = await cruise(
      ['src'],
      { ...options, baseDir: dir },
      {},
      { tsConfig: extractTSConfig(join(dir, 'tsconfig.json')) },
    );
    if (typeof output === 'string') throw new Error(`expected a cruise result, got: ${output}`);
    result = output;
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports exactly the forbidden imports, each under its rule', () => {
    const reported = result.summary.violations.map((v) => `${v.rule.name} ${v.from}`).sort();
    expect(reported).toEqual(expectedViolations());
    expect(result.summary.error).toBe(expectedViolations().length);
  });

  it('has a forbidden import in the fixture for every rule of the configuration', () => {
    expect(ruleNames).toEqual(
      expect.arrayContaining(['domain-is-pure', 'store-and-aws-below-slack', 'slack-is-outbound', 'services-below-listeners', 'metrics-is-a-leaf', 'no-circular']),
    );
    const fired = new Set(result.summary.violations.map((v) => v.rule.name));
    for (const name of ruleNames) expect(fired, `rule ${name} never fired`).toContain(name);
  });

  it('resolves ".js" specifiers to the ".ts" sources (otherwise every rule would pass vacuously)', () => {
    const filing = result.modules.find((m) => m.source === 'src/services/filing.ts');
    expect(filing?.dependencies.map((d) => d.resolved).sort()).toEqual(['src/domain/rules.ts', 'src/slack/ids.ts']);
  });
});
