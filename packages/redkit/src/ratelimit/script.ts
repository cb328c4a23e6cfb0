import { LuaScript } from '../client/port.js';

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
export const float = (n: number) => (Number.isInteger(n) ? `${n}.0` : String(n));

/** Lua 5.1 allows 200 locals in a function; each limit takes at most 10 (see the templates below). */
export const MAX_LIMITS = 16;

/**
 * The straight-line Lua of one algorithm, for limit number `i` (its locals are prefixed `l<i>_`). Each
 * template works on the script's `cost`, `spent`, `now` and `nowUs`, and its config is baked in as literals.
 */
interface Template {
  /** Reads the state as of now into locals. */
  load: string;
  /** Sets `OK` (admits `N`?) and `RETRY` (else: ms until it would). */
  check: (n: string, ok: string, retry: string) => string;
  /** Writes the state after spending `cost`. */
  commit: string;
  /** Sets `REM` (cost-1 requests left after spending `spent`) and `RESET` (ms until full). */
  report: (rem: string, reset: string) => string;
}

function template(i: number, l: ScriptLimit, key: string, meta: string): Template {
  const p = `l${i}_`;
  const L = float(l.limit);
  const W = float(l.window);
  const X = float(l.extra);
  switch (l.code) {
    case 'fw':
      return {
        load: `local ${p}used = tonumber(redis.call('GET', ${key}) or '0')
local ${p}ttl = 0
local ${p}persistent = false
if ${p}used > 0 then
  ${p}ttl = redis.call('PTTL', ${key})
  if ${p}ttl == 0 then ${p}used = 0 end
  if ${p}ttl < 0 then
    ${p}ttl = ${W}
    ${p}persistent = true
  end
end
`,
        check: (n, ok, retry) =>
          `if ${p}used + ${n} <= ${L} then ${ok} = true ${retry} = 0 else ${ok} = false ${retry} = ${p}ttl end\n`,
        commit: `if ${p}used == 0 then
  redis.call('SET', ${key}, cost, 'PX', ${W})
else
  redis.call('INCRBY', ${key}, cost)
  if ${p}persistent then redis.call('PEXPIRE', ${key}, ${W}) end
end
`,
        report: (rem, reset) => `if ${p}used + spent == 0 then ${rem} = ${L} ${reset} = 0
elseif ${p}used == 0 then ${rem} = ${L} - spent ${reset} = ${W}
else ${rem} = ${L} - ${p}used - spent ${reset} = ${p}ttl end
`,
      };
    case 'sl':
      return {
        load: `local ${p}cutoff = now - ${W}
local ${p}total = 0
local ${p}expired
do
  local stored = redis.call('HGET', ${meta}, 'n')
  local old
  if stored then
    ${p}total = tonumber(stored)
    old = redis.call('ZRANGEBYSCORE', ${key}, '-inf', ${p}cutoff)
    for j = 1, #old do ${p}total = ${p}total - tonumber(string.match(old[j], '(%d+)$')) end
  else
    old = redis.call('ZRANGEBYSCORE', ${key}, ${p}cutoff + 1, '+inf')
    for j = 1, #old do ${p}total = ${p}total + tonumber(string.match(old[j], '(%d+)$')) end
  end
  ${p}expired = #old > 0
end
`,
        // Refused: the wait is until enough of the oldest admitted requests leave the window.
        check: (n, ok, retry) => `if ${p}total + ${n} <= ${L} then ${ok} = true ${retry} = 0 else
  ${ok} = false
  ${retry} = ${W}
  local need = ${p}total + ${n} - ${L}
  local freed = 0
  local offset = 0
  local found = false
  while not found do
    local batch = redis.call('ZRANGEBYSCORE', ${key}, ${p}cutoff + 1, '+inf', 'WITHSCORES', 'LIMIT', offset, 128)
    if #batch == 0 then break end
    for j = 1, #batch, 2 do
      freed = freed + tonumber(string.match(batch[j], '(%d+)$'))
      if freed >= need then
        ${retry} = tonumber(batch[j + 1]) + ${W} - now
        found = true
        break
      end
    end
    offset = offset + 128
  end
end
`,
        commit: `if ${p}expired then redis.call('ZREMRANGEBYSCORE', ${key}, '-inf', ${p}cutoff) end
redis.call('ZADD', ${key}, now, redis.call('HINCRBY', ${meta}, 'q', 1) .. ':' .. cost)
redis.call('HSET', ${meta}, 'n', ${p}total + cost)
redis.call('PEXPIRE', ${key}, ${W})
redis.call('PEXPIRE', ${meta}, ${W})
`,
        report: (rem, reset) => `if spent > 0 then ${rem} = ${L} - ${p}total - spent ${reset} = ${W}
elseif ${p}total <= 0 then ${rem} = ${L} ${reset} = 0
else
  ${rem} = ${L} - ${p}total
  ${reset} = tonumber(redis.call('ZRANGE', ${key}, -1, -1, 'WITHSCORES')[2]) + ${W} - now
end
`,
      };
    case 'sc':
      return {
        load: `local ${p}start, ${p}current, ${p}previous
do
  local h = redis.call('HMGET', ${key}, 's', 'c', 'p')
  ${p}start = tonumber(h[1])
  ${p}current = tonumber(h[2]) or 0
  ${p}previous = tonumber(h[3]) or 0
end
if not ${p}start or now - ${p}start >= 2 * ${W} then
  ${p}start = now
  ${p}current = 0
  ${p}previous = 0
elseif now - ${p}start >= ${W} then
  local windows = math.floor((now - ${p}start) / ${W})
  if windows == 1 then ${p}previous = ${p}current else ${p}previous = 0 end
  ${p}current = 0
  ${p}start = ${p}start + windows * ${W}
end
local ${p}left = ${W} - (now - ${p}start)
`,
        check: (
          n,
          ok,
          retry,
        ) => `if ${L} * ${W} - ${p}previous * ${p}left - (${p}current + ${n}) * ${W} >= 0 then
  ${ok} = true ${retry} = 0
elseif ${p}current + ${n} <= ${L} then
  local room = (${L} - ${p}current - ${n}) * ${W}
  local q = math.floor(room / ${p}previous)
  if q * ${p}previous > room then q = q - 1 end
  ${ok} = false ${retry} = ${p}left - q
else
  local room = (${L} - ${n}) * ${W}
  local q = math.floor(room / ${p}current)
  if q * ${p}current > room then q = q - 1 end
  local into = ${W} - q
  if into < 0 then into = 0 end
  ${ok} = false ${retry} = ${p}left + into
end
`,
        commit: `redis.call('HSET', ${key}, 's', ${p}start, 'c', ${p}current + cost, 'p', ${p}previous)
redis.call('PEXPIRE', ${key}, ${p}left + ${W})
`,
        report: (
          rem,
          reset,
        ) => `${rem} = math.floor((${L} * ${W} - ${p}previous * ${p}left - (${p}current + spent) * ${W}) / ${W})
if ${rem} < 0 then ${rem} = 0 end
if ${p}current + spent > 0 then ${reset} = ${p}left + ${W}
elseif ${p}previous > 0 then ${reset} = ${p}left
else ${reset} = 0 end
`,
      };
    case 'tb': {
      const untilFull = (tokens: string, into: string) =>
        `if ${tokens} >= ${L} then ${into} = 0 else ${into} = ${p}last + math.ceil((${L} - (${tokens})) / ${X}) * ${W} - now end\n`;
      return {
        load: `local ${p}tokens, ${p}last
do
  local h = redis.call('HMGET', ${key}, 't', 'r')
  ${p}tokens = tonumber(h[1])
  ${p}last = tonumber(h[2])
end
if not ${p}tokens then
  ${p}tokens = ${L}
  ${p}last = now
else
  local refills = math.floor((now - ${p}last) / ${W})
  if refills > 0 then
    ${p}tokens = math.min(${L}, ${p}tokens + refills * ${X})
    ${p}last = ${p}last + refills * ${W}
  end
end
if ${p}tokens >= ${L} then ${p}last = now end
`,
        check: (n, ok, retry) =>
          `if ${p}tokens >= ${n} then ${ok} = true ${retry} = 0 else ${ok} = false ${retry} = ${p}last + math.ceil((${n} - ${p}tokens) / ${X}) * ${W} - now end\n`,
        commit: `do
  local full
  ${untilFull(`${p}tokens - cost`, 'full')}  redis.call('HSET', ${key}, 't', ${p}tokens - cost, 'r', ${p}last)
  redis.call('PEXPIRE', ${key}, math.max(1, full))
end
`,
        report: (rem, reset) => `${rem} = ${p}tokens - spent\n${untilFull(`${p}tokens - spent`, reset)}`,
      };
    }
    case 'gc':
      return {
        load: `local ${p}tat = tonumber(redis.call('GET', ${key}) or '0')
if ${p}tat < nowUs then ${p}tat = nowUs end
local ${p}tau = ${W} * ${L}
`,
        check: (n, ok, retry) => `do
  local ahead = ${p}tat + ${W} * ${n} - nowUs
  if ahead <= ${p}tau then ${ok} = true ${retry} = 0 else ${ok} = false ${retry} = math.ceil((ahead - ${p}tau) / 1000) end
end
`,
        commit: `do
  local tat = ${p}tat + ${W} * cost
  redis.call('SET', ${key}, tat, 'PX', math.max(1, math.ceil((tat - nowUs) / 1000)))
end
`,
        report: (rem, reset) => `do
  local ahead = ${p}tat + ${W} * spent - nowUs
  ${rem} = math.floor((${p}tau - ahead) / ${W})
  ${reset} = math.ceil(ahead / 1000)
end
`,
      };
    default:
      throw new Error(`unknown rate-limit algorithm code ${l.code}`);
  }
}

