// Order id -> store slot, for every open order, in typed arrays so that it costs the garbage collector nothing
// however many orders rest.
//
// Ids are issued one after another, so most open orders have ids near the newest: IdIndex keeps them in pages
// of consecutive ids, an array lookup away, and a new order writes next to the one before it. An old page that
// has few open orders left hands them to a hash table (HashIdIndex) and is dropped, so memory follows the open
// orders, not the ids ever issued: a page kept is at least 1/64 full.

const PAGE_BITS = 12;
/** An old page with fewer open orders than its size / SPARSE moves them to the hash table. */
const SPARSE = 64;

export class IdIndex {
  /** Ids per page. */
  private readonly pageSize: number;
  private readonly spillBelow: number;
  /** pages[p - base]: slot + 1 for each id of page p, 0 where no open order has that id; undefined if dropped. */
  private readonly pages: (Int32Array | undefined)[] = [];
  /** Open orders on each page. */
  private readonly counts: number[] = [];
  /** The page number of pages[0]; -1 before the first page. Older ids go to the hash table. */
  private base = -1;
  /** The highest page number so far. Pages below newest - 1 are old: they no longer receive new ids. */
  private newest = -1;
  /** Open orders whose page was dropped (or older than the first page), made on first use. */
  private spilled: HashIdIndex | null = null;
  size = 0;

  /**
   * `pageBits`: log2 of the ids per page; an old page with fewer than 1/`sparse` of its ids open is dropped
   * (tests make both small, to drop pages often).
   */
  constructor(pageBits = PAGE_BITS, sparse = SPARSE) {
    this.pageSize = 2 ** pageBits;
    this.spillBelow = Math.max(1, this.pageSize / sparse);
  }

  get(id: number): number | undefined {
    const p = Math.floor(id / this.pageSize);
    const page = this.pageAt(p - this.base);
    if (page !== undefined) {
      const v = page[id - p * this.pageSize]!;
      if (v !== 0) return v - 1;
    }
    return this.spilled === null ? undefined : this.spilled.get(id);
  }

  set(id: number, slot: number): void {
    const p = Math.floor(id / this.pageSize);
    let page = this.base < 0 ? undefined : this.pageAt(p - this.base);
    if (page === undefined) {
      if (this.base >= 0 && (p < this.base || p < this.newest - 1)) {
        // An old page that was dropped (or older than the first): its ids live in the hash table.
        const spilled = (this.spilled ??= new HashIdIndex());
        const before = spilled.size;
        spilled.set(id, slot);
        this.size += spilled.size - before;
        return;
      }
      page = this.addPage(p);
    }
    const at = id - p * this.pageSize;
    if (page[at] === 0) {
      this.counts[p - this.base]!++;
      this.size++;
    }
    page[at] = slot + 1;
  }

  delete(id: number): boolean {
    const p = Math.floor(id / this.pageSize);
    const i = p - this.base;
    const page = this.pageAt(i);
    if (page !== undefined) {
      const at = id - p * this.pageSize;
      if (page[at] !== 0) {
        page[at] = 0;
        this.size--;
        if (--this.counts[i]! < this.spillBelow && p < this.newest - 1) this.drop(p);
        return true;
      }
    }
    if (this.spilled === null || !this.spilled.delete(id)) return false;
    this.size--;
    return true;
  }

  /** pages[i], or undefined for an index outside it (an id older than the first page or past the newest). */
  private pageAt(i: number): Int32Array | undefined {
    return i >= 0 && i < this.pages.length ? this.pages[i] : undefined;
  }

  private addPage(p: number): Int32Array {
    if (this.base < 0) this.base = p;
    const i = p - this.base;
    while (this.pages.length <= i) {
      this.pages.push(undefined);
      this.counts.push(0);
    }
    const page = new Int32Array(this.pageSize);
    this.pages[i] = page;
    if (p > this.newest) {
      const was = this.newest;
      this.newest = p;
      // The pages that just became old are dropped if they are sparse already.
      for (let q = Math.max(this.base, was - 1); q <= was && q < p - 1; q++) {
        if (this.pages[q - this.base] !== undefined && this.counts[q - this.base]! < this.spillBelow) {
          this.drop(q);
        }
      }
    }
    return page;
  }

  /** Moves page p's open orders to the hash table and drops the page. */
  private drop(p: number): void {
    const i = p - this.base;
    const page = this.pages[i]!;
    if (this.counts[i]! > 0) {
      const spilled = (this.spilled ??= new HashIdIndex());
      const first = p * this.pageSize;
      for (let at = 0; at < this.pageSize; at++) {
        if (page[at] !== 0) spilled.set(first + at, page[at]! - 1);
      }
    }
    this.pages[i] = undefined;
    this.counts[i] = 0;
  }
}

// The hash table for the rest: open addressing in one typed array. Ids are hashed in blocks of BLOCK consecutive
// ids: a block's ids sit side by side, while Fibonacci hashing scatters the blocks (an identity hash would pack
// runs of ids into long probe runs). Linear probing at a load of at most 1/2; deletion shifts entries back
// instead of leaving tombstones, so lookups never slow down with churn. Each entry is a pair (id, slot + 1) side
// by side, so a probe touches one cache line, and 0 in the slot half marks an empty entry.

/** 2^32 / golden ratio. */
const FIBONACCI = 0x9e3779b1;
const INITIAL_CAPACITY = 1024;
/** Ids are hashed in runs of BLOCK consecutive ids that stay side by side: new orders land near each other. */
const BLOCK = 8;

export class HashIdIndex {
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
