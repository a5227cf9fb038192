// The one database client module: Drizzle over node-postgres (a real server, DATABASE_URL) or over PGlite (the
// embedded mode: Postgres compiled to WASM, in-process, its files under DATA_DIR). Both run the same schema,
// the same migrations and the same repositories. Composition roots pass the URL or directory (they alone read
// the environment).

import { createHash } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgDialect, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema/index.ts';

/** Drizzle over either driver. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseClient {
  db: Database;
  kind: 'postgres' | 'pglite';
  /** Applies every committed migration not yet applied. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** The committed migrations (db/migrations), as drizzle-kit migrate applies them. */
export const MIGRATIONS_FOLDER = new URL('./migrations', import.meta.url).pathname;

export function connect(url: string, options: { max?: number } = {}): DatabaseClient & { pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    // A server that vanished without a word (a partition) is noticed instead of waited on forever.
    connectionTimeoutMillis: 5000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // A client losing its server (a restart, a network cut), idle or checked out, must not crash the process: its
  // pending query fails and the caller retries.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzle({ client: pool, schema });
  return {
    db: db as unknown as Database,
    kind: 'postgres',
    pool,
    migrate: () => migrate(db, { migrationsFolder: MIGRATIONS_FOLDER }),
    close: () => pool.end(),
  };
}

/** PGlite with its data under `dataDir` (created if missing); `undefined` keeps it in memory. */
export async function openEmbedded(
  dataDir: string | undefined,
): Promise<DatabaseClient & { pglite: PGlite }> {
  const pglite = await PGlite.create(dataDir === undefined ? {} : { dataDir });
  const db = drizzlePglite({ client: pglite, schema });
  return {
    db: db as unknown as Database,
    kind: 'pglite',
    pglite,
    migrate: () => migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER }),
    close: () => pglite.close(),
  };
}

/**
 * Runs `fn` in one transaction. On node-postgres this replaces Drizzle's own, which leaks the pooled connection
 * when BEGIN fails (the server went away between checkout and BEGIN): with a small pool, a few such outages
 * and every later transaction waits forever. Here the connection is always released, and destroyed after any
 * failure rather than reused.
 */
export async function transaction<T>(db: Database, fn: (tx: Database) => Promise<T>): Promise<T> {
  const client = (db as unknown as { $client?: unknown }).$client;
  if (!(client instanceof pg.Pool)) return db.transaction((tx) => fn(tx as unknown as Database));
  const connection = await client.connect();
  let failure: Error | undefined;
  try {
    await connection.query('begin');
    try {
      const result = await fn(drizzle({ client: connection, schema }) as unknown as Database);
      await connection.query('commit');
      return result;
    } catch (error) {
      await connection.query('rollback').catch(() => {});
      throw error;
    }
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    connection.release(failure);
  }
}

/**
 * Runs a statement as a named prepared statement on node-postgres (one per distinct text, prepared on each
 * pooled connection the first time it runs there): the server parses and plans it once, not per call. On PGlite
 * (in-process: nothing to save on the wire) a plain execute. Meant for the few hot statements; returns rows.
 * The statement's name is `label` and a hash of its text (`commit_batch_1f2e3d4c5b6a`): what Postgres logs and
 * the pg instrumentation's span names show.
 */
export async function rowsOfPrepared(
  db: Database,
  label: string,
  query: SQL,
): Promise<Record<string, unknown>[]> {
  const client = (db as unknown as { $client?: unknown }).$client;
  if (!(client instanceof pg.Pool)) return rowsOf(db, query);
  const { sql: text, params } = (db as unknown as { dialect: PgDialect }).dialect.sqlToQuery(query);
  let name = preparedNames.get(text);
  if (name === undefined) {
    name = `${label}_${createHash('sha1').update(text).digest('hex').slice(0, 12)}`;
    preparedNames.set(text, name);
  }
  return (await client.query({ name, text, values: params })).rows as Record<string, unknown>[];
}

const preparedNames = new Map<string, string>();

/** Runs a statement and returns its rows, whichever driver (their result types differ, `rows` does not). */
export async function rowsOf(db: Pick<Database, 'execute'>, query: SQL): Promise<Record<string, unknown>[]> {
  const result = (await db.execute(query)) as unknown as { rows: Record<string, unknown>[] };
  return result.rows;
}
