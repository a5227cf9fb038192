import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { int53, units } from './columns.ts';

/** Every order the matcher accepted, as its last update left it (what GET /api/v3/order and friends read). */
export const orders = pgTable(
  'orders',
  {
    orderId: int53('order_id').primaryKey(),
    symbol: text('symbol').notNull(),
    accountId: int53('account_id').notNull(),
    clientOrderId: text('client_order_id'),
    side: text('side', { enum: ['BUY', 'SELL'] }).notNull(),
    type: text('type').notNull(),
    timeInForce: text('time_in_force').notNull(),
    /** In ticks; 0 for market orders. */
    price: int53('price').notNull(),
    stopPrice: int53('stop_price').notNull().default(0),
    /** In lots. */
    origQty: int53('orig_qty').notNull(),
    executedQty: int53('executed_qty').notNull(),
    cumQuote: units('cum_quote').notNull(),
    origQuoteOrderQty: units('orig_quote_order_qty'),
    status: text('status').notNull(),
    selfTradePreventionMode: text('self_trade_prevention_mode').notNull(),
    preventedQty: int53('prevented_qty').notNull().default(0),
    /** ms since the epoch, as the commands stamped them. */
    time: int53('time').notNull(),
    updateTime: int53('update_time').notNull(),
    /** Binance's isWorking: on the book (false while a stop order waits for its trigger). */
    isWorking: boolean('is_working').notNull(),
    /** An open order's place in its price level's queue (the core's queuedAt); null off the book. */
    queuedAt: int53('queued_at'),
    /** Binance's strategyId and strategyType, as the order's request gave them (null when it did not). */
    strategyId: int53('strategy_id'),
    strategyType: int53('strategy_type'),
    /** Trailing stops only (null otherwise): their trailingDelta in BIPS, as the request gave it. */
    trailingDelta: integer('trailing_delta'),
    /** When the trailing stop began tracking (ms since the epoch), -1 until then. */
    trailingTime: int53('trailing_time'),
    /**
     * In ticks: the best trade price since tracking began as of the order's last update (0 before any), which the
     * trigger is measured from; the core's state.
     */
    trailingPrice: int53('trailing_price'),
    /**
     * While tracking: the first trade (trade_id, of this order's symbol) whose price counts toward the best price
     * beyond trailing_price. The core reports no update when only the best price moves (one row per stop per new
     * high would not scale), so the best price now is trailing_price combined with those trades' prices.
     */
    trailingFromTradeId: int53('trailing_from_trade_id'),
    /**
     * Trailing market buys without a stop price (null otherwise): the last price when placed, in ticks, which the
     * funds they hold derive from (trailing_hold_basis × (1 + trailing_delta) per lot). Set once, at placement.
     */
    trailingHoldBasis: int53('trailing_hold_basis'),
  },
  (t) => [
    // openOrders: an account's open orders, in one symbol or all.
    index('orders_open_by_account')
      .on(t.accountId, t.symbol, t.orderId)
      .where(sql`${t.status} in ('NEW', 'PARTIALLY_FILLED')`),
    // allOrders: an account's orders in a symbol by id.
    index('orders_by_account_symbol').on(t.accountId, t.symbol, t.orderId),
    // order lookups by clientOrderId; unique among open orders, as the matcher keeps it.
    index('orders_by_client_order_id').on(t.accountId, t.symbol, t.clientOrderId),
    uniqueIndex('orders_open_client_order_id')
      .on(t.accountId, t.symbol, t.clientOrderId)
      .where(sql`${t.status} in ('NEW', 'PARTIALLY_FILLED') and ${t.clientOrderId} is not null`),
  ],
);
