import { pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { int53 } from './columns.ts';

/** The markets' wildcard in fee_tiers.symbol: the tier applies to every market without one of its own. */
export const EVERY_MARKET = '*';

/**
 * Per-account fee overrides (fee tiers): maker and taker fees as fractions in units of 1e-8 (100000 = 0.1 %),
 * for one market or, with symbol '*', for every market; a market's own tier wins.
 */
export const feeTiers = pgTable(
  'fee_tiers',
  {
    accountId: int53('account_id').notNull(),
    symbol: text('symbol').notNull(),
    makerFee: int53('maker_fee').notNull(),
    takerFee: int53('taker_fee').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.symbol] })],
);
