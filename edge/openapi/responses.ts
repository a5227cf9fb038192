// Responses of the OpenAPI document: references to shared components, Binance's error codes and the error
// responses that list them per operation, and the rate-limit headers.

import type { Header, Reference, Response, Schema } from './types.ts';

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const headerRef = (name: string): Reference => ({ $ref: `#/components/headers/${name}` });

// Binance's error codes.

const CODES: Readonly<Record<number, string>> = {
  [-1000]: 'UNKNOWN: an unknown error occurred',
  [-1003]: 'TOO_MANY_REQUESTS: too much request weight used (429), or the IP is banned (418)',
  [-1007]: 'TIMEOUT: no answer from the matcher in time; execution status unknown',
  [-1008]:
    "SERVER_BUSY: the matcher's command stream is full (503), or it holds as many open orders as it can (400: " +
    'nothing was placed); try again later',
  [-1013]:
    'INVALID_MESSAGE: a filter failed (PRICE_FILTER, LOT_SIZE, MARKET_LOT_SIZE, NOTIONAL, ' +
    'PERCENT_PRICE_BY_SIDE, MAX_NUM_ORDERS, MAX_NUM_ALGO_ORDERS, TRAILING_DELTA)',
  [-1015]: 'TOO_MANY_ORDERS: too many new orders for the account (per 10 s or per day)',
  [-1021]: 'INVALID_TIMESTAMP: timestamp outside recvWindow, or 1000 ms or more ahead of the server',
  [-1022]: 'INVALID_SIGNATURE: the signature is not valid',
  [-1100]: 'ILLEGAL_CHARS: illegal characters in a parameter (or X-MBX-TIME-UNIT other than MILLISECOND)',
  [-1101]: 'TOO_MANY_PARAMETERS: a parameter sent twice, symbol with symbols, or too many symbols',
  [-1102]: 'MANDATORY_PARAM_EMPTY_OR_MALFORMED: a mandatory parameter not sent, empty/null or malformed',
  [-1106]:
    'PARAM_NOT_REQUIRED: a parameter sent when not required (iceberg and pegged orders, trailingDelta but not a stop order)',
  [-1115]: 'INVALID_TIMEINFORCE',
  [-1116]: 'INVALID_ORDER_TYPE',
  [-1117]: 'INVALID_SIDE',
  [-1120]: 'BAD_INTERVAL: invalid interval',
  [-1121]: 'BAD_SYMBOL: invalid symbol',
  [-1122]: 'INVALID_SYMBOLSTATUS',
  [-1127]: 'MORE_THAN_XX_HOURS: more than 24 hours between startTime and endTime',
  [-1128]: 'OPTIONAL_PARAMS_BAD_COMBO: fromId with startTime or endTime',
  [-1130]: 'INVALID_PARAMETER: invalid data sent for a parameter',
  [-1131]: 'BAD_RECV_WINDOW: recvWindow above 60000',
  [-1220]: "SYMBOL_DOES_NOT_MATCH_STATUS: the symbol's status is not symbolStatus",
  [-2010]:
    'NEW_ORDER_REJECTED: insufficient balance, market halted, LIMIT_MAKER would match, duplicate ' +
    'clientOrderId, stop would trigger immediately',
  [-2011]: 'CANCEL_REJECTED: unknown order, or cancelRestrictions not met',
  [-2013]: 'NO_SUCH_ORDER: order does not exist',
  [-2014]: 'BAD_API_KEY_FMT: API-key format invalid',
  [-2015]: 'REJECTED_MBX_KEY: invalid API-key, IP, or permissions for action',
  [-2021]: 'ORDER_CANCEL_REPLACE_PARTIALLY_FAILED: one half failed; both halves under `data`',
  [-2022]: 'ORDER_CANCEL_REPLACE_FAILED: both halves failed (or the new order was malformed)',
};

/** A code, or a code with what it means for this operation. */
export type Code = number | readonly [number, string];
export type ErrorStatus = 400 | 401 | 404 | 409 | 413 | 418 | 429 | 500 | 503;
export type Errors = Partial<Record<ErrorStatus, readonly Code[]>>;

const STATUS_TEXT: Readonly<Record<ErrorStatus, string>> = {
  400: 'Bad request.',
  401: 'Not authenticated.',
  404: 'Not found.',
  409: 'Conflict.',
  413: 'Request body larger than 64 KiB.',
  418: 'IP banned for repeated rate-limit violations (2 minutes, doubling for repeat offenders up to 3 days).',
  429: 'Rate limit exceeded; back off for Retry-After seconds.',
  500: 'An internal error.',
  503: 'The matcher did not answer in time, or is overloaded: the outcome is unknown until read back.',
};

