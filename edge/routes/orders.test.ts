// POST and DELETE /api/v3/order in memory: a fake matcher that is the core itself (stamping time as the matcher
// does), a stub for the signed-request middleware, and Binance's response shapes and error codes.

import { describe, expect, it } from 'vitest';
import { harness } from './test-harness.ts';

describe('POST /api/v3/order', () => {
  it('rests a limit order and answers FULL by default, amounts as 8-decimal strings', async () => {
    const { call, last } = harness();
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
    // Throttling headers: the request's weight and the account's order counts.
    expect(last.headers.get('x-mbx-used-weight-1m')).toBe('1');
    expect(last.headers.get('x-mbx-order-count-10s')).toBe('1');
    expect(last.headers.get('x-mbx-order-count-1d')).toBe('1');
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

  it('answers -1008 while the matcher holds as many orders as it can, and places nothing', async () => {
    const { call, state } = harness();
    state.store.limit = state.store.live;
    const full = await call(
      'POST',
      1,
      'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=30000',
    );
    expect(full).toEqual({
      status: 400,
      body: {
        code: -1008,
        msg: 'The exchange holds as many open orders as it can; try again once some have closed.',
      },
    });
    expect(state.orders.size).toBe(0);
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
