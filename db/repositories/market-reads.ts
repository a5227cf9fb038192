// What the public market-data endpoints read from Postgres: a symbol's trades (recent, from an id, aggregated),
// the volume in a time window with the last trade, and last prices. Every query is served by an index
// (db/schema/trades.ts: by symbol and id, by symbol and time). Prices in ticks, quantities in lots; the edge
// formats them.

import { type SQL, sql } from 'drizzle-orm';
import { type Database, rowsOf } from '../client.ts';

/** A trade as the public sees it: no accounts, no orders, no fees. */
export interface PublicTrade {
  tradeId: number;
  price: number;
  qty: number;
  /** price × qty, in quote units. */
  quoteQty: bigint;
  time: number;
  isBuyerMaker: boolean;
}

/** A trade with the order that took, which aggregation needs. */
export interface TakerTrade extends PublicTrade {
  /** The buyer's order when the seller was the maker, else the seller's. */
  takerOrderId: number;
}

/**
 * Consecutive trades of one taker order at one price, as Binance aggregates them. Its id is its first trade's
 * id, so ids grow but are not consecutive; `fromId` pages by it.
 */
export interface AggregateTrade {
  aggregateId: number;
  price: number;
  qty: number;
  firstTradeId: number;
  lastTradeId: number;
  time: number;
  isBuyerMaker: boolean;
}

export interface AggregateQuery {
  symbol: string;
  /** Aggregates whose id (first trade id) is this or after. */
  fromId?: number;
  startTime?: number;
  endTime?: number;
  limit: number;
}

/**
 * Groups trades given oldest first into aggregates: a trade joins the previous one's aggregate when both have
 * the same taker order and price. One command's fills are consecutive trade ids (the matcher applies commands
 * one at a time), so an aggregate never spans commands and all its trades share one time.
 */
export function aggregate(trades: readonly TakerTrade[]): AggregateTrade[] {
  const out: AggregateTrade[] = [];
  let previous: TakerTrade | undefined;
  for (const t of trades) {
    const last = out.at(-1);
    if (last !== undefined && previous !== undefined && sameAggregate(previous, t)) {
      last.qty += t.qty;
      last.lastTradeId = t.tradeId;
    } else {
      out.push({
        aggregateId: t.tradeId,
        price: t.price,
        qty: t.qty,
        firstTradeId: t.tradeId,
        lastTradeId: t.tradeId,
        time: t.time,
        isBuyerMaker: t.isBuyerMaker,
      });
    }
    previous = t;
  }
  return out;
}

const sameAggregate = (a: TakerTrade, b: TakerTrade): boolean =>
  a.takerOrderId === b.takerOrderId && a.price === b.price;

/** The newest `limit` trades of a symbol, oldest first. */
export async function recentTrades(db: Database, symbol: string, limit: number): Promise<PublicTrade[]> {
  return (await tradePage(db, { symbol, descending: true, limit })).reverse().map(publicTrade);
}

const publicTrade = ({ takerOrderId: _, ...t }: TakerTrade): PublicTrade => t;

/** From `fromId` on (oldest first), else the newest `limit`. */
export async function historicalTrades(
  db: Database,
  q: { symbol: string; fromId?: number; limit: number },
): Promise<PublicTrade[]> {
  if (q.fromId === undefined) return recentTrades(db, q.symbol, q.limit);
  const page = await tradePage(db, { symbol: q.symbol, fromId: q.fromId, descending: false, limit: q.limit });
  return page.map(publicTrade);
}

/**
 * aggTrades, oldest first: from `fromId` or `startTime` on, else the newest `limit` (up to `endTime` when
 * given). Trades are read in pages until `limit` aggregates are complete, so a long aggregate is never cut.
 */
