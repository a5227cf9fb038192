// The split deployment as real processes on the real Redis and Postgres (a database and key prefix of this run's
// own): one matcher (`matcher/main.ts`) and edges (`edge/main.ts`), everything through HTTP.
// - Edges A and B serve one exchange: accounts, keys, deposits and a market created through A's admin API, orders
//   placed alternately through A and B and crossed, and every read answered the same by both.
// - A key revoked through A is refused by B at once: the revocation is announced to every edge, whose key
//   caches (TTL 30 s) forget it.
// - Edges C and D (RATE_LIMIT_WEIGHT_1M=50, behind a "proxy": TRUST_PROXY) share the Redis limiter: one client
//   address gets exactly 50 weight through both together, then 429 with Retry-After, and the used weight each
//   reports counts the requests through either.

import { randomBytes, randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MATCHER_MAIN, Processes } from './test-processes.ts';
import { createMigratedDatabase, type TestDatabase } from '../db/test-database.ts';
import { deleteKeys, REDIS_URL, runPrefix, sleep } from '../matcher/bus/test-kit.ts';
import { adminClient, type AdminClient, BTCUSDT, fundedAccount } from './test-servers.ts';
import { type Credentials, type Requester, signedCall } from './test-signing.ts';

const ADMIN_TOKEN = randomBytes(18).toString('base64url');
const SECRET_KEY = randomBytes(32).toString('hex');
const WEIGHT_LIMIT = 50;

let database: TestDatabase | undefined;
let prefix: string | undefined;
const processes = new Processes();
let edgeA: Requester;
let edgeB: Requester;
let edgeC: Requester;
let edgeD: Requester;
let admin: AdminClient;

function commonEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    REDIS_URL,
    DATABASE_URL: database!.url,
    REDIS_PREFIX: prefix!,
    LOG_LEVEL: 'warn',
  };
}

/** An edge process on a port of its choosing. */
async function startEdge(env: Record<string, string>): Promise<Requester> {
  const port = await processes.startEdge({
    ...commonEnv(),
    ADMIN_TOKEN,
    API_SECRET_ENCRYPTION_KEY: SECRET_KEY,
    ...env,
  });
  return (path, init) => fetch(`http://127.0.0.1:${port}${path}`, init);
}

async function waitReady(edge: Requester, name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await Promise.resolve(edge('/readyz', {})).catch(() => undefined);
    if (res?.status === 200) return;
    await res?.body?.cancel();
    if (Date.now() > deadline) throw new Error(`edge ${name} not ready`);
    await sleep(100);
  }
}

beforeAll(async () => {
  database = await createMigratedDatabase();
  prefix = runPrefix();
  processes.start(MATCHER_MAIN, commonEnv());
  const limited = { RATE_LIMIT_WEIGHT_1M: `${WEIGHT_LIMIT}`, TRUST_PROXY: 'true' };
  [edgeA, edgeB, edgeC, edgeD] = await Promise.all([
    startEdge({}),
    startEdge({}),
    startEdge(limited),
    startEdge(limited),
  ]);
  await Promise.all([
    waitReady(edgeA, 'A'),
    waitReady(edgeB, 'B'),
    waitReady(edgeC, 'C'),
    waitReady(edgeD, 'D'),
  ]);
  admin = adminClient(edgeA, ADMIN_TOKEN);
}, 120_000);

afterAll(async () => {
  await processes.stopAll();
  if (prefix !== undefined) await deleteKeys(prefix);
  await database?.drop();
}, 30_000);

async function call(
  edge: Requester,
  credentials: Credentials,
  method: string,
  path: string,
  params: Record<string, string> = {},
) {
  const res = await signedCall(edge, credentials, method, `/api/v3/${path}`, params);
  return { status: res.status, body: res.body };
}

async function ok(edge: Requester, credentials: Credentials, method: string, path: string, params = {}) {
  const res = await call(edge, credentials, method, path, params);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Record<string, unknown>;
}

