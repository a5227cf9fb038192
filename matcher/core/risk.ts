// Risk: funds held by open orders and their release, and the bookkeeping of which balances a command
// changed. Every movement keeps free and locked non-negative and conserves each asset exactly.

import { objectArray } from './arrays.ts';
import type { BalanceUpdate, Event } from './events.ts';
import { BIPS, exactOf, mul2, mul3, safeProduct, type Units } from './money.ts';
import { atMarket, BUY, type OrderStore } from './order-store.ts';
import {
  type Account,
  Account as AccountClass,
  type Asset,
  type Balance,
  type ExchangeState,
} from './state.ts';

/**
 * What the command being applied is doing: its events so far and the balances it has touched. One per state,
 * reset by `begin` for each command (apply is not re-entrant), so a command allocates no bookkeeping of its own.
 *
 * Balance updates close each command's events by default. With `balancesByBatch` (engine.ts reportBalancesByBatch)
 * they are left out, and `flushBalances` reports every balance changed since the last flush, once, as it stands:
 * what a matcher commits per batch (it kept only the last update of each balance anyway). A balance update cost
 * ~25 ns and 1-2 bigints; a taker sweeping n makers changes 2n + 2 balances.
 */
export class Tx {
  readonly state: ExchangeState;
  seq = 0;
  time = 0;
  /** How many times trailing stops have been shown trade prices (trailing.ts): a stamp for one such look. */
  looks = 0;
  /**
   * The command's events so far: the first `count` of one array kept for every command (emit), handed out as a copy
   * of the exact size by `finish`, which resets the count and leaves the array as it is: the next command's events
   * overwrite it in place. A new array per command held objects only after its first push grew it to 17 slots,
   * ~200 bytes a command for ~3 events; emptying a shared one cost a pop per event. Made holding objects from the
   * start (arrays.ts): an empty literal holds small integers, and the first event stored would change its kind.
   */
  private readonly events: Event[] = objectArray();
  private count = 0;
  /** Balance updates are left to flushBalances rather than closing each command's events. */
  balancesByBatch = false;
  /** The rows of the balances changed since they were last reported, in order of first change: the first `touchedCount`. */
  private readonly touched: number[] = [];
  private touchedCount = 0;
  /** Stamps a balance with the report it is in (BalanceTable.reportedAt): one per command, or per flush by batch. */
  private report = 0;

  constructor(state: ExchangeState) {
    this.state = state;
  }

  /** Starts a command; its handler sets `time` from the command's timestamp (engine.ts dispatch). */
  begin(seq: number): void {
    this.seq = seq;
    this.time = 0;
    // 0 unless the last command threw (a bug): then its events are dropped, not reported with this one's.
    this.count = 0;
    if (!this.balancesByBatch) {
      this.touchedCount = 0;
      this.report++;
    }
  }

  /** Adds an event to the command's. */
  emit(event: Event): void {
    this.events[this.count++] = event;
  }

  /** The command's events so far (a copy). */
  eventsSoFar(): Event[] {
    return this.events.slice(0, this.count);
  }

  touch(balance: Balance): void {
    this.touchRow(balance.row);
  }

  /** touch, for the balance at a row of the state's table. */
  touchRow(row: number): void {
    const reportedAt = this.state.balanceTable.reportedAt;
    if (reportedAt[row] !== this.report) {
      reportedAt[row] = this.report;
      this.touched[this.touchedCount++] = row | 0; // small integers only (arrays.ts)
    }
  }

  /** The events, closed by one balance update per balance the command changed, in order of first change. */
  finish(): Event[] {
    if (!this.balancesByBatch) {
      for (let i = 0; i < this.touchedCount; i++) this.emit(this.balanceUpdate(this.touched[i]!));
    }
    const out = exactCopy(this.events, this.count);
    // A large command's events are let go rather than kept alive until overwritten.
    if (this.count > 64) this.events.length = 0;
    this.count = 0;
    return out;
  }

  private balanceUpdate(row: number): BalanceUpdate {
    const b = this.state.balanceTable.handles[row]!;
    return {
      type: 'balance',
      accountId: b.account.id,
      asset: b.asset.name,
      free: b.free as Units,
      locked: b.locked as Units,
    };
  }

  /** One update per balance changed since the last flush, in order of first change, as it stands now. */
  flushBalances(): BalanceUpdate[] {
    const out: BalanceUpdate[] = [];
    if (!this.balancesByBatch) return out; // each command's events carried them
    for (let i = 0; i < this.touchedCount; i++) out.push(this.balanceUpdate(this.touched[i]!));
    this.touchedCount = 0;
    this.report++;
    return out;
  }
}

