// The one database client: a node-postgres pool wrapped by Drizzle with the schema. Composition roots pass the
// URL (they alone read the environment).

import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema/index.ts';

export type Database = NodePgDatabase<typeof schema>;

export interface DatabaseClient {
  db: Database;
  pool: pg.Pool;
  close(): Promise<void>;
}

export function connect(url: string, options: { max?: number } = {}): DatabaseClient {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  const db = drizzle(pool, { schema });
  return { db, pool, close: () => pool.end() };
}

/** The committed migrations (db/migrations), as drizzle-kit migrate applies them. */
export const MIGRATIONS_FOLDER = new URL('./migrations', import.meta.url).pathname;

/** Applies every committed migration not yet applied (the embedded mode runs this at start-up). */
export async function migrateToLatest(db: Database): Promise<void> {
  await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
}
