// `npm run matcher`: the matcher process of the split deployment, on real Redis and Postgres. The composition
// root: it alone reads the environment (validated once), wires the ports and handles signals. Start as many as
// you like per shard: one serves, the others stand by and take over within the lease TTL.

import './v8-tuning.ts'; // first: before any of the core is compiled
import { z } from 'zod';
import { connect } from '../db/client.ts';
import { createLogger } from '../observability/logger.ts';
import { type MetricsServer, serveMetrics } from '../observability/metrics-server.ts';
import { startTelemetry } from '../observability/sdk.ts';
import { RedisBus } from './bus/redis-bus.ts';
import { DEFAULT_ORDER_CAPACITY, MAX_ORDERS } from './core/index.ts';
import { Matcher } from './loop.ts';

// First, before any span or instrument: tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) and metrics.
const telemetry = await startTelemetry('spot-matcher');

const Env = z.object({
  REDIS_URL: z.url({ error: 'REDIS_URL must be a redis://, rediss:// or unix:///path URL' }),
  DATABASE_URL: z.url({ error: 'DATABASE_URL must be a postgres:// URL' }),
  REDIS_PREFIX: z.string().default('spot:'),
  MATCHER_SHARD: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/)
    .default('main'),
  MATCHER_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
  MATCHER_LEASE_TTL_MS: z.coerce.number().int().min(500).max(60_000).default(3000),
  /**
   * Room for this many open orders, made when the state is recovered (order records written up front, 128 bytes
   * each): up to it, placing an order neither grows the store nor faults in memory. 0: grow as orders come.
   */
  MATCHER_ORDER_CAPACITY: z.coerce.number().int().min(0).max(MAX_ORDERS).default(DEFAULT_ORDER_CAPACITY),
  MIGRATE_ON_START: z.enum(['true', 'false']).default('false'),
  /** GET /metrics (Prometheus text) on this port; 0 picks a free one, `off` serves none. */
  MATCHER_METRICS_PORT: z.union([z.literal('off'), z.coerce.number().int().min(0).max(65_535)]).default(9464),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

const parsed = Env.safeParse(process.env);
if (!parsed.success) {
  console.error(`matcher: bad configuration\n${z.prettifyError(parsed.error)}`);
  process.exit(2);
}
const env = parsed.data;
const log = createLogger('spot-matcher', env.LOG_LEVEL);

const database = connect(env.DATABASE_URL, { max: 4 });
if (env.MIGRATE_ON_START === 'true') await database.migrate();
const bus = await RedisBus.connect({
  url: env.REDIS_URL,
  prefix: env.REDIS_PREFIX,
  shard: env.MATCHER_SHARD,
});
const matcher = new Matcher({
  bus,
  db: database.db,
  log,
  shard: env.MATCHER_SHARD,
  batchSize: env.MATCHER_BATCH_SIZE,
  leaseTtlMs: env.MATCHER_LEASE_TTL_MS,
  orderCapacity: env.MATCHER_ORDER_CAPACITY,
});
matcher.start();

let metricsServer: MetricsServer | undefined;
if (env.MATCHER_METRICS_PORT !== 'off') {
  try {
    metricsServer = await serveMetrics(telemetry, env.MATCHER_METRICS_PORT);
    log.info({ port: metricsServer.port }, 'metrics listening');
  } catch (error) {
    // Metrics are not worth stopping the matcher for (a second matcher on one host: the port is taken).
    log.warn({ err: error, port: env.MATCHER_METRICS_PORT }, 'cannot serve metrics');
  }
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  await matcher.stop();
  await bus.close();
  await database.close();
  await metricsServer?.close();
  await telemetry.shutdown();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
