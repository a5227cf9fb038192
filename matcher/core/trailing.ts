// Trailing stops (trailingDelta, Binance's faqs/trailing-stop-faq.md) track the best trade price since they began
// tracking, the lowest for a BUY and the highest for a SELL, and trigger when a trade moves trailingDelta BIPS
// against it: a BUY at a price >= lowest × (1 + delta), a SELL at <= highest × (1 - delta). With a stop price
// they begin tracking at the first trade that meets it, whose price is then the best; without one, at once from
// the last price (or the next trade's, before the first). They see every trade of a match, in order (the market
// records the prices while any wait), and what they trigger waits until the match is over, like any stop.
//
// What a trade costs them does not grow with how many there are:
// - Stops waiting for their stop price sit on two ladders of stop prices (stop-ladder.ts), like plain stops: a
//   trade takes off the front what it activates.
// - Tracking stops of one side and delta are a bucket; within it, stops that share a best price are a group
//   (TrailGroup), and the groups are kept from the most extreme best price (the trigger end: the highest for a
//   SELL, the lowest for a BUY) to the least (the merge end). A trade can only move the groups at the merge end,
//   which it merges into one at its price, and can only trigger those at the trigger end, so it looks at the two
//   ends of each bucket: the number of distinct deltas in use, bounded by the market's TRAILING_DELTA filter.
// - A best price that moves is not reported per stop (a new high would write every stop): an update carries the
//   best price as of then and trailingFromTradeId, the first trade that counts toward it, so the best price now
//   can be told from the trades (the matcher's recovery does).

import { BUY, NONE, type OrderStore, TrailGroup } from './order-store.ts';
import type { Tx } from './risk.ts';
import { movedAgainst, triggersOnRise } from './stop-rules.ts';
import type { ExchangeState, Market } from './state.ts';
import type { StopLadder } from './stop-ladder.ts';

/** The tracking trailing stops of one side and delta of a market. */
export class TrailBucket {
  readonly buy: boolean;
  readonly delta: number;
  /** The groups, groups[start] at the trigger end, the last at the merge end; the ones before start are gone. */
  groups: TrailGroup[] = [];
  start = 0;
  /** Stops in the bucket. */
  count = 0;
  /** Groups among the live ones that cancels emptied (dropped when they reach an end, or by compaction). */
  empty = 0;

  constructor(buy: boolean, delta: number) {
    this.buy = buy;
    this.delta = delta;
  }

  /** How extreme a best price is for this bucket: larger is nearer the trigger end (0, no price yet, least). */
  rank(best: number): number {
    return this.buy ? (best === 0 ? -Infinity : -best) : best;
  }
}

const bucketKey = (buy: boolean, delta: number): number => delta * 2 + (buy ? 1 : 0);

/**
 * Files a trailing stop (its funds already held): waiting for its stop price, or tracking from best price
 * `best` (0: no trade yet) in its bucket.
 */
export function fileTrailing(state: ExchangeState, market: Market, slot: number, best: number): void {
  const s = state.store;
  const trailing = s.trailing[slot]!;
  market.trailingCount++;
  s.setPending(slot, 1);
  if (trailing.time === -1) waitingList(market, s, slot).insert(s, slot);
  else track(s, market, slot, best);
}

/** Puts a pending trailing stop that tracks from best price `best` into its bucket. */
function track(s: OrderStore, market: Market, slot: number, best: number): void {
  const trailing = s.trailing[slot]!;
  const buy = s.side(slot) === BUY;
  const key = bucketKey(buy, trailing.delta);
  let bucket = market.trailingBucketOf.get(key);
  if (bucket === undefined) {
    bucket = new TrailBucket(buy, trailing.delta);
    market.trailingBucketOf.set(key, bucket);
    market.trailingBuckets.push(bucket);
  }
  join(s, groupAt(bucket, best), slot);
  bucket.count++;
}

/** The group of `bucket` at best price `best`, made in its place if there is none. */
function groupAt(bucket: TrailBucket, best: number): TrailGroup {
  const groups = bucket.groups;
  const rank = bucket.rank(best);
  // The first live group no more extreme than `best`; activations land at the end, so look there first.
  let at = groups.length;
  if (at > bucket.start && bucket.rank(groups[at - 1]!.best) <= rank) {
    let lo = bucket.start;
    let hi = at - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bucket.rank(groups[mid]!.best) > rank) lo = mid + 1;
      else hi = mid;
    }
    at = lo;
    const found = groups[at]!;
    if (found.best === best) {
      if (found.count === 0) bucket.empty--; // about to be joined
      return found;
    }
  }
  const group = new TrailGroup(best);
  groups.splice(at, 0, group);
  return group;
}

