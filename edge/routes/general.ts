// General endpoints: GET /api/v3/ping, /api/v3/time and /api/v3/exchangeInfo, and the probes /healthz (the
// process is alive) and /readyz (Redis, Postgres and a recovered matcher answer).

import { Hono } from 'hono';
import { type MarketDefinition, ORDER_TYPES } from '../../matcher/core/index.ts';
import type { EdgeEnv } from '../context.ts';
import { BinanceHttpError } from '../http-error.ts';
import type { MarketCatalog, MarketInfo } from '../markets.ts';
import { formatSteps, formatUnits } from '../money.ts';
import { queryParams, symbolsOf } from '../params.ts';

export interface GeneralRoutesDeps {
  markets: MarketCatalog;
  now(): number;
  /** exchangeInfo's rateLimits, as configured. */
  rateLimits(): unknown[];
  /** Each dependency's readiness: a name and whether it answers. */
  readiness(): Promise<Record<string, boolean>>;
}

export function generalRoutes(deps: GeneralRoutesDeps): Hono<EdgeEnv> {
  const app = new Hono<EdgeEnv>();

  app.get('/api/v3/ping', (c) => c.json({}));
  app.get('/api/v3/time', (c) => c.json({ serverTime: deps.now() }));

  app.get('/api/v3/exchangeInfo', async (c) => {
    const wanted = symbolsOf(queryParams(c.req.url));
    const all = await deps.markets.all();
    let markets = all;
    if (wanted !== undefined) {
      const bySymbol = new Map(all.map((m) => [m.definition.symbol, m]));
      markets = wanted.map((s) => {
        const m = bySymbol.get(s);
        if (m === undefined) throw new BinanceHttpError(400, -1121, 'Invalid symbol.');
        return m;
      });
    }
    return c.json({
      timezone: 'UTC',
      serverTime: deps.now(),
      rateLimits: deps.rateLimits(),
      exchangeFilters: [],
      symbols: markets.map(symbolJson),
    });
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const checks = await deps.readiness();
    const ready = Object.values(checks).every(Boolean);
    return c.json({ status: ready ? 'ready' : 'not ready', checks }, ready ? 200 : 503);
  });

  return app;
}

function symbolJson({ definition: m, status }: MarketInfo) {
  return {
    symbol: m.symbol,
    status,
    baseAsset: m.baseAsset,
    baseAssetPrecision: 8,
    quoteAsset: m.quoteAsset,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ORDER_TYPES,
    icebergAllowed: false,
    ocoAllowed: false,
    otoAllowed: false,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    amendAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: filtersOf(m),
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: m.defaultSelfTradePreventionMode,
    allowedSelfTradePreventionModes: m.allowedSelfTradePreventionModes,
  };
}

function filtersOf(m: MarketDefinition) {
  const filters: Record<string, unknown>[] = [
    {
      filterType: 'PRICE_FILTER',
      minPrice: formatSteps(m.minPrice, m.tickSize),
      maxPrice: formatSteps(m.maxPrice, m.tickSize),
      tickSize: formatUnits(m.tickSize),
    },
    {
      filterType: 'LOT_SIZE',
      minQty: formatSteps(m.minQty, m.stepSize),
      maxQty: formatSteps(m.maxQty, m.stepSize),
      stepSize: formatUnits(m.stepSize),
    },
    {
      filterType: 'MARKET_LOT_SIZE',
      minQty: formatSteps(m.marketMinQty, m.stepSize),
      maxQty: formatSteps(m.marketMaxQty, m.stepSize),
      stepSize: formatUnits(m.stepSize),
    },
    {
      filterType: 'TRAILING_DELTA',
      minTrailingAboveDelta: m.minTrailingAboveDelta,
      maxTrailingAboveDelta: m.maxTrailingAboveDelta,
      minTrailingBelowDelta: m.minTrailingBelowDelta,
      maxTrailingBelowDelta: m.maxTrailingBelowDelta,
    },
    {
      filterType: 'NOTIONAL',
      minNotional: formatUnits(m.minNotional),
      applyMinToMarket: m.applyMinToMarket,
      maxNotional: formatUnits(m.maxNotional),
      applyMaxToMarket: m.applyMaxToMarket,
      // The reference is the last trade price, not an average (documented difference).
      avgPriceMins: 0,
    },
  ];
  const band = m.priceBand;
  if (band !== null) {
    filters.push({
      filterType: 'PERCENT_PRICE_BY_SIDE',
      bidMultiplierUp: formatUnits(BigInt(band.bidMultiplierUp)),
      bidMultiplierDown: formatUnits(BigInt(band.bidMultiplierDown)),
      askMultiplierUp: formatUnits(BigInt(band.askMultiplierUp)),
      askMultiplierDown: formatUnits(BigInt(band.askMultiplierDown)),
      avgPriceMins: 0,
    });
  }
  filters.push({ filterType: 'MAX_NUM_ORDERS', maxNumOrders: m.maxNumOrders });
  filters.push({ filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: m.maxNumAlgoOrders });
  return filters;
}
