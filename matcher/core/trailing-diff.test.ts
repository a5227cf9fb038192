// A randomized differential test of stops (plain and trailing) against a brute-force reference model of the
// FAQ semantics, online: every time the engine activates a stop (execute(..., listed=true)), the model consumes
// the trades so far and says which stop must run next. Cascades, amends, cancels, cancelReplace, several markets,
// restore from snapshot and from a "database" (last update + trades since trailingFromTradeId) mid-way.
// CASES, STEPS and SEED set the run (150 cases of 200 commands by default); DENSE=1 (more cancels, large deltas),
// TREND=1 (drifting prices) and STRUCT=1 (many levels on one side; 1,000 steps a case unless STEPS says) stress
// other shapes.

import { describe, expect, it, vi } from 'vitest';

const hook = vi.hoisted(() => ({ fn: null as null | ((args: unknown[]) => void) }));
vi.mock('./execute.ts', async (importOriginal) => {
  const orig = await importOriginal<typeof import('./execute.ts')>();
  return {
    ...orig,
    execute: (...args: Parameters<typeof orig.execute>) => {
      hook.fn?.(args);
      return orig.execute(...args);
    },
  };
});

import { stateHash, validate } from './audit.ts';
import type { Command, OrderType, PlaceOrder, Side } from './commands.ts';
import { apply, createState } from './engine.ts';
import type { Event, OrderUpdate } from './events.ts';
import type { Lots, Ticks, Units } from './money.ts';
import { bestOf } from './order-store.ts';
import { restore, snapshot, type Snapshot } from './snapshot.ts';
import type { ExchangeState, Market } from './state.ts';
import { random } from '../command-mix.ts';
import { trailingSlots } from './trailing.ts';
import { marketSpec, WHOLE } from './test-kit.ts';
import type { Tx } from './risk.ts';

interface MStop {
  id: number;
  buy: boolean;
  rises: boolean;
  stop: number; // 0: none
  trailing: boolean;
  delta: number;
  tracking: boolean;
  best: number;
  from: number;
}

interface MMarket {
  symbol: string;
  last: number;
  stops: Map<number, MStop>; // pending, not triggered, in id order
  triggered: MStop[]; // trailing, triggered, waiting to run (FIFO)
  trades: { id: number; price: number }[];
}

const movedAgainst = (buy: boolean, p: number, best: number, d: number) =>
  buy ? p * 10_000 >= best * (10_000 + d) : p * 10_000 <= best * (10_000 - d);

class Model {
  markets = new Map<string, MMarket>();
  nextTradeId = 1;
  market(symbol: string): MMarket {
    let m = this.markets.get(symbol);
    if (!m) {
      m = { symbol, last: 0, stops: new Map(), triggered: [], trades: [] };
      this.markets.set(symbol, m);
    }
    return m;
  }
  trade(symbol: string, id: number, price: number): void {
    const m = this.market(symbol);
    m.last = price;
    m.trades.push({ id, price });
    this.nextTradeId = id + 1;
    const fired: MStop[] = [];
    for (const st of m.stops.values()) {
      if (!st.trailing) continue;
      if (!st.tracking) {
        if (st.rises ? price >= st.stop : price <= st.stop) {
          st.tracking = true;
          st.best = price;
          st.from = id + 1;
        }
        continue;
      }
      if (st.best === 0) {
        st.best = price;
        continue;
      }
      if (movedAgainst(st.buy, price, st.best, st.delta)) fired.push(st);
      else st.best = st.buy ? Math.min(st.best, price) : Math.max(st.best, price);
    }
    for (const st of fired.sort((a, b) => a.id - b.id)) {
      m.stops.delete(st.id);
      m.triggered.push(st);
    }
  }
  /** The stop the engine must activate next (stops.ts triggerStops' loop), or undefined. */
  next(symbol: string): MStop | undefined {
    const m = this.market(symbol);
    if (m.last === 0) return undefined;
    let rising: MStop | undefined;
    let falling: MStop | undefined;
    for (const st of m.stops.values()) {
      if (st.trailing) continue;
      if (st.rises) {
        if (st.stop <= m.last && (!rising || st.stop < rising.stop)) rising = st;
      } else if (st.stop >= m.last && (!falling || st.stop > falling.stop)) falling = st;
    }
    return rising ?? falling ?? m.triggered[0];
  }
  take(symbol: string, st: MStop): void {
    const m = this.market(symbol);
    if (st.trailing && m.triggered[0] === st) m.triggered.shift();
    else m.stops.delete(st.id);
  }
}

