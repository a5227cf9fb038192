// The transaction helper and prepared statements on the real Postgres: a connection killed under the pool does not leak (Drizzle's own
// transaction keeps a pooled connection forever when BEGIN fails), and a failed transaction changes nothing.

import { connect as connectTcp, createServer, type Socket } from 'node:net';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type DatabaseClient, openEmbedded, rowsOf, rowsOfPrepared, transaction } from './client.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

describe('transaction (node-postgres)', () => {
  let database: TestDatabase;
  let client: DatabaseClient & { pool: pg.Pool };

  beforeAll(async () => {
    database = await createTestDatabase();
    client = connect(database.url, { max: 1 });
    await client.db.execute(sql`create table t (n int)`);
  });

  afterAll(async () => {
    await client?.close();
    await database?.drop();
  });

  it('keeps working after the server kills its connections, with a pool of one', async () => {
    for (let round = 0; round < 5; round++) {
      const [{ pid }] = (await rowsOf(client.db, sql`select pg_backend_pid() as pid`)) as [{ pid: number }];
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      await admin.query('select pg_terminate_backend($1, 5000)', [pid]);
      await admin.end();
      // BEGIN may meet the dead connection; either way the next transactions must get a live one.
      await transaction(client.db, (tx) => tx.execute(sql`insert into t values (${round})`)).catch(() => {});
      await transaction(client.db, (tx) => tx.execute(sql`insert into t values (${round})`));
    }
    expect(client.pool.totalCount).toBeLessThanOrEqual(1);
    const [{ n }] = (await rowsOf(client.db, sql`select count(*)::int as n from t`)) as [{ n: number }];
    expect(n).toBeGreaterThanOrEqual(5);
  }, 30_000);

  it('releases the connection when BEGIN meets a connection that just died', async () => {
    // A proxy that, once armed, cuts a connection the moment the client next writes (here: BEGIN).
    const target = new URL(database.url);
    let armed = false;
    const server = createServer((downstream: Socket) => {
      const upstream = connectTcp(Number(target.port || 5432), target.hostname);
      for (const socket of [downstream, upstream]) {
        socket.on('error', () => {});
        socket.on('close', () => (downstream.destroy(), upstream.destroy()));
      }
      downstream.on('data', (chunk) => {
        if (armed) {
          armed = false;
          downstream.destroy();
          return;
        }
        upstream.write(chunk);
      });
      upstream.pipe(downstream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = new URL(database.url);
    url.port = String((server.address() as { port: number }).port);
    const proxied = connect(url.toString(), { max: 1 });
    try {
      await proxied.db.execute(sql`select 1`); // one idle, healthy connection in the pool
      armed = true;
      await expect(transaction(proxied.db, (tx) => tx.execute(sql`select 1`))).rejects.toThrow();
      // The pool of one is usable again: the dead connection was given back and dropped, not kept.
      await transaction(proxied.db, (tx) => tx.execute(sql`insert into t values (100)`));
      expect(await rowsOf(proxied.db, sql`select n from t where n = 100`)).toEqual([{ n: 100 }]);
    } finally {
      await proxied.close();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 30_000);

  it('rolls back everything when the function throws', async () => {
    await expect(
      transaction(client.db, async (tx) => {
        await tx.execute(sql`insert into t values (-1)`);
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await rowsOf(client.db, sql`select n from t where n = -1`)).toEqual([]);
  });
});

describe('rowsOfPrepared', () => {
  it('runs a statement as a named prepared statement on node-postgres, once prepared per connection', async () => {
    const database = await createTestDatabase();
    const client = connect(database.url, { max: 1 });
    try {
      const query = (n: number) => sql`select ${n}::int * 2 as doubled`;
      expect(await rowsOfPrepared(client.db, 'double', query(2))).toEqual([{ doubled: 4 }]);
      expect(await rowsOfPrepared(client.db, 'double', query(21))).toEqual([{ doubled: 42 }]);
      const prepared = await rowsOf(
        client.db,
        sql`select name, statement from pg_prepared_statements where name like 'double\_%'`,
      );
      expect(prepared).toEqual([
        { name: expect.stringMatching(/^double_[0-9a-f]{12}$/), statement: 'select $1::int * 2 as doubled' },
      ]);
    } finally {
      await client.close();
      await database.drop();
    }
  });

  it('runs the same statement on PGlite', async () => {
    const client = await openEmbedded(undefined);
    try {
      expect(await rowsOfPrepared(client.db, 'double', sql`select ${5}::int * 2 as doubled`)).toEqual([
        { doubled: 10 },
      ]);
    } finally {
      await client.close();
    }
  });
});
