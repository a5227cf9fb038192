// Price (in ticks) -> an object, for a book side's levels. Most lookups are near the last one (orders cluster
// around the best prices), so prices live in pages of consecutive ticks and the last page used is remembered: a
// lookup there is a compare and an array read, where a Map hashes every time (bench:engine deep: 3 % of the
// time went to Map lookups). Pages are found in a Map by page number, made on first use and dropped when
// empty, so memory follows the prices in use (a page is 256 pointers: 1 KB).

const PAGE = 256;
const PER_PAGE = 1 / PAGE; // exact: a power of two

class Page<T> {
  readonly number: number;
  readonly entries: (T | undefined)[] = new Array<T | undefined>(PAGE).fill(undefined);
  count = 0;

  constructor(number: number) {
    this.number = number;
  }
}

export class PriceIndex<T> {
  private readonly pages = new Map<number, Page<T>>();
  /** The page last looked up or written; a dummy (number -1, never a real page) before any. */
  private last: Page<T> = new Page<T>(-1);
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
      page = new Page<T>(Math.floor(price * PER_PAGE));
      this.pages.set(page.number, page);
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
      if (this.last === page) this.last = new Page<T>(-1);
    }
    return true;
  }
}
