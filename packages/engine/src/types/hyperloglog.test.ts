import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cachedCardinality,
  cardinalityReply,
  EMPTY_HLL,
  elementPattern,
  estimate,
  HLL_DENSE,
  HLL_DENSE_BYTES,
  HLL_REGISTERS,
  HLL_SPARSE,
  HllBytes,
  isHllString,
  murmurHash64A,
  runSelfTest,
} from './hyperloglog.js';

/** MurmurHash64A written plainly with BigInt, as a reference for the 32-bit-halves version. */
function referenceHash(s: string): bigint {
  const mask = (1n << 64n) - 1n;
  const m = 0xc6a4a7935bd1e995n;
  let h = (0xadc83b19n ^ (BigInt(s.length) * m)) & mask;
  const blocks = s.length - (s.length & 7);
  for (let i = 0; i < blocks; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(s.charCodeAt(i + j));
    k = (k * m) & mask;
    k ^= k >> 47n;
    k = (k * m) & mask;
    h ^= k;
    h = (h * m) & mask;
  }
  const rest = s.length & 7;
  if (rest) {
    for (let j = rest - 1; j >= 0; j--) h ^= BigInt(s.charCodeAt(blocks + j)) << BigInt(8 * j);
    h = (h * m) & mask;
  }
  h ^= h >> 47n;
  h = (h * m) & mask;
  h ^= h >> 47n;
  return h;
}

function randomString(next: () => number, maxLength: number): string {
  const length = Math.floor(next() * (maxLength + 1));
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode(Math.floor(next() * 256));
  return s;
}

