// What the matcher writes and reads back: one statement per batch (group commit) carrying every effect of the
// batch's commands and the stream offset of its last command, and the start-up load that rebuilds the state.
// Every table's rows are one multi-row insert over unnest()ed array parameters (a constant number of parameters
// whatever the batch size), and the inserts are data-modifying CTEs of a single statement, fenced by the offset
// update: one round trip and one implicit transaction per batch, the same SQL on node-postgres and PGlite.

import { param, type SQL, sql } from 'drizzle-orm';
import { type Database, rowsOf, rowsOfPrepared } from '../client.ts';

export interface OffsetRow {
  shard: string;
  /** The stream id of the last command whose effects are committed. */
  streamId: string;
  seq: number;
  nextOrderId: number;
  nextTradeId: number;
  nextPreventedMatchId: number;
  queueClock: number;
  epoch: number;
}

export interface AssetRow {
  name: string;
  deposited: bigint;
  withdrawn: bigint;
  feesCollected: bigint;
}

export interface MarketRow {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  /** JSON text of the market definition (bigints as decimal strings). */
  definition: string;
  status: string;
  lastPrice: number;
}

export interface BalanceRow {
  accountId: number;
  asset: string;
  free: bigint;
  locked: bigint;
}

/** A fee tier; null fees remove it. symbol '*' is every market (EVERY_MARKET). */
export interface FeeTierRow {
  accountId: number;
  symbol: string;
  makerFee: number | null;
  takerFee: number | null;
}

export interface OrderRow {
  orderId: number;
  symbol: string;
  accountId: number;
  clientOrderId: string | null;
  side: string;
  type: string;
  timeInForce: string;
  price: number;
  stopPrice: number;
  origQty: number;
  executedQty: number;
  cumQuote: bigint;
  origQuoteOrderQty: bigint | null;
  status: string;
  selfTradePreventionMode: string;
  preventedQty: number;
  time: number;
  updateTime: number;
  isWorking: boolean;
  queuedAt: number | null;
  /** Set when the order is first written, never changed after (the upsert leaves them alone). */
  strategyId: number | null;
  strategyType: number | null;
  /** Trailing stops only (null otherwise): BIPS; set when the order is first written. */
  trailingDelta: number | null;
  /** Trailing stops: when tracking began, -1 until then. Null in an update keeps the stored value. */
  trailingTime: number | null;
  /**
   * Trailing stops while tracking: the best trade price since, in ticks, as of the order's last update (0 before
   * any). Null in an update keeps the stored value. Loaded pending stops carry the best price now (loadState).
   */
  trailingPrice: number | null;
  /**
   * Trailing stops while tracking: the first trade (of the order's symbol) whose price counts toward the best
   * price beyond trailingPrice. Null in an update keeps the stored value.
   */
  trailingFromTradeId: number | null;
  /** Trailing market buys without a stop price: the last price when placed (what they hold derives from). */
  trailingHoldBasis: number | null;
}

export interface TradeRow {
  tradeId: number;
  symbol: string;
  price: number;
  qty: number;
  quoteQty: bigint;
  buyerOrderId: number;
  sellerOrderId: number;
  buyerAccountId: number;
  sellerAccountId: number;
  isBuyerMaker: boolean;
  buyerFee: bigint;
  sellerFee: bigint;
  time: number;
}

export interface LedgerRow {
  accountId: number;
  asset: string;
  amount: bigint;
  cause: 'DEPOSIT' | 'WITHDRAWAL' | 'TRADE' | 'FEE';
  tradeId: number | null;
  seq: number;
  time: number;
}

export interface PreventedMatchRow {
  preventedMatchId: number;
  symbol: string;
  accountId: number;
  takerOrderId: number;
  makerOrderId: number;
  price: number;
  qty: number;
  mode: string;
  time: number;
}

