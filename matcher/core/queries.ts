// Read-only views of the state for the matcher service (what it persists and publishes after a batch), so that
// nothing outside the core walks its internal structures.

import type { MarketDefinition, MarketStatus } from './commands.ts';
import type { Units } from './money.ts';
import { BUY, SELL } from './order-store.ts';
import type { ExchangeState } from './state.ts';

/** Where an open order stands: on the book at queue position `queuedAt`, or a stop waiting (not working). */
export function queuePosition(
  state: ExchangeState,
  orderId: number,
): { working: boolean; queuedAt: number | null } | undefined {
  const slot = state.orders.get(orderId);
  if (slot === undefined) return undefined;
  const working = state.store.pending(slot) === 0;
  return { working, queuedAt: working ? state.store.queuedAt(slot) : null };
}

export interface MarketView {
  definition: MarketDefinition;
  status: MarketStatus;
  /** In ticks; 0 before the first trade. */
  lastPrice: number;
  /** Base units per lot. */
  unitsPerLot: number;
}

export function marketView(state: ExchangeState, symbol: string): MarketView | undefined {
  const m = state.markets.get(symbol);
  if (m === undefined) return undefined;
  return { definition: m.definition, status: m.status, lastPrice: m.lastPrice, unitsPerLot: m.unitsPerLot };
}

export function assetTotals(
  state: ExchangeState,
  name: string,
): { deposited: Units; withdrawn: Units; feesCollected: Units } | undefined {
  const a = state.assets.get(name);
  if (a === undefined) return undefined;
  return {
    deposited: a.deposited as Units,
    withdrawn: a.withdrawn as Units,
    feesCollected: a.feesCollected as Units,
  };
}

/** Price levels as [price in ticks, total lots], best first. */
export type Levels = [number, number][];

/** The best `limit` levels of each side of a market's book. */
export function depth(
  state: ExchangeState,
  symbol: string,
  limit: number,
): { bids: Levels; asks: Levels } | undefined {
  const m = state.markets.get(symbol);
  if (m === undefined) return undefined;
  const side = (s: number): Levels => {
    const levels: Levels = [];
    m.book.forEachLevel(s, (price, lots) => {
      levels.push([price, lots]);
      return levels.length < limit;
    });
    return levels;
  };
  return { bids: side(BUY), asks: side(SELL) };
}
