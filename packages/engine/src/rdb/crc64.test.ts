import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Crc64, crc64 } from './crc64.js';

describe('crc64 (Redis Jones)', () => {
  it('matches the check value of Redis crc64.c', () => {
    assert.equal(crc64(Buffer.from('123456789')), 0xe9c6d914c4b8d9can);
  });
  it('is 0 for no data and the same chunked or whole', () => {
    assert.equal(crc64(Buffer.alloc(0)), 0n);
    const data = Buffer.from(
      'This is a longer piece of data, crossing chunk boundaries: 0123456789'.repeat(7),
    );
    const chunked = new Crc64().update(data, 0, 13).update(data, 13, 200).update(data, 200);
    assert.equal(chunked.digest(), crc64(data));
    assert.deepEqual(chunked.digestBytes().readBigUInt64LE(0), crc64(data));
  });
});
