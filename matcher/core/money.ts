// Exact integer money. Prices are integer ticks, quantities integer lots (per market tickSize and stepSize),
// asset amounts integer units of 1e-8 (every asset has 8 decimals). Brands keep a price from being added to a
// quantity by accident; the arithmetic below is the only place that turns one into another.

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A price in ticks of the market's tickSize. */
export type Ticks = Brand<number, 'Ticks'>;
/** A quantity in lots of the market's stepSize. */
export type Lots = Brand<number, 'Lots'>;
/** An amount of an asset in units of 1e-8. */
export type Units = Brand<bigint, 'Units'>;
/** A fraction in units of 1e-8: 100_000 is 0.001 (0.1 %), 100_000_000 is 1. */
export type Fraction = Brand<number, 'Fraction'>;

export const UNITS_PER_WHOLE = 100_000_000;
/** Basis points in a whole: trailingDelta 100 is 1 %. */
export const BIPS = 10_000;
const UNITS_PER_WHOLE_BIG = 100_000_000n;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** A positive safe integer: what a price in ticks or a quantity in lots must be. */
export const isPositiveInt = (n: unknown): n is number =>
  typeof n === 'number' && Number.isSafeInteger(n) && n > 0;

/** A fee rate: a safe integer between 0 and 1e8 (0 to 100 %), in units of 1e-8. */
export const isFraction = (n: unknown): n is number =>
  typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= UNITS_PER_WHOLE;

// BigInt(x) of a double is a runtime call in V8 (tens of ns); writing the two 32-bit halves of a safe integer
// into a shared 64-bit cell and reading it back as a BigInt64 is compiled inline, several times faster.
const cell = new BigInt64Array(1);
const cellLow = new Uint32Array(cell.buffer);
const cellHigh = new Int32Array(cell.buffer);
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1; // little-endian: low half first
const HIGH = 1 - LOW;
const TWO_32 = 4_294_967_296;

/** BigInt(x) for a safe integer x (|x| <= MAX_SAFE_INTEGER), exactly. */
export function bigOf(x: number): bigint {
  const high = Math.floor(x / TWO_32);
  cellLow[LOW] = x - high * TWO_32;
  cellHigh[HIGH] = high;
  return cell[0]!;
}

/**
 * high × 2^32 + low as a bigint, exactly, for a whole `high` and a safe integer `low` (of either sign) whose value
 * is within the 64-bit range: bigOf with a high word (state.ts BalanceTable).
 */
export function int64Of(high: number, low: number): bigint {
  const carry = Math.floor(low / TWO_32);
  cellLow[LOW] = low - carry * TWO_32;
  cellHigh[HIGH] = high + carry;
  return cell[0]!;
}

/**
 * x itself, as a small integer (V8's Smi) when it is one. A double read from a typed array and stored into an
 * object field is boxed in a new heap number even when it is a whole number (an event's price, quantity or id:
 * 16 bytes each); `x | 0` is a 32-bit integer, which V8 stores in the field itself. Use where an integer that is
 * almost always below 2^31 goes into an event.
 */
export const tagged = (x: number): number => ((x | 0) === x ? x | 0 : x);

/**
 * a * b * c exactly, as a bigint. The double product is exact whenever the true product is at most
 * MAX_SAFE_INTEGER, and rounding is monotonic, so a double result above it means the true one is too: then the
 * product is redone in bigint.
 */
export function mul3(a: number, b: number, c: number): bigint {
  const x = a * b * c;
  return x <= MAX_SAFE ? bigOf(x) : BigInt(a) * BigInt(b) * BigInt(c);
}

/** a * b exactly, as a bigint (see mul3). */
export function mul2(a: number, b: number): bigint {
  const x = a * b;
  return x <= MAX_SAFE ? bigOf(x) : BigInt(a) * BigInt(b);
}

const MAX_SAFE_BIG = BigInt(MAX_SAFE);

/**
 * A product of safe integers computed in doubles, if it is a safe integer (then it is exact: see mul3), else -1
 * (the caller then uses the bigint).
 */
export function safeProduct(x: number): number {
  return x <= MAX_SAFE ? x : -1;
}

