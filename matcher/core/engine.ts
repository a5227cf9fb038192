// The state machine: apply(state, command) -> { result, events }. Pure and synchronous: no I/O, no clock, no
// randomness; the same commands in the same order always give the same state, results and events. It mutates
// `state` in place (a copy per command would cost more than the matching) and nothing else does.

import type { BookKind, OrderBook } from './book.ts';
import { amendOrder } from './amend.ts';
import { cancelAllOrders, cancelOrder } from './cancel.ts';
import { cancelReplace } from './cancel-replace.ts';
import { setAccountFees } from './fees.ts';
import type { Command, CreateMarket, Deposit, SetMarketStatus, Withdraw } from './commands.ts';
import type { BalanceUpdate, Event } from './events.ts';
import { IdIndex } from './id-index.ts';
import { ASSET_NAME, resolveMarket } from './market.ts';
import { isPositiveInt, MAX_UNITS } from './money.ts';
import { FastOrderBook } from './order-book.ts';
import { OrderStore } from './order-store.ts';
import { placeOrder } from './place-order.ts';
import { ReferenceOrderBook } from './reference-book.ts';
import { ResultCode } from './result-codes.ts';
import type { CommandResult } from './results.ts';
import { accountOf, Tx } from './risk.ts';
import {
  type Account,
  AccountsById,
  Asset,
  BalanceTable,
  type ExchangeState,
  Market,
  marketOf,
} from './state.ts';

export type { CommandResult } from './results.ts';

export interface Applied {
  result: CommandResult;
  events: Event[];
}

export function createState(bookKind: BookKind = 'fast'): ExchangeState {
  const accountList: Account[] = [];
  const state: Omit<ExchangeState, 'tx'> & { tx?: Tx } = {
    bookKind,
    markets: new Map(),
    lastMarket: null,
    marketList: [],
    assets: new Map(),
    assetList: [],
    accounts: new AccountsById(accountList),
    accountList,
    balanceTable: new BalanceTable(),
    store: new OrderStore(),
    orders: new IdIndex(),
    nextOrderId: 1,
    nextTradeId: 1,
    nextPreventedMatchId: 1,
    seq: 0,
  };
  state.tx = new Tx(state as ExchangeState);
  return state as ExchangeState;
}

/**
 * The open orders a matcher makes room for at start-up unless told otherwise (MATCHER_ORDER_CAPACITY): 2^20,
 * 128 MiB of order records written up front (OrderStore.reserve).
 */
export const DEFAULT_ORDER_CAPACITY = 2 ** 20;

/**
 * Makes room for `orders` open orders at once and writes the memory now (OrderStore.reserve), so that placing
 * up to that many neither grows the store nor waits on the kernel for a page. Not part of the state: a restored
 * state is the same with or without it.
 */
export function reserveOrders(state: ExchangeState, orders: number): void {
  state.store.reserve(orders);
}

/**
 * From now on `apply` leaves balance updates out of each command's events, and `flushBalances` reports each balance
 * changed since the last flush once, as it stands: what a matcher commits per batch of commands (risk.ts Tx). Set
 * before the first command of a batch.
 */
export function reportBalancesByBatch(state: ExchangeState): void {
  state.tx.balancesByBatch = true;
}

/**
 * With balances reported by batch: one update per balance changed since the last flush, as it stands, in order of
 * first change. Empty otherwise (each command's events carried its updates).
 */
export function flushBalances(state: ExchangeState): BalanceUpdate[] {
  return state.tx.flushBalances();
}

export function newBook(kind: BookKind, store: OrderStore): OrderBook {
  return kind === 'fast' ? new FastOrderBook(store) : new ReferenceOrderBook(store);
}

export function assetOf(state: ExchangeState, name: string): Asset {
  let asset = state.assets.get(name);
  if (asset === undefined) {
    asset = new Asset(state.assetList.length, name);
    state.assets.set(name, asset);
    state.assetList.push(asset);
  }
  return asset;
}

/** A command's timestamp, 0 when it has none (its handler rejects it). */
const timeOf = (timestamp: unknown): number => (typeof timestamp === 'number' ? timestamp : 0);

export function apply(state: ExchangeState, command: Command): Applied {
  const tx = state.tx;
  tx.begin(state.seq++);
  const result = dispatch(tx, command);
  return { result, events: tx.finish() };
}

