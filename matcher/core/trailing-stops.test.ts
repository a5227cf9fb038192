// Trailing stops (trailingDelta), one test per rule, Binance's FAQ scenarios (faqs/trailing-stop-faq.md) as
// written there, and a property test of when they trigger against a model written from the FAQ alone. The market
// trades whole BTC for whole USDT (a tick is 1 USDT, a lot 1 BTC) without fees, so prices read as the FAQ's.
//
// The cast: account 1 owns the trailing stops; account 3 (maker) and account 4 (taker) move the last price by
// trading one lot with each other; account 2 provides depth where a test needs a match over several prices.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stateHash, validate } from './audit.ts';
import type { OrderType, PlaceOrder, Side } from './commands.ts';
import type { Applied } from './engine.ts';
import type { OrderUpdate } from './events.ts';
import type { Lots, Ticks } from './money.ts';
import { restore, snapshot } from './snapshot.ts';
import { Exchange, marketSpec, WHOLE } from './test-kit.ts';

const u = (whole: number | bigint): bigint => BigInt(whole) * WHOLE;
const idOf = (applied: Applied): number => applied.result.order!.orderId;
const updatesOf = (applied: Applied, orderId: number): OrderUpdate[] =>
  applied.events.filter((e): e is OrderUpdate => e.type === 'order' && e.orderId === orderId);

function exchange(spec: Parameters<Exchange['market']>[0] = {}): Exchange {
  const ex = new Exchange().market(spec);
  for (const id of [1, 2, 3, 4]) ex.fund(id, 'BTC', 1_000).fund(id, 'USDT', 100_000_000);
  return ex;
}

/** One lot trades at `price`: account 3 offers it and account 4 takes it. */
function tradeAt(ex: Exchange, price: number): Applied {
  ex.limit(3, 'SELL', 1, price);
  const taken = ex.limit(4, 'BUY', 1, price, 'IOC');
  expect(taken.events.some((e) => e.type === 'trade' && e.price === price)).toBe(true);
  expect(validate(ex.state)).toEqual([]);
  return taken;
}

function trailing(
  ex: Exchange,
  side: Side,
  type: OrderType,
  delta: number,
  opts: { stopPrice?: number; price?: number; quantity?: number } = {},
): Applied {
  const extra: Partial<PlaceOrder> = { trailingDelta: delta };
  if (opts.stopPrice !== undefined) extra.stopPrice = opts.stopPrice as Ticks;
  const limit = type.endsWith('_LIMIT');
  return ex.place(1, side, type, opts.quantity ?? 1, opts.price, limit ? 'GTC' : undefined, extra);
}

