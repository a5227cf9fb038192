// The limiter port: one call per request counts it against its IP's request weight and, for orders, its
// account's order counts, and says whether it may proceed. RedisLimiter (shared by every edge process) and
// MemoryLimiter (embedded mode) implement the same rules, held to them by one contract suite:
//
// - Windows are fixed and aligned: the minute, the 10-second mark, the UTC day. A counter resets at the
//   boundary. A counter already in a later window than the caller's clock says (an edge whose clock runs
//   ahead wrote it) is taken as the current one, so counts never move backwards between edges.
// - Weight counts for every request that is not refused by a ban, also for the ones refused for weight or
//   orders (as on Binance). A hit is judged only on what it consumes: weight 0 does not test the weight limit.
// - Orders count only when the request places some and was not refused; a refusal for orders counts no order.
// - Every 429 is a violation of the IP. An IP may collect `rejectionsBeforeBan` violations within one minute
//   window; the next request that would be refused is answered 418 instead and bans the IP (Binance: "failing
//   to back off after receiving 429s"). A client that waits out the Retry-After of every 429 collects at most
//   six in a minute (one per 10-second order window) and is never banned.
// - A ban lasts `firstBanMs` (2 minutes); each repeat while the previous ban is remembered (`repeatMemoryMs`
//   after it ended) lasts twice as long as the one before, up to `maxBanMs` (3 days). During a ban every
//   request from the IP is refused and counts nothing.

import type { RateLimitName, RateLimits } from '../../rate-limits.ts';

export interface HitRequest {
  /** The client's address; loopback is limited like any other. */
  ip: string;
  /** Whose order counts to check and bump; without it orders are not counted or reported. */
  accountId?: number;
  /** Request weight this request consumes (0: only read the usage). */
  weight: number;
  /** Orders this request places (needs accountId when > 0). */
  orders: number;
  /** The caller's clock, ms since the epoch. RedisLimiter ignores it when it runs on Redis's clock. */
  now: number;
}

export interface WindowUsage {
  /** What is counted in the current window, this request included when it was counted. */
  count: number;
  limit: number;
  /** Until the window resets, in ms. */
  resetMs: number;
}

export interface Usage {
  weight1m: WindowUsage;
  /** Present when the request named an account. */
  orders10s?: WindowUsage;
  orders1d?: WindowUsage;
}

/** Why a request was refused: a limit (429) or a ban of its IP (418). */
export type Refusal = RateLimitName | 'ban';

export type Hit =
  | { allowed: true; usage: Usage }
  | {
      allowed: false;
      refusal: Refusal;
      /** Whole seconds to wait: until the refusing window resets (429) or the ban ends (418). */
      retryAfterSeconds: number;
      /** When the ban ends, ms since the epoch (refusal 'ban' only). */
      bannedUntil?: number;
      usage: Usage;
    };

export interface Limiter {
  hit(request: HitRequest): Promise<Hit>;
}

export interface BanPolicy {
  /** 429s an IP may receive within one minute window before the next refusal becomes a 418 and a ban. */
  rejectionsBeforeBan: number;
  /** The first ban's length, in ms. */
  firstBanMs: number;
  /** The longest ban, in ms. */
  maxBanMs: number;
  /** How long after a ban ends the next one still counts as a repeat (and lasts twice as long), in ms. */
  repeatMemoryMs: number;
}

export const DEFAULT_BAN_POLICY: Readonly<BanPolicy> = {
  rejectionsBeforeBan: 10,
  firstBanMs: 2 * 60_000,
  maxBanMs: 3 * 86_400_000,
  repeatMemoryMs: 86_400_000,
};

/** The n-th ban in a row (n >= 1) lasts firstBanMs * 2^(n-1), capped at maxBanMs. */
export function banDurationMs(policy: BanPolicy, nth: number): number {
  return Math.min(policy.firstBanMs * 2 ** Math.min(nth - 1, 60), policy.maxBanMs);
}

/** Status codes the Redis script returns, in the order the rules are checked. */
export const REFUSALS: readonly (Refusal | null)[] = [null, 'weight1m', 'orders10s', 'orders1d', 'ban'];

/** A request the limiter cannot count is a bug in the caller, not a client error. */
export function checkHitRequest(request: HitRequest): void {
  const { ip, accountId, weight, orders, now } = request;
  if (ip === '') throw new TypeError('a rate-limited request needs the client IP');
  if (!Number.isSafeInteger(weight) || weight < 0) throw new RangeError(`invalid weight ${weight}`);
  if (!Number.isSafeInteger(orders) || orders < 0) throw new RangeError(`invalid order count ${orders}`);
  if (orders > 0 && accountId === undefined) throw new TypeError('orders are counted per account');
  if (!Number.isSafeInteger(now) || now < 0) throw new RangeError(`invalid time ${now}`);
}

export function checkLimits(limits: RateLimits, policy: BanPolicy): void {
  for (const [name, value] of Object.entries({ ...limits, ...policy })) {
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new RangeError(`${name} must be a positive integer`);
  }
}

/** Whole seconds until `ms` from now, at least 1 (Retry-After and the RateLimit field's t are integers). */
export const secondsUntil = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
