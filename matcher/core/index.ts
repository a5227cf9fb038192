// matcher/core: the pure, deterministic state machine of the exchange. Everything outside imports from here.

export { stateHash, validate } from './audit.ts';
export type { BookKind, OrderBook } from './book.ts';
export type * from './commands.ts';
export {
  type Applied,
  apply,
  type CommandResult,
  createState,
  DEFAULT_ORDER_CAPACITY,
  flushBalances,
  reportBalancesByBatch,
  reserveOrders,
} from './engine.ts';
export type * from './events.ts';
export * from './money.ts';
export { RESULT_CODES, ResultCode, type Subsystem } from './result-codes.ts';
export { type OrderSnapshot, restore, type Snapshot, snapshot } from './snapshot.ts';
export type { ExchangeState } from './state.ts';
export { assetTotals, depth, type Levels, marketView, type MarketView, queuePosition } from './queries.ts';
export { checkOrder } from './place-order.ts';
export { DEFINITION_DEFAULTS } from './market.ts';
/** The most orders open at once (a new one beyond is refused: ResultCode.ORDER_CAPACITY). */
export { MAX_SLOTS as MAX_ORDERS } from './order-store.ts';
/** Every value of each enumeration, in the core's code order (for validation and documentation at the edge). */
export {
  ORDER_TYPES,
  SIDES,
  STATUSES as ORDER_STATUSES,
  STP as SELF_TRADE_PREVENTION_MODES,
  TIME_IN_FORCE,
} from './order-store.ts';
