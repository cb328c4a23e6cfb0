import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeListpack, ListpackBuilder } from './listpack.js';

function build(items: string[]): Buffer {
  const lp = new ListpackBuilder();
  for (const item of items) lp.append(item);
  return Buffer.from(lp.finish());
}

describe('listpack', () => {
  it('lays out header, elements and end byte as Redis does', () => {
    // Redis 7.0 (DUMP of HSET h a 1): listpack 0c000000 0200 8161 02 01 01 ff
    assert.equal(build(['a', '1']).toString('hex'), '0c0000000200816102' + '0101ff');
  });

  it('stores canonical integers in the smallest encoding and reads them back', () => {
    const cases: Array<[string, number]> = [
      ['0', 2],
      ['127', 2],
      ['128', 3],
      ['-1', 3],
      ['4095', 3],
      ['-4096', 3],
      ['4096', 4],
      ['-32768', 4],
      ['32768', 5],
      ['-8388608', 5],
      ['8388608', 6],
      ['2147483647', 6],
      ['-2147483648', 6],
      ['2147483648', 10],
      ['9223372036854775807', 10],
      ['-9223372036854775808', 10],
    ];
    for (const [value, bytes] of cases) {
      const lp = build([value]);
      assert.equal(lp.length, 7 + bytes, value);
      assert.equal(ListpackBuilder.sizeOf(value), bytes, value);
      assert.deepEqual(decodeListpack(lp), [value]);
    }
  });

  it('keeps non-canonical numbers and binary data as strings, with 6/12/32-bit lengths', () => {
    const items = ['01', '-0', '+1', '1.5', '9223372036854775808', '', 'x'.repeat(63), 'y'.repeat(64)];
    items.push('z'.repeat(4095), 'w'.repeat(4096), '\u0000\r\n\u00ff', 'q'.repeat(20000));
    const lp = build(items);
    assert.deepEqual(decodeListpack(lp), items);
    for (const item of items) assert.equal(build([item]).length, 7 + ListpackBuilder.sizeOf(item));
  });

  it('reuses a builder after reset', () => {
    const lp = new ListpackBuilder();
    lp.append('a');
    lp.finish();
    lp.reset().append('b');
    assert.deepEqual(decodeListpack(Buffer.from(lp.finish())), ['b']);
  });

  it('rejects malformed listpacks', () => {
    const good = build(['abc', '5']);
    assert.throws(() => decodeListpack(good.subarray(0, good.length - 1)));
    const badCount = Buffer.from(good);
    badCount[4] = 7;
    assert.throws(() => decodeListpack(badCount));
    const badLength = Buffer.from(good);
    badLength[6] = 0x80 | 60;
    assert.throws(() => decodeListpack(badLength));
    assert.throws(() => decodeListpack(Buffer.from([1, 2, 3])));
  });
});
