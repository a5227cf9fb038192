// Every order the core holds, as columns of typed arrays indexed by a slot number (struct of arrays). A resting
// order is a handful of numbers, not a heap object: the garbage collector never walks the book, so the cost of
// an operation does not grow with the number of resting orders. Slots of closed orders are reused.

import type { OrderType, SelfTradePreventionMode, Side, TimeInForce } from './commands.ts';
import type { OrderStatus, OrderUpdate } from './events.ts';
import { bigOf, type Lots, type Ticks, type Units } from './money.ts';

/** "No order": the empty slot reference. */
export const NONE = -1;

export const BUY = 0;
export const SELL = 1;
export const SIDES: readonly Side[] = ['BUY', 'SELL'];
export const ORDER_TYPES: readonly OrderType[] = [
  'LIMIT',
  'LIMIT_MAKER',
  'MARKET',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
];
export const TIME_IN_FORCE: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK'];
export const STATUSES: readonly OrderStatus[] = [
  'NEW',
  'PARTIALLY_FILLED',
  'FILLED',
  'CANCELED',
  'REJECTED',
  'EXPIRED',
  'EXPIRED_IN_MATCH',
];
export const STP: readonly SelfTradePreventionMode[] = [
  'NONE',
  'EXPIRE_TAKER',
  'EXPIRE_MAKER',
  'EXPIRE_BOTH',
];
export const STP_NONE = 0;
export const EXPIRE_TAKER = 1;
export const EXPIRE_MAKER = 2;
export const EXPIRE_BOTH = 3;
export const LIMIT = 0;
export const LIMIT_MAKER = 1;
export const MARKET = 2;
export const STOP_LOSS = 3;
export const STOP_LOSS_LIMIT = 4;
export const TAKE_PROFIT = 5;
export const TAKE_PROFIT_LIMIT = 6;
/** Whether an order type is one of the stops. */
export const isStop = (type: number): boolean => type >= STOP_LOSS;
/** Whether an order type trades at market (once triggered, for a stop). */
export const atMarket = (type: number): boolean =>
  type === MARKET || type === STOP_LOSS || type === TAKE_PROFIT;
export const GTC = 0;
export const IOC = 1;
export const FOK = 2;
export const NEW = 0;
export const PARTIALLY_FILLED = 1;
export const FILLED = 2;
export const CANCELED = 3;
export const EXPIRED = 5;
export const EXPIRED_IN_MATCH = 6;

/** cumQuote is kept exact in two double limbs: hi * 2^32 + lo, each limb a safe integer. */
const LIMB = 2 ** 32;
const LIMB_BIG = 32n;
/** Below this high limb the total is a safe integer (hi * 2^32 + lo < 2^53). */
const SAFE_HI = 2 ** 21;
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * column[slot] = value for a column that is mostly empty: an empty value past the end is not written, so the
 * column does not grow (and the garbage collector does not copy it) when no order has one.
 */
function put<T>(column: (T | undefined)[], slot: number, value: T | undefined): void {
  if (slot < column.length) {
    column[slot] = value;
  } else if (value !== undefined) {
    while (column.length < slot) column.push(undefined);
    column.push(value);
  }
}

export class OrderStore {
  private capacity = 0;
  /** Slots never used yet start here; closed ones wait in `freed`. */
  private top = 0;
  private readonly freed: number[] = [];

  id = new Float64Array(0);
  /** In ticks; 0 for MARKET orders. */
  price = new Float64Array(0);
  /** In lots. */
  origQty = new Float64Array(0);
  executedQty = new Float64Array(0);
  /** origQty - executedQty. */
  remaining = new Float64Array(0);
  time = new Float64Array(0);
  updateTime = new Float64Array(0);
  cumQuoteLo = new Float64Array(0);
  cumQuoteHi = new Float64Array(0);
  /**
   * Set by the book on entry from `queueClock`: FIFO means this ascends along every price level. The clock is
   * shared by every book of the state and survives snapshot and restore, so a stored queuedAt keeps its meaning
   * across restarts (the database rebuilds the queues from it).
   */
  queuedAt = new Float64Array(0);
  queueClock = 0;
  /** What self-trade prevention expired of the order, in lots. */
  preventedQty = new Float64Array(0);
  /** Stop orders: the trigger price in ticks (0 for others). */
  stopPrice = new Float64Array(0);
  market = new Int32Array(0);
  /** Index into ExchangeState.accountList. */
  account = new Int32Array(0);
  /** The fast book's FIFO links within a price level. */
  prev = new Int32Array(0);
  next = new Int32Array(0);
  /** The account's open orders on the market, newest first (see Account.newestOpen). */
  olderOpen = new Int32Array(0);
  newerOpen = new Int32Array(0);
  side = new Uint8Array(0);
  orderType = new Uint8Array(0);
  timeInForce = new Uint8Array(0);
  status = new Uint8Array(0);
  selfTradePrevention = new Uint8Array(0);
  /** 1 while a stop order waits off the book for its trigger. */
  pending = new Uint8Array(0);
  /** Set through setClientOrderId: it grows only as far as the highest slot that has one. */
  readonly clientOrderId: (string | undefined)[] = [];
  /** MARKET orders by quoteOrderQty only (they never rest, so this stays small); set through setQuoteOrderQty. */
  readonly quoteOrderQty: (bigint | undefined)[] = [];

