// When candles and statistics windows begin and end, by Binance's rules: the kline intervals (weeks start on
// Monday, months on the 1st), a time zone as a fixed offset from UTC in which intervals are counted (startTime
// and endTime stay UTC ms), and the windows of the rolling ticker. Pure arithmetic on ms since the epoch.

export const KLINE_INTERVALS = [
  '1s',
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '8h',
  '12h',
  '1d',
  '3d',
  '1w',
  '1M',
] as const;

export type KlineInterval = (typeof KLINE_INTERVALS)[number];

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** 1970-01-05, the first Monday after the epoch: weeks are counted from it. */
const FIRST_MONDAY = 4 * DAY;

const UNIT_MS = { s: SECOND, m: MINUTE, h: HOUR, d: DAY, w: 7 * DAY } as const;

export const isKlineInterval = (text: string): text is KlineInterval =>
  (KLINE_INTERVALS as readonly string[]).includes(text);

/**
 * The candles of one interval in one time zone, numbered: candle `n` opens at `start(n)` (UTC ms) and closes at
 * `start(n + 1) - 1`; `indexOf(t)` is the candle holding `t`.
 */
export interface CandleClock {
  indexOf(time: number): number;
  start(index: number): number;
}

/** `offsetMs`: the time zone's offset from UTC (+05:45 is 20_700_000). */
export function candleClock(interval: KlineInterval, offsetMs: number): CandleClock {
  if (interval === '1M') {
    // Months as year * 12 + month of the zone's wall clock.
    return {
      indexOf: (time) => {
        const local = new Date(time + offsetMs);
        return local.getUTCFullYear() * 12 + local.getUTCMonth();
      },
      start: (index) => {
        const year = Math.floor(index / 12);
        return Date.UTC(year, index - year * 12, 1) - offsetMs;
      },
    };
  }
  const length = Number(interval.slice(0, -1)) * UNIT_MS[interval.slice(-1) as keyof typeof UNIT_MS];
  const anchor = interval === '1w' ? FIRST_MONDAY : 0;
  return {
    indexOf: (time) => Math.floor((time + offsetMs - anchor) / length),
    start: (index) => index * length + anchor - offsetMs,
  };
}

/**
 * Binance's timeZone: hours ("8", "-1") or hours and minutes ("05:45", "-1:00"), from -12:00 to +14:00
 * inclusive. The offset in ms, or undefined when the text is not one.
 */
export function parseTimeZone(text: string): number | undefined {
  const m = /^([+-]?)(\d{1,2})(?::(\d{2}))?$/.exec(text);
  if (m === null) return undefined;
  const minutes = Number(m[3] ?? 0);
  if (minutes >= 60) return undefined;
  const total = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + minutes);
  if (total < -12 * 60 || total > 14 * 60) return undefined;
  return total * MINUTE;
}

const WINDOW_MAX = { m: 59, h: 23, d: 7 } as const;

/** The rolling ticker's windowSize: 1m..59m, 1h..23h or 1d..7d (units not combined); ms, or undefined. */
export function parseWindowSize(text: string): number | undefined {
  const m = /^([1-9]\d?)([mhd])$/.exec(text);
  if (m === null) return undefined;
  const unit = m[2] as keyof typeof WINDOW_MAX;
  const count = Number(m[1]);
  return count > WINDOW_MAX[unit] ? undefined : count * UNIT_MS[unit];
}

export interface KlineQuery {
  startTime?: number | undefined;
  endTime?: number | undefined;
  limit: number;
  now: number;
  /** The symbol's first trade: no candle opens before the one holding it. */
  firstTrade: number;
}

/**
 * Which candles a klines request returns, as the first and last index (inclusive), or undefined for none.
 * Binance's rules: candles whose open time lies in [startTime, endTime], never past the current one; the first
 * `limit` of them from startTime, else the last `limit` up to endTime (or now).
 */
export function klineRange(clock: CandleClock, q: KlineQuery): { first: number; last: number } | undefined {
  const current = clock.indexOf(q.now);
  let last = current;
  if (q.endTime !== undefined) last = Math.min(last, clock.indexOf(q.endTime));
  const listed = clock.indexOf(q.firstTrade);
  let first: number;
  if (q.startTime !== undefined) {
    const holding = clock.indexOf(q.startTime);
    first = Math.max(listed, clock.start(holding) === q.startTime ? holding : holding + 1);
    last = Math.min(last, first + q.limit - 1);
  } else {
    first = Math.max(listed, last - q.limit + 1);
  }
  return first > last ? undefined : { first, last };
}
