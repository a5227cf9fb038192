// The matcher service: hold the shard's lease (or wait as a standby), recover the state from Postgres, then
// read -> apply -> commit -> publish -> ack, batch after batch (a batch applies while the one before commits, and
// publishes while the next commits). A reply leaves only after its command's effects and the stream offset are
// committed in one transaction, so a crash anywhere loses nothing that was acknowledged, and the replay of what
// was not committed gives the same effects exactly once.

import { randomUUID } from 'node:crypto';
import type { Database } from '../db/client.ts';
import {
  type BatchWrite,
  claimShard,
  commitBatch,
  FencedError,
  loadState,
  readOffset,
} from '../db/repositories/matcher-state.ts';
import type { Logger } from '../observability/logger.ts';
import { meters, observeMatcher } from '../observability/metrics.ts';
import {
  Attr,
  context,
  extractCarrier,
  failSpan,
  linkTo,
  sampledCarrier,
  type Span,
  SpanKind,
  SpanName,
  startSpan,
  trace,
  tracingEnabled,
  withSpan,
} from '../observability/tracing.ts';
import { BatchBuilder } from './batch.ts';
import { type Bus, compareIds, idTime, nextId, type Outbox, type StreamEntry } from './bus/bus.ts';
import {
  apply,
  type Command,
  type CommandResult,
  type ExchangeState,
  flushBalances,
  reportBalancesByBatch,
  reserveOrders,
  ResultCode,
  type Trade,
} from './core/index.ts';
import { MarketData } from './market-data.ts';
import { initialOffset, stateOf } from './recovery.ts';
import { Retrier, sleep } from './retry.ts';
import { type CommandEnvelope, decodeEnvelope, encode, type Reply } from './wire.ts';

export interface MatcherOptions {
  bus: Bus;
  db: Database;
  log: Logger;
  /** Which shard (stream, lease, offset row) this matcher serves. */
  shard?: string;
  /** Names this process in the lease. */
  owner?: string;
  /** Most commands per batch (group commit). */
  batchSize?: number;
  /** How long a read waits for commands before the loop looks around (lease, depth flush, stop). */
  blockMs?: number;
  /** The lease lives this long without renewal; a standby takes over within about this time. */
  leaseTtlMs?: number;
  /** How often a standby tries to take the lease. */
  standbyPollMs?: number;
  depthLimit?: number;
  depthIntervalMs?: number;
  /**
   * Open orders to make room for when the state is recovered, before any command (core reserveOrders): up to
   * that many, placing an order neither grows the order store nor faults in a page of memory. None by default
   * (the store grows as orders come); the processes pass MATCHER_ORDER_CAPACITY.
   */
  orderCapacity?: number;
}

export type MatcherRole = 'starting' | 'standby' | 'recovering' | 'serving' | 'stopped';

export const statusKey = (shard: string): string => `matcher:status:${shard}`;

/** What the matcher publishes about itself (readiness): the edge's /readyz reads it. */
export interface MatcherStatus {
  shard: string;
  owner: string;
  role: MatcherRole;
  /** The last committed stream id. */
  committed: string;
  epoch: number;
  /** When this was written (the matcher's clock, ms). */
  at: number;
}

/** A batch applied and ready to commit: its rows (none for an empty batch) and what to send after. */
interface Prepared {
  write?: BatchWrite;
  last?: string;
  outbox: Outbox;
  /** Commands in the batch (applied or answered unexecuted). */
  size: number;
  /** Each command's matcher.consume span and its reply channel (tracing only). */
  spans?: { span: Span; replyTo?: string }[];
}

/** Counts of one batch, added to the metrics once per batch rather than once per command. */
class BatchCounts {
  readonly orders = new Map<string, number>();
  readonly trades = new Map<string, number>();
  readonly rejects = new Map<string, number>();

