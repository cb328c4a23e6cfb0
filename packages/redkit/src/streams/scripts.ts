import { LuaScript } from '../client/port.js';

/**
 * KEYS stream; ARGV group, consumer, id. Takes a failed entry back for its retry, only if this consumer
 * still owns it (another may have reclaimed it meanwhile): -1 gone from the stream, 0 not ours, else its
 * delivery count after this delivery.
 */
export const CLAIM_FOR_RETRY = new LuaScript(`
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #p == 0 or p[1][2] ~= ARGV[2] then return 0 end
local deliveries = tonumber(p[1][4]) + 1
local claimed = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'RETRYCOUNT', deliveries, 'JUSTID')
if #claimed == 0 then return -1 end
if #redis.call('XRANGE', KEYS[1], ARGV[3], ARGV[3]) == 0 then
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
  return -1
end
return deliveries
`);

/**
 * KEYS stream; ARGV group, consumer, ids… Resets the idle time of the entries this consumer is working on,
 * so other consumers do not reclaim them while their handler runs or waits to retry (JUSTID: the delivery
 * count stays). Returns the IDs this consumer no longer owns.
 */
export const HEARTBEAT = new LuaScript(`
local lost = {}
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #p == 1 and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
  else
    lost[#lost + 1] = ARGV[i]
  end
end
return lost
`);
