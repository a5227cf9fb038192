// Binance's rate limits as this exchange applies them: the limits (configurable), the fixed windows they are
// counted in, the exchangeInfo `rateLimits` array that announces them, and what each endpoint weighs.
// Values come from the composition root (RATE_LIMIT_WEIGHT_1M, RATE_LIMIT_ORDERS_10S, RATE_LIMIT_ORDERS_1D);
// nothing here reads the environment.

export interface RateLimits {
  /** Request weight per client IP per minute. */
  weight1m: number;
  /** Orders placed per account per 10 seconds. */
  orders10s: number;
  /** Orders placed per account per UTC day. */
  orders1d: number;
}

export const DEFAULT_RATE_LIMITS: Readonly<RateLimits> = {
  weight1m: 6000,
  orders10s: 100,
  orders1d: 200_000,
};

const VARIABLES = {
  weight1m: 'RATE_LIMIT_WEIGHT_1M',
  orders10s: 'RATE_LIMIT_ORDERS_10S',
  orders1d: 'RATE_LIMIT_ORDERS_1D',
} as const satisfies Record<keyof RateLimits, string>;

/**
 * The limits from configuration values (as `process.env` holds them; unset or empty means the default).
 * Throws an Error naming the variable when a value is not a positive integer.
 */
export function parseRateLimits(values: Readonly<Record<string, string | undefined>>): RateLimits {
  const limits = { ...DEFAULT_RATE_LIMITS };
  for (const key of Object.keys(VARIABLES) as (keyof RateLimits)[]) {
    const text = values[VARIABLES[key]]?.trim();
    if (text === undefined || text === '') continue;
    if (!/^\d{1,15}$/.test(text) || Number(text) === 0) {
      throw new Error(`${VARIABLES[key]} must be a positive integer, got ${JSON.stringify(text)}`);
    }
    limits[key] = Number(text);
  }
  return limits;
}

export type RateLimitName = keyof RateLimits;

/** One rate limit's interval: Binance's names for it, its length, and the headers that report it. */
export interface RateLimitWindow {
  rateLimitType: 'REQUEST_WEIGHT' | 'ORDERS';
  interval: 'SECOND' | 'MINUTE' | 'DAY';
  intervalNum: number;
  /** Length in ms. Windows are fixed and aligned to the epoch: minutes, 10-second marks, UTC days. */
  ms: number;
  /** Binance's usage header, X-MBX-USED-WEIGHT-(intervalNum)(intervalLetter) or X-MBX-ORDER-COUNT-... */
  header: string;
  /** The policy's name in the RateLimit-Policy and RateLimit fields. */
  policy: string;
}

export const RATE_LIMIT_WINDOWS: Readonly<Record<RateLimitName, RateLimitWindow>> = {
  weight1m: {
    rateLimitType: 'REQUEST_WEIGHT',
    interval: 'MINUTE',
    intervalNum: 1,
    ms: 60_000,
    header: 'X-MBX-USED-WEIGHT-1M',
    policy: 'weight',
  },
  orders10s: {
    rateLimitType: 'ORDERS',
    interval: 'SECOND',
    intervalNum: 10,
    ms: 10_000,
    header: 'X-MBX-ORDER-COUNT-10S',
    policy: 'orders-10s',
  },
  orders1d: {
    rateLimitType: 'ORDERS',
    interval: 'DAY',
    intervalNum: 1,
    ms: 86_400_000,
    header: 'X-MBX-ORDER-COUNT-1D',
    policy: 'orders-1d',
  },
};

/** How Binance's messages name an interval: "1 MINUTE", "10 SECOND", "1 DAY". */
export const intervalText = (window: RateLimitWindow): string => `${window.intervalNum} ${window.interval}`;

export interface ExchangeInfoRateLimit {
  rateLimitType: RateLimitWindow['rateLimitType'];
  interval: RateLimitWindow['interval'];
  intervalNum: number;
  limit: number;
}

/** exchangeInfo's `rateLimits`, in Binance's order: request weight, then orders by interval. */
export function exchangeInfoRateLimits(limits: RateLimits): ExchangeInfoRateLimit[] {
  return (Object.keys(RATE_LIMIT_WINDOWS) as RateLimitName[]).map((name) => {
    const { rateLimitType, interval, intervalNum } = RATE_LIMIT_WINDOWS[name];
    return { rateLimitType, interval, intervalNum, limit: limits[name] };
  });
}

/** Reads one request parameter (query string, or query and form body merged). */
export type ParamReader = (name: string) => string | undefined;

