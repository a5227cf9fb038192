// Commands: imperative, complete and stamped at the entrance. The core reads no clock and makes no ids of its
// own beyond its deterministic counters, so everything time-dependent arrives here (`timestamp`, in ms).

import type { Fraction, Lots, Ticks, Units } from './money.ts';

export type Side = 'BUY' | 'SELL';
export type OrderType =
  'LIMIT' | 'LIMIT_MAKER' | 'MARKET' | 'STOP_LOSS' | 'STOP_LOSS_LIMIT' | 'TAKE_PROFIT' | 'TAKE_PROFIT_LIMIT';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';
export type MarketStatus = 'TRADING' | 'HALT';
/** What happens when a taker would trade with a resting order of the same account (the taker's mode decides). */
export type SelfTradePreventionMode = 'NONE' | 'EXPIRE_TAKER' | 'EXPIRE_MAKER' | 'EXPIRE_BOTH';

/** PERCENT_PRICE_BY_SIDE: bounds on a limit price as multiples of the last trade price (fractions in 1e-8). */
export interface PriceBand {
  bidMultiplierUp: Fraction;
  bidMultiplierDown: Fraction;
  askMultiplierUp: Fraction;
  askMultiplierDown: Fraction;
}

export interface MarketSpec {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  /** In quote units (1e-8) per whole base. tickSize × stepSize must be a whole number of 1e-16, see market.ts. */
  tickSize: Units;
  /** In base units (1e-8). */
  stepSize: Units;
  /** PRICE_FILTER bounds, in ticks; default 1 and no maximum (Number.MAX_SAFE_INTEGER). */
  minPrice?: Ticks;
  maxPrice?: Ticks;
  /** LOT_SIZE bounds, in lots; default 1 and no maximum. */
  minQty?: Lots;
  maxQty?: Lots;
  /** MARKET_LOT_SIZE bounds for MARKET orders, in lots; default 1 and no maximum. */
  marketMinQty?: Lots;
  marketMaxQty?: Lots;
  /** NOTIONAL filter, in quote units; default 0 and no maximum (MAX_UNITS). */
  minNotional?: Units;
  maxNotional?: Units;
  /** Whether the NOTIONAL bounds apply to MARKET orders (Binance defaults: min yes, max no). */
  applyMinToMarket?: boolean;
  applyMaxToMarket?: boolean;
  /** PERCENT_PRICE_BY_SIDE; none by default. */
  priceBand?: PriceBand;
  /** MAX_NUM_ORDERS: open orders per account on this market; default 200. */
  maxNumOrders?: number;
  /**
   * MAX_NUM_ALGO_ORDERS: open orders of the stop types (trailing ones too; waiting for their trigger or, once
   * triggered, resting) an account may have on this market; default 5, as on Binance. They count against
   * MAX_NUM_ORDERS as well.
   */
  maxNumAlgoOrders?: number;
  /** The mode an order gets when it names none; default EXPIRE_MAKER, as on Binance. */
  defaultSelfTradePreventionMode?: SelfTradePreventionMode;
  /** The modes an order may name; default all four. */
  allowedSelfTradePreventionModes?: SelfTradePreventionMode[];
  /**
   * TRAILING_DELTA, in BIPS (1 = 0.01 %): the trailingDelta a trailing stop may take. "Above" bounds STOP_LOSS*
   * BUY and TAKE_PROFIT* SELL (they trigger on a rise), "below" the other two; default 10 to 2000 each (Binance's
   * usual values).
   */
  minTrailingAboveDelta?: number;
  maxTrailingAboveDelta?: number;
  minTrailingBelowDelta?: number;
  maxTrailingBelowDelta?: number;
  makerFee: Fraction;
  takerFee: Fraction;
  status?: MarketStatus;
}

/** A market with every default filled in: what the core holds and reports. */
export type MarketDefinition = Required<Omit<MarketSpec, 'priceBand'>> & { priceBand: PriceBand | null };

export interface CreateMarket extends MarketSpec {
  type: 'createMarket';
}

export interface SetMarketStatus {
  type: 'setMarketStatus';
  symbol: string;
  status: MarketStatus;
}

export interface Deposit {
  type: 'deposit';
  accountId: number;
  asset: string;
  amount: Units;
}

