// Order id -> store slot, for every open order: an open-addressing hash table in typed arrays, so it costs the
// garbage collector nothing however many orders rest. Fibonacci hashing scatters the sequential ids (an
// identity hash would pack the newest orders into one long run that older ids then probe through); linear
// probing at a load of at most 1/2; deletion shifts entries back instead of leaving tombstones, so lookups
// never slow down with churn.

const EMPTY = -1;
/** 2^32 / golden ratio. */
const FIBONACCI = 0x9e3779b1;

export class IdIndex {
  private keys = new Float64Array(1024);
  private slots = new Int32Array(1024).fill(EMPTY);
  private mask = 1023;
  private shift = 22;
  size = 0;

  private home(id: number): number {
    return Math.imul((id >>> 0) ^ ((id / 4294967296) >>> 0), FIBONACCI) >>> this.shift;
  }

  get(id: number): number | undefined {
    const mask = this.mask;
    for (let i = this.home(id); ; i = (i + 1) & mask) {
      const slot = this.slots[i]!;
      if (slot === EMPTY) return undefined;
      if (this.keys[i] === id) return slot;
    }
  }

  set(id: number, slot: number): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.resize((this.mask + 1) * 2);
    const mask = this.mask;
    for (let i = this.home(id); ; i = (i + 1) & mask) {
      if (this.slots[i] === EMPTY) {
        this.keys[i] = id;
        this.slots[i] = slot;
        this.size++;
        return;
      }
      if (this.keys[i] === id) {
        this.slots[i] = slot;
        return;
      }
    }
  }

  delete(id: number): boolean {
    const mask = this.mask;
    const keys = this.keys;
    const slots = this.slots;
    let i = this.home(id);
    for (; ; i = (i + 1) & mask) {
      if (slots[i] === EMPTY) return false;
      if (keys[i] === id) break;
    }
    // Backward-shift deletion: pull later entries of the probe run into the hole when their home allows.
    let hole = i;
    for (let j = (i + 1) & mask; slots[j] !== EMPTY; j = (j + 1) & mask) {
      const home = this.home(keys[j]!);
      const distanceFromHome = (j - home) & mask;
      const distanceToHole = (j - hole) & mask;
      if (distanceFromHome >= distanceToHole) {
        keys[hole] = keys[j]!;
        slots[hole] = slots[j]!;
        hole = j;
      }
    }
    slots[hole] = EMPTY;
    this.size--;
    if (this.size * 8 < this.mask + 1 && this.mask > 1023) this.resize((this.mask + 1) / 2);
    return true;
  }

  *entries(): Generator<[id: number, slot: number]> {
    for (let i = 0; i <= this.mask; i++) if (this.slots[i] !== EMPTY) yield [this.keys[i]!, this.slots[i]!];
  }

  private resize(capacity: number): void {
    const keys = this.keys;
    const slots = this.slots;
    this.keys = new Float64Array(capacity);
    this.slots = new Int32Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
    this.size = 0;
    for (let i = 0; i < slots.length; i++) if (slots[i] !== EMPTY) this.set(keys[i]!, slots[i]!);
  }
}
