// The fast book. Per side: an index from price to level for O(1) lookup (price-index.ts), and the levels kept
// sorted in small chunks (a two-level sorted list), best last, so the best level is the last element of the last
// chunk, taking it off is a pop, and adding or removing any other level moves at most one chunk's worth of entries
// (plus, on the rare split or drop of a chunk, one pointer per chunk). Per level a doubly linked FIFO through the
// store's prev/next columns gives O(1) append and O(1) removal anywhere; per-level totals are kept incrementally.
// No operation's cost grows with the number of resting orders.

import { objectArray } from './arrays.ts';
import type { OrderBook } from './book.ts';
import { BUY, NONE, type OrderStore } from './order-store.ts';
import { PriceIndex } from './price-index.ts';

const CHUNK = 64;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Array.splice without the array it returns: this runs on every new or emptied level. */
function insertAt<T>(a: T[], at: number, item: T): void {
  for (let i = a.length; i > at; i--) a[i] = a[i - 1]!;
  a[at] = item;
}

function removeAt<T>(a: T[], at: number): void {
  const last = a.length - 1;
  for (let i = at; i < last; i++) a[i] = a[i + 1]!;
  a.pop(); // not `a.length = last`: setting length is a call into the runtime
}

export class Level {
  readonly price: number;
  /** Sort key: larger is better (price for bids, -price for asks). */
  readonly key: number;
  head = NONE;
  tail = NONE;
  /**
   * Sum of the remaining lots of the orders here, exact: a double while it is a safe integer; past 2^53 it is
   * kept in `big` and `total` reads MAX_SAFE_INTEGER ("at least that much", which is all a taker can need).
   */
  total = 0;
  big: bigint | null = null;

  add(lots: number): void {
    if (this.big !== null) {
      this.big += BigInt(lots);
    } else if (this.total + lots > MAX_SAFE) {
      this.big = BigInt(this.total) + BigInt(lots);
      this.total = MAX_SAFE;
    } else {
      this.total += lots;
    }
  }

  subtract(lots: number): void {
    if (this.big === null) {
      this.total -= lots;
      return;
    }
    this.big -= BigInt(lots);
    if (this.big <= BigInt(MAX_SAFE)) {
      this.total = Number(this.big);
      this.big = null;
    }
  }

  /** The exact total, for audits. */
  get exactTotal(): bigint {
    return this.big ?? BigInt(this.total);
  }
  count = 0;

  constructor(price: number, key: number) {
    this.price = price;
    this.key = key;
  }
}

export class BookSide {
  readonly isBid: boolean;
  readonly byPrice = new PriceIndex<Level>();
  /** Each chunk ascending by key; chunks ascending too. Never holds an empty chunk. */
  readonly chunks: Level[][] = objectArray();
  best: Level | null = null;

  constructor(isBid: boolean) {
    this.isBid = isBid;
  }

  levelFor(price: number): Level {
    const found = this.byPrice.get(price);
    if (found !== undefined) return found;
    const level = new Level(price, this.isBid ? price : -price);
    this.byPrice.set(price, level);
    this.insertLevel(level);
    return level;
  }

  /** The level at `price`, which must exist. Fills reduce and remove at the best level: it needs no lookup. */
  levelOf(price: number): Level {
    const best = this.best;
    return best !== null && best.price === price ? best : this.byPrice.get(price)!;
  }

  /** Index of the chunk that holds (or would hold) `key`: the first whose last key is >= key, else the last. */
  private chunkIndex(key: number): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = chunks[mid]!;
      if (c[c.length - 1]!.key < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insertLevel(level: Level): void {
    const chunks = this.chunks;
    const key = level.key;
    if (chunks.length === 0) {
      chunks.push([level]);
      this.best = level;
      return;
    }
    const ci = this.chunkIndex(key);
    const c = chunks[ci]!;
    if (ci === chunks.length - 1 && c[c.length - 1]!.key < key) {
      c.push(level); // a new best: the common case for an improving quote
    } else {
      let lo = 0;
      let hi = c.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (c[mid]!.key < key) lo = mid + 1;
        else hi = mid;
      }
      insertAt(c, lo, level);
    }
    if (c.length > CHUNK) chunks.splice(ci + 1, 0, c.splice(CHUNK >> 1));
    const last = chunks[chunks.length - 1]!;
    this.best = last[last.length - 1]!;
  }

  removeLevel(level: Level): void {
    this.byPrice.delete(level.price);
    const chunks = this.chunks;
    if (level === this.best) {
      const last = chunks[chunks.length - 1]!;
      last.pop();
      if (last.length === 0) chunks.pop();
    } else {
      const ci = this.chunkIndex(level.key);
      const c = chunks[ci]!;
      let lo = 0;
      let hi = c.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (c[mid]!.key < level.key) lo = mid + 1;
        else hi = mid;
      }
      removeAt(c, lo);
      if (c.length === 0) chunks.splice(ci, 1);
    }
    if (chunks.length === 0) {
      this.best = null;
    } else {
      const last = chunks[chunks.length - 1]!;
      this.best = last[last.length - 1]!;
    }
  }

  *levels(): Generator<Level> {
    for (let ci = this.chunks.length - 1; ci >= 0; ci--) {
      const c = this.chunks[ci]!;
      for (let i = c.length - 1; i >= 0; i--) yield c[i]!;
    }
  }
}

