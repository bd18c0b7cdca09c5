// The layering of src/ (README, "How the code is laid out"), checked by `npm run lint:layers`
// (part of `npm test`). Top to bottom: main.ts → app.ts → listeners/ → services/ →
// slack/ and aws/ → store/ → domain/. A module may import from its own layer or below, never above.
// src/metrics/ stands beside them: any layer may import it, and it imports only src/domain/.
// test/layers.test.ts checks that each rule below fires on a forbidden import.

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'src/domain/ holds the requests, their rules and the case text: plain TypeScript that the ' +
        'tests and every layer above can use without Slack, AWS, a database or I/O. It may import ' +
        'only other src/domain/ modules and zod (no node built-ins, no other packages).',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', '^node_modules/zod/'] },
    },
    {
      name: 'store-and-aws-below-slack',
      severity: 'error',
      comment:
        'src/store/ and src/aws/ are gateways below Slack: they know the domain, not the Slack ' +
        'client, the workflows (src/services/) or the inbound listeners (src/listeners/).',
      from: { path: '^src/(store|aws)/' },
      to: { path: '^src/(slack|services|listeners)/' },
    },
    {
      name: 'slack-is-outbound',
      severity: 'error',
      comment:
        'src/slack/ is outbound Slack only (Block Kit builders, the messenger, mrkdwn escaping, ' +
        'ids, metadata codecs): the services use it, so it must not import the services or the ' +
        'inbound listeners (src/listeners/).',
      from: { path: '^src/slack/' },
      to: { path: '^src/(services|listeners)/' },
    },
    {
      name: 'services-below-listeners',
      severity: 'error',
      comment:
        'src/services/ holds the workflows; the listeners (src/listeners/) call them, never the ' +
        'other way round, so that a workflow can run without an inbound Slack event (the scheduler, ' +
        'start-up reconciliation).',
      from: { path: '^src/services/' },
      to: { path: '^src/listeners/' },
    },
    {
      name: 'metrics-is-a-leaf',
      severity: 'error',
      comment:
        'src/metrics/ holds the Prometheus registry and the hooks that record into it (AWS SDK ' +
        'middleware, the Slack client\'s fetch). Every layer may record, so it imports no other part ' +
        'of src/ but the pure src/domain/ (for the bounded label sets), or the layers would loop through it.',
      from: { path: '^src/metrics/' },
      to: { path: '^src/', pathNot: '^src/(metrics|domain)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'A circular import makes the load order matter (an ES module may see another half-initialised) ' +
        'and means two modules are really one: move the shared part down a layer.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-not-to-test-or-bench',
      severity: 'error',
      comment:
        'The bot must not depend on its tests or the benchmark (which are not shipped); they may ' +
        'import src/, not the other way round.',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'An import that cannot be resolved to a file escapes every rule above (and fails at run ' +
        'time): fix the specifier, or add the package.',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Only src/ is cruised (the script passes it); packages are recorded, not followed.
    doNotFollow: { path: ['node_modules'] },
    // Resolve the way tsc does: './x.js' specifiers to './x.ts'.
    tsConfig: { fileName: 'tsconfig.json' },
    // `import type` counts: a type from a layer above is still a dependency on it.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
