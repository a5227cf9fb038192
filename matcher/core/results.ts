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

export const reject = (code: ResultCode, detail?: string): CommandResult =>
  detail === undefined ? { code } : { code, detail };
