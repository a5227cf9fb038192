// Changing open orders: DELETE /api/v3/order, DELETE /api/v3/openOrders, POST /api/v3/order/cancelReplace and
// PUT /api/v3/order/amend/keepPriority, answered as Binance does from the matcher's committed reply.

import { Hono } from 'hono';
import type {
  AmendOrder,
  CancelRestriction,
  CancelOrder,
  CancelReplace,
  CommandResult,
  Lots,
  MarketDefinition,
  OrderUpdate,
} from '../../matcher/core/index.ts';
import type { OrderTags, Reply } from '../../matcher/wire.ts';
import type { EdgeEnv } from '../context.ts';
import { binanceError, isRejection } from '../errors.ts';
import { newOrderJson, orderJson, stopJson, workingOf } from '../format.ts';
import { BinanceHttpError } from '../http-error.ts';
import { formatSteps, formatUnits } from '../money.ts';
import { marketOf, oneOf, orderTarget, type Params, required, settled, steps } from '../params.ts';
import { orderFrom, type OrderRoutesDeps, respTypeOf } from './orders.ts';

/** cancelRestrictions: cancel only a NEW or only a PARTIALLY_FILLED order. */
function restrictionOf<K extends string>(p: Params, name: string, key: K): { [k in K]?: CancelRestriction } {
  const value = oneOf(p, name, ['ONLY_NEW', 'ONLY_PARTIALLY_FILLED'] as const);
  return (value === undefined ? {} : { [key]: value }) as { [k in K]?: CancelRestriction };
}

/** A cancelled order as DELETE /api/v3/order answers it; `clientOrderId` names the cancel itself. */
function cancelJson(o: OrderUpdate, m: MarketDefinition, clientOrderId: string, transactTime: number) {
  const full = orderJson({ ...o, isWorking: false }, m);
  return {
    symbol: o.symbol,
    origClientOrderId: o.clientOrderId ?? '',
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId,
    transactTime,
    price: full.price,
    origQty: full.origQty,
    executedQty: full.executedQty,
    cummulativeQuoteQty: full.cummulativeQuoteQty,
    status: full.status,
    timeInForce: full.timeInForce,
    type: full.type,
    side: full.side,
    ...stopJson(o, m),
    selfTradePreventionMode: full.selfTradePreventionMode,
  };
}

/** Binance answers a cancel of an order it does not know with -2011 "Unknown order sent." */
function cancelRejection(result: CommandResult): {
  code: number;
  msg: string;
  status: 400 | 404 | 409 | 500;
} {
  const code = isRejection(result.code) ? result.code : 'UNKNOWN_ORDER';
  return binanceError(code, code === 'UNKNOWN_ORDER' ? 'Unknown order sent.' : result.detail);
}

