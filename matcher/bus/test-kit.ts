// Helpers for the bus tests: the real Redis they use, key prefixes of their own per run, and waiting for
// something asynchronous to happen.

import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { redisTarget } from './redis-target.ts';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix no other run (or other test file) uses, so runs cannot collide and cleanup finds only ours. */
export function runPrefix(): string {
  return `test:${process.pid}:${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key under the prefix. */
export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(redisTarget(REDIS_URL), { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until `check` passes (it may throw or return false until then), failing after `timeoutMs`. */
export async function eventually(check: () => unknown, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await check()) !== false) return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(5);
  }
}
