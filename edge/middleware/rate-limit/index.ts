// Throttling (Binance's LIMITS): counts each request against its client IP's request weight per minute and,
// for order placement, its account's order counts per 10 s and per UTC day, through a Limiter shared by all
// edges.
//
// Mount it twice. Before authentication, on every route, for the weight: unsigned requests and requests that
// fail authentication cost weight too, and a flood is refused before any signature is checked. The query
// string is enough to weigh a request, except order/test's computeCommissionRates in a form body: the app
// counts the rest of its weight after authentication, once the parameters are known (app.ts, formWeight).
//
//   const weigh = (c) => requestWeight(c.req.method, c.req.path, (name) => c.req.query(name));
//   app.use(rateLimit({ limiter, weight: weigh }));
//
// After authentication, on the routes that place orders, for the order counts of c.var.principal's account
// (weight 0: the request's weight was counted already; the limiter still refuses a banned IP):
//
//   app.post('/api/v3/order', trade, rateLimit({ limiter, weight: 0, orders: 1 }))
//
// One limiter call per order instead of two: the weight rateLimit's `deferFor` names the requests whose weight
// the order count counts too (`deferFor: (c) => c.req.method === 'POST' && c.req.path === '/api/v3/order'`).
// Should such a request never reach the order count (its authentication failed), its weight is counted on the way
// out, and a client over its limit or banned is answered so rather than with the authentication error, as it
// would have been had the weight been counted first.
//
// Every response carries the usage headers, errors and 404s too; a refusal is Binance's error (429 -1003 for
// weight, 429 -1015 for orders, 418 -1003 for a banned IP) with Retry-After, thrown as BinanceHttpError for
// the app's one onError. Loopback clients are limited like any other. A limiter that fails (Redis down) fails
// the request: the error reaches onError as a 500 rather than letting requests through unmetered.

import type { Context, MiddlewareHandler } from 'hono';
import { type Clock, systemClock } from '../../clock.ts';
import type { EdgeEnv } from '../../context.ts';
import { rateLimitHeaders, refusalError } from './headers.ts';
import type { Limiter } from './limiter.ts';

export type { BanPolicy, Hit, HitRequest, Limiter, Refusal, Usage, WindowUsage } from './limiter.ts';
export { DEFAULT_BAN_POLICY } from './limiter.ts';
export { MemoryLimiter, type MemoryLimiterOptions } from './memory-limiter.ts';
// RedisLimiter (redis-limiter.ts) is an adapter on ioredis: imported from its own file, so the app needs no Node.

export interface RateLimitOptions {
  limiter: Limiter;
  /** The request's weight, or how to weigh it (Binance weighs some endpoints by their parameters). */
  weight: number | ((c: Context<EdgeEnv>) => number | Promise<number>);
  /** Orders the request places, counted against c.var.principal's account: mount after authentication. */
  orders?: number;
  /**
   * For the weight (orders 0): the requests whose weight a rateLimit with `orders` further in counts, in the same
   * limiter call (or this one on the way out, if the request does not get there).
   */
  deferFor?: (c: Context<EdgeEnv>) => boolean;
  clock?: Clock;
}

function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`rateLimit: invalid ${name} ${value}`);
}

export function rateLimit(options: RateLimitOptions): MiddlewareHandler<EdgeEnv> {
  const { limiter, weight, orders = 0, clock = systemClock, deferFor } = options;
  if (typeof weight === 'number') checkCount('weight', weight);
  checkCount('orders', orders);

  return async function rateLimit(c, next) {
    const ip = c.get('clientIp');
    if (ip === undefined || ip === '') {
      throw new Error('rateLimit needs c.var.clientIp: mount it after the middleware that sets it');
    }
    const accountId = orders > 0 ? c.get('principal')?.accountId : undefined;
    if (orders > 0 && accountId === undefined) {
      throw new Error('rateLimit counts orders per account: mount it after authentication');
    }
    const w = typeof weight === 'number' ? weight : await weight(c);
    if (orders === 0 && deferFor?.(c)) {
      c.set('deferredWeight', w);
      await next();
      const left = c.get('deferredWeight');
      if (left === undefined) return; // counted with the order; the headers are set
      c.set('deferredWeight', undefined);
      const hit = await limiter.hit({ ip, weight: left, orders: 0, now: Math.floor(clock.now()) });
      const headers = rateLimitHeaders(hit);
      if (!hit.allowed) throw refusalError(hit, headers);
      setHeaders(c, headers);
      return;
    }
    const deferred = orders > 0 ? c.get('deferredWeight') : undefined;
    if (deferred !== undefined) c.set('deferredWeight', undefined);
    const hit = await limiter.hit({
      ip,
      accountId,
      weight: w + (deferred ?? 0),
      orders,
      now: Math.floor(clock.now()),
    });
    const headers = rateLimitHeaders(hit);
    if (!hit.allowed) throw refusalError(hit, headers);
    // Before the handler: the response it makes (or the error handler's) takes them from the start. A rateLimit
    // further in (the order counts after authentication) sets them again from its later hit, which wins. Set
    // after the response exists, each would make the Node adapter rebuild the response the slow way.
    setHeaders(c, headers);
    await next();
  };
}

function setHeaders(c: Context<EdgeEnv>, headers: Record<string, string>): void {
  for (const name in headers) c.header(name, headers[name]);
}
