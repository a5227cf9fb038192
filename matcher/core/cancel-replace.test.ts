// One test per rule of cancelReplace (Binance's order.cancelReplace). The market trades whole BTC for whole
// USDT (a tick is 1 USDT, a lot 1 BTC) without fees, so balances read in whole units.

import { describe, expect, it } from 'vitest';
import { validate } from './audit.ts';
import type { CancelReplace, Command, ReplacementOrder } from './commands.ts';
import type { Applied } from './engine.ts';
import type { OrderUpdate, Trade } from './events.ts';
import type { Lots, Ticks } from './money.ts';
import { snapshot } from './snapshot.ts';
import { Exchange, WHOLE } from './test-kit.ts';

/** Whole units of an asset in units of 1e-8. */
const u = (whole: number | bigint): bigint => BigInt(whole) * WHOLE;
const tradesIn = ({ events }: Applied): Trade[] => events.filter((e): e is Trade => e.type === 'trade');
/** The state as plain data, less the command counter that every command moves. */
const stateOf = (ex: Exchange) => ({ ...snapshot(ex.state), seq: 0 });
/** The orderId of a placed order. */
const idOf = (applied: Applied): number => applied.result.order!.orderId;

/** The order a cancelReplace placed. */
function placedBy({ result }: Applied): OrderUpdate {
  const placed = result.newOrderResult;
  if (placed === undefined || placed === 'NOT_ATTEMPTED' || placed.order === undefined) {
    throw new Error(`no new order: ${JSON.stringify(result)}`);
  }
  return placed.order;
}

/** A LIMIT GTC order for a cancelReplace. */
const limit = (side: 'BUY' | 'SELL', quantity: number, price: number, extra = {}): ReplacementOrder => ({
  side,
  orderType: 'LIMIT',
  timeInForce: 'GTC',
  quantity: quantity as Lots,
  price: price as Ticks,
  ...extra,
});

/** Cancels account `accountId`'s order `target` (orderId or clientOrderId) on BTCUSDT and places `order`. */
function replace(
  ex: Exchange,
  accountId: number,
  target: number | string,
  order: ReplacementOrder,
  mode: CancelReplace['mode'] = 'STOP_ON_FAILURE',
): Applied {
  const id = typeof target === 'number' ? { cancelOrderId: target } : { cancelClientOrderId: target };
  return ex.run({
    type: 'cancelReplace',
    accountId,
    symbol: 'BTCUSDT',
    ...id,
    mode,
    order,
    timestamp: ++ex.time,
  });
}

