import { pgTable, timestamp } from 'drizzle-orm/pg-core';
import { int53 } from './columns.ts';

export const accounts = pgTable('accounts', {
  id: int53('id').primaryKey(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
