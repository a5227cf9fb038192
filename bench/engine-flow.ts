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
export type Core = Pick<typeof CoreModule, 'apply' | 'createState'>;

const UNITS = 100_000_000n;

/** Decimal string to units of 1e-8 ("0.01" -> 1_000_000n). */
function toUnits(decimal: string): bigint {
  const [whole = '0', frac = ''] = decimal.split('.');
  return BigInt(whole) * UNITS + BigInt(frac.padEnd(8, '0').slice(0, 8));
}

/** A state with the workload's market and its accounts funded. */
export function setup(core: Core): ExchangeState {
  const state = core.createState('fast');
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
  return state;
}

const SIDE = { buy: 'BUY', sell: 'SELL' } as const;

/**
 * Workload ops as core commands. A cancel names the workload's order id: `cancelOf` keeps it, and `apply` below
 * puts in the engine's id for it when the cancel runs (`placeOf`: the workload id each order gets).
 */
export interface Commands {
  commands: Command[];
  /** Workload id a cancel targets, 0 if not a cancel. */
  cancelOf: Int32Array;
  /** Workload id an order gets, 0 if not an order. */
  placeOf: Int32Array;
  /** Workload order id -> engine order id, filled in as orders are placed. */
  engineId: Int32Array;
}

export function toCommands(flow: Op[]): Commands {
  const commands: Command[] = new Array(flow.length);
  const cancelOf = new Int32Array(flow.length);
  const placeOf = new Int32Array(flow.length);
  let time = 1_700_000_000_000;
  for (let i = 0; i < flow.length; i++) {
    const o = flow[i]!;
    time++;
    if (o.op === 'cancel') {
      commands[i] = {
        type: 'cancelOrder',
        accountId: o.user,
        symbol: MARKET.symbol,
        orderId: 0,
        timestamp: time,
      };
      cancelOf[i] = o.id;
    } else {
      const cmd: PlaceOrder = {
        type: 'placeOrder',
        accountId: o.user,
        symbol: MARKET.symbol,
        side: SIDE[o.side],
        orderType: 'MARKET',
        quantity: o.qty as Lots,
        timestamp: time,
      };
      if (o.op === 'limit') {
        cmd.orderType = o.tif === 'POST_ONLY' ? 'LIMIT_MAKER' : 'LIMIT';
        cmd.price = o.price as Ticks;
        if (o.tif !== 'POST_ONLY') cmd.timeInForce = o.tif as 'GTC';
      }
      commands[i] = cmd;
      placeOf[i] = o.id;
    }
  }
  return { commands, cancelOf, placeOf, engineId: new Int32Array(flow.length + 2) };
}

/** Counts over the commands applied so far. */
export interface Tally {
  events: number;
  rejected: number;
}

/** Applies commands [from, to) to `state`, adding to `tally`. */
export function applyRange(
  core: Core,
  state: ExchangeState,
  flow: Commands,
  from: number,
  to: number,
  tally: Tally,
): void {
  const apply = core.apply;
  const { commands, cancelOf, placeOf, engineId } = flow;
  let events = 0;
  let rejected = 0;
  for (let i = from; i < to; i++) {
    const cmd = commands[i]!;
    const target = cancelOf[i]!;
    if (target !== 0) (cmd as { orderId: number }).orderId = engineId[target]!;
    const applied = apply(state, cmd);
    const order = applied.result.order;
    if (order !== undefined && placeOf[i] !== 0) engineId[placeOf[i]!] = order.orderId;
    if (applied.result.code !== 'OK') rejected++;
    events += applied.events.length;
  }
  tally.events += events;
  tally.rejected += rejected;
}