export class FastOrderBook implements OrderBook {
  private readonly store: OrderStore;
  private readonly bids = new BookSide(true);
  private readonly asks = new BookSide(false);
  size = 0;

  constructor(store: OrderStore) {
    this.store = store;
  }

  best(side: number): number {
    const level = (side === BUY ? this.bids : this.asks).best;
    return level === null ? NONE : level.head;
  }

  // insert and remove link the FIFO inline rather than through the store's link/unlink (which the stop ladders
  // use): a function shared with another kind of list, on this path, cost deep 10-15 %.
  insert(slot: number): void {
    const s = this.store;
    const level = (s.side(slot) === BUY ? this.bids : this.asks).levelFor(s.price(slot));
    s.setQueuedAt(slot, ++s.queueClock);
    s.setNext(slot, NONE);
    s.setPrev(slot, level.tail);
    if (level.tail === NONE) level.head = slot;
    else s.setNext(level.tail, slot);
    level.tail = slot;
    level.add(s.remaining(slot));
    level.count++;
    this.size++;
  }

  remove(slot: number): void {
    const s = this.store;
    const side = s.side(slot) === BUY ? this.bids : this.asks;
    const level = side.levelOf(s.price(slot));
    const prev = s.prev(slot);
    const next = s.next(slot);
    if (prev === NONE) level.head = next;
    else s.setNext(prev, next);
    if (next === NONE) level.tail = prev;
    else s.setPrev(next, prev);
    s.setPrev(slot, NONE);
    s.setNext(slot, NONE);
    level.subtract(s.remaining(slot));
    level.count--;
    this.size--;
    if (level.count === 0) side.removeLevel(level);
  }

  reduce(slot: number, lots: number): void {
    const s = this.store;
    s.setRemaining(slot, s.remaining(slot) - lots);
    const side = s.side(slot) === BUY ? this.bids : this.asks;
    side.levelOf(s.price(slot)).subtract(lots);
  }

  forEachLevel(side: number, visit: (price: number, totalLots: number) => boolean): void {
    const chunks = (side === BUY ? this.bids : this.asks).chunks;
    for (let ci = chunks.length - 1; ci >= 0; ci--) {
      const c = chunks[ci]!;
      for (let i = c.length - 1; i >= 0; i--) {
        const level = c[i]!;
        if (!visit(level.price, level.total)) return;
      }
    }
  }

  *orders(side: number): Generator<number> {
    const s = this.store;
    for (const level of (side === BUY ? this.bids : this.asks).levels()) {
      for (let o = level.head; o !== NONE; o = s.next(o)) yield o;
    }
  }

  validate(): string[] {
    const s = this.store;
    const problems: string[] = [];
    let counted = 0;
    for (const side of [this.bids, this.asks]) {
      const name = side.isBid ? 'bids' : 'asks';
      let prevKey = Number.POSITIVE_INFINITY;
      let levels = 0;
      for (const c of side.chunks) if (c.length === 0) problems.push(`${name}: empty chunk`);
      for (const level of side.levels()) {
        levels++;
        if (level.key >= prevKey) problems.push(`${name}: level ${level.price} out of order`);
        prevKey = level.key;
        if (side.byPrice.get(level.price) !== level)
          problems.push(`${name}: level ${level.price} not indexed`);
        let total = 0n;
        let count = 0;
        let prev = NONE;
        for (let o = level.head; o !== NONE; o = s.next(o)) {
          const id = s.id(o);
          if (s.prev(o) !== prev) problems.push(`order ${id}: broken back link`);
          if (s.price(o) !== level.price) problems.push(`order ${id}: on the wrong level`);
          if ((s.side(o) === BUY) !== side.isBid) problems.push(`order ${id}: on the wrong side`);
          if (s.remaining(o) <= 0) problems.push(`order ${id}: rests with nothing remaining`);
          if (prev !== NONE && s.queuedAt(prev) >= s.queuedAt(o))
            problems.push(`order ${id}: queued before an older order`);
          total += BigInt(s.remaining(o));
          count++;
          prev = o;
        }
        if (level.tail !== prev) problems.push(`${name}: level ${level.price} tail is not its last order`);
        if (total !== level.exactTotal)
          problems.push(`${name}: level ${level.price} total ${level.exactTotal} != ${total}`);
        if (count !== level.count || count === 0)
          problems.push(`${name}: level ${level.price} count is wrong`);
        counted += count;
      }
      if (levels !== side.byPrice.size)
        problems.push(`${name}: ${side.byPrice.size} indexed, ${levels} sorted`);
      if (side.best !== (side.levels().next().value ?? null)) problems.push(`${name}: best is stale`);
    }
    if (counted !== this.size) problems.push(`size ${this.size} != ${counted} resting`);
    return problems;
  }
}
