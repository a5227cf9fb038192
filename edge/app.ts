// The edge's Hono app, built from ports (matcher client, markets, signed-request middleware, ...) so that tests
// run it in memory with `app.request()` and the Node adapter serves it. Web-standard APIs only in here.

import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { EdgeEnv } from './context.ts';
import { BinanceHttpError } from './http-error.ts';
import { type Limiter, rateLimit } from './middleware/rate-limit/index.ts';
import { openApiDocument } from './openapi.ts';
import { requestWeight } from './rate-limits.ts';
import { accountRoutes, type AccountRoutesDeps } from './routes/account.ts';
import { adminRoutes, type AdminRoutesDeps } from './routes/admin.ts';
import { candleRoutes, type CandleRoutesDeps } from './routes/candles.ts';
import { cancelRoutes } from './routes/cancels.ts';
import { generalRoutes, type GeneralRoutesDeps } from './routes/general.ts';
import { marketRoutes, type MarketRoutesDeps } from './routes/market.ts';
import { orderRoutes, type OrderRoutesDeps } from './routes/orders.ts';

export interface AppDeps
  extends
    OrderRoutesDeps,
    AccountRoutesDeps,
    GeneralRoutesDeps,
    MarketRoutesDeps,
    CandleRoutesDeps,
    AdminRoutesDeps {
  /** Authenticates a signed request for trading (sets principal and params). */
  trade: MiddlewareHandler<EdgeEnv>;
  /** Authenticates a signed request for reading the account (USER_DATA). */
  userData: MiddlewareHandler<EdgeEnv>;
  /** Request weight per IP and order counts per account (shared by every edge). */
  limiter: Limiter;
  /** The client's address: the adapter knows the socket (and whether to trust a proxy's header). */
  clientIp(c: Context<EdgeEnv>): string;
  /** First in the chain: the request's server span and request metrics (observability/http.ts). */
  observe?: MiddlewareHandler<EdgeEnv>;
  /** The process's metrics as Prometheus text, served on /metrics. */
  metrics?: () => Promise<string>;
  /**
   * Whether the request came through an HTTP/1 parser that frames every body (the Node adapter's): then a
   * request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112 §6.3) and nothing is read.
   * Without it (a Request handed to the app in memory) such a body is counted as it is read.
   */
  framedByParser?: (c: Context<EdgeEnv>) => boolean;
}

/** Binance's bodies are a few hundred bytes of form parameters. */
const MAX_BODY_BYTES = 64 * 1024;

/** The routes that place orders (counted per account after authentication). */
const ORDER_PLACING = new Set(['/api/v3/order', '/api/v3/order/cancelReplace']);

const USER_DATA = [
  '/api/v3/order',
  '/api/v3/openOrders',
  '/api/v3/allOrders',
  '/api/v3/myTrades',
  '/api/v3/account',
  '/api/v3/account/commission',
  '/api/v3/rateLimit/order',
];

/**
 * The weight of parameters sent in the form body (order/test's computeCommissionRates: 20 rather than 1), which
 * the weight counted before authentication cannot see: the difference, once the signed middleware has read the
 * parameters. No limiter call when the query string told it all.
 */
function formWeight(limiter: Limiter): MiddlewareHandler<EdgeEnv> {
  const unseen = (c: Context<EdgeEnv>) =>
    Math.max(
      0,
      requestWeight(c.req.method, c.req.path, (n) => c.var.params.get(n)) -
        requestWeight(c.req.method, c.req.path, (n) => c.req.query(n)),
    );
  const counted = rateLimit({ limiter, weight: unseen });
  return async function formWeight(c, next) {
    return unseen(c) > 0 ? counted(c, next) : next();
  };
}

