// The middleware in a Hono app, in memory with app.request(): headers on every response, Binance's errors.

import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { describe, expect, it } from 'vitest';
import type { EdgeEnv } from '../../context.ts';
import { BinanceHttpError } from '../../http-error.ts';
import { type RateLimits, requestWeight } from '../../rate-limits.ts';
import { type Limiter, MemoryLimiter, rateLimit } from './index.ts';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const LIMITS: RateLimits = { weight1m: 6000, orders10s: 100, orders1d: 200_000 };

function fakeClock(ms: number) {
  return { now: () => ms, set: (to: number) => void (ms = to) };
}

/** Stands in for the signed-request middleware: the API key is the account id. */
const auth: MiddlewareHandler<EdgeEnv> = async (c, next) => {
  const key = c.req.header('X-MBX-APIKEY');
  if (key === undefined)
    throw new BinanceHttpError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
  c.set('principal', { accountId: Number(key), apiKey: key, permissions: ['TRADE'] });
  await next();
};

function appWith(limiter: Limiter, clock = fakeClock(T0 + 15_000)) {
  const app = new Hono<EdgeEnv>();
  app.use(async (c, next) => {
    const ip = c.req.header('X-Test-IP');
    if (ip !== 'none') c.set('clientIp', ip ?? '127.0.0.1');
    await next();
  });
  const weigh = (c: Context<EdgeEnv>) => requestWeight(c.req.method, c.req.path, (name) => c.req.query(name));
  const deferFor = (c: Context<EdgeEnv>) => c.req.method === 'POST' && c.req.path === '/api/v3/order';
  app.use(rateLimit({ limiter, clock, weight: weigh, deferFor }));
  app.get('/api/v3/ping', (c) => c.json({}));
  app.get('/api/v3/depth', (c) => c.json({ lastUpdateId: 1, bids: [], asks: [] }));
  app.get('/api/v3/exchangeInfo', () => {
    throw new BinanceHttpError(400, -1121, 'Invalid symbol.');
  });
  app.get('/api/v3/time', () => {
    throw new Error('a bug');
  });
  app.post('/api/v3/order', auth, rateLimit({ limiter, clock, weight: 0, orders: 1 }), (c) =>
    c.json({ orderId: 1 }),
  );
  app.post('/api/v3/order/test', rateLimit({ limiter, clock, weight: 0, orders: 1 }), (c) => c.json({}));
  app.notFound((c) => c.json({ code: -1000, msg: 'Unknown endpoint.' }, 404));
  app.onError((error, c) => {
    if (!(error instanceof BinanceHttpError))
      return c.json({ code: -1000, msg: 'An unknown error occurred.' }, 500);
    for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
    return c.json(error.body, error.status);
  });
  return app;
}

const memory = (limits: Partial<RateLimits> = {}) => new MemoryLimiter({ limits: { ...LIMITS, ...limits } });

