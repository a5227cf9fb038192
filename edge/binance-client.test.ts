// Binance's own Node.js client (@binance/connector, unchanged, only its base URL pointed at us) against the
// edge served over HTTP on the embedded stack: it signs and sends every request itself, and the assertions are
// on what it parsed. Place (LIMIT and MARKET, by quantity and by quoteOrderQty, with fills), query (getOrder,
// openOrders, allOrders), cancel, cancel-replace, account and myTrades, and errors as the library reports them.

import { Spot } from '@binance/connector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BTCUSDT, type EmbeddedEdge, fundedAccount, startEmbeddedEdge } from './test-servers.ts';

interface Fill {
  price: string;
  qty: string;
  commission: string;
  commissionAsset: string;
  tradeId: number;
}
interface NewOrder {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  status: string;
  executedQty: string;
  cummulativeQuoteQty: string;
  fills: Fill[];
}
interface Order {
  orderId: number;
  clientOrderId: string;
  status: string;
  type: string;
  side: string;
  price: string;
  origQty: string;
  executedQty: string;
}
interface Trade {
  id: number;
  orderId: number;
  price: string;
  qty: string;
  quoteQty: string;
  commission: string;
  commissionAsset: string;
  isBuyer: boolean;
  isMaker: boolean;
}
interface Account {
  canTrade: boolean;
  balances: { asset: string; free: string; locked: string }[];
}

let edge: EmbeddedEdge;
let baseURL: string;
let maker: Spot;
let taker: Spot;

beforeAll(async () => {
  edge = await startEmbeddedEdge();
  baseURL = (await edge.serve()).baseURL;
  await edge.admin.createMarket(BTCUSDT);
  const m = await fundedAccount(edge.admin, { BTC: '10', USDT: '100000' });
  const t = await fundedAccount(edge.admin, { BTC: '1', USDT: '100000' });
  maker = new Spot(m.credentials.apiKey, m.credentials.secretKey, { baseURL });
  taker = new Spot(t.credentials.apiKey, t.credentials.secretKey, { baseURL });
}, 60_000);

afterAll(async () => {
  await edge?.close();
});

const balance = (account: Account, asset: string) => account.balances.find((b) => b.asset === asset);

