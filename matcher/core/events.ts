// Events: a closed union of everything a command changed, in the order it happened. They carry all the
// database, the replies, market data and user streams need; a consumer never has to read the state.

import type {
  MarketDefinition,
  MarketStatus,
  OrderType,
  SelfTradePreventionMode,
  Side,
  TimeInForce,
} from './commands.ts';
import type { Lots, Ticks, Units } from './money.ts';

export type OrderStatus =
  'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED' | 'EXPIRED_IN_MATCH';

/** A market was created (with every default filled in). */
export interface MarketCreated {
  type: 'marketCreated';
  market: MarketDefinition;
}

/** A market's status changed. */
export interface MarketStatusChanged {
  type: 'marketStatusChanged';
  symbol: string;
  status: MarketStatus;
}

/**
 * An order as it stands after the command: emitted once per order the command created or changed (the taker
 * and every maker it filled, a cancelled order, an expired one). Quantities are cumulative.
 */
export interface OrderUpdate {
  type: 'order';
  symbol: string;
  orderId: number;
  clientOrderId: string | undefined;
  accountId: number;
  side: Side;
  orderType: OrderType;
  timeInForce: TimeInForce;
  /** In ticks; 0 for MARKET orders. */
  price: Ticks;
  origQty: Lots;
  executedQty: Lots;
  /** Sum of price × quantity over the order's fills, in quote units. */
  cumQuote: Units;
  status: OrderStatus;
  selfTradePreventionMode: SelfTradePreventionMode;
  /** What self-trade prevention expired of this order, in lots. */
  preventedQty: Lots;
  /** MARKET orders by quoteOrderQty: the quote they were to spend or receive, in quote units. */
  origQuoteOrderQty?: Units;
  /** Stop orders: the trigger price, in ticks (for a trailing stop, the price that begins tracking, if any). */
  stopPrice?: Ticks;
  /** Trailing stops: their trailingDelta, in BIPS. */
  trailingDelta?: number;
  /** Trailing stops: when they began tracking (the timestamp of that command), -1 until then (Binance's field). */
  trailingTime?: number;
  /**
   * Trailing stops while tracking: the best trade price since tracking began (the lowest for a BUY, the highest for
   * a SELL) as of this update, in ticks, 0 before any; what the trigger is measured from. The best price moves
   * with the market without an update of its own (one per stop per new high would not scale): the best price now
   * is the better of this and the prices of the market's trades from trailingFromTradeId on.
   */
  trailingPrice?: Ticks;
  /** Trailing stops while tracking: the first trade (by tradeId, of this order's market) that counts toward it. */
  trailingFromTradeId?: number;
  /**
   * Trailing market buys without a stopPrice: the last price when placed, in ticks; they hold trailingHoldBasis ×
   * (1 + trailingDelta) per lot and spend no more than that once triggered.
   */
  trailingHoldBasis?: Ticks;
  /** When the order was placed (the placing command's timestamp). */
  time: number;
  /** The timestamp of the command that produced this update. */
  updateTime: number;
}

/** One fill between a taker and a resting maker, at the maker's price. */
export interface Trade {
  type: 'trade';
  symbol: string;
  tradeId: number;
  price: Ticks;
  qty: Lots;
  /** price × qty in quote units. */
  quoteQty: Units;
  buyerOrderId: number;
  sellerOrderId: number;
  buyerAccountId: number;
  sellerAccountId: number;
  isBuyerMaker: boolean;
  /** Charged to the buyer in the base asset, in base units. */
  buyerFee: Units;
  /** Charged to the seller in the quote asset, in quote units. */
  sellerFee: Units;
  time: number;
}

/** Self-trade prevention stopped a taker from trading with a resting order of the same account. */
export interface PreventedMatch {
  type: 'preventedMatch';
  symbol: string;
  preventedMatchId: number;
  takerOrderId: number;
  makerOrderId: number;
  accountId: number;
  /** The maker's price, in ticks. */
  price: Ticks;
  /** The quantity that would have traded, in lots. */
  qty: Lots;
  mode: SelfTradePreventionMode;
  time: number;
}

/** An account's fee tier changed (null fees: the tier was removed). */
export interface AccountFeesSet {
  type: 'accountFeesSet';
  accountId: number;
  symbol: string | undefined;
  makerFee: number | null;
  takerFee: number | null;
}

/**
 * A balance as it stands after the command: once per (account, asset) the command changed; or, reported by batch
 * (engine.ts reportBalancesByBatch), as it stands at the flush, once per balance changed since the last one.
 */
export interface BalanceUpdate {
  type: 'balance';
  accountId: number;
  asset: string;
  free: Units;
  locked: Units;
}

/** Money came in from outside. */
export interface Deposited {
  type: 'deposited';
  accountId: number;
  asset: string;
  amount: Units;
}

/** Money left for outside. */
export interface Withdrawn {
  type: 'withdrawn';
  accountId: number;
  asset: string;
  amount: Units;
}

export type Event =
  | MarketCreated
  | MarketStatusChanged
  | AccountFeesSet
  | OrderUpdate
  | Trade
  | PreventedMatch
  | BalanceUpdate
  | Deposited
  | Withdrawn;
