// The order-book contract (book.ts), run against both implementations, and a long randomized differential run
// that holds the fast book to the reference book across hundreds of price levels per side.

import { beforeEach, describe, expect, it } from 'vitest';
import type { BookKind, OrderBook } from './book.ts';
import type { Side } from './commands.ts';
import { apply, createState, newBook } from './engine.ts';
import { Order } from './order.ts';
import { Account, type Market } from './state.ts';
import { marketSpec } from './test-kit.ts';

function testMarket(): Market {
  const state = createState();
  apply(state, { type: 'createMarket', ...marketSpec() });
  return state.markets.get('BTCUSDT')!;
}

const market = testMarket();
const account = new Account(1);
let nextId = 1;

const order = (side: Side, price: number, qty = 1, id = nextId++): Order =>
  new Order(id, market, account, side, 'LIMIT', 'GTC', price, qty, undefined, 0);
const bid = (price: number, qty = 1) => order('BUY', price, qty);
const ask = (price: number, qty = 1) => order('SELL', price, qty);

/** [price, total lots] per level, best first. */
function levelsOf(book: OrderBook, side: Side): [number, number][] {
  const out: [number, number][] = [];
  book.forEachLevel(side, (price, total) => {
    out.push([price, total]);
    return true;
  });
  return out;
}

const idsOf = (book: OrderBook, side: Side): number[] => [...book.orders(side)].map((o) => o.id);

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
  let book: OrderBook;
  beforeEach(() => {
    book = newBook(kind);
  });

  /** Applies each step and checks the book is sound after every one of them. */
  const insert = (...orders: Order[]) => {
    for (const o of orders) {
      book.insert(o);
      expect(book.validate()).toEqual([]);
    }
  };
  const remove = (...orders: Order[]) => {
    for (const o of orders) {
      book.remove(o);
      expect(book.validate()).toEqual([]);
    }
  };

  it('is empty to begin with', () => {
    expect(book.best('BUY')).toBeNull();
    expect(book.best('SELL')).toBeNull();
    expect(book.size).toBe(0);
    expect(levelsOf(book, 'BUY')).toEqual([]);
    expect(idsOf(book, 'SELL')).toEqual([]);
    expect(book.validate()).toEqual([]);
  });

  it('gives the highest bid and the lowest ask as best', () => {
    const [b100, b102, b101] = [bid(100), bid(102), bid(101)];
    const [a105, a103, a104] = [ask(105), ask(103), ask(104)];
    insert(b100, b102, b101, a105, a103, a104);
    expect(book.best('BUY')).toBe(b102);
    expect(book.best('SELL')).toBe(a103);
    const better = bid(103);
    insert(better);
    expect(book.best('BUY')).toBe(better);
    expect(book.best('SELL')).toBe(a103);
    expect(book.size).toBe(7);
  });

  it('keeps FIFO within a price level', () => {
    const [a, b, c] = [bid(100), bid(100), bid(100)];
    insert(a, b, c);
    expect(idsOf(book, 'BUY')).toEqual([a.id, b.id, c.id]);
    expect(a.queuedAt).toBeLessThan(b.queuedAt);
    expect(b.queuedAt).toBeLessThan(c.queuedAt);
    expect(book.best('BUY')).toBe(a);
    remove(a);
    expect(book.best('BUY')).toBe(b);
    const d = bid(100);
    insert(d);
    expect(idsOf(book, 'BUY')).toEqual([b.id, c.id, d.id]);
  });

  it('lists orders(side) by price, then time, whatever the insertion order', () => {
    const orders = [ask(12), ask(10), ask(11), ask(10), ask(12), ask(10)];
    insert(...orders);
    const [a12, a10, a11, a10b, a12b, a10c] = orders.map((o) => o.id);
    expect(idsOf(book, 'SELL')).toEqual([a10, a10b, a10c, a11, a12, a12b]);
    expect(idsOf(book, 'BUY')).toEqual([]);
  });

  it('removes an order from the head, middle or tail of a level, and drops emptied levels', () => {
    const [h, m, t] = [bid(100, 1), bid(100, 2), bid(100, 3)];
    const lone = bid(99, 4);
    const [d1, d2] = [bid(98, 5), bid(98, 6)];
    insert(h, m, t, lone, d1, d2);
    expect(levelsOf(book, 'BUY')).toEqual([
      [100, 6],
      [99, 4],
      [98, 11],
    ]);
    remove(m);
    expect(idsOf(book, 'BUY')).toEqual([h.id, t.id, lone.id, d1.id, d2.id]);
    expect(levelsOf(book, 'BUY')[0]).toEqual([100, 4]);
    remove(h);
    expect(book.best('BUY')).toBe(t);
    remove(d2);
    expect(levelsOf(book, 'BUY')).toEqual([
      [100, 3],
      [99, 4],
      [98, 5],
    ]);
    remove(lone); // the last order of a middle level
    expect(levelsOf(book, 'BUY')).toEqual([
      [100, 3],
      [98, 5],
    ]);
    remove(t); // the last order of the best level
    expect(book.best('BUY')).toBe(d1);
    expect(book.size).toBe(1);
    remove(d1);
    expect(book.best('BUY')).toBeNull();
    expect(book.size).toBe(0);
    const again = bid(100);
    insert(again);
    expect(levelsOf(book, 'BUY')).toEqual([[100, 1]]);
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
    expect(levelsOf(book, 'SELL').map(([p]) => p)).toEqual([...prices].sort((a, b) => a - b));
    for (const deep of [1250, 1001, 1299, 1150]) {
      remove(byPrice.get(deep)!);
      expect(levelsOf(book, 'SELL').some(([p]) => p === deep)).toBe(false);
    }
    expect(book.size).toBe(296);
    expect(book.best('SELL')!.price).toBe(1000);
    remove(byPrice.get(1000)!);
    expect(book.best('SELL')!.price).toBe(1002);
  });

  it('reduces an order in place: same queue position, lower level total', () => {
    const [a, b, c] = [ask(50, 5), ask(50, 3), ask(50, 2)];
    const other = ask(51, 7);
    insert(a, b, c, other);
    book.reduce(b, 2);
    expect(book.validate()).toEqual([]);
    expect(b.remaining).toBe(1);
    expect(idsOf(book, 'SELL')).toEqual([a.id, b.id, c.id, other.id]);
    expect(levelsOf(book, 'SELL')).toEqual([
      [50, 8],
      [51, 7],
    ]);
    // The engine's fill of a whole order: reduce to zero, then remove.
    book.reduce(a, 5);
    remove(a);
    expect(book.best('SELL')).toBe(b);
    expect(levelsOf(book, 'SELL')).toEqual([
      [50, 3],
      [51, 7],
    ]);
    remove(b);
    expect(levelsOf(book, 'SELL')[0]).toEqual([50, 2]);
  });

  it('visits levels best first and stops when the visitor returns false', () => {
    insert(bid(100, 1), bid(102, 2), bid(101, 3), ask(110, 4), ask(108, 5), ask(109, 6));
    expect(levelsOf(book, 'BUY')).toEqual([
      [102, 2],
      [101, 3],
      [100, 1],
    ]);
    expect(levelsOf(book, 'SELL')).toEqual([
      [108, 5],
      [109, 6],
      [110, 4],
    ]);
    for (const stopAfter of [1, 2]) {
      const seen: number[] = [];
      book.forEachLevel('SELL', (price) => {
        seen.push(price);
        return seen.length < stopAfter;
      });
      expect(seen).toEqual([108, 109].slice(0, stopAfter));
    }
  });

  it('counts the orders of both sides in size', () => {
    const orders = [bid(1), bid(1), bid(2), ask(3), ask(3)];
    insert(...orders);
    expect(book.size).toBe(5);
    remove(orders[1]!, orders[3]!);
    expect(book.size).toBe(3);
  });
});

