// The standard client instrumentations for ioredis and node-postgres: a CLIENT span per Redis command (named by
// the command: `xadd`, `evalsha`, `publish`, ...) and per Postgres query (`pg.query:INSERT <database>`, with
// `pg.connect` and `pg-pool.connect` for connections), with the semantic-convention attributes
// (`db.system.name`, `db.operation.name`, `db.query.text`, `server.address`, ...). Only inside a trace of ours
// (`requireParentSpan`), so background polls make none. sdk.ts installs them when tracing is on; unconfigured,
// these packages are not even loaded.
//
// How the patching reaches our drivers: the instrumentations patch prototypes (Redis.prototype.sendCommand,
// pg.Client.prototype.query, pg-pool's connect) when `require-in-the-middle` sees the package being required.
// Our entry points are ESM and import pg and ioredis statically, so both are loaded before telemetry starts,
// and an ESM `import` of a CommonJS package does not pass through `require` at all (import-in-the-middle would
// need a loader registered before the first import: a `--import` flag on every entry point). So after enabling
// the instrumentations we `require` the packages ourselves: CommonJS keeps one module instance per file, shared
// with the ESM imports, and requiring it (loaded or not) is what lets the hook patch it. observability/
// trace.test.ts proves it on the real processes.

import { createRequire } from 'node:module';
import { createNoopMeter, type MeterProvider } from '@opentelemetry/api';
import { redisStatement } from './tracing.ts';

/** The patched packages, required by name so that require-in-the-middle sees them. */
const DRIVERS = ['ioredis', 'pg'];

/**
 * Enables the ioredis and pg instrumentations and patches the drivers (already loaded or not). Their metrics
 * go nowhere: /metrics is the same with tracing on or off.
 */
export async function instrumentDrivers(): Promise<void> {
  const [{ IORedisInstrumentation }, { PgInstrumentation }] = await Promise.all([
    import('@opentelemetry/instrumentation-ioredis'),
    import('@opentelemetry/instrumentation-pg'),
  ]);
  // Each enables itself (installs its require hook) when made, with the global tracer provider.
  const noMetrics: MeterProvider = { getMeter: () => createNoopMeter() };
  for (const instrumentation of [
    new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: redisStatement }),
    new PgInstrumentation({ requireParentSpan: true }),
  ]) {
    instrumentation.setMeterProvider(noMetrics);
  }
  const require = createRequire(import.meta.url);
  for (const name of DRIVERS) require(name);
  // pg's pool is its own package, required by pg; resolved from there, as pg resolves it.
  createRequire(require.resolve('pg'))('pg-pool');
}
