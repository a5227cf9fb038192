// Building blocks of the OpenAPI document: parameter schemas, and one builder per kind of endpoint (public,
// SIGNED, admin, unthrottled probes), so that every operation states its parameters, security, weight and errors
// the same way.

import {
  API_ERRORS,
  errorResponses,
  mergeErrors,
  ORDER_HEADERS,
  SIGNED_ERRORS,
  TOO_LARGE,
  WEIGHT_HEADERS,
  type Errors,
} from './responses.ts';
import type {
  Method,
  Operation,
  Parameter,
  Reference,
  RequestBody,
  Response,
  Schema,
  WeightRule,
} from './types.ts';

/**
 * The values of a string union, all of them and only them (checked by the compiler):
 * `every<Side>()(['BUY', 'SELL'])`.
 */
export const every =
  <T extends string>() =>
  <const V extends readonly T[]>(values: V & ([Exclude<T, V[number]>] extends [never] ? unknown : never)) =>
    values;

// Schemas.

export const string: Schema = { type: 'string' };
export const boolean: Schema = { type: 'boolean' };
export const int: Schema = { type: 'integer' };
export const enumOf = (values: readonly string[], description?: string): Schema => ({
  type: 'string',
  enum: values,
  ...(description === undefined ? {} : { description }),
});

/** An object whose listed properties are all present unless named in `optional`. */
export function object(properties: Record<string, Schema>, optional: readonly string[] = []): Schema {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
  };
}

/** A request body the admin API validates strictly (unknown fields refused). */
export const strict = (properties: Record<string, Schema>, optional: readonly string[] = []): Schema => ({
  ...object(properties, optional),
  additionalProperties: false,
});

export const arrayOf = (items: Schema): Schema => ({ type: 'array', items });

// Request parameters.

/** Binance's decimal format for prices, quantities and amounts (at most 8 significant decimals here). */
export const DECIMAL: Schema = { type: 'string', pattern: '^\\d{1,20}(\\.\\d{1,20})?$', examples: ['0.01'] };
/** Integers as the edge reads them: 1 to 16 digits, at most Number.MAX_SAFE_INTEGER. */
export const integer = (description: string, minimum = 0): Schema => ({
  type: 'integer',
  minimum,
  maximum: Number.MAX_SAFE_INTEGER,
  description,
});
export const SYMBOL: Schema = { type: 'string', pattern: '^[A-Z0-9_.-]{1,20}$', examples: ['BTCUSDT'] };
export const CLIENT_ORDER_ID: Schema = { type: 'string', pattern: '^[.A-Z:/a-z0-9_-]{1,36}$' };
export const BOOLEAN_TEXT: Schema = { type: 'string', enum: ['true', 'false'] };
/** One request parameter: in the query string (or, for SIGNED endpoints, the form body), or in the path. */
export interface Param {
  name: string;
  schema: Schema;
  required?: boolean;
  description?: string;
}

export const param = (name: string, schema: Schema, description?: string): Param => ({
  name,
  schema,
  ...(description === undefined ? {} : { description }),
});
export const requiredParam = (name: string, schema: Schema, description?: string): Param => ({
  ...param(name, schema, description),
  required: true,
});

export const symbolParam = requiredParam('symbol', SYMBOL);
export const symbolsParams: readonly Param[] = [
  param('symbol', SYMBOL, 'One symbol: the answer is one object. Not with `symbols`.'),
  param('symbols', { type: 'string', examples: ['["BTCUSDT","ETHUSDT"]'] }, 'A JSON array of symbols.'),
];
export const limitParam = (fallback: number, max: number, cut: boolean): Param =>
  param(
    'limit',
    { type: 'integer', minimum: 1, maximum: max, default: fallback },
    cut ? `Above ${max} it is cut to ${max}, as Binance does.` : undefined,
  );
export const timeParam = (name: string, description = 'ms since the epoch'): Param =>
  param(name, integer(description));

const TIME_UNIT: Parameter = {
  name: 'X-MBX-TIME-UNIT',
  in: 'header',
  description: 'Times are in ms (case-insensitive); MICROSECOND is refused (-1100).',
  schema: { type: 'string', enum: ['MILLISECOND', 'millisecond'] },
};

// Operations.

export interface Ok {
  status?: 200 | 201;
  description: string;
  schema: Schema;
}

export interface OperationSpec {
  id: string;
  summary: string;
  description?: string;
  tag: string;
  params?: readonly Param[];
  /** Groups of which at least one parameter must be sent. */
  oneOf?: readonly (readonly string[])[];
  weight: number;
  weightRules?: readonly WeightRule[];
  ok: Ok;
  errors?: Errors;
}

const queryParameter = (p: Param): Parameter => ({
  name: p.name,
  in: 'query',
  ...(p.required === true ? { required: true } : {}),
  ...(p.description === undefined ? {} : { description: p.description }),
  schema: p.schema,
});

