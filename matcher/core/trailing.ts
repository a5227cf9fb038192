// Trailing stops (trailingDelta, Binance's faqs/trailing-stop-faq.md) track the best trade price since they began
// tracking, the lowest for a BUY and the highest for a SELL, and trigger when a trade moves trailingDelta BIPS
// against it: a BUY at a price >= lowest × (1 + delta), a SELL at <= highest × (1 - delta). With a stop price
// they begin tracking at the first trade that meets it, whose price is then the best; without one, at once from
// the last price (or the next trade's, before the first). They see every trade of a match, in order (the market
// records the prices while any wait), and what they trigger waits until the match is over, like any stop.
//
// What a trade costs them does not grow with how many there are, nor with the deltas in use:
// - Stops waiting for their stop price sit on two ladders of stop prices (stop-ladder.ts), like plain stops: a
//   trade takes off the front what it activates.
// - Tracking stops of one side that share a best price are a level (TrailLevel), whatever their deltas; a side's
//   levels are kept from the most extreme best price (the trigger end: the highest for a SELL, the lowest for a
//   BUY) to the least (the merge end). A trade can only move the levels at the merge end, which it merges into one
//   at its price. Which level triggers first depends on its best price and its smallest delta, so the levels that
//   hold stops are also in a heap by trigger price, and each level's stops in a heap by delta (trail-levels.ts):
//   a trade looks at the top of each side's heap, and takes off what it triggers.
// - A best price that moves is not reported per stop (a new high would write every stop): an update carries the
//   best price as of then and trailingFromTradeId, the first trade that counts toward it, so the best price now
//   can be told from the trades (the matcher's recovery does).

import { BUY, NONE, type OrderStore, TrailLevel } from './order-store.ts';
import type { Tx } from './risk.ts';
import { movedAgainst, triggersOnRise } from './stop-rules.ts';
import type { ExchangeState, Market } from './state.ts';
import type { StopLadder } from './stop-ladder.ts';
import {
  heapProblems,
  joinLevel,
  leaveLevel,
  mergeLevel,
  schedule,
  scheduleProblems,
  stopsOf,
  takeTriggered,
  type TrailSide,
  unschedule,
} from './trail-levels.ts';

/** The tracking trailing stops of a market's buys or sells. */
const sideOf = (market: Market, buy: boolean): TrailSide =>
  buy ? market.trailingBuys : market.trailingSells;

/**
 * Files a trailing stop (its funds already held): waiting for its stop price, or tracking from best price
 * `best` (0: no trade yet).
 */
export function fileTrailing(state: ExchangeState, market: Market, slot: number, best: number): void {
  const s = state.store;
  const trailing = s.trailing[slot]!;
  trailing.slot = slot;
  market.trailingCount++;
  s.setPending(slot, 1);
  if (trailing.time === -1) waitingList(market, s, slot).insert(s, slot);
  else track(s, market, slot, best);
}

/** Puts a pending trailing stop that tracks from best price `best` into its side's level at that price. */
function track(s: OrderStore, market: Market, slot: number, best: number): void {
  const trailing = s.trailing[slot]!;
  const side = sideOf(market, s.side(slot) === BUY);
  const level = levelAt(side, best);
  joinLevel(level, trailing);
  side.count++;
  if (best !== 0) schedule(side, level);
}

/** The level of `side` at best price `best`, made in its place if there is none. */
function levelAt(side: TrailSide, best: number): TrailLevel {
  const levels = side.levels;
  const rank = side.rank(best);
  // The first level no more extreme than `best`; activations land at the merge end, so look there first.
  let at = levels.length;
  if (at > 0 && side.rank(levels[at - 1]!.best) <= rank) {
    let lo = 0;
    let hi = at - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (side.rank(levels[mid]!.best) > rank) lo = mid + 1;
      else hi = mid;
    }
    at = lo;
    const found = levels[at]!;
    if (found.best === best) {
      if (found.count === 0) side.empty--; // about to be joined
      return found;
    }
  }
  const level = new TrailLevel(best);
  levels.splice(at, 0, level);
  return level;
}

