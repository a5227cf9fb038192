// Placing an order: check it, check that free funds cover the most it may spend (nothing moves yet), match,
// then settle the taker in one step and rest (GTC, LIMIT_MAKER) or expire (IOC, FOK, MARKET) what is left.
// Stop orders instead lock their funds and wait off the book (stops.ts) until the last price triggers them;
// then they run through the same `execute` (execute.ts).

import type { PlaceOrder } from './commands.ts';
import { execute } from './execute.ts';
import { marketBuyCost, marketSellLots } from './liquidity.ts';
import { checkFilters, type OrderRules, orderRulesOf } from './market.ts';
import { crosses } from './matching.ts';
import { exactOf, mul2, mul3, safeOf, safeProduct } from './money.ts';
import { addOpen, clientKey } from './open-orders.ts';
import { checkShape, orderTypeCode, stpCode, timeInForceCode } from './order-checks.ts';
import { atMarket, BUY, GTC, isStop, LIMIT_MAKER, newTrailing, NONE, SELL } from './order-store.ts';
import { ResultCode } from './result-codes.ts';
import { type CommandResult, reject } from './results.ts';
import { type Market, marketOf } from './state.ts';
import { accountOf, hasFree, hold, trailingHoldPrice, type Tx } from './risk.ts';
import { triggersOnRise, wouldTrigger } from './stop-rules.ts';
import { addStop, triggerStops } from './stops.ts';

/**
 * What a new order must pass that the market alone decides: shape, market status, STP mode, filters (the edge's
 * order/test, from its own copy of the market: what a Market derives from its definition is derived here).
 */
export function checkOrder(
  market: Pick<Market, 'definition' | 'status' | 'lastPrice'>,
  cmd: PlaceOrder,
): ResultCode {
  const shape = checkShape(cmd);
  if (shape !== ResultCode.OK) return shape;
  const rules = { ...market, ...orderRulesOf(market.definition) };
  const type = orderTypeCode(cmd.orderType);
  const notionalN = atMarket(type)
    ? 0
    : safeProduct((cmd.price as number) * (cmd.quantity as number) * rules.notionalPerTickLot);
  const notional =
    notionalN >= 0 ? null : mul3(cmd.price as number, cmd.quantity as number, rules.notionalPerTickLot);
  return checkAgainstMarket(rules, cmd, type, notionalN, notional);
}

type MarketRules = Pick<Market, 'definition' | 'status' | 'lastPrice'> & OrderRules;

/**
 * checkOrder after checkShape, for an order of type code `type` and limit notional `notionalN`, or `notional` when
 * that is -1 (see checkFilters; 0 at market).
 */
function checkAgainstMarket(
  market: MarketRules,
  cmd: PlaceOrder,
  type: number,
  notionalN: number,
  notional: bigint | null,
): ResultCode {
  if (market.status !== 'TRADING') return ResultCode.MARKET_HALTED;
  const def = market.definition;
  const modeName = cmd.selfTradePreventionMode ?? def.defaultSelfTradePreventionMode;
  if ((market.allowedStp & (1 << stpCode(modeName))) === 0) {
    return ResultCode.INVALID_SELF_TRADE_PREVENTION_MODE;
  }
  const stop = isStop(type);
  // A stop is held to the filters of what it becomes, and its stop price to PRICE_FILTER.
  const filter = checkFilters(
    market,
    stop ? { ...cmd, orderType: atMarket(type) ? 'MARKET' : 'LIMIT' } : cmd,
    notionalN,
    notional,
  );
  if (filter !== ResultCode.OK) return filter;
  const stopPrice = cmd.stopPrice;
  if (stop && stopPrice !== undefined && (stopPrice < def.minPrice || stopPrice > def.maxPrice)) {
    return ResultCode.PRICE_FILTER;
  }
  const delta = cmd.trailingDelta;
  if (delta !== undefined) {
    // TRAILING_DELTA: "above" for the trailing stops that trigger on a rise, "below" for those on a fall.
    const onRise = triggersOnRise(cmd.side === 'BUY' ? BUY : SELL, type);
    const lo = onRise ? def.minTrailingAboveDelta : def.minTrailingBelowDelta;
    const hi = onRise ? def.maxTrailingAboveDelta : def.maxTrailingBelowDelta;
    if (delta < lo || delta > hi) return ResultCode.TRAILING_DELTA;
  }
  return ResultCode.OK;
}

