// The matcher under failure, on the real Redis and Postgres (a database and key prefix of this run's own):
// - crash: a matcher child process is killed with SIGKILL at random moments under a steady stream of commands
//   and restarted each time;
// - failover: the active matcher dies and the standby takes over within 5 s;
// - outage: Postgres, or Redis, becomes unreachable mid-stream and comes back; the matcher carries on by itself.
// Afterwards every answered command has its effects exactly once, no trade is duplicated, every asset is
// conserved, and the committed state equals that of a crash-free run of the same commands in stream order.

import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type DatabaseClient, rowsOf } from '../db/client.ts';
import { loadState, readOffset } from '../db/repositories/matcher-state.ts';
import { createTestDatabase, type TestDatabase } from '../db/test-database.ts';
import { silentLogger } from '../observability/logger.ts';
import { compareIds, idTime } from './bus/bus.ts';
import { RedisBus } from './bus/redis-bus.ts';
import { deleteKeys, REDIS_URL, runPrefix } from './bus/test-kit.ts';
import { commandMix, random, setupCommands } from './command-mix.ts';
import { apply, type Command, createState, stateHash, validate } from './core/index.ts';
import { Matcher, type MatcherStatus, statusKey } from './loop.ts';
import { stateOf } from './recovery.ts';
import { startProxy } from './tcp-proxy.ts';
import { decode, encode, type Reply } from './wire.ts';

