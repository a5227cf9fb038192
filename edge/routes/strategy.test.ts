// strategyId and strategyType on the real stack (matcher on Postgres and Redis, the wired app): they travel
// beside the command, the matcher stores them with the order it places, and the order responses (RESULT, FULL,
// not ACK), GET /api/v3/order, /openOrders and /allOrders echo them only when the request gave them; they stay
// through later fills, a matcher restart and a cancel-replace's new order. Out-of-range values are -1100 and
// change nothing.

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../db/client.ts';
import { type Stack, startStack } from './test-stack.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack(3);
}, 60_000);

afterAll(async () => stack?.close());

type Body = Record<string, unknown>;

const limit = (side: string, quantity: string, price: string, extra: Record<string, string> = {}) => ({
  symbol: 'BTCUSDT',
  side,
  type: 'LIMIT',
  timeInForce: 'GTC',
  quantity,
  price,
  ...extra,
});

async function ok(method: string, account: number, path: string, params: Record<string, string>) {
  const res = await stack.call(method, account, path, params);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Body;
}

const tagsOf = (body: Body) => ({ strategyId: body.strategyId, strategyType: body.strategyType });
const NONE = { strategyId: undefined, strategyType: undefined };

async function stored(orderId: number) {
  const [row] = await rowsOf(
    stack.database.db,
    sql`select strategy_id, strategy_type from orders where order_id = ${orderId}`,
  );
  return row;
}

