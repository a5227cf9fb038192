// Amending an open order, keeping its priority (Binance's order.amend.keepPriority): only its quantity can go
// down, in place in its queue, giving back what the removed part held; its clientOrderId can change with it.

import { findOpen } from './cancel.ts';
import type { AmendOrder } from './commands.ts';
import { isPositiveInt } from './money.ts';
import { clientKey } from './open-orders.ts';
import { CLIENT_ORDER_ID } from './order-checks.ts';
import { BUY } from './order-store.ts';
import { ResultCode } from './result-codes.ts';
import { type CommandResult, reject } from './results.ts';
import { heldBy, release, type Tx } from './risk.ts';
import { type Account, type Market, marketOf } from './state.ts';

/** What the command says, checked before any lookup: the same checks as cancelOrder's, then the amendment's. */
function checkShape(cmd: AmendOrder): ResultCode {
  if (!isPositiveInt(cmd.accountId)) return ResultCode.INVALID_ACCOUNT;
  if (!Number.isSafeInteger(cmd.timestamp)) return ResultCode.PARAMETER_REQUIRED;
  if (cmd.orderId === undefined && cmd.clientOrderId === undefined) return ResultCode.PARAMETER_REQUIRED;
  // An id no order can have is simply unknown, as for cancelOrder.
  if (cmd.orderId !== undefined && !isPositiveInt(cmd.orderId)) return ResultCode.UNKNOWN_ORDER;
  if (cmd.clientOrderId !== undefined && typeof cmd.clientOrderId !== 'string')
    return ResultCode.UNKNOWN_ORDER;
  if (!isPositiveInt(cmd.newQty)) return ResultCode.INVALID_QUANTITY;
  const cid = cmd.newClientOrderId;
  if (cid !== undefined && !(typeof cid === 'string' && CLIENT_ORDER_ID.test(cid))) {
    return ResultCode.INVALID_CLIENT_ORDER_ID;
  }
  return ResultCode.OK;
}

export function amendOrder(tx: Tx, cmd: AmendOrder): CommandResult {
  const shape = checkShape(cmd);
  if (shape !== ResultCode.OK) return reject(shape);
  const state = tx.state;
  const market = marketOf(state, cmd.symbol);
  if (market === undefined) return reject(ResultCode.UNKNOWN_SYMBOL);
  const account = state.accounts.get(cmd.accountId);
  const slot = findOpen(tx, account, market, cmd);
  if (slot === undefined || account === undefined) return reject(ResultCode.UNKNOWN_ORDER);
  const s = state.store;
  // Down only, and never to or below what has executed: the order must stay open.
  if (cmd.newQty >= s.origQty(slot) || cmd.newQty <= s.executedQty(slot)) {
    return reject(ResultCode.INVALID_QUANTITY);
  }
  const cid = cmd.newClientOrderId;
  const holder = cid === undefined ? undefined : account.byClientOrderId.get(clientKey(market.index, cid));
  // Its own clientOrderId is no collision: sending it again keeps it.
  if (holder !== undefined && holder !== slot) return reject(ResultCode.DUPLICATE_CLIENT_ORDER_ID);

  const delta = s.origQty(slot) - cmd.newQty;
  const heldBefore = heldBy(state, slot);
  s.setOrigQty(slot, cmd.newQty);
  if (s.pending(slot) === 1)
    s.setRemaining(slot, s.remaining(slot) - delta); // a stop waiting off the book
  else market.book.reduce(slot, delta);
  const funds = account.balance(s.side(slot) === BUY ? market.quote : market.base);
  release(tx, funds, heldBefore - heldBy(state, slot));
  if (cid !== undefined) rename(tx, account, market, slot, cid);
  s.setUpdateTime(slot, tx.time);
  const view = s.view(slot, market.symbol, account.id);
  tx.emit(view);
  return { code: ResultCode.OK, order: view };
}

/** Moves an open order to a new clientOrderId, in the store and in the account's index. */
function rename(tx: Tx, account: Account, market: Market, slot: number, clientOrderId: string): void {
  const s = tx.state.store;
  const old = s.clientOrderId[slot];
  if (old !== undefined) account.byClientOrderId.delete(clientKey(market.index, old));
  s.setClientOrderId(slot, clientOrderId);
  account.byClientOrderId.set(clientKey(market.index, clientOrderId), slot);
}
