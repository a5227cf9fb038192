// The order id index against a Map: ids issued in order and closed at random, as the engine does, and ids
// restored in any order, as recovery does. Tiny pages make old pages go sparse and move to the hash table often.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashIdIndex, IdIndex } from './id-index.ts';

type Step =
  | { op: 'open'; slot: number } // the next id
  | { op: 'close'; pick: number } // an open id, by position
  | { op: 'closeUnknown'; id: number }
  | { op: 'restore'; id: number; slot: number } // any id, as recovery sets them
  | { op: 'get'; id: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('open' as const), slot: fc.nat(1_000_000) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('close' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('closeUnknown' as const), id: fc.nat(5_000) }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('restore' as const), id: fc.nat(5_000), slot: fc.nat(1_000_000) }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('get' as const), id: fc.nat(5_000) }) },
);

function check(
  index: IdIndex | HashIdIndex,
  model: Map<number, number>,
  steps: Step[],
  firstId: number,
): void {
  let next = firstId;
  const open: number[] = [];
  for (const s of steps) {
    switch (s.op) {
      case 'open':
        index.set(next, s.slot);
        model.set(next, s.slot);
        open.push(next++);
        break;
      case 'close': {
        if (open.length === 0) break;
        const at = s.pick % open.length;
        const id = open[at]!;
        open[at] = open[open.length - 1]!;
        open.pop();
        expect(index.delete(id)).toBe(model.delete(id));
        break;
      }
      case 'closeUnknown':
        expect(index.delete(s.id)).toBe(model.delete(s.id));
        break;
      case 'restore':
        index.set(s.id, s.slot);
        model.set(s.id, s.slot);
        if (!open.includes(s.id)) open.push(s.id);
        break;
      case 'get':
        expect(index.get(s.id)).toBe(model.get(s.id));
        break;
    }
    expect(index.size).toBe(model.size);
  }
  for (const [id, slot] of model) expect(index.get(id)).toBe(slot);
  for (let id = 0; id < next + 10; id++) expect(index.get(id)).toBe(model.get(id));
}

describe('IdIndex', () => {
  it('agrees with a Map on ids opened in order, closed at random and restored in any order', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 600 }), fc.nat(3_000), (steps, firstId) => {
        check(new IdIndex(3, 3), new Map(), steps, firstId + 1); // 8 ids a page, dropped below 3 open
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with a Map at its real page size', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 2_000 }), (steps) => {
        check(new IdIndex(), new Map(), steps, 1);
      }),
      { numRuns: 50 },
    );
  });

  it('drops old pages that go sparse and finds their ids in the hash table', () => {
    const index = new IdIndex(7); // 128 ids per page: an old page with fewer than 2 open orders is dropped
    const pages = (index as unknown as { pages: (Int32Array | undefined)[] }).pages;
    const last = 128 * 50;
    for (let id = 1; id <= last; id++) index.set(id, id * 2);
    for (let id = 1; id <= last; id++) if (id % 128 !== 5) index.delete(id);
    // Every page but the two newest is down to one open order and dropped; its order is in the hash table.
    expect(pages.filter((p) => p !== undefined).length).toBe(2);
    expect(index.size).toBe(50);
    for (let id = 1; id <= last + 200; id++)
      expect(index.get(id)).toBe(id % 128 === 5 && id <= last ? id * 2 : undefined);
    expect(index.delete(128 * 3 + 5)).toBe(true);
    expect(index.delete(128 * 3 + 5)).toBe(false);
    expect(index.get(128 * 3 + 5)).toBeUndefined();
    // An id of a dropped page set again (a restore) goes to the hash table too.
    index.set(128 * 3 + 6, 7);
    expect(index.get(128 * 3 + 6)).toBe(7);
    expect(pages.filter((p) => p !== undefined).length).toBe(2);
    expect(index.size).toBe(50);
  });

  it('keeps memory to the open orders: a long run with few orders open keeps few pages', () => {
    const index = new IdIndex(); // 4096 ids per page
    const open: number[] = [];
    for (let id = 1; id <= 1_000_000; id++) {
      index.set(id, id % 1000);
      open.push(id);
      // About one order in 500 stays open for good; the rest close soon after they open.
      if (open.length > 8) {
        const closing = open.shift()!;
        if (closing % 500 !== 0) index.delete(closing);
      }
    }
    const pages = (index as unknown as { pages: (Int32Array | undefined)[] }).pages;
    const kept = pages.filter((p) => p !== undefined).length;
    // About 2,000 orders stay open across 245 pages: every old page keeps about 8, fewer than 4096 / 64.
    expect(kept).toBeLessThanOrEqual(2);
    expect(index.size).toBe(Math.floor((1_000_000 - 8) / 500) + 8);
    expect(index.get(500_000)).toBe(0);
    expect(index.get(500_001)).toBeUndefined();
  });
});

describe('HashIdIndex', () => {
  it('agrees with a Map', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 600 }), fc.nat(3_000), (steps, firstId) => {
        check(new HashIdIndex(), new Map(), steps, firstId + 1);
      }),
      { numRuns: 100 },
    );
  });
});
