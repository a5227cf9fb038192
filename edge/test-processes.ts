// For tests that run the services as real processes (edge/main.ts, matcher/main.ts): spawn them, learn the port
// a process reports in a JSON log line, and stop them all afterwards (SIGTERM, then SIGKILL), also when the test
// worker goes away.

import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export const EDGE_MAIN = new URL('./main.ts', import.meta.url).pathname;
export const MATCHER_MAIN = new URL('../matcher/main.ts', import.meta.url).pathname;

export class Processes {
  private readonly children = new Set<ChildProcess>();
  private readonly killAll = () => {
    for (const child of this.children) child.kill('SIGKILL');
  };

  constructor() {
    process.once('exit', this.killAll);
  }

  /** A process whose stdout nobody reads. */
  start(file: string, env: NodeJS.ProcessEnv): ChildProcess {
    return this.track(spawn(process.execPath, [file], { env, stdio: ['ignore', 'ignore', 'inherit'] }));
  }

  /** A process that reports its port in a JSON log line with message `msg`; resolves with that port. */
  startReporting(file: string, env: NodeJS.ProcessEnv, msg: string, timeoutMs = 60_000): Promise<number> {
    const child = this.track(spawn(process.execPath, [file], { env, stdio: ['ignore', 'pipe', 'inherit'] }));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${file} did not report "${msg}"`)), timeoutMs);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${file} exited (${code ?? signal})`));
      });
      // Read every line (a full pipe would stall the child), and take the port from the first that has it.
      createInterface({ input: child.stdout! }).on('line', (line) => {
        let entry: { msg?: string; port?: number };
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          return;
        }
        if (entry.msg === msg && typeof entry.port === 'number') {
          clearTimeout(timer);
          resolve(entry.port);
        }
      });
    });
  }

  /**
   * An edge (edge/main.ts) on a free port of 127.0.0.1, which it reports in its "edge listening" line (logged at
   * info: the edge logs nothing per request); resolves with the port.
   */
  startEdge(env: NodeJS.ProcessEnv): Promise<number> {
    return this.startReporting(
      EDGE_MAIN,
      { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
      'edge listening',
    );
  }

  /**
   * A matcher (matcher/main.ts) serving its metrics on a free port, which it reports in its "metrics listening"
   * line (logged at info: the matcher logs one line per state change); resolves with that port.
   */
  startMatcher(env: NodeJS.ProcessEnv): Promise<number> {
    return this.startReporting(
      MATCHER_MAIN,
      { ...env, MATCHER_METRICS_PORT: '0', LOG_LEVEL: 'info' },
      'metrics listening',
    );
  }

  /** The process ids of the children still running. */
  pids(): number[] {
    return [...this.children].flatMap((child) => (child.pid === undefined ? [] : [child.pid]));
  }

  /** Stops every process still running: SIGTERM, SIGKILL after 5 s. */
  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.children].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }),
    );
    process.removeListener('exit', this.killAll);
  }

  private track(child: ChildProcess): ChildProcess {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }
}
