// The group commit and the start-up load, on the real Postgres (a database of its own) and on PGlite: a state
// committed batch by batch loads back as the same state (equal stateHash, valid, same behaviour afterwards),
// the ledger adds up to the balances, and the offset fences a deposed or skipping matcher.

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
});
