// The per-command bookkeeping (Tx): one events array serves every command, so what one command leaves behind must
// not reach the next one's answer.

import { describe, expect, it } from 'vitest';
import { apply, createState, flushBalances, reportBalancesByBatch } from './index.ts';
import type { Units } from './money.ts';
import { Exchange } from './test-kit.ts';

describe('Tx', () => {
  it('answers each command with its own events, in arrays of their own', () => {
    const state = createState();
    const first = apply(state, { type: 'deposit', accountId: 1, asset: 'USDT', amount: 5n as Units });
    const second = apply(state, { type: 'deposit', accountId: 2, asset: 'USDT', amount: 7n as Units });
    expect(first.events.map((e) => e.type)).toEqual(['deposited', 'balance']);
    expect(second.events.map((e) => e.type)).toEqual(['deposited', 'balance']);
    expect(first.events).not.toBe(second.events);
    expect(first.events[0]).toMatchObject({ accountId: 1, amount: 5n });
    expect(second.events[1]).toMatchObject({ accountId: 2, free: 7n, locked: 0n });
  });

  it('drops the events of a command that threw instead of reporting them with the next', () => {
    const state = createState();
    // As a command that threw after recording an event would leave it.
    state.tx.begin(state.seq++);
    state.tx.emit({ type: 'deposited', accountId: 9, asset: 'BTC', amount: 1n as Units });
    const next = apply(state, { type: 'deposit', accountId: 1, asset: 'USDT', amount: 5n as Units });
    expect(next.events).toEqual([
      { type: 'deposited', accountId: 1, asset: 'USDT', amount: 5n },
      { type: 'balance', accountId: 1, asset: 'USDT', free: 5n, locked: 0n },
    ]);
  });

  it('reports balances by batch when told: none with each command, each changed one once at the flush', () => {
    const state = createState();
    reportBalancesByBatch(state);
    const deposit = (accountId: number, asset: string, amount: bigint) =>
      apply(state, { type: 'deposit', accountId, asset, amount: amount as Units });
    expect(deposit(1, 'USDT', 5n).events.map((e) => e.type)).toEqual(['deposited']);
    deposit(2, 'BTC', 3n);
    deposit(1, 'USDT', 4n);
    expect(flushBalances(state)).toEqual([
      { type: 'balance', accountId: 1, asset: 'USDT', free: 9n, locked: 0n },
      { type: 'balance', accountId: 2, asset: 'BTC', free: 3n, locked: 0n },
    ]);
    expect(flushBalances(state)).toEqual([]);
    deposit(2, 'BTC', 1n);
    expect(flushBalances(state)).toEqual([
      { type: 'balance', accountId: 2, asset: 'BTC', free: 4n, locked: 0n },
    ]);
  });

  it('hands out many events (past the exact-size literals) in order', () => {
    const x = new Exchange().market();
    for (let a = 1; a <= 4; a++) x.fund(a, 'BTC', 10).place(a, 'SELL', 'LIMIT', 1, 100 + a, 'GTC');
    x.fund(9, 'USDT', 10_000);
    const sweep = x.place(9, 'BUY', 'MARKET', 4);
    expect(sweep.result.order?.status).toBe('FILLED');
    const types = sweep.events.map((e) => e.type);
    // Per fill a trade and the maker's update; then the taker's update and the balances.
    expect(types).toEqual([
      ...['trade', 'order', 'trade', 'order', 'trade', 'order', 'trade', 'order'],
      'order',
      ...Array<string>(10).fill('balance'),
    ]);
    const ids = sweep.events.flatMap((e) => (e.type === 'trade' ? [e.tradeId] : []));
    expect(ids).toEqual([1, 2, 3, 4]);
    // The next command's answer holds none of these.
    const after = x.run({ type: 'deposit', accountId: 1, asset: 'USDT', amount: 1n as Units });
    expect(after.events.map((e) => e.type)).toEqual(['deposited', 'balance']);
  });
});
