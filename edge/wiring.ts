// Builds the edge's ports from the real pieces (a database, a matcher client, a limiter, the secret box): what
// `npm run edge`, `npm start` and the real-stack tests share. No environment reading here; the composition roots
// pass everything in.

import { randomFillSync } from 'node:crypto';
import type { Context } from 'hono';
import type { Database } from '../db/client.ts';
import * as reads from '../db/repositories/account-reads.ts';
import * as candles from '../db/repositories/candles.ts';
import * as market from '../db/repositories/market-reads.ts';
import {
  accountExists,
  createAccount,
  findApiKey,
  listApiKeys,
  revokeApiKey,
} from '../db/repositories/api-keys.ts';
import type { MatcherClient } from '../matcher/client.ts';
import { type BookTop, bookKey, type DepthSnapshot, depthKey } from '../matcher/market-data.ts';
import { type AppDeps, createApp } from './app.ts';
import { framedByParser } from './serve.ts';
import { type Clock, systemClock } from './clock.ts';
import type { EdgeEnv } from './context.ts';
import { DatabaseMarkets } from './database-markets.ts';
import { CachedKeyStore, createKey, type KeyChanges } from './key-store.ts';
import type { Limiter } from './middleware/rate-limit/index.ts';
import { signed } from './middleware/signed/index.ts';
import { exchangeInfoRateLimits, type RateLimits } from './rate-limits.ts';
import type { SecretBox } from './secret-box.ts';
import { observeRequests, tracedMiddleware } from '../observability/http.ts';
import { telemetry } from '../observability/sdk.ts';
import { inSpan, SpanName } from '../observability/tracing.ts';

export interface EdgeParts {
  db: Database;
  matcher: MatcherClient;
  limiter: Limiter;
  secretBox: SecretBox;
  rateLimits: RateLimits;
  adminToken: string;
  clientIp(c: Context<EdgeEnv>): string;
  /** Key creations and revocations announced across edges; without it, cached keys live 2 s. */
  keyChanges?: KeyChanges;
  /** Readiness of what the edge depends on beyond the matcher (Postgres, Redis). */
  probes: Record<string, () => Promise<unknown>>;
  clock?: Clock;
}

const CLIENT_ORDER_ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random bytes drawn in bulk: one system call per ~200 ids rather than one per id. */
const entropy = Buffer.alloc(4096);
let entropyAt = entropy.length;
/** The largest byte value below which `b % 62` is uniform (248 = 4 × 62). */
const UNBIASED = 256 - (256 % CLIENT_ORDER_ID_CHARS.length);

/** A clientOrderId like Binance's own (22 random alphanumerics), for orders that name none. */
export function newClientOrderId(): string {
  let id = '';
  while (id.length < 22) {
    if (entropyAt === entropy.length) {
      randomFillSync(entropy);
      entropyAt = 0;
    }
    const b = entropy[entropyAt++]!;
    if (b < UNBIASED) id += CLIENT_ORDER_ID_CHARS[b % CLIENT_ORDER_ID_CHARS.length];
  }
  return id;
}

export function edgeDeps(parts: EdgeParts): AppDeps {
  const { db, matcher, secretBox } = parts;
  const clock = parts.clock ?? systemClock;
  const { keyChanges } = parts;
  const keys = new CachedKeyStore({
    load: (apiKey) => findApiKey(db, apiKey),
    secretBox,
    clock,
    ...(keyChanges === undefined ? {} : { ttlMs: 30_000 }),
  });
  keyChanges?.onChange((apiKey) => keys.forget(apiKey));
  // The snapshots the matcher writes after its commits: plain JSON (ticks, lots and ids are numbers).
  const depth = async (symbol: string) => snapshot<DepthSnapshot>(await matcher.get(depthKey(symbol)));
  const bookTop = async (symbol: string) => snapshot<BookTop>(await matcher.get(bookKey(symbol)));
  return {
    markets: new DatabaseMarkets(db),
    send: (command, options) => matcher.send(command, options),
    newClientOrderId,
    now: () => clock.now(),
    trade: tracedMiddleware(SpanName.auth, signed({ keys, clock, permission: 'TRADE' })),
    userData: tracedMiddleware(SpanName.auth, signed({ keys, clock, permission: 'USER_DATA' })),
    limiter: { hit: (request) => inSpan(SpanName.throttle, () => parts.limiter.hit(request)) },
    observe: observeRequests((c) => c.get('clientIp')),
    metrics: async () => (await telemetry()?.metricsText()) ?? '',
    clientIp: parts.clientIp,
    framedByParser,
    rateLimits: () => exchangeInfoRateLimits(parts.rateLimits),
    readiness: async () => {
      const checks: Record<string, boolean> = {};
      await Promise.all(
        Object.entries(parts.probes).map(async ([name, probe]) => {
          checks[name] = await probe().then(
            () => true,
            () => false,
          );
        }),
      );
      checks.matcher = await matcher.matcherReady().catch(() => false);
      return checks;
    },
    reads: {
      findOrder: (q) => reads.findOrder(db, q),
      openOrders: (accountId, symbol) => reads.openOrders(db, accountId, symbol),
      allOrders: (q) => reads.allOrders(db, q),
      accountTrades: (q) => reads.accountTrades(db, q),
      accountBalances: (accountId) => reads.accountBalances(db, accountId),
    },
    fees: { accountFeeTiers: (accountId, symbol) => reads.accountFeeTiers(db, accountId, symbol) },
    marketData: { depth, bookTop },
    bookTop,
    trades: {
      recent: (symbol, limit) => market.recentTrades(db, symbol, limit),
      historical: (q) => market.historicalTrades(db, q),
      aggregates: (q) => market.aggregateTrades(db, q),
      window: (symbol, since) => market.tradeWindow(db, symbol, since),
      lastPrices: (symbols) => market.lastPrices(db, symbols),
    },
    candles: {
      candles: (symbol, boundaries) => candles.candles(db, symbol, boundaries),
      firstTradeTime: (symbol) => candles.firstTradeTime(db, symbol),
      lastPricesBefore: (symbols, time) => candles.lastPricesBefore(db, symbols, time),
      windowStats: (symbols, from, to) => candles.windowStats(db, symbols, from, to),
    },
    adminToken: parts.adminToken,
    createAccount: () => createAccount(db),
    accountExists: (accountId) => accountExists(db, accountId),
    createKey: async (request) => {
      const result = await createKey({ db, secretBox }, request);
      // An edge that was asked for this key before it existed remembers it as unknown for a while.
      if (result.ok) await keyChanges?.announce(result.apiKey);
      return result;
    },
    listKeys: (accountId) => listApiKeys(db, accountId),
    revokeKey: async (apiKey) => {
      const revoked = await revokeApiKey(db, apiKey);
      if (revoked) await keyChanges?.announce(apiKey);
      return revoked;
    },
    balances: (accountId) => reads.accountBalances(db, accountId),
  };
}

const snapshot = <T>(text: string | null): T | undefined =>
  text === null ? undefined : (JSON.parse(text) as T);

export const buildEdgeApp = (parts: EdgeParts) => createApp(edgeDeps(parts));
