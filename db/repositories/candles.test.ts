// Candle and window aggregation on the real Postgres (a database of its own) and on PGlite: buckets by any
// ascending boundaries (months differ in length), first and last trades by id also within one ms, taker-buy
// volumes, sums beyond 2^53 lots and 2^63 units kept exact, the last price before a time, inclusive windows.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { type DatabaseClient, rowsOf } from '../client.ts';
import { trades } from '../schema/index.ts';
import { DRIVERS, openTestDatabase } from '../test-database.ts';
import { candles, firstTradeTime, lastPricesBefore, windowStats } from './candles.ts';

const JAN = Date.UTC(2024, 0, 1);
const FEB = Date.UTC(2024, 1, 1);
const MAR = Date.UTC(2024, 2, 1);
const APR = Date.UTC(2024, 3, 1);
const DAY = 86_400_000;

let nextId = 1;
/** A trade; `takerBuys`: the buyer took (is_buyer_maker false). Quote = price * qty * 100 (tick 0.01, lot 0.0001). */
const trade = (
  symbol: string,
  time: number,
  price: number,
  qty: number,
  takerBuys = true,
  quote?: bigint,
) => ({
  tradeId: nextId++,
  symbol,
  price,
  qty,
  quoteQty: quote ?? BigInt(price) * BigInt(qty) * 100n,
  buyerOrderId: 1,
  sellerOrderId: 2,
  buyerAccountId: 1,
  sellerAccountId: 2,
  isBuyerMaker: !takerBuys,
  buyerFee: 0n,
  sellerFee: 0n,
  time,
});

describe.each(DRIVERS)('candles repository on %s', (kind) => {
  let client: DatabaseClient;

  beforeAll(async () => {
    client = await openTestDatabase(kind);
    nextId = 1;
    await client.db.insert(trades).values([
      trade('BTCUSDT', JAN - 1, 90, 1), // 1: before the range
      trade('BTCUSDT', JAN, 100, 2), // 2: first ms of January
      trade('BTCUSDT', FEB - 1, 120, 3, false), // 3: last ms of January
      trade('BTCUSDT', FEB - 1, 80, 4), // 4: same ms, later id: January's close
      trade('BTCUSDT', FEB, 110, 5, false), // 5: first ms of February; March has none
      trade('BTCUSDT', MAR + 20 * DAY, 130, 6), // 6: March 21
      trade('BTCUSDT', APR, 140, 7), // 7: the end boundary is exclusive
      trade('ETHUSDT', FEB + 5, 50, 1),
    ]);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
  });

  it('aggregates each bucket of uneven boundaries, skipping empty ones', async () => {
    const rows = await candles(client.db, 'BTCUSDT', [JAN, FEB, MAR, APR]);
    expect(rows).toEqual([
      {
        bucket: 0,
        open: 100,
        high: 120,
        low: 80,
        close: 80,
        volume: 9n,
        quoteVolume: (100n * 2n + 120n * 3n + 80n * 4n) * 100n,
        trades: 3,
        takerBuyVolume: 6n,
        takerBuyQuoteVolume: (100n * 2n + 80n * 4n) * 100n,
      },
      {
        bucket: 1,
        open: 110,
        high: 110,
        low: 110,
        close: 110,
        volume: 5n,
        quoteVolume: 110n * 5n * 100n,
        trades: 1,
        takerBuyVolume: 0n,
        takerBuyQuoteVolume: 0n,
      },
      {
        bucket: 2,
        open: 130,
        high: 130,
        low: 130,
        close: 130,
        volume: 6n,
        quoteVolume: 130n * 6n * 100n,
        trades: 1,
        takerBuyVolume: 6n,
        takerBuyQuoteVolume: 130n * 6n * 100n,
      },
    ]);
    expect(await candles(client.db, 'BTCUSDT', [FEB + 1, MAR])).toEqual([]);
    expect(await candles(client.db, 'NOPE', [JAN, APR])).toEqual([]);
  });

  it('finds the first trade and the last price before a time (the highest id within a ms)', async () => {
    expect(await firstTradeTime(client.db, 'BTCUSDT')).toBe(JAN - 1);
    expect(await firstTradeTime(client.db, 'NOPE')).toBeUndefined();
    const before = await lastPricesBefore(client.db, ['BTCUSDT', 'ETHUSDT', 'NOPE'], FEB);
    expect(before).toEqual(new Map([['BTCUSDT', 80]]));
    expect(await lastPricesBefore(client.db, ['BTCUSDT'], JAN)).toEqual(new Map([['BTCUSDT', 90]]));
    expect(await lastPricesBefore(client.db, ['BTCUSDT'], JAN - 1)).toEqual(new Map());
  });

  it('sums a window, both ends included, per symbol', async () => {
    const stats = await windowStats(client.db, ['BTCUSDT', 'ETHUSDT', 'NOPE'], JAN, FEB);
    expect(stats).toEqual(
      new Map([
        [
          'BTCUSDT',
          {
            firstId: 2,
            lastId: 5,
            count: 4,
            open: 100,
            high: 120,
            low: 80,
            close: 110,
            lastQty: 5,
            volume: 14n,
            quoteVolume: (100n * 2n + 120n * 3n + 80n * 4n + 110n * 5n) * 100n,
          },
        ],
      ]),
    );
    expect((await windowStats(client.db, ['ETHUSDT'], FEB + 5, FEB + 5)).get('ETHUSDT')?.count).toBe(1);
    expect(await windowStats(client.db, [], JAN, APR)).toEqual(new Map());
  });

  it('keeps sums exact beyond 2^53 lots and 2^63 units', async () => {
    const lots = 2 ** 52 + 1;
    const quote = 10n ** 25n + 7n;
    await client.db
      .insert(trades)
      .values([trade('BIGUSDT', JAN, 1, lots, true, quote), trade('BIGUSDT', JAN + 1, 2, lots, true, quote)]);
    const [row] = await candles(client.db, 'BIGUSDT', [JAN, FEB]);
    expect(row?.volume).toBe(2n * BigInt(lots));
    expect(row?.quoteVolume).toBe(2n * quote);
    expect(row?.takerBuyQuoteVolume).toBe(2n * quote);
    expect((await windowStats(client.db, ['BIGUSDT'], JAN, FEB)).get('BIGUSDT')?.volume).toBe(
      2n * BigInt(lots),
    );
  });

  it('has the index on (symbol, time) that serves these queries', async () => {
    const [index] = await rowsOf(
      client.db,
      sql`select indexdef from pg_indexes where indexname = 'trades_by_symbol_time'`,
    );
    expect(index?.indexdef).toContain('(symbol, "time")');
  });
});
