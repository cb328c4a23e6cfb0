import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareEntries, OrderStatisticTree } from './order-statistic-tree.js';

type Entry = [member: string, score: number];

/** A deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Index of the first reference entry >= key. */
function lowerBound(ref: Entry[], score: number, member: string): number {
  let lo = 0;
  let hi = ref.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareEntries(ref[mid]![1], ref[mid]![0], score, member) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function contents(tree: OrderStatisticTree): Entry[] {
  return [...tree.entries()];
}

describe('OrderStatisticTree', () => {
  it('orders by score, then by member bytes', () => {
    const tree = new OrderStatisticTree();
    tree.insert(2, 'a');
    tree.insert(1, 'b');
    tree.insert(1, 'a');
    tree.insert(1, '\xff');
    tree.insert(1, '\x00');
    tree.insert(-Infinity, 'z');
    tree.insert(Infinity, 'y');
    assert.deepEqual(contents(tree), [
      ['z', -Infinity],
      ['\x00', 1],
      ['a', 1],
      ['b', 1],
      ['\xff', 1],
      ['a', 2],
      ['y', Infinity],
    ]);
    assert.equal(tree.rank(1, 'b'), 3);
    assert.equal(tree.rank(1, 'c'), -1);
    tree.verify();
  });

  it('matches a sorted array under random inserts and deletes', () => {
    const random = rng(42);
    const tree = new OrderStatisticTree();
    let ref: Entry[] = [];
    const present = new Map<string, number>();
    for (let step = 0; step < 40_000; step++) {
      const member = `m${Math.floor(random() * 3000)}`;
      const existing = present.get(member);
      if (existing !== undefined && random() < 0.55) {
        assert.equal(tree.delete(existing, member), true);
        present.delete(member);
        ref.splice(lowerBound(ref, existing, member), 1);
      } else if (existing === undefined) {
        const score = Math.floor(random() * 50);
        tree.insert(score, member);
        present.set(member, score);
        ref.splice(lowerBound(ref, score, member), 0, [member, score]);
      } else {
        assert.equal(tree.delete(existing + 0.5, member), false);
      }
      if (step % 2000 === 0) {
        tree.verify();
        assert.deepEqual(contents(tree), ref);
      }
    }
    tree.verify();
    assert.equal(tree.size, ref.length);
    assert.deepEqual(contents(tree), ref);
    ref.forEach(([m, s], i) => {
      assert.equal(tree.rank(s, m), i);
      const cursor = tree.at(i);
      assert.equal(cursor.member, m);
      assert.equal(cursor.score, s);
    });
    // Drain completely, alternating ends and the middle.
    while (ref.length > 0) {
      const i = ref.length % 3 === 0 ? 0 : ref.length % 3 === 1 ? ref.length - 1 : ref.length >> 1;
      tree.deleteAt(i);
      ref = [...ref.slice(0, i), ...ref.slice(i + 1)];
      if (ref.length % 500 === 0) tree.verify();
    }
    assert.equal(tree.size, 0);
    tree.verify();
  });

  it('finds the first entry satisfying a monotone predicate', () => {
    const members = Array.from({ length: 1000 }, (_, i) => `k${String(i).padStart(4, '0')}`);
    const scores = members.map((_, i) => Math.floor(i / 10));
    const tree = OrderStatisticTree.fromSorted(members, scores);
    tree.verify();
    assert.equal(
      tree.rankWhere((s) => s >= 0),
      0,
    );
    assert.equal(
      tree.rankWhere((s) => s >= 37),
      370,
    );
    assert.equal(
      tree.rankWhere((s) => s > 37),
      380,
    );
    assert.equal(
      tree.rankWhere((s) => s > 1000),
      1000,
    );
    assert.equal(
      tree.rankWhere((s, m) => s > 50 || (s === 50 && m >= 'k0505')),
      505,
    );
  });

  it('walks with cursors in both directions', () => {
    const tree = new OrderStatisticTree();
    for (let i = 0; i < 500; i++) tree.insert(i, `m${i}`);
    const forward: number[] = [];
    for (const c = tree.at(100); c.valid; c.next()) forward.push(c.score);
    assert.equal(forward.length, 400);
    assert.equal(forward[0], 100);
    const backward: number[] = [];
    for (const c = tree.at(100); c.valid; c.prev()) backward.push(c.score);
    assert.equal(backward.length, 101);
    assert.equal(backward[100], 0);
    assert.equal(tree.at(500).valid, false);
    assert.equal(tree.at(-1).valid, false);
    assert.equal(tree.last().score, 499);
  });

  it('bulk-loads trees of every small size', () => {
    for (let n = 0; n < 300; n += 7) {
      const members = Array.from({ length: n }, (_, i) => `x${String(i).padStart(3, '0')}`);
      const tree = OrderStatisticTree.fromSorted(
        members,
        members.map(() => 1),
      );
      tree.verify();
      assert.equal(tree.size, n);
      tree.insert(1, 'x0005a');
      tree.verify();
    }
  });

  it('keeps insert, delete and rank at O(log n) (timings printed, not asserted)', () => {
    const random = rng(7);
    const ops = 20_000;
    /** Best of three rounds of `ops` inserts, rank lookups and deletes on a tree of n entries, in ns per op. */
    const measure = (n: number): [insert: number, rank: number, remove: number] => {
      const members = Array.from({ length: n }, (_, i) => `member:${String(i).padStart(7, '0')}`);
      const scores = members.map((_, i) => i * 2);
      const tree = OrderStatisticTree.fromSorted(members, scores);
      const best: [number, number, number] = [Infinity, Infinity, Infinity];
      for (let round = 0; round < 3; round++) {
        const picks = Array.from({ length: ops }, () => Math.floor(random() * n));
        const added = picks.map((i, k) => `${members[i]!}:${k}`);
        let t = process.hrtime.bigint();
        for (let k = 0; k < ops; k++) tree.insert(scores[picks[k]!]! + 1, added[k]!);
        best[0] = Math.min(best[0], Number(process.hrtime.bigint() - t) / ops);
        t = process.hrtime.bigint();
        let sum = 0;
        for (let k = 0; k < ops; k++) sum += tree.rank(scores[picks[k]!]! + 1, added[k]!);
        best[1] = Math.min(best[1], Number(process.hrtime.bigint() - t) / ops);
        assert.ok(sum >= 0);
        t = process.hrtime.bigint();
        for (let k = 0; k < ops; k++) tree.delete(scores[picks[k]!]! + 1, added[k]!);
        best[2] = Math.min(best[2], Number(process.hrtime.bigint() - t) / ops);
        assert.equal(tree.size, n);
      }
      return best;
    };
    measure(1e3); // warm up the JIT
    const lines: string[] = [];
    for (const n of [1e3, 1e4, 1e5, 1e6]) {
      const [insert, rank, remove] = measure(n);
      lines.push(
        `n=${n.toExponential(0)} (log2 n = ${Math.log2(n).toFixed(1)}): insert ${insert.toFixed(0)} ns, rank ${rank.toFixed(0)} ns, delete ${remove.toFixed(0)} ns`,
      );
    }
    console.log(`OrderStatisticTree cost per operation (best of 3):\n  ${lines.join('\n  ')}`);
  });
});

describe('TreeCursor.takeMembers', () => {
  it('copies ranges across leaves, forwards and backwards, as stepping one by one does', () => {
    const tree = new OrderStatisticTree();
    for (let i = 0; i < 1000; i++) tree.insert(i % 97, `m${i}`);
    for (const [rank, count] of [
      [0, 1000],
      [0, 1],
      [123, 400],
      [990, 50],
      [500, 0],
    ] as const) {
      for (const reverse of [false, true]) {
        const expected: string[] = [];
        const stepper = tree.at(reverse ? 999 - rank : rank);
        for (let n = 0; n < count && stepper.valid; n++) {
          expected.push(stepper.member);
          if (reverse) stepper.prev();
          else stepper.next();
        }
        const out = tree.at(reverse ? 999 - rank : rank).takeMembers(count, reverse);
        assert.deepEqual(out, expected, `rank ${rank} count ${count} reverse ${reverse}`);
      }
    }
  });
});
