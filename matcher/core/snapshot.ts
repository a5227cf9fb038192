// Snapshot and restore: the state as plain data (bigints included, no class instances), and back. Recovery is
// restore + replay of the commands after the snapshot through the same apply, so a restored state must be
// indistinguishable from the original: same hash, same behaviour for every later command.

import type { BookKind } from './book.ts';
import type { MarketDefinition, MarketStatus } from './commands.ts';
import { assetOf, createState, newBook } from './engine.ts';
import type { OrderUpdate } from './events.ts';
import { DEFINITION_DEFAULTS } from './market.ts';
import { addOpen } from './open-orders.ts';
import { feeTiersOf } from './fees.ts';
import { BUY, newTrailing, ORDER_TYPES, SELL, SIDES, STATUSES, STP, TIME_IN_FORCE } from './order-store.ts';
import { addStop } from './stops.ts';
import { trailingSlots } from './trailing.ts';
import { accountOf } from './risk.ts';
import { type ExchangeState, Market } from './state.ts';

/**
 * An open order as the snapshot keeps it: its last update, less the event tag, and for an order on the book its
 * place in the queue (`queuedAt`, see OrderStore). Without queuedAt, orders queue in the order given.
 */
export type OrderSnapshot = Omit<OrderUpdate, 'type'> & { queuedAt?: number };

export interface Snapshot {
  version: 1;
  seq: number;
  nextOrderId: number;
  nextTradeId: number;
  nextPreventedMatchId: number;
  /** The order store's queue clock (the last queuedAt handed out). */
  queueClock: number;
  feeTiers: { accountId: number; symbol?: string; makerFee: number; takerFee: number }[];
  assets: { name: string; deposited: bigint; withdrawn: bigint; feesCollected: bigint }[];
  markets: { definition: MarketDefinition; status: MarketStatus; lastPrice: number }[];
  balances: { accountId: number; asset: string; free: bigint; locked: bigint }[];
  /** Open orders, per market bids then asks, each side in priority order (price, then time). */
  orders: OrderSnapshot[];
  /**
   * Pending stop orders, per market the rising list then the falling one, each in trigger order, then the
   * trailing stops by id.
   */
  stops: OrderSnapshot[];
}

