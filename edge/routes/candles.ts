// Candles and rolling statistics, computed from the committed trades (so a matcher restart changes nothing):
// GET /api/v3/klines and /uiKlines, /ticker/24hr, /ticker/tradingDay and /ticker (any rolling window). Mounted
// under /api/v3, public (no signature).

import { type Context, Hono } from 'hono';
import type { Candle, WindowStats } from '../../db/repositories/candles.ts';
import type { MarketDefinition } from '../../matcher/core/index.ts';
import {
  candleClock,
  DAY,
  isKlineInterval,
  klineRange,
  parseTimeZone,
  parseWindowSize,
} from '../candle-time.ts';
import type { EdgeEnv } from '../context.ts';
import { BinanceHttpError } from '../http-error.ts';
import type { MarketCatalog, MarketInfo } from '../markets.ts';
import { formatSteps, formatUnits } from '../money.ts';
import {
  limitOf,
  marketOf,
  oneOf,
  optionalInt,
  type Params,
  queryParams,
  required,
  symbolsOf,
} from '../params.ts';
import { type BookTop, type TickerInput, tickerJson, type TickerType } from '../tickers.ts';

/** The queries the routes need (db/repositories/candles.ts bound to a database). */
export interface CandleReads {
  candles(symbol: string, boundaries: readonly number[]): Promise<Candle[]>;
  firstTradeTime(symbol: string): Promise<number | undefined>;
  lastPricesBefore(symbols: readonly string[], time: number): Promise<Map<string, number>>;
  windowStats(symbols: readonly string[], from: number, to: number): Promise<Map<string, WindowStats>>;
}

export interface CandleRoutesDeps {
  markets: MarketCatalog;
  candles: CandleReads;
  /** The best bid and ask the matcher last published for a symbol (ticker/24hr FULL); undefined until then. */
  bookTop(symbol: string): Promise<BookTop | undefined>;
  now(): number;
}

const LIMIT_DEFAULT = 500;
const LIMIT_MAX = 1000;
/** ticker/tradingDay and ticker take at most this many symbols. */
const SYMBOLS_MAX = 100;
const TYPES: readonly TickerType[] = ['FULL', 'MINI'];

export function candleRoutes(deps: CandleRoutesDeps): Hono<EdgeEnv> {
  const app = new Hono<EdgeEnv>();

  // uiKlines: Binance's variant "for the presentation of charts" has the same parameters and rows; ours are
  // the same candles (a quiet interval already carries the previous close, so charts show no gaps).
  const klines = async (c: Context<EdgeEnv>) => {
    const p = paramsOf(c);
    const { definition: m } = await marketOf(deps.markets, p.get('symbol'));
    const interval = required(p, 'interval');
    if (!isKlineInterval(interval)) throw new BinanceHttpError(400, -1120, 'Invalid interval.');
    const startTime = optionalInt(p, 'startTime');
    const endTime = optionalInt(p, 'endTime');
    const limit = limitOf(p, LIMIT_DEFAULT, LIMIT_MAX);
    const clock = candleClock(interval, timeZoneOf(p));
    const firstTrade = await deps.candles.firstTradeTime(m.symbol);
    if (firstTrade === undefined) return c.json([]);
    const range = klineRange(clock, { startTime, endTime, limit, now: deps.now(), firstTrade });
    if (range === undefined) return c.json([]);
    const boundaries: number[] = [];
    for (let i = range.first; i <= range.last + 1; i++) boundaries.push(clock.start(i));
    const [rows, before] = await Promise.all([
      deps.candles.candles(m.symbol, boundaries),
      deps.candles.lastPricesBefore([m.symbol], boundaries[0]!),
    ]);
    return c.json(klineRows(m, boundaries, rows, before.get(m.symbol)));
  };
  app.get('/klines', klines);
  app.get('/uiKlines', klines);

  // The last 24 hours up to now (all symbols when none is named).
  app.get('/ticker/24hr', async (c) => {
    const p = paramsOf(c);
    const type = oneOf(p, 'type', TYPES) ?? 'FULL';
    const { markets, single } = await selected(deps.markets, p, { orAll: true, max: Infinity });
    const closeTime = deps.now();
    const tickers = await statistics(deps, markets, closeTime - DAY, closeTime);
    const json = await Promise.all(
      tickers.map(async (t) =>
        tickerJson(t, type, type === 'FULL' ? ((await deps.bookTop(t.market.symbol)) ?? null) : undefined),
      ),
    );
    return c.json(single ? json[0] : json);
  });

  // The trading day so far: from midnight in the time zone; closeTime is the day's last ms.
  app.get('/ticker/tradingDay', async (c) => {
    const p = paramsOf(c);
    const type = oneOf(p, 'type', TYPES) ?? 'FULL';
    const { markets, single } = await selected(deps.markets, p, { orAll: false, max: SYMBOLS_MAX });
    const day = candleClock('1d', timeZoneOf(p));
    const now = deps.now();
    const openTime = day.start(day.indexOf(now));
    const tickers = await statistics(deps, markets, openTime, now);
    const json = tickers.map((t) => tickerJson({ ...t, closeTime: openTime + DAY - 1 }, type));
    return c.json(single ? json[0] : json);
  });

  // A rolling window: it opens on the minute windowSize before now (up to 59 999 ms wider), closes now.
  app.get('/ticker', async (c) => {
    const p = paramsOf(c);
    const type = oneOf(p, 'type', TYPES) ?? 'FULL';
    const { markets, single } = await selected(deps.markets, p, { orAll: false, max: SYMBOLS_MAX });
    const windowMs = parseWindowSize(p.get('windowSize') ?? '1d');
    if (windowMs === undefined) throw invalid('windowSize');
    const closeTime = deps.now();
    const openTime = Math.floor((closeTime - windowMs) / 60_000) * 60_000;
    const tickers = await statistics(deps, markets, openTime, closeTime);
    const json = tickers.map((t) => tickerJson(t, type));
    return c.json(single ? json[0] : json);
  });

  return app;
}

