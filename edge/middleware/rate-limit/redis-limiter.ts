// The limiter every edge process shares: the rules of limiter.ts in ONE Lua script call per request, atomic on
// the Redis server, so concurrent requests through any number of edges are counted exactly.
//
// Time. By default the script reads Redis's clock (TIME): one clock for every edge, so window boundaries, bans
// and key expiry agree exactly whatever the edges' clocks say. With `clock: 'caller'` it uses the `now` each
// hit passes instead (tests control time that way); edges' clocks then only need to agree to well under a
// window: a boundary is seen at slightly different moments, and a counter an edge ahead of the others moved to
// the next window stays there (never back), so a skewed edge shifts a few requests to a neighbouring window but
// never gets a count of its own. A ban then lasts by the clock of the edge that set it, off by the skew.
// TTLs only reclaim keys; every decision compares stored times with the script's clock.

import { autoPipelinedCall, redisServer, type RedisServer } from '../../../observability/tracing.ts';
import { Redis, type RedisOptions } from 'ioredis';
import { LuaScript } from '../../../matcher/bus/redis-scripts.ts';
import { redisTarget } from '../../../matcher/bus/redis-target.ts';
import { type RateLimits, RATE_LIMIT_WINDOWS } from '../../rate-limits.ts';
import {
  type BanPolicy,
  checkHitRequest,
  checkLimits,
  DEFAULT_BAN_POLICY,
  type Hit,
  type HitRequest,
  type Limiter,
  REFUSALS,
  secondsUntil,
  type Usage,
} from './limiter.ts';

/**
 * KEYS: weight, violations, ban, strikes (of the IP) [, orders 10s, orders 1d (of the account)].
 * ARGV: now (ms, or -1 for Redis's clock), weight, orders, the three limits, the three window lengths (ms),
 * rejections before a ban, first ban, longest ban, repeat memory (ms).
 * Returns {status, weight, weight reset, orders 10s, reset, orders 1d, reset, retry after ms, banned until}:
 * status indexes REFUSALS (0 allowed); order counts are -1 without an account; resets and retry are in ms.
 * A counter is a hash {w = window index, n = count}; n >= 1 once written.
 */
const hitScript = new LuaScript(`
local now = tonumber(ARGV[1])
if now < 0 then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local weight, orders = tonumber(ARGV[2]), tonumber(ARGV[3])
local limitW, limit10s, limit1d = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local sizeW, size10s, size1d = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local rejections, firstBan = tonumber(ARGV[10]), tonumber(ARGV[11])
local maxBan, memory = tonumber(ARGV[12]), tonumber(ARGV[13])
local account = #KEYS == 6

-- Counts by into the counter's window and returns the count and ms until the window ends. A counter in a
-- later window than now says is taken as the current one.
local function add(key, size, by)
  local window = math.floor(now / size)
  local stored = redis.call('HMGET', key, 'w', 'n')
  local count = 0
  if tonumber(stored[1]) ~= nil and tonumber(stored[1]) >= window then
    window, count = tonumber(stored[1]), tonumber(stored[2])
  end
  if by > 0 and count == 0 then
    redis.call('HSET', key, 'w', window, 'n', by)
    redis.call('PEXPIRE', key, (window + 2) * size - now)
  elseif by > 0 then
    redis.call('HINCRBY', key, 'n', by)
  end
  return count + by, (window + 1) * size - now
end

local o10, o10Reset, o1d, o1dReset = -1, 0, -1, 0
if account then
  o10, o10Reset = add(KEYS[5], size10s, 0)
  o1d, o1dReset = add(KEYS[6], size1d, 0)
end

-- A banned IP is refused before anything is counted.
local bannedUntil = tonumber(redis.call('GET', KEYS[3]) or '0')
if bannedUntil > now then
  local w, wReset = add(KEYS[1], sizeW, 0)
  return {4, w, wReset, o10, o10Reset, o1d, o1dReset, bannedUntil - now, bannedUntil}
end

local w, wReset = add(KEYS[1], sizeW, weight)
local status, retry = 0, 0
if weight > 0 and w > limitW then
  status, retry = 1, wReset
elseif orders > 0 and account then
  if o1d + orders > limit1d then
    status, retry = 3, o1dReset
  elseif o10 + orders > limit10s then
    status, retry = 2, o10Reset
  else
    o10, o10Reset = add(KEYS[5], size10s, orders)
    o1d, o1dReset = add(KEYS[6], size1d, orders)
  end
end
if status == 0 then return {0, w, wReset, o10, o10Reset, o1d, o1dReset, 0, 0} end

if add(KEYS[2], sizeW, 1) <= rejections then
  return {status, w, wReset, o10, o10Reset, o1d, o1dReset, retry, 0}
end
local strikes = redis.call('HMGET', KEYS[4], 'bans', 'forget')
local nth = 1
if tonumber(strikes[2] or '0') > now then nth = tonumber(strikes[1]) + 1 end
local duration = math.min(firstBan * 2 ^ math.min(nth - 1, 60), maxBan)
bannedUntil = now + duration
redis.call('SET', KEYS[3], bannedUntil, 'PX', duration)
redis.call('HSET', KEYS[4], 'bans', nth, 'forget', bannedUntil + memory)
redis.call('PEXPIRE', KEYS[4], duration + memory)
redis.call('DEL', KEYS[2])
return {4, w, wReset, o10, o10Reset, o1d, o1dReset, duration, bannedUntil}
`);

