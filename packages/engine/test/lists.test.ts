import assert from 'node:assert/strict';
import { type DiffPair, differential, framesUntilMarker } from '@redkit/test-utils';

const BINARY = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const CRLF = 'a\r\nb\r\n';
const INT64_MAX = '9223372036854775807';
const INT64_MIN = '-9223372036854775808';

/** A list of a..e at `key` on both servers. */
async function abcde(d: DiffPair, key = 'l'): Promise<void> {
  await d.same('RPUSH', key, 'a', 'b', 'c', 'd', 'e');
}

differential('lists', (s) => {
  s.test('LPUSH/RPUSH/LPUSHX/RPUSHX', async (d) => {
    await d.same('LPUSH', 'l', 'a');
    await d.same('LPUSH', 'l', 'b', 'c', 'd');
    await d.same('RPUSH', 'l', 'x', 'y');
    await d.same('LRANGE', 'l', '0', '-1');
    await d.same('LPUSHX', 'l', '1', '2');
    await d.same('RPUSHX', 'l', '3', '4');
    await d.same('LRANGE', 'l', '0', '-1');
    await d.same('LPUSHX', 'missing', 'a');
    await d.same('RPUSHX', 'missing', 'a', 'b');
    await d.same('EXISTS', 'missing');
    await d.same('RPUSH', 'n', '1', '-0', '01', '9223372036854775808', ' 1', '');
    await d.same('LRANGE', 'n', '0', '-1');
    await d.same('TYPE', 'l');
    await d.same('OBJECT', 'ENCODING', 'l');
  });

  s.test('push arity and WRONGTYPE', async (d) => {
    await d.same('SET', 's', 'v');
    for (const cmd of ['LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX']) {
      await d.same(cmd);
      await d.same(cmd, 'l');
      await d.same(cmd, 's', 'x');
      await d.same(cmd.toLowerCase(), 's', 'x', 'y');
    }
    await d.same('GET', 's');
  });

  s.test('binary elements and CRLF survive every command', async (d) => {
    await d.same('RPUSH', 'b', BINARY, CRLF, '', BINARY);
    await d.same('LRANGE', 'b', '0', '-1');
    await d.same('LINDEX', 'b', '1');
    await d.same('LPOS', 'b', BINARY, 'COUNT', '0');
    await d.same('LINSERT', 'b', 'AFTER', CRLF, Buffer.from([0, 0xff]));
    await d.same('LREM', 'b', '1', BINARY);
    await d.same('LSET', 'b', '0', Buffer.from('\x00\r\n\xff', 'latin1'));
    await d.same('LMOVE', 'b', Buffer.from([0xfe, 0]), 'RIGHT', 'LEFT');
    await d.same('LRANGE', Buffer.from([0xfe, 0]), '0', '-1');
    await d.same('LPOP', 'b', '10');
    await d.same('EXISTS', 'b');
  });

  s.test('LPOP/RPOP with and without count', async (d) => {
    await abcde(d);
    await d.same('LPOP', 'l');
    await d.same('RPOP', 'l');
    await d.same('LPOP', 'l', '0');
    await d.same('RPOP', 'l', '0');
    await d.same('LPOP', 'l', '1');
    await d.same('RPUSH', 'l', 'f', 'g', 'h');
    await d.same('RPOP', 'l', '2');
    await d.same('LPOP', 'l', INT64_MAX);
    await d.same('EXISTS', 'l');
    await d.same('LPOP', 'l');
    await d.same('RPOP', 'l');
    await d.same('LPOP', 'l', '0');
    await d.same('RPOP', 'l', '3');
    await abcde(d);
    await d.same('RPOP', 'l', '100');
    await d.same('EXISTS', 'l');
  });

  s.test('LPOP/RPOP errors', async (d) => {
    await abcde(d);
    await d.same('SET', 's', 'v');
    for (const cmd of ['LPOP', 'RPOP']) {
      await d.same(cmd);
      await d.same(cmd, 'l', '1', '2');
      await d.same(cmd, 'l', '-1');
      await d.same(cmd, 'l', 'x');
      await d.same(cmd, 'l', '1.5');
      await d.same(cmd, 'l', '9223372036854775808');
      await d.same(cmd, 'l', INT64_MIN);
      await d.same(cmd, 'missing', '-1');
      await d.same(cmd, 's');
      await d.same(cmd, 's', '1');
      await d.same(cmd, 's', '0');
      await d.same(cmd, 's', '-1');
    }
    await d.same('LRANGE', 'l', '0', '-1');
  });

  s.test('LPOP/RPOP in RESP3', async (d) => {
    await d.resp3();
    await abcde(d);
    await d.same('LPOP', 'l');
    await d.same('RPOP', 'l', '2');
    await d.same('LPOP', 'l', '0');
    await d.same('LPOP', 'missing');
    await d.same('RPOP', 'missing', '1');
    await d.same('LPOP', 'missing', '0');
    await d.same('LINDEX', 'missing', '0');
    await d.same('LINDEX', 'l', '99');
    await d.same('LRANGE', 'l', '0', '-1');
    await d.same('LRANGE', 'missing', '0', '-1');
    await d.same('LMPOP', '1', 'missing', 'LEFT');
    await d.same('LMPOP', '1', 'l', 'LEFT');
    await d.same('LMOVE', 'missing', 'x', 'LEFT', 'LEFT');
    await d.same('LPOS', 'l', 'zz');
    await d.same('LPOS', 'l', 'b', 'COUNT', '0');
  });

  s.test('LLEN and LINDEX', async (d) => {
    await abcde(d);
    await d.same('SET', 's', 'v');
    await d.same('LLEN', 'l');
    await d.same('LLEN', 'missing');
    await d.same('LLEN', 's');
    await d.same('LLEN');
    await d.same('LLEN', 'l', 'x');
    for (const index of ['0', '4', '5', '-1', '-5', '-6', INT64_MAX, INT64_MIN, '100000000000000000000']) {
      await d.same('LINDEX', 'l', index);
    }
    await d.same('LINDEX', 'l', 'x');
    await d.same('LINDEX', 'l', '1.0');
    await d.same('LINDEX', 'l', ' 1');
    await d.same('LINDEX', 'missing', 'x');
    await d.same('LINDEX', 's', 'x');
    await d.same('LINDEX', 's', '0');
    await d.same('LINDEX', 'l');
  });

  s.test('LSET', async (d) => {
    await abcde(d);
    await d.same('SET', 's', 'v');
    await d.same('LSET', 'l', '0', 'A');
    await d.same('LSET', 'l', '-1', 'E');
    await d.same('LSET', 'l', '2', BINARY);
    await d.same('LSET', 'l', '5', 'x');
    await d.same('LSET', 'l', '-6', 'x');
    await d.same('LSET', 'l', INT64_MIN, 'x');
    await d.same('LSET', 'l', INT64_MAX, 'x');
    await d.same('LSET', 'l', 'x', 'x');
    await d.same('LSET', 'missing', '0', 'x');
    await d.same('LSET', 'missing', 'x', 'x');
    await d.same('LSET', 's', '0', 'x');
    await d.same('LSET', 's', 'x', 'x');
    await d.same('LSET', 'l', '0');
    await d.same('LRANGE', 'l', '0', '-1');
  });

  s.test('LRANGE', async (d) => {
    await abcde(d);
    await d.same('SET', 's', 'v');
    const ranges: Array<[string, string]> = [
      ['0', '-1'],
      ['0', '0'],
      ['1', '3'],
      ['-3', '-1'],
      ['-100', '100'],
      ['3', '1'],
      ['5', '10'],
      ['4', '4'],
      ['-1', '-1'],
      ['-1', '-5'],
      ['0', '-6'],
      ['-6', '-6'],
      ['2', '-2'],
      [INT64_MIN, INT64_MAX],
      [INT64_MAX, INT64_MIN],
      ['1', INT64_MIN],
    ];
    for (const [start, stop] of ranges) await d.same('LRANGE', 'l', start, stop);
    await d.same('LRANGE', 'missing', '0', '-1');
    await d.same('LRANGE', 'missing', 'x', '-1');
    await d.same('LRANGE', 'l', 'x', '1');
    await d.same('LRANGE', 'l', '0', 'y');
    await d.same('LRANGE', 'l', '0', '9223372036854775808');
    await d.same('LRANGE', 's', '0', '-1');
    await d.same('LRANGE', 's', 'x', '-1');
    await d.same('LRANGE', 'l', '0');
  });

  s.test('LTRIM', async (d) => {
    await d.same('SET', 's', 'v');
    const ranges: Array<[string, string]> = [
      ['0', '-1'],
      ['1', '-2'],
      ['-2', '-1'],
      ['0', '0'],
      ['-100', '100'],
      ['2', '1'],
      ['5', '10'],
      ['0', '-6'],
      [INT64_MIN, INT64_MAX],
    ];
    for (const [start, stop] of ranges) {
      await abcde(d, 't');
      await d.same('LTRIM', 't', start, stop);
      await d.same('LRANGE', 't', '0', '-1');
      await d.same('EXISTS', 't');
      await d.same('DEL', 't');
    }
    await d.same('LTRIM', 'missing', '0', '1');
    await d.same('LTRIM', 'missing', 'x', '1');
    await d.same('LTRIM', 's', '0', '1');
    await d.same('LTRIM', 's', 'x', '1');
    await d.same('LTRIM', 's', '0', 'x');
    await d.same('LTRIM', 's', '0');
  });

  s.test('LREM', async (d) => {
    await d.same('SET', 's', 'v');
    for (const count of ['0', '1', '2', '-1', '-2', '100', '-100', INT64_MIN, INT64_MAX]) {
      await d.same('RPUSH', 'r', 'x', 'a', 'x', 'b', 'x', 'c', 'x');
      await d.same('LREM', 'r', count, 'x');
      await d.same('LRANGE', 'r', '0', '-1');
      await d.same('DEL', 'r');
    }
    await d.same('RPUSH', 'r', 'x', 'x');
    await d.same('LREM', 'r', '0', 'y');
    await d.same('LREM', 'r', '0', 'x');
    await d.same('EXISTS', 'r');
    await d.same('LREM', 'missing', '0', 'x');
    await d.same('LREM', 'missing', 'x', 'x');
    await d.same('LREM', 's', '0', 'x');
    await d.same('LREM', 's', 'x', 'x');
    await d.same('LREM', 'r', '0');
  });

  s.test('LINSERT', async (d) => {
    await d.same('SET', 's', 'v');
    await d.same('RPUSH', 'l', 'a', 'b', 'a');
    await d.same('LINSERT', 'l', 'BEFORE', 'a', 'x');
    await d.same('LINSERT', 'l', 'after', 'a', 'y');
    await d.same('LINSERT', 'l', 'AfTeR', 'b', 'z');
    await d.same('LINSERT', 'l', 'before', 'nope', 'z');
    await d.same('LRANGE', 'l', '0', '-1');
    await d.same('LINSERT', 'l', 'MIDDLE', 'a', 'x');
    await d.same('LINSERT', 'missing', 'BEFORE', 'a', 'x');
    await d.same('LINSERT', 'missing', 'MIDDLE', 'a', 'x');
    await d.same('LINSERT', 's', 'BEFORE', 'a', 'x');
    await d.same('LINSERT', 's', 'MIDDLE', 'a', 'x');
    await d.same('LINSERT', 'l', 'BEFORE', 'a');
    await d.same('EXISTS', 'missing');
  });

  s.test('LPOS options', async (d) => {
    await d.same('RPUSH', 'p', 'a', 'b', 'c', 'a', 'b', 'a', 'd');
    const cases: string[][] = [
      [],
      ['RANK', '1'],
      ['RANK', '2'],
      ['RANK', '3'],
      ['RANK', '4'],
      ['RANK', '-1'],
      ['RANK', '-3'],
      ['RANK', '-4'],
      ['COUNT', '0'],
      ['COUNT', '1'],
      ['COUNT', '2'],
      ['COUNT', '10'],
      ['RANK', '2', 'COUNT', '0'],
      ['RANK', '-2', 'COUNT', '2'],
      ['MAXLEN', '1'],
      ['MAXLEN', '4'],
      ['MAXLEN', '4', 'COUNT', '0'],
      ['RANK', '-1', 'MAXLEN', '2', 'COUNT', '0'],
      ['RANK', '-1', 'MAXLEN', '1'],
      ['MAXLEN', '0', 'COUNT', '0'],
      ['rank', '1', 'count', '1', 'maxlen', '100'],
      ['RANK', '1', 'RANK', '-1'],
      ['COUNT', '2', 'COUNT', '1'],
      ['RANK', INT64_MIN],
      ['RANK', INT64_MIN, 'COUNT', '1'],
      ['RANK', '-9223372036854775807', 'COUNT', '1'],
      ['RANK', INT64_MAX, 'COUNT', '0'],
      ['RANK', INT64_MAX],
      ['COUNT', INT64_MAX],
    ];
    for (const options of cases) {
      await d.same('LPOS', 'p', 'a', ...options);
      await d.same('LPOS', 'p', 'zz', ...options);
    }
  });

  s.test('LPOS errors and missing keys', async (d) => {
    await d.same('RPUSH', 'p', 'a');
    await d.same('SET', 's', 'v');
    const bad: string[][] = [
      ['RANK', '0'],
      ['RANK', 'x'],
      ['RANK', '9223372036854775808'],
      ['COUNT', '-1'],
      ['COUNT', 'x'],
      ['MAXLEN', '-1'],
      ['MAXLEN', 'x'],
      ['RANK'],
      ['COUNT'],
      ['MAXLEN'],
      ['FOO', '1'],
      ['RANK', '1', 'extra'],
      ['RANK', '0', 'COUNT', '-1'],
    ];
    for (const options of bad) {
      await d.same('LPOS', 'p', 'a', ...options);
      await d.same('LPOS', 'missing', 'a', ...options);
      await d.same('LPOS', 's', 'a', ...options);
    }
    await d.same('LPOS', 'missing', 'a');
    await d.same('LPOS', 'missing', 'a', 'COUNT', '1');
    await d.same('LPOS', 'missing', 'a', 'RANK', '-1');
    await d.same('LPOS', 's', 'a');
    await d.same('LPOS', 'p');
  });

  s.test('LMOVE and RPOPLPUSH', async (d) => {
    for (const from of ['LEFT', 'RIGHT']) {
      for (const to of ['LEFT', 'RIGHT']) {
        await d.same('RPUSH', 'src', 'a', 'b', 'c');
        await d.same('RPUSH', 'dst', 'x', 'y');
        await d.same('LMOVE', 'src', 'dst', from, to);
        await d.same('LMOVE', 'src', 'new', from.toLowerCase(), to.toLowerCase());
        await d.same('LRANGE', 'src', '0', '-1');
        await d.same('LRANGE', 'dst', '0', '-1');
        await d.same('LRANGE', 'new', '0', '-1');
        await d.same('LMOVE', 'src', 'src', from, to);
        await d.same('LRANGE', 'src', '0', '-1');
        await d.same('DEL', 'src', 'dst', 'new');
      }
    }
    await d.same('RPUSH', 'one', 'only');
    await d.same('LMOVE', 'one', 'one', 'LEFT', 'RIGHT');
    await d.same('LRANGE', 'one', '0', '-1');
    await d.same('LMOVE', 'one', 'two', 'LEFT', 'RIGHT');
    await d.same('EXISTS', 'one');
    await d.same('RPUSH', 'src', '1', '2', '3');
    await d.same('RPOPLPUSH', 'src', 'dst');
    await d.same('RPOPLPUSH', 'src', 'src');
    await d.same('LRANGE', 'src', '0', '-1');
    await d.same('LRANGE', 'dst', '0', '-1');
    await d.same('RPOPLPUSH', 'missing', 'dst');
    await d.same('LMOVE', 'missing', 'dst', 'LEFT', 'LEFT');
    await d.same('EXISTS', 'missing');
  });

  s.test('LMOVE and RPOPLPUSH errors', async (d) => {
    await d.same('RPUSH', 'src', 'a');
    await d.same('SET', 's', 'v');
    await d.same('LMOVE', 'src', 'dst', 'UP', 'LEFT');
    await d.same('LMOVE', 'src', 'dst', 'LEFT', 'DOWN');
    await d.same('LMOVE', 'missing', 's', 'UP', 'LEFT');
    await d.same('LMOVE', 's', 'dst', 'LEFT', 'LEFT');
    await d.same('LMOVE', 'src', 's', 'LEFT', 'LEFT');
    await d.same('LMOVE', 'missing', 's', 'LEFT', 'LEFT');
    await d.same('RPOPLPUSH', 's', 'dst');
    await d.same('RPOPLPUSH', 'src', 's');
    await d.same('RPOPLPUSH', 'missing', 's');
    await d.same('LMOVE', 'src', 'dst', 'LEFT');
    await d.same('RPOPLPUSH', 'src');
    await d.same('LRANGE', 'src', '0', '-1');
    await d.same('GET', 's');
  });

  s.test('LMPOP', async (d) => {
    await d.same('RPUSH', 'a', '1', '2', '3');
    await d.same('RPUSH', 'b', '4', '5');
    await d.same('LMPOP', '2', 'missing', 'a', 'LEFT');
    await d.same('LMPOP', '2', 'missing', 'a', 'right', 'COUNT', '1');
    await d.same('LMPOP', '2', 'a', 'b', 'LEFT', 'count', '10');
    await d.same('EXISTS', 'a');
    await d.same('LMPOP', '2', 'a', 'b', 'RIGHT', 'COUNT', '1');
    await d.same('LMPOP', '3', 'a', 'a', 'b', 'LEFT', 'COUNT', INT64_MAX);
    await d.same('LMPOP', '2', 'a', 'b', 'LEFT');
    await d.same('LMPOP', '1', 'a', 'LEFT', 'COUNT', '2');
  });

  s.test('LMPOP errors', async (d) => {
    await d.same('RPUSH', 'a', '1');
    await d.same('SET', 's', 'v');
    const bad: string[][] = [
      ['0', 'a', 'LEFT'],
      ['-1', 'a', 'LEFT'],
      ['x', 'a', 'LEFT'],
      ['9223372036854775808', 'a', 'LEFT'],
      ['2', 'a', 'LEFT'],
      ['3', 'a', 'LEFT'],
      [INT64_MAX, 'a', 'LEFT'],
      ['9223372036854775806', 'a', 'LEFT'],
      ['1', 'a', 'UP'],
      ['1', 'a', 'LEFT', 'COUNT'],
      ['1', 'a', 'LEFT', 'COUNT', '0'],
      ['1', 'a', 'LEFT', 'COUNT', '-1'],
      ['1', 'a', 'LEFT', 'COUNT', 'x'],
      ['1', 'a', 'LEFT', 'COUNT', '1', 'COUNT', '1'],
      ['1', 'a', 'LEFT', 'FOO'],
      ['1', 'a', 'LEFT', 'COUNT', '1', 'extra'],
      ['1', 's', 'LEFT'],
      ['2', 'missing', 's', 'LEFT'],
      ['2', 'a', 's', 'LEFT'],
      ['1', 's', 'UP'],
      ['0', 's', 'UP'],
    ];
    for (const args of bad) await d.same('LMPOP', ...args);
    await d.same('LMPOP', '1', 'a');
    await d.same('LMPOP', '1');
    await d.same('LRANGE', 'a', '0', '-1');
  });

  s.test('blocking commands that can be served at once', async (d) => {
    await d.same('RPUSH', 'a', '1', '2', '3');
    await d.same('RPUSH', 'b', '4', '5');
    await d.same('BLPOP', 'missing', 'a', 'b', '0');
    await d.same('BRPOP', 'missing', 'a', '0.5');
    await d.same('BLMOVE', 'a', 'c', 'LEFT', 'RIGHT', '0');
    await d.same('BRPOPLPUSH', 'b', 'c', '1');
    await d.same('BLMPOP', '0', '2', 'missing', 'b', 'LEFT', 'COUNT', '5');
    await d.same('BLMPOP', '1', '1', 'c', 'RIGHT');
    await d.same('BLMOVE', 'c', 'c', 'RIGHT', 'LEFT', '0');
    await d.same('LRANGE', 'c', '0', '-1');
    await d.same('BLPOP', 'c', 'c', '0');
    await d.same('EXISTS', 'a', 'b', 'c');
  });

  s.test('blocking command errors', async (d) => {
    await d.same('RPUSH', 'a', '1');
    await d.same('SET', 's', 'v');
    await d.same('BLPOP', 's', '0');
    await d.same('BLPOP', 'missing', 's', '0');
    await d.same('BRPOP', 's', 'a', '0');
    await d.same('BLPOP', 's', 'x');
    await d.same('BLPOP', 'a', '-1');
    await d.same('BLPOP', 'a');
    await d.same('BLPOP');
    await d.same('BLMOVE', 's', 'a', 'LEFT', 'LEFT', '0');
    await d.same('BLMOVE', 'a', 's', 'LEFT', 'LEFT', '0');
    await d.same('BLMOVE', 'a', 'b', 'UP', 'LEFT', 'x');
    await d.same('BLMOVE', 's', 'b', 'LEFT', 'LEFT', 'x');
    await d.same('BLMOVE', 'a', 'b', 'LEFT', 'LEFT', '-1');
    await d.same('BLMOVE', 'a', 'b', 'LEFT', 'LEFT');
    await d.same('BRPOPLPUSH', 's', 'b', '0');
    await d.same('BRPOPLPUSH', 'a', 's', '0');
    await d.same('BRPOPLPUSH', 's', 'b', 'x');
    await d.same('BRPOPLPUSH', 'a', 'b');
    const mpop: string[][] = [
      ['0', '0', 'a', 'LEFT'],
      ['x', '0', 'a', 'LEFT'],
      ['x', '1', 'a', 'UP'],
      ['x', '1', 'a', 'LEFT', 'COUNT', '0'],
      ['x', '1', 's', 'LEFT'],
      ['-1', '1', 'a', 'LEFT'],
      ['0', '1', 's', 'LEFT'],
      ['0', '2', 'missing', 's', 'LEFT'],
      ['0', '2', 'a', 'LEFT'],
      ['0', '1', 'a', 'LEFT', 'COUNT', '1', 'COUNT', '1'],
      ['0', '1', 'a', 'RIGHT', 'BAR'],
    ];
    for (const args of mpop) await d.same('BLMPOP', ...args);
    await d.same('BLMPOP', '0', '1', 'a');
    await d.same('LRANGE', 'a', '0', '-1');
  });

  s.test('blocking timeouts: parse errors and odd but valid values', async (d) => {
    await d.same('RPUSH', 'a', ...Array.from({ length: 100 }, (_, i) => String(i)));
    const invalid = [
      'x',
      '',
      ' 1',
      '1 ',
      'nan',
      '-nan',
      '1e',
      '1e+',
      '0x',
      '.',
      '-',
      '1_0',
      '0b1',
      '1e-5000',
      '1.2e4932',
      '1'.repeat(5200),
    ];
    const negative = [
      '-1',
      '-0.002',
      '-0.0011',
      '-1e20',
      '1e20',
      '9.3e15',
      '9.223372036854776e15',
      'inf',
      '-inf',
      'INFINITY',
      '1e4932',
      '1.5e308',
      '-1e400',
    ];
    const valid = [
      '0',
      '-0',
      '-0.0001',
      '-0.000999',
      '-0.001',
      '0.5',
      '1e-300',
      '1e-400',
      '-1e-400',
      '4e-4951',
      '0x10',
      '0x1p-20',
      '+1',
      '.5',
      '5.',
      '9.2e15',
      '9223372036854775.807',
      `0${'0'.repeat(5000)}`,
    ];
    for (const t of [...invalid, ...negative]) {
      await d.same('BLPOP', 'a', t);
      await d.same('BRPOP', 'missing', t);
      await d.same('BLMOVE', 'a', 'b', 'LEFT', 'LEFT', t);
      await d.same('BRPOPLPUSH', 'missing', 'b', t);
      await d.same('BLMPOP', t, '1', 'a', 'LEFT');
    }
    for (const t of valid) {
      await d.same('BLPOP', 'a', t);
      await d.same('BRPOP', 'a', t);
      await d.same('BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', t);
      await d.same('BLMPOP', t, '1', 'a', 'LEFT');
    }
    await d.same('LRANGE', 'b', '0', '-1');
  });

  s.test('blocking commands inside MULTI answer at once', async (d) => {
    await d.same('SET', 's', 'v');
    await d.same('MULTI');
    await d.same('BLPOP', 'missing', '0');
    await d.same('BRPOP', 'missing', 'other', '1');
    await d.same('BLMOVE', 'missing', 'dst', 'LEFT', 'RIGHT', '0');
    await d.same('BRPOPLPUSH', 'missing', 'dst', '0');
    await d.same('BLMPOP', '0', '2', 'missing', 'other', 'LEFT', 'COUNT', '3');
    await d.same('RPUSH', 'l', 'a', 'b');
    await d.same('BLPOP', 'l', '0');
    await d.same('BLMOVE', 'l', 'dst', 'LEFT', 'RIGHT', '0');
    await d.same('BLMPOP', '0', '1', 'l', 'LEFT');
    await d.same('BLPOP', 's', '0');
    await d.same('BLPOP', 's', 'x');
    await d.same('EXEC');
    await d.resp3();
    await d.same('MULTI');
    await d.same('BLPOP', 'missing', '0');
    await d.same('BLMOVE', 'missing', 'dst', 'LEFT', 'RIGHT', '0');
    await d.same('BLMPOP', '0', '1', 'missing', 'LEFT');
    await d.same('EXEC');
  });

  s.test('WATCH sees list writes but not no-op list commands', async (d) => {
    const other = await d.pair();
    await abcde(d);
    const noops: string[][] = [
      ['LREM', 'l', '0', 'zz'],
      ['LINSERT', 'l', 'BEFORE', 'zz', 'x'],
      ['LPOP', 'l', '0'],
      ['LPUSHX', 'missing', 'x'],
      ['LMOVE', 'missing', 'l', 'LEFT', 'LEFT'],
      ['LRANGE', 'l', '0', '-1'],
      ['LPOS', 'l', 'a'],
    ];
    for (const cmd of noops) {
      await d.same('WATCH', 'l');
      await other.same(...cmd);
      await d.same('MULTI');
      await d.same('LLEN', 'l');
      await d.same('EXEC');
    }
    const writes: string[][] = [
      ['LTRIM', 'l', '0', '-1'],
      ['LSET', 'l', '0', 'A'],
      ['LREM', 'l', '1', 'b'],
      ['LINSERT', 'l', 'AFTER', 'A', 'x'],
      ['LPUSH', 'l', 'y'],
      ['LPOP', 'l'],
      ['RPOPLPUSH', 'l', 'm'],
      ['LMOVE', 'm', 'l', 'LEFT', 'LEFT'],
      ['LMPOP', '1', 'l', 'RIGHT'],
    ];
    for (const cmd of writes) {
      await d.same('WATCH', 'l');
      await other.same(...cmd);
      await d.same('MULTI');
      await d.same('LLEN', 'l');
      await d.same('EXEC');
    }
    other.close();
  });

  s.test('long lists and large elements', async (d) => {
    const many = Array.from({ length: 2000 }, (_, i) => `element-${i}`);
    await d.same('RPUSH', 'big', ...many);
    await d.same('LPUSH', 'big', ...many.slice(0, 500));
    await d.same('LLEN', 'big');
    await d.same('LRANGE', 'big', '0', '-1');
    await d.same('LRANGE', 'big', '1000', '1100');
    await d.same('LINDEX', 'big', '1777');
    await d.same('LINSERT', 'big', 'BEFORE', 'element-1500', 'here');
    await d.same('LPOS', 'big', 'element-7', 'COUNT', '0');
    await d.same('LREM', 'big', '-1', 'element-7');
    await d.same('LTRIM', 'big', '100', '-100');
    await d.same('LRANGE', 'big', '-10', '-1');
    await d.same('OBJECT', 'ENCODING', 'big');
    const large = 'x'.repeat(20000);
    await d.same('RPUSH', 'huge', large, large);
    await d.same('LINDEX', 'huge', '1');
    await d.same('OBJECT', 'ENCODING', 'huge');
    await d.same('LPOP', 'big', '1000');
    await d.same('RPOP', 'big', '1000');
    await d.same('LRANGE', 'big', '0', '-1');
  });

  s.test('random operations agree with Redis', async (d) => {
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const values = ['a', 'b', 'c', '1', ''];
    for (let step = 0; step < 300; step++) {
      const key = next(2) === 0 ? 'r1' : 'r2';
      const v = values[next(values.length)]!;
      const i = String(next(9) - 4);
      const j = String(next(9) - 4);
      const commands: string[][] = [
        ['LPUSH', key, v],
        ['RPUSH', key, v, v],
        ['LPOP', key],
        ['RPOP', key, String(next(3))],
        ['LINSERT', key, next(2) ? 'BEFORE' : 'AFTER', v, 'ins'],
        ['LREM', key, i, v],
        ['LTRIM', key, i, j],
        ['LSET', key, i, v],
        ['LMOVE', key, key === 'r1' ? 'r2' : 'r1', next(2) ? 'LEFT' : 'RIGHT', next(2) ? 'LEFT' : 'RIGHT'],
        ['LPOS', key, v, 'RANK', next(2) ? '-1' : '1', 'COUNT', String(next(3))],
        ['LRANGE', key, i, j],
        ['LINDEX', key, i],
      ];
      await d.same(...commands[next(commands.length)]!);
    }
    await d.same('LRANGE', 'r1', '0', '-1');
    await d.same('LRANGE', 'r2', '0', '-1');
  });
});

