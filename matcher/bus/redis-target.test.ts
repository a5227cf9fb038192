import { describe, expect, it } from 'vitest';
import { redisServer } from '../../observability/tracing.ts';
import { redisTarget } from './redis-target.ts';

describe('Redis URLs', () => {
  it('gives ioredis a TCP URL as it is, and a unix:// URL as the socket path it takes', () => {
    expect(redisTarget('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redisTarget('rediss://user:pw@cache.internal:6380/2')).toBe(
      'rediss://user:pw@cache.internal:6380/2',
    );
    expect(redisTarget('unix:///run/redis/redis.sock')).toBe('/run/redis/redis.sock');
    expect(redisTarget('unix:///run/redis/redis.sock?db=3')).toBe('/run/redis/redis.sock?db=3');
    expect(redisTarget('unix:///tmp/my%20redis.sock')).toBe('/tmp/my redis.sock');
    expect(() => redisTarget('unix://')).toThrow(/no socket path/);
  });

  it("names the server in spans by host and port, or by the socket's path", () => {
    expect(redisServer('redis://10.0.0.5')).toEqual({ address: '10.0.0.5', port: 6379 });
    expect(redisServer('redis://10.0.0.5:7000')).toEqual({ address: '10.0.0.5', port: 7000 });
    expect(redisServer('unix:///run/redis/redis.sock')).toEqual({ address: '/run/redis/redis.sock' });
  });
});
