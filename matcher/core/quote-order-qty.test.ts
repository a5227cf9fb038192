// MARKET orders by quoteOrderQty: a BUY spends up to that much quote, a SELL sells until that much quote is
// earned (gross, before fees), in whole lots, as on Binance Spot. The market trades whole BTC for whole USDT
// (a tick is 1 USDT, a lot 1 BTC).

import { describe, expect, it } from 'vitest';
import { validate } from './audit.ts';
import type { PlaceOrder, Side } from './commands.ts';
import type { Applied } from './engine.ts';
import type { OrderUpdate, Trade } from './events.ts';
import type { Fraction, Units } from './money.ts';
import { Exchange, WHOLE } from './test-kit.ts';

/** Whole units of an asset in units of 1e-8. */
const u = (whole: number | bigint): bigint => BigInt(whole) * WHOLE;
const tradesIn = ({ events }: Applied): Trade[] => events.filter((e): e is Trade => e.type === 'trade');
/** Each trade as [price, qty]. */
const fills = (applied: Applied): [number, number][] => tradesIn(applied).map((t) => [t.price, t.qty]);
const updateOf = ({ events }: Applied, orderId: number): OrderUpdate | undefined =>
  events.find((e): e is OrderUpdate => e.type === 'order' && e.orderId === orderId);

/** A MARKET order by quoteOrderQty (in quote units); `extra` may add or override any field. */
function byQuote(
  ex: Exchange,
  accountId: number,
  side: Side,
  quoteOrderQty: unknown,
  extra: Record<string, unknown> = {},
): Applied {
  return ex.run({
    type: 'placeOrder',
    accountId,
    symbol: 'BTCUSDT',
    side,
    orderType: 'MARKET',
    quoteOrderQty,
    timestamp: ++ex.time,
    ...extra,
  } as PlaceOrder);
}

