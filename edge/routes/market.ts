// Public market data (security NONE): GET /api/v3/depth, /trades, /historicalTrades, /aggTrades, /avgPrice,
// /ticker/price and /ticker/bookTicker. The book comes from the snapshots the matcher publishes after each commit
// (no database round trip); trades, the average price and last prices from Postgres.

import { Hono } from 'hono';
import type {
  AggregateQuery,
  AggregateTrade,
  PublicTrade,
  TradeWindow,
} from '../../db/repositories/market-reads.ts';
import type { BookTop, DepthSnapshot } from '../../matcher/market-data.ts';
import type { MarketDefinition } from '../../matcher/core/index.ts';
import type { EdgeEnv } from '../context.ts';
import { BinanceHttpError } from '../http-error.ts';
import type { MarketCatalog, MarketInfo } from '../markets.ts';
import { DECIMALS, formatSteps, formatUnits } from '../money.ts';
import { limitOf, marketOf, optionalInt, type Params, queryParams, symbolsOf } from '../params.ts';

/** The matcher's market-data snapshots (md:depth and md:book keys); undefined until it published one. */
export interface MarketDataReads {
  depth(symbol: string): Promise<DepthSnapshot | undefined>;
  bookTop(symbol: string): Promise<BookTop | undefined>;
}

/** What the routes read from Postgres (db/repositories/market-reads.ts bound to a database). */
export interface TradeReads {
  recent(symbol: string, limit: number): Promise<PublicTrade[]>;
  historical(q: { symbol: string; fromId?: number; limit: number }): Promise<PublicTrade[]>;
  aggregates(q: AggregateQuery): Promise<AggregateTrade[]>;
  /** Volume traded after `since` (ms) and the last trade; undefined before the first trade. */
  window(symbol: string, since: number): Promise<TradeWindow | undefined>;
  /** Last trade prices in ticks (0 before the first trade). */
  lastPrices(symbols: readonly string[]): Promise<Map<string, number>>;
}

export interface MarketRoutesDeps {
  markets: MarketCatalog;
  marketData: MarketDataReads;
  trades: TradeReads;
  now(): number;
}

/** avgPrice's window, as on Binance. */
export const AVG_PRICE_MINS = 5;
const UNIT = 10n ** BigInt(DECIMALS);

export function marketRoutes(deps: MarketRoutesDeps): Hono<EdgeEnv> {
  const app = new Hono<EdgeEnv>();
  const symbolQuery = async (url: string) => {
    const p = queryParams(url);
    return { p, market: (await marketOf(deps.markets, p.get('symbol'))).definition };
  };

  app.get('/depth', async (c) => {
    const { p, market: m } = await symbolQuery(c.req.url);
    const limit = limitOf(p, 100, 5000);
    // No snapshot yet (no order ever reached this book): an empty book before update 1, which the first depth
    // diff (U = 1) continues.
    const book = await deps.marketData.depth(m.symbol);
    const side = (levels: [number, number][] = []) =>
      levels
        .slice(0, limit)
        .map(([price, lots]) => [formatSteps(price, m.tickSize), formatSteps(lots, m.stepSize)]);
    return c.json({ lastUpdateId: book?.lastUpdateId ?? 0, bids: side(book?.bids), asks: side(book?.asks) });
  });

  app.get('/trades', async (c) => {
    const { p, market: m } = await symbolQuery(c.req.url);
    const trades = await deps.trades.recent(m.symbol, limitOf(p, 500, 1000));
    return c.json(trades.map((t) => tradeJson(t, m)));
  });

  app.get('/historicalTrades', async (c) => {
    const { p, market: m } = await symbolQuery(c.req.url);
    const fromId = optionalInt(p, 'fromId');
    const trades = await deps.trades.historical({
      symbol: m.symbol,
      limit: limitOf(p, 500, 1000),
      ...(fromId === undefined ? {} : { fromId }),
    });
    return c.json(trades.map((t) => tradeJson(t, m)));
  });

  app.get('/aggTrades', async (c) => {
    const { p, market: m } = await symbolQuery(c.req.url);
    const aggregates = await deps.trades.aggregates({ symbol: m.symbol, ...aggregateRange(p) });
    return c.json(
      aggregates.map((a) => ({
        a: a.aggregateId,
        p: formatSteps(a.price, m.tickSize),
        q: formatSteps(a.qty, m.stepSize),
        f: a.firstTradeId,
        l: a.lastTradeId,
        T: a.time,
        m: a.isBuyerMaker,
        M: true,
      })),
    );
  });

  app.get('/avgPrice', async (c) => {
    const { market: m } = await symbolQuery(c.req.url);
    const window = await deps.trades.window(m.symbol, deps.now() - AVG_PRICE_MINS * 60_000);
    return c.json({
      mins: AVG_PRICE_MINS,
      price: formatUnits(window === undefined ? 0n : averagePrice(window, m)),
      closeTime: window?.lastTime ?? 0,
    });
  });

  app.get('/ticker/price', async (c) => {
    const { one, markets } = await selection(deps.markets, queryParams(c.req.url));
    const prices = await deps.trades.lastPrices(markets.map((m) => m.symbol));
    const json = markets.map((m) => ({
      symbol: m.symbol,
      price: formatSteps(prices.get(m.symbol) ?? 0, m.tickSize),
    }));
    return c.json(one ? json[0] : json);
  });

  app.get('/ticker/bookTicker', async (c) => {
    const { one, markets } = await selection(deps.markets, queryParams(c.req.url));
    const tops = await Promise.all(markets.map((m) => deps.marketData.bookTop(m.symbol)));
    const json = markets.map((m, i) => {
      const [bidPrice, bidQty] = level(tops[i]?.bid ?? null, m);
      const [askPrice, askQty] = level(tops[i]?.ask ?? null, m);
      return { symbol: m.symbol, bidPrice, bidQty, askPrice, askQty };
    });
    return c.json(one ? json[0] : json);
  });

  return app;
}

