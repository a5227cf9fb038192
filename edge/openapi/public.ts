// The public endpoints (security NONE): general, market data, candles and tickers under /api/v3, throttled by
// request weight per IP; and outside /api, unthrottled, the probes and this document.

import { KLINE_INTERVALS } from '../candle-time.ts';
import {
  enumOf,
  limitParam,
  param,
  requiredParam,
  symbolParam,
  symbolsParams,
  timeParam,
  integer,
  publicOperation,
  unthrottledOperation,
  type Param,
} from './build.ts';
import { ref } from './responses.ts';
import type { PathItem, Schema } from './types.ts';

/** With `symbol` one object, else an array of them. */
const oneOrMany = (one: Schema, description: string): Schema => ({
  description,
  oneOf: [one, { type: 'array', items: one }],
});
/** A ticker by `type`: FULL (the default) or MINI. */
const ticker = (full: string): Schema => ({ anyOf: [ref(full), ref('TickerMini')] });

const timeZone = param(
  'timeZone',
  { type: 'string', pattern: '^[+-]?\\d{1,2}(:\\d{2})?$', default: '0' },
  'Hours, or hours and minutes, from -12:00 to +14:00: the zone in which intervals are counted (-1130 otherwise).',
);
const tickerType = param('type', enumOf(['FULL', 'MINI']), 'Default FULL.');
const symbolStatus = param(
  'symbolStatus',
  enumOf(['TRADING', 'HALT', 'BREAK']),
  'Only the symbols with this status; with `symbol`, -1220 when it has another.',
);
const klineParams: readonly Param[] = [
  symbolParam,
  requiredParam('interval', enumOf(KLINE_INTERVALS)),
  timeParam('startTime'),
  timeParam('endTime'),
  timeZone,
  limitParam(500, 1000, true),
];
const SYMBOL_ERRORS = { 400: [-1100, -1101, -1102, -1121, -1130] } as const;

const klines = (id: string, summary: string) =>
  publicOperation({
    id,
    summary,
    tag: 'Market data',
    params: klineParams,
    weight: 2,
    ok: { description: 'Candles, oldest first.', schema: { type: 'array', items: ref('Kline') } },
    errors: { 400: [-1100, -1101, -1102, -1120, -1121, -1130] },
  });

/** 4 per symbol, at most 200: ticker/tradingDay and the rolling ticker. */
const perSymbolRules = [
  { when: 'one symbol', weight: 4, example: { symbol: 'BTCUSDT' } },
  { when: '4 per symbol of `symbols`', weight: 8, example: { symbols: '["BTCUSDT","ETHUSDT"]' } },
] as const;

const windowTicker = (id: string, summary: string, extra: readonly Param[]) =>
  publicOperation({
    id,
    summary,
    description: 'With `symbol` one object, with `symbols` (at most 100) an array.',
    tag: 'Market data',
    params: [...symbolsParams, ...extra, tickerType, symbolStatus],
    oneOf: [['symbol', 'symbols']],
    weight: 4,
    weightRules: perSymbolRules,
    ok: {
      description: 'MINI or FULL tickers.',
      schema: oneOrMany(ticker('Ticker'), 'By `type`: FULL or MINI.'),
    },
    errors: { 400: [-1100, -1101, -1102, -1121, -1122, -1130, -1220] },
  });

