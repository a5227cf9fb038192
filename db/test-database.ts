// For tests: a database of its own per test file on the real Postgres (TEST_POSTGRES_URL overrides the server),
// created here and dropped with `drop()`, so runs never collide.

import { randomBytes } from 'node:crypto';
import pg from 'pg';

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
