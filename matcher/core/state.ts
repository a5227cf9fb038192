// The state `apply` works on: markets with their books, assets, accounts with balances, open orders and the
// deterministic counters. Mutated in place by `apply` (and only by it); see engine.ts.

import { objectArray } from './arrays.ts';
import type { BookKind, OrderBook } from './book.ts';
import type { MarketDefinition, MarketStatus } from './commands.ts';
import { HashIdIndex, type IdIndex } from './id-index.ts';
import type { OrderStore } from './order-store.ts';
import { notionalPerTickLotOf, stpBits } from './market.ts';
import { bigOf } from './money.ts';
import { StopLadder } from './stop-ladder.ts';
import { TrailSide } from './trail-levels.ts';
import type { Tx } from './risk.ts';

export class Asset {
  readonly index: number;
  readonly name: string;
  /** Totals over all time, in units: conservation says balances + fees = deposited - withdrawn. */
  deposited = 0n;
  withdrawn = 0n;
  /** Fees charged in this asset, in units. */
  feesCollected = 0n;

  constructor(index: number, name: string) {
    this.index = index;
    this.name = name;
  }
}

/**
 * Every balance's two parts as doubles, in two typed arrays by row (Balance.row): a change is a store into an
 * array, where a number field on an object would get a new heap number per change (V8 keeps no unboxed double
 * fields), and a bigint field a new bigint; both cost the write barrier that records the new object and the
 * collector's work to promote it (bench/ab.sh, against bigint fields: steady +12 %, deep +7 %, sweep +3 %). Doubles
 * hold safe integers exactly; past 2^53 (90 million whole units) a balance keeps its parts in Balance.big instead.
 */
export class BalanceTable {
  free = new Float64Array(1024);
  locked = new Float64Array(1024);
  count = 0;

  /** A new row of two zeros. */
  add(): number {
    if (this.count === this.free.length) {
      const free = new Float64Array(this.count * 2);
      const locked = new Float64Array(this.count * 2);
      free.set(this.free);
      locked.set(this.locked);
      this.free = free;
      this.locked = locked;
    }
    return this.count++;
  }
}

/** An account's balance of an asset, in units; neither part ever goes negative. */
export class Balance {
  readonly account: Account;
  readonly asset: Asset;
  /** Its row in the table, whose doubles hold its parts while `big` is null. */
  private readonly table: BalanceTable;
  private readonly row: number;
  /** Both parts, exactly, while either is past MAX_SAFE_INTEGER. */
  private big: { free: bigint; locked: bigint } | null = null;
  /** The command sequence number that last reported this balance, so a command reports it once. */
  reportedAt = -1;

  constructor(account: Account, asset: Asset, table: BalanceTable) {
    this.account = account;
    this.asset = asset;
    this.table = table;
    this.row = table.add();
  }

  get free(): bigint {
    return this.big === null ? bigOf(this.table.free[this.row]!) : this.big.free;
  }

  get locked(): bigint {
    return this.big === null ? bigOf(this.table.locked[this.row]!) : this.big.locked;
  }

  /** Whether `amount` is free to spend; `amountN` is the same as a double if it is a safe integer, else -1. */
  covers(amountN: number, amount: bigint): boolean {
    if (this.big !== null) return amount <= this.big.free;
    return amountN >= 0 && amountN <= this.table.free[this.row]!;
  }

  /**
   * Adds `free` and `locked` (safe integers, either sign) to the two parts. Two safe integers add exactly when
   * the true sum is one too, and a sum past MAX_SAFE_INTEGER cannot round back below it (rounding is monotonic),
   * so the check sees every overflow.
   */
  add(free: number, locked: number): void {
    const t = this.table;
    const r = this.row;
    const f = t.free[r]! + free;
    const l = t.locked[r]! + locked;
    // Small, so that it is inlined where money moves; the rest is out of line.
    if (f <= MAX_SAFE && l <= MAX_SAFE && this.big === null) {
      t.free[r] = f;
      t.locked[r] = l;
    } else {
      this.addBig(bigOf(free), bigOf(locked));
    }
  }

  /** add() for any amounts. */
  addBig(free: bigint, locked: bigint): void {
    this.set(this.free + free, this.locked + locked);
  }

  /** Sets both parts (restores; past 2^53, every change). */
  set(free: bigint, locked: bigint): void {
    if (free <= MAX_SAFE_BIG && locked <= MAX_SAFE_BIG && free >= -MAX_SAFE_BIG && locked >= -MAX_SAFE_BIG) {
      this.big = null;
      this.table.free[this.row] = Number(free);
      this.table.locked[this.row] = Number(locked);
    } else {
      this.big = { free, locked };
    }
  }
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_SAFE_BIG = BigInt(MAX_SAFE);

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
    this.notionalPerTickLot = notionalPerTickLotOf(definition);
    this.unitsPerLot = Number(definition.stepSize);
    this.book = book;
    this.allowedStp = stpBits(definition);
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
