// In-memory harness for the trading routes: a fake matcher that is the core itself (stamping time as the matcher
// does), a stub for the signed-request middleware (account from a header, params from the query string).

import type { MiddlewareHandler } from 'hono';
import type { Outcome } from '../../matcher/client.ts';
import { setupCommands } from '../../matcher/command-mix.ts';
import { apply, type Command, createState, type Trade } from '../../matcher/core/index.ts';
import { createApp } from '../app.ts';
import type { EdgeEnv } from '../context.ts';
import { StaticMarkets } from '../markets.ts';
import { MemoryLimiter } from '../middleware/rate-limit/index.ts';
import { DEFAULT_RATE_LIMITS } from '../rate-limits.ts';

export function harness() {
  const state = createState();
  let time = 1_700_000_000_000;
  for (const c of setupCommands(3)) apply(state, c);
  const sent: Command[] = [];
  const send = (command: Command): Promise<Outcome> => {
    sent.push(command);
    time += 1;
    const { result, events } = apply(state, { ...command, timestamp: time } as Command);
    const trades = events.filter((e): e is Trade => e.type === 'trade');
    return Promise.resolve({
      status: 'done',
      reply: { id: 'x', streamId: `${time}-0`, seq: state.seq - 1, time, result, trades },
    });
  };
  const markets = new StaticMarkets(
    state.marketList.map((m) => ({ definition: m.definition, status: m.status, lastPrice: m.lastPrice })),
  );
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
  const app = createApp({
    markets,
    send,
    trade,
    userData: trade,
    reads,
    now: () => time,
    newClientOrderId: () => `gen${++n}`,
    rateLimits: () => [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 }],
    readiness: () => Promise.resolve({ matcher: true }),
    limiter: new MemoryLimiter({ limits: DEFAULT_RATE_LIMITS }),
    clientIp: () => '127.0.0.1',
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
  return { app, call, last, sent, state };
}
