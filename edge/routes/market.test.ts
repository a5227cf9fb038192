// The public market-data endpoints in memory: the core as the matcher, its book as the published snapshots and
// its trades as the table holds them. Binance's field shapes, defaults and limits, and its errors.

import { describe, expect, it } from 'vitest';
import { harness } from './test-harness.ts';

/** BTCUSDT with a book and four trades: a market buy sweeping three asks at two prices, a market sell. */
async function traded() {
  const h = harness();
  const order = (account: number, query: string) => h.call('POST', account, `symbol=BTCUSDT&${query}`);
  await order(1, 'side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.5&price=30000');
  await order(1, 'side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.25&price=30000');
  await order(1, 'side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=30001');
  await order(1, 'side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.1&price=29999');
  await order(1, 'side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.2&price=29998');
  await order(2, 'side=BUY&type=MARKET&quantity=1'); // trades 1 and 2 at 30000, 3 at 30001
  await order(3, 'side=SELL&type=MARKET&quantity=0.05'); // trade 4 at 29999, the buyer the maker
  return h;
}

const usedWeight = new WeakMap<object, number>();

/** A public GET, with the weight it cost (the growth of the IP's used weight since the harness's last request). */
async function get(h: ReturnType<typeof harness>, path: string) {
  const res = await h.app.request(`/api/v3/${path}`);
  const used = Number(res.headers.get('x-mbx-used-weight-1m'));
  const before = usedWeight.get(h) ?? Number(h.last.headers.get('x-mbx-used-weight-1m') ?? 0);
  usedWeight.set(h, used);
  return { status: res.status, body: (await res.json()) as unknown, weight: used - before };
}

describe('GET /api/v3/depth', () => {
  it('answers an empty book before any order reached it', async () => {
    const res = await get(harness(), 'depth?symbol=BTCUSDT');
    expect(res).toMatchObject({ status: 200, body: { lastUpdateId: 0, bids: [], asks: [] }, weight: 5 });
  });

  it('lists the best levels first, as price and quantity strings, up to limit', async () => {
    const h = await traded();
    const { body } = await get(h, 'depth?symbol=BTCUSDT');
    expect(body).toEqual({
      lastUpdateId: h.state.seq,
      bids: [
        ['29999.00000000', '0.05000000'],
        ['29998.00000000', '0.20000000'],
      ],
      asks: [['30001.00000000', '0.75000000']],
    });
    const one = await get(h, 'depth?symbol=BTCUSDT&limit=1');
    expect(one.body).toMatchObject({ bids: [['29999.00000000', '0.05000000']] });
    // Above 5000 Binance answers 5000 levels (and weighs 250).
    expect(await get(h, 'depth?symbol=BTCUSDT&limit=9999')).toMatchObject({ status: 200, weight: 250 });
  });

  it('refuses what Binance refuses', async () => {
    const h = harness();
    const error = async (query: string) => {
      const { status, body } = await get(h, `depth?${query}`);
      return [status, (body as { code: number }).code];
    };
    expect(await error('')).toEqual([400, -1102]);
    expect(await error('symbol=NOPE')).toEqual([400, -1121]);
    expect(await error('symbol=BTCUSDT&limit=0')).toEqual([400, -1130]);
    expect(await error('symbol=BTCUSDT&limit=-1')).toEqual([400, -1100]);
    expect(await error('symbol=BTCUSDT&limit=ten')).toEqual([400, -1100]);
    expect(await error('symbol=BTCUSDT&symbol=ETHUSDT')).toEqual([400, -1101]);
  });
});

