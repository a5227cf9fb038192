// The matching loop: a taker against the other side of its book, best price first and oldest first within a
// price, each trade at the resting (maker) order's price. Makers are settled fill by fill; the taker's own
// balances once, by the caller, from what this returns.

import type { Trade } from './events.ts';
import {
  bigOf,
  ExactSum,
  feeOf,
  type Lots,
  MAX_SAFE_FEE_RATE,
  mul2,
  mul3,
  safeFeeOf,
  tagged,
  type Ticks,
  type Units,
} from './money.ts';
import { removeOpen } from './open-orders.ts';
import { feesOf } from './fees.ts';
import {
  atMarket,
  BUY,
  EXPIRE_BOTH,
  EXPIRE_MAKER,
  EXPIRE_TAKER,
  EXPIRED_IN_MATCH,
  FILLED,
  PARTIALLY_FILLED,
  SELL,
  STP,
  STP_NONE,
} from './order-store.ts';
import { releaseOrder, rowFor, type Tx } from './risk.ts';
import type { Market } from './state.ts';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_SAFE_BIG = BigInt(MAX_SAFE);

/** Why matching stopped short of filling the taker. */
export const STOP_NONE = 0;
/** The quote budget cannot buy (or be earned by) one more lot. */
export const STOP_BUDGET = 1;
/** Self-trade prevention expired the taker. */
export const STOP_PREVENTED = 2;

export interface Matched {
  /** Quote paid (taker buy) or earned before fees (taker sell), in units. */
  spent: ExactSum;
  /** What the taker receives after fees: base for a buy, quote for a sell, in units. */
  received: ExactSum;
  /** STOP_NONE when it stopped because it filled, the book ran out or the price stopped crossing. */
  stop: number;
}

/** Read only: nobody adds to it. */
const NOTHING = new ExactSum();
export const NOTHING_MATCHED: Matched = Object.freeze({ spent: NOTHING, received: NOTHING, stop: STOP_NONE });

/** Whether a taker at `price` on `side` crosses a resting order at `makerPrice`. */
export const crosses = (side: number, price: number, makerPrice: number): boolean =>
  side === BUY ? makerPrice <= price : makerPrice >= price;

/**
 * Matches the taker in `taker` (a slot) until it is filled, the book runs out, the price stops crossing (a
 * limit), the quote `budget` is used up (a market order: the most it may spend or earn, in quote units; null
 * for none) or self-trade prevention expires it.
 */
