// Placing an order: check it, hold nothing yet but check that free funds cover the worst case, match, then
// settle the taker in one step and rest (GTC, LIMIT_MAKER) or expire (IOC, FOK, MARKET) what is left.

import type { PlaceOrder } from './commands.ts';
import { checkFilters } from './market.ts';
import { crosses, match, STOP_BUDGET, STOP_NONE, STOP_PREVENTED } from './matching.ts';
import { isPositiveInt, MAX_UNITS, mul2, mul3 } from './money.ts';
import { addOpen, clientKey } from './open-orders.ts';
import {
  BUY,
  EXPIRE_MAKER,
  EXPIRED,
  EXPIRED_IN_MATCH,
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
  STP,
  STP_NONE,
} from './order-store.ts';
import { ResultCode } from './result-codes.ts';
import { type CommandResult, reject } from './results.ts';
import { accountOf, freeOf, heldBy, type Tx } from './risk.ts';
import type { ExchangeState, Market } from './state.ts';

const CLIENT_ORDER_ID = /^[a-zA-Z0-9_-]{1,36}$/;
const TYPE_CODES = { LIMIT, LIMIT_MAKER, MARKET } as const;
const TIF_CODES = { GTC, IOC, FOK } as const;
const STP_CODES = new Map<unknown, number>(STP.map((name, code) => [name, code]));

function checkShape(cmd: PlaceOrder): ResultCode {
  if (!isPositiveInt(cmd.accountId)) return ResultCode.INVALID_ACCOUNT;
  if (cmd.side !== 'BUY' && cmd.side !== 'SELL') return ResultCode.INVALID_SIDE;
  if (!Number.isSafeInteger(cmd.timestamp)) return ResultCode.PARAMETER_REQUIRED;
  const cid = cmd.clientOrderId;
  if (cid !== undefined && !(typeof cid === 'string' && CLIENT_ORDER_ID.test(cid))) {
    return ResultCode.INVALID_CLIENT_ORDER_ID;
  }
  const mode = cmd.selfTradePreventionMode;
  if (mode !== undefined && !STP_CODES.has(mode)) return ResultCode.INVALID_SELF_TRADE_PREVENTION_MODE;
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
      if (cmd.quoteOrderQty !== undefined) {
        // Exactly one of quantity and quoteOrderQty, as on Binance.
        if (cmd.quantity !== undefined) return ResultCode.PARAMETER_NOT_ALLOWED;
        const q = cmd.quoteOrderQty;
        return typeof q === 'bigint' && q > 0n && q <= MAX_UNITS ? ResultCode.OK : ResultCode.INVALID_AMOUNT;
      }
      break;
    default:
      return ResultCode.INVALID_ORDER_TYPE;
  }
  if (cmd.quoteOrderQty !== undefined) return ResultCode.PARAMETER_NOT_ALLOWED;
  if (cmd.quantity === undefined) return ResultCode.PARAMETER_REQUIRED;
  if (!isPositiveInt(cmd.quantity)) return ResultCode.INVALID_QUANTITY;
  return ResultCode.OK;
}

/**
 * Walks the liquidity a taker of account `accountIndex` with self-trade prevention `mode` would meet on the
 * other side, best first, as (price, lots) pairs until `visit` returns false: its own resting orders are
 * skipped (EXPIRE_MAKER expires them) or end the walk (EXPIRE_TAKER and EXPIRE_BOTH stop the taker), as
 * matching treats them. Level totals when the account rests nothing on the market, order by order otherwise.
 */
function walkLiquidity(
  state: ExchangeState,
  market: Market,
  side: number,
  accountIndex: number,
  mode: number,
  visit: (price: number, lots: number) => boolean,
): void {
  const other = side === BUY ? SELL : BUY;
  const account = state.accountList[accountIndex];
  if (mode === STP_NONE || account === undefined || (account.openCount[market.index] ?? 0) === 0) {
    market.book.forEachLevel(other, visit);
    return;
  }
  const s = state.store;
  for (const o of market.book.orders(other)) {
    if (s.account[o] === accountIndex) {
      if (mode === EXPIRE_MAKER) continue;
      return;
    }
    if (!visit(s.price[o]!, s.remaining[o]!)) return;
  }
}

/** What buying `qty` lots at market costs at worst, in quote units (no more than the book's depth). */
function marketBuyCost(
  state: ExchangeState,
  market: Market,
  accountIndex: number,
  mode: number,
  qty: number,
): bigint {
  let need = qty;
  let cost = 0n;
  walkLiquidity(state, market, BUY, accountIndex, mode, (price, lots) => {
    const take = Math.min(lots, need);
    cost += mul3(price, take, market.notionalPerTickLot);
    need -= take;
    return need > 0;
  });
  return cost;
}

