// JSON logs (pino), one line per state change, never one per order. Composition roots create the root logger
// with the process's service name; modules take a `Logger` and add their own bindings with `child`. A line
// written while a span is active carries its trace_id and span_id (with tracing on), so logs and traces join.

import { trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';
import { tracingEnabled } from './tracing.ts';

export type { Logger } from 'pino';

/** The active span's ids, for a log line (nothing without tracing or outside a span). A new object every time:
 * pino merges the line's own fields into it. */
export function traceFields(): { trace_id?: string; span_id?: string; trace_flags?: string } {
  if (!tracingEnabled()) return {};
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { trace_id: traceId, span_id: spanId, trace_flags: `0${traceFlags.toString(16)}` };
}

export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: traceFields,
  });
}

/** A logger that writes nothing (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
