// The order-book contract (book.ts), run against both implementations, and a long randomized differential run
// that holds the fast book to the reference book across hundreds of price levels per side.

import { beforeEach, describe, expect, it } from 'vitest';
import type { BookKind, OrderBook } from './book.ts';
import { newBook } from './engine.ts';
import { BUY, NONE, OrderStore, SELL } from './order-store.ts';

let nextId = 1;

/** A book over its own order store, and orders put into that store (as the engine does) by slot. */
class Desk {
  readonly store = new OrderStore();
  readonly book: OrderBook;

  constructor(kind: BookKind) {
    this.book = newBook(kind, this.store);
  }

  order(side: number, price: number, qty = 1, id = nextId++): number {
    const s = this.store;
    const slot = s.alloc();
    s.setId(slot, id);
    s.setSide(slot, side);
    s.setPrice(slot, price);
    s.setOrigQty(slot, qty);
    s.setRemaining(slot, qty);
    return slot;
  }
}

/** [price, total lots] per level, best first. */
function levelsOf(book: OrderBook, side: number): [number, number][] {
  const out: [number, number][] = [];
  book.forEachLevel(side, (price, total) => {
    out.push([price, total]);
    return true;
  });
  return out;
}

const slotsOf = (book: OrderBook, side: number): number[] => [...book.orders(side)];

