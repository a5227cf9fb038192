// The MarketCatalog adapter over Postgres (or PGlite): the markets as the matcher committed them, refreshed every
// few seconds and at once on an unknown symbol (throttled), so a market created through the admin API is
// tradable right away.

import { sql } from 'drizzle-orm';
import { type Database, rowsOf } from '../db/client.ts';
import { type MarketDefinition, type MarketStatus, DEFINITION_DEFAULTS } from '../matcher/core/index.ts';
import { decode } from '../matcher/wire.ts';
import type { MarketCatalog, MarketInfo } from './markets.ts';

export class DatabaseMarkets implements MarketCatalog {
  private readonly db: Database;
  private readonly maxAgeMs: number;
  private readonly missRefreshMs: number;
  private markets = new Map<string, MarketInfo>();
  private loadedAt = -Infinity;
  private loading: Promise<void> | undefined;

  constructor(db: Database, { maxAgeMs = 5000, missRefreshMs = 250 } = {}) {
    this.db = db;
    this.maxAgeMs = maxAgeMs;
    this.missRefreshMs = missRefreshMs;
  }

  async get(symbol: string): Promise<MarketInfo | undefined> {
    await this.fresh(this.maxAgeMs);
    if (!this.markets.has(symbol)) await this.fresh(this.missRefreshMs);
    return this.markets.get(symbol);
  }

  async all(): Promise<MarketInfo[]> {
    await this.fresh(this.maxAgeMs);
    return [...this.markets.values()];
  }

  private async fresh(maxAgeMs: number): Promise<void> {
    if (performance.now() - this.loadedAt < maxAgeMs) return;
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    await this.loading;
  }

  private async load(): Promise<void> {
    const rows = await rowsOf(
      this.db,
      sql`select definition, status, last_price from markets order by symbol`,
    );
    const markets = new Map<string, MarketInfo>();
    for (const r of rows) {
      const text = typeof r.definition === 'string' ? r.definition : JSON.stringify(r.definition);
      // A market stored before some of its fields existed reads with their defaults, as the matcher's restore does.
      const definition = { ...DEFINITION_DEFAULTS, ...decode<MarketDefinition>(text) };
      markets.set(definition.symbol, {
        definition,
        status: r.status as MarketStatus,
        lastPrice: Number(r.last_price),
      });
    }
    this.markets = markets;
    this.loadedAt = performance.now();
  }
}
