// The account reads through the whole embedded stack: orders placed through the app go to a real matcher (the
// in-process bus and PGlite), and GET /api/v3/order, openOrders, allOrders, myTrades and account read back what
// it committed, in Binance's shapes. Signed-request auth is stubbed (its own tests cover it).

import type { MiddlewareHandler } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbedded, type DatabaseClient } from '../../db/client.ts';
import * as reads from '../../db/repositories/account-reads.ts';
import { silentLogger } from '../../observability/logger.ts';
import { MemoryBus } from '../../matcher/bus/memory-bus.ts';
import { MatcherClient } from '../../matcher/client.ts';
import { setupCommands } from '../../matcher/command-mix.ts';
import { Matcher } from '../../matcher/loop.ts';
import { createApp } from '../app.ts';
import type { EdgeEnv } from '../context.ts';
import { DatabaseMarkets } from '../markets.ts';
import { MemoryLimiter } from '../middleware/rate-limit/index.ts';
import { DEFAULT_RATE_LIMITS } from '../rate-limits.ts';

let bus: MemoryBus;
let database: DatabaseClient;
let matcher: Matcher;
let client: MatcherClient;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  bus = new MemoryBus();
  database = await openEmbedded(undefined);
  await database.migrate();
  matcher = new Matcher({ bus, db: database.db, log: silentLogger() });
  matcher.start();
  await matcher.ready();
  client = await MatcherClient.create({ bus });
  for (const command of setupCommands(3)) await client.send(command);
  const auth: MiddlewareHandler<EdgeEnv> = async (c, next) => {
    c.set('principal', {
      accountId: Number(c.req.header('x-account')),
      apiKey: 'k',
      permissions: ['TRADE', 'USER_DATA'],
    });
    c.set('params', new Map(new URL(c.req.url).searchParams));
    await next();
  };
  const db = database.db;
  let n = 0;
  app = createApp({
    markets: new DatabaseMarkets(db),
    send: (command) => client.send(command),
    newClientOrderId: () => `auto${++n}`,
    trade: auth,
    userData: auth,
    now: () => Date.now(),
    rateLimits: () => [],
    limiter: new MemoryLimiter({ limits: DEFAULT_RATE_LIMITS }),
    clientIp: () => '127.0.0.1',
    readiness: async () => ({ matcher: await client.matcherReady() }),
    reads: {
      findOrder: (q) => reads.findOrder(db, q),
      openOrders: (a, s) => reads.openOrders(db, a, s),
      allOrders: (q) => reads.allOrders(db, q),
      accountTrades: (q) => reads.accountTrades(db, q),
      accountBalances: (a) => reads.accountBalances(db, a),
    },
  });
}, 60_000);

afterAll(async () => {
  await client?.close();
  await matcher?.stop();
  await bus?.close();
  await database?.close();
});

async function call(method: string, account: number, path: string) {
  const res = await app.request(`/api/v3/${path}`, { method, headers: { 'x-account': String(account) } });
  return { status: res.status, body: (await res.json()) as unknown };
}

describe('general endpoints on the embedded stack', () => {
  it('is ready once the matcher serves, and lists the markets it committed', async () => {
    expect((await app.request('/readyz')).status).toBe(200);
    const info = (await (await app.request('/api/v3/exchangeInfo?symbol=ETHUSDT')).json()) as {
      symbols: { symbol: string; filters: { filterType: string; tickSize?: string }[] }[];
    };
    expect(info.symbols.map((s) => s.symbol)).toEqual(['ETHUSDT']);
    expect(info.symbols[0]!.filters[0]).toMatchObject({ filterType: 'PRICE_FILTER', tickSize: '0.01000000' });
  });
});

describe('account reads after committed orders', () => {
  it('reads back orders, open orders, trades and balances as committed', async () => {
    const sell = await call(
      'POST',
      1,
      'order?symbol=ETHUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=2&price=2000&newClientOrderId=s1',
    );
    expect(sell.status).toBe(200);
    await call('POST', 1, 'order?symbol=ETHUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=2100');
    const buy = await call('POST', 2, 'order?symbol=ETHUSDT&side=BUY&type=MARKET&quantity=0.5');
    expect(buy.body).toMatchObject({ status: 'FILLED', executedQty: '0.50000000' });

    const order = await call('GET', 1, 'order?symbol=ETHUSDT&origClientOrderId=s1');
    expect(order).toMatchObject({
      status: 200,
      body: {
        symbol: 'ETHUSDT',
        clientOrderId: 's1',
        status: 'PARTIALLY_FILLED',
        origQty: '2.00000000',
        executedQty: '0.50000000',
        cummulativeQuoteQty: '1000.00000000',
        isWorking: true,
      },
    });
    const open = (await call('GET', 1, 'openOrders?symbol=ETHUSDT')).body as { price: string }[];
    expect(open.map((o) => o.price)).toEqual(['2000.00000000', '2100.00000000']);
    expect(((await call('GET', 1, 'openOrders')).body as unknown[]).length).toBe(2);
    const all = (await call('GET', 2, 'allOrders?symbol=ETHUSDT')).body as { type: string; status: string }[];
    expect(all).toEqual([expect.objectContaining({ type: 'MARKET', status: 'FILLED' })]);

    const sellerTrades = (await call('GET', 1, 'myTrades?symbol=ETHUSDT')).body;
    expect(sellerTrades).toEqual([
      expect.objectContaining({
        price: '2000.00000000',
        qty: '0.50000000',
        quoteQty: '1000.00000000',
        commission: '0.00000000', // ETHUSDT: maker fee 0
        commissionAsset: 'USDT',
        isBuyer: false,
        isMaker: true,
      }),
    ]);
    const buyerTrades = (await call('GET', 2, 'myTrades?symbol=ETHUSDT')).body;
    expect(buyerTrades).toEqual([
      expect.objectContaining({
        commission: '0.00050000',
        commissionAsset: 'ETH',
        isBuyer: true,
        isMaker: false,
      }),
    ]);

    const account = (await call('GET', 2, 'account')).body as { balances: { asset: string; free: string }[] };
    expect(account.balances).toContainEqual({ asset: 'ETH', free: '1000.49950000', locked: '0.00000000' });
    expect(account.balances).toContainEqual({
      asset: 'USDT',
      free: '9999000.00000000',
      locked: '0.00000000',
    });
  }, 30_000);

  it('answers -2013 for an order that does not exist and -1121 for an unknown symbol', async () => {
    expect(await call('GET', 1, 'order?symbol=ETHUSDT&orderId=999')).toEqual({
      status: 400,
      body: { code: -2013, msg: 'Order does not exist.' },
    });
    expect((await call('GET', 1, 'allOrders?symbol=NOPE')).body).toEqual({
      code: -1121,
      msg: 'Invalid symbol.',
    });
    expect((await call('GET', 1, 'allOrders?symbol=ETHUSDT&limit=5000')).status).toBe(400);
  });
});
