// Starting an edge from its configuration: secrets, limiter, the app and the HTTP server. Shared by
// `npm run edge` (edge only, split deployment) and `npm start` (edge and matcher in one process).

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../db/client.ts';
import type { Bus } from '../matcher/bus/bus.ts';
import type { MatcherClient } from '../matcher/client.ts';
import type { Logger } from '../observability/logger.ts';
import type { EdgeConfig } from './config.ts';
import { type Limiter, MemoryLimiter } from './middleware/rate-limit/index.ts';
import { RedisLimiter } from './middleware/rate-limit/redis-limiter.ts';
import { createSecretBox, loadOrCreateEncryptionKey, parseEncryptionKey } from './secret-box.ts';
import { subscribeKeyChanges } from './key-store.ts';
import { clientIpOf, close, listen } from './serve.ts';
import { buildEdgeApp } from './wiring.ts';

export interface RunningEdge {
  port: number;
  adminToken: string;
  stop(): Promise<void>;
}

/** ADMIN_TOKEN, or (embedded, development) one generated once and kept in DATA_DIR/admin-token. */
export function adminTokenOf(config: EdgeConfig, log: Logger): string {
  if (config.ADMIN_TOKEN !== undefined) return config.ADMIN_TOKEN;
  if (!config.embedded) throw new Error('ADMIN_TOKEN must be set (at least 16 characters)');
  const file = join(config.DATA_DIR, 'admin-token');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(config.DATA_DIR, { recursive: true, mode: 0o700 });
    const token = randomBytes(24).toString('base64url');
    writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    log.warn({ file }, 'ADMIN_TOKEN is not set: generated one (set ADMIN_TOKEN in production)');
    return token;
  }
}

export async function runEdge(o: {
  config: EdgeConfig;
  db: Database;
  matcher: MatcherClient;
  /** The bus the matcher client uses: its Pub/Sub carries key changes between edges. */
  bus: Pick<Bus, 'publish' | 'subscribe'>;
  log: Logger;
  /** Readiness probes beyond the matcher (Postgres, Redis). */
  probes: Record<string, () => Promise<unknown>>;
}): Promise<RunningEdge> {
  const { config, log } = o;
  let key: Buffer;
  if (config.API_SECRET_ENCRYPTION_KEY !== undefined) {
    key = parseEncryptionKey(config.API_SECRET_ENCRYPTION_KEY);
  } else {
    const loaded = loadOrCreateEncryptionKey(config.DATA_DIR);
    key = loaded.key;
    log.warn(
      { dataDir: config.DATA_DIR, generated: loaded.generated },
      'API_SECRET_ENCRYPTION_KEY is not set: using the key kept beside the data (production must set it)',
    );
  }
  const limiter: Limiter & { close?: () => Promise<void> } = config.embedded
    ? new MemoryLimiter({ limits: config.rateLimits })
    : await RedisLimiter.connect({
        url: config.REDIS_URL!,
        prefix: config.REDIS_PREFIX,
        limits: config.rateLimits,
      });
  const adminToken = adminTokenOf(config, log);
  const keyChanges = await subscribeKeyChanges(o.bus, (error) =>
    log.warn({ err: error }, 'cannot announce a key change: other edges see it within their key cache TTL'),
  );
  const app = buildEdgeApp({
    keyChanges,
    db: o.db,
    matcher: o.matcher,
    limiter,
    secretBox: createSecretBox(key),
    rateLimits: config.rateLimits,
    adminToken,
    clientIp: clientIpOf(config.TRUST_PROXY),
    probes: o.probes,
  });
  const { server, port } = await listen(app, config.PORT, config.HOST);
  log.info({ port, embedded: config.embedded }, 'edge listening');
  return {
    port,
    adminToken,
    stop: async () => {
      await close(server);
      await keyChanges.close().catch(() => {});
      await limiter.close?.();
    },
  };
}
