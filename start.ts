// `npm start`: edge and matcher in one process. With neither REDIS_URL nor DATABASE_URL it runs embedded:
// PGlite under DATA_DIR and the in-process bus, with a demo market, so `npm install && npm start` gives a
// working exchange. With both set, the same code runs on real Redis and Postgres.

import './matcher/v8-tuning.ts'; // first: before any of the core is compiled
import { resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { connect, type Database, rowsOf } from './db/client.ts';
import { createAccount } from './db/repositories/api-keys.ts';
import { parseConfig } from './edge/config.ts';
import { runEdge } from './edge/run.ts';
import type { Bus } from './matcher/bus/bus.ts';
import { RedisBus } from './matcher/bus/redis-bus.ts';
import { MatcherClient } from './matcher/client.ts';
import type { Command, Fraction, Lots, Ticks, Units } from './matcher/core/index.ts';
import { startEmbedded } from './matcher/embedded.ts';
import { Matcher } from './matcher/loop.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { startTelemetry } from './observability/sdk.ts';

// First, before any span or instrument: tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) and metrics (the
// edge's /metrics).
const telemetry = await startTelemetry('spot-exchange');
const parsed = parseConfig(process.env);
if (typeof parsed === 'string') {
  console.error(`spot-exchange: bad configuration\n${parsed}`);
  process.exit(2);
}
const config = parsed;
const log = createLogger('spot-exchange', config.LOG_LEVEL);
const stops: (() => Promise<void>)[] = [];
let db: Database;
let client: MatcherClient;
let edgeBus: Pick<Bus, 'publish' | 'subscribe'>;
let probes: Record<string, () => Promise<unknown>>;

if (config.embedded) {
  const embedded = await startEmbedded({
    dataDir: resolve(config.DATA_DIR),
    log,
    client: { timeoutMs: config.MATCHER_TIMEOUT_MS, maxBacklog: config.MATCHER_MAX_BACKLOG },
    matcher: { orderCapacity: config.MATCHER_ORDER_CAPACITY },
  });
  stops.push(() => embedded.close());
  db = embedded.db.db;
  client = embedded.client;
  edgeBus = embedded.bus;
  probes = { postgres: () => db.execute(sql`select 1`) };
} else {
  const database = connect(config.DATABASE_URL!, { max: 10 });
  await database.migrate();
  const matcherBus = await RedisBus.connect({
    url: config.REDIS_URL!,
    prefix: config.REDIS_PREFIX,
    shard: config.MATCHER_SHARD,
  });
  const matcher = new Matcher({
    bus: matcherBus,
    db: database.db,
    log,
    shard: config.MATCHER_SHARD,
    orderCapacity: config.MATCHER_ORDER_CAPACITY,
  });
  matcher.start();
  const bus = await RedisBus.connect({
    url: config.REDIS_URL!,
    prefix: config.REDIS_PREFIX,
    shard: config.MATCHER_SHARD,
  });
  edgeBus = bus;
  client = await MatcherClient.create({
    bus,
    shard: config.MATCHER_SHARD,
    timeoutMs: config.MATCHER_TIMEOUT_MS,
    maxBacklog: config.MATCHER_MAX_BACKLOG,
  });
  stops.push(async () => {
    await client.close();
    await matcher.stop();
    await bus.close();
    await matcherBus.close();
    await database.close();
  });
  db = database.db;
  probes = { postgres: () => db.execute(sql`select 1`), redis: () => bus.ping() };
  await matcher.ready(120_000);
}

const edge = await runEdge({ config, db, matcher: client, bus: edgeBus, log, probes });
stops.unshift(() => edge.stop());
if (config.embedded) await demo(edge.port, edge.adminToken, log);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  for (const stop of stops) await stop();
  await telemetry.shutdown();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

/**
 * A demo market when there is none, with a demo market maker (account 1) quoting both sides so that a first
 * market order fills, and once, how to trade on it.
 */
async function demo(port: number, adminToken: string, log: Logger): Promise<void> {
  if ((await rowsOf(db, sql`select 1 from markets limit 1`)).length > 0) return;
  const send = async (command: Command) => {
    const outcome = await client.send(command);
    if (outcome.status !== 'done' || outcome.reply.result.code !== 'OK') {
      throw new Error(`demo set-up failed at ${command.type}: ${JSON.stringify(outcome)}`);
    }
  };
  await send({
    type: 'createMarket',
    symbol: 'BTCUSDT',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    tickSize: 1_000_000n as Units, // 0.01
    stepSize: 1_000n as Units, // 0.00001
    minNotional: 500_000_000n as Units, // 5
    makerFee: 100_000 as Fraction, // 0.1 %
    takerFee: 100_000 as Fraction,
  });
  const maker = await createAccount(db);
  await send({ type: 'deposit', accountId: maker, asset: 'BTC', amount: (100n * 100_000_000n) as Units });
  await send({
    type: 'deposit',
    accountId: maker,
    asset: 'USDT',
    amount: (5_000_000n * 100_000_000n) as Units,
  });
  // Ten levels a side around 30,000 USDT, 0.05 BTC each.
  for (let level = 1; level <= 10; level++) {
    for (const [side, price] of [
      ['SELL', 3_000_000 + level * 1_000],
      ['BUY', 3_000_000 - level * 1_000],
    ] as const) {
      await send({
        type: 'placeOrder',
        accountId: maker,
        symbol: 'BTCUSDT',
        side,
        orderType: 'LIMIT',
        timeInForce: 'GTC',
        price: price as Ticks,
        quantity: 5_000 as Lots,
        timestamp: 0,
      });
    }
  }
  const base = `http://localhost:${port}`;
  const auth = `-H 'Authorization: Bearer ${adminToken}' -H 'Content-Type: application/json'`;
  log.info({ symbol: 'BTCUSDT', makerAccount: maker }, 'created the demo market and its market maker');
  console.log(`
spot-exchange is running on ${base} (embedded: data in ${resolve(config.DATA_DIR)}).
A demo market, BTCUSDT, is open; account ${maker} quotes it (asks from 30010, bids from 29990). To trade:

  curl -s -X POST ${base}/admin/v1/accounts ${auth}                       # -> {"accountId":${maker + 1}}
  curl -s -X POST ${base}/admin/v1/accounts/${maker + 1}/deposits ${auth} -d '{"asset":"USDT","amount":"100000"}'
  curl -s -X POST ${base}/admin/v1/accounts/${maker + 1}/api-keys ${auth} -d '{"type":"HMAC_SHA256"}'   # -> apiKey, secretKey

Then point any Binance Spot client at ${base} with that key (README: "Your first order").
`);
}