/**
 * The decision script of one limiter configuration, atomically, on the server's clock: straight-line Lua
 * generated for this configuration (no tables, closures or loops over limits: a script's functions and
 * tables would be built again on every call), cached by Redis under its SHA. A decision sends only the keys,
 * whether to consume and the cost.
 *
 * KEYS: block flag, refusal counter (only with a penalty), then each limit's key (the sliding log has two:
 * log and totals). ARGV: consume (1) or peek (0), cost.
 *
 * Every limit is first loaded and checked without writing; only if all admit (and no block is on) are they
 * committed, so a refused request consumes nothing.
 *
 * Reply (integers only: Lua numbers are truncated on the way out): allowed, block ms, then five per limit:
 * admits, remaining, reset ms, retry ms, ms until a request of cost 1 could pass.
 */
export function decideScript(
  limits: readonly ScriptLimit[],
  penaltyMs: number,
  penaltyAfter: number,
): LuaScript {
  let key = penaltyMs > 0 ? 3 : 2;
  const templates = limits.map((l, i) => {
    const own = `KEYS[${key++}]`;
    return template(i + 1, l, own, l.code === 'sl' ? `KEYS[${key++}]` : '');
  });
  const lines: string[] = [`local consume = ARGV[1] == '1'\nlocal cost = tonumber(ARGV[2])\n`];
  if (limits.some((l) => l.code !== 'fw')) {
    // The server's clock, read once; a fixed window alone needs none (it uses its key's TTL).
    lines.push(`local clock = redis.call('TIME')
local nowUs = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local now = math.floor(nowUs / 1000)
`);
  }
  lines.push(`local blockedMs = redis.call('PTTL', KEYS[1])
if blockedMs < 0 then blockedMs = 0 end
local allowed = blockedMs == 0
`);
  templates.forEach((t, index) => {
    const p = `l${index + 1}_`;
    lines.push(t.load, `local ${p}ok, ${p}retry\n`, t.check('cost', `${p}ok`, `${p}retry`));
    lines.push(`if not ${p}ok then allowed = false end\n`);
  });
  lines.push(`local spent = 0
if consume and allowed then
spent = cost
${templates.map((t) => t.commit).join('')}`);
  if (penaltyMs > 0) {
    lines.push(`elseif consume and blockedMs == 0 then
local refusals = redis.call('INCR', KEYS[2])
if refusals == 1 then redis.call('PEXPIRE', KEYS[2], ${float(penaltyMs)}) end
if refusals >= ${float(penaltyAfter)} then
  redis.call('SET', KEYS[1], '1', 'PX', ${float(penaltyMs)})
  redis.call('DEL', KEYS[2])
  blockedMs = ${float(penaltyMs)}
end
`);
  }
  lines.push('end\n');
  const reply = ['allowed and 1 or 0', 'blockedMs'];
  templates.forEach((t, index) => {
    const p = `l${index + 1}_`;
    lines.push(`local ${p}rem, ${p}reset\n`, t.report(`${p}rem`, `${p}reset`));
    // A refused request's wait for any request (cost 1): what the local cache of refusals may assume.
    lines.push(`local ${p}free = 0
if not allowed then
  if cost == 1 then ${p}free = ${p}retry else
    local ok1
    ${t.check('1', 'ok1', `${p}free`)}  end
end
`);
    reply.push(`${p}ok and 1 or 0`, `${p}rem`, `${p}reset`, `${p}retry`, `${p}free`);
  });
  lines.push(`return { ${reply.join(', ')} }\n`);
  return new LuaScript(lines.join(''));
}
