// The price index against a Map: prices near each other (one page) and far apart (many pages, up to the
// largest safe integer), set, overwritten, deleted and looked up in any order, so pages are made, emptied and
// dropped while the remembered page changes.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PriceIndex } from './price-index.ts';

const price = fc.oneof(
  fc.integer({ min: 1, max: 1_000 }), // a few pages
  fc.integer({ min: 10_000_000 - 600, max: 10_000_000 + 600 }), // around a market's price
  fc.constantFrom(1, 255, 256, 257, 511, 512, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 256),
);
const step = fc.oneof(
  fc.record({ op: fc.constant('set' as const), price, value: fc.nat() }),
  fc.record({ op: fc.constant('delete' as const), price }),
  fc.record({ op: fc.constant('get' as const), price }),
);

describe('PriceIndex', () => {
  it('answers as a Map does', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 400 }), (steps) => {
        const index = new PriceIndex<{ value: number }>();
        const model = new Map<number, { value: number }>();
        for (const s of steps) {
          if (s.op === 'set') {
            const v = { value: s.value };
            index.set(s.price, v);
            model.set(s.price, v);
          } else if (s.op === 'delete') {
            expect(index.delete(s.price)).toBe(model.delete(s.price));
          } else {
            expect(index.get(s.price)).toBe(model.get(s.price));
          }
          expect(index.size).toBe(model.size);
        }
        for (const [p, v] of model) expect(index.get(p)).toBe(v);
      }),
      { numRuns: 300 },
    );
  });

  it('drops a page when its last price goes and makes it again on the next', () => {
    const index = new PriceIndex<string>();
    index.set(300, 'a');
    index.set(5_000, 'b'); // another page, now remembered
    expect(index.delete(300)).toBe(true);
    expect(index.get(300)).toBeUndefined();
    expect(index.get(301)).toBeUndefined();
    index.set(301, 'c');
    expect(index.get(301)).toBe('c');
    expect(index.get(5_000)).toBe('b');
    expect(index.delete(300)).toBe(false);
    expect(index.size).toBe(2);
  });

  it('reuses an emptied page for another page, holding nothing of its old prices', () => {
    const index = new PriceIndex<string>();
    for (let round = 0; round < 50; round++) {
      // A price alone in its page, placed and cancelled: each time its page empties and is reused.
      const price = 1_000_000 + round * 1_000;
      index.set(price, `p${round}`);
      index.set(price + 1, `q${round}`);
      expect(index.get(price - 1_000)).toBeUndefined(); // the last round's price, in the page reused
      expect(index.get(price)).toBe(`p${round}`);
      expect(index.delete(price)).toBe(true);
      expect(index.delete(price + 1)).toBe(true);
      expect(index.get(price + 1)).toBeUndefined();
      expect(index.size).toBe(0);
    }
  });
});
