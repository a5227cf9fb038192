// The matcher containers' health check (deploy/compose.yaml): `node deploy/matcher-health.ts` exits 0 when the
// shard this matcher belongs to is served, that is when the active matcher's status in Redis is fresh and says
// `serving` (what an edge's /readyz asks, MatcherClient.matcherReady), and 1 otherwise. The matcher serves no
// HTTP, so this is the check: an active and its standby are healthy together while the shard is served, and
// unhealthy together while it is not (no lease holder, or Postgres or Redis out of reach). A composition root:
// it reads the matcher's environment (REDIS_URL, REDIS_PREFIX, MATCHER_SHARD).

import { RedisBus } from '../matcher/bus/redis-bus.ts';
import { MatcherClient } from '../matcher/client.ts';

const url = process.env.REDIS_URL;
const prefix = process.env.REDIS_PREFIX ?? 'spot:';
const shard = process.env.MATCHER_SHARD ?? 'main';

async function served(): Promise<boolean> {
  if (url === undefined) return false;
  const bus = await RedisBus.connect({
    url,
    prefix,
    shard,
    connectTimeoutMs: 2_000,
    commandTimeoutMs: 2_000,
  });
  try {
    const client = await MatcherClient.create({ bus, shard });
    try {
      return await client.matcherReady();
    } finally {
      await client.close();
    }
  } finally {
    await bus.close();
  }
}

const ok = await served().catch(() => false);
process.exit(ok ? 0 : 1);
