// What a taker would meet on the other side of the book, without changing anything: the worst-case cost of a
// market buy, the lots a market sell by quote needs, whether a FOK can fill. Self-trade prevention is taken
// into account exactly as matching applies it.

import { crosses } from './matching.ts';
import { mul2, mul3 } from './money.ts';
import { BUY, EXPIRE_MAKER, SELL, STP_NONE } from './order-store.ts';
import type { ExchangeState, Market } from './state.ts';

/**
 * Walks the liquidity a taker of account `accountIndex` with self-trade prevention `mode` would meet on the
 * other side, best first, as (price, lots) pairs until `visit` returns false: its own resting orders are
 * skipped (EXPIRE_MAKER expires them) or end the walk (EXPIRE_TAKER and EXPIRE_BOTH stop the taker), as
 * matching treats them. Level totals when the account rests nothing on the market, order by order otherwise.
 */
export function walkLiquidity(
  state: ExchangeState,
  market: Market,
  side: number,
  accountIndex: number,
  mode: number,
  visit: (price: number, lots: number) => boolean,
): void {
  const other = side === BUY ? SELL : BUY;
  const account = state.accountList[accountIndex];
  if (mode === STP_NONE || account === undefined || market.openCountOf(accountIndex) === 0) {
    market.book.forEachLevel(other, visit);
    return;
  }
  const s = state.store;
  for (const o of market.book.orders(other)) {
    if (s.account(o) === accountIndex) {
      if (mode === EXPIRE_MAKER) continue;
      return;
    }
    if (!visit(s.price(o), s.remaining(o))) return;
  }
}

/** What buying `qty` lots at market costs at worst, in quote units (no more than the book's depth). */
export function marketBuyCost(
  state: ExchangeState,
  market: Market,
  accountIndex: number,
  mode: number,
  qty: number,
): bigint {
  let need = qty;
  let cost = 0n;
  walkLiquidity(state, market, BUY, accountIndex, mode, (price, lots) => {
    const take = Math.min(lots, need);
    cost += mul3(price, take, market.notionalPerTickLot);
    need -= take;
    return need > 0;
  });
  return cost;
}

/** How many lots selling at market until `quote` is earned takes, in whole lots. */
export function marketSellLots(
  state: ExchangeState,
  market: Market,
  accountIndex: number,
  mode: number,
  quote: bigint,
): number {
  let left = quote;
  let lots = 0;
  walkLiquidity(state, market, SELL, accountIndex, mode, (price, available) => {
    const perLot = mul2(price, market.notionalPerTickLot);
    const affordable = left / perLot;
    const take = affordable < BigInt(available) ? Number(affordable) : available;
    lots += take;
    if (lots >= Number.MAX_SAFE_INTEGER) {
      lots = Number.MAX_SAFE_INTEGER; // as many as one order can hold: matching sells no more
      return false;
    }
    left -= BigInt(take) * perLot;
    return take === available && left > 0n;
  });
  return lots;
}

/** Whether `qty` lots can fill completely at `price` or better (FOK), as matching would fill them. */
export function canFill(
  state: ExchangeState,
  market: Market,
  side: number,
  accountIndex: number,
  mode: number,
  price: number,
  qty: number,
): boolean {
  let available = 0;
  walkLiquidity(state, market, side, accountIndex, mode, (levelPrice, lots) => {
    if (!crosses(side, price, levelPrice)) return false;
    available += lots;
    return available < qty;
  });
  return available >= qty;
}
