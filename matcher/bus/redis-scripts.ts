// The Lua scripts RedisBus runs, each one atomic on the server, and a runner that sends a script's SHA1 and its
// source only when the server has not cached it yet (after a restart or SCRIPT FLUSH).

import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export class LuaScript {
  readonly lua: string;
  readonly sha: string;

  constructor(lua: string) {
    this.lua = lua;
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

/** KEYS: stream. ARGV: limit, then field/value pairs. The length when full (a number), else the new id. */
export const appendBounded = new LuaScript(`
local length = redis.call('XLEN', KEYS[1])
if length >= tonumber(ARGV[1]) then return length end
return redis.call('XADD', KEYS[1], '*', unpack(ARGV, 2))
`);

/**
 * KEYS: stream (it must exist). ARGV: floor ms, floor seq, both decimal without leading zeros. Raises the
 * stream's last-generated id to the floor when it is below; XSETID accepts that, since the last-generated id
 * is at least the top entry's. One script, so no append can slip in between the read and the raise. Ids are
 * compared as decimal strings because Lua numbers are doubles and a seq may exceed 2^53.
 */
export const raiseLastId = new LuaScript(`
local function less(a, b)
  if #a ~= #b then return #a < #b end
  return a < b
end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local last
for i = 1, #info, 2 do
  if info[i] == 'last-generated-id' then last = info[i + 1] end
end
local ms, seq = string.match(last, '^(%d+)-(%d+)$')
if less(ms, ARGV[1]) or (ms == ARGV[1] and less(seq, ARGV[2])) then
  redis.call('XSETID', KEYS[1], ARGV[1] .. '-' .. ARGV[2])
  return 1
end
return 0
`);

/**
 * KEYS: lease, epoch counter. ARGV: owner, ttl ms. The new epoch, or nil when someone holds the lease. The
 * epoch counter never expires, so a later holder always gets a higher epoch than every earlier one.
 */
export const acquireLease = new LuaScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return false
`);

/** KEYS: lease. ARGV: owner, ttl ms. 1 when the owner still held it and it was extended. */
export const renewLease = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

/** KEYS: lease. ARGV: owner. Deletes the lease only if the owner still holds it. */
export const releaseLease = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);
