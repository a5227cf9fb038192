// Self-trade prevention: what happens when a taker would trade with a resting order of its own account. The
// taker's mode decides (NONE, EXPIRE_MAKER, EXPIRE_TAKER, EXPIRE_BOTH), as on Binance Spot. The market trades
// whole BTC for whole USDT (a tick is 1 USDT, a lot 1 BTC) without fees unless a test says otherwise.

import { describe, expect, it } from 'vitest';
import { validate } from './audit.ts';
import type { SelfTradePreventionMode } from './commands.ts';
import type { Applied } from './engine.ts';
import type { OrderUpdate, PreventedMatch, Trade } from './events.ts';
import type { Fraction } from './money.ts';
import { Exchange, marketSpec, WHOLE } from './test-kit.ts';

/** Whole units of an asset in units of 1e-8. */
const u = (whole: number | bigint): bigint => BigInt(whole) * WHOLE;
const tradesIn = ({ events }: Applied): Trade[] => events.filter((e): e is Trade => e.type === 'trade');
const preventedIn = ({ events }: Applied): PreventedMatch[] =>
  events.filter((e): e is PreventedMatch => e.type === 'preventedMatch');
const updateOf = ({ events }: Applied, orderId: number): OrderUpdate | undefined =>
  events.find((e): e is OrderUpdate => e.type === 'order' && e.orderId === orderId);
/** Each trade as [price, qty, maker order id]. */
const fills = (applied: Applied): [number, number, number][] =>
  tradesIn(applied).map((t) => [t.price, t.qty, t.isBuyerMaker ? t.buyerOrderId : t.sellerOrderId]);
const stp = (mode: SelfTradePreventionMode) => ({ selfTradePreventionMode: mode });

