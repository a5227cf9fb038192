// Each account's open orders per market: counts (MAX_NUM_ORDERS; of the stop types, MAX_NUM_ALGO_ORDERS: Binance
// counts an order of those types while it is open, triggered or not), a doubly linked list through the store's
// olderOpen/newerOpen columns (cancel all) and an index by clientOrderId, kept in step as orders rest and leave.

import { isStop, NONE } from './order-store.ts';
import type { ExchangeState } from './state.ts';

/** The key of an open order in Account.byClientOrderId: clientOrderIds are unique per account and market. */
export const clientKey = (marketIndex: number, clientOrderId: string): string =>
  `${marketIndex}:${clientOrderId}`;

export function addOpen(state: ExchangeState, slot: number): void {
  const s = state.store;
  const ai = s.account(slot);
  const mi = s.market(slot);
  const market = state.marketList[mi]!;
  market.reserve(ai);
  const newest = market.newestOpen[ai]!;
  s.setOlderOpen(slot, newest);
  s.setNewerOpen(slot, NONE);
  if (newest !== NONE) s.setNewerOpen(newest, slot);
  market.newestOpen[ai] = slot;
  market.openCount[ai]!++;
  if (isStop(s.orderType(slot))) market.algoCount[ai]!++;
  const clientOrderId = s.clientOrderId[slot];
  if (clientOrderId !== undefined) {
    state.accountList[ai]!.byClientOrderId.set(clientKey(mi, clientOrderId), slot);
  }
  state.orders.set(s.id(slot), slot);
}

export function removeOpen(state: ExchangeState, slot: number): void {
  const s = state.store;
  const ai = s.account(slot);
  const mi = s.market(slot);
  const market = state.marketList[mi]!;
  const older = s.olderOpen(slot);
  const newer = s.newerOpen(slot);
  if (older !== NONE) s.setNewerOpen(older, newer);
  if (newer !== NONE) s.setOlderOpen(newer, older);
  else market.newestOpen[ai] = older;
  s.setOlderOpen(slot, NONE);
  s.setNewerOpen(slot, NONE);
  market.openCount[ai]!--;
  if (isStop(s.orderType(slot))) market.algoCount[ai]!--;
  const clientOrderId = s.clientOrderId[slot];
  if (clientOrderId !== undefined)
    state.accountList[ai]!.byClientOrderId.delete(clientKey(mi, clientOrderId));
  state.orders.delete(s.id(slot));
}

/** Slots of an account's open orders on a market, newest first. */
export function openOrdersOf(state: ExchangeState, accountIndex: number, marketIndex: number): number[] {
  const s = state.store;
  const open: number[] = [];
  const market = state.marketList[marketIndex]!;
  for (let o = market.newestOpenOf(accountIndex); o !== NONE; o = s.olderOpen(o)) open.push(o);
  return open;
}
