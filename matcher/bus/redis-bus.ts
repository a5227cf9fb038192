// The bus on Redis, for the split deployment: the command stream is a Redis Stream read by the consumer group
// `matcher`, replies and market data go over Pub/Sub, leases are keys set by scripts. Every key and channel
// starts with the prefix, so deployments (and test runs) sharing one Redis cannot see each other.

import {
  autoPipelinedCall,
  redisPipelineCall,
  redisServer,
  type RedisServer,
} from '../../observability/tracing.ts';
import { Redis, type RedisOptions } from 'ioredis';
import type { Appended, BacklogFull, Bus, Lease, Outbox, StreamEntry, StreamId } from './bus.ts';
import { ZERO_ID } from './bus.ts';
import * as scripts from './redis-scripts.ts';
import { redisTarget } from './redis-target.ts';

export interface RedisBusOptions {
  url: string;
  prefix: string;
  /** The command stream's shard. */
  shard?: string;
  /** How long connect() waits for Redis, and each reconnection attempt for a socket. */
  connectTimeoutMs?: number;
  /** How long a call waits for its reply (a dead socket can look alive); blocking reads excepted. */
  commandTimeoutMs?: number;
  /** Connection errors (each failed reconnection attempt too); calls reject on their own either way. */
  onError?: (err: Error) => void;
}

/** One consumer name for every matcher: a standby that takes over reads the pending list of the one that died. */
const GROUP = 'matcher';
const CONSUMER = 'matcher';

type RawEntry = [id: string, fields: string[] | null];

export class RedisBus implements Bus {
  readonly #prefix: string;
  readonly #stream: string;
  readonly #deadLetterStream: string;
  readonly #url: string;
  readonly #server: RedisServer;
  readonly #options: RedisOptions;
  readonly #onError: (err: Error) => void;
  readonly #commands: Redis;
  /** XREADGROUP BLOCK holds its connection for the whole wait, so it gets one of its own. */
  readonly #blocking: Redis;
  #subscriber: Redis | undefined;
  readonly #handlers = new Map<string, Set<(message: string) => void>>();
  /** The last floor asked for, to recreate the group with if Redis loses it. */
  #floor: StreamId = ZERO_ID;
  #closed = false;

  static async connect(options: RedisBusOptions): Promise<RedisBus> {
    const bus = new RedisBus(options);
    try {
      await Promise.all([bus.#commands.connect(), bus.#blocking.connect()]);
    } catch (err) {
      await bus.close();
      throw new Error(`Redis at ${options.url} is unreachable`, { cause: err });
    }
    return bus;
  }

  private constructor(options: RedisBusOptions) {
    const { url, prefix, shard = 'main', connectTimeoutMs = 2_000, commandTimeoutMs = 5_000 } = options;
    this.#prefix = prefix;
    this.#stream = `${prefix}cmd:${shard}`;
    this.#deadLetterStream = `${prefix}dlq:${shard}`;
    this.#url = url;
    this.#server = redisServer(url);
    this.#onError = options.onError ?? (() => {});
    this.#options = {
      lazyConnect: true,
      connectTimeout: connectTimeoutMs,
      // While Redis is down, queued calls fail after two reconnection attempts instead of waiting for it.
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1_000),
      // A call whose connection dropped may or may not have run; resending it could append a command twice.
      // It rejects instead (by its timeout), and the caller reports the outcome as unknown.
      autoResendUnfulfilledCommands: false,
    };
    // Auto-pipelining: the calls made in one turn of the event loop (an edge's concurrent requests) go out in
    // one write, which on a busy machine costs far less than a write each. A pipeline goes out in the trace
    // context of its first call: appends are traced by autoPipelinedCall, not the ioredis instrumentation.
    this.#commands = this.#open({ commandTimeout: commandTimeoutMs, enableAutoPipelining: true });
    // blockingTimeout makes a blocking read on a dead socket give up after its own BLOCK time.
    this.#blocking = this.#open({ blockingTimeout: commandTimeoutMs });
  }

