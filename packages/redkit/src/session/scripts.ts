import { LuaScript } from '../client/port.js';

/**
 * Session scripts. They read the server's clock (TIME), so every app server agrees on idle and absolute
 * deadlines whatever its own clock says. Each touches one key, so they run on Redis Cluster too.
 *
 * Layout of a session hash: `m:created`, `m:absolute` (deadline, ms), `m:user`; `d:<name>` JSON fields.
 */

/**
 * KEYS[1] session; ARGV idleMs, absoluteMs, user ('' for none), then field/value pairs. Creates the session
 * afresh (whatever was under that id is replaced). Returns the creation time and the deadline.
 */
export const CREATE = new LuaScript(`
redis.call('DEL', KEYS[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local idle = tonumber(ARGV[1])
local deadline = now + tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'm:created', now, 'm:absolute', deadline, 'm:user', ARGV[3])
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], math.min(idle, deadline - now))
return {now, deadline}
`);

/**
 * KEYS[1] session; ARGV idleMs, then op/field[/value] triples: 's' sets a field, 'd' deletes one.
 * Applies the changes and slides the idle expiry, but never past the absolute deadline; a session that
 * no longer exists is not recreated. Returns 1, or 0 when the session is gone.
 */
export const TOUCH = new LuaScript(`
local deadline = tonumber(redis.call('HGET', KEYS[1], 'm:absolute'))
if not deadline then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if deadline <= now then
  redis.call('DEL', KEYS[1])
  return 0
end
local i = 2
while i <= #ARGV do
  if ARGV[i] == 's' then
    redis.call('HSET', KEYS[1], ARGV[i + 1], ARGV[i + 2])
    i = i + 3
  else
    redis.call('HDEL', KEYS[1], ARGV[i + 1])
    i = i + 2
  end
end
redis.call('PEXPIRE', KEYS[1], math.min(tonumber(ARGV[1]), deadline - now))
return 1
`);
