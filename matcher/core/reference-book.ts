// The reference book: plain sorted arrays, written to be obviously right rather than fast. The contract suite
// and the property tests hold the fast book to it.

import type { OrderBook } from './book.ts';
import type { Side } from './commands.ts';
import type { Order } from './order.ts';

interface RefLevel {
  price: number;
  /** Oldest first. */
  orders: Order[];
}

export class ReferenceOrderBook implements OrderBook {
  /** Best first: bids by descending price, asks by ascending price. */
  private readonly bids: RefLevel[] = [];
  private readonly asks: RefLevel[] = [];
  private inserted = 0;

  get size(): number {
    let n = 0;
    for (const level of [...this.bids, ...this.asks]) n += level.orders.length;
    return n;
  }

  private levels(side: Side): RefLevel[] {
    return side === 'BUY' ? this.bids : this.asks;
  }

  /** Whether price a is better than price b on `side`. */
  private better(side: Side, a: number, b: number): boolean {
    return side === 'BUY' ? a > b : a < b;
  }

  best(side: Side): Order | null {
    return this.levels(side)[0]?.orders[0] ?? null;
  }

  insert(order: Order): void {
    const levels = this.levels(order.side);
    order.queuedAt = ++this.inserted;
    let level = levels.find((l) => l.price === order.price);
    if (level === undefined) {
      level = { price: order.price, orders: [] };
      const at = levels.findIndex((l) => this.better(order.side, order.price, l.price));
      levels.splice(at === -1 ? levels.length : at, 0, level);
    }
    level.orders.push(order);
  }

  remove(order: Order): void {
    const levels = this.levels(order.side);
    const li = levels.findIndex((l) => l.price === order.price);
    const level = levels[li];
    const oi = level === undefined ? -1 : level.orders.indexOf(order);
    if (level === undefined || oi === -1) throw new Error(`order ${order.id} is not on the book`);
    level.orders.splice(oi, 1);
    if (level.orders.length === 0) levels.splice(li, 1);
  }

  reduce(order: Order, lots: number): void {
    order.remaining -= lots;
  }

  forEachLevel(side: Side, visit: (price: number, totalLots: number) => boolean): void {
    for (const level of this.levels(side)) {
      const total = level.orders.reduce((sum, o) => sum + o.remaining, 0);
      if (!visit(level.price, total)) return;
    }
  }

  *orders(side: Side): Generator<Order> {
    for (const level of this.levels(side)) yield* level.orders;
  }

  validate(): string[] {
    const problems: string[] = [];
    for (const side of ['BUY', 'SELL'] as const) {
      const levels = this.levels(side);
      levels.forEach((level, i) => {
        const next = levels[i + 1];
        if (next !== undefined && !this.better(side, level.price, next.price)) {
          problems.push(`${side}: level ${level.price} out of order`);
        }
        if (level.orders.length === 0) problems.push(`${side}: level ${level.price} is empty`);
        level.orders.forEach((o, j) => {
          if (o.price !== level.price || o.side !== side) problems.push(`order ${o.id}: on the wrong level`);
          if (o.remaining <= 0) problems.push(`order ${o.id}: rests with nothing remaining`);
          const older = level.orders[j - 1];
          if (older !== undefined && older.queuedAt >= o.queuedAt) {
            problems.push(`order ${o.id}: queued before an older order`);
          }
        });
      });
    }
    return problems;
  }
}