  alloc(): number {
    const slot = this.freed.length > 0 ? this.freed.pop()! : this.top++;
    if (slot >= this.capacity) this.grow();
    this.prev[slot] = NONE;
    this.next[slot] = NONE;
    this.olderOpen[slot] = NONE;
    this.newerOpen[slot] = NONE;
    this.executedQty[slot] = 0;
    this.cumQuoteLo[slot] = 0;
    this.cumQuoteHi[slot] = 0;
    this.queuedAt[slot] = 0;
    this.preventedQty[slot] = 0;
    this.stopPrice[slot] = 0;
    this.pending[slot] = 0;
    this.status[slot] = NEW;
    return slot;
  }

  /** Gives a closed order's slot back for reuse. */
  free(slot: number): void {
    put(this.clientOrderId, slot, undefined);
    put(this.quoteOrderQty, slot, undefined);
    this.freed.push(slot);
  }

  setClientOrderId(slot: number, clientOrderId: string | undefined): void {
    put(this.clientOrderId, slot, clientOrderId);
  }

  setQuoteOrderQty(slot: number, quoteOrderQty: bigint | undefined): void {
    put(this.quoteOrderQty, slot, quoteOrderQty);
  }

  /** Slots in use. */
  get live(): number {
    return this.top - this.freed.length;
  }

  addCumQuote(slot: number, amount: number | bigint): void {
    // A bigint that is a safe integer (every taker's total but the largest) takes the double path too.
    if (typeof amount === 'bigint' && amount <= MAX_SAFE_BIG) amount = Number(amount);
    if (typeof amount === 'number') {
      const hi = Math.floor(amount / LIMB);
      let lo = this.cumQuoteLo[slot]! + (amount - hi * LIMB);
      let carry = hi;
      if (lo >= LIMB) {
        lo -= LIMB;
        carry++;
      }
      this.cumQuoteLo[slot] = lo;
      this.cumQuoteHi[slot]! += carry;
    } else {
      const total = this.cumQuote(slot) + amount;
      this.cumQuoteHi[slot] = Number(total >> LIMB_BIG);
      this.cumQuoteLo[slot] = Number(total & (2n ** LIMB_BIG - 1n));
    }
  }

  /** Sum of price × quantity over the order's fills, in quote units. */
  cumQuote(slot: number): bigint {
    const hi = this.cumQuoteHi[slot]!;
    const lo = this.cumQuoteLo[slot]!;
    if (hi < SAFE_HI) return hi === 0 && lo === 0 ? 0n : bigOf(hi * LIMB + lo);
    return (BigInt(hi) << LIMB_BIG) + BigInt(lo);
  }

  view(slot: number, symbol: string, accountId: number): OrderUpdate {
    const quoteOrderQty = this.quoteOrderQty[slot];
    const view: OrderUpdate = {
      type: 'order',
      symbol,
      orderId: this.id[slot]!,
      clientOrderId: this.clientOrderId[slot],
      accountId,
      side: SIDES[this.side[slot]!]!,
      orderType: ORDER_TYPES[this.orderType[slot]!]!,
      timeInForce: TIME_IN_FORCE[this.timeInForce[slot]!]!,
      price: this.price[slot] as Ticks,
      origQty: this.origQty[slot] as Lots,
      executedQty: this.executedQty[slot] as Lots,
      cumQuote: this.cumQuote(slot) as Units,
      status: STATUSES[this.status[slot]!]!,
      selfTradePreventionMode: STP[this.selfTradePrevention[slot]!]!,
      preventedQty: this.preventedQty[slot] as Lots,
      time: this.time[slot]!,
      updateTime: this.updateTime[slot]!,
    };
    if (quoteOrderQty !== undefined) view.origQuoteOrderQty = quoteOrderQty as Units;
    const stopPrice = this.stopPrice[slot]!;
    if (stopPrice !== 0) view.stopPrice = stopPrice as Ticks;
    return view;
  }

  private grow(): void {
    const n = Math.max(1024, this.capacity * 2);
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    const u8 = (a: Uint8Array) => {
      const b = new Uint8Array(n);
      b.set(a);
      return b;
    };
    this.id = f64(this.id);
    this.price = f64(this.price);
    this.origQty = f64(this.origQty);
    this.executedQty = f64(this.executedQty);
    this.remaining = f64(this.remaining);
    this.time = f64(this.time);
    this.updateTime = f64(this.updateTime);
    this.cumQuoteLo = f64(this.cumQuoteLo);
    this.cumQuoteHi = f64(this.cumQuoteHi);
    this.queuedAt = f64(this.queuedAt);
    this.preventedQty = f64(this.preventedQty);
    this.stopPrice = f64(this.stopPrice);
    this.market = i32(this.market);
    this.account = i32(this.account);
    this.prev = i32(this.prev);
    this.next = i32(this.next);
    this.olderOpen = i32(this.olderOpen);
    this.newerOpen = i32(this.newerOpen);
    this.side = u8(this.side);
    this.orderType = u8(this.orderType);
    this.timeInForce = u8(this.timeInForce);
    this.status = u8(this.status);
    this.selfTradePrevention = u8(this.selfTradePrevention);
    this.pending = u8(this.pending);
    this.capacity = n;
  }
}
