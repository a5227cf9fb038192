// The public market-data endpoints through the whole embedded stack: orders placed through the real edge cross
// on the real matcher, and depth and bookTicker (from the snapshots it publishes after its commits), trades,
// aggTrades, avgPrice and ticker/price (from what it committed to PGlite) read them back in Binance's shapes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BTCUSDT, type EmbeddedEdge, fundedAccount, startEmbeddedEdge } from './test-servers.ts';
import { type Credentials, signedCall } from './test-signing.ts';

let edge: EmbeddedEdge;
let maker: Credentials;
let taker: Credentials;

beforeAll(async () => {
  edge = await startEmbeddedEdge();
  await edge.admin.createMarket(BTCUSDT);
  maker = (await fundedAccount(edge.admin, { BTC: '10', USDT: '100000' })).credentials;
  taker = (await fundedAccount(edge.admin, { BTC: '10', USDT: '100000' })).credentials;
}, 60_000);

afterAll(async () => {
  await edge?.close();
});

async function get(path: string): Promise<unknown> {
  const res = await edge.request(`/api/v3/${path}`, {});
  expect(res.status).toBe(200);
  return res.json();
}

async function order(credentials: Credentials, params: Record<string, string>) {
  const res = await signedCall(edge.request, credentials, 'POST', '/api/v3/order', {
    symbol: 'BTCUSDT',
    ...params,
  });
  expect(res.status).toBe(200);
  return res.body as { orderId: number; status: string };
}

/** Polls until `check` passes: depth is published at most every 100 ms, after the commit. */
async function eventually(check: () => Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('market data on the embedded stack', () => {
  it('answers an empty book and no trades before any order', async () => {
    expect(await get('depth?symbol=BTCUSDT')).toEqual({ lastUpdateId: 0, bids: [], asks: [] });
    expect(await get('trades?symbol=BTCUSDT')).toEqual([]);
    expect(await get('aggTrades?symbol=BTCUSDT')).toEqual([]);
    expect(await get('avgPrice?symbol=BTCUSDT')).toEqual({ mins: 5, price: '0.00000000', closeTime: 0 });
    expect(await get('ticker/price?symbol=BTCUSDT')).toEqual({ symbol: 'BTCUSDT', price: '0.00000000' });
  });

  it('reads back crossing orders: book, trades, aggregates, average and last price', async () => {
    const limit = { type: 'LIMIT', timeInForce: 'GTC' };
    await order(maker, { ...limit, side: 'SELL', quantity: '0.3', price: '30000' });
    await order(maker, { ...limit, side: 'SELL', quantity: '0.2', price: '30000' });
    await order(maker, { ...limit, side: 'SELL', quantity: '1', price: '30010' });
    await order(maker, { ...limit, side: 'BUY', quantity: '0.5', price: '29990' });
    const buy = await order(taker, { side: 'BUY', type: 'MARKET', quantity: '0.6' });
    expect(buy.status).toBe('FILLED');

    await eventually(async () =>
      expect(await get('depth?symbol=BTCUSDT&limit=5')).toEqual({
        lastUpdateId: expect.any(Number),
        bids: [['29990.00000000', '0.50000000']],
        asks: [['30010.00000000', '0.90000000']],
      }),
    );
    expect(await get('ticker/bookTicker?symbol=BTCUSDT')).toEqual({
      symbol: 'BTCUSDT',
      bidPrice: '29990.00000000',
      bidQty: '0.50000000',
      askPrice: '30010.00000000',
      askQty: '0.90000000',
    });

    const trades = (await get('trades?symbol=BTCUSDT')) as { id: number; time: number }[];
    expect(trades).toEqual([
      {
        id: expect.any(Number),
        price: '30000.00000000',
        qty: '0.30000000',
        quoteQty: '9000.00000000',
        time: expect.any(Number),
        isBuyerMaker: false,
        isBestMatch: true,
      },
      expect.objectContaining({ price: '30000.00000000', qty: '0.20000000', quoteQty: '6000.00000000' }),
      expect.objectContaining({ price: '30010.00000000', qty: '0.10000000', quoteQty: '3001.00000000' }),
    ]);
    const [first, second, third] = trades.map((t) => t.id);
    expect(await get(`historicalTrades?symbol=BTCUSDT&fromId=${second}`)).toEqual(trades.slice(1));
    expect(await get('aggTrades?symbol=BTCUSDT')).toEqual([
      {
        a: first,
        p: '30000.00000000',
        q: '0.50000000',
        f: first,
        l: second,
        T: trades[0]!.time,
        m: false,
        M: true,
      },
      {
        a: third,
        p: '30010.00000000',
        q: '0.10000000',
        f: third,
        l: third,
        T: trades[0]!.time,
        m: false,
        M: true,
      },
    ]);
    // 18001 USDT for 0.6 BTC.
    expect(await get('avgPrice?symbol=BTCUSDT')).toEqual({
      mins: 5,
      price: '30001.66666666',
      closeTime: trades[2]!.time,
    });
    expect(await get('ticker/price')).toEqual([{ symbol: 'BTCUSDT', price: '30010.00000000' }]);
  });
});
