// For tests: the admin API as a client (markets, accounts, deposits, keys), over HTTP or in memory, and the whole
// embedded stack (matcher on PGlite, in-process bus) behind the real edge app, in memory or served over HTTP.

import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import { type Embedded, startEmbedded } from '../matcher/embedded.ts';
import { silentLogger } from '../observability/logger.ts';
import type { EdgeEnv } from './context.ts';
import { MemoryLimiter } from './middleware/rate-limit/index.ts';
import { DEFAULT_RATE_LIMITS, type RateLimits } from './rate-limits.ts';
import { subscribeKeyChanges } from './key-store.ts';
import { createSecretBox } from './secret-box.ts';
import { clientIpOf, close, listen } from './serve.ts';
import type { Credentials, Requester } from './test-signing.ts';
import { buildEdgeApp } from './wiring.ts';

/** A market as POST /admin/v1/markets takes it. */
export interface MarketBody {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  tickSize: string;
  stepSize: string;
  makerFee: string;
  takerFee: string;
  minNotional?: string;
}

/** BTCUSDT: tick 0.01, lot 0.0001, fees 0.1 % (maker) and 0.2 % (taker). */
export const BTCUSDT: MarketBody = {
  symbol: 'BTCUSDT',
  baseAsset: 'BTC',
  quoteAsset: 'USDT',
  tickSize: '0.01',
  stepSize: '0.0001',
  makerFee: '0.001',
  takerFee: '0.002',
};

/** The admin API through `request`; every call must succeed (it throws with the answer otherwise). */
export function adminClient(request: Requester, token: string) {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await request(`/admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`admin ${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
  return {
    /** Any admin call (`path` below /admin/v1, with its leading slash). */
    call,
    createMarket: (market: MarketBody) => call<{ symbol: string }>('POST', '/markets', market),
    createAccount: async () => (await call<{ accountId: number }>('POST', '/accounts')).accountId,
    deposit: (accountId: number, asset: string, amount: string) =>
      call('POST', `/accounts/${accountId}/deposits`, { asset, amount }),
    createKey: (accountId: number, permissions?: string[]) =>
      call<Credentials>('POST', `/accounts/${accountId}/api-keys`, {
        type: 'HMAC_SHA256',
        ...(permissions === undefined ? {} : { permissions }),
      }),
    revokeKey: (apiKey: string) => call<{ revoked: boolean }>('DELETE', `/api-keys/${apiKey}`),
  };
}

export type AdminClient = ReturnType<typeof adminClient>;

/** A funded account and its HMAC key. */
export async function fundedAccount(
  admin: AdminClient,
  deposits: Record<string, string>,
): Promise<{ accountId: number; credentials: Credentials }> {
  const accountId = await admin.createAccount();
  for (const [asset, amount] of Object.entries(deposits)) await admin.deposit(accountId, asset, amount);
  return { accountId, credentials: await admin.createKey(accountId) };
}

export interface EmbeddedEdge {
  embedded: Embedded;
  app: Hono<EdgeEnv>;
  /** The app in memory (the client address is 127.0.0.1). */
  request: Requester;
  admin: AdminClient;
  /** Serves the app over HTTP on a free port of 127.0.0.1. */
  serve(): Promise<{ baseURL: string; close(): Promise<void> }>;
  close(): Promise<void>;
}

/** The embedded stack (in memory) behind the real edge app, with an in-process limiter. */
export async function startEmbeddedEdge(
  rateLimits: RateLimits = { ...DEFAULT_RATE_LIMITS },
): Promise<EmbeddedEdge> {
  // A generous reply timeout: a loaded test machine must not turn a slow commit into a 503.
  const embedded = await startEmbedded({
    dataDir: undefined,
    log: silentLogger(),
    client: { timeoutMs: 30_000 },
  });
  const token = randomBytes(18).toString('base64url');
  const socketIp = clientIpOf(false);
  const keyChanges = await subscribeKeyChanges(embedded.bus);
  const app = buildEdgeApp({
    keyChanges,
    db: embedded.db.db,
    matcher: embedded.client,
    limiter: new MemoryLimiter({ limits: rateLimits }),
    secretBox: createSecretBox(randomBytes(32)),
    rateLimits,
    adminToken: token,
    // In memory there is no socket: the loopback address, as the served app sees it.
    clientIp: (c) => (c.env === undefined ? '127.0.0.1' : socketIp(c)),
    probes: {},
  });
  const request: Requester = (path, init) => app.request(path, init);
  const servers: (() => Promise<void>)[] = [];
  return {
    embedded,
    app,
    request,
    admin: adminClient(request, token),
    serve: async () => {
      const { server, port } = await listen(app, 0, '127.0.0.1');
      const stop = () => close(server);
      servers.push(stop);
      return { baseURL: `http://127.0.0.1:${port}`, close: stop };
    },
    close: async () => {
      for (const stop of servers) await stop();
      await keyChanges.close();
      await embedded.close();
    },
  };
}
