import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatId, IdMap, MAX_ID, makeId, RedisStream } from './stream.js';

const limits = { nodeMaxEntries: 100, nodeMaxBytes: 4096 };

function ids(stream: RedisStream, start = 0n, end = MAX_ID, count = 0, reverse = false): string[] {
  const out: string[] = [];
  stream.range(start, end, count, reverse, (id) => out.push(formatId(id)));
  return out;
}

describe('RedisStream', () => {
  it('packs IDs so that order and increment match Redis', () => {
    const max = (1n << 64n) - 1n;
    assert.equal(formatId(makeId(5n, max) + 1n), '6-0');
    assert.equal(formatId(MAX_ID), `${max}-${max}`);
    assert.ok(makeId(1n, max) < makeId(2n, 0n));
  });

  it('appends, seeks and ranges both ways', () => {
    const s = new RedisStream();
    for (let i = 1n; i <= 10n; i++) s.append(makeId(i, 0n), ['f', String(i)], limits);
    assert.equal(s.length, 10);
    assert.deepEqual(ids(s, makeId(3n, 0n), makeId(5n, 0n)), ['3-0', '4-0', '5-0']);
    assert.deepEqual(ids(s, 0n, MAX_ID, 2, true), ['10-0', '9-0']);
    assert.deepEqual(s.get(makeId(4n, 0n)), ['f', '4']);
    assert.equal(s.get(makeId(4n, 1n)), undefined);
  });

  it('deletes with tombstones and keeps edges live', () => {
    const s = new RedisStream();
    for (let i = 1n; i <= 200n; i++) s.append(makeId(i, 0n), ['f', 'v'], limits);
    for (let i = 1n; i <= 150n; i++) assert.ok(s.delete(makeId(i, 0n)));
    assert.equal(s.delete(makeId(1n, 0n)), false);
    assert.equal(s.length, 50);
    assert.equal(formatId(s.firstEntryId()!), '151-0');
    assert.equal(s.nodeCount, 1);
    assert.ok(s.delete(makeId(200n, 0n)));
    assert.equal(formatId(s.lastEntryId()!), '199-0');
    assert.equal(ids(s).length, 49);
  });

  it('trims whole nodes when approximate and entries when exact', () => {
    const s = new RedisStream();
    for (let i = 1n; i <= 250n; i++) s.append(makeId(i, 0n), ['f', 'v'], limits);
    assert.equal(s.nodeCount, 3);
    assert.equal(s.trim('maxlen', 120n, true, 10000), 100);
    assert.equal(s.trim('maxlen', 120n, true, 10000), 0);
    assert.equal(s.trim('maxlen', 120n, false, 0), 30);
    assert.equal(s.length, 120);
    assert.equal(s.trim('minid', makeId(240n, 0n), false, 0), 109);
    assert.equal(formatId(s.firstEntryId()!), '240-0');
    assert.equal(formatId(s.firstId), '240-0');
  });

  it('clones groups and pending entries deeply', () => {
    const s = new RedisStream();
    s.append(makeId(1n, 0n), ['a', 'b'], limits);
    const copy = s.clone();
    copy.append(makeId(2n, 0n), ['c', 'd'], limits);
    assert.equal(s.length, 1);
    assert.equal(copy.length, 2);
  });

  it('counts rax nodes as Redis does', () => {
    const s = new RedisStream();
    assert.equal(s.radixNodeCount(), 1);
    s.append(makeId(1n, 0n), ['f', 'v'], limits);
    assert.equal(s.radixNodeCount(), 2);
  });
});

describe('IdMap', () => {
  it('keeps keys ordered', () => {
    const m = new IdMap<string>();
    assert.ok(m.insert(5n, 'e'));
    assert.ok(m.insert(1n, 'a'));
    assert.ok(m.insert(3n, 'c'));
    assert.equal(m.insert(3n, 'x'), false);
    assert.equal(m.get(3n), 'c');
    assert.equal(m.firstKey(), 1n);
    assert.equal(m.lastKey(), 5n);
    assert.ok(m.delete(1n));
    assert.equal(m.keyAt(m.seek(4n)), 5n);
    assert.equal(m.size, 2);
    assert.ok(m.delete(3n));
    assert.equal(m.firstKey(), 5n);
    assert.ok(m.insert(2n, 'b'));
    assert.deepEqual(m.list(), ['b', 'e']);
    assert.equal(m.next(m.seek(0n)), m.seek(3n));
  });

  it('stays fast and ordered under many front deletes', () => {
    const m = new IdMap<number>();
    for (let i = 0; i < 100000; i++) m.insert(BigInt(i), i);
    for (let i = 0; i < 100000; i += 2) m.delete(BigInt(i));
    for (let i = 1; i < 50000; i += 2) m.delete(BigInt(i));
    assert.equal(m.size, 25000);
    assert.equal(m.firstKey(), 50001n);
    assert.equal(m.valueAt(m.seek(60000n)), 60001);
  });
});
