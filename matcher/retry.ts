// Waiting out an unreachable dependency: exponential backoff with full jitter, and one log line when it goes
// away and one when it is back, however many attempts lie between.

import type { Logger } from '../observability/logger.ts';

export interface BackoffOptions {
  /** First delay bound, ms. */
  baseMs?: number;
  /** Largest delay bound, ms. */
  maxMs?: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Errors that retrying cannot fix: they propagate at once. */
export type IsFatal = (error: unknown) => boolean;

export class Retrier {
  private readonly failing = new Set<string>();
  private readonly log: Logger;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly fatal: IsFatal;
  /** Set to stop retrying (shutdown): the pending call rejects with its last error. */
  stopped = false;

  constructor(log: Logger, fatal: IsFatal, { baseMs = 50, maxMs = 5_000 }: BackoffOptions = {}) {
    this.log = log;
    this.fatal = fatal;
    this.baseMs = baseMs;
    this.maxMs = maxMs;
  }

  /** Runs `fn` until it succeeds; `what` names the dependency in the logs ("postgres", "redis"). */
  async run<T>(what: string, action: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const value = await fn();
        if (this.failing.delete(what))
          this.log.info({ dependency: what, attempts: attempt }, `${what} is back`);
        return value;
      } catch (error) {
        if (this.fatal(error) || this.stopped) throw error;
        if (!this.failing.has(what)) {
          this.failing.add(what);
          this.log.warn(
            { dependency: what, action, err: error },
            `${what} unavailable; retrying with backoff`,
          );
        }
        const bound = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(attempt, 20));
        await sleep(Math.random() * bound);
      }
    }
  }

  /** Whether `what` is failing right now. */
  isFailing(what: string): boolean {
    return this.failing.has(what);
  }
}
