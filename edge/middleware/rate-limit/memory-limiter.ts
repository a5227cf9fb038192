// The limiter of the embedded mode (one process, no Redis): the rules of limiter.ts on in-process maps. It keeps
// only the current window of each counter, and drops windows that have ended, bans that are over and ban
// histories that are forgotten, in a sweep at most every `sweepEveryMs` of the clock it is given: memory holds
// what the clients of the last minute (and the banned ones of the last day) need, whatever ran before.

import { type RateLimitName, type RateLimits, RATE_LIMIT_WINDOWS } from '../../rate-limits.ts';
import {
  banDurationMs,
  type BanPolicy,
  checkHitRequest,
  checkLimits,
  DEFAULT_BAN_POLICY,
  type Hit,
  type HitRequest,
  type Limiter,
  type Refusal,
  secondsUntil,
  type Usage,
  type WindowUsage,
} from './limiter.ts';

export interface MemoryLimiterOptions {
  limits: RateLimits;
  banPolicy?: BanPolicy;
  /** How often (by the requests' clock) ended windows, bans and ban histories are dropped. */
  sweepEveryMs?: number;
}

interface Counter {
  window: number;
  count: number;
  /** When the window ends; the counter may be dropped from then on. */
  endsAt: number;
}

interface Strikes {
  bans: number;
  forgetAt: number;
}

const VIOLATION_WINDOW_MS = RATE_LIMIT_WINDOWS.weight1m.ms;

export class MemoryLimiter implements Limiter {
  readonly #limits: RateLimits;
  readonly #policy: BanPolicy;
  readonly #sweepEveryMs: number;
  readonly #counters = new Map<string, Counter>();
  readonly #bans = new Map<string, number>();
  readonly #strikes = new Map<string, Strikes>();
  #nextSweep = 0;

  constructor(options: MemoryLimiterOptions) {
    const { limits, banPolicy = DEFAULT_BAN_POLICY, sweepEveryMs = 10_000 } = options;
    checkLimits(limits, banPolicy);
    this.#limits = { ...limits };
    this.#policy = { ...banPolicy };
    this.#sweepEveryMs = sweepEveryMs;
  }

  /** Entries held (counters, bans, ban histories): what the sweep keeps bounded. */
  get size(): number {
    return this.#counters.size + this.#bans.size + this.#strikes.size;
  }

  async hit(request: HitRequest): Promise<Hit> {
    checkHitRequest(request);
    return this.#hit(request);
  }

  #hit({ ip, accountId, weight, orders, now }: HitRequest): Hit {
    this.#sweep(now);
    const account = accountId === undefined ? undefined : `${accountId}`;
    const bannedUntil = this.#bans.get(ip) ?? 0;
    if (bannedUntil > now) {
      const usage = this.#usage(ip, account, 0, now);
      return {
        allowed: false,
        refusal: 'ban',
        retryAfterSeconds: secondsUntil(bannedUntil - now),
        bannedUntil,
        usage,
      };
    }
    const usage = this.#usage(ip, account, weight, now);
    let refusal: Refusal | null = null;
    let retryMs = 0;
    if (weight > 0 && usage.weight1m.count > usage.weight1m.limit) {
      [refusal, retryMs] = ['weight1m', usage.weight1m.resetMs];
    } else if (orders > 0 && account !== undefined) {
      const { orders10s, orders1d } = usage as Required<Usage>;
      if (orders1d.count + orders > orders1d.limit) [refusal, retryMs] = ['orders1d', orders1d.resetMs];
      else if (orders10s.count + orders > orders10s.limit)
        [refusal, retryMs] = ['orders10s', orders10s.resetMs];
      else {
        usage.orders10s = this.#add('orders10s', account, orders, now);
        usage.orders1d = this.#add('orders1d', account, orders, now);
      }
    }
    if (refusal === null) return { allowed: true, usage };
    return this.#refuse(ip, refusal, retryMs, usage, now);
  }

  /** Counts `weight` for the IP and reports the usage, with the account's order counts when it has one. */
  #usage(ip: string, account: string | undefined, weight: number, now: number): Usage {
    const usage: Usage = { weight1m: this.#add('weight1m', ip, weight, now) };
    if (account !== undefined) {
      usage.orders10s = this.#add('orders10s', account, 0, now);
      usage.orders1d = this.#add('orders1d', account, 0, now);
    }
    return usage;
  }

  #add(name: RateLimitName, owner: string, by: number, now: number): WindowUsage {
    const { count, endsAt } = this.#count(`${name}:${owner}`, RATE_LIMIT_WINDOWS[name].ms, by, now);
    return { count, limit: this.#limits[name], resetMs: endsAt - now };
  }

  #count(key: string, size: number, by: number, now: number): Counter {
    const current = Math.floor(now / size);
    const stored = this.#counters.get(key);
    // A counter in a later window than `now` says is taken as the current one: counts never move backwards.
    const counter =
      stored !== undefined && stored.window >= current
        ? { ...stored, count: stored.count + by }
        : { window: current, count: by, endsAt: (current + 1) * size };
    if (by > 0) this.#counters.set(key, counter);
    return counter;
  }

  #refuse(ip: string, refusal: Refusal, retryMs: number, usage: Usage, now: number): Hit {
    const violations = this.#count(`violations:${ip}`, VIOLATION_WINDOW_MS, 1, now);
    if (violations.count <= this.#policy.rejectionsBeforeBan) {
      return { allowed: false, refusal, retryAfterSeconds: secondsUntil(retryMs), usage };
    }
    const strikes = this.#strikes.get(ip);
    const nth = strikes !== undefined && strikes.forgetAt > now ? strikes.bans + 1 : 1;
    const duration = banDurationMs(this.#policy, nth);
    const bannedUntil = now + duration;
    this.#bans.set(ip, bannedUntil);
    this.#strikes.set(ip, { bans: nth, forgetAt: bannedUntil + this.#policy.repeatMemoryMs });
    this.#counters.delete(`violations:${ip}`);
    return { allowed: false, refusal: 'ban', retryAfterSeconds: secondsUntil(duration), bannedUntil, usage };
  }

  #sweep(now: number): void {
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + this.#sweepEveryMs;
    for (const [key, counter] of this.#counters) if (counter.endsAt <= now) this.#counters.delete(key);
    for (const [ip, until] of this.#bans) if (until <= now) this.#bans.delete(ip);
    for (const [ip, strikes] of this.#strikes) if (strikes.forgetAt <= now) this.#strikes.delete(ip);
  }
}