export function match(tx: Tx, market: Market, taker: number, budget: bigint | null): Matched {
  const state = tx.state;
  const s = state.store;
  const book = market.book;
  const table = state.balanceTable;
  const k = market.notionalPerTickLot;
  const perLot = market.unitsPerLot;
  const side = s.side(taker);
  const isBuy = side === BUY;
  const isMarket = atMarket(s.orderType(taker));
  const limit = s.price(taker);
  // Most limit orders meet nothing: leave before setting anything up.
  const first = book.best(isBuy ? SELL : BUY);
  if (first === -1 || (!isMarket && !crosses(side, limit, s.price(first)))) return NOTHING_MATCHED;
  const takerId = tagged(s.id(taker));
  const takerIndex = s.account(taker);
  const takerAccount = state.accountList[takerIndex]!;
  const takerRate = feesOf(takerAccount, market).takerFee;
  const stp = s.selfTradePrevention(taker);
  const byQuote = s.quoteOrderQty[taker] !== undefined;
  const time = tx.time;
  const spent = new ExactSum();
  const received = new ExactSum();
  // Fees go straight into the assets' totals (Asset.fees).
  const baseFees = market.base.fees;
  const quoteFees = market.quote.fees;
  let stop = STOP_NONE;
  // The budget still unspent as a double while the budget is a safe integer (every fill then is too), else -1.
  let budgetLeft = budget !== null && budget <= MAX_SAFE_BIG ? Number(budget) : -1;

  while (s.remaining(taker) > 0) {
    const maker = book.best(isBuy ? SELL : BUY);
    if (maker === -1) break;
    const price = s.price(maker);
    if (!isMarket && !crosses(side, limit, price)) break;
    let q = Math.min(s.remaining(taker), s.remaining(maker));
    if (s.account(maker) === takerIndex && stp !== STP_NONE) {
      // What would have traded: for an order by quote, no more than its quote buys or earns here.
      const wouldTrade =
        !byQuote || budget === null ? q : Math.min(q, Number((budget - spent.value) / mul2(price, k)));
      if (wouldTrade === 0) {
        stop = STOP_BUDGET; // nothing could have traded, so nothing is prevented
        break;
      }
      if (preventMatch(tx, market, taker, maker, wouldTrade, stp)) {
        stop = STOP_PREVENTED;
        break;
      }
      continue;
    }
    if (budgetLeft >= 0) {
      const perLot = price * k;
      // A product past 2^53 is inexact but still above the budget (rounding is monotonic).
      if (perLot * q > budgetLeft) {
        // floor(budgetLeft / perLot) exactly: both are safe integers (money.ts safeFeeOf says why).
        q = Math.floor(budgetLeft / perLot);
        if (q === 0) {
          stop = STOP_BUDGET;
          break;
        }
      }
    } else if (budget !== null) {
      const affordable = (budget - spent.value) / mul2(price, k);
      if (affordable < BigInt(q)) {
        q = Number(affordable);
        if (q === 0) {
          stop = STOP_BUDGET;
          break;
        }
      }
    }
    const makerAccount = state.accountList[s.account(maker)]!;
    // The maker's own tier, if it has one, else the market's fee: one null check for most accounts.
    const makerRate =
      makerAccount.feeTier === null && makerAccount.marketFeeTiers === null
        ? market.definition.makerFee
        : feesOf(makerAccount, market).makerFee;
    const buyerRate = isBuy ? takerRate : makerRate;
    const sellerRate = isBuy ? makerRate : takerRate;
    const makerBase = rowFor(state, makerAccount.index, market.base);
    const makerQuote = rowFor(state, makerAccount.index, market.quote);
    // Amounts in doubles while they are safe integers (the common case), in bigint beyond.
    const quoteN = price * q * k;
    const baseN = q * perLot;
    let quoteQty: bigint;
    let buyerFee: bigint;
    let sellerFee: bigint;
    if (
      quoteN <= MAX_SAFE &&
      baseN <= MAX_SAFE &&
      buyerRate <= MAX_SAFE_FEE_RATE &&
      sellerRate <= MAX_SAFE_FEE_RATE
    ) {
      const buyerFeeN = buyerRate === 0 ? 0 : safeFeeOf(baseN, buyerRate);
      const sellerFeeN = sellerRate === 0 ? 0 : safeFeeOf(quoteN, sellerRate);
      quoteQty = bigOf(quoteN);
      buyerFee = buyerFeeN === 0 ? 0n : bigOf(buyerFeeN);
      sellerFee = sellerFeeN === 0 ? 0n : bigOf(sellerFeeN);
      if (isBuy) {
        table.addAt(makerBase, 0, -baseN);
        table.addAt(makerQuote, quoteN - sellerFeeN, 0);
        received.add(baseN - buyerFeeN);
      } else {
        table.addAt(makerQuote, 0, -quoteN);
        table.addAt(makerBase, baseN - buyerFeeN, 0);
        received.add(quoteN - sellerFeeN);
      }
      spent.add(quoteN);
      baseFees.add(buyerFeeN);
      quoteFees.add(sellerFeeN);
      s.addCumQuote(maker, quoteN);
      if (budgetLeft >= 0) budgetLeft -= quoteN;
    } else {
      quoteQty = mul3(price, q, k);
      const baseQty = mul2(q, perLot);
      buyerFee = feeOf(baseQty, buyerRate);
      sellerFee = feeOf(quoteQty, sellerRate);
      if (isBuy) {
        table.handles[makerBase]!.addBig(0n, -baseQty);
        table.handles[makerQuote]!.addBig(quoteQty - sellerFee, 0n);
        received.addBig(baseQty - buyerFee);
      } else {
        table.handles[makerQuote]!.addBig(0n, -quoteQty);
        table.handles[makerBase]!.addBig(baseQty - buyerFee, 0n);
        received.addBig(quoteQty - sellerFee);
      }
      spent.addBig(quoteQty);
      baseFees.addBig(buyerFee);
      quoteFees.addBig(sellerFee);
      s.addCumQuote(maker, quoteQty);
      if (budgetLeft >= 0) budgetLeft -= Number(quoteQty);
    }
    const makerId = tagged(s.id(maker));
    tx.touchRow(makerBase);
    tx.touchRow(makerQuote);
    tx.emit(
      trade(
        tx,
        market,
        price,
        q,
        quoteQty,
        isBuy ? takerId : makerId,
        isBuy ? makerId : takerId,
        isBuy ? takerAccount.id : makerAccount.id,
        isBuy ? makerAccount.id : takerAccount.id,
        !isBuy,
        buyerFee,
        sellerFee,
      ),
    );
    market.lastPrice = price;
    if (market.trailingCount > 0) {
      // For them to see (trailing.ts), with the trade's id.
      market.tradePrices.push(price);
      market.tradeIds.push(state.nextTradeId - 1);
    }

    s.setExecutedQty(taker, s.executedQty(taker) + q);
    s.setRemaining(taker, s.remaining(taker) - q);
    s.setExecutedQty(maker, s.executedQty(maker) + q);
    s.setUpdateTime(maker, time);
    book.reduce(maker, q);
    if (s.remaining(maker) === 0) {
      s.setStatus(maker, FILLED);
      book.remove(maker);
      removeOpen(state, maker);
      tx.emit(s.view(maker, market.symbol, makerAccount.id));
      s.free(maker);
    } else {
      s.setStatus(maker, PARTIALLY_FILLED);
      tx.emit(s.view(maker, market.symbol, makerAccount.id));
    }
  }
  return { spent, received, stop };
}

