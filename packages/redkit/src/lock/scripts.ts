import { LuaScript } from '../client/port.js';

/*
 * Fencing tokens come from a counter per resource (INCR, strictly increasing). A new counter starts at the
 * server's clock in µs, so when one expires (it lives `fencingTtl` from its creation; it is never
 * refreshed) the next starts above every token the old one issued. Tokens stay below 2^53: exact as Lua 5.1
 * doubles and as integer replies. Keys get digit strings (Lua would print a large number in exponent form).
 */

/**
 * KEYS[1] lock, KEYS[2] fencing counter (one slot); ARGV owner, ttl ms, counter ttl ms, and for Redlock a
 * 4th argument: refresh the counter's TTL (it then expires only after that long without acquisitions, so
 * servers' clocks need only agree within it).
 * → the fencing token (> 0) when acquired; when not, −(2 + the holder's remaining ms), or −1 if the key
 * has no expiry. One integer rather than an array: measurably cheaper for clients to parse. Two calls on
 * the common path (a TIME on every acquisition would cost ~7% of an acquire-release cycle).
 */
export const ACQUIRE = new LuaScript(`
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return -2 - redis.call('PTTL', KEYS[1])
end
local token = redis.call('INCR', KEYS[2])
if token > 1 then
  if ARGV[4] then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
  return token
end
local t = redis.call('TIME')
local seed = t[1] .. string.sub('00000' .. t[2], -6)
redis.call('SET', KEYS[2], seed, 'PX', ARGV[3])
return tonumber(seed)
`);

/** KEYS[1] lock; ARGV owner, ttl ms → 1 if still ours (and extended), 0 if not. */
export const EXTEND = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

/** KEYS[1] lock; ARGV owner → 1 if it was ours and is now deleted, 0 if it was not ours any more. */
export const RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * Redlock's second phase. KEYS[1] lock, KEYS[2] fencing counter; ARGV owner, token, counter ttl ms.
 * Raises the counter to the token chosen across the quorum, only while the lock here is still ours
 * → 1, or 0 if the lock was lost meanwhile.
 */
/** The ACQUIRE reply: the token, or how long the holder still has (−1: no expiry). */
export function acquireReply(reply: unknown): { token: number } | { holderRemainingMs: number } {
  const value = Number(reply);
  return value > 0 ? { token: value } : { holderRemainingMs: value === -1 ? -1 : -value - 2 };
}

export const RAISE_FENCE = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local last = tonumber(redis.call('GET', KEYS[2]))
if not last or last < tonumber(ARGV[2]) then redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
return 1
`);
