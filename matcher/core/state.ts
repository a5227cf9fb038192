// The state `apply` works on: markets with their books, assets, accounts with balances, open orders and the
// deterministic counters. Mutated in place by `apply` (and only by it); see engine.ts.

import { objectArray } from './arrays.ts';
import type { BookKind, OrderBook } from './book.ts';
import type { MarketDefinition, MarketStatus } from './commands.ts';
import { HashIdIndex, type IdIndex } from './id-index.ts';
import type { OrderStore } from './order-store.ts';
import { orderRulesOf } from './market.ts';
import { bigOf, exactOf, ExactSum, int64Of } from './money.ts';
import { StopLadder } from './stop-ladder.ts';
import { TrailSide } from './trail-levels.ts';
import type { Tx } from './risk.ts';

export class Asset {
  readonly index: number;
  readonly name: string;
  /** Totals over all time, in units: conservation says balances + fees = deposited - withdrawn. */
  deposited = 0n;
  withdrawn = 0n;
  /** Fees charged in this asset, in units: matching adds each fill's fee here, in doubles while it can. */
  readonly fees = new ExactSum();

  /** Fees charged in this asset, in units. */
  get feesCollected(): bigint {
    return this.fees.value;
  }

  set feesCollected(total: bigint) {
    this.fees.set(total);
  }

  constructor(index: number, name: string) {
    this.index = index;
    this.name = name;
  }
}

/**
 * Every balance's two parts as doubles in one typed array, a row of four per balance (Balance.at): a change is a
 * store into an array, where a number field on an object would get a new heap number per change (V8 keeps no
 * unboxed double fields), and a bigint field a new bigint; both cost the write barrier that records the new object
 * and the collector's work to promote it (bench/ab.sh, against bigint fields: steady +12 %, deep +7 %, sweep +3 %).
 *
 * A part is high × 2^32 + low: `low` a safe integer of either sign, `high` a whole number, 0 until the part is
 * first past 2^53 (90 million whole units: a large quote balance, such as the benchmarks' 1e9 USDT). A change
 * adds to `low` alone, one double addition, until `low` leaves the safe integers; then the part is split again
 * (Balance.set), with 2^53 of room. Kept in bigints before, a part past 2^53 cost bigint arithmetic on every change
 * (bench:engine, quote balances of 1e9: steady, deep and sweep ran 14-19 % slower than with 5e7). Past 2^62
 * (46 billion whole units) a balance keeps both parts in bigints instead (Balance.big).
 */
export class BalanceTable {
  /** By row: free's low and locked's low, then free's high and locked's high. */
  cells = new Float64Array(ROW * 1024);
  count = 0;
  /**
   * By row: the stamp of the report the balance is in (risk.ts Tx.touch), so that a report has each balance once.
   * A column here rather than a field of the Balance: the hot paths reach a balance by its row alone.
   */
  reportedAt = new Int32Array(1024);
  /** By row: its Balance, for what is not done on the row alone (bigint amounts, reports). */
  readonly handles: Balance[] = objectArray();
  /**
   * The row + 1 of each account's balance of each asset at (account index << shift) + asset index, 0 for none
   * yet: a balance found by two indexes, one load, where account.balances[i] took three objects (the account, its
   * array and the Balance), each a likely cache miss with a thousand accounts.
   */
  private index = new Int32Array(1024 << 3);
  /** log2 of the assets an account has room for in `index`. */
  private shift = 3;

  /** The row of the balance of the account at `accountIndex` in the asset at `assetIndex`, -1 if it has none. */
  rowOf(accountIndex: number, assetIndex: number): number {
    const i = (accountIndex << this.shift) + assetIndex;
    return assetIndex < 1 << this.shift && i < this.index.length ? this.index[i]! - 1 : -1;
  }

  /** A new row of zeros for `balance`. */
  add(balance: Balance, accountIndex: number, assetIndex: number): number {
    if (ROW * this.count === this.cells.length) {
      const cells = new Float64Array(this.cells.length * 2);
      cells.set(this.cells);
      this.cells = cells;
      const reportedAt = new Int32Array(this.reportedAt.length * 2);
      reportedAt.set(this.reportedAt);
      this.reportedAt = reportedAt;
    }
    const row = this.count++;
    this.reportedAt[row] = -1;
    this.handles.push(balance);
    while (assetIndex >= 1 << this.shift) this.relayout(this.shift + 1, this.index.length >> this.shift);
    while (accountIndex >= this.index.length >> this.shift) {
      this.relayout(this.shift, (this.index.length >> this.shift) * 2);
    }
    this.index[(accountIndex << this.shift) + assetIndex] = row + 1;
    return row;
  }