describe.each(['fast', 'reference'] as const)('cancelReplace (%s book)', (kind) => {
  /** A fee-free BTCUSDT market; account 1 has 1,000 USDT, accounts 2 and 3 have 10 BTC each. */
  function exchange(): Exchange {
    return new Exchange(kind).market().fund(1, 'USDT', 1000).fund(2, 'BTC', 10).fund(3, 'BTC', 10);
  }

  describe('STOP_ON_FAILURE', () => {
    it('cancels the order and places the new one, which gets a new id', () => {
      const ex = exchange();
      const old = idOf(ex.limit(1, 'BUY', 5, 100));
      const applied = replace(ex, 1, old, limit('BUY', 2, 90));
      expect(applied.result.code).toBe('OK');
      expect(applied.result.cancelResult?.order).toMatchObject({ orderId: old, status: 'CANCELED' });
      const placed = placedBy(applied);
      expect(placed).toMatchObject({ status: 'NEW', origQty: 2, price: 90 });
      expect(placed.orderId).toBeGreaterThan(old);
      expect(ex.order(old)).toBeUndefined();
      expect(ex.bookOrders('BUY').map((o) => o.orderId)).toEqual([placed.orderId]);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(820), locked: u(180) });
      expect(validate(ex.state)).toEqual([]);
    });

    it('the new order goes to the back of the queue', () => {
      const ex = exchange();
      const first = idOf(ex.limit(2, 'SELL', 2, 100));
      const second = idOf(ex.limit(3, 'SELL', 2, 100));
      const third = placedBy(replace(ex, 2, first, limit('SELL', 2, 100))).orderId;
      expect(ex.bookOrders('SELL').map((o) => o.orderId)).toEqual([second, third]);
      const taker = ex.limit(1, 'BUY', 3, 100);
      expect(tradesIn(taker).map((t) => [t.sellerOrderId, t.qty])).toEqual([
        [second, 2],
        [third, 1],
      ]);
      expect(validate(ex.state)).toEqual([]);
    });

    it('emits the cancelled order, the new order, then each changed balance once', () => {
      const ex = exchange();
      const old = idOf(ex.limit(1, 'BUY', 5, 100));
      const { events } = replace(ex, 1, old, limit('BUY', 2, 90));
      expect(events.map((e) => (e.type === 'order' ? [e.orderId, e.status] : e.type))).toEqual([
        [old, 'CANCELED'],
        [old + 1, 'NEW'],
        'balance',
      ]);
      expect(events[2]).toEqual({
        type: 'balance',
        accountId: 1,
        asset: 'USDT',
        free: u(820),
        locked: u(180),
      });
      expect(validate(ex.state)).toEqual([]);
    });

    it('an unknown order fails the whole command, changing nothing', () => {
      const ex = exchange();
      ex.limit(1, 'BUY', 5, 100);
      const before = stateOf(ex);
      const { result, events } = replace(ex, 1, 999, limit('BUY', 2, 90));
      expect(result).toEqual({
        code: 'CANCEL_REPLACE_FAILED',
        cancelResult: { code: 'UNKNOWN_ORDER' },
        newOrderResult: 'NOT_ATTEMPTED',
      });
      expect(events).toEqual([]);
      expect(stateOf(ex)).toEqual(before);
      expect(validate(ex.state)).toEqual([]);
    });

    it('another account’s order is unknown', () => {
      const ex = exchange();
      const theirs = idOf(ex.limit(2, 'SELL', 5, 100));
      const before = stateOf(ex);
      const { result, events } = replace(ex, 3, theirs, limit('SELL', 1, 100));
      expect(result.code).toBe('CANCEL_REPLACE_FAILED');
      expect(result.cancelResult?.code).toBe('UNKNOWN_ORDER');
      expect(events).toEqual([]);
      expect(stateOf(ex)).toEqual(before);
    });

    it.each([
      ['INSUFFICIENT_BALANCE', limit('BUY', 10, 200)],
      ['LOT_SIZE', limit('BUY', 11, 10)],
    ])('a rejected new order (%s) leaves the cancel done', (code, order) => {
      const ex = new Exchange(kind).market({ maxQty: 10 as Lots }).fund(1, 'USDT', 1000);
      const old = idOf(ex.limit(1, 'BUY', 5, 100));
      const { result, events } = replace(ex, 1, old, order);
      expect(result.code).toBe('OK');
      expect(result.cancelResult?.order).toMatchObject({ orderId: old, status: 'CANCELED' });
      expect(result.newOrderResult).toEqual({ code });
      expect(events.map((e) => e.type)).toEqual(['order', 'balance']);
      expect(ex.order(old)).toBeUndefined();
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(1000), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });
  });

  it.each(['STOP_ON_FAILURE', 'ALLOW_FAILURE'] as const)(
    'a malformed new order is a malformed request: nothing happens, the cancel included (%s)',
    (mode) => {
      const ex = exchange();
      const old = idOf(ex.limit(1, 'BUY', 5, 100));
      const before = stateOf(ex);
      const { result, events } = replace(ex, 1, old, {} as ReplacementOrder, mode);
      expect(result.code).toBe('INVALID_SIDE');
      expect(events).toEqual([]);
      expect(stateOf(ex)).toEqual(before);
      expect(ex.order(old)).toMatchObject({ status: 'NEW' });
      expect(validate(ex.state)).toEqual([]);
    },
  );

  describe('ALLOW_FAILURE', () => {
    it('places the new order even when the cancel fails', () => {
      const ex = exchange();
      const { result, events } = replace(ex, 1, 999, limit('BUY', 2, 90), 'ALLOW_FAILURE');
      expect(result.code).toBe('OK');
      expect(result.cancelResult).toEqual({ code: 'UNKNOWN_ORDER' });
      expect(result.newOrderResult).toMatchObject({ code: 'OK', order: { status: 'NEW', origQty: 2 } });
      expect(events.map((e) => e.type)).toEqual(['order', 'balance']);
      expect(ex.bookOrders('BUY')).toHaveLength(1);
      expect(validate(ex.state)).toEqual([]);
    });

    it('with both halves failing, fails the whole command and changes nothing', () => {
      const ex = exchange();
      ex.limit(1, 'BUY', 5, 100);
      const before = stateOf(ex);
      const { result, events } = replace(ex, 1, 999, limit('BUY', 20, 100), 'ALLOW_FAILURE');
      expect(result).toEqual({
        code: 'CANCEL_REPLACE_FAILED',
        cancelResult: { code: 'UNKNOWN_ORDER' },
        newOrderResult: { code: 'INSUFFICIENT_BALANCE' },
      });
      expect(events).toEqual([]);
      expect(stateOf(ex)).toEqual(before);
      expect(validate(ex.state)).toEqual([]);
    });

    it('with both halves succeeding, does both', () => {
      const ex = exchange();
      const old = idOf(ex.limit(1, 'BUY', 5, 100));
      const { result } = replace(ex, 1, old, limit('BUY', 2, 90), 'ALLOW_FAILURE');
      expect(result.code).toBe('OK');
      expect(result.cancelResult?.code).toBe('OK');
      expect(result.newOrderResult).toMatchObject({ code: 'OK' });
      expect(ex.bookOrders('BUY').map((o) => [o.price, o.origQty])).toEqual([[90, 2]]);
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('the new order sees the state after the cancel', () => {
    it('it may reuse the cancelled order’s clientOrderId', () => {
      const ex = exchange();
      const old = idOf(ex.limit(1, 'BUY', 5, 100, 'GTC', { clientOrderId: 'mine' }));
      const { result } = replace(ex, 1, 'mine', limit('BUY', 2, 90, { clientOrderId: 'mine' }));
      expect(result.code).toBe('OK');
      expect(result.cancelResult?.order).toMatchObject({ orderId: old, status: 'CANCELED' });
      expect(result.newOrderResult).toMatchObject({ code: 'OK', order: { clientOrderId: 'mine' } });
      const cancel = ex.run({
        type: 'cancelOrder',
        accountId: 1,
        symbol: 'BTCUSDT',
        clientOrderId: 'mine',
        timestamp: ++ex.time,
      });
      expect(cancel.result.order).toMatchObject({ orderId: old + 1, status: 'CANCELED' });
      expect(validate(ex.state)).toEqual([]);
    });

    it('the funds the cancel gives back can pay for the new order', () => {
      const ex = new Exchange(kind).market().fund(1, 'USDT', 200);
      const old = idOf(ex.limit(1, 'BUY', 2, 100));
      expect(ex.limit(1, 'BUY', 4, 50).result.code).toBe('INSUFFICIENT_BALANCE');
      const { result } = replace(ex, 1, old, limit('BUY', 4, 50));
      expect(result.newOrderResult).toMatchObject({ code: 'OK', order: { status: 'NEW' } });
      expect(ex.balance(1, 'USDT')).toEqual({ free: 0n, locked: u(200) });
      expect(validate(ex.state)).toEqual([]);
    });

    it('the open order the cancel closes makes room under MAX_NUM_ORDERS', () => {
      const ex = new Exchange(kind).market({ maxNumOrders: 1 }).fund(1, 'USDT', 1000);
      const old = idOf(ex.limit(1, 'BUY', 2, 100));
      expect(ex.limit(1, 'BUY', 1, 90).result.code).toBe('MAX_NUM_ORDERS');
      const { result } = replace(ex, 1, old, limit('BUY', 1, 90));
      expect(result.newOrderResult).toMatchObject({ code: 'OK' });
      expect(validate(ex.state)).toEqual([]);
    });

    it('it can trade at once, against the book the cancel left', () => {
      const ex = exchange();
      const old = idOf(ex.limit(1, 'BUY', 5, 90));
      ex.limit(2, 'SELL', 3, 100);
      const applied = replace(ex, 1, old, limit('BUY', 2, 100));
      expect(tradesIn(applied).map((t) => [t.price, t.qty])).toEqual([[100, 2]]);
      expect(applied.result.newOrderResult).toMatchObject({ order: { status: 'FILLED' } });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(800), locked: 0n });
      expect(validate(ex.state)).toEqual([]);
    });
  });

  it('places the new order for the command’s own account and symbol, whatever the order carries', () => {
    const ex = exchange();
    const old = idOf(ex.limit(1, 'BUY', 5, 100));
    const order = { ...limit('BUY', 2, 90), accountId: 2, symbol: 'ETHUSDT', type: 'cancelOrder' };
    const { result } = replace(ex, 1, old, order as ReplacementOrder);
    expect(result.newOrderResult).toMatchObject({ code: 'OK', order: { accountId: 1, symbol: 'BTCUSDT' } });
    expect(validate(ex.state)).toEqual([]);
  });

  describe('rejects a malformed command without throwing, changing nothing', () => {
    const good = { type: 'cancelReplace', accountId: 1, symbol: 'BTCUSDT', mode: 'STOP_ON_FAILURE' };

    it.each([
      ['no mode', { mode: undefined }, 'PARAMETER_REQUIRED'],
      ['an unknown mode', { mode: 'SOMETIMES' }, 'PARAMETER_REQUIRED'],
      ['no order', { order: undefined }, 'PARAMETER_REQUIRED'],
      ['a null order', { order: null }, 'PARAMETER_REQUIRED'],
      ['an order that is a string', { order: 'BUY 2 @ 90' }, 'PARAMETER_REQUIRED'],
      ['an order that is an array', { order: [] }, 'PARAMETER_REQUIRED'],
      ['neither cancel id', { cancelOrderId: undefined }, 'CANCEL_REPLACE_FAILED'],
      ['an accountId that is not a positive integer', { accountId: '1' }, 'INVALID_ACCOUNT'],
      ['no timestamp', { timestamp: undefined }, 'PARAMETER_REQUIRED'],
    ])('with %s', (_, fields, code) => {
      const ex = exchange();
      const old = idOf(ex.limit(1, 'BUY', 5, 100));
      const before = stateOf(ex);
      const cmd = {
        ...good,
        cancelOrderId: old,
        order: limit('BUY', 2, 90),
        timestamp: ++ex.time,
        ...fields,
      };
      const { result, events } = ex.run(cmd as Command);
      expect(result.code).toBe(code);
      expect(events).toEqual([]);
      expect(stateOf(ex)).toEqual(before);
      expect(validate(ex.state)).toEqual([]);
    });

    it('a null command', () => {
      const ex = exchange();
      const before = stateOf(ex);
      const { result, events } = ex.run(null as unknown as Command);
      expect(result.code).toBe('UNKNOWN_COMMAND');
      expect(events).toEqual([]);
      expect(stateOf(ex)).toEqual(before);
    });
  });
});