describe('placing a trailing stop', () => {
  it('is held off the book, NEW and pending, with trailingDelta and trailingTime reported', () => {
    const ex = exchange();
    tradeAt(ex, 40_000);
    const placed = trailing(ex, 'SELL', 'STOP_LOSS_LIMIT', 700, { price: 39_000 });
    expect(placed.result.code).toBe('OK');
    const order = placed.result.order!;
    // Without a stop price it tracks at once, from the last price.
    expect(order).toMatchObject({
      status: 'NEW',
      trailingDelta: 700,
      trailingTime: ex.time,
      trailingPrice: 40_000,
    });
    expect(order.stopPrice).toBeUndefined();
    expect(ex.bookOrders('SELL')).toEqual([]);
    expect(ex.balance(1, 'BTC')).toEqual({ free: u(999), locked: u(1) });
    expect(validate(ex.state)).toEqual([]);
  });

  it('with a stop price waits (trailingTime -1) until a trade meets it', () => {
    const ex = exchange();
    tradeAt(ex, 40_000);
    const placed = trailing(ex, 'BUY', 'STOP_LOSS_LIMIT', 500, { stopPrice: 44_000, price: 45_000 });
    expect(placed.result.order).toMatchObject({ trailingTime: -1, stopPrice: 44_000, trailingDelta: 500 });
    expect(placed.result.order!.trailingPrice).toBeUndefined();
  });

  it('takes trailingDelta only on the stop types', () => {
    const ex = exchange();
    const limit = ex.limit(1, 'BUY', 1, 100, 'GTC', { trailingDelta: 100 });
    expect(limit.result.code).toBe('PARAMETER_NOT_ALLOWED');
    expect(ex.marketOrder(1, 'BUY', 1, { trailingDelta: 100 }).result.code).toBe('PARAMETER_NOT_ALLOWED');
    expect(validate(ex.state)).toEqual([]);
    expect(ex.state.orders.size).toBe(0);
  });

  it('is held to the TRAILING_DELTA filter: above for those that trigger on a rise, below for the others', () => {
    const ex = exchange({ minTrailingAboveDelta: 50, maxTrailingAboveDelta: 300 });
    tradeAt(ex, 1_000);
    const code = (side: Side, type: OrderType, delta: number) =>
      trailing(ex, side, type, delta, { price: side === 'BUY' ? 1 : 5_000 }).result.code;
    // BUY STOP_LOSS* and SELL TAKE_PROFIT* trigger on a rise: the "above" bounds, 50..300 here.
    expect(code('BUY', 'STOP_LOSS_LIMIT', 40)).toBe('TRAILING_DELTA');
    expect(code('BUY', 'STOP_LOSS_LIMIT', 301)).toBe('TRAILING_DELTA');
    expect(code('SELL', 'TAKE_PROFIT_LIMIT', 49)).toBe('TRAILING_DELTA');
    expect(code('BUY', 'STOP_LOSS_LIMIT', 50)).toBe('OK');
    // The others: the "below" bounds, the defaults 10..2000.
    expect(code('SELL', 'STOP_LOSS_LIMIT', 40)).toBe('OK');
    expect(code('BUY', 'TAKE_PROFIT_LIMIT', 9)).toBe('TRAILING_DELTA');
    expect(code('BUY', 'TAKE_PROFIT_LIMIT', 2_001)).toBe('TRAILING_DELTA');
    // Not a whole number of BIPS.
    expect(code('SELL', 'STOP_LOSS_LIMIT', 10.5)).toBe('TRAILING_DELTA');
    expect(code('SELL', 'STOP_LOSS_LIMIT', 0)).toBe('TRAILING_DELTA');
    expect(validate(ex.state)).toEqual([]);
  });

  it('market definitions check their trailing bounds', () => {
    const ex = new Exchange();
    const create = (spec: Parameters<Exchange['market']>[0]) =>
      ex.run({ type: 'createMarket', ...marketSpec(spec) }).result;
    expect(create({ minTrailingBelowDelta: 100, maxTrailingBelowDelta: 50 }).code).toBe('INVALID_MARKET');
    expect(create({ maxTrailingAboveDelta: 10_000 }).code).toBe('INVALID_MARKET');
    expect(create({ minTrailingAboveDelta: 0 }).code).toBe('INVALID_MARKET');
    expect(create({}).code).toBe('OK');
    expect(ex.state.markets.get('BTCUSDT')!.definition).toMatchObject({
      minTrailingAboveDelta: 10,
      maxTrailingAboveDelta: 2000,
      minTrailingBelowDelta: 10,
      maxTrailingBelowDelta: 2000,
    });
  });

  it('with a stop price the last price already meets is refused, as a plain stop would be', () => {
    const ex = exchange();
    tradeAt(ex, 40_000);
    const placed = trailing(ex, 'SELL', 'STOP_LOSS', 100, { stopPrice: 41_000 });
    expect(placed.result.code).toBe('ORDER_WOULD_TRIGGER_IMMEDIATELY');
  });

  it('buying at market with a stop price holds stopPrice × (1 + delta) in whole ticks', () => {
    const ex = exchange();
    tradeAt(ex, 10_000);
    // 10,001 × 1.0015 = 10,016.0015: 10,017 a lot, for 2 lots.
    const placed = trailing(ex, 'BUY', 'STOP_LOSS', 15, { stopPrice: 10_001, quantity: 2 });
    expect(placed.result.code).toBe('OK');
    expect(ex.balance(1, 'USDT')).toEqual({ free: u(100_000_000 - 20_034), locked: u(20_034) });
    expect(validate(ex.state)).toEqual([]);
    expect(ex.cancel(1, idOf(placed)).result.code).toBe('OK');
    expect(ex.balance(1, 'USDT')).toEqual({ free: u(100_000_000), locked: 0n });
    expect(validate(ex.state)).toEqual([]);
  });

  it('buying at market without a stop price holds lastPrice × (1 + delta), spends no more, survives a restore', () => {
    const ex = exchange();
    // Before the first trade there is no price to hold at.
    const early = trailing(ex, 'BUY', 'STOP_LOSS', 100);
    expect(early.result).toMatchObject({ code: 'PARAMETER_REQUIRED' });
    tradeAt(ex, 10_000);
    const placed = trailing(ex, 'BUY', 'STOP_LOSS', 100, { quantity: 2 }); // tracks at once, from 10,000
    expect(placed.result.order).toMatchObject({
      trailingTime: ex.time,
      trailingPrice: 10_000,
      trailingHoldBasis: 10_000,
    });
    // 10,000 × 1.01 = 10,100 a lot, for 2 lots.
    expect(ex.balance(1, 'USDT')).toEqual({ free: u(100_000_000 - 20_200), locked: u(20_200) });
    const id = idOf(placed);
    tradeAt(ex, 9_000); // the lowest: triggers at 9,090; what it holds does not move
    expect(ex.balance(1, 'USDT').locked).toBe(u(20_200));
    const copy = restore(snapshot(ex.state));
    expect(stateHash(copy)).toBe(stateHash(ex.state));
    expect(validate(copy)).toEqual([]);
    // A trade at 9,090 triggers it; it then buys the asks left, 9,090 and 11,000: 20,090, within its 20,200.
    ex.limit(2, 'SELL', 1, 9_090);
    ex.limit(3, 'SELL', 1, 9_090);
    ex.limit(2, 'SELL', 1, 11_000);
    const run = ex.limit(4, 'BUY', 1, 9_090, 'IOC');
    expect(updatesOf(run, id).at(-1)).toMatchObject({
      status: 'FILLED',
      executedQty: 2,
      cumQuote: u(20_090),
    });
    expect(ex.balance(1, 'USDT').locked).toBe(0n);
    // It spent no more than it held.
    expect(u(100_000_000) - ex.balance(1, 'USDT').free).toBeLessThanOrEqual(u(20_200));
    expect(validate(ex.state)).toEqual([]);
  });

  it('amended down, holds for what is left, and keeps tracking', () => {
    const ex = exchange();
    tradeAt(ex, 9_990);
    // 10,000 × 1.0015 = 10,015 a lot.
    const placed = trailing(ex, 'BUY', 'STOP_LOSS', 15, { stopPrice: 10_000, quantity: 3 });
    tradeAt(ex, 9_999);
    tradeAt(ex, 10_002); // begins tracking at 10,002
    expect(ex.balance(1, 'USDT').locked).toBe(u(3 * 10_015));
    const amended = ex.run({
      type: 'amendOrder',
      accountId: 1,
      symbol: 'BTCUSDT',
      orderId: idOf(placed),
      newQty: 1 as Lots,
      timestamp: ++ex.time,
    });
    expect(amended.result.code).toBe('OK');
    expect(amended.result.order).toMatchObject({ origQty: 1, trailingPrice: 10_002, trailingDelta: 15 });
    expect(ex.balance(1, 'USDT')).toEqual({ free: u(100_000_000 - 10_015), locked: u(10_015) });
    expect(validate(ex.state)).toEqual([]);
  });

  it('is cancelled like any stop, by id, giving back what it held', () => {
    const ex = exchange();
    tradeAt(ex, 40_000);
    const placed = trailing(ex, 'SELL', 'TAKE_PROFIT', 100, { quantity: 3 });
    const cancelled = ex.cancel(1, idOf(placed));
    expect(cancelled.result.order).toMatchObject({ status: 'CANCELED', trailingDelta: 100 });
    expect(ex.balance(1, 'BTC')).toEqual({ free: u(1_000), locked: 0n });
    tradeAt(ex, 30_000); // would have triggered it
    expect(ex.state.markets.get('BTCUSDT')!.trailingCount).toBe(0);
    expect(validate(ex.state)).toEqual([]);
  });
});

