import { LuaScript } from '../client/port.js';
import { float } from './script.js';

/** Whether a fixed window's (count, TTL) pair fits one integer reply exactly (below 2^53). */
export function fitsPacked(limit: number, windowMs: number): boolean {
  return (limit + 1) * (windowMs + 1) * 2 < 2 ** 53;
}

/**
 * The decision script of a limiter with one fixed window and no penalty (the commonest): INCRBY first and
 * undo on refusal, so an admitted request costs the block check, INCRBY and PTTL (PEXPIRE in a new window).
 *
 * KEYS: block flag, counter. ARGV: consume (1) or peek (0), cost. Reply while not blocked, one integer:
 * `(count × (window + 1) + ttl) × 2 + admits`, count being the window's count after the request (capped at
 * the limit) and ttl the ms until the window ends; while blocked (or if the numbers would not fit), the
 * general reply of `decideScript`.
 */
export function fixedWindowScript(limit: number, windowMs: number): LuaScript {
  const L = float(limit);
  const W = float(windowMs);
  const packed = fitsPacked(limit, windowMs);
  // The general reply, from `used` (the count before spending), `ttl`, `ok` and `spent`.
  const general = `local rem = ${L} - used - spent
local reset = ttl
if used + spent == 0 then reset = 0 end
local retry = 0
local free = 0
if not ok then retry = ttl end
if blocked > 0 or not ok then
  if used + 1 > ${L} then free = ttl end
end
return { (ok and blocked <= 0) and 1 or 0, math.max(blocked, 0), ok and 1 or 0, rem, reset, retry, free }
`;
  const reply = (count: string, ok: string) =>
    packed
      ? `local count = ${count}
if count > ${L} then count = ${L} end
if ttl <= ${W} then return (count * ${float(windowMs + 1)} + ttl) * 2 + ${ok} end
`
      : '';
  return new LuaScript(`local cost = tonumber(ARGV[2])
local blocked = redis.call('PTTL', KEYS[1])
local used, ttl, ok
local spent = 0
if ARGV[1] == '1' and blocked <= 0 then
  used = redis.call('INCRBY', KEYS[2], cost)
  if used == cost then
    redis.call('PEXPIRE', KEYS[2], ${W})
    ttl = ${W}
  else
    ttl = redis.call('PTTL', KEYS[2])
    if ttl == 0 then
      -- The window ends this millisecond: it is over.
      redis.call('SET', KEYS[2], cost, 'PX', ${W})
      used = cost
      ttl = ${W}
    elseif ttl < 0 then
      -- A counter without expiry (not written by us): give it one window.
      redis.call('PEXPIRE', KEYS[2], ${W})
      ttl = ${W}
    end
  end
  if used > ${L} then
    redis.call('DECRBY', KEYS[2], cost)
    used = used - cost
    ok = false
    ${reply('used', '0')}  else
    ${reply('used', '1')}    used = used - cost
    spent = cost
    ok = true
  end
else
  used = tonumber(redis.call('GET', KEYS[2]) or '0')
  ttl = 0
  if used > 0 then
    ttl = redis.call('PTTL', KEYS[2])
    if ttl == 0 then used = 0 elseif ttl < 0 then ttl = ${W} end
  end
  ok = used + cost <= ${L}
  if blocked <= 0 then
    ${reply('used', '(ok and 1 or 0)')}  end
end
${general}`);
}
