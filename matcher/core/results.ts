import type { OrderUpdate } from './events.ts';
import type { ResultCode } from './result-codes.ts';

/** What a command answers: a code, and for order commands the orders as the command left them. */
export interface CommandResult {
  code: ResultCode;
  /** The order as the command left it (placeOrder, cancelOrder). */
  order?: OrderUpdate;
  /** Every order the command cancelled (cancelAllOrders), oldest first. */
  canceled?: OrderUpdate[];
  /** Why, in more words, when the code alone does not say it. */
  detail?: string;
  /**
   * cancelReplace: how each half went. The code is OK when anything changed (the cancel, the new order or
   * both succeeded); the edge reports a partial failure from the halves, as Binance does (-2021).
   */
  cancelResult?: CommandResult;
  newOrderResult?: CommandResult | 'NOT_ATTEMPTED';
}

/** One frozen result per code without a detail: a rejection allocates nothing (most are a cancel of a filled order). */
const REJECTIONS = new Map<ResultCode, CommandResult>();

export function reject(code: ResultCode, detail?: string): CommandResult {
  if (detail !== undefined) return { code, detail };
  let result = REJECTIONS.get(code);
  if (result === undefined) {
    result = Object.freeze({ code });
    REJECTIONS.set(code, result);
  }
  return result;
}
