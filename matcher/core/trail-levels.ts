// The structures behind tracking trailing stops (trailing.ts has the rules), per side of a market:
// - levels: one per best price in use, whatever the trailingDelta, in an array from the trigger end (the most
//   extreme best price: the highest for a SELL, the lowest for a BUY) to the merge end. A trade can move only the
//   levels at the merge end, which it merges into one at its price: amortised O(1), as each level is made once.
// - in each level, its stops in a leftist heap by trailingDelta: the smallest delta triggers first, and a level's
//   trigger price is its best price moved by that delta. Heaps meld in O(log n) when levels merge, a cancelled
//   stop leaves its heap in O(log n), and what a trade triggers leaves it in one walk.
// - the levels that hold stops in a binary heap by trigger price, the first to trigger on top: a trade looks at the
//   top, so what it costs does not grow with the stops, the levels or the deltas in use.

import { BIPS } from './money.ts';
import type { TrailLevel, Trailing } from './order-store.ts';
import { movedAgainst } from './stop-rules.ts';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** The tracking trailing stops of one side of a market. */
export class TrailSide {
  readonly buy: boolean;
  /**
   * Levels by best price, levels[0] at the trigger end and the last at the merge end; a level that triggered or
   * whose stops were cancelled stays, empty, until it reaches the merge end or the array is compacted.
   */
  levels: TrailLevel[] = [];
  /** Empty levels among them. */
  empty = 0;
  /** The levels that hold stops and have a best price: a binary heap by trigger price (see `before`). */
  readonly heap: TrailLevel[] = [];
  /** Stops tracking. */
  count = 0;
  /** Scratch for what one trade triggers (trailing.ts), empty between trades. */
  readonly taken: Trailing[] = [];

  constructor(buy: boolean) {
    this.buy = buy;
  }

  /** How extreme a best price is here: larger is nearer the trigger end (0, no price yet, least of all). */
  rank(best: number): number {
    return this.buy ? (best === 0 ? -Infinity : -best) : best;
  }
}

// ---- a level's stops: a leftist heap by trailingDelta ----

const nplOf = (t: Trailing | null): number => (t === null ? 0 : t.npl);

/** Melds two heaps of stops into one, smallest delta on top; its root's parent is left to the caller. */
function meld(a: Trailing | null, b: Trailing | null): Trailing | null {
  if (a === null) return b;
  if (b === null) return a;
  if (b.delta < a.delta) {
    const t = a;
    a = b;
    b = t;
  }
  // Down the right spines only: at most 2 log2(n) deep.
  const right = meld(a.right, b)!;
  right.parent = a;
  if (nplOf(a.left) < right.npl) {
    a.right = a.left;
    a.left = right;
  } else {
    a.right = right;
  }
  a.npl = nplOf(a.right) + 1;
  return a;
}

/** A stop as a heap of one: no children, no parent. */
function single(t: Trailing): void {
  t.left = null;
  t.right = null;
  t.parent = null;
  t.npl = 1;
}

/** A stop out of `level` (cancelled or triggered): alone, in no level, keeping the level's best price. */
function release(t: Trailing, level: TrailLevel): void {
  single(t);
  t.level = null;
  t.price = level.best;
}

/** Files a stop (in no level) in a level: into its heap. */
export function joinLevel(level: TrailLevel, t: Trailing): void {
  single(t);
  level.stops = meld(level.stops, t);
  level.stops!.parent = null;
  level.count++;
  t.level = level;
}

/** Takes a stop out of its (live) level, wherever it is in the heap; it keeps the level's best price. */
export function leaveLevel(level: TrailLevel, t: Trailing): void {
  const sub = meld(t.left, t.right);
  const parent = t.parent;
  if (sub !== null) sub.parent = parent;
  if (parent === null) {
    level.stops = sub;
  } else {
    if (parent.left === t) parent.left = sub;
    else parent.right = sub;
    // Restore the leftist shape upward, as far as a null-path length changes.
    for (let q: Trailing | null = parent; q !== null; q = q.parent) {
      if (nplOf(q.left) < nplOf(q.right)) {
        const x = q.left;
        q.left = q.right;
        q.right = x;
      }
      const npl = nplOf(q.right) + 1;
      if (npl === q.npl) break;
      q.npl = npl;
    }
  }
  release(t, level);
  level.count--;
}

/**
 * Takes out of a (live) level every stop a trade at `price` triggers (moved its delta against the level's best
 * price), into `out`; each keeps the level's best price. A larger delta triggers later, so below a stop that does not trigger none does: the walk
 * stops there, and what is left, the subtrees it stopped at, is melded back. O(taken + left × log n), where one
 * pop at a time would be O(taken × log n).
 */
export function takeTriggered(level: TrailLevel, buy: boolean, price: number, out: Trailing[]): void {
  const left: Trailing[] = [];
  const todo: Trailing[] = level.stops === null ? [] : [level.stops];
  while (todo.length > 0) {
    const t = todo.pop()!;
    if (!movedAgainst(buy, price, level.best, t.delta)) {
      left.push(t);
      continue;
    }
    if (t.left !== null) todo.push(t.left);
    if (t.right !== null) todo.push(t.right);
    release(t, level);
    out.push(t);
  }
  // Meld what is left in pairs, round after round: log2(left) rounds.
  while (left.length > 1) {
    let n = 0;
    for (let i = 0; i + 1 < left.length; i += 2) left[n++] = meld(left[i]!, left[i + 1]!)!;
    if (left.length % 2 === 1) left[n++] = left[left.length - 1]!;
    left.length = n;
  }
  level.stops = left.length === 0 ? null : left[0]!;
  if (level.stops !== null) level.stops.parent = null;
  level.count -= out.length;
}

