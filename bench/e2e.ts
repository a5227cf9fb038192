// npm run bench:e2e -- [--duration S] [--warmup S] [--connections N] [--edges N] [--rate R]
//                      [--workload steady|deep|sweep] [--accounts N] [--tracing off|RATIO] [--resp-type T]
//                      [--batch N] [--url URL --admin-token T [--database-url URL]] [--seed N]
//                      [--profile DIR] [--floor] [--unix [--pg-socket DIR]] [--vacuum on|off] [--json]
//
// Signed orders end to end, as a Binance client sends them: `POST /api/v3/order` and `DELETE /api/v3/order`
// (HMAC-SHA256, keep-alive connections, many accounts) built from the shared workloads
// (../shared/bench/workload.mjs: ticks and lots become decimal strings, POST_ONLY becomes LIMIT_MAKER, a cancel
// names its order by the clientOrderId this run gave it).
//
// By default it brings up the split deployment on the local Redis and Postgres: a database of its own (dropped
// afterwards), a key prefix of its own (deleted), one matcher process and --edges edge processes with the rate
// limits raised, and spreads the connections over the edges. With --url it drives a running deployment instead
// (its admin API creates the market, accounts and keys; --database-url lets it check durability there too).
//
// - Closed loop by default: --connections requests in flight, each sent when the previous answered; the
//   maximum throughput.
// - --rate R: open loop at R requests/s whatever the answers do. Latency counts from each request's intended
//   send time, so a stall shows as the queueing it causes (no coordinated omission).
// - --tracing RATIO: the processes export spans over OTLP to a sink in this process, sampling RATIO of the
//   traces (parentbased_traceidratio); `off` (default) configures no exporter.
//
// - --profile DIR: the processes it starts write V8 CPU profiles (.cpuprofile) into DIR when they stop;
//   `npm run bench:profile -- DIR/*.cpuprofile` summarizes where the time went.
// - --floor: the same requests against --edges trivial Hono servers (bench/floor-server.ts: answer at once, check
//   nothing) instead of the exchange: the ceiling this machine, the HTTP stack and the load generator allow.
// - --unix: the deployment talks to Redis and Postgres over Unix sockets, as processes on one host can: a Redis of
//   the bench's own (the machine's redis-server, on a socket in a temporary directory) and the local Postgres's
//   socket in --pg-socket DIR (/var/run/postgresql).
// - --vacuum on: when the Postgres server runs with autovacuum off (this machine's does), the bench vacuums its
//   database's tables as autovacuum would (its thresholds, every minute, at its pace). Off by default: the bench
//   measures the server as it is configured, and says so when autovacuum is off.
//
// The first --warmup seconds are run but not measured. A run of a minute or more also reports each minute
// (throughput, latency, resident memory of every process), to show whether a long run stays flat. At the end: throughput (acknowledged requests per second
// of the measured window), latency percentiles, answers by kind, each process's CPU, and a durability check:
// every acknowledged order must be in Postgres and every acknowledged cancel must have left its order CANCELED.
// `--json` prints one summary line:
//   {"throughput", "errors": {kind: n}, "rejects": {code: n}, "latencyMs": {p50, p90, p99, p999, max}, ...}
// Errors are what a client must worry about: transport failures, 5xx, timeouts with unknown status (-1007),
// 429/418. Rejects are the business answers the workload provokes (a cancel of an order that already filled, a
// post-only order that would cross, ...).

import { createHmac, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Pool } from 'undici';
import { createMigratedDatabase, type TestDatabase } from '../db/test-database.ts';
import { Processes } from '../edge/test-processes.ts';
import { deleteKeys, REDIS_URL, startSocketRedis } from '../matcher/bus/test-kit.ts';
import { generate, MARKET, type Op, WORKLOADS, type Workload } from './workload.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    connections: { type: 'string', default: '64' },
    edges: { type: 'string', default: '1' },
    rate: { type: 'string' },
    workload: { type: 'string', default: 'steady' },
    accounts: { type: 'string', default: '1000' },
    tracing: { type: 'string', default: 'off' },
    'resp-type': { type: 'string', default: 'FULL' },
    batch: { type: 'string', default: '1000' },
    url: { type: 'string' },
    'admin-token': { type: 'string' },
    'database-url': { type: 'string' },
    seed: { type: 'string', default: '1' },
    profile: { type: 'string' },
    floor: { type: 'boolean', default: false },
    unix: { type: 'boolean', default: false },
    'pg-socket': { type: 'string', default: '/var/run/postgresql' },
    json: { type: 'boolean', default: false },
    vacuum: { type: 'string', default: 'off' },
  },
});

function number(name: string, text: string | undefined, { min = 0, integer = true } = {}): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isSafeInteger(n))) {
    fail(`--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${JSON.stringify(text)}`);
  }
  return n;
}

function fail(message: string): never {
  console.error(`bench:e2e: ${message}`);
  process.exit(64);
}