/**
 * An exact amount passed as a double `n` when it is a safe integer, else (n = -1) as the bigint `big`: the bigint
 * is made only where it is needed (most amounts never are), not by every caller up front.
 */
export const exactOf = (n: number, big: bigint | null): bigint => (n >= 0 ? bigOf(n) : big!);

/**
 * A bound in units as a double that compares with safe integers as the bigint does: itself when it is a safe
 * integer, else Infinity (every safe integer is below it).
 */
export const boundOf = (x: bigint): number => (x <= MAX_SAFE_BIG ? Number(x) : Number.POSITIVE_INFINITY);

/** A non-negative amount as a double if it is a safe integer, else -1 (the caller then uses the bigint). */
export function safeOf(x: bigint): number {
  return x >= 0n && x <= MAX_SAFE_BIG ? Number(x) : -1;
}

/** The largest fee rate `safeFeeOf` takes: 0.9 (90 %). */
export const MAX_SAFE_FEE_RATE = 90_000_000;

/**
 * ceil(amount * rate / 1e8) in doubles, exact for a safe-integer amount and a rate up to MAX_SAFE_FEE_RATE:
 * with amount = hi * 1e8 + lo, the fee is hi * rate + ceil(lo * rate / 1e8), and both products stay below 2^53.
 *
 * Without `%`, which V8 compiles on doubles to a call into C (fmod): a division rounded to a double, then floor
 * or ceil, are inline instructions, and exact here. For whole x < 2^53 and d > 0, a quotient q = x / d that is
 * not whole is at least 1/d from every whole number, and rounding q to a double moves it by at most half an ulp,
 * at most q * 2^-53 < 1/d: never onto or across a whole number, so floor and ceil see the true quotient.
 */
export function safeFeeOf(amount: number, rate: number): number {
  const hi = Math.floor(amount / UNITS_PER_WHOLE);
  return hi * rate + Math.ceil(((amount - hi * UNITS_PER_WHOLE) * rate) / UNITS_PER_WHOLE);
}

/** ceil(amount * rate / 1e8): a fee on an amount, rounded up to the unit, exact for any amount. */
export function feeOf(amount: bigint | number, rate: number): bigint {
  if (rate === 0) return 0n;
  if (typeof amount === 'number' && amount <= MAX_SAFE && rate <= MAX_SAFE_FEE_RATE) {
    return bigOf(safeFeeOf(amount, rate));
  }
  const y = BigInt(amount) * BigInt(rate);
  const q = y / UNITS_PER_WHOLE_BIG;
  return q * UNITS_PER_WHOLE_BIG === y ? q : q + 1n;
}

/**
 * An exact running total: a double while it stays a safe integer, spilling into a bigint beyond, so the common
 * case allocates nothing.
 */
export class ExactSum {
  private small = 0;
  private big = 0n;
  /** Whether any of the total is in `big`. */
  private spilled = false;

  /** Adds a safe integer. */
  add(x: number): void {
    if (this.small + x > MAX_SAFE) {
      this.big += bigOf(this.small);
      this.small = 0;
      this.spilled = true;
    }
    this.small += x;
  }

  addBig(x: bigint): void {
    this.big += x;
    this.spilled = true;
  }

  /** Sets the total (a restore). */
  set(x: bigint): void {
    this.small = 0;
    this.big = x;
    this.spilled = true;
  }

  // A total below 2^53 takes one path whatever its value. value used to branch on `small === 0`, taken only by a
  // total of 0 (a match that self-trade prevention ended before any fill): optimised code that had never taken
  // it, match's among them, deoptimised the first time each state did.
  get value(): bigint {
    return this.spilled ? this.big + bigOf(this.small) : bigOf(this.small);
  }

  /** The total as a double if it never left the safe integers, else -1. */
  get number(): number {
    return this.spilled ? -1 : this.small;
  }
}

/**
 * The largest amount of an asset the exchange holds in total, in units: 10^30 - 1 (10^22 whole units), so every
 * balance and total fits a Postgres numeric(38, 0). Bounding the total bounds every balance.
 */
export const MAX_UNITS = 10n ** 30n - 1n;
