// The metrics, through the OpenTelemetry metrics API (exported by sdk.ts: Prometheus text on /metrics, OTLP when
// configured). The API has no proxy meter: instruments made before the SDK starts would stay no-ops forever, so
// they are made on first use, after the composition root has started telemetry.

import { type Attributes, type Counter, type Histogram, metrics } from '@opentelemetry/api';

/** Request latency buckets, ms. */
export const LATENCY_BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000];
const BATCH_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

export interface Instruments {
  /** Edge: POST /api/v3/order, from request to response, ms. */
  orderDuration: Histogram;
  /** Edge: requests refused by the rate limits (429, 418). */
  throttled: Counter;
  /** Matcher: orders accepted, per symbol. */
  orders: Counter;
  /** Matcher: trades, per symbol. */
  trades: Counter;
  /** Matcher: commands rejected, per result code. */
  rejects: Counter;
  /** Matcher: commands per group commit. */
  batchSize: Histogram;
  /** Matcher: one group commit's transaction, ms. */
  commitDuration: Histogram;
}

let instruments: Instruments | undefined;

/** Gauges read from whoever registered (the matchers of this process), by their attributes. */
const gauges = {
  backlog: new Map<string, { attributes: Attributes; value: () => number }>(),
  replayed: new Map<string, { attributes: Attributes; value: () => number }>(),
};

export function meters(): Instruments {
  if (instruments !== undefined) return instruments;
  const meter = metrics.getMeter('spot-exchange');
  const latency = { advice: { explicitBucketBoundaries: LATENCY_BUCKETS_MS } };
  for (const [name, description, gauge] of [
    ['spot.matcher.stream.backlog', 'Entries in the command stream not yet committed', gauges.backlog],
    [
      'spot.matcher.replay.commands',
      'Commands re-applied by the recovery in progress or last done',
      gauges.replayed,
    ],
  ] as const) {
    meter.createObservableGauge(name, { description, unit: '{command}' }).addCallback((result) => {
      for (const { attributes, value } of gauge.values()) result.observe(value(), attributes);
    });
  }
  instruments = {
    orderDuration: meter.createHistogram('spot.edge.order.duration', {
      description: 'POST /api/v3/order at the edge, from request to response',
      unit: 'ms',
      ...latency,
    }),
    throttled: meter.createCounter('spot.edge.throttled', {
      description: 'Requests refused by the rate limits (429 and 418)',
      unit: '{request}',
    }),
    orders: meter.createCounter('spot.matcher.orders', {
      description: 'Orders accepted by the matcher',
      unit: '{order}',
    }),
    trades: meter.createCounter('spot.matcher.trades', { description: 'Trades', unit: '{trade}' }),
    rejects: meter.createCounter('spot.matcher.rejects', {
      description: 'Commands the matcher rejected, by result code',
      unit: '{command}',
    }),
    batchSize: meter.createHistogram('spot.matcher.batch.size', {
      description: 'Commands per group commit',
      unit: '{command}',
      advice: { explicitBucketBoundaries: BATCH_BUCKETS },
    }),
    commitDuration: meter.createHistogram('spot.matcher.commit.duration', {
      description: 'One group commit transaction',
      unit: 'ms',
      ...latency,
    }),
  };
  return instruments;
}

/**
 * Reports a matcher's stream backlog and replay progress (observed at collection time) until the returned
 * function is called.
 */
export function observeMatcher(
  shard: string,
  values: { backlog: () => number; replayed: () => number },
): () => void {
  meters();
  const attributes = { 'spot.shard': shard };
  gauges.backlog.set(shard, { attributes, value: values.backlog });
  gauges.replayed.set(shard, { attributes, value: values.replayed });
  return () => {
    if (gauges.backlog.get(shard)?.value === values.backlog) gauges.backlog.delete(shard);
    if (gauges.replayed.get(shard)?.value === values.replayed) gauges.replayed.delete(shard);
  };
}
