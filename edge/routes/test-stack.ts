// For tests: the edge app over the real stack in-process: a matcher on the real Postgres (a database of the
// test's own) and the real Redis (a key prefix of its own), the wired app (signed requests; a MemoryLimiter
// whose clock stands still, so that weights add up across a test without a window rolling over), the markets
// and deposits of `setupCommands(accounts)` and an HMAC key per account.

import type { DatabaseClient } from '../../db/client.ts';
import { openTestDatabase } from '../../db/test-database.ts';
import { RedisBus } from '../../matcher/bus/redis-bus.ts';
import { deleteKeys, REDIS_URL, runPrefix } from '../../matcher/bus/test-kit.ts';
import { MatcherClient } from '../../matcher/client.ts';
import { setupCommands } from '../../matcher/command-mix.ts';
import { Matcher } from '../../matcher/loop.ts';
import { silentLogger } from '../../observability/logger.ts';
import { MemoryLimiter } from '../middleware/rate-limit/index.ts';
import { DEFAULT_RATE_LIMITS } from '../rate-limits.ts';
import { createSecretBox } from '../secret-box.ts';
import { type Credentials, signedCall, signedQuery } from '../test-signing.ts';
import { adminClient } from '../test-servers.ts';
import { buildEdgeApp } from '../wiring.ts';

const ADMIN = 'admin-token-for-tests';

export interface Stack {
  app: ReturnType<typeof buildEdgeApp>;
  database: DatabaseClient;
  /** The serving matcher (replaced by restartMatcher). */
  matcher(): Matcher;
  /** Stops the matcher and starts another, which recovers from Postgres. */
  restartMatcher(): Promise<Matcher>;
  /** A signed request (parameters in the query string, or all of them in a form body) as `account`. */
  call(
    method: string,
    account: number,
    path: string,
    params?: Record<string, string>,
    options?: { inBody?: boolean },
  ): Promise<{ status: number; body: unknown; headers: Headers }>;
  /** The admin API; throws unless it answers 2xx. */
  admin(method: string, path: string, body?: unknown): Promise<unknown>;
  close(): Promise<void>;
}

export async function startStack(accounts = 3): Promise<Stack> {
  const prefix = runPrefix();
  const database = await openTestDatabase('postgres');
  const bus = await RedisBus.connect({ url: REDIS_URL, prefix });
  const start = async () => {
    const m = new Matcher({ bus, db: database.db, log: silentLogger(), leaseTtlMs: 1000 });
    m.start();
    await m.ready();
    return m;
  };
  let matcher = await start();
  const client = await MatcherClient.create({ bus });
  const limiter = new MemoryLimiter({ limits: DEFAULT_RATE_LIMITS });
  const app = buildEdgeApp({
    db: database.db,
    matcher: client,
    limiter: { hit: (request) => limiter.hit({ ...request, now: 1_700_000_000_000 }) },
    secretBox: createSecretBox(new Uint8Array(32).fill(7)),
    rateLimits: DEFAULT_RATE_LIMITS,
    adminToken: ADMIN,
    clientIp: () => '127.0.0.1',
    probes: {},
  });
  const request = (path: string, init: RequestInit) => app.request(path, init);
  const adminCalls = adminClient(request, ADMIN);
  const admin = (method: string, path: string, body?: unknown) => adminCalls.call(method, `/${path}`, body);
  for (const command of setupCommands(accounts)) await client.send(command);
  const keys = new Map<number, Credentials>();
  for (let i = 1; i <= accounts; i++) {
    const { accountId } = (await admin('POST', 'accounts')) as { accountId: number };
    keys.set(
      accountId,
      (await admin('POST', `accounts/${accountId}/api-keys`, { type: 'HMAC_SHA256' })) as Credentials,
    );
  }
  return {
    app,
    database,
    matcher: () => matcher,
    restartMatcher: async () => {
      await matcher.stop();
      matcher = await start();
      return matcher;
    },
    call: async (method, account, path, params = {}, options = {}) => {
      const credentials = keys.get(account)!;
      if (options.inBody !== true) return signedCall(request, credentials, method, `/api/v3/${path}`, params);
      const res = await app.request(`/api/v3/${path}`, {
        method,
        headers: {
          'X-MBX-APIKEY': credentials.apiKey,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: signedQuery(credentials, params),
      });
      return { status: res.status, body: await res.json(), headers: res.headers };
    },
    admin,
    close: async () => {
      await client.close();
      await matcher.stop();
      await bus.close();
      await database.close();
      await deleteKeys(prefix);
    },
  };
}
