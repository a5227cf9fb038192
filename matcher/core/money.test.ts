// The double-precision fee against bigint arithmetic: exact for every safe-integer amount and rate it takes,
// including amounts just around multiples of 1e8 and just below 2^53.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SAFE_FEE_RATE, safeFeeOf } from './money.ts';

const E8 = 100_000_000n;
const MAX = BigInt(Number.MAX_SAFE_INTEGER);
const ceilFee = (amount: bigint, rate: bigint): bigint => (amount * rate + E8 - 1n) / E8;

const amount = fc.oneof(
  fc.bigInt({ min: 0n, max: MAX }),
  fc.bigInt({ min: 0n, max: MAX / E8 }).chain((k) => fc.bigInt({ min: k * E8 - 2n, max: k * E8 + 2n })),
  fc.bigInt({ min: MAX - 1_000n, max: MAX }),
);

describe('safeFeeOf', () => {
  it('is ceil(amount × rate / 1e8) exactly', () => {
    fc.assert(
      fc.property(amount, fc.integer({ min: 0, max: MAX_SAFE_FEE_RATE }), (a, rate) => {
        fc.pre(a >= 0n && a <= MAX);
        expect(safeFeeOf(Number(a), rate)).toBe(Number(ceilFee(a, BigInt(rate))));
      }),
      { numRuns: 20_000 },
    );
  });

  it('holds just below a multiple of 1e8, up to the largest safe amount', () => {
    for (const k of [90_071_992n, 90_071_991n, 50_000_000n, 1n]) {
      for (const rate of [1, 100_000, 1_000_000, MAX_SAFE_FEE_RATE]) {
        const a = k * E8 - 1n;
        expect(safeFeeOf(Number(a), rate)).toBe(Number(ceilFee(a, BigInt(rate))));
      }
    }
  });
});
