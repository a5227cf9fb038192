// Market data as the matcher publishes it after a commit: top of book every batch, depth snapshots and diffs at
// most every interval, trades as they happen.

import { describe, expect, it } from 'vitest';
import type { Outbox } from './bus/bus.ts';
import { setupCommands } from './command-mix.ts';
import { apply, type Command, createState, type Lots, type Ticks } from './core/index.ts';
import {
  bookKey,
  type BookTop,
  depthChannel,
  type DepthDiff,
  depthKey,
  type DepthSnapshot,
  MarketData,
  tradesChannel,
} from './market-data.ts';
import { decode } from './wire.ts';

const outbox = (): Outbox => ({ messages: [], keys: [], ack: [] });
const limit = (side: 'BUY' | 'SELL', price: number, quantity: number): Command => ({
  type: 'placeOrder',
  accountId: side === 'BUY' ? 1 : 2,
  symbol: 'ETHUSDT',
  side,
  orderType: 'LIMIT',
  timeInForce: 'GTC',
  price: price as Ticks,
  quantity: quantity as Lots,
  timestamp: 1,
});

describe('market data', () => {
  it('publishes the top of book per batch, depth and its diff per interval, and each trade', () => {
    const state = createState();
    for (const c of setupCommands(2)) apply(state, c);
    const md = new MarketData({ depthLimit: 2, depthIntervalMs: 100 });
    for (const c of [limit('BUY', 100, 5), limit('BUY', 99, 1), limit('BUY', 98, 1), limit('SELL', 105, 3)]) {
      apply(state, c);
    }
    md.touch('ETHUSDT');
    const first = outbox();
    md.collect(state, 1000, first);
    const top = decode<BookTop>(first.keys.find((k) => k.key === bookKey('ETHUSDT'))!.value);
    expect(top).toEqual({ symbol: 'ETHUSDT', updateId: state.seq, bid: [100, 5], ask: [105, 3] });
    const depth = decode<DepthSnapshot>(first.keys.find((k) => k.key === depthKey('ETHUSDT'))!.value);
    expect(depth).toEqual({
      symbol: 'ETHUSDT',
      lastUpdateId: state.seq,
      bids: [
        [100, 5],
        [99, 1],
      ],
      asks: [[105, 3]],
    });

    // A trade: published at once; the depth waits for its interval, then only changed levels go out.
    const { events } = apply(state, limit('SELL', 100, 2));
    const second = outbox();
    for (const e of events) if (e.type === 'trade') md.trade(e, second);
    md.touch('ETHUSDT');
    md.collect(state, 1050, second);
    expect(second.messages.map((m) => m.channel)).toEqual([tradesChannel('ETHUSDT')]);
    expect(second.keys.map((k) => k.key)).toEqual([bookKey('ETHUSDT')]);
    expect(md.pending).toBe(true);
    const third = outbox();
    md.collect(state, 1100, third);
    const diff = decode<DepthDiff>(
      third.messages.find((m) => m.channel === depthChannel('ETHUSDT'))!.message,
    );
    expect(diff).toEqual({
      symbol: 'ETHUSDT',
      U: depth.lastUpdateId + 1,
      u: state.seq,
      b: [[100, 3]],
      a: [],
    });
    expect(md.pending).toBe(false);

    // A level that empties is sent with 0.
    apply(state, limit('SELL', 99, 4));
    md.touch('ETHUSDT');
    const fourth = outbox();
    md.collect(state, 1300, fourth);
    const gone = decode<DepthDiff>(
      fourth.messages.find((m) => m.channel === depthChannel('ETHUSDT'))!.message,
    );
    expect(gone.b).toEqual([
      [98, 1],
      [100, 0],
      [99, 0],
    ]);
  });
});