function join(s: OrderStore, group: TrailGroup, slot: number): void {
  s.link(group, slot, group.tail);
  group.count++;
  s.trailing[slot]!.group = group;
}

/** Moves `from`'s stops into `into` (both live); `from` then points to `into`. */
function merge(s: OrderStore, from: TrailGroup, into: TrailGroup): void {
  if (from.count > 0) {
    if (into.count === 0) {
      into.head = from.head;
    } else {
      s.setNext(into.tail, from.head);
      s.setPrev(from.head, into.tail);
    }
    into.tail = from.tail;
    into.count += from.count;
  }
  from.into = into;
  from.head = NONE;
  from.tail = NONE;
  from.count = 0;
}

/** The list a trailing stop waits in for its stop price. */
const waitingList = (market: Market, s: OrderStore, slot: number): StopLadder =>
  triggersOnRise(s.side(slot), s.orderType(slot)) ? market.trailingRising : market.trailingFalling;

/** Takes a pending trailing stop off its list or out of its group (cancel). */
export function unfileTrailing(state: ExchangeState, market: Market, slot: number): void {
  const s = state.store;
  const trailing = s.trailing[slot]!;
  market.trailingCount--;
  s.setPending(slot, 0);
  if (trailing.time === -1) {
    waitingList(market, s, slot).remove(s, slot);
    return;
  }
  // Tracking, so in a group: a triggered stop (out of its group) runs within the command that triggered it.
  const g = trailing.group!.root();
  s.unlink(g, slot);
  trailing.group = null;
  trailing.price = g.best;
  const bucket = market.trailingBucketOf.get(bucketKey(s.side(slot) === BUY, trailing.delta))!;
  bucket.count--;
  if (bucket.count === 0) {
    dropBucket(market, bucket);
  } else if (
    --g.count === 0 &&
    ++bucket.empty > 8 &&
    bucket.empty * 2 > bucket.groups.length - bucket.start
  ) {
    // Many groups emptied by cancels between the ends: drop them all at once.
    bucket.groups = bucket.groups.slice(bucket.start).filter((x) => x.count > 0);
    bucket.start = 0;
    bucket.empty = 0;
  }
}

function dropBucket(market: Market, bucket: TrailBucket): void {
  market.trailingBucketOf.delete(bucketKey(bucket.buy, bucket.delta));
  const list = market.trailingBuckets;
  const at = list.indexOf(bucket);
  list[at] = list[list.length - 1]!;
  list.pop();
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
  let began: number[] | null = null;
  const batch: number[] = [];
  for (let k = 0; k < prices.length; k++) {
    const price = prices[k]!;
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
    const buckets = market.trailingBuckets;
    for (let b = 0; b < buckets.length;) {
      const bucket = buckets[b]!;
      moveTo(s, bucket, price);
      triggerAt(s, bucket, price, batch, pass);
      if (bucket.count === 0) {
        dropBucket(market, bucket); // the last bucket takes its place: look at position b again
      } else {
        b++;
      }
    }
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
    tx.events.push(s.view(slot, market.symbol, accounts[s.account(slot)]!.id));
  }
}

/** A trade at `price` moves the groups at the merge end that it is more extreme than: they become one, at it. */
function moveTo(s: OrderStore, bucket: TrailBucket, price: number): void {
  const groups = bucket.groups;
  const rank = bucket.rank(price);
  let moved: TrailGroup | null = null;
  while (groups.length > bucket.start && bucket.rank(groups[groups.length - 1]!.best) < rank) {
    const g = groups.pop()!;
    if (g.count === 0) {
      bucket.empty--;
    } else if (moved === null) {
      moved = g;
    } else {
      merge(s, g, moved);
    }
  }
  if (moved === null) return;
  moved.best = price;
  const last = groups.length > bucket.start ? groups[groups.length - 1]! : null;
  if (last !== null && last.best === price) {
    if (last.count === 0) bucket.empty--;
    merge(s, moved, last);
  } else {
    groups.push(moved);
  }
}

