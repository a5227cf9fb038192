// Orders and fills as Binance prints them: ids as JSON numbers, amounts as decimal strings with 8 decimals.

import type { MarketDefinition, OrderUpdate, Trade } from '../matcher/core/index.ts';
import type { OrderTags } from '../matcher/wire.ts';
import { formatSteps, formatUnits } from './money.ts';

/**
 * An order as the core reports it, or as the database row reads back (plus whether it is on the book), with the
 * strategyId and strategyType its request gave.
 */
export type OrderView = Omit<OrderUpdate, 'type'> & { isWorking: boolean } & OrderTags;

/** strategyId and strategyType, each only when the order's request gave it (Binance's conditional fields). */
const tagsJson = (o: OrderTags) => ({
  ...(o.strategyId === undefined ? {} : { strategyId: o.strategyId }),
  ...(o.strategyType === undefined ? {} : { strategyType: o.strategyType }),
});

/** A trailing stop's trailingDelta and trailingTime (-1 until it begins tracking); nothing for other orders. */
const trailingJson = (o: Omit<OrderUpdate, 'type'>) =>
  o.trailingDelta === undefined ? {} : { trailingDelta: o.trailingDelta, trailingTime: o.trailingTime ?? -1 };

/**
 * A stop order's stopPrice (zero on a trailing stop that gave none), then a trailing stop's fields: Binance's
 * conditional fields of RESULT, FULL and cancel responses.
 */
export function stopJson(o: Omit<OrderUpdate, 'type'>, m: MarketDefinition) {
  if (o.stopPrice === undefined && o.trailingDelta === undefined) return {};
  return { stopPrice: formatSteps(o.stopPrice ?? 0, m.tickSize), ...trailingJson(o) };
}

const STOPS = new Set(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);

/** Whether an order the core just reported is on the book (a stop is not until triggered). */
export const workingOf = (o: Omit<OrderUpdate, 'type'>, triggered = false): boolean =>
  !STOPS.has(o.orderType) || triggered || o.executedQty > 0;

/** The fields GET /api/v3/order answers with (and RESULT/FULL responses share). */
export function orderJson(o: OrderView, m: MarketDefinition) {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId ?? '',
    price: formatSteps(o.price, m.tickSize),
    origQty: formatSteps(o.origQty, m.stepSize),
    executedQty: formatSteps(o.executedQty, m.stepSize),
    cummulativeQuoteQty: formatUnits(o.cumQuote),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.orderType,
    side: o.side,
    stopPrice: formatSteps(o.stopPrice ?? 0, m.tickSize),
    ...trailingJson(o),
    icebergQty: formatUnits(0n),
    time: o.time,
    updateTime: o.updateTime,
    isWorking: o.isWorking,
    workingTime: o.isWorking ? o.time : -1,
    origQuoteOrderQty: formatUnits(o.origQuoteOrderQty ?? 0n),
    selfTradePreventionMode: o.selfTradePreventionMode,
    ...(o.preventedQty > 0 ? { preventedQuantity: formatSteps(o.preventedQty, m.stepSize) } : {}),
    ...tagsJson(o),
  };
}

/**
 * A new order's response, by newOrderRespType. ACK is Binance's five fields only (its glossary: "only the
 * following fields are emitted"); RESULT and FULL carry strategyId and strategyType when the request gave them,
 * and a trailing stop's trailingDelta and trailingTime.
 */
export function newOrderJson(
  o: OrderView,
  m: MarketDefinition,
  transactTime: number,
  respType: 'ACK' | 'RESULT' | 'FULL',
  trades: readonly Trade[],
) {
  const ack = {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId ?? '',
    transactTime,
  };
  if (respType === 'ACK') return ack;
  const full = orderJson(o, m);
  const result = {
    ...ack,
    price: full.price,
    origQty: full.origQty,
    executedQty: full.executedQty,
    origQuoteOrderQty: full.origQuoteOrderQty,
    cummulativeQuoteQty: full.cummulativeQuoteQty,
    status: full.status,
    timeInForce: full.timeInForce,
    type: full.type,
    side: full.side,
    ...stopJson(o, m),
    workingTime: o.isWorking ? transactTime : -1,
    selfTradePreventionMode: full.selfTradePreventionMode,
    ...tagsJson(o),
  };
  if (respType === 'RESULT') return result;
  return { ...result, fills: trades.map((t) => fillJson(t, o.side, m)) };
}

function fillJson(t: Trade, side: 'BUY' | 'SELL', m: MarketDefinition) {
  const buyer = side === 'BUY';
  return {
    price: formatSteps(t.price, m.tickSize),
    qty: formatSteps(t.qty, m.stepSize),
    commission: formatUnits(buyer ? t.buyerFee : t.sellerFee),
    commissionAsset: buyer ? m.baseAsset : m.quoteAsset,
    tradeId: t.tradeId,
  };
}
