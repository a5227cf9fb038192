// Tracing and metrics across processes: a matcher (`matcher/main.ts`) and an edge (`edge/main.ts`) on the real
// Redis and Postgres (a database and key prefix of this run's own), exporting over OTLP/HTTP (JSON) to a receiver
// in this test.
// - One order is one trace: the edge's server span `POST /api/v3/order` with edge.auth and edge.throttle under it,
//   the matcher.send PRODUCER span, the matcher's matcher.consume CONSUMER span parented through the stream entry,
//   matcher.apply, db.commit (parented by and linked to the consumer span), matcher.reply, and the edge's
//   edge.reply; both service names.
// - The standard ioredis and pg instrumentations reach both processes (which import the drivers before telemetry
//   starts): the append's EVALSHA under matcher.send and the limiter's under each edge.throttle, the
//   commit's statements under db.commit, the reply pipeline's PUBLISH under matcher.reply, with db.system.name
//   and the other semantic-convention attributes; every name in the trace is ours, a Redis command's or a pg
//   query's, and no client span is ever a root (requireParentSpan).
// - /metrics on the edge counts the order (latency histogram with its buckets); the matcher's metrics server
//   reports batch sizes, commit durations, orders and trades.

import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BTCUSDT, fundedAccount } from '../edge/test-servers.ts';
import { signedCall, signedQuery } from '../edge/test-signing.ts';
import { eventually } from '../matcher/bus/test-kit.ts';
import { type Stack, startStack } from './test-stack.ts';
import { SpanName } from './tracing.ts';

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

