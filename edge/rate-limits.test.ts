import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RATE_LIMITS,
  exchangeInfoRateLimits,
  ordersPlaced,
  parseRateLimits,
  requestWeight,
  UNKNOWN_ENDPOINT_WEIGHT,
} from './rate-limits.ts';

const params =
  (values: Record<string, string> = {}) =>
  (name: string): string | undefined =>
    values[name];

describe('parseRateLimits', () => {
  it("takes Binance's limits as defaults and the configured values over them", () => {
    expect(parseRateLimits({})).toEqual({ weight1m: 6000, orders10s: 100, orders1d: 200_000 });
    expect(
      parseRateLimits({
        RATE_LIMIT_WEIGHT_1M: '1200',
        RATE_LIMIT_ORDERS_10S: '',
        RATE_LIMIT_ORDERS_1D: ' 7 ',
      }),
    ).toEqual({
      weight1m: 1200,
      orders10s: 100,
      orders1d: 7,
    });
  });

  it('names the variable that is not a positive integer', () => {
    expect(() => parseRateLimits({ RATE_LIMIT_ORDERS_10S: '0' })).toThrow(/RATE_LIMIT_ORDERS_10S .*"0"/);
    expect(() => parseRateLimits({ RATE_LIMIT_WEIGHT_1M: '6e3' })).toThrow(/RATE_LIMIT_WEIGHT_1M/);
    expect(() => parseRateLimits({ RATE_LIMIT_ORDERS_1D: '-5' })).toThrow(/RATE_LIMIT_ORDERS_1D/);
  });
});

describe('exchangeInfoRateLimits', () => {
  it("announces the limits as Binance's exchangeInfo does", () => {
    expect(exchangeInfoRateLimits(DEFAULT_RATE_LIMITS)).toEqual([
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200_000 },
    ]);
  });
});

describe('requestWeight', () => {
  it('weighs fixed-weight endpoints as Binance documents them', () => {
    const table: [string, string, number][] = [
      ['GET', '/api/v3/ping', 1],
      ['GET', '/api/v3/time', 1],
      ['GET', '/api/v3/exchangeInfo', 20],
      ['GET', '/api/v3/trades', 25],
      ['GET', '/api/v3/historicalTrades', 25],
      ['GET', '/api/v3/aggTrades', 4],
      ['GET', '/api/v3/klines', 2],
      ['GET', '/api/v3/uiKlines', 2],
      ['GET', '/api/v3/avgPrice', 2],
      ['POST', '/api/v3/order', 1],
      ['GET', '/api/v3/order', 4],
      ['DELETE', '/api/v3/order', 1],
      ['DELETE', '/api/v3/openOrders', 1],
      ['POST', '/api/v3/order/cancelReplace', 1],
      ['PUT', '/api/v3/order/amend/keepPriority', 4],
      ['GET', '/api/v3/allOrders', 20],
      ['GET', '/api/v3/account', 20],
      ['GET', '/api/v3/account/commission', 20],
      ['GET', '/api/v3/rateLimit/order', 40],
      ['HEAD', '/api/v3/ping', 1],
    ];
    for (const [method, path, weight] of table)
      expect(requestWeight(method, path, params()), path).toBe(weight);
  });

  it('weighs depth by its limit', () => {
    const depth = (limit?: string) => requestWeight('GET', '/api/v3/depth', params(limit ? { limit } : {}));
    expect([depth(), depth('1'), depth('100'), depth('101'), depth('500')]).toEqual([5, 5, 5, 25, 25]);
    expect([depth('501'), depth('1000'), depth('1001'), depth('5000')]).toEqual([50, 50, 250, 250]);
  });

  it('weighs tickers by how many symbols they cover', () => {
    const symbols = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => `S${i}USDT`));
    const day = (p: Record<string, string>) => requestWeight('GET', '/api/v3/ticker/24hr', params(p));
    expect([
      day({ symbol: 'BTCUSDT' }),
      day({ symbols: symbols(20) }),
      day({ symbols: symbols(21) }),
    ]).toEqual([2, 2, 40]);
    expect([day({ symbols: symbols(100) }), day({ symbols: symbols(101) }), day({})]).toEqual([40, 80, 80]);
    for (const path of ['/api/v3/ticker/price', '/api/v3/ticker/bookTicker']) {
      expect(requestWeight('GET', path, params({ symbol: 'BTCUSDT' }))).toBe(2);
      expect(requestWeight('GET', path, params({ symbols: symbols(2) }))).toBe(4);
      expect(requestWeight('GET', path, params())).toBe(4);
    }
    for (const path of ['/api/v3/ticker/tradingDay', '/api/v3/ticker']) {
      const weigh = (n: number) => requestWeight('GET', path, params({ symbols: symbols(n) }));
      expect(requestWeight('GET', path, params({ symbol: 'BTCUSDT' }))).toBe(4);
      expect([weigh(2), weigh(50), weigh(51), weigh(100)]).toEqual([8, 200, 200, 200]);
    }
  });

  it('weighs account reads and order tests by their parameters', () => {
    expect(requestWeight('GET', '/api/v3/openOrders', params({ symbol: 'BTCUSDT' }))).toBe(6);
    expect(requestWeight('GET', '/api/v3/openOrders', params())).toBe(80);
    expect(requestWeight('GET', '/api/v3/myTrades', params({ symbol: 'BTCUSDT' }))).toBe(20);
    expect(requestWeight('GET', '/api/v3/myTrades', params({ symbol: 'BTCUSDT', orderId: '5' }))).toBe(5);
    expect(requestWeight('POST', '/api/v3/order/test', params())).toBe(1);
    expect(requestWeight('POST', '/api/v3/order/test', params({ computeCommissionRates: 'true' }))).toBe(20);
  });

  it('charges unknown endpoints too', () => {
    expect(requestWeight('GET', '/api/v3/nothing', params())).toBe(UNKNOWN_ENDPOINT_WEIGHT);
    expect(requestWeight('POST', '/api/v3/ping', params())).toBe(UNKNOWN_ENDPOINT_WEIGHT);
  });
});

describe('ordersPlaced', () => {
  it('counts new orders and cancel-replaces, not tests, cancels or amends', () => {
    expect(ordersPlaced('POST', '/api/v3/order')).toBe(1);
    expect(ordersPlaced('POST', '/api/v3/order/cancelReplace')).toBe(1);
    for (const [method, path] of [
      ['POST', '/api/v3/order/test'],
      ['DELETE', '/api/v3/order'],
      ['PUT', '/api/v3/order/amend/keepPriority'],
      ['GET', '/api/v3/order'],
    ] as const) {
      expect(ordersPlaced(method, path), `${method} ${path}`).toBe(0);
    }
  });
});
