// The start-up load of trailing stops on the real Postgres (a database of its own) and on PGlite, written by the
// group commit: a waiting stop tracking since trailing_from_trade_id loads with its best price now, the stored
// one combined with its symbol's trades from that id on (the highest for a SELL, the lowest for a BUY; 0 is no
// price); a stop without one, and one already on the book, load as written. An update without trailing state
// keeps the stored one.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseClient } from '../client.ts';
import { DRIVERS, openTestDatabase } from '../test-database.ts';
import {
  claimShard,
  commitBatch,
  loadState,
  type OffsetRow,
  type OrderRow,
  type StoredState,
  type TradeRow,
} from './matcher-state.ts';

const SHARD = 'test';
const T0 = 1_700_000_000_000;

/** Trades 1 to 9, each of 0.1 at a price in ticks (tick 0.01, lot 0.0001); none from 10 on. */
const TRADES: TradeRow[] = (
  [
    ['ETHUSDT', 13_000], // 1: before any stop's first trade, above every later one
    ['ETHUSDT', 8_000], // 2: likewise below
    ['BTCUSDT', 20_000], // 3
    ['ETHUSDT', 10_500], // 4
    ['BTCUSDT', 40_000], // 5: another symbol, above every ETHUSDT trade from 4 on
    ['ETHUSDT', 11_000], // 6: the highest from 4 on
    ['BTCUSDT', 100], // 7: another symbol, below
    ['ETHUSDT', 9_500], // 8: the lowest from 4 on
    ['ETHUSDT', 10_200], // 9
  ] as const
).map(([symbol, price], i) => ({
  tradeId: i + 1,
  symbol,
  price,
  qty: 1000,
  quoteQty: BigInt(price) * 100_000n,
  buyerOrderId: 100,
  sellerOrderId: 101,
  buyerAccountId: 2,
  sellerAccountId: 3,
  isBuyerMaker: false,
  buyerFee: 0n,
  sellerFee: 0n,
  time: T0,
}));

/** Account 1's trailing STOP_LOSS on ETHUSDT, waiting; tracking at `trailingPrice` from trade `from` if given. */
const stop = (
  orderId: number,
  side: 'BUY' | 'SELL',
  trailingPrice: number | null,
  from: number | null,
): OrderRow => ({
  orderId,
  symbol: 'ETHUSDT',
  accountId: 1,
  clientOrderId: null,
  side,
  type: 'STOP_LOSS',
  timeInForce: 'GTC',
  price: 0,
  stopPrice: 0,
  origQty: 1000,
  executedQty: 0,
  cumQuote: 0n,
  origQuoteOrderQty: null,
  status: 'NEW',
  selfTradePreventionMode: 'EXPIRE_MAKER',
  preventedQty: 0,
  time: T0,
  updateTime: T0,
  isWorking: false,
  queuedAt: null,
  strategyId: null,
  strategyType: null,
  trailingDelta: 100,
  trailingTime: trailingPrice === null ? -1 : T0,
  trailingPrice,
  trailingFromTradeId: from,
  trailingHoldBasis: null,
});

const offset = (streamId: string, epoch: number): OffsetRow => ({
  shard: SHARD,
  streamId,
  seq: 0,
  nextOrderId: 13,
  nextTradeId: 10,
  nextPreventedMatchId: 1,
  queueClock: 1,
  epoch,
});

describe.each(DRIVERS)('trailing stops loaded on %s', (kind) => {
  let client: DatabaseClient;
  let stored: StoredState;

  beforeAll(async () => {
    client = await openTestDatabase(kind);
    const { epoch } = await claimShard(client.db, offset('0-0', 0));
    const commit = (previousStreamId: string, streamId: string, orders: OrderRow[], trades: TradeRow[]) =>
      commitBatch(client.db, {
        previousStreamId,
        offset: offset(streamId, epoch),
        assets: [],
        markets: [],
        balances: [],
        feeTiers: [],
        orders,
        trades,
        ledger: [],
        preventedMatches: [],
      });
    const triggered = { ...stop(12, 'SELL', 10_000, 4), type: 'STOP_LOSS_LIMIT', price: 5000 };
    const orders = [
      stop(1, 'SELL', 10_000, 6), // the trade it starts from is the highest since
      stop(2, 'SELL', 12_000, 4), // its own price is the highest
      stop(3, 'SELL', 0, 10), // no price yet, no trade since
      stop(4, 'BUY', 0, 8), // no price of its own: the trade it starts from is the lowest
      stop(5, 'BUY', 10_000, 4),
      stop(6, 'BUY', 9_000, 4), // its own price is the lowest
      stop(7, 'BUY', 9_800, 10), // no trade since
      stop(8, 'BUY', 0, 10), // no price at all
      stop(9, 'SELL', null, null), // not tracking yet
      stop(10, 'SELL', 10_000, null), // tracking, written before trailing_from_trade_id was
      { ...stop(11, 'SELL', 10_000, 4), symbol: 'BTCUSDT' }, // BTCUSDT's trades count for it
      { ...triggered, isWorking: true, queuedAt: 1 }, // on the book: its best price stopped when it triggered
    ];
    await commit('0-0', '1-0', orders, TRADES);
    // An update that carries no trailing state keeps the stored one.
    const update = { ...stop(5, 'BUY', null, null), trailingTime: null, updateTime: T0 + 1 };
    await commit('1-0', '2-0', [update], []);
    stored = await loadState(client.db, offset('2-0', epoch));
  }, 60_000);

  afterAll(async () => {
    await client?.close();
  });

  const trailing = (rows: OrderRow[]) =>
    Object.fromEntries(rows.map((o) => [o.orderId, [o.trailingPrice, o.trailingFromTradeId]]));

  it("loads a tracking stop's best price now: its own and its symbol's trades from its first one on", () => {
    expect(trailing(stored.pendingStops)).toEqual({
      1: [11_000, 6],
      2: [12_000, 4],
      3: [0, 10],
      4: [9_500, 8],
      5: [9_500, 4],
      6: [9_000, 4],
      7: [9_800, 10],
      8: [0, 10],
      9: [null, null],
      10: [10_000, null],
      11: [40_000, 4],
    });
  });

  it('loads an order on the book as written', () => {
    expect(trailing(stored.bookOrders)).toEqual({ 12: [10_000, 4] });
  });
});

