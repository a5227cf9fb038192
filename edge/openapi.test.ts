// GET /openapi.json held to the app: the documented operations are exactly the routes the Hono app serves, the
// document is valid OpenAPI 3.1 (@readme/openapi-parser, no network), required parameters are the ones the
// handlers refuse with -1102 when missing, weights are rate-limits.ts's, and real responses fit their schemas.

import { readFileSync } from 'node:fs';
import { compileErrors, validate } from '@readme/openapi-parser';
import { inspectRoutes } from 'hono/dev';
import { describe, expect, it } from 'vitest';
import { harness as signedHarness, PARAMS, SIGNATURE } from './middleware/signed/test-kit.ts';
import { API_VERSION, type OpenApiDocument, openApiDocument } from './openapi.ts';
import type { JsonType, Method, Operation, Schema } from './openapi/types.ts';
import { requestWeight } from './rate-limits.ts';
import { ADMIN_TOKEN, harness } from './routes/test-harness.ts';

const doc = openApiDocument();
const METHODS: readonly Method[] = ['get', 'post', 'put', 'delete'];

function operations(d: OpenApiDocument = doc): { method: Method; path: string; op: Operation }[] {
  return Object.entries(d.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => (item[method] === undefined ? [] : [{ method, path, op: item[method] }])),
  );
}

function operation(method: Method, path: string): Operation {
  const op = doc.paths[path]?.[method];
  if (op === undefined) throw new Error(`${method} ${path} is not documented`);
  return op;
}

