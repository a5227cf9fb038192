import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Every asset the exchange knows; all have 8 decimals. */
export const assets = pgTable('assets', {
  name: text('name').primaryKey(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
