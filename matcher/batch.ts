// Turns the events of a batch of applied commands into the rows of one group commit: each order, balance,
// market and asset in its final state for the batch, every trade, ledger entry and prevented match. Reads the
// state (after the batch) only for what events do not carry: queue positions and asset totals.

import type {
  BatchWrite,
  FeeTierRow,
  LedgerRow,
  OrderRow,
  PreventedMatchRow,
  TradeRow,
} from '../db/repositories/matcher-state.ts';
import { EVERY_MARKET } from '../db/schema/fee-tiers.ts';
import {
  assetTotals,
  type BalanceUpdate,
  type Event,
  type ExchangeState,
  marketView,
  type OrderUpdate,
  queuePosition,
} from './core/index.ts';
import { encode, type OrderTags } from './wire.ts';

const OPEN = new Set(['NEW', 'PARTIALLY_FILLED']);
const STOPS = new Set(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);

export class BatchBuilder {
  private readonly state: ExchangeState;
  private readonly orders = new Map<number, OrderUpdate>();
  private readonly balances = new Map<string, BalanceUpdate>();
  private readonly assets = new Set<string>();
  private readonly markets = new Set<string>();
  private readonly feeTiers = new Map<string, FeeTierRow>();
  private readonly trades: TradeRow[] = [];
  private readonly ledger: LedgerRow[] = [];
  private readonly preventedMatches: PreventedMatchRow[] = [];
  /** The tags of orders placed in this batch, by order id (written when the order's row is first written). */
  private readonly tags = new Map<number, OrderTags>();
  /** Commands added. */
  size = 0;

  constructor(state: ExchangeState) {
    this.state = state;
  }

  /** Adds one applied command's events; `seq` is the command's sequence number, `time` its timestamp. */
  add(seq: number, time: number, events: readonly Event[]): void {
    this.size++;
    for (const e of events) {
      switch (e.type) {
        case 'order':
          this.orders.set(e.orderId, e);
          break;
        case 'balance':
          this.balance(e);
          break;
        case 'trade':
          this.trade(e, seq);
          break;
        case 'deposited':
        case 'withdrawn':
          this.assets.add(e.asset);
          this.ledger.push({
            accountId: e.accountId,
            asset: e.asset,
            amount: e.type === 'deposited' ? e.amount : -e.amount,
            cause: e.type === 'deposited' ? 'DEPOSIT' : 'WITHDRAWAL',
            tradeId: null,
            seq,
            time,
          });
          break;
        case 'marketCreated':
          this.markets.add(e.market.symbol);
          this.assets.add(e.market.baseAsset);
          this.assets.add(e.market.quoteAsset);
          break;
        case 'marketStatusChanged':
          this.markets.add(e.symbol);
          break;
        case 'accountFeesSet': {
          const symbol = e.symbol ?? EVERY_MARKET;
          this.feeTiers.set(`${e.accountId}\u0000${symbol}`, {
            accountId: e.accountId,
            symbol,
            makerFee: e.makerFee,
            takerFee: e.takerFee,
          });
          break;
        }
        case 'preventedMatch':
          this.preventedMatches.push({
            preventedMatchId: e.preventedMatchId,
            symbol: e.symbol,
            accountId: e.accountId,
            takerOrderId: e.takerOrderId,
            makerOrderId: e.makerOrderId,
            price: e.price,
            qty: e.qty,
            mode: e.mode,
            time: e.time,
          });
          break;
      }
    }
  }

  /** The balances the batch changed, as they stand after it (core flushBalances). */
  addBalances(updates: readonly BalanceUpdate[]): void {
    for (const b of updates) this.balance(b);
  }

  /** A balance as it stands: the last update of each wins. */
  private balance(b: BalanceUpdate): void {
    this.balances.set(`${b.accountId}\u0000${b.asset}`, b);
  }

  /** Labels the order a command of this batch placed (OrderTags); nothing without an order. */
  tag(orderId: number | undefined, tags: OrderTags): void {
    if (orderId !== undefined) this.tags.set(orderId, tags);
  }

