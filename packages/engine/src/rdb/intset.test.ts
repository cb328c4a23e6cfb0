import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeIntset, encodeIntset } from './intset.js';

describe('intset', () => {
  it('picks the narrowest width for all members, little-endian, ascending', () => {
    // Redis 7.0: SADD s 1 2 3 → intset 02000000 03000000 0100 0200 0300
    assert.equal(encodeIntset(['1', '2', '3']).toString('hex'), '0200000003000000010002000300');
    assert.equal(encodeIntset(['-32768', '32767']).readUInt32LE(0), 2);
    assert.equal(encodeIntset(['-32769', '1']).readUInt32LE(0), 4);
    assert.equal(encodeIntset(['1', '2147483648']).readUInt32LE(0), 8);
    assert.equal(encodeIntset(['-9223372036854775808', '9223372036854775807']).length, 8 + 16);
  });

  it('round-trips every width', () => {
    for (const members of [
      ['-5', '0', '7'],
      ['-100000', '1', '100000'],
      ['-9223372036854775808', '-1', '0', '9223372036854775807'],
    ]) {
      assert.deepEqual(decodeIntset(encodeIntset(members)), members);
    }
  });

  it('rejects bad widths, sizes and unsorted members', () => {
    const good = encodeIntset(['1', '2']);
    const width = Buffer.from(good);
    width[0] = 3;
    assert.throws(() => decodeIntset(width));
    assert.throws(() => decodeIntset(good.subarray(0, good.length - 1)));
    const unsorted = Buffer.from(good);
    unsorted.writeInt16LE(5, 8);
    assert.throws(() => decodeIntset(unsorted));
  });
});