  static bump(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  record(): void {
    const m = meters();
    for (const [symbol, n] of this.orders) m.orders.add(n, { [Attr.symbol]: symbol });
    for (const [symbol, n] of this.trades) m.trades.add(n, { [Attr.symbol]: symbol });
    for (const [code, n] of this.rejects) m.rejects.add(n, { [Attr.resultCode]: code });
  }
}

class LeaseLost extends Error {
  constructor() {
    super('the matcher lease was lost');
    this.name = 'LeaseLost';
  }
}

const isFatal = (error: unknown): boolean => error instanceof FencedError || error instanceof LeaseLost;

export class Matcher {
  private readonly bus: Bus;
  private readonly db: Database;
  private readonly log: Logger;
  readonly shard: string;
  readonly owner: string;
  private readonly batchSize: number;
  private readonly blockMs: number;
  private readonly leaseTtlMs: number;
  private readonly standbyPollMs: number;
  private readonly orderCapacity: number;
  private readonly marketData: MarketData;
  private readonly retry: Retrier;
  private stopping = false;
  private leaseLost = false;
  private readFailed = false;
  /** The last stream id applied and handed to a commit (ahead of `committed` while a batch is in flight). */
  private prepared = '0-0';
  /** The commit of the batch in flight: settled before the next batch commits. */
  private inflight: Promise<void> | undefined;
  /**
   * The publishing of committed batches (replies, market data, acks, trims), one after another in batch order. A
   * batch's publish runs while the next batch commits; a failure of one is rethrown by the next settleCommit.
   */
  private publishing: Promise<void> | undefined;
  private publishFailure: { error: unknown } | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Entries whose apply threw: dead-lettered and skipped from then on. */
  private readonly poisoned = new Set<string>();
  /** The stream's length when last looked (a gauge). */
  private backlogSeen = 0;
  /** Commands re-applied by the last recovery (a gauge). */
  private replayed = 0;
  role: MatcherRole = 'starting';
  /** The live state while serving (tests and the all-in-one process read it). */
  state: ExchangeState | undefined;
  committed = '0-0';
  epoch = 0;

  constructor(o: MatcherOptions) {
    this.bus = o.bus;
    this.db = o.db;
    this.log = o.log.child({ component: 'matcher' });
    this.shard = o.shard ?? 'main';
    this.owner = o.owner ?? randomUUID();
    this.batchSize = o.batchSize ?? 1000;
    this.blockMs = o.blockMs ?? 100;
    this.leaseTtlMs = o.leaseTtlMs ?? 3000;
    this.standbyPollMs = o.standbyPollMs ?? 500;
    this.orderCapacity = o.orderCapacity ?? 0;
    this.marketData = new MarketData({ depthLimit: o.depthLimit, depthIntervalMs: o.depthIntervalMs });
    this.retry = new Retrier(this.log, isFatal);
  }

  /** Runs until stop(): standby, then serving; back to standby when the lease or the shard is lost. */
  start(): void {
    if (this.running !== undefined) return;
    const unobserve = observeMatcher(this.shard, {
      backlog: () => this.backlogSeen,
      replayed: () => this.replayed,
    });
    this.running = this.run().finally(unobserve);
  }

  /** Resolves once the matcher has recovered and serves (or rejects if it stops first). */
  async ready(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.role !== 'serving') {
      if (this.role === 'stopped') throw new Error('the matcher stopped');
      if (Date.now() > until) throw new Error(`the matcher is not serving after ${timeoutMs} ms`);
      await sleep(10);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.retry.stopped = true;
    await this.running?.catch(() => {});
    this.role = 'stopped';
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.role = 'standby';
      const leased = await this.waitForLease();
      if (!leased) break;
      try {
        await this.serve();
      } catch (error) {
        if (this.stopping) break;
        if (isFatal(error)) this.log.warn({ err: error }, 'lost the shard; back to standby');
        else this.log.error({ err: error }, 'matcher failed; recovering from the database');
        await sleep(100);
      } finally {
        clearInterval(this.renewTimer);
        this.state = undefined;
      }
    }
    clearInterval(this.renewTimer);
    await this.bus.releaseLease(this.leaseName, this.owner).catch(() => {});
    this.role = 'stopped';
  }

  private get leaseName(): string {
    return `matcher:${this.shard}`;
  }

  private async waitForLease(): Promise<boolean> {
    let announced = false;
    while (!this.stopping) {
      const lease = await this.bus
        .acquireLease(this.leaseName, this.owner, this.leaseTtlMs)
        .catch(() => null);
      if (lease !== null) {
        this.leaseLost = false;
        this.renewTimer = setInterval(() => void this.renew(), Math.max(50, this.leaseTtlMs / 3));
        this.log.info({ shard: this.shard, owner: this.owner }, 'took the matcher lease');
        return true;
      }
      if (!announced) this.log.info({ shard: this.shard }, 'another matcher holds the lease; standing by');
      announced = true;
      await sleep(this.standbyPollMs);
    }
    return false;
  }

