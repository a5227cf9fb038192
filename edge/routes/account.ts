// Account reads (USER_DATA): GET /api/v3/order, /openOrders, /allOrders, /myTrades, /account and
// /account/commission, served from Postgres, which holds every acknowledged command's effects (a reply leaves the
// matcher only after its commit).

import { Hono } from 'hono';
import type {
  AccountTrade,
  HistoryQuery,
  OrderQuery,
  OrderRow,
} from '../../db/repositories/account-reads.ts';
import type { MarketDefinition } from '../../matcher/core/index.ts';
import {
  basisPoints,
  effectiveFees,
  type FeeReads,
  NO_DISCOUNT,
  NO_TAX,
  standardCommission,
} from '../commission.ts';
import type { EdgeEnv } from '../context.ts';
import { type OrderView, orderJson } from '../format.ts';
import { BinanceHttpError } from '../http-error.ts';
import type { MarketCatalog } from '../markets.ts';
import type { Limiter } from '../middleware/rate-limit/index.ts';
import { formatSteps, formatUnits } from '../money.ts';
import { marketOf, optionalInt, orderTarget } from '../params.ts';

/** The reads the routes need (db/repositories/account-reads.ts bound to a database). */
export interface AccountReads {
  findOrder(q: OrderQuery): Promise<OrderRow | undefined>;
  openOrders(accountId: number, symbol?: string): Promise<OrderRow[]>;
  allOrders(q: HistoryQuery): Promise<OrderRow[]>;
  accountTrades(q: HistoryQuery & { orderId?: number }): Promise<AccountTrade[]>;
  accountBalances(accountId: number): Promise<{ asset: string; free: bigint; locked: bigint }[]>;
}

export interface AccountRoutesDeps {
  markets: MarketCatalog;
  reads: AccountReads;
  fees: FeeReads;
  now(): number;
  /** Read (weight 0, no orders) for GET /api/v3/rateLimit/order. */
  limiter: Limiter;
}

export function accountRoutes(deps: AccountRoutesDeps): Hono<EdgeEnv> {
  const app = new Hono<EdgeEnv>();
  const market = async (symbol: string | undefined): Promise<MarketDefinition> =>
    (await marketOf(deps.markets, symbol)).definition;
  const definitions = async () =>
    new Map((await deps.markets.all()).map((m) => [m.definition.symbol, m.definition]));

  app.get('/order', async (c) => {
    const p = c.var.params;
    const m = await market(p.get('symbol'));
    const row = await deps.reads.findOrder({
      accountId: c.var.principal.accountId,
      symbol: m.symbol,
      ...orderTarget(p, 'orderId', 'origClientOrderId'),
    });
    if (row === undefined) throw new BinanceHttpError(400, -2013, 'Order does not exist.');
    return c.json(orderJson(viewOf(row), m));
  });

  app.get('/openOrders', async (c) => {
    const symbol = c.var.params.get('symbol');
    const m = symbol === undefined ? undefined : await market(symbol);
    const rows = await deps.reads.openOrders(c.var.principal.accountId, m?.symbol);
    const all = await definitions();
    return c.json(rows.map((r) => orderJson(viewOf(r), all.get(r.symbol)!)));
  });

  app.get('/allOrders', async (c) => {
    const p = c.var.params;
    const m = await market(p.get('symbol'));
    const rows = await deps.reads.allOrders({
      accountId: c.var.principal.accountId,
      symbol: m.symbol,
      ...history(p, 'orderId'),
    });
    return c.json(rows.map((r) => orderJson(viewOf(r), m)));
  });

  app.get('/myTrades', async (c) => {
    const p = c.var.params;
    const m = await market(p.get('symbol'));
    const orderId = optionalInt(p, 'orderId');
    const trades = await deps.reads.accountTrades({
      accountId: c.var.principal.accountId,
      symbol: m.symbol,
      ...history(p, 'fromId'),
      ...(orderId === undefined ? {} : { orderId }),
    });
    return c.json(trades.map((t) => tradeJson(t, m)));
  });

  // The account's order counts in the current windows, as Binance reports them.
  app.get('/rateLimit/order', async (c) => {
    const hit = await deps.limiter.hit({
      ip: c.var.clientIp,
      accountId: c.var.principal.accountId,
      weight: 0,
      orders: 0,
      now: deps.now(),
    });
    const windows = [
      ['SECOND', 10, hit.usage.orders10s],
      ['DAY', 1, hit.usage.orders1d],
    ] as const;
    return c.json(
      windows.map(([interval, intervalNum, usage]) => ({
        rateLimitType: 'ORDERS',
        interval,
        intervalNum,
        limit: usage?.limit ?? 0,
        count: usage?.count ?? 0,
      })),
    );
  });

  app.get('/account', async (c) => {
    const accountId = c.var.principal.accountId;
    const omitZero = c.var.params.get('omitZeroBalances') === 'true';
    const [rows, [tier]] = await Promise.all([
      deps.reads.accountBalances(accountId),
      deps.fees.accountFeeTiers(accountId),
    ]);
    const balances = rows
      .filter((b) => !omitZero || b.free !== 0n || b.locked !== 0n)
      .map((b) => ({ asset: b.asset, free: formatUnits(b.free), locked: formatUnits(b.locked) }));
    // Binance's account-wide figures, for an endpoint that names no symbol: the account's own account-wide fee
    // tier when it has one. Without it the fees are each market's own (or the account's tier for that market),
    // so no single figure is true: 0, as before; GET /api/v3/account/commission answers per symbol.
    const fees = tier ?? { makerFee: 0, takerFee: 0 };
    return c.json({
      makerCommission: basisPoints(fees.makerFee),
      takerCommission: basisPoints(fees.takerFee),
      buyerCommission: 0,
      sellerCommission: 0,
      commissionRates: standardCommission(fees),
      canTrade: c.var.principal.permissions.includes('TRADE'),
      canWithdraw: false,
      canDeposit: false,
      brokered: false,
      requireSelfTradePrevention: false,
      preventSor: false,
      updateTime: deps.now(),
      accountType: 'SPOT',
      balances,
      permissions: ['SPOT'],
      uid: accountId,
    });
  });

  app.get('/account/commission', async (c) => {
    const m = await market(c.var.params.get('symbol'));
    const tiers = await deps.fees.accountFeeTiers(c.var.principal.accountId, m.symbol);
    return c.json({
      symbol: m.symbol,
      standardCommission: standardCommission(effectiveFees(tiers, m)),
      taxCommission: NO_TAX,
      discount: NO_DISCOUNT,
    });
  });

  return app;
}