describe("Binance's scenarios (faqs/trailing-stop-faq.md)", () => {
  /** Runs trades at `prices` and returns the command in which `orderId` triggered (left tracking), if any. */
  function until(ex: Exchange, orderId: number, prices: number[]): number | undefined {
    for (const [i, price] of prices.entries()) {
      const applied = tradeAt(ex, price);
      if (ex.state.store.pending(ex.state.orders.get(orderId) ?? -1) !== 1) {
        expect(updatesOf(applied, orderId).at(-1)!.status).not.toBe('CANCELED');
        return i;
      }
    }
    return undefined;
  }

  it('A: STOP_LOSS_LIMIT BUY, stop 44,000, 5 %: tracks from 44,000, triggers at 42,000 × 1.05 = 44,100', () => {
    const ex = exchange();
    tradeAt(ex, 40_000);
    const id = idOf(trailing(ex, 'BUY', 'STOP_LOSS_LIMIT', 500, { stopPrice: 44_000, price: 45_000 }));
    // Falling to 37,000 is ignored: it has not begun tracking.
    expect(until(ex, id, [39_000, 37_000])).toBeUndefined();
    expect(ex.order(id)).toMatchObject({ trailingTime: -1 });
    const at44k = tradeAt(ex, 44_000);
    expect(updatesOf(at44k, id)).toEqual([
      expect.objectContaining({ status: 'NEW', trailingTime: ex.time, trailingPrice: 44_000 }),
    ]);
    // Up to 46,000 (~454 BIPS above 44,000): not enough. Down to 42,000: the new lowest.
    expect(until(ex, id, [45_000, 46_000, 42_000, 44_099])).toBeUndefined();
    expect(ex.order(id)).toMatchObject({ trailingPrice: 42_000 });
    expect(until(ex, id, [44_100])).toBe(0);
    // It works at its limit price of 45,000: nothing is offered, so it rests there.
    expect(ex.best('BUY')).toMatchObject({
      orderId: id,
      price: 45_000,
      status: 'NEW',
      trailingPrice: 42_000,
    });
  });

  it('B: STOP_LOSS_LIMIT SELL, stop 39,000, 10 %: triggers at 41,000 × 0.90 = 36,900', () => {
    const ex = exchange();
    tradeAt(ex, 40_000);
    const id = idOf(trailing(ex, 'SELL', 'STOP_LOSS_LIMIT', 1_000, { stopPrice: 39_000, price: 38_000 }));
    expect(until(ex, id, [41_500, 39_000, 37_000, 41_000, 36_901])).toBeUndefined();
    expect(ex.order(id)).toMatchObject({ trailingPrice: 41_000 });
    expect(until(ex, id, [36_900])).toBe(0);
    expect(ex.best('SELL')).toMatchObject({ orderId: id, price: 38_000 });
  });

  it('C: TAKE_PROFIT_LIMIT BUY, stop 38,000, 8.5 %: triggers at 37,000 × 1.085 = 40,145', () => {
    const ex = exchange();
    tradeAt(ex, 40_000);
    const id = idOf(trailing(ex, 'BUY', 'TAKE_PROFIT_LIMIT', 850, { stopPrice: 38_000, price: 38_500 }));
    expect(until(ex, id, [42_000, 38_000, 37_000, 39_000, 38_000, 40_144])).toBeUndefined();
    expect(ex.order(id)).toMatchObject({ trailingPrice: 37_000 });
    expect(until(ex, id, [40_145])).toBe(0);
  });

  it('D: TAKE_PROFIT_LIMIT SELL, stop 42,000, 7.5 %: triggers at 46,500 × 0.925 = 43,012.5, so at 43,012', () => {
    const ex = exchange();
    tradeAt(ex, 40_000);
    const id = idOf(trailing(ex, 'SELL', 'TAKE_PROFIT_LIMIT', 750, { stopPrice: 42_000, price: 41_000 }));
    expect(until(ex, id, [41_500, 39_000, 42_000, 45_000, 44_000, 46_500, 43_013])).toBeUndefined();
    expect(until(ex, id, [43_012])).toBe(0);
  });

  it('E: STOP_LOSS_LIMIT SELL without a stop price, 7 %: tracks from 40,000 at once, triggers at 42,315', () => {
    const ex = exchange();
    tradeAt(ex, 40_000);
    const id = idOf(trailing(ex, 'SELL', 'STOP_LOSS_LIMIT', 700, { price: 39_000 }));
    expect(until(ex, id, [42_000, 39_500, 45_500, 42_316])).toBeUndefined();
    expect(until(ex, id, [42_315])).toBe(0);
  });
});

