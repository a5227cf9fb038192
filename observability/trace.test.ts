// Tracing and metrics across processes: a matcher (`matcher/main.ts`) and an edge (`edge/main.ts`) on the real
// Redis and Postgres (a database and key prefix of this run's own), exporting over OTLP/HTTP (JSON) to a receiver
// in this test.
// - One order is one trace: the edge's server span `POST /api/v3/order` with edge.auth and edge.throttle under it,
//   the matcher.send PRODUCER span, the matcher's matcher.consume CONSUMER span parented through the stream entry,
//   matcher.apply, db.commit (parented by and linked to the consumer span), matcher.reply, and the edge's
//   edge.reply; both service names.
// - /metrics on the edge counts the order (latency histogram with its buckets); the matcher's metrics server
//   reports batch sizes, commit durations, orders and trades.

import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDGE_MAIN, MATCHER_MAIN, Processes } from '../edge/test-processes.ts';
import { createMigratedDatabase, type TestDatabase } from '../db/test-database.ts';
import { deleteKeys, eventually, REDIS_URL, runPrefix } from '../matcher/bus/test-kit.ts';
import { adminClient, BTCUSDT, fundedAccount } from '../edge/test-servers.ts';
import { type Requester, signedCall } from '../edge/test-signing.ts';

const ADMIN_TOKEN = randomBytes(18).toString('base64url');

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  links?: { traceId: string; spanId: string }[];
  attributes?: { key: string; value: Record<string, unknown> }[];
}
interface Received extends OtlpSpan {
  service: string;
}
const SpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

let database: TestDatabase | undefined;
let prefix: string | undefined;
let receiver: Server | undefined;
const spans: Received[] = [];
const processes = new Processes();
let edge: Requester;
let matcherMetrics: string;

/** An OTLP/HTTP receiver: keeps every span POSTed to /v1/traces (JSON), accepts anything else. */
function startReceiver(): Promise<number> {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: {
            resource: { attributes: { key: string; value: { stringValue?: string } }[] };
            scopeSpans: { spans: OtlpSpan[] }[];
          }[];
        };
        for (const r of body.resourceSpans) {
          const service = r.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
          for (const scope of r.scopeSpans)
            for (const s of scope.spans) spans.push({ ...s, service: service! });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    receiver!.listen(0, '127.0.0.1', () => resolve((receiver!.address() as { port: number }).port)),
  );
}

beforeAll(async () => {
  database = await createMigratedDatabase();
  prefix = runPrefix();
  const otlp = await startReceiver();
  const env = {
    ...process.env,
    REDIS_URL,
    DATABASE_URL: database.url,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'info',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlp}`,
    OTEL_BSP_SCHEDULE_DELAY: '50',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_SERVICE_NAME: '',
  };
  const [matcherPort, edgePort] = await Promise.all([
    processes.startReporting(MATCHER_MAIN, { ...env, MATCHER_METRICS_PORT: '0' }, 'metrics listening'),
    processes.startReporting(
      EDGE_MAIN,
      {
        ...env,
        PORT: '0',
        HOST: '127.0.0.1',
        ADMIN_TOKEN,
        API_SECRET_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      },
      'edge listening',
    ),
  ]);
  matcherMetrics = `http://127.0.0.1:${matcherPort}/metrics`;
  edge = (path, init) => fetch(`http://127.0.0.1:${edgePort}${path}`, init);
  await eventually(async () => expect((await edge('/readyz', {})).status).toBe(200), 30_000);
}, 60_000);

afterAll(async () => {
  await processes.stopAll();
  await new Promise((resolve) => receiver?.close(resolve));
  if (prefix !== undefined) await deleteKeys(prefix);
  await database?.drop();
}, 30_000);

