// The bus contract (bus.ts), run against both implementations: MemoryBus, and RedisBus on the real Redis
// (TEST_REDIS_URL, default 127.0.0.1:6379) under a key prefix of this run's own, deleted afterwards. What only
// one implementation has is tested beside it (memory-bus.test.ts, redis-bus.test.ts).

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Appended, type BacklogFull, type Bus, compareIds, idTime, nextId, ZERO_ID } from './bus.ts';
import { MemoryBus } from './memory-bus.ts';
import { RedisBus } from './redis-bus.ts';
import { deleteKeys, eventually, REDIS_URL, runPrefix, sleep } from './test-kit.ts';

interface Harness {
  name: string;
  /** A bus with a stream of its own. */
  open(): Promise<Bus>;
  /** Another bus on the same stream, as a standby matcher that takes over sees it (MemoryBus: the same one). */
  reopen(bus: Bus): Promise<Bus>;
}

const RUN = runPrefix();
const opened = new Set<Bus>();
const prefixes = new WeakMap<Bus, string>();
let buses = 0;

async function connectRedis(prefix: string): Promise<Bus> {
  const bus = await RedisBus.connect({ url: REDIS_URL, prefix });
  prefixes.set(bus, prefix);
  opened.add(bus);
  return bus;
}

const harnesses: Harness[] = [
  {
    name: 'MemoryBus',
    open: async () => {
      const bus = new MemoryBus();
      opened.add(bus);
      return bus;
    },
    reopen: async (bus) => bus,
  },
  {
    name: 'RedisBus',
    open: () => connectRedis(`${RUN}${++buses}:`),
    reopen: (bus) => connectRedis(prefixes.get(bus)!),
  },
];

function idOf(appended: Appended | BacklogFull): string {
  if (!('id' in appended)) throw new Error(`refused: ${JSON.stringify(appended)}`);
  return appended.id;
}

afterEach(async () => {
  await Promise.all([...opened].map((bus) => bus.close()));
  opened.clear();
});

afterAll(() => deleteKeys(RUN));

