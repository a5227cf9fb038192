import { pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { assets } from './assets.ts';
import { int53, units } from './columns.ts';

/**
 * Each account's balance of each asset as the matcher last committed it, in units of 1e-8. No foreign key to
 * accounts: the matcher owns balances and must never have a batch refused (the admin API checks accounts).
 */
export const balances = pgTable(
  'balances',
  {
    accountId: int53('account_id').notNull(),
    asset: text('asset')
      .notNull()
      .references(() => assets.name),
    free: units('free').notNull(),
    locked: units('locked').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.asset] })],
);
