import type { Side } from './commands.ts';
import type { Order } from './order.ts';

/**
 * One market's resting orders: per side, price levels best first, a FIFO per level. Both implementations
 * (the readable reference book and the fast one) pass the same contract suite (book.contract.test.ts).
 * The book only keeps orders in priority; money, fills and events are the engine's.
 */
export interface OrderBook {
  /** The first order in time at the best price of `side`, or null when the side is empty. */
  best(side: Side): Order | null;
  /** Adds a resting order at the back of its price level's queue. */
  insert(order: Order): void;
  /** Takes an order off the book, wherever it is. */
  remove(order: Order): void;
  /** Lowers a resting order's remaining quantity in place, keeping its place in the queue. */
  reduce(order: Order, lots: number): void;
  /**
   * Calls `visit(price, totalLots)` for the levels of `side` from the best, until it returns false or the side
   * ends. Cost is proportional to the levels visited.
   */
  forEachLevel(side: Side, visit: (price: number, totalLots: number) => boolean): void;
  /** Every resting order of `side` in priority order (price, then time). */
  orders(side: Side): Iterable<Order>;
  /** Number of resting orders on both sides. */
  readonly size: number;
  /** Broken internal invariants, in words; empty when the book is sound. */
  validate(): string[];
}

export type BookKind = 'fast' | 'reference';
