// Fee tiers: an account's own maker and taker fees, for one market or (without a symbol) for every market. A
// market tier wins over an account-wide one, which wins over the market's fees; null fees remove a tier. The
// buyer pays in base, the seller in quote, rounded up to 1e-8. The market trades whole BTC for whole USDT (a
// tick is 1 USDT, a lot 1 BTC) with 0.1 % for the maker and 0.2 % for the taker.

import { describe, expect, it } from 'vitest';
import { stateHash, validate } from './audit.ts';
import type { Command, PlaceOrder, SetAccountFees } from './commands.ts';
import { type Applied, apply } from './engine.ts';
import type { Trade } from './events.ts';
import { feeTiersOf } from './fees.ts';
import type { Fraction, Lots, Ticks } from './money.ts';
import { restore, snapshot } from './snapshot.ts';
import { Exchange, WHOLE } from './test-kit.ts';

/** Whole units of an asset in units of 1e-8. */
const u = (whole: number | bigint): bigint => BigInt(whole) * WHOLE;
const tradesIn = ({ events }: Applied): Trade[] => events.filter((e): e is Trade => e.type === 'trade');

const MARKET_MAKER = 100_000; // 0.1 %
const MARKET_TAKER = 200_000; // 0.2 %

/** A fee in units: ceil(amount × rate / 1e8). */
const fee = (amount: bigint, rate: number): bigint => (amount * BigInt(rate) + WHOLE - 1n) / WHOLE;

function setFees(
  ex: Exchange,
  accountId: number,
  makerFee: number | null,
  takerFee: number | null,
  symbol?: string,
): Applied {
  const cmd: SetAccountFees = {
    type: 'setAccountFees',
    accountId,
    makerFee: makerFee as Fraction | null,
    takerFee: takerFee as Fraction | null,
  };
  if (symbol !== undefined) cmd.symbol = symbol;
  return ex.run(cmd);
}