describe('tracking', () => {
  it('sees every trade of a match in order, and triggers only once the match is over', () => {
    const ex = exchange();
    tradeAt(ex, 10_000);
    // Begins tracking at the first trade at or above 10,050; triggers 1 % above the lowest price since.
    const id = idOf(trailing(ex, 'BUY', 'STOP_LOSS', 100, { stopPrice: 10_050 }));
    for (const price of [10_020, 10_060, 10_150]) ex.limit(2, 'SELL', 1, price);
    ex.limit(4, 'BUY', 3, 10_150, 'IOC');
    // It began at 10,060 (not at the match's last price, 10,150), which is 10,150 < 10,060 × 1.01 = 10,160.6.
    expect(ex.order(id)).toMatchObject({ trailingPrice: 10_060, trailingTime: ex.time });
    expect(until2(ex, id, 10_160)).toBe(false);
    expect(until2(ex, id, 10_161)).toBe(true);
  });

  it('a match that moves the best price and then triggers runs the stop after its last trade', () => {
    const ex = exchange();
    tradeAt(ex, 10_000);
    const id = idOf(trailing(ex, 'SELL', 'STOP_LOSS', 100, { quantity: 1 }));
    for (const price of [10_200, 10_150, 10_098]) ex.limit(2, 'BUY', 1, price);
    // One sell walks the bids down: the first trade at 10,200 is a new highest, 10,098 is 1 % below it.
    const walk = ex.limit(4, 'SELL', 3, 10_098, 'IOC');
    const kinds = walk.events.map((e) => (e.type === 'order' ? `order ${e.orderId} ${e.status}` : e.type));
    const lastTrade = kinds.lastIndexOf('trade');
    expect(kinds.indexOf(`order ${id} EXPIRED`)).toBeGreaterThan(lastTrade); // a market sell on an empty book
    expect(validate(ex.state)).toEqual([]);
  });

  it('reports an order update when it begins tracking, not when its best price moves', () => {
    const ex = exchange();
    tradeAt(ex, 10_000);
    const id = idOf(trailing(ex, 'SELL', 'TAKE_PROFIT', 500, { stopPrice: 10_100 }));
    const begins = tradeAt(ex, 10_100);
    const tradeId = begins.events.find((e) => e.type === 'trade')!.tradeId;
    // It tracks from the trade that met its stop price: later trades count toward its best price.
    expect(updatesOf(begins, id)).toEqual([
      expect.objectContaining({
        trailingTime: ex.time,
        trailingPrice: 10_100,
        trailingFromTradeId: tradeId + 1,
      }),
    ]);
    expect(updatesOf(tradeAt(ex, 10_200), id)).toEqual([]);
    expect(updatesOf(tradeAt(ex, 10_150), id)).toEqual([]);
    expect(ex.order(id)).toMatchObject({ trailingPrice: 10_200, trailingFromTradeId: tradeId + 1 });
  });

  it('without a stop price on a market that never traded, begins from the first trade', () => {
    const ex = exchange();
    const id = idOf(trailing(ex, 'SELL', 'STOP_LOSS', 1_000));
    expect(ex.order(id)).toMatchObject({ trailingTime: ex.time });
    expect(ex.order(id)!.trailingPrice).toBeUndefined();
    tradeAt(ex, 1_000);
    expect(ex.order(id)).toMatchObject({ trailingPrice: 1_000 });
    tradeAt(ex, 901);
    expect(ex.order(id)).toBeDefined();
    tradeAt(ex, 900);
    expect(ex.order(id)).toBeUndefined(); // triggered, and expired on an empty book
  });

  it('a triggered market buy spends no more than it held', () => {
    const ex = exchange();
    tradeAt(ex, 990);
    // Holds 1,000 × 1.01 = 1,010 a lot; triggers at 1,010 (1 % above 1,000).
    const id = idOf(trailing(ex, 'BUY', 'STOP_LOSS', 100, { stopPrice: 1_000, quantity: 2 }));
    expect(ex.balance(1, 'USDT').locked).toBe(u(2_020));
    tradeAt(ex, 999); // not yet: the condition is a price at or above 1,000
    ex.limit(2, 'SELL', 5, 1_500); // what it will buy from, above what it holds for
    tradeAt(ex, 1_000); // begins tracking at 1,000
    ex.limit(3, 'SELL', 1, 1_010);
    const triggered = ex.limit(4, 'BUY', 1, 1_010, 'IOC');
    const update = updatesOf(triggered, id).at(-1)!;
    // 2,020 buys one lot at 1,500; the rest cannot buy another, so the remainder expires.
    expect(update).toMatchObject({ executedQty: 1, cumQuote: u(1_500), status: 'EXPIRED' });
    expect(ex.balance(1, 'USDT')).toEqual({ free: u(100_000_000 - 1_500), locked: 0n });
    expect(validate(ex.state)).toEqual([]);
  });
});

