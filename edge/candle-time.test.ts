import { describe, expect, it } from 'vitest';
import { candleClock, KLINE_INTERVALS, klineRange, parseTimeZone, parseWindowSize } from './candle-time.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Monday 2024-01-01 00:00 UTC. */
const MONDAY = Date.UTC(2024, 0, 1);

/** The open time of the candle holding `time`. */
const openOf = (interval: (typeof KLINE_INTERVALS)[number], time: number, offset = 0) => {
  const clock = candleClock(interval, offset);
  return clock.start(clock.indexOf(time));
};

describe('candle clocks', () => {
  it('puts the last ms of an interval in its candle and the next ms in the next', () => {
    for (const interval of KLINE_INTERVALS) {
      const clock = candleClock(interval, 0);
      const n = clock.indexOf(MONDAY + 12_345_678);
      const start = clock.start(n);
      const next = clock.start(n + 1);
      expect(clock.indexOf(start)).toBe(n);
      expect(clock.indexOf(next - 1)).toBe(n);
      expect(clock.indexOf(next)).toBe(n + 1);
    }
    expect(openOf('1m', MONDAY + MINUTE - 1)).toBe(MONDAY);
    expect(openOf('1m', MONDAY + MINUTE)).toBe(MONDAY + MINUTE);
    expect(openOf('1s', MONDAY + 1999)).toBe(MONDAY + 1000);
    expect(openOf('4h', MONDAY + 5 * HOUR)).toBe(MONDAY + 4 * HOUR);
    // 3d candles count from the epoch.
    expect(openOf('3d', MONDAY) % (3 * DAY)).toBe(0);
  });

  it('starts weeks on Monday, in the time zone', () => {
    expect(openOf('1w', MONDAY)).toBe(MONDAY);
    expect(openOf('1w', MONDAY + 7 * DAY - 1)).toBe(MONDAY);
    expect(openOf('1w', MONDAY - 1)).toBe(MONDAY - 7 * DAY); // Sunday night is last week
    // At UTC-1 Monday begins at 01:00 UTC: Monday 00:30 UTC is still Sunday there.
    expect(openOf('1w', MONDAY + 30 * MINUTE, -HOUR)).toBe(MONDAY - 7 * DAY + HOUR);
    expect(openOf('1w', MONDAY + HOUR, -HOUR)).toBe(MONDAY + HOUR);
  });

  it('starts months on the 1st, in the time zone, leap years and year ends included', () => {
    const feb = Date.UTC(2024, 1, 1);
    expect(openOf('1M', feb - 1)).toBe(MONDAY);
    expect(openOf('1M', feb)).toBe(feb);
    const clock = candleClock('1M', 0);
    expect(clock.start(clock.indexOf(feb) + 1) - feb).toBe(29 * DAY);
    expect(clock.start(clock.indexOf(Date.UTC(2023, 11, 31)) + 1)).toBe(MONDAY);
    // At UTC+8 February begins on January 31 at 16:00 UTC.
    expect(openOf('1M', feb - 8 * HOUR, 8 * HOUR)).toBe(feb - 8 * HOUR);
    expect(openOf('1M', feb - 8 * HOUR - 1, 8 * HOUR)).toBe(MONDAY - 8 * HOUR);
  });

  it('shifts hours by a time zone with minutes', () => {
    const offset = parseTimeZone('05:45')!;
    expect(openOf('1h', MONDAY + 15 * MINUTE - 1, offset)).toBe(MONDAY - 45 * MINUTE);
    expect(openOf('1h', MONDAY + 15 * MINUTE, offset)).toBe(MONDAY + 15 * MINUTE);
    expect(openOf('1d', MONDAY, offset)).toBe(MONDAY - offset);
  });
});

describe('parameters', () => {
  it("reads Binance's time zones, from -12:00 to +14:00", () => {
    const cases: [string, number | undefined][] = [
      ['0', 0],
      ['8', 8 * HOUR],
      ['-1:00', -HOUR],
      ['05:45', 5 * HOUR + 45 * MINUTE],
      ['-0:30', -30 * MINUTE],
      ['+14:00', 14 * HOUR],
      ['-12:00', -12 * HOUR],
      ['14:01', undefined],
      ['-12:01', undefined],
      ['15', undefined],
      ['5:60', undefined],
      ['5:5', undefined],
      ['', undefined],
      ['UTC', undefined],
      ['1.5', undefined],
    ];
    for (const [text, offset] of cases) expect([text, parseTimeZone(text)]).toEqual([text, offset]);
  });

  it('reads window sizes 1m-59m, 1h-23h and 1d-7d', () => {
    const cases: [string, number | undefined][] = [
      ['1m', MINUTE],
      ['59m', 59 * MINUTE],
      ['1h', HOUR],
      ['23h', 23 * HOUR],
      ['1d', DAY],
      ['7d', 7 * DAY],
      ['0m', undefined],
      ['60m', undefined],
      ['24h', undefined],
      ['8d', undefined],
      ['1w', undefined],
      ['1d2h', undefined],
      ['01m', undefined],
      ['1M', undefined],
    ];
    for (const [text, ms] of cases) expect([text, parseWindowSize(text)]).toEqual([text, ms]);
  });
});

describe('which candles a request gets', () => {
  const clock = candleClock('1m', 0);
  const at = (minute: number) => MONDAY + minute * MINUTE;
  const base = { now: at(100) + 5, firstTrade: at(10) + 7, limit: 500 };

  it('the last `limit` up to now, never before the first trade', () => {
    expect(klineRange(clock, base)).toEqual({ first: clock.indexOf(at(10)), last: clock.indexOf(at(100)) });
    expect(klineRange(clock, { ...base, limit: 3 })).toEqual({
      first: clock.indexOf(at(98)),
      last: clock.indexOf(at(100)),
    });
  });

  it('from startTime (open times at or after it), up to endTime (open times at or before it)', () => {
    const n = (minute: number) => clock.indexOf(at(minute));
    expect(klineRange(clock, { ...base, startTime: at(20) })).toEqual({ first: n(20), last: n(100) });
    expect(klineRange(clock, { ...base, startTime: at(20) + 1 })).toEqual({ first: n(21), last: n(100) });
    expect(klineRange(clock, { ...base, startTime: at(20), limit: 2 })).toEqual({
      first: n(20),
      last: n(21),
    });
    expect(klineRange(clock, { ...base, endTime: at(50) - 1, limit: 2 })).toEqual({
      first: n(48),
      last: n(49),
    });
    expect(klineRange(clock, { ...base, startTime: at(0), endTime: at(12) })).toEqual({
      first: n(10),
      last: n(12),
    });
    expect(klineRange(clock, { ...base, endTime: at(9) })).toBeUndefined();
    expect(klineRange(clock, { ...base, startTime: at(101) })).toBeUndefined();
    expect(klineRange(clock, { ...base, startTime: at(60), endTime: at(50) })).toBeUndefined();
  });
});