/** A level of `side` has lost its last stop: out of the heap, and the emptied levels dropped when many. */
function emptied(side: TrailSide, level: TrailLevel): void {
  unschedule(side, level);
  if (++side.empty > 8 && side.empty * 2 > side.levels.length) {
    side.levels = side.levels.filter((x) => x.count > 0);
    side.empty = 0;
  }
}

/** The list a trailing stop waits in for its stop price. */
const waitingList = (market: Market, s: OrderStore, slot: number): StopLadder =>
  triggersOnRise(s.side(slot), s.orderType(slot)) ? market.trailingRising : market.trailingFalling;

/** Takes a pending trailing stop off its list or out of its level (cancel). */
export function unfileTrailing(state: ExchangeState, market: Market, slot: number): void {
  const s = state.store;
  const trailing = s.trailing[slot]!;
  market.trailingCount--;
  s.setPending(slot, 0);
  if (trailing.time === -1) {
    waitingList(market, s, slot).remove(s, slot);
    return;
  }
  // Tracking, so in a level: a triggered stop (out of its level) runs within the command that triggered it.
  const level = trailing.level!.root();
  const side = sideOf(market, s.side(slot) === BUY);
  leaveLevel(level, trailing);
  side.count--;
  if (level.count === 0) emptied(side, level);
  else if (level.best !== 0) schedule(side, level); // its smallest delta may have gone
}

/**
 * Shows the trailing stops the trades since the last look, in order: each may begin tracking, move a best price
 * or trigger stops (onto market.trailingTriggered, in the order they did, by id at one trade). Reports every
 * stop that began tracking and did not trigger.
 */
export function trackPrices(tx: Tx, market: Market): void {
  const s = tx.state.store;
  const prices = market.tradePrices;
  const ids = market.tradeIds;
  // Marks what this look triggered: a stop that began tracking and triggered in one look is reported when it
  // runs, not before.
  const pass = ++tx.looks;
  // A timestamp of -1 would read as "not tracking": tracking times are never below 0.
  const now = Math.max(0, tx.time);
  const buys = market.trailingBuys;
  const sells = market.trailingSells;
  let began: number[] | null = null;
  const batch: number[] = [];
  for (let k = 0; k < prices.length; k++) {
    const price = prices[k]!;
    lift(buys, price);
    lift(sells, price);
    // Stops that begin tracking at this trade, from its price; later trades count toward their best.
    for (const list of [market.trailingRising, market.trailingFalling]) {
      for (;;) {
        const slot = list.first();
        if (slot === NONE || (list.rising ? s.stopPrice(slot) > price : s.stopPrice(slot) < price)) break;
        list.shift(s);
        const trailing = s.trailing[slot]!;
        trailing.time = now;
        trailing.fromTradeId = ids[k]! + 1;
        track(s, market, slot, price);
        (began ??= []).push(slot);
      }
    }
    trigger(buys, price, batch, pass);
    trigger(sells, price, batch, pass);
    if (batch.length > 0) {
      batch.sort((x, y) => s.id(x) - s.id(y));
      for (const slot of batch) market.trailingTriggered.push(slot);
      market.trailingCount -= batch.length;
      batch.length = 0;
    }
  }
  prices.length = 0;
  ids.length = 0;
  if (began === null) return;
  const accounts = tx.state.accountList;
  for (const slot of began) {
    if (s.trailing[slot]!.dueAt === pass) continue; // triggered: reported when it runs
    tx.emit(s.view(slot, market.symbol, accounts[s.account(slot)]!.id));
  }
}

/** A trade at `price` moves the levels at the merge end that it is more extreme than: they become one, at it. */
function lift(side: TrailSide, price: number): void {
  const levels = side.levels;
  const rank = side.rank(price);
  let moved: TrailLevel | null = null;
  while (levels.length > 0 && side.rank(levels[levels.length - 1]!.best) < rank) {
    const level = levels.pop()!;
    if (level.count === 0) {
      side.empty--;
    } else {
      unschedule(side, level);
      if (moved === null) moved = level;
      else mergeLevel(level, moved);
    }
  }
  if (moved === null) return;
  moved.best = price;
  const last = levels.length > 0 ? levels[levels.length - 1]! : null;
  if (last !== null && last.best === price) {
    if (last.count === 0) side.empty--;
    unschedule(side, last);
    mergeLevel(moved, last);
    moved = last;
  } else {
    levels.push(moved);
  }
  schedule(side, moved);
}