  /** The index again, with room for 2^shift assets and `accounts` accounts. */
  private relayout(shift: number, accounts: number): void {
    const index = new Int32Array(accounts << shift);
    for (let row = 0; row < this.handles.length; row++) {
      const b = this.handles[row]!;
      index[(b.account.index << shift) + b.asset.index] = row + 1;
    }
    this.index = index;
    this.shift = shift;
  }

  /**
   * Adds safe integers `free` and `locked` (either sign) to the low words of the balance at `row`. Two safe integers
   * add exactly when the true sum is one too, and a sum past MAX_SAFE_INTEGER cannot round back within it (rounding
   * is monotonic), so the check sees every overflow; the Balance then splits the part again. A balance kept in
   * bigints has NaN in its cells, so it fails the check too and takes the Balance's way.
   */
  addAt(row: number, free: number, locked: number): void {
    const c = this.cells;
    const i = row << 2; // ROW * row
    const f = c[i + FREE]! + free;
    const l = c[i + LOCKED]! + locked;
    if (Math.abs(f) <= MAX_SAFE && Math.abs(l) <= MAX_SAFE) {
      c[i + FREE] = f;
      c[i + LOCKED] = l;
    } else {
      this.handles[row]!.addPastSafe(free, locked);
    }
  }

  /**
   * Whether the balance at `row` has `amountN` (a safe integer) free, in doubles. Exact: high × 2^32 is, and the sum
   * rounds to amountN or above if and only if it is at least amountN (a true sum below it is a safe integer too,
   * and rounding is monotonic). False for a balance in bigints (NaN).
   */
  freeAtLeast(row: number, amountN: number): boolean {
    const c = this.cells;
    const i = row << 2; // ROW * row
    return c[i + HIGH + FREE]! * TWO_32 + c[i + FREE]! >= amountN;
  }

  /**
   * Balance.covers on the row alone while it can tell: an amount that is a safe integer, covered in doubles. A
   * balance in bigints, or an amount not covered, takes the Balance's way.
   */
  coversAt(row: number, amountN: number, amount: bigint | null): boolean {
    return (amountN >= 0 && this.freeAtLeast(row, amountN)) || this.handles[row]!.covers(amountN, amount);
  }
}

/** Doubles per balance in the table: the low and high words of free and of locked. */
const ROW = 4;
const FREE = 0;
const LOCKED = 1;
const HIGH = 2;
const TWO_32 = 4_294_967_296;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_SAFE_BIG = BigInt(MAX_SAFE);
/**
 * Parts kept in the table are below this at rest, so that adds of up to 2^53 before a split keep them in the
 * 64-bit range int64Of reads.
 */
const TABLE_LIMIT = 2n ** 62n;

/** An account's balance of an asset, in units; neither part ever goes negative. */
export class Balance {
  readonly account: Account;
  readonly asset: Asset;
  /** The table whose row holds its parts while `big` is null. */
  private readonly table: BalanceTable;
  /** Its row in the table. */
  readonly row: number;
  /** Its row's first cell. */
  private readonly at: number;
  /** Both parts, exactly, while either is past the table's range (its cells are NaN then). */
  private big: { free: bigint; locked: bigint } | null = null;

  constructor(account: Account, asset: Asset, table: BalanceTable) {
    this.account = account;
    this.asset = asset;
    this.table = table;
    this.row = table.add(this, account.index, asset.index);
    this.at = ROW * this.row;
  }

  get free(): bigint {
    if (this.big !== null) return this.big.free;
    const c = this.table.cells;
    return int64Of(c[this.at + HIGH + FREE]!, c[this.at + FREE]!);
  }

  get locked(): bigint {
    if (this.big !== null) return this.big.locked;
    const c = this.table.cells;
    return int64Of(c[this.at + HIGH + LOCKED]!, c[this.at + LOCKED]!);
  }

  /** Whether an amount is free to spend: `amountN` if it is a safe integer, else (-1) `amount` (money.ts exactOf). */
  covers(amountN: number, amount: bigint | null): boolean {
    if (this.big !== null) return exactOf(amountN, amount) <= this.big.free;
    if (amountN < 0) return amount! <= this.free;
    return this.table.freeAtLeast(this.row, amountN);
  }

  /** Adds `free` and `locked` (safe integers, either sign) to the two parts (BalanceTable.addAt). */
  add(free: number, locked: number): void {
    this.table.addAt(this.row, free, locked);
  }

  /** add() when a low word leaves the safe integers, or the parts are bigints (BalanceTable.addAt). */
  addPastSafe(free: number, locked: number): void {
    this.addBig(free === 0 ? 0n : bigOf(free), locked === 0 ? 0n : bigOf(locked));
  }