function tradeJson(t: PublicTrade, m: MarketDefinition) {
  return {
    id: t.tradeId,
    price: formatSteps(t.price, m.tickSize),
    qty: formatSteps(t.qty, m.stepSize),
    quoteQty: formatUnits(t.quoteQty),
    time: t.time,
    isBuyerMaker: t.isBuyerMaker,
    isBestMatch: true,
  };
}

/** fromId, or startTime and/or endTime (not both kinds, as on Binance), and limit (default 500, at most 1000). */
function aggregateRange(p: Params): Omit<AggregateQuery, 'symbol'> {
  const fromId = optionalInt(p, 'fromId');
  const startTime = optionalInt(p, 'startTime');
  const endTime = optionalInt(p, 'endTime');
  if (fromId !== undefined && (startTime !== undefined || endTime !== undefined)) {
    throw new BinanceHttpError(400, -1128, 'Combination of optional parameters invalid.');
  }
  return {
    limit: limitOf(p, 500, 1000),
    ...(fromId === undefined ? {} : { fromId }),
    ...(startTime === undefined ? {} : { startTime }),
    ...(endTime === undefined ? {} : { endTime }),
  };
}

/**
 * The volume-weighted average price of the window in 1e-8 quote units per whole base unit, truncated; the last
 * trade price when nothing traded in the window.
 */
function averagePrice(w: TradeWindow, m: MarketDefinition): bigint {
  if (w.qty === 0n) return BigInt(w.lastPrice) * m.tickSize;
  return (w.quoteQty * UNIT) / (w.qty * m.stepSize);
}

/** `symbol` (one object answered), `symbols` or neither (an array, of all markets when neither). */
async function selection(
  catalog: MarketCatalog,
  p: Params,
): Promise<{ one: boolean; markets: MarketDefinition[] }> {
  const wanted = symbolsOf(p);
  if (wanted === undefined) {
    return { one: false, markets: (await catalog.all()).map((m) => m.definition) };
  }
  const found = await Promise.all(wanted.map((s) => catalog.get(s)));
  const markets = found.map((m: MarketInfo | undefined) => {
    if (m === undefined) throw new BinanceHttpError(400, -1121, 'Invalid symbol.');
    return m.definition;
  });
  return { one: p.has('symbol'), markets };
}

/** A side's best level as Binance prints it: zeros for an empty side. */
function level(top: [number, number] | null, m: MarketDefinition): [string, string] {
  return [formatSteps(top?.[0] ?? 0, m.tickSize), formatSteps(top?.[1] ?? 0, m.stepSize)];
}
