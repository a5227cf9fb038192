// Order id -> store slot, for every open order: an open-addressing hash table in a typed array, so it costs the
// garbage collector nothing however many orders rest. Ids are hashed in blocks of BLOCK consecutive ids: a
// block's ids sit side by side, so orders placed one after another touch the same few cache lines, while
// Fibonacci hashing scatters the blocks (an identity hash would pack the newest orders into one long run that
// older ids then probe through). Linear probing at a load of at most 1/2; deletion shifts entries back instead
// of leaving tombstones, so lookups never slow down with churn. Each entry is a pair (id, slot + 1) side by
// side, so a probe touches one cache line, and 0 in the slot half marks an empty entry (a fresh Float64Array is
// all empty).

/** 2^32 / golden ratio. */
const FIBONACCI = 0x9e3779b1;
const INITIAL_CAPACITY = 1024;
/** Ids are hashed in runs of BLOCK consecutive ids that stay side by side: new orders land near each other. */
const BLOCK = 8;

export class IdIndex {
  /** Entry i is entries[2i] (the id) and entries[2i + 1] (its slot + 1, or 0 when the entry is empty). */
  private table = new Float64Array(2 * INITIAL_CAPACITY);
  private mask = INITIAL_CAPACITY - 1;
  private shift = 32 - Math.log2(INITIAL_CAPACITY / BLOCK);
  size = 0;

  private home(id: number): number {
    const block = Math.floor(id / BLOCK);
    const hash = Math.imul((block >>> 0) ^ ((block / 4294967296) >>> 0), FIBONACCI) >>> this.shift;
    return hash * BLOCK + (id - block * BLOCK);
  }

  get(id: number): number | undefined {
    const mask = this.mask;
    const e = this.table;
    for (let i = this.home(id); ; i = (i + 1) & mask) {
      const slot = e[2 * i + 1]!;
      if (slot === 0) return undefined;
      if (e[2 * i] === id) return slot - 1;
    }
  }

  set(id: number, slot: number): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.resize((this.mask + 1) * 2);
    const mask = this.mask;
    const e = this.table;
    for (let i = this.home(id); ; i = (i + 1) & mask) {
      if (e[2 * i + 1] === 0) {
        e[2 * i] = id;
        e[2 * i + 1] = slot + 1;
        this.size++;
        return;
      }
      if (e[2 * i] === id) {
        e[2 * i + 1] = slot + 1;
        return;
      }
    }
  }

  delete(id: number): boolean {
    const mask = this.mask;
    const e = this.table;
    let i = this.home(id);
    for (; ; i = (i + 1) & mask) {
      if (e[2 * i + 1] === 0) return false;
      if (e[2 * i] === id) break;
    }
    // Backward-shift deletion: pull later entries of the probe run into the hole when their home allows.
    let hole = i;
    for (let j = (i + 1) & mask; e[2 * j + 1] !== 0; j = (j + 1) & mask) {
      const home = this.home(e[2 * j]!);
      const distanceFromHome = (j - home) & mask;
      const distanceToHole = (j - hole) & mask;
      if (distanceFromHome >= distanceToHole) {
        e[2 * hole] = e[2 * j]!;
        e[2 * hole + 1] = e[2 * j + 1]!;
        hole = j;
      }
    }
    e[2 * hole + 1] = 0;
    this.size--;
    if (this.size * 8 < this.mask + 1 && this.mask >= INITIAL_CAPACITY) this.resize((this.mask + 1) / 2);
    return true;
  }

  *entries(): Generator<[id: number, slot: number]> {
    const e = this.table;
    for (let i = 0; i <= this.mask; i++) if (e[2 * i + 1] !== 0) yield [e[2 * i]!, e[2 * i + 1]! - 1];
  }

  private resize(capacity: number): void {
    const old = this.table;
    this.table = new Float64Array(2 * capacity);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity / BLOCK);
    this.size = 0;
    for (let i = 1; i < old.length; i += 2) if (old[i] !== 0) this.set(old[i - 1]!, old[i]! - 1);
  }
}