/** Everything one batch changed, each row in its final state for the batch. */
export interface BatchWrite {
  /** The offset committed before this batch: the commit is refused unless the database still says so. */
  previousStreamId: string;
  offset: OffsetRow;
  assets: AssetRow[];
  markets: MarketRow[];
  balances: BalanceRow[];
  feeTiers: FeeTierRow[];
  /** Sorted by orderId, so an order closing frees its clientOrderId before a newer order takes it. */
  orders: OrderRow[];
  trades: TradeRow[];
  ledger: LedgerRow[];
  preventedMatches: PreventedMatchRow[];
}

/** The commit was refused: another matcher claimed the shard (a newer epoch) or committed past this one. */
export class FencedError extends Error {
  constructor(shard: string) {
    super(
      `matcher shard ${shard}: the committed offset or epoch moved; this matcher no longer owns the shard`,
    );
    this.name = 'FencedError';
  }
}

/**
 * Claims the shard for a new matcher: bumps its epoch (creating the row at `initial` the first time) and
 * returns the committed offset. Every later commit carries that epoch and fails once a newer claim happened.
 */
export async function claimShard(db: Database, initial: OffsetRow): Promise<OffsetRow> {
  const o = initial;
  const rows = await rowsOf(
    db,
    sql`
    insert into matcher_offsets
      (shard, stream_id, seq, next_order_id, next_trade_id, next_prevented_match_id, queue_clock, epoch)
    values (${o.shard}, ${o.streamId}, ${o.seq}, ${o.nextOrderId}, ${o.nextTradeId},
      ${o.nextPreventedMatchId}, ${o.queueClock}, 1)
    on conflict (shard) do update set epoch = matcher_offsets.epoch + 1, updated_at = now()
    returning shard, stream_id, seq, next_order_id, next_trade_id, next_prevented_match_id, queue_clock, epoch`,
  );
  return offsetOf(rows[0]!);
}

export async function readOffset(db: Database, shard: string): Promise<OffsetRow | null> {
  const rows = await rowsOf(
    db,
    sql`
    select shard, stream_id, seq, next_order_id, next_trade_id, next_prevented_match_id, queue_clock, epoch
    from matcher_offsets where shard = ${shard}`,
  );
  const row = rows[0];
  return row === undefined ? null : offsetOf(row);
}

function offsetOf(r: Record<string, unknown>): OffsetRow {
  return {
    shard: String(r.shard),
    streamId: String(r.stream_id),
    seq: Number(r.seq),
    nextOrderId: Number(r.next_order_id),
    nextTradeId: Number(r.next_trade_id),
    nextPreventedMatchId: Number(r.next_prevented_match_id),
    queueClock: Number(r.queue_clock),
    epoch: Number(r.epoch),
  };
}

const array = (values: unknown[]): SQL => sql`${param(values)}`;
const units = (values: bigint[]): SQL => array(values.map(String));
const maybeUnits = (values: (bigint | null)[]): SQL =>
  array(values.map((v) => (v === null ? null : String(v))));

/**
 * Writes a batch and moves the offset, atomically (one statement); throws FencedError, having written nothing,
 * when the shard moved on.
 *
 * The offset update is the `fence` CTE: its row lock serialises competing matchers, and every write is gated
 * on it having matched (`where exists (select from fence)`), so a deposed matcher's batch changes nothing.
 * The CTEs touch different tables (fee tiers: deletes and inserts of different rows), and foreign keys are
 * checked at the end of the statement, when every CTE has run.
 */
export async function commitBatch(db: Database, batch: BatchWrite): Promise<void> {
  const o = batch.offset;
  const parts = [
    sql`with fence as (
      update matcher_offsets set stream_id = ${o.streamId}, seq = ${o.seq}, next_order_id = ${o.nextOrderId},
        next_trade_id = ${o.nextTradeId}, next_prevented_match_id = ${o.nextPreventedMatchId},
        queue_clock = ${o.queueClock}, updated_at = now()
      where shard = ${o.shard} and epoch = ${o.epoch} and stream_id = ${batch.previousStreamId}
      returning shard)`,
  ];
  batchStatements(batch).forEach((statement, i) => parts.push(sql`, ${sql.raw(`w${i}`)} as (${statement})`));
  parts.push(sql` select count(*)::int as moved from fence`);
  const rows = await rowsOfPrepared(db, 'commit_batch', sql.join(parts));
  if (Number(rows[0]?.moved) !== 1) throw new FencedError(o.shard);
}