const options = {
  durationS: number('duration', values.duration, { min: 1, integer: false }),
  warmupS: number('warmup', values.warmup, { integer: false }),
  connections: number('connections', values.connections, { min: 1 }),
  edges: number('edges', values.edges, { min: 1 }),
  rate: values.rate === undefined ? undefined : number('rate', values.rate, { min: 1, integer: false }),
  workload: (WORKLOADS as readonly string[]).includes(values.workload!)
    ? (values.workload as Workload)
    : fail(`--workload must be one of ${WORKLOADS.join(', ')}`),
  accounts: number('accounts', values.accounts, { min: 1 }),
  vacuum: ['on', 'off'].includes(values.vacuum!)
    ? (values.vacuum as 'on' | 'off')
    : fail('--vacuum must be on or off'),
  tracing:
    values.tracing === 'off' ? undefined : number('tracing', values.tracing, { min: 0, integer: false }),
  respType: ['ACK', 'RESULT', 'FULL'].includes(values['resp-type']!)
    ? values['resp-type']!
    : fail('--resp-type must be ACK, RESULT or FULL'),
  batch: number('batch', values.batch, { min: 1 }),
  url: values.url,
  adminToken: values['admin-token'],
  databaseUrl: values['database-url'],
  seed: number('seed', values.seed, { min: 1 }),
  profileDir: values.profile,
  floor: values.floor,
  unix: values.unix,
  pgSocket: values['pg-socket']!,
  json: values.json,
};
if (options.tracing !== undefined && options.tracing > 1) fail('--tracing must be off or a ratio in [0, 1]');
if (options.url !== undefined && options.adminToken === undefined) fail('--url needs --admin-token');
if (options.url !== undefined && options.tracing !== undefined)
  fail('--tracing applies to the deployment it starts');
if (options.unix && (options.url !== undefined || options.floor))
  fail('--unix applies to the deployment it starts');
if (options.floor && (options.url !== undefined || options.tracing !== undefined))
  fail('--floor starts its own servers, without tracing');

/** --profile DIR: each process started writes a V8 CPU profile there when it exits. */
const profiling: NodeJS.ProcessEnv =
  options.profileDir === undefined ? {} : { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${options.profileDir}` };

const log = (line: string) => {
  if (!options.json) console.log(line);
};
const progress = (line: string) => process.stderr.write(`${line}\n`);

// ---------------------------------------------------------------------------------------------------------------
// The deployment

interface Target {
  baseUrls: string[];
  adminToken: string;
  databaseUrl: string | undefined;
  /** The matcher's Prometheus text (undefined for --url). */
  matcherMetrics?: () => Promise<string>;
  /** Process ids by role, for CPU accounting (empty for --url). */
  pids: { matcher: number[]; edges: number[] };
  spansReceived: () => number;
  close(): Promise<void>;
}

async function startDeployment(): Promise<Target> {
  const processes = new Processes();
  const prefix = `bench-e2e:${randomBytes(4).toString('hex')}:`;
  const adminToken = randomBytes(18).toString('base64url');
  // One for every edge: any edge may read a key another one stored.
  const secretKey = randomBytes(32).toString('base64');
  let database: TestDatabase | undefined;
  let sink: Server | undefined;
  let spans = 0;
  let privateRedis: { url: string; stop(): void } | undefined;
  const close = async () => {
    await processes.stopAll();
    if (privateRedis === undefined) await deleteKeys(prefix).catch(() => {});
    privateRedis?.stop();
    await database?.drop().catch(() => {});
    await new Promise((resolve) => (sink ? sink.close(resolve) : resolve(undefined)));
  };
  try {
    database = await createMigratedDatabase();
    if (options.unix) privateRedis = await startSocketRedis(); // a Redis of this run's own, on a Unix socket
    const redisUrl = privateRedis?.url ?? REDIS_URL;
    const databaseUrl = options.unix
      ? `postgres://postgres@${encodeURIComponent(options.pgSocket)}/${database.name}`
      : database.url;
    const telemetry: NodeJS.ProcessEnv = {
      OTEL_SDK_DISABLED: undefined,
      OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
    };
    if (options.tracing !== undefined) {
      // An OTLP/HTTP sink: counts the spans it is sent (JSON) and answers as a collector does.
      sink = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          if (req.url === '/v1/traces') spans += countSpans(Buffer.concat(chunks));
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
      });
      await new Promise<void>((resolve) => sink!.listen(0, '127.0.0.1', resolve));
      const { port } = sink.address() as { port: number };
      Object.assign(telemetry, {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: String(options.tracing),
        OTEL_METRICS_EXPORTER: 'none',
      });
    }
    const common: NodeJS.ProcessEnv = {
      ...process.env,
      ...telemetry,
      REDIS_URL: redisUrl,
      DATABASE_URL: databaseUrl,
      REDIS_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      ...profiling,
    };
    const matcherMetricsPort = processes.startMatcher({
      ...common,
      MATCHER_BATCH_SIZE: String(options.batch),
    });
    const [matcherPid] = processes.pids();
    const ports = await Promise.all(
      Array.from({ length: options.edges }, () =>
        processes.startEdge({
          ...common,
          ADMIN_TOKEN: adminToken,
          API_SECRET_ENCRYPTION_KEY: secretKey,
          // The benchmark's own accounts and address: limits out of the way (throttling is measured elsewhere).
          RATE_LIMIT_WEIGHT_1M: '1000000000000',
          RATE_LIMIT_ORDERS_10S: '1000000000000',
          RATE_LIMIT_ORDERS_1D: '1000000000000',
        }),
      ),
    );
    const edgePids = processes.pids().filter((pid) => pid !== matcherPid);
    const metricsUrl = `http://127.0.0.1:${await matcherMetricsPort}/metrics`;
    return {
      baseUrls: ports.map((port) => `http://127.0.0.1:${port}`),
      adminToken,
      databaseUrl: database.url,
      matcherMetrics: () => fetch(metricsUrl).then((res) => res.text()),
      pids: { matcher: matcherPid === undefined ? [] : [matcherPid], edges: edgePids },
      spansReceived: () => spans,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * --floor: `--edges` processes of bench/floor-server.ts (Hono on @hono/node-server answering every order at once)
 * in place of the deployment, driven by the same load generator: the most any Hono edge could answer here.
 */
async function startFloor(): Promise<Target> {
  const processes = new Processes();
  const file = new URL('./floor-server.ts', import.meta.url).pathname;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...profiling,
  };
  try {
    const ports = await Promise.all(
      Array.from({ length: options.edges }, () => processes.startReporting(file, env, 'edge listening')),
    );
    return {
      baseUrls: ports.map((port) => `http://127.0.0.1:${port}`),
      adminToken: '',
      databaseUrl: undefined,
      pids: { matcher: [], edges: processes.pids() },
      spansReceived: () => 0,
      close: () => processes.stopAll(),
    };
  } catch (error) {
    await processes.stopAll();
    throw error;
  }
}