describe('GET /api/v3/trades and /historicalTrades', () => {
  it('lists the newest trades oldest first, in Binance fields', async () => {
    const h = await traded();
    const { body, weight } = await get(h, 'trades?symbol=BTCUSDT');
    expect(weight).toBe(25);
    expect(body).toEqual([
      {
        id: 1,
        price: '30000.00000000',
        qty: '0.50000000',
        quoteQty: '15000.00000000',
        time: expect.any(Number),
        isBuyerMaker: false,
        isBestMatch: true,
      },
      expect.objectContaining({ id: 2, qty: '0.25000000', quoteQty: '7500.00000000' }),
      expect.objectContaining({ id: 3, price: '30001.00000000', quoteQty: '7500.25000000' }),
      expect.objectContaining({ id: 4, price: '29999.00000000', qty: '0.05000000', isBuyerMaker: true }),
    ]);
    const ids = async (path: string) => ((await get(h, path)).body as { id: number }[]).map((t) => t.id);
    expect(await ids('trades?symbol=BTCUSDT&limit=2')).toEqual([3, 4]);
    expect(await ids('trades?symbol=BTCUSDT&limit=5000')).toEqual([1, 2, 3, 4]);
    expect(await ids('trades?symbol=ETHUSDT')).toEqual([]);
    expect(await ids('historicalTrades?symbol=BTCUSDT&limit=3')).toEqual([2, 3, 4]);
    expect(await ids('historicalTrades?symbol=BTCUSDT&fromId=2&limit=2')).toEqual([2, 3]);
  });

  it('refuses a bad fromId or limit', async () => {
    const h = harness();
    expect((await get(h, 'historicalTrades?symbol=BTCUSDT&fromId=x')).body).toMatchObject({ code: -1100 });
    expect((await get(h, 'trades?symbol=BTCUSDT&limit=0')).body).toMatchObject({ code: -1130 });
    expect((await get(h, 'trades')).body).toMatchObject({ code: -1102 });
  });
});

describe('GET /api/v3/aggTrades', () => {
  it("aggregates one taker order's fills at one price, ids from the first trade", async () => {
    const h = await traded();
    const { body, weight } = await get(h, 'aggTrades?symbol=BTCUSDT');
    expect(weight).toBe(4);
    const time = expect.any(Number);
    expect(body).toEqual([
      { a: 1, p: '30000.00000000', q: '0.75000000', f: 1, l: 2, T: time, m: false, M: true },
      { a: 3, p: '30001.00000000', q: '0.25000000', f: 3, l: 3, T: time, m: false, M: true },
      { a: 4, p: '29999.00000000', q: '0.05000000', f: 4, l: 4, T: time, m: true, M: true },
    ]);
  });

  it('pages by fromId, by time and by limit', async () => {
    const h = await traded();
    const ids = async (query: string) =>
      ((await get(h, `aggTrades?symbol=BTCUSDT&${query}`)).body as { a: number }[]).map((a) => a.a);
    // fromId in the middle of an aggregate starts at the next one.
    expect(await ids('fromId=2')).toEqual([3, 4]);
    expect(await ids('fromId=1&limit=2')).toEqual([1, 3]);
    expect(await ids('limit=1')).toEqual([4]);
    const [, second, last] = (await get(h, 'aggTrades?symbol=BTCUSDT')).body as { T: number }[];
    expect(await ids(`startTime=${last!.T}`)).toEqual([4]);
    expect(await ids(`endTime=${second!.T}`)).toEqual([1, 3]);
    expect(await ids(`endTime=${second!.T}&limit=1`)).toEqual([3]);
    expect(await ids(`startTime=${second!.T}&endTime=${second!.T}`)).toEqual([1, 3]);
  });

  it('refuses fromId together with a time range', async () => {
    const h = harness();
    const res = await get(h, 'aggTrades?symbol=BTCUSDT&fromId=1&startTime=1');
    expect(res).toMatchObject({
      status: 400,
      body: { code: -1128, msg: 'Combination of optional parameters invalid.' },
    });
    expect((await get(h, 'aggTrades?symbol=BTCUSDT&endTime=soon')).body).toMatchObject({ code: -1100 });
  });
});

