// Candles and tickers as Binance serves them, over trades placed at chosen times in an embedded database (the
// routes on their own, with the app's error handling), and once through the whole embedded stack: orders
// crossing in the matcher, then the same answers after a matcher restart (everything is computed from the
// committed trades).

import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, type DatabaseClient, openEmbedded } from '../../db/client.ts';
import * as repository from '../../db/repositories/candles.ts';
import { trades } from '../../db/schema/index.ts';
import { setupCommands } from '../../matcher/command-mix.ts';
import {
  apply,
  createState,
  type Lots,
  type MarketDefinition,
  type PlaceOrder,
  type Ticks,
} from '../../matcher/core/index.ts';
import { Matcher } from '../../matcher/loop.ts';
import { type BookTop as PublishedTop, bookKey } from '../../matcher/market-data.ts';
import { decode } from '../../matcher/wire.ts';
import { silentLogger } from '../../observability/logger.ts';
import type { EdgeEnv } from '../context.ts';
import { DatabaseMarkets } from '../database-markets.ts';
import { BinanceHttpError } from '../http-error.ts';
import { type MarketCatalog, StaticMarkets } from '../markets.ts';
import { BTCUSDT, type EmbeddedEdge, fundedAccount, startEmbeddedEdge } from '../test-servers.ts';
import type { BookTop } from '../tickers.ts';
import { candleRoutes, type CandleReads } from './candles.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Monday 2024-01-01 00:00 UTC. */
const T = Date.UTC(2024, 0, 1);
const FEB = Date.UTC(2024, 1, 1);
const MAR = Date.UTC(2024, 2, 1);
const APR = Date.UTC(2024, 3, 1);

/** The repository bound to a database: what the wiring hands the routes. */
const readsOf = (db: Database): CandleReads => ({
  candles: (symbol, boundaries) => repository.candles(db, symbol, boundaries),
  firstTradeTime: (symbol) => repository.firstTradeTime(db, symbol),
  lastPricesBefore: (symbols, time) => repository.lastPricesBefore(db, symbols, time),
  windowStats: (symbols, from, to) => repository.windowStats(db, symbols, from, to),
});

/** The routes under /api/v3 with the app's error handling. */
function mount(deps: Parameters<typeof candleRoutes>[0]) {
  const app = new Hono<EdgeEnv>();
  app.route('/api/v3', candleRoutes(deps));
  app.onError((error, c) =>
    error instanceof BinanceHttpError
      ? c.json(error.body, error.status)
      : c.json({ code: -1000, msg: String(error) }, 500),
  );
  return async (path: string) => {
    const res = await app.request(`/api/v3/${path}`);
    return { status: res.status, body: (await res.json()) as unknown };
  };
}

const core = createState();
for (const command of setupCommands(0)) apply(core, command);
/** tick 0.01, lot 0.0001 */
const btc = core.markets.get('BTCUSDT')!.definition;
/** tick 0.01, lot 0.001 */
const eth = core.markets.get('ETHUSDT')!.definition;
const like = (m: MarketDefinition, symbol: string) => ({ ...m, symbol });
const info = (definition: MarketDefinition, status: 'TRADING' | 'HALT' = 'TRADING') => ({
  definition,
  status,
  lastPrice: 0,
});
const catalog: MarketCatalog = new StaticMarkets([
  info(btc),
  info(eth),
  info(like(btc, 'ZONEUSDT')),
  info(like(btc, 'WEEKUSDT')),
  info(like(btc, 'OLDUSDT')),
  info(like(btc, 'NONEUSDT')),
  info(like(btc, 'HALTUSDT'), 'HALT'),
]);