/** The first n of `events`: an array literal of its exact size for up to four (allocated inline), a slice beyond. */
function exactCopy(events: Event[], n: number): Event[] {
  switch (n) {
    case 0:
      return [];
    case 1:
      return [events[0]!];
    case 2:
      return [events[0]!, events[1]!];
    case 3:
      return [events[0]!, events[1]!, events[2]!];
    case 4:
      return [events[0]!, events[1]!, events[2]!, events[3]!];
    default:
      return events.slice(0, n);
  }
}

export function accountOf(state: ExchangeState, accountId: number): Account {
  let account = state.accounts.get(accountId);
  if (account === undefined) {
    account = new AccountClass(accountId, state.accountList.length, state.balanceTable);
    state.accountList.push(account);
    state.accounts.add(account);
  }
  return account;
}

/**
 * Whether an account has an amount of an asset free: `amountN` if it is a safe integer, else (-1) `amount` (see
 * money.ts exactOf).
 */
export function hasFree(
  state: ExchangeState,
  account: Account | undefined,
  asset: Asset,
  amountN: number,
  amount: bigint | null,
): boolean {
  const row = account === undefined ? -1 : state.balanceTable.rowOf(account.index, asset.index);
  return row < 0 ? exactOf(amountN, amount) <= 0n : state.balanceTable.coversAt(row, amountN, amount);
}

/** The row of the balance of the account at `accountIndex` in `asset`, made if it has none yet. */
export function rowFor(state: ExchangeState, accountIndex: number, asset: Asset): number {
  const row = state.balanceTable.rowOf(accountIndex, asset.index);
  return row >= 0 ? row : state.accountList[accountIndex]!.balance(asset).row;
}

export function hold(tx: Tx, balance: Balance, amount: bigint): void {
  balance.addBig(-amount, amount);
  tx.touch(balance);
}

export function release(tx: Tx, balance: Balance, amount: bigint): void {
  balance.addBig(amount, -amount);
  tx.touch(balance);
}

/** What an open order holds: a buy its price × remaining in quote, a sell its remaining in base. */
export function heldBy(state: ExchangeState, slot: number): bigint {
  const s = state.store;
  const m = state.marketList[s.market(slot)]!;
  if (s.side(slot) === BUY) return mul3(heldPrice(s, slot), s.remaining(slot), m.notionalPerTickLot);
  return mul2(s.remaining(slot), m.unitsPerLot);
}

/** heldBy as a double when it is a safe integer (exactly: see mul3), else -1. */
export function heldByN(state: ExchangeState, slot: number): number {
  const s = state.store;
  const m = state.marketList[s.market(slot)]!;
  return safeProduct(
    s.side(slot) === BUY
      ? heldPrice(s, slot) * s.remaining(slot) * m.notionalPerTickLot
      : s.remaining(slot) * m.unitsPerLot,
  );
}

/** The price a buy holds at: its limit, or for a pending stop that will buy at market, its stop's (place-order.ts). */
function heldPrice(s: OrderStore, slot: number): number {
  return s.pending(slot) === 1 && atMarket(s.orderType(slot)) ? stopHoldPrice(s, slot) : s.price(slot);
}

/**
 * The price a pending stop that buys at market holds funds at: its stop price, or for a trailing one the highest
 * price a trailing stop activated there can trigger at without a gap, stopPrice × (1 + trailingDelta), in whole
 * ticks rounded up; without a stop price, from the last price when it was placed (Trailing.basis), where it began
 * tracking. Once triggered it spends no more than that (stops.ts).
 */
export function stopHoldPrice(s: OrderStore, slot: number): number {
  const trailing = s.trailing[slot];
  const stop = s.stopPrice(slot);
  if (trailing === undefined) return stop;
  return trailingHoldPrice(stop !== 0 ? stop : trailing.basis, trailing.delta);
}

/** stopPrice × (1 + delta BIPS), in whole ticks rounded up. */
export function trailingHoldPrice(stopPrice: number, delta: number): number {
  const scaled = stopPrice * (BIPS + delta);
  // Exact: a non-multiple of BIPS below 2^53 is at least 1/BIPS from a whole, more than half a double's step.
  if (scaled <= Number.MAX_SAFE_INTEGER) return Math.ceil(scaled / BIPS);
  const exact = (BigInt(stopPrice) * BigInt(BIPS + delta) + BigInt(BIPS - 1)) / BigInt(BIPS);
  return exact > MAX_SAFE_BIG ? Number.MAX_SAFE_INTEGER : Number(exact); // a price stays a safe integer
}

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/** Gives back what a resting order still holds (on cancel or expiry). */
export function releaseOrder(tx: Tx, slot: number): void {
  const state = tx.state;
  const s = state.store;
  const m = state.marketList[s.market(slot)]!;
  const row = rowFor(state, s.account(slot), s.side(slot) === BUY ? m.quote : m.base);
  const held = heldByN(state, slot);
  if (held >= 0) {
    state.balanceTable.addAt(row, held, -held);
    tx.touchRow(row);
  } else {
    release(tx, state.balanceTable.handles[row]!, heldBy(state, slot));
  }
}
