// The integration scenarios of the system this project replaces (see SEED.md), replayed against both books:
// BTCUSDT, every order a LIMIT GTC from its own account, 0.1 % maker and taker fee.

import { describe, expect, it } from 'vitest';
import { validate } from './audit.ts';
import type { Side } from './commands.ts';
import type { Applied } from './engine.ts';
import type { OrderStatus, OrderUpdate, Trade } from './events.ts';
import type { Fraction } from './money.ts';
import { Exchange, WHOLE } from './test-kit.ts';

const FEE = 100_000 as Fraction; // 0.1 %

/** One order of a scenario: side, quantity in BTC, price in USDT (whole-unit lots and ticks). */
type Step = [side: Side, qty: number, price: number];

/** Funds account i + 1 with exactly what order i needs, then places the orders in turn. */
function play(ex: Exchange, steps: Step[]): Applied[] {
  ex.market({ makerFee: FEE, takerFee: FEE });
  steps.forEach(([side, qty, price], i) => {
    if (side === 'BUY') ex.fund(i + 1, 'USDT', qty * price);
    else ex.fund(i + 1, 'BTC', qty);
  });
  const results = steps.map(([side, qty, price], i) => ex.limit(i + 1, side, qty, price));
  for (const r of results) expect(r.result.code).toBe('OK');
  return results;
}

/** Each order's status and executed quantity after the last command: open ones from the state, closed ones
 * from their last order event. */
function outcome(ex: Exchange, results: Applied[]): Record<number, [OrderStatus, number]> {
  const last = new Map<number, OrderUpdate>();
  for (const { events } of results) {
    for (const e of events) if (e.type === 'order') last.set(e.orderId, e);
  }
  const summary: Record<number, [OrderStatus, number]> = {};
  for (const [id, update] of last) {
    const open = ex.order(id);
    summary[id] = open ? [open.status, open.executedQty] : [update.status, update.executedQty];
  }
  return summary;
}

const tradesOf = (results: Applied[]): Trade[] =>
  results.flatMap((r) => r.events.filter((e): e is Trade => e.type === 'trade'));

describe.each(['fast', 'reference'] as const)('classic scenarios (%s book)', (kind) => {
  it('crosses several levels, each fill at the maker price', () => {
    const ex = new Exchange(kind);
    const results = play(ex, [
      ['BUY', 6, 200000],
      ['BUY', 5, 180000],
      ['BUY', 10, 195000],
      ['SELL', 13, 210000],
      ['SELL', 12, 200000],
      ['SELL', 5, 190000],
    ]);

    expect(outcome(ex, results)).toEqual({
      1: ['FILLED', 6],
      2: ['NEW', 0],
      3: ['PARTIALLY_FILLED', 5],
      4: ['NEW', 0],
      5: ['PARTIALLY_FILLED', 6],
      6: ['FILLED', 5],
    });
    expect(tradesOf(results)).toMatchObject([
      { price: 200000, qty: 6, buyerOrderId: 1, sellerOrderId: 5, buyerAccountId: 1, sellerAccountId: 5 },
      { price: 195000, qty: 5, buyerOrderId: 3, sellerOrderId: 6, buyerAccountId: 3, sellerAccountId: 6 },
    ]);
    expect(tradesOf(results).map((t) => t.isBuyerMaker)).toEqual([true, true]);
    expect(validate(ex.state)).toEqual([]);
  });

  it('fills the older of two bids at the same price first', () => {
    const ex = new Exchange(kind);
    const results = play(ex, [
      ['BUY', 30, 19000],
      ['BUY', 10, 20000],
      ['BUY', 10, 20000],
      ['SELL', 5, 20000],
      ['SELL', 5, 20000],
    ]);

    expect(outcome(ex, results)).toEqual({
      1: ['NEW', 0],
      2: ['FILLED', 10],
      3: ['NEW', 0],
      4: ['FILLED', 5],
      5: ['FILLED', 5],
    });
    expect(tradesOf(results)).toMatchObject([
      { price: 20000, qty: 5, buyerOrderId: 2, sellerOrderId: 4 },
      { price: 20000, qty: 5, buyerOrderId: 2, sellerOrderId: 5 },
    ]);
    expect(validate(ex.state)).toEqual([]);
  });

  it('settles a partial fill with 0.1 % fees on what each side receives', () => {
    const ex = new Exchange(kind);
    const results = play(ex, [
      ['BUY', 6, 20000],
      ['SELL', 12, 20000],
    ]);

    expect(outcome(ex, results)).toEqual({ 1: ['FILLED', 6], 2: ['PARTIALLY_FILLED', 6] });
    // 6 BTC for 120,000 USDT. The buyer (maker) pays 0.1 % of 6 BTC = 0.006 BTC; the seller (taker) pays
    // 0.1 % of 120,000 USDT = 120 USDT.
    const buyerFee = (6n * WHOLE) / 1000n;
    const sellerFee = 120n * WHOLE;
    expect(tradesOf(results)).toMatchObject([
      { price: 20000, qty: 6, quoteQty: 120_000n * WHOLE, buyerFee, sellerFee },
    ]);
    expect(buyerFee).toBe(600_000n);
    expect(ex.balance(1, 'USDT')).toEqual({ free: 0n, locked: 0n });
    expect(ex.balance(1, 'BTC')).toEqual({ free: 599_400_000n, locked: 0n }); // 5.994 BTC
    expect(ex.balance(2, 'BTC')).toEqual({ free: 0n, locked: 6n * WHOLE }); // the unfilled 6 BTC rest
    expect(ex.balance(2, 'USDT')).toEqual({ free: 11_988_000_000_000n, locked: 0n }); // 119,880 USDT
    expect(ex.state.assets.get('BTC')?.feesCollected).toBe(600_000n);
    expect(ex.state.assets.get('USDT')?.feesCollected).toBe(12_000_000_000n);
    expect(validate(ex.state)).toEqual([]);
  });

  it('fills a resting remainder from a later order', () => {
    const ex = new Exchange(kind);
    const results = play(ex, [
      ['BUY', 6, 20000],
      ['SELL', 7, 20000],
      ['BUY', 6, 20000],
    ]);

    expect(outcome(ex, results)).toEqual({
      1: ['FILLED', 6],
      2: ['FILLED', 7],
      3: ['PARTIALLY_FILLED', 1],
    });
    expect(tradesOf(results)).toMatchObject([
      { price: 20000, qty: 6, buyerOrderId: 1, sellerOrderId: 2 },
      { price: 20000, qty: 1, buyerOrderId: 3, sellerOrderId: 2 },
    ]);
    expect(validate(ex.state)).toEqual([]);
  });
});
