// The reference book: plain sorted arrays of order slots, written to be obviously right rather than fast. The
// contract suite and the property tests hold the fast book to it.

import type { OrderBook } from './book.ts';
import { BUY, NONE, type OrderStore } from './order-store.ts';

interface RefLevel {
  price: number;
  /** Oldest first. */
  orders: number[];
}

export class ReferenceOrderBook implements OrderBook {
  private readonly store: OrderStore;
  /** Best first: bids by descending price, asks by ascending price. */
  private readonly bids: RefLevel[] = [];
  private readonly asks: RefLevel[] = [];

  constructor(store: OrderStore) {
    this.store = store;
  }

  get size(): number {
    let n = 0;
    for (const level of [...this.bids, ...this.asks]) n += level.orders.length;
    return n;
  }

  private levels(side: number): RefLevel[] {
    return side === BUY ? this.bids : this.asks;
  }

  /** Whether price a is better than price b on `side`. */
  private better(side: number, a: number, b: number): boolean {
    return side === BUY ? a > b : a < b;
  }

  best(side: number): number {
    return this.levels(side)[0]?.orders[0] ?? NONE;
  }

  insert(slot: number): void {
    const side = this.store.side(slot);
    const price = this.store.price(slot);
    const levels = this.levels(side);
    this.store.setQueuedAt(slot, ++this.store.queueClock);
    let level = levels.find((l) => l.price === price);
    if (level === undefined) {
      level = { price, orders: [] };
      const at = levels.findIndex((l) => this.better(side, price, l.price));
      levels.splice(at === -1 ? levels.length : at, 0, level);
    }
    level.orders.push(slot);
  }

  remove(slot: number): void {
    const levels = this.levels(this.store.side(slot));
    const li = levels.findIndex((l) => l.price === this.store.price(slot));
    const level = levels[li];
    const oi = level === undefined ? -1 : level.orders.indexOf(slot);
    if (level === undefined || oi === -1) throw new Error(`order ${this.store.id(slot)} is not on the book`);
    level.orders.splice(oi, 1);
    if (level.orders.length === 0) levels.splice(li, 1);
  }

  reduce(slot: number, lots: number): void {
    this.store.setRemaining(slot, this.store.remaining(slot) - lots);
  }

  forEachLevel(side: number, visit: (price: number, totalLots: number) => boolean): void {
    for (const level of this.levels(side)) {
      const total = level.orders.reduce((sum, o) => sum + BigInt(this.store.remaining(o)), 0n);
      const capped = total > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(total);
      if (!visit(level.price, capped)) return;
    }
  }

  *orders(side: number): Generator<number> {
    for (const level of this.levels(side)) yield* level.orders;
  }

  validate(): string[] {
    const s = this.store;
    const problems: string[] = [];
    for (const side of [BUY, 1 - BUY]) {
      const levels = this.levels(side);
      levels.forEach((level, i) => {
        const next = levels[i + 1];
        if (next !== undefined && !this.better(side, level.price, next.price)) {
          problems.push(`side ${side}: level ${level.price} out of order`);
        }
        if (level.orders.length === 0) problems.push(`side ${side}: level ${level.price} is empty`);
        level.orders.forEach((o, j) => {
          if (s.price(o) !== level.price || s.side(o) !== side)
            problems.push(`order ${s.id(o)}: on the wrong level`);
          if (s.remaining(o) <= 0) problems.push(`order ${s.id(o)}: rests with nothing remaining`);
          const older = level.orders[j - 1];
          if (older !== undefined && s.queuedAt(older) >= s.queuedAt(o)) {
            problems.push(`order ${s.id(o)}: queued before an older order`);
          }
        });
      });
    }
    return problems;
  }
}
