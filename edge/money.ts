// Decimal strings at the API edge, exact integers inside: every asset has 8 decimals, so an amount is an integer
// number of 1e-8 units; a price is a whole number of the market's tickSize and a quantity of its stepSize. No
// floats anywhere: strings are parsed digit by digit into bigints and printed back the same way.

/** Decimal places of every asset (Binance's asset precision). */
export const DECIMALS = 8;
const UNIT = 10n ** BigInt(DECIMALS);

/** Binance's number format for parameters: digits, an optional fraction; no sign, exponent or spaces. */
const DECIMAL = /^(\d{1,20})(?:\.(\d{1,20}))?$/;

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: 'malformed' | 'precision' };

/** "12.345" -> 1234500000n units; more than 8 significant decimals is a precision error. */
export function parseUnits(text: string): Parsed<bigint> {
  const m = DECIMAL.exec(text);
  if (m === null) return { ok: false, reason: 'malformed' };
  const whole = m[1]!;
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (fraction.length > DECIMALS) return { ok: false, reason: 'precision' };
  return { ok: true, value: BigInt(whole) * UNIT + BigInt(fraction.padEnd(DECIMALS, '0')) };
}

/**
 * A decimal as a whole number of `step` units (a price in ticks, a quantity in lots). Not a multiple of the
 * step: 'precision' (the caller reports the market's filter). Beyond Number.MAX_SAFE_INTEGER steps: 'malformed'.
 */
export function parseSteps(text: string, step: bigint): Parsed<number> {
  const units = parseUnits(text);
  if (!units.ok) return units;
  if (units.value % step !== 0n) return { ok: false, reason: 'precision' };
  const steps = units.value / step;
  if (steps > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: 'malformed' };
  return { ok: true, value: Number(steps) };
}

/** 1234500000n -> "12.34500000": always 8 decimals, as Binance prints amounts. */
export function formatUnits(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const text = `${abs / UNIT}.${(abs % UNIT).toString().padStart(DECIMALS, '0')}`;
  return negative ? `-${text}` : text;
}

/** A number of steps of `step` units as a decimal string ("0.01000000" for 1 tick of 0.01). */
export function formatSteps(steps: number, step: bigint): string {
  return formatUnits(BigInt(steps) * step);
}

/** A fee rate in units of 1e-8 (100000 = 0.1 %) as Binance's decimal commission rate ("0.00100000"). */
export function formatRate(rate: number): string {
  return formatUnits(BigInt(rate));
}
