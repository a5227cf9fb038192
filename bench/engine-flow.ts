// The shared workloads as core commands, and the loop that applies them: what bench:engine times, and what
// bench/ab-core.ts times for two versions of the core in one process. The core is passed in, so that two copies
// of it (two checkouts) can run side by side.

import type {
  Command,
  ExchangeState,
  Fraction,
  Lots,
  PlaceOrder,
  Ticks,
  Units,
} from '../matcher/core/index.ts';
import type * as CoreModule from '../matcher/core/index.ts';
import { MARKET, type Op } from './workload.ts';

/** What the bench uses of a core: its index module. */
export type Core = Pick<typeof CoreModule, 'apply' | 'createState'> &
  Partial<
    Pick<
      typeof CoreModule,
      'reserveOrders' | 'DEFAULT_ORDER_CAPACITY' | 'reportBalancesByBatch' | 'flushBalances'
    >
  >;

const UNITS = 100_000_000n;

/** Decimal string to units of 1e-8 ("0.01" -> 1_000_000n). */
function toUnits(decimal: string): bigint {
  const [whole = '0', frac = ''] = decimal.split('.');
  return BigInt(whole) * UNITS + BigInt(frac.padEnd(8, '0').slice(0, 8));
}

/**
 * A state with the workload's market and its accounts funded, room made for as many open orders as a matcher
 * makes by default (MATCHER_ORDER_CAPACITY; a core from before reserveOrders grows as orders come), and balances
 * reported by batch as a matcher does (applyRange flushes them every BATCH commands; a core from before
 * reportBalancesByBatch reports them with each command).
 */
export function setup(core: Core): ExchangeState {
  const state = core.createState('fast');
  if (core.reserveOrders !== undefined) core.reserveOrders(state, core.DEFAULT_ORDER_CAPACITY!);
  const created = core.apply(state, {
    type: 'createMarket',
    symbol: MARKET.symbol,
    baseAsset: MARKET.base,
    quoteAsset: MARKET.quote,
    tickSize: toUnits(MARKET.tickSize) as Units,
    stepSize: toUnits(MARKET.stepSize) as Units,
    minNotional: toUnits('5') as Units,
    makerFee: 100_000 as Fraction, // 0.1 %
    takerFee: 100_000 as Fraction,
    maxNumOrders: 1_000_000, // deep leaves ~600 orders per account resting
  });
  if (created.result.code !== 'OK') throw new Error(`createMarket: ${created.result.code}`);
  for (let user = 1; user <= MARKET.users; user++) {
    for (const asset of [MARKET.base, MARKET.quote]) {
      const amount = toUnits(MARKET.balance[asset] ?? '0') as Units;
      const { result } = core.apply(state, { type: 'deposit', accountId: user, asset, amount });
      if (result.code !== 'OK') throw new Error(`deposit: ${result.code}`);
    }
  }
  core.reportBalancesByBatch?.(state);
  return state;
}

const SIDE = { buy: 'BUY', sell: 'SELL' } as const;
const TIFS = ['GTC', 'IOC', 'FOK', 'POST_ONLY'] as const;
const CANCEL = 0;
const MARKET_ORDER = 1;
const LIMIT = 2;

/**
 * A workload's ops packed into typed arrays: what a run keeps while it is timed. Commands (and the baseline's
 * calls) are made from it a chunk at a time, untimed, so that a timed run's heap holds a chunk of commands and not
 * a million of them: a full collection marks what is live, and a matcher does not hold a million commands (with
 * them all live, each full collection during a run marked ~250 MB that no engine needs).
 */
export interface Packed {
  length: number;
  kind: Uint8Array;
  id: Int32Array;
  user: Int32Array;
  buy: Uint8Array;
  price: Float64Array;
  qty: Int32Array;
  tif: Uint8Array;
  /** Workload order id -> engine order id, filled in as orders are placed (a cancel names the workload's id). */
  engineId: Int32Array;
}

export function pack(flow: Op[]): Packed {
  const n = flow.length;
  const p: Packed = {
    length: n,
    kind: new Uint8Array(n),
    id: new Int32Array(n),
    user: new Int32Array(n),
    buy: new Uint8Array(n),
    price: new Float64Array(n),
    qty: new Int32Array(n),
    tif: new Uint8Array(n),
    engineId: new Int32Array(n + 2),
  };
  for (let i = 0; i < n; i++) {
    const o = flow[i]!;
    p.id[i] = o.id;
    p.user[i] = o.user;
    if (o.op === 'cancel') {
      p.kind[i] = CANCEL;
      continue;
    }
    p.kind[i] = o.op === 'market' ? MARKET_ORDER : LIMIT;
    p.buy[i] = o.side === 'buy' ? 1 : 0;
    p.qty[i] = o.qty;
    if (o.op === 'limit') {
      p.price[i] = o.price;
      p.tif[i] = TIFS.indexOf(o.tif as (typeof TIFS)[number]);
    }
  }
  return p;
}

