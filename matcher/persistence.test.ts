// The group commit and the start-up load, on the real Postgres (a database of its own) and on PGlite: a state
// committed batch by batch loads back as the same state (equal stateHash, valid, same behaviour afterwards),
// the ledger adds up to the balances, and the offset fences a deposed or skipping matcher. Trailing stops' best
// prices, which move without an order update, come back through the trades (reloaded after every command), also
// for rows written before migration 0006.

import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseClient, rowsOf } from '../db/client.ts';
import {
  claimShard,
  commitBatch,
  FencedError,
  loadState,
  readOffset,
} from '../db/repositories/matcher-state.ts';
import { DRIVERS, openTestDatabase } from '../db/test-database.ts';
import { BatchBuilder } from './batch.ts';
import { commandMix, random, setupCommands } from './command-mix.ts';
import {
  apply,
  type Command,
  createState,
  type ExchangeState,
  type Lots,
  type PlaceOrder,
  type Snapshot,
  type Ticks,
  snapshot,
  stateHash,
  validate,
} from './core/index.ts';
import { trailingSlots } from './core/trailing.ts';
import { initialOffset, stateOf } from './recovery.ts';

const SHARD = 'test';

/** A snapshot with its lists in one order (the database returns markets and assets by name, not creation). */
function canonical(snap: Snapshot): Snapshot {
  const by =
    <T>(key: (item: T) => string) =>
    (a: T, b: T) =>
      key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
  return {
    ...snap,
    assets: [...snap.assets].sort(by((a) => a.name)),
    markets: [...snap.markets].sort(by((m) => m.definition.symbol)),
    balances: snap.balances
      .filter((b) => b.free !== 0n || b.locked !== 0n)
      .sort(by((b) => `${b.accountId} ${b.asset}`)),
    feeTiers: [...snap.feeTiers].sort(by((t) => `${t.accountId} ${t.symbol ?? ''}`)),
    orders: [...snap.orders].sort(by((o) => o.symbol)), // stable: each book's priority order stays
    stops: [...snap.stops].sort((a, b) => a.orderId - b.orderId),
  };
}

async function load(client: DatabaseClient): Promise<ExchangeState> {
  const offset = await readOffset(client.db, SHARD);
  return stateOf(await loadState(client.db, offset!));
}

