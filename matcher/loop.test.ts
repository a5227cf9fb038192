// The matcher service in-process, on both stacks: the embedded one (MemoryBus + PGlite) and the real one
// (RedisBus + Postgres, a database and key prefix of this run's own). Replies equal what the core answers for
// the same commands in stream order, the committed state equals the live one, a restart carries on from the
// commit, and bad entries, a stopped matcher and a full stream each get their clear outcome.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseClient } from '../db/client.ts';
import { loadState, readOffset } from '../db/repositories/matcher-state.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { silentLogger } from '../observability/logger.ts';
import { type Bus, compareIds } from './bus/bus.ts';
import { MemoryBus } from './bus/memory-bus.ts';
import { RedisBus } from './bus/redis-bus.ts';
import { deleteKeys, REDIS_URL, runPrefix } from './bus/test-kit.ts';
import { MatcherClient, type Outcome } from './client.ts';
import { commandMix, setupCommands } from './command-mix.ts';
import { apply, type Command, createState, stateHash, validate } from './core/index.ts';
import { Matcher } from './loop.ts';
import { bookKey, type BookTop } from './market-data.ts';
import { stateOf } from './recovery.ts';
import { decode, type Reply } from './wire.ts';

interface Stack {
  bus: Bus;
  client: DatabaseClient;
  close(): Promise<void>;
}

const stacks: Record<'embedded' | 'redis+postgres', () => Promise<Stack>> = {
  embedded: async () => {
    const bus = new MemoryBus();
    const client = await openTestDatabase('pglite');
    return { bus, client, close: async () => (await bus.close(), await client.close()) };
  },
  'redis+postgres': async () => {
    const prefix = runPrefix();
    const client = await openTestDatabase('postgres');
    const bus = await RedisBus.connect({ url: REDIS_URL, prefix });
    return {
      bus,
      client,
      close: async () => {
        await bus.close();
        await client.close();
        await deleteKeys(prefix);
      },
    };
  },
};

const done = (o: Outcome): Reply => {
  if (o.status !== 'done') throw new Error(`no reply: ${JSON.stringify(o)}`);
  return o.reply;
};