const paramsOf = (c: Context<EdgeEnv>): Params => queryParams(c.req.url);

const invalid = (name: string) =>
  new BinanceHttpError(400, -1130, `Data sent for parameter '${name}' is not valid.`);

function timeZoneOf(p: Params): number {
  const text = p.get('timeZone');
  if (text === undefined) return 0;
  const offset = parseTimeZone(text);
  if (offset === undefined) throw invalid('timeZone');
  return offset;
}

/**
 * One row per candle from the first to the last boundary: a candle without trades opens, closes, peaks and
 * bottoms at the previous close with zero volumes, as Binance's do.
 */
function klineRows(m: MarketDefinition, boundaries: number[], rows: Candle[], before: number | undefined) {
  const byBucket = new Map(rows.map((r) => [r.bucket, r]));
  const price = (ticks: number) => formatSteps(ticks, m.tickSize);
  const base = (lots: bigint) => formatUnits(lots * m.stepSize);
  const out: unknown[][] = [];
  let close = before;
  for (let i = 0; i + 1 < boundaries.length; i++) {
    const openTime = boundaries[i]!;
    const closeTime = boundaries[i + 1]! - 1;
    const r = byBucket.get(i);
    if (r !== undefined) {
      close = r.close;
      out.push([
        openTime,
        price(r.open),
        price(r.high),
        price(r.low),
        price(r.close),
        base(r.volume),
        closeTime,
        formatUnits(r.quoteVolume),
        r.trades,
        base(r.takerBuyVolume),
        formatUnits(r.takerBuyQuoteVolume),
        '0',
      ]);
    } else if (close !== undefined) {
      const zero = formatUnits(0n);
      const last = price(close);
      out.push([openTime, last, last, last, last, zero, closeTime, zero, 0, zero, zero, '0']);
    }
  }
  return out;
}

/** The window's statistics of each market, in the order asked. */
async function statistics(
  deps: CandleRoutesDeps,
  markets: MarketInfo[],
  openTime: number,
  closeTime: number,
): Promise<TickerInput[]> {
  const symbols = markets.map((m) => m.definition.symbol);
  const [stats, before] = await Promise.all([
    deps.candles.windowStats(symbols, openTime, closeTime),
    deps.candles.lastPricesBefore(symbols, openTime),
  ]);
  return markets.map(({ definition }) => ({
    market: definition,
    openTime,
    closeTime,
    stats: stats.get(definition.symbol),
    prevClose: before.get(definition.symbol) ?? 0,
  }));
}

const STATUSES = ['TRADING', 'HALT', 'BREAK'];

/**
 * The markets a ticker request names: `symbol`, or `symbols` as Binance's JSON array (distinct, at most `max`),
 * or neither for all of them where `orAll`; `symbolStatus` filters a list and must match a single symbol.
 */
async function selected(
  catalog: MarketCatalog,
  p: Params,
  { orAll, max }: { orAll: boolean; max: number },
): Promise<{ markets: MarketInfo[]; single: boolean }> {
  const names = symbolsOf(p);
  const status = p.get('symbolStatus');
  if (status !== undefined && !STATUSES.includes(status)) {
    throw new BinanceHttpError(400, -1122, 'Invalid symbolStatus.');
  }
  if (p.has('symbol')) {
    const market = await marketOf(catalog, p.get('symbol'));
    if (status !== undefined && market.status !== status) {
      throw new BinanceHttpError(
        400,
        -1220,
        "The symbol's status does not match the requested symbolStatus.",
      );
    }
    return { markets: [market], single: true };
  }
  if (names === undefined && !orAll) {
    throw new BinanceHttpError(
      400,
      -1102,
      "Param 'symbol' or 'symbols' must be sent, but both were empty/null!",
    );
  }
  if (names !== undefined && names.length > max) {
    throw new BinanceHttpError(
      400,
      -1101,
      `Too many values sent for parameter 'symbols', maximum allowed up to ${max}.`,
    );
  }
  if (names !== undefined && new Set(names).size !== names.length) {
    throw new BinanceHttpError(400, -1101, 'Duplicate values for a parameter detected.');
  }
  const markets =
    names === undefined
      ? await catalog.all()
      : await Promise.all(names.map((name) => marketOf(catalog, name)));
  return { markets: markets.filter((m) => status === undefined || m.status === status), single: false };
}
