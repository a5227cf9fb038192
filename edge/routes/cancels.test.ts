// DELETE /api/v3/order and /openOrders, cancel-replace with both halves reported, amend keeping priority, and
// POST /api/v3/order/test, in memory over the core as the matcher.

import { describe, expect, it } from 'vitest';
import { harness } from './test-harness.ts';

const LIMIT = 'symbol=BTCUSDT&type=LIMIT&timeInForce=GTC';

describe('DELETE /api/v3/order', () => {
  it('cancels by orderId or by clientOrderId and reports the order as cancelled', async () => {
    const { call, state } = harness();
    await call('POST', 1, `${LIMIT}&side=BUY&quantity=1&price=100&newClientOrderId=a`);
    await call('POST', 1, `${LIMIT}&side=BUY&quantity=1&price=101&newClientOrderId=b`);
    const byId = await call('DELETE', 1, 'symbol=BTCUSDT&orderId=1&newClientOrderId=c1');
    expect(byId.body).toMatchObject({
      symbol: 'BTCUSDT',
      orderId: 1,
      origClientOrderId: 'a',
      clientOrderId: 'c1',
      status: 'CANCELED',
      price: '100.00000000',
    });
    const byCid = await call('DELETE', 1, 'symbol=BTCUSDT&origClientOrderId=b');
    expect(byCid.body).toMatchObject({ orderId: 2, status: 'CANCELED' });
    expect(state.orders.size).toBe(0);
  });

  it('answers -2011 for an order it does not know, or of another account, and -1102 without an id', async () => {
    const { call } = harness();
    await call('POST', 1, `${LIMIT}&side=BUY&quantity=1&price=100`);
    const unknown = { status: 400, body: { code: -2011, msg: 'Unknown order sent.' } };
    expect(await call('DELETE', 1, 'symbol=BTCUSDT&orderId=42')).toEqual(unknown);
    expect(await call('DELETE', 2, 'symbol=BTCUSDT&orderId=1')).toEqual(unknown);
    expect((await call('DELETE', 1, 'symbol=BTCUSDT')).body.code).toBe(-1102);
  });
});

describe('cancelRestrictions', () => {
  it('cancels only an order in the named state, else -2011 and nothing changes', async () => {
    const { call, state } = harness();
    await call('POST', 1, `${LIMIT}&side=BUY&quantity=1&price=100&newClientOrderId=n`);
    const refused = await call(
      'DELETE',
      1,
      'symbol=BTCUSDT&origClientOrderId=n&cancelRestrictions=ONLY_PARTIALLY_FILLED',
    );
    expect(refused).toEqual({
      status: 400,
      body: { code: -2011, msg: 'Order was not canceled due to cancel restrictions.' },
    });
    expect(state.orders.size).toBe(1);
    expect(
      (await call('DELETE', 1, 'symbol=BTCUSDT&origClientOrderId=n&cancelRestrictions=SOMETIMES')).body.code,
    ).toBe(-1100);
    const ok = await call('DELETE', 1, 'symbol=BTCUSDT&origClientOrderId=n&cancelRestrictions=ONLY_NEW');
    expect(ok.body).toMatchObject({ status: 'CANCELED' });
  });

  it('apply to the cancel of a cancel-replace', async () => {
    const { call } = harness();
    await call('POST', 1, `${LIMIT}&side=BUY&quantity=1&price=100&newClientOrderId=n`);
    const res = await call(
      'POST',
      1,
      `${LIMIT}&side=BUY&quantity=1&price=101&cancelReplaceMode=STOP_ON_FAILURE&cancelOrigClientOrderId=n&cancelRestrictions=ONLY_PARTIALLY_FILLED`,
      'order/cancelReplace',
    );
    expect(res.body).toMatchObject({
      code: -2022,
      data: {
        cancelResult: 'FAILURE',
        cancelResponse: { code: -2011, msg: 'Order was not canceled due to cancel restrictions.' },
      },
    });
  });
});

describe('X-MBX-TIME-UNIT', () => {
  it('refuses MICROSECOND rather than answering in ms', async () => {
    const { app } = harness();
    const res = await app.request('/api/v3/time', { headers: { 'X-MBX-TIME-UNIT': 'MICROSECOND' } });
    expect([res.status, ((await res.json()) as { code: number }).code]).toEqual([400, -1100]);
    expect(
      (await app.request('/api/v3/time', { headers: { 'X-MBX-TIME-UNIT': 'millisecond' } })).status,
    ).toBe(200);
  });
});

