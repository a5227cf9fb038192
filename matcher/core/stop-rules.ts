// When stops trigger: the directions Binance defines and the trailing stop's test.

import { BUY, STOP_LOSS, STOP_LOSS_LIMIT } from './order-store.ts';
import { BIPS } from './money.ts';

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