  private async renew(): Promise<void> {
    try {
      if (await this.bus.renewLease(this.leaseName, this.owner, this.leaseTtlMs)) return;
      // Expired while the event loop was busy (a long restore): take it back if nobody else has. Someone who
      // did would have claimed the shard in Postgres, and our next commit would be fenced anyway.
      const again = await this.bus.acquireLease(this.leaseName, this.owner, this.leaseTtlMs);
      if (again === null) this.leaseLost = true;
      else this.log.warn({ shard: this.shard }, 'the matcher lease had expired; took it back');
    } catch {
      // Redis unreachable: the Postgres epoch still fences us if someone else takes over meanwhile.
    }
  }

  private checkLease(): void {
    if (this.leaseLost) throw new LeaseLost();
  }

  private async serve(): Promise<void> {
    this.role = 'recovering';
    const started = performance.now();
    const claim = await this.retry.run('postgres', 'claim', () =>
      claimShard(this.db, initialOffset(this.shard)),
    );
    this.epoch = claim.epoch;
    this.committed = claim.streamId;
    this.prepared = claim.streamId;
    const stored = await this.retry.run('postgres', 'load', () => loadState(this.db, claim));
    // The restore holds the event loop (seconds with a million open orders) so the renewal timer cannot run:
    // stretch the lease over it first (about 100k orders per second on a slow machine), renew right after.
    const openOrders = stored.bookOrders.length + stored.pendingStops.length;
    await this.bus.renewLease(this.leaseName, this.owner, this.leaseTtlMs + openOrders / 100).catch(() => {});
    this.state = stateOf(stored);
    if (this.orderCapacity > 0) reserveOrders(this.state, this.orderCapacity);
    // A batch commits each balance it changed once, as it stands: the core reports them so (flushBalances).
    reportBalancesByBatch(this.state);
    await this.renew();
    this.checkLease();
    await this.retry.run('redis', 'ensure group', () => this.bus.ensureGroup(claim.streamId));
    // Commands delivered before a crash and not committed come first, in stream order.
    this.replayed = 0;
    const replayed = await this.drainPending('0-0');
    // Market data for every market as recovered: a restarted bus (the in-process one, a Redis that lost its
    // data) has none until the next order otherwise.
    for (const symbol of this.state.markets.keys()) this.marketData.touch(symbol);
    this.marketData.forceDepth();
    await this.process([], []);
    this.role = 'serving';
    await this.publishStatus();
    this.log.info(
      {
        shard: this.shard,
        epoch: this.epoch,
        committed: this.committed,
        openOrders,
        replayed,
        recoveryMs: Math.round(performance.now() - started),
      },
      'recovered; serving',
    );
    let statusAt = Date.now();
    try {
      while (!this.stopping) {
        this.checkLease();
        const entries = await this.retry.run('redis', 'read', () => this.readNew());
        if (entries === 'pending') {
          await this.settle();
          await this.drainPending(this.committed);
        } else if (entries.length > 0 || this.marketData.pending) {
          // A batch with room while the previous one still commits: wait for that commit, then take in what
          // arrived meanwhile, so that it rides in this commit rather than waiting for the next (fewer,
          // larger commits; no later answer for anyone). A full batch is applied while the previous one
          // commits, and commits once that is done.
          if (this.inflight !== undefined && entries.length < this.batchSize) {
            await this.settleCommit();
            await this.topUp(entries);
          }
          const prepared = await this.prepare(entries, []);
          await this.settleCommit();
          const inflight = this.complete(prepared);
          inflight.catch(() => {}); // awaited by the next settle(); no unhandled rejection meanwhile
          this.inflight = inflight;
        }
        if (Date.now() - statusAt >= 1000) {
          statusAt = Date.now();
          await this.publishStatus();
        }
      }
      await this.settle();
    } finally {
      // Never let a commit run on while the matcher recovers or stands by.
      await this.settle().catch(() => {});
    }
    // Stopping while still the lease holder: say so, so that readiness turns false at once.
    this.role = 'stopped';
    await this.publishStatus();
  }

  /**
   * Processes the entries delivered to the matcher's consumer and not acknowledged, after `from`: those of a
   * matcher that died, or of a read whose answer was lost. Those at or below the committed offset are only
   * acknowledged. Returns how many were applied.
   */
  private async drainPending(from: string): Promise<number> {
    let applied = 0;
    for (let cursor = from; ;) {
      const entries = await this.retry.run('redis', 'read pending', () =>
        this.bus.readPending(cursor, this.batchSize),
      );
      if (entries.length === 0) return applied;
      cursor = entries.at(-1)!.id;
      const fresh = (e: StreamEntry) => compareIds(e.id, this.committed) > 0 && e.data !== null;
      applied += entries.filter(fresh).length;
      if (from === '0-0') this.replayed = applied;
      await this.process(
        entries.filter(fresh),
        entries.filter((e) => !fresh(e)).map((e) => e.id),
      );
    }
  }