describe.each(['fast', 'reference'] as const)('MARKET by quoteOrderQty (%s book)', (kind) => {
  /**
   * Account 1 (the taker) holds 10,000 USDT and 10 BTC; account 2 (the maker) 10,000 USDT and 100 BTC. With
   * `asks`, account 2 offers 2 BTC at 100, 3 at 101 and 5 at 102 (1,013 USDT in all); with `bids` it bids
   * 2 at 102, 3 at 101 and 5 at 100.
   */
  function exchange(book: 'asks' | 'bids' | 'empty', overrides = {}): Exchange {
    const ex = new Exchange(kind).market(overrides);
    ex.fund(1, 'USDT', 10_000).fund(1, 'BTC', 10);
    ex.fund(2, 'USDT', 10_000).fund(2, 'BTC', 100);
    if (book === 'asks') {
      ex.limit(2, 'SELL', 2, 100);
      ex.limit(2, 'SELL', 3, 101);
      ex.limit(2, 'SELL', 5, 102);
    } else if (book === 'bids') {
      ex.limit(2, 'BUY', 2, 102);
      ex.limit(2, 'BUY', 3, 101);
      ex.limit(2, 'BUY', 5, 100);
    }
    return ex;
  }

  it('takes no more lots than the market allows a market order (MARKET_LOT_SIZE maxQty): FILLED at that', () => {
    const ex = exchange('asks', { marketMaxQty: 4 });
    const applied = byQuote(ex, 1, 'BUY', u(1000));
    expect(fills(applied)).toEqual([
      [100, 2],
      [101, 2],
    ]);
    expect(applied.result.order).toMatchObject({
      status: 'FILLED',
      origQty: 4,
      executedQty: 4,
      cumQuote: u(402),
    });
    expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 402), locked: 0n });
    const sell = byQuote(exchange('bids', { marketMaxQty: 3 }), 1, 'SELL', u(1000));
    expect(sell.result.order).toMatchObject({ status: 'FILLED', executedQty: 3 });
    expect(validate(ex.state)).toEqual([]);
  });

  describe('BUY', () => {
    it('spends up to quoteOrderQty in whole lots across levels; the rest stays free; fees in base', () => {
      const ex = exchange('asks', { takerFee: 100_000 as Fraction }); // 0.1 % for the taker
      const applied = byQuote(ex, 1, 'BUY', u(610));

      // 2 at 100 (200) + 3 at 101 (303) + 1 at 102 (102) = 605; the 5 left cannot buy another lot at 102.
      expect(applied.result.code).toBe('OK');
      expect(fills(applied)).toEqual([
        [100, 2],
        [101, 3],
        [102, 1],
      ]);
      const order = applied.result.order!;
      expect(order).toMatchObject({
        orderType: 'MARKET',
        status: 'FILLED',
        origQty: 6,
        executedQty: 6,
        cumQuote: u(605),
        origQuoteOrderQty: u(610),
      });
      expect(order.cumQuote).toBeLessThanOrEqual(u(610));
      expect(updateOf(applied, order.orderId)).toEqual(order);
      // 0.1 % of each fill's base: 0.002 + 0.003 + 0.001 BTC.
      expect(tradesIn(applied).map((t) => t.buyerFee)).toEqual([200_000n, 300_000n, 100_000n]);
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(16) - 600_000n, locked: 0n });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 605), locked: 0n });
      expect(ex.state.assets.get('BTC')?.feesCollected).toBe(600_000n);
      expect(ex.bookOrders('SELL').map((o) => [o.price, o.origQty - o.executedQty])).toEqual([[102, 4]]);
      expect(validate(ex.state)).toEqual([]);
    });

    it('is FILLED when the quote is spent exactly, even as the book runs out', () => {
      const ex = exchange('asks');
      const applied = byQuote(ex, 1, 'BUY', u(1013));
      expect(applied.result.order).toMatchObject({
        status: 'FILLED',
        origQty: 10,
        executedQty: 10,
        cumQuote: u(1013),
      });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 1013), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('is EXPIRED when the book runs out before the quote is spent, having bought everything', () => {
      const ex = exchange('asks');
      const applied = byQuote(ex, 1, 'BUY', u(2000));
      expect(fills(applied)).toEqual([
        [100, 2],
        [101, 3],
        [102, 5],
      ]);
      expect(applied.result.order).toMatchObject({
        status: 'EXPIRED',
        origQty: 10,
        executedQty: 10,
        cumQuote: u(1013),
        origQuoteOrderQty: u(2000),
      });
      expect(ex.bookOrders('SELL')).toEqual([]);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 1013), locked: 0n });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(20), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('on an empty book is accepted and EXPIRED; nothing changes but the order id', () => {
      const ex = exchange('empty');
      const nextOrderId = ex.state.nextOrderId;
      const applied = byQuote(ex, 1, 'BUY', u(500));
      expect(applied.result.code).toBe('OK');
      expect(applied.result.order).toMatchObject({
        orderId: nextOrderId,
        status: 'EXPIRED',
        origQty: 0,
        executedQty: 0,
        cumQuote: 0n,
        origQuoteOrderQty: u(500),
      });
      expect(applied.events.map((e) => e.type)).toEqual(['order']);
      expect(ex.state.nextOrderId).toBe(nextOrderId + 1);
      expect(ex.state.orders.size).toBe(0);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000), locked: 0n });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(10), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('needs the whole quoteOrderQty free', () => {
      const ex = exchange('asks');
      const nextOrderId = ex.state.nextOrderId;
      const { result, events } = byQuote(ex, 1, 'BUY', u(10_001));
      expect(result.code).toBe('INSUFFICIENT_BALANCE');
      expect(events).toEqual([]);
      expect(ex.state.nextOrderId).toBe(nextOrderId);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('SELL', () => {
    it('sells whole lots until quoteOrderQty is earned, before fees; fees in quote', () => {
      const ex = exchange('bids', { takerFee: 100_000 as Fraction }); // 0.1 % for the taker
      const applied = byQuote(ex, 1, 'SELL', u(550));

      // 2 at 102 (204) + 3 at 101 (303) = 507; one more lot at 100 would earn 607, more than 550.
      expect(fills(applied)).toEqual([
        [102, 2],
        [101, 3],
      ]);
      const order = applied.result.order!;
      expect(order).toMatchObject({
        status: 'FILLED',
        origQty: 5,
        executedQty: 5,
        cumQuote: u(507),
        origQuoteOrderQty: u(550),
      });
      // 0.1 % of each fill's quote: 0.204 + 0.303 USDT.
      expect(tradesIn(applied).map((t) => t.sellerFee)).toEqual([20_400_000n, 30_300_000n]);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_507) - 50_700_000n, locked: 0n });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(5), locked: 0n });
      expect(ex.bookOrders('BUY').map((o) => [o.price, o.origQty - o.executedQty])).toEqual([[100, 5]]);
      expect(validate(ex.state)).toEqual([]);
    });

    it('is FILLED when the quote is earned exactly', () => {
      const ex = exchange('bids');
      const applied = byQuote(ex, 1, 'SELL', u(507));
      expect(applied.result.order).toMatchObject({ status: 'FILLED', executedQty: 5, cumQuote: u(507) });
      expect(validate(ex.state)).toEqual([]);
    });

    it('is EXPIRED when the book runs out before the quote is earned, having sold into every bid', () => {
      const ex = exchange('bids');
      const applied = byQuote(ex, 1, 'SELL', u(2000));
      // 204 + 303 + 500 = 1,007 for 10 BTC: everything account 1 has, and every bid.
      expect(fills(applied)).toEqual([
        [102, 2],
        [101, 3],
        [100, 5],
      ]);
      expect(applied.result.order).toMatchObject({
        status: 'EXPIRED',
        origQty: 10,
        executedQty: 10,
        cumQuote: u(1007),
        origQuoteOrderQty: u(2000),
      });
      expect(ex.bookOrders('BUY')).toEqual([]);
      expect(ex.balance(1, 'BTC')).toEqual({ free: 0n, locked: 0n });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(11_007), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('on an empty book is accepted and EXPIRED; nothing changes but the order id', () => {
      const ex = exchange('empty');
      const nextOrderId = ex.state.nextOrderId;
      const applied = byQuote(ex, 1, 'SELL', u(500));
      expect(applied.result.code).toBe('OK');
      expect(applied.result.order).toMatchObject({
        orderId: nextOrderId,
        status: 'EXPIRED',
        executedQty: 0,
        cumQuote: 0n,
        origQuoteOrderQty: u(500),
      });
      expect(applied.events.map((e) => e.type)).toEqual(['order']);
      expect(ex.state.nextOrderId).toBe(nextOrderId + 1);
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(10), locked: 0n });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('needs the base it would sell free: otherwise INSUFFICIENT_BALANCE and nothing changes', () => {
      const ex = exchange('bids');
      ex.limit(1, 'SELL', 8, 200); // locks 8 of account 1's 10 BTC
      const nextOrderId = ex.state.nextOrderId;
      const bids = ex.bookOrders('BUY');

      // 550 USDT takes 5 lots; only 2 BTC are free.
      const { result, events } = byQuote(ex, 1, 'SELL', u(550));
      expect(result.code).toBe('INSUFFICIENT_BALANCE');
      expect(events).toEqual([]);
      expect(ex.state.nextOrderId).toBe(nextOrderId);
      expect(ex.bookOrders('BUY')).toEqual(bids);
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(2), locked: u(8) });

      // 204 USDT takes the 2 lots at 102: that much is free.
      const fits = byQuote(ex, 1, 'SELL', u(204));
      expect(fits.result.order).toMatchObject({ status: 'FILLED', executedQty: 2 });
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('with EXPIRE_TAKER self-trade prevention', () => {
    /** Account 2 rests 1 lot at `prices[0]`, account 1 one at `prices[1]`, account 2 five at `prices[2]`. */
    function withOwnOrder(side: Side, prices: [number, number, number]): Exchange {
      const ex = exchange('empty');
      ex.limit(2, side, 1, prices[0]);
      ex.limit(1, side, 1, prices[1]);
      ex.limit(2, side, 5, prices[2]);
      return ex;
    }

    it('a BUY stops at its own ask: EXPIRED_IN_MATCH, no more lots prevented than its quote could buy', () => {
      const ex = withOwnOrder('SELL', [100, 101, 102]);
      const applied = byQuote(ex, 1, 'BUY', u(500), { selfTradePreventionMode: 'EXPIRE_TAKER' });
      expect(fills(applied)).toEqual([[100, 1]]);
      expect(applied.events.filter((e) => e.type === 'preventedMatch')).toMatchObject([{ price: 101 }]);
      const order = applied.result.order!;
      expect(order).toMatchObject({ status: 'EXPIRED_IN_MATCH', origQty: 1, executedQty: 1 });
      // The 400 USDT left would have bought at most 3 lots at 101.
      expect(order.preventedQty).toBeLessThanOrEqual(3);
      expect(ex.bookOrders('SELL').map((o) => o.accountId)).toEqual([1, 2]);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 100), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a SELL stops at its own bid: EXPIRED_IN_MATCH with a prevented match, not FILLED', () => {
      const ex = withOwnOrder('BUY', [102, 101, 100]);
      const applied = byQuote(ex, 1, 'SELL', u(500), { selfTradePreventionMode: 'EXPIRE_TAKER' });
      // It earned 102 of the 500 it asked for, then met its own bid at 101.
      expect(fills(applied)).toEqual([[102, 1]]);
      expect(applied.events.filter((e) => e.type === 'preventedMatch')).toMatchObject([
        { price: 101, mode: 'EXPIRE_TAKER' },
      ]);
      expect(applied.result.order).toMatchObject({
        status: 'EXPIRED_IN_MATCH',
        executedQty: 1,
        cumQuote: u(102),
      });
      expect(ex.bookOrders('BUY').map((o) => o.accountId)).toEqual([1, 2]);
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(9), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('parameters', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      [
        'quantity and quoteOrderQty together',
        { quantity: 1, quoteOrderQty: u(100) },
        'PARAMETER_NOT_ALLOWED',
      ],
      ['neither quantity nor quoteOrderQty', { quoteOrderQty: undefined }, 'PARAMETER_REQUIRED'],
      [
        'quoteOrderQty on a LIMIT order',
        { orderType: 'LIMIT', timeInForce: 'GTC', price: 100, quoteOrderQty: u(100) },
        'PARAMETER_NOT_ALLOWED',
      ],
      [
        'quoteOrderQty with quantity on a LIMIT order',
        { orderType: 'LIMIT', timeInForce: 'GTC', price: 100, quantity: 1, quoteOrderQty: u(100) },
        'PARAMETER_NOT_ALLOWED',
      ],
      ['a zero quoteOrderQty', { quoteOrderQty: 0n }, 'INVALID_AMOUNT'],
      ['a negative quoteOrderQty', { quoteOrderQty: -u(100) }, 'INVALID_AMOUNT'],
      ['a number quoteOrderQty', { quoteOrderQty: 10_000_000_000 }, 'INVALID_AMOUNT'],
      ['a string quoteOrderQty', { quoteOrderQty: '100' }, 'INVALID_AMOUNT'],
    ];

    it.each(cases)('%s is rejected with no events', (_, fields, code) => {
      const ex = exchange('asks');
      const nextOrderId = ex.state.nextOrderId;
      for (const side of ['BUY', 'SELL'] as const) {
        const { result, events } = byQuote(ex, 1, side, undefined, fields);
        expect(result.code).toBe(code);
        expect(events).toEqual([]);
      }
      expect(ex.state.nextOrderId).toBe(nextOrderId);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a quoteOrderQty below minNotional fails NOTIONAL (applyMinToMarket); at it, it trades', () => {
      const ex = exchange('asks', { minNotional: u(150) as Units, applyMinToMarket: true });
      const nextOrderId = ex.state.nextOrderId;
      for (const side of ['BUY', 'SELL'] as const) {
        const { result, events } = byQuote(ex, 1, side, u(150) - 1n);
        expect(result.code).toBe('NOTIONAL');
        expect(events).toEqual([]);
      }
      expect(ex.state.nextOrderId).toBe(nextOrderId);
      const atMin = byQuote(ex, 1, 'BUY', u(150));
      expect(atMin.result.order).toMatchObject({ status: 'FILLED', executedQty: 1, cumQuote: u(100) });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a quoteOrderQty below minNotional is accepted when the minimum does not apply to MARKET', () => {
      const ex = exchange('asks', { minNotional: u(150) as Units, applyMinToMarket: false });
      const applied = byQuote(ex, 1, 'BUY', u(100));
      expect(applied.result.order).toMatchObject({ status: 'FILLED', executedQty: 1, cumQuote: u(100) });
      expect(validate(ex.state)).toEqual([]);
    });
  });
});
