// npm run bench:matcher -- [--open N] [--commands M] [--batch N] [--accounts N] [--seed N] [--no-replies]
//                          [--lease-ttl MS] [--populate-batch N] [--skip-recovery] [--skip-throughput] [--json]
//
// The matcher service on the real stack: Postgres (a database of each phase's own on TEST_POSTGRES_URL's server,
// default 127.0.0.1:5432, created and dropped here) and Redis (TEST_REDIS_URL, default 127.0.0.1:6379, keys under
// a prefix of this run's own, deleted afterwards). Cleanup runs on errors and on Ctrl-C too.
//
// 1. Recovery (default for 100,000 and 1,000,000 open orders; --open N for one size). Resting, non-crossing
//    LIMIT GTC orders over two markets and many price levels are applied with the core and written straight to
//    the database with the matcher's own group-commit path (BatchBuilder + commitBatch, no Redis). Then, each on
//    its own: loadState (the SQL load), stateOf (restore into the core) and a whole Matcher start until ready()
//    (lease, claim, load, restore, consumer group). The recovered stateHash must equal the populated one.
// 2. Throughput (--commands M, default 200,000 after the setup commands). The command mix (matcher/command-mix.ts)
//    is appended to the Redis stream first (pipelined XADDs), each in its envelope with a replyTo channel nobody
//    listens on (so replies are built and published as in production; --no-replies sends none). A Matcher is then
//    started and timed until its committed offset reaches the last entry. Where the time went is measured from
//    outside: the bus's reads and flushes and the database's statements are timed through proxies, and the same
//    commands run through decode, apply alone and apply + batch rows without I/O. The committed state (loadState +
//    stateOf) must equal a pure apply of the same commands in stream order, stamped with their stream ids' times.

import '../matcher/v8-tuning.ts'; // first: the core runs as the matcher does
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { redisTarget } from '../matcher/bus/redis-target.ts';
import { pino } from 'pino';
import { connect, type Database } from '../db/client.ts';
import { claimShard, commitBatch, loadState, readOffset } from '../db/repositories/matcher-state.ts';
import { createTestDatabase } from '../db/test-database.ts';
import type { Logger } from '../observability/logger.ts';
import { BatchBuilder } from '../matcher/batch.ts';
import { type Bus, compareIds, idTime, type StreamEntry } from '../matcher/bus/bus.ts';
import { RedisBus } from '../matcher/bus/redis-bus.ts';
import { deleteKeys, REDIS_URL } from '../matcher/bus/test-kit.ts';
import { commandMix, random, setupCommands } from '../matcher/command-mix.ts';
import {
  apply,
  type Command,
  createState,
  DEFAULT_ORDER_CAPACITY,
  type ExchangeState,
  type Fraction,
  type Lots,
  type PlaceOrder,
  stateHash,
  type Ticks,
  type Units,
  validate,
} from '../matcher/core/index.ts';
import { Matcher } from '../matcher/loop.ts';
import { initialOffset, stateOf } from '../matcher/recovery.ts';
import { decodeEnvelope, encode } from '../matcher/wire.ts';

