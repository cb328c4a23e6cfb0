import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type LexRange, type ScoreRange, ZSet } from './zset.js';

const limits = { maxEntries: 4, maxValue: 8 };
const members = (z: ZSet) => {
  const out: string[] = [];
  z.forEach((m) => {
    out.push(m);
  });
  return out;
};
const lex = (min: string, max: string): LexRange => {
  const bound = (s: string) =>
    s === '-'
      ? { infinite: -1 as const, value: '', exclusive: true }
      : s === '+'
        ? { infinite: 1 as const, value: '', exclusive: true }
        : { infinite: 0 as const, value: s.slice(1), exclusive: s[0] === '(' };
  return { min: bound(min), max: bound(max) };
};
const scores = (min: number, max: number, minex = false, maxex = false): ScoreRange => ({
  min,
  max,
  minex,
  maxex,
});

describe('ZSet', () => {
  it('converts to skiplist past the entry limit and never back', () => {
    const z = new ZSet();
    for (let i = 0; i < 4; i++) z.add(`m${i}`, i, limits);
    assert.equal(z.encoding(), 'listpack');
    z.add('m4', 4, limits);
    assert.equal(z.encoding(), 'skiplist');
    z.delete('m4');
    z.delete('m3');
    assert.equal(z.encoding(), 'skiplist');
  });

  it('converts for a long member', () => {
    const z = new ZSet();
    z.add('123456789', 1, limits);
    assert.equal(z.encoding(), 'skiplist');
  });

  it('stores -0 as 0 only while listpack-encoded', () => {
    const small = new ZSet();
    small.add('a', -0, limits);
    assert.ok(Object.is(small.score('a'), 0));
    const big = new ZSet(false);
    big.add('a', -0, limits);
    assert.ok(Object.is(big.score('a'), -0));
  });

  it('ranks, updates and pops', () => {
    const z = new ZSet(false);
    for (const [m, s] of [
      ['c', 3],
      ['a', 1],
      ['b', 2],
      ['bb', 2],
    ] as const)
      z.add(m, s, limits);
    assert.deepEqual(members(z), ['a', 'b', 'bb', 'c']);
    assert.equal(z.rank('bb'), 2);
    assert.equal(z.rank('bb', true), 1);
    assert.equal(z.rank('zz'), -1);
    z.update('a', 1, 5);
    assert.deepEqual(members(z), ['b', 'bb', 'c', 'a']);
    assert.deepEqual(z.pop(true), ['a', 5]);
    assert.deepEqual(z.pop(false), ['b', 2]);
    assert.equal(z.size, 2);
  });

  it('finds score ranges with exclusive ends', () => {
    const z = new ZSet(false);
    for (let i = 0; i < 10; i++) z.add(`m${i}`, i, limits);
    assert.equal(z.firstInScoreRange(scores(2, 5)), 2);
    assert.equal(z.lastInScoreRange(scores(2, 5)), 5);
    assert.equal(z.firstInScoreRange(scores(2, 5, true, true)), 3);
    assert.equal(z.lastInScoreRange(scores(2, 5, true, true)), 4);
    assert.equal(z.firstInScoreRange(scores(5, 5, true)), -1);
    assert.equal(z.firstInScoreRange(scores(10, Infinity)), -1);
    assert.equal(z.lastInScoreRange(scores(-Infinity, -1)), -1);
    assert.equal(z.firstInScoreRange(scores(-Infinity, Infinity)), 0);
  });

  it('finds lex ranges; a listpack is scanned from the ends as Redis does', () => {
    const z = new ZSet();
    for (const m of ['a', 'b', 'c', 'd']) z.add(m, 0, { maxEntries: 128, maxValue: 64 });
    assert.equal(z.firstInLexRange(lex('[b', '[c')), 1);
    assert.equal(z.lastInLexRange(lex('[b', '[c')), 2);
    assert.equal(z.firstInLexRange(lex('(b', '+')), 2);
    assert.equal(z.firstInLexRange(lex('-', '+')), 0);
    assert.equal(z.firstInLexRange(lex('+', '-')), -1);
    assert.equal(z.firstInLexRange(lex('[c', '[b')), -1);
    // Mixed scores: the scan stops at the first member >= min even if it lies beyond max.
    const mixed = new ZSet();
    mixed.add('a', 1, limits);
    mixed.add('z', 2, limits);
    mixed.add('b', 3, limits);
    assert.equal(mixed.firstInLexRange(lex('[b', '[c')), -1);
    assert.equal(mixed.lastInLexRange(lex('[b', '[c')), 2);
  });

  it('deletes rank ranges by steps or by rebuilding', () => {
    const z = new ZSet(false);
    for (let i = 0; i < 1000; i++) z.add(`m${String(i).padStart(4, '0')}`, i, limits);
    z.deleteRange(10, 5);
    assert.equal(z.size, 995);
    assert.equal(z.at(10).member, 'm0015');
    z.deleteRange(0, 900);
    assert.equal(z.size, 95);
    assert.equal(z.at(0).member, 'm0905');
    assert.equal(z.score('m0010'), undefined);
    assert.equal(z.rank('m0999'), 94);
  });

  it('clones keep the encoding and are independent', () => {
    const z = new ZSet();
    z.add('a', 1, limits);
    const copy = z.clone();
    copy.add('b', 2, limits);
    assert.equal(z.size, 1);
    assert.equal(copy.encoding(), 'listpack');
    assert.deepEqual(members(copy), ['a', 'b']);
  });
});
