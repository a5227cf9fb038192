// The limiter contract (limiter.ts), run against both implementations: MemoryLimiter, and RedisLimiter on the
// real Redis (TEST_REDIS_URL, default 127.0.0.1:6379) on the caller's clock, a key prefix of its own per test,
// deleted afterwards. Time is whatever each hit says: windows, resets and bans are checked to the millisecond.

import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { deleteKeys, REDIS_URL, runPrefix } from '../../../matcher/bus/test-kit.ts';
import type { RateLimits } from '../../rate-limits.ts';
import { type BanPolicy, type Hit, type HitRequest, type Limiter } from './limiter.ts';
import { MemoryLimiter } from './memory-limiter.ts';
import { RedisLimiter } from './redis-limiter.ts';

const RUN = runPrefix();
const LIMITS: RateLimits = { weight1m: 10, orders10s: 3, orders1d: 5 };
/** A minute (and 10-second) boundary; the next UTC midnight is 12 hours later. */
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const MIDNIGHT = Date.UTC(2026, 0, 6);
const MINUTE = 60_000;

interface Harness {
  name: string;
  open(limits?: RateLimits, banPolicy?: BanPolicy): Promise<Limiter>;
}

const redisLimiters: RedisLimiter[] = [];
let prefixes = 0;

const harnesses: Harness[] = [
  {
    name: 'MemoryLimiter',
    open: async (limits = LIMITS, banPolicy) => new MemoryLimiter({ limits, banPolicy }),
  },
  {
    name: 'RedisLimiter',
    open: async (limits = LIMITS, banPolicy) => {
      const prefix = `${RUN}${++prefixes}:`;
      const limiter = await RedisLimiter.connect({
        url: REDIS_URL,
        prefix,
        limits,
        banPolicy,
        clock: 'caller',
      });
      redisLimiters.push(limiter);
      return limiter;
    },
  },
];

afterEach(async () => {
  await Promise.all(redisLimiters.map((limiter) => limiter.close()));
  redisLimiters.length = 0;
});

afterAll(() => deleteKeys(RUN));

const refusal = (hit: Hit) => (hit.allowed ? null : hit.refusal);