/** How many lots selling at market until `quote` is earned takes, in whole lots. */
function marketSellLots(
  state: ExchangeState,
  market: Market,
  accountIndex: number,
  mode: number,
  quote: bigint,
): number {
  let left = quote;
  let lots = 0;
  walkLiquidity(state, market, SELL, accountIndex, mode, (price, available) => {
    const perLot = mul2(price, market.notionalPerTickLot);
    const affordable = left / perLot;
    const take = affordable < BigInt(available) ? Number(affordable) : available;
    lots += take;
    left -= BigInt(take) * perLot;
    return take === available && left > 0n;
  });
  return lots;
}

/** Whether `qty` lots can fill completely at `price` or better (FOK), as matching would fill them. */
function canFill(
  state: ExchangeState,
  market: Market,
  side: number,
  accountIndex: number,
  mode: number,
  price: number,
  qty: number,
): boolean {
  let available = 0;
  walkLiquidity(state, market, side, accountIndex, mode, (levelPrice, lots) => {
    if (!crosses(side, price, levelPrice)) return false;
    available += lots;
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
  const def = market.definition;
  const modeName = cmd.selfTradePreventionMode ?? def.defaultSelfTradePreventionMode;
  if (!def.allowedSelfTradePreventionModes.includes(modeName)) {
    return reject(ResultCode.INVALID_SELF_TRADE_PREVENTION_MODE);
  }
  const mode = STP_CODES.get(modeName)!;
  const type: number = TYPE_CODES[cmd.orderType];
  const isLimit = type !== MARKET;
  const price = isLimit ? (cmd.price as number) : 0;
  const quoteOrderQty = cmd.quoteOrderQty;
  const byQuote = quoteOrderQty !== undefined;
  const qty = byQuote ? 0 : (cmd.quantity as number);
  const notional = isLimit ? mul3(price, qty, market.notionalPerTickLot) : 0n;
  const filter = checkFilters(market, cmd, notional);
  if (filter !== ResultCode.OK) return reject(filter);

  let account = state.accounts.get(cmd.accountId);
  const tif: number = type === LIMIT ? TIF_CODES[cmd.timeInForce as 'GTC'] : GTC;
  const rests = tif === GTC && isLimit;
  if (rests && (account?.openCount[market.index] ?? 0) >= def.maxNumOrders) {
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
  // What the order may spend at most (checked against free funds now, paid net after matching), how many lots
  // it may take, and for a market order the quote it may spend or must earn.
  const accountIndex = account?.index ?? -1;
  const asset = isBuy ? market.quote : market.base;
  let amount: bigint;
  let lots = qty;
  let budget: bigint | null = null;
  if (isLimit) {
    amount = isBuy ? notional : mul2(qty, market.unitsPerLot);
  } else if (isBuy) {
    amount = byQuote ? quoteOrderQty : marketBuyCost(state, market, accountIndex, mode, qty);
    budget = amount;
    if (byQuote) lots = Number.MAX_SAFE_INTEGER; // as many as the quote buys
  } else {
    if (byQuote) {
      lots = marketSellLots(state, market, accountIndex, mode, quoteOrderQty);
      budget = quoteOrderQty;
    }
    amount = mul2(lots, market.unitsPerLot);
  }
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
  s.selfTradePrevention[slot] = mode;
  s.price[slot] = price;
  s.origQty[slot] = lots;
  s.remaining[slot] = lots;
  s.time[slot] = cmd.timestamp;
  s.updateTime[slot] = cmd.timestamp;
  s.clientOrderId[slot] = cid;
  s.quoteOrderQty[slot] = quoteOrderQty;

  if (tif === FOK && !canFill(state, market, side, account.index, mode, price, qty)) {
    s.status[slot] = EXPIRED; // a FOK that cannot fill completely changes nothing
    return finish(tx, market, slot, account.id);
  }
  const { spent, received, stop } = match(tx, market, slot, budget);
  const left = s.remaining[slot]!;
  const resting = left > 0 && rests && stop === STOP_NONE;
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
  s.status[slot] =
    stop === STOP_PREVENTED
      ? EXPIRED_IN_MATCH
      : left === 0 || stop === STOP_BUDGET
        ? FILLED
        : !resting
          ? EXPIRED
          : filled
            ? PARTIALLY_FILLED
            : s.status[slot]!;
  if (byQuote) {
    // Its quantity was what the quote bought or sold.
    s.origQty[slot] = s.executedQty[slot]!;
    s.remaining[slot] = 0;
  }
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