/**
 * The taker would trade with a resting order of its own account: report the prevented match and expire the
 * maker (EXPIRE_MAKER, EXPIRE_BOTH) and/or the taker (EXPIRE_TAKER, EXPIRE_BOTH) as EXPIRED_IN_MATCH, the
 * taker's mode deciding. Returns whether the taker is expired (the caller settles and reports it).
 */
function preventMatch(
  tx: Tx,
  market: Market,
  taker: number,
  maker: number,
  qty: number,
  mode: number,
): boolean {
  const state = tx.state;
  const s = state.store;
  const accountId = state.accountList[s.account(taker)]!.id;
  tx.emit({
    type: 'preventedMatch',
    symbol: market.symbol,
    preventedMatchId: state.nextPreventedMatchId++,
    takerOrderId: s.id(taker),
    makerOrderId: s.id(maker),
    accountId,
    price: s.price(maker) as Ticks,
    qty: qty as Lots,
    mode: STP[mode]!,
    time: tx.time,
  });
  if (mode === EXPIRE_MAKER || mode === EXPIRE_BOTH) {
    releaseOrder(tx, maker);
    market.book.remove(maker);
    removeOpen(state, maker);
    s.setPreventedQty(maker, s.remaining(maker));
    s.setStatus(maker, EXPIRED_IN_MATCH);
    s.setUpdateTime(maker, tx.time);
    tx.emit(s.view(maker, market.symbol, accountId));
    s.free(maker);
  }
  if (mode === EXPIRE_TAKER || mode === EXPIRE_BOTH) {
    // An order by quoteOrderQty has no quantity of its own: what it was about to trade is what is prevented.
    s.setPreventedQty(taker, s.quoteOrderQty[taker] === undefined ? s.remaining(taker) : qty);
    return true;
  }
  return false;
}

function trade(
  tx: Tx,
  market: Market,
  price: number,
  qty: number,
  quoteQty: bigint,
  buyerOrderId: number,
  sellerOrderId: number,
  buyerAccountId: number,
  sellerAccountId: number,
  isBuyerMaker: boolean,
  buyerFee: bigint,
  sellerFee: bigint,
): Trade {
  return {
    type: 'trade',
    symbol: market.symbol,
    tradeId: tx.state.nextTradeId++,
    price: tagged(price) as Ticks,
    qty: tagged(qty) as Lots,
    quoteQty: quoteQty as Units,
    buyerOrderId,
    sellerOrderId,
    buyerAccountId,
    sellerAccountId,
    isBuyerMaker,
    buyerFee: buyerFee as Units,
    sellerFee: sellerFee as Units,
    time: tx.time,
  };
}
