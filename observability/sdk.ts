// Starts OpenTelemetry for one process, once, from its composition root (edge/main.ts, matcher/main.ts,
// start.ts), before the first span or instrument is made. Configured by the standard OTEL_* variables:
//
// - Traces are exported over OTLP/HTTP (JSON) when OTEL_EXPORTER_OTLP_ENDPOINT (or
//   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set and OTEL_TRACES_EXPORTER is not `none`. Otherwise no tracer
//   provider, context manager or propagator is installed: the API stays a no-op, and our own instrumentation
//   checks `tracingEnabled()` and makes no span objects at all.
// - Sampling: OTEL_TRACES_SAMPLER (always_on, always_off, traceidratio, parentbased_*; default
//   parentbased_always_on) and OTEL_TRACES_SAMPLER_ARG; batching: OTEL_BSP_SCHEDULE_DELAY, OTEL_BSP_MAX_QUEUE_SIZE,
//   OTEL_BSP_MAX_EXPORT_BATCH_SIZE, OTEL_BSP_EXPORT_TIMEOUT. The exporter reads its own OTEL_EXPORTER_OTLP_*.
// - Metrics are always collected (counters and histograms cost an addition) and served as Prometheus text by
//   `metricsText()` (the edge's /metrics, the matcher's metrics server); also exported over OTLP when an
//   endpoint is set and OTEL_METRICS_EXPORTER is not `none`, every OTEL_METRIC_EXPORT_INTERVAL ms.
// - With tracing on, the standard ioredis and pg instrumentations add a CLIENT span per Redis command and
//   Postgres query made inside a trace of ours (instrumentations.ts); without it they are not loaded.
// - OTEL_SDK_DISABLED=true installs nothing at all. OTEL_SERVICE_NAME overrides the process's service name;
//   OTEL_RESOURCE_ATTRIBUTES adds resource attributes.

import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { type IMetricReader, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { instrumentDrivers } from './instrumentations.ts';
import { setTracingEnabled } from './tracing.ts';

export interface Telemetry {
  serviceName: string;
  /** Whether spans are recorded and exported. */
  tracing: boolean;
  /** The process's metrics in the Prometheus text format ('' when telemetry is disabled). */
  metricsText(): Promise<string>;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

let started: Telemetry | undefined;

type Env = Record<string, string | undefined>;

/** Starts telemetry once per process; later calls return the first one's. */
export async function startTelemetry(defaultServiceName: string, env: Env = process.env): Promise<Telemetry> {
  if (started !== undefined) return started;
  const serviceName = env.OTEL_SERVICE_NAME || defaultServiceName;
  if (env.OTEL_SDK_DISABLED?.toLowerCase() === 'true') {
    started = { serviceName, tracing: false, metricsText: async () => '', shutdown: async () => {} };
    return started;
  }
  const resource = resourceFromAttributes({ ...resourceAttributes(env), [ATTR_SERVICE_NAME]: serviceName });
  const otlp = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const stops: (() => Promise<void>)[] = [];

  let tracing = false;
  if (otlp && env.OTEL_TRACES_EXPORTER !== 'none') {
    const provider = new TracerProvider({
      resource,
      sampler: samplerOf(env),
      spanProcessors: [
        new BatchSpanProcessor({
          exporter: new OTLPTraceExporter(),
          ...positive('scheduledDelayMillis', env.OTEL_BSP_SCHEDULE_DELAY),
          ...positive('maxQueueSize', env.OTEL_BSP_MAX_QUEUE_SIZE),
          ...positive('maxExportBatchSize', env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE),
          ...positive('exportTimeoutMillis', env.OTEL_BSP_EXPORT_TIMEOUT),
        }),
      ],
    });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager());
    propagation.setGlobalPropagator(
      new CompositePropagator({
        propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
      }),
    );
    trace.setGlobalTracerProvider(provider);
    stops.push(() => provider.shutdown());
    tracing = true;
  }

  // Pull: serialized on demand for /metrics (no server of its own).
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const readers: IMetricReader[] = [prometheus];
  if ((otlp || env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT) && env.OTEL_METRICS_EXPORTER !== 'none') {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter(),
        ...positive('exportIntervalMillis', env.OTEL_METRIC_EXPORT_INTERVAL),
      }),
    );
  }
  const meterProvider = new MeterProvider({ resource, readers });
  metrics.setGlobalMeterProvider(meterProvider);
  stops.push(() => meterProvider.shutdown());
  const serializer = new PrometheusSerializer();

  setTracingEnabled(tracing);
  started = {
    serviceName,
    tracing,
    metricsText: async () => {
      const { resourceMetrics } = await prometheus.collect();
      return serializer.serialize(resourceMetrics);
    },
    shutdown: async () => {
      for (const stop of stops) await stop().catch(() => {});
    },
  };
  if (tracing) await instrumentDrivers();
  return started;
}

/** The telemetry started in this process, if any. */
export const telemetry = (): Telemetry | undefined => started;

function samplerOf(env: Env): Sampler {
  const arg = Number(env.OTEL_TRACES_SAMPLER_ARG);
  const ratio = Number.isFinite(arg) && arg >= 0 && arg <= 1 && env.OTEL_TRACES_SAMPLER_ARG ? arg : 1;
  switch (env.OTEL_TRACES_SAMPLER) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/** OTEL_RESOURCE_ATTRIBUTES: `key=value,key=value`, values percent-encoded. */
function resourceAttributes(env: Env): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of (env.OTEL_RESOURCE_ATTRIBUTES ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    try {
      attributes[pair.slice(0, eq).trim()] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      // A malformed value is skipped, as the specification allows.
    }
  }
  return attributes;
}

function positive<K extends string>(key: K, value: string | undefined): { [P in K]?: number } {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) && n > 0
    ? ({ [key]: n } as { [P in K]: number })
    : {};
}
