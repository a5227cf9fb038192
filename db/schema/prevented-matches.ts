import { index, pgTable, text } from 'drizzle-orm/pg-core';
import { int53 } from './columns.ts';

/** Every match self-trade prevention stopped (Binance's myPreventedMatches). */
export const preventedMatches = pgTable(
  'prevented_matches',
  {
    preventedMatchId: int53('prevented_match_id').primaryKey(),
    symbol: text('symbol').notNull(),
    accountId: int53('account_id').notNull(),
    takerOrderId: int53('taker_order_id').notNull(),
    makerOrderId: int53('maker_order_id').notNull(),
    /** The maker's price, in ticks. */
    price: int53('price').notNull(),
    /** What would have traded, in lots. */
    qty: int53('qty').notNull(),
    mode: text('mode').notNull(),
    time: int53('time').notNull(),
  },
  (t) => [index('prevented_matches_by_account').on(t.accountId, t.symbol, t.preventedMatchId)],
);
