// Market data for the in-memory harness, read from the core as the matcher would publish and commit it: book
// snapshots from its book (none for a book no order reached), and the trades it made read as the repositories
// read the trades table (db/repositories/market-reads.ts, candles.ts).

import type { Candle, WindowStats } from '../../db/repositories/candles.ts';
import { aggregate, type TakerTrade } from '../../db/repositories/market-reads.ts';
import { depth, type ExchangeState, type Trade } from '../../matcher/core/index.ts';
import type { CandleReads } from './candles.ts';
import type { MarketDataReads, TradeReads } from './market.ts';

/** The snapshots the matcher would publish: none for a book no order ever reached. */
export function marketDataOf(state: ExchangeState, booked: (symbol: string) => boolean): MarketDataReads {
  const snapshot = (symbol: string, limit: number) => {
    const levels = booked(symbol) ? depth(state, symbol, limit) : undefined;
    return levels === undefined ? undefined : { symbol, updateId: state.seq, ...levels };
  };
  return {
    depth: (symbol) => {
      const s = snapshot(symbol, 5000);
      return Promise.resolve(s && { symbol, lastUpdateId: s.updateId, bids: s.bids, asks: s.asks });
    },
    bookTop: (symbol) => {
      const s = snapshot(symbol, 1);
      return Promise.resolve(
        s && { symbol, updateId: s.updateId, bid: s.bids[0] ?? null, ask: s.asks[0] ?? null },
      );
    },
  };
}

/** The trades the core made, read as the repository reads the table. */
export function tradeReadsOf(state: ExchangeState, made: readonly Trade[]): TradeReads {
  const of = (symbol: string): TakerTrade[] =>
    made
      .filter((t) => t.symbol === symbol)
      .map((t) => ({
        tradeId: t.tradeId,
        price: t.price,
        qty: t.qty,
        quoteQty: t.quoteQty,
        time: t.time,
        isBuyerMaker: t.isBuyerMaker,
        takerOrderId: t.isBuyerMaker ? t.sellerOrderId : t.buyerOrderId,
      }));
  return {
    recent: (symbol, limit) => Promise.resolve(of(symbol).slice(-limit)),
    historical: ({ symbol, fromId, limit }) =>
      Promise.resolve(
        fromId === undefined
          ? of(symbol).slice(-limit)
          : of(symbol)
              .filter((t) => t.tradeId >= fromId)
              .slice(0, limit),
      ),
    aggregates: ({ symbol, fromId, startTime, endTime, limit }) => {
      const all = aggregate(of(symbol)).filter(
        (a) =>
          (fromId === undefined || a.aggregateId >= fromId) &&
          (startTime === undefined || a.time >= startTime) &&
          (endTime === undefined || a.time <= endTime),
      );
      const newest = fromId === undefined && startTime === undefined;
      return Promise.resolve(newest ? all.slice(-limit) : all.slice(0, limit));
    },
    window: (symbol, since) => {
      const trades = of(symbol);
      const last = trades.at(-1);
      if (last === undefined) return Promise.resolve(undefined);
      const recent = trades.filter((t) => t.time > since);
      return Promise.resolve({
        quoteQty: recent.reduce((sum, t) => sum + t.quoteQty, 0n),
        qty: recent.reduce((sum, t) => sum + BigInt(t.qty), 0n),
        lastPrice: last.price,
        lastTime: last.time,
      });
    },
    lastPrices: (symbols) =>
      Promise.resolve(new Map(symbols.map((s) => [s, state.markets.get(s)?.lastPrice ?? 0]))),
  };
}

/** Candles and window statistics of the trades the core made, as db/repositories/candles.ts computes them. */
export function candleReadsOf(made: readonly Trade[]): CandleReads {
  const of = (symbol: string) => made.filter((t) => t.symbol === symbol);
  return {
    candles: (symbol, boundaries) => {
      const buckets = new Map<number, Trade[]>();
      for (const t of of(symbol)) {
        const bucket = boundaries.findIndex(
          (b, i) => t.time >= b && t.time < (boundaries[i + 1] ?? -Infinity),
        );
        if (bucket >= 0) buckets.set(bucket, [...(buckets.get(bucket) ?? []), t]);
      }
      const candles = [...buckets].map(([bucket, trades]): Candle => {
        const taker = trades.filter((t) => !t.isBuyerMaker);
        return {
          bucket,
          ...prices(trades),
          volume: lots(trades),
          quoteVolume: quote(trades),
          trades: trades.length,
          takerBuyVolume: lots(taker),
          takerBuyQuoteVolume: quote(taker),
        };
      });
      return Promise.resolve(candles.sort((a, b) => a.bucket - b.bucket));
    },
    firstTradeTime: (symbol) => Promise.resolve(of(symbol)[0]?.time),
    lastPricesBefore: (symbols, time) => {
      const last = symbols.flatMap((s) =>
        of(s)
          .filter((t) => t.time < time)
          .slice(-1),
      );
      return Promise.resolve(new Map(last.map((t) => [t.symbol, t.price])));
    },
    windowStats: (symbols, from, to) => {
      const stats = new Map<string, WindowStats>();
      for (const symbol of symbols) {
        const trades = of(symbol).filter((t) => t.time >= from && t.time <= to);
        if (trades.length === 0) continue;
        stats.set(symbol, {
          firstId: trades[0]!.tradeId,
          lastId: trades.at(-1)!.tradeId,
          count: trades.length,
          ...prices(trades),
          lastQty: trades.at(-1)!.qty,
          volume: lots(trades),
          quoteVolume: quote(trades),
        });
      }
      return Promise.resolve(stats);
    },
  };
}

const prices = (trades: readonly Trade[]) => ({
  open: trades[0]!.price,
  high: Math.max(...trades.map((t) => t.price)),
  low: Math.min(...trades.map((t) => t.price)),
  close: trades.at(-1)!.price,
});
const lots = (trades: readonly Trade[]) => trades.reduce((sum, t) => sum + BigInt(t.qty), 0n);
const quote = (trades: readonly Trade[]) => trades.reduce((sum, t) => sum + t.quoteQty, 0n);