differential(
  'list keyspace notifications',
  (s) => {
    s.test('events and their order match Redis', async (d) => {
      const sub = await d.pair();
      await sub.same('PSUBSCRIBE', '__key*__:*');
      await sub.same('SUBSCRIBE', 'marker');
      const commands: string[][] = [
        ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f'],
        ['LPUSH', 'l', 'z'],
        ['LPUSHX', 'l', 'y'],
        ['RPUSHX', 'missing', 'y'],
        ['LPOP', 'l'],
        ['RPOP', 'l', '2'],
        ['LPOP', 'l', '0'],
        ['LSET', 'l', '0', 'A'],
        ['LINSERT', 'l', 'BEFORE', 'A', 'x'],
        ['LINSERT', 'l', 'BEFORE', 'nope', 'x'],
        ['LREM', 'l', '0', 'nope'],
        ['LREM', 'l', '0', 'x'],
        ['LTRIM', 'l', '0', '-1'],
        ['LTRIM', 'l', '1', '-1'],
        ['LMOVE', 'l', 'm', 'LEFT', 'RIGHT'],
        ['RPOPLPUSH', 'l', 'm'],
        ['LMPOP', '2', 'missing', 'm', 'LEFT', 'COUNT', '5'],
        ['BLPOP', 'l', '0'],
        ['BLMOVE', 'l', 'm', 'RIGHT', 'LEFT', '0'],
        ['BLMPOP', '0', '1', 'm', 'RIGHT'],
        ['RPUSH', 't', '1', '2'],
        ['LTRIM', 't', '5', '10'],
        ['RPUSH', 'r', 'x', 'x'],
        ['LREM', 'r', '0', 'x'],
        ['RPUSH', 'o', 'x'],
        ['LMOVE', 'o', 'o', 'LEFT', 'RIGHT'],
      ];
      for (const cmd of commands) await d.same(...cmd);
      await d.same('PUBLISH', 'marker', 'end');
      const [fromRedis, fromEngine] = await Promise.all([
        framesUntilMarker(sub.redis),
        framesUntilMarker(sub.engine),
      ]);
      assert.ok(fromRedis.length > 5);
      assert.deepEqual(fromEngine, fromRedis);
      sub.close();
    });

    s.test('a served blocked client fires its pop and del events', async (d) => {
      const sub = await d.pair();
      const blocked = await d.pair();
      await sub.same('PSUBSCRIBE', '__keyevent*__:*');
      await sub.same('SUBSCRIBE', 'marker');
      const pop = blocked.start('BLPOP', 'q', '0');
      await new Promise((r) => setTimeout(r, 30));
      await d.same('RPUSH', 'q', 'only');
      await pop.same();
      const move = blocked.start('BLMOVE', 'q', 'dst', 'LEFT', 'LEFT', '0');
      await new Promise((r) => setTimeout(r, 30));
      await d.same('RPUSH', 'q', 'a', 'b');
      await move.same();
      const mpop = blocked.start('BLMPOP', '0', '1', 'q2', 'LEFT', 'COUNT', '5');
      await new Promise((r) => setTimeout(r, 30));
      await d.same('RPUSH', 'q2', 'a', 'b');
      await mpop.same();
      await d.same('PUBLISH', 'marker', 'end');
      const [fromRedis, fromEngine] = await Promise.all([
        framesUntilMarker(sub.redis),
        framesUntilMarker(sub.engine),
      ]);
      assert.ok(fromRedis.length > 5);
      assert.deepEqual(fromEngine, fromRedis);
      sub.close();
      blocked.close();
    });
  },
  {
    redisArgs: ['--notify-keyspace-events', 'KEA'],
    engine: { config: { 'notify-keyspace-events': 'KEA' } },
  },
);
