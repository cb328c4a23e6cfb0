import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import { rewriteStackReleases, stackReleaseRewrites } from './fengari.js';

it("fengari's stack releases are all rewritten as it loads (none left as `delete`)", () => {
  const sources = dirname(createRequire(import.meta.url).resolve('fengari'));
  const atLoad = stackReleaseRewrites;
  let releases = 0;
  for (const file of readdirSync(sources).filter((name) => name.endsWith('.js'))) {
    const source = readFileSync(join(sources, file), 'utf8');
    releases += (source.match(/delete [\w.]*stack\[/g) ?? []).length;
    assert.doesNotMatch(rewriteStackReleases(source), /delete [\w.]*stack\[/, `${file} still deletes slots`);
  }
  assert.ok(releases > 0);
  assert.equal(atLoad, releases, 'every release was rewritten when fengari loaded');
});
