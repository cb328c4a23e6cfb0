import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RedisList } from './list.js';

/** A seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('RedisList', () => {
  it('pushes and pops at both ends across growth and wrap-around', () => {
    const list = new RedisList();
    for (let i = 0; i < 10; i++) list.pushFront(`f${i}`);
    for (let i = 0; i < 10; i++) list.pushBack(`b${i}`);
    assert.equal(list.size, 20);
    assert.equal(list.at(0), 'f9');
    assert.equal(list.at(-1), 'b9');
    assert.equal(list.at(20), undefined);
    assert.equal(list.at(-21), undefined);
    assert.equal(list.popFront(), 'f9');
    assert.equal(list.popBack(), 'b9');
    assert.deepEqual(list.range(0, 2), ['f8', 'f7', 'f6']);
    assert.deepEqual(list.range(0, 2, true), ['f6', 'f7', 'f8']);
    assert.equal(list.encoding(), 'quicklist');
    assert.equal(list.type, 'list');
  });

  it('pops from an empty list as undefined', () => {
    const list = new RedisList();
    assert.equal(list.popFront(), undefined);
    assert.equal(list.popBack(), undefined);
    assert.deepEqual(list.toArray(), []);
  });

  it('inserts anywhere by moving the shorter side', () => {
    const list = RedisList.from(['a', 'b', 'c', 'd']);
    list.insertAt(0, 'x');
    list.insertAt(5, 'y');
    list.insertAt(2, 'm');
    list.insertAt(4, 'n');
    assert.deepEqual(list.toArray(), ['x', 'a', 'm', 'b', 'n', 'c', 'd', 'y']);
  });

  it('removes values from the head or the tail with a limit', () => {
    const items = ['a', 'x', 'b', 'x', 'c', 'x', 'd'];
    const head = RedisList.from(items);
    assert.equal(head.removeValue('x', 2, false), 2);
    assert.deepEqual(head.toArray(), ['a', 'b', 'c', 'x', 'd']);
    const tail = RedisList.from(items);
    assert.equal(tail.removeValue('x', 2, true), 2);
    assert.deepEqual(tail.toArray(), ['a', 'x', 'b', 'c', 'd']);
    const all = RedisList.from(items);
    assert.equal(all.removeValue('x', 0, true), 3);
    assert.deepEqual(all.toArray(), ['a', 'b', 'c', 'd']);
    assert.equal(all.removeValue('nope', 0, false), 0);
  });

  it('trims both ends and clones independently', () => {
    const list = RedisList.from(['1', '2', '3', '4', '5']);
    list.removeEnds(1, false);
    list.removeEnds(2, true);
    assert.deepEqual(list.toArray(), ['2', '3']);
    const copy = list.clone();
    copy.pushBack('z');
    assert.deepEqual(list.toArray(), ['2', '3']);
    assert.deepEqual([...copy], ['2', '3', 'z']);
    list.removeEnds(5, true);
    assert.equal(list.size, 0);
  });

  it('matches an array model under random operations', () => {
    const next = random(42);
    const list = new RedisList();
    let model: string[] = [];
    for (let step = 0; step < 20000; step++) {
      const op = Math.floor(next() * 10);
      const value = String(Math.floor(next() * 8));
      const index = Math.floor(next() * (model.length + 1));
      switch (op) {
        case 0:
        case 1:
          list.pushFront(value);
          model.unshift(value);
          break;
        case 2:
        case 3:
          list.pushBack(value);
          model.push(value);
          break;
        case 4:
          assert.equal(list.popFront(), model.shift());
          break;
        case 5:
          assert.equal(list.popBack(), model.pop());
          break;
        case 6:
          list.insertAt(index, value);
          model.splice(index, 0, value);
          break;
        case 7: {
          const limit = Math.floor(next() * 3);
          const fromTail = next() < 0.5;
          let removed = 0;
          const order = fromTail ? [...model.keys()].reverse() : [...model.keys()];
          const drop = new Set<number>();
          for (const i of order) {
            if (model[i] === value && (limit === 0 || removed < limit)) {
              drop.add(i);
              removed++;
            }
          }
          model = model.filter((_, i) => !drop.has(i));
          assert.equal(list.removeValue(value, limit, fromTail), removed);
          break;
        }
        case 8: {
          const n = Math.floor(next() * 4);
          const fromTail = next() < 0.5;
          list.removeEnds(n, fromTail);
          if (fromTail) model.splice(Math.max(0, model.length - n), n);
          else model.splice(0, n);
          break;
        }
        default:
          if (model.length > 0) {
            const i = index % model.length;
            list.set(i, value);
            model[i] = value;
          }
      }
      assert.equal(list.size, model.length);
      if (step % 97 === 0) assert.deepEqual(list.toArray(), model);
    }
    assert.deepEqual(list.toArray(), model);
    assert.equal(list.indexOf('3'), model.indexOf('3'));
  });

  it('grows to many elements and shrinks back', () => {
    const list = new RedisList();
    for (let i = 0; i < 100000; i++) list.pushBack(String(i));
    assert.equal(list.at(99999), '99999');
    for (let i = 0; i < 99990; i++) list.popFront();
    assert.deepEqual(list.toArray(), [
      '99990',
      '99991',
      '99992',
      '99993',
      '99994',
      '99995',
      '99996',
      '99997',
      '99998',
      '99999',
    ]);
  });
});