/** Rows of a batch, unless the fence CTE did not match. */
const FENCED = sql`where exists (select from fence)`;

function batchStatements(b: BatchWrite): SQL[] {
  const out: SQL[] = [];
  const col = <T, V>(rows: T[], f: (row: T) => V): V[] => rows.map(f);
  if (b.assets.length > 0) {
    const r = b.assets;
    out.push(sql`
      insert into assets (name, deposited, withdrawn, fees_collected)
      select * from unnest(${array(col(r, (a) => a.name))}::text[], ${units(col(r, (a) => a.deposited))}::numeric[],
        ${units(col(r, (a) => a.withdrawn))}::numeric[], ${units(col(r, (a) => a.feesCollected))}::numeric[])
      ${FENCED}
      on conflict (name) do update set deposited = excluded.deposited, withdrawn = excluded.withdrawn,
        fees_collected = excluded.fees_collected`);
  }
  if (b.markets.length > 0) {
    const r = b.markets;
    out.push(sql`
      insert into markets (symbol, base_asset, quote_asset, definition, status, last_price)
      select * from unnest(${array(col(r, (m) => m.symbol))}::text[], ${array(col(r, (m) => m.baseAsset))}::text[],
        ${array(col(r, (m) => m.quoteAsset))}::text[], ${array(col(r, (m) => m.definition))}::jsonb[],
        ${array(col(r, (m) => m.status))}::text[], ${array(col(r, (m) => m.lastPrice))}::int8[])
      ${FENCED}
      on conflict (symbol) do update set definition = excluded.definition, status = excluded.status,
        last_price = excluded.last_price`);
  }
  if (b.balances.length > 0) {
    const r = b.balances;
    out.push(sql`
      insert into balances (account_id, asset, free, locked)
      select * from unnest(${array(col(r, (x) => x.accountId))}::int8[], ${array(col(r, (x) => x.asset))}::text[],
        ${units(col(r, (x) => x.free))}::numeric[], ${units(col(r, (x) => x.locked))}::numeric[])
      ${FENCED}
      on conflict (account_id, asset) do update set free = excluded.free, locked = excluded.locked`);
  }
  const removed = b.feeTiers.filter((t) => t.makerFee === null || t.takerFee === null);
  const set = b.feeTiers.filter((t) => t.makerFee !== null && t.takerFee !== null);
  if (removed.length > 0) {
    out.push(sql`
      delete from fee_tiers using unnest(${array(col(removed, (t) => t.accountId))}::int8[],
        ${array(col(removed, (t) => t.symbol))}::text[]) as gone(account_id, symbol)
      where fee_tiers.account_id = gone.account_id and fee_tiers.symbol = gone.symbol
        and exists (select from fence)`);
  }
  if (set.length > 0) {
    out.push(sql`
      insert into fee_tiers (account_id, symbol, maker_fee, taker_fee)
      select * from unnest(${array(col(set, (t) => t.accountId))}::int8[], ${array(col(set, (t) => t.symbol))}::text[],
        ${array(col(set, (t) => t.makerFee))}::int8[], ${array(col(set, (t) => t.takerFee))}::int8[])
      ${FENCED}
      on conflict (account_id, symbol) do update set maker_fee = excluded.maker_fee, taker_fee = excluded.taker_fee`);
  }
  if (b.orders.length > 0) out.push(ordersStatement(b.orders));
  if (b.trades.length > 0) out.push(tradesStatement(b.trades));
  if (b.ledger.length > 0) {
    const r = b.ledger;
    out.push(sql`
      insert into ledger_entries (account_id, asset, amount, cause, trade_id, seq, time)
      select * from unnest(${array(col(r, (l) => l.accountId))}::int8[], ${array(col(r, (l) => l.asset))}::text[],
        ${units(col(r, (l) => l.amount))}::numeric[], ${array(col(r, (l) => l.cause))}::text[],
        ${array(col(r, (l) => l.tradeId))}::int8[], ${array(col(r, (l) => l.seq))}::int8[],
        ${array(col(r, (l) => l.time))}::int8[])
      ${FENCED}`);
  }
  if (b.preventedMatches.length > 0) {
    const r = b.preventedMatches;
    out.push(sql`
      insert into prevented_matches
        (prevented_match_id, symbol, account_id, taker_order_id, maker_order_id, price, qty, mode, time)
      select * from unnest(${array(col(r, (p) => p.preventedMatchId))}::int8[],
        ${array(col(r, (p) => p.symbol))}::text[], ${array(col(r, (p) => p.accountId))}::int8[],
        ${array(col(r, (p) => p.takerOrderId))}::int8[], ${array(col(r, (p) => p.makerOrderId))}::int8[],
        ${array(col(r, (p) => p.price))}::int8[], ${array(col(r, (p) => p.qty))}::int8[],
        ${array(col(r, (p) => p.mode))}::text[], ${array(col(r, (p) => p.time))}::int8[])
      ${FENCED}`);
  }
  return out;
}

