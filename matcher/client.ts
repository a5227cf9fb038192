// What an edge uses to talk to the matcher: append a command to the stream (with the caller's trace context),
// await its reply on this process's own channel by command id, and say plainly when the outcome is unknown (a
// timeout: the command may still execute) or when the matcher is too far behind to take more (backpressure).

import { randomUUID } from 'node:crypto';
import {
  Attr,
  failSpan,
  type Span,
  SpanKind,
  SpanName,
  startSend,
  startSpan,
  withSpan,
} from '../observability/tracing.ts';
import type { Bus } from './bus/bus.ts';
import type { Command } from './core/index.ts';
import { type MatcherStatus, statusKey } from './loop.ts';
import { type CommandEnvelope, decode, encode, type OrderTags, type Reply } from './wire.ts';

export type Outcome =
  | { status: 'done'; reply: Reply }
  /** No reply in time, or the bus failed mid-call: the command may or may not execute (Binance -1007). */
  | { status: 'unknown'; reason: string }
  /** Not sent: the stream backlog passed the limit; nothing will execute. */
  | { status: 'overloaded'; backlog: number };

export interface SendOptions {
  traceparent?: string;
  tracestate?: string;
  timeoutMs?: number;
  /** Stored with the order the command places (wire.ts, OrderTags). */
  tags?: OrderTags;
}

/** How edges send a command: MatcherClient.send, or a stand-in in tests. */
export type SendCommand = (command: Command, options?: SendOptions) => Promise<Outcome>;

export interface MatcherClientOptions {
  bus: Bus;
  /** How long to wait for a reply, ms. */
  timeoutMs?: number;
  /** Refuse new commands once the stream holds this many not yet committed. */
  maxBacklog?: number;
  shard?: string;
}

interface Waiting {
  resolve: (outcome: Outcome) => void;
  timer: NodeJS.Timeout;
  /** edge.reply: from the append's answer until the reply (tracing only). */
  span?: Span;
}

export class MatcherClient {
  private readonly bus: Bus;
  private readonly timeoutMs: number;
  private readonly maxBacklog: number;
  private readonly shard: string;
  /** This process's reply channel. */
  readonly replyTo = `replies:${randomUUID()}`;
  private readonly waiting = new Map<string, Waiting>();
  private unsubscribe: (() => Promise<void>) | undefined;

  private constructor(o: MatcherClientOptions) {
    this.bus = o.bus;
    this.timeoutMs = o.timeoutMs ?? 5000;
    this.maxBacklog = o.maxBacklog ?? 10_000;
    this.shard = o.shard ?? 'main';
  }

  static async create(options: MatcherClientOptions): Promise<MatcherClient> {
    const client = new MatcherClient(options);
    client.unsubscribe = await options.bus.subscribe(client.replyTo, (m) => client.onReply(m));
    return client;
  }

  /**
   * Sends a command and awaits its reply. With tracing on, the append is a `matcher.send` PRODUCER span whose
   * context travels in the entry (unless `options` carries a trace context of its own), and the wait for the
   * reply an `edge.reply` span.
   */
  async send(command: Command, options: SendOptions = {}): Promise<Outcome> {
    const id = randomUUID();
    const outcome = new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => {
        this.settle(id, { status: 'unknown', reason: 'timeout' });
      }, options.timeoutMs ?? this.timeoutMs);
      this.waiting.set(id, { resolve, timer });
    });
    const envelope: CommandEnvelope = { id, replyTo: this.replyTo, command };
    if (options.tags !== undefined) envelope.tags = options.tags;
    const sending = options.traceparent === undefined ? startSend(this.stream, command.type) : undefined;
    const traceparent = options.traceparent ?? sending?.carrier.traceparent;
    const tracestate = options.traceparent === undefined ? sending?.carrier.tracestate : options.tracestate;
    try {
      const appended = await withSpan(sending?.span, () =>
        this.bus.append(
          {
            data: encode(envelope),
            ...(traceparent === undefined ? {} : { traceparent }),
            ...(tracestate === undefined ? {} : { tracestate }),
          },
          this.maxBacklog,
        ),
      );
      if ('backlogFull' in appended) {
        sending?.span?.setAttribute(Attr.errorType, 'backlog_full');
        this.settle(id, { status: 'overloaded', backlog: appended.backlog });
      } else {
        sending?.span?.setAttribute(Attr.messagingMessageId, appended.id);
        const waiting = this.waiting.get(id);
        if (sending?.span !== undefined && waiting !== undefined) {
          waiting.span = startSpan(SpanName.edgeReply, {
            kind: SpanKind.CONSUMER,
            attributes: {
              [Attr.messagingSystem]: 'redis',
              [Attr.messagingOperationType]: 'receive',
              [Attr.messagingDestination]: 'replies',
              [Attr.command]: command.type,
            },
          });
        }
      }
    } catch (error) {
      if (sending?.span !== undefined) failSpan(sending.span, error);
      // The append may have reached Redis before the connection failed.
      this.settle(id, { status: 'unknown', reason: `bus: ${(error as Error).message}` });
    } finally {
      sending?.span?.end();
    }
    return outcome;
  }

  /** The command stream's name in spans (messaging.destination.name), without the deployment's key prefix. */
  private get stream(): string {
    return `cmd:${this.shard}`;
  }

  /** A key the matcher writes after its commits (market data: `md:book:<symbol>`, `md:depth:<symbol>`). */
  get(key: string): Promise<string | null> {
    return this.bus.get(key);
  }

  /** The matcher's last published status, or null when none is known. */
  async matcherStatus(): Promise<MatcherStatus | null> {
    const text = await this.bus.get(statusKey(this.shard));
    return text === null ? null : (JSON.parse(text) as MatcherStatus);
  }

  /** Whether a recovered matcher is serving (its status is fresh and says so). */
  async matcherReady(now = Date.now(), staleMs = 5000): Promise<boolean> {
    const status = await this.matcherStatus();
    return status?.role === 'serving' && now - status.at < staleMs;
  }

  async close(): Promise<void> {
    await this.unsubscribe?.();
    for (const id of [...this.waiting.keys()])
      this.settle(id, { status: 'unknown', reason: 'client closed' });
  }

  private onReply(message: string): void {
    let reply: Reply;
    try {
      reply = decode<Reply>(message);
    } catch {
      return;
    }
    this.settle(reply.id, { status: 'done', reply });
  }

  private settle(id: string, outcome: Outcome): void {
    const waiting = this.waiting.get(id);
    if (waiting === undefined) return;
    this.waiting.delete(id);
    clearTimeout(waiting.timer);
    if (waiting.span !== undefined) {
      if (outcome.status === 'done') waiting.span.setAttribute(Attr.resultCode, outcome.reply.result.code);
      else waiting.span.setAttribute(Attr.errorType, outcome.status);
      waiting.span.end();
    }
    waiting.resolve(outcome);
  }
}