export interface RedisLimiterOptions {
  url: string;
  /** Every key starts with it (then `rl:`), so deployments and test runs sharing one Redis cannot collide. */
  prefix: string;
  limits: RateLimits;
  banPolicy?: BanPolicy;
  /** Whose clock decides: Redis's (production) or the `now` each hit passes (tests). */
  clock?: 'redis' | 'caller';
  /** How long connect() waits for Redis. */
  connectTimeoutMs?: number;
  /** How long a hit waits for its reply before it fails. */
  commandTimeoutMs?: number;
  /** Connection errors (each failed reconnection attempt too); hits reject on their own either way. */
  onError?: (err: Error) => void;
}

export class RedisLimiter implements Limiter {
  readonly #redis: Redis;
  readonly #server: RedisServer;
  readonly #prefix: string;
  readonly #limits: RateLimits;
  readonly #clock: 'redis' | 'caller';
  readonly #args: number[];

  static async connect(options: RedisLimiterOptions): Promise<RedisLimiter> {
    const limiter = new RedisLimiter(options);
    try {
      await limiter.#redis.connect();
    } catch (err) {
      limiter.#redis.disconnect();
      throw new Error(`Redis at ${options.url} is unreachable`, { cause: err });
    }
    return limiter;
  }

  private constructor(options: RedisLimiterOptions) {
    const { url, prefix, limits, banPolicy = DEFAULT_BAN_POLICY, clock = 'redis' } = options;
    const { connectTimeoutMs = 2_000, commandTimeoutMs = 1_000, onError = () => {} } = options;
    checkLimits(limits, banPolicy);
    this.#prefix = `${prefix}rl:`;
    this.#limits = { ...limits };
    this.#clock = clock;
    const { weight1m, orders10s, orders1d } = RATE_LIMIT_WINDOWS;
    this.#args = [
      ...[limits.weight1m, limits.orders10s, limits.orders1d],
      ...[weight1m.ms, orders10s.ms, orders1d.ms],
      ...[banPolicy.rejectionsBeforeBan, banPolicy.firstBanMs, banPolicy.maxBanMs, banPolicy.repeatMemoryMs],
    ];
    const redisOptions: RedisOptions = {
      lazyConnect: true,
      connectTimeout: connectTimeoutMs,
      commandTimeout: commandTimeoutMs,
      // While Redis is down a hit fails fast instead of queueing: the request gets an error, not a hang.
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1_000),
      // A hit whose connection dropped may have been counted; resending it could count it twice.
      autoResendUnfulfilledCommands: false,
      // The hits of requests handled in one turn of the event loop go out in one write (traced by
      // autoPipelinedCall: a pipeline goes out in the trace context of its first call).
      enableAutoPipelining: true,
    };
    this.#redis = new Redis(redisTarget(url), redisOptions);
    this.#server = redisServer(url);
    // Without a listener ioredis would report every failed reconnection as an unhandled 'error' event.
    this.#redis.on('error', onError);
  }

  async hit(request: HitRequest): Promise<Hit> {
    checkHitRequest(request);
    const { ip, accountId, weight, orders, now } = request;
    const p = this.#prefix;
    const keys = [`${p}w:${ip}`, `${p}v:${ip}`, `${p}ban:${ip}`, `${p}strikes:${ip}`];
    if (accountId !== undefined) keys.push(`${p}o10:${accountId}`, `${p}o1d:${accountId}`);
    const at = this.#clock === 'caller' ? now : -1;
    const args = [at, weight, orders, ...this.#args];
    const reply = (await autoPipelinedCall(
      this.#server,
      'evalsha',
      () => [hitScript.sha, keys.length, ...keys, ...args],
      () => hitScript.run(this.#redis, keys, args),
    )) as number[];
    return this.#toHit(reply);
  }

  #toHit(reply: number[]): Hit {
    const [status = 0, w = 0, wReset = 0, o10 = -1, o10Reset = 0, o1d = -1, o1dReset = 0] = reply;
    const [retryMs = 0, bannedUntil = 0] = reply.slice(7);
    const usage: Usage = { weight1m: { count: w, limit: this.#limits.weight1m, resetMs: wReset } };
    if (o10 >= 0) {
      usage.orders10s = { count: o10, limit: this.#limits.orders10s, resetMs: o10Reset };
      usage.orders1d = { count: o1d, limit: this.#limits.orders1d, resetMs: o1dReset };
    }
    const refusal = REFUSALS[status];
    if (refusal === undefined) throw new Error(`unexpected rate-limit script status ${status}`);
    if (refusal === null) return { allowed: true, usage };
    const retryAfterSeconds = secondsUntil(retryMs);
    if (refusal !== 'ban') return { allowed: false, refusal, retryAfterSeconds, usage };
    return { allowed: false, refusal, retryAfterSeconds, bannedUntil, usage };
  }

  async close(): Promise<void> {
    try {
      await this.#redis.quit();
    } catch {
      this.#redis.disconnect();
    }
  }
}
