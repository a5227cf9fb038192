// Stops waiting for the last price, in trigger order: by stop price (the lowest first for those that trigger on
// a rise, the highest first for a fall), then by id. The book's own price ladder (order-book.ts BookSide) keyed
// by stop price, with a FIFO per stop price through the store's prev/next (a pending stop is not on the book):
// filing or taking out any stop, and taking the first, cost the same however many wait.

import { BookSide, type Level } from './order-book.ts';
import { NONE, type OrderStore } from './order-store.ts';

export class StopLadder {
  /** Triggers on a rise (lowest stop price first), else on a fall (highest first). */
  readonly rising: boolean;
  private readonly side: BookSide;
  /** Stops filed. */
  size = 0;

  constructor(rising: boolean) {
    this.rising = rising;
    // The book's best is the highest key: bids keep the highest price best, asks the lowest.
    this.side = new BookSide(!rising);
  }

  /** The first stop to trigger, or NONE. */
  first(): number {
    const best = this.side.best;
    return best === null ? NONE : best.head;
  }

  insert(s: OrderStore, slot: number): void {
    const level = this.side.levelFor(s.stopPrice(slot));
    // By id within a stop price: stops are filed in id order, so this is an append.
    const id = s.id(slot);
    let after = level.tail;
    while (after !== NONE && s.id(after) > id) after = s.prev(after);
    s.link(level, slot, after);
    level.count++;
    this.size++;
  }

  remove(s: OrderStore, slot: number): void {
    const level = this.side.levelOf(s.stopPrice(slot));
    s.unlink(level, slot);
    this.size--;
    if (--level.count === 0) this.side.removeLevel(level);
  }

  /** Takes the first stop out and returns it. */
  shift(s: OrderStore): number {
    const slot = this.first();
    this.remove(s, slot);
    return slot;
  }

  /** The stops in trigger order. */
  slots(s: OrderStore): number[] {
    const out: number[] = [];
    for (const level of this.side.levels()) for (let o = level.head; o !== NONE; o = s.next(o)) out.push(o);
    return out;
  }

  /** What is wrong with the ladder itself (links, counts, order); audit.ts checks the stops. */
  problems(s: OrderStore, name: string): string[] {
    const problems: string[] = [];
    let counted = 0;
    let levels = 0;
    let prevPrice: number | null = null;
    for (const level of this.side.levels() as Iterable<Level>) {
      levels++;
      if (prevPrice !== null && (this.rising ? level.price <= prevPrice : level.price >= prevPrice)) {
        problems.push(`${name}: stop price ${level.price} out of order`);
      }
      prevPrice = level.price;
      let before = NONE;
      let n = 0;
      for (let o = level.head; o !== NONE; o = s.next(o)) {
        if (s.prev(o) !== before) problems.push(`${name}: stop ${s.id(o)} has a broken back link`);
        if (s.stopPrice(o) !== level.price) problems.push(`${name}: stop ${s.id(o)} at the wrong stop price`);
        if (before !== NONE && s.id(before) > s.id(o)) problems.push(`${name}: stop ${s.id(o)} out of order`);
        before = o;
        n++;
      }
      if (level.tail !== before || level.count !== n || n === 0) {
        problems.push(`${name}: stop price ${level.price} miscounted`);
      }
      counted += n;
    }
    if (levels !== this.side.byPrice.size) problems.push(`${name}: stop prices not indexed`);
    if (counted !== this.size) problems.push(`${name}: ${this.size} counted, ${counted} filed`);
    return problems;
  }
}
