// Placing an order: check it, hold nothing yet but check that free funds cover the worst case, match, then
// settle the taker in one step and rest (GTC, LIMIT_MAKER) or expire (IOC, FOK, MARKET) what is left.

import type { PlaceOrder } from './commands.ts';
import { checkFilters } from './market.ts';
import { crosses, match } from './matching.ts';
import { isPositiveInt, mul2, mul3 } from './money.ts';
import { addOpen, clientKey } from './open-orders.ts';
import {
  BUY,
  EXPIRED,
  FILLED,
  FOK,
  GTC,
  IOC,
  LIMIT,
  LIMIT_MAKER,
  MARKET,
  NONE,
  PARTIALLY_FILLED,
  SELL,
} from './order-store.ts';
import { ResultCode } from './result-codes.ts';
import { type CommandResult, reject } from './results.ts';
import { accountOf, freeOf, heldBy, type Tx } from './risk.ts';
import type { Market } from './state.ts';

const CLIENT_ORDER_ID = /^[a-zA-Z0-9_-]{1,36}$/;
const TYPE_CODES = { LIMIT, LIMIT_MAKER, MARKET } as const;
const TIF_CODES = { GTC, IOC, FOK } as const;

function checkShape(cmd: PlaceOrder): ResultCode {
  if (!isPositiveInt(cmd.accountId)) return ResultCode.INVALID_ACCOUNT;
  if (cmd.side !== 'BUY' && cmd.side !== 'SELL') return ResultCode.INVALID_SIDE;
  if (!Number.isSafeInteger(cmd.timestamp)) return ResultCode.PARAMETER_REQUIRED;
  const cid = cmd.clientOrderId;
  if (cid !== undefined && !(typeof cid === 'string' && CLIENT_ORDER_ID.test(cid))) {
    return ResultCode.INVALID_CLIENT_ORDER_ID;
  }
  switch (cmd.orderType) {
    case 'LIMIT':
      if (cmd.timeInForce === undefined) return ResultCode.PARAMETER_REQUIRED;
      if (cmd.timeInForce !== 'GTC' && cmd.timeInForce !== 'IOC' && cmd.timeInForce !== 'FOK') {
        return ResultCode.INVALID_TIME_IN_FORCE;
      }
      if (!isPositiveInt(cmd.price)) return ResultCode.INVALID_PRICE;
      break;
    case 'LIMIT_MAKER':
      if (cmd.timeInForce !== undefined) return ResultCode.PARAMETER_NOT_ALLOWED;
      if (!isPositiveInt(cmd.price)) return ResultCode.INVALID_PRICE;
      break;
    case 'MARKET':
      if (cmd.timeInForce !== undefined || cmd.price !== undefined) return ResultCode.PARAMETER_NOT_ALLOWED;
      break;
    default:
      return ResultCode.INVALID_ORDER_TYPE;
  }
  if (!isPositiveInt(cmd.quantity)) return ResultCode.INVALID_QUANTITY;
  return ResultCode.OK;
}

/** What buying `qty` lots at market costs against the asks, in quote units (the book's depth at most). */
function marketBuyCost(market: Market, qty: number): bigint {
  let need = qty;
  let cost = 0n;
  market.book.forEachLevel(SELL, (price, total) => {
    const take = Math.min(total, need);
    cost += mul3(price, take, market.notionalPerTickLot);
    need -= take;
    return need > 0;
  });
  return cost;
}

/** Whether `qty` lots can fill completely against the other side at `price` or better (FOK). */
function canFill(market: Market, side: number, price: number, qty: number): boolean {
  let available = 0;
  market.book.forEachLevel(side === BUY ? SELL : BUY, (levelPrice, total) => {
    if (!crosses(side, price, levelPrice)) return false;
    available += total;
    return available < qty;
  });
  return available >= qty;
}

