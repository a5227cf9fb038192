// Trading: POST /api/v3/order and DELETE /api/v3/order. Handlers are thin: parse the parameters exactly against
// the market's filters, send the command to the matcher, answer in Binance's shape from the committed reply.

import { Hono } from 'hono';
import type {
  CancelOrder,
  Lots,
  MarketDefinition,
  PlaceOrder,
  Ticks,
  Units,
} from '../../matcher/core/index.ts';
import type { Outcome } from '../../matcher/client.ts';
import type { Command } from '../../matcher/core/index.ts';
import type { EdgeEnv } from '../context.ts';
import { isRejection } from '../errors.ts';
import { newOrderJson, orderJson, workingOf } from '../format.ts';
import { BinanceHttpError, illegal, missing } from '../http-error.ts';
import type { MarketCatalog } from '../markets.ts';
import { parseSteps, parseUnits } from '../money.ts';
import type { Reply } from '../../matcher/wire.ts';

export interface OrderRoutesDeps {
  markets: MarketCatalog;
  send(command: Command): Promise<Outcome>;
  /** A new clientOrderId when the request names none (Binance generates one). */
  newClientOrderId(): string;
}

const RESP_TYPES = new Set(['ACK', 'RESULT', 'FULL']);
const UNSUPPORTED = ['icebergQty', 'trailingDelta', 'pegPriceType', 'pegOffsetValue', 'pegOffsetType'];

export function orderRoutes(deps: OrderRoutesDeps): Hono<EdgeEnv> {
  const app = new Hono<EdgeEnv>();

  app.post('/order', async (c) => {
    const p = c.var.params;
    const market = await marketOf(deps.markets, p.get('symbol'));
    for (const name of UNSUPPORTED) {
      if (p.has(name)) throw new BinanceHttpError(400, -1106, `Parameter '${name}' sent when not required.`);
    }
    const m = market.definition;
    const type = required(p, 'type');
    const command: PlaceOrder = {
      type: 'placeOrder',
      accountId: c.var.principal.accountId,
      symbol: m.symbol,
      side: required(p, 'side') as PlaceOrder['side'],
      orderType: type as PlaceOrder['orderType'],
      clientOrderId: p.get('newClientOrderId') ?? deps.newClientOrderId(),
      timestamp: 0, // stamped by the matcher
    };
    const tif = p.get('timeInForce');
    if (tif !== undefined) command.timeInForce = tif as PlaceOrder['timeInForce'];
    const price = steps(p, 'price', m.tickSize, 'PRICE_FILTER');
    if (price !== undefined) command.price = price as Ticks;
    const stopPrice = steps(p, 'stopPrice', m.tickSize, 'PRICE_FILTER');
    if (stopPrice !== undefined) command.stopPrice = stopPrice as Ticks;
    const quantity = steps(p, 'quantity', m.stepSize, 'LOT_SIZE');
    if (quantity !== undefined) command.quantity = quantity as Lots;
    const quote = p.get('quoteOrderQty');
    if (quote !== undefined) {
      const parsed = parseUnits(quote);
      if (!parsed.ok) throw illegal('quoteOrderQty');
      command.quoteOrderQty = parsed.value as Units;
    }
    const stp = p.get('selfTradePreventionMode');
    if (stp !== undefined) command.selfTradePreventionMode = stp as PlaceOrder['selfTradePreventionMode'];
    const respType = p.get('newOrderRespType') ?? (type === 'MARKET' || type === 'LIMIT' ? 'FULL' : 'ACK');
    if (!RESP_TYPES.has(respType))
      throw new BinanceHttpError(400, -1100, `Illegal characters found in parameter 'newOrderRespType'.`);

    const reply = settled(await deps.send(command));
    const order = reply.result.order;
    if (isRejection(reply.result.code) || order === undefined) {
      throw BinanceHttpError.rejected(
        isRejection(reply.result.code) ? reply.result.code : 'UNKNOWN_COMMAND',
        reply.result.detail,
      );
    }
    const view = { ...order, isWorking: workingOf(order) };
    return c.json(newOrderJson(view, m, reply.time, respType as 'ACK', reply.trades ?? []));
  });

  app.delete('/order', async (c) => {
    const p = c.var.params;
    const market = await marketOf(deps.markets, p.get('symbol'));
    const orderId = p.get('orderId');
    const clientOrderId = p.get('origClientOrderId');
    if (orderId === undefined && clientOrderId === undefined) {
      throw new BinanceHttpError(
        400,
        -1102,
        "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
      );
    }
    const command: CancelOrder = {
      type: 'cancelOrder',
      accountId: c.var.principal.accountId,
      symbol: market.definition.symbol,
      timestamp: 0,
    };
    if (orderId !== undefined) command.orderId = integer(orderId, 'orderId');
    if (clientOrderId !== undefined) command.clientOrderId = clientOrderId;
    const reply = settled(await deps.send(command));
    const order = reply.result.order;
    if (isRejection(reply.result.code) || order === undefined) {
      const code = isRejection(reply.result.code) ? reply.result.code : 'UNKNOWN_ORDER';
      throw BinanceHttpError.rejected(
        code,
        code === 'UNKNOWN_ORDER' ? 'Unknown order sent.' : reply.result.detail,
      );
    }
    const {
      time: _t,
      updateTime: _u,
      isWorking: _w,
      workingTime: _wt,
      icebergQty: _i,
      ...rest
    } = orderJson({ ...order, isWorking: true }, market.definition);
    return c.json({ ...rest, origClientOrderId: order.clientOrderId ?? '', transactTime: reply.time });
  });

  return app;
}

async function marketOf(markets: MarketCatalog, symbol: string | undefined) {
  if (symbol === undefined || symbol === '') throw missing('symbol');
  const market = await markets.get(symbol);
  if (market === undefined) throw new BinanceHttpError(400, -1121, 'Invalid symbol.');
  return market;
}

function required(p: ReadonlyMap<string, string>, name: string): string {
  const value = p.get(name);
  if (value === undefined || value === '') throw missing(name);
  return value;
}

function integer(text: string, name: string): number {
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) throw illegal(name);
  return Number(text);
}

/** A price or quantity in whole ticks or lots; off the grid is the market's filter failure, as on Binance. */
function steps(
  p: ReadonlyMap<string, string>,
  name: string,
  step: MarketDefinition['tickSize'],
  filter: 'PRICE_FILTER' | 'LOT_SIZE',
): number | undefined {
  const text = p.get(name);
  if (text === undefined) return undefined;
  const parsed = parseSteps(text, step);
  if (parsed.ok) return parsed.value;
  if (parsed.reason === 'malformed') throw illegal(name);
  throw BinanceHttpError.rejected(filter);
}

/** The reply, or the error that says why there is none. */
function settled(outcome: Outcome): Reply {
  if (outcome.status === 'done') return outcome.reply;
  if (outcome.status === 'overloaded') {
    throw new BinanceHttpError(
      503,
      -1008,
      'Server is currently overloaded with other requests. Please try again in a few minutes.',
    );
  }
  throw new BinanceHttpError(
    503,
    -1007,
    'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
  );
}