function dispatch(tx: Tx, command: Command): CommandResult {
  // The timestamp is read per command type: one read for every type would see every command's shape and go
  // megamorphic (a lookup in V8's stub cache on every command).
  switch (command?.type) {
    case 'placeOrder':
      tx.time = timeOf(command.timestamp);
      return placeOrder(tx, command);
    case 'cancelOrder':
      tx.time = timeOf(command.timestamp);
      return cancelOrder(tx, command);
    case 'cancelAllOrders':
      tx.time = timeOf(command.timestamp);
      return cancelAllOrders(tx, command);
    case 'cancelReplace':
      tx.time = timeOf(command.timestamp);
      return cancelReplace(tx, command);
    case 'amendOrder':
      tx.time = timeOf(command.timestamp);
      return amendOrder(tx, command);
    case 'setAccountFees':
      return setAccountFees(tx, command);
    case 'deposit':
      return deposit(tx, command);
    case 'withdraw':
      return withdraw(tx, command);
    case 'createMarket':
      return createMarket(tx, command);
    case 'setMarketStatus':
      return setMarketStatus(tx, command);
    default:
      return { code: ResultCode.UNKNOWN_COMMAND };
  }
}

function createMarket(tx: Tx, cmd: CreateMarket): CommandResult {
  const state = tx.state;
  const { type: _, ...spec } = cmd;
  const definition = resolveMarket(spec);
  if (typeof definition === 'string') return { code: ResultCode.INVALID_MARKET, detail: definition };
  if (state.markets.has(definition.symbol)) return { code: ResultCode.MARKET_EXISTS };
  const base = assetOf(state, definition.baseAsset);
  const quote = assetOf(state, definition.quoteAsset);
  const market = new Market(
    state.marketList.length,
    definition,
    base,
    quote,
    newBook(state.bookKind, state.store),
  );
  state.markets.set(market.symbol, market);
  state.marketList.push(market);
  // As marketOf would after a lookup. A new state's first order would otherwise take marketOf's lookup, which
  // code warmed up on another state may never have run: placeOrder deoptimised there.
  state.lastMarket = market;
  tx.emit({ type: 'marketCreated', market: definition });
  return { code: ResultCode.OK };
}

function setMarketStatus(tx: Tx, cmd: SetMarketStatus): CommandResult {
  const market = marketOf(tx.state, cmd.symbol);
  if (market === undefined) return { code: ResultCode.UNKNOWN_SYMBOL };
  if (cmd.status !== 'TRADING' && cmd.status !== 'HALT') return { code: ResultCode.INVALID_MARKET };
  market.status = cmd.status;
  tx.emit({ type: 'marketStatusChanged', symbol: market.symbol, status: cmd.status });
  return { code: ResultCode.OK };
}

function checkTransfer(cmd: Deposit | Withdraw): ResultCode {
  if (!isPositiveInt(cmd.accountId)) return ResultCode.INVALID_ACCOUNT;
  if (typeof cmd.asset !== 'string' || !ASSET_NAME.test(cmd.asset)) return ResultCode.INVALID_ASSET;
  if (typeof cmd.amount !== 'bigint' || cmd.amount <= 0n || cmd.amount > MAX_UNITS)
    return ResultCode.INVALID_AMOUNT;
  return ResultCode.OK;
}

function deposit(tx: Tx, cmd: Deposit): CommandResult {
  const code = checkTransfer(cmd);
  if (code !== ResultCode.OK) return { code };
  const existing = tx.state.assets.get(cmd.asset);
  // Every balance is bounded by the asset's total, so bounding the total keeps every balance in range.
  if (existing !== undefined && existing.deposited - existing.withdrawn + cmd.amount > MAX_UNITS) {
    return { code: ResultCode.BALANCE_OVERFLOW };
  }
  const asset = existing ?? assetOf(tx.state, cmd.asset);
  const balance = accountOf(tx.state, cmd.accountId).balance(asset);
  balance.addBig(cmd.amount, 0n);
  asset.deposited += cmd.amount;
  tx.touch(balance);
  tx.emit({ type: 'deposited', accountId: cmd.accountId, asset: asset.name, amount: cmd.amount });
  return { code: ResultCode.OK };
}

function withdraw(tx: Tx, cmd: Withdraw): CommandResult {
  const code = checkTransfer(cmd);
  if (code !== ResultCode.OK) return { code };
  const asset = tx.state.assets.get(cmd.asset);
  const balance =
    asset === undefined ? undefined : tx.state.accounts.get(cmd.accountId)?.balances[asset.index];
  if (asset === undefined || balance === undefined || balance.free < cmd.amount) {
    return { code: ResultCode.INSUFFICIENT_BALANCE };
  }
  balance.addBig(-cmd.amount, 0n);
  asset.withdrawn += cmd.amount;
  tx.touch(balance);
  tx.emit({ type: 'withdrawn', accountId: cmd.accountId, asset: asset.name, amount: cmd.amount });
  return { code: ResultCode.OK };
}
