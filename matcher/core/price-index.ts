// Price (in ticks) -> an object, for a book side's levels. Most lookups are near the last one (orders cluster
// around the best prices), so prices live in pages of consecutive ticks and the last page used is remembered: a
// lookup there is a compare and an array read, where a Map hashes every time (bench:engine deep: 3 % of the
// time went to Map lookups). Pages are found in a Map by page number, made on first use and dropped when
// empty, so memory follows the prices in use (a page is 256 pointers: 1 KB).

import { objectArray } from './arrays.ts';

const PAGE = 256;
const PER_PAGE = 1 / PAGE; // exact: a power of two

class Page<T> {
  /** Its page number: its first price / PAGE (-1: no page). Reassigned when a spare page is reused. */
  number: number;
  readonly entries: (T | undefined)[] = new Array<T | undefined>(PAGE).fill(undefined);
  count = 0;

  constructor(number: number) {
    this.number = number;
  }
}

/**
 * Emptied pages kept for reuse, at most this many per index: an order placed and cancelled at a price alone in
 * its page (a quote far from the others, requoted) would otherwise make and drop a page each time, and making
 * one fills 256 entries in a call into the runtime (~1 µs, more than the rest of placing and cancelling).
 */
const SPARE_PAGES = 16;

export class PriceIndex<T> {
  private readonly pages = new Map<number, Page<T>>();
  /** Emptied pages (every entry undefined), for reuse. */
  private readonly spare: Page<T>[] = objectArray();
  /** The page last looked up or written; NO_PAGE (number -1, never a real page) before any. */
  private last: Page<T> = NO_PAGE as Page<T>;
  size = 0;

  /** The page of `price`, if it has one. */
  private pageOf(price: number): Page<T> | undefined {
    const p = Math.floor(price * PER_PAGE);
    if (this.last.number === p) return this.last;
    const page = this.pages.get(p);
    if (page !== undefined) this.last = page;
    return page;
  }

  get(price: number): T | undefined {
    const page = this.pageOf(price);
    return page === undefined ? undefined : page.entries[price - page.number * PAGE];
  }

  set(price: number, value: T): void {
    let page = this.pageOf(price);
    if (page === undefined) {
      const number = Math.floor(price * PER_PAGE);
      page = this.spare.pop() ?? new Page<T>(number);
      page.number = number;
      this.pages.set(number, page);
      this.last = page;
    }
    const at = price - page.number * PAGE;
    if (page.entries[at] === undefined) {
      page.count++;
      this.size++;
    }
    page.entries[at] = value;
  }

  delete(price: number): boolean {
    const page = this.pageOf(price);
    if (page === undefined) return false;
    const at = price - page.number * PAGE;
    if (page.entries[at] === undefined) return false;
    page.entries[at] = undefined;
    this.size--;
    if (--page.count === 0) {
      this.pages.delete(page.number);
      if (this.last === page) this.last = NO_PAGE as Page<T>;
      if (this.spare.length < SPARE_PAGES) this.spare.push(page);
    }
    return true;
  }
}

/** "No page": what `last` is before any lookup and after its page is dropped; never written. */
const NO_PAGE = new Page<unknown>(-1);
