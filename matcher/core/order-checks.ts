// The shape of a placeOrder command: which fields each order type takes, and their types. Checked before any
// state is looked at; the market's filters come after (market.ts).

import type { OrderType, PlaceOrder } from './commands.ts';
import { isPositiveInt, MAX_UNITS } from './money.ts';
import {
  FOK,
  GTC,
  IOC,
  isStop,
  LIMIT,
  LIMIT_MAKER,
  MARKET,
  STOP_LOSS,
  STOP_LOSS_LIMIT,
  STP,
  TAKE_PROFIT,
  TAKE_PROFIT_LIMIT,
} from './order-store.ts';
import { ResultCode } from './result-codes.ts';

/** Binance's rule for clientOrderIds: ^[\.A-Z\:/a-z0-9_-]{1,36}$. */
export const CLIENT_ORDER_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
export const TYPE_CODES: Readonly<Record<OrderType, number>> = {
  LIMIT,
  LIMIT_MAKER,
  MARKET,
  STOP_LOSS,
  STOP_LOSS_LIMIT,
  TAKE_PROFIT,
  TAKE_PROFIT_LIMIT,
};
export const TIF_CODES = { GTC, IOC, FOK } as const;
export const STP_CODES = new Map<unknown, number>(STP.map((name, code) => [name, code]));

/** What the command says, checked before any lookup. */
export function checkShape(cmd: PlaceOrder): ResultCode {
  if (!isPositiveInt(cmd.accountId)) return ResultCode.INVALID_ACCOUNT;
  if (cmd.side !== 'BUY' && cmd.side !== 'SELL') return ResultCode.INVALID_SIDE;
  if (!Number.isSafeInteger(cmd.timestamp)) return ResultCode.PARAMETER_REQUIRED;
  const cid = cmd.clientOrderId;
  if (cid !== undefined && !(typeof cid === 'string' && CLIENT_ORDER_ID.test(cid))) {
    return ResultCode.INVALID_CLIENT_ORDER_ID;
  }
  const mode = cmd.selfTradePreventionMode;
  if (mode !== undefined && !STP_CODES.has(mode)) return ResultCode.INVALID_SELF_TRADE_PREVENTION_MODE;
  switch (cmd.orderType) {
    case 'LIMIT':
    case 'STOP_LOSS_LIMIT':
    case 'TAKE_PROFIT_LIMIT':
      if (cmd.timeInForce === undefined) return ResultCode.PARAMETER_REQUIRED;
      if (cmd.timeInForce !== 'GTC' && cmd.timeInForce !== 'IOC' && cmd.timeInForce !== 'FOK') {
        return ResultCode.INVALID_TIME_IN_FORCE;
      }
      if (!isPositiveInt(cmd.price)) return ResultCode.INVALID_PRICE;
      break;
    case 'LIMIT_MAKER':
      if (cmd.timeInForce !== undefined) return ResultCode.PARAMETER_NOT_ALLOWED;
      if (!isPositiveInt(cmd.price)) return ResultCode.INVALID_PRICE;
      break;
    case 'MARKET':
    case 'STOP_LOSS':
    case 'TAKE_PROFIT':
      if (cmd.timeInForce !== undefined || cmd.price !== undefined) return ResultCode.PARAMETER_NOT_ALLOWED;
      break;
    default:
      return ResultCode.INVALID_ORDER_TYPE;
  }
  const stop = isStop(TYPE_CODES[cmd.orderType]);
  if (!stop && cmd.stopPrice !== undefined) return ResultCode.PARAMETER_NOT_ALLOWED;
  if (stop && cmd.stopPrice === undefined) return ResultCode.PARAMETER_REQUIRED;
  if (stop && !isPositiveInt(cmd.stopPrice)) return ResultCode.INVALID_PRICE;
  if (cmd.quoteOrderQty !== undefined) {
    // MARKET only, and exactly one of quantity and quoteOrderQty, as on Binance.
    if (cmd.orderType !== 'MARKET' || cmd.quantity !== undefined) return ResultCode.PARAMETER_NOT_ALLOWED;
    const q = cmd.quoteOrderQty;
    return typeof q === 'bigint' && q > 0n && q <= MAX_UNITS ? ResultCode.OK : ResultCode.INVALID_AMOUNT;
  }
  if (cmd.quantity === undefined) return ResultCode.PARAMETER_REQUIRED;
  if (!isPositiveInt(cmd.quantity)) return ResultCode.INVALID_QUANTITY;
  return ResultCode.OK;
}