  private trade(t: Extract<Event, { type: 'trade' }>, seq: number): void {
    const market = marketView(this.state, t.symbol)!;
    const { baseAsset: base, quoteAsset: quote } = market.definition;
    this.markets.add(t.symbol);
    this.assets.add(base);
    this.assets.add(quote);
    this.trades.push({
      tradeId: t.tradeId,
      symbol: t.symbol,
      price: t.price,
      qty: t.qty,
      quoteQty: t.quoteQty,
      buyerOrderId: t.buyerOrderId,
      sellerOrderId: t.sellerOrderId,
      buyerAccountId: t.buyerAccountId,
      sellerAccountId: t.sellerAccountId,
      isBuyerMaker: t.isBuyerMaker,
      buyerFee: t.buyerFee,
      sellerFee: t.sellerFee,
      time: t.time,
    });
    const baseUnits = BigInt(t.qty) * BigInt(market.unitsPerLot);
    const entry = (accountId: number, asset: string, amount: bigint, cause: 'TRADE' | 'FEE') => {
      if (amount !== 0n)
        this.ledger.push({ accountId, asset, amount, cause, tradeId: t.tradeId, seq, time: t.time });
    };
    entry(t.buyerAccountId, base, baseUnits, 'TRADE');
    entry(t.buyerAccountId, quote, -t.quoteQty, 'TRADE');
    entry(t.buyerAccountId, base, -t.buyerFee, 'FEE');
    entry(t.sellerAccountId, base, -baseUnits, 'TRADE');
    entry(t.sellerAccountId, quote, t.quoteQty, 'TRADE');
    entry(t.sellerAccountId, quote, -t.sellerFee, 'FEE');
  }

  /** The batch as one write; `offset` fields other than streamId and epoch come from the state. */
  build(shard: string, previousStreamId: string, streamId: string, epoch: number): BatchWrite {
    const state = this.state;
    const snapshotCounters = {
      seq: state.seq,
      nextOrderId: state.nextOrderId,
      nextTradeId: state.nextTradeId,
      nextPreventedMatchId: state.nextPreventedMatchId,
      queueClock: state.store.queueClock,
    };
    const orders = [...this.orders.values()]
      .sort((a, b) => a.orderId - b.orderId)
      .map((o) => this.orderRow(o));
    return {
      previousStreamId,
      offset: { shard, streamId, epoch, ...snapshotCounters },
      assets: [...this.assets].sort().map((name) => ({ name, ...assetTotals(state, name)! })),
      markets: [...this.markets].sort().map((symbol) => {
        const m = marketView(state, symbol)!;
        return {
          symbol,
          baseAsset: m.definition.baseAsset,
          quoteAsset: m.definition.quoteAsset,
          definition: encode(m.definition),
          status: m.status,
          lastPrice: m.lastPrice,
        };
      }),
      balances: [...this.balances.values()].map((b) => ({
        accountId: b.accountId,
        asset: b.asset,
        free: b.free,
        locked: b.locked,
      })),
      feeTiers: [...this.feeTiers.values()],
      orders,
      trades: this.trades,
      ledger: this.ledger,
      preventedMatches: this.preventedMatches,
    };
  }

  private orderRow(o: OrderUpdate): OrderRow {
    const open = OPEN.has(o.status);
    const position = open ? queuePosition(this.state, o.orderId) : undefined;
    const tags = this.tags.size === 0 ? undefined : this.tags.get(o.orderId);
    return {
      orderId: o.orderId,
      symbol: o.symbol,
      accountId: o.accountId,
      clientOrderId: o.clientOrderId ?? null,
      side: o.side,
      type: o.orderType,
      timeInForce: o.timeInForce,
      price: o.price,
      stopPrice: o.stopPrice ?? 0,
      origQty: o.origQty,
      executedQty: o.executedQty,
      cumQuote: o.cumQuote,
      origQuoteOrderQty: o.origQuoteOrderQty ?? null,
      status: o.status,
      selfTradePreventionMode: o.selfTradePreventionMode,
      preventedQty: o.preventedQty,
      time: o.time,
      updateTime: o.updateTime,
      // Once working, always working (the database ORs it in); a closed stop worked if it traded.
      isWorking: position?.working ?? (!STOPS.has(o.orderType) || o.executedQty > 0),
      queuedAt: position?.queuedAt ?? null,
      strategyId: tags?.strategyId ?? null,
      strategyType: tags?.strategyType ?? null,
      trailingDelta: o.trailingDelta ?? null,
      trailingTime: o.trailingTime ?? null,
      trailingPrice: o.trailingPrice ?? null,
      trailingFromTradeId: o.trailingFromTradeId ?? null,
      trailingHoldBasis: o.trailingHoldBasis ?? null,
    };
  }
}