/** A tiny seeded PRNG (mulberry32), so every run walks the same sequence. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

describe.each<BookKind>(['fast', 'reference'])('%s order book contract', (kind) => {
  let desk: Desk;
  let book: OrderBook;
  beforeEach(() => {
    desk = new Desk(kind);
    book = desk.book;
  });
  const bid = (price: number, qty = 1) => desk.order(BUY, price, qty);
  const ask = (price: number, qty = 1) => desk.order(SELL, price, qty);

  /** Applies each step and checks the book is sound after every one of them. */
  const insert = (...slots: number[]) => {
    for (const slot of slots) {
      book.insert(slot);
      expect(book.validate()).toEqual([]);
    }
  };
  const remove = (...slots: number[]) => {
    for (const slot of slots) {
      book.remove(slot);
      expect(book.validate()).toEqual([]);
    }
  };
  const reduce = (slot: number, lots: number) => {
    book.reduce(slot, lots);
    expect(book.validate()).toEqual([]);
  };

  it('is empty to begin with', () => {
    expect(book.best(BUY)).toBe(NONE);
    expect(book.best(SELL)).toBe(NONE);
    expect(book.size).toBe(0);
    expect(levelsOf(book, BUY)).toEqual([]);
    expect(slotsOf(book, SELL)).toEqual([]);
    expect(book.validate()).toEqual([]);
  });

  it('gives the highest bid and the lowest ask as best', () => {
    const [b100, b102, b101] = [bid(100), bid(102), bid(101)];
    const [a105, a103, a104] = [ask(105), ask(103), ask(104)];
    insert(b100, b102, b101, a105, a103, a104);
    expect(book.best(BUY)).toBe(b102);
    expect(book.best(SELL)).toBe(a103);
    const better = bid(103);
    insert(better);
    expect(book.best(BUY)).toBe(better);
    expect(book.best(SELL)).toBe(a103);
    expect(book.size).toBe(7);
  });

  it('keeps FIFO within a price level', () => {
    const [a, b, c] = [bid(100), bid(100), bid(100)];
    insert(a, b, c);
    expect(slotsOf(book, BUY)).toEqual([a, b, c]);
    const queuedAt = (slot: number) => desk.store.queuedAt(slot);
    expect(queuedAt(a)).toBeLessThan(queuedAt(b));
    expect(queuedAt(b)).toBeLessThan(queuedAt(c));
    expect(book.best(BUY)).toBe(a);
    remove(a);
    expect(book.best(BUY)).toBe(b);
    const d = bid(100);
    insert(d);
    expect(slotsOf(book, BUY)).toEqual([b, c, d]);
  });

  it('lists orders(side) by price, then time, whatever the insertion order', () => {
    const [a12, a10, a11, a10b, a12b, a10c] = [ask(12), ask(10), ask(11), ask(10), ask(12), ask(10)];
    insert(a12, a10, a11, a10b, a12b, a10c);
    expect(slotsOf(book, SELL)).toEqual([a10, a10b, a10c, a11, a12, a12b]);
    expect(slotsOf(book, BUY)).toEqual([]);
  });

  it('removes an order from the head, middle or tail of a level, and drops emptied levels', () => {
    const [head, middle, tail] = [bid(100, 1), bid(100, 2), bid(100, 3)];
    const lone = bid(99, 4);
    const [d1, d2] = [bid(98, 5), bid(98, 6)];
    insert(head, middle, tail, lone, d1, d2);
    expect(levelsOf(book, BUY)).toEqual([
      [100, 6],
      [99, 4],
      [98, 11],
    ]);
    remove(middle);
    expect(slotsOf(book, BUY)).toEqual([head, tail, lone, d1, d2]);
    expect(levelsOf(book, BUY)[0]).toEqual([100, 4]);
    remove(head);
    expect(book.best(BUY)).toBe(tail);
    remove(d2);
    expect(levelsOf(book, BUY)).toEqual([
      [100, 3],
      [99, 4],
      [98, 5],
    ]);
    remove(lone); // the last order of a level in the middle
    expect(levelsOf(book, BUY)).toEqual([
      [100, 3],
      [98, 5],
    ]);
    remove(tail); // the last order of the best level
    expect(book.best(BUY)).toBe(d1);
    expect(book.size).toBe(1);
    remove(d1);
    expect(book.best(BUY)).toBe(NONE);
    expect(book.size).toBe(0);
    insert(bid(100));
    expect(levelsOf(book, BUY)).toEqual([[100, 1]]);
  });

  it('removes from a deep level among hundreds', () => {
    const next = prng(7);
    const prices = Array.from({ length: 300 }, (_, i) => 1000 + i);
    for (let i = prices.length - 1; i > 0; i--) {
      const j = next(i + 1);
      [prices[i], prices[j]] = [prices[j]!, prices[i]!];
    }
    const byPrice = new Map(prices.map((p) => [p, ask(p, 2)]));
    insert(...byPrice.values());
    expect(levelsOf(book, SELL).map(([p]) => p)).toEqual([...prices].sort((a, b) => a - b));
    for (const deep of [1250, 1001, 1299, 1150]) {
      remove(byPrice.get(deep)!);
      expect(levelsOf(book, SELL).some(([p]) => p === deep)).toBe(false);
    }
    expect(book.size).toBe(296);
    expect(book.best(SELL)).toBe(byPrice.get(1000));
    remove(byPrice.get(1000)!);
    expect(book.best(SELL)).toBe(byPrice.get(1002));
  });

  it('reduces an order in place: same queue position, lower level total', () => {
    const [a, b, c] = [ask(50, 5), ask(50, 3), ask(50, 2)];
    const [other, deep] = [ask(51, 7), ask(52, 4)];
    insert(a, b, c, other, deep);
    reduce(b, 2);
    expect(desk.store.remaining(b)).toBe(1);
    expect(slotsOf(book, SELL)).toEqual([a, b, c, other, deep]);
    reduce(deep, 3); // off the best level too
    expect(levelsOf(book, SELL)).toEqual([
      [50, 8],
      [51, 7],
      [52, 1],
    ]);
    // The engine's fill of a whole order: reduce to zero, then remove.
    book.reduce(a, 5);
    remove(a);
    expect(book.best(SELL)).toBe(b);
    expect(levelsOf(book, SELL)[0]).toEqual([50, 3]);
    remove(b);
    expect(levelsOf(book, SELL)[0]).toEqual([50, 2]);
  });

  it('visits levels best first and stops when the visitor returns false', () => {
    insert(bid(100, 1), bid(102, 2), bid(101, 3), ask(110, 4), ask(108, 5), ask(109, 6));
    expect(levelsOf(book, BUY)).toEqual([
      [102, 2],
      [101, 3],
      [100, 1],
    ]);
    expect(levelsOf(book, SELL)).toEqual([
      [108, 5],
      [109, 6],
      [110, 4],
    ]);
    for (const stopAfter of [1, 2]) {
      const seen: number[] = [];
      book.forEachLevel(SELL, (price) => {
        seen.push(price);
        return seen.length < stopAfter;
      });
      expect(seen).toEqual([108, 109].slice(0, stopAfter));
    }
  });

  it('counts the orders of both sides in size', () => {
    const slots = [bid(1), bid(1), bid(2), ask(3), ask(3)];
    insert(...slots);
    expect(book.size).toBe(5);
    remove(slots[1]!, slots[3]!);
    expect(book.size).toBe(3);
  });
});