describe.each(harnesses)('$name', (harness) => {
  let bus: Bus;
  const append = async (data: string) => idOf(await bus.append({ data }));

  beforeEach(async () => {
    bus = await harness.open();
    await bus.ensureGroup(ZERO_ID);
  });

  it('assigns ascending ids stamped with the bus time', async () => {
    const before = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await append(`c${i}`));
    const after = Date.now();
    for (let i = 1; i < ids.length; i++) expect(compareIds(ids[i - 1]!, ids[i]!)).toBeLessThan(0);
    for (const id of ids) {
      expect(idTime(id)).toBeGreaterThanOrEqual(before);
      expect(idTime(id)).toBeLessThanOrEqual(after);
    }
  });

  it('reads new entries in order, count at a time, with their trace context', async () => {
    const traced = idOf(await bus.append({ data: 'a', traceparent: '00-abc-def-01', tracestate: 'k=v' }));
    const rest = [await append('b'), await append('c'), await append('d')];
    expect(await bus.readNew(2, 0)).toEqual([
      { id: traced, data: 'a', traceparent: '00-abc-def-01', tracestate: 'k=v' },
      { id: rest[0], data: 'b' },
    ]);
    expect(await bus.readNew(10, 0)).toEqual([
      { id: rest[1], data: 'c' },
      { id: rest[2], data: 'd' },
    ]);
    expect(await bus.readNew(10, 0)).toEqual([]);
  });

  it('blocks a read until an append, and ends it empty after blockMs', async () => {
    let started = performance.now();
    expect(await bus.readNew(10, 100)).toEqual([]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);

    started = performance.now();
    const read = bus.readNew(10, 5_000);
    await sleep(30);
    const id = await append('wake');
    expect(await read).toEqual([{ id, data: 'wake' }]);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('delivers pending entries again after a crash, until a flush acknowledges them', async () => {
    const ids = [await append('a'), await append('b'), await append('c')];
    expect(await bus.readNew(10, 0)).toHaveLength(3);

    const standby = await harness.reopen(bus);
    await standby.ensureGroup(ZERO_ID);
    expect(await standby.readNew(10, 0)).toEqual([]);
    const pending = await standby.readPending(ZERO_ID, 10);
    expect(pending.map((e) => [e.id, e.data])).toEqual([
      [ids[0], 'a'],
      [ids[1], 'b'],
      [ids[2], 'c'],
    ]);
    await standby.flush({ messages: [], keys: [], ack: [ids[0]!, ids[1]!] });
    expect((await standby.readPending(ZERO_ID, 10)).map((e) => e.id)).toEqual([ids[2]]);
  });

  it('reads pending entries after the given id, count at a time', async () => {
    const ids = [await append('a'), await append('b'), await append('c')];
    await bus.readNew(10, 0);
    expect((await bus.readPending(ids[0]!, 10)).map((e) => e.id)).toEqual(ids.slice(1));
    expect((await bus.readPending(ZERO_ID, 2)).map((e) => e.id)).toEqual(ids.slice(0, 2));
    expect(await bus.readPending(ids[2]!, 10)).toEqual([]);
  });

  it('reads a pending entry trimmed from the stream back with no data', async () => {
    const [a, b] = [await append('a'), await append('b')];
    await bus.readNew(10, 0);
    await bus.flush({ messages: [], keys: [], ack: [], trimBelow: b });
    expect(await bus.backlog()).toBe(1);
    expect(await bus.readPending(ZERO_ID, 10)).toEqual([
      { id: a, data: null },
      { id: b, data: 'b' },
    ]);
  });

  it('flushes replies in order, snapshots, acks and a trim together', async () => {
    const replies: string[] = [];
    await bus.subscribe('replies', (message) => replies.push(message));
    const ids = [await append('a'), await append('b'), await append('c'), await append('d')];
    await bus.readNew(10, 0);
    await bus.flush({
      messages: ['r1', 'r2', 'r3'].map((message) => ({ channel: 'replies', message })),
      keys: [
        { key: 'depth:BTCUSDT', value: 'old' },
        { key: 'depth:BTCUSDT', value: 'new' },
      ],
      ack: [ids[0]!, ids[1]!],
      trimBelow: ids[2]!,
    });
    await eventually(() => expect(replies).toEqual(['r1', 'r2', 'r3']));
    expect(await bus.get('depth:BTCUSDT')).toBe('new');
    expect(await bus.get('depth:ETHUSDT')).toBeNull();
    expect((await bus.readPending(ZERO_ID, 10)).map((e) => e.id)).toEqual(ids.slice(2));
    expect(await bus.backlog()).toBe(2);
    await bus.flush({ messages: [], keys: [], ack: [] });
    expect(await bus.backlog()).toBe(2);
  });

  it('refuses an append at the backlog limit and accepts one below it', async () => {
    await append('a');
    await append('b');
    idOf(await bus.append({ data: 'c' }, 3));
    expect(await bus.append({ data: 'd' }, 3)).toEqual({ backlogFull: true, backlog: 3 });
    expect(await bus.backlog()).toBe(3);
    const delivered = await bus.readNew(10, 0);
    await bus.flush({ messages: [], keys: [], ack: [], trimBelow: nextId(delivered.at(-1)!.id) });
    expect(await bus.backlog()).toBe(0);
    idOf(await bus.append({ data: 'e' }, 3));
  });

  it('makes later ids sort after the floor, and never lowers them', async () => {
    const fresh = await harness.open();
    // Appended before the group exists (an edge up before the matcher): the floor is still raised above it.
    const early = idOf(await fresh.append({ data: 'early' }));
    const floor = `${Date.now() + 3_600_000}-7`;
    await fresh.ensureGroup(floor);
    const first = idOf(await fresh.append({ data: 'a' }));
    expect(compareIds(first, floor)).toBeGreaterThan(0);
    await fresh.ensureGroup(ZERO_ID);
    const second = idOf(await fresh.append({ data: 'b' }));
    expect(compareIds(second, first)).toBeGreaterThan(0);
    expect((await fresh.readNew(10, 0)).map((e) => e.id)).toEqual([early, first, second]);
  });

  it('keeps dead letters with their reason, oldest first', async () => {
    await bus.deadLetter({ id: '1-1', data: 'not json' }, 'undecodable');
    await bus.deadLetter({ id: '1-2', data: null }, 'trimmed');
    const letters = await bus.deadLetters(10);
    expect(letters.map(({ data, reason }) => ({ data, reason }))).toEqual([
      { data: 'not json', reason: 'undecodable' },
      { data: null, reason: 'trimmed' },
    ]);
    expect(compareIds(letters[0]!.id, letters[1]!.id)).toBeLessThan(0);
    expect(await bus.deadLetters(1)).toHaveLength(1);
  });

  it('delivers published messages to subscribers of this bus only, until they unsubscribe', async () => {
    const got: string[] = [];
    const unsubscribe = await bus.subscribe('ticker', (message) => got.push(message));
    const other = await harness.open();
    const otherGot: string[] = [];
    await other.subscribe('ticker', (message) => otherGot.push(message));

    await bus.publish('ticker', 'm1');
    await bus.publish('ticker', 'm2');
    await eventually(() => expect(got).toEqual(['m1', 'm2']));

    await unsubscribe();
    await bus.publish('ticker', 'm3');
    const probe: string[] = [];
    await bus.subscribe('ticker', (message) => probe.push(message));
    await bus.publish('ticker', 'm4');
    // m3 was published before m4, so had it been delivered it would have arrived first.
    await eventually(() => expect(probe).toEqual(['m4']));
    expect(got).toEqual(['m1', 'm2']);

    await other.publish('ticker', 'own');
    await eventually(() => expect(otherGot).toEqual(['own']));
  });

  it('grants a lease to one owner at a time, with a higher epoch each time', async () => {
    const first = await bus.acquireLease('matcher', 'a', 200);
    expect(first).not.toBeNull();
    expect(await bus.acquireLease('matcher', 'b', 200)).toBeNull();
    expect(await bus.renewLease('matcher', 'b', 200)).toBe(false);
    await bus.releaseLease('matcher', 'b');
    expect(await bus.renewLease('matcher', 'a', 200)).toBe(true);

    await sleep(250);
    expect(await bus.renewLease('matcher', 'a', 200)).toBe(false);
    const second = await bus.acquireLease('matcher', 'b', 5_000);
    expect(second!.epoch).toBeGreaterThan(first!.epoch);

    await bus.releaseLease('matcher', 'b');
    const third = await bus.acquireLease('matcher', 'a', 5_000);
    expect(third!.epoch).toBeGreaterThan(second!.epoch);
    expect(await bus.acquireLease('other', 'b', 5_000)).not.toBeNull();
  });

  it('answers ping', async () => {
    await expect(bus.ping()).resolves.toBeUndefined();
  });
});

describe('stream ids', () => {
  it('compare numerically, seq beyond 2^53 included', () => {
    expect(compareIds('1-2', '1-10')).toBeLessThan(0);
    expect(compareIds('10-0', '9-99')).toBeGreaterThan(0);
    expect(compareIds('5-5', '5-5')).toBe(0);
    expect(compareIds('5', '5-0')).toBe(0);
    expect(compareIds('1-9007199254740993', '1-9007199254740992')).toBeGreaterThan(0);
  });

  it('step to the next id and tell their time', () => {
    expect(nextId('1-9')).toBe('1-10');
    expect(nextId('1-9007199254740992')).toBe('1-9007199254740993');
    expect(nextId(ZERO_ID)).toBe('0-1');
    expect(idTime('1700000000000-3')).toBe(1_700_000_000_000);
    expect(idTime('42')).toBe(42);
  });
});