const MAIN = new URL('./main.ts', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Sent {
  command: Command;
  envelopeId: string;
  streamId: string;
}

/** Sends commands in order, a few in flight, recording each stream id and every reply that arrives. */
class Producer {
  readonly sent: Sent[] = [];
  readonly replies = new Map<string, Reply>();
  private readonly replyTo = `replies:${randomUUID()}`;
  private readonly bus: RedisBus;

  constructor(bus: RedisBus) {
    this.bus = bus;
  }

  async start(): Promise<() => Promise<void>> {
    return this.bus.subscribe(this.replyTo, (m) => {
      const reply = decode<Reply>(m);
      this.replies.set(reply.id, reply);
    });
  }

  /** Sends `commands`; waits for a slot when `inFlight` have no reply yet (a lost reply frees it after 3 s). */
  async send(commands: Command[], inFlight = 8, pauseMs = 0): Promise<void> {
    for (const command of commands) {
      for (let waited = 0; this.unanswered() >= inFlight && waited < 3000; waited += 5) await sleep(5);
      const envelopeId = randomUUID();
      const appended = await this.bus.append({
        data: encode({ id: envelopeId, replyTo: this.replyTo, command }),
      });
      if (!('id' in appended)) throw new Error('refused');
      this.sent.push({ command, envelopeId, streamId: appended.id });
      if (pauseMs > 0) await sleep(pauseMs);
    }
  }

  private unanswered(): number {
    let n = 0;
    for (let i = Math.max(0, this.sent.length - 64); i < this.sent.length; i++)
      if (!this.replies.has(this.sent[i]!.envelopeId)) n++;
    return n;
  }

  get lastId(): string {
    return this.sent.at(-1)!.streamId;
  }
}

describe('the matcher under failure (real Redis and Postgres)', () => {
  let database: TestDatabase;
  let db: DatabaseClient;
  let prefix: string;
  let bus: RedisBus;
  const children = new Set<ChildProcess>();

  beforeAll(async () => {
    database = await createTestDatabase();
    db = connect(database.url);
    await db.migrate();
  }, 60_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await bus?.close();
    if (prefix !== undefined) await deleteKeys(prefix);
    await db?.close();
    await database?.drop();
  });

  /** A fresh shard per test: its own key prefix and an empty database. */
  async function freshShard(): Promise<void> {
    await bus?.close();
    if (prefix !== undefined) await deleteKeys(prefix);
    prefix = runPrefix();
    bus = await RedisBus.connect({ url: REDIS_URL, prefix });
    await db.db.execute(sql`truncate matcher_offsets, assets, markets, balances, fee_tiers, orders, trades,
      ledger_entries, prevented_matches`);
  }

  function spawnMatcher(databaseUrl = database.url): ChildProcess {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        REDIS_URL,
        DATABASE_URL: databaseUrl,
        REDIS_PREFIX: prefix,
        MATCHER_LEASE_TTL_MS: '1000',
        MATCHER_BATCH_SIZE: '50',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.add(child);
    child.on('exit', () => children.delete(child));
    return child;
  }

  async function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  async function status(): Promise<MatcherStatus | null> {
    const text = await bus.get(statusKey('main'));
    return text === null ? null : (JSON.parse(text) as MatcherStatus);
  }

  async function committed(): Promise<string> {
    return (await readOffset(db.db, 'main'))?.streamId ?? '0-0';
  }

  /**
   * Waits for `sending`, failing with what the matcher was doing if nothing commits for 20 s while it sends: a stuck
   * matcher then says so, where the test would otherwise crawl (each unanswered command waits 3 s) into its timeout.
   */
  async function stallCheck(sending: Promise<void>, producer: Producer): Promise<void> {
    let done = false;
    void sending.then(() => (done = true));
    let last = await committed();
    let since = Date.now();
    while (!done) {
      await sleep(200);
      const now = await committed();
      if (now !== last) {
        last = now;
        since = Date.now();
      } else if (Date.now() - since > 20_000) {
        const sent = producer.sent.at(-1)?.streamId;
        throw new Error(
          `nothing committed for 20 s: committed ${now}, last sent ${sent}, ${producer.replies.size} replies, ` +
            `status ${JSON.stringify(await status())}`,
        );
      }
    }
    await sending;
  }

  async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await sleep(20);
    }
  }

  /** Everything the producer sent is committed, exactly once, and equals a crash-free run. */
  async function expectExactlyOnce(producer: Producer): Promise<void> {
    await waitFor(async () => compareIds(await committed(), producer.lastId) >= 0, 30_000, 'the last commit');
    const inOrder = [...producer.sent].sort((a, b) => compareIds(a.streamId, b.streamId));
    const reference = createState();
    let answered = 0;
    for (const s of inOrder) {
      const { result } = apply(reference, { ...s.command, timestamp: idTime(s.streamId) } as Command);
      const reply = producer.replies.get(s.envelopeId);
      if (reply !== undefined) {
        answered++;
        expect(reply.streamId).toBe(s.streamId);
        expect(reply.result).toEqual(result);
      }
    }
    expect(answered).toBeGreaterThan(producer.sent.length * 0.9);
    const offset = await readOffset(db.db, 'main');
    const recovered = stateOf(await loadState(db.db, offset!));
    expect(validate(recovered)).toEqual([]);
    expect(stateHash(recovered)).toBe(stateHash(reference));
    const [rows] = await rowsOf(
      db.db,
      sql`select (select count(*) from orders)::int as orders, (select count(*) from trades)::int as trades,
        (select count(*) from ledger_entries where cause = 'DEPOSIT')::int as deposits`,
    );
    const deposits = inOrder.filter((s) => s.command.type === 'deposit').length;
    expect(rows).toEqual({
      orders: reference.nextOrderId - 1,
      trades: reference.nextTradeId - 1,
      deposits: expect.any(Number),
    });
    expect(rows!.deposits).toBeLessThanOrEqual(deposits);
  }

  it('loses and duplicates nothing when the matcher is killed at random moments', async () => {
    await freshShard();
    const producer = new Producer(bus);
    const unsubscribe = await producer.start();
    const commands = [...setupCommands(5), ...commandMix(11, 1500, 5)];
    let child = spawnMatcher();
    const sending = producer.send(commands, 8, 1);
    const rng = random(11);
    for (let kills = 0; kills < 5; kills++) {
      // Kill only after this incarnation has committed something, at a random moment after that.
      const before = await committed();
      await waitFor(async () => compareIds(await committed(), before) > 0, 30_000, 'progress');
      await sleep(rng() * 400);
      await kill(child);
      child = spawnMatcher();
    }
    await stallCheck(sending, producer);
    await expectExactlyOnce(producer);
    await kill(child, 'SIGTERM');
    await unsubscribe();
  }, 120_000);

  it('fails over to the standby within 5 s of the active matcher dying', async () => {
    await freshShard();
    const producer = new Producer(bus);
    const unsubscribe = await producer.start();
    const first = spawnMatcher();
    await waitFor(async () => (await status())?.role === 'serving', 30_000, 'the first matcher');
    const second = spawnMatcher();
    await producer.send(setupCommands(3));
    await producer.send(commandMix(12, 200, 3));
    await waitFor(async () => compareIds(await committed(), producer.lastId) >= 0, 30_000, 'commits');
    const active = (await status())!.owner;

    // Which child is active does not matter: kill it (the first one started serving first).
    await kill(first);
    const died = Date.now();
    const probe = commandMix(13, 1, 3);
    await producer.send(probe);
    await waitFor(
      async () => producer.replies.has(producer.sent.at(-1)!.envelopeId),
      10_000,
      'the standby to answer',
    );
    const tookOver = Date.now() - died;
    expect((await status())!.owner).not.toBe(active);
    expect(tookOver).toBeLessThan(5000);
    await producer.send(commandMix(14, 100, 3));
    await expectExactlyOnce(producer);
    await kill(second, 'SIGTERM');
    await unsubscribe();
  }, 120_000);

  it('waits out a Postgres outage mid-stream and carries on by itself', async () => {
    await freshShard();
    const target = new URL(database.url);
    let proxy = await startProxy({ host: target.hostname, port: Number(target.port || 5432) });
    target.port = String(proxy.port);
    const proxied = connect(target.toString(), { max: 2 });
    const matcher = new Matcher({ bus, db: proxied.db, log: silentLogger(), leaseTtlMs: 1000 });
    matcher.start();
    await matcher.ready();
    const producer = new Producer(bus);
    const unsubscribe = await producer.start();
    const sending = producer.send([...setupCommands(4), ...commandMix(21, 600, 4)], 8, 1);
    await waitFor(async () => producer.replies.size > 100, 30_000, 'some replies');
    await proxy.stop();
    const repliesAtCut = producer.replies.size;
    await sleep(1500);
    // Nothing is acknowledged while the database is away.
    expect(producer.replies.size).toBeLessThanOrEqual(repliesAtCut + 8);
    proxy = await startProxy(
      { host: target.hostname, port: Number(new URL(database.url).port || 5432) },
      proxy.port,
    );
    await sending;
    await expectExactlyOnce(producer);
    expect(matcher.role).toBe('serving');
    await matcher.stop();
    await unsubscribe();
    await proxied.close();
    await proxy.stop();
  }, 120_000);

  it('waits out a Redis outage mid-stream and carries on by itself', async () => {
    await freshShard();
    const redis = new URL(REDIS_URL);
    const target = { host: redis.hostname, port: Number(redis.port || 6379) };
    let proxy = await startProxy(target);
    // The matcher reaches Redis through the proxy; the producer directly, so commands keep coming meanwhile.
    const cut = await RedisBus.connect({
      url: `redis://127.0.0.1:${proxy.port}`,
      prefix,
      connectTimeoutMs: 500,
      commandTimeoutMs: 1000,
    });
    const matcher = new Matcher({ bus: cut, db: db.db, log: silentLogger(), leaseTtlMs: 3000 });
    matcher.start();
    await matcher.ready();
    const producer = new Producer(bus);
    const unsubscribe = await producer.start();
    const sending = producer.send([...setupCommands(4), ...commandMix(22, 600, 4)], 8, 1);
    await waitFor(async () => producer.replies.size > 100, 30_000, 'some replies');
    await proxy.stop();
    await sleep(1500);
    proxy = await startProxy(target, proxy.port);
    await sending;
    await expectExactlyOnce(producer);
    expect(matcher.role).toBe('serving');
    await matcher.stop();
    await unsubscribe();
    await cut.close();
    await proxy.stop();
  }, 120_000);
});
