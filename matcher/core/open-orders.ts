// Each account's open orders per market: a count (MAX_NUM_ORDERS), a doubly linked list (cancel all) and an
// index by clientOrderId, all kept in step as orders rest and leave the book.

import type { Order } from './order.ts';

/** The key of an open order in Account.byClientOrderId: clientOrderIds are unique per account and market. */
export const clientKey = (marketIndex: number, clientOrderId: string): string =>
  `${marketIndex}:${clientOrderId}`;

export function addOpen(order: Order): void {
  const account = order.account;
  const mi = order.market.index;
  const newest = account.newestOpen[mi] ?? null;
  order.olderOpen = newest;
  if (newest !== null) newest.newerOpen = order;
  account.newestOpen[mi] = order;
  account.openCount[mi] = (account.openCount[mi] ?? 0) + 1;
  if (order.clientOrderId !== undefined)
    account.byClientOrderId.set(clientKey(mi, order.clientOrderId), order);
}

export function removeOpen(order: Order): void {
  const account = order.account;
  const mi = order.market.index;
  const { olderOpen, newerOpen } = order;
  if (olderOpen !== null) olderOpen.newerOpen = newerOpen;
  if (newerOpen !== null) newerOpen.olderOpen = olderOpen;
  else account.newestOpen[mi] = olderOpen;
  order.olderOpen = null;
  order.newerOpen = null;
  account.openCount[mi]!--;
  if (order.clientOrderId !== undefined) account.byClientOrderId.delete(clientKey(mi, order.clientOrderId));
}
