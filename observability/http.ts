// Hono middleware for the edge: one SERVER span per request, named by method and route template once routing
// is done (`POST /api/v3/order`; just the method when no route matched), with the incoming W3C trace context as
// its parent and active for everything the request does; the order latency histogram and the throttled counter.
// And `tracedMiddleware`, a span around one middleware's own work (edge.auth). @opentelemetry/api only: the edge
// app stays web-standard.

import { context, propagation, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { Context, Env, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { meters } from './metrics.ts';
import { failSpan, type SpanName, startSpan, tracer, tracingEnabled, unrecordedParent } from './tracing.ts';

/** The route template that served the request, or undefined when none did (only middleware matched). */
function routeOf(c: Context): string | undefined {
  const route = routePath(c, -1);
  return route === '' || route.includes('*') ? undefined : route;
}

const getter = {
  keys: (carrier: Headers) => [...carrier.keys()],
  get: (carrier: Headers, key: string) => carrier.get(key) ?? undefined,
};

/** First in the chain: spans and request metrics. `clientIp` names the client (set by the app). */
export function observeRequests<E extends Env>(
  clientIp?: (c: Context<E>) => string | undefined,
): MiddlewareHandler<E> {
  return async function observe(c, next) {
    const started = performance.now();
    const method = c.req.method;
    if (!tracingEnabled()) {
      await next();
      record(c, method, started);
      return;
    }
    // Most requests carry no trace context (nor baggage): nothing to extract then.
    const headers = c.req.raw.headers;
    const parent =
      headers.has('traceparent') || headers.has('baggage')
        ? propagation.extract(context.active(), headers, getter)
        : context.active();
    const span = tracer().startSpan(method, { kind: SpanKind.SERVER }, parent);
    // Attributes only for a span that is recorded (at 1 % sampling, 99 % are not).
    const recording = span.isRecording();
    if (recording) {
      span.setAttributes({
        [ATTR_HTTP_REQUEST_METHOD]: method,
        [ATTR_URL_PATH]: c.req.path,
        [ATTR_URL_SCHEME]: c.req.url.slice(0, c.req.url.indexOf(':')),
      });
    }
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      if (recording) describe(span, c, method, clientIp);
      span.end();
      record(c, method, started);
    }
  };
}

/** The route, client address and status of a finished request, on its server span. */
function describe<E extends Env>(
  span: Span,
  c: Context<E>,
  method: string,
  clientIp: ((c: Context<E>) => string | undefined) | undefined,
): void {
  const route = routeOf(c);
  if (route !== undefined) {
    span.updateName(`${method} ${route}`);
    span.setAttribute(ATTR_HTTP_ROUTE, route);
  }
  const address = clientIp?.(c);
  if (address !== undefined) span.setAttribute(ATTR_CLIENT_ADDRESS, address);
  const status = c.res.status;
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
}

function record(c: Context, method: string, started: number): void {
  const status = c.res.status;
  if (status === 429 || status === 418)
    meters().throttled.add(1, { [ATTR_HTTP_RESPONSE_STATUS_CODE]: status });
  if (method === 'POST' && c.req.path === '/api/v3/order') {
    meters().orderDuration.record(performance.now() - started, { [ATTR_HTTP_RESPONSE_STATUS_CODE]: status });
  }
}

/**
 * A span around a middleware's own work: it ends when the middleware calls `next` (what follows runs in the
 * request's span, not in this one) or when it returns or throws without calling it.
 */
export function tracedMiddleware<H extends MiddlewareHandler>(name: SpanName, middleware: H): H {
  const traced: MiddlewareHandler = async (c, next) => {
    if (!tracingEnabled() || unrecordedParent()) return middleware(c, next);
    const outer = context.active();
    const span = startSpan(name);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      span.end();
    };
    try {
      return await context.with(trace.setSpan(outer, span), () =>
        middleware(c, async () => {
          end();
          await context.with(outer, next);
        }),
      );
    } catch (error) {
      if (!ended) failSpan(span, error);
      throw error;
    } finally {
      end();
    }
  };
  return traced as H;
}
