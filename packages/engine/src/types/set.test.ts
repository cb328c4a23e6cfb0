import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareIntStrings, isInt64String, RedisSet, sampleDistinctIndexes } from './set.js';

describe('set helpers', () => {
  it('recognises canonical int64 strings as Redis string2ll does', () => {
    for (const s of [
      '0',
      '1',
      '-1',
      '42',
      '9223372036854775807',
      '-9223372036854775808',
      '1000000000000000000',
    ]) {
      assert.equal(isInt64String(s), true, s);
    }
    for (const s of [
      '',
      '-',
      '-0',
      '01',
      '+1',
      ' 1',
      '1 ',
      '1.0',
      '9223372036854775808',
      '-9223372036854775809',
      '1e3',
      'abc',
      '12345678901234567890',
    ]) {
      assert.equal(isInt64String(s), false, s);
    }
  });

  it('orders integer strings numerically', () => {
    const values = [
      '5',
      '-3',
      '0',
      '100',
      '-100',
      '-9223372036854775808',
      '9223372036854775807',
      '20',
      '-21',
    ];
    const sorted = values.slice().sort(compareIntStrings);
    assert.deepEqual(
      sorted,
      values.slice().sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)),
    );
  });

  it('samples distinct indexes in range', () => {
    for (const [size, count] of [
      [10, 9],
      [10, 1],
      [1000, 10],
      [1000, 400],
    ] as const) {
      const picked = sampleDistinctIndexes(size, count);
      assert.equal(picked.length, count);
      assert.equal(new Set(picked).size, count);
      for (const i of picked) assert.ok(i >= 0 && i < size);
    }
  });
});

describe('RedisSet', () => {
  it('keeps an intset sorted and converts on a non-integer', () => {
    const set = new RedisSet();
    for (const m of ['10', '-5', '3', '10', '0']) set.add(m, 512);
    assert.equal(set.encoding(), 'intset');
    assert.deepEqual(set.toArray(), ['-5', '0', '3', '10']);
    assert.equal(set.has('3'), true);
    assert.equal(set.has('03'), false);
    assert.equal(set.has('x'), false);
    assert.equal(set.delete('x'), false);
    assert.equal(set.delete('0'), true);
    assert.equal(set.add('x', 512), true);
    assert.equal(set.encoding(), 'hashtable');
    assert.equal(set.has('3'), true);
    assert.equal(set.has('x'), true);
    set.delete('x');
    assert.equal(set.encoding(), 'hashtable');
  });

  it('converts when the intset grows past its limit', () => {
    const set = new RedisSet();
    for (let i = 0; i < 4; i++) set.add(String(i), 4);
    assert.equal(set.encoding(), 'intset');
    set.add('4', 4);
    assert.equal(set.encoding(), 'hashtable');
    assert.equal(set.size, 5);
    const zero = new RedisSet();
    zero.add('1', 0);
    assert.equal(zero.encoding(), 'hashtable');
  });

  it('pops random members of a 100,000-member set, each once (cost per pop: bench/)', () => {
    const set = new RedisSet();
    for (let i = 0; i < 100_000; i++) set.add(`m${i}`, 512);
    const seen = new Set<string>();
    for (let i = 0; i < 50_000; i++) seen.add(set.popRandom());
    assert.equal(seen.size, 50_000);
    assert.equal(set.size, 50_000);
    for (const m of seen) assert.equal(set.has(m), false);
    for (const m of set.items) assert.equal(set.has(m), true);
    assert.deepEqual([...set.membersBySlot()].sort(), set.toArray().sort());
    set.add('new-member', 512);
    assert.equal(set.membersBySlot().length, 50_001);
    const picked = sampleDistinctIndexes(set.size, 10);
    assert.equal(picked.length, 10);
  });

  it('clones deeply and iterates live members', () => {
    const set = new RedisSet();
    for (const m of ['a', 'b', 'c']) set.add(m, 512);
    const copy = set.clone();
    copy.delete('a');
    assert.equal(set.has('a'), true);
    assert.deepEqual([...set.liveMembers()].sort(), ['a', 'b', 'c']);
  });
});
