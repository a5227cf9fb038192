// New orders: POST /api/v3/order and POST /api/v3/order/test. Handlers are thin: parse the parameters exactly
// against the market's filters, send the command to the matcher, answer in Binance's shape from the reply,
// which leaves the matcher only after the order's effects are committed.

import { Hono } from 'hono';
import type { SendCommand } from '../../matcher/client.ts';
import { checkOrder, type Lots, type PlaceOrder, type Ticks, type Units } from '../../matcher/core/index.ts';
import type { OrderTags } from '../../matcher/wire.ts';
import { effectiveFees, type FeeReads, NO_DISCOUNT, rateText } from '../commission.ts';
import type { EdgeEnv } from '../context.ts';
import { isRejection } from '../errors.ts';
import { newOrderJson, workingOf } from '../format.ts';
import { BinanceHttpError, illegal } from '../http-error.ts';
import type { MarketCatalog, MarketInfo } from '../markets.ts';
import { marketOf, oneOf, optionalInt, type Params, required, settled, steps, units } from '../params.ts';

export interface OrderRoutesDeps {
  markets: MarketCatalog;
  send: SendCommand;
  /** A new clientOrderId when the request names none (Binance generates one). */
  newClientOrderId(): string;
  /** For order/test's computeCommissionRates. */
  fees: FeeReads;
}

export const RESP_TYPES = ['ACK', 'RESULT', 'FULL'] as const;
export type RespType = (typeof RESP_TYPES)[number];
const UNSUPPORTED = ['icebergQty', 'pegPriceType', 'pegOffsetValue', 'pegOffsetType'];

/** A new order as a request describes it: the command, and the labels that travel beside it (none: undefined). */
export interface NewOrder {
  command: PlaceOrder;
  tags: OrderTags | undefined;
}

/**
 * The order a request describes, parsed against its market (also the new order of a cancel-replace, whose
 * parameters have the same names). Side, type, timeInForce and STP mode go to the core as sent; it answers
 * unknown values with its own codes.
 */
export function orderFrom(p: Params, market: MarketInfo, accountId: number, clientOrderId: string): NewOrder {
  for (const name of UNSUPPORTED) {
    if (p.has(name)) throw new BinanceHttpError(400, -1106, `Parameter '${name}' sent when not required.`);
  }
  const m = market.definition;
  const command: PlaceOrder = {
    type: 'placeOrder',
    accountId,
    symbol: m.symbol,
    side: required(p, 'side') as PlaceOrder['side'],
    orderType: required(p, 'type') as PlaceOrder['orderType'],
    clientOrderId: p.get('newClientOrderId') ?? clientOrderId,
    timestamp: 0, // the matcher stamps it
  };
  const tif = p.get('timeInForce');
  if (tif !== undefined) command.timeInForce = tif as PlaceOrder['timeInForce'];
  const price = steps(p, 'price', m.tickSize, 'PRICE_FILTER');
  if (price !== undefined) command.price = price as Ticks;
  const stopPrice = steps(p, 'stopPrice', m.tickSize, 'PRICE_FILTER');
  if (stopPrice !== undefined) command.stopPrice = stopPrice as Ticks;
  const trailingDelta = optionalInt(p, 'trailingDelta');
  // BIPS: a LONG, and positive (no distance is nothing to trail by); the core checks the type and the filter.
  if (trailingDelta === 0) throw illegal('trailingDelta');
  if (trailingDelta !== undefined) command.trailingDelta = trailingDelta;
  const quantity = steps(p, 'quantity', m.stepSize, 'LOT_SIZE');
  if (quantity !== undefined) command.quantity = quantity as Lots;
  const quote = units(p, 'quoteOrderQty');
  if (quote !== undefined) command.quoteOrderQty = quote as Units;
  const stp = p.get('selfTradePreventionMode');
  if (stp !== undefined) command.selfTradePreventionMode = stp as PlaceOrder['selfTradePreventionMode'];
  return { command, tags: tagsOf(p) };
}

/** Binance's strategyType: an INT, the values below 1000000 reserved. */
export const MIN_STRATEGY_TYPE = 1_000_000;
export const MAX_STRATEGY_TYPE = 2 ** 31 - 1;

/** strategyId (any integer up to 2^53 - 1 here) and strategyType, for the order to keep. */
function tagsOf(p: Params): OrderTags | undefined {
  const strategyId = optionalInt(p, 'strategyId');
  const strategyType = optionalInt(p, 'strategyType');
  if (strategyType !== undefined && (strategyType < MIN_STRATEGY_TYPE || strategyType > MAX_STRATEGY_TYPE)) {
    throw new BinanceHttpError(
      400,
      -1100,
      `Illegal characters found in parameter 'strategyType'; legal range is '${MIN_STRATEGY_TYPE}' to '${MAX_STRATEGY_TYPE}'.`,
    );
  }
  if (strategyId === undefined && strategyType === undefined) return undefined;
  return {
    ...(strategyId === undefined ? {} : { strategyId }),
    ...(strategyType === undefined ? {} : { strategyType }),
  };
}

/** newOrderRespType, defaulting as Binance does: FULL for MARKET and LIMIT, ACK for the others. */
export const respTypeOf = (p: Params): RespType =>
  oneOf(p, 'newOrderRespType', RESP_TYPES) ??
  (p.get('type') === 'MARKET' || p.get('type') === 'LIMIT' ? 'FULL' : 'ACK');

export function orderRoutes(deps: OrderRoutesDeps): Hono<EdgeEnv> {
  const app = new Hono<EdgeEnv>();

  app.post('/order', async (c) => {
    const p = c.var.params;
    const market = await marketOf(deps.markets, p.get('symbol'));
    const { command, tags } = orderFrom(p, market, c.var.principal.accountId, deps.newClientOrderId());
    const respType = respTypeOf(p);
    const reply = settled(await deps.send(command, tags === undefined ? undefined : { tags }));
    const { code, order, detail } = reply.result;
    if (isRejection(code)) throw BinanceHttpError.rejected(code, detail);
    if (order === undefined) throw new Error('an accepted order without its order in the reply');
    const view = { ...order, isWorking: workingOf(order), ...tags };
    return c.json(newOrderJson(view, market.definition, reply.time, respType, reply.trades ?? []));
  });

  // Validates like a new order (shape, market status, filters against the last committed price) and stops
  // there, as Binance's does: no balance check, nothing sent to the matcher. With computeCommissionRates, the
  // rates the order's trades would pay, as GET /api/v3/account/commission resolves them.
  app.post('/order/test', async (c) => {
    const p = c.var.params;
    const market = await marketOf(deps.markets, p.get('symbol'));
    const accountId = c.var.principal.accountId;
    const { command } = orderFrom(p, market, accountId, deps.newClientOrderId());
    respTypeOf(p);
    const compute = oneOf(p, 'computeCommissionRates', ['true', 'false'] as const) === 'true';
    const m = market.definition;
    const code = checkOrder({ definition: m, status: market.status, lastPrice: market.lastPrice }, command);
    if (isRejection(code)) throw BinanceHttpError.rejected(code);
    if (!compute) return c.json({});
    const fees = effectiveFees(await deps.fees.accountFeeTiers(accountId, m.symbol), m);
    const zero = rateText(0);
    return c.json({
      standardCommissionForOrder: { maker: rateText(fees.makerFee), taker: rateText(fees.takerFee) },
      taxCommissionForOrder: { maker: zero, taker: zero },
      discount: NO_DISCOUNT,
    });
  });

  return app;
}
