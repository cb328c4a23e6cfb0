import assert from 'node:assert/strict';
import { type DiffPair, differential, type ParsedReply, parseFrame } from '@redkit/test-utils';

const BINARY = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

/** Fills a hash on both servers with `n` fields f0..f(n-1) in `batch`-sized HSETs. */
async function fill(
  d: DiffPair,
  key: string,
  n: number,
  value = (i: number) => `v${i}`,
  batch = 200,
): Promise<void> {
  for (let from = 0; from < n; from += batch) {
    const args: string[] = [];
    for (let i = from; i < Math.min(n, from + batch); i++) args.push(`f${i}`, value(i));
    await d.same('HSET', key, ...args);
  }
}

function asArray(reply: ParsedReply): ParsedReply[] {
  assert.ok(Array.isArray(reply), `expected an array, got ${JSON.stringify(reply)}`);
  return reply;
}

/** Checks a random reply: same length as Redis's, every element a real field (and value), distinct if asked. */
function checkRandomFields(
  fields: Map<string, string>,
  options: { length: number; distinct: boolean; withValues?: 'flat' | 'pairs' },
): (redis: ParsedReply, engine: ParsedReply) => void {
  return (redis, engine) => {
    const r = asArray(redis);
    const e = asArray(engine);
    assert.equal(e.length, r.length, 'reply length');
    assert.equal(e.length, options.length, 'expected length');
    const picked: string[] = [];
    if (options.withValues === 'flat') {
      for (let i = 0; i < e.length; i += 2) {
        assert.equal(fields.get(e[i] as string), e[i + 1], `value of ${String(e[i])}`);
        picked.push(e[i] as string);
      }
    } else if (options.withValues === 'pairs') {
      for (const pair of e) {
        const [f, v] = asArray(pair);
        assert.equal(fields.get(f as string), v, `value of ${String(f)}`);
        picked.push(f as string);
      }
    } else {
      for (const f of e) {
        assert.ok(fields.has(f as string), `unknown field ${String(f)}`);
        picked.push(f as string);
      }
    }
    if (options.distinct) assert.equal(new Set(picked).size, picked.length, 'distinct fields');
  };
}

