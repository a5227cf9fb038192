// For tests: a database of its own per test file on the real Postgres (TEST_POSTGRES_URL overrides the server),
// created here and dropped with `drop()`, so runs never collide; or one migrated on either driver.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connect, type DatabaseClient, openEmbedded } from './client.ts';

export const TEST_SERVER = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${TEST_SERVER}/postgres` });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `spot_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  return {
    name,
    url: `${TEST_SERVER}/${name}`,
    drop: () => adminQuery(`drop database if exists ${name} with (force)`),
  };
}

/** The two drivers every repository runs on; suites over both use `describe.each(DRIVERS)`. */
export const DRIVERS = ['postgres', 'pglite'] as const;
export type Driver = (typeof DRIVERS)[number];

/**
 * A migrated database of this test's own on either driver: a fresh database on the real Postgres, or PGlite in
 * memory. `close()` closes the client and, on Postgres, drops the database.
 */
export async function openTestDatabase(driver: Driver): Promise<DatabaseClient> {
  if (driver === 'pglite') {
    const client = await openEmbedded(undefined);
    await client.migrate();
    return client;
  }
  const database = await createTestDatabase();
  const client = connect(database.url);
  await client.migrate();
  return {
    ...client,
    close: async () => {
      await client.close();
      await database.drop();
    },
  };
}

/** A database of its own on the real Postgres with every migration applied (for services run as processes). */
export async function createMigratedDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  const client = connect(database.url, { max: 1 });
  try {
    await client.migrate();
  } finally {
    await client.close();
  }
  return database;
}
