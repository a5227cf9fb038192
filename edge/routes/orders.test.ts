// POST and DELETE /api/v3/order in memory: a fake matcher that is the core itself (stamping time as the matcher
// does), a stub for the signed-request middleware, and Binance's response shapes and error codes.

import type { MiddlewareHandler } from 'hono';
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../matcher/client.ts';
import { setupCommands } from '../../matcher/command-mix.ts';
import { apply, type Command, createState, type Trade } from '../../matcher/core/index.ts';
import { createApp } from '../app.ts';
import type { EdgeEnv } from '../context.ts';
import { StaticMarkets } from '../markets.ts';

function harness() {
  const state = createState();
  let time = 1_700_000_000_000;
  for (const c of setupCommands(3)) apply(state, c);
  const sent: Command[] = [];
  const send = (command: Command): Promise<Outcome> => {
    sent.push(command);
    time += 1;
    const { result, events } = apply(state, { ...command, timestamp: time } as Command);
    const trades = events.filter((e): e is Trade => e.type === 'trade');
    return Promise.resolve({
      status: 'done',
      reply: { id: 'x', streamId: `${time}-0`, time, result, trades },
    });
  };
  const markets = new StaticMarkets(
    state.marketList.map((m) => ({ definition: m.definition, status: m.status })),
  );
  // Stands in for the signed-request middleware: account from a header, params from the query string.
  const trade: MiddlewareHandler<EdgeEnv> = async (c, next) => {
    c.set('principal', { accountId: Number(c.req.header('x-account')), apiKey: 'k', permissions: ['TRADE'] });
    c.set('params', new Map(new URL(c.req.url).searchParams));
    await next();
  };
  let n = 0;
  const unused = () => Promise.reject(new Error('no reads in these tests'));
  const reads = {
    findOrder: unused,
    openOrders: unused,
    allOrders: unused,
    accountTrades: unused,
    accountBalances: unused,
  };
  const app = createApp({
    markets,
    send,
    trade,
    userData: trade,
    reads,
    now: () => time,
    newClientOrderId: () => `gen${++n}`,
  });
  const call = async (method: string, account: number, query: string) => {
    const res = await app.request(`/api/v3/order?${query}`, {
      method,
      headers: { 'x-account': String(account) },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { call, sent, state };
}

describe('POST /api/v3/order', () => {
  it('rests a limit order and answers FULL by default, amounts as 8-decimal strings', async () => {
    const { call } = harness();
    const res = await call(
      'POST',
      1,
      'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.5&price=30000.01',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      symbol: 'BTCUSDT',
      orderId: 1,
      orderListId: -1,
      clientOrderId: 'gen1',
      price: '30000.01000000',
      origQty: '0.50000000',
      executedQty: '0.00000000',
      cummulativeQuoteQty: '0.00000000',
      status: 'NEW',
      timeInForce: 'GTC',
      type: 'LIMIT',
      side: 'BUY',
      selfTradePreventionMode: 'EXPIRE_MAKER',
      fills: [],
    });
    expect(typeof res.body.transactTime).toBe('number');
  });

  it('reports fills with the commission each side paid, in its asset', async () => {
    const { call } = harness();
    await call(
      'POST',
      1,
      'symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=30000&newClientOrderId=maker',
    );
    const res = await call('POST', 2, 'symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.25');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'FILLED',
      executedQty: '0.25000000',
      cummulativeQuoteQty: '7500.00000000',
      fills: [
        {
          price: '30000.00000000',
          qty: '0.25000000',
          commission: '0.00050000',
          commissionAsset: 'BTC',
          tradeId: 1,
        },
      ],
    });
  });

  it('answers ACK and RESULT when asked', async () => {
    const { call } = harness();
    const ack = await call(
      'POST',
      1,
      'symbol=ETHUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=100&newOrderRespType=ACK',
    );
    expect(Object.keys(ack.body).sort()).toEqual([
      'clientOrderId',
      'orderId',
      'orderListId',
      'symbol',
      'transactTime',
    ]);
    const result = await call(
      'POST',
      1,
      'symbol=ETHUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=100&newOrderRespType=RESULT',
    );
    expect(result.body).toMatchObject({ status: 'NEW', price: '100.00000000' });
    expect(result.body).not.toHaveProperty('fills');
  });

  it('rejects bad input with Binance codes and sends nothing to the matcher', async () => {
    const { call, sent } = harness();
    const cases: [string, number, number][] = [
      ['side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=1', 400, -1102], // no symbol
      ['symbol=NOPE&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=1', 400, -1121],
      ['symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=1.001', 400, -1013], // off the tick
      ['symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.00001&price=1', 400, -1013], // off the step
      ['symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1e3&price=1', 400, -1100],
      ['symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=-1&price=1', 400, -1100],
      ['symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=1&icebergQty=1', 400, -1106],
      ['symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=1&newOrderRespType=NOPE', 400, -1100],
    ];
    for (const [query, status, code] of cases) {
      const res = await call('POST', 1, query);
      expect([query, res.status, res.body.code]).toEqual([query, status, code]);
    }
    expect(sent).toEqual([]);
  });

  it("answers the core's rejections in Binance's codes", async () => {
    const { call } = harness();
    const poor = await call(
      'POST',
      3,
      'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1000&price=30000',
    );
    expect(poor).toEqual({
      status: 400,
      body: { code: -2010, msg: 'Account has insufficient balance for requested action.' },
    });
    const side = await call(
      'POST',
      1,
      'symbol=BTCUSDT&side=UP&type=LIMIT&timeInForce=GTC&quantity=1&price=30000',
    );
    expect(side.body.code).toBe(-1117);
  });
});

describe('DELETE /api/v3/order', () => {
  it('cancels by orderId or by clientOrderId and reports the order as cancelled', async () => {
    const { call, state } = harness();
    await call(
      'POST',
      1,
      'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=100&newClientOrderId=a',
    );
    await call(
      'POST',
      1,
      'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=101&newClientOrderId=b',
    );
    const byId = await call('DELETE', 1, 'symbol=BTCUSDT&orderId=1');
    expect(byId.body).toMatchObject({
      symbol: 'BTCUSDT',
      orderId: 1,
      origClientOrderId: 'a',
      status: 'CANCELED',
      price: '100.00000000',
    });
    const byCid = await call('DELETE', 1, 'symbol=BTCUSDT&origClientOrderId=b');
    expect(byCid.body).toMatchObject({ orderId: 2, status: 'CANCELED' });
    expect(state.orders.size).toBe(0);
  });

  it('answers -2011 for an order it does not know, and -1102 without an id', async () => {
    const { call } = harness();
    expect(await call('DELETE', 1, 'symbol=BTCUSDT&orderId=42')).toEqual({
      status: 400,
      body: { code: -2011, msg: 'Unknown order sent.' },
    });
    expect((await call('DELETE', 1, 'symbol=BTCUSDT')).body.code).toBe(-1102);
  });
});