let receiver: Server | undefined;
const spans: Received[] = [];
let stack: Stack;

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
  const otlp = await startReceiver();
  stack = await startStack({
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlp}`,
    OTEL_BSP_SCHEDULE_DELAY: '50',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_SERVICE_NAME: '',
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
}, 30_000);

describe('tracing and metrics across the edge and the matcher', () => {
  it('follows one order through both processes in one trace', async () => {
    await stack.admin.createMarket(BTCUSDT);
    const { credentials } = await fundedAccount(stack.admin, { USDT: '100000' });
    const res = await signedCall(stack.edge, credentials, 'POST', '/api/v3/order', {
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
    const children = (parent: OtlpSpan) =>
      spans.filter((s) => s.traceId === parent.traceId && s.parentSpanId === parent.spanId);
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
      // The client spans of the append, the commit's transaction and the reply's pipeline.
      for (const name of ['matcher.send', 'db.commit', 'matcher.reply']) {
        const [parent] = named(server!.traceId, name);
        expect(children(parent!).length, `under ${name}`).toBeGreaterThan(0);
      }
      expect(children(named(server!.traceId, 'db.commit')[0]!).map((s) => s.name)).toContainEqual(
        expect.stringMatching(/^pg\.query:/),
      );
    }, 10_000);
    const trace = server!.traceId;
    const one = (name: string) => {
      const found = named(trace, name);
      expect(found, name).toHaveLength(1);
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
    one('edge.throttle'); // weight and order count: one limiter call
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

  it('has the Redis and Postgres client spans of the order under its spans, and none outside a trace', () => {
    const server = spans.find((s) => s.name === 'POST /api/v3/order')!;
    const inTrace = spans.filter((s) => s.traceId === server.traceId);
    const only = (name: string) => inTrace.find((s) => s.name === name)!;
    const under = (parent: OtlpSpan) => inTrace.filter((s) => s.parentSpanId === parent.spanId);
    const attribute = (span: OtlpSpan, key: string) => span.attributes?.find((a) => a.key === key)?.value;
    const text = (span: OtlpSpan, key: string) => attribute(span, key)?.stringValue as string;
    const redis = { 'db.system.name': 'redis', 'server.address': '127.0.0.1' };
    const postgres = {
      'db.system.name': 'postgresql',
      'db.namespace': stack.database.name,
      'server.address': '127.0.0.1',
    };
    const attributes = (span: OtlpSpan) =>
      Object.fromEntries((span.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]]));

    // Edge: the append under matcher.send (the bounded append's script), its keys but not the order.
    const [append, ...more] = under(only('matcher.send')).filter((s) => s.service === 'spot-edge');
    expect(more).toEqual([]);
    expect(append).toMatchObject({ service: 'spot-edge', kind: SpanKind.CLIENT, name: 'evalsha' });
    expect(attributes(append!)).toMatchObject({
      ...redis,
      'db.operation.name': 'evalsha', // not auto-pipelined while tracing
      'server.port': 6379,
    });
    expect(text(append!, 'db.query.text')).toMatch(
      /^evalsha [0-9a-f]{40} 1 \S+cmd:main \[\d+ other arguments\]$/,
    );
    // Each limiter call under its edge.throttle.
    for (const throttle of inTrace.filter((s) => s.name === 'edge.throttle')) {
      expect(under(throttle).map((s) => s.name)).toEqual(['evalsha']);
    }

    // Matcher: the commit's statement under db.commit (prepared, named commit_batch_<hash of its text>), the
    // orders' rows written by it.
    const statements = under(only('db.commit')).filter((s) => s.name.startsWith('pg.query:'));
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement).toMatchObject({ service: 'spot-matcher', kind: SpanKind.CLIENT });
      expect(attributes(statement)).toMatchObject(postgres);
      expect(statement.name).toMatch(
        new RegExp(`^pg\\.query:commit_batch_[0-9a-f]{12} ${stack.database.name}$`),
      );
    }
    expect(statements.map((s) => text(s, 'db.query.text')).join('\n')).toMatch(/insert into orders\b/i);

    // Matcher: the batch's pipeline (the reply among its PUBLISHes, the market data, XACK, XTRIM) as one span
    // under matcher.reply, not a span per command.
    const [pipeline, ...others] = under(only('matcher.reply'));
    expect(others).toEqual([]);
    expect(pipeline).toMatchObject({ service: 'spot-matcher', kind: SpanKind.CLIENT, name: 'PIPELINE' });
    expect(attributes(pipeline!)).toMatchObject({
      ...redis,
      'db.operation.name': 'PIPELINE',
      'server.port': 6379,
    });
    expect(Number(attributes(pipeline!)['db.operation.batch.size'])).toBeGreaterThanOrEqual(3);
    expect(text(pipeline!, 'db.query.text')).toMatch(/^publish( ×\d+)?, (set( ×\d+)?, )?xack, xtrim$/);

    // Closed names: ours, the route's, Redis commands by name, Postgres by operation and database.
    const ours: string[] = [...Object.values(SpanName), 'POST /api/v3/order'];
    const pg = new RegExp(
      `^pg(-pool)?\\.(connect|query:([A-Z]+|commit_batch_[0-9a-f]{12}) ${stack.database.name})$`,
    );
    for (const span of inTrace.filter((s) => !ours.includes(s.name))) {
      const system = attribute(span, 'db.system.name')?.stringValue;
      expect(system, span.name).toMatch(/^(redis|postgresql)$/);
      if (system === 'redis') {
        expect(span.name).toBe(text(span, 'db.operation.name'));
      } else {
        expect(span.name).toMatch(pg);
      }
    }
    // requireParentSpan: a client span only ever inside a trace of ours, in any trace received.
    for (const span of spans.filter((s) => attribute(s, 'db.system.name') !== undefined)) {
      expect(span.parentSpanId ?? '', span.name).not.toBe('');
    }
  });

  it('counts the order on the edge and the batches and commits on the matcher on /metrics', async () => {
    // The order placed above (tests in this file run in order).
    const edgeText = await stack.edgeMetrics();
    expect(edgeText).toMatch(
      /^spot_edge_order_duration_\w*count\{[^}]*http_response_status_code="200"[^}]*\} 1$/m,
    );
    for (const le of ['1', '5', '10', '25', '50', '100', '250', '500', '1000', '+Inf']) {
      expect(edgeText).toContain(`le="${le}"`);
    }
    const text = await stack.matcherMetrics();
    expect(text).toMatch(/^spot_matcher_orders_total\{[^}]*spot_symbol="BTCUSDT"[^}]*\} 1$/m);
    expect(text).toMatch(/^spot_matcher_batch_size_\w*count\{[^}]*\} [1-9]\d*$/m);
    expect(text).toMatch(/^spot_matcher_commit_duration_\w*count\{[^}]*\} [1-9]\d*$/m);
    // The pg instrumentation's own metrics stay out: /metrics is the same with tracing on or off.
    for (const metrics of [edgeText, text]) expect(metrics).not.toMatch(/^db_client/m);
    expect(text).toMatch(/^spot_matcher_stream_backlog\w*\{[^}]*spot_shard="main"[^}]*\} \d+$/m);
  });

  it('keeps concurrent orders apart: the auto-pipelined Redis calls of one never land in another trace', async () => {
    // ioredis sends the calls made in one turn of the event loop as one pipeline, in the trace context of the
    // first: only our own CLIENT spans (autoPipelinedCall) keep each call in its request's trace.
    const { credentials } = await fundedAccount(stack.admin, { USDT: '100000' });
    const before = new Set(spans.filter((s) => s.name === 'POST /api/v3/order').map((s) => s.traceId));
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        signedCall(stack.edge, credentials, 'POST', '/api/v3/order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.01',
          price: String(20000 + i),
        }),
      ),
    );
    for (const res of answers) expect(res.status, JSON.stringify(res.body)).toBe(200);
    const traces = () =>
      spans.filter((s) => s.name === 'POST /api/v3/order' && !before.has(s.traceId)).map((s) => s.traceId);
    const inTrace = (traceId: string, name: string) =>
      spans.filter((s) => s.traceId === traceId && s.name === name);
    await eventually(() => {
      expect(traces()).toHaveLength(12);
      for (const traceId of traces()) expect(inTrace(traceId, 'matcher.reply'), traceId).toHaveLength(1);
    }, 10_000);
    for (const traceId of traces()) {
      const under = (parent: OtlpSpan) =>
        spans
          .filter(
            (s) => s.traceId === traceId && s.parentSpanId === parent.spanId && s.kind === SpanKind.CLIENT,
          )
          .map((s) => s.name);
      // Exactly this request's own calls: one append, one limiter call (weight and order count), no other.
      expect(under(inTrace(traceId, 'matcher.send')[0]!)).toEqual(['evalsha']);
      for (const throttle of inTrace(traceId, 'edge.throttle')) expect(under(throttle)).toEqual(['evalsha']);
      expect(inTrace(traceId, 'evalsha')).toHaveLength(2);
    }
  });

  it('makes no span anywhere for a request whose caller did not sample its trace', async () => {
    const { credentials } = await fundedAccount(stack.admin, { USDT: '100000' });
    const place = (price: string, traceId: string, flags: string) =>
      stack.edge(
        `/api/v3/order?${signedQuery(credentials, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price })}`,
        {
          method: 'POST',
          headers: {
            'X-MBX-APIKEY': credentials.apiKey,
            traceparent: `00-${traceId}-${'b'.repeat(16)}-${flags}`,
          },
        },
      );
    const [unsampled, sampled] = ['a'.repeat(32), 'c'.repeat(32)];
    expect((await place('21000', unsampled, '00')).status).toBe(200);
    // A sampled order after it: once its matcher spans are in, the first one's would be too.
    expect((await place('21001', sampled, '01')).status).toBe(200);
    await eventually(() => {
      const names = spans.filter((s) => s.traceId === sampled).map((s) => s.name);
      expect(names).toEqual(
        expect.arrayContaining(['matcher.apply', 'db.commit', 'matcher.reply', 'edge.reply']),
      );
    }, 10_000);
    expect(spans.filter((s) => s.traceId === unsampled)).toEqual([]);
  });
});