export function placeOrder(tx: Tx, cmd: PlaceOrder): CommandResult {
  const state = tx.state;
  const shape = checkShape(cmd);
  if (shape !== ResultCode.OK) return reject(shape);
  const market = marketOf(state, cmd.symbol);
  if (market === undefined) return reject(ResultCode.UNKNOWN_SYMBOL);
  const type = orderTypeCode(cmd.orderType);
  const stop = isStop(type);
  const isMarket = atMarket(type);
  const price = isMarket ? 0 : (cmd.price as number);
  const quoteOrderQty = cmd.quoteOrderQty;
  const byQuote = quoteOrderQty !== undefined;
  const qty = byQuote ? 0 : (cmd.quantity as number);
  // Price × quantity in quote units: a double when it is a safe integer (-1 otherwise, and then the bigint).
  const notionalN = isMarket ? 0 : safeProduct(price * qty * market.notionalPerTickLot);
  const notional = notionalN >= 0 ? null : mul3(price, qty, market.notionalPerTickLot);
  const checked = checkAgainstMarket(market, cmd, type, notionalN, notional);
  if (checked !== ResultCode.OK) return reject(checked);
  const def = market.definition;
  const mode = stpCode(cmd.selfTradePreventionMode ?? def.defaultSelfTradePreventionMode);
  const stopPrice = stop ? (cmd.stopPrice ?? 0) : 0;
  const trailingDelta = cmd.trailingDelta;

  let account = state.accounts.get(cmd.accountId);
  const tif = isMarket || type === LIMIT_MAKER ? GTC : timeInForceCode(cmd.timeInForce!);
  const rests = tif === GTC && !isMarket;
  if ((rests || stop) && account !== undefined && market.openCountOf(account.index) >= def.maxNumOrders) {
    return reject(ResultCode.MAX_NUM_ORDERS);
  }
  if (stop && account !== undefined && market.algoCountOf(account.index) >= def.maxNumAlgoOrders) {
    return reject(ResultCode.MAX_NUM_ALGO_ORDERS);
  }
  const cid = cmd.clientOrderId;
  if (cid !== undefined && account?.byClientOrderId.has(clientKey(market.index, cid))) {
    return reject(ResultCode.DUPLICATE_CLIENT_ORDER_ID);
  }
  const side = cmd.side === 'BUY' ? BUY : SELL;
  const isBuy = side === BUY;
  if (type === LIMIT_MAKER) {
    const maker = market.book.best(isBuy ? SELL : BUY);
    if (maker !== NONE && crosses(side, price, state.store.price(maker))) {
      return reject(ResultCode.ORDER_WOULD_MATCH);
    }
  }
  if (stop && stopPrice !== 0 && wouldTrigger(side, type, stopPrice, market.lastPrice)) {
    return reject(ResultCode.ORDER_WOULD_TRIGGER_IMMEDIATELY);
  }
  // A trailing stop that buys at market holds funds at a price derived from its stop price, or without one from
  // the last price, where it begins tracking (risk.ts stopHoldPrice): before the first trade there is neither.
  const holdsFromLast = trailingDelta !== undefined && isMarket && isBuy && stopPrice === 0;
  const basis = holdsFromLast ? market.lastPrice : 0;
  if (holdsFromLast && basis === 0) {
    return reject(ResultCode.PARAMETER_REQUIRED, 'stopPrice is required before the first trade');
  }
  // What the order may spend at most (checked against free funds now), how many lots it may take, and for a
  // market order the quote it may spend or must earn.
  const accountIndex = account?.index ?? -1;
  const asset = isBuy ? market.quote : market.base;
  // The most it may spend: a double when it is a safe integer, else -1 and `amount` (money.ts exactOf).
  let amountN: number;
  let amount: bigint | null = null;
  // An order by quote takes as many lots as its quote buys or earns, up to the market's largest market order.
  const lots = byQuote ? Math.min(def.marketMaxQty, def.maxQty) : qty;
  let budget: bigint | null = null;
  if (!isBuy) {
    // The base it may sell: for an order by quote what the walk finds; matching, bound by the same quote, sells
    // no more.
    const selling = byQuote
      ? Math.min(lots, marketSellLots(state, market, accountIndex, mode, quoteOrderQty))
      : lots;
    if (byQuote) budget = quoteOrderQty;
    amountN = safeProduct(selling * market.unitsPerLot);
    if (amountN < 0) amount = mul2(selling, market.unitsPerLot);
  } else if (!isMarket) {
    amountN = notionalN;
    amount = notional;
  } else if (stop) {
    // Its worst case is unknown until it triggers: it holds at its stop price (risk.ts stopHoldPrice).
    const holdPrice =
      trailingDelta === undefined ? stopPrice : trailingHoldPrice(stopPrice || basis, trailingDelta);
    amountN = safeProduct(holdPrice * qty * market.notionalPerTickLot);
    if (amountN < 0) amount = mul3(holdPrice, qty, market.notionalPerTickLot);
  } else {
    amount = byQuote ? quoteOrderQty : marketBuyCost(state, market, accountIndex, mode, qty);
    amountN = safeOf(amount);
    budget = amount;
  }
  if (!hasFree(state, account, asset, amountN, amount)) return reject(ResultCode.INSUFFICIENT_BALANCE);

  const s = state.store;
  if (s.full) return reject(ResultCode.ORDER_CAPACITY);
  account ??= accountOf(state, cmd.accountId);
  const slot = s.alloc();
  s.setId(slot, state.nextOrderId++);
  s.setMarket(slot, market.index);
  s.setAccount(slot, account.index);
  s.setSide(slot, side);
  s.setOrderType(slot, type);
  s.setTimeInForce(slot, tif);
  s.setSelfTradePrevention(slot, mode);
  s.setPrice(slot, price);
  s.setStopPrice(slot, stopPrice);
  s.setOrigQty(slot, lots);
  s.setRemaining(slot, lots);
  s.setTime(slot, cmd.timestamp);
  s.setUpdateTime(slot, cmd.timestamp);
  s.setClientOrderId(slot, cid);
  s.setQuoteOrderQty(slot, quoteOrderQty);
  if (trailingDelta !== undefined) {
    // With a stop price it tracks once the price reaches it (-1 until then: a tracking time is never below 0);
    // without, at once, from the last price (if any), counting the trades from the next one on.
    const now = stopPrice === 0;
    s.setTrailing(
      slot,
      newTrailing(
        trailingDelta,
        now ? Math.max(0, cmd.timestamp) : -1,
        now ? state.nextTradeId : 0,
        0,
        basis,
      ),
    );
  }
  if (stop) {
    hold(tx, account.balance(asset), exactOf(amountN, amount));
    addOpen(state, slot);
    addStop(state, market, slot, market.lastPrice);
    const view = s.view(slot, market.symbol, account.id);
    tx.emit(view);
    return { code: ResultCode.OK, order: view };
  }
  const result = execute(tx, market, account, slot, amountN, amount, budget, false);
  triggerStops(tx, market);
  return result;
}
