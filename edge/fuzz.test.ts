// Fuzzing the trading and account endpoints (fast-check) on the embedded stack, in memory: requests built from a
// valid one per endpoint with its parameters dropped, emptied, duplicated or replaced by odd values (numbers in
// odd formats, huge and over-precise quantities, unknown symbols, bad enums, unicode, oversized strings, broken
// percent-encoding) plus random extra parameters, in the query string or the form body, mostly correctly SIGNED
// (so they get past authentication) and some unsigned, badly signed, stale or with a key that may not trade.
// Whatever comes, the edge never answers 5xx, every error is Binance's {code: negative integer, msg} (a
// cancel-replace's may carry `data`), and a rejected request leaves the matcher's state as it was. Valid
// requests do happen (and change the state): only rejections must change nothing.

import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExchangeState, stateHash, validate } from '../matcher/core/index.ts';
import { BTCUSDT, type EmbeddedEdge, fundedAccount, startEmbeddedEdge } from './test-servers.ts';
import { type Credentials, signedCall } from './test-signing.ts';

const ENDPOINTS = {
  'POST /api/v3/order': [
    ['symbol', 'BTCUSDT'],
    ['side', 'BUY'],
    ['type', 'LIMIT'],
    ['timeInForce', 'GTC'],
    ['quantity', '0.01'],
    ['price', '29000'],
  ],
  'POST /api/v3/order/test': [
    ['symbol', 'BTCUSDT'],
    ['side', 'SELL'],
    ['type', 'MARKET'],
    ['quantity', '0.01'],
  ],
  'DELETE /api/v3/order': [
    ['symbol', 'BTCUSDT'],
    ['orderId', '1'],
  ],
  'POST /api/v3/order/cancelReplace': [
    ['symbol', 'BTCUSDT'],
    ['side', 'SELL'],
    ['type', 'LIMIT'],
    ['timeInForce', 'GTC'],
    ['quantity', '0.01'],
    ['price', '31000'],
    ['cancelReplaceMode', 'STOP_ON_FAILURE'],
    ['cancelOrderId', '2'],
  ],
  'PUT /api/v3/order/amend/keepPriority': [
    ['symbol', 'BTCUSDT'],
    ['orderId', '3'],
    ['newQty', '0.005'],
  ],
  'GET /api/v3/order': [
    ['symbol', 'BTCUSDT'],
    ['orderId', '1'],
  ],
  'GET /api/v3/allOrders': [
    ['symbol', 'BTCUSDT'],
    ['limit', '10'],
  ],
  'GET /api/v3/myTrades': [
    ['symbol', 'BTCUSDT'],
    ['limit', '10'],
  ],
  'GET /api/v3/openOrders': [['symbol', 'BTCUSDT']],
  'DELETE /api/v3/openOrders': [['symbol', 'ETHUSDT']],
} as const satisfies Record<string, readonly (readonly [string, string])[]>;
type Endpoint = keyof typeof ENDPOINTS;

const NAMES = [
  'symbol',
  'side',
  'type',
  'timeInForce',
  'quantity',
  'price',
  'quoteOrderQty',
  'stopPrice',
  'newClientOrderId',
  'orderId',
  'origClientOrderId',
  'cancelReplaceMode',
  'cancelOrderId',
  'cancelOrigClientOrderId',
  'cancelNewClientOrderId',
  'newQty',
  'newOrderRespType',
  'selfTradePreventionMode',
  'limit',
  'fromId',
  'startTime',
  'endTime',
  'recvWindow',
  'icebergQty',
  'trailingDelta',
  'strategyId',
  'computeCommissionRates',
  'timestamp',
  'signature',
];

const ENUMS = [
  'BTCUSDT',
  'ETHUSDT',
  'BUY',
  'SELL',
  'LIMIT',
  'MARKET',
  'LIMIT_MAKER',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
  'GTC',
  'IOC',
  'FOK',
  'ACK',
  'RESULT',
  'FULL',
  'STOP_ON_FAILURE',
  'ALLOW_FAILURE',
  'NONE',
  'EXPIRE_TAKER',
  'EXPIRE_MAKER',
  'EXPIRE_BOTH',
  'true',
  'false',
];
const BAD_ENUMS = [
  'buy',
  'Limit',
  'gtc',
  'NOPEUSDT',
  'btcusdt',
  'BTCUSDT ',
  'X',
  'null',
  'undefined',
  '[]',
  '{}',
];
const ODD_NUMBERS = [
  '1e3',
  '1E-2',
  '0x10',
  '-1',
  '-0.01',
  '+1',
  ' 1',
  '1 ',
  '1.',
  '.5',
  '1,5',
  '1_000',
  'Infinity',
  '-Infinity',
  'NaN',
  '-0',
  '0',
  '0.0',
  '00001',
  '0.00000001',
  '0.000000001',
  '9'.repeat(40),
  `0.${'0'.repeat(30)}1`,
  `${'1'.repeat(20)}.${'1'.repeat(20)}`,
  '9007199254740993',
  '18446744073709551616',
  '99999999999.99',
  '30000.001',
  '29999.99',
];