describe('DELETE /api/v3/openOrders', () => {
  it('cancels every open order of the account in the symbol, and only those', async () => {
    const { call, state } = harness();
    await call('POST', 1, `${LIMIT}&side=BUY&quantity=1&price=100`);
    await call('POST', 1, `${LIMIT}&side=SELL&quantity=1&price=40000`);
    await call('POST', 2, `${LIMIT}&side=BUY&quantity=1&price=99`);
    const res = await call('DELETE', 1, 'symbol=BTCUSDT', 'openOrders');
    expect(res.status).toBe(200);
    expect(
      (res.body as unknown as { orderId: number; status: string }[]).map((o) => [o.orderId, o.status]),
    ).toEqual([
      [1, 'CANCELED'],
      [2, 'CANCELED'],
    ]);
    expect(state.orders.size).toBe(1);
    expect(await call('DELETE', 1, 'symbol=BTCUSDT', 'openOrders')).toEqual({
      status: 400,
      body: { code: -2011, msg: 'Unknown order sent.' },
    });
  });
});

describe('POST /api/v3/order/cancelReplace', () => {
  const replace = 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=2&price=102';

  it('cancels and places in one step, reporting both', async () => {
    const { call } = harness();
    await call('POST', 1, `${LIMIT}&side=BUY&quantity=1&price=100&newClientOrderId=old`);
    const res = await call(
      'POST',
      1,
      `${replace}&cancelReplaceMode=STOP_ON_FAILURE&cancelOrigClientOrderId=old`,
      'order/cancelReplace',
    );
    expect(res).toMatchObject({
      status: 200,
      body: {
        cancelResult: 'SUCCESS',
        newOrderResult: 'SUCCESS',
        cancelResponse: { orderId: 1, status: 'CANCELED', origClientOrderId: 'old' },
        newOrderResponse: { orderId: 2, status: 'NEW', price: '102.00000000', origQty: '2.00000000' },
      },
    });
  });

  it('reports -2022 with both halves when the cancel fails and nothing is placed', async () => {
    const { call, state } = harness();
    const res = await call(
      'POST',
      1,
      `${replace}&cancelReplaceMode=STOP_ON_FAILURE&cancelOrderId=9`,
      'order/cancelReplace',
    );
    expect(res).toEqual({
      status: 400,
      body: {
        code: -2022,
        msg: 'Order cancel-replace failed.',
        data: {
          cancelResult: 'FAILURE',
          newOrderResult: 'NOT_ATTEMPTED',
          cancelResponse: { code: -2011, msg: 'Unknown order sent.' },
          newOrderResponse: null,
        },
      },
    });
    expect(state.orders.size).toBe(0);
  });

  it('reports -2021 when one half succeeds (ALLOW_FAILURE places the order anyway)', async () => {
    const { call } = harness();
    const res = await call(
      'POST',
      1,
      `${replace}&cancelReplaceMode=ALLOW_FAILURE&cancelOrderId=9`,
      'order/cancelReplace',
    );
    expect(res).toMatchObject({
      status: 400,
      body: {
        code: -2021,
        data: { cancelResult: 'FAILURE', newOrderResult: 'SUCCESS', newOrderResponse: { status: 'NEW' } },
      },
    });
  });

  it('requires cancelReplaceMode and an order to cancel', async () => {
    const { call } = harness();
    expect((await call('POST', 1, `${replace}&cancelOrderId=1`, 'order/cancelReplace')).body.code).toBe(
      -1102,
    );
    expect(
      (await call('POST', 1, `${replace}&cancelReplaceMode=ALLOW_FAILURE`, 'order/cancelReplace')).body.code,
    ).toBe(-1102);
  });
});

describe('PUT /api/v3/order/amend/keepPriority', () => {
  it('lowers the quantity in place and reports the amended order', async () => {
    const { call } = harness();
    await call('POST', 1, `${LIMIT}&side=BUY&quantity=3&price=100&newClientOrderId=x`);
    const res = await call(
      'PUT',
      1,
      'symbol=BTCUSDT&origClientOrderId=x&newQty=1.5',
      'order/amend/keepPriority',
    );
    expect(res).toMatchObject({
      status: 200,
      body: {
        amendedOrder: {
          orderId: 1,
          qty: '1.50000000',
          status: 'NEW',
          clientOrderId: 'x',
          origClientOrderId: 'x',
        },
      },
    });
    expect(typeof res.body.executionId).toBe('number');
    const up = await call('PUT', 1, 'symbol=BTCUSDT&orderId=1&newQty=5', 'order/amend/keepPriority');
    expect(up.status).toBe(400);
  });
});

describe('POST /api/v3/order/test', () => {
  it('validates like a new order and places nothing', async () => {
    const { call, sent } = harness();
    expect(await call('POST', 1, `${LIMIT}&side=BUY&quantity=1&price=100`, 'order/test')).toEqual({
      status: 200,
      body: {},
    });
    expect(
      (await call('POST', 1, `${LIMIT}&side=BUY&quantity=1&price=100.001`, 'order/test')).body.code,
    ).toBe(-1013);
    // BTCUSDT's NOTIONAL filter: at least 1 USDT.
    expect((await call('POST', 1, `${LIMIT}&side=BUY&quantity=0.0001&price=100`, 'order/test')).body).toEqual(
      {
        code: -1013,
        msg: 'Filter failure: NOTIONAL',
      },
    );
    expect(sent).toEqual([]);
  });
});
