import { LuaScript } from '../client/port.js';

const HEADER = `
local consume = ARGV[1] == '1'
local cost = tonumber(ARGV[2])
local now, nowUs
-- The server's clock, read once and only by the algorithms that need it (a fixed window uses its key's TTL).
local function tick()
  if now then return end
  local clock = redis.call('TIME')
  nowUs = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
  now = math.floor(nowUs / 1000)
end

`;

/** Each algorithm's four functions; a limiter's script holds only those of the algorithms it uses. */
const ALGORITHMS: Record<string, string> = {
  fw: `local fixed = {}
function fixed.load(s)
  s.used = tonumber(redis.call('GET', s.key) or '0')
  s.ttl = 0
  if s.used > 0 then
    s.ttl = redis.call('PTTL', s.key)
    if s.ttl == 0 then s.used = 0 end
    if s.ttl < 0 then
      s.ttl = s.window
      s.persistent = true
    end
  end
end
function fixed.check(s, n)
  if s.used + n <= s.limit then return true, 0 end
  return false, s.ttl
end
function fixed.commit(s, n)
  if s.used == 0 then
    redis.call('SET', s.key, n, 'PX', s.window)
  else
    redis.call('INCRBY', s.key, n)
    if s.persistent then redis.call('PEXPIRE', s.key, s.window) end
  end
end
function fixed.report(s, spent)
  local used = s.used + spent
  if used == 0 then return s.limit, 0 end
  if s.used == 0 then return s.limit - used, s.window end
  return s.limit - used, s.ttl
end

`,
  sl: `local function memberCost(member)
  return tonumber(string.match(member, '(%d+)$'))
end

local log = {}
function log.load(s)
  tick()
  s.cutoff = now - s.window
  local stored = redis.call('HGET', s.meta, 'n')
  local total = 0
  local old
  if stored then
    total = tonumber(stored)
    old = redis.call('ZRANGEBYSCORE', s.key, '-inf', s.cutoff)
    for i = 1, #old do total = total - memberCost(old[i]) end
  else
    old = redis.call('ZRANGEBYSCORE', s.key, s.cutoff + 1, '+inf')
    for i = 1, #old do total = total + memberCost(old[i]) end
  end
  s.expired = #old > 0
  s.total = total
end
function log.check(s, n)
  if s.total + n <= s.limit then return true, 0 end
  local need = s.total + n - s.limit
  local freed = 0
  local offset = 0
  while true do
    local batch = redis.call('ZRANGEBYSCORE', s.key, s.cutoff + 1, '+inf', 'WITHSCORES', 'LIMIT', offset, 128)
    if #batch == 0 then return false, s.window end
    for i = 1, #batch, 2 do
      freed = freed + memberCost(batch[i])
      if freed >= need then return false, tonumber(batch[i + 1]) + s.window - now end
    end
    offset = offset + 128
  end
end
function log.commit(s, n)
  if s.expired then redis.call('ZREMRANGEBYSCORE', s.key, '-inf', s.cutoff) end
  local seq = redis.call('HINCRBY', s.meta, 'q', 1)
  redis.call('ZADD', s.key, now, seq .. ':' .. n)
  redis.call('HSET', s.meta, 'n', s.total + n)
  redis.call('PEXPIRE', s.key, s.window)
  redis.call('PEXPIRE', s.meta, s.window)
end
function log.report(s, spent)
  if spent > 0 then return s.limit - s.total - spent, s.window end
  if s.total <= 0 then return s.limit, 0 end
  local newest = redis.call('ZRANGE', s.key, -1, -1, 'WITHSCORES')
  return s.limit - s.total, tonumber(newest[2]) + s.window - now
end

`,
  sc: `local counter = {}
function counter.load(s)
  tick()
  local h = redis.call('HMGET', s.key, 's', 'c', 'p')
  local start = tonumber(h[1])
  s.current = tonumber(h[2]) or 0
  s.previous = tonumber(h[3]) or 0
  if not start or now - start >= 2 * s.window then
    start = now
    s.current = 0
    s.previous = 0
  elseif now - start >= s.window then
    local windows = math.floor((now - start) / s.window)
    if windows == 1 then s.previous = s.current else s.previous = 0 end
    s.current = 0
    start = start + windows * s.window
  end
  s.start = start
  s.left = s.window - (now - start)
end
function counter.check(s, n)
  local w = s.window
  local free = s.limit * w - s.previous * s.left - (s.current + n) * w
  if free >= 0 then return true, 0 end
  if s.current + n <= s.limit then
    local room = (s.limit - s.current - n) * w
    local q = math.floor(room / s.previous)
    if q * s.previous > room then q = q - 1 end
    return false, s.left - q
  end
  local room = (s.limit - n) * w
  local q = math.floor(room / s.current)
  if q * s.current > room then q = q - 1 end
  local into = w - q
  if into < 0 then into = 0 end
  return false, s.left + into
end
function counter.commit(s, n)
  redis.call('HSET', s.key, 's', s.start, 'c', s.current + n, 'p', s.previous)
  redis.call('PEXPIRE', s.key, s.left + s.window)
end
function counter.report(s, spent)
  local w = s.window
  local current = s.current + spent
  local remaining = math.floor((s.limit * w - s.previous * s.left - current * w) / w)
  if remaining < 0 then remaining = 0 end
  if current > 0 then return remaining, s.left + w end
  if s.previous > 0 then return remaining, s.left end
  return remaining, 0
end

`,
  tb: `local bucket = {}
function bucket.load(s)
  tick()
  local h = redis.call('HMGET', s.key, 't', 'r')
  local tokens = tonumber(h[1])
  local last = tonumber(h[2])
  if not tokens then
    tokens = s.limit
    last = now
  else
    local refills = math.floor((now - last) / s.window)
    if refills > 0 then
      tokens = math.min(s.limit, tokens + refills * s.extra)
      last = last + refills * s.window
    end
  end
  if tokens >= s.limit then last = now end
  s.tokens = tokens
  s.last = last
end
function bucket.check(s, n)
  if s.tokens >= n then return true, 0 end
  return false, s.last + math.ceil((n - s.tokens) / s.extra) * s.window - now
end
function bucket.untilFull(s, tokens)
  if tokens >= s.limit then return 0 end
  return s.last + math.ceil((s.limit - tokens) / s.extra) * s.window - now
end
function bucket.commit(s, n)
  redis.call('HSET', s.key, 't', s.tokens - n, 'r', s.last)
  redis.call('PEXPIRE', s.key, math.max(1, bucket.untilFull(s, s.tokens - n)))
end
function bucket.report(s, spent)
  return s.tokens - spent, bucket.untilFull(s, s.tokens - spent)
end

`,
  gc: `local gcra = {}
function gcra.load(s)
  tick()
  local tat = tonumber(redis.call('GET', s.key) or '0')
  if tat < nowUs then tat = nowUs end
  s.tat = tat
  s.tau = s.window * s.limit
end
function gcra.check(s, n)
  local ahead = s.tat + s.window * n - nowUs
  if ahead <= s.tau then return true, 0 end
  return false, math.ceil((ahead - s.tau) / 1000)
end
function gcra.commit(s, n)
  local tat = s.tat + s.window * n
  redis.call('SET', s.key, tat, 'PX', math.max(1, math.ceil((tat - nowUs) / 1000)))
end
function gcra.report(s, spent)
  local ahead = s.tat + s.window * spent - nowUs
  return math.floor((s.tau - ahead) / s.window), math.ceil(ahead / 1000)
end

`,
};