function ordersStatement(r: OrderRow[]): SQL {
  const col = <V>(f: (row: OrderRow) => V): SQL => array(r.map(f));
  return sql`
    insert into orders (order_id, symbol, account_id, client_order_id, side, type, time_in_force, price,
      stop_price, orig_qty, executed_qty, cum_quote, orig_quote_order_qty, status, self_trade_prevention_mode,
      prevented_qty, time, update_time, is_working, queued_at, strategy_id, strategy_type, trailing_delta,
      trailing_time, trailing_price, trailing_from_trade_id, trailing_hold_basis)
    select * from unnest(${col((o) => o.orderId)}::int8[], ${col((o) => o.symbol)}::text[],
      ${col((o) => o.accountId)}::int8[], ${col((o) => o.clientOrderId)}::text[], ${col((o) => o.side)}::text[],
      ${col((o) => o.type)}::text[], ${col((o) => o.timeInForce)}::text[], ${col((o) => o.price)}::int8[],
      ${col((o) => o.stopPrice)}::int8[], ${col((o) => o.origQty)}::int8[], ${col((o) => o.executedQty)}::int8[],
      ${units(r.map((o) => o.cumQuote))}::numeric[], ${maybeUnits(r.map((o) => o.origQuoteOrderQty))}::numeric[],
      ${col((o) => o.status)}::text[], ${col((o) => o.selfTradePreventionMode)}::text[],
      ${col((o) => o.preventedQty)}::int8[], ${col((o) => o.time)}::int8[], ${col((o) => o.updateTime)}::int8[],
      ${col((o) => o.isWorking)}::bool[], ${col((o) => o.queuedAt)}::int8[],
      ${col((o) => o.strategyId)}::int8[], ${col((o) => o.strategyType)}::int8[],
      ${col((o) => o.trailingDelta)}::int4[], ${col((o) => o.trailingTime)}::int8[],
      ${col((o) => o.trailingPrice)}::int8[], ${col((o) => o.trailingFromTradeId)}::int8[],
      ${col((o) => o.trailingHoldBasis)}::int8[])
    ${FENCED}
    on conflict (order_id) do update set client_order_id = excluded.client_order_id,
      orig_qty = excluded.orig_qty, executed_qty = excluded.executed_qty, cum_quote = excluded.cum_quote,
      status = excluded.status, prevented_qty = excluded.prevented_qty, update_time = excluded.update_time,
      is_working = orders.is_working or excluded.is_working, queued_at = excluded.queued_at,
      trailing_time = coalesce(excluded.trailing_time, orders.trailing_time),
      trailing_price = coalesce(excluded.trailing_price, orders.trailing_price),
      trailing_from_trade_id = coalesce(excluded.trailing_from_trade_id, orders.trailing_from_trade_id)`;
}