describe.each(['fast', 'reference'] as const)('fee tiers (%s book)', (kind) => {
  /** Accounts 1 to 4 each hold 10,000 USDT and 100 BTC. */
  function exchange(): Exchange {
    const ex = new Exchange(kind).market({
      makerFee: MARKET_MAKER as Fraction,
      takerFee: MARKET_TAKER as Fraction,
    });
    for (const id of [1, 2, 3, 4]) ex.fund(id, 'USDT', 10_000).fund(id, 'BTC', 100);
    return ex;
  }

  /** Account `taker` buys `qty` lots at `price` from a sell account `maker` rests first; the one trade. */
  function trade(ex: Exchange, maker: number, taker: number, qty = 1, price = 100): Trade {
    ex.limit(maker, 'SELL', qty, price);
    const trades = tradesIn(ex.limit(taker, 'BUY', qty, price));
    expect(trades).toHaveLength(1);
    return trades[0]!;
  }

  it('an account-wide tier replaces the market fees for that account, as taker and as maker', () => {
    const ex = exchange();
    expect(setFees(ex, 1, 20_000, 40_000).result.code).toBe('OK'); // 0.02 % maker, 0.04 % taker

    // Account 1 takes: it buys 10 BTC from account 2 at 100.
    const taken = trade(ex, 2, 1, 10);
    expect(taken).toMatchObject({ buyerAccountId: 1, isBuyerMaker: false });
    expect(taken.buyerFee).toBe(400_000n); // 10 BTC × 0.04 %, not 0.2 %
    expect(taken.sellerFee).toBe(100_000_000n); // 1,000 USDT × 0.1 %: account 2 pays the market's maker fee

    // Account 1 makes: account 3 sells 5 BTC into its bid at 100.
    ex.limit(1, 'BUY', 5, 100);
    const [made] = tradesIn(ex.limit(3, 'SELL', 5, 100));
    expect(made).toMatchObject({ buyerAccountId: 1, isBuyerMaker: true });
    expect(made!.buyerFee).toBe(100_000n); // 5 BTC × 0.02 %, not 0.1 %
    expect(made!.sellerFee).toBe(100_000_000n); // 500 USDT × 0.2 %: account 3 pays the market's taker fee

    expect(ex.balance(1, 'BTC')).toEqual({ free: u(115) - 400_000n - 100_000n, locked: 0n });
    expect(ex.balance(1, 'USDT')).toEqual({ free: u(10_000 - 1_000 - 500), locked: 0n });
    expect(ex.balance(2, 'USDT')).toEqual({ free: u(11_000) - 100_000_000n, locked: 0n });
    expect(ex.balance(3, 'USDT')).toEqual({ free: u(10_500) - 100_000_000n, locked: 0n });
    expect(ex.state.assets.get('BTC')?.feesCollected).toBe(500_000n);
    expect(ex.state.assets.get('USDT')?.feesCollected).toBe(200_000_000n);
    expect(validate(ex.state)).toEqual([]);
  });

  it('a zero-fee account pays nothing while its counterparty pays the market fee', () => {
    const ex = exchange();
    setFees(ex, 1, 0, 0);

    const taken = trade(ex, 2, 1, 3); // account 1 takes 3 BTC for 300 USDT
    expect(taken.buyerFee).toBe(0n);
    expect(taken.sellerFee).toBe(fee(u(300), MARKET_MAKER));
    expect(ex.balance(1, 'BTC').free).toBe(u(103));
    expect(ex.balance(2, 'USDT').free).toBe(u(10_300) - fee(u(300), MARKET_MAKER));

    const made = trade(ex, 1, 3, 2); // account 1's ask of 2 BTC is taken by account 3
    expect(made.sellerFee).toBe(0n);
    expect(made.buyerFee).toBe(fee(u(2), MARKET_TAKER));
    expect(ex.balance(1, 'USDT').free).toBe(u(10_000 - 300 + 200));
    expect(ex.balance(3, 'BTC').free).toBe(u(102) - fee(u(2), MARKET_TAKER));

    expect(ex.state.assets.get('BTC')?.feesCollected).toBe(fee(u(2), MARKET_TAKER));
    expect(ex.state.assets.get('USDT')?.feesCollected).toBe(fee(u(300), MARKET_MAKER));
    expect(validate(ex.state)).toEqual([]);
  });

  it('a market tier wins over the account-wide one; removing each falls back a level', () => {
    const ex = exchange();
    setFees(ex, 1, 0, 50_000); // everywhere: 0.05 % taker
    setFees(ex, 1, 0, 10_000, 'BTCUSDT'); // on BTCUSDT: 0.01 % taker

    // Account 1 takes 1 BTC each time; it pays its taker fee on 1 BTC, in BTC.
    expect(trade(ex, 2, 1).buyerFee).toBe(fee(u(1), 10_000));

    expect(setFees(ex, 1, null, null, 'BTCUSDT').result.code).toBe('OK');
    expect(trade(ex, 2, 1).buyerFee).toBe(fee(u(1), 50_000));

    expect(setFees(ex, 1, null, null).result.code).toBe('OK');
    expect(trade(ex, 2, 1).buyerFee).toBe(fee(u(1), MARKET_TAKER));

    expect(feeTiersOf(ex.state)).toEqual([]);
    expect(ex.state.assets.get('BTC')?.feesCollected).toBe(
      fee(u(1), 10_000) + fee(u(1), 50_000) + fee(u(1), MARKET_TAKER),
    );
    expect(validate(ex.state)).toEqual([]);
  });

  it("a tier for another market leaves this market's fees alone", () => {
    const ex = exchange();
    ex.market({ symbol: 'ETHUSDT', baseAsset: 'ETH' });
    setFees(ex, 1, 0, 0, 'ETHUSDT');
    expect(trade(ex, 2, 1).buyerFee).toBe(fee(u(1), MARKET_TAKER));
    expect(validate(ex.state)).toEqual([]);
  });

  it('the maker rate applies when the account’s resting order is hit, the taker rate when it takes', () => {
    const ex = exchange();
    setFees(ex, 1, 30_000, 70_000, 'BTCUSDT'); // 0.03 % maker, 0.07 % taker

    // Account 1 rests a sell; account 2 takes it: account 1 pays its maker rate on the 700 USDT it gets.
    const hit = trade(ex, 1, 2, 7);
    expect(hit).toMatchObject({ sellerAccountId: 1, isBuyerMaker: false });
    expect(hit.sellerFee).toBe(fee(u(700), 30_000));
    expect(hit.buyerFee).toBe(fee(u(7), MARKET_TAKER));

    // Account 1 sells into account 2's bid: it pays its taker rate.
    ex.limit(2, 'BUY', 7, 100);
    const [takes] = tradesIn(ex.limit(1, 'SELL', 7, 100));
    expect(takes).toMatchObject({ sellerAccountId: 1, isBuyerMaker: true });
    expect(takes!.sellerFee).toBe(fee(u(700), 70_000));
    expect(takes!.buyerFee).toBe(fee(u(7), MARKET_MAKER));

    expect(ex.balance(1, 'USDT')).toEqual({
      free: u(11_400) - fee(u(700), 30_000) - fee(u(700), 70_000),
      locked: 0n,
    });
    expect(ex.balance(1, 'BTC')).toEqual({ free: u(86), locked: 0n });
    expect(validate(ex.state)).toEqual([]);
  });

  it('emits accountFeesSet on success, with the symbol when there is one and nulls on removal', () => {
    const ex = exchange();
    expect(setFees(ex, 1, 20_000, 40_000)).toEqual({
      result: { code: 'OK' },
      events: [
        { type: 'accountFeesSet', accountId: 1, symbol: undefined, makerFee: 20_000, takerFee: 40_000 },
      ],
    });
    expect(setFees(ex, 1, 0, 100_000_000, 'BTCUSDT').events).toEqual([
      { type: 'accountFeesSet', accountId: 1, symbol: 'BTCUSDT', makerFee: 0, takerFee: 100_000_000 },
    ]);
    expect(setFees(ex, 1, null, null, 'BTCUSDT').events).toEqual([
      { type: 'accountFeesSet', accountId: 1, symbol: 'BTCUSDT', makerFee: null, takerFee: null },
    ]);
    expect(feeTiersOf(ex.state)).toEqual([{ accountId: 1, makerFee: 20_000, takerFee: 40_000 }]);
    expect(validate(ex.state)).toEqual([]);
  });

  describe('invalid tiers', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['a negative maker fee', { makerFee: -1 }],
      ['a negative taker fee', { takerFee: -100_000 }],
      ['a maker fee above 1 (1e8)', { makerFee: 100_000_001 }],
      ['a taker fee above 1 (1e8)', { takerFee: 200_000_000 }],
      ['a float maker fee', { makerFee: 100_000.5 }],
      ['a float taker fee', { takerFee: 0.001 }],
      ['a NaN fee', { takerFee: Number.NaN }],
      ['a bigint fee', { makerFee: 100_000n }],
      ['a string fee', { makerFee: '100000' }],
      ['a null maker fee and a number taker fee', { makerFee: null }],
      ['a number maker fee and a null taker fee', { takerFee: null }],
      ['a missing taker fee', { takerFee: undefined }],
      ['an unknown symbol', { symbol: 'ETHUSDT' }],
      ['a zero account id', { accountId: 0 }],
      ['a negative account id', { accountId: -1 }],
      ['a float account id', { accountId: 1.5 }],
      ['a string account id', { accountId: '1' }],
    ];

    it.each(cases)('%s is rejected with no events and no tier', (_, fields) => {
      const ex = exchange();
      setFees(ex, 1, 20_000, 40_000);
      const tiers = feeTiersOf(ex.state);
      const accounts = ex.state.accounts.size;

      const { result, events } = ex.run({
        type: 'setAccountFees',
        accountId: 5, // not yet known: a rejected command must not create it
        makerFee: 50_000,
        takerFee: 60_000,
        ...fields,
      } as Command);
      expect(result.code).not.toBe('OK');
      expect(events).toEqual([]);
      expect(feeTiersOf(ex.state)).toEqual(tiers);
      expect(ex.state.accounts.size).toBe(accounts);
      // Fees stay what they were: account 1 still pays its own tier.
      expect(trade(ex, 2, 1).buyerFee).toBe(fee(u(1), 40_000));
      expect(validate(ex.state)).toEqual([]);
    });

    it('a removal of only one fee is rejected too', () => {
      const ex = exchange();
      setFees(ex, 1, 20_000, 40_000);
      for (const [makerFee, takerFee] of [
        [null, 40_000],
        [20_000, null],
      ] as const) {
        const { result, events } = setFees(ex, 1, makerFee, takerFee);
        expect(result.code).not.toBe('OK');
        expect(events).toEqual([]);
      }
      expect(feeTiersOf(ex.state)).toEqual([{ accountId: 1, makerFee: 20_000, takerFee: 40_000 }]);
      expect(validate(ex.state)).toEqual([]);
    });
  });

  it('tiers survive snapshot and restore; a trade after restore charges them', () => {
    const ex = exchange();
    setFees(ex, 1, 0, 50_000); // account-wide
    setFees(ex, 3, 10_000, 30_000, 'BTCUSDT'); // market-specific
    setFees(ex, 3, 90_000, 90_000); // account-wide, overridden on BTCUSDT
    ex.limit(3, 'SELL', 4, 100); // rests: account 3 is the maker below

    const restored = restore(snapshot(ex.state), kind);
    expect(stateHash(restored)).toBe(stateHash(ex.state));
    expect(feeTiersOf(restored)).toEqual(feeTiersOf(ex.state));

    // Account 1 buys 4 BTC from account 3, in the original and in the restored state alike.
    const take: PlaceOrder = {
      type: 'placeOrder',
      accountId: 1,
      symbol: 'BTCUSDT',
      side: 'BUY',
      orderType: 'LIMIT',
      timeInForce: 'GTC',
      price: 100 as Ticks,
      quantity: 4 as Lots,
      timestamp: ++ex.time,
    };
    const original = apply(ex.state, take);
    const replayed = apply(restored, take);
    expect(replayed).toEqual(original);
    expect(tradesIn(replayed)).toMatchObject([
      { buyerAccountId: 1, sellerAccountId: 3, buyerFee: fee(u(4), 50_000), sellerFee: fee(u(400), 10_000) },
    ]);
    expect(stateHash(restored)).toBe(stateHash(ex.state));
    expect(restored.assets.get('BTC')?.feesCollected).toBe(fee(u(4), 50_000));
    expect(restored.assets.get('USDT')?.feesCollected).toBe(fee(u(400), 10_000));
    expect(validate(restored)).toEqual([]);
    expect(validate(ex.state)).toEqual([]);
  });
});
