import { describe, expect, it } from 'vitest';
import { newClientOrderId } from './wiring.ts';

describe('newClientOrderId', () => {
  it('makes 22 alphanumerics, distinct, drawing every character about equally often', () => {
    const ids = Array.from({ length: 5000 }, () => newClientOrderId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9]{22}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // 110,000 characters over 62 symbols: about 1774 each. A modulo bias (b % 62 over bytes) would draw the
    // first 8 symbols 5/4 as often as the rest (~2130 against ~1700).
    const counts = new Map<string, number>();
    for (const id of ids) for (const ch of id) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    for (const n of counts.values()) expect(Math.abs(n - 110_000 / 62)).toBeLessThan(250);
  });
});
