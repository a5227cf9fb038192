// One test per rule of the stop orders (STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT, TAKE_PROFIT_LIMIT), as on
// Binance Spot: they wait off the book with their funds locked until the last trade price reaches their stop,
// then enter as the MARKET or LIMIT order they stand for. The market trades whole BTC for whole USDT (a tick is
// 1 USDT, a lot 1 BTC) without fees unless a test says otherwise, so balances read in whole units.
//
// The cast: account 1 owns the stops; account 2 provides liquidity; account 3 (maker) and account 4 (taker)
// move the last price by trading one lot with each other.

import { describe, expect, it } from 'vitest';
import { stateHash, validate } from './audit.ts';
import type { Command, MarketSpec, PlaceOrder, Side, TimeInForce } from './commands.ts';
import { type Applied, apply } from './engine.ts';
import type { OrderUpdate, PreventedMatch, Trade } from './events.ts';
import type { Fraction, Lots, Ticks, Units } from './money.ts';
import { restore, snapshot } from './snapshot.ts';
import { Exchange, WHOLE } from './test-kit.ts';

type StopType = 'STOP_LOSS' | 'STOP_LOSS_LIMIT' | 'TAKE_PROFIT' | 'TAKE_PROFIT_LIMIT';
type Way = 'rises' | 'falls';

/** Whole units of an asset in units of 1e-8. */
const u = (whole: number | bigint): bigint => BigInt(whole) * WHOLE;
const tradesIn = ({ events }: Applied): Trade[] => events.filter((e): e is Trade => e.type === 'trade');
const orderUpdatesIn = ({ events }: Applied): OrderUpdate[] =>
  events.filter((e): e is OrderUpdate => e.type === 'order');
const preventedIn = ({ events }: Applied): PreventedMatch[] =>
  events.filter((e): e is PreventedMatch => e.type === 'preventedMatch');
/** The last update of an order in a command's events. */
const updateOf = (applied: Applied, orderId: number): OrderUpdate | undefined =>
  orderUpdatesIn(applied).findLast((e) => e.orderId === orderId);
/** The trades of one order, each as [price, qty]. */
const fillsOf = (applied: Applied, orderId: number): [number, number][] =>
  tradesIn(applied)
    .filter((t) => t.buyerOrderId === orderId || t.sellerOrderId === orderId)
    .map((t) => [t.price, t.qty]);
/** Whether any event of the command is about the order (its update, or a trade or prevented match of it). */
const mentions = (applied: Applied, orderId: number): boolean =>
  applied.events.some(
    (e) =>
      (e.type === 'order' && e.orderId === orderId) ||
      (e.type === 'trade' && (e.buyerOrderId === orderId || e.sellerOrderId === orderId)) ||
      (e.type === 'preventedMatch' && (e.takerOrderId === orderId || e.makerOrderId === orderId)),
  );
/** The orderId of a placed order. */
const idOf = (applied: Applied): number => applied.result.order!.orderId;
const isLimit = (type: StopType): boolean => type.endsWith('_LIMIT');

/** Every stop type on each side, with the way the last price must move to trigger it (Binance's directions). */
const KINDS: [Side, StopType, Way][] = [
  ['BUY', 'STOP_LOSS', 'rises'],
  ['BUY', 'STOP_LOSS_LIMIT', 'rises'],
  ['SELL', 'TAKE_PROFIT', 'rises'],
  ['SELL', 'TAKE_PROFIT_LIMIT', 'rises'],
  ['SELL', 'STOP_LOSS', 'falls'],
  ['SELL', 'STOP_LOSS_LIMIT', 'falls'],
  ['BUY', 'TAKE_PROFIT', 'falls'],
  ['BUY', 'TAKE_PROFIT_LIMIT', 'falls'],
];

/**
 * Places a stop order. A *_LIMIT type needs `price` and is GTC unless told otherwise; the others take neither.
 */
function placeStop(
  ex: Exchange,
  accountId: number,
  side: Side,
  type: StopType,
  quantity: number,
  stopPrice: number,
  price?: number,
  timeInForce?: TimeInForce,
  extra: Partial<PlaceOrder> = {},
): Applied {
  const tif = timeInForce ?? (isLimit(type) ? 'GTC' : undefined);
  return ex.place(accountId, side, type, quantity, price, tif, { stopPrice: stopPrice as Ticks, ...extra });
}

/**
 * Moves the last price to `price`: account 3 offers one lot there and account 4 takes it (IOC). `behind` more
 * lots from account 2 are offered at the same price, behind account 3's, for a buy stop to fill at the stop.
 * No other ask may be at or below `price`.
 */
function tradeAt(ex: Exchange, price: number, behind = 0): Applied {
  ex.limit(3, 'SELL', 1, price);
  if (behind > 0) ex.limit(2, 'SELL', behind, price);
  const moved = ex.limit(4, 'BUY', 1, price, 'IOC');
  expect(tradesIn(moved)[0]).toMatchObject({ price, qty: 1, sellerAccountId: 3, buyerAccountId: 4 });
  return moved;
}

/** The state as plain data, less the command counter that every command moves. */
const stateOf = (ex: Exchange) => ({ ...snapshot(ex.state), seq: 0 });
const lastPrice = (ex: Exchange): number => ex.state.markets.get('BTCUSDT')!.lastPrice;

