// Reading request parameters the way Binance does: mandatory ones (-1102), integers and decimals in their exact
// formats (-1100), prices and quantities on the market's grid (its filter failure, -1013), and the matcher's
// outcome turned into a reply or the error that says why there is none.

import type { Outcome } from '../matcher/client.ts';
import type { MarketDefinition } from '../matcher/core/index.ts';
import type { Reply } from '../matcher/wire.ts';
import { BinanceHttpError, illegal, missing } from './http-error.ts';
import type { MarketCatalog, MarketInfo } from './markets.ts';
import { parseSteps, parseUnits } from './money.ts';

export type Params = ReadonlyMap<string, string>;

export async function marketOf(markets: MarketCatalog, symbol: string | undefined): Promise<MarketInfo> {
  if (symbol === undefined || symbol === '') throw missing('symbol');
  const market = await markets.get(symbol);
  if (market === undefined) throw new BinanceHttpError(400, -1121, 'Invalid symbol.');
  return market;
}

/** The query string of a request that is not signed, a parameter sent twice refused as Binance does (-1101). */
export function queryParams(url: string): Params {
  const params = new Map<string, string>();
  for (const [name, value] of new URL(url).searchParams) {
    if (params.has(name))
      throw new BinanceHttpError(400, -1101, 'Duplicate values for a parameter detected.');
    params.set(name, value);
  }
  return params;
}

/** `symbol=BTCUSDT` or `symbols=["BTCUSDT","ETHUSDT"]` (Binance's JSON array), or neither (undefined: all). */
export function symbolsOf(p: Params): string[] | undefined {
  const symbol = p.get('symbol');
  const symbols = p.get('symbols');
  if (symbol !== undefined && symbols !== undefined) {
    throw new BinanceHttpError(400, -1101, "Parameter 'symbol' and 'symbols' cannot be sent together.");
  }
  if (symbol !== undefined) return [symbol];
  if (symbols === undefined) return undefined;
  let list: unknown;
  try {
    list = JSON.parse(symbols);
  } catch {
    list = undefined;
  }
  if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string')) {
    throw new BinanceHttpError(400, -1100, "Illegal characters found in parameter 'symbols'.");
  }
  return list as string[];
}

/**
 * `limit`, `fallback` when absent. Above `max` it is cut to `max`, as Binance's public endpoints do (documented
 * for depth, observed for trades and aggTrades); below 1 it is invalid (-1130).
 */
export function limitOf(p: Params, fallback: number, max: number): number {
  const limit = optionalInt(p, 'limit') ?? fallback;
  if (limit < 1) throw new BinanceHttpError(400, -1130, "Data sent for parameter 'limit' is not valid.");
  return Math.min(limit, max);
}

export function required(p: Params, name: string): string {
  const value = p.get(name);
  if (value === undefined || value === '') throw missing(name);
  return value;
}

export function optionalInt(p: Params, name: string): number | undefined {
  const text = p.get(name);
  if (text === undefined) return undefined;
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) throw illegal(name);
  return Number(text);
}

/** Which order: by orderId or clientOrderId (named `idName` and `cidName` in the request); one is required. */
export function orderTarget(
  p: Params,
  idName: string,
  cidName: string,
): { orderId?: number; clientOrderId?: string } {
  const orderId = optionalInt(p, idName);
  const clientOrderId = p.get(cidName);
  if (orderId === undefined && clientOrderId === undefined) {
    throw new BinanceHttpError(
      400,
      -1102,
      `Param '${cidName}' or '${idName}' must be sent, but both were empty/null!`,
    );
  }
  return {
    ...(orderId === undefined ? {} : { orderId }),
    ...(clientOrderId === undefined ? {} : { clientOrderId }),
  };
}

/** A price or quantity in whole ticks or lots; off the grid is the market's filter failure, as on Binance. */
export function steps(
  p: Params,
  name: string,
  step: MarketDefinition['tickSize'],
  filter: 'PRICE_FILTER' | 'LOT_SIZE',
): number | undefined {
  const text = p.get(name);
  if (text === undefined) return undefined;
  const parsed = parseSteps(text, step);
  if (parsed.ok) return parsed.value;
  if (parsed.reason === 'malformed') throw illegal(name);
  throw BinanceHttpError.rejected(filter);
}

/** An amount in 1e-8 units (quoteOrderQty). */
export function units(p: Params, name: string): bigint | undefined {
  const text = p.get(name);
  if (text === undefined) return undefined;
  const parsed = parseUnits(text);
  if (!parsed.ok) throw illegal(name);
  return parsed.value;
}

/** One of a closed set of values. */
export function oneOf<T extends string>(p: Params, name: string, values: readonly T[]): T | undefined {
  const text = p.get(name);
  if (text === undefined) return undefined;
  if (!(values as readonly string[]).includes(text)) {
    throw new BinanceHttpError(400, -1100, `Illegal characters found in parameter '${name}'.`);
  }
  return text as T;
}

/** The reply, or the error that says why there is none. */
export function settled(outcome: Outcome): Reply {
  if (outcome.status === 'done') return outcome.reply;
  if (outcome.status === 'overloaded') {
    throw new BinanceHttpError(
      503,
      -1008,
      'Server is currently overloaded with other requests. Please try again in a few minutes.',
    );
  }
  throw new BinanceHttpError(
    503,
    -1007,
    'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
  );
}
