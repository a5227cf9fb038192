// When stops trigger: the directions Binance defines, the trailing stop's test, and the order stops wait in.

import type { OrderStore } from './order-store.ts';
import { BUY, STOP_LOSS, STOP_LOSS_LIMIT } from './order-store.ts';
import { BIPS } from './risk.ts';

/** Whether a stop of this side and type triggers when the last price rises to its stop (else when it falls). */
export const triggersOnRise = (side: number, type: number): boolean =>
  (side === BUY) === (type === STOP_LOSS || type === STOP_LOSS_LIMIT);

/** Whether the last price already satisfies a stop's trigger (never before the first trade). */
export function wouldTrigger(side: number, type: number, stopPrice: number, lastPrice: number): boolean {
  if (lastPrice === 0) return false;
  return triggersOnRise(side, type) ? lastPrice >= stopPrice : lastPrice <= stopPrice;
}

/**
 * Whether `price` is trailingDelta BIPS or more against `best`: for a BUY price >= best × (1 + delta), for a
 * SELL price <= best × (1 - delta). Exact in integers (bigint past 2^53).
 */
export function movedAgainst(buy: boolean, price: number, best: number, delta: number): boolean {
  const factor = buy ? BIPS + delta : BIPS - delta;
  const lhs = price * BIPS;
  const rhs = best * factor;
  if (lhs <= Number.MAX_SAFE_INTEGER && rhs <= Number.MAX_SAFE_INTEGER) return buy ? lhs >= rhs : lhs <= rhs;
  const l = BigInt(price) * BigInt(BIPS);
  const r = BigInt(best) * BigInt(factor);
  return buy ? l >= r : l <= r;
}

/**
 * Files `slot` into a list of stops in trigger order: by stop price (ascending for those that trigger on a rise,
 * descending for a fall), then by id.
 */
export function insertByStop(s: OrderStore, list: number[], slot: number, rising: boolean): void {
  const stop = s.stopPrice(slot);
  const id = s.id(slot);
  // First position whose order triggers later than this one.
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const other = s.stopPrice(list[mid]!);
    const later = rising ? other > stop : other < stop;
    if (later || (other === stop && s.id(list[mid]!) > id)) hi = mid;
    else lo = mid + 1;
  }
  list.splice(lo, 0, slot);
}
