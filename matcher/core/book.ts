// One market's resting orders: per side, price levels best first, a FIFO per level. Orders are slots of the
// OrderStore (order-store.ts); sides are BUY (0) and SELL (1). Both implementations, the readable reference
// book and the fast one, pass the same contract suite (book.contract.test.ts). The book only keeps orders in
// priority; money, fills and events are the engine's.

export interface OrderBook {
  /** The slot of the first order in time at the best price of `side`, or NONE when the side is empty. */
  best(side: number): number;
  /** Adds a resting order at the back of its price level's queue. */
  insert(slot: number): void;
  /** Takes an order off the book, wherever it is. */
  remove(slot: number): void;
  /** Lowers a resting order's remaining quantity by `lots` in place, keeping its place in the queue. */
  reduce(slot: number, lots: number): void;
  /**
   * Calls `visit(price, totalLots)` for the levels of `side` from the best, until it returns false or the side
   * ends. Cost is proportional to the levels visited. A level holding more than Number.MAX_SAFE_INTEGER lots
   * reports exactly that: no taker can need more, and the figure stays exact.
   */
  forEachLevel(side: number, visit: (price: number, totalLots: number) => boolean): void;
  /** Every resting order of `side` in priority order (price, then time). */
  orders(side: number): Iterable<number>;
  /** Number of resting orders on both sides. */
  readonly size: number;
  /** Broken internal invariants, in words; empty when the book is sound. */
  validate(): string[];
}

export type BookKind = 'fast' | 'reference';
