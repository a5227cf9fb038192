// The closed vocabulary of span names (`subsystem.operation`; HTTP server spans alone are named by method and
// route template, `POST /api/v3/order`), the attribute keys we use (OpenTelemetry semantic conventions), and the
// helpers that make spans. Only @opentelemetry/api here: the SDK is sdk.ts's business, and when it installed no
// tracer (no exporter configured) `tracingEnabled()` is false and the helpers make nothing at all.
//
// One order, one trace. The client spans are the standard pg and ioredis instrumentations' (instrumentations.ts:
// `pg.query:<OPERATION or prepared statement> <database>`, `pg-pool.connect`, a Redis command's name), except
// the edge's auto-pipelined `evalsha`s and the matcher's `PIPELINE`, which are ours with the same attributes
// (autoPipelinedCall, redisPipelineCall); all only under a recorded span of ours:
//   POST /api/v3/order          SERVER    edge: the request (http.server middleware, observability/http.ts)
//     edge.auth                 INTERNAL  edge: API key and signature
//       pg.query:SELECT ...     CLIENT    edge: the key's row, when not cached
//     edge.throttle             INTERNAL  edge: one limiter call (weight; order counts)
//       evalsha                 CLIENT    edge: the limiter's script (ours)
//     matcher.send              PRODUCER  edge: XADD of the command, its traceparent carried in the entry
//       evalsha                 CLIENT    edge: the bounded append's script (ours)
//       matcher.consume         CONSUMER  matcher: the command, from read to reply (parent: the entry's context)
//         matcher.apply         INTERNAL  matcher: the core's apply
//         db.commit             CLIENT    matcher: the batch's one statement; parent: its first command's
//                                         matcher.consume, linked to every command's matcher.consume
//           pg-pool.connect, pg.query:commit_batch_<hash>    CLIENT  matcher: the prepared statement
//         matcher.reply         PRODUCER  matcher: the reply's PUBLISH (one round trip for the batch)
//           PIPELINE            CLIENT    matcher: the batch's pipeline (publish ×n, set, xack, xtrim; ours),
//                                         under its first reply
//     edge.reply                CONSUMER  edge: the reply's receipt (from the XADD's answer until the reply)
//
// PGlite (the embedded mode) is not reached by the pg instrumentation: there db.commit is the only database span.

import {
  type Attributes,
  type Context,
  context,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';

export const SpanName = {
  auth: 'edge.auth',
  throttle: 'edge.throttle',
  edgeReply: 'edge.reply',
  send: 'matcher.send',
  consume: 'matcher.consume',
  apply: 'matcher.apply',
  reply: 'matcher.reply',
  commit: 'db.commit',
} as const;
export type SpanName = (typeof SpanName)[keyof typeof SpanName];

/**
 * Attribute keys. The stable ones as @opentelemetry/semantic-conventions spells them; the messaging ones are
 * still incubating there, and its advice is to copy incubating keys rather than import them.
 */
export const Attr = {
  messagingSystem: 'messaging.system',
  messagingOperationType: 'messaging.operation.type',
  messagingOperationName: 'messaging.operation.name',
  messagingDestination: 'messaging.destination.name',
  messagingMessageId: 'messaging.message.id',
  messagingConsumerGroup: 'messaging.consumer.group.name',
  messagingBatchCount: 'messaging.batch.message_count',
  dbSystem: 'db.system.name',
  dbOperation: 'db.operation.name',
  dbBatchSize: 'db.operation.batch.size',
  dbQueryText: 'db.query.text',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  errorType: 'error.type',
  /** Ours: the command type and its result code. */
  command: 'spot.command.type',
  resultCode: 'spot.result.code',
  symbol: 'spot.symbol',
} as const;

const TRACER = 'spot-exchange';
let enabled = false;

/** Whether a tracer provider is installed (sdk.ts); without one no span is ever made. */
export const tracingEnabled = (): boolean => enabled;

/** For sdk.ts (and tests). */
export function setTracingEnabled(value: boolean): void {
  enabled = value;
  cachedTracer = undefined;
}

let cachedTracer: Tracer | undefined;
/** Ours, looked up once (the provider's lookup builds a key string per call, on every request). */
export const tracer = (): Tracer => (cachedTracer ??= trace.getTracer(TRACER));

export function startSpan(
  name: SpanName,
  options: { kind?: SpanKind; attributes?: Attributes; links?: Link[]; startTime?: number } = {},
  parent: Context = context.active(),
): Span {
  return tracer().startSpan(name, options, parent);
}

/**
 * Whether the active span is one that is not recorded (its trace was not sampled): a span made under it would not
 * be recorded either, so the helpers make none. Without any active span the sampler decides as for a root.
 */
export function unrecordedParent(): boolean {
  const parent = trace.getSpan(context.active());
  return parent !== undefined && !parent.isRecording();
}

/** Ends a span as failed. */
export function failSpan(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : undefined });
  span.setAttribute(Attr.errorType, error instanceof Error ? error.name : 'Error');
}

