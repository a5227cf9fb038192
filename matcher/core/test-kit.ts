// Shorthands for tests: a market in the style of the system this replaces (BTCUSDT, tick 0.01, step 0.0001
// ... here tick 1 USDT and step 1 BTC unless asked otherwise), funded accounts, and orders in ticks and lots.

import type { BookKind } from './book.ts';
import type { Command, MarketSpec, OrderType, PlaceOrder, Side, TimeInForce } from './commands.ts';
import { type Applied, apply, createState } from './engine.ts';
import type { OrderUpdate } from './events.ts';
import type { Fraction, Lots, Ticks, Units } from './money.ts';
import { BUY, SELL } from './order-store.ts';
import type { ExchangeState } from './state.ts';

export const WHOLE = 100_000_000n;

/** A market spec: whole-unit ticks and lots unless overridden, fees as fractions in 1e-8 (100_000 = 0.1 %). */
export function marketSpec(overrides: Partial<MarketSpec> = {}): MarketSpec {
  return {
    symbol: 'BTCUSDT',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    tickSize: WHOLE as Units,
    stepSize: WHOLE as Units,
    makerFee: 0 as Fraction,
    takerFee: 0 as Fraction,
    ...overrides,
  };
}

export class Exchange {
  readonly state: ExchangeState;
  time = 1_700_000_000_000;

  constructor(kind: BookKind = 'fast') {
    this.state = createState(kind);
  }

  run(command: Command): Applied {
    return apply(this.state, command);
  }

  market(overrides: Partial<MarketSpec> = {}): this {
    const { result } = this.run({ type: 'createMarket', ...marketSpec(overrides) });
    if (result.code !== 'OK') throw new Error(`createMarket: ${result.code} ${result.detail ?? ''}`);
    return this;
  }

  /** Deposits whole units of an asset. */
  fund(accountId: number, asset: string, whole: bigint | number): this {
    const amount = (BigInt(whole) * WHOLE) as Units;
    const { result } = this.run({ type: 'deposit', accountId, asset, amount });
    if (result.code !== 'OK') throw new Error(`deposit: ${result.code}`);
    return this;
  }

  place(
    accountId: number,
    side: Side,
    orderType: OrderType,
    quantity: number,
    price?: number,
    timeInForce?: TimeInForce,
    extra: Partial<PlaceOrder> = {},
  ): Applied {
    const cmd: PlaceOrder = {
      type: 'placeOrder',
      accountId,
      symbol: 'BTCUSDT',
      side,
      orderType,
      quantity: quantity as Lots,
      timestamp: ++this.time,
      ...extra,
    };
    if (price !== undefined) cmd.price = price as Ticks;
    if (timeInForce !== undefined) cmd.timeInForce = timeInForce;
    return this.run(cmd);
  }

  limit(
    accountId: number,
    side: Side,
    quantity: number,
    price: number,
    tif: TimeInForce = 'GTC',
    extra = {},
  ): Applied {
    return this.place(accountId, side, 'LIMIT', quantity, price, tif, extra);
  }

  marketOrder(accountId: number, side: Side, quantity: number, extra = {}): Applied {
    return this.place(accountId, side, 'MARKET', quantity, undefined, undefined, extra);
  }

  cancel(accountId: number, orderId: number, symbol = 'BTCUSDT'): Applied {
    return this.run({ type: 'cancelOrder', accountId, symbol, orderId, timestamp: ++this.time });
  }

  balance(accountId: number, asset: string): { free: bigint; locked: bigint } {
    const a = this.state.assets.get(asset);
    const b = a === undefined ? undefined : this.state.accounts.get(accountId)?.balances[a.index];
    return { free: b?.free ?? 0n, locked: b?.locked ?? 0n };
  }

  /** An open order as it stands, or undefined once it is closed. */
  order(orderId: number): OrderUpdate | undefined {
    const slot = this.state.orders.get(orderId);
    return slot === undefined ? undefined : this.view(slot);
  }

  /** The resting orders of a side in priority order (price, then time). */
  bookOrders(side: Side, symbol = 'BTCUSDT'): OrderUpdate[] {
    const book = this.state.markets.get(symbol)!.book;
    return [...book.orders(side === 'BUY' ? BUY : SELL)].map((slot) => this.view(slot));
  }

  /** The first order at the best price of a side. */
  best(side: Side, symbol = 'BTCUSDT'): OrderUpdate | undefined {
    return this.bookOrders(side, symbol)[0];
  }

  private view(slot: number): OrderUpdate {
    const s = this.state.store;
    const market = this.state.marketList[s.market(slot)]!;
    return s.view(slot, market.symbol, this.state.accountList[s.account(slot)]!.id);
  }
}