export function createApp(deps: AppDeps): Hono<EdgeEnv> {
  const app = new Hono<EdgeEnv>();
  if (deps.observe !== undefined) app.use(deps.observe);
  app.use(async function clientAddress(c, next) {
    c.set('clientIp', deps.clientIp(c));
    await next();
  });
  const tooLarge = () => {
    throw new BinanceHttpError(413, -1000, `Request body larger than ${MAX_BODY_BYTES} bytes.`);
  };
  const countedLimit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });
  // A body framed by Content-Length (the server's HTTP parser holds it to that length) is judged by the header
  // alone, and a request the parser framed with neither header has none; only a chunked one (or one handed over
  // in memory) is counted as it is read. Hono's bodyLimit touches `c.req.raw.body`, which makes the Node adapter
  // build a full Request with a stream: it did that for every DELETE and body-less POST (~10 % of the edge's CPU).
  const framed = deps.framedByParser;
  app.use(async function limitBody(c, next) {
    const length = c.req.header('content-length');
    const chunked = c.req.header('transfer-encoding') !== undefined;
    if (length !== undefined && !chunked) {
      return Number.parseInt(length, 10) > MAX_BODY_BYTES ? tooLarge() : next();
    }
    if (length === undefined && !chunked && framed?.(c) === true) return next();
    return countedLimit(c, next);
  });
  // Times in µs (X-MBX-TIME-UNIT: MICROSECOND) are not served: refused rather than answered in ms unasked.
  app.use('/api/*', async function timeUnit(c, next) {
    const unit = c.req.header('x-mbx-time-unit');
    if (unit !== undefined && unit.toUpperCase() !== 'MILLISECOND') {
      throw new BinanceHttpError(400, -1100, 'X-MBX-TIME-UNIT: only MILLISECOND is supported.');
    }
    await next();
  });
  // Weight before authentication: unsigned and failed requests cost too, and a flood stops here. Placing an
  // order is counted once, weight and order count together, after authentication (or its weight on the way out
  // if authentication fails).
  app.use(
    '/api/*',
    rateLimit({
      limiter: deps.limiter,
      weight: (c) => requestWeight(c.req.method, c.req.path, (n) => c.req.query(n)),
      // Placing an order: its weight and its order count in one limiter call, after authentication.
      deferFor: (c) => c.req.method === 'POST' && ORDER_PLACING.has(c.req.path),
    }),
  );
  const orders = rateLimit({ limiter: deps.limiter, weight: 0, orders: 1 });
  app.route('/', generalRoutes(deps));
  app.route('/api/v3', marketRoutes(deps));
  app.route('/api/v3', candleRoutes(deps));
  // Reads are USER_DATA; everything that changes orders is TRADE; placing orders counts against the account.
  for (const path of USER_DATA) app.get(path, deps.userData);
  app.post('/api/v3/order', deps.trade, orders);
  app.delete('/api/v3/order', deps.trade);
  app.post('/api/v3/order/test', deps.trade, formWeight(deps.limiter));
  app.delete('/api/v3/openOrders', deps.trade);
  app.post('/api/v3/order/cancelReplace', deps.trade, orders);
  app.put('/api/v3/order/amend/keepPriority', deps.trade);
  app.route('/api/v3', orderRoutes(deps));
  app.route('/api/v3', cancelRoutes(deps));
  app.route('/api/v3', accountRoutes(deps));
  app.route('/admin/v1', adminRoutes(deps));
  // Outside /api: not throttled, like the probes.
  const openApi = openApiDocument();
  app.get('/openapi.json', (c) => c.json(openApi));
  const metrics = deps.metrics;
  if (metrics !== undefined) {
    app.get('/metrics', async (c) =>
      c.body(await metrics(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
    );
  }
  app.notFound((c) => c.json({ code: -1000, msg: 'Unknown endpoint.' }, 404));
  app.onError((error, c) => {
    if (error instanceof BinanceHttpError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      return c.json(error.body, error.status);
    }
    // Anything else is our bug: never a stack trace to the client, always Binance's shape.
    console.error(error);
    return c.json({ code: -1000, msg: 'An unknown error occurred while processing the request.' }, 500);
  });
  return app;
}
