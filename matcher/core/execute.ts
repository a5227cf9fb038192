// A taker's run through the book, shared by new orders (place-order.ts) and triggered stops (stops.ts).

import { canFill } from './liquidity.ts';
import { match, NOTHING_MATCHED, STOP_BUDGET, STOP_NONE, STOP_PREVENTED } from './matching.ts';
import { exactOf, mul2 } from './money.ts';
import { addOpen, removeOpen } from './open-orders.ts';
import {
  atMarket,
  BUY,
  EXPIRED,
  EXPIRED_IN_MATCH,
  FILLED,
  FOK,
  GTC,
  NEW,
  PARTIALLY_FILLED,
} from './order-store.ts';
import { ResultCode } from './result-codes.ts';
import type { CommandResult } from './results.ts';
import { heldBy, heldByN, rowFor, type Tx } from './risk.ts';
import type { Account, Market } from './state.ts';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Runs a taker: FOK check, match, then rest or expire, settling the taker net (free funds cover the most it may
 * spend, `amountN` if it is a safe integer, else (-1) `amount`: money.ts exactOf; nothing was held for it).
 * `listed`: it is already among the account's open orders (a triggered stop).
 */
export function execute(
  tx: Tx,
  market: Market,
  account: Account,
  slot: number,
  amountN: number,
  amount: bigint | null,
  budget: bigint | null,
  listed: boolean,
): CommandResult {
  const state = tx.state;
  const s = state.store;
  const isBuy = s.side(slot) === BUY;
  const tif = s.timeInForce(slot);
  const rests = tif === GTC && !atMarket(s.orderType(slot));
  const byQuote = s.quoteOrderQty[slot] !== undefined;
  const qty = s.remaining(slot);
  const canFillAll =
    tif !== FOK ||
    canFill(state, market, s.side(slot), account.index, s.selfTradePrevention(slot), s.price(slot), qty);
  // A FOK that cannot fill completely matches nothing.
  const { spent, received, stop } = canFillAll ? match(tx, market, slot, budget) : NOTHING_MATCHED;
  const spentN = spent.number;
  const left = s.remaining(slot);
  const resting = left > 0 && rests && stop === STOP_NONE;
  if (resting) {
    market.book.insert(slot);
    if (!listed) addOpen(state, slot);
  } else if (listed) {
    removeOpen(state, slot);
  }
  // The taker pays for its fills and locks what its resting remainder holds, in one step: in doubles while the
  // amounts are safe integers (see Balance), else exactly in bigint.
  const filled = s.executedQty(slot) > 0;
  const keepN = !resting ? 0 : filled ? heldByN(state, slot) : amountN;
  const paidN = isBuy ? spentN : filled ? s.executedQty(slot) * market.unitsPerLot : 0;
  const outN = keepN + paidN;
  const table = state.balanceTable;
  if (keepN >= 0 && paidN >= 0 && outN <= MAX_SAFE) {
    if (outN > 0) {
      const funds = rowFor(state, account.index, isBuy ? market.quote : market.base);
      table.addAt(funds, -outN, keepN);
      tx.touchRow(funds);
    }
  } else {
    const keep = !resting ? 0n : filled ? heldBy(state, slot) : exactOf(amountN, amount);
    const paid = isBuy ? spent.value : filled ? mul2(s.executedQty(slot), market.unitsPerLot) : 0n;
    const funds = account.balance(isBuy ? market.quote : market.base);
    funds.addBig(-(paid + keep), keep);
    tx.touch(funds);
  }
  if (filled) {
    const proceeds = rowFor(state, account.index, isBuy ? market.base : market.quote);
    const receivedN = received.number;
    if (receivedN >= 0) table.addAt(proceeds, receivedN, 0);
    else table.handles[proceeds]!.addBig(received.value, 0n);
    tx.touchRow(proceeds);
    s.addCumQuote(slot, spentN >= 0 ? spentN : spent.value);
  }
  const status =
    stop === STOP_PREVENTED
      ? EXPIRED_IN_MATCH
      : left === 0 || (byQuote && (stop === STOP_BUDGET || spent.value === budget))
        ? FILLED
        : !resting
          ? EXPIRED // IOC, FOK and market remainders, also with no fill at all
          : filled
            ? PARTIALLY_FILLED
            : NEW;
  s.setStatus(slot, status);
  if (byQuote) {
    // Its quantity was what the quote bought or sold.
    s.setOrigQty(slot, s.executedQty(slot));
    s.setRemaining(slot, 0);
  }
  const view = s.view(slot, market.symbol, account.id);
  tx.emit(view);
  if (!resting) s.free(slot);
  return { code: ResultCode.OK, order: view };
}