describe.each(['fast', 'reference'] as const)('stop orders (%s book)', (kind) => {
  interface Setup {
    market?: Partial<MarketSpec>;
    /** A first trade at 100 between accounts 3 and 4 (default true). */
    firstTrade?: boolean;
    /** Account 2 bids 95 and asks 105, 10 BTC each (default true). */
    liquidity?: boolean;
  }

  /**
   * A BTCUSDT market, by default with a last price of 100 and account 2's liquidity at 95 / 105. Account 1 has
   * 10,000 USDT and 10 BTC; accounts 2, 3 and 4 have 1,000,000 USDT and 1,000 BTC each.
   */
  function exchange({ market = {}, firstTrade = true, liquidity = true }: Setup = {}): Exchange {
    const ex = new Exchange(kind).market(market);
    ex.fund(1, 'USDT', 10_000).fund(1, 'BTC', 10);
    for (const id of [2, 3, 4]) ex.fund(id, 'USDT', 1_000_000).fund(id, 'BTC', 1_000);
    if (firstTrade) tradeAt(ex, 100);
    if (liquidity) {
      ex.limit(2, 'BUY', 10, 95);
      ex.limit(2, 'SELL', 10, 105);
    }
    return ex;
  }

  describe('triggering', () => {
    it.each(KINDS)('a %s %s triggers when the last price %s to its stop', (side, type, way) => {
      const ex = exchange();
      const stopAt = way === 'rises' ? 102 : 98;
      const isBuy = side === 'BUY';
      // A limit buy may pay up to 105, a limit sell take down to 95: both cross the liquidity.
      const placed = placeStop(ex, 1, side, type, 2, stopAt, isLimit(type) ? (isBuy ? 105 : 95) : undefined);
      expect(placed.result.order).toMatchObject({ status: 'NEW', orderType: type, stopPrice: stopAt });
      const id = idOf(placed);

      const moved = tradeAt(ex, stopAt, isBuy ? 2 : 0);

      // A buy fills at the stop (account 2's lots there), a sell at account 2's bid.
      expect(fillsOf(moved, id)).toEqual([[isBuy ? stopAt : 95, 2]]);
      expect(updateOf(moved, id)).toMatchObject({
        orderId: id,
        orderType: type,
        stopPrice: stopAt,
        status: 'FILLED',
        executedQty: 2,
        time: placed.result.order!.time,
        updateTime: ex.time,
      });
      expect(ex.order(id)).toBeUndefined();
      if (isBuy) {
        expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 2 * stopAt), locked: 0n });
        expect(ex.balance(1, 'BTC')).toEqual({ free: u(12), locked: 0n });
      } else {
        expect(ex.balance(1, 'BTC')).toEqual({ free: u(8), locked: 0n });
        expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_190), locked: 0n });
      }
      expect(validate(ex.state)).toEqual([]);
    });

    it.each(KINDS)(
      'a %s %s does not trigger when the price %s to one tick short of its stop',
      (side, type, way) => {
        const ex = exchange();
        const stopAt = way === 'rises' ? 102 : 98;
        const isBuy = side === 'BUY';
        const placed = placeStop(
          ex,
          1,
          side,
          type,
          2,
          stopAt,
          isLimit(type) ? (isBuy ? 105 : 95) : undefined,
        );
        const id = idOf(placed);
        const balances = [ex.balance(1, 'USDT'), ex.balance(1, 'BTC')];

        // Liquidity it would fill against, were it triggered.
        const moved = tradeAt(ex, way === 'rises' ? stopAt - 1 : stopAt + 1, isBuy ? 2 : 0);

        expect(lastPrice(ex)).toBe(way === 'rises' ? 101 : 99);
        expect(mentions(moved, id)).toBe(false);
        expect(ex.order(id)).toMatchObject({ status: 'NEW', executedQty: 0, stopPrice: stopAt });
        expect([ex.balance(1, 'USDT'), ex.balance(1, 'BTC')]).toEqual(balances);
        expect(validate(ex.state)).toEqual([]);
      },
    );

    it("is triggered by a trade between two other accounts (account 3's ask taken by account 4)", () => {
      const ex = exchange();
      const id = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 3, 98));

      ex.limit(3, 'SELL', 1, 98);
      const taker = ex.limit(4, 'BUY', 1, 98, 'GTC');

      expect(tradesIn(taker)).toMatchObject([
        { price: 98, qty: 1, sellerAccountId: 3, buyerAccountId: 4 },
        { price: 95, qty: 3, sellerAccountId: 1, sellerOrderId: id, buyerAccountId: 2 },
      ]);
      expect(updateOf(taker, id)).toMatchObject({ accountId: 1, status: 'FILLED', executedQty: 3 });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(7), locked: 0n });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_285), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('triggers only after the match that moved the price: the taker sweeps every level first', () => {
      const ex = exchange();
      // Were it triggered at the first fill (101), this buy would take the 102 or 103 lot from the taker.
      const id = idOf(placeStop(ex, 1, 'BUY', 'STOP_LOSS_LIMIT', 1, 101, 103));
      for (const price of [101, 102, 103]) ex.limit(3, 'SELL', 1, price);

      const taker = ex.limit(4, 'BUY', 3, 103, 'GTC');
      const takerId = idOf(taker);

      expect(fillsOf(taker, takerId)).toEqual([
        [101, 1],
        [102, 1],
        [103, 1],
      ]);
      expect(taker.result.order).toMatchObject({ status: 'FILLED', executedQty: 3 });
      // Triggered at 103 with nothing left at or below its price (account 2 asks 105): it rests.
      expect(fillsOf(taker, id)).toEqual([]);
      expect(updateOf(taker, id)).toMatchObject({ status: 'NEW', executedQty: 0 });
      expect(ex.best('BUY')).toMatchObject({ orderId: id, price: 103 });
      expect(validate(ex.state)).toEqual([]);
    });

    it("reports the taker's order before the triggered stop's events, and the stop keeps its orderId", () => {
      const ex = exchange();
      const id = idOf(placeStop(ex, 1, 'SELL', 'TAKE_PROFIT', 1, 102));
      ex.limit(3, 'SELL', 1, 102);

      const taker = ex.limit(4, 'BUY', 1, 102, 'IOC');
      const takerId = idOf(taker);

      const takerUpdate = taker.events.findIndex((e) => e.type === 'order' && e.orderId === takerId);
      const firstOfStop = taker.events.findIndex(
        (e) =>
          (e.type === 'order' && e.orderId === id) ||
          (e.type === 'trade' && (e.buyerOrderId === id || e.sellerOrderId === id)),
      );
      expect(takerUpdate).toBeGreaterThanOrEqual(0);
      expect(firstOfStop).toBeGreaterThan(takerUpdate);
      // The taker's own trade comes first, then the stop's.
      expect(tradesIn(taker).map((t) => [t.buyerOrderId, t.sellerOrderId])).toEqual([
        [takerId, expect.any(Number)],
        [expect.any(Number), id],
      ]);
      expect(orderUpdatesIn(taker).map((o) => o.orderId)).toEqual([
        expect.any(Number), // account 3's ask, filled
        takerId,
        expect.any(Number), // account 2's bid, partly filled by the stop
        id,
      ]);
      expect(taker.result.order!.orderId).toBe(takerId);
      expect(validate(ex.state)).toEqual([]);
    });

    it('a trade on another market triggers nothing here', () => {
      const ex = exchange();
      ex.market({ symbol: 'ETHUSDT', baseAsset: 'ETH' }).fund(3, 'ETH', 10);
      const id = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 2, 98));
      const eth = { symbol: 'ETHUSDT' };
      ex.limit(3, 'SELL', 1, 50, 'GTC', eth);

      const elsewhere = ex.limit(4, 'BUY', 1, 50, 'IOC', eth);

      expect(tradesIn(elsewhere)).toMatchObject([{ symbol: 'ETHUSDT', price: 50 }]);
      expect(mentions(elsewhere, id)).toBe(false);
      expect(ex.order(id)).toMatchObject({ status: 'NEW' });
      expect(lastPrice(ex)).toBe(100);
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('what a triggered *_LIMIT order does', () => {
    it('a triggered STOP_LOSS_LIMIT whose price does not cross rests on the book as a NEW LIMIT order', () => {
      const ex = exchange();
      const id = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS_LIMIT', 2, 98, 97)); // the best bid is 95

      const moved = tradeAt(ex, 98);

      expect(fillsOf(moved, id)).toEqual([]);
      expect(updateOf(moved, id)).toMatchObject({ status: 'NEW', price: 97, stopPrice: 98, executedQty: 0 });
      expect(ex.best('SELL')).toMatchObject({ orderId: id, price: 97, status: 'NEW' });
      expect(ex.order(id)).toMatchObject({ status: 'NEW' });
      // The 2 BTC stay locked, now by the resting order.
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(8), locked: u(2) });
      expect(validate(ex.state)).toEqual([]);

      // From there it is an ordinary resting order: a buyer fills it.
      const buyer = ex.limit(4, 'BUY', 2, 97);
      expect(fillsOf(buyer, id)).toEqual([[97, 2]]);
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(8), locked: 0n });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_194), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a triggered GTC limit buy that fills in part rests the rest, holding exactly its price × remainder', () => {
      const ex = exchange();
      const id = idOf(placeStop(ex, 1, 'BUY', 'STOP_LOSS_LIMIT', 12, 102, 105));
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 1_260), locked: u(1_260) });

      const moved = tradeAt(ex, 102);

      expect(fillsOf(moved, id)).toEqual([[105, 10]]);
      expect(updateOf(moved, id)).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: 10 });
      expect(ex.best('BUY')).toMatchObject({ orderId: id, price: 105 });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 1_260), locked: u(210) });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(20), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a triggered IOC that cannot fill expires and gives its funds back', () => {
      const ex = exchange();
      const id = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS_LIMIT', 2, 98, 97, 'IOC'));

      const moved = tradeAt(ex, 98);

      expect(fillsOf(moved, id)).toEqual([]);
      expect(updateOf(moved, id)).toMatchObject({ status: 'EXPIRED', executedQty: 0, timeInForce: 'IOC' });
      expect(ex.order(id)).toBeUndefined();
      expect(ex.bookOrders('SELL').map((o) => o.orderId)).not.toContain(id);
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(10), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a triggered IOC fills what it can and expires the rest', () => {
      const ex = exchange();
      const id = idOf(placeStop(ex, 1, 'BUY', 'TAKE_PROFIT_LIMIT', 12, 98, 105, 'IOC'));

      const moved = tradeAt(ex, 98);

      expect(fillsOf(moved, id)).toEqual([[105, 10]]);
      expect(updateOf(moved, id)).toMatchObject({ status: 'EXPIRED', executedQty: 10 });
      expect(ex.order(id)).toBeUndefined();
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 1_050), locked: 0n });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(20), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a triggered FOK that cannot fill in full expires without trading', () => {
      const ex = exchange();
      const id = idOf(placeStop(ex, 1, 'BUY', 'STOP_LOSS_LIMIT', 12, 102, 105, 'FOK'));

      const moved = tradeAt(ex, 102);

      expect(fillsOf(moved, id)).toEqual([]);
      expect(updateOf(moved, id)).toMatchObject({ status: 'EXPIRED', executedQty: 0, timeInForce: 'FOK' });
      expect(ex.best('SELL')).toMatchObject({ price: 105, origQty: 10, executedQty: 0 });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000), locked: 0n });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(10), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a triggered FOK that can fill in full fills', () => {
      const ex = exchange();
      const id = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS_LIMIT', 10, 98, 95, 'FOK'));

      const moved = tradeAt(ex, 98);

      expect(fillsOf(moved, id)).toEqual([[95, 10]]);
      expect(updateOf(moved, id)).toMatchObject({ status: 'FILLED', executedQty: 10 });
      expect(ex.balance(1, 'BTC')).toEqual({ free: 0n, locked: 0n });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_950), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('funds', () => {
    it('a pending sell stop locks its quantity of base', () => {
      const ex = exchange();
      const placed = placeStop(ex, 1, 'SELL', 'STOP_LOSS', 3, 98);
      expect(placed.result.order).toMatchObject({ status: 'NEW', orderType: 'STOP_LOSS', price: 0 });
      expect(placed.events).toEqual([
        placed.result.order,
        { type: 'balance', accountId: 1, asset: 'BTC', free: u(7), locked: u(3) },
      ]);
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(7), locked: u(3) });
      expect(ex.bookOrders('SELL').map((o) => o.orderId)).not.toContain(idOf(placed));
      expect(validate(ex.state)).toEqual([]);
    });

    it('a pending limit buy stop locks price × quantity of quote', () => {
      const ex = exchange();
      const placed = placeStop(ex, 1, 'BUY', 'STOP_LOSS_LIMIT', 3, 102, 104);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 312), locked: u(312) });
      expect(ex.bookOrders('BUY').map((o) => o.orderId)).not.toContain(idOf(placed));
      expect(validate(ex.state)).toEqual([]);
    });

    it('a pending market buy stop locks stopPrice × quantity of quote', () => {
      const ex = exchange();
      placeStop(ex, 1, 'BUY', 'TAKE_PROFIT', 3, 97);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 291), locked: u(291) });
      expect(validate(ex.state)).toEqual([]);
    });

    it('locks to the unit on a market of fine ticks and lots', () => {
      // A tick is 0.01 USDT, a lot 0.001 BTC: one tick × one lot is 0.00001 USDT, 1,000 units.
      const ex = exchange({
        market: { tickSize: 1_000_000n as Units, stepSize: 100_000n as Units },
        liquidity: false,
      });
      const id = idOf(placeStop(ex, 1, 'BUY', 'STOP_LOSS', 7, 12_345)); // 0.007 BTC, stop 123.45 USDT
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000) - 86_415_000n, locked: 86_415_000n });

      const moved = tradeAt(ex, 12_345, 7);

      expect(fillsOf(moved, id)).toEqual([[12_345, 7]]);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000) - 86_415_000n, locked: 0n });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(10) + 700_000n, locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a stop whose funds the free balance does not cover is rejected, to the unit', () => {
      const ex = exchange();
      ex.limit(1, 'BUY', 1, 90); // 90 USDT locked: 9,910 free
      const tooMuch = placeStop(ex, 1, 'BUY', 'STOP_LOSS', 10, 992); // 9,920
      expect(tooMuch.result.code).toBe('INSUFFICIENT_BALANCE');
      expect(tooMuch.events).toEqual([]);
      expect(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 11, 98).result.code).toBe('INSUFFICIENT_BALANCE');
      expect(placeStop(ex, 1, 'BUY', 'STOP_LOSS', 10, 991).result.code).toBe('OK'); // 9,910 exactly
      expect(ex.balance(1, 'USDT')).toEqual({ free: 0n, locked: u(10_000) });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a triggered limit buy filling below its price pays only its fills and frees the rest', () => {
      const ex = exchange();
      const id = idOf(placeStop(ex, 1, 'BUY', 'STOP_LOSS_LIMIT', 2, 102, 110)); // 220 locked

      const moved = tradeAt(ex, 102);

      expect(fillsOf(moved, id)).toEqual([[105, 2]]);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 210), locked: 0n });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(12), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a triggered market buy spends at most stopPrice × quantity and expires what that cannot buy', () => {
      const ex = exchange();
      const id = idOf(placeStop(ex, 1, 'BUY', 'STOP_LOSS', 2, 102)); // 204 locked

      const moved = tradeAt(ex, 102); // the next ask is 105: 204 buys one lot

      expect(fillsOf(moved, id)).toEqual([[105, 1]]);
      expect(updateOf(moved, id)).toMatchObject({ status: 'EXPIRED', executedQty: 1, cumQuote: u(105) });
      expect(ex.order(id)).toBeUndefined();
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 105), locked: 0n });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(11), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a triggered market sell sells its quantity whatever the price and frees nothing it did not sell', () => {
      const ex = exchange({ liquidity: false });
      ex.limit(2, 'BUY', 1, 60);
      const id = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 3, 98));

      const moved = tradeAt(ex, 98); // one lot of bids, at 60

      expect(fillsOf(moved, id)).toEqual([[60, 1]]);
      expect(updateOf(moved, id)).toMatchObject({ status: 'EXPIRED', executedQty: 1 });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(9), locked: 0n });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_060), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('funds a pending stop holds cannot be withdrawn', () => {
      const ex = exchange();
      placeStop(ex, 1, 'SELL', 'STOP_LOSS', 2, 98);
      const withdraw = (whole: number) =>
        ex.run({ type: 'withdraw', accountId: 1, asset: 'BTC', amount: u(whole) as Units }).result.code;
      expect(withdraw(9)).toBe('INSUFFICIENT_BALANCE');
      expect(withdraw(8)).toBe('OK');
      expect(ex.balance(1, 'BTC')).toEqual({ free: 0n, locked: u(2) });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a triggered market order that finds no liquidity expires and gives everything back', () => {
      const ex = exchange({ liquidity: false });
      const id = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 2, 98));

      const moved = tradeAt(ex, 98); // no bids at all

      expect(updateOf(moved, id)).toMatchObject({ status: 'EXPIRED', executedQty: 0 });
      expect(ex.order(id)).toBeUndefined();
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(10), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it("the balance updates of the triggering command report the stop owner's final balances", () => {
      const ex = exchange();
      placeStop(ex, 1, 'SELL', 'STOP_LOSS', 2, 98);

      const moved = tradeAt(ex, 98);

      const ofAccount1 = moved.events.filter((e) => e.type === 'balance' && e.accountId === 1);
      expect(ofAccount1).toEqual([
        { type: 'balance', accountId: 1, asset: 'BTC', free: u(8), locked: 0n },
        { type: 'balance', accountId: 1, asset: 'USDT', free: u(10_190), locked: 0n },
      ]);
      expect(validate(ex.state)).toEqual([]);
    });

    it('a triggered stop is a taker: it pays the taker fee, its counterparty the maker fee', () => {
      const ex = exchange({ market: { makerFee: 100_000 as Fraction, takerFee: 200_000 as Fraction } });
      const id = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 2, 98));

      const moved = tradeAt(ex, 98);

      const fill = tradesIn(moved).find((t) => t.sellerOrderId === id);
      // 190 USDT × 0.2 % from the seller (taker), 2 BTC × 0.1 % from the buyer (maker).
      expect(fill).toMatchObject({
        price: 95,
        qty: 2,
        isBuyerMaker: true,
        sellerFee: 38_000_000n,
        buyerFee: 200_000n,
      });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_190) - 38_000_000n, locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('would trigger immediately', () => {
    it.each(KINDS)('a %s %s whose stop the last price already meets is rejected', (side, type, way) => {
      const ex = exchange(); // last price 100
      // A limit price that does not cross the book, so only the stop decides.
      const price = isLimit(type) ? (side === 'BUY' ? 90 : 110) : undefined;
      for (const stopAt of way === 'rises' ? [100, 99, 1] : [100, 101, 5_000]) {
        const rejected = placeStop(ex, 1, side, type, 1, stopAt, price);
        expect(rejected.result.code).toBe('ORDER_WOULD_TRIGGER_IMMEDIATELY');
        expect(rejected.events).toEqual([]);
      }
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000), locked: 0n });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(10), locked: 0n });
      // One tick away it waits.
      const accepted = placeStop(ex, 1, side, type, 1, way === 'rises' ? 101 : 99, price);
      expect(accepted.result.order).toMatchObject({ status: 'NEW' });
      expect(validate(ex.state)).toEqual([]);
    });

    it('before the first trade no stop would trigger immediately', () => {
      // Eight stops of one account: more than MAX_NUM_ALGO_ORDERS' default of 5.
      const ex = exchange({ market: { maxNumAlgoOrders: 8 }, firstTrade: false, liquidity: false });
      expect(lastPrice(ex)).toBe(0);
      for (const [side, type, way] of KINDS) {
        const price = isLimit(type) ? (side === 'BUY' ? 90 : 110) : undefined;
        const placed = placeStop(ex, 1, side, type, 1, way === 'rises' ? 1 : 5_000, price);
        expect(placed.result.code).toBe('OK');
      }
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('MAX_NUM_ALGO_ORDERS', () => {
    it('counts per account past the first 1024 accounts of a market (its count grows)', () => {
      const ex = exchange();
      for (let id = 10; id < 1040; id++) ex.fund(id, 'BTC', 1);
      const market = ex.state.markets.get('BTCUSDT')!;
      expect(market.algoCount.length).toBe(1024);
      // Account 1039 is the 1,034th the state has seen (accounts 1-4 came first).
      expect(placeStop(ex, 1039, 'SELL', 'STOP_LOSS', 1, 90).result.code).toBe('OK');
      expect(market.algoCount.length).toBe(2048);
      expect(market.algoCountOf(ex.state.accounts.get(1039)!.index)).toBe(1);
      expect(placeStop(ex, 1038, 'SELL', 'STOP_LOSS', 1, 90).result.code).toBe('OK');
      expect(validate(ex.state)).toEqual([]);
      expect(stateHash(restore(snapshot(ex.state)))).toBe(stateHash(ex.state));
    });

    it('caps the open stop orders of an account on a market (default 5); closed ones free their place', () => {
      const ex = exchange();
      const stops = [1, 2, 3, 4, 5].map((i) => idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 1, 99 - i)));
      const sixth = placeStop(ex, 1, 'SELL', 'STOP_LOSS', 1, 90);
      expect(sixth.result.code).toBe('MAX_NUM_ALGO_ORDERS');
      expect(sixth.events).toEqual([]);
      // Another account, another market's count, and orders that are not stops are not limited by it.
      expect(placeStop(ex, 2, 'SELL', 'STOP_LOSS', 1, 90).result.code).toBe('OK');
      expect(ex.limit(1, 'BUY', 1, 50).result.code).toBe('OK');
      // A cancelled stop frees its place; so does a triggered one.
      expect(ex.cancel(1, stops[0]!).result.code).toBe('OK');
      expect(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 1, 90).result.code).toBe('OK');
      expect(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 1, 89).result.code).toBe('MAX_NUM_ALGO_ORDERS');
      // 97 triggers the stop at 97; it sells into account 2's bid at 95, which triggers those at 96 and 95.
      tradeAt(ex, 97);
      const market = ex.state.markets.get('BTCUSDT')!;
      // Left waiting: account 1's at 94 and 90, account 2's at 90.
      const waiting = market.fallingStops.slots(ex.state.store);
      expect(waiting.map((slot) => ex.state.store.stopPrice(slot))).toEqual([94, 90, 90]);
      for (const stop of [89, 88, 87])
        expect(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 1, stop).result.code).toBe('OK');
      expect(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 1, 86).result.code).toBe('MAX_NUM_ALGO_ORDERS');
      expect(validate(ex.state)).toEqual([]);
      const restored = restore(snapshot(ex.state));
      expect(stateHash(restored)).toBe(stateHash(ex.state));
      expect(validate(restored)).toEqual([]);
    });
    it('a triggered limit stop resting on the book is still an open order of its type: it still counts', () => {
      const ex = exchange({ liquidity: false });
      const limitStop = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS_LIMIT', 1, 98, 200));
      for (const stop of [97, 96, 95, 94]) {
        expect(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 1, stop).result.code).toBe('OK');
      }
      tradeAt(ex, 98); // triggers the limit stop, which rests at 200
      expect(ex.order(limitStop)).toMatchObject({ status: 'NEW', price: 200 });
      expect(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 1, 90).result.code).toBe('MAX_NUM_ALGO_ORDERS');
      expect(ex.cancel(1, limitStop).result.code).toBe('OK');
      expect(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 1, 90).result.code).toBe('OK');
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('validation', () => {
    const STOP: PlaceOrder = {
      type: 'placeOrder',
      accountId: 1,
      symbol: 'BTCUSDT',
      side: 'SELL',
      orderType: 'STOP_LOSS',
      quantity: 1 as Lots,
      stopPrice: 98 as Ticks,
      timestamp: 0,
    };
    const STOP_LIMIT: PlaceOrder = {
      ...STOP,
      orderType: 'STOP_LOSS_LIMIT',
      price: 97 as Ticks,
      timeInForce: 'GTC',
    };

    it.each([
      ['a STOP_LOSS without stopPrice', STOP, { stopPrice: undefined }, 'PARAMETER_REQUIRED'],
      ['a STOP_LOSS_LIMIT without stopPrice', STOP_LIMIT, { stopPrice: undefined }, 'PARAMETER_REQUIRED'],
      [
        'a TAKE_PROFIT without stopPrice',
        STOP,
        { orderType: 'TAKE_PROFIT', side: 'BUY', stopPrice: undefined },
        'PARAMETER_REQUIRED',
      ],
      ['a stopPrice of 0', STOP, { stopPrice: 0 }, 'INVALID_PRICE'],
      ['a negative stopPrice', STOP, { stopPrice: -98 }, 'INVALID_PRICE'],
      ['a fractional stopPrice', STOP, { stopPrice: 97.5 }, 'INVALID_PRICE'],
      ['a stopPrice that is a string', STOP, { stopPrice: '98' }, 'INVALID_PRICE'],
      ['a stopPrice that is NaN', STOP_LIMIT, { stopPrice: Number.NaN }, 'INVALID_PRICE'],
      ['an unsafe stopPrice', STOP_LIMIT, { stopPrice: 2 ** 60 }, 'INVALID_PRICE'],
      ['a price on a STOP_LOSS', STOP, { price: 97 }, 'PARAMETER_NOT_ALLOWED'],
      [
        'a price on a TAKE_PROFIT',
        STOP,
        { orderType: 'TAKE_PROFIT', side: 'BUY', price: 97 },
        'PARAMETER_NOT_ALLOWED',
      ],
      ['a timeInForce on a STOP_LOSS', STOP, { timeInForce: 'GTC' }, 'PARAMETER_NOT_ALLOWED'],
      ['a STOP_LOSS_LIMIT without price (as a LIMIT)', STOP_LIMIT, { price: undefined }, 'INVALID_PRICE'],
      [
        'a TAKE_PROFIT_LIMIT with price 0',
        STOP_LIMIT,
        { orderType: 'TAKE_PROFIT_LIMIT', price: 0 },
        'INVALID_PRICE',
      ],
      ['a STOP_LOSS_LIMIT without timeInForce', STOP_LIMIT, { timeInForce: undefined }, 'PARAMETER_REQUIRED'],
      [
        'a TAKE_PROFIT_LIMIT without timeInForce',
        STOP_LIMIT,
        { orderType: 'TAKE_PROFIT_LIMIT', timeInForce: undefined },
        'PARAMETER_REQUIRED',
      ],
      [
        'a STOP_LOSS_LIMIT with an unknown timeInForce',
        STOP_LIMIT,
        { timeInForce: 'GTX' },
        'INVALID_TIME_IN_FORCE',
      ],
      ['a stopPrice on a LIMIT', STOP_LIMIT, { orderType: 'LIMIT' }, 'PARAMETER_NOT_ALLOWED'],
      [
        'a stopPrice on a LIMIT_MAKER',
        STOP_LIMIT,
        { orderType: 'LIMIT_MAKER', timeInForce: undefined },
        'PARAMETER_NOT_ALLOWED',
      ],
      ['a stopPrice on a MARKET', STOP, { orderType: 'MARKET' }, 'PARAMETER_NOT_ALLOWED'],
      [
        'a quoteOrderQty on a STOP_LOSS',
        STOP,
        { quantity: undefined, quoteOrderQty: 10n * WHOLE },
        'PARAMETER_NOT_ALLOWED',
      ],
    ] as [string, PlaceOrder, Record<string, unknown>, string][])(
      'rejects %s with no events',
      (_, base, fields, code) => {
        const ex = exchange();
        const before = stateOf(ex);
        const nextOrderId = ex.state.nextOrderId;
        const rejected = ex.run({ ...base, ...fields, timestamp: ++ex.time } as PlaceOrder);
        expect(rejected.result.code).toBe(code);
        expect(rejected.events).toEqual([]);
        expect(ex.state.nextOrderId).toBe(nextOrderId);
        expect(stateOf(ex)).toEqual(before);
        expect(validate(ex.state)).toEqual([]);
      },
    );

    it('a stopPrice outside PRICE_FILTER is rejected PRICE_FILTER; its bounds are accepted', () => {
      const ex = exchange({ market: { minPrice: 10 as Ticks, maxPrice: 1_000 as Ticks } });
      for (const [side, type, stopAt] of [
        ['SELL', 'STOP_LOSS', 9],
        ['BUY', 'TAKE_PROFIT_LIMIT', 9],
        ['BUY', 'STOP_LOSS', 1_001],
        ['SELL', 'TAKE_PROFIT_LIMIT', 1_001],
      ] as [Side, StopType, number][]) {
        const price = isLimit(type) ? (side === 'BUY' ? 90 : 110) : undefined;
        const rejected = placeStop(ex, 1, side, type, 1, stopAt, price);
        expect(rejected.result.code).toBe('PRICE_FILTER');
        expect(rejected.events).toEqual([]);
      }
      expect(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 1, 10).result.code).toBe('OK');
      expect(placeStop(ex, 1, 'BUY', 'STOP_LOSS_LIMIT', 1, 1_000, 90).result.code).toBe('OK');
      expect(validate(ex.state)).toEqual([]);
    });

    it("a *_LIMIT stop's own price outside PRICE_FILTER is rejected PRICE_FILTER", () => {
      const ex = exchange({ market: { minPrice: 10 as Ticks, maxPrice: 1_000 as Ticks } });
      const rejected = placeStop(ex, 1, 'SELL', 'STOP_LOSS_LIMIT', 1, 98, 1_001);
      expect(rejected.result.code).toBe('PRICE_FILTER');
      expect(rejected.events).toEqual([]);
      expect(validate(ex.state)).toEqual([]);
    });

    it('a stop is held to the filters of the order it becomes: MARKET_LOT_SIZE, LOT_SIZE', () => {
      const ex = exchange({ market: { marketMaxQty: 5 as Lots, maxQty: 10 as Lots } });
      const market = placeStop(ex, 1, 'SELL', 'STOP_LOSS', 6, 98);
      expect(market.result.code).toBe('MARKET_LOT_SIZE');
      expect(market.events).toEqual([]);
      expect(placeStop(ex, 1, 'SELL', 'STOP_LOSS_LIMIT', 11, 98, 97).result.code).toBe('LOT_SIZE');
      expect(placeStop(ex, 1, 'SELL', 'STOP_LOSS_LIMIT', 6, 98, 97).result.code).toBe('OK');
      expect(placeStop(ex, 1, 'SELL', 'TAKE_PROFIT', 4, 102).result.code).toBe('OK');
      expect(validate(ex.state)).toEqual([]);
    });

    it("a *_LIMIT stop's notional is held to NOTIONAL", () => {
      const ex = exchange({ market: { minNotional: u(300) as Units }, firstTrade: false, liquidity: false });
      const small = placeStop(ex, 1, 'SELL', 'STOP_LOSS_LIMIT', 3, 98, 97); // 291
      expect(small.result.code).toBe('NOTIONAL');
      expect(small.events).toEqual([]);
      expect(placeStop(ex, 1, 'SELL', 'STOP_LOSS_LIMIT', 3, 98, 100).result.code).toBe('OK'); // 300
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('cancel', () => {
    it('cancelling a pending stop by orderId gives its funds back, and it never triggers later', () => {
      const ex = exchange();
      const id = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 2, 98));

      const canceled = ex.cancel(1, id);

      expect(canceled.result.order).toMatchObject({ orderId: id, status: 'CANCELED', stopPrice: 98 });
      expect(canceled.events).toEqual([
        canceled.result.order,
        { type: 'balance', accountId: 1, asset: 'BTC', free: u(10), locked: 0n },
      ]);
      expect(ex.order(id)).toBeUndefined();
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(10), locked: 0n });
      for (const price of [98, 97]) expect(mentions(tradeAt(ex, price), id)).toBe(false);
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(10), locked: 0n });
      expect(ex.cancel(1, id).result.code).toBe('UNKNOWN_ORDER');
      expect(validate(ex.state)).toEqual([]);
    });

    it('cancelling a pending stop by clientOrderId gives its funds back, and it never triggers later', () => {
      const ex = exchange();
      const id = idOf(
        placeStop(ex, 1, 'BUY', 'STOP_LOSS', 2, 102, undefined, undefined, { clientOrderId: 'up-1' }),
      );
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 204), locked: u(204) });

      const canceled = ex.run({
        type: 'cancelOrder',
        accountId: 1,
        symbol: 'BTCUSDT',
        clientOrderId: 'up-1',
        timestamp: ++ex.time,
      });

      expect(canceled.result.order).toMatchObject({ orderId: id, clientOrderId: 'up-1', status: 'CANCELED' });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000), locked: 0n });
      expect(mentions(tradeAt(ex, 102, 2), id)).toBe(false);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a pending stop holds its clientOrderId: a duplicate is rejected until it is gone', () => {
      const ex = exchange();
      placeStop(ex, 1, 'SELL', 'STOP_LOSS', 1, 98, undefined, undefined, { clientOrderId: 'mine' });
      const dup = ex.limit(1, 'BUY', 1, 90, 'GTC', { clientOrderId: 'mine' });
      expect(dup.result.code).toBe('DUPLICATE_CLIENT_ORDER_ID');
      tradeAt(ex, 98); // triggers and fills it
      expect(ex.limit(1, 'BUY', 1, 90, 'GTC', { clientOrderId: 'mine' }).result.code).toBe('OK');
      expect(validate(ex.state)).toEqual([]);
    });

    it('cancelAllOrders cancels pending stops with the resting orders, oldest first, freeing everything', () => {
      const ex = exchange();
      const resting = idOf(ex.limit(1, 'BUY', 1, 90));
      const falling = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 2, 98));
      const rising = idOf(placeStop(ex, 1, 'BUY', 'STOP_LOSS_LIMIT', 1, 102, 104));
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 194), locked: u(194) });

      const all = ex.run({ type: 'cancelAllOrders', accountId: 1, symbol: 'BTCUSDT', timestamp: ++ex.time });

      expect(all.result.code).toBe('OK');
      expect(all.result.canceled!.map((o) => [o.orderId, o.status])).toEqual([
        [resting, 'CANCELED'],
        [falling, 'CANCELED'],
        [rising, 'CANCELED'],
      ]);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000), locked: 0n });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(10), locked: 0n });
      for (const price of [102, 98]) {
        const moved = tradeAt(ex, price);
        expect([falling, rising].some((id) => mentions(moved, id))).toBe(false);
      }
      expect(validate(ex.state)).toEqual([]);
    });

    it('cancelReplace swaps a pending stop for a new one, the new one using the funds the old one held', () => {
      const ex = exchange();
      const old = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 10, 98)); // all 10 BTC
      const replaced = ex.run({
        type: 'cancelReplace',
        accountId: 1,
        symbol: 'BTCUSDT',
        cancelOrderId: old,
        mode: 'STOP_ON_FAILURE',
        order: { side: 'SELL', orderType: 'STOP_LOSS', quantity: 10 as Lots, stopPrice: 97 as Ticks },
        timestamp: ++ex.time,
      });
      expect(replaced.result.code).toBe('OK');
      expect(replaced.result.cancelResult?.order).toMatchObject({ orderId: old, status: 'CANCELED' });
      const id = (replaced.result.newOrderResult as { order: OrderUpdate }).order.orderId;
      expect(ex.order(id)).toMatchObject({ status: 'NEW', stopPrice: 97 });
      expect(ex.balance(1, 'BTC')).toEqual({ free: 0n, locked: u(10) });

      expect(mentions(tradeAt(ex, 98), id)).toBe(false);
      const moved = tradeAt(ex, 97);
      expect(fillsOf(moved, id)).toEqual([[95, 10]]);
      expect(mentions(moved, old)).toBe(false);
      expect(ex.balance(1, 'BTC')).toEqual({ free: 0n, locked: 0n });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_950), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('amend', () => {
    /** Amends an order of account 1 down to `newQty`. */
    const amend = (ex: Exchange, orderId: number, newQty: number): Applied =>
      ex.run({
        type: 'amendOrder',
        accountId: 1,
        symbol: 'BTCUSDT',
        orderId,
        newQty: newQty as Lots,
        timestamp: ++ex.time,
      });

    it('amending a pending sell stop down releases the removed base; it triggers with the new quantity', () => {
      const ex = exchange();
      const id = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 5, 98));

      const amended = amend(ex, id, 2);

      expect(amended.result.order).toMatchObject({ orderId: id, origQty: 2, status: 'NEW', stopPrice: 98 });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(8), locked: u(2) });
      expect(validate(ex.state)).toEqual([]);

      const moved = tradeAt(ex, 98);
      expect(fillsOf(moved, id)).toEqual([[95, 2]]);
      expect(updateOf(moved, id)).toMatchObject({ status: 'FILLED', origQty: 2, executedQty: 2 });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(8), locked: 0n });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_190), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('amending a pending market buy stop down releases stopPrice × the removed quantity', () => {
      const ex = exchange();
      const id = idOf(placeStop(ex, 1, 'BUY', 'STOP_LOSS', 5, 102)); // 510 locked

      amend(ex, id, 2);

      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 204), locked: u(204) });
      const moved = tradeAt(ex, 102, 5);
      expect(fillsOf(moved, id)).toEqual([[102, 2]]);
      expect(updateOf(moved, id)).toMatchObject({ status: 'FILLED', executedQty: 2 });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 204), locked: 0n });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(12), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('amending a pending limit buy stop down releases price × the removed quantity', () => {
      const ex = exchange();
      const id = idOf(placeStop(ex, 1, 'BUY', 'TAKE_PROFIT_LIMIT', 4, 98, 104)); // 416 locked
      amend(ex, id, 1);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 104), locked: u(104) });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a pending stop cannot be amended up or to the same quantity', () => {
      const ex = exchange();
      const id = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 2, 98));
      for (const newQty of [3, 2]) {
        const rejected = amend(ex, id, newQty);
        expect(rejected.result.code).toBe('INVALID_QUANTITY');
        expect(rejected.events).toEqual([]);
      }
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(8), locked: u(2) });
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('MAX_NUM_ORDERS', () => {
    it('counts pending stops as open orders', () => {
      const ex = exchange({ market: { maxNumOrders: 3 } });
      ex.limit(1, 'BUY', 1, 90);
      const first = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 1, 98));
      placeStop(ex, 1, 'BUY', 'STOP_LOSS', 1, 102);

      const stop = placeStop(ex, 1, 'SELL', 'TAKE_PROFIT', 1, 103);
      expect(stop.result.code).toBe('MAX_NUM_ORDERS');
      expect(stop.events).toEqual([]);
      expect(ex.limit(1, 'BUY', 1, 91).result.code).toBe('MAX_NUM_ORDERS');

      ex.cancel(1, first);
      expect(placeStop(ex, 1, 'SELL', 'TAKE_PROFIT', 1, 103).result.code).toBe('OK');
      expect(validate(ex.state)).toEqual([]);
    });

    it('a stop that triggered and filled no longer counts', () => {
      const ex = exchange({ market: { maxNumOrders: 1 } });
      placeStop(ex, 1, 'SELL', 'STOP_LOSS', 1, 98);
      expect(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 1, 97).result.code).toBe('MAX_NUM_ORDERS');
      tradeAt(ex, 98); // it sells into the 95 bid
      expect(ex.state.marketList[0]!.openCountOf(ex.state.accounts.get(1)!.index)).toBe(0);
      expect(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 1, 90).result.code).toBe('OK');
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('trigger order', () => {
    it('rising stops run lowest stop first, oldest first at one stop', () => {
      const ex = exchange();
      // Each rests once triggered (bids at 90 under the 95 bid, an ask at 110 over the 105 ask).
      const at103 = idOf(placeStop(ex, 1, 'BUY', 'STOP_LOSS_LIMIT', 1, 103, 90));
      const at101 = idOf(placeStop(ex, 1, 'SELL', 'TAKE_PROFIT_LIMIT', 1, 101, 110));
      const at102 = idOf(placeStop(ex, 1, 'BUY', 'STOP_LOSS_LIMIT', 1, 102, 90));
      const at101Newer = idOf(placeStop(ex, 1, 'BUY', 'STOP_LOSS_LIMIT', 1, 101, 90));

      const moved = tradeAt(ex, 103);

      const stops = [at103, at101, at102, at101Newer];
      expect(
        orderUpdatesIn(moved)
          .filter((o) => stops.includes(o.orderId))
          .map((o) => o.orderId),
      ).toEqual([at101, at101Newer, at102, at103]);
      // They queued at 90 in the order they ran.
      expect(
        ex
          .bookOrders('BUY')
          .map((o) => o.orderId)
          .slice(1),
      ).toEqual([at101Newer, at102, at103]);
      expect(validate(ex.state)).toEqual([]);
    });

    it('falling stops run highest stop first, oldest first at one stop', () => {
      const ex = exchange();
      const at97 = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS_LIMIT', 1, 97, 110));
      const at99 = idOf(placeStop(ex, 1, 'BUY', 'TAKE_PROFIT_LIMIT', 1, 99, 90));
      const at98 = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS_LIMIT', 1, 98, 110));
      const at99Newer = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS_LIMIT', 1, 99, 110));

      const moved = tradeAt(ex, 97);

      const stops = [at97, at99, at98, at99Newer];
      expect(
        orderUpdatesIn(moved)
          .filter((o) => stops.includes(o.orderId))
          .map((o) => o.orderId),
      ).toEqual([at99, at99Newer, at98, at97]);
      expect(
        ex
          .bookOrders('SELL')
          .map((o) => o.orderId)
          .slice(1),
      ).toEqual([at99Newer, at98, at97]);
      expect(validate(ex.state)).toEqual([]);
    });

    it('with both lists triggered by one trade (stops placed before the first trade), the rising list runs first', () => {
      const ex = exchange({ firstTrade: false, liquidity: false });
      const falling = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS_LIMIT', 1, 110, 200)); // older
      const rising = idOf(placeStop(ex, 1, 'BUY', 'STOP_LOSS_LIMIT', 1, 90, 50));

      const moved = tradeAt(ex, 100); // meets both: 100 >= 90 and 100 <= 110

      expect(
        orderUpdatesIn(moved)
          .map((o) => o.orderId)
          .slice(2),
      ).toEqual([rising, falling]);
      expect(ex.best('BUY')).toMatchObject({ orderId: rising, price: 50 });
      expect(ex.best('SELL')).toMatchObject({ orderId: falling, price: 200 });
      expect(validate(ex.state)).toEqual([]);
    });

    it('each stop looks again at the last price: one the price reached but left before its turn stays pending', () => {
      const ex = exchange();
      const first = idOf(placeStop(ex, 1, 'SELL', 'TAKE_PROFIT', 1, 101));
      const second = idOf(placeStop(ex, 1, 'BUY', 'STOP_LOSS', 1, 102));

      const moved = tradeAt(ex, 102);

      // The first sells into the 95 bid, so the last price is 95 when the second's turn comes.
      expect(fillsOf(moved, first)).toEqual([[95, 1]]);
      expect(lastPrice(ex)).toBe(95);
      expect(mentions(moved, second)).toBe(false);
      expect(ex.order(second)).toMatchObject({ status: 'NEW', stopPrice: 102 });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 + 95 - 102), locked: u(102) });
      expect(validate(ex.state)).toEqual([]);
    });

    it("cascades: a falling stop's market sell moves the price down and triggers the next one", () => {
      const ex = exchange({ liquidity: false });
      ex.limit(2, 'BUY', 2, 97);
      ex.limit(2, 'BUY', 5, 94);
      const a = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 2, 99));
      const b = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 1, 97));
      const c = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 1, 90));

      const moved = tradeAt(ex, 99);

      expect(fillsOf(moved, a)).toEqual([[97, 2]]);
      expect(fillsOf(moved, b)).toEqual([[94, 1]]);
      expect(tradesIn(moved).map((t) => t.price)).toEqual([99, 97, 94]);
      expect(
        orderUpdatesIn(moved)
          .filter((o) => [a, b, c].includes(o.orderId))
          .map((o) => o.orderId),
      ).toEqual([a, b]);
      expect(lastPrice(ex)).toBe(94);
      expect(ex.order(c)).toMatchObject({ status: 'NEW' }); // 94 is above its 90
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(6), locked: u(1) });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 + 194 + 94), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('cascades from the rising list into the falling list', () => {
      const ex = exchange({ liquidity: false });
      ex.limit(2, 'BUY', 1, 95);
      ex.limit(2, 'BUY', 5, 90);
      const takeProfit = idOf(placeStop(ex, 1, 'SELL', 'TAKE_PROFIT', 1, 101));
      const stopLoss = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 1, 96));

      const moved = tradeAt(ex, 101);

      expect(tradesIn(moved).map((t) => [t.price, t.sellerOrderId])).toEqual([
        [101, expect.any(Number)],
        [95, takeProfit],
        [90, stopLoss],
      ]);
      expect(ex.order(takeProfit)).toBeUndefined();
      expect(ex.order(stopLoss)).toBeUndefined();
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('self-trade prevention', () => {
    it("applies to a triggered stop like any taker: EXPIRE_MAKER expires the account's own resting order", () => {
      const ex = exchange();
      const own = idOf(ex.limit(1, 'SELL', 1, 104));
      const id = idOf(placeStop(ex, 1, 'BUY', 'STOP_LOSS_LIMIT', 2, 102, 105)); // default mode EXPIRE_MAKER

      const moved = tradeAt(ex, 102);

      expect(preventedIn(moved)).toMatchObject([
        { takerOrderId: id, makerOrderId: own, accountId: 1, price: 104, qty: 1, mode: 'EXPIRE_MAKER' },
      ]);
      expect(updateOf(moved, own)).toMatchObject({ status: 'EXPIRED_IN_MATCH', preventedQty: 1 });
      expect(fillsOf(moved, id)).toEqual([[105, 2]]);
      expect(updateOf(moved, id)).toMatchObject({ status: 'FILLED', executedQty: 2 });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(12), locked: 0n });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 210), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('applies to a triggered stop like any taker: EXPIRE_TAKER expires the stop and frees its funds', () => {
      const ex = exchange();
      const own = idOf(ex.limit(1, 'BUY', 1, 96));
      const id = idOf(
        placeStop(ex, 1, 'SELL', 'STOP_LOSS', 2, 98, undefined, undefined, {
          selfTradePreventionMode: 'EXPIRE_TAKER',
        }),
      );

      const moved = tradeAt(ex, 98);

      expect(preventedIn(moved)).toMatchObject([
        { takerOrderId: id, makerOrderId: own, qty: 1, mode: 'EXPIRE_TAKER' },
      ]);
      expect(fillsOf(moved, id)).toEqual([]);
      expect(updateOf(moved, id)).toMatchObject({
        status: 'EXPIRED_IN_MATCH',
        executedQty: 0,
        preventedQty: 2,
      });
      expect(ex.order(id)).toBeUndefined();
      expect(ex.order(own)).toMatchObject({ status: 'NEW' });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(10), locked: 0n });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 96), locked: u(96) });
      expect(validate(ex.state)).toEqual([]);
    });

    it("applies between a triggered stop and the resting remainder of the same account's taker that triggered it", () => {
      const ex = exchange();
      const id = idOf(placeStop(ex, 1, 'SELL', 'TAKE_PROFIT', 1, 102));
      ex.limit(3, 'SELL', 1, 102);

      const taker = ex.limit(1, 'BUY', 2, 102); // fills 1, rests 1 at 102: the best bid
      const takerId = idOf(taker);

      expect(taker.result.order).toMatchObject({
        orderId: takerId,
        status: 'PARTIALLY_FILLED',
        executedQty: 1,
      });
      expect(preventedIn(taker)).toMatchObject([
        { takerOrderId: id, makerOrderId: takerId, price: 102, qty: 1, mode: 'EXPIRE_MAKER' },
      ]);
      const updates = orderUpdatesIn(taker).filter((o) => o.orderId === takerId);
      expect(updates.map((o) => o.status)).toEqual(['PARTIALLY_FILLED', 'EXPIRED_IN_MATCH']);
      expect(fillsOf(taker, id)).toEqual([[95, 1]]);
      expect(ex.order(takerId)).toBeUndefined();
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 102 + 95), locked: 0n });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(10), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('snapshot and restore', () => {
    /** A state with pending stops in both lists (equal stops among them) and a triggered stop resting. */
    function withStops() {
      const ex = exchange();
      // Triggered before the snapshot: rests as an ask at 108, keeping its stopPrice.
      const rested = idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS_LIMIT', 1, 99, 108));
      tradeAt(ex, 99);
      expect(ex.order(rested)).toMatchObject({ status: 'NEW', price: 108, stopPrice: 99 });
      const ids = {
        rested,
        r1: idOf(placeStop(ex, 1, 'SELL', 'TAKE_PROFIT_LIMIT', 1, 101, 110)),
        r2: idOf(placeStop(ex, 1, 'BUY', 'STOP_LOSS', 1, 102, undefined, undefined, { clientOrderId: 'up' })),
        r3: idOf(placeStop(ex, 2, 'BUY', 'STOP_LOSS_LIMIT', 3, 102, 90)),
        f1: idOf(placeStop(ex, 1, 'SELL', 'STOP_LOSS', 2, 98)),
        f2: idOf(placeStop(ex, 2, 'BUY', 'TAKE_PROFIT_LIMIT', 1, 98, 99)),
      };
      return { ex, ids };
    }

    /** What comes after the snapshot: the price rises to 102, then falls to 98. */
    function later(time: number): Command[] {
      const limit = (
        accountId: number,
        side: Side,
        qty: number,
        price: number,
        tif: TimeInForce,
      ): PlaceOrder => ({
        type: 'placeOrder',
        accountId,
        symbol: 'BTCUSDT',
        side,
        orderType: 'LIMIT',
        quantity: qty as Lots,
        price: price as Ticks,
        timeInForce: tif,
        timestamp: ++time,
      });
      return [
        limit(3, 'SELL', 1, 102, 'GTC'),
        limit(2, 'SELL', 1, 102, 'GTC'), // for the market buy stop at 102
        limit(4, 'BUY', 1, 102, 'IOC'),
        limit(3, 'SELL', 1, 98, 'GTC'),
        limit(4, 'BUY', 1, 98, 'IOC'),
      ];
    }

    it('restores pending stops into either book with an equal stateHash', () => {
      const { ex } = withStops();
      const snap = structuredClone(snapshot(ex.state));
      expect(snap.stops).toHaveLength(5);
      for (const into of ['fast', 'reference'] as const) {
        const restored = restore(snap, into);
        expect(stateHash(restored)).toBe(stateHash(ex.state));
        expect(validate(restored)).toEqual([]);
        expect(snapshot(restored)).toEqual(snap);
      }
      expect(validate(ex.state)).toEqual([]);
    });

    it('a restored state triggers its stops exactly as the original does', () => {
      const { ex, ids } = withStops();
      const snap = structuredClone(snapshot(ex.state));
      const restored = [restore(snap, 'fast'), restore(snap, 'reference')];
      const commands = later(ex.time);

      // In lockstep: every result, every event and the state after each command agree.
      const runs = commands.map((cmd) => {
        const original = ex.run(cmd);
        for (const state of restored) {
          expect(apply(state, cmd)).toEqual(original);
          expect(stateHash(state)).toBe(stateHash(ex.state));
        }
        return original;
      });
      for (const state of restored) expect(validate(state)).toEqual([]);

      // What the original did: at 102 the rising list ran (r1 rests at 110, r2 buys at 102, r3 rests at 90),
      // at 98 the falling one (f1 sells into the 95 bid, f2 rests at 99).
      const stops = [ids.r1, ids.r2, ids.r3, ids.f1, ids.f2];
      const ran = (applied: Applied) =>
        orderUpdatesIn(applied)
          .filter((o) => stops.includes(o.orderId))
          .map((o) => [o.orderId, o.status]);
      expect(ran(runs[2]!)).toEqual([
        [ids.r1, 'NEW'],
        [ids.r2, 'FILLED'],
        [ids.r3, 'NEW'],
      ]);
      expect(fillsOf(runs[2]!, ids.r2)).toEqual([[102, 1]]);
      expect(ran(runs[4]!)).toEqual([
        [ids.f1, 'FILLED'],
        [ids.f2, 'NEW'],
      ]);
      expect(fillsOf(runs[4]!, ids.f1)).toEqual([[95, 2]]);
      expect(ex.state.markets.get('BTCUSDT')!.risingStops.size).toBe(0);
      expect(ex.state.markets.get('BTCUSDT')!.fallingStops.size).toBe(0);
      expect(validate(ex.state)).toEqual([]);
    });
  });
});