differential('hashes', (s) => {
  s.test('HSET, HMSET, HGET and HMGET', async (d) => {
    await d.same('HSET', 'h', 'a', '1');
    await d.same('HSET', 'h', 'b', '2', 'c', '3', 'a', '4');
    await d.same('HSET', 'h', 'b', '2', 'b', '5');
    await d.same('HGET', 'h', 'a');
    await d.same('HGET', 'h', 'b');
    await d.same('HGET', 'h', 'nosuch');
    await d.same('HGET', 'nokey', 'a');
    await d.same('HMGET', 'h', 'a', 'nosuch', 'c', 'a');
    await d.same('HMGET', 'nokey', 'a', 'b');
    await d.same('HMSET', 'h', 'd', '6', 'e', '7');
    await d.same('HMSET', 'h2', 'x', '1');
    await d.same('HGETALL', 'h');
    await d.same('HGETALL', 'h2');
    await d.same('HSET', 'h', 'a');
    await d.same('HSET', 'h', 'a', '1', 'b');
    await d.same('HMSET', 'h', 'a', '1', 'b');
    await d.same('HSET', 'h');
    await d.same('HMSET', 'h', 'a');
    await d.same('HGET', 'h');
    await d.same('HGET', 'h', 'a', 'b');
    await d.same('HMGET', 'h');
    await d.same('hset', 'h', 'empty', '');
    await d.same('HGET', 'h', 'empty');
    await d.same('HSTRLEN', 'h', 'empty');
    await d.same('HSET', 'h', '', 'empty-field');
    await d.same('HGET', 'h', '');
    await d.same('HGETALL', 'h');
  });

  s.test('HSETNX', async (d) => {
    await d.same('HSETNX', 'h', 'a', '1');
    await d.same('HSETNX', 'h', 'a', '2');
    await d.same('HSETNX', 'h', 'b', '3');
    await d.same('HGETALL', 'h');
    await d.same('HSETNX', 'h', 'a');
    await d.same('HSETNX', 'h', 'a', '1', '2');
    // An existing field with a long value does not convert the hash.
    await d.same('HSETNX', 'h', 'a', 'x'.repeat(100));
    await d.same('OBJECT', 'ENCODING', 'h');
    await d.same('HSETNX', 'h', 'c', 'x'.repeat(65));
    await d.same('OBJECT', 'ENCODING', 'h');
  });

  s.test('HDEL, HLEN, HEXISTS and HSTRLEN', async (d) => {
    await d.same('HSET', 'h', 'a', '1', 'b', '22', 'c', '333', 'n', '-12345', 'z', '007');
    await d.same('HLEN', 'h');
    await d.same('HSTRLEN', 'h', 'c');
    await d.same('HSTRLEN', 'h', 'n');
    await d.same('HSTRLEN', 'h', 'z');
    await d.same('HSTRLEN', 'h', 'nosuch');
    await d.same('HSTRLEN', 'nokey', 'a');
    await d.same('HEXISTS', 'h', 'a');
    await d.same('HEXISTS', 'h', 'nosuch');
    await d.same('HEXISTS', 'nokey', 'a');
    await d.same('HDEL', 'h', 'a', 'a', 'nosuch');
    await d.same('HDEL', 'h', 'nosuch');
    await d.same('HDEL', 'nokey', 'a');
    await d.same('HKEYS', 'h');
    await d.same('HLEN', 'h');
    await d.same('HLEN', 'nokey');
    await d.same('HDEL', 'h', 'b', 'c', 'n', 'z', 'extra');
    await d.same('EXISTS', 'h');
    await d.same('HLEN', 'h');
    await d.same('HDEL', 'h');
    await d.same('HLEN');
    await d.same('HEXISTS', 'h');
    await d.same('HSTRLEN', 'h', 'a', 'b');
  });

  s.test('HKEYS, HVALS and HGETALL keep listpack order across updates and deletes', async (d) => {
    await d.same('HSET', 'h', 'z', '1', 'y', '2', 'x', '3', 'w', '4');
    await d.same('HSET', 'h', 'y', 'updated');
    await d.same('HDEL', 'h', 'x');
    await d.same('HSET', 'h', 'x', 'back', 'a', 'new');
    await d.same('HKEYS', 'h');
    await d.same('HVALS', 'h');
    await d.same('HGETALL', 'h');
    await d.same('HKEYS', 'nokey');
    await d.same('HVALS', 'nokey');
    await d.same('HGETALL', 'nokey');
    await d.same('HGETALL');
    await d.same('HKEYS', 'h', 'x');
    await d.resp3();
    await d.same('HGETALL', 'h');
    await d.same('HGETALL', 'nokey');
    await d.same('HKEYS', 'h');
    await d.same('HVALS', 'nokey');
    await d.same('HGET', 'h', 'nosuch');
    await d.same('HMGET', 'h', 'z', 'nosuch');
    await d.same('HMGET', 'nokey', 'z');
  });

  s.test('binary fields and values', async (d) => {
    const crlf = Buffer.from('a\r\nb\r\n');
    await d.same('HSET', 'h', BINARY, crlf, crlf, BINARY, Buffer.from([0]), Buffer.from([255, 0, 13, 10]));
    await d.same('HGET', 'h', BINARY);
    await d.same('HGET', 'h', crlf);
    await d.same('HMGET', 'h', Buffer.from([0]), crlf, Buffer.from([0, 0]));
    await d.same('HSTRLEN', 'h', crlf);
    await d.same('HEXISTS', 'h', Buffer.from([0]));
    await d.same('OBJECT', 'ENCODING', 'h');
    await d.samePairsUnordered('HGETALL', 'h');
    await d.same(
      'HSET',
      'small',
      Buffer.from([0, 1, 2]),
      Buffer.from('\r\n'),
      Buffer.from([0xff]),
      Buffer.from([0]),
    );
    await d.same('HGETALL', 'small');
    await d.same('HSCAN', 'small', '0');
    await d.same('HSCAN', 'small', '0', 'MATCH', Buffer.from([0, '*'.charCodeAt(0)]));
    await d.same('HRANDFIELD', 'small', '5', 'WITHVALUES');
    await d.same('HDEL', 'small', Buffer.from([0, 1, 2]));
    await d.same('HGETALL', 'small');
  });

  s.test('WRONGTYPE on every hash command', async (d) => {
    await d.same('SADD', 's', 'a');
    const calls: string[][] = [
      ['HSET', 's', 'a', '1'],
      ['HMSET', 's', 'a', '1'],
      ['HSETNX', 's', 'a', '1'],
      ['HGET', 's', 'a'],
      ['HMGET', 's', 'a'],
      ['HDEL', 's', 'a'],
      ['HLEN', 's'],
      ['HSTRLEN', 's', 'a'],
      ['HEXISTS', 's', 'a'],
      ['HKEYS', 's'],
      ['HVALS', 's'],
      ['HGETALL', 's'],
      ['HINCRBY', 's', 'a', '1'],
      ['HINCRBYFLOAT', 's', 'a', '1'],
      ['HRANDFIELD', 's'],
      ['HRANDFIELD', 's', '3'],
      ['HRANDFIELD', 's', '0'],
      ['HRANDFIELD', 's', '-3', 'WITHVALUES'],
      ['HSCAN', 's', '0'],
      ['HSCAN', 's', '0', 'COUNT', '0'],
    ];
    for (const argv of calls) await d.same(...argv);
    // Argument errors come first where Redis checks them before the key.
    await d.same('HINCRBY', 's', 'a', 'x');
    await d.same('HINCRBYFLOAT', 's', 'a', 'x');
    await d.same('HRANDFIELD', 's', 'x');
    await d.same('HSCAN', 's', 'x');
    await d.same('HSET', 's', 'a');
    await d.same('SMEMBERS', 's');
  });

  s.test('HINCRBY', async (d) => {
    await d.same('HINCRBY', 'h', 'n', '5');
    await d.same('HINCRBY', 'h', 'n', '-7');
    await d.same('HINCRBY', 'h', 'n', '0');
    await d.same('HINCRBY', 'h', 'm', '-9223372036854775808');
    await d.same('HINCRBY', 'h', 'm', '-1');
    await d.same('HINCRBY', 'h', 'm', '1');
    await d.same('HINCRBY', 'h', 'm', '9223372036854775807');
    await d.same('HINCRBY', 'h', 'm', '9223372036854775807');
    await d.same('HINCRBY', 'h', 'p', '9223372036854775807');
    await d.same('HINCRBY', 'h', 'p', '1');
    await d.same('HINCRBY', 'h', 'p', '-9223372036854775808');
    await d.same('HINCRBY', 'h', 'p', '-1');
    await d.same('HGETALL', 'h');
    for (const bad of [
      'x',
      '1.5',
      '',
      ' 1',
      '1 ',
      '+1',
      '01',
      '-0',
      '9223372036854775808',
      '-9223372036854775809',
      '1e3',
    ]) {
      await d.same('HINCRBY', 'h', 'n', bad);
    }
    for (const value of ['abc', '1.0', ' 1', '01', '', '9223372036854775808', '-0', '+5', '0x10']) {
      await d.same('HSET', 'h', 'bad', value);
      await d.same('HINCRBY', 'h', 'bad', '1');
    }
    await d.same('HSET', 'h', 'neg0', '-0');
    await d.same('HINCRBY', 'h', 'neg0', '1');
    await d.same('HINCRBY', 'fresh', 'f', '-1');
    await d.same('HGETALL', 'fresh');
    await d.same('HINCRBY', 'h', 'n');
    await d.same('HINCRBY', 'h', 'n', '1', '2');
    await d.same('HINCRBY', 'h', 'f'.repeat(65), '1');
    await d.same('OBJECT', 'ENCODING', 'h');
  });

  s.test('HINCRBYFLOAT', async (d) => {
    await d.same('HINCRBYFLOAT', 'h', 'f', '10.5');
    await d.same('HINCRBYFLOAT', 'h', 'f', '0.1');
    await d.same('HINCRBYFLOAT', 'h', 'f', '-5');
    await d.same('HINCRBYFLOAT', 'h', 'f', '1e3');
    await d.same('HINCRBYFLOAT', 'h', 'f', '-1015.6');
    await d.same('HINCRBYFLOAT', 'h', 'g', '3.0e-5');
    await d.same('HINCRBYFLOAT', 'h', 'g', '0x10');
    await d.same('HINCRBYFLOAT', 'h', 'g', '.5');
    await d.same('HINCRBYFLOAT', 'h', 'g', '5.');
    await d.same('HINCRBYFLOAT', 'h', 'g', '+1');
    await d.same('HINCRBYFLOAT', 'h', 'i', '12345678901234567890');
    await d.same('HINCRBYFLOAT', 'h', 'i', '0.00000000000000001');
    await d.same('HSET', 'h', 'int', '17');
    await d.same('HINCRBYFLOAT', 'h', 'int', '0.25');
    await d.same('HSET', 'h', 'spaced', ' 1');
    await d.same('HINCRBYFLOAT', 'h', 'spaced', '1');
    for (const value of ['abc', '1.5x', '', 'nan', '1 ']) {
      await d.same('HSET', 'h', 'bad', value);
      await d.same('HINCRBYFLOAT', 'h', 'bad', '1');
    }
    await d.same('HSET', 'h', 'inf', 'inf');
    await d.same('HINCRBYFLOAT', 'h', 'inf', '1');
    for (const bad of ['x', '', ' 1', '1 ', 'nan', 'inf', '-inf', '+inf', 'Infinity', '1e5000', '1.2.3']) {
      await d.same('HINCRBYFLOAT', 'h', 'f', bad);
    }
    await d.same('HSET', 'h', 'big', '1e4932');
    await d.same('HINCRBYFLOAT', 'h', 'big', '1e4932');
    await d.same('HINCRBYFLOAT', 'h', 'long', '1e70');
    await d.same('HGET', 'h', 'long');
    await d.same('OBJECT', 'ENCODING', 'h');
    await d.samePairsUnordered('HGETALL', 'h');
    await d.same('HINCRBYFLOAT', 'h', 'f');
    await d.same('HINCRBYFLOAT', 'nokey', 'f', '-0.0');
    await d.same('HGETALL', 'nokey');
  });

  s.test('HRANDFIELD shapes, options and errors', async (d) => {
    await d.same('HRANDFIELD', 'nokey');
    await d.same('HRANDFIELD', 'nokey', '5');
    await d.same('HRANDFIELD', 'nokey', '-5', 'WITHVALUES');
    await d.same('HRANDFIELD', 'nokey', '0');
    await d.same('HSET', 'one', 'only', 'value');
    await d.same('HRANDFIELD', 'one');
    await d.same('HRANDFIELD', 'one', '1');
    await d.same('HRANDFIELD', 'one', '-4');
    await d.same('HRANDFIELD', 'one', '-4', 'WITHVALUES');
    await d.same('HRANDFIELD', 'one', '-4', 'withvalues');
    await d.same('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5');
    const fields = new Map([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
      ['d', '4'],
      ['e', '5'],
    ]);
    await d.same('HRANDFIELD', 'h', '0');
    await d.same('HRANDFIELD', 'h', '0', 'WITHVALUES');
    await d.same('HRANDFIELD', 'h', '5');
    await d.same('HRANDFIELD', 'h', '100', 'WITHVALUES');
    await d.same('HRANDFIELD', 'h', '9223372036854775807');
    await d.same('HRANDFIELD', 'h', '4611686018427387903', 'WITHVALUES');
    await d.compare(['HRANDFIELD', 'h'], (r, e) => {
      assert.equal(typeof r, 'string');
      assert.ok(fields.has(e as string));
    });
    await d.compare(['HRANDFIELD', 'h', '1'], checkRandomFields(fields, { length: 1, distinct: true }));
    await d.compare(['HRANDFIELD', 'h', '3'], checkRandomFields(fields, { length: 3, distinct: true }));
    await d.compare(
      ['HRANDFIELD', 'h', '1', 'WITHVALUES'],
      checkRandomFields(fields, { length: 2, distinct: true, withValues: 'flat' }),
    );
    await d.compare(
      ['HRANDFIELD', 'h', '4', 'WITHVALUES'],
      checkRandomFields(fields, { length: 8, distinct: true, withValues: 'flat' }),
    );
    await d.compare(['HRANDFIELD', 'h', '-20'], checkRandomFields(fields, { length: 20, distinct: false }));
    await d.compare(
      ['HRANDFIELD', 'h', '-20', 'WITHVALUES'],
      checkRandomFields(fields, { length: 40, distinct: false, withValues: 'flat' }),
    );
    for (const bad of [
      ['x'],
      ['1.5'],
      [''],
      ['-9223372036854775808'],
      ['-9223372036854775808', 'WITHVALUES'],
      ['9223372036854775808'],
      ['4611686018427387904', 'WITHVALUES'],
      ['-4611686018427387904', 'WITHVALUES'],
      ['3', 'WITHVALUE'],
      ['3', 'WITHVALUES', 'x'],
      ['3', 'x'],
      ['x', 'WITHVALUES'],
    ]) {
      await d.same('HRANDFIELD', 'h', ...bad);
      await d.same('HRANDFIELD', 'nokey', ...bad);
    }
    await d.same('HRANDFIELD');
    await d.resp3();
    await d.same('HRANDFIELD', 'nokey');
    await d.same('HRANDFIELD', 'nokey', '3', 'WITHVALUES');
    await d.same('HRANDFIELD', 'h', '0', 'WITHVALUES');
    await d.same('HRANDFIELD', 'h', '5', 'WITHVALUES');
    await d.same('HRANDFIELD', 'one', '-3', 'WITHVALUES');
    await d.same('HRANDFIELD', 'one', '1', 'WITHVALUES');
    await d.compare(
      ['HRANDFIELD', 'h', '3', 'WITHVALUES'],
      checkRandomFields(fields, { length: 3, distinct: true, withValues: 'pairs' }),
    );
    await d.compare(
      ['HRANDFIELD', 'h', '-7', 'WITHVALUES'],
      checkRandomFields(fields, { length: 7, distinct: false, withValues: 'pairs' }),
    );
    await d.compare(['HRANDFIELD', 'h', '-7'], checkRandomFields(fields, { length: 7, distinct: false }));
  });

  s.test('HRANDFIELD on a hashtable-encoded hash', async (d) => {
    const fields = new Map<string, string>();
    for (let i = 0; i < 300; i++) fields.set(`f${i}`, `v${i}`);
    await fill(d, 'big', 300);
    await d.same('OBJECT', 'ENCODING', 'big');
    await d.sameUnordered('HRANDFIELD', 'big', '300');
    await d.samePairsUnordered('HRANDFIELD', 'big', '1000', 'WITHVALUES');
    for (const count of ['1', '10', '99', '100', '101', '150', '299']) {
      await d.compare(
        ['HRANDFIELD', 'big', count],
        checkRandomFields(fields, { length: Number(count), distinct: true }),
      );
      await d.compare(
        ['HRANDFIELD', 'big', count, 'WITHVALUES'],
        checkRandomFields(fields, { length: Number(count) * 2, distinct: true, withValues: 'flat' }),
      );
    }
    await d.compare(
      ['HRANDFIELD', 'big', '-500'],
      checkRandomFields(fields, { length: 500, distinct: false }),
    );
    await d.compare(['HRANDFIELD', 'big'], (_r, e) => assert.ok(fields.has(e as string)));
    await d.resp3();
    await d.compare(
      ['HRANDFIELD', 'big', '50', 'WITHVALUES'],
      checkRandomFields(fields, { length: 50, distinct: true, withValues: 'pairs' }),
    );
    await d.compare(
      ['HRANDFIELD', 'big', '-50', 'WITHVALUES'],
      checkRandomFields(fields, { length: 50, distinct: false, withValues: 'pairs' }),
    );
  });

  s.test('HSCAN on listpack hashes answers everything at once', async (d) => {
    await d.same('HSET', 'h', 'apple', '1', 'banana', '2', 'avocado', '3', 'cherry', '4');
    await d.same('HSCAN', 'h', '0');
    await d.same('HSCAN', 'h', '12345');
    await d.same('HSCAN', 'h', '0', 'COUNT', '1');
    await d.same('HSCAN', 'h', '0', 'MATCH', 'a*');
    await d.same('HSCAN', 'h', '0', 'match', '*an*', 'count', '2');
    await d.same('HSCAN', 'h', '0', 'MATCH', 'zzz*');
    await d.same('HSCAN', 'h', '0', 'MATCH', '*');
    await d.same('HSCAN', 'h', '0', 'MATCH', 'a*', 'MATCH', 'b*');
    await d.same('HSCAN', 'h', '0', 'MATCH', '[ab]*', 'COUNT', '100');
    await d.same('HSCAN', 'nokey', '0');
    await d.same('HSCAN', 'nokey', '0', 'COUNT', '0');
    await d.same('HSCAN', 'nokey', '0', 'BADOPT');
    for (const cursor of [
      '',
      '-1',
      '+3',
      '007',
      '18446744073709551615',
      '18446744073709551616',
      'x',
      '1x',
      ' 1',
      '-',
      '+',
      '1.5',
    ]) {
      await d.same('HSCAN', 'h', cursor);
      await d.same('HSCAN', 'nokey', cursor);
    }
    for (const opts of [
      ['COUNT', '0'],
      ['COUNT', '-1'],
      ['COUNT', 'x'],
      ['COUNT'],
      ['MATCH'],
      ['TYPE', 'string'],
      ['NOVALUES'],
      ['COUNT', '1', 'MATCH'],
      ['COUNT', '9223372036854775808'],
    ]) {
      await d.same('HSCAN', 'h', '0', ...opts);
    }
    await d.same('HSCAN', 'h');
    await d.resp3();
    await d.same('HSCAN', 'h', '0');
    await d.same('HSCAN', 'nokey', '0');
  });

  s.test('HSCAN iterates a hashtable hash completely', async (d) => {
    await fill(d, 'big', 1000);
    const all = new Map<string, string>();
    for (const side of ['redis', 'engine'] as const) {
      const seen = new Map<string, string>();
      let cursor = '0';
      let calls = 0;
      do {
        const [r, e] = await d.both('HSCAN', 'big', cursor, 'COUNT', '37');
        const reply = asArray(parseFrame(side === 'redis' ? r : e));
        cursor = reply[0] as string;
        const items = asArray(reply[1]!);
        for (let i = 0; i < items.length; i += 2) seen.set(items[i] as string, items[i + 1] as string);
        calls++;
      } while (cursor !== '0' && calls < 1000);
      assert.equal(cursor, '0');
      assert.equal(seen.size, 1000);
      if (side === 'redis') for (const [f, v] of seen) all.set(f, v);
      else assert.deepEqual(seen, all);
    }
    // MATCH filters fields on hashtable hashes too.
    let cursor = '0';
    const matched = new Set<string>();
    do {
      const [, e] = await d.both('HSCAN', 'big', cursor, 'MATCH', 'f1?', 'COUNT', '100');
      const reply = asArray(parseFrame(e));
      cursor = reply[0] as string;
      const items = asArray(reply[1]!);
      for (let i = 0; i < items.length; i += 2) matched.add(items[i] as string);
    } while (cursor !== '0');
    assert.deepEqual([...matched].sort(), Array.from({ length: 10 }, (_, i) => `f1${i}`).sort());
  });

  s.test('encoding thresholds: entries and value length', async (d) => {
    await fill(d, 'h', 128);
    await d.same('OBJECT', 'ENCODING', 'h');
    await d.same('HGETALL', 'h');
    await d.same('HSCAN', 'h', '0', 'COUNT', '5');
    await d.same('HSET', 'h', 'f0', 'again');
    await d.same('OBJECT', 'ENCODING', 'h');
    await d.same('HSET', 'h', 'extra', 'x');
    await d.same('OBJECT', 'ENCODING', 'h');
    await d.same('HLEN', 'h');
    await d.samePairsUnordered('HGETALL', 'h');
    await d.sameUnordered('HKEYS', 'h');
    await d.sameUnordered('HVALS', 'h');
    await d.sameUnordered('HRANDFIELD', 'h', '200');
    // Shrinking back does not return to listpack.
    const del: string[] = [];
    for (let i = 0; i < 127; i++) del.push(`f${i}`);
    await d.same('HDEL', 'h', ...del);
    await d.same('OBJECT', 'ENCODING', 'h');
    await d.samePairsUnordered('HGETALL', 'h');

    await d.same('HSET', 'v', 'a', 'x'.repeat(64));
    await d.same('OBJECT', 'ENCODING', 'v');
    await d.same('HSET', 'v', 'b', 'x'.repeat(65));
    await d.same('OBJECT', 'ENCODING', 'v');
    await d.same('HSET', 'f', 'x'.repeat(65), '1');
    await d.same('OBJECT', 'ENCODING', 'f');
    // A long argument converts even when it only updates an existing field.
    await d.same('HSET', 'u', 'a', '1', 'b', '2');
    await d.same('HSET', 'u', 'a', 'y'.repeat(70));
    await d.same('OBJECT', 'ENCODING', 'u');
    await d.same('HSET', 'w', 'a', '1');
    await d.same('HINCRBYFLOAT', 'w', 'a', '1e50');
    await d.same('OBJECT', 'ENCODING', 'w');
    await d.same('HINCRBYFLOAT', 'w', 'a', '1e70');
    await d.same('OBJECT', 'ENCODING', 'w');
    await d.same('HSET', 'many', ...Array.from({ length: 129 }, (_, i) => [`k${i}`, String(i)]).flat());
    await d.same('OBJECT', 'ENCODING', 'many');
    await d.same('HSET', 'nx', 'a', '1');
    for (let i = 0; i < 128; i++) await d.same('HSETNX', 'nx', `n${i}`, 'v');
    await d.same('OBJECT', 'ENCODING', 'nx');
    await d.same('HSET', 'incr', 'a', '1');
    for (let i = 0; i < 128; i++) await d.same('HINCRBY', 'incr', `n${i}`, '1');
    await d.same('OBJECT', 'ENCODING', 'incr');
  });

  s.test('COMMAND INFO for the hash commands', async (d) => {
    const names = ['hset', 'hsetnx', 'hget', 'hmset', 'hmget', 'hdel', 'hlen', 'hstrlen', 'hexists', 'hkeys'];
    await d.same('COMMAND', 'INFO', ...names);
    await d.same('COMMAND', 'INFO', 'hvals', 'hgetall', 'hincrby', 'hincrbyfloat', 'hrandfield', 'hscan');
    await d.same('COMMAND', 'GETKEYS', 'HSET', 'k', 'f', 'v');
  });

  s.test('hashes inside MULTI/EXEC and after expiry', async (d) => {
    await d.same('MULTI');
    await d.same('HSET', 'h', 'a', '1');
    await d.same('HSET', 'h', 'b');
    await d.same('HINCRBY', 'h', 'a', 'x');
    await d.same('HGETALL', 'h');
    await d.same('EXEC');
    await d.same('HSET', 'e', 'a', '1');
    await d.same('PEXPIRE', 'e', '20');
    await new Promise((resolve) => setTimeout(resolve, 40));
    await d.same('HGET', 'e', 'a');
    await d.same('HSET', 'e', 'b', '2');
    await d.same('HGETALL', 'e');
    await d.same('TTL', 'e');
  });
});