export async function aggregateTrades(db: Database, q: AggregateQuery): Promise<AggregateTrade[]> {
  const descending = q.fromId === undefined && q.startTime === undefined;
  const pageSize = Math.min(1000, 2 * q.limit + 1);
  // The trade just before fromId: when it continues into fromId, those trades belong to an earlier aggregate.
  const [before] =
    q.fromId === undefined
      ? []
      : await tradePage(db, { symbol: q.symbol, beforeId: q.fromId, descending: true, limit: 1 });
  const trades: TakerTrade[] = [];
  let cursor: number | undefined;
  for (;;) {
    const page = await tradePage(db, {
      symbol: q.symbol,
      ...(cursor === undefined && q.fromId !== undefined ? { fromId: q.fromId } : {}),
      ...(cursor === undefined ? {} : descending ? { beforeId: cursor } : { afterId: cursor }),
      ...(q.startTime === undefined ? {} : { startTime: q.startTime }),
      ...(q.endTime === undefined ? {} : { endTime: q.endTime }),
      descending,
      limit: pageSize,
    });
    trades.push(...page);
    const groups = descending ? aggregate([...trades].reverse()) : aggregate(withoutTail(before, trades));
    // One aggregate more than asked for proves the last one asked for complete (an aggregate's trades are
    // consecutive), and so does the end of the trades.
    if (page.length < pageSize || groups.length > q.limit) {
      return descending ? groups.slice(-q.limit) : groups.slice(0, q.limit);
    }
    cursor = page.at(-1)!.tradeId;
  }
}

/** `trades` without the leading ones that continue `before`'s aggregate. */
function withoutTail(before: TakerTrade | undefined, trades: TakerTrade[]): TakerTrade[] {
  if (before === undefined) return trades;
  let skip = 0;
  while (skip < trades.length && sameAggregate(before, trades[skip]!)) skip++;
  return skip === 0 ? trades : trades.slice(skip);
}

/** A symbol's traded volume since `since` (exclusive) and its last trade; undefined before its first trade. */
export interface TradeWindow {
  /** Sum of quoteQty, in quote units. */
  quoteQty: bigint;
  /** Sum of qty, in lots. */
  qty: bigint;
  lastPrice: number;
  lastTime: number;
}

export async function tradeWindow(
  db: Database,
  symbol: string,
  since: number,
): Promise<TradeWindow | undefined> {
  const [row] = await rowsOf(
    db,
    sql`select last.price, last.time,
          (select coalesce(sum(quote_qty), 0)::text from trades where symbol = ${symbol} and time > ${since})
            as quote_qty,
          (select coalesce(sum(qty), 0)::text from trades where symbol = ${symbol} and time > ${since}) as qty
        from (select price, time from trades where symbol = ${symbol} order by trade_id desc limit 1) last`,
  );
  if (row === undefined) return undefined;
  return {
    quoteQty: BigInt(row.quote_qty as string),
    qty: BigInt(row.qty as string),
    lastPrice: Number(row.price),
    lastTime: Number(row.time),
  };
}

/** The last trade price of each of `symbols` (0 before its first trade), as the matcher last committed it. */
export async function lastPrices(db: Database, symbols: readonly string[]): Promise<Map<string, number>> {
  if (symbols.length === 0) return new Map();
  const rows = await rowsOf(
    db,
    sql`select symbol, last_price from markets where symbol = any(${sql.param([...symbols])}::text[])`,
  );
  return new Map(rows.map((r) => [String(r.symbol), Number(r.last_price)]));
}

interface PageQuery {
  symbol: string;
  /** Trades with this id and after. */
  fromId?: number;
  afterId?: number;
  beforeId?: number;
  startTime?: number;
  endTime?: number;
  descending: boolean;
  limit: number;
}

async function tradePage(db: Database, q: PageQuery): Promise<TakerTrade[]> {
  const where: SQL[] = [sql`symbol = ${q.symbol}`];
  if (q.fromId !== undefined) where.push(sql`trade_id >= ${q.fromId}`);
  if (q.afterId !== undefined) where.push(sql`trade_id > ${q.afterId}`);
  if (q.beforeId !== undefined) where.push(sql`trade_id < ${q.beforeId}`);
  if (q.startTime !== undefined) where.push(sql`time >= ${q.startTime}`);
  if (q.endTime !== undefined) where.push(sql`time <= ${q.endTime}`);
  const rows = await rowsOf(
    db,
    sql`select trade_id, price, qty, quote_qty, time, is_buyer_maker,
          case when is_buyer_maker then seller_order_id else buyer_order_id end as taker_order_id
        from trades where ${sql.join(where, sql` and `)}
        order by trade_id ${q.descending ? sql`desc` : sql`asc`}
        limit ${q.limit}`,
  );
  return rows.map((r) => ({
    tradeId: Number(r.trade_id),
    price: Number(r.price),
    qty: Number(r.qty),
    quoteQty: BigInt(r.quote_qty as string),
    time: Number(r.time),
    isBuyerMaker: Boolean(r.is_buyer_maker),
    takerOrderId: Number(r.taker_order_id),
  }));
}
