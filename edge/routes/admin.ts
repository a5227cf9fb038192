// The admin API under /admin/v1 (Authorization: Bearer ADMIN_TOKEN): markets, accounts, API keys, deposits,
// withdrawals and fee overrides. What the matcher owns (markets, balances, fees) goes through the command stream
// like any order, and each call returns after the matcher has committed it. Bodies are JSON, amounts decimal
// strings, validated with zod; errors keep Binance's shape {code, msg}.

import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { Command, Fraction, MarketSpec } from '../../matcher/core/index.ts';
import type { EdgeEnv } from '../context.ts';
import { isRejection } from '../errors.ts';
import { BinanceHttpError } from '../http-error.ts';
import type { NewKeyRequest, NewKeyResult } from '../key-store.ts';
import type { MarketCatalog } from '../markets.ts';
import { formatUnits, parseSteps, parseUnits } from '../money.ts';
import { settled } from '../params.ts';
import type { SendCommand } from '../../matcher/client.ts';

export interface AdminRoutesDeps {
  adminToken: string;
  markets: MarketCatalog;
  send: SendCommand;
  createAccount(): Promise<number>;
  accountExists(accountId: number): Promise<boolean>;
  createKey(request: NewKeyRequest): Promise<NewKeyResult>;
  listKeys(accountId: number): Promise<unknown[]>;
  revokeKey(apiKey: string): Promise<boolean>;
  balances(accountId: number): Promise<{ asset: string; free: bigint; locked: bigint }[]>;
}

const decimal = z.string().regex(/^\d{1,20}(\.\d{1,20})?$/, 'a decimal string such as "0.01"');
const symbol = z.string().regex(/^[A-Z0-9_.-]{1,20}$/);
const asset = z.string().regex(/^[A-Z0-9]{1,20}$/);

const MarketBody = z.strictObject({
  symbol,
  baseAsset: asset,
  quoteAsset: asset,
  tickSize: decimal,
  stepSize: decimal,
  minNotional: decimal.optional(),
  maxNotional: decimal.optional(),
  minQty: decimal.optional(),
  maxQty: decimal.optional(),
  minPrice: decimal.optional(),
  maxPrice: decimal.optional(),
  maxNumOrders: z.number().int().positive().optional(),
  maxNumAlgoOrders: z.number().int().positive().optional(),
  // TRAILING_DELTA, in BIPS; the core checks 1 <= min <= max < 10000.
  minTrailingAboveDelta: z.number().int().positive().optional(),
  maxTrailingAboveDelta: z.number().int().positive().optional(),
  minTrailingBelowDelta: z.number().int().positive().optional(),
  maxTrailingBelowDelta: z.number().int().positive().optional(),
  makerFee: decimal,
  takerFee: decimal,
  status: z.enum(['TRADING', 'HALT']).optional(),
});
const StatusBody = z.strictObject({ status: z.enum(['TRADING', 'HALT']) });
const TransferBody = z.strictObject({ asset, amount: decimal });
const FeesBody = z.strictObject({
  symbol: symbol.optional(),
  makerFee: decimal.nullable(),
  takerFee: decimal.nullable(),
});
const KeyBody = z.strictObject({
  type: z.enum(['HMAC_SHA256', 'ED25519']),
  publicKey: z.string().max(4096).optional(),
  permissions: z.array(z.string()).max(8).optional(),
  ipAllowList: z.array(z.string()).max(100).optional(),
});

const invalid = (msg: string) => new BinanceHttpError(400, -1130, msg);

async function body<T>(c: Context<EdgeEnv>, schema: z.ZodType<T>): Promise<T> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    throw invalid('The body must be JSON.');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalid(z.prettifyError(parsed.error).replaceAll('\n', ' '));
  return parsed.data;
}

function units(text: string, name: string): bigint {
  const parsed = parseUnits(text);
  if (!parsed.ok) throw invalid(`${name}: at most 8 decimals`);
  return parsed.value;
}

/** A fee rate: "0.001" is 0.1 %, kept as a fraction in units of 1e-8. */
const rate = (text: string, name: string): Fraction => Number(units(text, name)) as Fraction;

function steps(text: string | undefined, step: bigint, name: string): number | undefined {
  if (text === undefined) return undefined;
  const parsed = parseSteps(text, step);
  if (!parsed.ok) throw invalid(`${name} must be a whole number of steps of ${formatUnits(step)}`);
  return parsed.value;
}

const sha256 = async (text: string) =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));

/** Whether `given` is `token`, in time that tells nothing about either: their digests, compared in full. */
async function sameToken(given: string, token: Promise<Uint8Array>): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), token]);
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

function accountIdOf(c: Context<EdgeEnv>): number {
  const id = Number(c.req.param('accountId'));
  if (!Number.isSafeInteger(id) || id <= 0) throw invalid('accountId must be a positive integer');
  return id;
}

