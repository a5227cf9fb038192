// The matching loop: a taker against the other side of its book, best price first and oldest first within a
// price, each trade at the resting (maker) order's price. Makers are settled fill by fill; the taker's own
// balances once, by the caller, from what this returns.

import type { Trade } from './events.ts';
import {
  ExactSum,
  feeOf,
  type Lots,
  MAX_SAFE_FEE_RATE,
  mul2,
  mul3,
  safeFeeOf,
  type Ticks,
  type Units,
} from './money.ts';
import { removeOpen } from './open-orders.ts';
import { BUY, FILLED, MARKET, PARTIALLY_FILLED, SELL } from './order-store.ts';
import type { Tx } from './risk.ts';
import type { Market } from './state.ts';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export interface Matched {
  /** Quote paid (taker buy) or earned before fees (taker sell), in units. */
  spent: bigint;
  /** What the taker receives after fees: base for a buy, quote for a sell, in units. */
  received: bigint;
}

/** Whether a taker at `price` on `side` crosses a resting order at `makerPrice`. */
export const crosses = (side: number, price: number, makerPrice: number): boolean =>
  side === BUY ? makerPrice <= price : makerPrice >= price;

/**
 * Matches the taker in `taker` (a slot) until it is filled, the book runs out or (for a limit) the price stops
 * crossing. A market buy stops short of spending more than `budget`, the worst case it was checked against.
 */
export function match(tx: Tx, market: Market, taker: number, budget: bigint): Matched {
  const state = tx.state;
  const s = state.store;
  const book = market.book;
  const k = market.notionalPerTickLot;
  const perLot = market.unitsPerLot;
  const side = s.side[taker]!;
  const isBuy = side === BUY;
  const isMarket = s.orderType[taker] === MARKET;
  const limit = s.price[taker]!;
  const makerRate = market.definition.makerFee;
  const takerRate = market.definition.takerFee;
  const buyerRate = isBuy ? takerRate : makerRate;
  const sellerRate = isBuy ? makerRate : takerRate;
  const takerId = s.id[taker]!;
  const takerAccount = state.accountList[s.account[taker]!]!;
  const time = tx.time;
  const spent = new ExactSum();
  const received = new ExactSum();
  const baseFees = new ExactSum();
  const quoteFees = new ExactSum();
  const safeFees = buyerRate <= MAX_SAFE_FEE_RATE && sellerRate <= MAX_SAFE_FEE_RATE;

  while (s.remaining[taker]! > 0) {
    const maker = book.best(isBuy ? SELL : BUY);
    if (maker === -1) break;
    const price = s.price[maker]!;
    if (!isMarket && !crosses(side, limit, price)) break;
    let q = Math.min(s.remaining[taker]!, s.remaining[maker]!);
    if (isMarket && isBuy && spent.value + mul3(price, q, k) > budget) {
      q = Number((budget - spent.value) / mul2(price, k)); // what the rest of the budget affords, in whole lots
      if (q === 0) break;
    }
    // Amounts in doubles while they are safe integers (the common case), in bigint beyond.
    const quoteN = price * q * k;
    const baseN = q * perLot;
    const makerAccount = state.accountList[s.account[maker]!]!;
    const makerBase = makerAccount.balance(market.base);
    const makerQuote = makerAccount.balance(market.quote);
    let quoteQty: bigint;
    let buyerFee: bigint;
    let sellerFee: bigint;
    if (quoteN <= MAX_SAFE && baseN <= MAX_SAFE && safeFees) {
      const buyerFeeN = buyerRate === 0 ? 0 : safeFeeOf(baseN, buyerRate);
      const sellerFeeN = sellerRate === 0 ? 0 : safeFeeOf(quoteN, sellerRate);
      quoteQty = BigInt(quoteN);
      buyerFee = buyerFeeN === 0 ? 0n : BigInt(buyerFeeN);
      sellerFee = sellerFeeN === 0 ? 0n : BigInt(sellerFeeN);
      if (isBuy) {
        makerBase.locked -= BigInt(baseN);
        makerQuote.free += BigInt(quoteN - sellerFeeN);
        received.add(baseN - buyerFeeN);
      } else {
        makerQuote.locked -= quoteQty;
        makerBase.free += BigInt(baseN - buyerFeeN);
        received.add(quoteN - sellerFeeN);
      }
      spent.add(quoteN);
      baseFees.add(buyerFeeN);
      quoteFees.add(sellerFeeN);
      s.addCumQuote(maker, quoteN);
    } else {
      quoteQty = mul3(price, q, k);
      const baseQty = mul2(q, perLot);
      buyerFee = feeOf(baseQty, buyerRate);
      sellerFee = feeOf(quoteQty, sellerRate);
      if (isBuy) {
        makerBase.locked -= baseQty;
        makerQuote.free += quoteQty - sellerFee;
        received.addBig(baseQty - buyerFee);
      } else {
        makerQuote.locked -= quoteQty;
        makerBase.free += baseQty - buyerFee;
        received.addBig(quoteQty - sellerFee);
      }
      spent.addBig(quoteQty);
      baseFees.addBig(buyerFee);
      quoteFees.addBig(sellerFee);
      s.addCumQuote(maker, quoteQty);
    }
    const makerId = s.id[maker]!;
    tx.touch(makerBase);
    tx.touch(makerQuote);
    tx.events.push(
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

    s.executedQty[taker]! += q;
    s.remaining[taker]! -= q;
    s.executedQty[maker]! += q;
    s.updateTime[maker] = time;
    book.reduce(maker, q);
    if (s.remaining[maker] === 0) {
      s.status[maker] = FILLED;
      book.remove(maker);
      removeOpen(state, maker);
      tx.events.push(s.view(maker, market.symbol, makerAccount.id));
      s.free(maker);
    } else {
      s.status[maker] = PARTIALLY_FILLED;
      tx.events.push(s.view(maker, market.symbol, makerAccount.id));
    }
  }
  const paid = spent.value;
  if (paid > 0n) {
    market.base.feesCollected += baseFees.value;
    market.quote.feesCollected += quoteFees.value;
  }
  return { spent: paid, received: received.value };
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
    price: price as Ticks,
    qty: qty as Lots,
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
