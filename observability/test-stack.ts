// For the observability tests: one matcher (`matcher/main.ts`) and one edge (`edge/main.ts`) as real processes on
// the real Redis and Postgres, with a database and key prefix of their own; the matcher serves /metrics on a port
// of its choosing. Started when the edge answers /readyz with 200.

import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { createMigratedDatabase, type TestDatabase } from '../db/test-database.ts';
import { Processes } from '../edge/test-processes.ts';
import { adminClient, type AdminClient } from '../edge/test-servers.ts';
import type { Requester } from '../edge/test-signing.ts';
import { deleteKeys, eventually, REDIS_URL, runPrefix } from '../matcher/bus/test-kit.ts';

export interface Stack {
  database: TestDatabase;
  edge: Requester;
  admin: AdminClient;
  /** The Prometheus text of the edge's /metrics and of the matcher's metrics server. */
  edgeMetrics(): Promise<string>;
  matcherMetrics(): Promise<string>;
  /** Stops both processes, deletes the keys and drops the database. */
  stop(): Promise<void>;
}

/** `env` goes to both processes, `edgeEnv` to the edge alone. */
export async function startStack(
  env: NodeJS.ProcessEnv = {},
  edgeEnv: NodeJS.ProcessEnv = {},
): Promise<Stack> {
  const database = await createMigratedDatabase();
  const prefix = runPrefix();
  const processes = new Processes();
  const stop = async () => {
    await processes.stopAll();
    await deleteKeys(prefix);
    await database.drop();
  };
  try {
    const common = {
      ...process.env,
      REDIS_URL,
      DATABASE_URL: database.url,
      REDIS_PREFIX: prefix,
      LOG_LEVEL: 'info', // for the lines that report the ports
      ...env,
    };
    const adminToken = randomBytes(18).toString('base64url');
    const [matcherPort, edgePort] = await Promise.all([
      processes.startMatcher(common),
      processes.startEdge({
        ...common,
        ADMIN_TOKEN: adminToken,
        API_SECRET_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        ...edgeEnv,
      }),
    ]);
    const edge: Requester = (path, init) => fetch(`http://127.0.0.1:${edgePort}${path}`, init);
    await eventually(async () => expect((await edge('/readyz', {})).status).toBe(200), 30_000);
    return {
      database,
      edge,
      admin: adminClient(edge, adminToken),
      edgeMetrics: async () => (await edge('/metrics', {})).text(),
      matcherMetrics: async () => (await fetch(`http://127.0.0.1:${matcherPort}/metrics`)).text(),
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
