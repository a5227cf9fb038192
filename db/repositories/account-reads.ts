// What the API reads about an account: orders, trades, balances and fee tiers, as the matcher last committed
// them. Every query is served by an index (db/schema). Rows come back in the repository's own shapes; the edge
// formats.

import { and, asc, desc, eq, gte, inArray, lte, type SQL, sql } from 'drizzle-orm';
import { type Database, rowsOf } from '../client.ts';
import { balances, EVERY_MARKET, feeTiers, orders } from '../schema/index.ts';
import type { OrderRow } from './matcher-state.ts';

const OPEN = ['NEW', 'PARTIALLY_FILLED'];

export type { OrderRow } from './matcher-state.ts';

export interface OrderQuery {
  accountId: number;
  symbol: string;
  orderId?: number;
  clientOrderId?: string;
}

/** One order by id, or the newest with that clientOrderId (an open one holds it uniquely). */
export async function findOrder(db: Database, q: OrderQuery): Promise<OrderRow | undefined> {
  const where = [eq(orders.accountId, q.accountId), eq(orders.symbol, q.symbol)];
  if (q.orderId !== undefined) where.push(eq(orders.orderId, q.orderId));
  if (q.clientOrderId !== undefined) where.push(eq(orders.clientOrderId, q.clientOrderId));
  const [row] = await db
    .select()
    .from(orders)
    .where(and(...where))
    .orderBy(desc(orders.orderId))
    .limit(1);
  return row === undefined ? undefined : orderRow(row);
}

/** An account's open orders, in one symbol or all, oldest first. */
export async function openOrders(db: Database, accountId: number, symbol?: string): Promise<OrderRow[]> {
  const where = [eq(orders.accountId, accountId), inArray(orders.status, OPEN)];
  if (symbol !== undefined) where.push(eq(orders.symbol, symbol));
  const rows = await db
    .select()
    .from(orders)
    .where(and(...where))
    .orderBy(asc(orders.orderId));
  return rows.map(orderRow);
}

export interface HistoryQuery {
  accountId: number;
  symbol: string;
  /** Orders (or trades) with this id and after. */
  fromId?: number;
  startTime?: number;
  endTime?: number;
  limit: number;
}

/**
 * allOrders: from `fromId` on, or within the time range, or else the newest `limit`; always oldest first, as
 * Binance returns them.
 */
export async function allOrders(db: Database, q: HistoryQuery): Promise<OrderRow[]> {
  const where = [eq(orders.accountId, q.accountId), eq(orders.symbol, q.symbol)];
  if (q.fromId !== undefined) where.push(gte(orders.orderId, q.fromId));
  if (q.startTime !== undefined) where.push(gte(orders.time, q.startTime));
  if (q.endTime !== undefined) where.push(lte(orders.time, q.endTime));
  const ascending = q.fromId !== undefined || q.startTime !== undefined;
  const rows = await db
    .select()
    .from(orders)
    .where(and(...where))
    .orderBy(ascending ? asc(orders.orderId) : desc(orders.orderId))
    .limit(q.limit);
  const mapped = rows.map(orderRow);
  return ascending ? mapped : mapped.reverse();
}

/** A trade as one account saw it: as buyer, as seller, or both (a self-trade gives two). */
export interface AccountTrade {
  tradeId: number;
  symbol: string;
  orderId: number;
  price: number;
  qty: number;
  quoteQty: bigint;
  /** In the base asset when buying, the quote asset when selling. */
  commission: bigint;
  isBuyer: boolean;
  isMaker: boolean;
  time: number;
}

/** myTrades: by order, from an id, or within a time range, else the newest; oldest first. */
export async function accountTrades(
  db: Database,
  q: HistoryQuery & { orderId?: number },
): Promise<AccountTrade[]> {
  const filters = (side: 'buyer' | 'seller'): SQL => {
    const parts = [sql`${sql.identifier(`${side}_account_id`)} = ${q.accountId}`, sql`symbol = ${q.symbol}`];
    if (q.orderId !== undefined) parts.push(sql`${sql.identifier(`${side}_order_id`)} = ${q.orderId}`);
    if (q.fromId !== undefined) parts.push(sql`trade_id >= ${q.fromId}`);
    if (q.startTime !== undefined) parts.push(sql`time >= ${q.startTime}`);
    if (q.endTime !== undefined) parts.push(sql`time <= ${q.endTime}`);
    return sql.join(parts, sql` and `);
  };
  const ascending = q.fromId !== undefined || q.startTime !== undefined || q.orderId !== undefined;
  const order = ascending ? sql`asc` : sql`desc`;
  const rows = await rowsOf(
    db,
    sql`(select trade_id, symbol, buyer_order_id as order_id, price, qty, quote_qty, buyer_fee as commission,
           true as is_buyer, is_buyer_maker as is_maker, time
         from trades where ${filters('buyer')})
        union all
        (select trade_id, symbol, seller_order_id, price, qty, quote_qty, seller_fee, false, not is_buyer_maker, time
         from trades where ${filters('seller')})
        order by trade_id ${order}, is_buyer ${order}
        limit ${q.limit}`,
  );
  const trades = rows.map((r) => ({
    tradeId: Number(r.trade_id),
    symbol: String(r.symbol),
    orderId: Number(r.order_id),
    price: Number(r.price),
    qty: Number(r.qty),
    quoteQty: BigInt(r.quote_qty as string),
    commission: BigInt(r.commission as string),
    isBuyer: Boolean(r.is_buyer),
    isMaker: Boolean(r.is_maker),
    time: Number(r.time),
  }));
  return ascending ? trades : trades.reverse();
}

export async function accountBalances(
  db: Database,
  accountId: number,
): Promise<{ asset: string; free: bigint; locked: bigint }[]> {
  return db
    .select({ asset: balances.asset, free: balances.free, locked: balances.locked })
    .from(balances)
    .where(eq(balances.accountId, accountId))
    .orderBy(asc(balances.asset));
}

/** One of an account's own fee tiers: fractions in units of 1e-8 (100000 = 0.1 %); no symbol: every market. */
export interface AccountFeeTier {
  symbol?: string;
  makerFee: number;
  takerFee: number;
}

/**
 * The account's fee tiers that can apply on `symbol`: its tier for that market and its account-wide one (at
 * most two); without `symbol`, only the account-wide one. The primary key (account_id, symbol) serves it.
 */
export async function accountFeeTiers(
  db: Database,
  accountId: number,
  symbol?: string,
): Promise<AccountFeeTier[]> {
  const symbols = symbol === undefined ? [EVERY_MARKET] : [symbol, EVERY_MARKET];
  const rows = await db
    .select({ symbol: feeTiers.symbol, makerFee: feeTiers.makerFee, takerFee: feeTiers.takerFee })
    .from(feeTiers)
    .where(and(eq(feeTiers.accountId, accountId), inArray(feeTiers.symbol, symbols)));
  return rows.map((r) => ({
    ...(r.symbol === EVERY_MARKET ? {} : { symbol: r.symbol }),
    makerFee: r.makerFee,
    takerFee: r.takerFee,
  }));
}

function orderRow(r: typeof orders.$inferSelect): OrderRow {
  return { ...r, queuedAt: r.queuedAt ?? null };
}
