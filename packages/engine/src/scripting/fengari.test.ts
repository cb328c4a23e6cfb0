import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import { lauxlib, lua, rewriteFengariSource, rewritesApplied, tableEntryCount, toLua } from './fengari.js';

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