/** Values: plausible ones, bad enums, numbers in odd formats and at odd sizes, unicode, empty and huge. */
const value: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ENUMS) },
  { weight: 2, arbitrary: fc.constantFrom(...BAD_ENUMS) },
  { weight: 4, arbitrary: fc.constantFrom(...ODD_NUMBERS) },
  { weight: 3, arbitrary: fc.nat({ max: 40 }).map(String) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.nat({ max: 100_000 }), fc.nat({ max: 12 }), fc.nat())
      .map(([whole, decimals, fraction]) =>
        decimals === 0
          ? `${whole}`
          : `${whole}.${String(fraction).padStart(decimals, '0').slice(0, decimals)}`,
      ),
  },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.bigInt().map(String) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t', '\n', '&', '=', '%', '+', '€', '𝄞', '\u0000') },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(5000), '7'.repeat(3000), 'a-b_c'.repeat(10)) },
);

const name: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
);

/** A piece of query string as sent, not encoded by us: flags, empty names, broken percent-encoding. */
const rawPiece = fc.constantFrom(
  'flag',
  '=x',
  '%',
  '%zz=1',
  'quantity=%E0%A4%A',
  'a=%FF',
  '&&',
  'price=1%2',
  '==',
);

type Auth =
  | 'signed'
  | 'unsigned'
  | 'otherSecret'
  | 'garbageSignature'
  | 'unknownKey'
  | 'badKeyFormat'
  | 'noKey'
  | 'stale'
  | 'future'
  | 'readOnlyKey'
  | 'revokedKey';

const auth: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 7, arbitrary: fc.constant('signed' as const) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Auth>(
      'unsigned',
      'otherSecret',
      'garbageSignature',
      'unknownKey',
      'badKeyFormat',
      'noKey',
      'stale',
      'future',
      'readOnlyKey',
      'revokedKey',
    ),
  },
);

const mutation = fc.oneof(
  { weight: 25, arbitrary: fc.constant({ op: 'keep' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'drop' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'empty' as const }) },
  { weight: 1, arbitrary: value.map((v) => ({ op: 'duplicate' as const, value: v })) },
  { weight: 2, arbitrary: value.map((v) => ({ op: 'replace' as const, value: v })) },
);

/** true once in `n` runs. */
const oneIn = (n: number) => fc.integer({ min: 1, max: n }).map((i) => i === 1);

const scenario = fc.record({
  endpoint: fc.constantFrom(...(Object.keys(ENDPOINTS) as Endpoint[])),
  account: fc.constantFrom(0, 1),
  mutations: fc.array(mutation, { minLength: 8, maxLength: 8 }),
  extra: fc.oneof(
    { weight: 1, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.array(fc.tuple(name, value), { maxLength: 3 }) },
  ),
  raw: fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: rawPiece }),
  placement: fc.constantFrom('query', 'query', 'body', 'split'),
  contentType: fc.constantFrom(
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=UTF-8',
    'application/json',
    'text/plain',
  ),
  hugeBody: oneIn(40),
  oversized: oneIn(40),
  auth,
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

let edge: EmbeddedEdge;
const accounts: Credentials[] = [];
let readOnly: Credentials;
let revoked: Credentials;

/** The state's hash without its command counter: a rejected command still takes a sequence number. */
const hashOf = (state: ExchangeState): string => stateHash({ ...state, seq: 0 });

