// `npm run edge`: an edge of the split deployment (REDIS_URL and DATABASE_URL set), as many as you like behind
// a load balancer. The composition root: it alone reads the environment.

import { sql } from 'drizzle-orm';
import { connect } from '../db/client.ts';
import { RedisBus } from '../matcher/bus/redis-bus.ts';
import { MatcherClient } from '../matcher/client.ts';
import { createLogger } from '../observability/logger.ts';
import { startTelemetry } from '../observability/sdk.ts';
import { parseConfig } from './config.ts';
import { runEdge } from './run.ts';

// First, before any span or instrument: tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) and metrics.
const telemetry = await startTelemetry('spot-edge');
const config = parseConfig(process.env);
if (typeof config === 'string' || config.embedded) {
  console.error(
    `edge: bad configuration\n${typeof config === 'string' ? config : 'REDIS_URL and DATABASE_URL are required (npm start runs the embedded mode)'}`,
  );
  process.exit(2);
}
const log = createLogger('spot-edge', config.LOG_LEVEL);
const database = connect(config.DATABASE_URL!, { max: 10 });
const bus = await RedisBus.connect({
  url: config.REDIS_URL!,
  prefix: config.REDIS_PREFIX,
  shard: config.MATCHER_SHARD,
});
const matcher = await MatcherClient.create({
  bus,
  shard: config.MATCHER_SHARD,
  timeoutMs: config.MATCHER_TIMEOUT_MS,
  maxBacklog: config.MATCHER_MAX_BACKLOG,
});
const edge = await runEdge({
  config,
  db: database.db,
  matcher,
  bus,
  log,
  probes: { postgres: () => database.db.execute(sql`select 1`), redis: () => bus.ping() },
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  await edge.stop();
  await matcher.close();
  await bus.close();
  await database.close();
  await telemetry.shutdown();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