export const PUBLIC_PATHS: Readonly<Record<string, PathItem>> = {
  '/api/v3/ping': {
    get: publicOperation({
      id: 'ping',
      summary: 'Test connectivity',
      tag: 'General',
      weight: 1,
      ok: { description: '{}', schema: ref('Empty') },
    }),
  },
  '/api/v3/time': {
    get: publicOperation({
      id: 'serverTime',
      summary: 'Server time (ms)',
      tag: 'General',
      weight: 1,
      ok: { description: 'The server time.', schema: ref('ServerTime') },
    }),
  },
  '/api/v3/exchangeInfo': {
    get: publicOperation({
      id: 'exchangeInfo',
      summary: 'Markets, their filters and STP modes, and the rate limits',
      tag: 'General',
      params: symbolsParams,
      weight: 20,
      ok: { description: 'Exchange information.', schema: ref('ExchangeInfo') },
      errors: { 400: [-1100, -1101, -1121] },
    }),
  },
  '/api/v3/depth': {
    get: publicOperation({
      id: 'depth',
      summary: 'Order book',
      description: 'From the book snapshot the matcher published last (lastUpdateId 0 before any order).',
      tag: 'Market data',
      params: [symbolParam, limitParam(100, 5000, true)],
      weight: 5,
      weightRules: [
        { when: 'limit 1-100', weight: 5, example: { limit: '100' } },
        { when: 'limit 101-500', weight: 25, example: { limit: '500' } },
        { when: 'limit 501-1000', weight: 50, example: { limit: '1000' } },
        { when: 'limit 1001-5000', weight: 250, example: { limit: '5000' } },
      ],
      ok: { description: 'Bids and asks, best first.', schema: ref('Depth') },
      errors: SYMBOL_ERRORS,
    }),
  },
  '/api/v3/trades': {
    get: publicOperation({
      id: 'recentTrades',
      summary: 'Recent trades',
      tag: 'Market data',
      params: [symbolParam, limitParam(500, 1000, true)],
      weight: 25,
      ok: { description: 'Trades, oldest first.', schema: { type: 'array', items: ref('Trade') } },
      errors: SYMBOL_ERRORS,
    }),
  },
  '/api/v3/historicalTrades': {
    get: publicOperation({
      id: 'historicalTrades',
      summary: 'Older trades',
      description: 'No API key needed, as on Binance today.',
      tag: 'Market data',
      params: [symbolParam, limitParam(500, 1000, true), param('fromId', integer('Trade id to start from.'))],
      weight: 25,
      ok: { description: 'Trades, oldest first.', schema: { type: 'array', items: ref('Trade') } },
      errors: SYMBOL_ERRORS,
    }),
  },
  '/api/v3/aggTrades': {
    get: publicOperation({
      id: 'aggTrades',
      summary: 'Aggregate trades',
      description: "A taker order's consecutive fills at one price; fromId pages by aggregate id.",
      tag: 'Market data',
      params: [
        symbolParam,
        param('fromId', integer('Aggregate id to start from; not with startTime or endTime (-1128).')),
        timeParam('startTime'),
        timeParam('endTime'),
        limitParam(500, 1000, true),
      ],
      weight: 4,
      ok: { description: 'Aggregate trades.', schema: { type: 'array', items: ref('AggTrade') } },
      errors: { 400: [-1100, -1101, -1102, -1121, -1128, -1130] },
    }),
  },
  '/api/v3/klines': { get: klines('klines', 'Candles (klines)') },
  '/api/v3/uiKlines': { get: klines('uiKlines', 'Candles for charts (the same candles)') },
  '/api/v3/avgPrice': {
    get: publicOperation({
      id: 'avgPrice',
      summary: 'Volume-weighted average price of the last 5 minutes',
      tag: 'Market data',
      params: [symbolParam],
      weight: 2,
      ok: { description: 'The average price.', schema: ref('AvgPrice') },
      errors: SYMBOL_ERRORS,
    }),
  },
  '/api/v3/ticker/24hr': {
    get: publicOperation({
      id: 'ticker24hr',
      summary: '24-hour statistics',
      description: 'With `symbol` one object; with `symbols` or neither (all markets) an array.',
      tag: 'Market data',
      params: [...symbolsParams, tickerType, symbolStatus],
      weight: 80,
      weightRules: [
        { when: '1-20 symbols', weight: 2, example: { symbol: 'BTCUSDT' } },
        { when: '21-100 symbols', weight: 40, example: { symbols: JSON.stringify(symbols(21)) } },
        { when: 'more than 100 symbols, or all', weight: 80, example: {} },
      ],
      ok: { description: 'Tickers.', schema: oneOrMany(ticker('Ticker24hr'), 'By `type`: FULL or MINI.') },
      errors: { 400: [-1100, -1101, -1121, -1122, -1130, -1220] },
    }),
  },
  '/api/v3/ticker/tradingDay': {
    get: windowTicker('tickerTradingDay', 'Statistics of the trading day so far', [timeZone]),
  },
  '/api/v3/ticker': {
    get: windowTicker('tickerRolling', 'Rolling-window statistics', [
      param(
        'windowSize',
        { type: 'string', pattern: '^[1-9]\\d?[mhd]$', default: '1d' },
        '1m-59m, 1h-23h or 1d-7d.',
      ),
    ]),
  },
  '/api/v3/ticker/price': {
    get: publicOperation({
      id: 'tickerPrice',
      summary: 'Last trade prices',
      description: 'With `symbol` one object; with `symbols` or neither (all markets) an array.',
      tag: 'Market data',
      params: symbolsParams,
      weight: 4,
      weightRules: [
        { when: 'one symbol', weight: 2, example: { symbol: 'BTCUSDT' } },
        { when: 'several or all symbols', weight: 4, example: { symbols: '["BTCUSDT","ETHUSDT"]' } },
      ],
      ok: { description: 'Prices.', schema: oneOrMany(ref('PriceTicker'), 'Last trade prices.') },
      errors: { 400: [-1100, -1101, -1121] },
    }),
  },
  '/api/v3/ticker/bookTicker': {
    get: publicOperation({
      id: 'bookTicker',
      summary: 'Best bid and ask',
      description: 'With `symbol` one object; with `symbols` or neither (all markets) an array.',
      tag: 'Market data',
      params: symbolsParams,
      weight: 4,
      weightRules: [
        { when: 'one symbol', weight: 2, example: { symbol: 'BTCUSDT' } },
        { when: 'several or all symbols', weight: 4, example: {} },
      ],
      ok: {
        description: 'Best levels (zeros for an empty side).',
        schema: oneOrMany(ref('BookTicker'), 'Tops.'),
      },
      errors: { 400: [-1100, -1101, -1121] },
    }),
  },
  '/healthz': {
    get: unthrottledOperation({
      id: 'healthz',
      summary: 'Liveness: the process answers',
      tag: 'Probes',
      ok: { description: 'Alive.', schema: ref('Health') },
    }),
  },
  '/readyz': {
    get: unthrottledOperation(
      {
        id: 'readyz',
        summary: 'Readiness: Postgres, Redis and a recovered matcher answer',
        tag: 'Probes',
        ok: { description: 'Ready.', schema: ref('Readiness') },
      },
      {
        503: {
          description: 'Not ready: which dependency does not answer.',
          content: { 'application/json': { schema: ref('Readiness') } },
        },
      },
    ),
  },
  '/openapi.json': {
    get: unthrottledOperation({
      id: 'openApi',
      summary: 'This document (OpenAPI 3.1)',
      tag: 'Probes',
      ok: { description: 'The OpenAPI document.', schema: { type: 'object' } },
    }),
  },
};

/** n distinct symbol names, for a weight example. */
function symbols(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `S${i}USDT`);
}