/** Where the two books first disagree on one side (best, levels, then orders), or '' when they agree. */
function firstDifference(fast: OrderBook, ref: OrderBook, side: Side): string {
  const [fb, rb] = [fast.best(side)?.id, ref.best(side)?.id];
  if (fb !== rb) return `${side} best: ${fb} != ${rb}`;
  const [fl, rl] = [levelsOf(fast, side), levelsOf(ref, side)];
  if (fl.length !== rl.length) return `${side}: ${fl.length} levels != ${rl.length}`;
  for (const [i, [price, total]] of fl.entries()) {
    if (price !== rl[i]![0] || total !== rl[i]![1]) return `${side} level ${i}: ${fl[i]} != ${rl[i]}`;
  }
  const [fo, ro] = [[...fast.orders(side)], [...ref.orders(side)]];
  if (fo.length !== ro.length) return `${side}: ${fo.length} orders != ${ro.length}`;
  for (const [i, f] of fo.entries()) {
    const r = ro[i]!;
    if (f.id !== r.id || f.remaining !== r.remaining || f.queuedAt !== r.queuedAt) {
      return `${side} order ${i}: ${f.id}/${f.remaining}/${f.queuedAt} != ${r.id}/${r.remaining}/${r.queuedAt}`;
    }
  }
  return '';
}

describe('fast book against the reference book', () => {
  it.each([1, 2])('agrees through thousands of operations on ~500 levels a side (seed %i)', (seed) => {
    const next = prng(seed);
    const fast = newBook('fast');
    const ref = newBook('reference');
    /** The same order twice: each book stamps and links its own copy. */
    const live: [Order, Order][] = [];
    let maxLevels = 0;
    const dropAt = (i: number) => {
      const [f, r] = live[i]!;
      live[i] = live[live.length - 1]!;
      live.pop();
      fast.remove(f);
      ref.remove(r);
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
          const side: Side = next(2) === 0 ? 'BUY' : 'SELL';
          // Bids on 1000..1499, asks on 1500..1999: hundreds of levels a side, far beyond one chunk of 64.
          const price = side === 'BUY' ? 1000 + next(500) : 1500 + next(500);
          const qty = 1 + next(20);
          const id = nextId++;
          const pair: [Order, Order] = [order(side, price, qty, id), order(side, price, qty, id)];
          fast.insert(pair[0]);
          ref.insert(pair[1]);
          live.push(pair);
        } else if (roll < insertPercent + (100 - insertPercent) / 2) {
          dropAt(next(live.length)); // a cancel anywhere in the book
        } else {
          // A fill of the best order of a side: part of it, or all of it and then off the book.
          const f = fast.best(next(2) === 0 ? 'BUY' : 'SELL');
          if (f === null) continue;
          const i = live.findIndex(([o]) => o === f);
          const lots = 1 + next(f.remaining);
          fast.reduce(f, lots);
          ref.reduce(live[i]![1], lots);
          if (f.remaining === 0) dropAt(i);
        }
        for (const side of ['BUY', 'SELL'] as const) {
          expect(firstDifference(fast, ref, side)).toBe('');
        }
        expect(fast.size).toBe(ref.size);
        expect(fast.size).toBe(live.length);
        expect(fast.validate()).toEqual([]);
        expect(ref.validate()).toEqual([]);
      }
      for (const side of ['BUY', 'SELL'] as const)
        maxLevels = Math.max(maxLevels, levelsOf(fast, side).length);
    }
    expect(maxLevels).toBeGreaterThan(200); // the run really spread over many chunks
  });
});