/** A trade at `price` triggers the groups at the trigger end it moved trailingDelta against: into `batch`. */
function triggerAt(s: OrderStore, bucket: TrailBucket, price: number, batch: number[], pass: number): void {
  const groups = bucket.groups;
  while (bucket.start < groups.length) {
    const g = groups[bucket.start]!;
    if (g.count === 0) {
      bucket.empty--;
    } else if (g.best !== 0 && movedAgainst(bucket.buy, price, g.best, bucket.delta)) {
      for (let slot = g.head; slot !== NONE;) {
        const next = s.next(slot);
        const trailing = s.trailing[slot]!;
        trailing.group = null;
        trailing.price = g.best;
        trailing.dueAt = pass;
        s.setPrev(slot, NONE);
        s.setNext(slot, NONE);
        batch.push(slot);
        slot = next;
      }
      bucket.count -= g.count;
      g.head = NONE;
      g.tail = NONE;
      g.count = 0;
    } else {
      break;
    }
    groups[bucket.start++] = undefined as unknown as TrailGroup; // let it go
  }
  if (bucket.start > 32 && bucket.start * 2 > groups.length) {
    bucket.groups = groups.slice(bucket.start);
    bucket.start = 0;
  }
}

/** A market's pending trailing stops (waiting or tracking), by id. */
export function trailingSlots(store: OrderStore, market: Market): number[] {
  const slots = [...market.trailingRising.slots(store), ...market.trailingFalling.slots(store)];
  for (const bucket of market.trailingBuckets) {
    for (let i = bucket.start; i < bucket.groups.length; i++) {
      for (let o = bucket.groups[i]!.head; o !== NONE; o = store.next(o)) slots.push(o);
    }
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
      if (trailing === undefined || trailing.time !== -1 || trailing.group !== null) {
        problems.push(`trailing stop ${s.id(o)}: waits but is tracking`);
      }
      if (triggersOnRise(s.side(o), s.orderType(o)) !== list.rising) {
        problems.push(`trailing stop ${s.id(o)}: in the wrong list`);
      }
    }
  }
  for (const bucket of market.trailingBuckets) {
    const name = `${market.symbol} trailing ${bucket.buy ? 'BUY' : 'SELL'} ${bucket.delta}`;
    if (market.trailingBucketOf.get(bucketKey(bucket.buy, bucket.delta)) !== bucket)
      problems.push(`${name}: not indexed`);
    let count = 0;
    let empty = 0;
    for (let i = bucket.start; i < bucket.groups.length; i++) {
      const g = bucket.groups[i]!;
      if (g.into !== null) problems.push(`${name}: holds a merged group`);
      if (g.best === 0 && i !== bucket.groups.length - 1)
        problems.push(`${name}: a group without a price is not last`);
      const prev = bucket.groups[i - 1];
      if (i > bucket.start && prev !== undefined && bucket.rank(prev.best) <= bucket.rank(g.best)) {
        problems.push(`${name}: groups out of order at ${g.best}`);
      }
      let n = 0;
      let before = NONE;
      for (let o = g.head; o !== NONE; o = s.next(o)) {
        const trailing = s.trailing[o];
        if (s.prev(o) !== before) problems.push(`trailing stop ${s.id(o)}: broken back link`);
        if (trailing === undefined || trailing.group?.root() !== g)
          problems.push(`trailing stop ${s.id(o)}: not of its group`);
        if ((s.side(o) === BUY) !== bucket.buy || trailing?.delta !== bucket.delta || trailing.time === -1) {
          problems.push(`trailing stop ${s.id(o)}: in the wrong bucket`);
        }
        before = o;
        n++;
      }
      if (g.tail !== before || g.count !== n) problems.push(`${name}: a group's count or tail is wrong`);
      if (n === 0) empty++;
      count += n;
    }
    if (count !== bucket.count || count === 0)
      problems.push(`${name}: counts ${bucket.count}, holds ${count}`);
    if (empty !== bucket.empty) problems.push(`${name}: counts ${bucket.empty} empty groups, has ${empty}`);
    counted += count;
  }
  if (market.trailingBucketOf.size !== market.trailingBuckets.length)
    problems.push(`${market.symbol}: trailing buckets not indexed`);
  if (counted !== market.trailingCount)
    problems.push(`${market.symbol}: ${market.trailingCount} trailing stops counted, ${counted} filed`);
  return problems;
}