/** Op i as the workload gave it. */
export function opAt(p: Packed, i: number): Op {
  const side = p.buy[i] === 1 ? 'buy' : 'sell';
  if (p.kind[i] === CANCEL) return { op: 'cancel', id: p.id[i]!, user: p.user[i]! };
  if (p.kind[i] === MARKET_ORDER)
    return { op: 'market', id: p.id[i]!, user: p.user[i]!, side, qty: p.qty[i]! };
  return {
    op: 'limit',
    id: p.id[i]!,
    user: p.user[i]!,
    side,
    price: p.price[i]!,
    qty: p.qty[i]!,
    tif: TIFS[p.tif[i]!]!,
  };
}

/** The time of op i's command: one millisecond apart. */
const timeOf = (i: number): number => 1_700_000_000_001 + i;

/** Op i as a core command (a cancel's orderId is put in when it runs: the engine's id for its order). */
function commandAt(p: Packed, i: number): Command {
  const o = opAt(p, i);
  if (o.op === 'cancel') {
    return {
      type: 'cancelOrder',
      accountId: o.user,
      symbol: MARKET.symbol,
      orderId: 0,
      timestamp: timeOf(i),
    };
  }
  const cmd: PlaceOrder = {
    type: 'placeOrder',
    accountId: o.user,
    symbol: MARKET.symbol,
    side: SIDE[o.side],
    orderType: 'MARKET',
    quantity: o.qty as Lots,
    timestamp: timeOf(i),
  };
  if (o.op === 'limit') {
    cmd.orderType = o.tif === 'POST_ONLY' ? 'LIMIT_MAKER' : 'LIMIT';
    cmd.price = o.price as Ticks;
    if (o.tif !== 'POST_ONLY') cmd.timeInForce = o.tif as 'GTC' | 'IOC' | 'FOK';
  }
  return cmd;
}

/** Counts over the commands applied so far. */
export interface Tally {
  events: number;
  rejected: number;
}

/** Commands (and the baseline's calls, bench/engine.ts) are made this many at a time, untimed, before they run. */
export const CHUNK = 10_000;
/**
 * The balances changed are reported once per this many commands (core flushBalances), timed: a matcher's batch
 * under load (MATCHER_BATCH_SIZE's default), after which it commits each balance the batch changed once.
 */
export const BATCH = 1_000;
const commands: Command[] = [];
/** Per command of the chunk: 1 for a cancel whose order's engine id was not known when it was made. */
const late = new Uint8Array(CHUNK);

/**
 * Applies ops [from, to) of `p` to `state` as commands, adding to `tally`; returns the seconds spent in `apply`
 * (making the commands is not timed).
 */
export function applyRange(
  core: Core,
  state: ExchangeState,
  p: Packed,
  from: number,
  to: number,
  tally: Tally,
): number {
  const apply = core.apply;
  const flush = core.flushBalances;
  const { kind, id, engineId } = p;
  let events = 0;
  let rejected = 0;
  let seconds = 0;
  for (let at = from; at < to; at += CHUNK) {
    const end = Math.min(to, at + CHUNK);
    commands.length = 0;
    for (let i = at; i < end; i++) {
      const cmd = commandAt(p, i);
      // A cancel of an order placed in an earlier chunk gets the engine's id for it now, untimed (converting the
      // workload); one of an order placed in this chunk, or never placed (rejected), when it runs.
      const known = kind[i] === CANCEL ? engineId[id[i]!]! : 0;
      if (known !== 0) (cmd as { orderId: number }).orderId = known;
      late[i - at] = kind[i] === CANCEL && known === 0 ? 1 : 0;
      commands.push(cmd);
    }
    const start = process.hrtime.bigint();
    for (let i = at; i < end; i++) {
      const cmd = commands[i - at]!;
      if (late[i - at] === 1) (cmd as { orderId: number }).orderId = engineId[id[i]!]!;
      const applied = apply(state, cmd);
      const order = applied.result.order;
      if (order !== undefined && kind[i] !== CANCEL) engineId[id[i]!] = order.orderId;
      if (applied.result.code !== 'OK') rejected++;
      events += applied.events.length;
      if (flush !== undefined && (i + 1) % BATCH === 0) events += flush(state).length;
    }
    seconds += Number(process.hrtime.bigint() - start) / 1e9;
  }
  commands.length = 0;
  tally.events += events;
  tally.rejected += rejected;
  return seconds;
}