let nextId = 1;
const ids = new Map<string, number>();
/** A trade of `lots` at `ticks`; `takerBuys`: the buyer took. Named trades remember their id. */
function trade(
  m: MarketDefinition,
  time: number,
  ticks: number,
  lots: number,
  takerBuys = true,
  name?: string,
) {
  const tradeId = nextId++;
  if (name !== undefined) ids.set(name, tradeId);
  return {
    tradeId,
    symbol: m.symbol,
    price: ticks,
    qty: lots,
    quoteQty: (BigInt(ticks) * m.tickSize * BigInt(lots) * m.stepSize) / 100_000_000n,
    buyerOrderId: 1,
    sellerOrderId: 2,
    buyerAccountId: 1,
    sellerAccountId: 2,
    isBuyerMaker: !takerBuys,
    buyerFee: 0n,
    sellerFee: 0n,
    time,
  };
}

/** ETHUSDT's tickers are asked at 12:00:30.500. */
const N = T + 12 * HOUR + 30_500;
const zero = '0.00000000';

describe('candles and tickers over committed trades', () => {
  let database: DatabaseClient;
  let now = T;
  let call: ReturnType<typeof mount>;
  const tops = new Map<string, BookTop>([['ETHUSDT', { bid: [204_000, 300], ask: [206_000, 1200] }]]);

  beforeAll(async () => {
    database = await openEmbedded(undefined);
    await database.migrate();
    const zone = like(btc, 'ZONEUSDT');
    const week = like(btc, 'WEEKUSDT');
    await database.db.insert(trades).values([
      // BTCUSDT by the minute: the last ms of minute 0, the first of minute 1, two in one ms, minute 2 quiet.
      trade(btc, T + MINUTE - 1, 3_000_000, 100),
      trade(btc, T + MINUTE, 3_010_000, 200, false),
      trade(btc, T + MINUTE + 500, 2_990_000, 50),
      trade(btc, T + MINUTE + 500, 3_005_000, 150, false),
      trade(btc, T + 3 * MINUTE + 10, 3_020_000, 10),
      // ZONEUSDT: either side of 00:15 UTC, an hour boundary at +05:45.
      trade(zone, T + 15 * MINUTE - 1, 100_000, 1),
      trade(zone, T + 15 * MINUTE, 110_000, 2),
      // WEEKUSDT: either side of Monday 00:00 and of February 1st.
      trade(week, T - 1, 100_000, 1),
      trade(week, T, 200_000, 1),
      trade(week, FEB - 1, 300_000, 1),
      trade(week, FEB, 400_000, 1),
      trade(like(btc, 'OLDUSDT'), T - 10 * DAY, 500_000, 3),
      // ETHUSDT around the windows of tickers asked at N.
      trade(eth, N - DAY - 1, 200_000, 1000, true, 'e1'),
      trade(eth, N - DAY, 210_000, 500, true, 'e2'),
      trade(eth, T + 11 * HOUR - 1, 220_000, 100, true, 'e3'),
      trade(eth, T + 11 * HOUR + 30 * SECOND, 190_000, 1500, false, 'e4'),
      trade(eth, N, 205_000, 250, true, 'e5'),
    ]);
    call = mount({
      markets: catalog,
      candles: readsOf(database.db),
      bookTop: (symbol) => Promise.resolve(tops.get(symbol)),
      now: () => now,
    });
  }, 60_000);

  afterAll(async () => database?.close());

  describe('klines', () => {
    const price = (text: string) => [text, text, text, text];
    const m0 = [T, ...price('30000.00000000'), '0.01000000', T + MINUTE - 1, '300.00000000', 1];
    const m0rest = ['0.01000000', '300.00000000', '0'];
    const m1 = [
      T + MINUTE,
      '30100.00000000',
      '30100.00000000',
      '29900.00000000',
      '30050.00000000',
      '0.04000000',
      T + 2 * MINUTE - 1,
      '1202.25000000',
      3,
      '0.00500000',
      '149.50000000',
      '0',
    ];
    const m2 = [
      T + 2 * MINUTE,
      ...price('30050.00000000'),
      zero,
      T + 3 * MINUTE - 1,
      zero,
      0,
      zero,
      zero,
      '0',
    ];
    const m3 = [
      T + 3 * MINUTE,
      ...price('30200.00000000'),
      '0.00100000',
      T + 4 * MINUTE - 1,
      '30.20000000',
      1,
      '0.00100000',
      '30.20000000',
      '0',
    ];
    const all = [[...m0, ...m0rest], m1, m2, m3];
    const klines = async (query: string) => {
      now = T + 3 * MINUTE + 30 * SECOND;
      return (await call(`klines?symbol=BTCUSDT&${query}`)).body;
    };

    it('puts trades either side of a boundary in their candles, exactly, quiet ones at the last close', async () => {
      expect(await klines('interval=1m')).toEqual(all);
      expect((await call('uiKlines?symbol=BTCUSDT&interval=1m')).body).toEqual(all);
      expect(await klines('interval=1h')).toEqual([
        [
          T,
          '30000.00000000',
          '30200.00000000',
          '29900.00000000',
          '30200.00000000',
          '0.05100000',
          T + HOUR - 1,
          '1532.45000000',
          5,
          '0.01600000',
          '479.70000000',
          '0',
        ],
      ]);
    });

    it('takes startTime and endTime as open times (UTC), and the last or first `limit`', async () => {
      expect(await klines('interval=1m&limit=2')).toEqual([m2, m3]);
      expect(await klines(`interval=1m&startTime=${T + 1}`)).toEqual([m1, m2, m3]);
      expect(await klines(`interval=1m&startTime=${T + MINUTE}&endTime=${T + 2 * MINUTE}`)).toEqual([m1, m2]);
      expect(await klines(`interval=1m&startTime=${T - 10 * MINUTE}&limit=2`)).toEqual(all.slice(0, 2));
      expect(await klines(`interval=1m&endTime=${T + MINUTE - 1}`)).toEqual(all.slice(0, 1));
      expect(await klines(`interval=1m&endTime=${T - 1}`)).toEqual([]);
      expect(await klines(`interval=1m&startTime=${T + 4 * MINUTE}`)).toEqual([]);
      expect((await call('klines?symbol=NONEUSDT&interval=1m')).body).toEqual([]);
    });

    it('caps limit at 1000 and refuses less than 1', async () => {
      now = T;
      const rows = (await call('klines?symbol=OLDUSDT&interval=1s&limit=1001')).body as unknown[][];
      expect(rows).toHaveLength(1000);
      expect(rows[999]).toEqual([T, ...price('5000.00000000'), zero, T + 999, zero, 0, zero, zero, '0']);
      expect(rows[0]![0]).toBe(T - 999 * SECOND);
      expect((await call('klines?symbol=OLDUSDT&interval=1s')).body).toHaveLength(500);
      expect(await call('klines?symbol=OLDUSDT&interval=1s&limit=0')).toEqual({
        status: 400,
        body: { code: -1130, msg: "Data sent for parameter 'limit' is not valid." },
      });
    });

    it('counts intervals in the time zone', async () => {
      now = T + 30 * MINUTE;
      const zone = async (query: string) => (await call(`klines?symbol=ZONEUSDT&interval=1h&${query}`)).body;
      expect(await zone('timeZone=0')).toEqual([
        [
          T,
          '1000.00000000',
          '1100.00000000',
          '1000.00000000',
          '1100.00000000',
          '0.00030000',
          T + HOUR - 1,
          '0.32000000',
          2,
          '0.00030000',
          '0.32000000',
          '0',
        ],
      ]);
      const before = [T - 45 * MINUTE, ...price('1000.00000000'), '0.00010000', T + 15 * MINUTE - 1];
      const after = [T + 15 * MINUTE, ...price('1100.00000000'), '0.00020000', T + 75 * MINUTE - 1];
      expect(await zone('timeZone=05:45')).toEqual([
        [...before, '0.10000000', 1, '0.00010000', '0.10000000', '0'],
        [...after, '0.22000000', 1, '0.00020000', '0.22000000', '0'],
      ]);
      // startTime stays UTC: one ms past the first candle's open leaves only the second.
      expect(await zone(`timeZone=05:45&startTime=${T - 45 * MINUTE + 1}`)).toHaveLength(1);
      expect(await zone(`timeZone=05:45&startTime=${T - 45 * MINUTE}`)).toHaveLength(2);
      const day = (await call('klines?symbol=ZONEUSDT&interval=1d&timeZone=-1:00')).body as unknown[][];
      expect(day.map((r) => r[0])).toEqual([T - 23 * HOUR]);
    });

    it('starts weeks on Monday and months on the 1st, in the time zone', async () => {
      now = Date.UTC(2024, 2, 15);
      const week = async (query: string) =>
        (await call(`klines?symbol=WEEKUSDT&${query}`)).body as (string | number)[][];
      const ohlc = (r: (string | number)[]) => [r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[8]];
      /** Open and low at `from`, high and close at `to`. */
      const range = (from: string, to: string) => [from, to, from, to].map((p) => `${p}.00000000`);
      const months = await week('interval=1M');
      expect(months.map(ohlc)).toEqual([
        [Date.UTC(2023, 11, 1), ...price('1000.00000000'), '0.00010000', T - 1, 1],
        [T, ...range('2000', '3000'), '0.00020000', FEB - 1, 2],
        [FEB, ...price('4000.00000000'), '0.00010000', MAR - 1, 1],
        [MAR, ...price('4000.00000000'), zero, APR - 1, 0],
      ]);
      const east = await week('interval=1M&timeZone=8');
      expect(east.map(ohlc)).toEqual([
        [T - 8 * HOUR, ...range('1000', '2000'), '0.00020000', FEB - 8 * HOUR - 1, 2],
        [FEB - 8 * HOUR, ...range('3000', '4000'), '0.00020000', MAR - 8 * HOUR - 1, 2],
        [MAR - 8 * HOUR, ...price('4000.00000000'), zero, APR - 8 * HOUR - 1, 0],
      ]);
      const weeks = await week('interval=1w');
      expect(weeks).toHaveLength(12); // Dec 25 to Mar 11
      expect(weeks.slice(0, 3).map(ohlc)).toEqual([
        [T - 7 * DAY, ...price('1000.00000000'), '0.00010000', T - 1, 1],
        [T, ...price('2000.00000000'), '0.00010000', T + 7 * DAY - 1, 1],
        [T + 7 * DAY, ...price('2000.00000000'), zero, T + 14 * DAY - 1, 0],
      ]);
      expect(ohlc(weeks[5]!)).toEqual([
        Date.UTC(2024, 0, 29),
        ...range('3000', '4000'),
        '0.00020000',
        Date.UTC(2024, 1, 5) - 1,
        2,
      ]);
      // At UTC-1 Sunday 23:59:59.999 UTC and Monday 00:00 UTC are both Sunday evening: one week.
      const west = await week(`interval=1w&timeZone=-1:00&endTime=${T}`);
      expect(west.map(ohlc)).toEqual([
        [T - 7 * DAY + HOUR, ...range('1000', '2000'), '0.00020000', T + HOUR - 1, 2],
      ]);
    });

    it("answers Binance's errors", async () => {
      const cases: [string, number, number][] = [
        ['klines?interval=1m', 400, -1102],
        ['klines?symbol=BTCUSDT', 400, -1102],
        ['klines?symbol=NOPE&interval=1m', 400, -1121],
        ['klines?symbol=BTCUSDT&interval=2d', 400, -1120],
        ['uiKlines?symbol=BTCUSDT&interval=1H', 400, -1120],
        ['klines?symbol=BTCUSDT&interval=1m&timeZone=15', 400, -1130],
        ['klines?symbol=BTCUSDT&interval=1m&timeZone=abc', 400, -1130],
        ['klines?symbol=BTCUSDT&interval=1m&startTime=yesterday', 400, -1100],
        ['klines?symbol=BTCUSDT&interval=1m&limit=-1', 400, -1100],
      ];
      for (const [path, status, code] of cases) {
        const res = await call(path);
        expect([path, res.status, (res.body as { code: number }).code]).toEqual([path, status, code]);
      }
      expect((await call('klines?symbol=BTCUSDT&interval=2d')).body).toEqual({
        code: -1120,
        msg: 'Invalid interval.',
      });
    });
  });

  describe('tickers', () => {
    const window24 = {
      openPrice: '2100.00000000',
      highPrice: '2200.00000000',
      lowPrice: '1900.00000000',
      lastPrice: '2050.00000000',
      volume: '2.35000000',
      quoteVolume: '4632.50000000',
      openTime: N - DAY,
      closeTime: N,
    };

    it('ticker/24hr FULL: the last 24 hours, the close before them, the last quantity, the book', async () => {
      now = N;
      expect((await call('ticker/24hr?symbol=ETHUSDT')).body).toStrictEqual({
        symbol: 'ETHUSDT',
        priceChange: '-50.00000000',
        priceChangePercent: '-2.381',
        weightedAvgPrice: '1971.27659574',
        prevClosePrice: '2000.00000000',
        lastPrice: '2050.00000000',
        lastQty: '0.25000000',
        bidPrice: '2040.00000000',
        bidQty: '0.30000000',
        askPrice: '2060.00000000',
        askQty: '1.20000000',
        openPrice: '2100.00000000',
        highPrice: '2200.00000000',
        lowPrice: '1900.00000000',
        volume: '2.35000000',
        quoteVolume: '4632.50000000',
        openTime: N - DAY,
        closeTime: N,
        firstId: ids.get('e2'),
        lastId: ids.get('e5'),
        count: 4,
      });
    });

    it('MINI drops the change, the averages and the book; lists come in the order asked', async () => {
      now = N;
      const mini = {
        symbol: 'ETHUSDT',
        ...window24,
        firstId: ids.get('e2'),
        lastId: ids.get('e5'),
        count: 4,
      };
      expect((await call('ticker/24hr?symbol=ETHUSDT&type=MINI')).body).toStrictEqual(mini);
      const list = (await call('ticker/24hr?symbols=%5B%22OLDUSDT%22,%22ETHUSDT%22%5D&type=MINI')).body;
      expect(list).toStrictEqual([
        {
          symbol: 'OLDUSDT',
          openPrice: '5000.00000000',
          highPrice: zero,
          lowPrice: zero,
          lastPrice: '5000.00000000',
          volume: zero,
          quoteVolume: zero,
          openTime: N - DAY,
          closeTime: N,
          firstId: -1,
          lastId: -1,
          count: 0,
        },
        mini,
      ]);
      const all = (await call('ticker/24hr')).body as { symbol: string }[];
      expect(all.map((t) => t.symbol)).toEqual([
        'BTCUSDT',
        'ETHUSDT',
        'ZONEUSDT',
        'WEEKUSDT',
        'OLDUSDT',
        'NONEUSDT',
        'HALTUSDT',
      ]);
      const halted = (await call('ticker/24hr?symbolStatus=HALT')).body as { symbol: string }[];
      expect(halted.map((t) => t.symbol)).toEqual(['HALTUSDT']);
    });

    it('a symbol without trades in the window: ids -1, count 0, the price it carries', async () => {
      now = N;
      expect((await call('ticker/24hr?symbol=OLDUSDT')).body).toMatchObject({
        priceChange: zero,
        priceChangePercent: '0.000',
        weightedAvgPrice: zero,
        prevClosePrice: '5000.00000000',
        lastPrice: '5000.00000000',
        lastQty: zero,
        bidPrice: zero,
        askQty: zero,
        openPrice: '5000.00000000',
        highPrice: zero,
        volume: zero,
        firstId: -1,
        lastId: -1,
        count: 0,
      });
      expect((await call('ticker?symbol=NONEUSDT&type=MINI')).body).toMatchObject({
        openPrice: zero,
        lastPrice: zero,
        firstId: -1,
        count: 0,
      });
    });

    it('ticker (rolling): opens on the minute windowSize before now', async () => {
      now = N;
      expect((await call('ticker?symbol=ETHUSDT&windowSize=1h')).body).toStrictEqual({
        symbol: 'ETHUSDT',
        priceChange: '150.00000000',
        priceChangePercent: '7.895',
        weightedAvgPrice: '1921.42857143',
        openPrice: '1900.00000000',
        highPrice: '2050.00000000',
        lowPrice: '1900.00000000',
        lastPrice: '2050.00000000',
        volume: '1.75000000',
        quoteVolume: '3362.50000000',
        openTime: T + 11 * HOUR,
        closeTime: N,
        firstId: ids.get('e4'),
        lastId: ids.get('e5'),
        count: 2,
      });
      // 1d (the default) opens 30.5 s earlier than 24hr does: it takes the trade 1 ms before N - 24 h.
      const day = (await call('ticker?symbols=%5B%22ETHUSDT%22%5D')).body;
      expect(day).toMatchObject([
        {
          priceChange: '50.00000000',
          priceChangePercent: '2.500',
          weightedAvgPrice: '1979.85074627',
          openPrice: '2000.00000000',
          volume: '3.35000000',
          quoteVolume: '6632.50000000',
          openTime: N - DAY - 30_500,
          firstId: ids.get('e1'),
          count: 5,
        },
      ]);
      const mini = (await call('ticker?symbol=ETHUSDT&windowSize=59m&type=MINI')).body as object;
      expect(Object.keys(mini)).toEqual(['symbol', ...Object.keys(window24), 'firstId', 'lastId', 'count']);
    });

    it('ticker/tradingDay: from midnight in the time zone; closeTime is the end of that day', async () => {
      now = N;
      expect((await call('ticker/tradingDay?symbol=ETHUSDT')).body).toStrictEqual({
        symbol: 'ETHUSDT',
        priceChange: '-150.00000000',
        priceChangePercent: '-6.818',
        weightedAvgPrice: '1936.48648649',
        openPrice: '2200.00000000',
        highPrice: '2200.00000000',
        lowPrice: '1900.00000000',
        lastPrice: '2050.00000000',
        volume: '1.85000000',
        quoteVolume: '3582.50000000',
        openTime: T,
        closeTime: T + DAY - 1,
        firstId: ids.get('e3'),
        lastId: ids.get('e5'),
        count: 3,
      });
      // At UTC-12 the day began at 12:00 UTC: only the trade at N.
      const west = (await call('ticker/tradingDay?symbols=%5B%22ETHUSDT%22%5D&timeZone=-12:00&type=MINI'))
        .body;
      expect(west).toStrictEqual([
        {
          symbol: 'ETHUSDT',
          openPrice: '2050.00000000',
          highPrice: '2050.00000000',
          lowPrice: '2050.00000000',
          lastPrice: '2050.00000000',
          volume: '0.25000000',
          quoteVolume: '512.50000000',
          openTime: T + 12 * HOUR,
          closeTime: T + 12 * HOUR + DAY - 1,
          firstId: ids.get('e5'),
          lastId: ids.get('e5'),
          count: 1,
        },
      ]);
    });

    it("answers Binance's errors", async () => {
      const many = encodeURIComponent(JSON.stringify(Array.from({ length: 101 }, (_, i) => `S${i}USDT`)));
      const cases: [string, number][] = [
        ['ticker/24hr?symbol=NOPE', -1121],
        ['ticker/24hr?symbols=%5B%22ETHUSDT%22,%22NOPE%22%5D', -1121],
        ['ticker/24hr?symbol=ETHUSDT&symbols=%5B%22ETHUSDT%22%5D', -1101],
        ['ticker/24hr?symbols=ETHUSDT', -1100],
        ['ticker/24hr?symbol=ETHUSDT&type=FAST', -1100],
        ['ticker/24hr?symbol=ETHUSDT&symbolStatus=HALT', -1220],
        ['ticker/24hr?symbolStatus=OPEN', -1122],
        ['ticker/tradingDay', -1102],
        ['ticker', -1102],
        [`ticker?symbols=${many}`, -1101],
        ['ticker?symbols=%5B%22ETHUSDT%22,%22ETHUSDT%22%5D', -1101],
        ['ticker/tradingDay?symbol=ETHUSDT&timeZone=14:30', -1130],
        ...['0m', '60m', '24h', '8d', '1w', '1d2h', 'x'].map((size): [string, number] => [
          `ticker?symbol=ETHUSDT&windowSize=${size}`,
          -1130,
        ]),
      ];
      for (const [path, code] of cases) {
        const res = await call(path);
        expect([path, res.status, (res.body as { code: number }).code]).toEqual([path, 400, code]);
      }
    });
  });
});

