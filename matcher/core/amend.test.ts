// One test per rule of amendOrder (Binance's order.amend.keepPriority). The market trades whole BTC for whole
// USDT (a tick is 1 USDT, a lot 1 BTC) without fees, so balances read in whole units.

import { describe, expect, it } from 'vitest';
import { validate } from './audit.ts';
import type { AmendOrder, Command } from './commands.ts';
import type { Applied } from './engine.ts';
import type { Trade } from './events.ts';
import type { Lots, Units } from './money.ts';
import { snapshot } from './snapshot.ts';
import { Exchange, WHOLE } from './test-kit.ts';

/** Whole units of an asset in units of 1e-8. */
const u = (whole: number | bigint): bigint => BigInt(whole) * WHOLE;
const tradesIn = ({ events }: Applied): Trade[] => events.filter((e): e is Trade => e.type === 'trade');
/** The state as plain data, less the command counter that every command moves. */
const stateOf = (ex: Exchange) => ({ ...snapshot(ex.state), seq: 0 });

/** Amends an order of `accountId` on BTCUSDT; `target` names it by orderId or clientOrderId. */
function amend(
  ex: Exchange,
  accountId: number,
  target: number | string,
  newQty: number,
  extra: Partial<AmendOrder> = {},
): Applied {
  const id = typeof target === 'number' ? { orderId: target } : { clientOrderId: target };
  return ex.run({
    type: 'amendOrder',
    accountId,
    symbol: 'BTCUSDT',
    ...id,
    newQty: newQty as Lots,
    timestamp: ++ex.time,
    ...extra,
  });
}

/** The orderId of a placed order. */
const idOf = (applied: Applied): number => applied.result.order!.orderId;