describe('@binance/connector against the edge', () => {
  it('reads the general endpoints', async () => {
    expect((await maker.ping()).data).toEqual({});
    const { serverTime } = (await maker.time()).data as { serverTime: number };
    expect(Math.abs(serverTime - Date.now())).toBeLessThan(5000);
    const info = (await maker.exchangeInfo({ symbol: 'btcusdt' })).data as {
      symbols: { symbol: string; status: string; filters: { filterType: string; tickSize?: string }[] }[];
    };
    expect(info.symbols).toHaveLength(1);
    expect(info.symbols[0]).toMatchObject({ symbol: 'BTCUSDT', status: 'TRADING' });
    expect(info.symbols[0]!.filters).toContainEqual(
      expect.objectContaining({ filterType: 'PRICE_FILTER', tickSize: '0.01000000' }),
    );
  });

  it('places, queries, cancels and reads trades and balances', async () => {
    const sell1 = await maker.newOrder('BTCUSDT', 'SELL', 'LIMIT', {
      timeInForce: 'GTC',
      quantity: 0.5,
      price: 30000,
      newClientOrderId: 'maker-1',
    });
    expect(sell1.status).toBe(200);
    expect(sell1.headers['x-mbx-used-weight-1m']).toMatch(/^\d+$/);
    expect(sell1.headers['x-mbx-order-count-10s']).toBe('1');
    const s1 = sell1.data as NewOrder;
    expect(s1).toMatchObject({ symbol: 'BTCUSDT', clientOrderId: 'maker-1', status: 'NEW', fills: [] });
    const s2 = (
      await maker.newOrder('BTCUSDT', 'SELL', 'LIMIT', {
        timeInForce: 'GTC',
        quantity: '1',
        price: '30100.00',
        newClientOrderId: 'maker-2',
        recvWindow: 10_000,
      })
    ).data as NewOrder;
    expect(s2.status).toBe('NEW');

    // MARKET by quantity: fills from the best ask; the taker pays 0.2 % in the asset it receives.
    const market = (await taker.newOrder('BTCUSDT', 'BUY', 'MARKET', { quantity: 0.3 })).data as NewOrder;
    expect(market).toMatchObject({
      status: 'FILLED',
      executedQty: '0.30000000',
      cummulativeQuoteQty: '9000.00000000',
      fills: [
        {
          price: '30000.00000000',
          qty: '0.30000000',
          commission: '0.00060000',
          commissionAsset: 'BTC',
          tradeId: expect.any(Number),
        },
      ],
    });

    // A LIMIT that crosses two levels and rests the remainder.
    const limit = (
      await taker.newOrder('BTCUSDT', 'BUY', 'LIMIT', {
        timeInForce: 'GTC',
        quantity: 1.5,
        price: 30100,
        newClientOrderId: 'taker-limit',
      })
    ).data as NewOrder;
    expect(limit.status).toBe('PARTIALLY_FILLED');
    expect(limit.executedQty).toBe('1.20000000');
    expect(limit.fills.map((f) => [f.price, f.qty])).toEqual([
      ['30000.00000000', '0.20000000'],
      ['30100.00000000', '1.00000000'],
    ]);

    // MARKET by quoteOrderQty: 1550 USDT buys 0.05 at 31000.
    await maker.newOrder('BTCUSDT', 'SELL', 'LIMIT', {
      timeInForce: 'GTC',
      quantity: 0.1,
      price: 31000,
      newClientOrderId: 'maker-3',
    });
    const byQuote = (await taker.newOrder('BTCUSDT', 'BUY', 'MARKET', { quoteOrderQty: 1550 }))
      .data as NewOrder;
    expect(byQuote).toMatchObject({
      status: 'FILLED',
      executedQty: '0.05000000',
      cummulativeQuoteQty: '1550.00000000',
    });

    // Queries, by orderId and by clientOrderId.
    expect((await taker.getOrder('BTCUSDT', { orderId: limit.orderId })).data).toMatchObject({
      orderId: limit.orderId,
      clientOrderId: 'taker-limit',
      status: 'PARTIALLY_FILLED',
      type: 'LIMIT',
      side: 'BUY',
      price: '30100.00000000',
      origQty: '1.50000000',
      executedQty: '1.20000000',
    });
    expect((await maker.getOrder('BTCUSDT', { origClientOrderId: 'maker-1' })).data).toMatchObject({
      orderId: s1.orderId,
      status: 'FILLED',
      executedQty: '0.50000000',
    });
    const open = (await taker.openOrders({ symbol: 'BTCUSDT' })).data as Order[];
    expect(open.map((o) => o.orderId)).toEqual([limit.orderId]);
    expect(((await taker.openOrders()).data as Order[]).map((o) => o.orderId)).toEqual([limit.orderId]);
    const all = (await taker.allOrders('BTCUSDT')).data as Order[];
    expect(all.map((o) => [o.type, o.status])).toEqual([
      ['MARKET', 'FILLED'],
      ['LIMIT', 'PARTIALLY_FILLED'],
      ['MARKET', 'FILLED'],
    ]);
    // Without orderId, the most recent ones (in order), as on Binance.
    const recent = (await maker.allOrders('BTCUSDT', { limit: 2 })).data as Order[];
    expect(recent.map((o) => o.clientOrderId)).toEqual(['maker-2', 'maker-3']);
    const from = (await maker.allOrders('BTCUSDT', { orderId: s1.orderId, limit: 2 })).data as Order[];
    expect(from.map((o) => o.clientOrderId)).toEqual(['maker-1', 'maker-2']);

    // Cancel the remainder.
    const canceled = await taker.cancelOrder('BTCUSDT', { orderId: limit.orderId });
    expect(canceled.data).toMatchObject({
      symbol: 'BTCUSDT',
      orderId: limit.orderId,
      origClientOrderId: 'taker-limit',
      status: 'CANCELED',
      executedQty: '1.20000000',
    });
    expect((await taker.openOrders({ symbol: 'BTCUSDT' })).data).toEqual([]);

    // Trades: the taker bought 1.55 BTC in four fills, paying 0.2 % of it in BTC.
    const trades = (await taker.myTrades('BTCUSDT')).data as Trade[];
    expect(
      trades.map((t) => [t.price, t.qty, t.commission, t.commissionAsset, t.isBuyer, t.isMaker]),
    ).toEqual([
      ['30000.00000000', '0.30000000', '0.00060000', 'BTC', true, false],
      ['30000.00000000', '0.20000000', '0.00040000', 'BTC', true, false],
      ['30100.00000000', '1.00000000', '0.00200000', 'BTC', true, false],
      ['31000.00000000', '0.05000000', '0.00010000', 'BTC', true, false],
    ]);
    const ofLimit = (await taker.myTrades('BTCUSDT', { orderId: limit.orderId })).data as Trade[];
    expect(ofLimit.map((t) => t.qty)).toEqual(['0.20000000', '1.00000000']);
    const makerTrades = (await maker.myTrades('BTCUSDT', { limit: 10 })).data as Trade[];
    expect(makerTrades.map((t) => [t.quoteQty, t.commissionAsset, t.isMaker])).toEqual([
      ['9000.00000000', 'USDT', true],
      ['6000.00000000', 'USDT', true],
      ['30100.00000000', 'USDT', true],
      ['1550.00000000', 'USDT', true],
    ]);

    // Balances: every figure exact.
    const takerAccount = (await taker.account()).data as Account;
    expect(takerAccount.canTrade).toBe(true);
    expect(balance(takerAccount, 'BTC')).toEqual({ asset: 'BTC', free: '2.54690000', locked: '0.00000000' });
    expect(balance(takerAccount, 'USDT')).toEqual({
      asset: 'USDT',
      free: '53350.00000000',
      locked: '0.00000000',
    });
    const makerAccount = (await maker.account({ omitZeroBalances: true })).data as Account;
    expect(balance(makerAccount, 'BTC')).toEqual({ asset: 'BTC', free: '8.40000000', locked: '0.05000000' });
    expect(balance(makerAccount, 'USDT')).toEqual({
      asset: 'USDT',
      free: '146603.35000000',
      locked: '0.00000000',
    });
  });

  it('cancel-replaces, tests an order and cancels all open orders', async () => {
    const replaced = (
      await maker.cancelAndReplace('BTCUSDT', 'SELL', 'LIMIT', 'STOP_ON_FAILURE', {
        cancelOrigClientOrderId: 'maker-3',
        timeInForce: 'GTC',
        quantity: 0.05,
        price: 31500,
        newClientOrderId: 'maker-4',
      })
    ).data as { cancelResult: string; newOrderResult: string; newOrderResponse: NewOrder };
    expect(replaced).toMatchObject({
      cancelResult: 'SUCCESS',
      newOrderResult: 'SUCCESS',
      cancelResponse: { origClientOrderId: 'maker-3', status: 'CANCELED' },
      newOrderResponse: { clientOrderId: 'maker-4', status: 'NEW' },
    });
    expect(
      (
        await maker.newOrderTest('BTCUSDT', 'BUY', 'LIMIT', {
          timeInForce: 'GTC',
          quantity: 0.01,
          price: 29000,
        })
      ).data,
    ).toEqual({});
    await maker.newOrder('BTCUSDT', 'BUY', 'LIMIT', { timeInForce: 'GTC', quantity: 0.01, price: 29000 });
    const all = (await maker.cancelOpenOrders('BTCUSDT')).data as { status: string; side: string }[];
    expect(all.map((o) => [o.side, o.status]).sort()).toEqual([
      ['BUY', 'CANCELED'],
      ['SELL', 'CANCELED'],
    ]);
  });

  it('reports errors as the library reports Binance errors', async () => {
    await expect(maker.cancelOrder('BTCUSDT', { orderId: 999_999 })).rejects.toMatchObject({
      response: { status: 400, data: { code: -2011, msg: 'Unknown order sent.' } },
    });
    await expect(maker.getOrder('BTCUSDT', { orderId: 999_999 })).rejects.toMatchObject({
      response: { status: 400, data: { code: -2013, msg: 'Order does not exist.' } },
    });
    await expect(
      taker.newOrder('BTCUSDT', 'BUY', 'LIMIT', { timeInForce: 'GTC', quantity: 1000, price: 30000 }),
    ).rejects.toMatchObject({ response: { status: 400, data: { code: -2010 } } });
    await expect(
      taker.newOrder('NOPEUSDT', 'BUY', 'LIMIT', { timeInForce: 'GTC', quantity: 1, price: 1 }),
    ).rejects.toMatchObject({ response: { status: 400, data: { code: -1121, msg: 'Invalid symbol.' } } });
    const forged = new Spot((await edge.admin.createKey(1)).apiKey, 'f'.repeat(64), { baseURL });
    await expect(forged.account()).rejects.toMatchObject({
      response: { status: 400, data: { code: -1022 } },
    });
    const stranger = new Spot('A'.repeat(64), 'f'.repeat(64), { baseURL });
    await expect(stranger.account()).rejects.toMatchObject({
      response: { status: 401, data: { code: -2015 } },
    });
  });
});
