/**
 * Which layer of functions/ may import which (docs/architecture.md, "Layer rules"). Run by `npm run lint:layers`,
 * part of `npm test`. Type-only imports count: a use case naming an adapter's type depends on that adapter.
 */
const AWS_RUNTIME = '^node_modules/(@aws-sdk|@aws-lambda-powertools|@middy|@smithy)/';
const OUTSIDE_FUNCTIONS = '^(tools|local|bench|cli|test)/';

module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'functions/core is policy over plain data: it imports no handler, use case, adapter or lib module.',
      severity: 'error',
      from: { path: '^functions/core/' },
      to: { path: '^functions/(handlers|use-cases|adapters|lib)/' },
    },
    {
      name: 'core-never-reaches-aws',
      comment:
        'Nothing functions/core imports, directly or through other modules, is an AWS SDK or Lambda runtime package.',
      severity: 'error',
      from: { path: '^functions/core/' },
      to: { path: AWS_RUNTIME, reachable: true },
    },
    {
      name: 'use-cases-not-adapters',
      comment: 'Use cases talk to storage and AWS through ports (interfaces they own); adapters implement them.',
      severity: 'error',
      from: { path: '^functions/use-cases/' },
      to: { path: '^functions/(adapters|handlers)/' },
    },
    {
      name: 'use-cases-not-aws-sdk',
      comment: 'A use case never calls an AWS SDK client itself: an adapter does, behind a port.',
      severity: 'error',
      from: { path: '^functions/use-cases/' },
      to: { path: '^node_modules/@aws-sdk/', reachable: true },
    },
    {
      name: 'use-cases-share-only-ports-and-types',
      comment:
        "A use case may run another area's code only through its ports file; other imports across areas are types.",
      severity: 'error',
      from: { path: '^functions/use-cases/([^/]+)/', pathNot: '^functions/use-cases/planning/' },
      to: {
        path: '^functions/use-cases/',
        pathNot: ['^functions/use-cases/$1/', '^functions/use-cases/[^/]+/ports[.]ts$'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'planning-runs-only-the-dialing-code',
      comment:
        "A plan simulates the run with the engine's own dispatch and settling code (docs/planning.md): planning may run the dialing use cases, and nothing else of another area.",
      severity: 'error',
      from: { path: '^functions/use-cases/planning/' },
      to: {
        path: '^functions/use-cases/',
        pathNot: ['^functions/use-cases/(planning|dialing)/', '^functions/use-cases/[^/]+/ports[.]ts$'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'adapters-implement-ports',
      comment: 'Adapters import core, lib and other adapters; from use cases only the port types they implement.',
      severity: 'error',
      from: { path: '^functions/adapters/' },
      to: { path: '^functions/(handlers|use-cases)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'adapters-not-handlers',
      comment: 'An adapter knows no entry point.',
      severity: 'error',
      from: { path: '^functions/adapters/' },
      to: { path: '^functions/handlers/' },
    },
    {
      name: 'lib-is-plumbing',
      comment: 'functions/lib (config, logging, metrics, HTTP) knows no entry point, use case or adapter.',
      severity: 'error',
      from: { path: '^functions/lib/' },
      to: { path: '^functions/(handlers|use-cases|adapters)/' },
    },
    {
      name: 'functions-stand-alone',
      comment: 'What is deployed never imports tools, the local cloud, benchmarks, the CLI or tests.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: OUTSIDE_FUNCTIONS },
    },
    {
      name: 'functions-resolve',
      comment: 'An import the checker cannot resolve would escape every rule above.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