/** A body over 64 KiB (refused before anything reads it). */
export const TOO_LARGE = [-1000, 'request body too large'] as const;
/** Errors every /api request may meet: time unit, weight limit and ban, internal error. */
export const API_ERRORS: Errors = { 400: [-1100], 418: [-1003], 429: [-1003], 500: [-1000] };
/** Errors of the signed-request middleware. */
export const SIGNED_ERRORS: Errors = {
  400: [-1100, -1101, -1102, -1021, -1022, -1131],
  401: [-2014, -2015],
  413: [TOO_LARGE],
};
/** An answer that waits for the matcher's commit. */
export const MATCHER_ERRORS: Errors = { 503: [-1007, -1008] };

/** The union of error lists, codes in Binance's order (-1000 first); a later text replaces an earlier one. */
export function mergeErrors(...lists: readonly Errors[]): Errors {
  const merged: Partial<Record<ErrorStatus, Map<number, string | undefined>>> = {};
  for (const list of lists) {
    for (const [status, codes] of Object.entries(list) as [`${ErrorStatus}`, readonly Code[]][]) {
      const map = (merged[Number(status) as ErrorStatus] ??= new Map());
      for (const code of codes) {
        if (typeof code === 'number') {
          if (!map.has(code)) map.set(code, undefined);
        } else {
          map.set(code[0], code[1]);
        }
      }
    }
  }
  const out: Errors = {};
  for (const [status, map] of Object.entries(merged) as [
    `${ErrorStatus}`,
    Map<number, string | undefined>,
  ][]) {
    out[Number(status) as ErrorStatus] = [...map]
      .sort(([a], [b]) => b - a)
      .map(([code, text]) => (text === undefined ? code : ([code, text] as const)));
  }
  return out;
}

export function errorResponses(errors: Errors): Record<string, Response> {
  const out: Record<string, Response> = {};
  for (const [status, list] of Object.entries(errors) as [`${ErrorStatus}`, readonly Code[]][]) {
    const codes = list.map((c) => (typeof c === 'number' ? c : c[0]));
    const lines = list.map((c) =>
      typeof c === 'number' ? `${c} ${CODES[c] ?? ''}`.trim() : `${c[0]} ${c[1]}`,
    );
    const refused = status === '429' || status === '418';
    out[status] = {
      description: `${STATUS_TEXT[Number(status) as ErrorStatus]} Binance codes: ${lines.join('; ')}.`,
      ...(refused ? { headers: { 'Retry-After': headerRef('Retry-After'), ...WEIGHT_HEADERS } } : {}),
      content: { 'application/json': { schema: ref('Error') } },
      'x-codes': codes,
    };
  }
  return out;
}

// Headers.

export const HEADERS: Readonly<Record<string, Header>> = {
  'X-MBX-USED-WEIGHT-1M': {
    description: 'Request weight used by the client IP in the current minute.',
    schema: { type: 'string', pattern: '^\\d+$' },
  },
  'X-MBX-ORDER-COUNT-10S': {
    description: 'Orders placed by the account in the current 10 seconds.',
    schema: { type: 'string', pattern: '^\\d+$' },
  },
  'X-MBX-ORDER-COUNT-1D': {
    description: 'Orders placed by the account in the current UTC day.',
    schema: { type: 'string', pattern: '^\\d+$' },
  },
  RateLimit: {
    description: 'IETF RateLimit field: what remains of each policy (r) and seconds until it resets (t).',
    schema: { type: 'string' },
  },
  'RateLimit-Policy': {
    description: 'IETF RateLimit-Policy field: each quota (q) per window in seconds (w).',
    schema: { type: 'string' },
  },
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'string' } },
};

export const WEIGHT_HEADERS: Record<string, Reference> = {
  'X-MBX-USED-WEIGHT-1M': headerRef('X-MBX-USED-WEIGHT-1M'),
  RateLimit: headerRef('RateLimit'),
  'RateLimit-Policy': headerRef('RateLimit-Policy'),
};
export const ORDER_HEADERS: Record<string, Reference> = {
  ...WEIGHT_HEADERS,
  'X-MBX-ORDER-COUNT-10S': headerRef('X-MBX-ORDER-COUNT-10S'),
  'X-MBX-ORDER-COUNT-1D': headerRef('X-MBX-ORDER-COUNT-1D'),
};
