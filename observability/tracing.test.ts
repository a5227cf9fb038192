// startSend's carrier for a trace that is not sampled is written by hand (it runs for 99 of 100 requests at 1 %
// sampling): it must be what the W3C propagator sdk.ts installs would write (less an empty tracestate).

import { context, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TraceState, W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTracingEnabled, startSend } from './tracing.ts';

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  setTracingEnabled(true);
});

afterAll(() => {
  setTracingEnabled(false);
  context.disable();
  propagation.disable();
});

/** What the propagator writes for the active context (an empty tracestate, which means none, left out). */
function injected(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (carrier.tracestate === '') delete carrier.tracestate;
  return carrier;
}

describe('startSend under a trace that is not sampled', () => {
  it('carries the trace context as the W3C propagator writes it, and makes no span', () => {
    const cases = [
      { traceState: undefined },
      { traceState: new TraceState('vendor=abc,other=1') },
      { traceState: new TraceState('') },
    ];
    for (const { traceState } of cases) {
      const unsampled = trace.wrapSpanContext({
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: TraceFlags.NONE,
        ...(traceState === undefined ? {} : { traceState }),
      });
      context.with(trace.setSpan(context.active(), unsampled), () => {
        const sent = startSend('commands', 'placeOrder');
        expect(sent?.span).toBeUndefined();
        expect(sent?.carrier).toEqual(injected());
        expect(sent?.carrier.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00');
      });
    }
  });
});