type Weigh = number | ((param: ParamReader) => number);

/** How many symbols a request names: `symbol`, or `symbols` as Binance's JSON array; 0 for all of them. */
function symbolCount(param: ParamReader): number {
  if (param('symbol') !== undefined) return 1;
  const symbols = param('symbols');
  if (symbols === undefined) return 0;
  try {
    const parsed: unknown = JSON.parse(symbols);
    if (Array.isArray(parsed)) return parsed.length;
  } catch {
    // Malformed: validation rejects it later; weigh it by its separators meanwhile.
  }
  return symbols.split(',').length;
}

function depthWeight(param: ParamReader): number {
  const limit = Number(param('limit') ?? 100);
  if (!Number.isFinite(limit) || limit <= 100) return 5;
  if (limit <= 500) return 25;
  return limit <= 1000 ? 50 : 250;
}

function ticker24hrWeight(param: ParamReader): number {
  const count = symbolCount(param);
  if (count === 0 || count > 100) return 80;
  return count <= 20 ? 2 : 40;
}

const oneOrMany = (param: ParamReader): number => (symbolCount(param) === 1 ? 2 : 4);

/** ticker/tradingDay and the rolling ticker: 4 per symbol, at most 200 (reached past 50 symbols). */
const fourPerSymbol = (param: ParamReader): number => Math.min(4 * Math.max(symbolCount(param), 1), 200);

/**
 * Binance's documented request weights (IP) for the endpoints this edge serves, keyed "METHOD path". Checked
 * against the Binance Spot REST docs: depth by limit 1-100: 5, 101-500: 25, 501-1000: 50, 1001-5000: 250;
 * ticker/24hr 2 for 1-20 symbols, 40 for 21-100, 80 for more or all; ticker/price and bookTicker 2 for one
 * symbol, 4 for several or all; ticker/tradingDay and ticker 4 per symbol up to 200; order/test 20 with
 * computeCommissionRates.
 */
const WEIGHTS: Readonly<Record<string, Weigh>> = {
  'GET /api/v3/ping': 1,
  'GET /api/v3/time': 1,
  'GET /api/v3/exchangeInfo': 20,
  'GET /api/v3/depth': depthWeight,
  'GET /api/v3/trades': 25,
  'GET /api/v3/historicalTrades': 25,
  'GET /api/v3/aggTrades': 4,
  'GET /api/v3/klines': 2,
  'GET /api/v3/uiKlines': 2,
  'GET /api/v3/avgPrice': 2,
  'GET /api/v3/ticker/24hr': ticker24hrWeight,
  'GET /api/v3/ticker/tradingDay': fourPerSymbol,
  'GET /api/v3/ticker': fourPerSymbol,
  'GET /api/v3/ticker/price': oneOrMany,
  'GET /api/v3/ticker/bookTicker': oneOrMany,
  'POST /api/v3/order': 1,
  'POST /api/v3/order/test': (param) => (param('computeCommissionRates') === 'true' ? 20 : 1),
  'GET /api/v3/order': 4,
  'DELETE /api/v3/order': 1,
  'DELETE /api/v3/openOrders': 1,
  'POST /api/v3/order/cancelReplace': 1,
  'PUT /api/v3/order/amend/keepPriority': 4,
  'GET /api/v3/openOrders': (param) => (param('symbol') === undefined ? 80 : 6),
  'GET /api/v3/allOrders': 20,
  'GET /api/v3/account': 20,
  'GET /api/v3/account/commission': 20,
  'GET /api/v3/myTrades': (param) => (param('orderId') === undefined ? 20 : 5),
  'GET /api/v3/rateLimit/order': 40,
};

/** What a request to a path the table does not know weighs (a 404 costs too, so probing is not free). */
export const UNKNOWN_ENDPOINT_WEIGHT = 1;

/** The request weight of one request; HEAD weighs what GET does. */
export function requestWeight(method: string, path: string, param: ParamReader): number {
  const verb = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  const weigh = WEIGHTS[`${verb} ${path}`];
  if (weigh === undefined) return UNKNOWN_ENDPOINT_WEIGHT;
  return typeof weigh === 'number' ? weigh : weigh(param);
}

/**
 * Orders a request adds to its account's order count: a new order, and a cancel-replace (whose new order
 * counts even when it was not attempted, as on Binance). Tests, cancels and amends place none.
 */
export function ordersPlaced(method: string, path: string): number {
  const key = `${method.toUpperCase()} ${path}`;
  return key === 'POST /api/v3/order' || key === 'POST /api/v3/order/cancelReplace' ? 1 : 0;
}
