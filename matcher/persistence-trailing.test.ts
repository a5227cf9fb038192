// The persistence contract of trailing stops end to end (BatchBuilder + commitBatch, then loadState +
// restore): a best price that moved without an update must come back after a restart.
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseClient, rowsOf } from '../db/client.ts';
import { claimShard, commitBatch, loadState, readOffset } from '../db/repositories/matcher-state.ts';
import { DRIVERS, openTestDatabase } from '../db/test-database.ts';
import { BatchBuilder } from './batch.ts';
import { random, setupCommands } from './command-mix.ts';
import {
  apply,
  type Command,
  createState,
  type ExchangeState,
  type Lots,
  type PlaceOrder,
  stateHash,
  type Ticks,
  validate,
} from './core/index.ts';
import { trailingSlots } from './core/trailing.ts';
import { initialOffset, stateOf } from './recovery.ts';

const SHARD = 'test';

async function load(client: DatabaseClient): Promise<ExchangeState> {
  return stateOf(await loadState(client.db, (await readOffset(client.db, SHARD))!));
}

describe.each(DRIVERS)('trailing stops persisted on %s', (kind) => {
  /** Trailing stops that triggered (and were written as working) over the random sessions. */
  let triggered = 0;
  let client: DatabaseClient;
  beforeAll(async () => {
    client = await openTestDatabase(kind);
  }, 60_000);
  afterAll(async () => {
    await client?.close();
  });
  const reset = () =>
    client.db.execute(sql`truncate matcher_offsets, assets, markets, balances, fee_tiers, orders, trades,
      ledger_entries, prevented_matches`);

  /** Commits each group of commands as a batch; with `check`, reloads after each and compares. */
  async function session(state: ExchangeState, groups: Command[][], first: number, check: boolean) {
    const claim = await claimShard(client.db, (await readOffset(client.db, SHARD)) ?? initialOffset(SHARD));
    let previous = claim.streamId;
    let batch = first;
    for (const group of groups) {
      const builder = new BatchBuilder(state);
      for (const command of group) {
        const { events } = apply(state, command);
        builder.add(state.seq - 1, (command as { timestamp?: number }).timestamp ?? 0, events);
      }
      const id = `${batch++}-0`;
      await commitBatch(client.db, builder.build(SHARD, previous, id, claim.epoch));
      previous = id;
      if (check) {
        const loaded = await load(client);
        expect(validate(loaded)).toEqual([]);
        expect(stateHash(loaded), `after batch ${id}`).toBe(stateHash(state));
      }
    }
    return batch;
  }

  let time = 1_700_000_000_000;
  const place = (accountId: number, order: Partial<PlaceOrder>): PlaceOrder => ({
    type: 'placeOrder',
    accountId,
    symbol: 'ETHUSDT',
    side: 'SELL',
    orderType: 'LIMIT',
    quantity: 100 as Lots,
    timestamp: ++time,
    ...order,
  });
  const tradeAt = (price: number): PlaceOrder[] => [
    place(1, { timeInForce: 'GTC', price: price as Ticks }),
    place(2, { side: 'BUY', timeInForce: 'IOC', price: price as Ticks }),
  ];

  it('a tracking stop written before migration 0006 keeps its best price across restarts', async () => {
    await reset();
    const placed = [
      setupCommands(3),
      tradeAt(10_000),
      [place(3, { orderType: 'STOP_LOSS', trailingDelta: 500 })],
    ];
    const next = await session(createState(), placed, 1, false);
    // A row of the old version: trailing_price kept up to date, no trailing_from_trade_id.
    await client.db.execute(
      sql`update orders set trailing_from_trade_id = null where trailing_delta is not null`,
    );
    // The upgrade: migration 0007's backfill of such rows.
    const migration = readFileSync(
      new URL('../db/migrations/0007_backfill_trailing_from_trade_id.sql', import.meta.url),
      'utf8',
    );
    const backfill = migration.split('--> statement-breakpoint').find((part) => part.includes('UPDATE'))!;
    await client.db.execute(sql.raw(backfill));
    const upgraded = await load(client); // the first start of the new version
    await session(upgraded, [tradeAt(11_000)], next, false); // a new high: no update of the stop
    const best = (s: ExchangeState) => {
      const slot = trailingSlots(s.store, s.markets.get('ETHUSDT')!)[0]!;
      return s.store.view(slot, 'ETHUSDT', 3).trailingPrice;
    };
    expect(best(upgraded)).toBe(11_000);
    const again = await load(client); // the next restart
    // Without the backfill: "its best price is behind the last price", and 10,000.
    expect(validate(again)).toEqual([]);
    expect(best(again)).toBe(11_000);
    expect(stateHash(again)).toBe(stateHash(upgraded));
  });

  it.each([1, 2, 3, 4, 5, 6])(
    'random trailing stops with cascades, reloaded after every command (seed %i)',
    async (seed) => {
      await reset();
      const state = createState();
      const r = random(seed);
      const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
      let next = await session(state, [setupCommands(6)], 1, false);
      const mid: Record<string, number> = { BTCUSDT: 3_000_000, ETHUSDT: 200_000 };
      for (let i = 0; i < 400; i++) {
        const symbol = pick(['BTCUSDT', 'ETHUSDT']);
        const m = state.markets.get(symbol)!;
        const p0 = m.lastPrice || mid[symbol]!;
        const side = r() < 0.5 ? 'BUY' : 'SELL';
        const qty = (int(1, 5) * 10) as Lots;
        const x = r();
        let cmd: Command;
        if (x < 0.35) {
          const price = Math.max(100, p0 + (side === 'BUY' ? -1 : 1) * int(-3, 30) * 10) as Ticks;
          cmd = place(int(1, 2), { symbol, side, price, timeInForce: 'GTC', quantity: qty });
        } else if (x < 0.5) {
          const price = Math.max(100, p0 + (side === 'BUY' ? 1 : -1) * int(0, 40) * 10) as Ticks;
          cmd = place(3, { symbol, side, price, timeInForce: 'IOC', quantity: (qty * 3) as Lots });
        } else if (x < 0.85) {
          const orderType = pick([
            'STOP_LOSS',
            'STOP_LOSS_LIMIT',
            'TAKE_PROFIT',
            'TAKE_PROFIT_LIMIT',
          ] as const);
          const rises = (side === 'BUY') === orderType.startsWith('STOP_LOSS');
          const limit = orderType.endsWith('_LIMIT');
          const o: Partial<PlaceOrder> = {
            symbol,
            side,
            orderType,
            quantity: qty,
            trailingDelta: pick([10, 20, 50, 100, int(10, 300)]),
          };
          if (r() < 0.5 || (side === 'BUY' && !limit && m.lastPrice === 0))
            o.stopPrice = Math.max(100, p0 + (rises ? 1 : -1) * int(1, 20) * 10) as Ticks;
          if (limit) {
            o.timeInForce = 'GTC';
            o.price = Math.max(100, p0 + (side === 'BUY' ? 1 : -1) * int(-5, 30) * 10) as Ticks;
          }
          cmd = place(int(4, 6), o);
        } else {
          const slots = trailingSlots(state.store, m);
          if (slots.length === 0) continue;
          const slot = pick(slots);
          const accountId = state.accountList[state.store.account(slot)]!.id;
          const orderId = state.store.id(slot);
          const orig = state.store.origQty(slot);
          cmd =
            r() < 0.5 || orig < 2
              ? { type: 'cancelOrder', accountId, symbol, orderId, timestamp: ++time }
              : {
                  type: 'amendOrder',
                  accountId,
                  symbol,
                  orderId,
                  newQty: int(1, orig - 1) as Lots,
                  timestamp: ++time,
                };
        }
        next = await session(state, [[cmd]], next, true);
      }
      const [c] = await rowsOf(
        client.db,
        sql`select count(*)::int as n from orders where trailing_delta is not null and is_working`,
      );
      triggered += (c as { n: number }).n;
    },
    120_000,
  );

  it('triggered trailing stops in those sessions, and wrote them as working', () => {
    expect(triggered).toBeGreaterThan(5);
  });
});