describe('GET /api/v3/avgPrice', () => {
  it('is the volume-weighted price of the last 5 minutes, else the last price', async () => {
    const h = await traded();
    const { body, weight } = await get(h, 'avgPrice?symbol=BTCUSDT');
    expect(weight).toBe(2);
    // 31500.2 USDT for 1.05 BTC, truncated to 8 decimals.
    expect(body).toEqual({ mins: 5, price: '30000.19047619', closeTime: expect.any(Number) });
    const { closeTime } = body as { closeTime: number };
    h.setTime(closeTime + 5 * 60_000);
    expect((await get(h, 'avgPrice?symbol=BTCUSDT')).body).toEqual({
      mins: 5,
      price: '29999.00000000',
      closeTime,
    });
  });

  it('is 0 before the first trade', async () => {
    const h = harness();
    expect((await get(h, 'avgPrice?symbol=ETHUSDT')).body).toEqual({
      mins: 5,
      price: '0.00000000',
      closeTime: 0,
    });
    expect((await get(h, 'avgPrice?symbol=NOPE')).body).toMatchObject({ code: -1121 });
  });
});

describe('GET /api/v3/ticker/price and /ticker/bookTicker', () => {
  it('answers one symbol with an object, several or all with an array', async () => {
    const h = await traded();
    expect(await get(h, 'ticker/price?symbol=BTCUSDT')).toMatchObject({
      body: { symbol: 'BTCUSDT', price: '29999.00000000' },
      weight: 2,
    });
    expect(await get(h, 'ticker/price')).toMatchObject({
      body: [
        { symbol: 'BTCUSDT', price: '29999.00000000' },
        { symbol: 'ETHUSDT', price: '0.00000000' },
      ],
      weight: 4,
    });
    expect((await get(h, 'ticker/price?symbols=%5B%22ETHUSDT%22%5D')).body).toEqual([
      { symbol: 'ETHUSDT', price: '0.00000000' },
    ]);
    expect((await get(h, 'ticker/bookTicker?symbol=BTCUSDT')).body).toEqual({
      symbol: 'BTCUSDT',
      bidPrice: '29999.00000000',
      bidQty: '0.05000000',
      askPrice: '30001.00000000',
      askQty: '0.75000000',
    });
    // A side without orders, or a book without any, is zeros.
    expect((await get(h, 'ticker/bookTicker?symbols=["BTCUSDT","ETHUSDT"]')).body).toEqual([
      expect.objectContaining({ symbol: 'BTCUSDT' }),
      {
        symbol: 'ETHUSDT',
        bidPrice: '0.00000000',
        bidQty: '0.00000000',
        askPrice: '0.00000000',
        askQty: '0.00000000',
      },
    ]);
  });

  it('refuses unknown symbols and bad combinations', async () => {
    const h = harness();
    for (const path of ['ticker/price', 'ticker/bookTicker']) {
      expect((await get(h, `${path}?symbol=NOPE`)).body).toEqual({ code: -1121, msg: 'Invalid symbol.' });
      expect((await get(h, `${path}?symbols=["BTCUSDT","NOPE"]`)).body).toMatchObject({ code: -1121 });
      expect((await get(h, `${path}?symbols=BTCUSDT`)).body).toMatchObject({ code: -1100 });
      expect((await get(h, `${path}?symbols=[]`)).body).toMatchObject({ code: -1100 });
      expect((await get(h, `${path}?symbol=BTCUSDT&symbols=["BTCUSDT"]`)).body).toMatchObject({
        code: -1101,
      });
    }
  });
});

describe('candles and tickers through the harness', () => {
  it('reads the trades the core made', async () => {
    const h = await traded();
    const { status, body } = await get(h, 'ticker/24hr?symbol=BTCUSDT');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      symbol: 'BTCUSDT',
      openPrice: '30000.00000000',
      lastPrice: '29999.00000000',
      volume: '1.05000000',
      bidPrice: '29999.00000000',
      askPrice: '30001.00000000',
      firstId: 1,
      lastId: 4,
      count: 4,
    });
    const klines = (await get(h, 'klines?symbol=BTCUSDT&interval=1d')).body as unknown[][];
    expect(klines).toHaveLength(1);
    expect(klines[0]!.slice(1, 6)).toEqual([
      '30000.00000000',
      '30001.00000000',
      '29999.00000000',
      '29999.00000000',
      '1.05000000',
    ]);
  });
});
