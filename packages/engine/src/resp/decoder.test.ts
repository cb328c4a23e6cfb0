import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RequestDecoder, splitInlineArgs } from './decoder.js';

const pipeline = Buffer.from(
  '*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nv\r\n\x00x\r\n' +
    'PING\r\n' +
    '*2\r\n$4\r\nECHO\r\n$0\r\n\r\n' +
    '*0\r\n' +
    'GET "a b" \'c\'\n',
  'latin1',
);
const expected = [['SET', 'key', 'v\r\n\x00x'], ['PING'], ['ECHO', ''], ['GET', 'a b', 'c']];

describe('RequestDecoder', () => {
  it('decodes a pipeline of multibulk and inline commands', () => {
    assert.deepEqual(new RequestDecoder().push(pipeline), expected);
  });

  it('gives the same commands when the input is split at every byte boundary', () => {
    for (let cut = 1; cut < pipeline.length; cut++) {
      const d = new RequestDecoder();
      const got = [...d.push(pipeline.subarray(0, cut)), ...d.push(pipeline.subarray(cut))];
      assert.deepEqual(got, expected, `cut at ${cut}`);
      assert.equal(d.error, undefined);
    }
  });

  it('gives the same commands when fed one byte at a time', () => {
    const d = new RequestDecoder();
    const got: string[][] = [];
    for (let i = 0; i < pipeline.length; i++) got.push(...d.push(pipeline.subarray(i, i + 1)));
    assert.deepEqual(got, expected);
  });

  it('assembles a large argument from many chunks without re-copying it each time', () => {
    const value = Buffer.alloc(300_000, 0xab);
    const frame = Buffer.concat([
      Buffer.from('*2\r\n$4\r\nECHO\r\n$300000\r\n'),
      value,
      Buffer.from('\r\n*1\r\n$4\r\nPING\r\n'),
    ]);
    const d = new RequestDecoder();
    const got: string[][] = [];
    for (let i = 0; i < frame.length; i += 7_001) got.push(...d.push(frame.subarray(i, i + 7_001)));
    assert.equal(got.length, 2);
    assert.equal(got[0]![1]!.length, 300_000);
    assert.equal(got[0]![1], value.toString('latin1'));
    assert.deepEqual(got[1], ['PING']);
  });

  it('rejects malformed lengths with Redis protocol errors, after the good commands', () => {
    const cases: Array<[string, string]> = [
      ['*x\r\n', 'invalid multibulk length'],
      ['*03\r\n', 'invalid multibulk length'],
      ['*2147483648\r\n', 'invalid multibulk length'],
      ['*1\r\n$-1\r\n', 'invalid bulk length'],
      ['*1\r\n$536870913\r\n', 'invalid bulk length'],
      ['*1\r\n$abc\r\n', 'invalid bulk length'],
      ['*1\r\n:1\r\n', "expected '$', got ':'"],
      ['SET "a\r\n', 'unbalanced quotes in request'],
    ];
    for (const [input, message] of cases) {
      const d = new RequestDecoder();
      const got = d.push(Buffer.from(`PING\r\n${input}`, 'latin1'));
      assert.deepEqual(got, [['PING']], input);
      assert.equal(d.error?.message, message, input);
      assert.deepEqual(d.push(Buffer.from('PING\r\n')), [], 'nothing is decoded after an error');
    }
  });

  it('does not allocate for a claimed length before the bytes arrive', () => {
    const d = new RequestDecoder();
    const before = process.memoryUsage().arrayBuffers;
    d.push(Buffer.from('*1\r\n$536870912\r\nabc'));
    assert.ok(process.memoryUsage().arrayBuffers - before < 1024 * 1024);
    assert.ok(d.pendingBytes < 100);
  });

  it('rejects an inline request or count line longer than 64 KB without a newline', () => {
    const d = new RequestDecoder();
    d.push(Buffer.alloc(70 * 1024, 0x61));
    assert.equal(d.error?.message, 'too big inline request');
    const m = new RequestDecoder();
    m.push(Buffer.from(`*${'1'.repeat(70 * 1024)}`));
    assert.equal(m.error?.message, 'too big mbulk count string');
  });
});

describe('splitInlineArgs', () => {
  it('splits like sdssplitargs', () => {
    assert.deepEqual(splitInlineArgs("  set  \"a\\x41\\n\" 'it\\'s'  "), ['set', 'aA\n', "it's"]);
    assert.deepEqual(splitInlineArgs(''), []);
    assert.equal(splitInlineArgs('"abc"def'), null);
    assert.equal(splitInlineArgs("'abc"), null);
  });
});