describe('edge cases', () => {
  it('a command timestamp of -1 cannot read as "not yet tracking"', () => {
    const ex = exchange();
    tradeAt(ex, 10_000);
    const placed = ex.place(1, 'SELL', 'STOP_LOSS', 1, undefined, undefined, {
      trailingDelta: 100,
      timestamp: -1,
    });
    expect(placed.result.order).toMatchObject({ trailingTime: 0, trailingPrice: 10_000 });
    expect(validate(ex.state)).toEqual([]);
    tradeAt(ex, 9_900); // 1 % below 10,000
    expect(ex.order(idOf(placed))).toBeUndefined();
  });

  it("a stop moved by a triggered stop's own trades, in the same command, has the best price its trades say", () => {
    const ex = exchange();
    tradeAt(ex, 100);
    const b = idOf(trailing(ex, 'SELL', 'STOP_LOSS', 500)); // tracks the highest, from 100
    const a = idOf(trailing(ex, 'BUY', 'STOP_LOSS_LIMIT', 100, { price: 110 })); // triggers at 101
    ex.limit(2, 'SELL', 1, 101);
    ex.limit(2, 'SELL', 1, 105);
    // 101 moves B and triggers A, whose buy takes 105: B must be reported at 105, what the state holds.
    const taken = ex.limit(4, 'BUY', 1, 101, 'IOC');
    expect(updatesOf(taken, a).at(-1)).toMatchObject({ status: 'FILLED' });
    expect(updatesOf(taken, b)).toEqual([]);
    const order = ex.order(b)!;
    expect(order.trailingPrice).toBe(105);
    // What a restart reads back: the best of the price it was placed with and the trades since trailingFromTradeId.
    const trades = taken.events.filter((e) => e.type === 'trade' && e.tradeId >= order.trailingFromTradeId!);
    expect(Math.max(100, ...trades.map((t) => (t.type === 'trade' ? t.price : 0)))).toBe(105);
    expect(validate(ex.state)).toEqual([]);
  });

  it('a thousand trailing stops move on one trade as one level, without an update each, and trigger on the next in id order', () => {
    const ex = exchange();
    for (let account = 10; account < 210; account++) ex.fund(account, 'BTC', 10);
    tradeAt(ex, 10_000);
    const ids: number[] = [];
    for (let account = 10; account < 210; account++) {
      for (let k = 0; k < 5; k++) {
        const placed = ex.place(account, 'SELL', 'STOP_LOSS', 1, undefined, undefined, {
          trailingDelta: 100,
        });
        expect(placed.result.code).toBe('OK');
        ids.push(idOf(placed));
      }
    }
    const high = tradeAt(ex, 10_100);
    expect(high.events.filter((e) => e.type === 'order' && ids.includes(e.orderId))).toEqual([]);
    expect(ids.every((id) => ex.order(id)!.trailingPrice === 10_100)).toBe(true);
    // One level (one side, one best price) holding them all: the next trade looks at it once, not a thousand times.
    const market = ex.state.markets.get('BTCUSDT')!;
    expect(market.trailingSells.levels.filter((l) => l.count > 0)).toHaveLength(1);
    expect(market.trailingSells.heap).toHaveLength(1);
    expect(market.trailingBuys.count).toBe(0);
    const drop = tradeAt(ex, 9_999); // 10,100 × 0.99 = 9,999
    const expired = drop.events.filter(
      (e): e is OrderUpdate => e.type === 'order' && ids.includes(e.orderId) && e.status === 'EXPIRED',
    );
    expect(expired.map((e) => e.orderId)).toEqual(ids); // market sells on an empty book, in trigger (id) order
    expect(ex.state.markets.get('BTCUSDT')!.trailingCount).toBe(0);
    expect(validate(ex.state)).toEqual([]);
  });
  it('stops of a hundred deltas share one level: a new high moves it once, and a fall triggers just the deltas it reached, smallest first by id', () => {
    const ex = exchange();
    for (let account = 10; account < 110; account++) ex.fund(account, 'BTC', 10);
    tradeAt(ex, 10_000);
    const byDelta = new Map<number, number>();
    // Placed from the largest delta down, so that id order and delta order differ.
    for (let delta = 1_000, account = 10; delta >= 10; delta -= 10, account++) {
      const placed = ex.place(account, 'SELL', 'STOP_LOSS', 1, undefined, undefined, {
        trailingDelta: delta,
      });
      expect(placed.result.code).toBe('OK');
      byDelta.set(delta, idOf(placed));
    }
    const market = ex.state.markets.get('BTCUSDT')!;
    for (const price of [10_050, 10_045, 10_100]) tradeAt(ex, price); // 10,045: not 10 BIPS below 10,050
    // One level for the hundred, scheduled once by its smallest delta.
    expect(market.trailingSells.levels.filter((l) => l.count > 0)).toHaveLength(1);
    expect(market.trailingSells.heap).toHaveLength(1);
    expect(market.trailingSells.heap[0]!.stops!.delta).toBe(10);
    // 10,100 × (1 - 100 BIPS) = 9,999: deltas 10 to 100 trigger, 110 and up do not.
    const drop = tradeAt(ex, 9_999);
    const expired = drop.events.filter(
      (e): e is OrderUpdate => e.type === 'order' && e.status === 'EXPIRED' && e.symbol === 'BTCUSDT',
    );
    const due = [...byDelta].filter(([delta]) => delta <= 100).map(([, id]) => id);
    expect(expired.map((e) => e.orderId)).toEqual(due.sort((a, b) => a - b));
    for (const [delta, id] of byDelta) {
      if (delta > 100) expect(ex.order(id)).toMatchObject({ status: 'NEW', trailingPrice: 10_100 });
    }
    expect(market.trailingSells.count).toBe(90);
    expect(market.trailingSells.heap[0]!.stops!.delta).toBe(110);
    expect(stateHash(restore(snapshot(ex.state)))).toBe(stateHash(ex.state));
    expect(validate(ex.state)).toEqual([]);
  });
});

