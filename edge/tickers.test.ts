import { describe, expect, it } from 'vitest';
import { percentChange, ratio } from './tickers.ts';

describe('ticker arithmetic', () => {
  it("gives priceChangePercent with 3 decimals, rounded half away from zero (Binance's examples)", () => {
    expect(percentChange(9, 1)).toBe('-88.889'); // rolling window example: 9 -> 1
    expect(percentChange(9_900_000_000, 400_000_200)).toBe('-95.960'); // 24hr example: 99 -> 4.000002
    expect(percentChange(1_036_170, 1_044_700)).toBe('0.823');
    expect(percentChange(21_000, 21_260)).toBe('1.238');
    expect(percentChange(200_000, 200_001)).toBe('0.001'); // exactly 0.0005 %: up
    expect(percentChange(200_000, 199_999)).toBe('-0.001'); // and down
    expect(percentChange(300_000, 299_999)).toBe('0.000'); // never "-0.000"
    expect(percentChange(5, 15)).toBe('200.000');
    expect(percentChange(0, 0)).toBe('0.000');
  });

  it("gives weightedAvgPrice as quoteVolume / volume rounded to the nearest 1e-8 (Binance's examples)", () => {
    expect(ratio(48_700_000_000n, 18_700_000_000n)).toBe(260_427_807n); // 487 / 187 = 2.60427807
    expect(ratio(173_858_301n, 16_667_000_000n)).toBe(1_043_129n); // 0.010431289.. -> 0.01043129
    expect(ratio(150_224_091_155_513n, 7_265_112_300n)).toBe(2_067_746_305_250n); // 20677.4630524999..
    expect(ratio(1n, 0n)).toBe(0n);
  });
});
