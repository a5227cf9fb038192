import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSteps, formatUnits, parseSteps, parseUnits } from './money.ts';

describe('decimal strings <-> exact integers', () => {
  it('parses decimals into 1e-8 units exactly', () => {
    expect(parseUnits('1')).toEqual({ ok: true, value: 100_000_000n });
    expect(parseUnits('0.00000001')).toEqual({ ok: true, value: 1n });
    expect(parseUnits('12.345')).toEqual({ ok: true, value: 1_234_500_000n });
    expect(parseUnits('12.3450000000000')).toEqual({ ok: true, value: 1_234_500_000n });
    expect(parseUnits('99999999999999999999.99999999')).toEqual({
      ok: true,
      value: 9_999_999_999_999_999_999_999_999_999n,
    });
  });

  it('refuses what is not a plain decimal, and more than 8 decimals', () => {
    for (const bad of [
      '',
      ' 1',
      '1 ',
      '-1',
      '+1',
      '1e5',
      '0x10',
      '.5',
      '1,5',
      'NaN',
      'Infinity',
      '1..2',
      '١',
    ]) {
      expect(parseUnits(bad)).toEqual({ ok: false, reason: 'malformed' });
    }
    expect(parseUnits('0.000000001')).toEqual({ ok: false, reason: 'precision' });
  });

  it('parses prices and quantities into whole ticks and lots of the market', () => {
    const tick = 1_000_000n; // 0.01
    expect(parseSteps('30000.01', tick)).toEqual({ ok: true, value: 3_000_001 });
    expect(parseSteps('30000.015', tick)).toEqual({ ok: false, reason: 'precision' });
    expect(parseSteps('0', tick)).toEqual({ ok: true, value: 0 });
    expect(parseSteps('99999999999999999999', 1n)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('prints what it parses (8 decimals), for any amount', () => {
    expect(formatUnits(1n)).toBe('0.00000001');
    expect(formatUnits(-150_000_000n)).toBe('-1.50000000');
    expect(formatSteps(3_000_001, 1_000_000n)).toBe('30000.01000000');
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 28n - 1n }), (units) => {
        expect(parseUnits(formatUnits(units))).toEqual({ ok: true, value: units });
      }),
    );
  });
});