function viewOf(r: OrderRow): OrderView {
  return {
    symbol: r.symbol,
    orderId: r.orderId,
    clientOrderId: r.clientOrderId ?? undefined,
    accountId: r.accountId,
    side: r.side as OrderView['side'],
    orderType: r.type as OrderView['orderType'],
    timeInForce: r.timeInForce as OrderView['timeInForce'],
    price: r.price as OrderView['price'],
    origQty: r.origQty as OrderView['origQty'],
    executedQty: r.executedQty as OrderView['executedQty'],
    cumQuote: r.cumQuote as OrderView['cumQuote'],
    status: r.status as OrderView['status'],
    selfTradePreventionMode: r.selfTradePreventionMode as OrderView['selfTradePreventionMode'],
    preventedQty: r.preventedQty as OrderView['preventedQty'],
    time: r.time,
    updateTime: r.updateTime,
    isWorking: r.isWorking,
    ...(r.stopPrice === 0 ? {} : { stopPrice: r.stopPrice as OrderView['price'] }),
    ...(r.origQuoteOrderQty === null
      ? {}
      : { origQuoteOrderQty: r.origQuoteOrderQty as OrderView['cumQuote'] }),
    ...(r.trailingDelta === null ? {} : { trailingDelta: r.trailingDelta }),
    ...(r.trailingTime === null ? {} : { trailingTime: r.trailingTime }),
    ...(r.strategyId === null ? {} : { strategyId: r.strategyId }),
    ...(r.strategyType === null ? {} : { strategyType: r.strategyType }),
  };
}

function tradeJson(t: AccountTrade, m: MarketDefinition) {
  return {
    symbol: t.symbol,
    id: t.tradeId,
    orderId: t.orderId,
    orderListId: -1,
    price: formatSteps(t.price, m.tickSize),
    qty: formatSteps(t.qty, m.stepSize),
    quoteQty: formatUnits(t.quoteQty),
    commission: formatUnits(t.commission),
    commissionAsset: t.isBuyer ? m.baseAsset : m.quoteAsset,
    time: t.time,
    isBuyer: t.isBuyer,
    isMaker: t.isMaker,
    isBestMatch: true,
  };
}

/** fromId (or orderId), startTime, endTime and limit (default 500, at most 1000) of a history query. */
function history(p: ReadonlyMap<string, string>, idName: 'orderId' | 'fromId') {
  const fromId = optionalInt(p, idName);
  const startTime = optionalInt(p, 'startTime');
  const endTime = optionalInt(p, 'endTime');
  const limit = optionalInt(p, 'limit') ?? 500;
  if (limit < 1 || limit > 1000)
    throw new BinanceHttpError(400, -1130, "Invalid data sent for a parameter: 'limit' must be 1 to 1000.");
  if (startTime !== undefined && endTime !== undefined && endTime - startTime > 24 * 3600_000) {
    throw new BinanceHttpError(400, -1127, 'More than 24 hours between startTime and endTime.');
  }
  return {
    ...(fromId === undefined ? {} : { fromId }),
    ...(startTime === undefined ? {} : { startTime }),
    ...(endTime === undefined ? {} : { endTime }),
    limit,
  };
}
