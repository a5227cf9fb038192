import type { OrderType, Side, TimeInForce } from './commands.ts';
import type { OrderStatus, OrderUpdate } from './events.ts';
import type { Lots, Ticks, Units } from './money.ts';
import type { Account, Market } from './state.ts';

/**
 * An order the core holds. Mutable for speed; the outside world only ever sees `view()` snapshots.
 * `prev`, `next` and `level` belong to the fast book (an intrusive FIFO per price level); the reference book
 * leaves them alone.
 */
export class Order {
  readonly id: number;
  readonly market: Market;
  readonly account: Account;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly timeInForce: TimeInForce;
  /** In ticks; 0 for MARKET orders. */
  readonly price: number;
  origQty: number;
  executedQty = 0;
  /** origQty - executedQty, kept to spare the hot loop a subtraction. */
  remaining: number;
  cumQuote = 0n;
  status: OrderStatus = 'NEW';
  readonly clientOrderId: string | undefined;
  readonly time: number;
  updateTime: number;

  /** The account's open orders on this market form a doubly linked list (see Account.newestOpen). */
  olderOpen: Order | null = null;
  newerOpen: Order | null = null;
  /** Set by the book on entry: FIFO means this ascends along every price level. */
  queuedAt = 0;
  prev: Order | null = null;
  next: Order | null = null;
  level: unknown = null;

  constructor(
    id: number,
    market: Market,
    account: Account,
    side: Side,
    orderType: OrderType,
    timeInForce: TimeInForce,
    price: number,
    qty: number,
    clientOrderId: string | undefined,
    time: number,
  ) {
    this.id = id;
    this.market = market;
    this.account = account;
    this.side = side;
    this.orderType = orderType;
    this.timeInForce = timeInForce;
    this.price = price;
    this.origQty = qty;
    this.remaining = qty;
    this.clientOrderId = clientOrderId;
    this.time = time;
    this.updateTime = time;
  }

  view(): OrderUpdate {
    return {
      type: 'order',
      symbol: this.market.symbol,
      orderId: this.id,
      clientOrderId: this.clientOrderId,
      accountId: this.account.id,
      side: this.side,
      orderType: this.orderType,
      timeInForce: this.timeInForce,
      price: this.price as Ticks,
      origQty: this.origQty as Lots,
      executedQty: this.executedQty as Lots,
      cumQuote: this.cumQuote as Units,
      status: this.status,
      time: this.time,
      updateTime: this.updateTime,
    };
  }
}