describe.each(Object.keys(stacks) as (keyof typeof stacks)[])('the matcher service on %s', (name) => {
  let stack: Stack;
  const matchers: Matcher[] = [];
  const clients: MatcherClient[] = [];

  beforeAll(async () => {
    stack = await stacks[name]();
  }, 60_000);
  afterEach(async () => {
    for (const m of matchers.splice(0)) await m.stop();
    for (const c of clients.splice(0)) await c.close();
  });
  afterAll(async () => stack?.close());

  const startMatcher = async (options: { orderCapacity?: number } = {}): Promise<Matcher> => {
    const m = new Matcher({
      ...options,
      bus: stack.bus,
      db: stack.client.db,
      log: silentLogger(),
      leaseTtlMs: 1000,
    });
    matchers.push(m);
    m.start();
    await m.ready();
    return m;
  };
  const newClient = async (options: { timeoutMs?: number; maxBacklog?: number } = {}) => {
    const c = await MatcherClient.create({ bus: stack.bus, ...options });
    clients.push(c);
    return c;
  };

  it('answers every command as the core does in stream order, commits it, and recovers it after a restart', async () => {
    const matcher = await startMatcher();
    const client = await newClient();
    const commands = [...setupCommands(4), ...commandMix(7, 400, 4)];
    // Many in flight at once, so batches hold several commands.
    const replies: { command: Command; reply: Reply }[] = [];
    for (let i = 0; i < commands.length; i += 25) {
      const chunk = commands.slice(i, i + 25);
      const answers = await Promise.all(chunk.map((c) => client.send(c)));
      answers.forEach((a, k) => replies.push({ command: chunk[k]!, reply: done(a) }));
    }
    replies.sort((a, b) => compareIds(a.reply.streamId, b.reply.streamId));
    const reference = createState();
    for (const { command, reply } of replies) {
      const expected = apply(reference, { ...command, timestamp: reply.time } as Command);
      expect(reply.result).toEqual(expected.result);
    }
    expect(stateHash(matcher.state!)).toBe(stateHash(reference));
    const offset = await readOffset(stack.client.db, 'main');
    const committed = stateOf(await loadState(stack.client.db, offset!));
    expect(stateHash(committed)).toBe(stateHash(reference));
    expect(validate(committed)).toEqual([]);

    // Market data: the top of book as the state has it.
    const top = decode<BookTop>((await stack.bus.get(bookKey('BTCUSDT')))!);
    expect(top.symbol).toBe('BTCUSDT');
    expect(top.updateId).toBe(reference.seq);

    // Readiness: a fresh status says serving; a stopped matcher says so at once.
    expect(await client.matcherReady()).toBe(true);
    expect(await client.matcherReady(Date.now() + 10_000)).toBe(false);

    // A restart recovers the committed state and carries on; this one makes room for 4096 open orders first.
    expect(matcher.state!.store.reserved).toBe(1024); // grown as orders came
    await matcher.stop();
    expect(await client.matcherReady()).toBe(false);
    const second = await startMatcher({ orderCapacity: 4096 });
    expect(second.state!.store.reserved).toBe(4096);
    expect(stateHash(second.state!)).toBe(stateHash(reference));
    const more = commandMix(8, 50, 4);
    for (const command of more) {
      const reply = done(await client.send(command));
      expect(reply.result).toEqual(apply(reference, { ...command, timestamp: reply.time } as Command).result);
    }
    expect(stateHash(second.state!)).toBe(stateHash(reference));
  }, 60_000);

  it('commits a batch while the one before it publishes, and answers in stream order', async () => {
    // The publish of the first reply to this test's client waits at a gate: meanwhile the next batch must commit,
    // and no reply may overtake it. (Other flushes, such as the start-up's market data, pass.)
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let replyTo = ''; // the client's reply channel, once it has one
    let gated = 0;
    const bus = new Proxy(stack.bus, {
      get(target, key) {
        if (key === 'flush') {
          return async (outbox: Parameters<Bus['flush']>[0]) => {
            if (gated === 0 && outbox.messages.some((m) => m.channel === replyTo)) {
              gated++;
              await gate;
            }
            return target.flush(outbox);
          };
        }
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const matcher = new Matcher({ bus, db: stack.client.db, log: silentLogger(), leaseTtlMs: 1000 });
    matchers.push(matcher);
    matcher.start();
    await matcher.ready();
    const client = await newClient({ timeoutMs: 20_000 });
    replyTo = client.replyTo;
    const answered: string[] = [];
    const first = client
      .send({ type: 'deposit', accountId: 21, asset: 'USDT', amount: 5n } as Command)
      .then((o) => (answered.push('first'), done(o)));
    // The first batch has committed and waits to publish: the second goes into a batch of its own.
    for (let i = 0; gated === 0 && i < 500; i++) await new Promise((r) => setTimeout(r, 10));
    expect(gated).toBe(1);
    const before = (await readOffset(stack.client.db, 'main'))!.streamId;
    const second = client
      .send({ type: 'deposit', accountId: 22, asset: 'USDT', amount: 7n } as Command)
      .then((o) => (answered.push('second'), done(o)));
    let committed = before;
    for (let i = 0; compareIds(committed, before) <= 0 && i < 500; i++) {
      await new Promise((r) => setTimeout(r, 10));
      committed = (await readOffset(stack.client.db, 'main'))!.streamId;
    }
    // Committed past the first batch while its publish still waits, and nothing was answered yet.
    expect(compareIds(committed, before)).toBeGreaterThan(0);
    expect(answered).toEqual([]);
    open();
    const [a, b] = await Promise.all([first, second]);
    expect(answered).toEqual(['first', 'second']);
    expect(compareIds(b.streamId, a.streamId)).toBeGreaterThan(0);
    expect(committed).toBe(b.streamId);
  }, 60_000);

  it('dead-letters an entry it cannot decode and serves the ones after it', async () => {
    await startMatcher();
    const client = await newClient();
    await stack.bus.append({ data: 'not json' });
    await stack.bus.append({ data: JSON.stringify({ id: 'x1', replyTo: client.replyTo, command: 'nope' }) });
    const reply = done(
      await client.send({ type: 'deposit', accountId: 9, asset: 'USDT', amount: 5n } as Command),
    );
    expect(reply.result.code).toBe('OK');
    const dead = await stack.bus.deadLetters(10);
    expect(dead.map((d) => d.reason)).toEqual([
      expect.stringContaining('not JSON'),
      'command must be an object',
    ]);
  }, 30_000);

  it('says the outcome is unknown when no matcher answers in time, and executes it once one does', async () => {
    const client = await newClient({ timeoutMs: 200 });
    const outcome = await client.send({
      type: 'deposit',
      accountId: 77,
      asset: 'EUR',
      amount: 3n,
    } as Command);
    expect(outcome).toEqual({ status: 'unknown', reason: 'timeout' });
    const matcher = await startMatcher();
    await expect.poll(() => matcher.state?.accounts.get(77)?.balances.length ?? 0).toBeGreaterThan(0);
  }, 30_000);

  it('refuses commands while the stream backlog is at its limit', async () => {
    const client = await newClient({ timeoutMs: 100, maxBacklog: 3 });
    const deposit = { type: 'deposit', accountId: 5, asset: 'BTC', amount: 1n } as Command;
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push(await client.send(deposit));
    expect(outcomes.slice(0, 3).map((o) => o.status)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(outcomes[3]).toEqual({ status: 'overloaded', backlog: 3 });
    // Once a matcher commits them the stream drains and commands flow again.
    await startMatcher();
    await expect.poll(() => stack.bus.backlog()).toBe(0);
    expect((await client.send(deposit, { timeoutMs: 5000 })).status).toBe('done');
  }, 30_000);
});
