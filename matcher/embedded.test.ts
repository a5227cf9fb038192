// The embedded mode across crashes: a child process serves the command mix on PGlite and is SIGKILLed three
// times (twice at a random moment, once right after a commit), each time restarted on the same directory.
// Every acknowledged command must be in the database exactly once, and the database must hold exactly the
// acknowledged commands in stream order plus at most the one in flight at the kill (committed, its reply
// lost): its recovered state equals the core's replay of that sequence, stamped with the stream ids' times.
// And a data directory opens in one process only.

import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../db/client.ts';
import { loadState, readOffset } from '../db/repositories/matcher-state.ts';
import { silentLogger } from '../observability/logger.ts';
import { compareIds, idTime } from './bus/bus.ts';
import { commandMix, random, setupCommands } from './command-mix.ts';
import {
  apply,
  type Command,
  createState,
  type OrderUpdate,
  snapshot,
  stateHash,
  validate,
} from './core/index.ts';
import { openEmbeddedDatabase, startEmbedded } from './embedded.ts';
import { stateOf } from './recovery.ts';

const FIXTURE = fileURLToPath(new URL('./embedded-fixture.ts', import.meta.url));
// The project's Node (24, which runs .ts as is), whichever Node runs the tests.
const PROJECT_NODE = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url));
const NODE = fs.existsSync(PROJECT_NODE) ? PROJECT_NODE : process.execPath;
const LOCK = 'embedded.lock';

const ACCOUNTS = 4;
const MIX = 1500;
const seed = Number(process.env.EMBEDDED_TEST_SEED ?? Math.floor(Math.random() * 1_000_000));

type Line =
  | { ready: true; committed: string; hash: string }
  | { i: number; streamId: string; code: string }
  | { idle: true };

interface Child {
  process: ChildProcess;
  lines: Line[];
  /** Resolves with the first line that matches, rejects if the process ends first. */
  waitFor<T extends Line>(match: (line: Line) => line is T): Promise<T>;
  /** Resolves once the process has ended and its output has been read to the end. */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

interface Range {
  from: number;
  to: number;
  /** The fixture kills itself as the killAt-th reply is about to leave; 0: never. */
  killAt: number;
}

/** Starts the fixture; once it is ready, `range(ready)` says which commands it sends. */
function startFixture(
  dataDir: string,
  range: (ready: Extract<Line, { ready: true }>) => Range,
  onLine?: (line: Line) => void,
): Child {
  const args = [seed, ACCOUNTS, MIX].map(String);
  const child = spawn(NODE, [FIXTURE, dataDir, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  child.stdin.on('error', () => {}); // it may be dead already
  const lines: Line[] = [];
  const listeners = new Set<() => void>();
  let buffer = '';
  let errors = '';
  let done = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    for (const part of parts) {
      const line = JSON.parse(part) as Line;
      lines.push(line);
      if ('ready' in line) child.stdin.write(`${JSON.stringify(range(line))}\n`);
      onLine?.(line);
    }
    for (const listener of listeners) listener();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      done = true;
      children.delete(child);
      for (const listener of listeners) listener();
      resolve({ code, signal });
    }),
  );
  const waitFor = <T extends Line>(match: (line: Line) => line is T) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = lines.find(match);
        if (found !== undefined) resolve(found);
        else if (done) reject(new Error(`the fixture ended early:\n${errors}`));
        else return;
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  return { process: child, lines, waitFor, ended, stderr: () => errors };
}

const isReady = (line: Line): line is Extract<Line, { ready: true }> => 'ready' in line;
const isIdle = (line: Line): line is Extract<Line, { idle: true }> => 'idle' in line;
const isReply = (line: Line): line is Extract<Line, { i: number }> => 'i' in line;

