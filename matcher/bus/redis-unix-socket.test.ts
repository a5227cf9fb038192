// A Redis on the same host over its Unix socket (REDIS_URL=unix:///path/redis.sock): the bus and the limiter
// work through it as through TCP. The test runs a Redis of its own (the machine's redis-server binary) that
// listens on a socket in a temporary directory and on no TCP port, so nothing can reach it any other way.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../../edge/rate-limits.ts';
import { RedisLimiter } from '../../edge/middleware/rate-limit/redis-limiter.ts';
import { ZERO_ID } from './bus.ts';
import { RedisBus } from './redis-bus.ts';
import { startSocketRedis } from './test-kit.ts';

let redis: { url: string; stop(): void };
let url: string;

beforeAll(async () => {
  redis = await startSocketRedis();
  url = redis.url;
}, 20_000);

afterAll(() => redis?.stop());

describe('Redis over a Unix socket', () => {
  it('carries commands through the stream and its consumer group', async () => {
    const bus = await RedisBus.connect({ url, prefix: 'unix:' });
    try {
      await bus.ensureGroup(ZERO_ID);
      const appended = await bus.append({ data: 'over the socket' });
      if (!('id' in appended)) throw new Error('append refused');
      expect(await bus.readNew(10, 100)).toEqual([{ id: appended.id, data: 'over the socket' }]);
    } finally {
      await bus.close();
    }
  });

  it('counts request weight in the limiter', async () => {
    const limits = { ...DEFAULT_RATE_LIMITS };
    const limiter = await RedisLimiter.connect({ url, prefix: 'unix:', limits, clock: 'caller' });
    try {
      const hit = (now: number) => limiter.hit({ ip: '10.0.0.1', weight: 7, orders: 0, now });
      const first = await hit(1_700_000_000_000);
      const second = await hit(1_700_000_000_001);
      expect(first.usage.weight1m.count).toBe(7);
      expect(second.usage.weight1m.count).toBe(14);
    } finally {
      await limiter.close();
    }
  });
});
