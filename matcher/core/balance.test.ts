// A balance against two bigints: changes of either sign that take its parts past 2^53 and 2^62 and back, in doubles
// and in bigint, and restores. Whichever way a part is kept (a safe double in the table, a high and a low word there,
// or bigints past 2^62), it reads exactly.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Account, BalanceTable, Asset } from './state.ts';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Amounts around 2^53, where the parts change how they are kept. */
const near = fc.oneof(
  fc.bigInt({ min: 0n, max: 1_000n }),
  fc.bigInt({ min: MAX_SAFE - 1_000n, max: MAX_SAFE + 1_000n }),
  fc.bigInt({ min: 0n, max: MAX_SAFE }),
  fc.bigInt({ min: 0n, max: 10n ** 30n }),
  // Where a part's low word is split off (2^53 past its high word) and where the table ends (2^62).
  fc.bigInt({ min: 2n ** 62n - 2n ** 54n, max: 2n ** 62n + 1_000n }),
  fc.bigInt({ min: 2n ** 32n - 1_000n, max: 2n ** 32n + 1_000n }),
);
type Step = { op: 'move'; free: bigint; locked: bigint } | { op: 'set'; free: bigint; locked: bigint };
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('move' as const), free: near, locked: near }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('set' as const), free: near, locked: near }) },
);

describe('Balance', () => {
  it('keeps both parts exactly across 2^53, whichever way a change comes in', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(step, fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean())),
        (steps) => {
          const table = new BalanceTable();
          const account = new Account(1, 0, table);
          const other = new Account(2, 1, table).balance(new Asset(1, 'ETH')); // a neighbour in the table
          other.set(7n, 9n);
          const b = account.balance(new Asset(0, 'BTC'));
          let free = 0n;
          let locked = 0n;
          // byRow: through the table by the balance's row (BalanceTable.addAt, coversAt), as the hot paths do.
          for (const [s, negFree, negLocked, asNumbers, byRow] of steps) {
            if (s.op === 'set') {
              b.set(s.free, s.locked);
              free = s.free;
              locked = s.locked;
            } else {
              // Subtract only what is there: parts never go negative.
              const df = negFree ? -(s.free <= free ? s.free : free) : s.free;
              const dl = negLocked ? -(s.locked <= locked ? s.locked : locked) : s.locked;
              const small = (x: bigint): boolean => x >= -MAX_SAFE && x <= MAX_SAFE;
              if (asNumbers && small(df) && small(dl)) {
                if (byRow) table.addAt(b.row, Number(df), Number(dl));
                else b.add(Number(df), Number(dl));
              } else {
                b.addBig(df, dl);
              }
              free += df;
              locked += dl;
            }
            expect(b.free).toBe(free);
            expect(b.locked).toBe(locked);
            const n = free <= MAX_SAFE ? Number(free) : -1;
            expect(b.covers(n, free)).toBe(true);
            expect(table.coversAt(b.row, n, free)).toBe(true);
            if (free > 0n) {
              expect(b.covers(n < 0 ? -1 : n + 1, free + 1n)).toBe(false);
              expect(table.coversAt(b.row, n < 0 ? -1 : n + 1, free + 1n)).toBe(false);
            }
          }
          expect([other.free, other.locked]).toEqual([7n, 9n]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps a part past 2^53 exact through changes that take its low word out of the safe integers', () => {
    const table = new BalanceTable();
    const b = new Account(1, 0, table).balance(new Asset(0, 'USDT'));
    const max = Number.MAX_SAFE_INTEGER;
    b.set(2n ** 60n, 2n ** 55n);
    let [free, locked] = [2n ** 60n, 2n ** 55n];
    // Each part down by 2^53 three times, then up four times, one part at a time: each low word leaves the safe
    // integers on the way, below and above.
    for (const part of [0, 1]) {
      for (const sign of [-1, -1, -1, 1, 1, 1, 1]) {
        const [df, dl] = part === 0 ? [sign * max, 0] : [0, sign * max];
        b.add(df, dl);
        free += BigInt(df);
        locked += BigInt(dl);
        expect([b.free, b.locked]).toEqual([free, locked]);
        expect(b.covers(max, MAX_SAFE)).toBe(true);
      }
    }
    b.set(2n ** 53n + 5n, 0n);
    expect(b.covers(max, MAX_SAFE)).toBe(true);
    b.add(-7, 0);
    expect(b.covers(max, MAX_SAFE)).toBe(false);
    expect(b.covers(max - 1, MAX_SAFE - 1n)).toBe(true);
  });

  it('finds every balance by account and asset, as the table grows past its first accounts and assets', () => {
    const table = new BalanceTable();
    const assets = Array.from({ length: 20 }, (_, i) => new Asset(i, `A${i}`));
    const accounts = Array.from({ length: 1_500 }, (_, i) => new Account(i + 1, i, table));
    const made = new Map<string, number>();
    // Accounts and assets in an order that grows the index both ways, and past its 8 assets per account.
    for (let n = 0; n < 6_000; n++) {
      const account = accounts[(n * 7919) % accounts.length]!;
      const asset = assets[(n * 31) % assets.length]!;
      const b = account.balance(asset);
      made.set(`${account.index}:${asset.index}`, b.row);
    }
    for (const account of accounts) {
      for (const asset of assets) {
        const row = made.get(`${account.index}:${asset.index}`);
        expect(table.rowOf(account.index, asset.index)).toBe(row ?? -1);
        if (row !== undefined) expect(table.handles[row]).toBe(account.balances[asset.index]);
      }
    }
    expect(table.rowOf(accounts.length, 0)).toBe(-1); // an account past the index
    expect(table.rowOf(0, 1_000)).toBe(-1); // an asset past it
  });

  it('grows its table past its first size without losing a balance', () => {
    const table = new BalanceTable();
    const balances = Array.from({ length: 3_000 }, (_, i) => {
      const b = new Account(i + 1, i, table).balance(new Asset(0, 'BTC'));
      b.add(i, 2 * i);
      return b;
    });
    balances.forEach((b, i) => expect([b.free, b.locked]).toEqual([BigInt(i), BigInt(2 * i)]));
  });
});
