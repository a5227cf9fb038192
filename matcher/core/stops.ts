// Stop orders (STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT, TAKE_PROFIT_LIMIT) wait off the book with their funds
// locked until the last trade price reaches their stop price: BUY STOP_LOSS* and SELL TAKE_PROFIT* when it
// rises to it, SELL STOP_LOSS* and BUY TAKE_PROFIT* when it falls to it (Binance's directions). Triggering
// happens after the match that moved the price, never inside it: the rising list is served first (lowest stop
// first), then the falling list (highest stop first), oldest first at one stop, one order at a time, looking
// again after each, so cascades are deterministic.

import { execute } from './execute.ts';
import { atMarket, BUY, STOP_LOSS, STOP_LOSS_LIMIT } from './order-store.ts';
import { heldBy, release, type Tx } from './risk.ts';
import type { ExchangeState, Market } from './state.ts';

/** Whether a stop of this side and type triggers when the last price rises to its stop (else when it falls). */
export const triggersOnRise = (side: number, type: number): boolean =>
  (side === BUY) === (type === STOP_LOSS || type === STOP_LOSS_LIMIT);

/** Whether the last price already satisfies a stop's trigger (never before the first trade). */
export function wouldTrigger(side: number, type: number, stopPrice: number, lastPrice: number): boolean {
  if (lastPrice === 0) return false;
  return triggersOnRise(side, type) ? lastPrice >= stopPrice : lastPrice <= stopPrice;
}

/** The list a pending stop waits in. */
export function stopListOf(state: ExchangeState, market: Market, slot: number): number[] {
  const s = state.store;
  return triggersOnRise(s.side(slot), s.orderType(slot)) ? market.risingStops : market.fallingStops;
}

/** Files a stop order, funds already held, in trigger order. */
export function addStop(state: ExchangeState, market: Market, slot: number): void {
  const s = state.store;
  const list = stopListOf(state, market, slot);
  const rising = list === market.risingStops;
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
  s.setPending(slot, 1);
}

/** Takes a pending stop out of its list (cancel). */
export function removeStop(state: ExchangeState, market: Market, slot: number): void {
  const list = stopListOf(state, market, slot);
  list.splice(list.indexOf(slot), 1);
  state.store.setPending(slot, 0);
}

/** Triggers and runs every stop the last price has reached, until none is left to trigger. */
export function triggerStops(tx: Tx, market: Market): void {
  const state = tx.state;
  const s = state.store;
  for (;;) {
    const last = market.lastPrice;
    if (last === 0) return;
    let slot: number;
    if (market.risingStops.length > 0 && s.stopPrice(market.risingStops[0]!) <= last) {
      slot = market.risingStops.shift()!;
    } else if (market.fallingStops.length > 0 && s.stopPrice(market.fallingStops[0]!) >= last) {
      slot = market.fallingStops.shift()!;
    } else {
      return;
    }
    activate(tx, market, slot);
  }
}

/**
 * A triggered stop enters as the LIMIT (with its time in force) or MARKET order it stands for, keeping its id.
 * What it held comes back to free first and is what it may spend; a market buy spends no more than that.
 */
function activate(tx: Tx, market: Market, slot: number): void {
  const state = tx.state;
  const s = state.store;
  const account = state.accountList[s.account(slot)]!;
  const isBuy = s.side(slot) === BUY;
  const held = heldBy(state, slot);
  s.setPending(slot, 0);
  release(tx, account.balance(isBuy ? market.quote : market.base), held);
  s.setUpdateTime(slot, tx.time);
  const budget = isBuy && atMarket(s.orderType(slot)) ? held : null;
  execute(tx, market, account, slot, held, budget, true);
}