  /** add() for any amounts. */
  addBig(free: bigint, locked: bigint): void {
    const big = this.big;
    if (big === null) {
      this.set(this.free + free, this.locked + locked);
      return;
    }
    // Changed in place, a part that does not change left as it is.
    const f = free === 0n ? big.free : big.free + free;
    const l = locked === 0n ? big.locked : big.locked + locked;
    if (f >= TABLE_LIMIT || l >= TABLE_LIMIT) {
      big.free = f;
      big.locked = l;
    } else {
      this.set(f, l);
    }
  }

  /** Sets both parts (restores, and splits a part whose low word would leave the safe integers). */
  set(free: bigint, locked: bigint): void {
    const c = this.table.cells;
    const i = this.at;
    if (free < TABLE_LIMIT && locked < TABLE_LIMIT && free > -TABLE_LIMIT && locked > -TABLE_LIMIT) {
      this.big = null;
      split(c, i + FREE, free);
      split(c, i + LOCKED, locked);
    } else {
      this.big = { free, locked };
      // So that changes on the row alone (BalanceTable.addAt, coversAt) fail their checks and come here.
      c.fill(Number.NaN, i, i + ROW);
    }
  }
}

/** Writes x (|x| < 2^62) as its low word at c[i] and its high word at c[i + HIGH]: a high word of 0 while it can. */
function split(c: Float64Array, i: number, x: bigint): void {
  if (x <= MAX_SAFE_BIG && x >= -MAX_SAFE_BIG) {
    c[i] = Number(x);
    c[i + HIGH] = 0;
  } else {
    c[i] = Number(BigInt.asUintN(32, x));
    c[i + HIGH] = Number(x >> 32n);
  }
}

/** Maker and taker fees as fractions in units of 1e-8. */
export interface FeeTier {
  readonly makerFee: number;
  readonly takerFee: number;
}

export class Account {
  readonly id: number;
  /** Position in ExchangeState.accountList: what the order store records. */
  readonly index: number;
  /** By asset index; a hole is a zero balance never touched. */
  readonly balances: (Balance | undefined)[] = [];
  /** Slots of open orders by market index and clientOrderId (see open-orders.ts clientKey). */
  readonly byClientOrderId = new Map<string, number>();
  /** The account's fee tier for every market, if it has one (fees.ts). */
  feeTier: FeeTier | null = null;
  /** Its fee tiers for single markets, by market index; they win over `feeTier`. */
  marketFeeTiers: (FeeTier | undefined)[] | null = null;

  /** Where its balances keep their amounts (the state's). */
  private readonly table: BalanceTable;

  constructor(id: number, index: number, table: BalanceTable) {
    this.id = id;
    this.index = index;
    this.table = table;
  }

  balance(asset: Asset): Balance {
    let b = this.balances[asset.index];
    if (b === undefined) {
      b = new Balance(this, asset, this.table);
      this.balances[asset.index] = b;
    }
    return b;
  }
}

export class Market {
  readonly index: number;
  readonly symbol: string;
  readonly definition: MarketDefinition;
  readonly base: Asset;
  readonly quote: Asset;
  /** Quote units per tick per lot: the notional of price p and quantity q is p × q × notionalPerTickLot. */
  readonly notionalPerTickLot: number;
  /** Base units per lot (the stepSize in units). */
  readonly unitsPerLot: number;
  readonly book: OrderBook;
  /** The allowed self-trade prevention modes as bits by mode code (1 << code): one test per order, not a search. */
  readonly allowedStp: number;
  /** minNotional and maxNotional as doubles (market.ts OrderRules). */
  readonly minNotionalN: number;
  readonly maxNotionalN: number;
  status: MarketStatus;
  /** The last trade's price in ticks, 0 before the first trade: the reference for NOTIONAL and price bands. */
  lastPrice = 0;
  /**
   * By account index: the slots of the account's open orders here, in no order (open-orders.ts); its length is
   * what MAX_NUM_ORDERS counts. Plain arrays of small integers: the collector has no pointers to follow in them.
   */
  readonly openSlots: (number[] | undefined)[] = objectArray();
  /** By account index: its open orders of the stop types here, triggered or not (MAX_NUM_ALGO_ORDERS). */
  algoCount = new Int32Array(1024); // room for the first 1024 accounts: growing is a path rarely taken (arrays.ts)
  /** Stop orders waiting for the last price to rise to their stop (BUY STOP_LOSS*, SELL TAKE_PROFIT*). */
  readonly risingStops = new StopLadder(true);
  /** Stop orders waiting for it to fall to their stop (SELL STOP_LOSS*, BUY TAKE_PROFIT*). */
  readonly fallingStops = new StopLadder(false);
  /**
   * Trailing stops waiting for the price to reach their stop price before they begin tracking (trailing.ts), on a
   * rise and on a fall.
   */
  readonly trailingRising = new StopLadder(true);
  readonly trailingFalling = new StopLadder(false);
  /** Tracking trailing stops of each side (trailing.ts). */
  readonly trailingBuys = new TrailSide(true);
  readonly trailingSells = new TrailSide(false);
  /** Pending trailing stops here, waiting or tracking: while there are any, matching records trade prices. */
  trailingCount = 0;
  /**
   * The prices and ids of this command's trades here, in order, recorded only while trailing stops wait
   * (matching.ts); trailing.ts shows them to the trailing stops after each match and empties them.
   */
  readonly tradePrices: number[] = [];
  readonly tradeIds: number[] = [];
  /** Trailing stops that triggered and wait to run, in the order they did (stops.ts; empty between commands). */
  readonly trailingTriggered: number[] = [];
  /** The next of trailingTriggered to run: a queue read by index (shift() copies a long array every time). */
  trailingTriggeredAt = 0;

