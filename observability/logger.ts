// JSON logs (pino), one line per state change, never one per order. Composition roots create the root logger
// with the process's service name; modules take a `Logger` and add their own bindings with `child`.

import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

export function createLogger(service: string, level = 'info'): Logger {
  return pino({ name: service, level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** A logger that writes nothing (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