function tradesStatement(r: TradeRow[]): SQL {
  const col = <V>(f: (row: TradeRow) => V): SQL => array(r.map(f));
  return sql`
    insert into trades (trade_id, symbol, price, qty, quote_qty, buyer_order_id, seller_order_id,
      buyer_account_id, seller_account_id, is_buyer_maker, buyer_fee, seller_fee, time)
    select * from unnest(${col((t) => t.tradeId)}::int8[], ${col((t) => t.symbol)}::text[],
      ${col((t) => t.price)}::int8[], ${col((t) => t.qty)}::int8[], ${units(r.map((t) => t.quoteQty))}::numeric[],
      ${col((t) => t.buyerOrderId)}::int8[], ${col((t) => t.sellerOrderId)}::int8[],
      ${col((t) => t.buyerAccountId)}::int8[], ${col((t) => t.sellerAccountId)}::int8[],
      ${col((t) => t.isBuyerMaker)}::bool[], ${units(r.map((t) => t.buyerFee))}::numeric[],
      ${units(r.map((t) => t.sellerFee))}::numeric[], ${col((t) => t.time)}::int8[])
    ${FENCED}`;
}

/** Past every trade id (the largest bigint): where the newest stretch of a symbol's trades ends. */
const LAST_TRADE_ID = 9_223_372_036_854_775_807n;

/** Everything the matcher rebuilds its state from, as the last commit left it. */
export interface StoredState {
  offset: OffsetRow;
  assets: AssetRow[];
  markets: MarketRow[];
  balances: BalanceRow[];
  feeTiers: FeeTierRow[];
  /** Open orders on the book, per symbol and side in priority order (price, then queuedAt). */
  bookOrders: OrderRow[];
  /** Stop orders waiting for their trigger. */
  pendingStops: OrderRow[];
}

