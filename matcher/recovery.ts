// Start-up: the state as the last commit left it, rebuilt from the database through the core's own restore (the
// same path the snapshot tests hold to "indistinguishable from the original": equal stateHash, same behaviour).
// The commands after the committed offset are then re-applied by the loop.

import type { OffsetRow, OrderRow, StoredState } from '../db/repositories/matcher-state.ts';
import { EVERY_MARKET } from '../db/schema/fee-tiers.ts';
import {
  type ExchangeState,
  type MarketDefinition,
  type MarketStatus,
  type OrderSnapshot,
  restore,
  type Snapshot,
  type BookKind,
} from './core/index.ts';
import { decode } from './wire.ts';

/** The offset row of a shard nothing has committed to yet. */
export const initialOffset = (shard: string): OffsetRow => ({
  shard,
  streamId: '0-0',
  seq: 0,
  nextOrderId: 1,
  nextTradeId: 1,
  nextPreventedMatchId: 1,
  queueClock: 0,
  epoch: 0,
});

export function snapshotOf(stored: StoredState): Snapshot {
  const o = stored.offset;
  return {
    version: 1,
    seq: o.seq,
    nextOrderId: o.nextOrderId,
    nextTradeId: o.nextTradeId,
    nextPreventedMatchId: o.nextPreventedMatchId,
    queueClock: o.queueClock,
    feeTiers: stored.feeTiers.map((t) => ({
      accountId: t.accountId,
      ...(t.symbol === EVERY_MARKET ? {} : { symbol: t.symbol }),
      makerFee: t.makerFee!,
      takerFee: t.takerFee!,
    })),
    assets: stored.assets,
    markets: stored.markets.map((m) => ({
      definition: decode<MarketDefinition>(m.definition),
      status: m.status as MarketStatus,
      lastPrice: m.lastPrice,
    })),
    balances: stored.balances,
    orders: stored.bookOrders.map(orderSnapshot),
    stops: stored.pendingStops.map(orderSnapshot),
  };
}

function orderSnapshot(r: OrderRow): OrderSnapshot {
  const order: OrderSnapshot = {
    symbol: r.symbol,
    orderId: r.orderId,
    clientOrderId: r.clientOrderId ?? undefined,
    accountId: r.accountId,
    side: r.side as OrderSnapshot['side'],
    orderType: r.type as OrderSnapshot['orderType'],
    timeInForce: r.timeInForce as OrderSnapshot['timeInForce'],
    price: r.price as OrderSnapshot['price'],
    origQty: r.origQty as OrderSnapshot['origQty'],
    executedQty: r.executedQty as OrderSnapshot['executedQty'],
    cumQuote: r.cumQuote as OrderSnapshot['cumQuote'],
    status: r.status as OrderSnapshot['status'],
    selfTradePreventionMode: r.selfTradePreventionMode as OrderSnapshot['selfTradePreventionMode'],
    preventedQty: r.preventedQty as OrderSnapshot['preventedQty'],
    time: r.time,
    updateTime: r.updateTime,
  };
  if (r.origQuoteOrderQty !== null)
    order.origQuoteOrderQty = r.origQuoteOrderQty as OrderSnapshot['cumQuote'];
  if (r.stopPrice !== 0) order.stopPrice = r.stopPrice as OrderSnapshot['price'];
  if (r.queuedAt !== null) order.queuedAt = r.queuedAt;
  if (r.trailingDelta !== null) order.trailingDelta = r.trailingDelta;
  if (r.trailingTime !== null) order.trailingTime = r.trailingTime;
  if (r.trailingPrice !== null) order.trailingPrice = r.trailingPrice as OrderSnapshot['price'];
  if (r.trailingFromTradeId !== null) order.trailingFromTradeId = r.trailingFromTradeId;
  if (r.trailingHoldBasis !== null) order.trailingHoldBasis = r.trailingHoldBasis as OrderSnapshot['price'];
  return order;
}

export function stateOf(stored: StoredState, bookKind: BookKind = 'fast'): ExchangeState {
  return restore(snapshotOf(stored), bookKind);
}
