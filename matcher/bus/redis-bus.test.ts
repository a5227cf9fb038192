// What RedisBus has beyond the contract (bus.contract.test.ts): its key names, surviving a Redis that lost its
// data, and failing fast, without crashing the process, while Redis is unreachable.

import { Redis } from 'ioredis';
import { redisTarget } from './redis-target.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compareIds, ZERO_ID } from './bus.ts';
import { startProxy } from '../tcp-proxy.ts';
import { RedisBus } from './redis-bus.ts';
import { deleteKeys, eventually, REDIS_URL, runPrefix } from './test-kit.ts';

const RUN = runPrefix();
const opened: RedisBus[] = [];
let raw: Redis;

async function open(prefix = RUN, url = REDIS_URL): Promise<RedisBus> {
  const bus = await RedisBus.connect({ url, prefix, connectTimeoutMs: 500, commandTimeoutMs: 1_000 });
  opened.push(bus);
  return bus;
}

/** Where the TCP proxy of the outage tests forwards to. */
const proxiedRedis = () => {
  const url = new URL(REDIS_URL);
  return { host: url.hostname, port: Number(url.port || 6379) };
};

beforeAll(() => {
  raw = new Redis(redisTarget(REDIS_URL));
});

afterEach(async () => {
  await Promise.all(opened.map((bus) => bus.close()));
  opened.length = 0;
});

afterAll(async () => {
  raw.disconnect();
  await deleteKeys(RUN);
});

describe('RedisBus', () => {
  it('keeps its stream, dead letters, snapshots and leases under its prefix', async () => {
    const prefix = `${RUN}names:`;
    const bus = await open(prefix);
    await bus.ensureGroup(ZERO_ID);
    await bus.append({ data: 'a' });
    await bus.deadLetter({ id: '1-1', data: 'x' }, 'undecodable');
    await bus.flush({ messages: [], keys: [{ key: 'depth:BTCUSDT', value: '{}' }], ack: [] });
    await bus.acquireLease('matcher', 'me', 5_000);
    expect((await raw.keys(`${prefix}*`)).sort()).toEqual(
      ['cmd:main', 'depth:BTCUSDT', 'dlq:main', 'lease-epoch:matcher', 'lease:matcher'].map(
        (k) => prefix + k,
      ),
    );
    expect(await raw.xinfo('GROUPS', `${prefix}cmd:main`)).toEqual([
      expect.arrayContaining(['name', 'matcher', 'pending', 0]),
    ]);
  });

  it('makes the group again, above the same floor, when Redis lost the stream', async () => {
    const prefix = `${RUN}lost:`;
    const bus = await open(prefix);
    const floor = `${Date.now() + 3_600_000}-0`;
    await bus.ensureGroup(floor);
    await bus.append({ data: 'before' });
    await raw.del(`${prefix}cmd:main`);

    expect(await bus.readNew(10, 50)).toEqual([]);
    const appended = await bus.append({ data: 'after' });
    if (!('id' in appended)) throw new Error('refused');
    expect(compareIds(appended.id, floor)).toBeGreaterThan(0);
    expect(await bus.readNew(10, 50)).toEqual([{ id: appended.id, data: 'after' }]);
    await raw.del(`${prefix}cmd:main`);
    expect(await bus.readPending(ZERO_ID, 10)).toEqual([]);
  });

  it('refuses to connect to a Redis that is not there, promptly', async () => {
    const started = performance.now();
    await expect(open(RUN, 'redis://127.0.0.1:1')).rejects.toThrow(/unreachable/);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('rejects calls while Redis is unreachable and works again once it is back', async () => {
    const proxy = await startProxy(proxiedRedis());
    const bus = await open(`${RUN}cut:`, `redis://127.0.0.1:${proxy.port}`);
    await bus.ensureGroup(ZERO_ID);
    const read = bus.readNew(10, 5_000).catch((err: unknown) => err);
    await proxy.stop();

    const started = performance.now();
    await expect(bus.backlog()).rejects.toThrow(Error);
    await expect(bus.append({ data: 'lost' })).rejects.toThrow(Error);
    expect(await read).toBeInstanceOf(Error);
    // An empty outbox makes no round trip, so it cannot fail.
    await bus.flush({ messages: [], keys: [], ack: [] });
    expect(performance.now() - started).toBeLessThan(3_000);

    const restarted = await startProxy(proxiedRedis(), proxy.port);
    try {
      await eventually(() => bus.ping(), 3_000);
      expect(await bus.backlog()).toBe(0);
    } finally {
      await bus.close();
      await restarted.stop();
    }
  });
});
