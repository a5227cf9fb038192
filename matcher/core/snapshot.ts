// Snapshot and restore: the state as plain data (bigints included, no class instances), and back. Recovery is
// restore + replay of the commands after the snapshot through the same apply, so a restored state must be
// indistinguishable from the original: same hash, same behaviour for every later command.

import type { BookKind } from './book.ts';
import type { MarketDefinition, MarketStatus, OrderType, Side, TimeInForce } from './commands.ts';
import { assetOf, createState, newBook } from './engine.ts';
import type { OrderStatus } from './events.ts';
import { addOpen } from './open-orders.ts';
import { Order } from './order.ts';
import { accountOf } from './risk.ts';
import { type ExchangeState, Market } from './state.ts';

export interface OrderSnapshot {
  orderId: number;
  symbol: string;
  accountId: number;
  side: Side;
  orderType: OrderType;
  timeInForce: TimeInForce;
  price: number;
  origQty: number;
  executedQty: number;
  cumQuote: bigint;
  status: OrderStatus;
  clientOrderId: string | undefined;
  time: number;
  updateTime: number;
}

export interface Snapshot {
  version: 1;
  seq: number;
  nextOrderId: number;
  nextTradeId: number;
  assets: { name: string; deposited: bigint; withdrawn: bigint; feesCollected: bigint }[];
  markets: { definition: MarketDefinition; status: MarketStatus; lastPrice: number }[];
  balances: { accountId: number; asset: string; free: bigint; locked: bigint }[];
  /** Open orders, per market bids then asks, each side in priority order (price, then time). */
  orders: OrderSnapshot[];
}

export function snapshot(state: ExchangeState): Snapshot {
  const orders: OrderSnapshot[] = [];
  for (const m of state.marketList) {
    for (const side of ['BUY', 'SELL'] as const) {
      for (const o of m.book.orders(side)) {
        orders.push({
          orderId: o.id,
          symbol: m.symbol,
          accountId: o.account.id,
          side: o.side,
          orderType: o.orderType,
          timeInForce: o.timeInForce,
          price: o.price,
          origQty: o.origQty,
          executedQty: o.executedQty,
          cumQuote: o.cumQuote,
          status: o.status,
          clientOrderId: o.clientOrderId,
          time: o.time,
          updateTime: o.updateTime,
        });
      }
    }
  }
  const balances: Snapshot['balances'] = [];
  for (const account of state.accounts.values()) {
    for (const b of account.balances) {
      if (b !== undefined)
        balances.push({ accountId: account.id, asset: b.asset.name, free: b.free, locked: b.locked });
    }
  }
  return {
    version: 1,
    seq: state.seq,
    nextOrderId: state.nextOrderId,
    nextTradeId: state.nextTradeId,
    assets: state.assetList.map((a) => ({
      name: a.name,
      deposited: a.deposited,
      withdrawn: a.withdrawn,
      feesCollected: a.feesCollected,
    })),
    markets: state.marketList.map((m) => ({
      definition: m.definition,
      status: m.status,
      lastPrice: m.lastPrice,
    })),
    balances,
    orders,
  };
}

export function restore(snap: Snapshot, bookKind: BookKind = 'fast'): ExchangeState {
  const state = createState(bookKind);
  state.seq = snap.seq;
  state.nextOrderId = snap.nextOrderId;
  state.nextTradeId = snap.nextTradeId;
  for (const a of snap.assets) {
    const asset = assetOf(state, a.name);
    asset.deposited = a.deposited;
    asset.withdrawn = a.withdrawn;
    asset.feesCollected = a.feesCollected;
  }
  for (const { definition, status, lastPrice } of snap.markets) {
    const base = assetOf(state, definition.baseAsset);
    const quote = assetOf(state, definition.quoteAsset);
    const market = new Market(state.marketList.length, definition, base, quote, newBook(bookKind));
    market.status = status;
    market.lastPrice = lastPrice;
    state.markets.set(market.symbol, market);
    state.marketList.push(market);
  }
  for (const b of snap.balances) {
    const balance = accountOf(state, b.accountId).balance(assetOf(state, b.asset));
    balance.free = b.free;
    balance.locked = b.locked;
  }
  // The book queue follows the snapshot's priority order; each account's open list follows order ids.
  const placed: Order[] = [];
  for (const s of snap.orders) {
    const market = state.markets.get(s.symbol);
    if (market === undefined) throw new Error(`snapshot order ${s.orderId} names unknown market ${s.symbol}`);
    const account = accountOf(state, s.accountId);
    const o = new Order(
      s.orderId,
      market,
      account,
      s.side,
      s.orderType,
      s.timeInForce,
      s.price,
      s.origQty,
      s.clientOrderId,
      s.time,
    );
    o.executedQty = s.executedQty;
    o.remaining = s.origQty - s.executedQty;
    o.cumQuote = s.cumQuote;
    o.status = s.status;
    o.updateTime = s.updateTime;
    market.book.insert(o);
    state.orders.set(o.id, o);
    placed.push(o);
  }
  placed.sort((a, b) => a.id - b.id);
  for (const o of placed) addOpen(o);
  return state;
}
