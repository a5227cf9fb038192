// The wire format between edges and the matcher, and of market definitions in the database: JSON in which the
// fields that hold integer amounts as `bigint` travel as decimal strings. Only the fields named below are turned
// back into bigints, so a string elsewhere (a clientOrderId of "123") stays a string.

import type { Command, CommandResult, Trade } from './core/index.ts';

/** Every field of commands, results, events and market definitions that the core keeps as a bigint. */
const BIGINT_FIELDS = new Set([
  'tickSize',
  'stepSize',
  'minNotional',
  'maxNotional',
  'amount',
  'quoteOrderQty',
  'origQuoteOrderQty',
  'cumQuote',
  'quoteQty',
  'buyerFee',
  'sellerFee',
  'free',
  'locked',
]);

const INTEGER = /^-?\d{1,40}$/;

export function encode(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/**
 * Parses JSON, turning the bigint fields back into bigints; throws SyntaxError on malformed JSON. Plain
 * JSON.parse and one walk over the result: a reviver (a call from the parser per key) cost three times as much.
 */
export function decode<T = unknown>(text: string): T {
  return revive(JSON.parse(text)) as T;
}

function revive(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = revive(value[i]);
    return value;
  }
  const object = value as Record<string, unknown>;
  for (const key in object) {
    const v = object[key];
    if (typeof v === 'string') {
      if (BIGINT_FIELDS.has(key) && INTEGER.test(v)) object[key] = BigInt(v);
    } else if (typeof v === 'object' && v !== null) revive(v);
  }
  return object;
}

/**
 * Binance's labels for an order (strategyId, strategyType): request metadata the core has no use for. They travel
 * beside the command, and the matcher stores them with the order the command places (a placeOrder's, or a
 * cancelReplace's new order) when it commits it; GET /api/v3/order and friends echo them.
 */
export interface OrderTags {
  strategyId?: number;
  strategyType?: number;
}

/** A command as an edge sends it. The matcher stamps `timestamp` from the stream id (the bus's clock). */
export interface CommandEnvelope {
  /** Unique per command (the sender's choice): the reply carries it back. */
  id: string;
  /** The Pub/Sub channel the sender listens on; no reply when absent. */
  replyTo?: string;
  command: Command;
  /** For the order the command places; absent when the request had none. */
  tags?: OrderTags;
}

const isStorable = (v: unknown) => v === undefined || (Number.isSafeInteger(v) && (v as number) >= 0);

/**
 * Why `value` is not OrderTags the orders table can hold (non-negative integers below 2^53), or undefined when
 * it is. Binance's own ranges are the edge's to check.
 */
function tagsProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'tags must be an object';
  const { strategyId, strategyType, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return 'tags hold only strategyId and strategyType';
  if (!isStorable(strategyId) || !isStorable(strategyType))
    return 'tags: strategyId and strategyType must be integers from 0 to 2^53 - 1';
  return undefined;
}

/** What the matcher answers, after the command's effects are committed. */
export interface Reply {
  id: string;
  /** The stream id the command got: its place in the exchange's history. */
  streamId: string;
  /** The matcher's sequence number for it (its execution id); -1 when it was not executed. */
  seq: number;
  /** When the matcher applied it (the stream id's time), ms. */
  time: number;
  result: CommandResult;
  /** The fills of the orders in the result, in execution order. */
  trades?: Trade[];
}

/** The bigint fields of each command (and of a cancel-replace's new order), converted from their strings. */
const COMMAND_BIGINTS: Readonly<Record<string, readonly string[]>> = {
  createMarket: ['tickSize', 'stepSize', 'minNotional', 'maxNotional'],
  deposit: ['amount'],
  withdraw: ['amount'],
  placeOrder: ['quoteOrderQty'],
};

function bigintsOf(value: Record<string, unknown>, fields: readonly string[]): void {
  for (const field of fields) {
    const v = value[field];
    if (typeof v === 'string' && INTEGER.test(v)) value[field] = BigInt(v);
  }
}

/**
 * Reads an envelope; a string says why it cannot be one (the entry goes to the dead-letter stream). Plain
 * JSON.parse, then only the command's known bigint fields converted: a reviver visiting every key cost four
 * times the matching itself.
 */
export function decodeEnvelope(data: string | null): CommandEnvelope | string {
  if (data === null) return 'entry has no data';
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const { id, replyTo, command, tags } = value as Record<string, unknown>;
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) return 'id must be a non-empty string';
  if (replyTo !== undefined && (typeof replyTo !== 'string' || replyTo.length > 200))
    return 'replyTo must be a string';
  if (typeof command !== 'object' || command === null || Array.isArray(command))
    return 'command must be an object';
  const problem = tags === undefined ? undefined : tagsProblem(tags);
  if (problem !== undefined) return problem;
  const c = command as Record<string, unknown>;
  const fields = COMMAND_BIGINTS[c.type as string];
  if (fields !== undefined) bigintsOf(c, fields);
  if (c.type === 'cancelReplace' && typeof c.order === 'object' && c.order !== null) {
    bigintsOf(c.order as Record<string, unknown>, COMMAND_BIGINTS.placeOrder!);
  }
  return value as CommandEnvelope;
}
