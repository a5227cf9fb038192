// Cancelling: one order by orderId or clientOrderId, or all of an account's orders in a symbol. A cancelled
// order gives back what it held.

import type { CancelAllOrders, CancelOrder } from './commands.ts';
import type { OrderUpdate } from './events.ts';
import { isPositiveInt } from './money.ts';
import { clientKey, openOrdersOf, removeOpen } from './open-orders.ts';
import { CANCELED, NEW, PARTIALLY_FILLED } from './order-store.ts';
import { ResultCode } from './result-codes.ts';
import { type CommandResult, reject } from './results.ts';
import { releaseOrder, type Tx } from './risk.ts';
import { removeStop } from './stops.ts';
import { type Account, type Market, marketOf } from './state.ts';

/** Takes an open order off the book as CANCELED, giving back what it held. */
function cancelSlot(tx: Tx, market: Market, slot: number, accountId: number): OrderUpdate {
  const state = tx.state;
  const s = state.store;
  releaseOrder(tx, slot); // first: a pending stop's hold depends on its being pending
  if (s.pending(slot) === 1) removeStop(state, market, slot);
  else market.book.remove(slot);
  removeOpen(state, slot);
  s.setStatus(slot, CANCELED);
  s.setUpdateTime(slot, tx.time);
  const view = s.view(slot, market.symbol, accountId);
  tx.emit(view);
  s.free(slot);
  return view;
}

/** The slot of an account's open order on a market named by orderId or clientOrderId (see CancelOrder). */
export function findOpen(
  tx: Tx,
  account: Account | undefined,
  market: Market,
  cmd: Pick<CancelOrder, 'orderId' | 'clientOrderId'>,
): number | undefined {
  if (account === undefined) return undefined;
  const s = tx.state.store;
  if (cmd.orderId !== undefined) {
    const slot = tx.state.orders.get(cmd.orderId);
    if (slot === undefined || s.account(slot) !== account.index || s.market(slot) !== market.index)
      return undefined;
    // With both ids, Binance finds the order by orderId and then requires the clientOrderId to match.
    return cmd.clientOrderId === undefined || cmd.clientOrderId === s.clientOrderId[slot] ? slot : undefined;
  }
  return account.byClientOrderId.get(clientKey(market.index, cmd.clientOrderId as string));
}

export function cancelOrder(tx: Tx, cmd: CancelOrder): CommandResult {
  if (!isPositiveInt(cmd.accountId)) return reject(ResultCode.INVALID_ACCOUNT);
  if (!Number.isSafeInteger(cmd.timestamp)) return reject(ResultCode.PARAMETER_REQUIRED);
  if (cmd.orderId === undefined && cmd.clientOrderId === undefined)
    return reject(ResultCode.PARAMETER_REQUIRED);
  // An id no order can have is simply unknown, as on Binance; a wrong type is too.
  if (cmd.orderId !== undefined && !isPositiveInt(cmd.orderId)) return reject(ResultCode.UNKNOWN_ORDER);
  if (cmd.clientOrderId !== undefined && typeof cmd.clientOrderId !== 'string')
    return reject(ResultCode.UNKNOWN_ORDER);
  const market = marketOf(tx.state, cmd.symbol);
  if (market === undefined) return reject(ResultCode.UNKNOWN_SYMBOL);
  const account = tx.state.accounts.get(cmd.accountId);
  const slot = findOpen(tx, account, market, cmd);
  if (slot === undefined || account === undefined) return reject(ResultCode.UNKNOWN_ORDER);
  const restriction = cmd.restriction;
  if (restriction !== undefined) {
    const status = tx.state.store.status(slot);
    const allowed =
      restriction === 'ONLY_NEW'
        ? status === NEW
        : restriction === 'ONLY_PARTIALLY_FILLED'
          ? status === PARTIALLY_FILLED
          : null;
    if (allowed === null) return reject(ResultCode.PARAMETER_NOT_ALLOWED);
    if (!allowed) return reject(ResultCode.CANCEL_RESTRICTED);
  }
  return { code: ResultCode.OK, order: cancelSlot(tx, market, slot, account.id) };
}

export function cancelAllOrders(tx: Tx, cmd: CancelAllOrders): CommandResult {
  if (!isPositiveInt(cmd.accountId)) return reject(ResultCode.INVALID_ACCOUNT);
  if (!Number.isSafeInteger(cmd.timestamp)) return reject(ResultCode.PARAMETER_REQUIRED);
  const market = marketOf(tx.state, cmd.symbol);
  if (market === undefined) return reject(ResultCode.UNKNOWN_SYMBOL);
  const account = tx.state.accounts.get(cmd.accountId);
  const open = account === undefined ? [] : openOrdersOf(tx.state, account.index, market.index);
  // Binance answers -2011 when there is nothing to cancel.
  if (account === undefined || open.length === 0) return reject(ResultCode.UNKNOWN_ORDER);
  // By id, not by list order, so that a restored state cancels in the same order.
  const s = tx.state.store;
  open.sort((a, b) => s.id(a) - s.id(b));
  return { code: ResultCode.OK, canceled: open.map((slot) => cancelSlot(tx, market, slot, account.id)) };
}