export function adminRoutes(deps: AdminRoutesDeps): Hono<EdgeEnv> {
  const app = new Hono<EdgeEnv>();
  const token = sha256(deps.adminToken);

  app.use(async function adminAuth(c, next) {
    const given = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
    if (deps.adminToken === '' || !(await sameToken(given, token))) {
      throw new BinanceHttpError(401, -2015, 'Invalid admin token.');
    }
    await next();
  });

  /** Sends a command and answers once it is committed, or with the matcher's rejection. */
  const execute = async (command: Command) => {
    const reply = settled(await deps.send(command));
    if (isRejection(reply.result.code))
      throw BinanceHttpError.rejected(reply.result.code, reply.result.detail);
    return reply;
  };

  app.post('/markets', async (c) => {
    const b = await body(c, MarketBody);
    const tickSize = units(b.tickSize, 'tickSize');
    const stepSize = units(b.stepSize, 'stepSize');
    if (tickSize === 0n || stepSize === 0n) throw invalid('tickSize and stepSize must be positive');
    const spec: MarketSpec = {
      symbol: b.symbol,
      baseAsset: b.baseAsset,
      quoteAsset: b.quoteAsset,
      tickSize: tickSize as MarketSpec['tickSize'],
      stepSize: stepSize as MarketSpec['stepSize'],
      makerFee: rate(b.makerFee, 'makerFee'),
      takerFee: rate(b.takerFee, 'takerFee'),
    };
    const optional = {
      minNotional: b.minNotional === undefined ? undefined : units(b.minNotional, 'minNotional'),
      maxNotional: b.maxNotional === undefined ? undefined : units(b.maxNotional, 'maxNotional'),
      minQty: steps(b.minQty, stepSize, 'minQty'),
      maxQty: steps(b.maxQty, stepSize, 'maxQty'),
      minPrice: steps(b.minPrice, tickSize, 'minPrice'),
      maxPrice: steps(b.maxPrice, tickSize, 'maxPrice'),
      maxNumOrders: b.maxNumOrders,
      maxNumAlgoOrders: b.maxNumAlgoOrders,
      minTrailingAboveDelta: b.minTrailingAboveDelta,
      maxTrailingAboveDelta: b.maxTrailingAboveDelta,
      minTrailingBelowDelta: b.minTrailingBelowDelta,
      maxTrailingBelowDelta: b.maxTrailingBelowDelta,
      status: b.status,
    };
    for (const [key, value] of Object.entries(optional)) {
      if (value !== undefined) (spec as unknown as Record<string, unknown>)[key] = value;
    }
    await execute({ type: 'createMarket', ...spec });
    return c.json({ symbol: b.symbol }, 201);
  });

  app.get('/markets', async (c) => {
    const markets = await deps.markets.all();
    return c.json(
      markets.map(({ definition: m, status }) => ({
        symbol: m.symbol,
        status,
        baseAsset: m.baseAsset,
        quoteAsset: m.quoteAsset,
        tickSize: formatUnits(m.tickSize),
        stepSize: formatUnits(m.stepSize),
        minNotional: formatUnits(m.minNotional),
        makerFee: formatUnits(BigInt(m.makerFee)),
        takerFee: formatUnits(BigInt(m.takerFee)),
      })),
    );
  });

  app.post('/markets/:symbol/status', async (c) => {
    const { status } = await body(c, StatusBody);
    await execute({ type: 'setMarketStatus', symbol: c.req.param('symbol'), status });
    return c.json({ symbol: c.req.param('symbol'), status });
  });

  app.post('/accounts', async (c) => c.json({ accountId: await deps.createAccount() }, 201));

  app.get('/accounts/:accountId', async (c) => {
    const accountId = accountIdOf(c);
    if (!(await deps.accountExists(accountId))) throw new BinanceHttpError(404, -1130, 'Unknown account.');
    const balances = (await deps.balances(accountId)).map((b) => ({
      asset: b.asset,
      free: formatUnits(b.free),
      locked: formatUnits(b.locked),
    }));
    return c.json({ accountId, balances, apiKeys: await deps.listKeys(accountId) });
  });

  for (const kind of ['deposits', 'withdrawals'] as const) {
    app.post(`/accounts/:accountId/${kind}`, async (c) => {
      const accountId = accountIdOf(c);
      const b = await body(c, TransferBody);
      if (!(await deps.accountExists(accountId))) throw new BinanceHttpError(404, -1130, 'Unknown account.');
      const amount = units(b.amount, 'amount') as Extract<Command, { type: 'deposit' }>['amount'];
      const reply = await execute({
        type: kind === 'deposits' ? 'deposit' : 'withdraw',
        accountId,
        asset: b.asset,
        amount,
      });
      return c.json({ accountId, asset: b.asset, amount: formatUnits(amount), time: reply.time });
    });
  }

  app.put('/accounts/:accountId/fees', async (c) => {
    const accountId = accountIdOf(c);
    const b = await body(c, FeesBody);
    if ((b.makerFee === null) !== (b.takerFee === null))
      throw invalid('makerFee and takerFee: both set or both null');
    await execute({
      type: 'setAccountFees',
      accountId,
      ...(b.symbol === undefined ? {} : { symbol: b.symbol }),
      makerFee: b.makerFee === null ? null : rate(b.makerFee, 'makerFee'),
      takerFee: b.takerFee === null ? null : rate(b.takerFee, 'takerFee'),
    });
    return c.json({ accountId, symbol: b.symbol ?? null, makerFee: b.makerFee, takerFee: b.takerFee });
  });

  app.post('/accounts/:accountId/api-keys', async (c) => {
    const accountId = accountIdOf(c);
    const b = await body(c, KeyBody);
    const created = await deps.createKey({ accountId, ...b });
    if (!created.ok) {
      throw new BinanceHttpError(created.reason === 'UNKNOWN_ACCOUNT' ? 404 : 400, -1130, created.detail);
    }
    return c.json(
      {
        apiKey: created.apiKey,
        ...(created.secretKey === undefined ? {} : { secretKey: created.secretKey }),
      },
      201,
    );
  });

  app.get('/accounts/:accountId/api-keys', async (c) => c.json(await deps.listKeys(accountIdOf(c))));

  app.delete('/api-keys/:apiKey', async (c) => {
    if (!(await deps.revokeKey(c.req.param('apiKey'))))
      throw new BinanceHttpError(404, -2015, 'Unknown API key.');
    return c.json({ revoked: true });
  });

  return app;
}
