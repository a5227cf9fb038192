// The market-data reads on the real Postgres (a database of its own) and on PGlite, over a generated history
// of two symbols whose trade ids interleave: aggregate trades read page by page equal the aggregation of the
// whole history for every fromId, time bound and limit (aggregates longer than a page included), and recent
// trades, the trade window and last prices read back what was written.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseClient } from '../client.ts';
import { assets, markets, trades } from '../schema/index.ts';
import { DRIVERS, openTestDatabase } from '../test-database.ts';
import {
  aggregate,
  aggregateTrades,
  historicalTrades,
  lastPrices,
  recentTrades,
  type TakerTrade,
  tradeWindow,
} from './market-reads.ts';

const T0 = 1_700_000_000_000;

/** 60 commands on AAA or BBB: each a taker order filling 1 to 9 makers over 1 to 3 prices; time 1 s apart. */
function history(): (TakerTrade & { symbol: string })[] {
  let seed = 7;
  const next = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  const out: (TakerTrade & { symbol: string })[] = [];
  let tradeId = 1;
  for (let command = 0; command < 60; command++) {
    const symbol = next(3) === 0 ? 'BBB' : 'AAA';
    const isBuyerMaker = next(2) === 0;
    const takerOrderId = 1000 + command;
    let price = 100 + next(5);
    const fills = 1 + next(9);
    for (let i = 0; i < fills; i++) {
      if (i > 0 && next(3) === 0) price += isBuyerMaker ? -1 : 1;
      const qty = 1 + next(4);
      out.push({
        symbol,
        tradeId: tradeId++,
        price,
        qty,
        quoteQty: BigInt(price * qty) * 10_000n,
        time: T0 + command * 1000,
        isBuyerMaker,
        takerOrderId,
      });
    }
  }
  return out;
}

describe.each(DRIVERS)('market reads on %s', (kind) => {
  let client: DatabaseClient;
  const all = history();
  const of = (symbol: string): TakerTrade[] =>
    all.filter((t) => t.symbol === symbol).map(({ symbol: _, ...t }) => t);

  beforeAll(async () => {
    client = await openTestDatabase(kind);
    await client.db.insert(trades).values(
      all.map((t) => ({
        tradeId: t.tradeId,
        symbol: t.symbol,
        price: t.price,
        qty: t.qty,
        quoteQty: t.quoteQty,
        buyerOrderId: t.isBuyerMaker ? t.tradeId : t.takerOrderId,
        sellerOrderId: t.isBuyerMaker ? t.takerOrderId : t.tradeId,
        buyerAccountId: 1,
        sellerAccountId: 2,
        isBuyerMaker: t.isBuyerMaker,
        buyerFee: 0n,
        sellerFee: 0n,
        time: t.time,
      })),
    );
    await client.db.insert(assets).values([{ name: 'A' }, { name: 'U' }]);
    await client.db.insert(markets).values([
      { symbol: 'AAA', baseAsset: 'A', quoteAsset: 'U', definition: {}, status: 'TRADING', lastPrice: 104 },
      { symbol: 'BBB', baseAsset: 'A', quoteAsset: 'U', definition: {}, status: 'TRADING' },
    ]);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
  });

  it('reads aggregates page by page as the whole history aggregates', async () => {
    for (const symbol of ['AAA', 'BBB']) {
      const whole = aggregate(of(symbol));
      expect(whole.some((a) => a.lastTradeId - a.firstTradeId >= 4)).toBe(true);
      const times = [...new Set(whole.map((a) => a.time))];
      for (const limit of [1, 2, 3, 7, 500]) {
        const read = (q: { fromId?: number; startTime?: number; endTime?: number }) =>
          aggregateTrades(client.db, { symbol, limit, ...q });
        expect(await read({})).toEqual(whole.slice(-limit));
        for (const fromId of [1, 2, 5, 17, 40, 1000]) {
          expect(await read({ fromId })).toEqual(
            whole.filter((a) => a.aggregateId >= fromId).slice(0, limit),
          );
        }
        for (const time of [times[0]!, times[5]!, times.at(-2)!]) {
          expect(await read({ startTime: time })).toEqual(
            whole.filter((a) => a.time >= time).slice(0, limit),
          );
          expect(await read({ endTime: time })).toEqual(whole.filter((a) => a.time <= time).slice(-limit));
          expect(await read({ startTime: time, endTime: time + 5000 })).toEqual(
            whole.filter((a) => a.time >= time && a.time <= time + 5000).slice(0, limit),
          );
        }
      }
    }
  });

  it('reads recent trades, from an id, and nothing of other symbols', async () => {
    const aaa = of('AAA').map(({ takerOrderId: _, ...t }) => t);
    expect(await recentTrades(client.db, 'AAA', 3)).toEqual(aaa.slice(-3));
    expect(await historicalTrades(client.db, { symbol: 'AAA', limit: 4 })).toEqual(aaa.slice(-4));
    expect(await historicalTrades(client.db, { symbol: 'AAA', fromId: 10, limit: 4 })).toEqual(
      aaa.filter((t) => t.tradeId >= 10).slice(0, 4),
    );
    expect(await recentTrades(client.db, 'CCC', 10)).toEqual([]);
  });

  it('sums the volume of a time window and finds the last trade', async () => {
    const aaa = of('AAA');
    const last = aaa.at(-1)!;
    const since = last.time - 10_000;
    const inWindow = aaa.filter((t) => t.time > since);
    expect(await tradeWindow(client.db, 'AAA', since)).toEqual({
      quoteQty: inWindow.reduce((sum, t) => sum + t.quoteQty, 0n),
      qty: BigInt(inWindow.reduce((sum, t) => sum + t.qty, 0)),
      lastPrice: last.price,
      lastTime: last.time,
    });
    expect(await tradeWindow(client.db, 'AAA', last.time)).toMatchObject({ quoteQty: 0n, qty: 0n });
    expect(await tradeWindow(client.db, 'CCC', 0)).toBeUndefined();
  });

  it('reads last prices of the markets asked for', async () => {
    expect(await lastPrices(client.db, ['AAA', 'BBB', 'CCC'])).toEqual(
      new Map([
        ['AAA', 104],
        ['BBB', 0],
      ]),
    );
    expect(await lastPrices(client.db, [])).toEqual(new Map());
  });
});