describe.each(harnesses)('$name', (harness) => {
  let limiter: Limiter;
  const hit = (request: Partial<HitRequest> & { now: number }) =>
    limiter.hit({ ip: '203.0.113.7', weight: 1, orders: 0, ...request });

  /** Refusals until the IP is banned; returns the banning hit. */
  async function banAt(now: number, ip = '203.0.113.7'): Promise<Hit> {
    for (let i = 0; i < 10; i++) expect(refusal(await hit({ ip, weight: 11, now }))).toBe('weight1m');
    return hit({ ip, weight: 11, now });
  }

  it('counts weight per IP in minute windows aligned to the minute, reset at the boundary', async () => {
    limiter = await harness.open();
    expect(await hit({ weight: 4, now: T0 + 1_000 })).toEqual({
      allowed: true,
      usage: { weight1m: { count: 4, limit: 10, resetMs: 59_000 } },
    });
    expect((await hit({ weight: 6, now: T0 + 59_999 })).usage.weight1m).toEqual({
      count: 10,
      limit: 10,
      resetMs: 1,
    });
    const next = await hit({ weight: 1, now: T0 + MINUTE });
    expect(next).toMatchObject({ allowed: true, usage: { weight1m: { count: 1, resetMs: MINUTE } } });
  });

  it('refuses weight beyond the limit until the next minute, and counts the refused requests', async () => {
    limiter = await harness.open();
    expect((await hit({ weight: 10, now: T0 + 20_000 })).allowed).toBe(true);
    const refused = await hit({ weight: 1, now: T0 + 20_500 });
    expect(refused).toEqual({
      allowed: false,
      refusal: 'weight1m',
      retryAfterSeconds: 40,
      usage: { weight1m: { count: 11, limit: 10, resetMs: 39_500 } },
    });
    expect((await hit({ weight: 3, now: T0 + 59_000 })).usage.weight1m.count).toBe(14);
    expect(await hit({ weight: 10, now: T0 + MINUTE })).toMatchObject({ allowed: true });
  });

  it('keeps IPs apart, loopback and IPv6 included', async () => {
    limiter = await harness.open();
    expect((await hit({ ip: '127.0.0.1', weight: 10, now: T0 })).allowed).toBe(true);
    expect(refusal(await hit({ ip: '127.0.0.1', now: T0 }))).toBe('weight1m');
    expect(await hit({ ip: '::1', now: T0 })).toMatchObject({
      allowed: true,
      usage: { weight1m: { count: 1 } },
    });
    expect((await hit({ ip: '2001:db8::1', now: T0 })).usage.weight1m.count).toBe(1);
  });

  it('counts orders per account, only when placed, in 10-second and UTC-day windows', async () => {
    limiter = await harness.open();
    expect(await hit({ accountId: 1, now: T0 + 1_000 })).toEqual({
      allowed: true,
      usage: {
        weight1m: { count: 1, limit: 10, resetMs: 59_000 },
        orders10s: { count: 0, limit: 3, resetMs: 9_000 },
        orders1d: { count: 0, limit: 5, resetMs: MIDNIGHT - T0 - 1_000 },
      },
    });
    expect((await hit({ accountId: 1, orders: 1, weight: 0, now: T0 + 2_000 })).usage).toMatchObject({
      weight1m: { count: 1 },
      orders10s: { count: 1 },
      orders1d: { count: 1 },
    });
    expect((await hit({ now: T0 + 2_000 })).usage).toEqual({
      weight1m: { count: 2, limit: 10, resetMs: 58_000 },
    });
    // Per account, whichever IP it comes from; other accounts are apart.
    expect((await hit({ ip: '198.51.100.1', accountId: 1, orders: 1, now: T0 + 3_000 })).usage).toMatchObject(
      {
        orders10s: { count: 2 },
        orders1d: { count: 2 },
      },
    );
    expect((await hit({ accountId: 2, orders: 1, now: T0 + 3_000 })).usage.orders10s?.count).toBe(1);
  });

  it('refuses orders beyond the 10-second limit until the next mark, counting no refused order', async () => {
    limiter = await harness.open();
    for (const at of [1_000, 2_000, 3_000])
      expect((await hit({ accountId: 1, orders: 1, now: T0 + at })).allowed).toBe(true);
    expect(await hit({ accountId: 1, orders: 1, now: T0 + 4_500 })).toEqual({
      allowed: false,
      refusal: 'orders10s',
      retryAfterSeconds: 6,
      usage: {
        weight1m: { count: 4, limit: 10, resetMs: 55_500 },
        orders10s: { count: 3, limit: 3, resetMs: 5_500 },
        orders1d: { count: 3, limit: 5, resetMs: MIDNIGHT - T0 - 4_500 },
      },
    });
    expect((await hit({ accountId: 1, orders: 1, now: T0 + 10_000 })).usage).toMatchObject({
      orders10s: { count: 1, resetMs: 10_000 },
      orders1d: { count: 4 },
    });
  });

  it('refuses orders beyond the daily limit until midnight UTC, then counts afresh', async () => {
    limiter = await harness.open();
    for (let i = 0; i < 5; i++) {
      expect((await hit({ accountId: 1, orders: 1, weight: 0, now: T0 + i * 10_000 })).allowed).toBe(true);
    }
    const refused = await hit({ accountId: 1, orders: 1, weight: 0, now: MIDNIGHT - 1_500 });
    expect(refused).toMatchObject({ allowed: false, refusal: 'orders1d', retryAfterSeconds: 2 });
    expect(refused.usage.orders1d).toEqual({ count: 5, limit: 5, resetMs: 1_500 });
    expect((await hit({ accountId: 1, orders: 1, weight: 0, now: MIDNIGHT })).usage.orders1d).toEqual({
      count: 1,
      limit: 5,
      resetMs: 86_400_000,
    });
  });

  it('judges a hit only on what it consumes: weight 0 passes an IP over its weight limit', async () => {
    limiter = await harness.open();
    await hit({ weight: 12, now: T0 });
    const order = await hit({ accountId: 1, orders: 1, weight: 0, now: T0 + 1 });
    expect(order).toMatchObject({
      allowed: true,
      usage: { weight1m: { count: 12 }, orders10s: { count: 1 } },
    });
  });

  it('counts into the newer window when a clock is behind it (edges with skewed clocks)', async () => {
    limiter = await harness.open();
    await hit({ weight: 3, now: T0 + MINUTE + 100 });
    expect((await hit({ weight: 2, now: T0 + MINUTE - 100 })).usage.weight1m).toEqual({
      count: 5,
      limit: 10,
      resetMs: MINUTE + 100,
    });
  });

  it('answers the 11th refusal within a minute with a 2-minute ban that counts nothing', async () => {
    limiter = await harness.open();
    const now = T0 + 30_000;
    const ban = await banAt(now);
    expect(ban).toMatchObject({
      allowed: false,
      refusal: 'ban',
      retryAfterSeconds: 120,
      bannedUntil: now + 120_000,
    });
    expect(ban.usage.weight1m.count).toBe(121);
    const during = await hit({ accountId: 1, orders: 1, now: now + 119_001 });
    expect(during).toMatchObject({ refusal: 'ban', retryAfterSeconds: 1, bannedUntil: now + 120_000 });
    expect(during.usage).toMatchObject({ weight1m: { count: 0 }, orders10s: { count: 0 } });
    expect((await hit({ ip: '198.51.100.1', now })).allowed).toBe(true);
    expect(await hit({ now: now + 120_000 })).toMatchObject({
      allowed: true,
      usage: { weight1m: { count: 1 } },
    });
  });

  it('bans for order refusals too', async () => {
    limiter = await harness.open();
    for (let i = 0; i < 3; i++) await hit({ accountId: 1, orders: 1, weight: 0, now: T0 });
    for (let i = 0; i < 10; i++)
      expect(refusal(await hit({ accountId: 1, orders: 1, weight: 0, now: T0 }))).toBe('orders10s');
    expect(refusal(await hit({ accountId: 1, orders: 1, weight: 0, now: T0 }))).toBe('ban');
  });

  it('does not ban a client that waited for the next window after its 429s', async () => {
    limiter = await harness.open();
    for (const at of [T0, T0 + MINUTE]) {
      for (let i = 0; i < 10; i++) expect(refusal(await hit({ weight: 11, now: at + i }))).toBe('weight1m');
    }
  });

  it('doubles repeated bans from 2 minutes up to 3 days', async () => {
    limiter = await harness.open();
    const seconds: number[] = [];
    let now = T0;
    for (let i = 0; i < 14; i++) {
      const ban = await banAt(now);
      if (ban.allowed) throw new Error('not banned');
      seconds.push(ban.retryAfterSeconds);
      now = Math.ceil(ban.bannedUntil! / MINUTE) * MINUTE;
    }
    const minutes = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 4320, 4320];
    expect(seconds).toEqual(minutes.map((m) => m * 60));
  });

  it('forgets a ban a day after it ended: the next one is 2 minutes again', async () => {
    limiter = await harness.open();
    const first = await banAt(T0);
    const second = await banAt(first.allowed ? 0 : first.bannedUntil! + 86_400_000);
    expect(second).toMatchObject({ refusal: 'ban', retryAfterSeconds: 120 });
  });

  it('rejects requests it cannot count', async () => {
    limiter = await harness.open();
    await expect(hit({ orders: 1, now: T0 })).rejects.toThrow(/per account/);
    await expect(hit({ weight: -1, now: T0 })).rejects.toThrow(RangeError);
    await expect(hit({ ip: '', now: T0 })).rejects.toThrow(TypeError);
  });
});
