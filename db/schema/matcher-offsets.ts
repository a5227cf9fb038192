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
  /** The order store's queue clock: orders.queued_at values below it are taken. */
  queueClock: int53('queue_clock').notNull(),
  /**
   * The lease epoch of the matcher that last committed (fencing): a commit carries its matcher's epoch and is
   * refused when a newer matcher has claimed the shard, so a deposed matcher cannot write.
   */
  epoch: int53('epoch').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