describe.each(['fast', 'reference'] as const)('amendOrder (%s book)', (kind) => {
  /** A fee-free BTCUSDT market; account 1 has 1,000 USDT, accounts 2 and 3 have 10 BTC each. */
  function exchange(): Exchange {
    return new Exchange(kind).market().fund(1, 'USDT', 1000).fund(2, 'BTC', 10).fund(3, 'BTC', 10);
  }

  it('keeps the order in its place in the queue', () => {
    const ex = exchange();
    const first = idOf(ex.limit(2, 'SELL', 5, 100));
    const second = idOf(ex.limit(3, 'SELL', 5, 100));
    expect(amend(ex, 2, first, 2).result.code).toBe('OK');
    expect(ex.bookOrders('SELL').map((o) => o.orderId)).toEqual([first, second]);
    const taker = ex.limit(1, 'BUY', 3, 100);
    expect(tradesIn(taker).map((t) => [t.sellerOrderId, t.qty])).toEqual([
      [first, 2],
      [second, 1],
    ]);
    expect(validate(ex.state)).toEqual([]);
  });

  it('a buy gives back the price × removed quantity of quote it held', () => {
    const ex = exchange();
    const id = idOf(ex.limit(1, 'BUY', 5, 100));
    expect(ex.balance(1, 'USDT')).toEqual({ free: u(500), locked: u(500) });
    amend(ex, 1, id, 2);
    expect(ex.balance(1, 'USDT')).toEqual({ free: u(800), locked: u(200) });
    expect(validate(ex.state)).toEqual([]);
  });

  it('a sell gives back the removed quantity of base it held', () => {
    const ex = exchange();
    const id = idOf(ex.limit(2, 'SELL', 5, 100));
    amend(ex, 2, id, 3);
    expect(ex.balance(2, 'BTC')).toEqual({ free: u(7), locked: u(3) });
    expect(validate(ex.state)).toEqual([]);
  });

  it('gives back exactly the removed part on a market with fine ticks and lots', () => {
    // tick 0.01 USDT, lot 0.0001 BTC: a tick × a lot is 100 units of USDT.
    const ex = new Exchange(kind)
      .market({ tickSize: 1_000_000n as Units, stepSize: 10_000n as Units })
      .fund(1, 'USDT', 100)
      .fund(2, 'BTC', 1);
    const buy = idOf(ex.limit(1, 'BUY', 5, 3_000_000)); // 0.0005 BTC at 30,000.00: 15 USDT
    const sell = idOf(ex.limit(2, 'SELL', 7, 3_100_000)); // 0.0007 BTC
    amend(ex, 1, buy, 2);
    amend(ex, 2, sell, 4);
    expect(ex.balance(1, 'USDT')).toEqual({ free: u(94), locked: u(6) });
    expect(ex.balance(2, 'BTC')).toEqual({ free: 99_960_000n, locked: 40_000n });
    expect(validate(ex.state)).toEqual([]);
  });

  it('a partially filled order can go down to just above what has executed', () => {
    const ex = exchange();
    const id = idOf(ex.limit(2, 'SELL', 5, 100));
    ex.limit(1, 'BUY', 2, 100);
    const { result } = amend(ex, 2, id, 3);
    expect(result.code).toBe('OK');
    expect(result.order).toMatchObject({ origQty: 3, executedQty: 2, status: 'PARTIALLY_FILLED' });
    expect(ex.balance(2, 'BTC')).toEqual({ free: u(7), locked: u(1) });
    expect(validate(ex.state)).toEqual([]);
  });

  it('emits the order with its new quantity and one balance update', () => {
    const ex = exchange();
    const placed = ex.limit(1, 'BUY', 5, 100, 'GTC', { clientOrderId: 'mine' });
    const { result, events } = amend(ex, 1, idOf(placed), 4);
    expect(events).toEqual([
      {
        ...placed.result.order,
        origQty: 4,
        updateTime: ex.time,
      },
      { type: 'balance', accountId: 1, asset: 'USDT', free: u(600), locked: u(400) },
    ]);
    expect(result).toEqual({ code: 'OK', order: events[0] });
    expect(ex.order(idOf(placed))).toEqual(events[0]);
    expect(validate(ex.state)).toEqual([]);
  });

  it('finds the order by clientOrderId', () => {
    const ex = exchange();
    const id = idOf(ex.limit(1, 'BUY', 5, 100, 'GTC', { clientOrderId: 'mine' }));
    const { result } = amend(ex, 1, 'mine', 3);
    expect(result.order).toMatchObject({ orderId: id, origQty: 3, clientOrderId: 'mine' });
    expect(validate(ex.state)).toEqual([]);
  });

  it('with both ids, requires the clientOrderId to be the order’s', () => {
    const ex = exchange();
    const id = idOf(ex.limit(1, 'BUY', 5, 100, 'GTC', { clientOrderId: 'mine' }));
    const before = stateOf(ex);
    const { result, events } = amend(ex, 1, id, 3, { clientOrderId: 'other' });
    expect(result.code).toBe('UNKNOWN_ORDER');
    expect(events).toEqual([]);
    expect(stateOf(ex)).toEqual(before);
    expect(validate(ex.state)).toEqual([]);
  });

  it('newClientOrderId renames the order: the new id finds it, the old one does not', () => {
    const ex = exchange();
    const id = idOf(ex.limit(1, 'BUY', 5, 100, 'GTC', { clientOrderId: 'old' }));
    const { result } = amend(ex, 1, id, 3, { newClientOrderId: 'new' });
    expect(result.order).toMatchObject({ orderId: id, clientOrderId: 'new' });
    expect(amend(ex, 1, 'old', 2).result.code).toBe('UNKNOWN_ORDER');
    const cancel = ex.run({
      type: 'cancelOrder',
      accountId: 1,
      symbol: 'BTCUSDT',
      clientOrderId: 'new',
      timestamp: ++ex.time,
    });
    expect(cancel.result.order).toMatchObject({ orderId: id, status: 'CANCELED' });
    expect(validate(ex.state)).toEqual([]);
  });

  it('frees the old clientOrderId for a new order', () => {
    const ex = exchange();
    const id = idOf(ex.limit(1, 'BUY', 5, 100, 'GTC', { clientOrderId: 'old' }));
    amend(ex, 1, id, 3, { newClientOrderId: 'new' });
    expect(ex.limit(1, 'BUY', 1, 99, 'GTC', { clientOrderId: 'old' }).result.code).toBe('OK');
    expect(validate(ex.state)).toEqual([]);
  });

  it('newClientOrderId gives a name to an order that had none', () => {
    const ex = exchange();
    const id = idOf(ex.limit(1, 'BUY', 5, 100));
    amend(ex, 1, id, 3, { newClientOrderId: 'named' });
    expect(amend(ex, 1, 'named', 2).result.order).toMatchObject({ orderId: id, origQty: 2 });
    expect(validate(ex.state)).toEqual([]);
  });

  it('newClientOrderId may be the order’s own clientOrderId', () => {
    const ex = exchange();
    const id = idOf(ex.limit(1, 'BUY', 5, 100, 'GTC', { clientOrderId: 'mine' }));
    const { result } = amend(ex, 1, id, 3, { newClientOrderId: 'mine' });
    expect(result.order).toMatchObject({ clientOrderId: 'mine', origQty: 3 });
    expect(amend(ex, 1, 'mine', 2).result.code).toBe('OK');
    expect(validate(ex.state)).toEqual([]);
  });

  it('rejects a newClientOrderId another open order of the account has, changing nothing', () => {
    const ex = exchange();
    const id = idOf(ex.limit(1, 'BUY', 5, 100, 'GTC', { clientOrderId: 'a' }));
    ex.limit(1, 'BUY', 1, 99, 'GTC', { clientOrderId: 'b' });
    const before = stateOf(ex);
    const { result, events } = amend(ex, 1, id, 3, { newClientOrderId: 'b' });
    expect(result.code).toBe('DUPLICATE_CLIENT_ORDER_ID');
    expect(events).toEqual([]);
    expect(stateOf(ex)).toEqual(before);
    expect(validate(ex.state)).toEqual([]);
  });

  it('accepts a newClientOrderId another account uses', () => {
    const ex = exchange();
    ex.limit(2, 'SELL', 1, 200, 'GTC', { clientOrderId: 'b' });
    const id = idOf(ex.limit(1, 'BUY', 5, 100));
    expect(amend(ex, 1, id, 3, { newClientOrderId: 'b' }).result.code).toBe('OK');
    expect(validate(ex.state)).toEqual([]);
  });

  it.each([
    ['too long', 'x'.repeat(37)],
    ['empty', ''],
    ['with a space', 'a b'],
    ['not a string', 42],
  ])('rejects a newClientOrderId %s, changing nothing', (_, newClientOrderId) => {
    const ex = exchange();
    const id = idOf(ex.limit(1, 'BUY', 5, 100, 'GTC', { clientOrderId: 'mine' }));
    const before = stateOf(ex);
    const { result, events } = amend(ex, 1, id, 3, { newClientOrderId: newClientOrderId as string });
    expect(result.code).toBe('INVALID_CLIENT_ORDER_ID');
    expect(events).toEqual([]);
    expect(stateOf(ex)).toEqual(before);
    expect(validate(ex.state)).toEqual([]);
  });

  describe('rejects, changing nothing and emitting nothing', () => {
    /** Account 2's order 5 @ 100 with 2 executed, and the state before the amendment. */
    function partlyFilled() {
      const ex = exchange();
      const id = idOf(ex.limit(2, 'SELL', 5, 100));
      ex.limit(1, 'BUY', 2, 100);
      return { ex, id, before: stateOf(ex) };
    }

    it.each([
      ['the same as origQty', 5],
      ['above origQty', 6],
      ['equal to executedQty', 2],
      ['below executedQty', 1],
      ['zero', 0],
      ['negative', -1],
      ['fractional', 2.5],
      ['NaN', Number.NaN],
      ['unsafe', 2 ** 53],
      ['a string', '3'],
    ])('a newQty %s', (_, newQty) => {
      const { ex, id, before } = partlyFilled();
      const { result, events } = amend(ex, 2, id, newQty as number);
      expect(result.code).toBe('INVALID_QUANTITY');
      expect(events).toEqual([]);
      expect(stateOf(ex)).toEqual(before);
      expect(validate(ex.state)).toEqual([]);
    });

    it('another account’s order, as unknown', () => {
      const { ex, id, before } = partlyFilled();
      const { result, events } = amend(ex, 3, id, 3);
      expect(result.code).toBe('UNKNOWN_ORDER');
      expect(events).toEqual([]);
      expect(stateOf(ex)).toEqual(before);
      expect(validate(ex.state)).toEqual([]);
    });

    it('an order no longer open', () => {
      const ex = exchange();
      const id = idOf(ex.limit(1, 'BUY', 5, 100));
      ex.cancel(1, id);
      const before = stateOf(ex);
      const { result, events } = amend(ex, 1, id, 3);
      expect(result.code).toBe('UNKNOWN_ORDER');
      expect(events).toEqual([]);
      expect(stateOf(ex)).toEqual(before);
    });

    it.each([
      ['no order id', { orderId: undefined }, 'PARAMETER_REQUIRED'],
      ['an accountId that is not a positive integer', { accountId: 0 }, 'INVALID_ACCOUNT'],
      ['no timestamp', { timestamp: undefined }, 'PARAMETER_REQUIRED'],
      ['an orderId no order can have', { orderId: -1 }, 'UNKNOWN_ORDER'],
      ['an unknown symbol', { symbol: 'ETHUSDT' }, 'UNKNOWN_SYMBOL'],
    ])('a command with %s', (_, fields, code) => {
      const { ex, id, before } = partlyFilled();
      const cmd = { type: 'amendOrder', accountId: 2, symbol: 'BTCUSDT', orderId: id, newQty: 3 };
      const { result, events } = ex.run({ ...cmd, timestamp: ++ex.time, ...fields } as Command);
      expect(result.code).toBe(code);
      expect(events).toEqual([]);
      expect(stateOf(ex)).toEqual(before);
      expect(validate(ex.state)).toEqual([]);
    });
  });
});
