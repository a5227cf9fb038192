import { boolean, index, pgTable, text } from 'drizzle-orm/pg-core';
import { int53, units } from './columns.ts';

/** Every fill, at the maker's price, with both fees as charged. */
export const trades = pgTable(
  'trades',
  {
    tradeId: int53('trade_id').primaryKey(),
    symbol: text('symbol').notNull(),
    price: int53('price').notNull(),
    qty: int53('qty').notNull(),
    quoteQty: units('quote_qty').notNull(),
    buyerOrderId: int53('buyer_order_id').notNull(),
    sellerOrderId: int53('seller_order_id').notNull(),
    buyerAccountId: int53('buyer_account_id').notNull(),
    sellerAccountId: int53('seller_account_id').notNull(),
    isBuyerMaker: boolean('is_buyer_maker').notNull(),
    /** In base units, paid by the buyer. */
    buyerFee: units('buyer_fee').notNull(),
    /** In quote units, paid by the seller. */
    sellerFee: units('seller_fee').notNull(),
    time: int53('time').notNull(),
  },
  (t) => [
    // myTrades: an account's trades in a symbol by id, as buyer or as seller.
    index('trades_by_buyer').on(t.buyerAccountId, t.symbol, t.tradeId),
    index('trades_by_seller').on(t.sellerAccountId, t.symbol, t.tradeId),
    // recent trades of a symbol.
    index('trades_by_symbol').on(t.symbol, t.tradeId),
    // candles and rolling statistics: a symbol's trades in a time range.
    index('trades_by_symbol_time').on(t.symbol, t.time),
    index('trades_by_buyer_order').on(t.buyerOrderId),
    index('trades_by_seller_order').on(t.sellerOrderId),
  ],
);
