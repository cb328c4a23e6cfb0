import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import { lauxlib, lua, lualib, tableEntryCount, toLua } from './fengari.js';
import { rewriteFengariSource, rewritesApplied } from './fengari-rewrites.js';

it("fengari's hot paths are all rewritten as it loads", () => {
  const sources = dirname(createRequire(import.meta.url).resolve('fengari'));
  const counts = rewritesApplied.map(() => 0);
  for (const file of readdirSync(sources).filter((name) => name.endsWith('.js'))) {
    const rewritten = rewriteFengariSource(readFileSync(join(sources, file), 'utf8'), counts);
    assert.doesNotMatch(rewritten, /delete [\w.]*stack\[/, `${file} still deletes stack slots`);
    assert.doesNotMatch(rewritten, /Uint8Array\.from\.bind/, `${file} still copies through an iterator`);
    assert.doesNotMatch(rewritten, /callstatus &= ~lstate\.CIST_OAH/, `${file} still loses allowhook`);
  }
  assert.ok(counts.every((n) => n > 0));
  assert.deepEqual(rewritesApplied, counts, 'every rewrite applied when fengari loaded');
});

it('tableEntryCount counts array and hash entries of a fengari table', () => {
  const L = lauxlib.luaL_newstate();
  lauxlib.luaL_loadbuffer(L, toLua('return {1, 2, 3, x = 1, [10] = 2}'), 32, 'test');
  lua.lua_pcall(L, 0, 1, 0);
  assert.equal(tableEntryCount(L, -1), 5);
});

it('closures, coroutines and errors keep their values with stack slots and CallInfos reused', () => {
  const L = lauxlib.luaL_newstate();
  const libraries = {
    _G: lualib.luaopen_base,
    table: lualib.luaopen_table,
    coroutine: lualib.luaopen_coroutine,
  };
  for (const [name, open] of Object.entries(libraries)) {
    lauxlib.luaL_requiref(L, name, open, 1);
    lua.lua_settop(L, 0);
  }
  const cases: Array<[string, string]> = [
    [
      'local fs = {} for i = 1, 5 do local j = i * 2 fs[i] = function() j = j + 1 return j end end local r = {} for i = 1, 5 do r[i] = fs[i]() + fs[i]() end return r',
      '7,11,15,19,23',
    ],
    [
      'local function mk(n) local a, b = n, n + 1 return function() a = a + b return a end end local f, g = mk(1), mk(10) local t = {} for i = 1, 4 do t[#t+1] = f() t[#t+1] = g() end return t',
      '3,21,5,32,7,43,9,54',
    ],
    [
      'local co = coroutine.create(function(a) local x = a for i = 1, 3 do x = x + coroutine.yield(x) end return x end) local r = {} local ok, v = coroutine.resume(co, 1) r[1] = v for i = 1, 3 do ok, v = coroutine.resume(co, i * 10) r[#r+1] = v end return r',
      '1,11,31,61',
    ],
    [
      "local acc = {} local ok = pcall(function() local z = 5 acc[1] = function() return z end error('boom') end) local s = 0 for i = 1, 10 do s = s + select('#', 1, 2, 3) end return {tostring(ok), acc[1](), s}",
      'false,5,30',
    ],
  ];
  for (let round = 0; round < 2; round++) {
    for (const [code, expected] of cases) {
      const chunk = `local t = (function() ${code} end)() return table.concat(t, ',')`;
      assert.equal(lauxlib.luaL_loadbuffer(L, toLua(chunk), chunk.length, 'test'), lua.LUA_OK);
      const status = lua.lua_pcall(L, 0, 1, 0);
      assert.equal(new TextDecoder().decode(lua.lua_tolstring(L, -1)!), expected, code);
      assert.equal(status, lua.LUA_OK);
      lua.lua_settop(L, 0);
    }
  }
});