export function placeOrder(tx: Tx, cmd: PlaceOrder): CommandResult {
  const shape = checkShape(cmd);
  if (shape !== ResultCode.OK) return reject(shape);
  const state = tx.state;
  const market = state.markets.get(cmd.symbol);
  if (market === undefined) return reject(ResultCode.UNKNOWN_SYMBOL);
  if (market.status !== 'TRADING') return reject(ResultCode.MARKET_HALTED);
  const type: number = TYPE_CODES[cmd.orderType];
  const isLimit = type !== MARKET;
  const price = isLimit ? (cmd.price as number) : 0;
  const qty = cmd.quantity as number;
  const notional = isLimit ? mul3(price, qty, market.notionalPerTickLot) : 0n;
  const filter = checkFilters(market, cmd, notional);
  if (filter !== ResultCode.OK) return reject(filter);

  let account = state.accounts.get(cmd.accountId);
  const tif: number = type === LIMIT ? TIF_CODES[cmd.timeInForce as 'GTC'] : GTC;
  const rests = tif === GTC && isLimit;
  if (rests && (account?.openCount[market.index] ?? 0) >= market.definition.maxNumOrders) {
    return reject(ResultCode.MAX_NUM_ORDERS);
  }
  const cid = cmd.clientOrderId;
  if (cid !== undefined && account?.byClientOrderId.has(clientKey(market.index, cid))) {
    return reject(ResultCode.DUPLICATE_CLIENT_ORDER_ID);
  }
  const side = cmd.side === 'BUY' ? BUY : SELL;
  const isBuy = side === BUY;
  if (type === LIMIT_MAKER) {
    const maker = market.book.best(isBuy ? SELL : BUY);
    if (maker !== NONE && crosses(side, price, state.store.price[maker]!)) {
      return reject(ResultCode.ORDER_WOULD_MATCH);
    }
  }
  const asset = isBuy ? market.quote : market.base;
  const amount = !isBuy ? mul2(qty, market.unitsPerLot) : isLimit ? notional : marketBuyCost(market, qty);
  if (amount > freeOf(account, asset)) return reject(ResultCode.INSUFFICIENT_BALANCE);

  account ??= accountOf(state, cmd.accountId);
  const s = state.store;
  const slot = s.alloc();
  s.id[slot] = state.nextOrderId++;
  s.market[slot] = market.index;
  s.account[slot] = account.index;
  s.side[slot] = side;
  s.orderType[slot] = type;
  s.timeInForce[slot] = tif;
  s.price[slot] = price;
  s.origQty[slot] = qty;
  s.remaining[slot] = qty;
  s.time[slot] = cmd.timestamp;
  s.updateTime[slot] = cmd.timestamp;
  s.clientOrderId[slot] = cid;

  if (tif === FOK && !canFill(market, side, price, qty)) {
    s.status[slot] = EXPIRED; // a FOK that cannot fill completely changes nothing
    return finish(tx, market, slot, account.id);
  }
  const { spent, received } = match(tx, market, slot, amount);
  const left = s.remaining[slot]!;
  const resting = left > 0 && rests;
  if (resting) {
    market.book.insert(slot);
    addOpen(state, slot);
  }
  // The taker pays for its fills and locks what its resting remainder holds, in one step: nothing moved
  // before matching (only the check that free covers `amount`), so nothing needs unwinding.
  const filled = s.executedQty[slot]! > 0;
  const keep = resting ? (filled ? heldBy(state, slot) : amount) : 0n;
  const paid = isBuy ? spent : filled ? mul2(s.executedQty[slot]!, market.unitsPerLot) : 0n;
  if (paid > 0n || keep > 0n) {
    const funds = account.balance(asset);
    funds.free -= paid === 0n ? keep : keep === 0n ? paid : paid + keep;
    if (keep > 0n) funds.locked += keep;
    tx.touch(funds);
  }
  if (filled) {
    const proceeds = account.balance(isBuy ? market.base : market.quote);
    proceeds.free += received;
    tx.touch(proceeds);
    s.addCumQuote(slot, spent);
  }
  s.status[slot] = left === 0 ? FILLED : !resting ? EXPIRED : filled ? PARTIALLY_FILLED : s.status[slot]!;
  return finish(tx, market, slot, account.id);
}

/** Reports the placed order; frees its slot unless it rests. */
function finish(tx: Tx, market: Market, slot: number, accountId: number): CommandResult {
  const s = tx.state.store;
  const view = s.view(slot, market.symbol, accountId);
  tx.events.push(view);
  const status = s.status[slot];
  if (status !== 0 && status !== PARTIALLY_FILLED) s.free(slot);
  return { code: ResultCode.OK, order: view };
}