const { values } = parseArgs({
  options: {
    open: { type: 'string' },
    commands: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '1000' },
    accounts: { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    'no-replies': { type: 'boolean', default: false },
    'lease-ttl': { type: 'string', default: '3000' },
    'populate-batch': { type: 'string', default: '25000' },
    'skip-recovery': { type: 'boolean', default: false },
    'skip-throughput': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

function positive(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
}

const openSizes = values.open === undefined ? [100_000, 1_000_000] : [positive('open', values.open)];
const commandCount = positive('commands', values.commands);
const batchSize = positive('batch', values.batch);
const mixAccounts = positive('accounts', values.accounts);
const seed = positive('seed', values.seed);
const leaseTtlMs = positive('lease-ttl', values['lease-ttl']);
const populateBatch = positive('populate-batch', values['populate-batch']);
const replyTo = values['no-replies'] ? undefined : 'replies:bench-nobody-listens';
const SHARD = 'main';
const T0 = 1_700_000_000_000;

// --- output ------------------------------------------------------------------------------------------------

/** Progress lines: stdout normally, stderr with --json (which keeps stdout to its one summary line). */
function progress(message: string): void {
  const line = `[bench:matcher ${new Date().toISOString().slice(11, 19)}] ${message}`;
  if (values.json) console.error(line);
  else console.log(line);
}

const seconds = (ms: number): number => Number((ms / 1000).toFixed(3));
const perSecond = (count: number, ms: number): number => Math.round(count / (ms / 1000));
const k = (n: number): string => (n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : String(n));

// --- cleanup -----------------------------------------------------------------------------------------------

/** Cleanup steps run last-in first-out when the scope ends, however it ends (also on SIGINT/SIGTERM). */
class Scope {
  private readonly steps: { what: string; run: () => Promise<void> }[] = [];
  private closing: Promise<void> | undefined;

  /** Registers a cleanup step; once the scope is closing (a signal), runs it at once and stops the caller. */
  defer(what: string, run: () => Promise<void>): void {
    if (this.closing !== undefined) {
      void this.closing.then(() => Scope.attempt({ what, run }));
      throw new Error('interrupted: cleaning up');
    }
    this.steps.push({ what, run });
  }

  /** Runs the steps once; a second caller (the signal handler and the scope's own end) waits for the same run. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      for (let step = this.steps.pop(); step !== undefined; step = this.steps.pop())
        await Scope.attempt(step);
    })());
  }

  private static async attempt(step: { what: string; run: () => Promise<void> }): Promise<void> {
    try {
      await step.run();
    } catch (error) {
      console.error(`[bench:matcher] cleanup: ${step.what} failed: ${(error as Error).message}`);
    }
  }
}

const openScopes = new Set<Scope>();

async function scoped<T>(body: (scope: Scope) => Promise<T>): Promise<T> {
  const scope = new Scope();
  openScopes.add(scope);
  try {
    return await body(scope);
  } finally {
    await scope.close();
    openScopes.delete(scope);
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`[bench:matcher] ${signal}: cleaning up`);
    void Promise.all([...openScopes].map((scope) => scope.close())).then(() => process.exit(130));
  });
}

/** A database of its own, migrated, dropped when the scope ends; the pool as the matcher process sizes it. */
async function freshDatabase(scope: Scope): Promise<Database> {
  const database = await createTestDatabase();
  scope.defer(`drop database ${database.name}`, () => database.drop());
  progress(`  database ${database.name}`);
  const client = connect(database.url, { max: 4 });
  scope.defer('close the pool', () => client.close());
  await client.migrate();
  return client.db;
}

/** A key prefix of its own, every key under it deleted when the scope ends. */
function freshPrefix(scope: Scope, phase: string): string {
  const prefix = `bench:matcher:${process.pid}:${randomBytes(4).toString('hex')}:${phase}:`;
  scope.defer(`delete keys ${prefix}*`, () => deleteKeys(prefix));
  return prefix;
}

async function redisBus(scope: Scope, prefix: string): Promise<RedisBus> {
  const bus = await RedisBus.connect({ url: REDIS_URL, prefix, shard: SHARD });
  scope.defer('close the bus', () => bus.close());
  return bus;
}

// --- the matcher, watched from outside -----------------------------------------------------------------------

/** What the matcher logged that the benchmark cares about: its own recovery figure, warnings and errors. */
interface Watch {
  log: Logger;
  recoveries: { recoveryMs: number; openOrders: number }[];
  /** Times it lost its lease (or shard) and went back to standby. */
  leaseLosses: number;
  errors: string[];
}

function watchedLogger(): Watch {
  const watch: Watch = { log: undefined as unknown as Logger, recoveries: [], leaseLosses: 0, errors: [] };
  watch.log = pino(
    { level: 'info' },
    {
      write(line: string) {
        const record = JSON.parse(line) as {
          level: number;
          msg: string;
          recoveryMs?: number;
          openOrders?: number;
          err?: { message?: string };
        };
        if (record.msg === 'recovered; serving')
          watch.recoveries.push({ recoveryMs: record.recoveryMs ?? 0, openOrders: record.openOrders ?? 0 });
        if (record.msg === 'lost the shard; back to standby') watch.leaseLosses++;
        if (record.level >= 40) {
          console.error(`[bench:matcher] matcher log: ${line.trim()}`);
          if (record.level >= 50) watch.errors.push(`${record.msg}: ${record.err?.message ?? ''}`);
        }
      },
    },
  );
  return watch;
}

function startMatcher(scope: Scope, bus: Bus, db: Database, log: Logger): Matcher {
  const matcher = new Matcher({
    bus,
    db,
    log,
    shard: SHARD,
    batchSize,
    leaseTtlMs,
    orderCapacity: DEFAULT_ORDER_CAPACITY,
  });
  scope.defer('stop the matcher', () => matcher.stop());
  matcher.start();
  return matcher;
}

interface Timing {
  calls: number;
  ms: number;
}

const timing = (): Timing => ({ calls: 0, ms: 0 });

/**
 * The same object with the named async methods timed (every other method bound to the original, so classes
 * with private fields keep working); `observe` sees each timed call's method and result.
 */
function timed<T extends object>(
  target: T,
  timings: Record<string, Timing>,
  observe?: (method: string, result: unknown) => void,
): T {
  return new Proxy(target, {
    get(t, property) {
      const value = Reflect.get(t, property, t) as unknown;
      if (typeof value !== 'function') return value;
      const bound = (value as (...args: unknown[]) => unknown).bind(t);
      const slot = typeof property === 'string' ? timings[property] : undefined;
      if (slot === undefined) return bound;
      return async (...args: unknown[]) => {
        const started = performance.now();
        try {
          const result = await bound(...args);
          observe?.(property as string, result);
          return result;
        } finally {
          slot.calls++;
          slot.ms += performance.now() - started;
        }
      };
    },
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// --- 1. recovery -------------------------------------------------------------------------------------------

const UNIT = 100_000_000n;
const LEVELS = 5_000; // price levels per side and market
const BOOK_MARKETS = [
  { symbol: 'BTCUSDT', base: 'BTC', tickSize: 1_000_000n, stepSize: 10_000n, mid: 3_000_000 }, // 30000.00
  { symbol: 'ETHUSDT', base: 'ETH', tickSize: 1_000_000n, stepSize: 100_000n, mid: 200_000 }, // 2000.00
] as const;

interface RecoveryFigures {
  openOrders: number;
  accounts: number;
  populateSeconds: number;
  populateBatches: number;
  populateOrdersPerSec: number;
  loadSeconds: number;
  loadOrdersPerSec: number;
  restoreSeconds: number;
  restoreOrdersPerSec: number;
  startSeconds: number;
  startOrdersPerSec: number;
  matcherRecoveryMs: number;
  recoveries: number;
  /** The longest the event loop stood still during the start (what the lease renewal timer waits behind). */
  maxEventLoopBlockMs: number;
  /** Lease losses right after recovering (the renewal could not run in time), and the same after one retry. */
  leaseLosses: number;
  hashEqual: boolean;
  validateSeconds: number;
  validateErrors: number;
}

/** The setup and `open` resting orders, applied and committed in batches; returns the populated state. */
async function populate(
  db: Database,
  open: number,
  accounts: number,
): Promise<{ state: ExchangeState; batches: number }> {
  const state = createState();
  const claim = await claimShard(db, initialOffset(SHARD));
  let previous = claim.streamId;
  let batches = 0;
  let time = T0;
  let builder = new BatchBuilder(state);
  const commit = async () => {
    batches++;
    const streamId = `${time}-${batches}`;
    await commitBatch(db, builder.build(SHARD, previous, streamId, claim.epoch));
    previous = streamId;
    builder = new BatchBuilder(state);
  };
  const run = (command: Command) => {
    const applied = apply(state, command);
    if (applied.result.code !== 'OK')
      throw new Error(`populate: ${command.type} was ${applied.result.code}: ${encode(command)}`);
    builder.add(state.seq - 1, time, applied.events);
  };
  const maxNumOrders = Math.max(200, Math.ceil(open / accounts));
  for (const m of BOOK_MARKETS) {
    run({
      type: 'createMarket',
      symbol: m.symbol,
      baseAsset: m.base,
      quoteAsset: 'USDT',
      tickSize: m.tickSize as Units,
      stepSize: m.stepSize as Units,
      makerFee: 100_000 as Fraction,
      takerFee: 100_000 as Fraction,
      maxNumOrders,
    });
  }
  for (let accountId = 1; accountId <= accounts; accountId++) {
    run({ type: 'deposit', accountId, asset: 'USDT', amount: (1_000_000_000n * UNIT) as Units });
    for (const m of BOOK_MARKETS)
      run({ type: 'deposit', accountId, asset: m.base, amount: (1_000_000n * UNIT) as Units });
  }
  const next = random(seed);
  for (let i = 0; i < open; i++) {
    time = T0 + Math.floor(i / 10); // ten orders per ms
    const m = BOOK_MARKETS[i % BOOK_MARKETS.length]!;
    const side = next() < 0.5 ? 'BUY' : 'SELL';
    const level = Math.floor(next() * LEVELS);
    const order: PlaceOrder = {
      type: 'placeOrder',
      accountId: 1 + Math.floor(next() * accounts),
      symbol: m.symbol,
      side,
      orderType: 'LIMIT',
      timeInForce: 'GTC',
      price: (side === 'BUY' ? m.mid - 1 - level : m.mid + 1 + level) as Ticks,
      quantity: (1 + Math.floor(next() * 1000)) as Lots,
      timestamp: time,
    };
    if (i % 2 === 0) order.clientOrderId = `o${i}`;
    run(order);
    if (builder.size >= populateBatch) {
      await commit();
      if (batches % 10 === 0) progress(`  populated ${k(i + 1)} of ${k(open)} orders`);
    }
  }
  if (builder.size > 0) await commit();
  return { state, batches };
}

/** Times loadState and stateOf on their own and checks the result (whose memory is free once this returns). */
async function loadAndRestore(db: Database, open: number, expected: string) {
  const offset = (await readOffset(db, SHARD))!;
  let started = performance.now();
  const stored = await loadState(db, offset);
  const loadMs = performance.now() - started;
  const loaded = stored.bookOrders.length + stored.pendingStops.length;
  if (loaded !== open) throw new Error(`loadState read ${loaded} open orders, expected ${open}`);
  progress(`recovery ${k(open)}: loadState ${(loadMs / 1000).toFixed(2)} s; timing stateOf`);
  started = performance.now();
  const recovered = stateOf(stored);
  const restoreMs = performance.now() - started;
  const hashEqual = stateHash(recovered) === expected;
  if (!hashEqual) throw new Error(`recovery ${open}: the restored stateHash differs from the populated one`);
  started = performance.now();
  const problems = validate(recovered);
  const validateMs = performance.now() - started;
  if (problems.length > 0) throw new Error(`recovery ${open}: validate: ${problems.slice(0, 5).join('; ')}`);
  return { loadMs, restoreMs, validateMs, problems, hashEqual };
}

async function recovery(open: number): Promise<RecoveryFigures> {
  return scoped(async (scope) => {
    const accounts = Math.max(100, Math.ceil(open / 1000));
    progress(`recovery ${k(open)}: database, then populating ${open} orders for ${accounts} accounts`);
    const db = await freshDatabase(scope);
    let started = performance.now();
    const populated = await populate(db, open, accounts);
    const populateMs = performance.now() - started;
    const resting = populated.state.orders.size;
    if (resting !== open) throw new Error(`populate: ${resting} orders rest, expected ${open}`);
    const expected = stateHash(populated.state);
    // Only the hash is kept: the state's memory is free for what follows.
    populated.state = undefined as unknown as ExchangeState;
    progress(
      `recovery ${k(open)}: populated in ${(populateMs / 1000).toFixed(1)} s (${populated.batches} commits); ` +
        'timing loadState',
    );

    const { loadMs, restoreMs, validateMs, problems, hashEqual } = await loadAndRestore(db, open, expected);
    progress(
      `recovery ${k(open)}: loadState ${(loadMs / 1000).toFixed(2)} s, stateOf ${(restoreMs / 1000).toFixed(2)} s, ` +
        'hash equal; timing a Matcher start',
    );

    const bus = await redisBus(scope, freshPrefix(scope, `recovery${open}`));
    const watch = watchedLogger();
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    started = performance.now();
    const matcher = startMatcher(scope, bus, db, watch.log);
    await matcher.ready(600_000);
    const startMs = performance.now() - started;
    loopDelay.disable();
    const maxBlockMs = loopDelay.max / 1e6;
    if (stateHash(matcher.state!) !== expected)
      throw new Error(`recovery ${open}: the matcher's stateHash differs from the populated one`);
    // A start that blocks the event loop past the lease TTL loses the lease (the renewal timer cannot run) and
    // the matcher recovers again: give a lost lease time to show, and if it does, whether a second try holds.
    const renewal = () => sleep(Math.max(50, leaseTtlMs / 3) + 500);
    await renewal();
    if (watch.leaseLosses > 0) {
      progress(
        `recovery ${k(open)}: WARNING the matcher lost its lease right after recovering (the event loop stood ` +
          `still ${Math.round(maxBlockMs)} ms, lease TTL ${leaseTtlMs} ms); waiting for its second recovery`,
      );
      const until = Date.now() + 600_000;
      while (watch.recoveries.length < 2 && Date.now() < until) await sleep(50);
      await renewal();
      progress(
        `recovery ${k(open)}: after the second recovery: ${watch.leaseLosses} lease losses in all, ` +
          `role ${matcher.role}, epoch ${matcher.epoch}`,
      );
    }
    await matcher.stop();
    if (watch.errors.length > 0) throw new Error(`the matcher logged errors: ${watch.errors.join('; ')}`);
    progress(`recovery ${k(open)}: Matcher start to ready ${(startMs / 1000).toFixed(2)} s`);
    return {
      openOrders: open,
      accounts,
      populateSeconds: seconds(populateMs),
      populateBatches: populated.batches,
      populateOrdersPerSec: perSecond(open, populateMs),
      loadSeconds: seconds(loadMs),
      loadOrdersPerSec: perSecond(open, loadMs),
      restoreSeconds: seconds(restoreMs),
      restoreOrdersPerSec: perSecond(open, restoreMs),
      startSeconds: seconds(startMs),
      startOrdersPerSec: perSecond(open, startMs),
      matcherRecoveryMs: watch.recoveries[0]?.recoveryMs ?? -1,
      recoveries: watch.recoveries.length,
      maxEventLoopBlockMs: Math.round(maxBlockMs),
      leaseLosses: watch.leaseLosses,
      hashEqual,
      validateSeconds: seconds(validateMs),
      validateErrors: problems.length,
    };
  });
}

// --- 2. throughput -----------------------------------------------------------------------------------------

interface ThroughputFigures {
  commands: number;
  batchSize: number;
  replies: boolean;
  appendSeconds: number;
  appendPerSec: number;
  /** From start() to ready(): lease, claim and recovery of the empty database. */
  readySeconds: number;
  /** From start() to the commit of the last entry (readySeconds included). */
  seconds: number;
  commandsPerSec: number;
  batches: number;
  meanBatch: number;
  trades: number;
  /** Summed over the run, seconds: the matcher's awaits, timed from outside. */
  readSeconds: number;
  commitSeconds: number;
  publishSeconds: number;
  /** The rest of the run: decode, apply, batch rows, market data, replies (the matcher's own CPU), start-up. */
  inProcessSeconds: number;
  /** The same commands alone, without I/O. */
  decodeOnlySeconds: number;
  applyOnlySeconds: number;
  applyOnlyPerSec: number;
  applyAndRowsSeconds: number;
  hashEqual: boolean;
  validateErrors: number;
}

async function throughput(): Promise<ThroughputFigures> {
  return scoped(async (scope) => {
    progress(
      `throughput: database and stream; generating ${commandCount} commands (${mixAccounts} accounts)`,
    );
    const db = await freshDatabase(scope);
    const prefix = freshPrefix(scope, 'throughput');
    const commands = [...setupCommands(mixAccounts), ...commandMix(seed, commandCount, mixAccounts)];
    const data = commands.map((command, i) =>
      encode(replyTo === undefined ? { id: `b${i}`, command } : { id: `b${i}`, replyTo, command }),
    );

    const redis = new Redis(redisTarget(REDIS_URL), { maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    scope.defer('close the append connection', async () => void redis.disconnect());
    const stream = `${prefix}cmd:${SHARD}`;
    const ids: string[] = [];
    let started = performance.now();
    for (let from = 0; from < data.length; from += 10_000) {
      const pipeline = redis.pipeline();
      for (const d of data.slice(from, from + 10_000)) pipeline.xadd(stream, '*', 'd', d);
      for (const [error, id] of (await pipeline.exec()) ?? []) {
        if (error !== null) throw error;
        ids.push(id as string);
      }
    }
    const appendMs = performance.now() - started;
    const last = ids.at(-1)!;
    progress(
      `throughput: appended ${data.length} entries in ${(appendMs / 1000).toFixed(2)} s; starting the matcher ` +
        `(batch ${batchSize})`,
    );

    const bus = await redisBus(scope, prefix);
    const read = timing();
    const readPending = timing();
    const flush = timing();
    const commit = timing();
    let batches = 0;
    let entriesRead = 0;
    const timedBus = timed<Bus>(bus, { readNew: read, readPending, flush }, (method, result) => {
      const entries = result as StreamEntry[];
      if (method !== 'flush' && entries.length > 0) {
        batches++;
        entriesRead += entries.length;
      }
    });
    // A batch's commit is one prepared statement (commitBatch: the pool's query), and while serving the matcher
    // runs no other.
    const pool = timed((db as unknown as { $client: object }).$client, { query: commit });
    const timedDb = new Proxy(db, {
      get: (t, property) => (property === '$client' ? pool : (Reflect.get(t, property, t) as unknown)),
    });
    const watch = watchedLogger();
    // Timed from start(): the matcher takes its first batch as soon as it serves, before ready() can return.
    // Its recovery on the empty database (readySeconds) is part of the run, a few tens of ms.
    started = performance.now();
    const matcher = startMatcher(scope, timedBus, timedDb, watch.log);
    await matcher.ready(600_000);
    const readyMs = performance.now() - started;
    while (compareIds(matcher.committed, last) < 0) {
      if (watch.errors.length > 0) throw new Error(`the matcher logged errors: ${watch.errors.join('; ')}`);
      await sleep(2);
    }
    const runMs = performance.now() - started;
    const spent = { read: read.ms + readPending.ms, flush: flush.ms, commit: commit.ms, batches };
    const liveHash = stateHash(matcher.state!);
    const trades = matcher.state!.nextTradeId - 1;
    await sleep(200); // the last batch's flush (acks, trim)
    await matcher.stop();
    const backlog = await bus.backlog();
    const deadLetters = (await bus.deadLetters(10)).length;
    progress(
      `throughput: ${data.length} commands committed in ${(runMs / 1000).toFixed(2)} s; ` +
        'verifying and timing the same commands without I/O',
    );

    // The same entries without I/O: decode, apply alone (the reference), then apply + batch rows.
    started = performance.now();
    const stamped = data.map((d, i) => {
      const envelope = decodeEnvelope(d);
      if (typeof envelope === 'string') throw new Error(`entry ${i}: ${envelope}`);
      return { ...envelope.command, timestamp: idTime(ids[i]!) } as Command;
    });
    const decodeMs = performance.now() - started;
    const reference = createState();
    started = performance.now();
    for (const command of stamped) apply(reference, command);
    const applyMs = performance.now() - started;
    const expected = stateHash(reference);
    const withRows = createState();
    started = performance.now();
    for (let from = 0; from < stamped.length; from += batchSize) {
      const builder = new BatchBuilder(withRows);
      const to = Math.min(from + batchSize, stamped.length);
      for (let i = from; i < to; i++) {
        const applied = apply(withRows, stamped[i]!);
        builder.add(withRows.seq - 1, idTime(ids[i]!), applied.events);
      }
      builder.build(SHARD, '0-0', ids[to - 1]!, 1);
    }
    const rowsMs = performance.now() - started;

    const offset = (await readOffset(db, SHARD))!;
    const committed = stateOf(await loadState(db, offset));
    const hashEqual = stateHash(committed) === expected && liveHash === expected;
    const problems = validate(committed);
    const checks: [boolean, string][] = [
      [offset.streamId === last, `committed offset ${offset.streamId}, expected ${last}`],
      [liveHash === expected, "the matcher's live stateHash differs from the pure apply's"],
      [stateHash(committed) === expected, "the committed state's stateHash differs from the pure apply's"],
      [stateHash(withRows) === expected, 'apply + batch rows gave another stateHash'],
      [problems.length === 0, `validate: ${problems.slice(0, 5).join('; ')}`],
      [deadLetters === 0, `${deadLetters} dead letters`],
      [backlog === 0, `${backlog} entries left in the stream`],
      [entriesRead === data.length, `the matcher read ${entriesRead} entries, expected ${data.length}`],
      [watch.recoveries.length === 1, `the matcher recovered ${watch.recoveries.length} times`],
    ];
    for (const [ok, message] of checks) if (!ok) throw new Error(`throughput: ${message}`);
    const accounted = spent.read + spent.commit + spent.flush;
    return {
      commands: data.length,
      batchSize,
      replies: replyTo !== undefined,
      appendSeconds: seconds(appendMs),
      appendPerSec: perSecond(data.length, appendMs),
      readySeconds: seconds(readyMs),
      seconds: seconds(runMs),
      commandsPerSec: perSecond(data.length, runMs),
      batches: spent.batches,
      meanBatch: Number((data.length / spent.batches).toFixed(1)),
      trades,
      readSeconds: seconds(spent.read),
      commitSeconds: seconds(spent.commit),
      publishSeconds: seconds(spent.flush),
      inProcessSeconds: seconds(Math.max(0, runMs - accounted)),
      decodeOnlySeconds: seconds(decodeMs),
      applyOnlySeconds: seconds(applyMs),
      applyOnlyPerSec: perSecond(data.length, applyMs),
      applyAndRowsSeconds: seconds(rowsMs),
      hashEqual,
      validateErrors: problems.length,
    };
  });
}

// --- main --------------------------------------------------------------------------------------------------

const summary: { recovery?: RecoveryFigures[]; throughput?: ThroughputFigures } = {};
if (!values['skip-recovery']) {
  summary.recovery = [];
  for (const open of openSizes) {
    const r = await recovery(open);
    summary.recovery.push(r);
    if (!values.json) {
      console.log(
        `recovery   ${String(open).padStart(8)} open orders (${r.accounts} accounts)  ` +
          `loadState ${r.loadSeconds.toFixed(3)} s (${k(r.loadOrdersPerSec)}/s)  ` +
          `stateOf ${r.restoreSeconds.toFixed(3)} s (${k(r.restoreOrdersPerSec)}/s)  ` +
          `Matcher start→ready ${r.startSeconds.toFixed(3)} s (${k(r.startOrdersPerSec)}/s; ` +
          `its recoveryMs ${r.matcherRecoveryMs}; event loop blocked up to ${r.maxEventLoopBlockMs} ms)` +
          (r.leaseLosses > 0
            ? `  LEASE LOST ${r.leaseLosses}× after recovering (${r.recoveries} recoveries)`
            : ''),
      );
      console.log(
        `           populate ${r.populateSeconds.toFixed(1)} s (${k(r.populateOrdersPerSec)} orders/s, ` +
          `${r.populateBatches} commit${r.populateBatches === 1 ? '' : 's'} of ≤${populateBatch} commands)  stateHash equal  ` +
          `validate ${r.validateErrors === 0 ? 'clean' : `${r.validateErrors} errors`} (${r.validateSeconds.toFixed(2)} s)`,
      );
    }
  }
}
if (!values['skip-throughput']) {
  const t = await throughput();
  summary.throughput = t;
  if (!values.json) {
    console.log(
      `throughput ${t.commands} commands  batch ${t.batchSize}  ${t.seconds.toFixed(3)} s  ` +
        `${k(t.commandsPerSec)} commands/s  ${t.batches} batches (mean ${t.meanBatch})  ${t.trades} trades  ` +
        `replies ${t.replies ? 'published (nobody listens)' : 'none'}`,
    );
    console.log(
      `           where the time went: read ${t.readSeconds.toFixed(2)} s, commit ${t.commitSeconds.toFixed(2)} s, ` +
        `publish ${t.publishSeconds.toFixed(2)} s, in-process ${t.inProcessSeconds.toFixed(2)} s`,
    );
    console.log(
      `           without I/O: decode ${t.decodeOnlySeconds.toFixed(2)} s, apply ${t.applyOnlySeconds.toFixed(2)} s ` +
        `(${k(t.applyOnlyPerSec)}/s), apply + batch rows ${t.applyAndRowsSeconds.toFixed(2)} s  ` +
        `(append ${t.appendSeconds.toFixed(2)} s, ${k(t.appendPerSec)}/s; matcher ready in ${t.readySeconds.toFixed(2)} s)`,
    );
    console.log('           committed stateHash equals the pure apply in stream order; validate clean');
  }
}
if (values.json) console.log(JSON.stringify(summary));
