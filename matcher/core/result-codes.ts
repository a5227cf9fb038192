// Every outcome of a command is one of these codes: one table, grouped by subsystem. A business rejection is a
// returned code, never a throw. edge/ maps each code to an HTTP status and a Binance error code in one place.

export const ResultCode = {
  OK: 'OK',

  // command: the command itself is malformed (the edge should have caught it; the core checks again)
  UNKNOWN_COMMAND: 'UNKNOWN_COMMAND',
  INVALID_SIDE: 'INVALID_SIDE',
  INVALID_ORDER_TYPE: 'INVALID_ORDER_TYPE',
  INVALID_TIME_IN_FORCE: 'INVALID_TIME_IN_FORCE',
  INVALID_PRICE: 'INVALID_PRICE',
  INVALID_QUANTITY: 'INVALID_QUANTITY',
  INVALID_AMOUNT: 'INVALID_AMOUNT',
  INVALID_ACCOUNT: 'INVALID_ACCOUNT',
  INVALID_ASSET: 'INVALID_ASSET',
  INVALID_CLIENT_ORDER_ID: 'INVALID_CLIENT_ORDER_ID',
  INVALID_SELF_TRADE_PREVENTION_MODE: 'INVALID_SELF_TRADE_PREVENTION_MODE',
  PARAMETER_NOT_ALLOWED: 'PARAMETER_NOT_ALLOWED',
  PARAMETER_REQUIRED: 'PARAMETER_REQUIRED',

  // market: which markets exist and whether they trade
  UNKNOWN_SYMBOL: 'UNKNOWN_SYMBOL',
  MARKET_EXISTS: 'MARKET_EXISTS',
  INVALID_MARKET: 'INVALID_MARKET',
  MARKET_HALTED: 'MARKET_HALTED',

  // filter: the market's filters, named as Binance names them
  PRICE_FILTER: 'PRICE_FILTER',
  LOT_SIZE: 'LOT_SIZE',
  MARKET_LOT_SIZE: 'MARKET_LOT_SIZE',
  NOTIONAL: 'NOTIONAL',
  PERCENT_PRICE_BY_SIDE: 'PERCENT_PRICE_BY_SIDE',
  MAX_NUM_ORDERS: 'MAX_NUM_ORDERS',
  TRAILING_DELTA: 'TRAILING_DELTA',
  MAX_NUM_ALGO_ORDERS: 'MAX_NUM_ALGO_ORDERS',

  // risk: balances
  INSUFFICIENT_BALANCE: 'INSUFFICIENT_BALANCE',
  BALANCE_OVERFLOW: 'BALANCE_OVERFLOW',

  // order: the order's own lifecycle
  ORDER_WOULD_MATCH: 'ORDER_WOULD_MATCH',
  UNKNOWN_ORDER: 'UNKNOWN_ORDER',
  DUPLICATE_CLIENT_ORDER_ID: 'DUPLICATE_CLIENT_ORDER_ID',
  CANCEL_REPLACE_FAILED: 'CANCEL_REPLACE_FAILED',
  ORDER_WOULD_TRIGGER_IMMEDIATELY: 'ORDER_WOULD_TRIGGER_IMMEDIATELY',
  CANCEL_RESTRICTED: 'CANCEL_RESTRICTED',
  ORDER_CAPACITY: 'ORDER_CAPACITY',
} as const;

export type ResultCode = (typeof ResultCode)[keyof typeof ResultCode];

export type Subsystem = 'ok' | 'command' | 'market' | 'filter' | 'risk' | 'order';

/** What each code means, in words a client can act on, and which subsystem decided it. */
export const RESULT_CODES: Readonly<Record<ResultCode, { subsystem: Subsystem; message: string }>> = {
  OK: { subsystem: 'ok', message: 'OK' },
  UNKNOWN_COMMAND: { subsystem: 'command', message: 'Unknown command.' },
  INVALID_SIDE: { subsystem: 'command', message: 'Invalid side.' },
  INVALID_ORDER_TYPE: { subsystem: 'command', message: 'Invalid orderType.' },
  INVALID_TIME_IN_FORCE: { subsystem: 'command', message: 'Invalid timeInForce.' },
  INVALID_PRICE: { subsystem: 'command', message: 'Invalid price.' },
  INVALID_QUANTITY: { subsystem: 'command', message: 'Invalid quantity.' },
  INVALID_AMOUNT: { subsystem: 'command', message: 'Invalid amount.' },
  INVALID_ACCOUNT: { subsystem: 'command', message: 'Invalid account.' },
  INVALID_ASSET: { subsystem: 'command', message: 'Invalid asset.' },
  INVALID_CLIENT_ORDER_ID: { subsystem: 'command', message: 'Invalid clientOrderId.' },
  INVALID_SELF_TRADE_PREVENTION_MODE: {
    subsystem: 'command',
    message: 'Invalid selfTradePreventionMode.',
  },
  PARAMETER_NOT_ALLOWED: {
    subsystem: 'command',
    message: 'A parameter was sent that this order type does not take.',
  },
  PARAMETER_REQUIRED: { subsystem: 'command', message: 'A mandatory parameter was not sent.' },
  UNKNOWN_SYMBOL: { subsystem: 'market', message: 'Invalid symbol.' },
  MARKET_EXISTS: { subsystem: 'market', message: 'The market already exists.' },
  INVALID_MARKET: { subsystem: 'market', message: 'Invalid market definition.' },
  MARKET_HALTED: { subsystem: 'market', message: 'Market is closed.' },
  PRICE_FILTER: { subsystem: 'filter', message: 'Filter failure: PRICE_FILTER' },
  LOT_SIZE: { subsystem: 'filter', message: 'Filter failure: LOT_SIZE' },
  MARKET_LOT_SIZE: { subsystem: 'filter', message: 'Filter failure: MARKET_LOT_SIZE' },
  NOTIONAL: { subsystem: 'filter', message: 'Filter failure: NOTIONAL' },
  PERCENT_PRICE_BY_SIDE: { subsystem: 'filter', message: 'Filter failure: PERCENT_PRICE_BY_SIDE' },
  MAX_NUM_ORDERS: { subsystem: 'filter', message: 'Filter failure: MAX_NUM_ORDERS' },
  TRAILING_DELTA: { subsystem: 'filter', message: 'Filter failure: TRAILING_DELTA' },
  MAX_NUM_ALGO_ORDERS: { subsystem: 'filter', message: 'Filter failure: MAX_NUM_ALGO_ORDERS' },
  INSUFFICIENT_BALANCE: {
    subsystem: 'risk',
    message: 'Account has insufficient balance for requested action.',
  },
  BALANCE_OVERFLOW: {
    subsystem: 'risk',
    message: 'The balance would exceed the largest amount this exchange holds.',
  },
  ORDER_WOULD_MATCH: { subsystem: 'order', message: 'Order would immediately match and take.' },
  UNKNOWN_ORDER: { subsystem: 'order', message: 'Unknown order sent.' },
  DUPLICATE_CLIENT_ORDER_ID: { subsystem: 'order', message: 'Duplicate order sent.' },
  CANCEL_REPLACE_FAILED: { subsystem: 'order', message: 'Order cancel-replace failed.' },
  ORDER_WOULD_TRIGGER_IMMEDIATELY: { subsystem: 'order', message: 'Stop price would trigger immediately.' },
  CANCEL_RESTRICTED: { subsystem: 'order', message: 'Order was not canceled due to cancel restrictions.' },
  ORDER_CAPACITY: {
    subsystem: 'order',
    message: 'The exchange holds as many open orders as it can; try again once some have closed.',
  },
};
