// The bus between edges and the matcher: a durable, ordered command stream read by one consumer group
// (Redis Stream semantics), fire-and-forget Pub/Sub for replies and market data, a few keys for snapshots, and
// the matcher's lease. Two implementations pass one contract suite (bus.contract.test.ts): RedisBus for the
// split deployment and MemoryBus for the embedded one, in one process.

/** A stream entry id, `<ms>-<seq>` as Redis assigns them: ascending, the ms part from the bus's clock. */
export type StreamId = string;

/** One command as it sits in the stream: its payload and the W3C trace context of whoever sent it. */
export interface StreamEntry {
  id: StreamId;
  /** The encoded command envelope (see wire.ts); null when the entry was trimmed while still pending. */
  data: string | null;
  traceparent?: string;
  tracestate?: string;
}

export interface Appended {
  id: StreamId;
}

/** The stream holds `limit` or more entries not yet committed: the command was not appended. */
export interface BacklogFull {
  backlogFull: true;
  backlog: number;
}

/** What the matcher sends after a commit, in one round trip. */
export interface Outbox {
  /** Replies and market-data events, in order. */
  messages: { channel: string; message: string }[];
  /** Market-data snapshots (depth, top of book), last write wins. */
  keys: { key: string; value: string }[];
  /** Stream entries whose effects are committed. */
  ack: StreamId[];
  /** Remove every entry with an id below this one (the first id after the committed offset). */
  trimBelow?: StreamId;
}

export interface Lease {
  /** Fencing token: grows with every acquisition, so a deposed holder's writes can be refused. */
  epoch: number;
}

export interface Bus {
  /**
   * Appends a command entry. With `maxBacklog`, atomically refuses when the stream already holds that many
   * entries (backpressure: the matcher trims what it has committed, so the stream length is the backlog).
   */
  append(entry: Omit<StreamEntry, 'id'>, maxBacklog?: number): Promise<Appended | BacklogFull>;

  /**
   * Makes sure the consumer group exists (creating the stream if needed). When the stream is new or empty, its
   * last id is raised to `floor` first, so entries appended later sort after the committed offset even if the
   * bus lost its data (a Redis restart without persistence).
   */
  ensureGroup(floor: StreamId): Promise<void>;
  /** Entries delivered to the matcher's consumer and not yet acknowledged, oldest first, after `after`. */
  readPending(after: StreamId, count: number): Promise<StreamEntry[]>;
  /** New entries for the matcher's consumer, oldest first; waits up to `blockMs` for at least one. */
  readNew(count: number, blockMs: number): Promise<StreamEntry[]>;
  /** Sends a commit's replies, market data, acks and trim together (pipelined). */
  flush(outbox: Outbox): Promise<void>;
  /** Entries in the stream (not yet trimmed). */
  backlog(): Promise<number>;
  /** Moves an entry that cannot be decoded aside, with the reason; the caller acks it with the next flush. */
  deadLetter(entry: StreamEntry, reason: string): Promise<void>;
  /** The dead-letter stream's entries, oldest first (for operators and tests). */
  deadLetters(count: number): Promise<{ id: StreamId; data: string | null; reason: string }[]>;

  /** Delivers every message published on `channel` from now on, until the returned function is called. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  publish(channel: string, message: string): Promise<void>;
  get(key: string): Promise<string | null>;

  /** Takes the lease `name` for `owner` if nobody holds it; null when someone else does. */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<Lease | null>;
  /** Extends the lease if `owner` still holds it; false when it was lost. */
  renewLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;

  /** Answers when the bus is reachable (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Compares two stream ids numerically: negative when a < b. */
export function compareIds(a: StreamId, b: StreamId): number {
  const [am, as] = split(a);
  const [bm, bs] = split(b);
  return am === bm ? Number(as - bs) : Number(am - bm) < 0 ? -1 : 1;
}

/** The smallest id after `id`. */
export function nextId(id: StreamId): StreamId {
  const [ms, seq] = split(id);
  return `${ms}-${seq + 1n}`;
}

/** The ms part of a stream id: when the bus accepted the entry. */
export function idTime(id: StreamId): number {
  return Number(split(id)[0]);
}

function split(id: StreamId): [bigint, bigint] {
  const dash = id.indexOf('-');
  if (dash < 0) return [BigInt(id), 0n];
  return [BigInt(id.slice(0, dash)), BigInt(id.slice(dash + 1))];
}

export const ZERO_ID: StreamId = '0-0';
