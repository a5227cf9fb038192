// The bus in one process, for the embedded deployment (edge and matcher share one instance): the same contract
// as RedisBus (bus.contract.test.ts), with Redis Stream semantics kept where the matcher relies on them: ids
// `<ms>-<seq>` that only ascend, one consumer group with a pending list, trimmed pending entries read back
// with no data, Pub/Sub that never delivers inside publish(), leases that expire by the clock.

import type { Appended, BacklogFull, Bus, Lease, Outbox, StreamEntry, StreamId } from './bus.ts';
import { compareIds, idTime, nextId, ZERO_ID } from './bus.ts';

export interface MemoryBusOptions {
  /** Milliseconds since the epoch; ids and lease expiry follow it. */
  clock?: () => number;
}

interface Stored {
  id: StreamId;
  data: string;
  traceparent?: string;
  tracestate?: string;
}

interface Waiter {
  count: number;
  resolve: (entries: StreamEntry[]) => void;
  timer: NodeJS.Timeout;
}

type Handler = (message: string) => void;

export class MemoryBus implements Bus {
  readonly #clock: () => number;
  /** The stream, oldest first, and the same entries by id. */
  #entries: Stored[] = [];
  readonly #byId = new Map<StreamId, Stored>();
  #lastId: StreamId = ZERO_ID;
  #lastDelivered: StreamId = ZERO_ID;
  /** Delivered and not yet acknowledged; ids are delivered in ascending order, so the set iterates in it. */
  readonly #pending = new Set<StreamId>();
  #waiters: Waiter[] = [];
  readonly #deadLetters: { id: StreamId; data: string | null; reason: string }[] = [];
  #lastDeadLetterId: StreamId = ZERO_ID;
  readonly #channels = new Map<string, Set<Handler>>();
  readonly #keys = new Map<string, string>();
  readonly #leases = new Map<string, { owner: string; expiresAt: number }>();
  readonly #epochs = new Map<string, number>();
  #closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.#clock = options.clock ?? Date.now;
  }

  async append(entry: Omit<StreamEntry, 'id'>, maxBacklog?: number): Promise<Appended | BacklogFull> {
    this.#assertOpen();
    if (entry.data === null) throw new TypeError('a stream entry needs data');
    if (maxBacklog !== undefined && this.#entries.length >= maxBacklog) {
      return { backlogFull: true, backlog: this.#entries.length };
    }
    this.#lastId = this.#idAfter(this.#lastId);
    const stored: Stored = { id: this.#lastId, data: entry.data };
    if (entry.traceparent !== undefined) stored.traceparent = entry.traceparent;
    if (entry.tracestate !== undefined) stored.tracestate = entry.tracestate;
    this.#entries.push(stored);
    this.#byId.set(stored.id, stored);
    this.#wakeReaders();
    return { id: stored.id };
  }

  /** As Redis does: the clock's ms with seq 0, or the next seq when the clock has not moved past the last id. */
  #idAfter(last: StreamId): StreamId {
    const now = this.#clock();
    return now > idTime(last) ? `${now}-0` : nextId(last);
  }

  async ensureGroup(floor: StreamId): Promise<void> {
    this.#assertOpen();
    // The group exists from the start; only the floor matters here.
    if (compareIds(this.#lastId, floor) < 0) this.#lastId = floor;
  }

  async readPending(after: StreamId, count: number): Promise<StreamEntry[]> {
    this.#assertOpen();
    const out: StreamEntry[] = [];
    for (const id of this.#pending) {
      if (out.length >= count) break;
      if (compareIds(id, after) <= 0) continue;
      const stored = this.#byId.get(id);
      out.push(stored ? toEntry(stored) : { id, data: null });
    }
    return out;
  }

  async readNew(count: number, blockMs: number): Promise<StreamEntry[]> {
    this.#assertOpen();
    const ready = this.#deliver(count);
    if (ready.length > 0 || blockMs <= 0) return ready;
    return new Promise((resolve) => {
      const waiter: Waiter = {
        count,
        resolve,
        timer: setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          resolve([]);
        }, blockMs),
      };
      this.#waiters.push(waiter);
    });
  }

  /** Hands up to `count` entries after the last delivered one to the consumer and marks them pending. */
  #deliver(count: number): StreamEntry[] {
    const out: StreamEntry[] = [];
    if (count <= 0) return out;
    for (let i = this.#firstIndexFrom(nextId(this.#lastDelivered)); i < this.#entries.length; i++) {
      const stored = this.#entries[i]!;
      this.#pending.add(stored.id);
      out.push(toEntry(stored));
      if (out.length >= count) break;
    }
    const last = out.at(-1);
    if (last) this.#lastDelivered = last.id;
    return out;
  }

  /** Blocked readers are served oldest first, as Redis serves blocked clients. */
  #wakeReaders(): void {
    while (this.#waiters.length > 0) {
      const waiter = this.#waiters[0]!;
      const entries = this.#deliver(waiter.count);
      if (entries.length === 0) return;
      this.#waiters.shift();
      clearTimeout(waiter.timer);
      waiter.resolve(entries);
    }
  }

  /** The index of the first entry with an id at or above `id` (binary search: the stream is sorted). */
  #firstIndexFrom(id: StreamId): number {
    let lo = 0;
    let hi = this.#entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(this.#entries[mid]!.id, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  async flush(outbox: Outbox): Promise<void> {
    this.#assertOpen();
    for (const { channel, message } of outbox.messages) this.#publish(channel, message);
    for (const { key, value } of outbox.keys) this.#keys.set(key, value);
    for (const id of outbox.ack) this.#pending.delete(id);
    if (outbox.trimBelow !== undefined) {
      const cut = this.#firstIndexFrom(outbox.trimBelow);
      for (const stored of this.#entries.slice(0, cut)) this.#byId.delete(stored.id);
      this.#entries = this.#entries.slice(cut);
    }
  }

  async backlog(): Promise<number> {
    this.#assertOpen();
    return this.#entries.length;
  }

  async deadLetter(entry: StreamEntry, reason: string): Promise<void> {
    this.#assertOpen();
    this.#lastDeadLetterId = this.#idAfter(this.#lastDeadLetterId);
    this.#deadLetters.push({ id: this.#lastDeadLetterId, data: entry.data, reason });
  }

  async deadLetters(count: number): Promise<{ id: StreamId; data: string | null; reason: string }[]> {
    this.#assertOpen();
    return this.#deadLetters.slice(0, count).map((letter) => ({ ...letter }));
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>> {
    this.#assertOpen();
    let handlers = this.#channels.get(channel);
    if (!handlers) this.#channels.set(channel, (handlers = new Set()));
    // A wrapper of its own, so that subscribing one function twice needs two unsubscribes, as it should.
    const handler: Handler = (message) => onMessage(message);
    handlers.add(handler);
    return async () => {
      if (handlers.delete(handler) && handlers.size === 0) this.#channels.delete(channel);
    };
  }

  async publish(channel: string, message: string): Promise<void> {
    this.#assertOpen();
    this.#publish(channel, message);
  }

  /**
   * Delivers later, never inside the caller: a handler that publishes or unsubscribes must not run in the
   * middle of a flush. Who is subscribed now receives it, unless they unsubscribe before it arrives.
   */
  #publish(channel: string, message: string): void {
    const handlers = this.#channels.get(channel);
    if (!handlers || handlers.size === 0) return;
    const targets = [...handlers];
    queueMicrotask(() => {
      for (const handler of targets) if (this.#channels.get(channel)?.has(handler)) handler(message);
    });
  }

  async get(key: string): Promise<string | null> {
    this.#assertOpen();
    return this.#keys.get(key) ?? null;
  }

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<Lease | null> {
    this.#assertOpen();
    if (this.#liveLease(name)) return null;
    this.#leases.set(name, { owner, expiresAt: this.#clock() + ttlMs });
    const epoch = (this.#epochs.get(name) ?? 0) + 1;
    this.#epochs.set(name, epoch);
    return { epoch };
  }

  async renewLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    this.#assertOpen();
    const lease = this.#liveLease(name);
    if (lease?.owner !== owner) return false;
    lease.expiresAt = this.#clock() + ttlMs;
    return true;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    this.#assertOpen();
    if (this.#liveLease(name)?.owner === owner) this.#leases.delete(name);
  }

  #liveLease(name: string): { owner: string; expiresAt: number } | undefined {
    const lease = this.#leases.get(name);
    if (lease && lease.expiresAt <= this.#clock()) this.#leases.delete(name);
    return this.#leases.get(name);
  }

  async ping(): Promise<void> {
    this.#assertOpen();
  }

  /** Ends blocked reads with nothing and drops subscribers; no timer outlives the bus. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve([]);
    }
    this.#waiters = [];
    this.#channels.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('the bus is closed');
  }
}

function toEntry(stored: Stored): StreamEntry {
  return { ...stored };
}
