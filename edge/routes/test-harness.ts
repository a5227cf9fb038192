// In-memory harness for the routes: a fake matcher that is the core itself (stamping time as the matcher does), a
// stub for the signed-request middleware (account from a header, params from the query string), and market data
// read from the core's book and the trades it made (as the matcher would publish and commit them).

import type { MiddlewareHandler } from 'hono';
import type { Outcome } from '../../matcher/client.ts';
import { setupCommands } from '../../matcher/command-mix.ts';
import { apply, type Command, createState, type Trade } from '../../matcher/core/index.ts';
import { createApp } from '../app.ts';
import type { EdgeEnv } from '../context.ts';
import type { NewKeyRequest } from '../key-store.ts';
import type { MarketCatalog } from '../markets.ts';
import { MemoryLimiter } from '../middleware/rate-limit/index.ts';
import { DEFAULT_RATE_LIMITS } from '../rate-limits.ts';
import { candleReadsOf, marketDataOf, tradeReadsOf } from './test-market-fakes.ts';

export const ADMIN_TOKEN = 'test-admin-token';

export function harness() {
  // Accounts 1-3 exist (the setup deposits to them).
  const accounts = new Set([1, 2, 3]);
  const keys: NewKeyRequest[] = [];
  const state = createState();
  let time = 1_700_000_000_000;
  for (const c of setupCommands(3)) apply(state, c);
  const sent: Command[] = [];
  const made: Trade[] = [];
  const send = (command: Command): Promise<Outcome> => {
    sent.push(command);
    time += 1;
    const { result, events } = apply(state, { ...command, timestamp: time } as Command);
    const trades = events.filter((e): e is Trade => e.type === 'trade');
    made.push(...trades);
    return Promise.resolve({
      status: 'done',
      reply: { id: 'x', streamId: `${time}-0`, seq: state.seq - 1, time, result, trades },
    });
  };
  // The catalog as the database would have it: the core's markets, read live.
  const info = (m: (typeof state.marketList)[number]) => ({
    definition: m.definition,
    status: m.status,
    lastPrice: m.lastPrice,
  });
  const markets: MarketCatalog = {
    get: (symbol) => {
      const m = state.markets.get(symbol);
      return Promise.resolve(m === undefined ? undefined : info(m));
    },
    all: () => Promise.resolve(state.marketList.map(info)),
  };
  // Stands in for the signed-request middleware: account from a header, params from the query string.
  const trade: MiddlewareHandler<EdgeEnv> = async (c, next) => {
    c.set('principal', { accountId: Number(c.req.header('x-account')), apiKey: 'k', permissions: ['TRADE'] });
    c.set('params', new Map(new URL(c.req.url).searchParams));
    await next();
  };
  let n = 0;
  const unused = () => Promise.reject(new Error('no reads in these tests'));
  const reads = {
    findOrder: unused,
    openOrders: unused,
    allOrders: unused,
    accountTrades: unused,
    accountBalances: unused,
  };
  // The fee tiers as the database would hold them: the core's, read live.
  const fees = {
    accountFeeTiers: (accountId: number, symbol?: string) => {
      const account = state.accounts.get(accountId);
      const market = symbol === undefined ? undefined : state.markets.get(symbol);
      const own = market === undefined ? undefined : account?.marketFeeTiers?.[market.index];
      const wide = account?.feeTier ?? undefined;
      return Promise.resolve([
        ...(own === undefined ? [] : [{ symbol, ...own }]),
        ...(wide === undefined ? [] : [{ ...wide }]),
      ]);
    },
  };
  const booked = (symbol: string) => sent.some((c) => c.type === 'placeOrder' && c.symbol === symbol);
  const marketData = marketDataOf(state, booked);
  const app = createApp({
    markets,
    send,
    marketData,
    bookTop: (symbol) => marketData.bookTop(symbol),
    trades: tradeReadsOf(state, made),
    candles: candleReadsOf(made),
    trade,
    userData: trade,
    reads,
    fees,
    now: () => time,
    newClientOrderId: () => `gen${++n}`,
    rateLimits: () => [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 }],
    readiness: () => Promise.resolve({ matcher: true }),
    limiter: new MemoryLimiter({ limits: DEFAULT_RATE_LIMITS }),
    clientIp: () => '127.0.0.1',
    adminToken: ADMIN_TOKEN,
    createAccount: () => Promise.resolve(accounts.add(accounts.size + 1).size),
    accountExists: (id) => Promise.resolve(accounts.has(id)),
    createKey: (request) =>
      Promise.resolve(
        accounts.has(request.accountId)
          ? { ok: true as const, apiKey: `key${keys.push(request)}`, secretKey: 'secret' }
          : { ok: false as const, reason: 'UNKNOWN_ACCOUNT' as const, detail: 'no such account' },
      ),
    listKeys: (id) => Promise.resolve(keys.filter((k) => k.accountId === id)),
    revokeKey: (apiKey) => Promise.resolve(apiKey === 'key1'),
    balances: (id) =>
      Promise.resolve(
        (state.accounts.get(id)?.balances ?? []).flatMap((b) =>
          b === undefined ? [] : [{ asset: b.asset.name, free: b.free, locked: b.locked }],
        ),
      ),
  });
  /** The headers of the last response. */
  const last = { headers: new Headers() };
  const call = async (method: string, account: number, query: string, path = 'order') => {
    const res = await app.request(`/api/v3/${path}?${query}`, {
      method,
      headers: { 'x-account': String(account) },
    });
    last.headers = res.headers;
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const admin = async (method: string, path: string, body?: unknown, token = ADMIN_TOKEN) => {
    const res = await app.request(`/admin/v1/${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  /** Sets the harness's clock (ms), which stamps the next commands and is the app's now. */
  const setTime = (ms: number) => (time = ms);
  return { admin, app, call, last, sent, setTime, state };
}