export async function loadState(db: Database, offset: OffsetRow): Promise<StoredState> {
  const assets = (await rowsOf(db, sql`select * from assets order by name`)).map((r) => ({
    name: String(r.name),
    deposited: BigInt(r.deposited as string),
    withdrawn: BigInt(r.withdrawn as string),
    feesCollected: BigInt(r.fees_collected as string),
  }));
  const markets = (await rowsOf(db, sql`select * from markets order by symbol`)).map((r) => ({
    symbol: String(r.symbol),
    baseAsset: String(r.base_asset),
    quoteAsset: String(r.quote_asset),
    definition: typeof r.definition === 'string' ? r.definition : JSON.stringify(r.definition),
    status: String(r.status),
    lastPrice: Number(r.last_price),
  }));
  const balances = (
    await rowsOf(db, sql`select * from balances where free <> 0 or locked <> 0 order by account_id, asset`)
  ).map((r) => ({
    accountId: Number(r.account_id),
    asset: String(r.asset),
    free: BigInt(r.free as string),
    locked: BigInt(r.locked as string),
  }));
  const feeTiers = (await rowsOf(db, sql`select * from fee_tiers order by account_id, symbol`)).map((r) => ({
    accountId: Number(r.account_id),
    symbol: String(r.symbol),
    makerFee: Number(r.maker_fee),
    takerFee: Number(r.taker_fee),
  }));
  const open = sql`status in ('NEW', 'PARTIALLY_FILLED')`;
  const bookOrders = (
    await rowsOf(
      db,
      sql`select * from orders where ${open} and is_working
      order by symbol, side, case when side = 'BUY' then -price else price end, queued_at`,
    )
  ).map(orderOf);
  // A tracking stop's best price moves with its market without an update of its own: the best price now is the
  // stored one (0: none yet) and the prices of its symbol's trades from trailing_from_trade_id on, the highest
  // for a SELL, the lowest for a BUY (greatest and least skip nulls; nullif keeps a BUY's 0 out of least). The
  // trades were committed with the order rows, so they are the ones the stored state has seen.
  //
  // One pass over each symbol's trades since its oldest stop's first one, however many stops wait: the distinct
  // first trades (`froms`) of a symbol cut its trades into stretches, each from one first trade to just before the
  // next (the last one open-ended), disjoint, each an index range scan (trades_by_symbol, or the primary key's
  // trade_id range when the planner finds its heap order cheaper: with few symbols); the highest and lowest price
  // of each stretch (`stretches`), running from the newest stretch back (`best`), are the highest and lowest from
  // each first trade on, and each stop joins its own.
  const pending = sql`${open} and not is_working`;
  const pendingStops = (
    await rowsOf(
      db,
      sql`with froms as (
        select symbol, from_id, lead(from_id, 1, ${sql.raw(String(LAST_TRADE_ID))}::int8)
          over (partition by symbol order by from_id) as to_id
        from (select distinct symbol, trailing_from_trade_id as from_id from orders
          where ${pending} and trailing_from_trade_id is not null) f
      ), stretches as (
        select f.symbol, f.from_id, s.hi, s.lo from froms f cross join lateral (
          select max(t.price) as hi, min(t.price) as lo from trades t
          where t.symbol = f.symbol and t.trade_id >= f.from_id and t.trade_id < f.to_id) s
      ), best as (
        select symbol, from_id, max(hi) over newer as hi, min(lo) over newer as lo from stretches
        window newer as (partition by symbol order by from_id desc rows between unbounded preceding and current row)
      )
      select o.*, case
        when o.trailing_from_trade_id is null then o.trailing_price
        when o.side = 'SELL' then greatest(o.trailing_price, b.hi)
        else coalesce(least(nullif(o.trailing_price, 0), b.lo), o.trailing_price)
      end as trailing_price_now
      from orders o left join best b on b.symbol = o.symbol and b.from_id = o.trailing_from_trade_id
      where ${pending} order by o.order_id`,
    )
  ).map((r) => orderOf({ ...r, trailing_price: r.trailing_price_now }));
  return { offset, assets, markets, balances, feeTiers, bookOrders, pendingStops };
}

function orderOf(r: Record<string, unknown>): OrderRow {
  return {
    orderId: Number(r.order_id),
    symbol: String(r.symbol),
    accountId: Number(r.account_id),
    clientOrderId: r.client_order_id === null ? null : String(r.client_order_id),
    side: String(r.side),
    type: String(r.type),
    timeInForce: String(r.time_in_force),
    price: Number(r.price),
    stopPrice: Number(r.stop_price),
    origQty: Number(r.orig_qty),
    executedQty: Number(r.executed_qty),
    cumQuote: BigInt(r.cum_quote as string),
    origQuoteOrderQty: r.orig_quote_order_qty === null ? null : BigInt(r.orig_quote_order_qty as string),
    status: String(r.status),
    selfTradePreventionMode: String(r.self_trade_prevention_mode),
    preventedQty: Number(r.prevented_qty),
    time: Number(r.time),
    updateTime: Number(r.update_time),
    isWorking: Boolean(r.is_working),
    queuedAt: r.queued_at === null ? null : Number(r.queued_at),
    strategyId: r.strategy_id === null ? null : Number(r.strategy_id),
    strategyType: r.strategy_type === null ? null : Number(r.strategy_type),
    trailingDelta: r.trailing_delta === null ? null : Number(r.trailing_delta),
    trailingTime: r.trailing_time === null ? null : Number(r.trailing_time),
    trailingPrice: r.trailing_price === null ? null : Number(r.trailing_price),
    trailingFromTradeId: r.trailing_from_trade_id === null ? null : Number(r.trailing_from_trade_id),
    trailingHoldBasis: r.trailing_hold_basis === null ? null : Number(r.trailing_hold_basis),
  };
}
