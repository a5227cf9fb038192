// The embedded mode: the same Matcher, in this process, on PGlite (Postgres in WASM, its files under the
// data directory) and the in-process MemoryBus. What `npm start` runs when neither REDIS_URL nor DATABASE_URL
// is set; the composition root reads the environment and passes the directory in.
//
// Durability (checked by embedded.test.ts, which SIGKILLs a process serving commands, also right after a
// commit): PGlite on Node writes through to the host's files with plain write(2) calls inside the query that
// makes them, and a commit writes its WAL before it returns (synchronous_commit on), so a committed batch
// survives the process dying at any moment. It never fsyncs (PGlite starts Postgres with fsync off and its
// file system ignores fsync; `relaxedDurability` changes nothing on Node), so an OS crash or a power cut may
// lose the last commits, as with any Postgres run with fsync=off: the split deployment is the one for that.
//
// Layout of the data directory:
//   pglite/         the Postgres cluster, moved into place once initdb has completed (a process killed
//                   during the first start otherwise leaves a cluster that never opens again)
//   embedded.lock   the pid of the process that has the directory open: PGlite takes no lock of its own, and
//                   two processes on one cluster corrupt it

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { type DatabaseClient, openEmbedded } from '../db/client.ts';
import type { Logger } from '../observability/logger.ts';
import { MemoryBus } from './bus/memory-bus.ts';
import { MatcherClient, type MatcherClientOptions } from './client.ts';
import { Matcher, type MatcherOptions } from './loop.ts';

export interface EmbeddedOptions {
  /** Where the data lives (created if missing); undefined keeps everything in memory, gone at exit. */
  dataDir: string | undefined;
  log: Logger;
  /** Tuning for the matcher (batch size, lease, depth); the bus, database and logger come from here. */
  matcher?: Omit<MatcherOptions, 'bus' | 'db' | 'log'>;
  /** Tuning for the client (reply timeout, backlog limit); it talks to the matcher's shard. */
  client?: Omit<MatcherClientOptions, 'bus' | 'shard'>;
  /** How long recovery may take before start-up fails, ms. */
  readyTimeoutMs?: number;
}

export interface Embedded {
  bus: MemoryBus;
  db: DatabaseClient;
  matcher: Matcher;
  client: MatcherClient;
  /** Lets the matcher finish its batch, closes the client, the bus and the database, frees the directory. */
  close(): Promise<void>;
}

/** Thrown when another process (or another start in this one) has the data directory open. */
export class DataDirInUseError extends Error {
  readonly dataDir: string;
  readonly pid: number;

  constructor(dataDir: string, pid: number) {
    super(
      `DATA_DIR is in use by process ${pid} (${dataDir}); stop it first. If no such process is running, ` +
        `delete ${path.join(dataDir, LOCK_FILE)}.`,
    );
    this.name = 'DataDirInUseError';
    this.dataDir = dataDir;
    this.pid = pid;
  }
}

const LOCK_FILE = 'embedded.lock';
const CLUSTER_DIR = 'pglite';

/** Where the Postgres cluster of a data directory lives (for tools that open it while nothing else does). */
export const clusterDir = (dataDir: string): string => path.join(path.resolve(dataDir), CLUSTER_DIR);

export async function startEmbedded(options: EmbeddedOptions): Promise<Embedded> {
  const log = options.log.child({ component: 'embedded' });
  const database = await openEmbeddedDatabase(options.dataDir, log);
  const bus = new MemoryBus();
  const matcher = new Matcher({ ...options.matcher, bus, db: database.db, log: options.log });
  let client: MatcherClient | undefined;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // The matcher finishes its batch (committed and answered) first; callers still waiting then hear that
      // the outcome of their command is unknown. Whoever feeds the client (the edge) has stopped before.
      await matcher.stop();
      await client?.close();
      await bus.close();
      await database.close();
    })());
  try {
    matcher.start();
    await matcher.ready(options.readyTimeoutMs);
    client = await MatcherClient.create({ ...options.client, bus, shard: matcher.shard });
  } catch (error) {
    await close();
    throw error;
  }
  log.info({ dataDir: options.dataDir ?? null, committed: matcher.committed }, 'embedded matcher serving');
  return { bus, db: database, matcher, client, close };
}

