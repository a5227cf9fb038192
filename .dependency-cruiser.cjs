/** Dependency direction, checked rather than hoped for (STYLE.md §8). */

// What the edge's Hono app runs per request: the app, its routes and middleware, and what they import at run
// time. Listed by hand; `edge-app-is-closed` makes the list complete (a new run-time import must join it).
// Adapters stay outside: key-store.ts, secret-box.ts, database-markets.ts, redis-limiter.ts, wiring.ts,
// run.ts, serve.ts, main.ts.
const EDGE_APP = [
  '^edge/(app|api-key|candle-time|clock|commission|context|errors|format|http-error|ip-allow-list|markets|money|openapi|params|rate-limits|tickers)\\.ts$',
  '^edge/openapi/',
  '^edge/routes/',
  '^edge/middleware/signed/',
  '^edge/middleware/rate-limit/(index|limiter|headers|memory-limiter)\\.ts$',
];
const TESTS = '(\\.test\\.ts|/test-[a-z-]+\\.ts)$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Import cycles make modules impossible to read or test on their own. Cycles of type-only imports are ' +
        'erased at run time and allowed: an order refers to its market and its market holds orders.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment:
        'matcher/core is pure and synchronous: no node: built-ins, no packages, nothing of ours outside it.',
      from: { path: '^matcher/core/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: '^matcher/core/' },
    },
    {
      name: 'db-is-a-leaf',
      severity: 'error',
      comment: 'db/ imports nothing from edge/ or matcher/.',
      from: { path: '^db/' },
      to: { path: '^(edge|matcher)/' },
    },
    {
      name: 'edge-app-is-web-standard',
      severity: 'error',
      comment:
        'The edge app uses web-standard APIs only (Web Crypto, TextEncoder, fetch Request/Response), so it could ' +
        'run on another runtime: no node: built-ins, not even their types. Node lives in the adapters.',
      from: { path: EDGE_APP, pathNot: TESTS },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'edge-app-has-no-drivers',
      severity: 'error',
      comment:
        'Redis and Postgres drivers are reached through ports (Limiter, MarketCatalog, KeyStore, ...).',
      from: { path: EDGE_APP, pathNot: TESTS },
      to: {
        path: '(^|/)node_modules/(ioredis|pg|@electric-sql/pglite|drizzle-orm)/',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'edge-app-is-closed',
      severity: 'error',
      comment:
        'At run time the edge app imports only itself and matcher/core (types from anywhere are erased): ' +
        'adapters are handed in by wiring.ts, and a module newly needed per request joins EDGE_APP.',
      from: { path: EDGE_APP, pathNot: TESTS },
      to: {
        dependencyTypes: ['local'],
        dependencyTypesNot: ['type-only'],
        pathNot: [...EDGE_APP, '^matcher/core/'],
      },
    },
    {
      name: 'nothing-imports-deploy',
      severity: 'error',
      from: {},
      to: { path: '^deploy/' },
    },
  ],
  options: {
    // Packages are not cruised, but imports of them are kept, so that rules can name them.
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
