// Stop orders (STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT, TAKE_PROFIT_LIMIT) wait off the book with their funds
// locked until the last trade price reaches their stop price: BUY STOP_LOSS* and SELL TAKE_PROFIT* when it
// rises to it, SELL STOP_LOSS* and BUY TAKE_PROFIT* when it falls to it (Binance's directions). Triggering
// happens after the match that moved the price, never inside it: the rising list is served first (lowest stop
// first), then the falling list (highest stop first), then the trailing stops that triggered (in the order they
// did), oldest first at one stop, one order at a time, looking again after each, so cascades are deterministic.
//
// Trailing stops (trailingDelta, Binance's faqs/trailing-stop-faq.md) track the best trade price since they began
// tracking, the lowest for a BUY and the highest for a SELL, and trigger when a trade moves trailingDelta BIPS
// against it: a BUY at a price >= lowest × (1 + delta), a SELL at <= highest × (1 - delta). With a stop price
// they begin tracking at the first trade that meets it, whose price is then the best; without one, at once from
// the last price (or the next trade's, before the first). They see every trade of a match, in order (the
// market records the prices while any wait), and what they trigger waits until the match is over, like any stop.
// Their tracking state changes without the order otherwise changing, so each change is reported as an order
// update: the database keeps it, and a restored state goes on from where it was.

import { execute } from './execute.ts';
import { atMarket, BUY, STOP_LOSS, STOP_LOSS_LIMIT } from './order-store.ts';
import { BIPS, heldBy, release, type Tx } from './risk.ts';
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
  if (s.trailing[slot] !== undefined) return market.trailingStops;
  return triggersOnRise(s.side(slot), s.orderType(slot)) ? market.risingStops : market.fallingStops;
}

/** Files a stop order, funds already held, in trigger order. */
export function addStop(state: ExchangeState, market: Market, slot: number): void {
  const s = state.store;
  const list = stopListOf(state, market, slot);
  const rising = list === market.risingStops;
  const trailing = list === market.trailingStops;
  const stop = s.stopPrice(slot);
  const id = s.id(slot);
  // First position whose order triggers later than this one (trailing stops: a higher id).
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const other = trailing ? stop : s.stopPrice(list[mid]!);
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
  const at = list.indexOf(slot);
  if (at >= 0) list.splice(at, 1); // always there (validate checks every list holds only its own kind)
  state.store.setPending(slot, 0);
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
    if (market.risingStops.length > 0 && s.stopPrice(market.risingStops[0]!) <= last) {
      slot = market.risingStops.shift()!;
    } else if (market.fallingStops.length > 0 && s.stopPrice(market.fallingStops[0]!) >= last) {
      slot = market.fallingStops.shift()!;
    } else if (triggered.length > 0) {
      slot = triggered.shift()!;
    } else {
      return;
    }
    activate(tx, market, slot);
  }
}

/**
 * Shows the trailing stops the prices of the trades since the last look, in order: each may begin tracking,
 * move its best price, or trigger (taken off the trailing list onto market.trailingTriggered, in that order).
 * Reports every stop whose tracking changed and that did not trigger.
 */
function trackPrices(tx: Tx, market: Market): void {
  const s = tx.state.store;
  const triggered = market.trailingTriggered;
  const prices = market.tradePrices;
  const list = market.trailingStops;
  // Marks what this look reported or triggered; a later look in the same command (after a triggered stop's own
  // trades) reports again what moves again.
  const pass = ++tx.looks;
  // A timestamp of -1 would read as "not tracking": tracking times are never below 0.
  const now = Math.max(0, tx.time);
  let moved: number[] | null = null;
  for (const price of prices) {
    let kept = 0;
    for (let i = 0; i < list.length; i++) {
      const slot = list[i]!;
      const trailing = s.trailing[slot]!;
      const buy = s.side(slot) === BUY;
      let changed = false;
      if (trailing.time === -1) {
        // Waiting for its stop price: the first trade that meets it begins tracking, from its own price.
        if (wouldTrigger(s.side(slot), s.orderType(slot), s.stopPrice(slot), price)) {
          trailing.time = now;
          trailing.price = price;
          changed = true;
        }
      } else if (trailing.price === 0 || (buy ? price < trailing.price : price > trailing.price)) {
        trailing.price = price;
        changed = true;
      } else if (movedAgainst(buy, price, trailing.price, trailing.delta)) {
        trailing.dueAt = pass;
        triggered.push(slot);
        continue; // off the list (compacted in place: many may trigger at once)
      }
      if (changed && trailing.reportedAt !== pass) {
        trailing.reportedAt = pass;
        (moved ??= []).push(slot);
      }
      list[kept++] = slot;
    }
    list.length = kept;
  }
  prices.length = 0;
  if (moved === null) return;
  const accounts = tx.state.accountList;
  for (const slot of moved) {
    if (s.trailing[slot]!.dueAt === pass) continue; // triggered: reported when it runs
    tx.events.push(s.view(slot, market.symbol, accounts[s.account(slot)]!.id));
  }
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
