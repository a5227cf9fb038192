// Helpers for the bus tests: the real Redis they use, key prefixes of their own per run, and waiting for
// something asynchronous to happen.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/**
 * A Redis of the caller's own (the machine's redis-server binary) listening on a Unix socket in a temporary
 * directory and on no TCP port; resolves with its unix:// URL once it answers there. `stop` kills it and removes
 * the directory (also done when this process exits).
 */
export async function startSocketRedis(timeoutMs = 10_000): Promise<{ url: string; stop(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'spot-redis-'));
  const socket = join(dir, 'redis.sock');
  const server = spawn(
    'redis-server',
    ['--port', '0', '--unixsocket', socket, '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const stop = () => {
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  const url = `unix://${socket}`;
  try {
    await eventually(async () => {
      const probe = new Redis(redisTarget(url), { lazyConnect: true, maxRetriesPerRequest: 0 });
      probe.on('error', () => {});
      try {
        await probe.connect();
      } finally {
        probe.disconnect();
      }
    }, timeoutMs);
  } catch (error) {
    stop();
    throw new Error('the Redis on a Unix socket did not start', { cause: error });
  }
  return { url, stop };
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