  /** New entries, or 'pending' after a failed read: its entries may sit undelivered in the pending list. */
  private async readNew(): Promise<StreamEntry[] | 'pending'> {
    if (this.readFailed) {
      this.readFailed = false;
      return 'pending';
    }
    try {
      return await this.bus.readNew(this.batchSize, this.blockMs);
    } catch (error) {
      this.readFailed = true;
      throw error;
    }
  }

  /** Adds to `entries` what is waiting in the stream, up to the batch size, without blocking. */
  private async topUp(entries: StreamEntry[]): Promise<void> {
    try {
      entries.push(...(await this.bus.readNew(this.batchSize - entries.length, 0)));
    } catch {
      // Its answer lost, this read may have delivered entries: the next read drains them first.
      this.readFailed = true;
    }
  }

  private async publishStatus(): Promise<void> {
    this.backlogSeen = await this.bus.backlog().catch(() => this.backlogSeen);
    const status: MatcherStatus = {
      shard: this.shard,
      owner: this.owner,
      role: this.role,
      committed: this.committed,
      epoch: this.epoch,
      at: Date.now(),
    };
    await this.bus
      .flush({ messages: [], keys: [{ key: statusKey(this.shard), value: JSON.stringify(status) }], ack: [] })
      .catch(() => {});
  }

  /** Applies, commits and publishes one batch, after the one in flight; `alsoAck` are entries already
   * committed (or unreadable). */
  private async process(entries: StreamEntry[], alsoAck: string[]): Promise<void> {
    await this.settle();
    await this.complete(await this.prepare(entries, alsoAck));
  }

  /** Waits for the batch in flight to be committed and published (rethrowing a failure of either). */
  private async settle(): Promise<void> {
    await this.settleCommit();
    const publishing = this.publishing;
    this.publishing = undefined;
    await publishing;
  }

  /**
   * Waits for the batch in flight to be committed (its publish may still run), rethrowing a failure of that
   * commit or of any publish so far.
   */
  private async settleCommit(): Promise<void> {
    const inflight = this.inflight;
    this.inflight = undefined;
    await inflight;
    const failure = this.publishFailure;
    if (failure !== undefined) {
      this.publishFailure = undefined;
      this.publishing = undefined;
      throw failure.error;
    }
  }

