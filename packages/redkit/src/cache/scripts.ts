import { LuaScript } from '../client/port.js';

/**
 * Cache scripts. A key's entry and its fill lock are the same Redis key, so a fill needs no lock release
 * of its own: storing the value overwrites the lock. The key holds one of:
 *
 * - `E<serialized envelope>` — a value;
 * - `L<token>` — a fill in progress (expires after lockTtl); `W<token>` — the same, with callers waiting,
 *   so the filler announces its value when it stores it;
 * - `F<token> <failures> <error JSON>` — that fill's loader threw; `U<token> 0` — it returned undefined.
 *   Kept a few seconds so the callers who waited for that fill learn what became of it.
 *
 * Each script touches the entry key only (plus, on a single node, the version keys), so it runs on Redis
 * Cluster too: there the version keys live in other slots and are read by GETs sent in the same round trip.
 */

/** What LOOKUP found (reply[1]). */
export const FOUND_VALUE = 0;
export const LOCK_ACQUIRED = 1;
export const LOCK_HELD = 2;
export const FILL_ENDED = 3;

/**
 * KEYS[1] entry, KEYS[2..] version keys (single node only); ARGV mode, our lock (`L<token>`), lock ms, the
 * token of the fill this caller waited for ('' at first), fill retries, and in mode 'f' the outdated entry.
 * Mode 'l' takes the lock when the key is free; mode 'f' replaces the outdated entry if it is still there.
 * Reply: {value or nil, state, info, lock ms left, versions}, info being the failures so far (acquired) or
 * the marker found (held, ended). On a single node a caller's first lookup skips this script when the key
 * holds a value or nothing (the common hit and miss): see LOCK_OR_READ and Cache.plainLookup.
 */
export const LOOKUP = new LuaScript(`
local versions = {}
if #KEYS > 1 then versions = redis.call('MGET', unpack(KEYS, 2)) end
local current
if ARGV[1] == 'f' then
  current = redis.call('GET', KEYS[1])
  if current == ARGV[6] then current = false end
  if not current then
    redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
    return {false, 1, 0, 0, versions}
  end
else
  current = redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[3], 'GET')
  if not current then return {false, 1, 0, 0, versions} end
end
local kind = string.sub(current, 1, 1)
if kind == 'E' then return {current, 0, 0, 0, versions} end
if kind == 'L' or kind == 'W' then
  if kind == 'L' then redis.call('SET', KEYS[1], 'W' .. string.sub(current, 2), 'KEEPTTL') end
  return {false, 2, current, redis.call('PTTL', KEYS[1]), versions}
end
local failures = 0
if kind == 'F' or kind == 'U' then
  local filler, count = string.match(current, '^.(%S+) (%d+)')
  if filler == ARGV[4] then
    if kind == 'U' or tonumber(count) > tonumber(ARGV[5]) then return {false, 3, current, 0, versions} end
    failures = tonumber(count)
  end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return {false, 1, failures, 0, versions}
`);

/**
 * KEYS[1] entry, KEYS[2..] version keys (single node); ARGV our lock (`L<token>`), lock ms. The first lookup
 * of a getOrSet in one command, for clients that write each command to the socket on its own (ioredis):
 * `SET … NX PX … GET` (a hit, or the lock on a miss) and the versions, as a flat {entry, versions...}.
 * Locks and markers found are left as they are: LOOKUP handles those.
 */
export const LOCK_OR_READ = new LuaScript(`
local entry = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2], 'GET')
if #KEYS == 2 then return {entry, redis.call('GET', KEYS[2])} end
local reply = redis.call('MGET', unpack(KEYS, 2))
table.insert(reply, 1, entry)
return reply
`);

/**
 * KEYS[1] entry; ARGV data, ttl ms, channel, message. A write outside a fill (set, update): stores the
 * value and announces it when callers were waiting for a fill (or always, with ARGV[5] = '1').
 */
export const WRITE = new LuaScript(`
local old = redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'GET')
if ARGV[5] == '1' or (old and string.sub(old, 1, 1) == 'W') then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
return 1
`);

/**
 * KEYS[1] entry; ARGV token, marker, marker ms, channel, message. Ends a fill that stored nothing: if it
 * still holds the lock, leaves the marker saying why (for its waiters), then wakes them.
 */
export const END_FILL = new LuaScript(`
local current = redis.call('GET', KEYS[1])
if current == 'L' .. ARGV[1] or current == 'W' .. ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1
`);