function common(spec: OperationSpec, headers: Record<string, Reference>) {
  const ok: Response = {
    description: spec.ok.description,
    ...(Object.keys(headers).length === 0 ? {} : { headers }),
    content: { 'application/json': { schema: spec.ok.schema } },
  };
  return {
    operationId: spec.id,
    summary: spec.summary,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    tags: [spec.tag],
    ok: { [String(spec.ok.status ?? 200)]: ok },
    extensions: {
      'x-weight': spec.weight,
      ...(spec.weightRules === undefined ? {} : { 'x-weight-rules': spec.weightRules }),
      ...(spec.oneOf === undefined ? {} : { 'x-required-one-of': spec.oneOf }),
    },
  };
}

/** A public /api/v3 endpoint (security NONE): query parameters, throttled by request weight. */
export function publicOperation(spec: OperationSpec): Operation {
  const { ok, extensions, ...head } = common(spec, WEIGHT_HEADERS);
  return {
    ...head,
    parameters: [...(spec.params ?? []).map(queryParameter), TIME_UNIT],
    responses: { ...ok, ...errorResponses(mergeErrors(API_ERRORS, spec.errors ?? {})) },
    ...extensions,
  };
}

/** The parameters every SIGNED request adds (the middleware reads them; handlers never see `signature`). */
export const SIGNING_PARAMS: readonly Param[] = [
  param(
    'recvWindow',
    { type: 'string', pattern: '^\\d{1,20}(\\.\\d{1,3})?$', default: '5000' },
    'ms (up to 3 decimals) the request stays valid after timestamp; at most 60000.',
  ),
  requiredParam(
    'timestamp',
    { type: 'integer', minimum: 0 },
    'When the request was made: ms, or µs from 16 digits on; at most 1000 ms ahead of the server.',
  ),
  requiredParam(
    'signature',
    { type: 'string', pattern: '^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{86}(==)?)$' },
    'HMAC-SHA256 (hex) or Ed25519 (base64) of the query string followed by the form body, ' +
      'as sent and without the signature parameter.',
  ),
];

export interface SignedSpec extends OperationSpec {
  permission: 'TRADE' | 'USER_DATA';
  /** It places an order: counted against the account's order limits (429 -1015). */
  placesOrders?: boolean;
}

/** A SIGNED /api/v3 endpoint: X-MBX-APIKEY, and parameters in the query string or the form body. */
export function signedOperation(method: Method, spec: SignedSpec): Operation {
  const params = [...(spec.params ?? []), ...SIGNING_PARAMS];
  const { ok, extensions, ...head } = common(
    spec,
    spec.placesOrders === true ? ORDER_HEADERS : WEIGHT_HEADERS,
  );
  const form: Schema = {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [p.name, p.schema])),
    required: params.filter((p) => p.required === true).map((p) => p.name),
  };
  const requestBody: RequestBody = {
    description:
      'The same parameters as the query string, as a form instead: each parameter in one place or the ' +
      'other (never both, -1101); the required ones must be sent in one of them. The signature covers the ' +
      'query string followed by the body.',
    required: false,
    content: { 'application/x-www-form-urlencoded': { schema: form } },
  };
  const security = `SIGNED (${spec.permission}): an API key with the ${spec.permission} permission.`;
  return {
    ...head,
    description: spec.description === undefined ? security : `${spec.description}\n\n${security}`,
    parameters: [...params.map(queryParameter), TIME_UNIT],
    ...(method === 'get' ? {} : { requestBody }),
    responses: {
      ...ok,
      ...errorResponses(
        mergeErrors(
          API_ERRORS,
          SIGNED_ERRORS,
          spec.placesOrders === true ? { 429: [-1015] } : {},
          spec.errors ?? {},
        ),
      ),
    },
    security: [{ apiKey: [] }],
    ...extensions,
  };
}

export interface AdminSpec extends Omit<OperationSpec, 'weight' | 'params'> {
  /** Path parameters, in the order of the path. */
  path?: readonly Param[];
  body?: Schema;
}

/** An admin endpoint under /admin/v1: bearer token, JSON body, not throttled (weight 0). */
export function adminOperation(spec: AdminSpec): Operation {
  const { ok, extensions, ...head } = common({ ...spec, weight: 0 }, {});
  const errors = mergeErrors({ 401: [[-2015, 'invalid admin token']], 500: [-1000] }, spec.errors ?? {});
  return {
    ...head,
    ...(spec.path === undefined
      ? {}
      : {
          parameters: spec.path.map((p) => ({
            name: p.name,
            in: 'path' as const,
            required: true,
            ...(p.description === undefined ? {} : { description: p.description }),
            schema: p.schema,
          })),
        }),
    ...(spec.body === undefined
      ? {}
      : { requestBody: { required: true, content: { 'application/json': { schema: spec.body } } } }),
    responses: {
      ...ok,
      ...errorResponses(spec.body === undefined ? errors : mergeErrors(errors, { 413: [TOO_LARGE] })),
    },
    security: [{ adminToken: [] }],
    ...extensions,
  };
}

/** Probes and the document itself: outside /api, no weight, no security. */
export function unthrottledOperation(
  spec: Omit<OperationSpec, 'weight'>,
  extra: Record<string, Response> = {},
) {
  const { ok, extensions, ...head } = common({ ...spec, weight: 0 }, {});
  return { ...head, responses: { ...ok, ...extra }, ...extensions } satisfies Operation;
}
