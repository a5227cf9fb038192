// Commission rates on the real stack (matcher on Postgres and Redis, the wired app): fee tiers set through the
// admin API are committed by the matcher and read back from Postgres by GET /api/v3/account (the account-wide
// tier), GET /api/v3/account/commission and POST /api/v3/order/test?computeCommissionRates=true, resolved as the
// matcher resolves them (matcher/core/fees.ts feesOf on its live state), with Binance's weights and errors.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feesOf } from '../../matcher/core/fees.ts';
import { formatUnits } from '../money.ts';
import { type Stack, startStack } from './test-stack.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack(3);
}, 60_000);

afterAll(async () => stack?.close());

const ZERO = '0.00000000';
const rates = (maker: string, taker: string) => ({ maker, taker, buyer: ZERO, seller: ZERO });

/** The rates the matcher charges the account on the market, from its live state. */
function charged(accountId: number, symbol: string) {
  const state = stack.matcher().state!;
  const fees = feesOf(state.accounts.get(accountId)!, state.markets.get(symbol)!);
  return { maker: formatUnits(BigInt(fees.makerFee)), taker: formatUnits(BigInt(fees.takerFee)) };
}

async function commission(accountId: number, symbol: string) {
  const res = await stack.call('GET', accountId, 'account/commission', { symbol });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { standardCommission: { maker: string; taker: string } };
}

const used = (headers: Headers) => Number(headers.get('x-mbx-used-weight-1m'));

describe('commission rates from the committed fee tiers', () => {
  beforeAll(async () => {
    // 2: an account-wide tier of 0.05 % and 0.075 %; 3: account-wide 0.02 % and 0.04 %, BTCUSDT 0 and 0.01 %.
    await stack.admin('PUT', 'accounts/2/fees', { makerFee: '0.0005', takerFee: '0.00075' });
    await stack.admin('PUT', 'accounts/3/fees', { makerFee: '0.0002', takerFee: '0.0004' });
    await stack.admin('PUT', 'accounts/3/fees', { symbol: 'BTCUSDT', makerFee: '0', takerFee: '0.0001' });
  });

  it('GET /api/v3/account reports the account-wide tier in basis points and exactly, else 0', async () => {
    const account = async (id: number) => (await stack.call('GET', id, 'account')).body;
    expect(await account(1)).toMatchObject({
      makerCommission: 0,
      takerCommission: 0,
      buyerCommission: 0,
      sellerCommission: 0,
      commissionRates: rates(ZERO, ZERO),
    });
    // 0.075 % is 7.5 basis points: the integer rounds up, the rate is exact.
    expect(await account(2)).toMatchObject({
      makerCommission: 5,
      takerCommission: 8,
      buyerCommission: 0,
      sellerCommission: 0,
      commissionRates: rates('0.00050000', '0.00075000'),
    });
    // Its BTCUSDT tier is not account-wide.
    expect(await account(3)).toMatchObject({
      makerCommission: 2,
      takerCommission: 4,
      commissionRates: rates('0.00020000', '0.00040000'),
    });
  });

  it('GET /api/v3/account/commission: market tier, else account-wide tier, else the market, as the matcher', async () => {
    expect((await stack.call('GET', 1, 'account/commission', { symbol: 'BTCUSDT' })).body).toEqual({
      symbol: 'BTCUSDT',
      standardCommission: rates('0.00100000', '0.00200000'),
      taxCommission: rates(ZERO, ZERO),
      discount: { enabledForAccount: false, enabledForSymbol: false, discountAsset: 'BNB', discount: ZERO },
    });
    const expected: Record<string, [string, string]> = {
      '1 BTCUSDT': ['0.00100000', '0.00200000'],
      '1 ETHUSDT': [ZERO, '0.00100000'],
      '2 BTCUSDT': ['0.00050000', '0.00075000'],
      '2 ETHUSDT': ['0.00050000', '0.00075000'],
      '3 BTCUSDT': [ZERO, '0.00010000'],
      '3 ETHUSDT': ['0.00020000', '0.00040000'],
    };
    for (const [key, [maker, taker]] of Object.entries(expected)) {
      const [id, symbol] = key.split(' ') as [string, string];
      const body = await commission(Number(id), symbol);
      expect(body.standardCommission, key).toEqual(rates(maker, taker));
      expect(body.standardCommission, key).toMatchObject(charged(Number(id), symbol));
    }
  });

  it('follows tiers as they are removed: back to the account-wide tier, then to the market', async () => {
    await stack.admin('PUT', 'accounts/3/fees', { symbol: 'BTCUSDT', makerFee: null, takerFee: null });
    expect((await commission(3, 'BTCUSDT')).standardCommission).toEqual(rates('0.00020000', '0.00040000'));
    expect((await commission(3, 'BTCUSDT')).standardCommission).toMatchObject(charged(3, 'BTCUSDT'));
    await stack.admin('PUT', 'accounts/3/fees', { makerFee: null, takerFee: null });
    expect((await commission(3, 'BTCUSDT')).standardCommission).toEqual(rates('0.00100000', '0.00200000'));
    expect((await stack.call('GET', 3, 'account')).body).toMatchObject({
      makerCommission: 0,
      takerCommission: 0,
    });
    // Put back for the tests after this one.
    await stack.admin('PUT', 'accounts/3/fees', { makerFee: '0.0002', takerFee: '0.0004' });
  });

  it('weighs 20, is USER_DATA, and answers -1121 for an unknown symbol and -1102 without one', async () => {
    const first = await stack.call('GET', 1, 'account/commission', { symbol: 'ETHUSDT' });
    const second = await stack.call('GET', 1, 'account/commission', { symbol: 'ETHUSDT' });
    expect(used(second.headers) - used(first.headers)).toBe(20);
    expect(await stack.call('GET', 1, 'account/commission', { symbol: 'NOPE' })).toMatchObject({
      status: 400,
      body: { code: -1121, msg: 'Invalid symbol.' },
    });
    expect(await stack.call('GET', 1, 'account/commission')).toMatchObject({
      status: 400,
      body: { code: -1102 },
    });
    const unsigned = await stack.app.request('/api/v3/account/commission?symbol=BTCUSDT');
    expect([unsigned.status, ((await unsigned.json()) as { code: number }).code]).toEqual([401, -2014]);
  });
});