/** One trade at `price`; whether `orderId` left the trailing stops in it. */
function until2(ex: Exchange, orderId: number, price: number): boolean {
  tradeAt(ex, price);
  const slot = ex.state.orders.get(orderId);
  return slot === undefined || ex.state.store.pending(slot) !== 1;
}

// ---- the property: when trailing stops trigger, against a model of the FAQ's rules ----

type Kind = ['BUY' | 'SELL', 'STOP_LOSS' | 'TAKE_PROFIT'];
const KINDS: Kind[] = [
  ['BUY', 'STOP_LOSS'],
  ['BUY', 'TAKE_PROFIT'],
  ['SELL', 'STOP_LOSS'],
  ['SELL', 'TAKE_PROFIT'],
];

/**
 * The trade (index into `prices`) at which a trailing stop triggers, from the FAQ's table alone, in plain
 * rationals: it begins tracking at the first price that meets its stop price condition (at once without one, from
 * `last`), then keeps the best price (lowest for a BUY, highest for a SELL) and triggers on a move of `delta`
 * BIPS against it, on the trade after the one that began tracking at the earliest.
 */
function modelTrigger(
  [side, type]: Kind,
  delta: number,
  stopPrice: number | undefined,
  last: number,
  prices: number[],
): number | undefined {
  const rises = (side === 'BUY') === (type === 'STOP_LOSS');
  let best: number | undefined = stopPrice === undefined ? last : undefined;
  for (const [i, p] of prices.entries()) {
    if (best === undefined) {
      if (rises ? p >= stopPrice! : p <= stopPrice!) best = p;
      continue;
    }
    if (side === 'BUY') {
      if (p * 10_000 >= best * (10_000 + delta)) return i;
      best = Math.min(best, p);
    } else {
      if (p * 10_000 <= best * (10_000 - delta)) return i;
      best = Math.max(best, p);
    }
  }
  return undefined;
}