/** Trades 1 to 12 for the stops that share stretches: ETHUSDT's, with BTCUSDT's in between. */
const STRETCH_TRADES: TradeRow[] = (
  [
    ['ETHUSDT', 10_000], // 1: before every stop's first trade
    ['ETHUSDT', 10_400], // 2
    ['BTCUSDT', 50_000], // 3
    ['ETHUSDT', 10_900], // 4: ETHUSDT's highest from 2 on
    ['ETHUSDT', 9_100], // 5: its lowest from 2 on
    ['ETHUSDT', 10_300], // 6
    ['BTCUSDT', 1], // 7
    ['ETHUSDT', 10_700], // 8: the highest from 5 on
    ['ETHUSDT', 9_600], // 9: the lowest from 6 on
    ['ETHUSDT', 10_100], // 10: the highest from 9 on
    ['ETHUSDT', 9_900], // 11: the lowest from 10 on
    ['ETHUSDT', 10_050], // 12
  ] as const
).map(([symbol, price], i) => ({
  ...TRADES[0]!,
  tradeId: i + 1,
  symbol,
  price,
  quoteQty: BigInt(price) * 100_000n,
}));

// Many stops of one symbol and side, tracking from different trades (some the same): their first trades cut the
// symbol's trades into stretches, and each stop's best price covers every stretch from its own on, the trade it
// starts from and the last one before the next stop's first trade included.
describe.each(DRIVERS)('trailing stops sharing stretches of trades loaded on %s', (kind) => {
  let client: DatabaseClient;
  let stored: StoredState;

  beforeAll(async () => {
    client = await openTestDatabase(kind);
    const { epoch } = await claimShard(client.db, offset('0-0', 0));
    const orders = [
      stop(21, 'SELL', 0, 2),
      stop(22, 'SELL', 10_000, 4), // the trade it starts from is the highest since
      stop(23, 'SELL', 10_000, 8), // likewise
      stop(24, 'SELL', 11_000, 8), // the same first trade; its own price is the highest
      stop(25, 'SELL', 0, 9), // the highest since is the last trade before 11, another stop's first
      stop(26, 'SELL', 0, 11),
      stop(31, 'BUY', 0, 5), // the trade it starts from is the lowest since
      stop(32, 'BUY', 0, 9), // likewise
      stop(33, 'BUY', 9_800, 9), // the same first trade, that of SELL 25 too
      stop(34, 'BUY', 0, 11),
      stop(35, 'BUY', 9_000, 2), // its own price is the lowest
      stop(36, 'BUY', 10_000, 8),
      { ...stop(41, 'SELL', 0, 6), symbol: 'BTCUSDT' }, // from 6, BTCUSDT's trades only: 7
      { ...stop(42, 'BUY', 0, 3), symbol: 'BTCUSDT' }, // 3 and 7
    ];
    await commitBatch(client.db, {
      previousStreamId: '0-0',
      offset: offset('1-0', epoch),
      assets: [],
      markets: [],
      balances: [],
      feeTiers: [],
      orders,
      trades: STRETCH_TRADES,
      ledger: [],
      preventedMatches: [],
    });
    stored = await loadState(client.db, offset('1-0', epoch));
  }, 60_000);

  afterAll(async () => {
    await client?.close();
  });

  it('loads each stop with the best price from its own first trade on', () => {
    const best = Object.fromEntries(stored.pendingStops.map((o) => [o.orderId, o.trailingPrice]));
    expect(best).toEqual({
      21: 10_900,
      22: 10_900,
      23: 10_700,
      24: 11_000,
      25: 10_100,
      26: 10_050,
      31: 9_100,
      32: 9_600,
      33: 9_600,
      34: 9_900,
      35: 9_000,
      36: 9_600,
      41: 1,
      42: 1,
    });
  });
});