const children = new Set<ChildProcess>();
const dirs: string[] = [];
const tempDir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spot-embedded-'));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  // Fixtures a failed test left running.
  const ending = [...children].map((child) => new Promise((resolve) => child.on('close', resolve)));
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(ending);
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the embedded matcher', () => {
  // One directory for the first two tests: creating a cluster (initdb) is the slowest part of either.
  const dataDir = tempDir();

  it(`keeps every acknowledged command exactly once across SIGKILLs (seed ${seed})`, async () => {
    const commands: Command[] = [...setupCommands(ACCOUNTS), ...commandMix(seed, MIX, ACCOUNTS)];
    const pick = random(seed);
    // The core's replay of what the database must hold, and what it emitted.
    const reference = createState();
    const orders = new Map<number, OrderUpdate>();
    const tradeIds: number[] = [];
    let next = 0;
    let last = '0-0';
    const replay = (i: number, streamId: string) => {
      const applied = apply(reference, { ...commands[i]!, timestamp: idTime(streamId) } as Command);
      for (const e of applied.events) {
        if (e.type === 'order') orders.set(e.orderId, e);
        if (e.type === 'trade') tradeIds.push(e.tradeId);
      }
      next = i + 1;
      last = streamId;
      return applied.result;
    };

    // Killed from outside at a random moment; killed right after a commit, before its reply; again from
    // outside; then closed cleanly.
    const rounds = ['kill', 'killAfterCommit', 'kill', 'close'] as const;
    for (const [round, ending] of rounds.entries()) {
      const target = 100 + Math.floor(pick() * 100);
      const acknowledged = last;
      let acks = 0;
      const child = startFixture(
        dataDir,
        (ready) => {
          // Past the acknowledged commands the database may hold the one in flight at the kill, nothing else
          // (the state hash below says whether it does); the fixture carries on after it.
          if (compareIds(ready.committed, last) > 0) replay(next, ready.committed);
          return {
            from: next,
            to: next + (ending === 'close' ? 50 : 400),
            killAt: ending === 'killAfterCommit' ? target : 0,
          };
        },
        (line) => {
          if (ending === 'kill' && isReply(line) && ++acks === target) {
            setTimeout(() => child.process.kill('SIGKILL'), pick() * 5);
          }
        },
      );
      const ready = await child.waitFor(isReady);
      expect(
        compareIds(ready.committed, acknowledged),
        'an acknowledged command was lost',
      ).toBeGreaterThanOrEqual(0);
      if (rounds[round - 1] === 'killAfterCommit') expect(ready.committed).not.toBe(acknowledged);
      expect(ready.hash, `the state recovered in round ${round}`).toBe(stateHash(reference));

      if (ending === 'close') {
        await child.waitFor(isIdle);
        child.process.kill('SIGTERM');
      }
      const { code, signal } = await child.ended;
      expect({ code, signal }, child.stderr()).toEqual(
        ending === 'close' ? { code: 0, signal: null } : { code: null, signal: 'SIGKILL' },
      );
      for (const line of child.lines.filter(isReply)) {
        expect(line.i).toBe(next);
        expect(line.code, `command ${line.i}`).toBe(replay(line.i, line.streamId).code);
      }
      // A kill leaves the lock behind; the next start takes it over. A clean close removes it.
      expect(fs.existsSync(path.join(dataDir, LOCK))).toBe(ending !== 'close');
    }
    expect(next).toBeGreaterThan(3 * 100 + 50);

    const database = await openEmbeddedDatabase(dataDir, silentLogger());
    try {
      const offset = await readOffset(database.db, 'main');
      expect(offset?.streamId).toBe(last);
      expect(offset?.seq).toBe(reference.seq);
      const state = stateOf(await loadState(database.db, offset!));
      expect(stateHash(state)).toBe(stateHash(reference));
      expect(validate(state)).toEqual([]);

      // Every order as its last update left it, every trade once.
      const orderRows = await rowsOf(
        database.db,
        sql`select order_id, status, executed_qty, update_time from orders order by order_id`,
      );
      expect(
        orderRows.map((r) => [Number(r.order_id), r.status, Number(r.executed_qty), Number(r.update_time)]),
      ).toEqual(
        [...orders.values()]
          .sort((a, b) => a.orderId - b.orderId)
          .map((o) => [o.orderId, o.status, o.executedQty, o.updateTime]),
      );
      const tradeRows = await rowsOf(database.db, sql`select trade_id from trades order by trade_id`);
      expect(tradeRows.map((r) => Number(r.trade_id))).toEqual(tradeIds);

      // The ledger adds up to every balance: no effect recorded twice or missed.
      const ledger = await rowsOf(
        database.db,
        sql`select account_id, asset, sum(amount)::text as total from ledger_entries group by 1, 2`,
      );
      const totals = (rows: { accountId: number; asset: string; total: bigint }[]) =>
        new Map(rows.filter((r) => r.total !== 0n).map((r) => [`${r.accountId} ${r.asset}`, r.total]));
      expect(
        totals(
          ledger.map((r) => ({
            accountId: Number(r.account_id),
            asset: String(r.asset),
            total: BigInt(String(r.total)),
          })),
        ),
      ).toEqual(totals(snapshot(reference).balances.map((b) => ({ ...b, total: b.free + b.locked }))));
    } finally {
      await database.close();
    }
  }, 60_000);

  it('opens a data directory in one process only, and takes over the lock of one that died', async () => {
    const holder = startFixture(dataDir, () => ({ from: 0, to: 0, killAt: 0 }));
    await holder.waitFor(isIdle);
    await expect(startEmbedded({ dataDir, log: silentLogger() })).rejects.toThrow(
      `DATA_DIR is in use by process ${holder.process.pid}`,
    );
    holder.process.kill('SIGTERM');
    expect((await holder.ended).code).toBe(0);

    const first = await startEmbedded({ dataDir, log: silentLogger() });
    await expect(startEmbedded({ dataDir, log: silentLogger() })).rejects.toThrow(
      `DATA_DIR is in use by process ${process.pid}`,
    );
    await first.close();

    // A lock naming a process that has ended, or this process's pid in an earlier life (a container restarted
    // as pid 1), is stale.
    const ended = spawn(NODE, ['-e', '']);
    await new Promise((resolve) => ended.on('close', resolve));
    for (const pid of [ended.pid!, process.pid]) {
      fs.writeFileSync(path.join(dataDir, LOCK), JSON.stringify({ pid, started: null }));
      const again = await startEmbedded({ dataDir, log: silentLogger() });
      const reply = await again.client.send({
        type: 'deposit',
        accountId: 1,
        asset: 'USDT',
        amount: 5n,
      } as Command);
      expect(reply.status).toBe('done');
      await again.close();
      expect(fs.existsSync(path.join(dataDir, LOCK))).toBe(false);
    }
  }, 60_000);

  it('runs in memory without a data directory', async () => {
    const embedded = await startEmbedded({ dataDir: undefined, log: silentLogger() });
    try {
      const outcome = await embedded.client.send({
        type: 'deposit',
        accountId: 3,
        asset: 'BTC',
        amount: 7n,
      } as Command);
      expect(outcome.status).toBe('done');
      expect(embedded.matcher.state!.accounts.get(3)).toBeDefined();
    } finally {
      await embedded.close();
    }
  }, 30_000);
});