describe('property: trailing stops trigger exactly when the FAQ says', () => {
  it('for random price paths, kinds, deltas and stop prices; restore mid-way changes nothing', () => {
    const stop = fc.record({
      kind: fc.constantFrom(...KINDS),
      delta: fc.integer({ min: 10, max: 2_000 }),
      /** Ticks from the starting price; undefined: no stop price. */
      stopOffset: fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(stop, { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: -150, max: 150 }), { minLength: 1, maxLength: 40 }),
        fc.nat(),
        (stops, moves, cut) => {
          const start = 10_000;
          const ex = exchange();
          tradeAt(ex, start);
          const placed = stops.map((s) => {
            const rises = (s.kind[0] === 'BUY') === (s.kind[1] === 'STOP_LOSS');
            const stopPrice =
              s.stopOffset === undefined ? undefined : start + (rises ? 1 : -1) * s.stopOffset;
            // BUYs at market need a stop price; without one they trail as a STOP_LOSS_LIMIT at price 1.
            const limit = s.kind[0] === 'BUY' && stopPrice === undefined;
            const type = limit ? (`${s.kind[1]}_LIMIT` as OrderType) : s.kind[1];
            const applied = trailing(ex, s.kind[0], type, s.delta, limit ? { price: 1 } : { stopPrice });
            expect(applied.result.code).toBe('OK');
            return { id: idOf(applied), stopPrice };
          });
          const prices: number[] = [];
          let price = start;
          for (const move of moves) prices.push((price = Math.max(1, price + move)));
          const triggeredAt = new Map<number, number>();
          let copy: Exchange | undefined;
          for (const [i, p] of prices.entries()) {
            if (i === cut % prices.length) {
              // From here on a restored copy runs the same trades and must end the same.
              copy = new Exchange();
              Object.assign(copy, { state: restore(snapshot(ex.state)), time: ex.time });
              expect(stateHash(copy.state)).toBe(stateHash(ex.state));
            }
            for (const e of [ex, copy]) if (e !== undefined) tradeAt(e, p);
            for (const { id } of placed) {
              const slot = ex.state.orders.get(id);
              if (!triggeredAt.has(id) && (slot === undefined || ex.state.store.pending(slot) !== 1)) {
                triggeredAt.set(id, i);
              }
            }
          }
          stops.forEach((s, k) => {
            expect(triggeredAt.get(placed[k]!.id)).toBe(
              modelTrigger(s.kind, s.delta, placed[k]!.stopPrice, start, prices),
            );
          });
          expect(stateHash(copy!.state)).toBe(stateHash(ex.state));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('property: many trailing stops, placed, moved, triggered and cancelled at random', () => {
  it('each triggers when its own FAQ model says, its best price is what its last update and later trades say, and validate holds throughout', () => {
    type Step =
      | { op: 'place'; kind: Kind; delta: number; stopOffset: number | undefined }
      | { op: 'trade'; move: number }
      | { op: 'cancel'; pick: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record({
          op: fc.constant('place' as const),
          kind: fc.constantFrom(...KINDS),
          // A few deltas, so that stops share levels.
          delta: fc.constantFrom(10, 50, 100, 300),
          stopOffset: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
        }),
      },
      {
        weight: 5,
        arbitrary: fc.record({ op: fc.constant('trade' as const), move: fc.integer({ min: -40, max: 40 }) }),
      },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const), pick: fc.nat() }) },
    );
    interface Model {
      id: number;
      kind: Kind;
      delta: number;
      stopPrice: number | undefined;
      best: number | undefined; // undefined: waiting for its stop price
    }
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), fc.nat(), (steps, cut) => {
        const ex = exchange();
        for (let account = 10; account < 16; account++) ex.fund(account, 'BTC', 100);
        let price = 10_000;
        tradeAt(ex, price);
        const open: Model[] = [];
        /** Each stop's last order update and every trade, as the database would have them. */
        const lastUpdate = new Map<number, OrderUpdate>();
        const trades: { tradeId: number; price: number }[] = [];
        const record = (applied: Applied): void => {
          for (const e of applied.events) {
            if (e.type === 'order') lastUpdate.set(e.orderId, e);
            if (e.type === 'trade') trades.push({ tradeId: e.tradeId, price: e.price });
          }
        };
        let account = 10;
        for (const [i, st] of steps.entries()) {
          if (i === cut % steps.length) {
            const copy = restore(snapshot(ex.state));
            expect(stateHash(copy)).toBe(stateHash(ex.state));
            expect(validate(copy)).toEqual([]);
          }
          if (st.op === 'place') {
            const [side, type] = st.kind;
            const rises = (side === 'BUY') === (type === 'STOP_LOSS');
            let stopPrice =
              st.stopOffset === undefined ? undefined : price + (rises ? 1 : -1) * st.stopOffset;
            if (stopPrice !== undefined && stopPrice < 1) stopPrice = undefined;
            const limit = side === 'BUY' && stopPrice === undefined;
            const placed = ex.place(
              account,
              side,
              limit ? (`${type}_LIMIT` as OrderType) : type,
              1,
              limit ? 1 : undefined,
              limit ? 'GTC' : undefined,
              {
                trailingDelta: st.delta,
                ...(stopPrice === undefined ? {} : { stopPrice: stopPrice as Ticks }),
              },
            );
            account = account === 15 ? 10 : account + 1;
            if (placed.result.code !== 'OK') continue; // MAX_NUM_ALGO_ORDERS
            record(placed);
            open.push({
              id: idOf(placed),
              kind: st.kind,
              delta: st.delta,
              stopPrice,
              best: stopPrice === undefined ? price : undefined,
            });
          } else if (st.op === 'cancel') {
            if (open.length === 0) continue;
            const m = open.splice(st.pick % open.length, 1)[0]!;
            const owner = ex.order(m.id)!.accountId;
            const cancelled = ex.cancel(owner, m.id);
            expect(cancelled.result.code).toBe('OK');
            record(cancelled);
          } else {
            price = Math.max(1, price + st.move);
            record(tradeAt(ex, price));
            // The model: each stop on its own, as the FAQ says.
            for (let k = open.length - 1; k >= 0; k--) {
              const m = open[k]!;
              const [side, type] = m.kind;
              if (m.best === undefined) {
                const rises = (side === 'BUY') === (type === 'STOP_LOSS');
                if (rises ? price >= m.stopPrice! : price <= m.stopPrice!) m.best = price;
                continue;
              }
              const fired =
                side === 'BUY'
                  ? price * 10_000 >= m.best * (10_000 + m.delta)
                  : price * 10_000 <= m.best * (10_000 - m.delta);
              if (fired) open.splice(k, 1);
              else m.best = side === 'BUY' ? Math.min(m.best, price) : Math.max(m.best, price);
            }
          }
          expect(validate(ex.state)).toEqual([]);
          const pending = new Set<number>();
          for (const m of open) {
            const slot = ex.state.orders.get(m.id);
            if (slot !== undefined && ex.state.store.pending(slot) === 1) pending.add(m.id);
            const order = ex.order(m.id)!;
            expect(order.trailingPrice ?? undefined).toBe(m.best);
            if (m.best !== undefined) {
              // The contract the database keeps to: the last update's best, and the trades from trailingFromTradeId.
              const update = lastUpdate.get(m.id)!;
              const since = trades
                .filter((t) => t.tradeId >= update.trailingFromTradeId!)
                .map((t) => t.price);
              const pick = m.kind[0] === 'BUY' ? Math.min : Math.max;
              expect(pick(...[update.trailingPrice ?? (m.kind[0] === 'BUY' ? Infinity : 0), ...since])).toBe(
                m.best,
              );
            }
          }
          expect([...pending].sort((a, b) => a - b)).toEqual(open.map((m) => m.id).sort((a, b) => a - b));
        }
      }),
      { numRuns: 200 },
    );
  });
});
