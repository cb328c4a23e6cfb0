/** The library tables scripts see (read-only, as the globals table itself). */
export const LIBRARIES = [
  'string',
  'math',
  'table',
  'coroutine',
  'bit',
  'cjson',
  'cmsgpack',
  'struct',
  'redis',
];

/**
 * Lua run once per engine, before anything is locked: Lua 5.1 names that Redis scripts rely on, Redis 7's
 * pcall (an error table raised by redis.call reaches the caller as its message), the removal of what the
 * sandbox forbids, and the message handler that records where an error happened.
 * Receives (redis); returns (globals, handler). The host then makes the globals and LIBRARIES read-only.
 */
export const PRELUDE = `
local LIBRARIES = { ${LIBRARIES.filter((name) => name !== 'redis')
  .map((name) => `'${name}'`)
  .join(', ')} }
local redis = ...
local dbg = debug
local G = _G
local rawpcall, pack, unpackn = pcall, table.pack, table.unpack
unpack = table.unpack
loadstring = load
table.getn = function(t) return #t end
table.maxn = function(t)
  local n = 0
  for k in next, t do
    if type(k) == 'number' and k > n then n = k end
  end
  return n
end
table.foreach = function(t, f)
  for k, v in next, t do
    local r = f(k, v)
    if r ~= nil then return r end
  end
end
table.foreachi = function(t, f)
  for i = 1, #t do
    local r = f(i, t[i])
    if r ~= nil then return r end
  end
end
gcinfo = function() return math.floor(collectgarbage('count')) end
pcall = function(...)
  local r = pack(rawpcall(...))
  if not r[1] and type(r[2]) == 'table' then
    local err = rawget(r[2], 'err')
    if type(err) == 'string' then r[2] = err end
  end
  return unpackn(r, 1, r.n)
end
local globals = {}
for k, v in next, G do globals[k] = v end
globals._VERSION = 'Lua 5.1'
for _, name in ipairs({ 'print', 'dofile', 'loadfile', 'require', 'package', 'os', 'io', 'debug', 'utf8', 'rawlen' }) do
  globals[name] = nil
end
for _, name in ipairs(LIBRARIES) do globals[name] = G[name] end
globals.redis = redis
local function handler(err)
  -- The innermost frame of the script: skip host functions (fengari calls them 'J' where C Lua says
  -- 'C') and this prelude's pcall.
  local level = 2
  local i = dbg.getinfo(level, 'Sl')
  while i and (i.what == 'C' or i.what == 'J' or i.source == '=prelude') do
    level = level + 1
    i = dbg.getinfo(level, 'Sl')
  end
  if type(err) ~= 'table' then err = { err = 'ERR ' .. tostring(err) } end
  if i then
    err.source = i.source
    err.line = i.currentline
  end
  return err
end
globals.__redis__err__handler = handler
return globals, handler
`;