differential(
  'hashes with small listpack limits',
  (s) => {
    s.test('conversion at configured thresholds', async (d) => {
      await d.same('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
      await d.same('OBJECT', 'ENCODING', 'h');
      await d.same('HSET', 'h', 'e', '5');
      await d.same('OBJECT', 'ENCODING', 'h');
      await d.same('HSET', 'v', 'a', '12345678');
      await d.same('OBJECT', 'ENCODING', 'v');
      await d.same('HINCRBY', 'v', 'a', '100000000');
      await d.same('OBJECT', 'ENCODING', 'v');
      await d.same('HSET', 'x', 'a', '1');
      await d.same('HINCRBYFLOAT', 'x', 'a', '0.125');
      await d.same('OBJECT', 'ENCODING', 'x');
      await d.same('HINCRBYFLOAT', 'x', 'a', '0.0001');
      await d.same('OBJECT', 'ENCODING', 'x');
      await d.same('HSETNX', 'y', '123456789', '1');
      await d.same('OBJECT', 'ENCODING', 'y');
    });
  },
  {
    engine: { config: { 'hash-max-listpack-entries': '4', 'hash-max-listpack-value': '8' } },
    redisArgs: ['--hash-max-listpack-entries', '4', '--hash-max-listpack-value', '8'],
  },
);

differential(
  'hash keyspace events',
  (s) => {
    s.test('hset, hdel, hincrby, hincrbyfloat and del events', async (d) => {
      const listener = await d.pair();
      await listener.same('PSUBSCRIBE', '__key*__:*');
      await d.same('HSET', 'h', 'a', '1', 'b', '2');
      await listener.sameNext();
      await listener.sameNext();
      await d.same('HSETNX', 'h', 'a', '1');
      await d.same('HSETNX', 'h', 'c', '1');
      await listener.sameNext();
      await listener.sameNext();
      await d.same('HINCRBY', 'h', 'a', '2');
      await listener.sameNext();
      await listener.sameNext();
      await d.same('HINCRBYFLOAT', 'h', 'a', '2.5');
      await listener.sameNext();
      await listener.sameNext();
      await d.same('HDEL', 'h', 'nosuch');
      await d.same('HDEL', 'h', 'a', 'b');
      await listener.sameNext();
      await listener.sameNext();
      await d.same('HDEL', 'h', 'c');
      for (let i = 0; i < 4; i++) await listener.sameNext();
      await d.same('HMSET', 'h', 'x', 'y');
      await listener.sameNext();
      await listener.sameNext();
      listener.close();
    });
  },
  {
    engine: { config: { 'notify-keyspace-events': 'KEA' } },
    redisArgs: ['--notify-keyspace-events', 'KEA'],
  },
);