describe('candles through the embedded stack, across a matcher restart', () => {
  let edge: EmbeddedEdge;
  let restarted: Matcher | undefined;

  beforeAll(async () => {
    edge = await startEmbeddedEdge();
  }, 60_000);

  afterAll(async () => {
    await restarted?.stop();
    await edge?.close();
  });

  it('serves the same candles and statistics after a restart, and carries on', async () => {
    const { admin, embedded } = edge;
    await admin.createMarket(BTCUSDT);
    const seller = await fundedAccount(admin, { BTC: '1' });
    const buyer = await fundedAccount(admin, { USDT: '100000' });
    const place = async (accountId: number, side: 'BUY' | 'SELL', lots: number) => {
      const order: PlaceOrder = {
        type: 'placeOrder',
        accountId,
        symbol: 'BTCUSDT',
        side,
        orderType: 'LIMIT',
        timeInForce: 'GTC',
        price: 3_000_000 as Ticks,
        quantity: lots as Lots,
        timestamp: 0, // the matcher stamps it
      };
      const outcome = await embedded.client.send(order);
      if (outcome.status !== 'done') throw new Error(`order: ${outcome.status}`);
      return (outcome.reply.trades ?? []).map((t) => t.tradeId);
    };
    await place(seller.accountId, 'SELL', 150);
    const [first] = await place(buyer.accountId, 'BUY', 60);
    const [second] = await place(buyer.accountId, 'BUY', 40);

    let now = Date.now();
    const call = mount({
      markets: new DatabaseMarkets(embedded.db.db),
      candles: readsOf(embedded.db.db),
      bookTop: async (symbol) => {
        const text = await embedded.bus.get(bookKey(symbol));
        return text === null ? undefined : decode<PublishedTop>(text);
      },
      now: () => now,
    });
    const answers = async () => ({
      minutes: (await call('klines?symbol=BTCUSDT&interval=1m')).body as (string | number)[][],
      months: (await call('klines?symbol=BTCUSDT&interval=1M&timeZone=05:45')).body,
      day: (await call('ticker/24hr?symbol=BTCUSDT')).body,
      rolling: (await call('ticker?symbol=BTCUSDT&windowSize=1h&type=MINI')).body,
    });
    const before = await answers();
    expect(before.minutes.reduce((n, r) => n + (r[8] as number), 0)).toBe(2);
    expect(before.minutes.at(-1)?.[4]).toBe('30000.00000000');
    expect(before.day).toMatchObject({
      lastPrice: '30000.00000000',
      lastQty: '0.00400000',
      askPrice: '30000.00000000',
      askQty: '0.00500000',
      bidPrice: zero,
      volume: '0.01000000',
      quoteVolume: '300.00000000',
      firstId: first,
      lastId: second,
      count: 2,
    });

    await embedded.matcher.stop();
    restarted = new Matcher({ bus: embedded.bus, db: embedded.db.db, log: silentLogger() });
    restarted.start();
    await restarted.ready();
    expect(await answers()).toEqual(before);

    const [third] = await place(buyer.accountId, 'BUY', 50);
    now = Date.now();
    expect((await call('ticker/24hr?symbol=BTCUSDT')).body).toMatchObject({
      volume: '0.01500000',
      askQty: zero,
      firstId: first,
      lastId: third,
      count: 3,
    });
  }, 60_000);
});
