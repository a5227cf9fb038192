// The compaction path of a side's levels (more than 8 emptied, by triggers or cancels, and more than half), with
// validate and a per-stop FAQ model after every step.
import { describe, expect, it } from 'vitest';
import { stateHash, validate } from './audit.ts';
import { bestOf } from './order-store.ts';
import { restore, snapshot } from './snapshot.ts';
import { Exchange, WHOLE } from './test-kit.ts';
import type { Units } from './money.ts';

function ex0(): Exchange {
  const ex = new Exchange().market({ maxNumAlgoOrders: 100_000, maxNumOrders: 100_000 });
  for (const id of [1, 2, 3]) {
    ex.run({ type: 'deposit', accountId: id, asset: 'BTC', amount: (10_000_000n * WHOLE) as Units });
    ex.run({ type: 'deposit', accountId: id, asset: 'USDT', amount: (10_000_000_000n * WHOLE) as Units });
  }
  return ex;
}
const tradeAt = (ex: Exchange, p: number) => {
  ex.limit(2, 'SELL', 1, p);
  ex.limit(3, 'BUY', 1, p, 'IOC');
};

/** A trailing stop of 10 % tracking at once (a BUY as a limit at 1, so that it never trades once triggered). */
function placeTrailing(ex: Exchange, buy: boolean): number {
  const placed = ex.place(
    1,
    buy ? 'BUY' : 'SELL',
    buy ? 'TAKE_PROFIT_LIMIT' : 'STOP_LOSS',
    1,
    buy ? 1 : undefined,
    buy ? 'GTC' : undefined,
    { trailingDelta: 1000 },
  );
  expect(placed.result.code).toBe('OK');
  return placed.result.order!.orderId;
}

interface M {
  id: number;
  buy: boolean;
  best: number;
  delta: number;
}
function step(models: M[], p: number): M[] {
  const fired: M[] = [];
  for (const m of models) {
    if (m.buy ? p * 10000 >= m.best * (10000 + m.delta) : p * 10000 <= m.best * (10000 - m.delta))
      fired.push(m);
    else m.best = m.buy ? Math.min(m.best, p) : Math.max(m.best, p);
  }
  return fired;
}

function checkAll(ex: Exchange, models: M[]) {
  expect(validate(ex.state)).toEqual([]);
  for (const m of models) {
    const slot = ex.state.orders.get(m.id)!;
    expect(bestOf(ex.state.store.trailing[slot]!), `stop ${m.id}`).toBe(m.best);
  }
}

describe('trailing level compaction', () => {
  for (const [buy, per] of [
    [false, 2],
    [true, 2],
    [false, 1],
    [true, 1],
  ] as const) {
    it(`${buy ? 'BUY' : 'SELL'}: many levels, triggered from the trigger end, cancelled in the middle (${per} per level)`, () => {
      const ex = ex0();
      let models: M[] = [];
      const dir = buy ? 1 : -1;
      let p = 10_000;
      tradeAt(ex, p);
      // 200 levels, one per price, walking away from the trigger direction.
      for (let i = 0; i < 200; i++) {
        for (let k = 0; k < per; k++) {
          models.push({ id: placeTrailing(ex, buy), buy, best: p, delta: 1000 });
        }
        p += dir * 5;
        tradeAt(ex, p);
        const fired = new Set(step(models, p).map((m) => m.id));
        models = models.filter((m) => !fired.has(m.id));
        checkAll(ex, models);
      }
      let maxEmpty = 0;
      const side = () => {
        const m = ex.state.markets.get('BTCUSDT')!;
        return buy ? m.trailingBuys : m.trailingSells;
      };
      // Cancel in the middle (every third with two to a level, else the 21st until 40 are left): empties > 8.
      for (let i = 20; i < models.length - 20; i += per === 1 ? 0 : 3) {
        const m = models[i]!;
        expect(ex.cancel(1, m.id).result.code).toBe('OK');
        models.splice(i, 1);
        checkAll(ex, models);
        const copy = restore(snapshot(ex.state));
        expect(stateHash(copy)).toBe(stateHash(ex.state));
      }
      // then walk on in the same direction: triggers from the trigger end, start grows past 32
      for (let i = 0; i < 300; i++) {
        p += dir * 5;
        tradeAt(ex, p);
        const fired = new Set(step(models, p).map((m) => m.id));
        models = models.filter((m) => !fired.has(m.id));
        maxEmpty = Math.max(maxEmpty, side().empty);
        // Emptied levels are dropped once they are more than 8 and more than half.
        expect(side().empty <= 8 || side().empty * 2 <= side().levels.length).toBe(true);
        checkAll(ex, models);
        if (i % 10 === 0) {
          const copy = restore(snapshot(ex.state));
          expect(stateHash(copy)).toBe(stateHash(ex.state));
          // place a few more at once at the merge end
          models.push({ id: placeTrailing(ex, buy), buy, best: p, delta: 1000 });
        }
      }
      expect(maxEmpty).toBeGreaterThan(4);
    });
  }
});