/**
 * The data directory's database, migrated, held by this process until close(): the lock is taken before
 * PGlite opens and released after it has closed. undefined opens a fresh database in memory.
 */
export async function openEmbeddedDatabase(
  dataDir: string | undefined,
  log: Logger,
): Promise<DatabaseClient> {
  if (dataDir === undefined) {
    const database = await openEmbedded(undefined);
    await database.migrate();
    return database;
  }
  const dir = path.resolve(dataDir);
  fs.mkdirSync(dir, { recursive: true });
  const lock = acquireLock(dir);
  let database: DatabaseClient | undefined;
  try {
    await initCluster(dir, log);
    database = await openEmbedded(clusterDir(dir));
    // Postgres's default, pinned: PGlite runs it single-user, with no WAL writer, so with synchronous_commit
    // off a commit's WAL stays in memory and a killed process loses every commit since the last checkpoint.
    await database.db.execute(sql`set synchronous_commit = on`);
    await database.migrate();
  } catch (error) {
    await database?.close().catch(() => {});
    lock.release();
    throw error;
  }
  const opened = database;
  let closing: Promise<void> | undefined;
  return {
    ...opened,
    close: () =>
      (closing ??= (async () => {
        try {
          await opened.close();
        } finally {
          lock.release();
        }
      })()),
  };
}

/** Creates the cluster beside its place and renames it in: the directory holds a whole cluster or none. */
async function initCluster(dir: string, log: Logger): Promise<void> {
  const target = path.join(dir, CLUSTER_DIR);
  if (fs.existsSync(target)) return;
  const staging = path.join(dir, `${CLUSTER_DIR}.init`);
  fs.rmSync(staging, { recursive: true, force: true });
  log.info({ dataDir: dir }, 'creating the embedded database');
  const fresh = await openEmbedded(staging);
  await fresh.close();
  fs.renameSync(staging, target);
}

// --- the lock --------------------------------------------------------------------------------------------

interface LockOwner {
  pid: number;
  /** When the process started (Linux: clock ticks since boot), so that a reused pid is not taken for it. */
  started: string | null;
}

/** Lock files this process holds: a second start in one process must fail too, whatever the pid says. */
const held = new Set<string>();

function acquireLock(dir: string): { release(): void } {
  const file = path.join(dir, LOCK_FILE);
  if (held.has(file)) throw new DataDirInUseError(dir, process.pid);
  const me: LockOwner = { pid: process.pid, started: startTimeOf(process.pid) };
  const text = JSON.stringify(me);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createExclusive(file, text)) {
      held.add(file);
      return {
        release: () => {
          held.delete(file);
          // Only our own: never remove a lock another process took after ours was judged stale.
          if (readFile(file) === text) fs.rmSync(file, { force: true });
        },
      };
    }
    const current = readFile(file);
    if (current === null) continue; // released meanwhile
    const owner = parseOwner(current);
    if (owner !== null && isRunning(owner)) throw new DataDirInUseError(dir, owner.pid);
    removeStale(file, current);
  }
  throw new Error(`could not lock ${file}: it keeps changing hands`);
}

/** Writes the lock whole, then links it into place: it exists with its content or not at all. */
function createExclusive(file: string, text: string): boolean {
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(draft, text, { flag: 'wx' });
  try {
    fs.linkSync(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(draft, { force: true });
  }
}

/**
 * Moves a dead process's lock aside. If another starter replaced it in the meantime (we moved a live lock),
 * it is put back, and the next attempt finds it.
 */
function removeStale(file: string, staleText: string): void {
  const aside = `${file}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    if (readFile(aside) !== staleText) fs.linkSync(aside, file);
  } catch {
    // Someone else took the directory meanwhile: the next attempt sees their lock.
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

function readFile(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function parseOwner(text: string): LockOwner | null {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    return Number.isSafeInteger(value.pid) && value.pid! > 0
      ? { pid: value.pid!, started: typeof value.started === 'string' ? value.started : null }
      : null;
  } catch {
    return null;
  }
}

function isRunning(owner: LockOwner): boolean {
  // Our pid with no lock of ours recorded: a previous life of this pid (a container restarts as pid 1).
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = startTimeOf(owner.pid);
  return owner.started === null || started === null || started === owner.started;
}

/** A process's start time from /proc (field 22 of stat), or null where there is no /proc. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
