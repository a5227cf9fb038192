// The market filters every new order must pass (named as Binance names them), the market's trading status and
// the validation of a market definition. Whole-unit ticks and lots: a price of 100 is 100 USDT per BTC.

import { describe, expect, it } from 'vitest';
import { validate } from './audit.ts';
import type { MarketSpec } from './commands.ts';
import type { Fraction, Units } from './money.ts';
import { Exchange, marketSpec, WHOLE } from './test-kit.ts';

/** Whole units of an asset in units of 1e-8. */
const u = (whole: number | bigint): bigint => BigInt(whole) * WHOLE;
/** A multiplier such as 1.2 as a fraction in 1e-8. */
const times = (x: number) => Math.round(x * 100_000_000) as Fraction;

describe.each(['fast', 'reference'] as const)('filters (%s book)', (kind) => {
  /** A fee-free BTCUSDT market with `overrides`; accounts 1 and 2 hold plenty of USDT and BTC. */
  function exchange(overrides: Partial<MarketSpec> = {}): Exchange {
    const ex = new Exchange(kind).market(overrides);
    for (const id of [1, 2]) ex.fund(id, 'USDT', 1_000_000).fund(id, 'BTC', 1_000);
    return ex;
  }

  /** Leaves a last trade price of `price` and an empty book. */
  function tradeAt(ex: Exchange, price: number, qty = 1): void {
    ex.limit(1, 'BUY', qty, price);
    expect(ex.limit(2, 'SELL', qty, price).result.order?.status).toBe('FILLED');
  }

  it('PRICE_FILTER rejects a limit price below minPrice or above maxPrice', () => {
    const ex = exchange({ minPrice: 10 as MarketSpec['minPrice'], maxPrice: 1000 as MarketSpec['maxPrice'] });
    expect(ex.limit(1, 'BUY', 1, 9).result.code).toBe('PRICE_FILTER');
    const tooHigh = ex.limit(1, 'BUY', 1, 1001);
    expect(tooHigh.result.code).toBe('PRICE_FILTER');
    expect(tooHigh.events).toEqual([]);
    expect(ex.limit(1, 'BUY', 1, 10).result.code).toBe('OK');
    expect(ex.limit(2, 'SELL', 1, 1000).result.code).toBe('OK');
    expect(validate(ex.state)).toEqual([]);
  });

  it('LOT_SIZE rejects a quantity below minQty or above maxQty', () => {
    const ex = exchange({ minQty: 2 as MarketSpec['minQty'], maxQty: 5 as MarketSpec['maxQty'] });
    expect(ex.limit(1, 'BUY', 1, 100).result.code).toBe('LOT_SIZE');
    expect(ex.limit(1, 'BUY', 6, 100).result.code).toBe('LOT_SIZE');
    expect(ex.limit(1, 'BUY', 2, 100).result.code).toBe('OK');
    expect(ex.limit(1, 'BUY', 5, 100).result.code).toBe('OK');
    expect(validate(ex.state)).toEqual([]);
  });

  it('MARKET_LOT_SIZE bounds market orders only', () => {
    const ex = exchange({
      marketMinQty: 2 as MarketSpec['marketMinQty'],
      marketMaxQty: 3 as MarketSpec['marketMaxQty'],
    });
    expect(ex.marketOrder(2, 'SELL', 1).result.code).toBe('MARKET_LOT_SIZE');
    expect(ex.marketOrder(2, 'SELL', 4).result.code).toBe('MARKET_LOT_SIZE');
    expect(ex.marketOrder(2, 'SELL', 3).result.code).toBe('OK');
    expect(ex.limit(2, 'SELL', 1, 100).result.code).toBe('OK');
    expect(ex.limit(2, 'SELL', 4, 100).result.code).toBe('OK');
    expect(validate(ex.state)).toEqual([]);
  });

  it('NOTIONAL bounds price × quantity of a limit order', () => {
    const ex = exchange({ minNotional: u(100) as Units, maxNotional: u(1000) as Units });
    expect(ex.limit(1, 'BUY', 1, 99).result.code).toBe('NOTIONAL');
    expect(ex.limit(1, 'BUY', 11, 100).result.code).toBe('NOTIONAL');
    expect(ex.limit(1, 'BUY', 1, 100).result.code).toBe('OK');
    expect(ex.limit(1, 'BUY', 10, 100).result.code).toBe('OK');
    expect(ex.place(2, 'SELL', 'LIMIT_MAKER', 1, 99).result.code).toBe('NOTIONAL');
    expect(validate(ex.state)).toEqual([]);
  });

  it('NOTIONAL compares exactly with bounds and notionals past 2^53 units', () => {
    // 2e8 and 4e8 USDT are 2e16 and 4e16 units: past 2^53 (~9.007e15), as is a notional of 1e8 USDT or more.
    const ex = exchange({ minNotional: u(200_000_000) as Units, maxNotional: u(400_000_000) as Units });
    expect(ex.limit(2, 'SELL', 1, 100).result.code).toBe('NOTIONAL'); // a safe notional below an unsafe bound
    expect(ex.limit(2, 'SELL', 1, 100_000_000).result.code).toBe('NOTIONAL'); // 1e16 < 2e16
    expect(ex.limit(2, 'SELL', 1, 500_000_000).result.code).toBe('NOTIONAL'); // 5e16 > 4e16
    expect(ex.limit(2, 'SELL', 1, 200_000_000).result.code).toBe('OK');
    expect(ex.limit(2, 'SELL', 1, 400_000_000).result.code).toBe('OK');
    expect(ex.limit(2, 'SELL', 1, 400_000_001).result.code).toBe('NOTIONAL');
    expect(validate(ex.state)).toEqual([]);
  });

  it('NOTIONAL minimum applies to a market order only once a last trade price exists', () => {
    const ex = exchange({ minNotional: u(100) as Units });
    expect(ex.marketOrder(2, 'SELL', 1).result.code).toBe('OK'); // no reference price yet
    tradeAt(ex, 50, 2);
    expect(ex.marketOrder(2, 'SELL', 1).result.code).toBe('NOTIONAL'); // 1 × 50 < 100
    expect(ex.marketOrder(1, 'BUY', 1).result.code).toBe('NOTIONAL');
    expect(ex.marketOrder(2, 'SELL', 2).result.code).toBe('OK'); // 2 × 50 = 100
    expect(validate(ex.state)).toEqual([]);
  });

  it('NOTIONAL minimum skips market orders when applyMinToMarket is false', () => {
    const ex = exchange({ minNotional: u(100) as Units, applyMinToMarket: false });
    tradeAt(ex, 50, 2);
    expect(ex.marketOrder(2, 'SELL', 1).result.code).toBe('OK');
    expect(validate(ex.state)).toEqual([]);
  });

  it('NOTIONAL maximum applies to a market order only with applyMaxToMarket', () => {
    const spec = { maxNotional: u(1000) as Units };
    const byDefault = exchange(spec);
    tradeAt(byDefault, 100);
    expect(byDefault.marketOrder(2, 'SELL', 11).result.code).toBe('OK');
    expect(validate(byDefault.state)).toEqual([]);

    const ex = exchange({ ...spec, applyMaxToMarket: true });
    tradeAt(ex, 100);
    expect(ex.marketOrder(2, 'SELL', 11).result.code).toBe('NOTIONAL'); // 11 × 100 > 1000
    expect(ex.marketOrder(2, 'SELL', 10).result.code).toBe('OK');
    expect(validate(ex.state)).toEqual([]);
  });

  describe('PERCENT_PRICE_BY_SIDE', () => {
    const priceBand = {
      bidMultiplierUp: times(1.2),
      bidMultiplierDown: times(0.8),
      askMultiplierUp: times(1.5),
      askMultiplierDown: times(0.9),
    };

    it('has no band before the first trade', () => {
      const ex = exchange({ priceBand });
      expect(ex.limit(1, 'BUY', 1, 1).result.code).toBe('OK');
      expect(ex.limit(2, 'SELL', 1, 100_000).result.code).toBe('OK');
      expect(validate(ex.state)).toEqual([]);
    });

    it('bounds a bid to 0.8 to 1.2 times the last trade price', () => {
      const ex = exchange({ priceBand });
      tradeAt(ex, 100);
      expect(ex.limit(1, 'BUY', 1, 121).result.code).toBe('PERCENT_PRICE_BY_SIDE');
      expect(ex.limit(1, 'BUY', 1, 79).result.code).toBe('PERCENT_PRICE_BY_SIDE');
      expect(ex.limit(1, 'BUY', 1, 120).result.code).toBe('OK');
      expect(ex.limit(1, 'BUY', 1, 80).result.code).toBe('OK');
      expect(validate(ex.state)).toEqual([]);
    });

    it('bounds an ask to 0.9 to 1.5 times the last trade price', () => {
      const ex = exchange({ priceBand });
      tradeAt(ex, 100);
      expect(ex.limit(2, 'SELL', 1, 151).result.code).toBe('PERCENT_PRICE_BY_SIDE');
      expect(ex.limit(2, 'SELL', 1, 89).result.code).toBe('PERCENT_PRICE_BY_SIDE');
      expect(ex.limit(2, 'SELL', 1, 150).result.code).toBe('OK');
      expect(ex.limit(2, 'SELL', 1, 90).result.code).toBe('OK');
      expect(validate(ex.state)).toEqual([]);
    });

    it('follows the last trade price', () => {
      const ex = exchange({ priceBand });
      tradeAt(ex, 100);
      expect(ex.limit(1, 'BUY', 1, 130).result.code).toBe('PERCENT_PRICE_BY_SIDE');
      tradeAt(ex, 120);
      expect(ex.limit(1, 'BUY', 1, 130).result.code).toBe('OK');
      expect(validate(ex.state)).toEqual([]);
    });
  });

  describe('MAX_NUM_ORDERS', () => {
    it('allows 200 open orders per account and market by default', () => {
      const ex = exchange();
      for (let i = 0; i < 200; i++) expect(ex.limit(1, 'BUY', 1, 100 + i).result.code).toBe('OK');
      const applied = ex.limit(1, 'BUY', 1, 1);
      expect(applied.result.code).toBe('MAX_NUM_ORDERS');
      expect(applied.events).toEqual([]);
      expect(ex.limit(2, 'BUY', 1, 1).result.code).toBe('OK'); // another account has its own count
      ex.cancel(1, 1);
      expect(ex.limit(1, 'BUY', 1, 1).result.code).toBe('OK');
      expect(validate(ex.state)).toEqual([]);
    });

    it('counts only open orders: filled ones free their place', () => {
      const ex = exchange({ maxNumOrders: 2 });
      ex.limit(1, 'BUY', 1, 100);
      ex.limit(1, 'BUY', 1, 100);
      expect(ex.limit(1, 'BUY', 1, 100).result.code).toBe('MAX_NUM_ORDERS');
      ex.marketOrder(2, 'SELL', 2);
      expect(ex.limit(1, 'BUY', 1, 100).result.code).toBe('OK');
      expect(ex.limit(1, 'BUY', 1, 100).result.code).toBe('OK');
      expect(validate(ex.state)).toEqual([]);
    });
  });

  it('a halted market rejects orders with MARKET_HALTED until it trades again', () => {
    const ex = exchange();
    const halt = ex.run({ type: 'setMarketStatus', symbol: 'BTCUSDT', status: 'HALT' });
    expect(halt.events).toEqual([{ type: 'marketStatusChanged', symbol: 'BTCUSDT', status: 'HALT' }]);
    const rejected = ex.limit(1, 'BUY', 1, 100);
    expect(rejected.result.code).toBe('MARKET_HALTED');
    expect(rejected.events).toEqual([]);
    expect(ex.marketOrder(2, 'SELL', 1).result.code).toBe('MARKET_HALTED');
    ex.run({ type: 'setMarketStatus', symbol: 'BTCUSDT', status: 'TRADING' });
    expect(ex.limit(1, 'BUY', 1, 100).result.code).toBe('OK');
    expect(validate(ex.state)).toEqual([]);
  });

  describe('createMarket', () => {
    const create = (ex: Exchange, overrides: Partial<MarketSpec>) =>
      ex.run({ type: 'createMarket', ...marketSpec(overrides) });

    it('rejects a second market with the same symbol: MARKET_EXISTS', () => {
      const ex = new Exchange(kind).market();
      const applied = create(ex, { baseAsset: 'ETH' });
      expect(applied.result.code).toBe('MARKET_EXISTS');
      expect(applied.events).toEqual([]);
      expect(ex.state.markets.get('BTCUSDT')?.base.name).toBe('BTC');
      expect(validate(ex.state)).toEqual([]);
    });

    it('requires tickSize × stepSize to be a multiple of 1e-8', () => {
      const ex = new Exchange(kind);
      // 0.00001 × 0.00001 = 1e-10: a notional could fall between two units.
      const bad = create(ex, { tickSize: 1_000n as Units, stepSize: 1_000n as Units });
      expect(bad.result.code).toBe('INVALID_MARKET');
      expect(bad.events).toEqual([]);
      expect(ex.state.markets.size).toBe(0);
      // 0.01 × 0.0001 = 1e-6: fine.
      const good = create(ex, { tickSize: 1_000_000n as Units, stepSize: 10_000n as Units });
      expect(good.result.code).toBe('OK');
      expect(good.events).toMatchObject([
        { type: 'marketCreated', market: { symbol: 'BTCUSDT', maxNumOrders: 200 } },
      ]);
      expect(validate(ex.state)).toEqual([]);
    });

    it('rejects a fee above 1 or below 0 as INVALID_MARKET', () => {
      const ex = new Exchange(kind);
      const code = (overrides: Partial<MarketSpec>) => create(ex, overrides).result.code;
      expect(code({ makerFee: 100_000_001 as Fraction })).toBe('INVALID_MARKET');
      expect(code({ takerFee: 100_000_001 as Fraction })).toBe('INVALID_MARKET');
      expect(code({ makerFee: -1 as Fraction })).toBe('INVALID_MARKET');
      expect(code({ takerFee: -1 as Fraction })).toBe('INVALID_MARKET');
      expect(ex.state.markets.size).toBe(0);
      expect(code({ takerFee: 100_000_000 as Fraction })).toBe('OK'); // a fee of exactly 1 is allowed
      expect(validate(ex.state)).toEqual([]);
    });
  });
});