/** --floor: accounts with keys of their own making (the floor server checks nothing). */
function floorAccounts(): { symbol: string; accounts: Account[] } {
  const accounts = Array.from({ length: options.accounts }, (_, i) => ({
    accountId: i + 1,
    apiKey: randomBytes(32).toString('hex'),
    secret: randomBytes(32),
  }));
  return { symbol: MARKET.symbol, accounts };
}

/**
 * Spans in an OTLP/JSON export, counted without parsing it: the sink stands in for a collector running elsewhere,
 * and parsing every export here would charge the tracing's cost with the collector's work. Each span, and nothing
 * else in the payload (events have timeUnixNano, links no times), has one "startTimeUnixNano".
 */
function countSpans(body: Buffer): number {
  let n = 0;
  for (let at = body.indexOf(SPAN_MARK); at !== -1; at = body.indexOf(SPAN_MARK, at + SPAN_MARK.length)) n++;
  return n;
}
const SPAN_MARK = Buffer.from('"startTimeUnixNano"');

async function waitReady(baseUrl: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${baseUrl}/readyz`).catch(() => undefined);
    await res?.body?.cancel();
    if (res?.status === 200) return;
    if (Date.now() > deadline) throw new Error(`${baseUrl} did not become ready`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Market, accounts and keys through the admin API

interface Account {
  accountId: number;
  apiKey: string;
  secret: Buffer;
}

async function setUp(target: Target): Promise<{ symbol: string; accounts: Account[] }> {
  const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${target.baseUrls[0]}/admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${target.adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`admin ${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
  // A market of this run's own on a shared deployment; BTCUSDT on ours.
  const symbol =
    options.url === undefined ? MARKET.symbol : `B${randomBytes(4).toString('hex').toUpperCase()}`;
  await admin('POST', '/markets', {
    symbol,
    baseAsset: MARKET.base,
    quoteAsset: MARKET.quote,
    tickSize: MARKET.tickSize,
    stepSize: MARKET.stepSize,
    makerFee: '0.001',
    takerFee: '0.001',
    // deep rests ~600 orders per account of 1000 after 1M operations.
    maxNumOrders: 100_000,
  });
  const accounts: Account[] = new Array(options.accounts);
  let next = 0;
  const worker = async () => {
    while (next < options.accounts) {
      const i = next++;
      const { accountId } = await admin<{ accountId: number }>('POST', '/accounts');
      for (const [asset, amount] of Object.entries(MARKET.balance)) {
        await admin('POST', `/accounts/${accountId}/deposits`, { asset, amount });
      }
      const key = await admin<{ apiKey: string; secretKey: string }>(
        'POST',
        `/accounts/${accountId}/api-keys`,
        {
          type: 'HMAC_SHA256',
        },
      );
      accounts[i] = { accountId, apiKey: key.apiKey, secret: Buffer.from(key.secretKey) };
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return { symbol, accounts };
}

// ---------------------------------------------------------------------------------------------------------------
// Requests from the workload

const Kind = { Place: 0, Cancel: 1 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

interface Request {
  kind: Kind;
  account: number;
  /** The unsigned query string, without timestamp. */
  query: string;
  /** The workload's id of the order placed or cancelled (its clientOrderId is `<run>-<id>`). */
  id: number;
}

const decimal = (n: number, places: number): string => {
  const s = String(n).padStart(places + 1, '0');
  return `${s.slice(0, -places)}.${s.slice(-places)}`;
};
const TICK_PLACES = MARKET.tickSize.split('.')[1]!.length;
const LOT_PLACES = MARKET.stepSize.split('.')[1]!.length;
const OPS = ['limit', 'market', 'cancel'] as const;
const TIFS = ['GTC', 'IOC', 'FOK', 'POST_ONLY'] as const;

/**
 * The workload in typed columns, each request's query string built when it is sent: millions of request objects
 * held for the whole run would make this process's garbage collections long enough to show as latency.
 */
class Requests {
  readonly length: number;
  private readonly op: Uint8Array;
  private readonly buy: Uint8Array;
  private readonly tif: Uint8Array;
  private readonly account: Int32Array;
  private readonly price: Int32Array;
  private readonly qty: Int32Array;
  private readonly id: Int32Array;
  private readonly common: string;
  private readonly tail: string;

  readonly run: string;

  constructor(ops: Op[], symbol: string, run: string) {
    this.run = run;
    const n = (this.length = ops.length);
    [this.op, this.buy, this.tif] = [new Uint8Array(n), new Uint8Array(n), new Uint8Array(n)];
    [this.account, this.price, this.qty, this.id] = [0, 0, 0, 0].map(() => new Int32Array(n)) as [
      Int32Array,
      Int32Array,
      Int32Array,
      Int32Array,
    ];
    ops.forEach((o, i) => {
      this.op[i] = OPS.indexOf(o.op);
      this.account[i] = (o.user - 1) % options.accounts;
      this.id[i] = o.id;
      if (o.op === 'cancel') return;
      this.buy[i] = o.side === 'buy' ? 1 : 0;
      this.qty[i] = o.qty;
      if (o.op === 'limit') {
        this.price[i] = o.price;
        this.tif[i] = TIFS.indexOf(o.tif as (typeof TIFS)[number]);
      }
    });
    this.common = `symbol=${symbol}`;
    this.tail = `&newOrderRespType=${options.respType}&recvWindow=60000`;
  }

  clientOrderId(id: number): string {
    return `${this.run}-${id}`;
  }

  at(i: number): Request {
    const account = this.account[i]!;
    const id = this.id[i]!;
    const clientOrderId = this.clientOrderId(id);
    const op = OPS[this.op[i]!]!;
    if (op === 'cancel') {
      return { kind: Kind.Cancel, account, id, query: `${this.common}&origClientOrderId=${clientOrderId}` };
    }
    const side = this.buy[i] === 1 ? 'BUY' : 'SELL';
    const quantity = decimal(this.qty[i]!, LOT_PLACES);
    let order: string;
    if (op === 'market') order = `side=${side}&type=MARKET&quantity=${quantity}`;
    else {
      const price = decimal(this.price[i]!, TICK_PLACES);
      const tif = TIFS[this.tif[i]!]!;
      order =
        tif === 'POST_ONLY'
          ? `side=${side}&type=LIMIT_MAKER&quantity=${quantity}&price=${price}`
          : `side=${side}&type=LIMIT&timeInForce=${tif}&quantity=${quantity}&price=${price}`;
    }
    return {
      kind: Kind.Place,
      account,
      id,
      query: `${this.common}&${order}&newClientOrderId=${clientOrderId}${this.tail}`,
    };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The load

interface Tally {
  acked: number;
  errors: Record<string, number>;
  rejects: Record<string, number>;
  reasons: Record<string, number>;
  answers: Record<string, number>;
}

const newTally = (): Tally => ({ acked: 0, errors: {}, rejects: {}, reasons: {}, answers: {} });
const bump = (map: Record<string, number>, key: string) => {
  map[key] = (map[key] ?? 0) + 1;
};

/** Latencies in ms, growing as needed. */
class Samples {
  private values = new Float64Array(1 << 16);
  length = 0;
  push(value: number): void {
    if (this.length === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = value;
  }
  sorted(from = 0): Float64Array {
    return this.values.slice(from, this.length).sort();
  }
}

const percentile = (sorted: Float64Array, q: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

function latencySummary(sorted: Float64Array) {
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    p50: round(percentile(sorted, 0.5)),
    p90: round(percentile(sorted, 0.9)),
    p99: round(percentile(sorted, 0.99)),
    p999: round(percentile(sorted, 0.999)),
    max: round(sorted.length === 0 ? NaN : sorted[sorted.length - 1]!),
  };
}

async function drive(target: Target, symbol: string, accounts: Account[], requests: Requests) {
  const perEdge = Math.max(1, Math.ceil(options.connections / target.baseUrls.length));
  const pools = target.baseUrls.map(
    (url) => new Pool(url, { connections: perEdge, pipelining: 1, keepAliveTimeout: 60_000 }),
  );
  const tally = newTally();
  const samples = new Samples();
  /** Order ids acknowledged, and the workload ids of the orders whose cancel was acknowledged. */
  const placed = new Samples();
  const cancelled = new Samples();
  const warmupMs = options.warmupS * 1000;
  const durationMs = options.durationS * 1000;
  let measuredFrom = -1; // index into samples where the measured window starts
  let measuredAcked = 0;
  let inFlight = 0;
  let next = 0;
  const start = performance.now();

  const send = async (request: Request, intended: number, poolIndex: number): Promise<void> => {
    const account = accounts[request.account]!;
    const query = `${request.query}&timestamp=${Date.now()}`;
    const signature = createHmac('sha256', account.secret).update(query).digest('hex');
    inFlight++;
    let status = 0;
    let text = '';
    try {
      const res = await pools[poolIndex]!.request({
        method: request.kind === Kind.Place ? 'POST' : 'DELETE',
        path: `/api/v3/order?${query}&signature=${signature}`,
        headers: { 'x-mbx-apikey': account.apiKey },
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (error) {
      bump(tally.errors, `transport:${(error as { code?: string }).code ?? (error as Error).name}`);
    }
    inFlight--;
    const done = performance.now();
    const measured = intended - start >= warmupMs;
    if (measured && measuredFrom < 0) measuredFrom = samples.length;
    if (status === 0) return;
    if (measured) samples.push(done - intended);
    const kind = request.kind === Kind.Place ? 'place' : 'cancel';
    if (status === 200) {
      tally.acked++;
      if (measured) measuredAcked++;
      bump(tally.answers, `${kind} 200`);
      if (request.kind === Kind.Place) placed.push((JSON.parse(text) as { orderId: number }).orderId);
      else cancelled.push(request.id);
      return;
    }
    let code = '';
    let msg = '';
    try {
      ({ code, msg } = JSON.parse(text) as { code: string; msg: string });
    } catch {
      // not JSON: a proxy's or server's error page
    }
    bump(tally.answers, `${kind} ${status}`);
    if (status === 429 || status === 418 || status >= 500) {
      bump(
        tally.errors,
        String(code) === '-1007' ? 'timeout-unknown' : `http:${status}${code ? ` ${code}` : ''}`,
      );
    } else {
      bump(tally.rejects, String(code));
      bump(tally.reasons, `${kind} ${code} ${msg}`);
    }
  };

  const windows: { minute: number; throughput: number; latencyMs: object; rssMb: object }[] = [];
  let windowStart = start + warmupMs;
  let windowFrom = 0;
  let windowAcked = 0;
  // Progress, once a second.
  let lastAcked = 0;
  let lastSamples = 0;
  const ticker = setInterval(() => {
    const t = (performance.now() - start) / 1000;
    const recent = samples.sorted(lastSamples);
    lastSamples = samples.length;
    const errors = Object.values(tally.errors).reduce((a, b) => a + b, 0);
    progress(
      `${t.toFixed(0).padStart(4)}s ${String(tally.acked - lastAcked).padStart(6)} acked/s  ` +
        `p50 ${percentile(recent, 0.5).toFixed(1)} ms  p99 ${percentile(recent, 0.99).toFixed(1)} ms  ` +
        `in flight ${inFlight}  errors ${errors}${t * 1000 < warmupMs ? '  (warm-up)' : ''}`,
    );
    lastAcked = tally.acked;
    // Each full minute of the measured run: is it flat (throughput, latency, memory)?
    if (measuredFrom >= 0 && performance.now() - windowStart >= 60_000) {
      const minute = samples.sorted(windowFrom);
      windows.push({
        minute: windows.length + 1,
        throughput: Math.round(((measuredAcked - windowAcked) / (performance.now() - windowStart)) * 1000),
        latencyMs: latencySummary(minute),
        rssMb: rssOf(target),
      });
      windowStart = performance.now();
      windowFrom = samples.length;
      windowAcked = measuredAcked;
      progress(`minute ${windows.length}: ${JSON.stringify(windows.at(-1))}`);
    }
  }, 1000);

  const end = start + warmupMs + durationMs;
  if (options.rate === undefined) {
    // Closed loop: each connection sends its next request when the previous one answered.
    await Promise.all(
      Array.from({ length: options.connections }, async (_, c) => {
        const poolIndex = c % pools.length;
        while (next < requests.length && performance.now() < end) {
          const request = requests.at(next++);
          await send(request, performance.now(), poolIndex);
        }
      }),
    );
  } else {
    // Open loop: request i is due at start + i / rate, sent then whatever came back.
    const interval = 1000 / options.rate;
    const pending = new Set<Promise<void>>();
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (next < requests.length && start + next * interval <= Math.min(now, end)) {
          const i = next++;
          const p = send(requests.at(i), start + i * interval, i % pools.length);
          pending.add(p);
          void p.finally(() => pending.delete(p));
        }
        if (now >= end || next >= requests.length) resolve();
        else setTimeout(tick, 1);
      };
      tick();
    });
    await Promise.all(pending);
  }
  const elapsed = performance.now() - start;
  clearInterval(ticker);
  await Promise.all(pools.map((pool) => pool.close()));
  const measuredMs = Math.max(1, Math.min(elapsed, warmupMs + durationMs) - warmupMs);
  return {
    tally,
    sent: next,
    latency: latencySummary(samples.sorted(Math.max(0, measuredFrom))),
    throughput: Math.round((measuredAcked / measuredMs) * 1000),
    placed: [...placed.sorted()],
    cancelled: [...cancelled.sorted()].map((id) => requests.clientOrderId(id)),
    symbol,
    windows,
  };
}

/** Resident memory, MB, of the deployment's processes and of this one. */
function rssOf(target: Target): Record<string, number> {
  const rss = (pid: number) => {
    try {
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return kb === undefined ? 0 : Number(kb) / 1024;
    } catch {
      return 0;
    }
  };
  const mb = (x: number) => Math.round(x);
  return {
    matcher: mb(target.pids.matcher.reduce((s, pid) => s + rss(pid), 0)),
    edges: mb(target.pids.edges.reduce((s, pid) => s + rss(pid), 0)),
    loadgen: mb(process.memoryUsage.rss() / 2 ** 20),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// CPU: seconds each process spent, from /proc, over the measured run

const TICKS_PER_SECOND = 100;
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
  } catch {
    return NaN;
  }
}
function machineBusySeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const idle = cpu[3]! + cpu[4]!;
  return (cpu.reduce((a, b) => a + b, 0) - idle) / TICKS_PER_SECOND;
}

/** The processes of this machine named `name` (/proc/PID/comm), e.g. every Postgres backend. */
function processesNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const PARTS = ['matcher', 'edges', 'loadgen', 'postgres', 'redis', 'machine'] as const;

/**
 * CPU per part over the run, in cores. Postgres and Redis are the local servers' processes (all of them: with
 * --url or other work on the machine they include more than this run); `other` is the machine's rest.
 */
function cpuMeter(target: Target) {
  const sum = (pids: number[]) => pids.reduce((s, pid) => s + (cpuSeconds(pid) || 0), 0);
  const read = (): Record<(typeof PARTS)[number], number> & {
    at: number;
    postgresPids: Map<number, number>;
  } => {
    const postgresPids = new Map(processesNamed('postgres').map((pid) => [pid, cpuSeconds(pid) || 0]));
    return {
      matcher: sum(target.pids.matcher),
      edges: sum(target.pids.edges),
      loadgen: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
      postgres: [...postgresPids.values()].reduce((a, b) => a + b, 0),
      redis: sum(processesNamed('redis-server')),
      machine: machineBusySeconds(),
      at: performance.now(),
      postgresPids,
    };
  };
  const before = read();
  return () => {
    const after = read();
    const seconds = (after.at - before.at) / 1000;
    const round = (x: number) => Math.round(x * 100) / 100;
    // Backends that ended during the run are lost; those that began count from zero.
    let postgres = 0;
    for (const [pid, s] of after.postgresPids) postgres += s - (before.postgresPids.get(pid) ?? 0);
    const cores: Record<string, number> = {};
    for (const part of PARTS) {
      cores[part] = round((part === 'postgres' ? postgres : after[part] - before[part]) / seconds);
    }
    cores.other = round(cores.machine! - PARTS.slice(0, -1).reduce((s, part) => s + cores[part]!, 0));
    return cores;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The matcher's own view over the run: its group commits (duration, size) from its Prometheus histograms

interface Histogram {
  /** Cumulative counts by upper bound. */
  buckets: Map<number, number>;
  sum: number;
  count: number;
}

/** A histogram of Prometheus text by metric name prefix (summed over its label sets). */
function histogramOf(text: string, name: string): Histogram {
  const h: Histogram = { buckets: new Map(), sum: 0, count: 0 };
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith(`${name}_bucket`)) {
      const le = /le="([^"]+)"/.exec(line)?.[1];
      const bound = le === '+Inf' ? Infinity : Number(le);
      h.buckets.set(bound, (h.buckets.get(bound) ?? 0) + value);
    } else if (line.startsWith(`${name}_sum`)) h.sum += value;
    else if (line.startsWith(`${name}_count`)) h.count += value;
  }
  return h;
}

function histogramSummary(before: Histogram, after: Histogram) {
  const count = after.count - before.count;
  const bounds = [...after.buckets.keys()].sort((a, b) => a - b);
  /** The upper bound of the bucket holding quantile q. */
  const quantile = (q: number) => {
    for (const bound of bounds) {
      if ((after.buckets.get(bound) ?? 0) - (before.buckets.get(bound) ?? 0) >= q * count) return bound;
    }
    return Infinity;
  };
  return {
    count,
    mean: count === 0 ? 0 : Math.round(((after.sum - before.sum) / count) * 100) / 100,
    p50Bucket: quantile(0.5),
    p99Bucket: quantile(0.99),
  };
}

/** Snapshots the matcher's commit histograms now; the returned function summarizes what happened since. */
async function matcherMeter(target: Target) {
  const read = async () => {
    const text = (await target.matcherMetrics?.().catch(() => '')) ?? '';
    return {
      commitMs: histogramOf(text, 'spot_matcher_commit_duration'),
      batchSize: histogramOf(text, 'spot_matcher_batch_size'),
    };
  };
  const before = await read();
  return async () => {
    if (target.matcherMetrics === undefined) return undefined;
    const after = await read();
    return {
      commitMs: histogramSummary(before.commitMs, after.commitMs),
      batchSize: histogramSummary(before.batchSize, after.batchSize),
    };
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Durability: what was acknowledged is in Postgres

/**
 * What Postgres wrote over the run: WAL (pg_stat_wal is the server's, so it includes any other work on it) and
 * the bench database's row changes per table, with how many updates were HOT (no index touched). Counts, not
 * times: they do not move with the machine's noise.
 */
async function postgresMeter(databaseUrl: string) {
  const query = async <T extends pg.QueryResultRow>(text: string): Promise<T[]> => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return (await client.query<T>(text)).rows;
    } finally {
      await client.end();
    }
  };
  type Wal = { records: string; fpi: string; bytes: string };
  const walNow = async () =>
    (
      await query<Wal>('select wal_records as records, wal_fpi as fpi, wal_bytes as bytes from pg_stat_wal')
    )[0]!;
  const before = await walNow();
  return async (requests: number) => {
    const after = await walNow();
    const per = (k: keyof Wal) => Math.round((Number(after[k]) - Number(before[k])) / Math.max(1, requests));
    // The statistics collector reports a backend's counts when it goes idle; give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const tables = await query<{ name: string; ins: string; upd: string; hot: string; del: string }>(
      `select relname as name, n_tup_ins as ins, n_tup_upd as upd, n_tup_hot_upd as hot, n_tup_del as del
       from pg_stat_user_tables where n_tup_ins + n_tup_upd + n_tup_del > 0 order by relname`,
    );
    return {
      walBytesPerRequest: per('bytes'),
      walRecordsPerRequest: per('records'),
      fullPageImagesPerRequest: per('fpi'),
      rows: Object.fromEntries(
        tables.map((t) => [
          t.name,
          {
            inserted: Number(t.ins),
            updated: Number(t.upd),
            hotUpdated: Number(t.hot),
            deleted: Number(t.del),
          },
        ]),
      ),
    };
  };
}

/**
 * --vacuum on: autovacuum's job for the bench database, for a server that runs without it (this machine's
 * does). Every minute (autovacuum_naptime) each table past autovacuum's default thresholds (dead rows over
 * 50 + 20 % of its rows, or rows inserted since its last vacuum over 1000 + 20 %) is vacuumed and analysed, one
 * at a time, at autovacuum's pace. Without it a long run measures bloat production would not have: the orders
 * table keeps every dead version of every order. Returns how many vacuums ran, and a stop.
 */
function vacuumLikeAutovacuum(databaseUrl: string): { runs: () => number; stop: () => Promise<void> } {
  const client = new pg.Client({ connectionString: databaseUrl });
  let runs = 0;
  let stopped = false;
  const pass = async () => {
    const due = await client.query<{ name: string }>(
      `select relname as name from pg_stat_user_tables
       where n_dead_tup > 50 + 0.2 * n_live_tup or n_ins_since_vacuum > 1000 + 0.2 * n_live_tup
       order by relname`,
    );
    for (const { name } of due.rows) {
      if (stopped) return;
      await client.query(`vacuum (analyze) ${pg.escapeIdentifier(name)}`);
      runs++;
    }
  };
  // Throttled as autovacuum is (autovacuum_vacuum_cost_delay 2 ms per vacuum_cost_limit 200): a manual VACUUM
  // runs flat out, which on a busy machine is a latency spike autovacuum would not cause.
  let running: Promise<void> = client
    .connect()
    .then(() => client.query('set vacuum_cost_delay = 2; set vacuum_cost_limit = 200'))
    .then(() => {});
  const timer = setInterval(() => {
    running = running.then(pass).catch((error: unknown) => {
      if (!stopped) console.error(`bench:e2e: vacuum: ${(error as Error).message}`);
    });
  }, 60_000);
  return {
    runs: () => runs,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
      await client.end();
    },
  };
}

/** Whether the server runs autovacuum. */
async function autovacuumOn(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<{ autovacuum: string }>('show autovacuum')).rows[0]!.autovacuum === 'on';
  } finally {
    await client.end();
  }
}