  /**
   * Applies a batch and builds what it will commit and publish. The state moves on at once; nothing leaves the
   * process until complete() has committed it. The market data is taken here, so it shows this batch's state
   * and no later one.
   */
  private async prepare(entries: StreamEntry[], alsoAck: string[]): Promise<Prepared> {
    const state = this.state!;
    const builder = new BatchBuilder(state);
    const outbox: Outbox = { messages: [], keys: [], ack: [...alsoAck], trimBelow: undefined };
    const counts = new BatchCounts();
    const spans: Prepared['spans'] = tracingEnabled() ? [] : undefined;
    for (const entry of entries) {
      outbox.ack.push(entry.id);
      // A command its sender did not sample gets no span objects at all (they would not be recorded).
      const consumed = spans === undefined || !sampledCarrier(entry) ? undefined : this.consumeSpan(entry);
      if (consumed !== undefined) spans!.push(consumed);
      if (this.poisoned.has(entry.id)) {
        this.replyUnexecuted(entry, 'its apply failed; see the dead-letter stream', outbox);
        continue;
      }
      const envelope = decodeEnvelope(entry.data);
      if (typeof envelope === 'string') {
        await this.deadLetter(entry, envelope);
        this.replyUnexecuted(entry, envelope, outbox);
        continue;
      }
      const time = idTime(entry.id);
      const command = { ...envelope.command, timestamp: time } as Command;
      let applied;
      const applying =
        consumed === undefined
          ? undefined
          : startSpan(
              SpanName.apply,
              { attributes: { [Attr.command]: command.type } },
              trace.setSpan(context.active(), consumed.span),
            );
      if (consumed !== undefined) consumed.replyTo = envelope.replyTo;
      try {
        applied = apply(state, command);
        applying?.setAttribute(Attr.resultCode, applied.result.code);
      } catch (error) {
        if (applying !== undefined) failSpan(applying, error);
        applying?.end();
        for (const s of spans ?? []) s.span.end();
        // A core bug, not bad input (the core rejects that). The state may be half-changed: skip the entry
        // from now on and recover from the last commit.
        this.poisoned.add(entry.id);
        await this.deadLetter(entry, `apply threw: ${(error as Error).message}`);
        throw error;
      }
      applying?.end();
      consumed?.span.setAttribute(Attr.resultCode, applied.result.code);
      if (applied.result.code !== ResultCode.OK) BatchCounts.bump(counts.rejects, applied.result.code);
      else if (command.type === 'placeOrder') BatchCounts.bump(counts.orders, command.symbol);
      builder.add(state.seq - 1, time, applied.events);
      if (envelope.tags !== undefined) builder.tag(placedOrderId(command, applied.result), envelope.tags);
      const trades: Trade[] = [];
      for (const e of applied.events) {
        if (e.type === 'trade') {
          trades.push(e);
          BatchCounts.bump(counts.trades, e.symbol);
          this.marketData.trade(e, outbox);
          this.marketData.touch(e.symbol);
        } else if (e.type === 'order') {
          this.marketData.touch(e.symbol);
        }
      }
      if (envelope.replyTo !== undefined) {
        outbox.messages.push({
          channel: envelope.replyTo,
          message: encode(replyOf(envelope, entry.id, state.seq - 1, time, applied.result, trades)),
        });
      }
    }
    builder.addBalances(flushBalances(state));
    const last = entries.at(-1)?.id;
    let write: BatchWrite | undefined;
    if (last !== undefined) {
      write = builder.build(this.shard, this.prepared, last, this.epoch);
      this.prepared = last;
      outbox.trimBelow = nextId(last);
    }
    this.marketData.collect(state, Date.now(), outbox);
    counts.record();
    const size = entries.length;
    return write === undefined ? { outbox, size, spans } : { write, last: last!, outbox, size, spans };
  }