/** Moves `from`'s stops into `into` (both live); `from` then points to `into`. */
export function mergeLevel(from: TrailLevel, into: TrailLevel): void {
  if (from.count > 0) {
    into.stops = meld(into.stops, from.stops);
    into.stops!.parent = null;
    into.count += from.count;
  }
  from.into = into;
  from.stops = null;
  from.count = 0;
}

/** Every stop in a level's heap (any order). */
export function stopsOf(level: TrailLevel): Trailing[] {
  const out: Trailing[] = [];
  const todo: Trailing[] = level.stops === null ? [] : [level.stops];
  while (todo.length > 0) {
    const t = todo.pop()!;
    out.push(t);
    if (t.left !== null) todo.push(t.left);
    if (t.right !== null) todo.push(t.right);
  }
  return out;
}

/** What is wrong with a level's heap: links, heap order, leftist shape, count. */
export function heapProblems(level: TrailLevel, name: string): string[] {
  const problems: string[] = [];
  if (level.stops !== null && level.stops.parent !== null) problems.push(`${name}: its top has a parent`);
  let n = 0;
  for (const t of stopsOf(level)) {
    n++;
    for (const child of [t.left, t.right]) {
      if (child === null) continue;
      if (child.parent !== t) problems.push(`${name}: a broken parent link`);
      if (child.delta < t.delta) problems.push(`${name}: delta ${child.delta} below ${t.delta}`);
    }
    if (nplOf(t.left) < nplOf(t.right) || t.npl !== nplOf(t.right) + 1) {
      problems.push(`${name}: not leftist`);
    }
  }
  if (n !== level.count) problems.push(`${name}: counts ${level.count} stops, holds ${n}`);
  return problems;
}

// ---- a side's levels by trigger price: a binary heap ----

/**
 * Whether level a triggers no later than level b: its trigger price, best × (1 - delta) for a SELL and
 * best × (1 + delta) for a BUY with the level's smallest delta, is at least as near. Exact (bigint past 2^53).
 */
function before(buy: boolean, a: TrailLevel, b: TrailLevel): boolean {
  const fa = buy ? BIPS + a.stops!.delta : BIPS - a.stops!.delta;
  const fb = buy ? BIPS + b.stops!.delta : BIPS - b.stops!.delta;
  const x = a.best * fa;
  const y = b.best * fb;
  if (x <= MAX_SAFE && y <= MAX_SAFE) return buy ? x <= y : x >= y;
  const bx = BigInt(a.best) * BigInt(fa);
  const by = BigInt(b.best) * BigInt(fb);
  return buy ? bx <= by : bx >= by;
}

function place(heap: TrailLevel[], level: TrailLevel, at: number): void {
  heap[at] = level;
  level.at = at;
}

function siftUp(side: TrailSide, at: number): void {
  const heap = side.heap;
  const level = heap[at]!;
  while (at > 0) {
    const up = (at - 1) >> 1;
    if (!before(side.buy, level, heap[up]!) || before(side.buy, heap[up]!, level)) break;
    place(heap, heap[up]!, at);
    at = up;
  }
  place(heap, level, at);
}

function siftDown(side: TrailSide, at: number): void {
  const heap = side.heap;
  const level = heap[at]!;
  const n = heap.length;
  for (;;) {
    let child = 2 * at + 1;
    if (child >= n) break;
    if (child + 1 < n && before(side.buy, heap[child + 1]!, heap[child]!)) child++;
    if (before(side.buy, level, heap[child]!)) break;
    place(heap, heap[child]!, at);
    at = child;
  }
  place(heap, level, at);
}

/** Puts a level with stops and a best price into its side's heap, or moves it to where it now belongs. */
export function schedule(side: TrailSide, level: TrailLevel): void {
  if (level.at < 0) {
    level.at = side.heap.length;
    side.heap.push(level);
  }
  siftUp(side, level.at);
  siftDown(side, level.at);
}

/** Takes a level out of its side's heap, if it is in it. */
export function unschedule(side: TrailSide, level: TrailLevel): void {
  const at = level.at;
  if (at < 0) return;
  level.at = -1;
  const heap = side.heap;
  const last = heap.pop()!;
  if (last === level) return;
  place(heap, last, at);
  siftUp(side, at);
  siftDown(side, last.at);
}

/** What is wrong with a side's heap of levels. */
export function scheduleProblems(side: TrailSide, name: string): string[] {
  const problems: string[] = [];
  const heap = side.heap;
  heap.forEach((level, at) => {
    if (level.at !== at) problems.push(`${name}: a level's heap position is wrong`);
    if (level.count === 0 || level.best === 0 || level.into !== null)
      problems.push(`${name}: schedules a level that cannot trigger`);
    if (at > 0 && level.count > 0 && heap[(at - 1) >> 1]!.count > 0) {
      if (!before(side.buy, heap[(at - 1) >> 1]!, level))
        problems.push(`${name}: levels out of trigger order`);
    }
  });
  return problems;
}