async function checkDurable(databaseUrl: string, placed: number[], cancelled: string[]) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const count = async (sql: string, values: unknown[]) =>
      Number((await client.query<{ n: string }>(sql, [values])).rows[0]!.n);
    let ordersFound = 0;
    let cancelsFound = 0;
    for (let i = 0; i < placed.length; i += 50_000) {
      ordersFound += await count(
        'select count(*) as n from orders where order_id = any($1::bigint[])',
        placed.slice(i, i + 50_000),
      );
    }
    for (let i = 0; i < cancelled.length; i += 50_000) {
      cancelsFound += await count(
        `select count(*) as n from orders where client_order_id = any($1::text[]) and status = 'CANCELED'`,
        cancelled.slice(i, i + 50_000),
      );
    }
    return {
      ordersAcknowledged: placed.length,
      ordersInPostgres: ordersFound,
      cancelsAcknowledged: cancelled.length,
      cancelsInPostgres: cancelsFound,
      ok: ordersFound === placed.length && cancelsFound === cancelled.length,
    };
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const target: Target = options.floor
    ? await startFloor()
    : options.url === undefined
      ? await startDeployment()
      : {
          baseUrls: options.url.split(','),
          adminToken: options.adminToken!,
          databaseUrl: options.databaseUrl,
          pids: { matcher: [], edges: [] },
          spansReceived: () => 0,
          close: async () => {},
        };
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    progress('interrupted: stopping the deployment');
    void target.close().finally(() => process.exit(130));
  });
  try {
    await Promise.all(target.baseUrls.map(waitReady));
    const setupStart = performance.now();
    const { symbol, accounts } = options.floor ? floorAccounts() : await setUp(target);
    // Enough operations for the run at the offered rate, or at a closed loop's best (40k/s).
    const opsNeeded =
      Math.ceil((options.rate ?? 40_000) * (options.durationS + options.warmupS) * 1.05) + 1000;
    const requests = new Requests(
      generate(options.workload, opsNeeded, options.seed),
      symbol,
      randomBytes(3).toString('hex'),
    );
    log(
      `bench:e2e ${options.workload}, ${options.rate === undefined ? `closed loop, ${options.connections} connections` : `open loop at ${options.rate}/s`}, ` +
        `${target.baseUrls.length} ${options.floor ? 'floor server(s) (--floor)' : 'edge(s)'}, ${accounts.length} accounts, tracing ${options.tracing ?? 'off'}${options.unix ? ', Unix sockets' : ''}; ` +
        `set up in ${((performance.now() - setupStart) / 1000).toFixed(1)} s; ${options.warmupS} s warm-up + ${options.durationS} s`,
    );
    const cpu = cpuMeter(target);
    const commits = await matcherMeter(target);
    const writes = target.databaseUrl === undefined ? undefined : await postgresMeter(target.databaseUrl);
    const autovacuum = target.databaseUrl === undefined ? undefined : await autovacuumOn(target.databaseUrl);
    const vacuum =
      target.databaseUrl !== undefined && options.vacuum === 'on'
        ? vacuumLikeAutovacuum(target.databaseUrl)
        : undefined;
    if (autovacuum === false) {
      progress(
        vacuum === undefined
          ? 'Postgres runs with autovacuum off: nothing vacuums, and a long run measures the bloat (--vacuum on)'
          : 'Postgres runs with autovacuum off: the bench vacuums its tables as autovacuum would (--vacuum on)',
      );
    }
    const run = await drive(target, symbol, accounts, requests);
    const cores = cpu();
    await vacuum?.stop();
    const matcher = await commits();
    const written = await writes?.(run.tally.acked);
    if (interrupted) return;
    const durable =
      target.databaseUrl === undefined
        ? undefined
        : await checkDurable(target.databaseUrl, run.placed, run.cancelled);
    const summary = {
      workload: options.workload,
      mode: options.rate === undefined ? 'closed' : 'open',
      ...(options.floor ? { floor: true } : {}),
      ...(options.rate === undefined ? { connections: options.connections } : { rate: options.rate }),
      edges: target.baseUrls.length,
      tracing: options.tracing ?? 'off',
      ...(options.unix ? { unixSockets: true } : {}),
      durationS: options.durationS,
      throughput: run.throughput,
      sent: run.sent,
      acknowledged: run.tally.acked,
      errors: run.tally.errors,
      rejects: run.tally.rejects,
      latencyMs: run.latency,
      answers: run.tally.answers,
      // The matcher's group commits over the run (warm-up included): how many, their size and duration.
      commits: matcher,
      cpuCores: cores,
      rssMb: rssOf(target),
      ...(run.windows.length > 0 ? { minutes: run.windows } : {}),
      // CPU per acknowledged request, µs: what each part costs, whatever else shares the machine.
      cpuUsPerRequest: Object.fromEntries(
        Object.entries(cores).map(([k, v]) => [k, Math.round((v * 1e6) / Math.max(1, run.throughput))]),
      ),
      ...(options.tracing === undefined ? {} : { spansExported: target.spansReceived() }),
      ...(written === undefined
        ? {}
        : { postgres: { ...written, autovacuum, benchVacuums: vacuum?.runs() ?? null } }),
      durable,
    };
    if (options.json) console.log(JSON.stringify(summary));
    else {
      log(
        `throughput      ${run.throughput} acknowledged requests/s (${run.tally.acked} of ${run.sent} sent)`,
      );
      log(
        `latency ms      ${Object.entries(run.latency)
          .map(([k, v]) => `${k} ${v}`)
          .join('  ')}`,
      );
      log(`answers         ${JSON.stringify(run.tally.answers)}`);
      log(`errors          ${JSON.stringify(run.tally.errors)}`);
      log(`rejects         ${JSON.stringify(run.tally.reasons)}`);
      if (matcher !== undefined) {
        const { commitMs: c, batchSize: b } = matcher;
        log(
          `commits         ${c.count}, mean ${b.mean} commands, mean ${c.mean} ms (p50 ≤ ${c.p50Bucket} ms, ` +
            `p99 ≤ ${c.p99Bucket} ms)`,
        );
      }
      log(`cpu (cores)     ${JSON.stringify(cores)}`);
      log(`cpu µs/request  ${JSON.stringify(summary.cpuUsPerRequest)}`);
      log(`rss MB          ${JSON.stringify(summary.rssMb)}`);
      for (const w of run.windows) log(`minute ${String(w.minute).padStart(3)}      ${JSON.stringify(w)}`);
      if (written !== undefined) {
        const { rows, ...wal } = written;
        log(`postgres wal    ${JSON.stringify(wal)} (per acknowledged request, warm-up included)`);
        log(
          `postgres vacuum autovacuum ${autovacuum ? 'on' : 'off'}; the bench's own vacuums: ${vacuum?.runs() ?? 'none'}`,
        );
        for (const [name, r] of Object.entries(rows)) log(`  ${name.padEnd(18)} ${JSON.stringify(r)}`);
      }
      if (options.tracing !== undefined) log(`spans exported  ${target.spansReceived()}`);
      if (durable !== undefined) log(`durable         ${JSON.stringify(durable)}`);
    }
    if (durable !== undefined && !durable.ok) process.exitCode = 1;
  } finally {
    if (!interrupted) await target.close();
  }
}

await main();