describe('strategyId and strategyType', () => {
  it('are echoed by RESULT and FULL (not ACK) and by every order read, only when given', async () => {
    const tagged = { strategyId: '37463720', strategyType: '1000000' };
    const result = await ok('POST', 1, 'order', {
      ...limit('SELL', '1', '40000'),
      ...tagged,
      newOrderRespType: 'RESULT',
    });
    expect(tagsOf(result)).toEqual({ strategyId: 37463720, strategyType: 1000000 });
    const full = await ok('POST', 1, 'order', { ...limit('SELL', '1', '40001'), strategyId: '5' });
    expect(full).toHaveProperty('fills');
    expect(tagsOf(full)).toEqual({ strategyId: 5, strategyType: undefined });
    const ack = await ok('POST', 1, 'order', {
      ...limit('SELL', '1', '40002'),
      ...tagged,
      newOrderRespType: 'ACK',
    });
    expect(Object.keys(ack).sort()).toEqual([
      'clientOrderId',
      'orderId',
      'orderListId',
      'symbol',
      'transactTime',
    ]);
    const plain = await ok('POST', 1, 'order', {
      ...limit('SELL', '1', '40003'),
      newOrderRespType: 'RESULT',
    });
    expect(plain).not.toHaveProperty('strategyId');
    expect(plain).not.toHaveProperty('strategyType');

    const read = async (orderId: unknown) =>
      tagsOf(await ok('GET', 1, 'order', { symbol: 'BTCUSDT', orderId: String(orderId) }));
    expect(await read(result.orderId)).toEqual({ strategyId: 37463720, strategyType: 1000000 });
    expect(await read(full.orderId)).toEqual({ strategyId: 5, strategyType: undefined });
    expect(await read(ack.orderId)).toEqual({ strategyId: 37463720, strategyType: 1000000 });
    const untagged = await ok('GET', 1, 'order', { symbol: 'BTCUSDT', orderId: String(plain.orderId) });
    expect(untagged).not.toHaveProperty('strategyId');
    expect(untagged).not.toHaveProperty('strategyType');
    const open = (await stack.call('GET', 1, 'openOrders', { symbol: 'BTCUSDT' })).body as Body[];
    const all = (await stack.call('GET', 1, 'allOrders', { symbol: 'BTCUSDT' })).body as Body[];
    for (const list of [open, all]) {
      expect(list.map(tagsOf)).toEqual([
        { strategyId: 37463720, strategyType: 1000000 },
        { strategyId: 5, strategyType: undefined },
        { strategyId: 37463720, strategyType: 1000000 },
        NONE,
      ]);
    }
    expect(await stored(plain.orderId as number)).toEqual({ strategy_id: null, strategy_type: null });
  });

  it('label each order of a batch as its own request did', async () => {
    // Sent together, so that the matcher takes several in one batch (one group commit).
    const placed = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        ok('POST', 2, 'order', {
          ...limit('BUY', '0.01', String(20000 + i)),
          ...(i % 3 === 0 ? {} : { strategyId: String(1000 + i) }),
          ...(i % 2 === 0 ? { strategyType: String(2_000_000 + i) } : {}),
          newOrderRespType: 'ACK',
        }),
      ),
    );
    for (const [i, order] of placed.entries()) {
      const read = await ok('GET', 2, 'order', { symbol: 'BTCUSDT', orderId: String(order.orderId) });
      expect(tagsOf(read), `order ${i}`).toEqual({
        strategyId: i % 3 === 0 ? undefined : 1000 + i,
        strategyType: i % 2 === 0 ? 2_000_000 + i : undefined,
      });
    }
    await ok('DELETE', 2, 'openOrders', { symbol: 'BTCUSDT' });
  });

  it('stay through later fills and a matcher restart', async () => {
    const maker = await ok('POST', 3, 'order', {
      ...limit('SELL', '1', '30000'),
      strategyId: '77',
      strategyType: '1000001',
      newOrderRespType: 'ACK',
    });
    const read = () => ok('GET', 3, 'order', { symbol: 'BTCUSDT', orderId: String(maker.orderId) });
    await ok('POST', 2, 'order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.4' });
    expect(await read()).toMatchObject({ status: 'PARTIALLY_FILLED', strategyId: 77, strategyType: 1000001 });
    await stack.restartMatcher();
    await ok('POST', 2, 'order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.6' });
    expect(await read()).toMatchObject({ status: 'FILLED', strategyId: 77, strategyType: 1000001 });
    expect(await stored(maker.orderId as number)).toEqual({ strategy_id: '77', strategy_type: '1000001' });
  });

  it("label a cancel-replace's new order, and leave the canceled one as it was", async () => {
    const old = await ok('POST', 3, 'order', { ...limit('BUY', '1', '25000'), newOrderRespType: 'ACK' });
    const replaced = await ok('POST', 3, 'order/cancelReplace', {
      ...limit('BUY', '1', '25001'),
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrderId: String(old.orderId),
      strategyId: '9',
      strategyType: '1000009',
      newOrderRespType: 'RESULT',
    });
    const created = replaced.newOrderResponse as Body;
    expect(tagsOf(created)).toEqual({ strategyId: 9, strategyType: 1000009 });
    expect(
      tagsOf(await ok('GET', 3, 'order', { symbol: 'BTCUSDT', orderId: String(created.orderId) })),
    ).toEqual({ strategyId: 9, strategyType: 1000009 });
    const canceled = await ok('GET', 3, 'order', { symbol: 'BTCUSDT', orderId: String(old.orderId) });
    expect(canceled).toMatchObject({ status: 'CANCELED' });
    expect(tagsOf(canceled)).toEqual(NONE);
  });

  it('out of range: -1100, on new orders, tests and cancel-replaces alike, and nothing changes', async () => {
    const state = stack.matcher().state!;
    const [seq, nextOrderId] = [state.seq, state.nextOrderId];
    const bad: Record<string, string>[] = [
      { strategyType: '999999' },
      { strategyType: '2147483648' },
      { strategyId: '-1' },
      { strategyId: '1.5' },
      { strategyId: '9007199254740992' },
    ];
    for (const params of bad) {
      for (const path of ['order', 'order/test']) {
        const res = await stack.call('POST', 1, path, { ...limit('BUY', '1', '100'), ...params });
        expect([path, params, res.status, (res.body as Body).code]).toEqual([path, params, 400, -1100]);
      }
      const res = await stack.call('POST', 1, 'order/cancelReplace', {
        ...limit('BUY', '1', '100'),
        cancelReplaceMode: 'ALLOW_FAILURE',
        cancelOrderId: '1',
        ...params,
      });
      expect([params, res.status, (res.body as Body).code]).toEqual([params, 400, -1100]);
    }
    expect(
      await stack.call('POST', 1, 'order', { ...limit('BUY', '1', '100'), strategyType: '999999' }),
    ).toMatchObject({
      body: {
        code: -1100,
        msg: "Illegal characters found in parameter 'strategyType'; legal range is '1000000' to '2147483647'.",
      },
    });
    expect([state.seq, state.nextOrderId]).toEqual([seq, nextOrderId]);
  });
});