/** Runs `fn` in a span of its own (ended, and failed if `fn` throws), when tracing is on. */
export async function inSpan<T>(
  name: SpanName,
  fn: () => Promise<T>,
  options: { kind?: SpanKind; attributes?: Attributes } = {},
): Promise<T> {
  if (!enabled || unrecordedParent()) return fn();
  const span = startSpan(name, options);
  try {
    return await context.with(trace.setSpan(context.active(), span), fn);
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Runs `fn` with `span` active, so that the client spans of the Redis and Postgres calls it makes are its
 * children; without a span just runs it. */
export function withSpan<T>(span: Span | undefined, fn: () => T): T {
  return span === undefined ? fn() : context.with(trace.setSpan(context.active(), span), fn);
}

/** W3C trace context to carry in a message. */
export interface Carrier {
  traceparent?: string;
  tracestate?: string;
}

/** The `matcher.send` PRODUCER span of appending a command, and the trace context to carry in the entry. */
export function startSend(stream: string, command: string): { span?: Span; carrier: Carrier } | undefined {
  if (!enabled) return undefined;
  const parent = trace.getSpan(context.active());
  if (parent !== undefined && !parent.isRecording()) {
    // The trace is not sampled: no span, but the entry still says so, or the matcher would sample afresh. Written
    // as the W3C propagator writes it (sdk.ts installs that one), without its validation and carrier plumbing:
    // this runs for 99 of 100 requests at 1 % sampling.
    const sc = parent.spanContext();
    const tracestate = sc.traceState?.serialize();
    return {
      carrier: {
        traceparent: `00-${sc.traceId}-${sc.spanId}-0${sc.traceFlags & 1}`,
        ...(tracestate ? { tracestate } : {}),
      },
    };
  }
  const span = startSpan(SpanName.send, {
    kind: SpanKind.PRODUCER,
    attributes: {
      [Attr.messagingSystem]: 'redis',
      [Attr.messagingOperationType]: 'send',
      [Attr.messagingOperationName]: 'xadd',
      [Attr.messagingDestination]: stream,
      [Attr.command]: command,
    },
  });
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  return { span, carrier: { traceparent: carrier.traceparent, tracestate: carrier.tracestate } };
}

/**
 * Whether a message's W3C trace context says its trace is sampled (flags bit 0). A message without one counts as
 * sampled: the consumer's own sampler decides.
 */
export function sampledCarrier(carrier: Carrier): boolean {
  const tp = carrier.traceparent;
  if (tp === undefined) return true;
  const flags = Number.parseInt(tp.slice(tp.lastIndexOf('-') + 1), 16);
  return Number.isNaN(flags) || (flags & 1) === 1;
}

/** The context a message's carrier names (the active one when it names none). */
export function extractCarrier(carrier: Carrier): Context {
  if (carrier.traceparent === undefined) return context.active();
  const headers: Record<string, string> = { traceparent: carrier.traceparent };
  if (carrier.tracestate !== undefined) headers.tracestate = carrier.tracestate;
  return propagation.extract(context.active(), headers);
}

/** The span context of a span, for links. */
export const linkTo = (span: Span): Link => ({ context: span.spanContext() });

export type { Span, SpanContext };
/**
 * `db.query.text` of a Redis command: its name and keys, never its values (a command's entry carries the
 * order). EVAL and EVALSHA name the script and its keys; other commands their first argument, the key.
 */
export function redisStatement(name: string, args: readonly unknown[]): string {
  const keys = Number(args[1]);
  const shown = /^eval(sha)?(_ro)?$/i.test(name) && Number.isInteger(keys) && keys >= 0 ? 2 + keys : 1;
  const parts = [name, ...args.slice(0, shown).map(String)];
  if (args.length > shown) parts.push(`[${args.length - shown} other arguments]`);
  return parts.join(' ');
}

/**
 * A Redis call that ioredis auto-pipelines (the edge's limiter hits and command appends). ioredis sends such a
 * pipeline in the trace context of its first call, so the ioredis instrumentation would file every other call's
 * span under that first call's trace. The call runs outside any trace instead (the instrumentation, which wants a
 * parent, makes no span for it), inside a CLIENT span of our own, named and attributed as the instrumentation
 * names its own: the command, `db.system.name` redis, `db.operation.name`, `db.query.text` (keys, never values),
 * `server.address` and `server.port`. Made only under a recorded span of ours (the instrumentation's too need a
 * parent).
 */
export function autoPipelinedCall<T>(
  server: RedisServer,
  command: string,
  /** The command's arguments (asked for only when a span records them). */
  argsOf: () => readonly unknown[],
  call: () => Promise<T>,
): Promise<T> {
  if (!enabled) return call();
  return redisSpanAround(
    command,
    () => ({
      [Attr.dbOperation]: command,
      [Attr.dbQueryText]: redisStatement(command, argsOf()),
      ...serverAttributes(server),
    }),
    call,
  );
}

/**
 * A pipeline (the matcher's flush of a batch: every reply's PUBLISH, the market data, the XACK, the XTRIM) as one
 * CLIENT span `PIPELINE` of our own, `db.operation.batch.size` commands, `db.query.text` their names and counts,
 * rather than the instrumentation's span per command: a batch of a thousand replies would otherwise add a
 * thousand spans to the trace of whichever of its commands was sampled.
 */
export function redisPipelineCall<T>(
  server: RedisServer,
  /** The pipeline's command names, in order (asked for only when a span records them). */
  commandsOf: () => readonly string[],
  call: () => Promise<T>,
): Promise<T> {
  if (!enabled) return call();
  return redisSpanAround(
    'PIPELINE',
    () => {
      const commands = commandsOf();
      const counts = new Map<string, number>();
      for (const c of commands) counts.set(c, (counts.get(c) ?? 0) + 1);
      return {
        [Attr.dbOperation]: 'PIPELINE',
        [Attr.dbBatchSize]: commands.length,
        [Attr.dbQueryText]: [...counts].map(([c, n]) => (n === 1 ? c : `${c} ×${n}`)).join(', '),
        ...serverAttributes(server),
      };
    },
    call,
  );
}

/** Runs `call` outside any trace, in a CLIENT span of ours when the active span is recorded. */
async function redisSpanAround<T>(
  name: string,
  attributes: () => Attributes,
  call: () => Promise<T>,
): Promise<T> {
  const parent = context.active();
  // Under a span that is not recorded (a trace not sampled), a child would not be either: none is made.
  const span = !trace.getSpan(parent)?.isRecording()
    ? undefined
    : tracer().startSpan(
        name,
        { kind: SpanKind.CLIENT, attributes: { [Attr.dbSystem]: 'redis', ...attributes() } },
        parent,
      );
  try {
    return await context.with(ROOT_CONTEXT, call);
  } catch (error) {
    if (span !== undefined) failSpan(span, error);
    throw error;
  } finally {
    span?.end();
  }
}

/** `server.address` and `server.port` of a Redis URL: redis://, rediss://, or unix:///path (no port then). */
export function redisServer(url: string): RedisServer {
  const parsed = new URL(url);
  if (parsed.protocol === 'unix:') return { address: parsed.pathname };
  return { address: parsed.hostname, port: Number(parsed.port || 6379) };
}

export interface RedisServer {
  address: string;
  port?: number;
}

const serverAttributes = (server: RedisServer): Attributes =>
  server.port === undefined
    ? { [Attr.serverAddress]: server.address }
    : { [Attr.serverAddress]: server.address, [Attr.serverPort]: server.port };

export { context, SpanKind, trace };
