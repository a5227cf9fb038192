import { describe, expect, it } from 'vitest';
import { harness } from './test-harness.ts';

describe('general endpoints', () => {
  it('answers ping, time and the probes', async () => {
    const { app } = harness();
    expect(await (await app.request('/api/v3/ping')).json()).toEqual({});
    expect(await (await app.request('/api/v3/time')).json()).toEqual({ serverTime: expect.any(Number) });
    expect((await app.request('/healthz')).status).toBe(200);
    expect(await (await app.request('/readyz')).json()).toEqual({
      status: 'ready',
      checks: { matcher: true },
    });
  });

  it("describes every market with Binance's filters, or the ones asked for", async () => {
    const { app } = harness();
    const all = (await (await app.request('/api/v3/exchangeInfo')).json()) as Record<string, unknown> & {
      symbols: Record<string, unknown>[];
    };
    expect(all).toMatchObject({
      timezone: 'UTC',
      rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT' }],
      exchangeFilters: [],
    });
    expect(all.symbols.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(all.symbols[0]).toMatchObject({
      symbol: 'BTCUSDT',
      status: 'TRADING',
      baseAsset: 'BTC',
      quoteAsset: 'USDT',
      quoteOrderQtyMarketAllowed: true,
      allowTrailingStop: true,
      filters: [
        { filterType: 'PRICE_FILTER', minPrice: '0.01000000', tickSize: '0.01000000' },
        { filterType: 'LOT_SIZE', minQty: '0.00010000', stepSize: '0.00010000' },
        { filterType: 'MARKET_LOT_SIZE', minQty: '0.00010000' },
        {
          filterType: 'TRAILING_DELTA',
          minTrailingAboveDelta: 10,
          maxTrailingAboveDelta: 2000,
          minTrailingBelowDelta: 10,
          maxTrailingBelowDelta: 2000,
        },
        { filterType: 'NOTIONAL', minNotional: '1.00000000', applyMinToMarket: true },
        { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
        { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
      ],
    });
    const some = (await (await app.request('/api/v3/exchangeInfo?symbols=%5B%22ETHUSDT%22%5D')).json()) as {
      symbols: { symbol: string }[];
    };
    expect(some.symbols.map((s) => s.symbol)).toEqual(['ETHUSDT']);
    const bad = await app.request('/api/v3/exchangeInfo?symbol=NOPE');
    expect([bad.status, await bad.json()]).toEqual([400, { code: -1121, msg: 'Invalid symbol.' }]);
    expect((await app.request('/api/v3/exchangeInfo?symbols=notjson')).status).toBe(400);
  });
});
