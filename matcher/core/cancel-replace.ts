// Cancel-replace (Binance's order.cancelReplace): cancel an open order and place a new one in one command, so
// nothing can come between them. The placement sees the state after the cancel: the funds and the order slot
// (MAX_NUM_ORDERS) the cancel gave back, and the clientOrderId it freed.

import { cancelOrder } from './cancel.ts';
import type { CancelReplace, PlaceOrder } from './commands.ts';
import { checkShape } from './order-checks.ts';
import { placeOrder } from './place-order.ts';
import { ResultCode } from './result-codes.ts';
import { type CommandResult, reject } from './results.ts';
import type { Tx } from './risk.ts';

export function cancelReplace(tx: Tx, cmd: CancelReplace): CommandResult {
  if (cmd.mode !== 'STOP_ON_FAILURE' && cmd.mode !== 'ALLOW_FAILURE')
    return reject(ResultCode.PARAMETER_REQUIRED);
  if (typeof cmd.order !== 'object' || cmd.order === null || Array.isArray(cmd.order)) {
    return reject(ResultCode.PARAMETER_REQUIRED);
  }
  const { accountId, symbol, timestamp } = cmd;
  // The command's own account, symbol and time win over anything the order carries.
  const order: PlaceOrder = { ...cmd.order, type: 'placeOrder', accountId, symbol, timestamp };
  // A malformed new order is a malformed request: nothing happens, the cancel included, as on Binance.
  const shape = checkShape(order);
  if (shape !== ResultCode.OK) return reject(shape);
  const cancelResult = cancelOrder(tx, {
    type: 'cancelOrder',
    accountId,
    symbol,
    orderId: cmd.cancelOrderId,
    clientOrderId: cmd.cancelClientOrderId,
    ...(cmd.cancelRestriction === undefined ? {} : { restriction: cmd.cancelRestriction }),
    timestamp,
  });
  const canceled = cancelResult.code === ResultCode.OK;
  if (!canceled && cmd.mode === 'STOP_ON_FAILURE') {
    return { code: ResultCode.CANCEL_REPLACE_FAILED, cancelResult, newOrderResult: 'NOT_ATTEMPTED' };
  }
  const newOrderResult = placeOrder(tx, order);
  // A rejected half changes nothing, so the command changed something exactly when one half succeeded.
  const changed = canceled || newOrderResult.code === ResultCode.OK;
  return { code: changed ? ResultCode.OK : ResultCode.CANCEL_REPLACE_FAILED, cancelResult, newOrderResult };
}
