// What RedisLimiter has beyond the contract (limiter.contract.test.ts): its keys and their expiry, Redis's clock,
// exact counting when several edge processes share it, and failing fast without Redis.

import { Redis } from 'ioredis';
import { redisTarget } from '../../../matcher/bus/redis-target.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys, REDIS_URL, runPrefix } from '../../../matcher/bus/test-kit.ts';
import type { Hit } from './limiter.ts';
import { RedisLimiter, type RedisLimiterOptions } from './redis-limiter.ts';

const RUN = runPrefix();
const LIMITS = { weight1m: 600, orders10s: 3, orders1d: 5 };
const T0 = Date.UTC(2026, 0, 5, 12, 0, 30);
const opened: RedisLimiter[] = [];
let raw: Redis;

async function open(prefix: string, options: Partial<RedisLimiterOptions> = {}): Promise<RedisLimiter> {
  const limiter = await RedisLimiter.connect({
    url: REDIS_URL,
    prefix,
    limits: LIMITS,
    clock: 'caller',
    ...options,
  });
  opened.push(limiter);
  return limiter;
}

beforeAll(() => {
  raw = new Redis(redisTarget(REDIS_URL));
});

afterEach(async () => {
  await Promise.all(opened.map((limiter) => limiter.close()));
  opened.length = 0;
});

afterAll(async () => {
  raw.disconnect();
  await deleteKeys(RUN);
});

describe('RedisLimiter', () => {
  it('keeps its counters, violations, ban and ban history under the prefix, each expiring', async () => {
    const prefix = `${RUN}keys:`;
    const limiter = await open(prefix, { limits: { ...LIMITS, weight1m: 1 } });
    await limiter.hit({ ip: '10.0.0.1', accountId: 42, weight: 1, orders: 1, now: T0 });
    for (let i = 0; i < 11; i++) await limiter.hit({ ip: '10.0.0.2', weight: 2, orders: 0, now: T0 });
    const names = ['o10:42', 'o1d:42', 'w:10.0.0.1', 'w:10.0.0.2', 'ban:10.0.0.2', 'strikes:10.0.0.2'];
    expect((await raw.keys(`${prefix}*`)).sort()).toEqual(names.map((name) => `${prefix}rl:${name}`).sort());
    // A counter lives to the end of the window after its own; a ban as long as it lasts; its history a day
    // more.
    const ttl = async (name: string) => raw.pttl(`${prefix}rl:${name}`);
    expect(await ttl('w:10.0.0.1')).toBeGreaterThan(80_000);
    expect(await ttl('w:10.0.0.1')).toBeLessThanOrEqual(90_000);
    expect(await ttl('o10:42')).toBeLessThanOrEqual(20_000);
    expect(await ttl('o1d:42')).toBeLessThanOrEqual(2 * 86_400_000);
    expect(await ttl('ban:10.0.0.2')).toBeLessThanOrEqual(120_000);
    expect(await ttl('ban:10.0.0.2')).toBeGreaterThan(110_000);
    expect(await ttl('strikes:10.0.0.2')).toBeGreaterThan(86_400_000);
  });

  it("runs on Redis's clock unless told to use the caller's", async () => {
    const limiter = await open(`${RUN}time:`, { clock: 'redis' });
    const [seconds, micros] = await raw.time();
    const before = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const hit = await limiter.hit({ ip: '10.0.0.1', weight: 1, orders: 0, now: 0 });
    const resetAt = before + hit.usage.weight1m.resetMs;
    // The window the hit was counted in ends at the next minute boundary of Redis's clock, not of time 0.
    expect(resetAt % 60_000 < 1_000 || resetAt % 60_000 > 59_000).toBe(true);
    expect(hit.usage.weight1m.resetMs).toBeLessThanOrEqual(60_000);
    expect(hit.usage.weight1m.resetMs).toBeGreaterThanOrEqual(60_000 - (before % 60_000) - 1_000);
  });

  it('counts exactly across edge processes: 2 x 500 concurrent hits against a limit of 600', async () => {
    const prefix = `${RUN}shared:`;
    const edges = [await open(prefix), await open(prefix)];
    const hits = await Promise.all(
      edges.flatMap((edge) =>
        Array.from({ length: 500 }, () => edge.hit({ ip: '10.9.9.9', weight: 1, orders: 0, now: T0 })),
      ),
    );
    const outcome = (hit: Hit) => (hit.allowed ? 'allowed' : hit.refusal);
    const tally = Object.fromEntries(['allowed', 'weight1m', 'ban'].map((o) => [o, 0]));
    for (const hit of hits) tally[outcome(hit)]! += 1;
    // Exactly the limit passes; then ten 429s, and the eleventh refusal bans the IP for the rest.
    expect(tally).toEqual({ allowed: 600, weight1m: 10, ban: 390 });
    const counts = hits.filter((hit) => outcome(hit) !== 'ban').map((hit) => hit.usage.weight1m.count);
    expect(counts.sort((a, b) => a - b)).toEqual(Array.from({ length: 610 }, (_, i) => i + 1));
  });

  it('fails fast when Redis is unreachable', async () => {
    const started = Date.now();
    const options = { url: 'redis://127.0.0.1:1', prefix: RUN, limits: LIMITS, connectTimeoutMs: 500 };
    await expect(RedisLimiter.connect(options)).rejects.toThrow(/unreachable/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
