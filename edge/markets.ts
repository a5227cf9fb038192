// The markets an edge knows (symbols, filters, fees, status), for parsing decimal strings into ticks and lots and
// for exchangeInfo: the MarketCatalog port. The matcher owns them; edges read them from the database
// (database-markets.ts, the adapter).

import type { MarketDefinition, MarketStatus } from '../matcher/core/index.ts';

export interface MarketInfo {
  definition: MarketDefinition;
  status: MarketStatus;
  /** The last trade price the matcher committed, in ticks (0 before the first trade); a few seconds old at most. */
  lastPrice: number;
}

export interface MarketCatalog {
  get(symbol: string): Promise<MarketInfo | undefined>;
  all(): Promise<MarketInfo[]>;
}

/** A fixed list (tests, and a fallback). */
export class StaticMarkets implements MarketCatalog {
  private readonly markets: Map<string, MarketInfo>;

  constructor(markets: MarketInfo[]) {
    this.markets = new Map(markets.map((m) => [m.definition.symbol, m]));
  }

  get(symbol: string): Promise<MarketInfo | undefined> {
    return Promise.resolve(this.markets.get(symbol));
  }

  all(): Promise<MarketInfo[]> {
    return Promise.resolve([...this.markets.values()]);
  }
}
