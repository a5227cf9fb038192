// The shape of a placeOrder command: which fields each order type takes, and their types. Checked before any
// state is looked at; the market's filters come after (market.ts).

import type { OrderType, PlaceOrder, SelfTradePreventionMode, TimeInForce } from './commands.ts';
import { isPositiveInt, MAX_UNITS } from './money.ts';
import {
  EXPIRE_BOTH,
  EXPIRE_MAKER,
  EXPIRE_TAKER,
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
  STP_NONE,
  TAKE_PROFIT,
  TAKE_PROFIT_LIMIT,
} from './order-store.ts';
import { ResultCode } from './result-codes.ts';

/** Binance's rule for clientOrderIds: ^[\.A-Z\:/a-z0-9_-]{1,36}$. */
export const CLIENT_ORDER_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
export const STP_CODES = new Map<unknown, number>(STP.map((name, code) => [name, code]));

/** The code of an order type checkShape accepted: a switch, where a keyed load by name would go megamorphic. */
export function orderTypeCode(name: OrderType): number {
  switch (name) {
    case 'LIMIT':
      return LIMIT;
    case 'LIMIT_MAKER':
      return LIMIT_MAKER;
    case 'MARKET':
      return MARKET;
    case 'STOP_LOSS':
      return STOP_LOSS;
    case 'STOP_LOSS_LIMIT':
      return STOP_LOSS_LIMIT;
    case 'TAKE_PROFIT':
      return TAKE_PROFIT;
    default:
      return TAKE_PROFIT_LIMIT;
  }
}

/** The code of a time in force checkShape accepted. */
export const timeInForceCode = (name: TimeInForce): number =>
  name === 'GTC' ? GTC : name === 'IOC' ? IOC : FOK;

/** The code of a self-trade prevention mode checkShape accepted (STP_CODES without the Map lookup). */
export function stpCode(name: SelfTradePreventionMode): number {
  switch (name) {
    case 'NONE':
      return STP_NONE;
    case 'EXPIRE_TAKER':
      return EXPIRE_TAKER;
    case 'EXPIRE_MAKER':
      return EXPIRE_MAKER;
    default:
      return EXPIRE_BOTH;
  }
}

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
  const stop = isStop(orderTypeCode(cmd.orderType));
  const trailing = cmd.trailingDelta !== undefined;
  if (!stop && (cmd.stopPrice !== undefined || trailing)) return ResultCode.PARAMETER_NOT_ALLOWED;
  // A trailing stop may do without a stop price: it then tracks from the moment it is placed.
  if (stop && cmd.stopPrice === undefined && !trailing) return ResultCode.PARAMETER_REQUIRED;
  if (stop && cmd.stopPrice !== undefined && !isPositiveInt(cmd.stopPrice)) return ResultCode.INVALID_PRICE;
  if (trailing && !isPositiveInt(cmd.trailingDelta)) return ResultCode.TRAILING_DELTA;
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
