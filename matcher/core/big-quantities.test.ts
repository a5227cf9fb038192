// Price levels holding more than 2^53 lots: the fast book's level totals must stay exact (found in review:
// a double total drifted, letting a FOK fill partly and a market sell by quote overdraw its balance).

import { describe, expect, it } from 'vitest';
import { validate } from './audit.ts';
import type { Command } from './commands.ts';
import type { Fraction, Lots, Ticks, Units } from './money.ts';
import { apply, createState } from './engine.ts';
import type { ExchangeState } from './state.ts';

const M = Number.MAX_SAFE_INTEGER;

function exchange(kind: 'fast' | 'reference'): ExchangeState {
  const state = createState(kind);
  // One tick times one lot is one unit, so quantities can reach 2^53 with deposits far below the asset cap.
  const setup: Command[] = [
    {
      type: 'createMarket',
      symbol: 'XY',
      baseAsset: 'X',
      quoteAsset: 'Y',
      tickSize: 100_000_000n as Units,
      stepSize: 1n as Units,
      makerFee: 0 as Fraction,
      takerFee: 0 as Fraction,
    },
    { type: 'deposit', accountId: 1, asset: 'Y', amount: (10n ** 20n) as Units },
    { type: 'deposit', accountId: 1, asset: 'X', amount: (10n ** 20n) as Units },
    { type: 'deposit', accountId: 2, asset: 'X', amount: (10n ** 20n) as Units },
    { type: 'deposit', accountId: 2, asset: 'Y', amount: (10n ** 20n) as Units },
  ];
  for (const c of setup) expect(apply(state, c).result.code).toBe('OK');
  return state;
}

const limit = (accountId: number, side: 'BUY' | 'SELL', price: number, quantity: number, tif = 'GTC') =>
  ({
    type: 'placeOrder',
    accountId,
    symbol: 'XY',
    side,
    orderType: 'LIMIT',
    timeInForce: tif,
    price: price as Ticks,
    quantity: quantity as Lots,
    timestamp: 1,
  }) as Command;

describe.each(['fast', 'reference'] as const)('levels past 2^53 lots (%s book)', (kind) => {
  it('a FOK sees exactly what rests after a level total passed 2^53 and came back', () => {
    const state = exchange(kind);
    apply(state, limit(1, 'SELL', 1, M));
    apply(state, limit(1, 'SELL', 1, 4));
    apply(state, limit(2, 'BUY', 1, M, 'IOC')); // 4 lots rest at 1
    const fok = apply(state, limit(2, 'BUY', 1, 5, 'FOK'));
    expect(fok.result.order).toMatchObject({ status: 'EXPIRED', executedQty: 0 });
    expect(fok.events.filter((e) => e.type === 'trade')).toEqual([]);
    expect(apply(state, limit(2, 'BUY', 1, 4, 'FOK')).result.order).toMatchObject({
      status: 'FILLED',
      executedQty: 4,
    });
    expect(validate(state)).toEqual([]);
  });

  it('a market sell by quote is checked against exactly the lots it will sell', () => {
    const state = exchange(kind);
    apply(state, { type: 'deposit', accountId: 3, asset: 'X', amount: 5n as Units });
    apply(state, limit(1, 'BUY', 2, M));
    apply(state, limit(1, 'BUY', 2, 4));
    apply(state, limit(2, 'SELL', 2, M, 'IOC')); // 4 lots rest at 2
    apply(state, limit(1, 'BUY', 1, 100));
    // 10 units of quote: 4 lots at 2 and 2 at 1, so 6 lots, more than account 3's 5.
    const sell = apply(state, {
      type: 'placeOrder',
      accountId: 3,
      symbol: 'XY',
      side: 'SELL',
      orderType: 'MARKET',
      quoteOrderQty: 10n as Units,
      timestamp: 2,
    });
    expect(sell.result.code).toBe('INSUFFICIENT_BALANCE');
    expect(validate(state)).toEqual([]);
  });

  it('a level holding more than 2^53 lots fills a FOK and a market order from it', () => {
    const state = exchange(kind);
    apply(state, limit(1, 'SELL', 1, M));
    apply(state, limit(1, 'SELL', 1, 2)); // 2^53 + 1 lots at 1
    expect(apply(state, limit(2, 'BUY', 1, M, 'FOK')).result.order).toMatchObject({ status: 'FILLED' });
    expect(validate(state)).toEqual([]);
    const market = apply(state, {
      type: 'placeOrder',
      accountId: 2,
      symbol: 'XY',
      side: 'BUY',
      orderType: 'MARKET',
      quantity: 2 as Lots,
      timestamp: 2,
    });
    expect(market.result.order).toMatchObject({ status: 'FILLED', executedQty: 2 });
    expect(validate(state)).toEqual([]);
  });
});
