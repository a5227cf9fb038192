// What MemoryLimiter has beyond the contract (limiter.contract.test.ts): bounded memory.

import { describe, expect, it } from 'vitest';
import { DEFAULT_BAN_POLICY } from './limiter.ts';
import { MemoryLimiter } from './memory-limiter.ts';

const LIMITS = { weight1m: 10, orders10s: 3, orders1d: 5 };
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

describe('MemoryLimiter', () => {
  it('drops windows that ended', async () => {
    const limiter = new MemoryLimiter({ limits: LIMITS });
    for (let i = 0; i < 1_000; i++) {
      await limiter.hit({ ip: `10.0.${i >> 8}.${i & 255}`, accountId: i, weight: 1, orders: 1, now: T0 + i });
    }
    expect(limiter.size).toBe(3_000);
    // Order counts of the day outlive the minute; the minute's weight and the 10 seconds' orders are gone.
    await limiter.hit({ ip: '10.9.9.9', weight: 1, orders: 0, now: T0 + 60_000 });
    expect(limiter.size).toBe(1_000 + 1);
    await limiter.hit({ ip: '10.9.9.9', weight: 1, orders: 0, now: T0 + 86_400_000 });
    expect(limiter.size).toBe(1);
  });

  it('drops bans that are over and ban histories that are forgotten', async () => {
    const limiter = new MemoryLimiter({ limits: LIMITS });
    for (let i = 0; i < 11; i++) await limiter.hit({ ip: '10.0.0.1', weight: 11, orders: 0, now: T0 });
    expect(limiter.size).toBe(3); // the minute's weight, the ban, the ban history
    await limiter.hit({ ip: '10.0.0.2', weight: 1, orders: 0, now: T0 + 120_000 });
    expect(limiter.size).toBe(2); // the history, and 10.0.0.2's weight
    await limiter.hit({ ip: '10.0.0.2', weight: 1, orders: 0, now: T0 + 120_000 + 86_400_000 });
    expect(limiter.size).toBe(1);
  });

  it('refuses limits that are not positive integers', () => {
    expect(() => new MemoryLimiter({ limits: { ...LIMITS, weight1m: 0 } })).toThrow(/weight1m/);
    expect(
      () => new MemoryLimiter({ limits: LIMITS, banPolicy: { ...DEFAULT_BAN_POLICY, maxBanMs: 1.5 } }),
    ).toThrow(/maxBanMs/);
  });
});
