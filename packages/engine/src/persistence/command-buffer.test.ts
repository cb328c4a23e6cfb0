import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandBuffer } from './command-buffer.js';
import { encodeCommand } from './resp-file.js';

const randomArg = (n: number) =>
  String.fromCharCode(...Array.from({ length: n }, () => (Math.random() * 256) | 0));

describe('CommandBuffer', () => {
  it('encodes as encodeCommand does, binary and long arguments included, across growth', () => {
    const buffer = new CommandBuffer();
    let expected = '';
    for (let i = 0; i < 2_000; i++) {
      const argv = Array.from({ length: 1 + (i % 5) }, (_, j) =>
        randomArg((i * 7 + j * 13) % (i % 50 === 0 ? 70_000 : 40)),
      );
      buffer.push(argv);
      expected += encodeCommand(argv);
    }
    assert.equal(buffer.length, expected.length);
    assert.equal(buffer.bytes().toString('latin1'), expected);
  });

  it('keeps what was not written at the front after a partial drop', () => {
    const buffer = new CommandBuffer();
    buffer.push(['SET', 'k', 'v']);
    buffer.push(['INCR', 'n']);
    const all = buffer.bytes().toString('latin1');
    buffer.drop(5);
    assert.equal(buffer.bytes().toString('latin1'), all.slice(5));
    buffer.drop(buffer.length);
    assert.equal(buffer.length, 0);
    buffer.push(['PING']);
    assert.equal(buffer.bytes().toString('latin1'), '*1\r\n$4\r\nPING\r\n');
  });
});