describe('the split deployment: a matcher and edges as processes on Redis and Postgres', () => {
  it('serves one exchange through two edges: orders through either, the same reads from both', async () => {
    await admin.createMarket(BTCUSDT);
    const maker = await fundedAccount(admin, { BTC: '10', USDT: '100000' });
    const taker = await fundedAccount(admin, { USDT: '100000' });
    const m = maker.credentials;
    const t = taker.credentials;
    const limit = (side: string, quantity: string, price: string, cid: string) => ({
      symbol: 'BTCUSDT',
      side,
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity,
      price,
      newClientOrderId: cid,
    });

    const m1 = await ok(edgeA, m, 'POST', 'order', limit('SELL', '1', '30000', 'm1'));
    expect(m1).toMatchObject({ status: 'NEW', clientOrderId: 'm1' });
    const m2 = await ok(edgeB, m, 'POST', 'order', limit('SELL', '1', '30100', 'm2'));
    expect(m2.orderId).toBe((m1.orderId as number) + 1);
    // Crosses both of the maker's orders (placed through A and through B).
    expect(await ok(edgeB, t, 'POST', 'order', limit('BUY', '1.5', '30100', 't1'))).toMatchObject({
      status: 'FILLED',
      executedQty: '1.50000000',
      cummulativeQuoteQty: '45050.00000000',
    });
    expect(
      await ok(edgeA, t, 'POST', 'order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quantity: '0.2',
      }),
    ).toMatchObject({ status: 'FILLED', fills: [{ price: '30100.00000000', qty: '0.20000000' }] });
    await ok(edgeB, t, 'POST', 'order', limit('BUY', '0.1', '29000', 't3'));
    expect(
      await ok(edgeA, t, 'DELETE', 'order', { symbol: 'BTCUSDT', origClientOrderId: 't3' }),
    ).toMatchObject({
      status: 'CANCELED',
    });
    await ok(edgeB, t, 'POST', 'order', limit('BUY', '0.05', '29500', 't4'));

    // Every read, through A and through B, answers the same.
    const reads: [Credentials, string, Record<string, string>][] = [];
    for (const c of [m, t]) {
      reads.push(
        [c, 'openOrders', { symbol: 'BTCUSDT' }],
        [c, 'openOrders', {}],
        [c, 'allOrders', { symbol: 'BTCUSDT' }],
        [c, 'myTrades', { symbol: 'BTCUSDT' }],
        [c, 'account', {}],
      );
    }
    reads.push(
      [m, 'order', { symbol: 'BTCUSDT', orderId: `${m1.orderId as number}` }],
      [m, 'order', { symbol: 'BTCUSDT', origClientOrderId: 'm2' }],
      [t, 'order', { symbol: 'BTCUSDT', origClientOrderId: 't3' }],
      [t, 'myTrades', { symbol: 'BTCUSDT', orderId: `${m1.orderId as number}` }],
    );
    const answers = new Map<string, unknown>();
    for (const [credentials, path, params] of reads) {
      const [a, b] = [
        await ok(edgeA, credentials, 'GET', path, params),
        await ok(edgeB, credentials, 'GET', path, params),
      ];
      // updateTime is the time of the answer.
      if (path === 'account') [a, b].forEach((body) => delete body.updateTime);
      expect(b, `${path} ${JSON.stringify(params)}`).toEqual(a);
      answers.set(`${credentials === m ? 'maker' : 'taker'} ${path} ${JSON.stringify(params)}`, a);
    }

    // And what they answer is the exchange's state.
    expect(answers.get('maker order {"symbol":"BTCUSDT","origClientOrderId":"m2"}')).toMatchObject({
      status: 'PARTIALLY_FILLED',
      executedQty: '0.70000000',
    });
    expect(answers.get('taker order {"symbol":"BTCUSDT","origClientOrderId":"t3"}')).toMatchObject({
      status: 'CANCELED',
    });
    const open = answers.get('taker openOrders {}') as { clientOrderId: string }[];
    expect(open.map((o) => o.clientOrderId)).toEqual(['t4']);
    const trades = answers.get('taker myTrades {"symbol":"BTCUSDT"}') as { price: string; qty: string }[];
    expect(trades.map((x) => [x.price, x.qty])).toEqual([
      ['30000.00000000', '1.00000000'],
      ['30100.00000000', '0.50000000'],
      ['30100.00000000', '0.20000000'],
    ]);
    const balances = (who: string) =>
      (answers.get(`${who} account {}`) as { balances: { asset: string }[] }).balances.sort((x, y) =>
        x.asset < y.asset ? -1 : 1,
      );
    expect(balances('taker')).toEqual([
      { asset: 'BTC', free: '1.69660000', locked: '0.00000000' },
      { asset: 'USDT', free: '47455.00000000', locked: '1475.00000000' },
    ]);
    expect(balances('maker')).toEqual([
      { asset: 'BTC', free: '8.00000000', locked: '0.30000000' },
      { asset: 'USDT', free: '151018.93000000', locked: '0.00000000' },
    ]);
  }, 60_000);

  it('refuses a key revoked through edge A on edge B at once (announced, not waiting for the cache TTL)', async () => {
    const accountId = await admin.createAccount();
    const key = await admin.createKey(accountId);
    // B has the key cached.
    expect((await call(edgeB, key, 'GET', 'account')).status).toBe(200);
    expect(await admin.revokeKey(key.apiKey)).toEqual({ revoked: true });
    const revokedAt = Date.now();
    for (;;) {
      const res = await call(edgeB, key, 'GET', 'account');
      if (res.status !== 200) {
        expect(res).toEqual({
          status: 401,
          body: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' },
        });
        break;
      }
      expect(Date.now() - revokedAt).toBeLessThan(5000);
      await sleep(100);
    }
    // The cache alone would keep it for 30 s.
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    expect((await call(edgeA, key, 'GET', 'account')).status).toBe(401);
  }, 30_000);

  it('throttles one client address across two edges with the limit shared through Redis', async () => {
    // The weight counts per minute window: if the burst straddles a window boundary, the count restarts, so
    // the burst is repeated, from a fresh address, in the new window.
    for (let attempt = 0; ; attempt++) {
      const ip = `198.51.100.${randomInt(1, 255)}`;
      const hit = (edge: Requester) => edge('/api/v3/ping', { headers: { 'x-forwarded-for': ip } });
      const started = Date.now();
      // 56 at once, half through each edge: exactly 50 get through, 6 are refused.
      const burst = await Promise.all(Array.from({ length: 56 }, (_, i) => hit(i % 2 === 0 ? edgeC : edgeD)));
      const [c, d] = [await hit(edgeC), await hit(edgeD)];
      if (Math.floor(started / 60_000) !== Math.floor(Date.now() / 60_000) && attempt === 0) {
        for (const res of [...burst, c, d]) await res.body?.cancel();
        continue;
      }

      const used = (res: Response) => Number(res.headers.get('x-mbx-used-weight-1m'));
      const allowed = burst.filter((res) => res.status === 200);
      const refused = burst.filter((res) => res.status !== 200);
      expect(allowed).toHaveLength(WEIGHT_LIMIT);
      expect(refused.map((res) => res.status)).toEqual(Array(6).fill(429));
      // Both edges let some through, and the weight each reports counts the requests through either.
      const through = (edge: number) => burst.filter((res, i) => i % 2 === edge && res.status === 200).length;
      expect(through(0)).toBeGreaterThan(0);
      expect(through(1)).toBeGreaterThan(0);
      expect(allowed.map(used).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(refused.map(used).sort((x, y) => x - y)).toEqual([51, 52, 53, 54, 55, 56]);

      // Further requests, through either edge, are refused with Retry-After; refused ones weigh too.
      for (const [res, weight] of [
        [c, 57],
        [d, 58],
      ] as const) {
        expect(res.status).toBe(429);
        expect(used(res)).toBe(weight);
        const retryAfter = Number(res.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(60);
        expect(await res.json()).toEqual({
          code: -1003,
          msg: `Too much request weight used; current limit is ${WEIGHT_LIMIT} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
        });
      }
      for (const res of burst) await res.body?.cancel();
      break;
    }
  }, 30_000);
});