describe('rateLimit', () => {
  it("reports the IP's weight in Binance's header and the IETF RateLimit fields", async () => {
    const res = await appWith(memory()).request('/api/v3/ping');
    expect(res.status).toBe(200);
    expect(res.headers.get('X-MBX-USED-WEIGHT-1M')).toBe('1');
    expect(res.headers.get('RateLimit-Policy')).toBe('"weight";q=6000;w=60');
    expect(res.headers.get('RateLimit')).toBe('"weight";r=5999;t=45');
    expect(res.headers.get('Retry-After')).toBeNull();
    expect(res.headers.get('X-MBX-ORDER-COUNT-10S')).toBeNull();
  });

  it('weighs each endpoint by its parameters', async () => {
    const app = appWith(memory());
    await app.request('/api/v3/depth?symbol=BTCUSDT&limit=500');
    const res = await app.request('/api/v3/depth?symbol=BTCUSDT');
    expect(res.headers.get('X-MBX-USED-WEIGHT-1M')).toBe('30');
  });

  it('sets the headers on errors and unknown endpoints too, which cost weight as well', async () => {
    const app = appWith(memory());
    const rejected = await app.request('/api/v3/exchangeInfo');
    expect(rejected.status).toBe(400);
    expect(rejected.headers.get('X-MBX-USED-WEIGHT-1M')).toBe('20');
    const crashed = await app.request('/api/v3/time');
    expect(crashed.status).toBe(500);
    expect(crashed.headers.get('X-MBX-USED-WEIGHT-1M')).toBe('21');
    const unknown = await app.request('/api/v3/nothing');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('RateLimit')).toBe('"weight";r=5978;t=45');
  });

  it('answers 429 -1003 with Retry-After beyond the weight limit, loopback included', async () => {
    const app = appWith(memory({ weight1m: 10 }));
    for (let i = 0; i < 10; i++) expect((await app.request('/api/v3/ping')).status).toBe(200);
    const res = await app.request('/api/v3/ping');
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({
      code: -1003,
      msg:
        'Too much request weight used; current limit is 10 request weight per 1 MINUTE. ' +
        'Please use WebSocket Streams for live updates to avoid polling the API.',
    });
    expect(res.headers.get('Retry-After')).toBe('45');
    expect(res.headers.get('X-MBX-USED-WEIGHT-1M')).toBe('11');
    expect(res.headers.get('RateLimit')).toBe('"weight";r=0;t=45');
    const other = await app.request('/api/v3/ping', { headers: { 'X-Test-IP': '::1' } });
    expect(other.status).toBe(200);
  });

  it('bans with 418 after ten 429s in a minute, for as long as Retry-After says', async () => {
    const clock = fakeClock(T0 + 15_000);
    const app = appWith(memory({ weight1m: 1 }), clock);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await app.request('/api/v3/ping')).status);
    expect(statuses).toEqual([200, ...Array<number>(10).fill(429), 418]);
    clock.set(T0 + 75_000);
    const res = await app.request('/api/v3/ping');
    expect(res.status).toBe(418);
    expect(await res.json()).toEqual({
      code: -1003,
      msg:
        `Way too much request weight used; IP banned until ${T0 + 135_000}. ` +
        'Please use WebSocket Streams for live updates to avoid bans.',
    });
    expect(res.headers.get('Retry-After')).toBe('60');
    expect(res.headers.get('RateLimit')).toBe('"weight";r=0;t=60');
    clock.set(T0 + 135_000);
    expect((await app.request('/api/v3/ping')).status).toBe(200);
  });

  it("counts orders per account after authentication and reports them in Binance's headers", async () => {
    const app = appWith(memory({ orders10s: 2 }));
    const order = () => app.request('/api/v3/order', { method: 'POST', headers: { 'X-MBX-APIKEY': '7' } });
    const first = await order();
    expect(first.status).toBe(200);
    expect(first.headers.get('X-MBX-USED-WEIGHT-1M')).toBe('1');
    expect(first.headers.get('X-MBX-ORDER-COUNT-10S')).toBe('1');
    expect(first.headers.get('X-MBX-ORDER-COUNT-1D')).toBe('1');
    expect(first.headers.get('RateLimit-Policy')).toBe(
      '"weight";q=6000;w=60, "orders-10s";q=2;w=10, "orders-1d";q=200000;w=86400',
    );
    expect(first.headers.get('RateLimit')).toBe(
      '"weight";r=5999;t=45, "orders-10s";r=1;t=5, "orders-1d";r=199999;t=43185',
    );
    await order();
    const refused = await order();
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({
      code: -1015,
      msg: 'Too many new orders; current limit is 2 orders per 10 SECOND.',
    });
    expect(refused.headers.get('Retry-After')).toBe('5');
    expect(refused.headers.get('X-MBX-ORDER-COUNT-10S')).toBe('2');
    expect(refused.headers.get('X-MBX-USED-WEIGHT-1M')).toBe('3');
  });

  it('counts the weight of requests that fail authentication', async () => {
    const res = await appWith(memory()).request('/api/v3/order', { method: 'POST' });
    expect(res.status).toBe(401);
    expect(res.headers.get('X-MBX-USED-WEIGHT-1M')).toBe('1');
    expect(res.headers.get('X-MBX-ORDER-COUNT-10S')).toBeNull();
  });

  it("counts an order's weight and its order count in one limiter call", async () => {
    const inner = memory();
    const hits: { weight: number; orders: number }[] = [];
    const counting: Limiter = {
      hit: (request) => {
        hits.push({ weight: request.weight, orders: request.orders });
        return inner.hit(request);
      },
    };
    const app = appWith(counting);
    const placed = await app.request('/api/v3/order', { method: 'POST', headers: { 'X-MBX-APIKEY': '7' } });
    expect(placed.status).toBe(200);
    expect(hits).toEqual([{ weight: 1, orders: 1 }]);
    expect(placed.headers.get('X-MBX-USED-WEIGHT-1M')).toBe('1');
    expect(placed.headers.get('X-MBX-ORDER-COUNT-10S')).toBe('1');
    // Failing authentication: the weight alone, on the way out; other routes as before.
    hits.length = 0;
    expect((await app.request('/api/v3/order', { method: 'POST' })).status).toBe(401);
    expect((await app.request('/api/v3/ping')).status).toBe(200);
    expect(hits).toEqual([
      { weight: 1, orders: 0 },
      { weight: 1, orders: 0 },
    ]);
  });

  it('answers a banned or over-limit client so, not with the authentication error of its order', async () => {
    const app = appWith(memory({ weight1m: 2 }));
    await app.request('/api/v3/ping');
    await app.request('/api/v3/ping');
    const over = await app.request('/api/v3/order', { method: 'POST' }); // no key: would be 401
    expect(over.status).toBe(429);
    expect(await over.json()).toMatchObject({ code: -1003 });
    expect(over.headers.get('Retry-After')).not.toBeNull();
    for (let i = 0; i < 12; i++) await app.request('/api/v3/ping');
    const banned = await app.request('/api/v3/order', { method: 'POST' });
    expect(banned.status).toBe(418);
    const signed = await app.request('/api/v3/order', { method: 'POST', headers: { 'X-MBX-APIKEY': '7' } });
    expect(signed.status).toBe(418);
  });

  it('fails loudly when mounted where it cannot know the client or the account', async () => {
    const app = appWith(memory());
    expect((await app.request('/api/v3/ping', { headers: { 'X-Test-IP': 'none' } })).status).toBe(500);
    expect((await app.request('/api/v3/order/test', { method: 'POST' })).status).toBe(500);
    expect(() => rateLimit({ limiter: memory(), weight: -1 })).toThrow(RangeError);
  });
});