/** Runs after the generated lines that define `penaltyMs`, `penaltyAfter` and the `limits` table. */
const MAIN = `local blockedMs = redis.call('PTTL', KEYS[1])
if blockedMs < 0 then blockedMs = 0 end
local allowed = blockedMs == 0
local count = #limits
for i = 1, count do
  local s = limits[i]
  s.algorithm.load(s)
  s.ok, s.retry = s.algorithm.check(s, cost)
  if not s.ok then allowed = false end
end

local spent = 0
if consume and allowed then
  spent = cost
  for i = 1, count do limits[i].algorithm.commit(limits[i], cost) end
elseif consume and penaltyMs > 0 and blockedMs == 0 then
  local refusals = redis.call('INCR', KEYS[2])
  if refusals == 1 then redis.call('PEXPIRE', KEYS[2], penaltyMs) end
  if refusals >= penaltyAfter then
    redis.call('SET', KEYS[1], '1', 'PX', penaltyMs)
    redis.call('DEL', KEYS[2])
    blockedMs = penaltyMs
  end
end

local reply = { allowed and 1 or 0, blockedMs }
for i = 1, count do
  local s = limits[i]
  local remaining, reset = s.algorithm.report(s, spent)
  local freeIn = 0
  if not allowed then
    if cost == 1 then
      freeIn = s.retry
    else
      local _, wait = s.algorithm.check(s, 1)
      freeIn = wait
    end
  end
  local base = 2 + (i - 1) * 5
  reply[base + 1] = s.ok and 1 or 0
  reply[base + 2] = remaining
  reply[base + 3] = reset
  reply[base + 4] = s.retry
  reply[base + 5] = freeIn
end
return reply
`;