describe.each(DRIVERS)('matcher state on %s', (kind) => {
  let client: DatabaseClient;
  /** Trailing stops that triggered (and were written as working) over the random trailing sessions below. */
  let triggered = 0;

  beforeAll(async () => {
    client = await openTestDatabase(kind);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
  });

  async function reset(): Promise<void> {
    await client.db
      .execute(sql`truncate matcher_offsets, assets, markets, balances, fee_tiers, orders, trades,
      ledger_entries, prevented_matches`);
  }

  /** Applies `commands` in batches of random sizes, committing each; checks a reload every few batches. */
  async function commitAll(commands: Command[], seed: number): Promise<ExchangeState> {
    const state = createState();
    const claim = await claimShard(client.db, initialOffset(SHARD));
    const size = random(seed);
    let previous = claim.streamId;
    for (let i = 0, batch = 1; i < commands.length; batch++) {
      const builder = new BatchBuilder(state);
      const end = Math.min(commands.length, i + 1 + Math.floor(size() * 80));
      for (; i < end; i++) {
        const command = commands[i]!;
        const { events } = apply(state, command);
        builder.add(state.seq - 1, (command as { timestamp?: number }).timestamp ?? 0, events);
      }
      const id = `${batch}-0`;
      await commitBatch(client.db, builder.build(SHARD, previous, id, claim.epoch));
      previous = id;
      if (batch % 7 === 0) {
        const loaded = await load(client);
        expect(validate(loaded)).toEqual([]);
        expect(stateHash(loaded)).toBe(stateHash(state));
        expect(canonical(snapshot(loaded))).toEqual(canonical(snapshot(state)));
      }
    }
    return state;
  }

  let time = 1_700_000_000_000;
  const place = (accountId: number, order: Partial<PlaceOrder>): PlaceOrder => ({
    type: 'placeOrder',
    accountId,
    symbol: 'ETHUSDT',
    side: 'SELL',
    orderType: 'LIMIT',
    quantity: 100 as Lots, // 0.1 ETH
    timestamp: ++time,
    ...order,
  });
  // A trade at `price` ticks: account 1's resting sell, account 2's buy against it.
  const tradeAt = (price: number): PlaceOrder[] => [
    place(1, { timeInForce: 'GTC', price: price as Ticks }),
    place(2, { side: 'BUY', timeInForce: 'IOC', price: price as Ticks }),
  ];

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

  it.each([1, 2, 3])(
    'loads back what it committed, batch by batch, and behaves the same afterwards (seed %i)',
    async (seed) => {
      await reset();
      const commands = [...setupCommands(6), ...commandMix(seed, 1500)];
      const head = commands.slice(0, 1200);
      const tail = commands.slice(1200);
      const state = await commitAll(head, seed);
      const committed = { orders: state.nextOrderId - 1, trades: state.nextTradeId - 1 };
      const loaded = await load(client);
      expect(stateHash(loaded)).toBe(stateHash(state));
      // The same commands give the same results and events on the original and on the reloaded state.
      for (const command of tail) expect(apply(loaded, command)).toEqual(apply(state, command));
      expect(stateHash(loaded)).toBe(stateHash(state));

      // Every accepted order and every trade is a row; no trade twice.
      const [counts] = await rowsOf(
        client.db,
        sql`select (select count(*) from orders)::int as orders, (select count(*) from trades)::int as trades,
          (select count(distinct trade_id) from ledger_entries where trade_id is not null)::int as traded`,
      );
      expect(counts).toEqual({ ...committed, traded: committed.trades });
      expect(committed.trades).toBeGreaterThan(100);
    },
    60_000,
  );

  it("loads back trailing stops' state: waiting (-1), tracking, and the best price since", async () => {
    await reset();
    const opening = tradeAt(10_000);
    const tracking = place(3, { orderType: 'STOP_LOSS', trailingDelta: 100 }); // from 100.00 at once
    const commands = [
      ...setupCommands(3),
      ...opening,
      tracking,
      place(3, { orderType: 'TAKE_PROFIT', stopPrice: 15_000 as Ticks, trailingDelta: 200 }), // waits for 150.00
      ...tradeAt(11_000),
      ...tradeAt(10_950),
    ];
    const state = await commitAll(commands, 4);
    const loaded = await load(client);
    expect(stateHash(loaded)).toBe(stateHash(state));
    expect(canonical(snapshot(loaded))).toEqual(canonical(snapshot(state)));
    const trailing = (s: ExchangeState) =>
      canonical(snapshot(s)).stops.map((o) => [o.trailingDelta, o.trailingTime, o.trailingPrice]);
    expect(trailing(loaded)).toEqual([
      [100, tracking.timestamp, 11_000],
      [200, -1, undefined],
    ]);
    // 110.00 × 0.99 = 108.90 triggers the tracking one, on both.
    for (const command of tradeAt(10_890)) expect(apply(loaded, command)).toEqual(apply(state, command));
    expect(stateHash(loaded)).toBe(stateHash(state));
    expect(trailing(loaded)).toEqual([[200, -1, undefined]]);
  });

  it('keeps a ledger that adds up to every balance and conserves every asset', async () => {
    await reset();
    await commitAll([...setupCommands(4), ...commandMix(9, 800, 4)], 9);
    const mismatched = await rowsOf(
      client.db,
      sql`select b.account_id, b.asset from balances b
        left join (select account_id, asset, sum(amount) as total from ledger_entries group by 1, 2) l
          on l.account_id = b.account_id and l.asset = b.asset
        where b.free + b.locked <> coalesce(l.total, 0)`,
    );
    expect(mismatched).toEqual([]);
    const unbalanced = await rowsOf(
      client.db,
      sql`select a.name from assets a
        where a.deposited - a.withdrawn <>
          a.fees_collected + (select coalesce(sum(free + locked), 0) from balances b where b.asset = a.name)`,
    );
    expect(unbalanced).toEqual([]);
  }, 60_000);

  it('refuses the commit of a deposed matcher and of a batch that does not follow the offset', async () => {
    await reset();
    const state = createState();
    const first = await claimShard(client.db, initialOffset(SHARD));
    const builder = new BatchBuilder(state);
    const [market, , deposit] = setupCommands(1);
    builder.add(0, 0, apply(state, market!).events);
    await commitBatch(client.db, builder.build(SHARD, '0-0', '5-0', first.epoch));
    // The refused batches carry rows of every kind the first did not: a new asset, a balance, a ledger entry.
    const refused = new BatchBuilder(state);
    refused.add(1, 0, apply(state, deposit!).events);
    const written = async () =>
      (
        await rowsOf(
          client.db,
          sql`select (select count(*) from assets)::int as assets, (select count(*) from balances)::int as balances,
            (select count(*) from ledger_entries)::int as ledger`,
        )
      )[0];
    const before = await written();
    // Skipping ahead of the committed offset, or replaying from before it, is refused.
    await expect(commitBatch(client.db, refused.build(SHARD, '4-0', '6-0', first.epoch))).rejects.toThrow(
      FencedError,
    );
    const second = await claimShard(client.db, initialOffset(SHARD));
    expect(second.epoch).toBe(first.epoch + 1);
    expect(second.streamId).toBe('5-0');
    await expect(commitBatch(client.db, refused.build(SHARD, '5-0', '6-0', first.epoch))).rejects.toThrow(
      FencedError,
    );
    // Nothing of the refused commits landed; the new owner commits.
    expect(await written()).toEqual(before);
    expect((await readOffset(client.db, SHARD))?.streamId).toBe('5-0');
    await commitBatch(client.db, new BatchBuilder(state).build(SHARD, '5-0', '6-0', second.epoch));
    expect((await readOffset(client.db, SHARD))?.streamId).toBe('6-0');
  });

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
