// What a hit tells the client: Binance's usage headers (X-MBX-USED-WEIGHT-1M, X-MBX-ORDER-COUNT-10S/1D),
// the IETF RateLimit-Policy and RateLimit fields (draft-ietf-httpapi-ratelimit-headers-11, structured-field
// lists), and for a refusal Binance's error with Retry-After.
//
//   RateLimit-Policy: "weight";q=6000;w=60, "orders-10s";q=100;w=10, "orders-1d";q=200000;w=86400
//   RateLimit: "weight";r=5980;t=17, "orders-10s";r=99;t=3, "orders-1d";r=199999;t=43200
//
// q is the quota per window w (seconds); r what remains of it, t the seconds until its window resets. Weight
// is measured in request weight rather than requests; the draft leaves what a request consumes to the server,
// and its registered quota units have no name for weight, so `qu` is left out. During a ban every policy says
// r=0 until the ban ends, so that Retry-After never points before the effective window's end.

import { BinanceHttpError } from '../../http-error.ts';
import { intervalText, RATE_LIMIT_WINDOWS, type RateLimitName } from '../../rate-limits.ts';
import { type Hit, secondsUntil } from './limiter.ts';

const NAMES: readonly RateLimitName[] = ['weight1m', 'orders10s', 'orders1d'];

export type Refused = Extract<Hit, { allowed: false }>;

/** The headers every response to a counted request carries, Retry-After included when it was refused. */
export function rateLimitHeaders(hit: Hit): Record<string, string> {
  const banned = !hit.allowed && hit.refusal === 'ban';
  const headers: Record<string, string> = {};
  const policies: string[] = [];
  const limits: string[] = [];
  for (const name of NAMES) {
    const usage = hit.usage[name];
    if (usage === undefined) continue;
    const window = RATE_LIMIT_WINDOWS[name];
    headers[window.header] = `${usage.count}`;
    policies.push(`"${window.policy}";q=${usage.limit};w=${window.ms / 1000}`);
    const remaining = banned ? 0 : Math.max(0, usage.limit - usage.count);
    const reset = banned ? hit.retryAfterSeconds : secondsUntil(usage.resetMs);
    limits.push(`"${window.policy}";r=${remaining};t=${reset}`);
  }
  headers['RateLimit-Policy'] = policies.join(', ');
  headers['RateLimit'] = limits.join(', ');
  if (!hit.allowed) headers['Retry-After'] = `${hit.retryAfterSeconds}`;
  return headers;
}

/** Binance's answer to a refused request: 429 -1003 (weight), 429 -1015 (orders), 418 -1003 (ban). */
export function refusalError(hit: Refused, headers: Record<string, string>): BinanceHttpError {
  if (hit.refusal === 'ban') {
    const msg =
      `Way too much request weight used; IP banned until ${hit.bannedUntil}. ` +
      'Please use WebSocket Streams for live updates to avoid bans.';
    return new BinanceHttpError(418, -1003, msg, headers);
  }
  const window = RATE_LIMIT_WINDOWS[hit.refusal];
  const limit = hit.usage[hit.refusal]?.limit;
  if (hit.refusal === 'weight1m') {
    const msg =
      `Too much request weight used; current limit is ${limit} request weight per ${intervalText(window)}. ` +
      'Please use WebSocket Streams for live updates to avoid polling the API.';
    return new BinanceHttpError(429, -1003, msg, headers);
  }
  const msg = `Too many new orders; current limit is ${limit} orders per ${intervalText(window)}.`;
  return new BinanceHttpError(429, -1015, msg, headers);
}
