import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lzfCompress, lzfDecompress } from './lzf.js';

function roundTrip(data: Buffer): Uint8Array | undefined {
  const packed = lzfCompress(data, data.length - 4);
  if (packed) assert.deepEqual(lzfDecompress(Buffer.from(packed), data.length), data);
  return packed;
}

describe('lzf', () => {
  it('compresses repetitive data and restores it exactly', () => {
    const data = Buffer.from('a'.repeat(100));
    const packed = roundTrip(data);
    assert.ok(packed && packed.length < 20);
    roundTrip(Buffer.from('hello world, hello world, hello world! '.repeat(50)));
  });
  it('matches bytes liblzf (as in Redis) emits for a known input', () => {
    // Redis 7.0: SET k <50 × 'a'>, DUMP: 00 c3 09 32 01 61 61 e0 25 00 01 61 61 …
    const packed = lzfCompress(Buffer.from('a'.repeat(50)), 46);
    assert.deepEqual(Buffer.from(packed!).toString('hex'), '016161e02500016161');
  });
  it('gives up when the output would not be smaller', () => {
    const random = Buffer.alloc(300);
    for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + (i >> 3) * 104729) & 0xff;
    const packed = lzfCompress(random, random.length - 4);
    if (packed) assert.ok(packed.length <= random.length - 4);
    assert.equal(lzfCompress(Buffer.from('abcdefghijklmnopqrstuvwxyz'), 22), undefined);
  });
  it('round-trips random data of many sizes and long matches', () => {
    for (let n = 3; n < 3000; n += 37) {
      const data = Buffer.alloc(n);
      for (let i = 0; i < n; i++) data[i] = Math.random() < 0.5 ? 65 : Math.floor(Math.random() * 4);
      roundTrip(data);
    }
    roundTrip(Buffer.concat([Buffer.from('x'.repeat(10000)), Buffer.from('yz'.repeat(5000))]));
  });
  it('rejects malformed input', () => {
    assert.throws(() => lzfDecompress(Buffer.from([0x20, 0x00]), 5));
    assert.throws(() => lzfDecompress(Buffer.from([0x05, 0x61]), 6));
    assert.throws(() => lzfDecompress(Buffer.from([0x00, 0x61]), 2));
  });
});
