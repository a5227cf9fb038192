// Candles and window statistics of a market, aggregated in SQL from the committed trades (so they survive any
// matcher restart), every query served by trades_by_symbol_time or the primary key. Prices in ticks,
// quantities in lots, quote amounts in 1e-8 units; the edge formats. First and last trades are the lowest and
// highest trade ids (ids grow with time).

import { type SQL, sql } from 'drizzle-orm';
import { type Database, rowsOf } from '../client.ts';

export interface Candle {
  /** Which bucket of the boundaries asked for: 0 is [boundaries[0], boundaries[1]). */
  bucket: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** In lots. */
  volume: bigint;
  quoteVolume: bigint;
  trades: number;
  /** Bought by takers (the buyer was not the maker), in lots. */
  takerBuyVolume: bigint;
  takerBuyQuoteVolume: bigint;
}

/**
 * The candles of `symbol`'s trades in [boundaries[0], boundaries[n]), one per bucket [boundaries[i],
 * boundaries[i + 1]) holding a trade, oldest first. `boundaries` ascend (months differ in length: any
 * ascending list works).
 */
export async function candles(
  db: Database,
  symbol: string,
  boundaries: readonly number[],
): Promise<Candle[]> {
  if (boundaries.length < 2) return [];
  const from = boundaries[0]!;
  const to = boundaries[boundaries.length - 1]!;
  const thresholds = `{${boundaries.join(',')}}`;
  const rows = await rowsOf(
    db,
    sql`with buckets as (
          select width_bucket(time, ${thresholds}::bigint[]) - 1 as bucket,
            min(trade_id) as first_id, max(trade_id) as last_id, max(price) as high, min(price) as low,
            sum(qty) as volume, sum(quote_qty) as quote_volume, count(*) as trades,
            coalesce(sum(qty) filter (where not is_buyer_maker), 0) as taker_buy_volume,
            coalesce(sum(quote_qty) filter (where not is_buyer_maker), 0) as taker_buy_quote_volume
          from trades where symbol = ${symbol} and time >= ${from} and time < ${to}
          group by 1)
        select b.*, f.price as open, l.price as close
        from buckets b join trades f on f.trade_id = b.first_id join trades l on l.trade_id = b.last_id
        order by b.bucket`,
  );
  return rows.map((r) => ({
    bucket: Number(r.bucket),
    open: Number(r.open),
    high: Number(r.high),
    low: Number(r.low),
    close: Number(r.close),
    volume: BigInt(String(r.volume)),
    quoteVolume: BigInt(String(r.quote_volume)),
    trades: Number(r.trades),
    takerBuyVolume: BigInt(String(r.taker_buy_volume)),
    takerBuyQuoteVolume: BigInt(String(r.taker_buy_quote_volume)),
  }));
}

/** When `symbol` first traded (ms), or undefined if it never has. */
export async function firstTradeTime(db: Database, symbol: string): Promise<number | undefined> {
  const [row] = await rowsOf(db, sql`select min(time) as time from trades where symbol = ${symbol}`);
  return row?.time === null || row?.time === undefined ? undefined : Number(row.time);
}

/** Each symbol's last trade price before `time` (ticks); symbols that had none are missing. */
export async function lastPricesBefore(
  db: Database,
  symbols: readonly string[],
  time: number,
): Promise<Map<string, number>> {
  if (symbols.length === 0) return new Map();
  const rows = await rowsOf(
    db,
    sql`select s.symbol, p.price
        from (values ${valuesOf(symbols)}) as s(symbol)
        cross join lateral (
          select price from trades t where t.symbol = s.symbol and t.time < ${time}
          order by t.time desc, t.trade_id desc limit 1) p`,
  );
  return new Map(rows.map((r) => [String(r.symbol), Number(r.price)]));
}

/** What a ticker reports of the trades in a window. */
export interface WindowStats {
  firstId: number;
  lastId: number;
  count: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** The last trade's quantity, in lots. */
  lastQty: number;
  volume: bigint;
  quoteVolume: bigint;
}

/** Statistics of each symbol's trades with `from` <= time <= `to`; symbols without a trade are missing. */
export async function windowStats(
  db: Database,
  symbols: readonly string[],
  from: number,
  to: number,
): Promise<Map<string, WindowStats>> {
  if (symbols.length === 0) return new Map();
  const rows = await rowsOf(
    db,
    sql`with w as (
          select symbol, min(trade_id) as first_id, max(trade_id) as last_id, count(*) as count,
            max(price) as high, min(price) as low, sum(qty) as volume, sum(quote_qty) as quote_volume
          from trades
          where symbol in (select symbol from (values ${valuesOf(symbols)}) as s(symbol))
            and time >= ${from} and time <= ${to}
          group by symbol)
        select w.*, f.price as open, l.price as close, l.qty as last_qty
        from w join trades f on f.trade_id = w.first_id join trades l on l.trade_id = w.last_id`,
  );
  return new Map(
    rows.map((r) => [
      String(r.symbol),
      {
        firstId: Number(r.first_id),
        lastId: Number(r.last_id),
        count: Number(r.count),
        open: Number(r.open),
        high: Number(r.high),
        low: Number(r.low),
        close: Number(r.close),
        lastQty: Number(r.last_qty),
        volume: BigInt(String(r.volume)),
        quoteVolume: BigInt(String(r.quote_volume)),
      },
    ]),
  );
}

const valuesOf = (symbols: readonly string[]): SQL =>
  sql.join(
    symbols.map((s) => sql`(${s}::text)`),
    sql`, `,
  );
