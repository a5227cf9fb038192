// One test per rule of each order type and time in force, and of cancelling. The market trades whole BTC for
// whole USDT (a tick is 1 USDT, a lot 1 BTC) without fees, so balances read in whole units.

import { describe, expect, it } from 'vitest';
import { snapshot } from './snapshot.ts';
import { stateHash, validate } from './audit.ts';
import { reserveOrders } from './engine.ts';
import { MAX_SLOTS } from './order-store.ts';
import type { Applied } from './engine.ts';
import type { Trade } from './events.ts';
import { Exchange, WHOLE } from './test-kit.ts';

/** Whole units of an asset in units of 1e-8. */
const u = (whole: number | bigint): bigint => BigInt(whole) * WHOLE;
const tradesIn = ({ events }: Applied): Trade[] => events.filter((e): e is Trade => e.type === 'trade');
/** Each trade as [price, qty]. */
const fills = (applied: Applied): [number, number][] => tradesIn(applied).map((t) => [t.price, t.qty]);

describe.each(['fast', 'reference'] as const)('orders (%s book)', (kind) => {
  /** A fee-free BTCUSDT market; account 1 has 1,000 USDT, account 2 has 10 BTC. */
  function exchange(): Exchange {
    return new Exchange(kind).market().fund(1, 'USDT', 1000).fund(2, 'BTC', 10);
  }

  describe('LIMIT GTC', () => {
    it('a buy rests and locks price × quantity of quote', () => {
      const ex = exchange();
      const { result } = ex.limit(1, 'BUY', 2, 100);
      expect(result.code).toBe('OK');
      expect(result.order?.status).toBe('NEW');
      expect(ex.order(result.order!.orderId)?.status).toBe('NEW');
      expect(ex.best('BUY')?.price).toBe(100);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(800), locked: u(200) });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a sell rests and locks its quantity of base', () => {
      const ex = exchange();
      const { result } = ex.limit(2, 'SELL', 3, 100);
      expect(result.order?.status).toBe('NEW');
      expect(ex.best('SELL')?.price).toBe(100);
      expect(ex.balance(2, 'BTC')).toEqual({ free: u(7), locked: u(3) });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a buy taker filling at better prices gets the improvement back', () => {
      const ex = exchange();
      ex.limit(2, 'SELL', 1, 90);
      ex.limit(2, 'SELL', 1, 95);
      const taker = ex.limit(1, 'BUY', 3, 100);
      expect(fills(taker)).toEqual([
        [90, 1],
        [95, 1],
      ]);
      expect(taker.result.order).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: 2 });
      // Only the resting lot at 100 stays locked; 1000 - 90 - 95 - 100 is free.
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(715), locked: u(100) });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(2), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a sell taker trades at the higher resting bid', () => {
      const ex = exchange();
      ex.limit(1, 'BUY', 2, 110);
      const taker = ex.limit(2, 'SELL', 2, 100);
      expect(fills(taker)).toEqual([[110, 2]]);
      expect(ex.balance(2, 'USDT')).toEqual({ free: u(220), locked: 0n });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(780), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('LIMIT IOC', () => {
    it('fills what it can, expires the remainder and releases its funds', () => {
      const ex = exchange();
      ex.limit(2, 'SELL', 2, 100);
      const { result, events } = ex.limit(1, 'BUY', 5, 100, 'IOC');
      expect(result.order).toMatchObject({ status: 'EXPIRED', executedQty: 2, origQty: 5 });
      expect(events.filter((e) => e.type === 'trade')).toHaveLength(1);
      expect(ex.order(result.order!.orderId)).toBeUndefined();
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(800), locked: 0n });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(2), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a sell fills what it can and gives back the unsold base', () => {
      const ex = exchange();
      ex.limit(1, 'BUY', 1, 100);
      const { result } = ex.limit(2, 'SELL', 4, 100, 'IOC');
      expect(result.order).toMatchObject({ status: 'EXPIRED', executedQty: 1 });
      expect(ex.balance(2, 'BTC')).toEqual({ free: u(9), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('with no fill at all is EXPIRED and leaves the balances as they were', () => {
      const ex = exchange();
      ex.limit(2, 'SELL', 1, 101);
      const applied = ex.limit(1, 'BUY', 1, 100, 'IOC');
      expect(applied.result.order).toMatchObject({ status: 'EXPIRED', executedQty: 0 });
      expect(tradesIn(applied)).toEqual([]);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(1000), locked: 0n });
      expect(ex.state.markets.get('BTCUSDT')?.book.size).toBe(1);
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('LIMIT FOK', () => {
    /** Asks: 2 at 100, 3 at 101, 5 at 102 (orders 1 to 3). */
    function withAsks(): Exchange {
      const ex = exchange();
      ex.limit(2, 'SELL', 2, 100);
      ex.limit(2, 'SELL', 3, 101);
      ex.limit(2, 'SELL', 5, 102);
      return ex;
    }

    it('that can fill completely fills across several levels', () => {
      const ex = withAsks();
      const applied = ex.limit(1, 'BUY', 5, 101, 'FOK');
      expect(applied.result.order).toMatchObject({ status: 'FILLED', executedQty: 5 });
      expect(fills(applied)).toEqual([
        [100, 2],
        [101, 3],
      ]);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(1000 - 200 - 303), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('that cannot fill completely changes nothing', () => {
      const ex = withAsks().fund(1, 'USDT', 1000);
      const asksBefore = ex.bookOrders('SELL').map((o) => [o.orderId, o.origQty - o.executedQty]);
      const applied = ex.limit(1, 'BUY', 11, 102, 'FOK');
      expect(applied.result.code).toBe('OK');
      expect(applied.result.order).toMatchObject({ status: 'EXPIRED', executedQty: 0 });
      expect(applied.events.map((e) => e.type)).toEqual(['order']);
      expect(ex.bookOrders('SELL').map((o) => [o.orderId, o.origQty - o.executedQty])).toEqual(asksBefore);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(2000), locked: 0n });
      expect(ex.balance(2, 'BTC')).toEqual({ free: 0n, locked: u(10) });
      expect(validate(ex.state)).toEqual([]);
    });

    it('counts only the levels within its limit price', () => {
      const ex = withAsks();
      // 10 lots rest in all, but only 5 at 101 or better.
      const applied = ex.limit(1, 'BUY', 6, 101, 'FOK');
      expect(applied.result.order).toMatchObject({ status: 'EXPIRED', executedQty: 0 });
      expect(tradesIn(applied)).toEqual([]);
      expect(ex.state.markets.get('BTCUSDT')?.book.size).toBe(3);
      expect(validate(ex.state)).toEqual([]);
    });

    it('a sell that cannot fill completely changes nothing', () => {
      const ex = exchange();
      ex.limit(1, 'BUY', 2, 100);
      const applied = ex.limit(2, 'SELL', 3, 100, 'FOK');
      expect(applied.result.order?.status).toBe('EXPIRED');
      expect(tradesIn(applied)).toEqual([]);
      expect(ex.balance(2, 'BTC')).toEqual({ free: u(10), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('LIMIT_MAKER', () => {
    it('rests when it would not cross', () => {
      const ex = exchange();
      ex.limit(2, 'SELL', 1, 101);
      const { result } = ex.place(1, 'BUY', 'LIMIT_MAKER', 2, 100);
      expect(result.order).toMatchObject({ status: 'NEW', orderType: 'LIMIT_MAKER', timeInForce: 'GTC' });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(800), locked: u(200) });
      expect(validate(ex.state)).toEqual([]);
    });

    it('is rejected ORDER_WOULD_MATCH when it would take, even at an equal price', () => {
      const ex = exchange();
      ex.limit(2, 'SELL', 1, 100);
      const applied = ex.place(1, 'BUY', 'LIMIT_MAKER', 1, 100);
      expect(applied.result.code).toBe('ORDER_WOULD_MATCH');
      expect(applied.events).toEqual([]);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(1000), locked: 0n });
      expect(ex.state.markets.get('BTCUSDT')?.book.size).toBe(1);
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('MARKET', () => {
    it('a buy by quantity sweeps several ask levels, each at the maker price', () => {
      const ex = exchange();
      ex.limit(2, 'SELL', 1, 100);
      ex.limit(2, 'SELL', 2, 101);
      ex.limit(2, 'SELL', 3, 105);
      const applied = ex.marketOrder(1, 'BUY', 4);
      expect(fills(applied)).toEqual([
        [100, 1],
        [101, 2],
        [105, 1],
      ]);
      expect(applied.result.order).toMatchObject({ status: 'FILLED', executedQty: 4, cumQuote: u(407) });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(1000 - 407), locked: 0n });
      expect(ex.balance(1, 'BTC')).toEqual({ free: u(4), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a sell by quantity sweeps the bids best first', () => {
      const ex = exchange();
      ex.limit(1, 'BUY', 1, 90);
      ex.limit(1, 'BUY', 1, 100);
      ex.limit(1, 'BUY', 1, 95);
      const applied = ex.marketOrder(2, 'SELL', 3);
      expect(fills(applied)).toEqual([
        [100, 1],
        [95, 1],
        [90, 1],
      ]);
      expect(ex.balance(2, 'USDT')).toEqual({ free: u(285), locked: 0n });
      expect(ex.balance(2, 'BTC')).toEqual({ free: u(7), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('on an empty side is accepted and EXPIRED with no fill', () => {
      const ex = exchange();
      const buy = ex.marketOrder(1, 'BUY', 1);
      const sell = ex.marketOrder(2, 'SELL', 1);
      for (const { result } of [buy, sell]) {
        expect(result.code).toBe('OK');
        expect(result.order).toMatchObject({ status: 'EXPIRED', executedQty: 0, price: 0 });
      }
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(1000), locked: 0n });
      expect(ex.balance(2, 'BTC')).toEqual({ free: u(10), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('a buy the book cannot fill expires the remainder and keeps nothing locked', () => {
      const ex = exchange();
      ex.limit(2, 'SELL', 1, 100);
      ex.limit(2, 'SELL', 2, 101);
      const applied = ex.marketOrder(1, 'BUY', 10);
      expect(applied.result.order).toMatchObject({ status: 'EXPIRED', executedQty: 3, cumQuote: u(302) });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(698), locked: 0n });
      expect(ex.state.markets.get('BTCUSDT')?.book.size).toBe(0);
      expect(validate(ex.state)).toEqual([]);
    });

    it('a sell the book cannot fill expires the remainder and gives back the unsold base', () => {
      const ex = exchange();
      ex.limit(1, 'BUY', 2, 100);
      const applied = ex.marketOrder(2, 'SELL', 5);
      expect(applied.result.order).toMatchObject({ status: 'EXPIRED', executedQty: 2 });
      expect(ex.balance(2, 'BTC')).toEqual({ free: u(8), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('never rests', () => {
      const ex = exchange();
      ex.limit(2, 'SELL', 1, 100);
      const { result } = ex.marketOrder(1, 'BUY', 2);
      expect(ex.order(result.order!.orderId)).toBeUndefined();
      expect(ex.state.orders.size).toBe(0);
      expect(ex.state.markets.get('BTCUSDT')?.book.size).toBe(0);
      expect(validate(ex.state)).toEqual([]);
    });

    it('a buy that cannot pay for what the book would give it is rejected', () => {
      const ex = exchange();
      ex.limit(2, 'SELL', 10, 101);
      const tooMuch = ex.marketOrder(1, 'BUY', 10); // 1,010 USDT, account 1 has 1,000
      expect(tooMuch.result.code).toBe('INSUFFICIENT_BALANCE');
      expect(tooMuch.events).toEqual([]);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(1000), locked: 0n });
      expect(ex.marketOrder(1, 'BUY', 9).result.order?.status).toBe('FILLED'); // 909 USDT
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe("the store's capacity", () => {
    it('refuses any new order while the store holds its limit, changing nothing, and takes one again once one closes', () => {
      const ex = exchange();
      ex.state.store.limit = 2;
      const first = ex.limit(1, 'BUY', 1, 100);
      ex.limit(1, 'BUY', 1, 99);
      // Everything but the command count (seq), which every command moves.
      const withoutSeq = () => ({ ...snapshot(ex.state), seq: 0 });
      const before = withoutSeq();
      for (const refused of [
        ex.limit(1, 'BUY', 1, 98),
        ex.limit(2, 'SELL', 1, 100, 'IOC'),
        ex.place(2, 'SELL', 'MARKET', 1),
      ]) {
        expect(refused.result.code).toBe('ORDER_CAPACITY');
        expect(refused.events).toEqual([]);
      }
      expect(withoutSeq()).toEqual(before);
      expect(ex.cancel(1, first.result.order!.orderId).result.code).toBe('OK');
      expect(ex.limit(2, 'SELL', 1, 99).result.order?.status).toBe('FILLED');
      expect(validate(ex.state)).toEqual([]);
    });

    it('reserved up front, holds that many orders without growing, and the state is the same as without', () => {
      const big = () =>
        new Exchange(kind).market({ maxNumOrders: 10_000 }).fund(1, 'USDT', 1_000_000).fund(2, 'BTC', 10_000);
      const plain = big();
      const reserved = big();
      reserveOrders(reserved.state, 5000);
      expect(reserved.state.store.reserved).toBe(5000);
      for (const ex of [plain, reserved]) {
        for (let i = 0; i < 3000; i++)
          ex.limit(1 + (i % 2), i % 2 === 0 ? 'BUY' : 'SELL', 1, i % 2 === 0 ? 50 : 150);
        ex.limit(2, 'SELL', 5, 50, 'IOC'); // fills and frees five slots, reused by the next five
        for (let i = 0; i < 1995; i++) ex.limit(2, 'SELL', 1, 151);
        expect(validate(ex.state)).toEqual([]);
      }
      expect(reserved.state.store.live).toBe(4990);
      expect(reserved.state.store.reserved).toBe(5000); // never grown
      expect(plain.state.store.reserved).toBe(16_384); // grown fourfold from 1,024, twice
      expect(stateHash(reserved.state)).toBe(stateHash(plain.state));
      // Beyond what was reserved it grows as before; reserving less than it has changes nothing.
      reserved.limit(1, 'BUY', 1, 49);
      for (let i = 0; i < 10; i++) reserved.limit(2, 'SELL', 1, 152);
      expect(reserved.state.store.live).toBe(5001);
      expect(reserved.state.store.reserved).toBe(20_000);
      reserveOrders(reserved.state, 10);
      expect(reserved.state.store.reserved).toBe(20_000);
      expect(validate(reserved.state)).toEqual([]);
    });

    it('reserves at most MAX_SLOTS', () => {
      const ex = exchange();
      const store = ex.state.store;
      // Without allocating 2 GiB: a store past MAX_SLOTS would need one; resize is what reserve calls.
      let asked = 0;
      (store as unknown as { resize(n: number): void }).resize = (n) => {
        asked = n;
      };
      reserveOrders(ex.state, MAX_SLOTS * 4);
      expect(asked).toBe(MAX_SLOTS);
    });

    it("is at most MAX_SLOTS, where a record's byte index still fits in 31 bits", () => {
      expect(exchange().state.store.limit).toBe(MAX_SLOTS);
      expect(((MAX_SLOTS - 1) << 7) + 127).toBe((MAX_SLOTS - 1) * 128 + 127);
      expect(MAX_SLOTS << 7).toBeLessThan(0); // one more would wrap
    });
  });

  describe('cancel', () => {
    it('with cancel restrictions, cancels only an order in that state', () => {
      const ex = exchange();
      const fresh = ex.limit(1, 'BUY', 2, 100).result.order!;
      const partly = ex.limit(1, 'BUY', 2, 101).result.order!;
      ex.limit(2, 'SELL', 1, 101); // partly fills the second
      const cancel = (orderId: number, restriction: string) =>
        ex.run({
          type: 'cancelOrder',
          accountId: 1,
          symbol: 'BTCUSDT',
          orderId,
          restriction,
          timestamp: 9,
        } as never);
      const stateOf = () => ({ ...snapshot(ex.state), seq: 0 });
      const before = stateOf();
      for (const [id, restriction] of [
        [fresh.orderId, 'ONLY_PARTIALLY_FILLED'],
        [partly.orderId, 'ONLY_NEW'],
      ] as const) {
        const refused = cancel(id, restriction);
        expect(refused.result.code).toBe('CANCEL_RESTRICTED');
        expect(refused.events).toEqual([]);
      }
      expect(cancel(fresh.orderId, 'SOMETIMES').result.code).toBe('PARAMETER_NOT_ALLOWED');
      expect(stateOf()).toEqual(before);
      expect(cancel(fresh.orderId, 'ONLY_NEW').result.order?.status).toBe('CANCELED');
      expect(cancel(partly.orderId, 'ONLY_PARTIALLY_FILLED').result.order?.status).toBe('CANCELED');
      expect(validate(ex.state)).toEqual([]);
    });

    it('by orderId releases the funds and returns CANCELED', () => {
      const ex = exchange();
      const placed = ex.limit(1, 'BUY', 2, 100).result.order!;
      const { result, events } = ex.cancel(1, placed.orderId);
      expect(result.code).toBe('OK');
      expect(result.order).toMatchObject({ orderId: placed.orderId, status: 'CANCELED' });
      expect(events).toContainEqual(expect.objectContaining({ type: 'order', status: 'CANCELED' }));
      expect(ex.order(placed.orderId)).toBeUndefined();
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(1000), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('by clientOrderId releases the funds and returns CANCELED', () => {
      const ex = exchange();
      ex.limit(2, 'SELL', 3, 100, 'GTC', { clientOrderId: 'my-sell' });
      const { result } = ex.run({
        type: 'cancelOrder',
        accountId: 2,
        symbol: 'BTCUSDT',
        clientOrderId: 'my-sell',
        timestamp: ++ex.time,
      });
      expect(result.order).toMatchObject({ clientOrderId: 'my-sell', status: 'CANCELED' });
      expect(ex.balance(2, 'BTC')).toEqual({ free: u(10), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });

    it('with both ids needs the order found by orderId to carry that clientOrderId', () => {
      const ex = exchange();
      const placed = ex.limit(2, 'SELL', 3, 100, 'GTC', { clientOrderId: 'my-sell' });
      const orderId = placed.result.order!.orderId;
      const cancel = (clientOrderId: string) =>
        ex.run({
          type: 'cancelOrder',
          accountId: 2,
          symbol: 'BTCUSDT',
          orderId,
          clientOrderId,
          timestamp: ++ex.time,
        });
      const mismatch = cancel('someone-else');
      expect(mismatch.result.code).toBe('UNKNOWN_ORDER');
      expect(mismatch.events).toEqual([]);
      expect(ex.order(orderId)?.status).toBe('NEW');
      expect(cancel('my-sell').result.order).toMatchObject({ orderId, status: 'CANCELED' });
      expect(validate(ex.state)).toEqual([]);
    });

    it('of a filled order is UNKNOWN_ORDER', () => {
      const ex = exchange();
      const maker = ex.limit(2, 'SELL', 1, 100).result.order!;
      ex.limit(1, 'BUY', 1, 100);
      const applied = ex.cancel(2, maker.orderId);
      expect(applied.result.code).toBe('UNKNOWN_ORDER');
      expect(applied.events).toEqual([]);
      expect(validate(ex.state)).toEqual([]);
    });

    it("of another account's order is UNKNOWN_ORDER and leaves it resting", () => {
      const ex = exchange();
      const placed = ex.limit(1, 'BUY', 1, 100).result.order!;
      const applied = ex.cancel(2, placed.orderId);
      expect(applied.result.code).toBe('UNKNOWN_ORDER');
      expect(applied.events).toEqual([]);
      expect(ex.order(placed.orderId)?.status).toBe('NEW');
      expect(validate(ex.state)).toEqual([]);
    });

    it('of an order in another symbol is UNKNOWN_ORDER', () => {
      const ex = exchange().market({ symbol: 'ETHUSDT', baseAsset: 'ETH' });
      const placed = ex.limit(1, 'BUY', 1, 100).result.order!;
      expect(ex.cancel(1, placed.orderId, 'ETHUSDT').result.code).toBe('UNKNOWN_ORDER');
      expect(ex.order(placed.orderId)?.status).toBe('NEW');
      expect(validate(ex.state)).toEqual([]);
    });

    it("cancelAllOrders cancels only that account's orders in that symbol, oldest first", () => {
      const ex = exchange().market({ symbol: 'ETHUSDT', baseAsset: 'ETH' });
      ex.fund(3, 'USDT', 1000);
      const a = ex.limit(1, 'BUY', 1, 90).result.order!.orderId;
      const other = ex.limit(3, 'BUY', 1, 90).result.order!.orderId;
      const b = ex.limit(1, 'BUY', 1, 80).result.order!.orderId;
      const eth = ex.limit(1, 'BUY', 1, 10, 'GTC', { symbol: 'ETHUSDT' }).result.order!.orderId;
      const c = ex.limit(1, 'BUY', 1, 95).result.order!.orderId;

      const { result } = ex.run({ type: 'cancelAllOrders', accountId: 1, symbol: 'BTCUSDT', timestamp: 1 });
      expect(result.code).toBe('OK');
      expect(result.canceled?.map((o) => [o.orderId, o.status])).toEqual([
        [a, 'CANCELED'],
        [b, 'CANCELED'],
        [c, 'CANCELED'],
      ]);
      expect(ex.order(other)?.status).toBe('NEW');
      expect(ex.order(eth)?.status).toBe('NEW');
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(990), locked: u(10) });
      expect(validate(ex.state)).toEqual([]);
    });

    it('cancelAllOrders with nothing open is UNKNOWN_ORDER', () => {
      const ex = exchange();
      const applied = ex.run({ type: 'cancelAllOrders', accountId: 1, symbol: 'BTCUSDT', timestamp: 1 });
      expect(applied.result.code).toBe('UNKNOWN_ORDER');
      expect(applied.events).toEqual([]);
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('clientOrderId', () => {
    it("follows Binance's pattern ^[.A-Z:/a-z0-9_-]{1,36}$", () => {
      const ex = exchange();
      for (const ok of ['x-TD67BGP9-grid.v1:a/7', 'A', 'a'.repeat(36)]) {
        expect(ex.limit(1, 'BUY', 1, 100, 'GTC', { clientOrderId: ok }).result.code).toBe('OK');
      }
      for (const bad of ['', 'a b', 'a+b', 'é', 'a'.repeat(37), 'a;b']) {
        expect(ex.limit(1, 'BUY', 1, 100, 'GTC', { clientOrderId: bad }).result.code).toBe(
          'INVALID_CLIENT_ORDER_ID',
        );
      }
      expect(validate(ex.state)).toEqual([]);
    });

    it('a duplicate among open orders is rejected DUPLICATE_CLIENT_ORDER_ID', () => {
      const ex = exchange();
      ex.limit(1, 'BUY', 1, 100, 'GTC', { clientOrderId: 'abc' });
      const applied = ex.limit(1, 'BUY', 1, 99, 'GTC', { clientOrderId: 'abc' });
      expect(applied.result.code).toBe('DUPLICATE_CLIENT_ORDER_ID');
      expect(applied.events).toEqual([]);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(900), locked: u(100) });
      expect(validate(ex.state)).toEqual([]);
    });

    it('is free again once the first order is cancelled or filled', () => {
      const ex = exchange();
      const first = ex.limit(1, 'BUY', 1, 100, 'GTC', { clientOrderId: 'abc' }).result.order!;
      ex.cancel(1, first.orderId);
      expect(ex.limit(1, 'BUY', 1, 100, 'GTC', { clientOrderId: 'abc' }).result.code).toBe('OK');
      ex.limit(2, 'SELL', 1, 100); // fills the second one
      expect(ex.limit(1, 'BUY', 1, 100, 'GTC', { clientOrderId: 'abc' }).result.code).toBe('OK');
      expect(validate(ex.state)).toEqual([]);
    });

    it('the same id may be open in another account', () => {
      const ex = exchange();
      ex.limit(1, 'BUY', 1, 90, 'GTC', { clientOrderId: 'abc' });
      expect(ex.limit(2, 'SELL', 1, 110, 'GTC', { clientOrderId: 'abc' }).result.code).toBe('OK');
      expect(validate(ex.state)).toEqual([]);
    });
  });
});