const DENSE = process.env.DENSE === '1';
const TREND = process.env.TREND === '1';
const STRUCT = process.env.STRUCT === '1';
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const OWNERS = [10, 11, 12, 13, 14];
const TYPES: OrderType[] = ['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'];

/** The best a database row would give at start-up: db/repositories/matcher-state.ts's SQL, in JS. */
function dbBest(row: OrderUpdate, trades: { id: number; price: number }[]): number | undefined {
  const tp = row.trailingPrice as number | undefined;
  if (row.trailingFromTradeId === undefined) return tp;
  const since = trades.filter((t) => t.id >= row.trailingFromTradeId!).map((t) => t.price);
  if (row.side === 'SELL') {
    const vals = [tp, since.length ? Math.max(...since) : undefined].filter((v) => v !== undefined);
    return vals.length ? Math.max(...(vals as number[])) : undefined;
  }
  const vals = [tp === 0 ? undefined : tp, since.length ? Math.min(...since) : undefined].filter(
    (v) => v !== undefined,
  );
  return vals.length ? Math.min(...(vals as number[])) : tp;
}

/** The command (by its number in the case) that last activated a stop: a second in one command is a cascade. */
let lastActCommand = -1;
/** Coverage: activations that came after another in one command (cascades). */
const stats = { cascaded: 0 };
function runCase(seed: number, steps: number): void {
  const r = random(seed);
  const ri = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  let state: ExchangeState = createState();
  const model = new Model();
  /** A stop the engine accepted, as the model files it: a delta of 0 for a plain stop. */
  const modelStop = (mm: MMarket, id: number, buy: boolean, rises: boolean, delta: number, stop?: number) => {
    const trailing = delta > 0;
    const tracking = trailing && stop === undefined;
    mm.stops.set(id, {
      id,
      buy,
      rises,
      trailing,
      delta,
      stop: stop ?? 0,
      tracking,
      best: tracking ? mm.last : 0,
      from: tracking ? model.nextTradeId : 0,
    });
  };
  let time = 1_000;
  const log: string[] = [];
  /** The database's order rows: last update per order, with trailing fields coalesced as the batch does. */
  const rows = new Map<number, OrderUpdate>();
  /** The command being applied, counted, and how many of its events the model has seen. */
  let command = 0;
  let seen = 0;
  /** Shows the model the trades among `events` it has not seen: the command's so far, or all of them. */
  const consume = (events: readonly Event[]) => {
    for (; seen < events.length; seen++) {
      const e = events[seen]!;
      if (e.type === 'trade') model.trade(e.symbol, e.tradeId, e.price);
    }
  };
  hook.fn = (args) => {
    const [tx, market, , slot] = args as [Tx, Market, unknown, number];
    const listed = args.at(-1) as boolean; // execute's last parameter
    if (!listed) return;
    consume(tx.eventsSoFar());
    const id = tx.state.store.id(slot);
    const want = model.next(market.symbol);
    if (want?.id !== id) {
      throw new Error(
        `seed ${seed}: engine activates ${id}, model expects ${want?.id} (last ${model.market(market.symbol).last})\n${log.slice(-30).join('\n')}`,
      );
    }
    if (want.trailing) {
      const t = tx.state.store.trailing[slot]!;
      if (bestOf(t) !== want.best)
        throw new Error(`seed ${seed}: ${id} triggered with best ${bestOf(t)}, model ${want.best}`);
    }
    model.take(market.symbol, want);
    if (command === lastActCommand) stats.cascaded++;
    lastActCommand = command;
  };
  const run = (cmd: Command) => {
    log.push(JSON.stringify(cmd, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)));
    command++;
    seen = 0;
    const applied = apply(state, cmd);
    consume(applied.events);
    for (const e of applied.events) {
      if (e.type !== 'order') continue;
      const prev = rows.get(e.orderId);
      rows.set(e.orderId, {
        ...e,
        trailingTime: e.trailingTime ?? prev?.trailingTime,
        trailingPrice: e.trailingPrice ?? prev?.trailingPrice,
        trailingFromTradeId: e.trailingFromTradeId ?? prev?.trailingFromTradeId,
      });
    }
    return applied;
  };
  for (const symbol of SYMBOLS) {
    const base = symbol.slice(0, 3);
    const res = run({
      type: 'createMarket',
      ...marketSpec({ symbol, baseAsset: base, maxNumAlgoOrders: 10_000, maxNumOrders: 10_000 }),
    });
    expect(res.result.code).toBe('OK');
    for (const acc of [2, 3, 4, ...OWNERS]) {
      for (const asset of [base, 'USDT']) {
        run({ type: 'deposit', accountId: acc, asset, amount: (1_000_000_000n * WHOLE) as Units });
      }
    }
  }
  const mid = new Map(SYMBOLS.map((s) => [s, 1_000]));
  const place = (o: Omit<PlaceOrder, 'type' | 'timestamp'>) =>
    run({ type: 'placeOrder', timestamp: ++time, ...o } as PlaceOrder);
  /** One lot trades at `price`: account 2 offers it, account 3 takes it. */
  const tradeAt = (symbol: string, price: number) => {
    const lot = { symbol, orderType: 'LIMIT', price: price as Ticks, quantity: 1 as Lots } as const;
    place({ ...lot, accountId: 2, side: 'SELL', timeInForce: 'GTC' });
    place({ ...lot, accountId: 3, side: 'BUY', timeInForce: 'IOC' });
  };
  // Some trading first, usually.
  const check = () => {
    const problems = validate(state);
    if (problems.length)
      throw new Error(`seed ${seed}: ${problems.join('; ')}\n${log.slice(-20).join('\n')}`);
    for (const [symbol, m] of model.markets) {
      const market = state.markets.get(symbol)!;
      expect(m.triggered).toEqual([]);
      expect(model.next(symbol)).toBeUndefined();
      const engineTrailing = trailingSlots(state.store, market).map((x) => state.store.id(x));
      const modelTrailing = [...m.stops.values()].filter((x) => x.trailing).map((x) => x.id);
      if (JSON.stringify(engineTrailing) !== JSON.stringify(modelTrailing))
        throw new Error(
          `seed ${seed}: pending trailing ${engineTrailing} vs model ${modelTrailing}\n${log.slice(-20).join('\n')}`,
        );
      for (const st of m.stops.values()) {
        if (!st.trailing) continue;
        const slot = state.orders.get(st.id)!;
        const t = state.store.trailing[slot]!;
        const ctx = `seed ${seed} stop ${st.id}`;
        expect(t.time !== -1, ctx).toBe(st.tracking);
        if (!st.tracking) continue;
        expect(bestOf(t), ctx).toBe(st.best);
        expect(t.fromTradeId, ctx).toBe(st.from);
        // The database contract: the last update and the trades since its trailingFromTradeId.
        const row = rows.get(st.id)!;
        expect(row.trailingFromTradeId, ctx).toBe(st.from);
        expect(dbBest(row, m.trades) ?? 0, ctx).toBe(st.best);
      }
    }
  };
  for (let step = 0; step < steps; step++) {
    const symbol = r() < 0.7 ? SYMBOLS[0]! : SYMBOLS[1]!;
    const mm = model.market(symbol);
    const p0 = mm.last || mid.get(symbol)!;
    let x = r();
    if (DENSE && x >= 0.45 && x < 0.7 && r() < 0.3) x = 0.8; // more cancels
    if (STRUCT) {
      const y = r();
      const phase = Math.floor(step / 400) % 2;
      const sym = SYMBOLS[0]!;
      const m0 = model.market(sym);
      const p1 = m0.last || 1000;
      if (y < 0.4) {
        const bias = phase === 0 ? -1 : 1;
        const price = Math.max(1, p1 + (r() < 0.7 ? bias : -bias) * ri(0, 2));
        tradeAt(sym, price);
      } else if (y < 0.8) {
        const buy = phase === 1 ? r() < 0.8 : r() < 0.2;
        const delta = pick([1000, 2000, 1500]);
        const withStop = r() < 0.3;
        const stopPrice = withStop ? p1 + (buy ? -1 : 1) * ri(1, 5) : undefined; // TAKE_PROFIT: BUY falls, SELL rises
        const o: Omit<PlaceOrder, 'type' | 'timestamp'> = {
          accountId: pick(OWNERS),
          symbol: sym,
          side: buy ? 'BUY' : 'SELL',
          orderType: buy ? 'TAKE_PROFIT_LIMIT' : 'TAKE_PROFIT',
          quantity: 1 as Lots,
          trailingDelta: delta,
        };
        if (buy) {
          o.price = 1 as Ticks;
          o.timeInForce = 'GTC';
        }
        if (stopPrice !== undefined) o.stopPrice = stopPrice as Ticks;
        const res = place(o);
        if (res.result.code === 'OK') modelStop(m0, res.result.order!.orderId, buy, !buy, delta, stopPrice);
      } else {
        const pending = [...m0.stops.values()];
        if (pending.length > 0) {
          const st = pick(pending);
          const slot = state.orders.get(st.id)!;
          const acc = state.accountList[state.store.account(slot)]!.id;
          expect(
            run({ type: 'cancelOrder', accountId: acc, symbol: sym, orderId: st.id, timestamp: ++time })
              .result.code,
          ).toBe('OK');
          m0.stops.delete(st.id);
        }
        if (r() < 0.05) {
          const before = stateHash(state);
          state = restore(snapshot(state));
          expect(stateHash(state)).toBe(before);
        }
      }
      check();
      continue;
    }
    if (TREND && r() < 0.3) {
      // one trade at a price that drifts
      const dir = Math.floor(step / 300) % 2 === 0 ? -1 : 1;
      const price = Math.max(1, p0 + dir * ri(-1, 3));
      tradeAt(symbol, price);
      check();
      continue;
    }
    if (x < 0.3) {
      // liquidity
      const side: Side = r() < 0.5 ? 'BUY' : 'SELL';
      const price = Math.max(1, p0 + (side === 'BUY' ? -1 : 1) * ri(-3, 25));
      place({
        accountId: pick([2, 3]),
        symbol,
        side,
        orderType: 'LIMIT',
        timeInForce: 'GTC',
        price: price as Ticks,
        quantity: ri(1, 4) as Lots,
      });
    } else if (x < 0.45) {
      // taker walking the book
      const side: Side = r() < 0.5 ? 'BUY' : 'SELL';
      if (r() < 0.5) {
        place({ accountId: 4, symbol, side, orderType: 'MARKET', quantity: ri(1, 8) as Lots });
      } else {
        const price = Math.max(1, p0 + (side === 'BUY' ? 1 : -1) * ri(0, 30));
        place({
          accountId: 4,
          symbol,
          side,
          orderType: 'LIMIT',
          timeInForce: 'IOC',
          price: price as Ticks,
          quantity: ri(1, 8) as Lots,
        });
      }
    } else if (x < 0.7) {
      // trailing stop
      const side: Side = r() < 0.5 ? 'BUY' : 'SELL';
      const orderType = pick(TYPES);
      const buy = side === 'BUY';
      const rises = buy === orderType.startsWith('STOP_LOSS');
      const delta = DENSE
        ? r() < 0.7
          ? pick([500, 1000, 2000])
          : pick([10, 20, 50])
        : r() < 0.6
          ? pick([10, 20, 50, 100])
          : ri(10, 300);
      let stopPrice: number | undefined = r() < 0.5 ? p0 + (rises ? 1 : -1) * ri(0, 25) : undefined;
      if (stopPrice !== undefined && stopPrice < 1) stopPrice = undefined;
      const limit = orderType.endsWith('_LIMIT');
      // A trailing market buy without a stop price holds from the last price: before the first trade it needs one.
      if (buy && !limit && stopPrice === undefined && mm.last === 0)
        stopPrice = p0 + (rises ? 1 : -1) * ri(1, 25);
      if (stopPrice !== undefined && stopPrice < 1) continue;
      const o: Omit<PlaceOrder, 'type' | 'timestamp'> = {
        accountId: pick(OWNERS),
        symbol,
        side,
        orderType,
        quantity: ri(1, 3) as Lots,
        trailingDelta: delta,
      };
      if (stopPrice !== undefined) o.stopPrice = stopPrice as Ticks;
      if (limit) {
        o.timeInForce = pick(['GTC', 'IOC', 'GTC'] as const);
        o.price = Math.max(1, p0 + (buy ? 1 : -1) * ri(-10, 30)) as Ticks;
      }
      const res = place(o);
      if (res.result.code === 'OK') {
        modelStop(mm, res.result.order!.orderId, buy, rises, delta, stopPrice);
      } else {
        expect(['ORDER_WOULD_TRIGGER_IMMEDIATELY'], `${res.result.code}`).toContain(res.result.code);
      }
    } else if (x < 0.77) {
      // plain stop
      const side: Side = r() < 0.5 ? 'BUY' : 'SELL';
      const orderType = pick(TYPES);
      const buy = side === 'BUY';
      const rises = buy === orderType.startsWith('STOP_LOSS');
      const stopPrice = Math.max(1, p0 + (rises ? 1 : -1) * ri(1, 20));
      const limit = orderType.endsWith('_LIMIT');
      const o: Omit<PlaceOrder, 'type' | 'timestamp'> = {
        accountId: pick(OWNERS),
        symbol,
        side,
        orderType,
        quantity: ri(1, 3) as Lots,
        stopPrice: stopPrice as Ticks,
      };
      if (limit) {
        o.timeInForce = 'GTC';
        o.price = Math.max(1, stopPrice + (buy ? 1 : -1) * ri(-5, 20)) as Ticks;
      }
      const res = place(o);
      if (res.result.code === 'OK') modelStop(mm, res.result.order!.orderId, buy, rises, 0, stopPrice);
    } else if (x < 0.86) {
      // cancel a pending stop (mostly) or an owner's resting order
      const pending = [...mm.stops.values()];
      if (pending.length === 0) continue;
      const st = pick(pending);
      const slot = state.orders.get(st.id)!;
      const acc = state.accountList[state.store.account(slot)]!.id;
      if (r() < 0.2) {
        // cancelReplace: cancel it and place a trailing stop without a stop price in one command
        const res = run({
          type: 'cancelReplace',
          accountId: acc,
          symbol,
          mode: 'STOP_ON_FAILURE',
          cancelOrderId: st.id,
          timestamp: ++time,
          order: { side: 'SELL', orderType: 'STOP_LOSS', quantity: 1 as Lots, trailingDelta: 50 },
        } as Command);
        expect(res.result.code).toBe('OK');
        mm.stops.delete(st.id);
        const placed = (res.result as { newOrderResult: { order?: OrderUpdate } }).newOrderResult.order!;
        modelStop(mm, placed.orderId, false, false, 50);
      } else {
        const res = run({ type: 'cancelOrder', accountId: acc, symbol, orderId: st.id, timestamp: ++time });
        expect(res.result.code).toBe('OK');
        mm.stops.delete(st.id);
      }
    } else if (x < 0.93) {
      // amend a pending stop down (keepPriority)
      const pending = [...mm.stops.values()];
      if (pending.length === 0) continue;
      const st = pick(pending);
      const slot = state.orders.get(st.id)!;
      const orig = state.store.origQty(slot);
      if (orig < 2) continue;
      const acc = state.accountList[state.store.account(slot)]!.id;
      const res = run({
        type: 'amendOrder',
        accountId: acc,
        symbol,
        orderId: st.id,
        newQty: ri(1, orig - 1) as Lots,
        timestamp: ++time,
      });
      expect(res.result.code).toBe('OK');
    } else if (x < 0.96) {
      // restore from a snapshot
      const before = stateHash(state);
      const tx = state.tx;
      state = restore(snapshot(state));
      state.tx.looks = tx.looks;
      expect(stateHash(state)).toBe(before);
    } else {
      // restore as the database would: each pending stop's best from its last row and the trades since
      const before = stateHash(state);
      const snap: Snapshot = snapshot(state);
      snap.stops = snap.stops.map((o) => {
        if (o.trailingDelta === undefined) return o;
        const row = rows.get(o.orderId)!;
        const best = dbBest(row, model.market(o.symbol).trades);
        const out = { ...o, trailingFromTradeId: row.trailingFromTradeId, trailingTime: row.trailingTime };
        if (best === undefined || best === 0) delete out.trailingPrice;
        else out.trailingPrice = best as Ticks;
        if (row.trailingFromTradeId === undefined) delete out.trailingFromTradeId;
        return out;
      });
      state = restore(snap);
      expect(stateHash(state)).toBe(before);
    }
    check();
  }
  hook.fn = null;
}

describe('stops against a brute-force FAQ model with cascades', () => {
  const cases = Number(process.env.CASES ?? 150);
  // STRUCT alternates its trend every 400 steps: it needs both phases to cascade.
  const steps = Number(process.env.STEPS ?? (STRUCT ? 1000 : 200));
  const base = Number(process.env.SEED ?? 1);
  it(`${cases} random cases of ${steps} commands`, () => {
    for (let c = 0; c < cases; c++) runCase(base + c, steps);
    expect(stats.cascaded).toBeGreaterThan(0);
  }, 600_000);
});