describe.each(['fast', 'reference'] as const)('self-trade prevention (%s book)', (kind) => {
  /** Accounts 1 and 2 each hold 10,000 USDT and 100 BTC. */
  function exchange(overrides = {}): Exchange {
    const ex = new Exchange(kind).market(overrides);
    for (const id of [1, 2]) ex.fund(id, 'USDT', 10_000).fund(id, 'BTC', 100);
    return ex;
  }

  describe('NONE', () => {
    it('lets the account trade with itself: one trade, balances conserved, fees charged', () => {
      // 0.1 % for the maker, 0.2 % for the taker.
      const ex = exchange({ makerFee: 100_000 as Fraction, takerFee: 200_000 as Fraction });
      const maker = ex.limit(1, 'SELL', 2, 100).result.order!;
      const taker = ex.limit(1, 'BUY', 2, 100, 'GTC', stp('NONE'));

      expect(preventedIn(taker)).toEqual([]);
      expect(tradesIn(taker)).toMatchObject([
        {
          price: 100,
          qty: 2,
          buyerAccountId: 1,
          sellerAccountId: 1,
          sellerOrderId: maker.orderId,
          buyerOrderId: taker.result.order!.orderId,
          isBuyerMaker: false,
          buyerFee: 400_000n, // 2 BTC × 0.2 %
          sellerFee: 20_000_000n, // 200 USDT × 0.1 %
        },
      ]);
      expect(taker.result.order).toMatchObject({ status: 'FILLED', executedQty: 2, preventedQty: 0 });
      expect(updateOf(taker, maker.orderId)).toMatchObject({ status: 'FILLED', executedQty: 2 });
      // The account paid itself: only the fees left it.
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(100) - 400_000n, locked: 0n });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000) - 20_000_000n, locked: 0n });
      expect(ex.state.assets.get('BTC')?.feesCollected).toBe(400_000n);
      expect(ex.state.assets.get('USDT')?.feesCollected).toBe(20_000_000n);
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('EXPIRE_MAKER', () => {
    it('expires the own resting order, releases its funds and trades with the order behind it', () => {
      const ex = exchange();
      const own = ex.limit(1, 'SELL', 2, 100).result.order!; // locks 2 BTC
      const other = ex.limit(2, 'SELL', 3, 100).result.order!;
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(98), locked: u(2) });

      const taker = ex.limit(1, 'BUY', 3, 100, 'GTC', stp('EXPIRE_MAKER'));
      const takerId = taker.result.order!.orderId;

      expect(preventedIn(taker)).toEqual([
        {
          type: 'preventedMatch',
          symbol: 'BTCUSDT',
          preventedMatchId: 1,
          takerOrderId: takerId,
          makerOrderId: own.orderId,
          accountId: 1,
          price: 100,
          qty: 2,
          mode: 'EXPIRE_MAKER',
          time: ex.time,
        },
      ]);
      expect(updateOf(taker, own.orderId)).toMatchObject({
        status: 'EXPIRED_IN_MATCH',
        executedQty: 0,
        preventedQty: 2,
      });
      expect(ex.order(own.orderId)).toBeUndefined();
      expect(fills(taker)).toEqual([[100, 3, other.orderId]]);
      expect(taker.result.order).toMatchObject({ status: 'FILLED', executedQty: 3, preventedQty: 0 });
      expect(ex.bookOrders('SELL')).toEqual([]);
      // The 2 BTC the own order held are free again; 3 BTC bought for 300 USDT.
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(103), locked: 0n });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(9_700), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('is the mode of an order that names none on a market with the defaults', () => {
      const ex = exchange();
      const own = ex.limit(1, 'BUY', 1, 100).result.order!;
      ex.limit(2, 'BUY', 1, 100);
      expect(ex.state.markets.get('BTCUSDT')!.definition.defaultSelfTradePreventionMode).toBe('EXPIRE_MAKER');

      const taker = ex.limit(1, 'SELL', 1, 100); // no mode named
      expect(taker.result.order!.selfTradePreventionMode).toBe('EXPIRE_MAKER');
      expect(preventedIn(taker)).toMatchObject([{ makerOrderId: own.orderId, mode: 'EXPIRE_MAKER', qty: 1 }]);
      expect(updateOf(taker, own.orderId)).toMatchObject({ status: 'EXPIRED_IN_MATCH', preventedQty: 1 });
      expect(tradesIn(taker)).toMatchObject([{ buyerAccountId: 2, sellerAccountId: 1, qty: 1 }]);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_100), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });
  });

  it("a market's own default mode applies to an order that names none", () => {
    const ex = exchange({ defaultSelfTradePreventionMode: 'EXPIRE_TAKER' });
    const own = ex.limit(1, 'SELL', 1, 100).result.order!;
    const taker = ex.limit(1, 'BUY', 1, 100);
    expect(taker.result.order).toMatchObject({
      selfTradePreventionMode: 'EXPIRE_TAKER',
      status: 'EXPIRED_IN_MATCH',
      preventedQty: 1,
    });
    expect(ex.order(own.orderId)?.status).toBe('NEW');
    expect(validate(ex.state)).toEqual([]);
  });

  describe('EXPIRE_TAKER', () => {
    it('stops the taker at its own order, keeps earlier fills and leaves the maker untouched', () => {
      const ex = exchange();
      const first = ex.limit(2, 'SELL', 1, 100).result.order!;
      const own = ex.limit(1, 'SELL', 2, 101).result.order!;
      const behind = ex.limit(2, 'SELL', 2, 102).result.order!;

      const taker = ex.limit(1, 'BUY', 4, 102, 'GTC', stp('EXPIRE_TAKER'));
      const takerId = taker.result.order!.orderId;

      expect(fills(taker)).toEqual([[100, 1, first.orderId]]);
      expect(preventedIn(taker)).toMatchObject([
        { takerOrderId: takerId, makerOrderId: own.orderId, price: 101, qty: 2, mode: 'EXPIRE_TAKER' },
      ]);
      expect(taker.result.order).toMatchObject({
        status: 'EXPIRED_IN_MATCH',
        origQty: 4,
        executedQty: 1,
        cumQuote: u(100),
        preventedQty: 3, // what was left after the fill at 100
      });
      // The maker got no update and still rests as it was, ahead of the order behind it.
      expect(updateOf(taker, own.orderId)).toBeUndefined();
      expect(ex.bookOrders('SELL').map((o) => [o.orderId, o.status, o.executedQty])).toEqual([
        [own.orderId, 'NEW', 0],
        [behind.orderId, 'NEW', 0],
      ]);
      // A GTC taker does not rest what self-trade prevention expired.
      expect(ex.order(takerId)).toBeUndefined();
      expect(ex.bookOrders('BUY')).toEqual([]);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(9_900), locked: 0n });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(99), locked: u(2) });
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('EXPIRE_BOTH', () => {
    it('expires both the own resting order and the taker, with no trade', () => {
      const ex = exchange();
      const own = ex.limit(1, 'SELL', 2, 100).result.order!;
      const other = ex.limit(2, 'SELL', 2, 100).result.order!;

      const taker = ex.limit(1, 'BUY', 3, 100, 'GTC', stp('EXPIRE_BOTH'));
      const takerId = taker.result.order!.orderId;

      expect(tradesIn(taker)).toEqual([]);
      expect(preventedIn(taker)).toMatchObject([
        { takerOrderId: takerId, makerOrderId: own.orderId, price: 100, qty: 2, mode: 'EXPIRE_BOTH' },
      ]);
      expect(updateOf(taker, own.orderId)).toMatchObject({ status: 'EXPIRED_IN_MATCH', preventedQty: 2 });
      expect(taker.result.order).toMatchObject({
        status: 'EXPIRED_IN_MATCH',
        executedQty: 0,
        preventedQty: 3,
      });
      expect(ex.order(own.orderId)).toBeUndefined();
      expect(ex.order(takerId)).toBeUndefined();
      expect(ex.bookOrders('SELL').map((o) => o.orderId)).toEqual([other.orderId]);
      expect(ex.bookOrders('BUY')).toEqual([]);
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(100), locked: 0n });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('modes an order may name', () => {
    it('a mode outside the market’s allowed list is rejected with no events', () => {
      const ex = exchange({ allowedSelfTradePreventionModes: ['EXPIRE_MAKER', 'EXPIRE_BOTH'] });
      ex.limit(1, 'SELL', 1, 100);
      const nextOrderId = ex.state.nextOrderId;
      for (const mode of ['NONE', 'EXPIRE_TAKER'] as const) {
        const { result, events } = ex.limit(1, 'BUY', 1, 100, 'GTC', stp(mode));
        expect(result.code).toBe('INVALID_SELF_TRADE_PREVENTION_MODE');
        expect(events).toEqual([]);
      }
      expect(ex.limit(1, 'BUY', 1, 99, 'GTC', stp('EXPIRE_BOTH')).result.code).toBe('OK');
      expect(ex.state.nextOrderId).toBe(nextOrderId + 1);
      expect(validate(ex.state)).toEqual([]);
    });

    it('an unknown mode is rejected with no events', () => {
      const ex = exchange();
      ex.limit(1, 'SELL', 1, 100);
      const nextOrderId = ex.state.nextOrderId;
      for (const mode of ['EXPIRE_SOMETIMES', 'expire_maker', '', 3, null]) {
        const { result, events } = ex.limit(1, 'BUY', 1, 100, 'GTC', { selfTradePreventionMode: mode });
        expect(result.code).toBe('INVALID_SELF_TRADE_PREVENTION_MODE');
        expect(events).toEqual([]);
      }
      expect(ex.state.nextOrderId).toBe(nextOrderId);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('createMarket rejects a default mode that is not allowed', () => {
      const ex = new Exchange(kind);
      const { result, events } = ex.run({
        type: 'createMarket',
        ...marketSpec({
          defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
          allowedSelfTradePreventionModes: ['NONE', 'EXPIRE_TAKER'],
        }),
      });
      expect(result.code).toBe('INVALID_MARKET');
      expect(events).toEqual([]);
      expect(ex.state.markets.size).toBe(0);
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('FOK', () => {
    it('with EXPIRE_MAKER, cannot count its own liquidity: EXPIRED, nothing changes', () => {
      const ex = exchange();
      const own = ex.limit(1, 'SELL', 2, 100).result.order!;
      const other = ex.limit(2, 'SELL', 2, 100).result.order!;
      const before = { btc: ex.balance(1, 'BTC'), usdt: ex.balance(1, 'USDT') };

      // 4 lots rest at 100, but only 2 belong to another account.
      const fok = ex.limit(1, 'BUY', 3, 100, 'FOK', stp('EXPIRE_MAKER'));
      expect(fok.result.order).toMatchObject({ status: 'EXPIRED', executedQty: 0, preventedQty: 0 });
      expect(tradesIn(fok)).toEqual([]);
      expect(preventedIn(fok)).toEqual([]);
      expect(updateOf(fok, own.orderId)).toBeUndefined();
      expect(ex.bookOrders('SELL').map((o) => [o.orderId, o.status])).toEqual([
        [own.orderId, 'NEW'],
        [other.orderId, 'NEW'],
      ]);
      expect({ btc: ex.balance(1, 'BTC'), usdt: ex.balance(1, 'USDT') }).toEqual(before);
      expect(validate(ex.state)).toEqual([]);
    });

    it('with EXPIRE_MAKER, fills from other accounts and expires its own order on the way', () => {
      const ex = exchange();
      const own = ex.limit(1, 'SELL', 2, 100).result.order!;
      const other = ex.limit(2, 'SELL', 2, 100).result.order!;

      const fok = ex.limit(1, 'BUY', 2, 100, 'FOK', stp('EXPIRE_MAKER'));
      expect(fok.result.order).toMatchObject({ status: 'FILLED', executedQty: 2 });
      expect(fills(fok)).toEqual([[100, 2, other.orderId]]);
      expect(updateOf(fok, own.orderId)).toMatchObject({ status: 'EXPIRED_IN_MATCH', preventedQty: 2 });
      expect(ex.bookOrders('SELL')).toEqual([]);
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(102), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('with EXPIRE_TAKER, counts only the liquidity ahead of its first own order', () => {
      const ex = exchange();
      const ahead = ex.limit(2, 'SELL', 1, 100).result.order!;
      const own = ex.limit(1, 'SELL', 1, 100).result.order!;
      const behind = ex.limit(2, 'SELL', 5, 100).result.order!;

      // 6 lots of others' liquidity rest at 100, but only 1 is ahead of the own order.
      const tooBig = ex.limit(1, 'BUY', 2, 100, 'FOK', stp('EXPIRE_TAKER'));
      expect(tooBig.result.order).toMatchObject({ status: 'EXPIRED', executedQty: 0, preventedQty: 0 });
      expect(tradesIn(tooBig)).toEqual([]);
      expect(preventedIn(tooBig)).toEqual([]);
      expect(ex.bookOrders('SELL').map((o) => [o.orderId, o.executedQty])).toEqual([
        [ahead.orderId, 0],
        [own.orderId, 0],
        [behind.orderId, 0],
      ]);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000), locked: 0n });

      const fits = ex.limit(1, 'BUY', 1, 100, 'FOK', stp('EXPIRE_TAKER'));
      expect(fits.result.order).toMatchObject({ status: 'FILLED', executedQty: 1 });
      expect(fills(fits)).toEqual([[100, 1, ahead.orderId]]);
      expect(preventedIn(fits)).toEqual([]);
      expect(ex.bookOrders('SELL').map((o) => o.orderId)).toEqual([own.orderId, behind.orderId]);
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('in the middle of a sweep', () => {
    it('EXPIRE_MAKER: fills at better prices first, then the prevention, then the rest of the sweep', () => {
      const ex = exchange();
      const first = ex.limit(2, 'SELL', 1, 100).result.order!;
      const own = ex.limit(1, 'SELL', 1, 101).result.order!;
      const last = ex.limit(2, 'SELL', 1, 102).result.order!;

      const taker = ex.limit(1, 'BUY', 3, 102, 'GTC', stp('EXPIRE_MAKER'));
      const sequence = taker.events
        .filter((e) => e.type === 'trade' || e.type === 'preventedMatch')
        .map((e) => (e.type === 'trade' ? `trade ${e.price}` : `prevented ${e.price}`));
      expect(sequence).toEqual(['trade 100', 'prevented 101', 'trade 102']);
      expect(fills(taker)).toEqual([
        [100, 1, first.orderId],
        [102, 1, last.orderId],
      ]);
      expect(preventedIn(taker)).toMatchObject([{ makerOrderId: own.orderId, qty: 1 }]);
      // Two of three lots filled; the third rests at the taker's price.
      expect(taker.result.order).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: 2 });
      expect(ex.bookOrders('BUY').map((o) => o.orderId)).toEqual([taker.result.order!.orderId]);
      expect(ex.bookOrders('SELL')).toEqual([]);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 100 - 102 - 102), locked: u(102) });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(102), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('EXPIRE_TAKER: fills at better prices first, then the prevention ends the sweep', () => {
      const ex = exchange();
      ex.limit(2, 'SELL', 1, 100);
      ex.limit(2, 'SELL', 1, 101);
      const own = ex.limit(1, 'SELL', 1, 102).result.order!;
      ex.limit(2, 'SELL', 1, 102);

      const taker = ex.marketOrder(1, 'BUY', 4, stp('EXPIRE_TAKER'));
      const sequence = taker.events
        .filter((e) => e.type === 'trade' || e.type === 'preventedMatch')
        .map((e) => (e.type === 'trade' ? `trade ${e.price}` : `prevented ${e.price}`));
      expect(sequence).toEqual(['trade 100', 'trade 101', 'prevented 102']);
      expect(preventedIn(taker)).toMatchObject([{ makerOrderId: own.orderId, qty: 1 }]);
      expect(taker.result.order).toMatchObject({
        status: 'EXPIRED_IN_MATCH',
        executedQty: 2,
        cumQuote: u(201),
        preventedQty: 2,
      });
      expect(ex.bookOrders('SELL').map((o) => o.price)).toEqual([102, 102]);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 201), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });
  });
});