describe('tracing and metrics across the edge and the matcher', () => {
  it('follows one order through both processes in one trace', async () => {
    const admin = adminClient(edge, ADMIN_TOKEN);
    await admin.createMarket(BTCUSDT);
    const { credentials } = await fundedAccount(admin, { USDT: '100000' });
    const res = await signedCall(edge, credentials, 'POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '1',
      price: '30000',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);

    const named = (traceId: string, name: string) =>
      spans.filter((s) => s.traceId === traceId && s.name === name);
    let server: Received | undefined;
    await eventually(() => {
      server = spans.find((s) => s.name === 'POST /api/v3/order');
      expect(server).toBeDefined();
      for (const name of [
        'edge.auth',
        'edge.throttle',
        'matcher.send',
        'edge.reply',
        'matcher.consume',
        'matcher.apply',
        'db.commit',
        'matcher.reply',
      ]) {
        expect(named(server!.traceId, name).length, name).toBeGreaterThan(0);
      }
    }, 10_000);
    const trace = server!.traceId;
    const one = (name: string) => {
      const found = named(trace, name);
      expect(found, name).toHaveLength(name === 'edge.throttle' ? 2 : 1); // weight, then the order count
      return found[0]!;
    };
    expect(spans.filter((s) => s.traceId === trace && s.kind === SpanKind.SERVER)).toHaveLength(1);
    expect(server).toMatchObject({ service: 'spot-edge', kind: SpanKind.SERVER });
    expect(server!.parentSpanId ?? '').toBe('');
    const attribute = (span: OtlpSpan, key: string) => span.attributes?.find((a) => a.key === key)?.value;
    expect(attribute(server!, 'http.route')).toEqual({ stringValue: '/api/v3/order' });
    expect(attribute(server!, 'http.response.status_code')).toEqual({ intValue: 200 });

    for (const name of ['edge.auth', 'edge.throttle', 'matcher.send', 'edge.reply']) {
      for (const span of named(trace, name)) {
        expect(span, name).toMatchObject({ service: 'spot-edge', parentSpanId: server!.spanId });
      }
    }
    const send = one('matcher.send');
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(attribute(send, 'messaging.system')).toEqual({ stringValue: 'redis' });
    expect(attribute(send, 'messaging.operation.type')).toEqual({ stringValue: 'send' });
    expect(attribute(send, 'messaging.destination.name')).toEqual({ stringValue: 'cmd:main' });
    expect(one('edge.reply').kind).toBe(SpanKind.CONSUMER);

    const consume = one('matcher.consume');
    expect(consume).toMatchObject({
      service: 'spot-matcher',
      kind: SpanKind.CONSUMER,
      parentSpanId: send.spanId,
    });
    expect(one('matcher.apply')).toMatchObject({ service: 'spot-matcher', parentSpanId: consume.spanId });
    const reply = one('matcher.reply');
    expect(reply).toMatchObject({
      service: 'spot-matcher',
      kind: SpanKind.PRODUCER,
      parentSpanId: consume.spanId,
    });
    const commit = one('db.commit');
    expect(commit).toMatchObject({
      service: 'spot-matcher',
      kind: SpanKind.CLIENT,
      parentSpanId: consume.spanId,
    });
    expect(commit.links).toContainEqual(expect.objectContaining({ traceId: trace, spanId: consume.spanId }));
    expect(attribute(commit, 'db.system.name')).toEqual({ stringValue: 'postgresql' });
  });

  it('counts the order on the edge and the batches and commits on the matcher on /metrics', async () => {
    // The order placed above (tests in this file run in order).
    const edgeText = await (await edge('/metrics', {})).text();
    expect(edgeText).toMatch(
      /^spot_edge_order_duration_\w*count\{[^}]*http_response_status_code="200"[^}]*\} 1$/m,
    );
    for (const le of ['1', '5', '10', '25', '50', '100', '250', '500', '1000', '+Inf']) {
      expect(edgeText).toContain(`le="${le}"`);
    }
    const text = await (await fetch(matcherMetrics)).text();
    expect(text).toMatch(/^spot_matcher_orders_total\{[^}]*spot_symbol="BTCUSDT"[^}]*\} 1$/m);
    expect(text).toMatch(/^spot_matcher_batch_size_\w*count\{[^}]*\} [1-9]\d*$/m);
    expect(text).toMatch(/^spot_matcher_commit_duration_\w*count\{[^}]*\} [1-9]\d*$/m);
    expect(text).toMatch(/^spot_matcher_stream_backlog\w*\{[^}]*spot_shard="main"[^}]*\} \d+$/m);
  });
});
