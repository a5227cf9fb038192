// Money in and out, fees, the events a command emits, and commands the core must turn down without a trace.

import { describe, expect, it } from 'vitest';
import { validate } from './audit.ts';
import type { Command } from './commands.ts';
import type { Applied } from './engine.ts';
import type { BalanceUpdate, OrderUpdate, Trade } from './events.ts';
import type { Fraction, Units } from './money.ts';
import { Exchange, WHOLE } from './test-kit.ts';

/** Whole units of an asset in units of 1e-8. */
const u = (whole: number | bigint): bigint => BigInt(whole) * WHOLE;
const tradesIn = ({ events }: Applied): Trade[] => events.filter((e): e is Trade => e.type === 'trade');
const ordersIn = ({ events }: Applied): OrderUpdate[] =>
  events.filter((e): e is OrderUpdate => e.type === 'order');
const balancesIn = ({ events }: Applied): BalanceUpdate[] =>
  events.filter((e): e is BalanceUpdate => e.type === 'balance');

describe.each(['fast', 'reference'] as const)('settlement (%s book)', (kind) => {
  /** A fee-free BTCUSDT market; account 1 has 1,000 USDT, account 2 has 10 BTC. */
  function exchange(): Exchange {
    return new Exchange(kind).market().fund(1, 'USDT', 1000).fund(2, 'BTC', 10);
  }

  describe('deposit and withdraw', () => {
    it('emit their event and the resulting balance', () => {
      const ex = new Exchange(kind);
      const deposit = ex.run({ type: 'deposit', accountId: 7, asset: 'ETH', amount: u(5) as Units });
      expect(deposit.events).toEqual([
        { type: 'deposited', accountId: 7, asset: 'ETH', amount: u(5) },
        { type: 'balance', accountId: 7, asset: 'ETH', free: u(5), locked: 0n },
      ]);
      const withdraw = ex.run({ type: 'withdraw', accountId: 7, asset: 'ETH', amount: u(2) as Units });
      expect(withdraw.events).toEqual([
        { type: 'withdrawn', accountId: 7, asset: 'ETH', amount: u(2) },
        { type: 'balance', accountId: 7, asset: 'ETH', free: u(3), locked: 0n },
      ]);
      expect(validate(ex.state)).toEqual([]);
    });

    it('withdraw never takes more than is free: locked funds stay', () => {
      const ex = exchange();
      ex.limit(1, 'BUY', 6, 100); // locks 600 of the 1,000 USDT
      const withdraw = (whole: number) =>
        ex.run({ type: 'withdraw', accountId: 1, asset: 'USDT', amount: u(whole) as Units });
      const tooMuch = withdraw(401);
      expect(tooMuch.result.code).toBe('INSUFFICIENT_BALANCE');
      expect(tooMuch.events).toEqual([]);
      expect(withdraw(400).result.code).toBe('OK');
      expect(ex.balance(1, 'USDT')).toEqual({ free: 0n, locked: u(600) });
      expect(withdraw(1).result.code).toBe('INSUFFICIENT_BALANCE');
      expect(validate(ex.state)).toEqual([]);
    });

    it('an order the account cannot pay for is rejected and changes nothing', () => {
      const ex = exchange();
      const nextOrderId = ex.state.nextOrderId;
      const buy = ex.limit(1, 'BUY', 11, 100); // 1,100 USDT
      const sell = ex.limit(2, 'SELL', 11, 100); // 11 BTC
      for (const { result, events } of [buy, sell]) {
        expect(result.code).toBe('INSUFFICIENT_BALANCE');
        expect(events).toEqual([]);
      }
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(1000), locked: 0n });
      expect(ex.balance(2, 'BTC')).toEqual({ free: u(10), locked: 0n });
      expect(ex.state.nextOrderId).toBe(nextOrderId);
      expect(ex.state.orders.size).toBe(0);
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('fees', () => {
    it('maker pays makerFee and taker takerFee; the buyer in base, the seller in quote', () => {
      // 0.1 % for the maker, 0.2 % for the taker.
      const ex = new Exchange(kind).market({ makerFee: 100_000 as Fraction, takerFee: 200_000 as Fraction });
      for (const id of [1, 4]) ex.fund(id, 'USDT', 1000);
      for (const id of [2, 3]) ex.fund(id, 'BTC', 10);

      ex.limit(1, 'BUY', 10, 100);
      const buyerMakes = ex.limit(2, 'SELL', 10, 100);
      expect(tradesIn(buyerMakes)).toMatchObject([
        { isBuyerMaker: true, buyerFee: u(10) / 1000n, sellerFee: u(1000) / 500n },
      ]);
      expect(ex.balance(1, 'BTC').free).toBe(999_000_000n); // 10 - 0.01 BTC
      expect(ex.balance(2, 'USDT').free).toBe(99_800_000_000n); // 1,000 - 2 USDT

      ex.limit(3, 'SELL', 10, 100);
      const sellerMakes = ex.limit(4, 'BUY', 10, 100);
      expect(tradesIn(sellerMakes)).toMatchObject([
        { isBuyerMaker: false, buyerFee: u(10) / 500n, sellerFee: u(1000) / 1000n },
      ]);
      expect(ex.balance(4, 'BTC').free).toBe(998_000_000n); // 10 - 0.02 BTC
      expect(ex.balance(3, 'USDT').free).toBe(99_900_000_000n); // 1,000 - 1 USDT

      expect(ex.state.assets.get('BTC')?.feesCollected).toBe(3_000_000n);
      expect(ex.state.assets.get('USDT')?.feesCollected).toBe(300_000_000n);
      expect(validate(ex.state)).toEqual([]);
    });

    it('is rounded up to 1e-8 and reported exactly as charged', () => {
      // Tick 0.01 USDT, lot 0.0001 BTC; 0.075 % for the maker, 0.1 % for the taker.
      const ex = new Exchange(kind).market({
        tickSize: 1_000_000n as Units,
        stepSize: 10_000n as Units,
        makerFee: 75_000 as Fraction,
        takerFee: 100_000 as Fraction,
      });
      ex.fund(1, 'USDT', 10).fund(2, 'BTC', 1);
      ex.limit(1, 'BUY', 7, 1_234_567); // 0.0007 BTC at 12,345.67 USDT
      const [trade] = tradesIn(ex.limit(2, 'SELL', 7, 1_234_567));
      // 0.0007 BTC is 70,000 units: the maker buyer pays 0.075 % = 52.5, so 53.
      // 8.641969 USDT is 864,196,900 units: the taker seller pays 0.1 % = 864,196.9, so 864,197.
      expect(trade).toMatchObject({ quoteQty: 864_196_900n, buyerFee: 53n, sellerFee: 864_197n });

      expect(ex.balance(1, 'BTC')).toEqual({ free: 70_000n - trade!.buyerFee, locked: 0n });
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(10) - 864_196_900n, locked: 0n });
      expect(ex.balance(2, 'USDT')).toEqual({ free: 864_196_900n - trade!.sellerFee, locked: 0n });
      expect(ex.balance(2, 'BTC')).toEqual({ free: u(1) - 70_000n, locked: 0n });
      expect(ex.state.assets.get('BTC')?.feesCollected).toBe(53n);
      expect(ex.state.assets.get('USDT')?.feesCollected).toBe(864_197n);
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('events', () => {
    it('an order update carries cumulative executedQty and cumQuote', () => {
      const ex = exchange().fund(3, 'USDT', 1000);
      ex.limit(2, 'SELL', 2, 100); // order 1
      ex.limit(2, 'SELL', 3, 101); // order 2
      const first = ex.limit(1, 'BUY', 4, 101); // order 3: 2 at 100, 2 at 101
      expect(ordersIn(first).find((o) => o.orderId === 3)).toMatchObject({
        status: 'FILLED',
        executedQty: 4,
        cumQuote: u(402),
      });
      expect(ordersIn(first).find((o) => o.orderId === 2)).toMatchObject({
        status: 'PARTIALLY_FILLED',
        executedQty: 2,
        cumQuote: u(202),
      });
      const second = ex.limit(3, 'BUY', 1, 101);
      expect(ordersIn(second).find((o) => o.orderId === 2)).toMatchObject({
        status: 'FILLED',
        executedQty: 3,
        origQty: 3,
        cumQuote: u(303),
      });
      expect(validate(ex.state)).toEqual([]);
    });

    it('each order the command touched gets exactly one update', () => {
      const ex = exchange();
      for (const price of [100, 101, 102]) ex.limit(2, 'SELL', 1, price);
      const applied = ex.limit(1, 'BUY', 3, 102);
      expect(ordersIn(applied).map((o) => [o.orderId, o.status])).toEqual([
        [1, 'FILLED'],
        [2, 'FILLED'],
        [3, 'FILLED'],
        [4, 'FILLED'],
      ]);
      expect(validate(ex.state)).toEqual([]);
    });

    it('one balance update per account and asset changed, with the final values', () => {
      const ex = exchange();
      for (const price of [100, 101, 102]) ex.limit(2, 'SELL', 1, price);
      const applied = ex.limit(1, 'BUY', 4, 102); // three fills, one lot rests
      const updates = balancesIn(applied);
      expect(updates.map((b) => `${b.accountId}:${b.asset}`).sort()).toEqual([
        '1:BTC',
        '1:USDT',
        '2:BTC',
        '2:USDT',
      ]);
      for (const b of updates) {
        expect({ free: b.free, locked: b.locked }).toEqual(ex.balance(b.accountId, b.asset));
      }
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(1000 - 303 - 102), locked: u(102) });
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('rejections', () => {
    it('a rejected command emits no events', () => {
      const ex = exchange();
      ex.limit(2, 'SELL', 1, 100);
      const rejected: Applied[] = [
        ex.limit(1, 'BUY', 20, 100), // INSUFFICIENT_BALANCE
        ex.place(1, 'BUY', 'LIMIT_MAKER', 1, 100), // ORDER_WOULD_MATCH
        ex.limit(1, 'BUY', 1, 100, 'GTC', { symbol: 'ETHUSDT' }), // UNKNOWN_SYMBOL
        ex.cancel(1, 99), // UNKNOWN_ORDER
        ex.run({ type: 'withdraw', accountId: 1, asset: 'USDT', amount: u(1001) as Units }),
        ex.run({ type: 'setMarketStatus', symbol: 'ETHUSDT', status: 'HALT' }),
      ];
      expect(rejected.map((r) => r.result.code)).toEqual([
        'INSUFFICIENT_BALANCE',
        'ORDER_WOULD_MATCH',
        'UNKNOWN_SYMBOL',
        'UNKNOWN_ORDER',
        'INSUFFICIENT_BALANCE',
        'UNKNOWN_SYMBOL',
      ]);
      for (const r of rejected) expect(r.events).toEqual([]);
      expect(validate(ex.state)).toEqual([]);
    });

    const order = { type: 'placeOrder', accountId: 1, symbol: 'BTCUSDT', side: 'BUY', timestamp: 1 };
    const limit = { ...order, orderType: 'LIMIT', timeInForce: 'GTC', price: 100, quantity: 1 };
    const malformed: [string, unknown][] = [
      ['an unknown command type', { type: 'launchRocket' }],
      ['null', null],
      ['undefined', undefined],
      ['a string', 'placeOrder'],
      ['an empty object', {}],
      ['a string quantity', { ...limit, quantity: '1' }],
      ['a bigint quantity', { ...limit, quantity: 1n }],
      ['a float quantity', { ...limit, quantity: 1.5 }],
      ['a zero quantity', { ...limit, quantity: 0 }],
      ['a NaN quantity', { ...limit, quantity: Number.NaN }],
      ['a negative price', { ...limit, price: -100 }],
      ['a NaN price', { ...limit, price: Number.NaN }],
      ['an infinite price', { ...limit, price: Number.POSITIVE_INFINITY }],
      ['a float price', { ...limit, price: 100.5 }],
      ['an unknown side', { ...limit, side: 'HOLD' }],
      ['an unknown order type', { ...limit, orderType: 'STOP' }],
      ['an unknown time in force', { ...limit, timeInForce: 'GTD' }],
      ['a limit without time in force', { ...limit, timeInForce: undefined }],
      ['a market order with a price', { ...order, orderType: 'MARKET', price: 100, quantity: 1 }],
      ['a float account id', { ...limit, accountId: 1.5 }],
      ['no timestamp', { ...limit, timestamp: undefined }],
      ['a bad clientOrderId', { ...limit, clientOrderId: 'no spaces allowed' }],
      ['a cancel without an id', { type: 'cancelOrder', accountId: 1, symbol: 'BTCUSDT', timestamp: 1 }],
      ['a deposit of a number', { type: 'deposit', accountId: 1, asset: 'USDT', amount: 5 }],
      ['a negative deposit', { type: 'deposit', accountId: 1, asset: 'USDT', amount: -5n }],
      ['a deposit of a bad asset', { type: 'deposit', accountId: 1, asset: 'usdt!', amount: 5n }],
      ['a withdraw of a NaN', { type: 'withdraw', accountId: 1, asset: 'USDT', amount: Number.NaN }],
      [
        'a createMarket without sizes',
        { type: 'createMarket', symbol: 'ETHUSDT', baseAsset: 'ETH', quoteAsset: 'USDT' },
      ],
      ['an unknown market status', { type: 'setMarketStatus', symbol: 'BTCUSDT', status: 'OPEN' }],
    ];

    it.each(malformed)('%s gets a non-OK code, no events and no throw', (_, command) => {
      const ex = exchange();
      const { result, events } = ex.run(command as Command);
      expect(result.code).not.toBe('OK');
      expect(events).toEqual([]);
      expect(ex.balance(1, 'USDT')).toEqual({ free: u(1000), locked: 0n });
      expect(ex.state.orders.size).toBe(0);
      expect(validate(ex.state)).toEqual([]);
    });
  });
});