export interface Withdraw {
  type: 'withdraw';
  accountId: number;
  asset: string;
  amount: Units;
}

export interface PlaceOrder {
  type: 'placeOrder';
  accountId: number;
  symbol: string;
  side: Side;
  orderType: OrderType;
  /** LIMIT only; LIMIT_MAKER is GTC by nature and MARKET takes none. */
  timeInForce?: TimeInForce;
  /** LIMIT, LIMIT_MAKER and the *_LIMIT stop orders. */
  price?: Ticks;
  /**
   * Stop orders only: the last trade price that triggers them, in ticks. STOP_LOSS* buys trigger at or above
   * it and sells at or below; TAKE_PROFIT* the other way round.
   */
  stopPrice?: Ticks;
  /**
   * Trailing stops (the stop types only), in BIPS (1 = 0.01 %): the order triggers once the last price moves this
   * far against it from the best price since it began tracking (the lowest for a BUY, the highest for a SELL).
   * stopPrice is then optional: with one, tracking begins when the stop price condition is first met; without,
   * at once, from the last price. Binance's rules (faqs/trailing-stop-faq.md).
   */
  trailingDelta?: number;
  /** Required except for a MARKET order by quoteOrderQty. */
  quantity?: Lots;
  /** MARKET only, instead of quantity: quote to spend (BUY) or to receive (SELL), in quote units. */
  quoteOrderQty?: Units;
  clientOrderId?: string;
  /** Defaults to the market's defaultSelfTradePreventionMode. */
  selfTradePreventionMode?: SelfTradePreventionMode;
  timestamp: number;
}

/** The new order of a cancelReplace: a placeOrder without what the cancelReplace itself carries. */
export type ReplacementOrder = Omit<PlaceOrder, 'type' | 'accountId' | 'symbol' | 'timestamp'>;

/** Cancel an open order and place a new one, atomically, as Binance's order.cancelReplace. */
export interface CancelReplace {
  type: 'cancelReplace';
  accountId: number;
  symbol: string;
  /** Which order to cancel: one of the two, as for cancelOrder. */
  cancelOrderId?: number;
  cancelClientOrderId?: string;
  /** Cancel only if the order is in that state. */
  cancelRestriction?: CancelRestriction;
  /** STOP_ON_FAILURE: no new order when the cancel fails. ALLOW_FAILURE: place it regardless. */
  mode: 'STOP_ON_FAILURE' | 'ALLOW_FAILURE';
  order: ReplacementOrder;
  timestamp: number;
}

/** Reduce an open order's quantity in place, keeping its priority (Binance's order.amend.keepPriority). */
export interface AmendOrder {
  type: 'amendOrder';
  accountId: number;
  symbol: string;
  orderId?: number;
  clientOrderId?: string;
  /** The new total quantity, in lots: more than what has executed and less than the current quantity. */
  newQty: Lots;
  /** A new clientOrderId for the order; it keeps its own when none is sent. */
  newClientOrderId?: string;
  timestamp: number;
}

/**
 * An account's own maker and taker fees (a fee tier), for one market or, without `symbol`, for every market;
 * a market-specific tier wins over an account-wide one, which wins over the market's fees. `null` fees remove
 * the tier.
 */
export interface SetAccountFees {
  type: 'setAccountFees';
  accountId: number;
  symbol?: string;
  makerFee: Fraction | null;
  takerFee: Fraction | null;
}

/** Binance's cancelRestrictions: cancel only if the order is in that state (else CANCEL_RESTRICTED). */
export type CancelRestriction = 'ONLY_NEW' | 'ONLY_PARTIALLY_FILLED';

export interface CancelOrder {
  type: 'cancelOrder';
  accountId: number;
  symbol: string;
  /** One of the two identifies the order; with both, the order found by orderId must carry the clientOrderId. */
  orderId?: number;
  clientOrderId?: string;
  restriction?: CancelRestriction;
  timestamp: number;
}

export interface CancelAllOrders {
  type: 'cancelAllOrders';
  accountId: number;
  symbol: string;
  timestamp: number;
}

export type Command =
  | CreateMarket
  | SetMarketStatus
  | Deposit
  | Withdraw
  | SetAccountFees
  | PlaceOrder
  | CancelOrder
  | CancelAllOrders
  | CancelReplace
  | AmendOrder;
