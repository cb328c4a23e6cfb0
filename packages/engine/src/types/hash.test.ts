import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RedisHash } from './hash.js';

function filled(n: number): RedisHash {
  const hash = new RedisHash();
  for (let i = 0; i < n; i++) hash.set(`f${i}`, `v${i}`);
  return hash;
}

describe('RedisHash', () => {
  it('sets, gets, updates and counts fields', () => {
    const hash = new RedisHash();
    assert.equal(hash.set('a', '1'), true);
    assert.equal(hash.set('b', '2'), true);
    assert.equal(hash.set('a', '3'), false);
    assert.equal(hash.get('a'), '3');
    assert.equal(hash.get('zz'), undefined);
    assert.equal(hash.has('b'), true);
    assert.equal(hash.size, 2);
    assert.equal(hash.encoding(), 'listpack');
  });

  it('keeps insertion order through updates and deletes while listpack-encoded', () => {
    const hash = filled(6);
    hash.set('f2', 'new');
    assert.equal(hash.delete('f1'), true);
    assert.equal(hash.delete('f1'), false);
    hash.set('f1', 'again');
    assert.deepEqual([...hash.fields()], ['f0', 'f2', 'f3', 'f4', 'f5', 'f1']);
    assert.deepEqual([...hash.values()], ['v0', 'new', 'v3', 'v4', 'v5', 'again']);
    const seen: string[] = [];
    hash.forEach((value, field) => {
      seen.push(`${field}=${value}`);
    });
    assert.deepEqual(seen, ['f0=v0', 'f2=new', 'f3=v3', 'f4=v4', 'f5=v5', 'f1=again']);
  });

  it('converts one way on entry count', () => {
    const hash = filled(3);
    hash.applyEntryLimit(3);
    assert.equal(hash.encoding(), 'listpack');
    hash.applyEntryLimit(2);
    assert.equal(hash.encoding(), 'hashtable');
    hash.delete('f0');
    hash.delete('f1');
    hash.applyEntryLimit(128);
    assert.equal(hash.encoding(), 'hashtable');
    const other = filled(1);
    other.convertToHashtable();
    assert.equal(other.encoding(), 'hashtable');
    assert.equal(other.clone().encoding(), 'hashtable');
  });

  it('keeps its random-pick index in step with writes once built', () => {
    const hash = filled(1000);
    hash.convertToHashtable();
    assert.equal(hash.fieldsBySlot().length, 1000);
    for (let i = 0; i < 1000; i += 3) assert.equal(hash.delete(`f${i}`), true);
    hash.set('extra', 'x');
    hash.set('f1', 'updated');
    assert.equal(hash.size, 1000 - 334 + 1);
    for (let i = 0; i < 1000; i++) assert.equal(hash.has(`f${i}`), i % 3 !== 0);
    const bySlot = hash.fieldsBySlot();
    assert.equal(bySlot.length, hash.size);
    assert.deepEqual([...bySlot].sort(), [...hash.fields()].sort());
    assert.equal(new Set(hash.liveFields()).size, hash.size);
  });

  it('picks random slots in range and clones deeply', () => {
    const hash = filled(10);
    const picked = new Set<string>();
    for (let i = 0; i < 200; i++) picked.add(hash.randomField());
    assert.equal(picked.size, 10);
    const copy = hash.clone();
    copy.set('f0', 'changed');
    assert.equal(hash.get('f0'), 'v0');
    assert.equal(copy.encoding(), hash.encoding());
  });
});