export function cancelRoutes(deps: OrderRoutesDeps): Hono<EdgeEnv> {
  const app = new Hono<EdgeEnv>();

  app.delete('/order', async (c) => {
    const p = c.var.params;
    const market = await marketOf(deps.markets, p.get('symbol'));
    const command: CancelOrder = {
      type: 'cancelOrder',
      accountId: c.var.principal.accountId,
      symbol: market.definition.symbol,
      ...orderTarget(p, 'orderId', 'origClientOrderId'),
      ...restrictionOf(p, 'cancelRestrictions', 'restriction'),
      timestamp: 0,
    };
    const reply = settled(await deps.send(command));
    const order = reply.result.order;
    if (isRejection(reply.result.code) || order === undefined) {
      throw BinanceHttpError.of(cancelRejection(reply.result));
    }
    const cid = p.get('newClientOrderId') ?? deps.newClientOrderId();
    return c.json(cancelJson(order, market.definition, cid, reply.time));
  });

  app.delete('/openOrders', async (c) => {
    const p = c.var.params;
    const market = await marketOf(deps.markets, p.get('symbol'));
    const reply = settled(
      await deps.send({
        type: 'cancelAllOrders',
        accountId: c.var.principal.accountId,
        symbol: market.definition.symbol,
        timestamp: 0,
      }),
    );
    const canceled = reply.result.canceled ?? [];
    if (isRejection(reply.result.code))
      throw BinanceHttpError.rejected(reply.result.code, reply.result.detail);
    if (canceled.length === 0) throw new BinanceHttpError(400, -2011, 'Unknown order sent.');
    return c.json(canceled.map((o) => cancelJson(o, market.definition, deps.newClientOrderId(), reply.time)));
  });

  app.post('/order/cancelReplace', async (c) => {
    const p = c.var.params;
    const market = await marketOf(deps.markets, p.get('symbol'));
    const m = market.definition;
    const mode = oneOf(p, 'cancelReplaceMode', ['STOP_ON_FAILURE', 'ALLOW_FAILURE'] as const);
    if (mode === undefined) required(p, 'cancelReplaceMode');
    const placing = orderFrom(p, market, c.var.principal.accountId, deps.newClientOrderId());
    const { type: _, accountId, symbol, timestamp: __, ...order } = placing.command;
    const { tags } = placing;
    const which = orderTarget(p, 'cancelOrderId', 'cancelOrigClientOrderId');
    const command: CancelReplace = {
      type: 'cancelReplace',
      accountId,
      symbol,
      mode: mode!,
      order,
      timestamp: 0,
      ...(which.orderId === undefined ? {} : { cancelOrderId: which.orderId }),
      ...(which.clientOrderId === undefined ? {} : { cancelClientOrderId: which.clientOrderId }),
      ...restrictionOf(p, 'cancelRestrictions', 'cancelRestriction'),
    };
    const respType = respTypeOf(p);
    const reply = settled(await deps.send(command, tags === undefined ? undefined : { tags }));
    const cancelCid = p.get('cancelNewClientOrderId') ?? deps.newClientOrderId();
    const halves = cancelReplaceHalves(reply, m, cancelCid, respType, tags);
    if (halves.cancelResult === 'SUCCESS' && halves.newOrderResult === 'SUCCESS') return c.json(halves);
    if (reply.result.cancelResult === undefined) {
      // Rejected before either half ran (a malformed new order): the plain error, as Binance answers it.
      throw BinanceHttpError.of(cancelRejection(reply.result));
    }
    const partly = halves.cancelResult === 'SUCCESS' || halves.newOrderResult === 'SUCCESS';
    throw new BinanceHttpError(
      400,
      partly ? -2021 : -2022,
      partly ? 'Order cancel-replace partially failed.' : 'Order cancel-replace failed.',
      {},
      halves,
    );
  });

  app.put('/order/amend/keepPriority', async (c) => {
    const p = c.var.params;
    const market = await marketOf(deps.markets, p.get('symbol'));
    const m = market.definition;
    const newQty = steps(p, 'newQty', m.stepSize, 'LOT_SIZE');
    if (newQty === undefined) required(p, 'newQty');
    const which = orderTarget(p, 'orderId', 'origClientOrderId');
    const newClientOrderId = p.get('newClientOrderId');
    const command: AmendOrder = {
      type: 'amendOrder',
      accountId: c.var.principal.accountId,
      symbol: m.symbol,
      newQty: newQty! as Lots,
      timestamp: 0,
      ...which,
      ...(newClientOrderId === undefined ? {} : { newClientOrderId }),
    };
    const reply = settled(await deps.send(command));
    const order = reply.result.order;
    if (isRejection(reply.result.code) || order === undefined) {
      throw BinanceHttpError.of(cancelRejection(reply.result));
    }
    const full = orderJson({ ...order, isWorking: workingOf(order) }, m);
    return c.json({
      transactTime: reply.time,
      executionId: reply.seq,
      amendedOrder: {
        symbol: order.symbol,
        orderId: order.orderId,
        orderListId: -1,
        origClientOrderId: which.clientOrderId ?? order.clientOrderId ?? '',
        clientOrderId: order.clientOrderId ?? '',
        price: full.price,
        qty: full.origQty,
        executedQty: full.executedQty,
        preventedQty: formatSteps(order.preventedQty, m.stepSize),
        quoteOrderQty: formatUnits(order.origQuoteOrderQty ?? 0n),
        cumulativeQuoteQty: full.cummulativeQuoteQty,
        status: full.status,
        timeInForce: full.timeInForce,
        type: full.type,
        side: full.side,
        workingTime: full.workingTime,
        selfTradePreventionMode: full.selfTradePreventionMode,
      },
    });
  });

  return app;
}

function cancelReplaceHalves(
  reply: Reply,
  m: MarketDefinition,
  cancelCid: string,
  respType: 'ACK' | 'RESULT' | 'FULL',
  tags: OrderTags | undefined,
) {
  const cancel = reply.result.cancelResult;
  const placed = reply.result.newOrderResult;
  const cancelOk = cancel !== undefined && !isRejection(cancel.code) && cancel.order !== undefined;
  const placedOk =
    placed !== undefined &&
    placed !== 'NOT_ATTEMPTED' &&
    !isRejection(placed.code) &&
    placed.order !== undefined;
  const errorOf = (r: CommandResult) => {
    const e = cancelRejection(r);
    return { code: e.code, msg: e.msg };
  };
  return {
    cancelResult: cancelOk ? 'SUCCESS' : 'FAILURE',
    newOrderResult: placedOk
      ? 'SUCCESS'
      : placed === 'NOT_ATTEMPTED' || placed === undefined
        ? 'NOT_ATTEMPTED'
        : 'FAILURE',
    cancelResponse: cancelOk
      ? cancelJson(cancel.order!, m, cancelCid, reply.time)
      : cancel === undefined
        ? null
        : errorOf(cancel),
    newOrderResponse: placedOk
      ? newOrderJson(
          { ...placed.order!, isWorking: workingOf(placed.order!), ...tags },
          m,
          reply.time,
          respType,
          reply.trades ?? [],
        )
      : placed === undefined || placed === 'NOT_ATTEMPTED'
        ? null
        : (() => {
            const e = binanceError(isRejection(placed.code) ? placed.code : 'UNKNOWN_COMMAND', placed.detail);
            return { code: e.code, msg: e.msg };
          })(),
  };
}