beforeAll(async () => {
  // Limits high enough that the fuzzing never meets them (throttling has tests of its own).
  edge = await startEmbeddedEdge({ weight1m: 1e9, orders10s: 1e9, orders1d: 1e9 });
  await edge.admin.createMarket(BTCUSDT);
  await edge.admin.createMarket({ ...BTCUSDT, symbol: 'ETHUSDT', baseAsset: 'ETH', stepSize: '0.001' });
  for (let i = 0; i < 2; i++) {
    const funds = { BTC: '1000', ETH: '10000', USDT: '100000000' };
    accounts.push((await fundedAccount(edge.admin, funds)).credentials);
  }
  const accountId = await edge.admin.createAccount();
  const request = edge.request;
  readOnly = await edge.admin.createKey(accountId, ['USER_DATA']);
  revoked = await edge.admin.createKey(accountId);
  await edge.admin.revokeKey(revoked.apiKey);
  // Resting orders on both sides and both markets, and a few trades, for the cancels, amends and reads to find.
  const place = async (account: number, params: Record<string, string>) => {
    const res = await signedCall(request, accounts[account]!, 'POST', '/api/v3/order', params);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };
  for (let i = 0; i < 4; i++) {
    const limit = { type: 'LIMIT', timeInForce: 'GTC', quantity: '0.05' };
    await place(0, { ...limit, symbol: 'BTCUSDT', side: 'SELL', price: `${30000 + i * 100}` });
    await place(1, { ...limit, symbol: 'BTCUSDT', side: 'BUY', price: `${29000 - i * 100}` });
    await place(0, {
      ...limit,
      symbol: 'ETHUSDT',
      side: 'SELL',
      price: `${2000 + i}`,
      newClientOrderId: `e${i}`,
    });
  }
  await place(1, { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.07' });
}, 60_000);

afterAll(async () => {
  await edge?.close();
});

const encode = (text: string): string => encodeURIComponent(text);

/** The request a scenario describes: the path with its query string, and the init for app.request. */
function requestOf(s: Scenario): { path: string; init: RequestInit } {
  const [method, path] = s.endpoint.split(' ') as [string, string];
  const pairs: [string, string][] = [];
  ENDPOINTS[s.endpoint].forEach(([n, v], i) => {
    const m = s.mutations[i] ?? { op: 'keep' };
    if (m.op === 'keep') pairs.push([n, v]);
    else if (m.op === 'empty') pairs.push([n, '']);
    else if (m.op === 'replace') pairs.push([n, m.value]);
    else if (m.op === 'duplicate') pairs.push([n, v], [n, m.value]);
  });
  pairs.push(...s.extra);
  if (s.oversized) pairs.push(['newClientOrderId', 'z'.repeat(20_000)]);
  const pieces = pairs.map(([n, v]) => `${encode(n)}=${encode(v)}`);
  if (s.raw !== null) pieces.push(s.raw);

  const credentials =
    s.auth === 'readOnlyKey' ? readOnly : s.auth === 'revokedKey' ? revoked : accounts[s.account]!;
  const now = Date.now() + (s.auth === 'stale' ? -600_000 : s.auth === 'future' ? 5_000 : 0);
  pieces.push(`timestamp=${now}`);

  // GET has no body; otherwise the parameters go in the query, the form body, or half in each.
  const where = method === 'GET' ? 'query' : s.placement;
  const cut = where === 'query' ? pieces.length : where === 'body' ? 0 : Math.floor(pieces.length / 2);
  let query = pieces.slice(0, cut).join('&');
  let body = pieces.slice(cut).join('&');
  // Beyond the 64 KiB body limit.
  if (s.hugeBody && method !== 'GET')
    body = body === '' ? `pad=${'p'.repeat(70_000)}` : `${body}&pad=${'p'.repeat(70_000)}`;
  const secret = s.auth === 'otherSecret' ? randomBytes(32).toString('hex') : credentials.secretKey;
  const signature =
    s.auth === 'garbageSignature'
      ? 'zz-not-hex'
      : createHmac('sha256', secret)
          .update(query + body)
          .digest('hex');
  if (s.auth !== 'unsigned')
    query = query === '' ? `signature=${signature}` : `${query}&signature=${signature}`;

  const headers: Record<string, string> = {};
  if (s.auth === 'unknownKey') headers['X-MBX-APIKEY'] = 'Q'.repeat(64);
  else if (s.auth === 'badKeyFormat') headers['X-MBX-APIKEY'] = `${credentials.apiKey.slice(1)}!`;
  else if (s.auth !== 'noKey') headers['X-MBX-APIKEY'] = credentials.apiKey;
  if (body !== '') headers['content-type'] = s.contentType;
  return {
    path: `${path}?${query}`,
    init: { method, headers, ...(body === '' ? {} : { body }) },
  };
}

describe('fuzzing the trading and account endpoints', () => {
  it('never answers 5xx, always in Binance’s error shape, and a rejection changes nothing', async () => {
    const matcher = edge.embedded.matcher;
    const codes = new Map<number, number>();
    let changed = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { path, init } = requestOf(s);
        const before = hashOf(matcher.state!);
        const res = await edge.request(path, init);
        const text = await res.text();
        const what = `${s.endpoint} ${path.slice(0, 300)} -> ${res.status} ${text.slice(0, 300)}`;
        expect(res.status, what).toBeLessThan(500);
        const body = JSON.parse(text) as Record<string, unknown>;
        if (res.status === 200) {
          if (hashOf(matcher.state!) !== before) changed++;
          return;
        }
        expect(Object.keys(body).sort(), what).toEqual(
          // A cancel-replace that failed reports both halves under `data`, as on Binance.
          body.code === -2021 || body.code === -2022 ? ['code', 'data', 'msg'] : ['code', 'msg'],
        );
        expect(Number.isSafeInteger(body.code) && (body.code as number) < 0, what).toBe(true);
        expect(typeof body.msg, what).toBe('string');
        codes.set(body.code as number, (codes.get(body.code as number) ?? 0) + 1);
        // Only a cancel-replace that partly failed (-2021) did part of its work (a cancel, or a new order).
        if (body.code !== -2021) expect(hashOf(matcher.state!), what).toBe(before);
      }),
      { numRuns: 1500 },
    );
    expect(validate(matcher.state!)).toEqual([]);
    // The runs got through to the matcher (some changed the state, some were refused there) and were refused
    // for many reasons before it.
    expect(changed).toBeGreaterThan(5);
    expect(codes.has(-2011)).toBe(true); // unknown order: the matcher's answer
    expect(codes.size).toBeGreaterThan(10);
  }, 60_000);
});