const TABLES: Record<string, string> = { fw: 'fixed', sl: 'log', sc: 'counter', tb: 'bucket', gc: 'gcra' };

/** One limit as the script sees it: kind code, capacity, window (ms; GCRA: µs interval), extra (refill). */
export interface ScriptLimit {
  code: string;
  limit: number;
  window: number;
  extra: number;
}

/**
 * A number as a Lua literal that is a float in every Lua: the engine's Lua 5.3 would do 32-bit integer
 * arithmetic on two integer literals, Redis's 5.1 has only doubles.
 */
const float = (n: number) => (Number.isInteger(n) ? `${n}.0` : String(n));

/**
 * The decision script of one limiter configuration, atomically, on the server's clock. The configuration
 * is baked into the source (one script per configuration, cached by Redis under its SHA), so a decision
 * sends only the keys, whether to consume and the cost.
 *
 * KEYS: block flag, refusal counter (only with a penalty), then each limit's key (the sliding log has two:
 * log and totals). ARGV: consume (1) or peek (0), cost.
 *
 * Every limit is first loaded and checked without writing; only if all admit (and no block is on) are they
 * committed, so a refused request consumes nothing. Each algorithm is four functions: load (state as of
 * now), check (admits `cost`? else the wait), commit (write the state after spending `cost`) and report
 * (remaining and ms until full after spending `spent`); the script holds only the algorithms it uses.
 *
 * Reply (integers only: Lua numbers are truncated on the way out): allowed, block ms, then five per limit:
 * admits, remaining, reset ms, retry ms, ms until a request of cost 1 could pass.
 */
export function decideScript(
  limits: readonly ScriptLimit[],
  penaltyMs: number,
  penaltyAfter: number,
): LuaScript {
  const used = [...new Set(limits.map((l) => l.code))].sort();
  let key = penaltyMs > 0 ? 3 : 2;
  const specs = limits.map((l) => {
    const keys = `key = KEYS[${key++}]${l.code === 'sl' ? `, meta = KEYS[${key++}]` : ''}`;
    return `  { algorithm = ${TABLES[l.code]}, limit = ${float(l.limit)}, window = ${float(l.window)}, extra = ${float(l.extra)}, ${keys} },\n`;
  });
  return new LuaScript(
    HEADER +
      used.map((c) => ALGORITHMS[c]).join('') +
      `local penaltyMs = ${float(penaltyMs)}\nlocal penaltyAfter = ${float(penaltyAfter)}\n` +
      `local limits = {\n${specs.join('')}}\n` +
      MAIN,
  );
}
