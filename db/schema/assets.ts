import { sql } from 'drizzle-orm';
import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { units } from './columns.ts';

/**
 * Every asset the exchange knows (all have 8 decimals), with the matcher's totals over all time in units:
 * conservation says the balances plus fees_collected equal deposited minus withdrawn.
 */
export const assets = pgTable('assets', {
  name: text('name').primaryKey(),
  deposited: units('deposited')
    .notNull()
    .default(sql`0`),
  withdrawn: units('withdrawn')
    .notNull()
    .default(sql`0`),
  feesCollected: units('fees_collected')
    .notNull()
    .default(sql`0`),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
