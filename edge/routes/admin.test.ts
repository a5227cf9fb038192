// The admin API in memory: the bearer token, markets, accounts, API keys, transfers and fee overrides going
// through the (fake) matcher, and bad bodies answered without sending anything.

import { describe, expect, it } from 'vitest';
import { harness } from './test-harness.ts';

const market = {
  symbol: 'SOLUSDT',
  baseAsset: 'SOL',
  quoteAsset: 'USDT',
  tickSize: '0.01',
  stepSize: '0.001',
  minNotional: '5',
  makerFee: '0.001',
  takerFee: '0.002',
};

describe('admin API', () => {
  it('refuses a missing or wrong token', async () => {
    const { admin, sent } = harness();
    expect((await admin('POST', 'markets', market, 'wrong')).status).toBe(401);
    expect((await admin('GET', 'markets', undefined, '')).status).toBe(401);
    expect(sent).toEqual([]);
  });

  it('creates a market the API then trades, and halts and resumes it', async () => {
    const { admin, call, state } = harness();
    expect(await admin('POST', 'markets', market)).toEqual({ status: 201, body: { symbol: 'SOLUSDT' } });
    expect(state.markets.get('SOLUSDT')?.definition).toMatchObject({
      tickSize: 1_000_000n,
      stepSize: 100_000n,
      minNotional: 500_000_000n,
      makerFee: 100_000,
      takerFee: 200_000,
    });
    const listed = (await admin('GET', 'markets')).body as { symbol: string; tickSize: string }[];
    expect(listed.find((m) => m.symbol === 'SOLUSDT')).toMatchObject({
      tickSize: '0.01000000',
      takerFee: '0.00200000',
    });
    expect((await admin('POST', 'markets', market)).body).toMatchObject({ code: -1130 }); // exists
    expect(await admin('POST', 'markets/SOLUSDT/status', { status: 'HALT' })).toEqual({
      status: 200,
      body: { symbol: 'SOLUSDT', status: 'HALT' },
    });
    const halted = await call(
      'POST',
      1,
      'symbol=SOLUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=10',
    );
    expect(halted.body.code).toBe(-2010);
    await admin('POST', 'markets/SOLUSDT/status', { status: 'TRADING' });
    expect(
      (await call('POST', 1, 'symbol=SOLUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=10'))
        .status,
    ).toBe(200);
  });

  it('creates accounts and keys, moves money in and out, sets fee tiers', async () => {
    const { admin, state } = harness();
    const { body } = await admin('POST', 'accounts');
    const accountId = (body as { accountId: number }).accountId;
    expect(accountId).toBe(4);
    expect(await admin('POST', `accounts/${accountId}/api-keys`, { type: 'HMAC_SHA256' })).toEqual({
      status: 201,
      body: { apiKey: 'key1', secretKey: 'secret' },
    });
    expect((await admin('POST', 'accounts/99/api-keys', { type: 'HMAC_SHA256' })).status).toBe(404);
    expect(
      await admin('POST', `accounts/${accountId}/deposits`, { asset: 'USDT', amount: '100.5' }),
    ).toMatchObject({
      status: 200,
      body: { asset: 'USDT', amount: '100.50000000' },
    });
    expect(
      (await admin('POST', `accounts/${accountId}/withdrawals`, { asset: 'USDT', amount: '200' })).body,
    ).toMatchObject({
      code: -2010,
    });
    await admin('POST', `accounts/${accountId}/withdrawals`, { asset: 'USDT', amount: '0.5' });
    expect((await admin('GET', `accounts/${accountId}`)).body).toMatchObject({
      balances: [{ asset: 'USDT', free: '100.00000000', locked: '0.00000000' }],
      apiKeys: [{ type: 'HMAC_SHA256' }],
    });
    expect((await admin('POST', 'accounts/77/deposits', { asset: 'USDT', amount: '1' })).status).toBe(404);
    await admin('PUT', `accounts/${accountId}/fees`, { makerFee: '0', takerFee: '0.0005' });
    expect(state.accounts.get(accountId)?.feeTier).toEqual({ makerFee: 0, takerFee: 50_000 });
    await admin('PUT', `accounts/${accountId}/fees`, { makerFee: null, takerFee: null });
    expect(state.accounts.get(accountId)?.feeTier).toBeNull();
    expect(await admin('DELETE', 'api-keys/key1')).toEqual({ status: 200, body: { revoked: true } });
    expect((await admin('DELETE', 'api-keys/nope')).status).toBe(404);
  });

  it("takes a market's TRAILING_DELTA bounds, which exchangeInfo then lists", async () => {
    const { admin, app } = harness();
    const bounds = {
      minTrailingAboveDelta: 20,
      maxTrailingAboveDelta: 500,
      minTrailingBelowDelta: 30,
      maxTrailingBelowDelta: 9999,
    };
    expect((await admin('POST', 'markets', { ...market, ...bounds })).status).toBe(201);
    const info = (await (await app.request('/api/v3/exchangeInfo?symbol=SOLUSDT')).json()) as {
      symbols: { filters: { filterType: string }[] }[];
    };
    expect(info.symbols[0]!.filters.find((f) => f.filterType === 'TRAILING_DELTA')).toEqual({
      filterType: 'TRAILING_DELTA',
      ...bounds,
    });
    // The matcher checks min <= max < 10000.
    const refused = await admin('POST', 'markets', {
      ...market,
      symbol: 'XRPUSDT',
      baseAsset: 'XRP',
      minTrailingAboveDelta: 600,
      maxTrailingAboveDelta: 500,
    });
    expect(refused).toMatchObject({ status: 400, body: { code: -1130 } });
    expect((await admin('POST', 'markets', { ...market, minTrailingBelowDelta: 0 })).status).toBe(400);
  });

  it('answers malformed bodies with -1130 and sends nothing', async () => {
    const { admin, sent } = harness();
    for (const bad of [
      'not json',
      { ...market, tickSize: '0.1.2' },
      { ...market, tickSize: '0.000000001' },
      { ...market, extra: 1 },
      { ...market, symbol: 'bad symbol' },
      { ...market, minQty: '0.0001' }, // not a whole number of steps of 0.001
    ]) {
      const res = await admin('POST', 'markets', bad);
      expect([res.status, (res.body as { code: number }).code]).toEqual([400, -1130]);
    }
    expect((await admin('POST', 'accounts/1/deposits', { asset: 'USDT', amount: -1 })).status).toBe(400);
    expect((await admin('PUT', 'accounts/1/fees', { makerFee: null, takerFee: '0.1' })).status).toBe(400);
    expect(sent).toEqual([]);
  });
});
