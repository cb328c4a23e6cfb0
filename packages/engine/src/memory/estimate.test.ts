import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Engine } from '../engine.js';
import { lfuDecayed, lfuLogIncrement, lfuPack, lruClock, lruIdleMs } from './access.js';
import { stringBytes, tableCapacity } from './estimate.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapInUse(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** A fresh flat string, as the RESP decoder makes them (not a slice or a concatenation). */
const flat = (s: string) => Buffer.from(s, 'latin1').toString('latin1');

/** Loads keys with `write` and compares the estimate's growth with the heap's. */
function ratioAfter(count: number, write: (run: (argv: string[]) => void, i: number) => void): number {
  const engine = new Engine();
  const session = engine.createSession({ push() {}, resume() {}, close() {} });
  const run = (argv: string[]) => void session.execute(argv);
  const before = heapInUse();
  const estimatedBefore = engine.memory.usedMemory();
  for (let i = 0; i < count; i++) write(run, i);
  const real = heapInUse() - before;
  const estimated = engine.memory.usedMemory() - estimatedBefore;
  engine.close();
  return estimated / real;
}

describe('the memory estimate tracks the heap', () => {
  const value = (i: number) => flat(`value-${i}-${'x'.repeat(40)}`);
  const cases: Array<[string, number, (run: (argv: string[]) => void, i: number) => void]> = [
    ['strings', 100_000, (run, i) => run([flat('SET'), flat(`key:${i}`), value(i)])],
    [
      'small hashes',
      10_000,
      (run, i) => {
        for (let f = 0; f < 10; f++) run(['HSET', flat(`h:${i}`), flat(`field${f}`), value(f)]);
      },
    ],
    ['a big list', 100_000, (run, i) => run(['RPUSH', 'list', value(i)])],
    ['a big zset', 50_000, (run, i) => run(['ZADD', 'zset', String(i / 3), value(i)])],
    [
      'small zsets',
      20_000,
      (run, i) => {
        for (let m = 0; m < 5; m++)
          run(['ZADD', flat(`z:${i}`), String(m * 1000 + i), flat(`member-${m}-${i}`)]);
      },
    ],
  ];
  for (const [name, count, write] of cases) {
    it(`${name}: within 20% of the real growth`, () => {
      const ratio = ratioAfter(count, write);
      assert.ok(ratio > 0.8 && ratio < 1.2, `estimate/real = ${ratio.toFixed(3)}`);
    });
  }
});

describe('estimate building blocks', () => {
  it('sizes strings and tables as V8 lays them out', () => {
    assert.equal(stringBytes(0), 16);
    assert.equal(stringBytes(1), 24);
    assert.equal(stringBytes(8), 24);
    assert.equal(stringBytes(9), 32);
    assert.equal(tableCapacity(0), 4);
    assert.equal(tableCapacity(5), 8);
    assert.equal(tableCapacity(1024), 1024);
    assert.equal(tableCapacity(1025), 2048);
    assert.equal(tableCapacity(2 ** 30), 2 ** 30);
    assert.equal(tableCapacity(2 ** 30 + 1), 2 ** 31);
  });
});

describe('LRU clock and LFU counter', () => {
  it('measures idle time in whole seconds, across the clock wrap', () => {
    const t = 1_700_000_000_000;
    assert.equal(lruIdleMs(lruClock(t), t + 2_500), 2_000);
    const nearWrap = ((1 << 24) - 2) * 1000;
    assert.equal(lruIdleMs(lruClock(nearWrap), nearWrap + 5_000), 4_000);
  });

  it('increments logarithmically and decays per lfu-decay-time minutes', () => {
    const params = { logFactor: 0, decayTime: 1 };
    assert.equal(lfuLogIncrement(5, params), 6);
    assert.equal(lfuLogIncrement(255, params), 255);
    const hard = { logFactor: 1_000_000, decayTime: 1 };
    let counter = 10;
    for (let i = 0; i < 100; i++) counter = lfuLogIncrement(counter, hard);
    assert.ok(counter <= 11);
    const t = 1_700_000_040_000; // on a minute boundary
    const packed = lfuPack(20, t);
    assert.equal(lfuDecayed(packed, t + 59_000, params), 20);
    assert.equal(lfuDecayed(packed, t + 5 * 60_000, params), 15);
    assert.equal(lfuDecayed(packed, t + 50 * 60_000, params), 0);
    assert.equal(lfuDecayed(packed, t + 50 * 60_000, { logFactor: 10, decayTime: 0 }), 20);
  });
});
