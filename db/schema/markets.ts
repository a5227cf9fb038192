import { jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { assets } from './assets.ts';
import { int53 } from './columns.ts';

/** A market as the matcher defined it (every default filled in); bigints in `definition` are decimal strings. */
export const markets = pgTable('markets', {
  symbol: text('symbol').primaryKey(),
  baseAsset: text('base_asset')
    .notNull()
    .references(() => assets.name),
  quoteAsset: text('quote_asset')
    .notNull()
    .references(() => assets.name),
  definition: jsonb('definition').notNull(),
  status: text('status', { enum: ['TRADING', 'HALT'] }).notNull(),
  /** In ticks; 0 before the first trade. */
  lastPrice: int53('last_price').notNull().default(0),
});
