// Trailing stops (trailingDelta) on the real stack (matcher on Postgres and Redis, the wired app): exchangeInfo's
// TRAILING_DELTA filter; a trailing stop needs no stopPrice (a market BUY locks from the last price); RESULT, GET /api/v3/order and /openOrders carry
// trailingDelta and trailingTime for it (and only for it); the parameter's format is the edge's to check (-1100),
// its order type (-1106) and its filter (-1013) the matcher's; a trailing SELL triggers once the price falls
// trailingDelta below the highest trade since it began tracking, and that highest price survives a restart.
//
// On ETHUSDT (tick 0.01), where account 2 makes the trades account 1 takes, and account 3 holds the stops.

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../db/client.ts';
import { type Stack, startStack } from './test-stack.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack(3);
}, 60_000);

afterAll(async () => stack?.close());

type Body = Record<string, unknown>;

async function ok(method: string, account: number, path: string, params: Record<string, string>) {
  const res = await stack.call(method, account, path, params);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Body;
}

/** A trade of 0.1 ETH at `price`: account 2's resting sell, account 1's buy against it. */
async function tradeAt(price: string) {
  const order = { symbol: 'ETHUSDT', type: 'LIMIT', quantity: '0.1', price, newOrderRespType: 'ACK' };
  await ok('POST', 2, 'order', { ...order, side: 'SELL', timeInForce: 'GTC' });
  await ok('POST', 1, 'order', { ...order, side: 'BUY', timeInForce: 'IOC' });
}

/** A trailing STOP_LOSS_LIMIT SELL of account 3: 0.1 ETH, at a limit of 50.00 once triggered. */
const trailingSell = (extra: Record<string, string> = {}) => ({
  symbol: 'ETHUSDT',
  side: 'SELL',
  type: 'STOP_LOSS_LIMIT',
  timeInForce: 'GTC',
  quantity: '0.1',
  price: '50',
  trailingDelta: '100',
  newOrderRespType: 'RESULT',
  ...extra,
});

/** `params` without the named ones. */
function without(params: Record<string, string>, ...names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter(([name]) => !names.includes(name)));
}

const read = (orderId: unknown) => ok('GET', 3, 'order', { symbol: 'ETHUSDT', orderId: String(orderId) });

async function stored(orderId: unknown) {
  const [row] = await rowsOf(
    stack.database.db,
    // The best price now, as the matcher's start-up reads it: the stored one and the trades from the first that
    // counts toward it (the stored price is as of the order's last update: new highs are not written per order).
    sql`select trailing_delta, trailing_time, trailing_price,
      (select max(price) from trades t where t.symbol = o.symbol and t.trade_id >= o.trailing_from_trade_id)
        as highest_since
      from orders o where order_id = ${orderId as number}`,
  );
  return row;
}

const orderCount = async () =>
  (await rowsOf(stack.database.db, sql`select count(*)::int as n from orders`))[0]!.n;

