// Market data the matcher publishes after each commit, so that edges answer depth and ticker requests without a
// database round trip: per symbol a top-of-book key (every batch), a depth snapshot key and a depth diff message
// (at most every `depthIntervalMs`, like Binance's @depth@100ms), and every trade on a channel. Prices in ticks
// and quantities in lots; the edge formats them with the market's filters.

import type { Outbox } from './bus/bus.ts';
import { depth, type ExchangeState, type Levels, type Trade } from './core/index.ts';
import { encode } from './wire.ts';

export const bookKey = (symbol: string): string => `md:book:${symbol}`;
export const depthKey = (symbol: string): string => `md:depth:${symbol}`;
export const depthChannel = (symbol: string): string => `md:depth:${symbol}`;
export const tradesChannel = (symbol: string): string => `md:trades:${symbol}`;

export interface BookTop {
  symbol: string;
  /** The matcher's sequence number of the last command applied. */
  updateId: number;
  /** [price, lots] or null for an empty side. */
  bid: [number, number] | null;
  ask: [number, number] | null;
}

export interface DepthSnapshot {
  symbol: string;
  lastUpdateId: number;
  bids: Levels;
  asks: Levels;
}

/** Levels whose total changed since the previous snapshot (0: the level is gone), as Binance's depthUpdate. */
export interface DepthDiff {
  symbol: string;
  /** First and last update id covered. */
  U: number;
  u: number;
  b: Levels;
  a: Levels;
}

export class MarketData {
  private readonly depthLimit: number;
  private readonly depthIntervalMs: number;
  private readonly touched = new Set<string>();
  private readonly dirtyDepth = new Set<string>();
  private readonly published = new Map<string, DepthSnapshot>();
  private lastDepthAt = 0;

  constructor({ depthLimit = 5000, depthIntervalMs = 100 } = {}) {
    this.depthLimit = depthLimit;
    this.depthIntervalMs = depthIntervalMs;
  }

  /** A command changed `symbol`'s book. */
  touch(symbol: string): void {
    this.touched.add(symbol);
    this.dirtyDepth.add(symbol);
  }

  trade(trade: Trade, outbox: Outbox): void {
    outbox.messages.push({ channel: tradesChannel(trade.symbol), message: encode(trade) });
  }

  /** The next collect publishes depth whatever the interval (after a recovery). */
  forceDepth(): void {
    this.lastDepthAt = -Infinity;
  }

  /** Whether depth is waiting for its interval (the loop flushes it when idle). */
  get pending(): boolean {
    return this.dirtyDepth.size > 0;
  }

  /** Adds what changed since the last call to `outbox`. */
  collect(state: ExchangeState, now: number, outbox: Outbox): void {
    const updateId = state.seq;
    for (const symbol of this.touched) {
      const top = depth(state, symbol, 1);
      if (top === undefined) continue;
      const value: BookTop = { symbol, updateId, bid: top.bids[0] ?? null, ask: top.asks[0] ?? null };
      outbox.keys.push({ key: bookKey(symbol), value: encode(value) });
    }
    this.touched.clear();
    if (this.dirtyDepth.size === 0 || now - this.lastDepthAt < this.depthIntervalMs) return;
    this.lastDepthAt = now;
    for (const symbol of this.dirtyDepth) {
      const levels = depth(state, symbol, this.depthLimit);
      if (levels === undefined) continue;
      const snapshot: DepthSnapshot = { symbol, lastUpdateId: updateId, ...levels };
      const previous = this.published.get(symbol);
      const diff: DepthDiff = {
        symbol,
        U: (previous?.lastUpdateId ?? 0) + 1,
        u: updateId,
        b: changed(previous?.bids ?? [], levels.bids),
        a: changed(previous?.asks ?? [], levels.asks),
      };
      this.published.set(symbol, snapshot);
      outbox.keys.push({ key: depthKey(symbol), value: encode(snapshot) });
      if (diff.b.length > 0 || diff.a.length > 0)
        outbox.messages.push({ channel: depthChannel(symbol), message: encode(diff) });
    }
    this.dirtyDepth.clear();
  }
}

function changed(before: Levels, after: Levels): Levels {
  const old = new Map(before);
  const out: Levels = [];
  for (const [price, lots] of after) {
    if (old.get(price) !== lots) out.push([price, lots]);
    old.delete(price);
  }
  for (const price of old.keys()) out.push([price, 0]);
  return out;
}
