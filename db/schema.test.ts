// Against the real Postgres on this machine: a database of its own per run (created and dropped here), the
// committed migrations applied both by the migrator and by `npm run db:migrate`, and money round-tripping exactly.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type DatabaseClient, rowsOf } from './client.ts';
import { accounts, assets, balances, orders } from './schema/index.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

const run = promisify(execFile);

describe('db schema and migrations (real Postgres)', () => {
  const databases: TestDatabase[] = [];
  let client: DatabaseClient;

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) databases.push(await createTestDatabase());
    client = connect(databases[0]!.url);
    await client.migrate();
  });

  afterAll(async () => {
    await client?.close();
    for (const database of databases) await database.drop();
  });

  it('creates every table and the indexes the API reads by', async () => {
    const tables = await rowsOf(
      client.db,
      sql`select tablename from pg_tables where schemaname = 'public' order by tablename`,
    );
    expect(tables.map((r) => r.tablename)).toEqual([
      'accounts',
      'api_keys',
      'assets',
      'balances',
      'fee_tiers',
      'ledger_entries',
      'markets',
      'matcher_offsets',
      'orders',
      'prevented_matches',
      'trades',
    ]);
    const indexes = await rowsOf(
      client.db,
      sql`select indexname from pg_indexes where schemaname = 'public'`,
    );
    expect(indexes.map((r) => r.indexname)).toEqual(
      expect.arrayContaining([
        'orders_open_by_account',
        'orders_by_account_symbol',
        'orders_open_client_order_id',
        'trades_by_buyer',
        'trades_by_seller',
        'trades_by_symbol_time',
        'ledger_by_account_asset',
      ]),
    );
  });

  it('keeps money exact beyond 2^53 and 2^63 units', async () => {
    const huge = 10n ** 29n + 12_345_678_901_234_567n; // beyond int8, below the core's cap of 10^30
    await client.db.insert(assets).values({ name: 'USDT' });
    await client.db.insert(accounts).values({ id: 1 });
    await client.db.insert(balances).values({ accountId: 1, asset: 'USDT', free: huge, locked: 1n });
    const [row] = await client.db.select().from(balances).where(eq(balances.accountId, 1));
    expect(row).toEqual({ accountId: 1, asset: 'USDT', free: huge, locked: 1n });
  });

  it('allows one open order per clientOrderId and account and symbol, any number of closed ones', async () => {
    const order = {
      symbol: 'BTCUSDT',
      accountId: 1,
      clientOrderId: 'a',
      side: 'BUY' as const,
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: 100,
      origQty: 1,
      executedQty: 0,
      cumQuote: 0n,
      selfTradePreventionMode: 'EXPIRE_MAKER',
      time: 1,
      updateTime: 1,
      isWorking: true,
    };
    await client.db.insert(orders).values({ ...order, orderId: 1, status: 'FILLED' });
    await client.db.insert(orders).values({ ...order, orderId: 2, status: 'NEW' });
    await expect(client.db.insert(orders).values({ ...order, orderId: 3, status: 'NEW' })).rejects.toThrow();
    await client.db.insert(orders).values({ ...order, orderId: 4, status: 'CANCELED' });
  });

  it('npm run db:migrate applies the same migrations to DATABASE_URL', async () => {
    const url = databases[1]!.url;
    await run('npm', ['run', '--silent', 'db:migrate'], { env: { ...process.env, DATABASE_URL: url } });
    const other = connect(url, { max: 1 });
    try {
      const applied = await rowsOf(
        other.db,
        sql`select count(*)::text as count from drizzle.__drizzle_migrations`,
      );
      expect(Number(applied[0]?.count)).toBeGreaterThan(0);
      const tables = await rowsOf(other.db, sql`select 1 from pg_tables where tablename = 'orders'`);
      expect(tables).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
});
