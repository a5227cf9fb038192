// Each account's open orders per market: a list of their slots (cancel all, MAX_NUM_ORDERS is its length), a
// count of those of the stop types (MAX_NUM_ALGO_ORDERS: Binance counts an order of those types while it is
// open, triggered or not) and an index by clientOrderId, kept in step as orders rest and leave.
//
// The list is unordered: an order leaving it is replaced by the last one, whose new position goes into the
// store's small openAt column. Adding and removing touch no other order's record, where a linked list through
// the records would touch two neighbours each time, each a cache miss in a deep book.

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
  const list = market.openListOf(ai);
  s.setOpenAt(slot, list.length);
  list.push(slot | 0); // small integers only, as in OrderStore.freed
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
  const list = market.openSlots[ai]!;
  const at = s.openAt(slot);
  const last = list.pop()!;
  if (last !== slot) {
    list[at] = last | 0;
    s.setOpenAt(last, at);
  }
  s.setOpenAt(slot, NONE);
  if (isStop(s.orderType(slot))) market.algoCount[ai]!--;
  const clientOrderId = s.clientOrderId[slot];
  if (clientOrderId !== undefined)
    state.accountList[ai]!.byClientOrderId.delete(clientKey(mi, clientOrderId));
  state.orders.delete(s.id(slot));
}

/** Slots of an account's open orders on a market, newest first (ids ascend with placement). */
export function openOrdersOf(state: ExchangeState, accountIndex: number, marketIndex: number): number[] {
  const s = state.store;
  const list = state.marketList[marketIndex]!.openSlots[accountIndex];
  return list === undefined ? [] : list.slice().sort((a, b) => s.id(b) - s.id(a));
}
