// Stop orders (STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT, TAKE_PROFIT_LIMIT) wait off the book with their funds
// locked until the last trade price reaches their stop price: BUY STOP_LOSS* and SELL TAKE_PROFIT* when it
// rises to it, SELL STOP_LOSS* and BUY TAKE_PROFIT* when it falls to it (Binance's directions). Triggering
// happens after the match that moved the price, never inside it: the rising list is served first (lowest stop
// first), then the falling list (highest stop first), then the trailing stops that triggered (trailing.ts, in
// the order they did), oldest first at one stop, one order at a time, looking again after each, so cascades are
// deterministic.

import { execute } from './execute.ts';
import { atMarket, BUY, NONE, type OrderStore } from './order-store.ts';
import { heldBy, heldByN, release, type Tx } from './risk.ts';
import { triggersOnRise } from './stop-rules.ts';
import type { ExchangeState, Market } from './state.ts';
import type { StopLadder } from './stop-ladder.ts';
import { fileTrailing, trackPrices, unfileTrailing } from './trailing.ts';

/** The ladder a plain stop waits on. */
const ladderOf = (market: Market, s: OrderStore, slot: number): StopLadder =>
  triggersOnRise(s.side(slot), s.orderType(slot)) ? market.risingStops : market.fallingStops;

/**
 * Files a stop order, funds already held, in trigger order. A trailing stop that is tracking starts from best
 * price `best` (trailing.ts).
 */
export function addStop(state: ExchangeState, market: Market, slot: number, best: number): void {
  const s = state.store;
  if (s.trailing[slot] !== undefined) {
    fileTrailing(state, market, slot, best);
    return;
  }
  ladderOf(market, s, slot).insert(s, slot);
  s.setPending(slot, 1);
}

/** Takes a pending stop out of its list (cancel). */
export function removeStop(state: ExchangeState, market: Market, slot: number): void {
  const s = state.store;
  if (s.trailing[slot] !== undefined) {
    unfileTrailing(state, market, slot);
    return;
  }
  ladderOf(market, s, slot).remove(s, slot);
  s.setPending(slot, 0);
}

/** Triggers and runs every stop the last price has reached, until none is left to trigger. */
export function triggerStops(tx: Tx, market: Market): void {
  const state = tx.state;
  const s = state.store;
  const triggered = market.trailingTriggered;
  for (;;) {
    if (market.tradePrices.length > 0) trackPrices(tx, market);
    const last = market.lastPrice;
    if (last === 0) return;
    let slot: number;
    const rising = market.risingStops.first();
    const falling = market.fallingStops.first();
    if (rising !== NONE && s.stopPrice(rising) <= last) {
      slot = market.risingStops.shift(s);
    } else if (falling !== NONE && s.stopPrice(falling) >= last) {
      slot = market.fallingStops.shift(s);
    } else if (market.trailingTriggeredAt < triggered.length) {
      slot = triggered[market.trailingTriggeredAt++]!;
    } else {
      if (triggered.length !== 0) {
        // Setting an array's length is a call into the runtime: not on every order when none was triggered.
        triggered.length = 0;
        market.trailingTriggeredAt = 0;
      }
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
  const heldN = heldByN(state, slot); // both before it stops being pending: a pending stop may hold at its stop
  s.setPending(slot, 0);
  release(tx, account.balance(isBuy ? market.quote : market.base), held);
  s.setUpdateTime(slot, tx.time);
  const budget = isBuy && atMarket(s.orderType(slot)) ? held : null;
  execute(tx, market, account, slot, heldN, held, budget, true);
}
