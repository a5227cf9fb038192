// The one place where the core's result codes become HTTP statuses and Binance error codes. Everything the
// edge answers for a rejected command comes from this table, in Binance's error shape {code, msg}.

import { RESULT_CODES, ResultCode } from '../matcher/core/index.ts';

export interface BinanceError {
  /** HTTP status. */
  status: 400 | 404 | 409 | 500;
  /** Binance's error code (negative). */
  code: number;
  msg: string;
}

type Rejection = Exclude<ResultCode, 'OK'>;

// Binance's codes: -1013 filter failures and invalid values, -1100 illegal characters, -1102 a mandatory
// parameter missing or malformed, -1106 a parameter sent when not required, -1115/-1116/-1117 invalid
// timeInForce/orderType/side, -1121 invalid symbol, -1130 invalid data, -2010 new order rejected, -2011 cancel
// rejected, -2022 cancel-replace failed (-2021, partly failed, comes from the halves), -1008 server busy, -1000
// unknown.
const TABLE: Readonly<Record<Rejection, { status: BinanceError['status']; code: number }>> = {
  UNKNOWN_COMMAND: { status: 500, code: -1000 },
  INVALID_SIDE: { status: 400, code: -1117 },
  INVALID_ORDER_TYPE: { status: 400, code: -1116 },
  INVALID_TIME_IN_FORCE: { status: 400, code: -1115 },
  INVALID_PRICE: { status: 400, code: -1013 },
  INVALID_QUANTITY: { status: 400, code: -1013 },
  INVALID_AMOUNT: { status: 400, code: -1130 },
  INVALID_ACCOUNT: { status: 400, code: -1102 },
  INVALID_ASSET: { status: 400, code: -1130 },
  INVALID_CLIENT_ORDER_ID: { status: 400, code: -1100 },
  INVALID_SELF_TRADE_PREVENTION_MODE: { status: 400, code: -1130 },
  PARAMETER_NOT_ALLOWED: { status: 400, code: -1106 },
  PARAMETER_REQUIRED: { status: 400, code: -1102 },
  UNKNOWN_SYMBOL: { status: 400, code: -1121 },
  MARKET_EXISTS: { status: 409, code: -1130 },
  INVALID_MARKET: { status: 400, code: -1130 },
  MARKET_HALTED: { status: 400, code: -2010 },
  PRICE_FILTER: { status: 400, code: -1013 },
  LOT_SIZE: { status: 400, code: -1013 },
  MARKET_LOT_SIZE: { status: 400, code: -1013 },
  NOTIONAL: { status: 400, code: -1013 },
  PERCENT_PRICE_BY_SIDE: { status: 400, code: -1013 },
  MAX_NUM_ORDERS: { status: 400, code: -1013 },
  TRAILING_DELTA: { status: 400, code: -1013 },
  MAX_NUM_ALGO_ORDERS: { status: 400, code: -1013 },
  INSUFFICIENT_BALANCE: { status: 400, code: -2010 },
  BALANCE_OVERFLOW: { status: 400, code: -1130 },
  ORDER_WOULD_MATCH: { status: 400, code: -2010 },
  UNKNOWN_ORDER: { status: 400, code: -2011 },
  DUPLICATE_CLIENT_ORDER_ID: { status: 400, code: -2010 },
  CANCEL_REPLACE_FAILED: { status: 400, code: -2022 },
  ORDER_WOULD_TRIGGER_IMMEDIATELY: { status: 400, code: -2010 },
  CANCEL_RESTRICTED: { status: 400, code: -2011 },
  // Binance's SERVER_BUSY, but as a rejection (4xx): nothing was placed.
  ORDER_CAPACITY: { status: 400, code: -1008 },
};

/** The HTTP status and Binance error for a rejection; `detail` replaces the standard message when given. */
export function binanceError(result: Rejection, detail?: string): BinanceError {
  const { status, code } = TABLE[result];
  return { status, code, msg: detail ?? RESULT_CODES[result].message };
}

export const isRejection = (code: ResultCode): code is Rejection => code !== ResultCode.OK;
