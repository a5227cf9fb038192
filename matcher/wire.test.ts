import { describe, expect, it } from 'vitest';
import { commandMix, setupCommands } from './command-mix.ts';
import type { Command } from './core/index.ts';
import { decode, decodeEnvelope, encode } from './wire.ts';

describe('the wire format', () => {
  it('brings every kind of command back exactly, bigints included', () => {
    const commands: Command[] = [
      ...setupCommands(2),
      ...commandMix(3, 2000),
      {
        type: 'cancelReplace',
        accountId: 1,
        symbol: 'BTCUSDT',
        cancelOrderId: 1,
        mode: 'ALLOW_FAILURE',
        order: { side: 'BUY', orderType: 'MARKET', quoteOrderQty: 123_456_789_012_345_678_901n as never },
        timestamp: 1,
      },
    ];
    for (const command of commands) {
      expect(decodeEnvelope(encode({ id: 'a', replyTo: 'r', command }))).toEqual({
        id: 'a',
        replyTo: 'r',
        command,
      });
    }
  });

  it('leaves strings that only look like integers alone outside the bigint fields', () => {
    const command = {
      type: 'cancelOrder',
      accountId: 1,
      symbol: 'BTCUSDT',
      clientOrderId: '123',
      timestamp: 1,
    };
    expect(decodeEnvelope(encode({ id: 'a', command }))).toEqual({ id: 'a', command });
    expect(
      decode<{ clientOrderId: string; cumQuote: bigint }>('{"clientOrderId":"5","cumQuote":"5"}'),
    ).toEqual({
      clientOrderId: '5',
      cumQuote: 5n,
    });
  });

  it('carries order tags beside the command, and refuses ones the orders table cannot hold', () => {
    const command = setupCommands(1)[0]!;
    const tags = { strategyId: 37463720, strategyType: 1000000 };
    expect(decodeEnvelope(encode({ id: 'a', command, tags }))).toEqual({ id: 'a', command, tags });
    expect(decodeEnvelope(encode({ id: 'a', command, tags: { strategyId: 0 } }))).toEqual({
      id: 'a',
      command,
      tags: { strategyId: 0 },
    });
    const refused = (tags: unknown) => decodeEnvelope(encode({ id: 'a', command, tags }));
    expect(refused(null)).toBe('tags must be an object');
    expect(refused([1])).toBe('tags must be an object');
    expect(refused({ strategyId: 1, other: 2 })).toBe('tags hold only strategyId and strategyType');
    for (const bad of [-1, 1.5, '7', 2 ** 53]) {
      expect(refused({ strategyId: bad })).toMatch(/^tags: strategyId and strategyType must be integers/);
      expect(refused({ strategyType: bad })).toMatch(/^tags: strategyId and strategyType must be integers/);
    }
  });

  it('says why an entry is not an envelope', () => {
    expect(decodeEnvelope(null)).toBe('entry has no data');
    expect(decodeEnvelope('{')).toMatch(/^not JSON/);
    expect(decodeEnvelope('[]')).toBe('not an object');
    expect(decodeEnvelope('{"command":{}}')).toBe('id must be a non-empty string');
    expect(decodeEnvelope('{"id":"x","replyTo":5,"command":{}}')).toBe('replyTo must be a string');
    expect(decodeEnvelope('{"id":"x","command":null}')).toBe('command must be an object');
  });
});
