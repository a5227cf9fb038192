import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { int53 } from './columns.ts';

/**
 * How far each matcher shard has committed: the stream id of the last command whose effects are in this
 * database (written in the same transaction as those effects), and the core's counters at that point.
 */
export const matcherOffsets = pgTable('matcher_offsets', {
  shard: text('shard').primaryKey(),
  streamId: text('stream_id').notNull(),
  seq: int53('seq').notNull(),
  nextOrderId: int53('next_order_id').notNull(),
  nextTradeId: int53('next_trade_id').notNull(),
  nextPreventedMatchId: int53('next_prevented_match_id').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
