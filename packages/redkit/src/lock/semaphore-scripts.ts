import { LuaScript } from '../client/port.js';

/*
 * A fair counting semaphore in one hash-tagged slot:
 *   KEYS[1] holders  zset owner → expiry (server ms)
 *   KEYS[2] queue    zset owner → ticket (arrival order)
 *   KEYS[3] seen     zset owner → when a waiter that stopped polling drops out of the queue (server ms)
 *   KEYS[4] ticket   counter
 * Every time comes from the server (TIME), so clients' clocks never matter, and a permit goes to the
 * waiters in the order they arrived: a caller gets one only when fewer waiters are ahead of it than
 * permits are free. Keys expire with their last holder or waiter.
 */
const PRELUDE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local function expire_with_last(key)
  local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  if last[2] then redis.call('PEXPIRE', key, math.max(1, tonumber(last[2]) - now + 1)) end
end
`;

/**
 * ARGV owner, limit, ttl ms, waiter lease ms (0: do not queue, one attempt)
 * → {1} acquired, or {0, waiters ahead, ms until the first holder expires or -1}.
 */
export const ACQUIRE_PERMIT = new LuaScript(`${PRELUDE}
local gone = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 1000)
for i = 1, #gone do
  redis.call('ZREM', KEYS[2], gone[i])
  redis.call('ZREM', KEYS[3], gone[i])
end
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return {1} end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), ARGV[1])
  redis.call('PEXPIRE', KEYS[4], 86400000)
end
local ahead = redis.call('ZRANK', KEYS[2], ARGV[1])
if ahead < tonumber(ARGV[2]) - redis.call('ZCARD', KEYS[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
  expire_with_last(KEYS[1])
  return {1}
end
local lease = tonumber(ARGV[4])
if lease > 0 then
  redis.call('ZADD', KEYS[3], now + lease, ARGV[1])
  expire_with_last(KEYS[3])
  redis.call('PEXPIRE', KEYS[2], math.max(lease, redis.call('PTTL', KEYS[3])))
else
  redis.call('ZREM', KEYS[2], ARGV[1])
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = -1
if first[2] then wait = tonumber(first[2]) - now end
return {0, ahead, wait}
`);

/** ARGV owner, ttl ms → 1 if the permit was still held (and is extended), 0 if it expired. */
export const EXTEND_PERMIT = new LuaScript(`${PRELUDE}
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
expire_with_last(KEYS[1])
return 1
`);

/** ARGV owner → 1 if the permit was still held, 0 if not; also leaves the queue. */
export const RELEASE_PERMIT = new LuaScript(`${PRELUDE}
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return redis.call('ZREM', KEYS[1], ARGV[1])
`);

/** → {permits held, callers waiting}. */
export const COUNT_PERMITS = new LuaScript(`${PRELUDE}
return {redis.call('ZCARD', KEYS[1]), redis.call('ZCOUNT', KEYS[3], '(' .. now, '+inf')}
`);