describe('POST /api/v3/order/test with computeCommissionRates', () => {
  const order = {
    symbol: 'ETHUSDT',
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity: '1',
    price: '2000',
  };

  it("answers the order's rates, weighs 20 (query string or body), and places nothing", async () => {
    const state = stack.matcher().state!;
    const [seq, nextOrderId] = [state.seq, state.nextOrderId];
    const plain = await stack.call('POST', 3, 'order/test', order);
    expect([plain.status, plain.body]).toEqual([200, {}]);
    const inQuery = await stack.call('POST', 3, 'order/test', { ...order, computeCommissionRates: 'true' });
    expect(inQuery.status).toBe(200);
    expect(inQuery.body).toEqual({
      standardCommissionForOrder: { maker: '0.00020000', taker: '0.00040000' },
      taxCommissionForOrder: { maker: ZERO, taker: ZERO },
      discount: { enabledForAccount: false, enabledForSymbol: false, discountAsset: 'BNB', discount: ZERO },
    });
    expect(used(inQuery.headers) - used(plain.headers)).toBe(20);
    const inBody = await stack.call(
      'POST',
      3,
      'order/test',
      { ...order, computeCommissionRates: 'true' },
      { inBody: true },
    );
    expect(inBody.body).toEqual(inQuery.body);
    expect(used(inBody.headers) - used(inQuery.headers)).toBe(20);
    const falseInBody = await stack.call(
      'POST',
      3,
      'order/test',
      { ...order, computeCommissionRates: 'false' },
      { inBody: true },
    );
    expect(falseInBody.body).toEqual({});
    expect(used(falseInBody.headers) - used(inBody.headers)).toBe(1);
    // The market's own fees for an account without tiers.
    expect(
      (
        await stack.call('POST', 1, 'order/test', {
          ...order,
          symbol: 'BTCUSDT',
          computeCommissionRates: 'true',
        })
      ).body,
    ).toMatchObject({ standardCommissionForOrder: { maker: '0.00100000', taker: '0.00200000' } });
    expect([state.seq, state.nextOrderId]).toEqual([seq, nextOrderId]);
  });

  it('validates first: a bad order or a bad flag is refused, with no rates', async () => {
    const refused = async (params: Record<string, string>) =>
      (await stack.call('POST', 3, 'order/test', { ...params, computeCommissionRates: 'true' })).body;
    expect(await refused({ ...order, price: '2000.001' })).toEqual({
      code: -1013,
      msg: 'Filter failure: PRICE_FILTER',
    });
    expect(await refused({ ...order, symbol: 'NOPE' })).toEqual({ code: -1121, msg: 'Invalid symbol.' });
    const { side: _, ...sideless } = order;
    expect(await refused(sideless)).toMatchObject({ code: -1102 });
    const flag = await stack.call('POST', 3, 'order/test', { ...order, computeCommissionRates: 'yes' });
    expect([flag.status, (flag.body as { code: number }).code]).toEqual([400, -1100]);
  });
});
