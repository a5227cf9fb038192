// The edge's configuration, validated once with clear errors. Composition roots pass their environment in;
// nothing else reads it.

import { z } from 'zod';
import { DEFAULT_ORDER_CAPACITY, MAX_ORDERS } from '../matcher/core/index.ts';
import { parseRateLimits, type RateLimits } from './rate-limits.ts';

const Env = z.object({
  REDIS_URL: z.url().optional(),
  DATABASE_URL: z.url().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional(),
  API_SECRET_ENCRYPTION_KEY: z.string().optional(),
  REDIS_PREFIX: z.string().default('spot:'),
  MATCHER_SHARD: z.string().default('main'),
  /** How long an edge waits for the matcher's reply before answering "execution status unknown". */
  MATCHER_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** New commands are refused once this many wait in the stream uncommitted. */
  MATCHER_MAX_BACKLOG: z.coerce.number().int().min(1).default(50_000),
  /** The matcher's room for open orders, made at start-up (matcher/core reserveOrders; 0: grow as they come). */
  MATCHER_ORDER_CAPACITY: z.coerce.number().int().min(0).max(MAX_ORDERS).default(DEFAULT_ORDER_CAPACITY),
  /** Take the client address from X-Forwarded-For (set when a load balancer you run fronts the edges). */
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export type EdgeConfig = Omit<z.infer<typeof Env>, 'TRUST_PROXY'> & {
  TRUST_PROXY: boolean;
  rateLimits: RateLimits;
  /** Neither REDIS_URL nor DATABASE_URL: PGlite under DATA_DIR and the in-process bus. */
  embedded: boolean;
};

/** The configuration, or the list of what is wrong with it (one line each). */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): EdgeConfig | string {
  const parsed = Env.safeParse(env);
  if (!parsed.success) return z.prettifyError(parsed.error);
  const c = parsed.data;
  if ((c.REDIS_URL === undefined) !== (c.DATABASE_URL === undefined)) {
    return 'set both REDIS_URL and DATABASE_URL (the split deployment), or neither (embedded)';
  }
  let rateLimits: RateLimits;
  try {
    rateLimits = parseRateLimits(env);
  } catch (error) {
    return (error as Error).message;
  }
  return { ...c, TRUST_PROXY: c.TRUST_PROXY === 'true', rateLimits, embedded: c.REDIS_URL === undefined };
}
