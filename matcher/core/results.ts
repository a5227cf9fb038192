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
}

export const reject = (code: ResultCode, detail?: string): CommandResult =>
  detail === undefined ? { code } : { code, detail };
