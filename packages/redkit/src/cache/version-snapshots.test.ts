import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VersionSnapshots } from './version-snapshots.js';

describe('VersionSnapshots', () => {
  it('answers only when every key was read within the window', () => {
    const snapshots = new VersionSnapshots(100);
    snapshots.remember(['ns', 'tag:a'], ['3', '0'], 1_000);
    assert.deepEqual(snapshots.recent(['ns', 'tag:a'], 1_100), ['3', '0']);
    assert.equal(snapshots.recent(['ns', 'tag:a'], 1_101), undefined, 'too old');
    assert.equal(snapshots.recent(['ns', 'tag:b'], 1_050), undefined, 'one key never read');
    snapshots.forget(['tag:a']);
    assert.equal(snapshots.recent(['ns', 'tag:a'], 1_050), undefined, 'forgotten after an invalidation');
  });

  it('is off with a zero window and stays bounded', () => {
    const off = new VersionSnapshots(0);
    off.remember(['ns'], ['1'], 0);
    assert.equal(off.recent(['ns'], 0), undefined);
    const small = new VersionSnapshots(1_000, 2);
    small.remember(['a', 'b'], ['1', '1'], 0);
    small.remember(['c'], ['1'], 0);
    assert.equal(small.recent(['a'], 0), undefined, 'cleared when full');
    assert.deepEqual(small.recent(['c'], 0), ['1']);
  });
});