/**
 * A trade at `price` triggers the stops it moved trailingDelta against their best price: from the level that
 * triggers first, its stops with the smallest deltas first, into `batch`.
 */
function trigger(side: TrailSide, price: number, batch: number[], pass: number): void {
  const heap = side.heap;
  while (heap.length > 0) {
    const level = heap[0]!;
    if (!movedAgainst(side.buy, price, level.best, level.stops!.delta)) return;
    const taken = side.taken;
    takeTriggered(level, side.buy, price, taken);
    for (const trailing of taken) {
      trailing.dueAt = pass;
      batch.push(trailing.slot);
    }
    side.count -= taken.length;
    taken.length = 0;
    if (level.count === 0) emptied(side, level);
    else schedule(side, level);
  }
}

/** A market's pending trailing stops (waiting or tracking), by id. */
export function trailingSlots(store: OrderStore, market: Market): number[] {
  const slots = [...market.trailingRising.slots(store), ...market.trailingFalling.slots(store)];
  for (const side of [market.trailingBuys, market.trailingSells]) {
    for (const level of side.levels) for (const t of stopsOf(level)) slots.push(t.slot);
  }
  return slots.sort((a, b) => store.id(a) - store.id(b));
}

/** What is wrong with a market's trailing stop structures (audit.ts checks the stops themselves). */
export function trailingProblems(store: OrderStore, market: Market): string[] {
  const problems: string[] = [];
  const s = store;
  let counted = market.trailingRising.size + market.trailingFalling.size;
  for (const list of [market.trailingRising, market.trailingFalling]) {
    problems.push(...list.problems(s, `${market.symbol} trailing stops waiting`));
    for (const o of list.slots(s)) {
      const trailing = s.trailing[o];
      if (trailing === undefined || trailing.time !== -1 || trailing.level !== null) {
        problems.push(`trailing stop ${s.id(o)}: waits but is tracking`);
      }
      if (triggersOnRise(s.side(o), s.orderType(o)) !== list.rising) {
        problems.push(`trailing stop ${s.id(o)}: in the wrong list`);
      }
    }
  }
  for (const side of [market.trailingBuys, market.trailingSells]) {
    const name = `${market.symbol} trailing ${side.buy ? 'BUY' : 'SELL'}`;
    problems.push(...scheduleProblems(side, name));
    let count = 0;
    let empty = 0;
    let scheduled = 0;
    side.levels.forEach((level, i) => {
      const at = `${name} level ${level.best}`;
      if (level.into !== null) problems.push(`${at}: merged, yet listed`);
      if (level.best === 0 && i !== side.levels.length - 1) problems.push(`${at}: without a price, not last`);
      const prev = side.levels[i - 1];
      if (prev !== undefined && side.rank(prev.best) <= side.rank(level.best)) {
        problems.push(`${at}: levels out of order`);
      }
      problems.push(...heapProblems(level, at));
      const due = level.count > 0 && level.best !== 0;
      if (due) scheduled++;
      if (due !== (level.at >= 0 && side.heap[level.at] === level)) {
        problems.push(`${at}: ${due ? 'not ' : ''}in the heap of levels`);
      }
      for (const t of stopsOf(level)) {
        const o = t.slot;
        if (s.trailing[o] !== t || t.level?.root() !== level) {
          problems.push(`trailing stop ${s.id(o)}: not of its level`);
        }
        if ((s.side(o) === BUY) !== side.buy || t.time === -1) {
          problems.push(`trailing stop ${s.id(o)}: on the wrong side`);
        }
      }
      if (level.count === 0) empty++;
      count += level.count;
    });
    if (scheduled !== side.heap.length) problems.push(`${name}: the heap holds levels not listed`);
    if (count !== side.count) problems.push(`${name}: counts ${side.count}, holds ${count}`);
    if (empty !== side.empty) problems.push(`${name}: counts ${side.empty} empty levels, has ${empty}`);
    counted += count;
  }
  if (counted !== market.trailingCount)
    problems.push(`${market.symbol}: ${market.trailingCount} trailing stops counted, ${counted} filed`);
  return problems;
}