  #open(extra: RedisOptions): Redis {
    const redis = new Redis(redisTarget(this.#url), { ...this.#options, ...extra });
    // Without a listener ioredis would report every failed reconnection as an unhandled 'error' event.
    redis.on('error', this.#onError);
    return redis;
  }

  async append(entry: Omit<StreamEntry, 'id'>, maxBacklog?: number): Promise<Appended | BacklogFull> {
    if (entry.data === null) throw new TypeError('a stream entry needs data');
    const fields = ['d', entry.data];
    if (entry.traceparent !== undefined) fields.push('tp', entry.traceparent);
    if (entry.tracestate !== undefined) fields.push('ts', entry.tracestate);
    if (maxBacklog === undefined) {
      const id = await autoPipelinedCall(
        this.#server,
        'xadd',
        () => [this.#stream, '*', ...fields],
        () => this.#commands.xadd(this.#stream, '*', ...fields),
      );
      return { id: id! };
    }
    const script = scripts.appendBounded;
    const reply = await autoPipelinedCall(
      this.#server,
      'evalsha',
      () => [script.sha, 1, this.#stream, maxBacklog, ...fields],
      () => script.run(this.#commands, [this.#stream], [maxBacklog, ...fields]),
    );
    return typeof reply === 'number' ? { backlogFull: true, backlog: reply } : { id: String(reply) };
  }

  async ensureGroup(floor: StreamId): Promise<void> {
    this.#floor = floor;
    try {
      await this.#commands.xgroup('CREATE', this.#stream, GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!isError(err, 'BUSYGROUP')) throw err;
    }
    // The script compares decimal strings, so they must have no leading zeros.
    const [ms = '0', seq = '0'] = floor.split('-').map((part) => BigInt(part).toString());
    await scripts.raiseLastId.run(this.#commands, [this.#stream], [ms, seq]);
  }

  readPending(after: StreamId, count: number): Promise<StreamEntry[]> {
    return this.#readGroup(this.#commands, count, 0, after);
  }

  async readNew(count: number, blockMs: number): Promise<StreamEntry[]> {
    // XREADGROUP treats BLOCK 0 as forever; the contract says 0 means do not wait.
    if (blockMs <= 0) return this.#readGroup(this.#commands, count, 0, '>');
    try {
      return await this.#readGroup(this.#blocking, count, blockMs, '>');
    } catch (err) {
      // close() cuts a pending blocking read short; the caller is shutting down and gets nothing.
      if (this.#closed) return [];
      throw err;
    }
  }

  async #readGroup(redis: Redis, count: number, blockMs: number, from: string): Promise<StreamEntry[]> {
    const read = () =>
      blockMs > 0
        ? redis.xreadgroup(
            'GROUP',
            GROUP,
            CONSUMER,
            'COUNT',
            count,
            'BLOCK',
            blockMs,
            'STREAMS',
            this.#stream,
            from,
          )
        : redis.xreadgroup('GROUP', GROUP, CONSUMER, 'COUNT', count, 'STREAMS', this.#stream, from);
    let reply;
    try {
      reply = await read();
    } catch (err) {
      // The group is gone when Redis lost its data (a restart without persistence): make it again, once.
      if (!isError(err, 'NOGROUP')) throw err;
      await this.ensureGroup(this.#floor);
      reply = await read();
    }
    const entries = (reply?.[0]?.[1] ?? []) as RawEntry[];
    return entries.map(([id, fields]) => toEntry(id, fields));
  }

  async flush(outbox: Outbox): Promise<void> {
    const { messages, keys, ack, trimBelow } = outbox;
    if (messages.length + keys.length + ack.length === 0 && trimBelow === undefined) return;
    const pipeline = this.#commands.pipeline();
    for (const { channel, message } of messages) pipeline.publish(this.#prefix + channel, message);
    for (const { key, value } of keys) pipeline.set(this.#prefix + key, value);
    if (ack.length > 0) pipeline.xack(this.#stream, GROUP, ...ack);
    // Exact (not ~) trimming, so that the stream length is exactly the backlog not yet committed.
    if (trimBelow !== undefined) pipeline.xtrim(this.#stream, 'MINID', trimBelow);
    const names = () => [
      ...messages.map(() => 'publish'),
      ...keys.map(() => 'set'),
      ...(ack.length > 0 ? ['xack'] : []),
      ...(trimBelow !== undefined ? ['xtrim'] : []),
    ];
    const results = (await redisPipelineCall(this.#server, names, () => pipeline.exec())) ?? [];
    const failed = results.find(([err]) => err !== null);
    if (failed) throw new Error('flush failed', { cause: failed[0] });
  }

  backlog(): Promise<number> {
    return this.#commands.xlen(this.#stream);
  }

  async deadLetter(entry: StreamEntry, reason: string): Promise<void> {
    const fields = entry.data === null ? [] : ['d', entry.data];
    await this.#commands.xadd(this.#deadLetterStream, '*', ...fields, 'reason', reason, 'srcId', entry.id);
  }

  async deadLetters(count: number): Promise<{ id: StreamId; data: string | null; reason: string }[]> {
    const entries = await this.#commands.xrange(this.#deadLetterStream, '-', '+', 'COUNT', count);
    return entries.map(([id, fields]) => {
      const values = fieldsOf(fields);
      return { id, data: values.get('d') ?? null, reason: values.get('reason') ?? '' };
    });
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>> {
    const subscriber = this.#ensureSubscriber();
    const name = this.#prefix + channel;
    let handlers = this.#handlers.get(name);
    if (!handlers) this.#handlers.set(name, (handlers = new Set()));
    // A wrapper of its own, so that subscribing one function twice needs two unsubscribes, as it should.
    const handler = (message: string) => onMessage(message);
    handlers.add(handler);
    const unsubscribe = async () => {
      if (!handlers.delete(handler) || handlers.size > 0) return;
      this.#handlers.delete(name);
      // A later subscribe sends its SUBSCRIBE after this UNSUBSCRIBE on the same connection, so it wins.
      if (!this.#closed) await subscriber.unsubscribe(name);
    };
    try {
      // Sent even when the channel is already subscribed: its reply is what says messages now arrive.
      await subscriber.subscribe(name);
    } catch (err) {
      await unsubscribe().catch(() => {});
      throw err;
    }
    return unsubscribe;
  }

  #ensureSubscriber(): Redis {
    if (this.#subscriber) return this.#subscriber;
    // Created on first use: edges subscribe, a matcher mostly only publishes.
    const subscriber = this.#open({ lazyConnect: false });
    subscriber.on('message', (name: string, message: string) => {
      for (const handler of [...(this.#handlers.get(name) ?? [])]) handler(message);
    });
    return (this.#subscriber = subscriber);
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.#commands.publish(this.#prefix + channel, message);
  }

  get(key: string): Promise<string | null> {
    return this.#commands.get(this.#prefix + key);
  }

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<Lease | null> {
    const keys = [`${this.#prefix}lease:${name}`, `${this.#prefix}lease-epoch:${name}`];
    const epoch = await scripts.acquireLease.run(this.#commands, keys, [owner, ttlMs]);
    return epoch === null ? null : { epoch: Number(epoch) };
  }

  async renewLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const keys = [`${this.#prefix}lease:${name}`];
    return (await scripts.renewLease.run(this.#commands, keys, [owner, ttlMs])) === 1;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await scripts.releaseLease.run(this.#commands, [`${this.#prefix}lease:${name}`], [owner]);
  }

  async ping(): Promise<void> {
    await this.#commands.ping();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#handlers.clear();
    // disconnect() rather than quit() for the blocking connection: Redis reads no QUIT until the BLOCK ends.
    this.#blocking.disconnect();
    await Promise.all([quit(this.#commands), this.#subscriber && quit(this.#subscriber)]);
  }
}

/** QUIT when connected (the replies in flight still arrive), else stop reconnecting at once. */
async function quit(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') return redis.disconnect();
  await redis.quit().catch(() => redis.disconnect());
}

function isError(err: unknown, code: string): boolean {
  return err instanceof Error && err.message.startsWith(code);
}

function fieldsOf(fields: string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i]!, fields[i + 1]!);
  return values;
}

function toEntry(id: string, fields: string[] | null): StreamEntry {
  // A pending entry trimmed from the stream comes back with no fields at all.
  if (fields === null) return { id, data: null };
  const values = fieldsOf(fields);
  const entry: StreamEntry = { id, data: values.get('d') ?? null };
  const traceparent = values.get('tp');
  const tracestate = values.get('ts');
  if (traceparent !== undefined) entry.traceparent = traceparent;
  if (tracestate !== undefined) entry.tracestate = tracestate;
  return entry;
}