describe('GET /openapi.json', () => {
  it('documents exactly the routes the app serves', () => {
    const { app } = harness();
    // Hono lists middleware beside handlers (app.use as ALL, and middleware mounted on a route such as the
    // signed-request check): its own inspectRoutes tells them apart, (c, next) from (c).
    const handlers = inspectRoutes(app).filter((r) => !r.isMiddleware);
    expect(handlers.filter((r) => r.method === 'ALL')).toEqual([]);
    const served = new Set(handlers.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`));
    const documented = operations().map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(new Set(documented).size).toBe(documented.length);
    expect(documented.toSorted()).toEqual([...served].toSorted());
    expect(served).toContain('GET /openapi.json');
    expect(served.size).toBeGreaterThan(40);
  });

  it('serves the document, unthrottled', async () => {
    const { app } = harness();
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-mbx-used-weight-1m')).toBeNull();
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('is valid OpenAPI 3.1, and the validator is not vacuous', async () => {
    const options = { resolve: { external: false } };
    const result = await validate(structuredClone(doc) as never, options);
    expect(result.valid ? '' : compileErrors(result)).toBe('');
    expect(result.warnings).toEqual([]);
    expect(result.specification).toBe('OpenAPI');
    expect(doc.openapi).toBe('3.1.0');

    const broken = structuredClone(doc) as unknown as { paths: Record<string, Record<string, unknown>> };
    (broken.paths['/api/v3/ping']!.get as { responses: unknown }).responses = { 200: { content: {} } };
    expect((await validate(broken as never, options)).valid).toBe(false);
    const dangling = structuredClone(doc) as unknown as { components: { schemas: Record<string, unknown> } };
    delete dangling.components.schemas.Order;
    expect((await validate(dangling as never, options)).valid).toBe(false);
  });

  it("names the package and its version, Binance's security schemes and every operation once", () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      name: string;
      version: string;
    };
    expect(doc.info).toMatchObject({ title: pkg.name, version: pkg.version });
    expect(API_VERSION).toBe(pkg.version);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'X-MBX-APIKEY',
    });
    expect(doc.components.securitySchemes.adminToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    const ids = operations().map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, op } of operations()) {
      const names = (op.parameters ?? []).map((p) => `${p.in} ${p.name}`);
      expect(new Set(names).size, `${path}: a parameter twice`).toBe(names.length);
      // SIGNED: the API key (and the signing parameters); admin: the bearer token; the rest: none.
      const signed = (op.parameters ?? []).some((p) => p.name === 'signature');
      const admin = path.startsWith('/admin/');
      expect(op.security, path).toEqual(signed ? [{ apiKey: [] }] : admin ? [{ adminToken: [] }] : undefined);
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400 || (path === '/readyz' && status === '503')) continue;
        expect(response.content?.['application/json']?.schema, `${path} ${status}`).toEqual({
          $ref: '#/components/schemas/Error',
        });
        expect(response['x-codes']?.length, `${path} ${status}`).toBeGreaterThan(0);
        for (const code of response['x-codes'] ?? []) expect(response.description).toContain(String(code));
      }
    }
  });

  it('states each SIGNED endpoint as a form body too, with the same schema', () => {
    for (const { method, path, op } of operations()) {
      const query = (op.parameters ?? []).filter((p) => p.in === 'query');
      if (!query.some((p) => p.name === 'signature') || method === 'get') {
        expect(op.requestBody?.content['application/x-www-form-urlencoded'], path).toBeUndefined();
        continue;
      }
      const form = op.requestBody?.content['application/x-www-form-urlencoded']?.schema;
      expect(form?.properties, path).toEqual(Object.fromEntries(query.map((p) => [p.name, p.schema])));
      expect(form?.required, path).toEqual(query.filter((p) => p.required === true).map((p) => p.name));
    }
  });

  it("gives each operation rate-limits.ts's weight, and 0 outside /api (not throttled)", () => {
    for (const { method, path, op } of operations()) {
      const verb = method.toUpperCase();
      if (!path.startsWith('/api/')) {
        expect(op['x-weight'], path).toBe(0);
        continue;
      }
      expect(op['x-weight'], `${verb} ${path}`).toBe(requestWeight(verb, path, () => undefined));
      for (const rule of op['x-weight-rules'] ?? []) {
        expect(
          requestWeight(verb, path, (name) => rule.example[name]),
          `${path}: ${rule.when}`,
        ).toBe(rule.weight);
      }
    }
  });
});

/** A valid request per endpoint: every documented required parameter and one of each x-required-one-of group. */
const EXAMPLES: readonly { method: Method; path: string; params: Record<string, string> }[] = [
  { method: 'get', path: '/api/v3/exchangeInfo', params: { symbol: 'BTCUSDT' } },
  { method: 'get', path: '/api/v3/depth', params: { symbol: 'BTCUSDT', limit: '10' } },
  { method: 'get', path: '/api/v3/trades', params: { symbol: 'BTCUSDT', limit: '10' } },
  {
    method: 'get',
    path: '/api/v3/historicalTrades',
    params: { symbol: 'BTCUSDT', limit: '10', fromId: '1' },
  },
  {
    method: 'get',
    path: '/api/v3/aggTrades',
    params: { symbol: 'BTCUSDT', startTime: '0', endTime: '1700000000000', limit: '10' },
  },
  ...(['/api/v3/klines', '/api/v3/uiKlines'] as const).map((path) => ({
    method: 'get' as const,
    path,
    params: { symbol: 'BTCUSDT', interval: '1h', startTime: '0', endTime: '1', timeZone: '8', limit: '10' },
  })),
  { method: 'get', path: '/api/v3/avgPrice', params: { symbol: 'BTCUSDT' } },
  { method: 'get', path: '/api/v3/ticker/24hr', params: { symbol: 'BTCUSDT', type: 'MINI' } },
  {
    method: 'get',
    path: '/api/v3/ticker/tradingDay',
    params: { symbol: 'BTCUSDT', timeZone: '-1:30', type: 'MINI', symbolStatus: 'TRADING' },
  },
  {
    method: 'get',
    path: '/api/v3/ticker',
    params: { symbols: '["BTCUSDT"]', windowSize: '1h', type: 'FULL' },
  },
  {
    method: 'post',
    path: '/api/v3/order',
    params: {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.001',
      newClientOrderId: 'doc-1',
      newOrderRespType: 'RESULT',
      selfTradePreventionMode: 'EXPIRE_TAKER',
      strategyId: '7',
      strategyType: '1000000',
    },
  },
  {
    method: 'post',
    path: '/api/v3/order/test',
    params: {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'MARKET',
      quoteOrderQty: '100',
      computeCommissionRates: 'true',
    },
  },
  { method: 'get', path: '/api/v3/account/commission', params: { symbol: 'BTCUSDT' } },
  {
    method: 'delete',
    path: '/api/v3/order',
    params: {
      symbol: 'BTCUSDT',
      origClientOrderId: 'x',
      newClientOrderId: 'c',
      cancelRestrictions: 'ONLY_NEW',
    },
  },
  { method: 'delete', path: '/api/v3/openOrders', params: { symbol: 'BTCUSDT' } },
  {
    method: 'post',
    path: '/api/v3/order/cancelReplace',
    params: {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.001',
      cancelReplaceMode: 'ALLOW_FAILURE',
      cancelOrderId: '1',
      cancelNewClientOrderId: 'cc',
      newClientOrderId: 'nn',
      cancelRestrictions: 'ONLY_NEW',
      newOrderRespType: 'ACK',
    },
  },
  {
    method: 'put',
    path: '/api/v3/order/amend/keepPriority',
    params: { symbol: 'BTCUSDT', orderId: '1', newQty: '0.1', newClientOrderId: 'am' },
  },
];

const SIGNING = new Set(['recvWindow', 'timestamp', 'signature']);

describe('required parameters are those refused with -1102 when missing', () => {
  for (const { method, path, params } of EXAMPLES) {
    it(`${method.toUpperCase()} ${path}`, async () => {
      const { app } = harness();
      // The harness stands in for the signed-request middleware: the signing parameters are tested below.
      const query = (operation(method, path).parameters ?? []).filter(
        (p) => p.in === 'query' && !SIGNING.has(p.name),
      );
      const documented = query.filter((p) => p.required === true).map((p) => p.name);
      const groups = operation(method, path)['x-required-one-of'] ?? [];
      for (const name of Object.keys(params)) expect(query.map((p) => p.name)).toContain(name);
      for (const name of documented) expect(params).toHaveProperty(name);
      for (const group of groups) expect(group.filter((name) => name in params)).toHaveLength(1);

      const code = async (sent: Record<string, string>) => {
        const res = await app.request(`${path}?${new URLSearchParams(sent)}`, {
          method: method.toUpperCase(),
          headers: { 'x-account': '1' },
        });
        const body = (await res.json()) as { code?: number };
        return res.status === 200 ? 0 : body.code;
      };
      expect(await code(params)).not.toBe(-1102);
      const refused: string[] = [];
      for (const name of Object.keys(params)) {
        const { [name]: _, ...rest } = params;
        if ((await code(rest)) === -1102) refused.push(name);
      }
      const chosen = groups.flatMap((group) => group.filter((name) => name in params));
      expect(refused.toSorted()).toEqual([...documented, ...chosen].toSorted());
    });
  }

  it('the signing parameters: timestamp and signature, not recvWindow', async () => {
    const h = signedHarness();
    const sent = new URLSearchParams(`${PARAMS}&signature=${SIGNATURE}`);
    expect((await h.send(sent.toString())).status).toBe(200);
    const refused: string[] = [];
    for (const name of SIGNING) {
      const rest = new URLSearchParams(sent);
      rest.delete(name);
      if ((await h.send(rest.toString())).body.code === -1102) refused.push(name);
    }
    const signing = (operation('post', '/api/v3/order').parameters ?? []).filter((p) => SIGNING.has(p.name));
    expect(signing.map((p) => p.name).toSorted()).toEqual([...SIGNING].toSorted());
    expect(refused.toSorted()).toEqual(
      signing
        .filter((p) => p.required === true)
        .map((p) => p.name)
        .toSorted(),
    );
  });
});

// Real responses against their documented schemas: a small checker for the keywords the document uses.

function resolve(schema: Schema): Schema {
  if (schema.$ref === undefined) return schema;
  const target = doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')];
  if (target === undefined) throw new Error(`dangling ${schema.$ref}`);
  return resolve(target);
}

function typeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

/** What in `value` does not fit `schema`; every object property must be documented. */
function misfits(schema: Schema, value: unknown, at = '$'): string[] {
  const s = resolve(schema);
  const choices = s.anyOf ?? s.oneOf;
  if (choices !== undefined) {
    const fits = choices.filter((c) => misfits(c, value, at).length === 0).length;
    return (s.oneOf === undefined ? fits > 0 : fits === 1) ? [] : [`${at}: fits ${fits} of its choices`];
  }
  const type = typeOf(value);
  const types = s.type === undefined ? [] : typeof s.type === 'string' ? [s.type] : s.type;
  if (types.length > 0 && !types.includes(type) && !(type === 'integer' && types.includes('number'))) {
    return [`${at}: ${type}, not ${types.join('|')}`];
  }
  const out: string[] = [];
  if (s.const !== undefined && value !== s.const) out.push(`${at}: not ${String(s.const)}`);
  if (s.enum !== undefined && !s.enum.includes(value as string))
    out.push(`${at}: ${String(value)} not in enum`);
  if (s.pattern !== undefined && typeof value === 'string' && !new RegExp(s.pattern, 'u').test(value)) {
    out.push(`${at}: "${value}" does not match ${s.pattern}`);
  }
  if (type === 'object') {
    const object = value as Record<string, unknown>;
    for (const name of s.required ?? []) if (!(name in object)) out.push(`${at}.${name}: missing`);
    for (const [name, v] of Object.entries(object)) {
      const property = s.properties?.[name];
      if (property !== undefined) out.push(...misfits(property, v, `${at}.${name}`));
      else if (typeof s.additionalProperties === 'object')
        out.push(...misfits(s.additionalProperties, v, `${at}.${name}`));
      else if (s.properties !== undefined || s.additionalProperties === false)
        out.push(`${at}.${name}: undocumented`);
    }
  }
  if (type === 'array') {
    const array = value as unknown[];
    if (s.minItems !== undefined && array.length < s.minItems)
      out.push(`${at}: fewer than ${s.minItems} items`);
    if (s.maxItems !== undefined && array.length > s.maxItems)
      out.push(`${at}: more than ${s.maxItems} items`);
    array.forEach((item, i) => {
      const itemSchema = s.prefixItems?.[i] ?? s.items;
      if (itemSchema !== undefined) out.push(...misfits(itemSchema, item, `${at}[${i}]`));
    });
  }
  return out;
}

describe('real responses fit the documented schemas', () => {
  it('public, signed and admin answers, success and error', async () => {
    const { app } = harness();
    const checked = new Set<string>();
    const expectFits = async (method: Method, url: string, status = 200, init: RequestInit = {}) => {
      const res = await app.request(url, { method: method.toUpperCase(), ...init });
      const body: unknown = await res.json();
      expect(res.status, `${method} ${url}: ${JSON.stringify(body)}`).toBe(status);
      const path = new URL(url, 'http://x').pathname;
      const template = Object.keys(doc.paths).find((p) =>
        new RegExp(`^${p.replace(/\{\w+\}/g, '[^/]+')}$`).test(path),
      )!;
      const response = operation(method, template).responses[String(status)];
      expect(response, `${method} ${template} ${status} is documented`).toBeDefined();
      expect(misfits(response!.content!['application/json']!.schema, body), `${method} ${url}`).toEqual([]);
      checked.add(`${method} ${template}`);
      return body;
    };
    const order = (account: number, query: string, method: Method = 'post', path = '/api/v3/order') =>
      expectFits(method, `${path}?${query}`, 200, { headers: { 'x-account': String(account) } });

    // Some trading first, so that books, trades, candles and tickers have something to say.
    await order(
      1,
      'symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=30000&newClientOrderId=m',
    );
    await order(
      1,
      'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=29000&newOrderRespType=RESULT',
    );
    await order(2, 'symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.25&strategyId=7&strategyType=1000000');
    await order(2, 'symbol=BTCUSDT&side=BUY&type=MARKET&quoteOrderQty=300&newOrderRespType=ACK');
    await order(
      2,
      'symbol=BTCUSDT&side=BUY&type=STOP_LOSS&quantity=0.1&stopPrice=31000&trailingDelta=100&newOrderRespType=RESULT',
    );
    await order(
      1,
      'symbol=BTCUSDT&origClientOrderId=m&newQty=0.5',
      'put',
      '/api/v3/order/amend/keepPriority',
    );
    await order(
      1,
      'symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.5&price=30100&cancelReplaceMode=STOP_ON_FAILURE&cancelOrigClientOrderId=m',
      'post',
      '/api/v3/order/cancelReplace',
    );
    await order(1, 'symbol=BTCUSDT&orderId=2', 'delete');
    await order(1, 'symbol=BTCUSDT', 'delete', '/api/v3/openOrders');
    await order(
      1,
      'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=1',
      'post',
      '/api/v3/order/test',
    );
    await order(
      1,
      'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=1&computeCommissionRates=true',
      'post',
      '/api/v3/order/test',
    );
    await order(1, 'symbol=ETHUSDT', 'get', '/api/v3/account/commission');

    for (const url of [
      '/api/v3/ping',
      '/api/v3/time',
      '/api/v3/exchangeInfo',
      '/api/v3/depth?symbol=BTCUSDT',
      '/api/v3/trades?symbol=BTCUSDT',
      '/api/v3/historicalTrades?symbol=BTCUSDT&fromId=1',
      '/api/v3/aggTrades?symbol=BTCUSDT',
      '/api/v3/klines?symbol=BTCUSDT&interval=1m',
      '/api/v3/uiKlines?symbol=BTCUSDT&interval=1d&timeZone=8',
      '/api/v3/avgPrice?symbol=BTCUSDT',
      '/api/v3/ticker/24hr?symbol=BTCUSDT',
      '/api/v3/ticker/24hr?type=MINI',
      '/api/v3/ticker/tradingDay?symbols=["BTCUSDT","ETHUSDT"]',
      '/api/v3/ticker?symbol=BTCUSDT&windowSize=2h',
      '/api/v3/ticker/price',
      '/api/v3/ticker/price?symbol=BTCUSDT',
      '/api/v3/ticker/bookTicker?symbol=BTCUSDT',
      '/healthz',
      '/readyz',
    ]) {
      await expectFits('get', url);
    }
    await expectFits('get', '/api/v3/rateLimit/order', 200, { headers: { 'x-account': '1' } });

    const admin = (method: Method, path: string, status: number, body?: unknown, token = ADMIN_TOKEN) =>
      expectFits(method, `/admin/v1/${path}`, status, {
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const market = {
      symbol: 'SOLUSDT',
      baseAsset: 'SOL',
      quoteAsset: 'USDT',
      tickSize: '0.01',
      stepSize: '0.001',
    };
    await admin('post', 'markets', 201, { ...market, makerFee: '0.001', takerFee: '0.002' });
    await admin('post', 'markets', 409, { ...market, makerFee: '0.001', takerFee: '0.002' });
    await admin('get', 'markets', 200);
    await admin('post', 'markets/SOLUSDT/status', 200, { status: 'HALT' });
    await admin('post', 'accounts', 201);
    await admin('post', 'accounts/1/deposits', 200, { asset: 'SOL', amount: '10' });
    await admin('post', 'accounts/1/withdrawals', 200, { asset: 'SOL', amount: '1' });
    await admin('put', 'accounts/1/fees', 200, { makerFee: '0', takerFee: '0.0005' });
    await admin('post', 'accounts/1/api-keys', 201, { type: 'HMAC_SHA256', permissions: ['TRADE'] });
    await admin('delete', 'api-keys/key1', 200);
    await admin('get', 'accounts/99', 404);
    await admin('get', 'markets', 401, undefined, 'wrong');

    // Errors, in Binance's shape.
    await expectFits('get', '/api/v3/depth?symbol=NOPE', 400);
    await expectFits('delete', '/api/v3/order?symbol=BTCUSDT&orderId=999', 400, {
      headers: { 'x-account': '1' },
    });
    // The rest read what the harness does not fake (account reads from Postgres, API-key rows), or are this
    // document (compared whole above).
    const unchecked = operations()
      .map(({ method, path }) => `${method} ${path}`)
      .filter((key) => !checked.has(key));
    expect(unchecked.toSorted()).toEqual([
      'get /admin/v1/accounts/{accountId}/api-keys',
      'get /api/v3/account',
      'get /api/v3/allOrders',
      'get /api/v3/myTrades',
      'get /api/v3/openOrders',
      'get /api/v3/order',
      'get /openapi.json',
    ]);
  });
});