function seeded(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

const countOf = (h: HllBytes): number => {
  const bins = new Int32Array(64);
  assert.equal(h.histogram(bins), true);
  return estimate(bins);
};

describe('hyperloglog', () => {
  it('hashes elements to the register and count real Redis 7.0.15 reports (PFDEBUG GETREG)', () => {
    const vectors: Array<[string, number, number]> = [
      ['', 5938, 2],
      ['a', 12711, 2],
      ['hello', 9216, 1],
      ['foobar12', 15489, 2],
      ['foobar123', 638, 1],
      ['x'.repeat(15), 12070, 1],
      ['\x00\xff\x10\r\n', 10500, 1],
      ['redis', 9467, 2],
      ['HyperLogLog', 2853, 2],
      ['0123456789abcdefg', 14057, 2],
    ];
    for (const [element, index, count] of vectors) {
      const pattern = elementPattern(element);
      assert.deepEqual(
        [pattern & (HLL_REGISTERS - 1), pattern >>> 14],
        [index, count],
        JSON.stringify(element),
      );
    }
  });

  it('matches a BigInt MurmurHash64A on random binary strings of every length', () => {
    const next = seeded(99);
    for (let i = 0; i < 2000; i++) {
      const s = randomString(next, 40);
      const [hi, lo] = murmurHash64A(s);
      assert.equal((BigInt(hi) << 32n) | BigInt(lo), referenceHash(s), JSON.stringify(s));
      // The count is 1 + the trailing zeros above the 14 index bits, capped at 51.
      const h = referenceHash(s) >> 14n;
      let count = 1;
      while (count < 51 && ((h >> BigInt(count - 1)) & 1n) === 0n) count++;
      assert.equal(elementPattern(s) >>> 14, count);
    }
  });

  it('estimates like Redis: empty, known sets and the saturated overflow', () => {
    const empty = new Int32Array(64);
    empty[0] = HLL_REGISTERS;
    assert.equal(estimate(empty), 0);
    const saturated = new Int32Array(64);
    saturated[51] = HLL_REGISTERS;
    assert.equal(cardinalityReply(estimate(saturated)), -(2n ** 63n));
    const ignored = new Int32Array(64);
    ignored[63] = HLL_REGISTERS;
    assert.equal(cardinalityReply(estimate(ignored)), -(2n ** 63n));
    // Redis's PFCOUNT of e:0 .. e:999 and e:0 .. e:19999.
    for (const [n, expected] of [
      [1000, 995],
      [20000, 20096],
    ] as const) {
      const h = new HllBytes().load(EMPTY_HLL);
      for (let i = 0; i < n; i++) {
        const p = elementPattern(`e:${i}`);
        h.set(p & (HLL_REGISTERS - 1), p >>> 14, 3000);
      }
      assert.equal(countOf(h), expected);
    }
  });

  it('keeps sparse and dense in agreement, promoting past the size limit', () => {
    const sparse = new HllBytes().load(EMPTY_HLL);
    const dense = new HllBytes().load(EMPTY_HLL);
    assert.equal(dense.toDense(), true);
    assert.equal(dense.length, HLL_DENSE_BYTES);
    const next = seeded(5);
    for (let i = 1; i <= 5000; i++) {
      const p = elementPattern(randomString(next, 20) + i);
      const a = sparse.set(p & 16383, p >>> 14, 3000);
      const b = dense.set(p & 16383, p >>> 14, 3000);
      assert.equal(a, b);
      if (i % 500 === 0) assert.equal(countOf(sparse), countOf(dense));
      if (sparse.encoding === HLL_SPARSE) assert.ok(sparse.length <= 3000);
    }
    assert.equal(sparse.encoding, HLL_DENSE);
    assert.equal(sparse.toString().slice(16), dense.toString().slice(16));
  });

  it('promotes a sparse sketch for a register above 32 and rejects corrupt opcodes', () => {
    const h = new HllBytes().load(EMPTY_HLL);
    assert.equal(h.set(7, 33, 3000), 1);
    assert.equal(h.encoding, HLL_DENSE);
    assert.equal(h.denseGet(7), 33);
    assert.equal(h.set(7, 20, 3000), 0);
    const short = new HllBytes().load(`HYLL\x01${'\x00'.repeat(11)}\x7f\x00`);
    assert.equal(short.set(16200, 3, 3000), -1);
    assert.equal(short.histogram(new Int32Array(64)), false);
    assert.equal(short.toDense(), false);
    const long = new HllBytes().load(`HYLL\x01${'\x00'.repeat(11)}\x7f\xff\x80`);
    assert.equal(long.mergeInto(new Uint8Array(HLL_REGISTERS)), false);
  });

  it('splits and merges sparse opcodes as Redis does', () => {
    const h = new HllBytes().load(EMPTY_HLL);
    h.set(100, 3, 3000);
    assert.equal(h.decodeSparse(), 'Z:100 v:3,1 Z:16283');
    h.set(101, 3, 3000);
    assert.equal(h.decodeSparse(), 'Z:100 v:3,2 Z:16282');
    h.set(99, 3, 3000);
    h.set(102, 3, 3000);
    assert.equal(h.decodeSparse(), 'Z:99 v:3,4 Z:16281');
    h.set(0, 1, 3000);
    assert.equal(h.decodeSparse().startsWith('v:1,1 '), true);
  });

  it('checks headers and reads the cached cardinality', () => {
    assert.equal(isHllString(EMPTY_HLL), true);
    assert.equal(isHllString('HYLL'), false);
    assert.equal(isHllString(`HYLX${EMPTY_HLL.slice(4)}`), false);
    assert.equal(isHllString(`HYLL\x02${EMPTY_HLL.slice(5)}`), false);
    assert.equal(isHllString(`HYLL\x00${EMPTY_HLL.slice(5)}`), false);
    assert.equal(cachedCardinality(EMPTY_HLL), 0);
    const h = new HllBytes().load(EMPTY_HLL);
    h.setCachedCardinality(2 ** 40 + 5);
    assert.equal(cachedCardinality(h.toString()), 2 ** 40 + 5);
    h.setCachedCardinality(2 ** 62);
    assert.equal(cachedCardinality(h.toString()), 2n ** 62n);
    h.invalidateCache();
    assert.equal(cachedCardinality(h.toString()), undefined);
  });

  it('passes its self test', () => {
    assert.equal(runSelfTest(), undefined);
  });
});