  /** Open orders of the account at `accountIndex` here. */
  openCountOf(accountIndex: number): number {
    return this.openSlots[accountIndex]?.length ?? 0;
  }

  /** The list of the account's open orders here, made on first use, with room in algoCount for the account. */
  openListOf(accountIndex: number): number[] {
    const list = this.openSlots[accountIndex];
    if (list !== undefined) return list;
    while (this.openSlots.length < accountIndex) this.openSlots.push(undefined);
    const made: number[] = [];
    this.openSlots[accountIndex] = made;
    if (accountIndex >= this.algoCount.length) {
      const algo = new Int32Array(Math.max(1024, this.algoCount.length * 2, accountIndex + 1));
      algo.set(this.algoCount);
      this.algoCount = algo;
    }
    return made;
  }

  /** Open orders of the stop types of the account at `accountIndex` here. */
  algoCountOf(accountIndex: number): number {
    return this.algoCount[accountIndex] ?? 0;
  }

  constructor(index: number, definition: MarketDefinition, base: Asset, quote: Asset, book: OrderBook) {
    this.index = index;
    this.symbol = definition.symbol;
    this.definition = definition;
    this.base = base;
    this.quote = quote;
    const rules = orderRulesOf(definition);
    this.notionalPerTickLot = rules.notionalPerTickLot;
    this.unitsPerLot = Number(definition.stepSize);
    this.book = book;
    this.allowedStp = rules.allowedStp;
    this.minNotionalN = rules.minNotionalN;
    this.maxNotionalN = rules.maxNotionalN;
    this.status = definition.status;
  }
}

/**
 * Accounts by id: an open-addressing table of id -> position in the account list (HashIdIndex), a few loads
 * where a Map<number, Account> costs a call into the runtime's hash lookup on every command.
 */
export class AccountsById {
  private readonly index = new HashIdIndex();
  private readonly list: Account[];

  constructor(list: Account[]) {
    this.list = list;
  }

  get(id: number): Account | undefined {
    const at = this.index.get(id);
    return at === undefined ? undefined : this.list[at];
  }

  /** Indexes an account of the list (at account.index). */
  add(account: Account): void {
    this.index.set(account.id, account.index);
  }

  get size(): number {
    return this.index.size;
  }

  /** In the order they were added. */
  values(): IterableIterator<Account> {
    return this.list.values();
  }
}

export interface ExchangeState {
  readonly bookKind: BookKind;
  readonly markets: Map<string, Market>;
  /** The market the last lookup by symbol found (marketOf): most commands in a row name the same one. */
  lastMarket: Market | null;
  readonly marketList: Market[];
  readonly assets: Map<string, Asset>;
  readonly assetList: Asset[];
  readonly accounts: AccountsById;
  readonly accountList: Account[];
  /** Every balance's amounts (see Balance). */
  readonly balanceTable: BalanceTable;
  /** Every order the core holds, open or being placed. */
  readonly store: OrderStore;
  /** The slot of every open order, by orderId. */
  readonly orders: IdIndex;
  /** The id the next accepted order gets; ids are global across markets and never reused. */
  nextOrderId: number;
  nextTradeId: number;
  nextPreventedMatchId: number;
  /** Commands applied so far. */
  seq: number;
  /** Scratch for the command being applied (see Tx). */
  readonly tx: Tx;
}

/** The market named `symbol`, if any. */
export function marketOf(state: ExchangeState, symbol: string): Market | undefined {
  const last = state.lastMarket;
  if (last !== null && last.symbol === symbol) return last;
  const market = state.markets.get(symbol);
  if (market !== undefined) state.lastMarket = market;
  return market;
}