  /** The matcher.consume span of one entry, parented by the trace context it carries. */
  private consumeSpan(entry: StreamEntry): { span: Span; replyTo?: string } {
    const span = startSpan(
      SpanName.consume,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          [Attr.messagingSystem]: 'redis',
          [Attr.messagingOperationType]: 'process',
          [Attr.messagingDestination]: `cmd:${this.shard}`,
          [Attr.messagingConsumerGroup]: 'matcher',
          [Attr.messagingMessageId]: entry.id,
        },
      },
      extractCarrier(entry),
    );
    return { span };
  }

  /**
   * Commits a prepared batch, then queues the sending of its replies, market data, acks and trim after those of
   * the batches before it: the returned promise settles with the commit, so that the next batch commits while
   * this one publishes (bench:matcher: the two were ~6.4 s and ~1.5 s of a 200k-command run, one after the
   * other). Nothing of a batch leaves before its commit; a crash between the two is the window recovery covers.
   */
  private async complete(p: Prepared): Promise<void> {
    try {
      if (p.write !== undefined) await this.commit(p.write, p.last!, p);
      this.checkLease();
    } catch (error) {
      for (const { span } of p.spans ?? []) {
        failSpan(span, error);
        span.end();
      }
      throw error;
    }
    const before = this.publishing;
    const publishing = (async () => {
      await before; // in batch order; a failure before this one stops it too
      await this.publish(p);
    })();
    publishing.catch((error: unknown) => {
      this.publishFailure ??= { error };
    });
    this.publishing = publishing;
  }

  /** Sends a committed batch's replies, market data, acks and trim. */
  private async publish(p: Prepared): Promise<void> {
    try {
      const replies =
        p.spans
          ?.filter((s) => s.replyTo !== undefined)
          .map(({ span }) =>
            startSpan(
              SpanName.reply,
              {
                kind: SpanKind.PRODUCER,
                attributes: {
                  [Attr.messagingSystem]: 'redis',
                  [Attr.messagingOperationType]: 'send',
                  [Attr.messagingOperationName]: 'publish',
                  [Attr.messagingDestination]: 'replies',
                },
              },
              trace.setSpan(context.active(), span),
            ),
          ) ?? [];
      try {
        // One pipeline for the batch: its commands' spans go under the first reply's span.
        await withSpan(replies[0], () => this.retry.run('redis', 'publish', () => this.bus.flush(p.outbox)));
      } catch (error) {
        for (const span of replies) failSpan(span, error);
        throw error;
      } finally {
        for (const span of replies) span.end();
      }
    } catch (error) {
      for (const { span } of p.spans ?? []) failSpan(span, error);
      throw error;
    } finally {
      for (const { span } of p.spans ?? []) span.end();
    }
  }

  private async commit(write: BatchWrite, last: string, p: Prepared): Promise<void> {
    const started = performance.now();
    const spans = p.spans ?? [];
    const span =
      spans.length === 0
        ? undefined
        : startSpan(
            SpanName.commit,
            {
              kind: SpanKind.CLIENT,
              attributes: {
                [Attr.dbSystem]: 'postgresql',
                [Attr.dbOperation]: 'COMMIT',
                [Attr.messagingBatchCount]: p.size,
              },
              links: spans.map(({ span }) => linkTo(span)),
            },
            // Parented by the batch's first command, linked to every command it carries.
            trace.setSpan(context.active(), spans[0]!.span),
          );
    try {
      await withSpan(span, () => this.commitOnce(write, last));
    } catch (error) {
      if (span !== undefined) failSpan(span, error);
      throw error;
    } finally {
      span?.end();
    }
    meters().commitDuration.record(performance.now() - started);
    meters().batchSize.record(p.size);
  }

  private async commitOnce(write: BatchWrite, last: string): Promise<void> {
    await this.retry.run('postgres', 'commit', async () => {
      this.checkLease();
      try {
        await commitBatch(this.db, write);
      } catch (error) {
        // A commit whose answer was lost (the connection dropped at COMMIT) looks fenced on retry: it is ours
        // if the offset and epoch say so.
        if (!(error instanceof FencedError)) throw error;
        const now = await readOffset(this.db, this.shard);
        if (now?.streamId !== last || now.epoch !== this.epoch) throw error;
      }
    });
    this.committed = last;
  }

  private async deadLetter(entry: StreamEntry, reason: string): Promise<void> {
    this.log.warn({ streamId: entry.id, reason }, 'command dead-lettered');
    await this.retry.run('redis', 'dead-letter', () => this.bus.deadLetter(entry, reason));
  }

  /** Answers a command that was not executed, when its id and reply channel can be read at all. */
  private replyUnexecuted(entry: StreamEntry, reason: string, outbox: Outbox): void {
    const salvage = salvageReply(entry.data);
    if (salvage === null) return;
    const reply: Reply = {
      id: salvage.id,
      streamId: entry.id,
      seq: -1,
      time: idTime(entry.id),
      result: { code: ResultCode.UNKNOWN_COMMAND, detail: reason },
    };
    outbox.messages.push({ channel: salvage.replyTo, message: encode(reply) });
  }
}

function replyOf(
  envelope: CommandEnvelope,
  streamId: string,
  seq: number,
  time: number,
  result: CommandResult,
  trades: Trade[],
): Reply {
  const ids = new Set<number>();
  const add = (r: CommandResult | 'NOT_ATTEMPTED' | undefined) => {
    if (r === undefined || r === 'NOT_ATTEMPTED') return;
    if (r.order !== undefined) ids.add(r.order.orderId);
    add(r.newOrderResult);
  };
  add(result);
  const taken = trades.filter((t) => ids.has(t.isBuyerMaker ? t.sellerOrderId : t.buyerOrderId));
  return { id: envelope.id, streamId, seq, time, result, ...(taken.length > 0 ? { trades: taken } : {}) };
}

/** The order a command placed: a placeOrder's, or a cancelReplace's new order (none when it was refused). */
function placedOrderId(command: Command, result: CommandResult): number | undefined {
  if (command.type === 'placeOrder') return result.order?.orderId;
  if (command.type !== 'cancelReplace') return undefined;
  const placed = result.newOrderResult;
  return placed === undefined || placed === 'NOT_ATTEMPTED' ? undefined : placed.order?.orderId;
}

/** The id and reply channel of an entry that is not a valid envelope, when they can be read at all. */
function salvageReply(data: string | null): { id: string; replyTo: string } | null {
  try {
    const value = JSON.parse(data ?? 'null') as { id?: unknown; replyTo?: unknown } | null;
    return typeof value?.id === 'string' && typeof value.replyTo === 'string'
      ? { id: value.id, replyTo: value.replyTo }
      : null;
  } catch {
    return null;
  }
}
