// The account reads through the whole embedded stack: orders placed through the app go to a real matcher (the
// in-process bus and PGlite), and GET /api/v3/order, openOrders, allOrders, myTrades and account read back what
// it committed, in Binance's shapes. Signed-request auth is stubbed (its own tests cover it).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseClient, openEmbedded } from '../../db/client.ts';
import { MemoryBus } from '../../matcher/bus/memory-bus.ts';
import { MatcherClient } from '../../matcher/client.ts';
import { setupCommands } from '../../matcher/command-mix.ts';
import { Matcher } from '../../matcher/loop.ts';
import { silentLogger } from '../../observability/logger.ts';
import { MemoryLimiter } from '../middleware/rate-limit/index.ts';
import { DEFAULT_RATE_LIMITS } from '../rate-limits.ts';
import { createSecretBox } from '../secret-box.ts';
import { type Credentials, signedCall } from '../test-signing.ts';
import { buildEdgeApp } from '../wiring.ts';

const ADMIN = 'admin-token-for-tests';
let bus: MemoryBus;
let database: DatabaseClient;
let matcher: Matcher;
let client: MatcherClient;
let app: ReturnType<typeof buildEdgeApp>;
const keys = new Map<number, Credentials>();

beforeAll(async () => {
  bus = new MemoryBus();
  database = await openEmbedded(undefined);
  await database.migrate();
  matcher = new Matcher({ bus, db: database.db, log: silentLogger() });
  matcher.start();
  await matcher.ready();
  client = await MatcherClient.create({ bus });
  app = buildEdgeApp({
    db: database.db,
    matcher: client,
    limiter: new MemoryLimiter({ limits: DEFAULT_RATE_LIMITS }),
    secretBox: createSecretBox(new Uint8Array(32).fill(7)),
    rateLimits: DEFAULT_RATE_LIMITS,
    adminToken: ADMIN,
    clientIp: () => '127.0.0.1',
    probes: {},
  });
  // Markets and deposits for accounts 1-3; the accounts and their keys through the admin API.
  for (const command of setupCommands(3)) await client.send(command);
  for (let i = 1; i <= 3; i++) {
    const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const account = (await (
      await app.request('/admin/v1/accounts', { method: 'POST', headers: admin })
    ).json()) as {
      accountId: number;
    };
    const key = await app.request(`/admin/v1/accounts/${account.accountId}/api-keys`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ type: 'HMAC_SHA256' }),
    });
    keys.set(account.accountId, (await key.json()) as Credentials);
  }
}, 60_000);

afterAll(async () => {
  await client?.close();
  await matcher?.stop();
  await bus?.close();
  await database?.close();
});

async function call(method: string, account: number, path: string) {
  const [route, query = ''] = path.split('?');
  const params = Object.fromEntries(new URLSearchParams(query));
  const res = await signedCall(
    (p, init) => app.request(p, init),
    keys.get(account)!,
    method,
    `/api/v3/${route}`,
    params,
  );
  return { status: res.status, body: res.body };
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

    expect((await call('GET', 1, 'rateLimit/order')).body).toEqual([
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100, count: expect.any(Number) },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000, count: 2 },
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

describe('signed requests through the wired app', () => {
  it('refuses unsigned, wrongly signed and revoked requests, and places nothing', async () => {
    const before = matcher.state!.nextOrderId;
    const order = 'symbol=ETHUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=100';
    const unsigned = await app.request(`/api/v3/order?${order}&timestamp=${Date.now()}`, { method: 'POST' });
    expect([unsigned.status, ((await unsigned.json()) as { code: number }).code]).toEqual([401, -2014]);
    const forged = { apiKey: keys.get(1)!.apiKey, secretKey: 'x'.repeat(64) };
    const params = Object.fromEntries(new URLSearchParams(order));
    const bad = await signedCall((p, init) => app.request(p, init), forged, 'POST', '/api/v3/order', params);
    expect([bad.status, (bad.body as { code: number }).code]).toEqual([400, -1022]);
    expect(matcher.state!.nextOrderId).toBe(before);
  });
});