describe('trailing stops', () => {
  it('exchangeInfo lists the TRAILING_DELTA filter and allows them', async () => {
    const res = await stack.app.request('/api/v3/exchangeInfo?symbol=ETHUSDT');
    const [symbol] = ((await res.json()) as { symbols: Body[] }).symbols;
    expect(symbol!.allowTrailingStop).toBe(true);
    expect(symbol!.filters).toContainEqual({
      filterType: 'TRAILING_DELTA',
      minTrailingAboveDelta: 10,
      maxTrailingAboveDelta: 2000,
      minTrailingBelowDelta: 10,
      maxTrailingBelowDelta: 2000,
    });
  });

  it('need no stopPrice, and carry trailingDelta and trailingTime in RESULT and every order read', async () => {
    await tradeAt('100');
    const placed = await ok('POST', 3, 'order', trailingSell());
    expect(placed).toMatchObject({
      status: 'NEW',
      type: 'STOP_LOSS_LIMIT',
      stopPrice: '0.00000000',
      trailingDelta: 100,
      trailingTime: expect.any(Number),
      workingTime: -1,
    });
    // Binance's order: the trailing fields right after stopPrice.
    const keys = Object.keys(placed);
    expect(keys.slice(keys.indexOf('stopPrice'), keys.indexOf('stopPrice') + 3)).toEqual([
      'stopPrice',
      'trailingDelta',
      'trailingTime',
    ]);
    // With a stopPrice not yet reached (a take-profit above the market) it does not track yet: -1.
    const waiting = await ok(
      'POST',
      3,
      'order',
      trailingSell({ type: 'TAKE_PROFIT_LIMIT', stopPrice: '150', price: '150', trailingDelta: '200' }),
    );
    expect(waiting).toMatchObject({ stopPrice: '150.00000000', trailingDelta: 200, trailingTime: -1 });

    const got = await read(placed.orderId);
    expect(got).toMatchObject({ status: 'NEW', isWorking: false, trailingDelta: 100 });
    expect(got.trailingTime).toBe(placed.trailingTime);
    const gotKeys = Object.keys(got);
    expect(gotKeys.slice(gotKeys.indexOf('stopPrice') + 1, gotKeys.indexOf('stopPrice') + 3)).toEqual([
      'trailingDelta',
      'trailingTime',
    ]);
    expect(await read(waiting.orderId)).toMatchObject({ trailingDelta: 200, trailingTime: -1 });
    const open = (await ok('GET', 3, 'openOrders', { symbol: 'ETHUSDT' })) as unknown as Body[];
    expect(open.map((o) => [o.orderId, o.trailingDelta, o.trailingTime])).toEqual([
      [placed.orderId, 100, placed.trailingTime],
      [waiting.orderId, 200, -1],
    ]);

    // A plain stop has none of them.
    const plain = await ok('POST', 3, 'order', without(trailingSell({ stopPrice: '60' }), 'trailingDelta'));
    for (const body of [plain, await read(plain.orderId)]) {
      expect(body).toHaveProperty('stopPrice', '60.00000000');
      expect(body).not.toHaveProperty('trailingDelta');
      expect(body).not.toHaveProperty('trailingTime');
    }
    const canceled = (await ok('DELETE', 3, 'openOrders', { symbol: 'ETHUSDT' })) as unknown as Body[];
    canceled.sort((a, b) => (a.orderId as number) - (b.orderId as number));
    expect(canceled.map((o) => [o.orderId, o.status, o.trailingDelta, o.trailingTime])).toEqual([
      [placed.orderId, 'CANCELED', 100, placed.trailingTime],
      [waiting.orderId, 'CANCELED', 200, -1],
      [plain.orderId, 'CANCELED', undefined, undefined],
    ]);
  });

  it('a malformed trailingDelta is -1100 and places nothing; the matcher refuses the rest', async () => {
    const before = await orderCount();
    for (const value of ['1.5', 'abc', '0', '-5', '']) {
      for (const path of ['order', 'order/test']) {
        const res = await stack.call('POST', 3, path, trailingSell({ trailingDelta: value }));
        expect([res.status, (res.body as Body).code], `${path} trailingDelta=${value}`).toEqual([400, -1100]);
      }
    }
    expect(await orderCount()).toBe(before);
  });

  it('the matcher refuses trailingDelta on other types (-1106) and outside the filter (-1013)', async () => {
    const before = await orderCount();
    const limit = {
      symbol: 'ETHUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.1',
      price: '500',
      trailingDelta: '100',
    };
    for (const path of ['order', 'order/test']) {
      const res = await stack.call('POST', 3, path, limit);
      expect([res.status, (res.body as Body).code], path).toEqual([400, -1106]);
      for (const delta of ['5', '2001']) {
        const out = await stack.call('POST', 3, path, trailingSell({ trailingDelta: delta }));
        expect([out.status, out.body], `${path} trailingDelta=${delta}`).toEqual([
          400,
          { code: -1013, msg: 'Filter failure: TRAILING_DELTA' },
        ]);
      }
    }
    expect(await orderCount()).toBe(before);
  });

  it('trigger a trailingDelta below the highest trade since they began tracking', async () => {
    await tradeAt('100');
    const placed = await ok('POST', 3, 'order', trailingSell({ price: '100' }));
    await tradeAt('110'); // the new high: the trigger is now 110 × 0.99 = 108.90
    await tradeAt('109.50'); // above it
    expect(await read(placed.orderId)).toMatchObject({ status: 'NEW', isWorking: false, workingTime: -1 });
    expect(await stored(placed.orderId)).toEqual({
      trailing_delta: 100,
      trailing_time: String(placed.trailingTime),
      trailing_price: '10000', // ticks: where it began tracking
      highest_since: '11000',
    });
    await tradeAt('108.90');
    const triggered = await read(placed.orderId);
    expect(triggered).toMatchObject({
      status: 'NEW',
      isWorking: true,
      price: '100.00000000',
      trailingDelta: 100,
      trailingTime: placed.trailingTime,
    });
    expect(triggered.trailingTime).not.toBe(-1);
    // On the book at its limit price: the next buy takes it.
    await ok('POST', 1, 'order', { symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: '0.1' });
    expect(await read(placed.orderId)).toMatchObject({ status: 'FILLED', trailingDelta: 100 });
  });

  it('keep their highest price through a matcher restart', async () => {
    await tradeAt('100');
    const placed = await ok(
      'POST',
      3,
      'order',
      without(trailingSell({ type: 'STOP_LOSS' }), 'timeInForce', 'price'),
    );
    await tradeAt('120'); // the trigger: 118.80
    await stack.restartMatcher();
    // Started afresh from the last price, it would trigger only at 119 × 0.99 = 117.81.
    await tradeAt('119');
    expect(await read(placed.orderId)).toMatchObject({ status: 'NEW', isWorking: false });
    // A bid of 0.2 at 118.80: a sell of 0.1 trades there and triggers the stop, which sells into the rest.
    const order = { symbol: 'ETHUSDT', type: 'LIMIT', price: '118.80', newOrderRespType: 'ACK' };
    await ok('POST', 1, 'order', { ...order, side: 'BUY', timeInForce: 'GTC', quantity: '0.2' });
    await ok('POST', 2, 'order', { ...order, side: 'SELL', timeInForce: 'IOC', quantity: '0.1' });
    expect(await read(placed.orderId)).toMatchObject({
      status: 'FILLED',
      executedQty: '0.10000000',
      cummulativeQuoteQty: '11.88000000',
      trailingDelta: 100,
      trailingTime: placed.trailingTime,
    });
  });

  it('a trailing market BUY needs no stopPrice: it locks the last price × (1 + trailingDelta) per lot', async () => {
    await tradeAt('100');
    const usdt = async () => {
      const account = await ok('GET', 3, 'account', {});
      const balances = account.balances as { asset: string; locked: string }[];
      return BigInt(balances.find((b) => b.asset === 'USDT')!.locked.replace('.', '')); // 8 decimals: units
    };
    const lockedBefore = await usdt();
    const buy = { symbol: 'ETHUSDT', side: 'BUY', type: 'STOP_LOSS', quantity: '0.1', trailingDelta: '100' };
    const placed = await ok('POST', 3, 'order', { ...buy, newOrderRespType: 'RESULT' });
    expect(placed).toMatchObject({ status: 'NEW', stopPrice: '0.00000000', trailingDelta: 100 });
    expect(placed.trailingTime).not.toBe(-1); // tracking at once, from 100.00
    // 100.00 × 1.01 = 101.00 for 0.1 ETH: 10.10 USDT.
    expect((await usdt()) - lockedBefore).toBe(1_010_000_000n);
    await ok('DELETE', 3, 'order', { symbol: 'ETHUSDT', orderId: String(placed.orderId) });
    expect(await usdt()).toBe(lockedBefore);
  });

  it('MAX_NUM_ALGO_ORDERS: an account has at most 5 stops waiting on a market (-1013 beyond)', async () => {
    // Whatever earlier tests left open goes first (-2011 when nothing is).
    await stack.call('DELETE', 3, 'openOrders', { symbol: 'ETHUSDT' });
    const stop = without(
      trailingSell({ type: 'STOP_LOSS', newOrderRespType: 'ACK' }),
      'timeInForce',
      'price',
    );
    for (let i = 0; i < 5; i++) await ok('POST', 3, 'order', stop);
    const sixth = await stack.call('POST', 3, 'order', stop);
    expect(sixth.status).toBe(400);
    expect(sixth.body).toEqual({ code: -1013, msg: 'Filter failure: MAX_NUM_ALGO_ORDERS' });
    const info = await stack.app.request('/api/v3/exchangeInfo?symbol=ETHUSDT');
    const [symbol] = ((await info.json()) as { symbols: Body[] }).symbols;
    expect(symbol!.filters).toContainEqual({ filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 });
  });
});
