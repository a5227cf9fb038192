// Commands: imperative, complete and stamped at the entrance. The core reads no clock and makes no ids of its
// own beyond its deterministic counters, so everything time-dependent arrives here (`timestamp`, in ms).

import type { Fraction, Lots, Ticks, Units } from './money.ts';

export type Side = 'BUY' | 'SELL';
export type OrderType = 'LIMIT' | 'LIMIT_MAKER' | 'MARKET';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';
export type MarketStatus = 'TRADING' | 'HALT';

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
  /** LIMIT and LIMIT_MAKER only. */
  price?: Ticks;
  quantity: Lots;
  clientOrderId?: string;
  timestamp: number;
}

export interface CancelOrder {
  type: 'cancelOrder';
  accountId: number;
  symbol: string;
  /** One of the two identifies the order; with both, the order found by orderId must carry the clientOrderId. */
  orderId?: number;
  clientOrderId?: string;
  timestamp: number;
}

export interface CancelAllOrders {
  type: 'cancelAllOrders';
  accountId: number;
  symbol: string;
  timestamp: number;
}

export type Command =
  CreateMarket | SetMarketStatus | Deposit | Withdraw | PlaceOrder | CancelOrder | CancelAllOrders;