/** Where the two books first disagree on one side (best, levels, then orders), or '' when they agree. */
function firstDifference(fast: Desk, ref: Desk, side: number): string {
  const [fb, rb] = [fast.book.best(side), ref.book.best(side)];
  if (fb !== rb) return `side ${side} best: slot ${fb} != ${rb}`;
  const [fl, rl] = [levelsOf(fast.book, side), levelsOf(ref.book, side)];
  if (fl.length !== rl.length) return `side ${side}: ${fl.length} levels != ${rl.length}`;
  for (const [i, [price, total]] of fl.entries()) {
    if (price !== rl[i]![0] || total !== rl[i]![1]) return `side ${side} level ${i}: ${fl[i]} != ${rl[i]}`;
  }
  const [fo, ro] = [slotsOf(fast.book, side), slotsOf(ref.book, side)];
  if (fo.length !== ro.length) return `side ${side}: ${fo.length} orders != ${ro.length}`;
  const [fs, rs] = [fast.store, ref.store];
  for (const [i, f] of fo.entries()) {
    const r = ro[i]!;
    if (f !== r || fs.remaining(f) !== rs.remaining(r) || fs.queuedAt(f) !== rs.queuedAt(r)) {
      const ours = `slot ${f} (${fs.remaining(f)} lots, queued ${fs.queuedAt(f)})`;
      return `side ${side} order ${i}: ${ours} != slot ${r} (${rs.remaining(r)} lots, queued ${rs.queuedAt(r)})`;
    }
  }
  return '';
}

describe('fast book against the reference book', () => {
  it.each([1, 2])('agrees through thousands of operations on ~500 levels a side (seed %i)', (seed) => {
    const next = prng(seed);
    // Each book has its own store; both allocate and free slots in the same order, so slots match.
    const fast = new Desk('fast');
    const ref = new Desk('reference');
    const live: number[] = [];
    let maxLevels = 0;
    const dropAt = (i: number) => {
      const slot = live[i]!;
      live[i] = live[live.length - 1]!;
      live.pop();
      for (const desk of [fast, ref]) {
        desk.book.remove(slot);
        desk.store.free(slot); // as the engine does: the slot is reused by a later order
      }
    };
    const phases = [
      { steps: 2000, insertPercent: 60 },
      { steps: 2000, insertPercent: 45 },
      { steps: 2500, insertPercent: 25 },
      { steps: 600, insertPercent: 0 }, // down to empty, and around it
    ];
    for (const { steps, insertPercent } of phases) {
      for (let step = 0; step < steps; step++) {
        const roll = next(100);
        if (live.length === 0 || roll < insertPercent) {
          const side = next(2) === 0 ? BUY : SELL;
          // Bids on 1000..1499, asks on 1500..1999: hundreds of levels a side, far beyond one chunk of 64.
          const price = side === BUY ? 1000 + next(500) : 1500 + next(500);
          const qty = 1 + next(20);
          const id = nextId++;
          const slot = fast.order(side, price, qty, id);
          expect(ref.order(side, price, qty, id)).toBe(slot);
          fast.book.insert(slot);
          ref.book.insert(slot);
          live.push(slot);
        } else if (roll < insertPercent + (100 - insertPercent) / 2) {
          dropAt(next(live.length)); // a cancel anywhere in the book
        } else {
          // A fill of the best order of a side: part of it, or all of it and then off the book.
          const slot = fast.book.best(next(2) === 0 ? BUY : SELL);
          if (slot === NONE) continue;
          const lots = 1 + next(fast.store.remaining(slot));
          fast.book.reduce(slot, lots);
          ref.book.reduce(slot, lots);
          if (fast.store.remaining(slot) === 0) dropAt(live.indexOf(slot));
        }
        for (const side of [BUY, SELL]) expect(firstDifference(fast, ref, side)).toBe('');
        expect(fast.book.size).toBe(ref.book.size);
        expect(fast.book.size).toBe(live.length);
        expect(fast.book.validate()).toEqual([]);
        expect(ref.book.validate()).toEqual([]);
      }
      for (const side of [BUY, SELL]) maxLevels = Math.max(maxLevels, levelsOf(fast.book, side).length);
    }
    expect(maxLevels).toBeGreaterThan(200); // the run really spread over many chunks
  });
});
