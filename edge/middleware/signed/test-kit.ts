// For the tests of the signed-request middleware: Binance's documented HMAC example, an Ed25519 key pair made
// here, a fake key store that records look-ups, a fake clock, and an app with the middleware in front of a route
// that echoes what the middleware handed it (and counts that it ran). Keys carry the verifiers the real key
// store makes (edge/key-store.ts).

import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { Hono } from 'hono';
import { expect } from 'vitest';
import type { EdgeEnv } from '../../context.ts';
import { BinanceHttpError } from '../../http-error.ts';
import type { ApiKey, KeyStore } from '../../api-key.ts';
import { ed25519Verifier, hmacVerifier } from '../../key-store.ts';
import { signed, type SignedOptions } from './index.ts';

// Binance's example (rest-api, "SIGNED request example (HMAC)"): examples 1 and 2 sign PARAMS; example 3 sends
// MIXED_QUERY in the query string and MIXED_BODY in the body.
export const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
export const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
export const PARAMS =
  'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
export const SIGNATURE = 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71';
export const MIXED_QUERY = 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC';
export const MIXED_BODY = 'quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
export const MIXED_SIGNATURE = '0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77';
export const EXAMPLE_TIME = 1499827319559;

export const ED_KEY = 'E'.repeat(64);
const edPair = generateKeyPairSync('ed25519');

export const hmacKey = (over: Partial<ApiKey> = {}): ApiKey =>
  ({
    apiKey: API_KEY,
    accountId: 7,
    type: 'HMAC_SHA256',
    verify: hmacVerifier(SECRET),
    permissions: ['TRADE', 'USER_DATA'],
    ipAllowList: [],
    revoked: false,
    ...over,
  }) as ApiKey;

export const edKey = (publicKey: KeyObject = edPair.publicKey): ApiKey => ({
  apiKey: ED_KEY,
  accountId: 9,
  type: 'ED25519',
  verify: ed25519Verifier(publicKey),
  permissions: ['USER_DATA'],
  ipAllowList: [],
  revoked: false,
});

export const hmac = (payload: string, secret = SECRET) =>
  createHmac('sha256', secret).update(payload).digest('hex');

/** The Ed25519 signature of `payload`, base64 and URL-encoded as a request carries it. */
export const ed25519 = (payload: string) =>
  encodeURIComponent(sign(null, Buffer.from(payload), edPair.privateKey).toString('base64'));

/** What a refusal looks like: Binance's {code, msg} with the HTTP status. */
export const refused = (status: number, code: number, msg?: string) => ({
  status,
  body: msg === undefined ? expect.objectContaining({ code }) : { code, msg },
});

export interface SendOptions {
  /** Sent as a form unless `headers` say otherwise. */
  body?: string;
  /** X-MBX-APIKEY; null sends none. */
  key?: string | null;
  method?: string;
  headers?: Record<string, string>;
  options?: Partial<SignedOptions>;
}

export interface Harness {
  /** The clock's time, ms. */
  time: number;
  /** What the key store holds. */
  stored: Map<string, ApiKey>;
  /** The keys looked up, in order. */
  lookups: string[];
  /** How often the route behind the middleware ran. */
  reached: number;
  keys: KeyStore;
  clock: { now(): number };
  send(query: string, options?: SendOptions): Promise<{ status: number; body: Record<string, unknown> }>;
}

/** A fresh fake world per test: set `time` and `stored`, read `lookups` and `reached`. */
export function harness(): Harness {
  const h: Harness = {
    time: EXAMPLE_TIME + 100,
    stored: new Map([
      [API_KEY, hmacKey()],
      [ED_KEY, edKey()],
    ]),
    lookups: [],
    reached: 0,
    keys: {
      find: (apiKey) => {
        h.lookups.push(apiKey);
        return Promise.resolve(h.stored.get(apiKey) ?? null);
      },
    },
    clock: { now: () => h.time },
    send,
  };

  function app(options: Partial<SignedOptions>) {
    const app = new Hono<EdgeEnv>();
    app.use('*', async (c, next) => {
      const ip = c.req.header('x-test-ip');
      if (ip !== undefined) c.set('clientIp', ip);
      await next();
    });
    const route = signed({ keys: h.keys, clock: h.clock, permission: 'TRADE', ...options });
    app.on(['GET', 'POST', 'DELETE'], '/api/v3/order', route, async (c) => {
      h.reached++;
      const body = await c.req.text();
      return c.json({ principal: c.get('principal'), params: Object.fromEntries(c.get('params')), body });
    });
    // As edge/app.ts does; any other error fails the test.
    app.onError((error, c) => {
      if (error instanceof BinanceHttpError) return c.json(error.body, error.status);
      throw error;
    });
    return app;
  }

  async function send(query: string, options: SendOptions = {}) {
    const { body, key = API_KEY, method = 'POST', headers = {} } = options;
    const all: Record<string, string> = {};
    if (body !== undefined) all['content-type'] = 'application/x-www-form-urlencoded';
    Object.assign(all, headers);
    if (key !== null) all['X-MBX-APIKEY'] = key;
    const res = await app(options.options ?? {}).request(`/api/v3/order${query === '' ? '' : `?${query}`}`, {
      method,
      headers: all,
      ...(body === undefined ? {} : { body }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  return h;
}
