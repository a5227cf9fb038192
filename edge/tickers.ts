// A ticker in Binance's shapes: what the trades of a window say (open, high, low, last, volumes, first and last
// trade ids), MINI; FULL adds priceChange, priceChangePercent and weightedAvgPrice, and ticker/24hr's FULL also
// prevClosePrice, lastQty and the best bid and ask. Exact: percentages and averages are rounded once, from
// integers.

import type { WindowStats } from '../db/repositories/candles.ts';
import type { MarketDefinition } from '../matcher/core/index.ts';
import { formatSteps, formatUnits } from './money.ts';

export type TickerType = 'FULL' | 'MINI';

/** The best bid and ask as [price in ticks, quantity in lots], null for an empty side. */
export interface BookTop {
  bid: readonly [number, number] | null;
  ask: readonly [number, number] | null;
}

export interface TickerInput {
  market: MarketDefinition;
  openTime: number;
  closeTime: number;
  /** The window's trades; undefined when it has none. */
  stats: WindowStats | undefined;
  /** The last trade price before the window, in ticks (0 when there is none). */
  prevClose: number;
}

/**
 * `book` asks for ticker/24hr's FULL shape (null: no book published yet, bid and ask 0). A window without
 * trades reports ids -1 and count 0, zero high, low and volumes, and the price it carries from before as open
 * and last (as Binance answers for a symbol that has not traded in the window).
 */
export function tickerJson(t: TickerInput, type: TickerType, book?: BookTop | null) {
  const m = t.market;
  const s = t.stats;
  const price = (ticks: number) => formatSteps(ticks, m.tickSize);
  const open = s?.open ?? t.prevClose;
  const last = s?.close ?? t.prevClose;
  const volume = (s?.volume ?? 0n) * m.stepSize;
  const quoteVolume = s?.quoteVolume ?? 0n;
  const window = {
    openPrice: price(open),
    highPrice: price(s?.high ?? 0),
    lowPrice: price(s?.low ?? 0),
    lastPrice: price(last),
    volume: formatUnits(volume),
    quoteVolume: formatUnits(quoteVolume),
    openTime: t.openTime,
    closeTime: t.closeTime,
    firstId: s?.firstId ?? -1,
    lastId: s?.lastId ?? -1,
    count: s?.count ?? 0,
  };
  if (type === 'MINI') return { symbol: m.symbol, ...window };
  const change = {
    priceChange: formatUnits(BigInt(last - open) * m.tickSize),
    priceChangePercent: percentChange(open, last),
    weightedAvgPrice: formatUnits(ratio(quoteVolume, volume)),
  };
  if (book === undefined) return { symbol: m.symbol, ...change, ...window };
  const { openPrice, highPrice, lowPrice, lastPrice, ...rest } = window;
  return {
    symbol: m.symbol,
    ...change,
    prevClosePrice: price(t.prevClose),
    lastPrice,
    lastQty: formatSteps(s?.lastQty ?? 0, m.stepSize),
    bidPrice: price(book?.bid?.[0] ?? 0),
    bidQty: formatSteps(book?.bid?.[1] ?? 0, m.stepSize),
    askPrice: price(book?.ask?.[0] ?? 0),
    askQty: formatSteps(book?.ask?.[1] ?? 0, m.stepSize),
    openPrice,
    highPrice,
    lowPrice,
    ...rest,
  };
}

/** (last - open) / open in percent with 3 decimals, rounded half away from zero; "0.000" from an open of 0. */
export function percentChange(open: number, last: number): string {
  if (open === 0) return '0.000';
  const thousandths = divideRounded(BigInt(last - open) * 100_000n, BigInt(open));
  const abs = thousandths < 0n ? -thousandths : thousandths;
  const text = `${abs / 1000n}.${(abs % 1000n).toString().padStart(3, '0')}`;
  return thousandths < 0n ? `-${text}` : text;
}

/** quote / base, both in 1e-8 units, as 1e-8 units rounded half up; 0 when base is 0. */
export function ratio(quote: bigint, base: bigint): bigint {
  return base === 0n ? 0n : divideRounded(quote * 100_000_000n, base);
}

/** n / d (d > 0) rounded to the nearest integer, halves away from zero. */
function divideRounded(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n % d;
  if (2n * (r < 0n ? -r : r) < d) return q;
  return n < 0n ? q - 1n : q + 1n;
}
