// What MemoryBus has beyond the contract (bus.contract.test.ts): its injectable clock, deliveries that never
// happen inside publish(), and a close() that leaves nothing running.

import { describe, expect, it } from 'vitest';
import { idTime, ZERO_ID } from './bus.ts';
import { MemoryBus } from './memory-bus.ts';

function manualClock(start: number): { now: () => number; set(ms: number): void } {
  let ms = start;
  return { now: () => ms, set: (to) => void (ms = to) };
}

async function idOf(bus: MemoryBus, data: string): Promise<string> {
  const appended = await bus.append({ data });
  if (!('id' in appended)) throw new Error('refused');
  return appended.id;
}

describe('MemoryBus', () => {
  it('takes ids from its clock and keeps them ascending when the clock goes back', async () => {
    const clock = manualClock(1_000);
    const bus = new MemoryBus({ clock: clock.now });
    const ids: string[] = [];
    for (const ms of [1_000, 1_000, 999, 1_001]) {
      clock.set(ms);
      ids.push(await idOf(bus, 'x'));
    }
    expect(ids).toEqual(['1000-0', '1000-1', '1000-2', '1001-0']);
    expect(idTime(ids[3]!)).toBe(1_001);
  });

  it('continues after the floor when the clock is behind it', async () => {
    const bus = new MemoryBus({ clock: () => 5 });
    await bus.ensureGroup('9-3');
    expect(await idOf(bus, 'x')).toBe('9-4');
  });

  it('expires leases by its clock', async () => {
    const clock = manualClock(0);
    const bus = new MemoryBus({ clock: clock.now });
    expect(await bus.acquireLease('matcher', 'a', 100)).toEqual({ epoch: 1 });
    clock.set(99);
    expect(await bus.acquireLease('matcher', 'b', 100)).toBeNull();
    expect(await bus.renewLease('matcher', 'a', 100)).toBe(true);
    clock.set(198);
    expect(await bus.acquireLease('matcher', 'b', 100)).toBeNull();
    clock.set(199);
    expect(await bus.acquireLease('matcher', 'b', 100)).toEqual({ epoch: 2 });
  });

  it('never delivers inside publish or flush', async () => {
    const bus = new MemoryBus();
    const got: string[] = [];
    await bus.subscribe('ch', (message) => got.push(message));
    const published = bus.publish('ch', 'a');
    const flushed = bus.flush({ messages: [{ channel: 'ch', message: 'b' }], keys: [], ack: [] });
    expect(got).toEqual([]);
    await Promise.all([published, flushed]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toEqual(['a', 'b']);
  });

  it('ends blocked reads with nothing on close and leaves no timer behind', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const bus = new MemoryBus();
    await bus.ensureGroup(ZERO_ID);
    const reads = [bus.readNew(1, 60_000), bus.readNew(1, 60_000)];
    expect(timers()).toBe(before + 2);
    await bus.close();
    expect(await Promise.all(reads)).toEqual([[], []]);
    expect(timers()).toBe(before);
    await expect(bus.append({ data: 'late' })).rejects.toThrow(/closed/);
  });

  it('serves blocked readers oldest first, one entry each when one arrives at a time', async () => {
    const bus = new MemoryBus();
    const first = bus.readNew(10, 1_000);
    const second = bus.readNew(10, 1_000);
    const a = await idOf(bus, 'a');
    const b = await idOf(bus, 'b');
    expect(await first).toEqual([{ id: a, data: 'a' }]);
    expect(await second).toEqual([{ id: b, data: 'b' }]);
    await bus.close();
  });
});