export function snapshot(state: ExchangeState): Snapshot {
  const orders: OrderSnapshot[] = [];
  const stops: OrderSnapshot[] = [];
  const viewOf = (m: Market, slot: number): OrderSnapshot => {
    const { type: _, ...order } = state.store.view(
      slot,
      m.symbol,
      state.accountList[state.store.account(slot)]!.id,
    );
    return order;
  };
  for (const m of state.marketList) {
    const s = state.store;
    const pending = [...m.risingStops.slots(s), ...m.fallingStops.slots(s), ...trailingSlots(s, m)];
    for (const slot of pending) stops.push(viewOf(m, slot));
    for (const side of [BUY, SELL]) {
      for (const slot of m.book.orders(side)) {
        orders.push({ ...viewOf(m, slot), queuedAt: state.store.queuedAt(slot) });
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
    nextPreventedMatchId: state.nextPreventedMatchId,
    queueClock: state.store.queueClock,
    feeTiers: feeTiersOf(state),
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
    stops,
  };
}

/**
 * Pending stops in an order that files each quickly: a tracking trailing stop joins its side's levels, kept from
 * the most extreme best price to the least (trailing.ts), in O(1) when it comes after every more extreme one, so
 * those come first (the highest best for a SELL, the lowest for a BUY); the rest as they are.
 */
function inFilingOrder(stops: OrderSnapshot[]): OrderSnapshot[] {
  const rank = (o: OrderSnapshot): number => {
    const best = o.trailingPrice ?? 0;
    return o.side === 'SELL' ? best : best === 0 ? -Infinity : -best;
  };
  const tracking = (o: OrderSnapshot): boolean =>
    o.trailingDelta !== undefined && o.trailingTime !== undefined && o.trailingTime !== -1;
  return [...stops.filter((o) => !tracking(o)), ...stops.filter(tracking).sort((a, b) => rank(b) - rank(a))];
}

export function restore(snap: Snapshot, bookKind: BookKind = 'fast'): ExchangeState {
  const state = createState(bookKind);
  state.seq = snap.seq;
  state.nextOrderId = snap.nextOrderId;
  state.nextTradeId = snap.nextTradeId;
  state.nextPreventedMatchId = snap.nextPreventedMatchId;
  for (const a of snap.assets) {
    const asset = assetOf(state, a.name);
    asset.deposited = a.deposited;
    asset.withdrawn = a.withdrawn;
    asset.feesCollected = a.feesCollected;
  }
  for (const { definition: stored, status, lastPrice } of snap.markets) {
    // A definition stored before some of its fields existed gets their defaults.
    const definition: MarketDefinition = { ...DEFINITION_DEFAULTS, ...stored };
    const base = assetOf(state, definition.baseAsset);
    const quote = assetOf(state, definition.quoteAsset);
    const market = new Market(
      state.marketList.length,
      definition,
      base,
      quote,
      newBook(bookKind, state.store),
    );
    market.status = status;
    market.lastPrice = lastPrice;
    state.markets.set(market.symbol, market);
    state.marketList.push(market);
  }
  for (const b of snap.balances) {
    const balance = accountOf(state, b.accountId).balance(assetOf(state, b.asset));
    balance.set(b.free, b.locked);
  }
  for (const t of snap.feeTiers) {
    const account = accountOf(state, t.accountId);
    const tier = { makerFee: t.makerFee, takerFee: t.takerFee };
    const market = t.symbol === undefined ? undefined : state.markets.get(t.symbol);
    if (market === undefined) {
      account.feeTier = tier;
    } else {
      account.marketFeeTiers ??= [];
      account.marketFeeTiers[market.index] = tier;
    }
  }
  // The book queue follows the snapshot's priority order; each account's open list follows order ids.
  const store = state.store;
  const placed: number[] = [];
  const pendingFrom = snap.orders.length;
  let lastQueued = 0;
  for (const [i, o] of [...snap.orders, ...inFilingOrder(snap.stops)].entries()) {
    const market = state.markets.get(o.symbol);
    if (market === undefined) throw new Error(`snapshot order ${o.orderId} names unknown market ${o.symbol}`);
    const slot = store.alloc();
    store.setId(slot, o.orderId);
    store.setMarket(slot, market.index);
    store.setAccount(slot, accountOf(state, o.accountId).index);
    store.setSide(slot, SIDES.indexOf(o.side));
    store.setOrderType(slot, ORDER_TYPES.indexOf(o.orderType));
    store.setTimeInForce(slot, TIME_IN_FORCE.indexOf(o.timeInForce));
    store.setPrice(slot, o.price);
    store.setOrigQty(slot, o.origQty);
    store.setExecutedQty(slot, o.executedQty);
    store.setRemaining(slot, o.origQty - o.executedQty);
    store.addCumQuote(slot, o.cumQuote);
    store.setStatus(slot, STATUSES.indexOf(o.status));
    store.setSelfTradePrevention(slot, STP.indexOf(o.selfTradePreventionMode));
    store.setPreventedQty(slot, o.preventedQty);
    store.setStopPrice(slot, o.stopPrice ?? 0);
    store.setQuoteOrderQty(slot, o.origQuoteOrderQty);
    store.setTime(slot, o.time);
    store.setUpdateTime(slot, o.updateTime);
    store.setClientOrderId(slot, o.clientOrderId);
    if (o.trailingDelta !== undefined) {
      // A tracking stop from before trailingFromTradeId was kept had its best price kept up to date.
      const time = o.trailingTime ?? -1;
      const from = time === -1 ? 0 : (o.trailingFromTradeId ?? snap.nextTradeId);
      const basis = o.trailingHoldBasis ?? 0;
      store.setTrailing(slot, newTrailing(o.trailingDelta, time, from, o.trailingPrice ?? 0, basis));
    }
    if (i >= pendingFrom) {
      addStop(state, market, slot, o.trailingPrice ?? 0);
    } else {
      market.book.insert(slot);
      if (o.queuedAt !== undefined) store.setQueuedAt(slot, o.queuedAt);
      if (store.queuedAt(slot) > lastQueued) lastQueued = store.queuedAt(slot);
    }
    placed.push(slot);
  }
  store.queueClock = Math.max(snap.queueClock, lastQueued);
  placed.sort((a, b) => store.id(a) - store.id(b));
  for (const slot of placed) addOpen(state, slot);
  return state;
}
