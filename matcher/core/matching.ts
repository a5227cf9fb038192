// Placing and cancelling orders: risk hold -> match -> settle -> events, for one order at a time.
// Trades execute at the resting (maker) order's price, best price first and oldest first within a price.

import type { CancelAllOrders, CancelOrder, PlaceOrder, Side, TimeInForce } from './commands.ts';
import type { OrderUpdate, Trade } from './events.ts';
import { checkFilters } from './market.ts';
import { feeOf, isPositiveInt, type Lots, mul2, mul3, type Ticks, type Units } from './money.ts';
import { addOpen, clientKey, removeOpen } from './open-orders.ts';
import { Order } from './order.ts';
import { ResultCode } from './result-codes.ts';
import { accountOf, freeOf, heldBy, releaseOrder, type Tx } from './risk.ts';
import type { Account, Market } from './state.ts';

export interface CommandResult {
  code: ResultCode;
  /** The order as the command left it (placeOrder, cancelOrder). */
  order?: OrderUpdate;
  /** Every order the command cancelled (cancelAllOrders), oldest first. */
  canceled?: OrderUpdate[];
  /** Why, in more words, when the code alone does not say it. */
  detail?: string;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const CLIENT_ORDER_ID = /^[a-zA-Z0-9_-]{1,36}$/;
const reject = (code: ResultCode, detail?: string): CommandResult =>
  detail === undefined ? { code } : { code, detail };

function checkShape(cmd: PlaceOrder): ResultCode {
  if (!isPositiveInt(cmd.accountId)) return ResultCode.INVALID_ACCOUNT;
  if (cmd.side !== 'BUY' && cmd.side !== 'SELL') return ResultCode.INVALID_SIDE;
  if (!Number.isSafeInteger(cmd.timestamp)) return ResultCode.PARAMETER_REQUIRED;
  if (
    cmd.clientOrderId !== undefined &&
    !(typeof cmd.clientOrderId === 'string' && CLIENT_ORDER_ID.test(cmd.clientOrderId))
  ) {
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

/** Whether a taker at `price` on `side` crosses a resting order at `makerPrice`. */
const crosses = (side: Side, price: number, makerPrice: number): boolean =>
  side === 'BUY' ? makerPrice <= price : makerPrice >= price;

/** What buying `qty` lots at market costs against the asks, in quote units (the book's depth at most). */
function marketBuyCost(market: Market, qty: number): bigint {
  let need = qty;
  let cost = 0n;
  market.book.forEachLevel('SELL', (price, total) => {
    const take = Math.min(total, need);
    cost += mul3(price, take, market.notionalPerTickLot);
    need -= take;
    return need > 0;
  });
  return cost;
}

/** Whether `qty` lots can fill completely against the other side at `price` or better (FOK). */
function canFill(market: Market, side: Side, price: number, qty: number): boolean {
  let available = 0;
  market.book.forEachLevel(side === 'BUY' ? 'SELL' : 'BUY', (levelPrice, total) => {
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
  const isLimit = cmd.orderType !== 'MARKET';
  const price = isLimit ? (cmd.price as number) : 0;
  const qty = cmd.quantity as number;
  const notional = isLimit ? mul3(price, qty, market.notionalPerTickLot) : 0n;
  const filter = checkFilters(market, cmd, notional);
  if (filter !== ResultCode.OK) return reject(filter);

  let account = state.accounts.get(cmd.accountId);
  const rests = cmd.orderType === 'LIMIT_MAKER' || cmd.timeInForce === 'GTC';
  if (rests && (account?.openCount[market.index] ?? 0) >= market.definition.maxNumOrders) {
    return reject(ResultCode.MAX_NUM_ORDERS);
  }
  if (
    cmd.clientOrderId !== undefined &&
    account?.byClientOrderId.has(clientKey(market.index, cmd.clientOrderId))
  ) {
    return reject(ResultCode.DUPLICATE_CLIENT_ORDER_ID);
  }
  const side = cmd.side;
  const isBuy = side === 'BUY';
  if (cmd.orderType === 'LIMIT_MAKER') {
    const maker = market.book.best(isBuy ? 'SELL' : 'BUY');
    if (maker !== null && crosses(side, price, maker.price)) return reject(ResultCode.ORDER_WOULD_MATCH);
  }

  const asset = isBuy ? market.quote : market.base;
  const amount = !isBuy ? mul2(qty, market.unitsPerLot) : isLimit ? notional : marketBuyCost(market, qty);
  if (amount > freeOf(account, asset)) return reject(ResultCode.INSUFFICIENT_BALANCE);

  account ??= accountOf(state, cmd.accountId);
  const tif: TimeInForce = cmd.orderType === 'LIMIT' ? (cmd.timeInForce as TimeInForce) : 'GTC';
  const order = new Order(
    state.nextOrderId++,
    market,
    account,
    side,
    cmd.orderType,
    tif,
    price,
    qty,
    cmd.clientOrderId,
    cmd.timestamp,
  );
  if (tif === 'FOK' && !canFill(market, side, price, qty)) {
    order.status = 'EXPIRED'; // a FOK that cannot fill completely changes nothing
    const view = order.view();
    tx.events.push(view);
    return { code: ResultCode.OK, order: view };
  }
  const rest = match(tx, order, amount);
  if (order.remaining > 0 && rests) {
    market.book.insert(order);
    state.orders.set(order.id, order);
    addOpen(order);
  } else if (order.remaining > 0) {
    order.status = 'EXPIRED'; // IOC and MARKET remainders, also with no fill at all
  }
  // The taker pays for its fills and locks what its resting remainder holds, in one step: nothing moved
  // before matching (only the check that free covers `amount`), so nothing needs unwinding.
  const keep = order.remaining > 0 && rests ? (order.executedQty === 0 ? amount : heldBy(order)) : 0n;
  const funds = account.balance(asset);
  const paid = isBuy ? rest.spent : mul2(order.executedQty, market.unitsPerLot);
  if (paid + keep > 0n) {
    funds.free -= paid + keep;
    funds.locked += keep;
    tx.touch(funds);
  }
  if (order.executedQty > 0) {
    const proceeds = account.balance(isBuy ? market.base : market.quote);
    proceeds.free += rest.received;
    tx.touch(proceeds);
    order.cumQuote = rest.spent;
    order.status =
      order.remaining === 0 ? 'FILLED' : order.status === 'EXPIRED' ? 'EXPIRED' : 'PARTIALLY_FILLED';
  }
  const view = order.view();
  tx.events.push(view);
  return { code: ResultCode.OK, order: view };
}

interface Matched {
  /** Quote paid (taker buy) or earned before fees (taker sell), in units. */
  spent: bigint;
  /** What the taker receives after fees: base for a buy, quote for a sell, in units. */
  received: bigint;
}

/**
 * Matches a taker against the other side until it is filled, the book runs out or (for a limit) the price
 * stops crossing, settling each maker as it goes; the taker's own balances are settled once by the caller.
 * A market buy stops short of spending more than `budget`, the worst case it was checked against.
 */
function match(tx: Tx, taker: Order, budget: bigint): Matched {
  const market = taker.market;
  const book = market.book;
  const state = tx.state;
  const k = market.notionalPerTickLot;
  const perLot = market.unitsPerLot;
  const isBuy = taker.side === 'BUY';
  const isMarket = taker.orderType === 'MARKET';
  const makerRate = market.definition.makerFee;
  const takerRate = market.definition.takerFee;
  const time = taker.time;
  let spent = 0n;
  let received = 0n;
  let baseFees = 0n;
  let quoteFees = 0n;

  while (taker.remaining > 0) {
    const maker = book.best(isBuy ? 'SELL' : 'BUY');
    if (maker === null || (!isMarket && !crosses(taker.side, taker.price, maker.price))) break;
    const price = maker.price;
    let q = Math.min(taker.remaining, maker.remaining);
    if (isMarket && isBuy && spent + mul3(price, q, k) > budget) {
      q = Number((budget - spent) / mul2(price, k)); // what the rest of the budget affords, in whole lots
      if (q === 0) break;
    }
    // Amounts in doubles while they are safe integers (the common case), in bigint beyond.
    const quoteN = price * q * k;
    const baseN = q * perLot;
    const buyerRate = isBuy ? takerRate : makerRate;
    const sellerRate = isBuy ? makerRate : takerRate;
    let quoteQty: bigint;
    let baseQty: bigint;
    let buyerFee: bigint;
    let sellerFee: bigint;
    if (quoteN <= MAX_SAFE && baseN <= MAX_SAFE) {
      quoteQty = BigInt(quoteN);
      baseQty = BigInt(baseN);
      buyerFee = feeOf(baseN, buyerRate);
      sellerFee = feeOf(quoteN, sellerRate);
    } else {
      quoteQty = mul3(price, q, k);
      baseQty = mul2(q, perLot);
      buyerFee = feeOf(baseQty, buyerRate);
      sellerFee = feeOf(quoteQty, sellerRate);
    }
    const makerAccount = maker.account;
    if (isBuy) {
      const makerBase = makerAccount.balance(market.base);
      const makerQuote = makerAccount.balance(market.quote);
      makerBase.locked -= baseQty;
      makerQuote.free += quoteQty - sellerFee;
      tx.touch(makerBase);
      tx.touch(makerQuote);
      received += baseQty - buyerFee;
      tx.events.push(trade(tx, market, price, q, quoteQty, taker, maker, false, buyerFee, sellerFee));
    } else {
      const makerBase = makerAccount.balance(market.base);
      const makerQuote = makerAccount.balance(market.quote);
      makerQuote.locked -= quoteQty;
      makerBase.free += baseQty - buyerFee;
      tx.touch(makerQuote);
      tx.touch(makerBase);
      received += quoteQty - sellerFee;
      tx.events.push(trade(tx, market, price, q, quoteQty, maker, taker, true, buyerFee, sellerFee));
    }
    spent += quoteQty;
    baseFees += buyerFee;
    quoteFees += sellerFee;
    market.lastPrice = price;

    taker.executedQty += q;
    taker.remaining -= q;
    maker.executedQty += q;
    maker.cumQuote += quoteQty;
    maker.updateTime = time;
    book.reduce(maker, q);
    if (maker.remaining === 0) {
      maker.status = 'FILLED';
      book.remove(maker);
      state.orders.delete(maker.id);
      removeOpen(maker);
    } else {
      maker.status = 'PARTIALLY_FILLED';
    }
    tx.events.push(maker.view());
  }
  if (spent > 0n) {
    market.base.feesCollected += baseFees;
    market.quote.feesCollected += quoteFees;
  }
  return { spent, received };
}

function trade(
  tx: Tx,
  market: Market,
  price: number,
  qty: number,
  quoteQty: bigint,
  buyer: Order,
  seller: Order,
  isBuyerMaker: boolean,
  buyerFee: bigint,
  sellerFee: bigint,
): Trade {
  return {
    type: 'trade',
    symbol: market.symbol,
    tradeId: tx.state.nextTradeId++,
    price: price as Ticks,
    qty: qty as Lots,
    quoteQty: quoteQty as Units,
    buyerOrderId: buyer.id,
    sellerOrderId: seller.id,
    buyerAccountId: buyer.account.id,
    sellerAccountId: seller.account.id,
    isBuyerMaker,
    buyerFee: buyerFee as Units,
    sellerFee: sellerFee as Units,
    time: tx.time,
  };
}

/** Takes an open order off the book with `status`, giving back what it held. */
function closeOrder(tx: Tx, order: Order, status: 'CANCELED' | 'EXPIRED'): OrderUpdate {
  const state = tx.state;
  order.market.book.remove(order);
  state.orders.delete(order.id);
  removeOpen(order);
  releaseOrder(tx, order);
  order.status = status;
  order.updateTime = tx.time;
  const view = order.view();
  tx.events.push(view);
  return view;
}

function findOpen(tx: Tx, account: Account | undefined, market: Market, cmd: CancelOrder): Order | undefined {
  if (account === undefined) return undefined;
  if (cmd.orderId !== undefined) {
    const order = tx.state.orders.get(cmd.orderId);
    if (order === undefined || order.account !== account || order.market !== market) return undefined;
    // With both ids, Binance finds the order by orderId and then requires the clientOrderId to match.
    return cmd.clientOrderId === undefined || cmd.clientOrderId === order.clientOrderId ? order : undefined;
  }
  return account.byClientOrderId.get(clientKey(market.index, cmd.clientOrderId as string));
}

export function cancelOrder(tx: Tx, cmd: CancelOrder): CommandResult {
  if (!isPositiveInt(cmd.accountId)) return reject(ResultCode.INVALID_ACCOUNT);
  if (cmd.orderId === undefined && cmd.clientOrderId === undefined)
    return reject(ResultCode.PARAMETER_REQUIRED);
  const market = tx.state.markets.get(cmd.symbol);
  if (market === undefined) return reject(ResultCode.UNKNOWN_SYMBOL);
  const order = findOpen(tx, tx.state.accounts.get(cmd.accountId), market, cmd);
  if (order === undefined) return reject(ResultCode.UNKNOWN_ORDER);
  return { code: ResultCode.OK, order: closeOrder(tx, order, 'CANCELED') };
}

export function cancelAllOrders(tx: Tx, cmd: CancelAllOrders): CommandResult {
  if (!isPositiveInt(cmd.accountId)) return reject(ResultCode.INVALID_ACCOUNT);
  const market = tx.state.markets.get(cmd.symbol);
  if (market === undefined) return reject(ResultCode.UNKNOWN_SYMBOL);
  const account = tx.state.accounts.get(cmd.accountId);
  const open: Order[] = [];
  for (let o = account?.newestOpen[market.index] ?? null; o !== null; o = o.olderOpen) open.push(o);
  // Binance answers -2011 when there is nothing to cancel.
  if (open.length === 0) return reject(ResultCode.UNKNOWN_ORDER);
  open.sort((a, b) => a.id - b.id); // by id, not by list order, so a restored state cancels in the same order
  return { code: ResultCode.OK, canceled: open.map((o) => closeOrder(tx, o, 'CANCELED')) };
}
