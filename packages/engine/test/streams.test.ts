import assert from 'node:assert/strict';
import { type DiffPair, differential } from '@redkit/test-utils';

/** Adds entries with explicit IDs ms-1 … to both servers. */
async function fill(d: DiffPair, key: string, n: number, from = 1): Promise<void> {
  for (let i = from; i < from + n; i++) await d.same('XADD', key, `${i}-1`, 'f', `v${i}`);
}

differential('streams', (s) => {
  s.test('XADD with explicit, partial and automatic IDs', async (d) => {
    await d.same('XADD', 's', '1-1', 'a', '1');
    await d.same('XADD', 's', '1-2', 'a', '2', 'b', '3');
    await d.same('XADD', 's', '1-*', 'a', '4');
    await d.same('XADD', 's', '2-*', 'a', '5');
    await d.same('XADD', 's', '2', 'a', '5');
    await d.same('XADD', 's', '3', 'a', '5');
    await d.same('XADD', 's', '1-1', 'a', '1');
    await d.same('XADD', 's', '3-0', 'a', '1');
    await d.same('XADD', 's', '2-*', 'a', '1');
    await d.same('XADD', 's', '0-0', 'a', '1');
    await d.same('XADD', 'new', '0-0', 'a', '1');
    await d.same('EXISTS', 'new');
    await d.same('XADD', 'new', '0-*', 'a', '1');
    await d.same('XADD', 'new2', '0-1', 'a', '1');
    await d.same('XRANGE', 's', '-', '+');
    await d.compare(['XADD', 's', '*', 'x', 'y'], (a, b) => {
      assert.match(String(a), /^\d+-0$/);
      assert.match(String(b), /^\d+-0$/);
    });
    await d.same('XLEN', 's');
    await d.same('TYPE', 's');
    await d.same('OBJECT', 'ENCODING', 's');
  });

  s.test('XADD ID edge cases', async (d) => {
    for (const id of [
      ' 5',
      '+7-1',
      '8--0',
      '9-+1',
      '10-00001',
      '11- 3',
      '12-',
      '-1',
      '-',
      '+',
      '18446744073709551616-0',
      '1-18446744073709551616',
      '13-1x',
      'abc',
      '14-*-1',
      '15-1-1',
      '*-1',
      `${'1'.repeat(130)}`,
      '16.5',
      '',
      '17\x0020',
      '18446744073709551615-18446744073709551614',
      '18446744073709551615-*',
      '18446744073709551615-*',
    ]) {
      await d.same('XADD', 's', id, 'f', 'v');
    }
    await d.same('XADD', 's', '*', 'f', 'v');
    await d.same('XRANGE', 's', '-', '+');
    await d.same('XADD', 't', '5-18446744073709551615', 'f', 'v');
    await d.same('XADD', 't', '5-*', 'f', 'v');
    await d.same('XADD', 't', '6-*', 'f', 'v');
    await d.same('XSETID', 't', '18446744073709551615-18446744073709551615');
    await d.same('XADD', 't', '*', 'f', 'v');
    await d.same('XINFO', 'STREAM', 't');
  });

  s.test('XADD options and errors', async (d) => {
    await d.same('XADD', 's', 'NOMKSTREAM', '*', 'a', 'b');
    await d.same('EXISTS', 's');
    await d.same('XADD', 's', 'nomkstream', '1-1', 'a', 'b');
    await d.same('XADD', 's', '1-1', 'a');
    await d.same('XADD', 's', '1-1', 'a', 'b', 'c');
    await d.same('XADD', 's', 'MAXLEN', '5', 'NOMKSTREAM');
    await d.same('XADD', 's', 'MAXLEN', '-1', '*', 'a', 'b');
    await d.same('XADD', 's', 'MAXLEN', 'x', '*', 'a', 'b');
    await d.same('XADD', 's', 'MAXLEN', '1', 'MINID', '1', '*', 'a', 'b');
    await d.same('XADD', 's', 'MINID', 'x', '*', 'a', 'b');
    await d.same('XADD', 's', 'MINID', '-', '*', 'a', 'b');
    await d.same('XADD', 's', 'LIMIT', '5', '*', 'a', 'b');
    await d.same('XADD', 's', 'LIMIT', '0', '*', 'a', 'b');
    await d.same('XADD', 's', 'LIMIT', '-1', '*', 'a', 'b');
    await d.same('XADD', 's', 'MAXLEN', '1', 'LIMIT', '5', '*', 'a', 'b');
    await d.same('XADD', 's', 'MAXLEN', '=', '1', 'LIMIT', '5', '*', 'a', 'b');
    await d.same('XADD', 's', 'MAXLEN', '~', 'x', 'LIMIT', '5', '*', 'a', 'b');
    await d.same('XADD', 's', 'MAXLEN', '~', '1', 'LIMIT', 'x', '*', 'a', 'b');
    await d.same('XADD', 's', 'MAXLEN', '~', '1', 'LIMIT', '9223372036854775808', '*', 'a', 'b');
    await d.same('XADD', 's', 'FOO', '*', 'a', 'b');
    await d.same('XADD', 's');
    await d.same('XADD', 's', '*', 'a');
    await d.same('SET', 'str', 'x');
    await d.same('XADD', 'str', '*', 'a', 'b');
    await d.same('XADD', 'str', 'NOMKSTREAM', '*', 'a', 'b');
    await d.same('XADD', 'str', 'x', 'a', 'b');
    await d.same('XADD', 'str', '0-0', 'a', 'b');
    await d.same('DBSIZE');
  });

  s.test('XADD trimming, exact and approximate', async (d) => {
    await fill(d, 's', 10);
    await d.same('XADD', 's', 'MAXLEN', '5', '20-1', 'f', 'v');
    await d.same('XRANGE', 's', '-', '+');
    await d.same('XADD', 's', 'MAXLEN', '=', '3', '21-1', 'f', 'v');
    await d.same('XLEN', 's');
    await d.same('XADD', 's', 'MINID', '21', '22-1', 'f', 'v');
    await d.same('XRANGE', 's', '-', '+');
    await d.same('XADD', 's', 'MINID', '=', '22-1', '23-1', 'f', 'v');
    await d.same('XADD', 's', 'MAXLEN', '0', '24-1', 'f', 'v');
    await d.same('XLEN', 's');
    await d.same('XINFO', 'STREAM', 's');
    await fill(d, 'big', 250, 100);
    await d.same('XADD', 'big', 'MAXLEN', '~', '120', '1000-1', 'f', 'v');
    await d.same('XLEN', 'big');
    await d.same('XADD', 'big', 'MAXLEN', '~', '10', 'LIMIT', '50', '1001-1', 'f', 'v');
    await d.same('XLEN', 'big');
    await d.same('XADD', 'big', 'MAXLEN', '~', '10', 'LIMIT', '150', '1002-1', 'f', 'v');
    await d.same('XLEN', 'big');
    await d.same('XADD', 'big', 'MINID', '~', '330', '1003-1', 'f', 'v');
    await d.same('XLEN', 'big');
    await d.same('XRANGE', 'big', '-', '+', 'COUNT', '3');
    await d.same('XINFO', 'STREAM', 'big');
  });

  s.test('XTRIM', async (d) => {
    await d.same('XTRIM', 'none', 'MAXLEN', '1');
    await d.same('XTRIM', 'none', 'MAXLEN', 'x');
    await d.same('XTRIM', 'none', 'FOO', '1');
    await d.same('XTRIM', 'none', 'LIMIT', '1');
    await d.same('XTRIM', 'none', 'LIMIT', '0', 'x');
    await d.same('XTRIM', 'none', 'MAXLEN', '~', '1', 'LIMIT', '-1');
    await d.same('XTRIM', 'none', 'MINID', '~', '1-x');
    await d.same('XTRIM', 'none', 'MAXLEN', '1', 'MAXLEN', '1');
    await d.same('XTRIM', 'none', 'MAXLEN', '~');
    await d.same('SET', 'str', 'x');
    await d.same('XTRIM', 'str', 'MAXLEN', '1');
    await fill(d, 's', 300);
    await d.same('XTRIM', 's', 'MAXLEN', '~', '250');
    await d.same('XTRIM', 's', 'MAXLEN', '~', '150');
    await d.same('XTRIM', 's', 'MAXLEN', '~', '0', 'LIMIT', '50');
    await d.same('XTRIM', 's', 'MAXLEN', '~', '0', 'LIMIT', '100');
    await d.same('XTRIM', 's', 'MAXLEN', '150');
    await d.same('XTRIM', 's', 'MINID', '~', '260');
    await d.same('XTRIM', 's', 'MINID', '260');
    await d.same('XTRIM', 's', 'MINID', '=', '260');
    await d.same('XRANGE', 's', '-', '+', 'COUNT', '2');
    await d.same('XTRIM', 's', 'MAXLEN', '0');
    await d.same('XLEN', 's');
    await d.same('EXISTS', 's');
    await d.same('XINFO', 'STREAM', 's');
  });

  s.test('XRANGE and XREVRANGE', async (d) => {
    await fill(d, 's', 10);
    await d.same('XADD', 's', '10-2', 'x', 'y');
    for (const [a, b] of [
      ['-', '+'],
      ['3', '6'],
      ['3-1', '6-0'],
      ['(3-1', '(6-1'],
      ['(0', '+'],
      ['-', '(0'],
      ['(-', '+'],
      ['-', '(+'],
      ['(18446744073709551615-18446744073709551615', '+'],
      ['-', '(0-0'],
      ['x', '+'],
      ['-', 'x'],
      ['10', '10'],
      ['10-2', '10-2'],
      ['6', '3'],
      ['(', '+'],
    ] as const) {
      await d.same('XRANGE', 's', a, b);
      await d.same('XREVRANGE', 's', b, a);
    }
    for (const count of ['0', '1', '3', '-1', '100', 'x', '9223372036854775807']) {
      await d.same('XRANGE', 's', '-', '+', 'COUNT', count);
      await d.same('XREVRANGE', 's', '+', '-', 'COUNT', count);
    }
    await d.same('XRANGE', 's', '-', '+', 'COUNT', '1', 'COUNT', '2');
    await d.same('XRANGE', 's', '-', '+', 'COUNT');
    await d.same('XRANGE', 's', '-', '+', 'FOO', '1');
    await d.same('XRANGE', 'none', '-', '+');
    await d.same('XRANGE', 'none', '-', '+', 'COUNT', '0');
    await d.same('XRANGE', 's', '-');
    await d.same('SET', 'str', 'x');
    await d.same('XRANGE', 'str', '-', '+');
    await d.same('XRANGE', 'str', 'x', '+');
    await d.same('XRANGE', 'str', '-', '+', 'COUNT', '0');
    await d.same('XREVRANGE', 'str', '+', '-');
    await d.resp3();
    await d.same('XRANGE', 's', '-', '+', 'COUNT', '2');
    await d.same('XREVRANGE', 's', '+', '-', 'COUNT', '2');
  });

  s.test('XDEL and XLEN', async (d) => {
    await fill(d, 's', 5);
    await d.same('XDEL', 's', '2-1', '3-1', '9-9');
    await d.same('XDEL', 's', '2-1');
    await d.same('XDEL', 's', 'x');
    await d.same('XDEL', 's', '4-1', 'x');
    await d.same('XLEN', 's');
    await d.same('XRANGE', 's', '-', '+');
    await d.same('XDEL', 'none', 'x');
    await d.same('XDEL', 'none', '1-1');
    await d.same('XLEN', 'none');
    await d.same('SET', 'str', 'x');
    await d.same('XDEL', 'str', '1-1');
    await d.same('XLEN', 'str');
    await d.same('XLEN');
    await d.same('XDEL', 's');
    await d.same('XDEL', 's', '1-1', '5-1', '4-1');
    await d.same('XLEN', 's');
    await d.same('EXISTS', 's');
    await d.same('XINFO', 'STREAM', 's');
    await d.same('XADD', 's', '5-1', 'f', 'v');
    await d.same('XADD', 's', '6-1', 'f', 'v');
    await d.same('XINFO', 'STREAM', 's');
  });

  s.test('XSETID', async (d) => {
    await fill(d, 's', 3);
    await d.same('XSETID', 's', '2-0');
    await d.same('XSETID', 's', '3-1');
    await d.same('XSETID', 's', '10-0');
    await d.same('XADD', 's', '5-0', 'f', 'v');
    await d.same('XSETID', 's', '20-0', 'ENTRIESADDED', '2');
    await d.same('XSETID', 's', '20-0', 'ENTRIESADDED', '-1');
    await d.same('XSETID', 's', '20-0', 'ENTRIESADDED', 'x');
    await d.same('XSETID', 's', '20-0', 'ENTRIESADDED', '100', 'MAXDELETEDID', '15-0');
    await d.same('XINFO', 'STREAM', 's');
    await d.same('XSETID', 's', '20-0', 'MAXDELETEDID', '25-0');
    await d.same('XSETID', 's', '14-0');
    await d.same('XSETID', 's', '20-0', 'MAXDELETEDID', 'x');
    await d.same('XSETID', 's', '20-0', 'FOO');
    await d.same('XSETID', 's', '20-0', 'ENTRIESADDED');
    await d.same('XSETID', 's', 'x');
    await d.same('XSETID', 's', '-');
    await d.same('XSETID', 'none', '1-1');
    await d.same('XSETID', 'none', 'x');
    await d.same('SET', 'str', 'x');
    await d.same('XSETID', 'str', '1-1');
    await d.same('XTRIM', 's', 'MAXLEN', '0');
    await d.same('XSETID', 's', '0-1');
    await d.same('XSETID', 's', '15-0', 'ENTRIESADDED', '0');
    await d.same('XINFO', 'STREAM', 's');
  });

  s.test('binary fields and values', async (d) => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await d.same('XADD', 's', '1-1', bytes, Buffer.from('a\r\nb'), '', '');
    await d.same('XADD', 's', '2-1', '123', '-5', '9223372036854775808', '0');
    await d.same('XRANGE', 's', '-', '+');
    await d.same('XREVRANGE', 's', '+', '-');
    await d.same('XADD', Buffer.from('k\r\n\0'), '1-1', 'a', 'b');
    await d.same('XLEN', Buffer.from('k\r\n\0'));
  });

  s.test('keyspace commands on streams', async (d) => {
    await fill(d, 's', 3);
    await d.same('TYPE', 's');
    await d.same('OBJECT', 'ENCODING', 's');
    await d.same('COPY', 's', 'c');
    await d.same('XRANGE', 'c', '-', '+');
    await d.same('XINFO', 'STREAM', 'c');
    await d.sameUnordered('SCAN', '0', 'TYPE', 'stream');
    await d.same('DEL', 's');
    await d.same('XLEN', 's');
  });

  s.test('COMMAND INFO and GETKEYS', async (d) => {
    for (const name of [
      'xadd',
      'xrange',
      'xrevrange',
      'xlen',
      'xdel',
      'xtrim',
      'xsetid',
      'xread',
      'xreadgroup',
      'xack',
      'xpending',
      'xclaim',
      'xautoclaim',
    ]) {
      await d.same('COMMAND', 'INFO', name);
    }
    // Redis lists subcommands in its dict's (seeded, random) order.
    await d.sameUnordered('COMMAND', 'INFO', 'xgroup');
    await d.sameUnordered('COMMAND', 'INFO', 'xinfo');
    await d.same('COMMAND', 'GETKEYS', 'XREAD', 'COUNT', '1', 'STREAMS', 'a', 'b', '0', '0');
    await d.same('COMMAND', 'GETKEYS', 'XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'a', '>');
    await d.same('COMMAND', 'GETKEYS', 'XGROUP', 'CREATE', 'k', 'g', '0');
    await d.same('COMMAND', 'GETKEYS', 'XINFO', 'STREAM', 'k');
  });

  s.test('listpack node boundaries follow entry sizes', async (d) => {
    for (const [key, size] of [
      ['a', 10],
      ['b', 60],
      ['c', 200],
      ['d', 3000],
      ['e', 5000],
    ] as const) {
      for (let i = 1; i <= 120; i++) {
        const fields = i % 3 === 0 ? ['f', 'x'.repeat(size), 'other', String(i)] : ['f', 'y'.repeat(size)];
        await d.same('XADD', key, `${i}-${i % 7}`, ...fields);
      }
      await d.same('XINFO', 'STREAM', key);
      await d.same('XTRIM', key, 'MAXLEN', '~', '50');
      await d.same('XINFO', 'STREAM', key);
    }
    await d.same('CONFIG', 'SET', 'stream-node-max-bytes', '0');
    await d.same('CONFIG', 'SET', 'stream-node-max-entries', '0');
    for (let i = 1; i <= 30; i++) await d.same('XADD', 'z', `${i}-1`, 'f', 'x'.repeat(500));
    await d.same('XINFO', 'STREAM', 'z');
    await d.same('CONFIG', 'SET', 'stream-node-max-bytes', '4096');
    await d.same('CONFIG', 'SET', 'stream-node-max-entries', '100');
  });
});
