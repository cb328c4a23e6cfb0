import assert from 'node:assert/strict';
import { type DiffPair, differential } from '@redkit/test-utils';

const BINARY = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Compares a PTTL (or TTL) reply within a tolerance: the two servers set their expiry a moment apart. */
async function closeTtl(d: DiffPair, command: string, key: string, tolerance: number): Promise<void> {
  await d.compare([command, key], (a, b) => {
    assert.equal(typeof a, 'number');
    assert.equal(typeof b, 'number');
    assert.ok(Math.abs(Number(a) - Number(b)) <= tolerance, `${command} ${key}: redis ${a}, engine ${b}`);
  });
}

/** A key of another type, for WRONGTYPE checks. */
async function makeOtherType(d: DiffPair, key: string): Promise<void> {
  await d.same('SADD', key, 'a', 'b');
}

differential('strings', (s) => {
  s.test('GET and SET: binary values, empty values, arity and WRONGTYPE', async (d) => {
    await d.same('GET', 'missing');
    await d.same('SET', 'k', 'v');
    await d.same('GET', 'k');
    await d.same('SET', 'bin', BINARY);
    await d.same('GET', 'bin');
    await d.same('SET', 'crlf', 'a\r\nb\r\n');
    await d.same('GET', 'crlf');
    await d.same('SET', '', '');
    await d.same('GET', '');
    await d.same('SET', BINARY, 'binary key');
    await d.same('GET', BINARY);
    await d.same('SET', 'big', 'x'.repeat(100_000));
    await d.same('GET', 'big');
    await d.same('GET');
    await d.same('GET', 'a', 'b');
    await d.same('SET', 'k');
    await d.same('SET');
    await makeOtherType(d, 'list');
    await d.same('GET', 'list');
    await d.same('SET', 'list', 'now a string');
    await d.same('GET', 'list');
    await d.same('SET', 'n', '12345');
    await d.same('GET', 'n');
    await d.same('SET', 'n', '-0');
    await d.same('GET', 'n');
  });

  s.test('SET NX, XX, GET, KEEPTTL and their conflicts', async (d) => {
    await d.same('SET', 'k', 'v1', 'NX');
    await d.same('SET', 'k', 'v2', 'NX');
    await d.same('GET', 'k');
    await d.same('SET', 'k', 'v3', 'XX');
    await d.same('SET', 'other', 'v', 'XX');
    await d.same('EXISTS', 'other');
    await d.same('SET', 'k', 'v4', 'nx', 'xx');
    await d.same('SET', 'k', 'v4', 'XX', 'NX');
    await d.same('SET', 'k', 'v4', 'NX', 'NX');
    await d.same('SET', 'k', 'v5', 'XX', 'XX');
    await d.same('SET', 'k', 'v6', 'GET');
    await d.same('SET', 'k', 'v7', 'get', 'GET');
    await d.same('SET', 'fresh', 'v', 'GET');
    await d.same('SET', 'k', 'v8', 'NX', 'GET');
    await d.same('SET', 'k', 'v9', 'XX', 'GET');
    await d.same('SET', 'nokey', 'v', 'XX', 'GET');
    await d.same('SET', 'nokey2', 'v', 'NX', 'GET');
    await d.same('GET', 'k');
    await makeOtherType(d, 'list');
    await d.same('SET', 'list', 'v', 'GET');
    await d.same('SET', 'list', 'v', 'NX', 'GET');
    await d.same('SET', 'list', 'v', 'XX');
    await d.same('GET', 'list');
    await d.same('SET', 'k', 'v', 'BOGUS');
    await d.same('SET', 'k', 'v', 'NX', 'BOGUS');
    await d.same('SET', 'k', 'v', 'GETX');
    await d.same('SET', 'k', 'v', 'N');
    await d.same('SET', 'k', 'v', 'KEEPTTL', 'KEEPTTL');
    await d.same('SET', 'k', 'v', 'KEEPTTL', 'EX', '10');
    await d.same('SET', 'k', 'v', 'EX', '10', 'KEEPTTL');
    await d.same('SET', 'k', 'v', 'PERSIST');
    await d.same('SET', 'k', 'v', 'NX\0junk');
    await d.same('GET', 'k');
  });

  s.test('SET expire options and their errors', async (d) => {
    for (const opt of ['EX', 'PX', 'EXAT', 'PXAT', 'ex', 'Px', 'exat', 'pXaT']) {
      await d.same('SET', 'k', 'v', opt);
      await d.same('SET', 'k', 'v', opt, '0');
      await d.same('SET', 'k', 'v', opt, '-1');
      await d.same('SET', 'k', 'v', opt, 'abc');
      await d.same('SET', 'k', 'v', opt, '1.5');
      await d.same('SET', 'k', 'v', opt, ' 10');
      await d.same('SET', 'k', 'v', opt, '+10');
      await d.same('SET', 'k', 'v', opt, '010');
      await d.same('SET', 'k', 'v', opt, '9223372036854775808');
      await d.same('SET', 'k', 'v', opt, '-9223372036854775808');
      await d.same('SET', 'k', 'v', opt, '9223372036854775807');
      await d.same('SET', 'k', 'v', opt, '9223372036854775');
      await d.same('SET', 'k', 'v', opt, '9223372036854776');
      await d.same('SET', 'k', 'v', opt, '9223372036854775807', 'GET');
      await d.same('EXISTS', 'k');
    }
    const pairs = [
      ['EX', 'PX'],
      ['EX', 'EXAT'],
      ['EX', 'PXAT'],
      ['PX', 'EXAT'],
      ['PXAT', 'EXAT'],
      ['PX', 'PXAT'],
    ];
    for (const [a, b] of pairs) {
      await d.same('SET', 'k', 'v', a!, '100', b!, '100');
      await d.same('SET', 'k', 'v', b!, '100', a!, '100');
    }
    await d.same('SET', 'k', 'v', 'EX', '100', 'EX', '200');
    await closeTtl(d, 'TTL', 'k', 1);
    await d.same('SET', 'k', 'v', 'PX', '100000', 'NX');
    await d.same('SET', 'k', 'v', 'PX', '100000', 'XX', 'GET');
    await closeTtl(d, 'PTTL', 'k', 100);
    await d.same('SET', 'k', 'v2', 'KEEPTTL');
    await closeTtl(d, 'PTTL', 'k', 100);
    await d.same('SET', 'k', 'v3', 'KEEPTTL', 'GET', 'XX');
    await closeTtl(d, 'PTTL', 'k', 100);
    await d.same('SET', 'k', 'v4');
    await d.same('TTL', 'k');
    await d.same('SET', 'k', 'v', 'EXAT', '4000000000');
    await d.same('EXPIRETIME', 'k');
    await d.same('SET', 'k', 'v', 'PXAT', '4000000000123');
    await d.same('PEXPIRETIME', 'k');
    await d.same('SET', 'k', 'v', 'EXAT', '1');
    await d.same('GET', 'k');
    await d.same('EXISTS', 'k');
    await d.same('SET', 'k', 'v', 'PXAT', '1000', 'GET');
    await d.same('SET', 'k', 'v', 'PXAT', '1000', 'GET');
    await d.same('SET', 'k', 'v', 'PX', '30');
    await d.same('SET', 'k2', 'v', 'EX', '1000');
    await sleep(60);
    await d.same('GET', 'k');
    await d.same('SET', 'k', 'new', 'XX');
    await d.same('SET', 'k', 'new', 'NX', 'GET');
    await d.same('GET', 'k');
    await d.same('SET', 'k2', 'v2');
    await d.same('TTL', 'k2');
  });

  s.test('SETNX, SETEX, PSETEX', async (d) => {
    await d.same('SETNX', 'k', 'v');
    await d.same('SETNX', 'k', 'w');
    await d.same('GET', 'k');
    await makeOtherType(d, 'list');
    await d.same('SETNX', 'list', 'v');
    await d.same('SETNX', 'k');
    await d.same('SETEX', 'k', '100', 'v2');
    await closeTtl(d, 'TTL', 'k', 1);
    await d.same('GET', 'k');
    await d.same('PSETEX', 'k', '100000', 'v3');
    await closeTtl(d, 'PTTL', 'k', 100);
    for (const t of ['0', '-5', 'x', '', '9223372036854775807', '9223372036854776', '9223372036854775']) {
      await d.same('SETEX', 'e', t, 'v');
      await d.same('PSETEX', 'e', t, 'v');
    }
    await d.same('SETEX', 'list', '10', 'v');
    await d.same('GET', 'list');
    await d.same('SETEX', 'k', '10');
    await d.same('PSETEX', 'k', '10', 'v', 'x');
    await d.same('PSETEX', 'short', '20', 'v');
    await sleep(50);
    await d.same('GET', 'short');
  });

  s.test('GETEX options, PERSIST and errors', async (d) => {
    await d.same('GETEX', 'missing');
    await d.same('GETEX', 'missing', 'EX', '0');
    await d.same('GETEX', 'missing', 'EX', 'abc');
    await d.same('GETEX', 'missing', 'BOGUS');
    await d.same('GETEX', 'missing', 'EX');
    await d.same('SET', 'k', 'v');
    await d.same('GETEX', 'k');
    await d.same('TTL', 'k');
    await d.same('GETEX', 'k', 'EX', '100');
    await closeTtl(d, 'TTL', 'k', 1);
    await d.same('GETEX', 'k', 'PX', '200000');
    await closeTtl(d, 'PTTL', 'k', 100);
    await d.same('GETEX', 'k', 'EXAT', '4000000000');
    await d.same('EXPIRETIME', 'k');
    await d.same('GETEX', 'k', 'PXAT', '4000000000999');
    await d.same('PEXPIRETIME', 'k');
    await d.same('GETEX', 'k', 'PERSIST');
    await d.same('TTL', 'k');
    await d.same('GETEX', 'k', 'PERSIST');
    await d.same('GETEX', 'k', 'persist', 'PERSIST');
    await d.same('GETEX', 'k', 'PERSIST', 'EX', '10');
    await d.same('GETEX', 'k', 'EX', '10', 'PERSIST');
    await d.same('GETEX', 'k', 'EX', '10', 'PX', '10');
    await d.same('GETEX', 'k', 'KEEPTTL');
    await d.same('GETEX', 'k', 'NX');
    await d.same('GETEX', 'k', 'GET');
    for (const opt of ['EX', 'PX', 'EXAT', 'PXAT']) {
      for (const t of ['0', '-1', 'x', '9223372036854775807', '9223372036854775808', '9223372036854776']) {
        await d.same('GETEX', 'k', opt, t);
      }
    }
    await d.same('TTL', 'k');
    await d.same('GETEX', 'k', 'EX', '10', 'EX', '1000');
    await closeTtl(d, 'TTL', 'k', 1);
    await d.same('GETEX', 'k', 'EXAT', '1');
    await d.same('EXISTS', 'k');
    await d.same('SET', 'k', 'v');
    await d.same('GETEX', 'k', 'PXAT', '1');
    await d.same('GET', 'k');
    await makeOtherType(d, 'list');
    await d.same('GETEX', 'list');
    await d.same('GETEX', 'list', 'EX', '0');
    await d.same('GETEX', 'list', 'BAD');
    await d.same('GETEX');
    await d.same('SET', 'k', 'v', 'PX', '20');
    await sleep(50);
    await d.same('GETEX', 'k', 'PERSIST');
  });

  s.test('GETDEL and GETSET', async (d) => {
    await d.same('GETDEL', 'missing');
    await d.same('SET', 'k', BINARY);
    await d.same('GETDEL', 'k');
    await d.same('EXISTS', 'k');
    await makeOtherType(d, 'list');
    await d.same('GETDEL', 'list');
    await d.same('EXISTS', 'list');
    await d.same('GETDEL', 'a', 'b');
    await d.same('GETSET', 'k', 'v1');
    await d.same('GETSET', 'k', 'v2');
    await d.same('GET', 'k');
    await d.same('GETSET', 'list', 'v');
    await d.same('SETEX', 'k', '100', 'v');
    await d.same('GETSET', 'k', 'v3');
    await d.same('TTL', 'k');
    await d.same('GETSET', 'k');
  });

  s.test('MSET, MSETNX, MGET', async (d) => {
    await d.same('MSET', 'a', '1', 'b', '2', 'c', BINARY);
    await d.same('MGET', 'a', 'b', 'c', 'missing', 'a');
    await d.same('MSET', 'a', '1', 'b');
    await d.same('MSET', 'a');
    await d.same('MSETNX', 'a', '1', 'b');
    await d.same('MSETNX', 'x', '1', 'a', '2');
    await d.same('MGET', 'x', 'a');
    await d.same('MSETNX', 'x', '1', 'y', '2');
    await d.same('MGET', 'x', 'y');
    await d.same('MSETNX', 'z', '1', 'z', '2');
    await d.same('GET', 'z');
    await makeOtherType(d, 'list');
    await d.same('MGET', 'list', 'a', 'list');
    await d.same('MSET', 'list', 'string now', 'a', 'again', 'a', 'twice');
    await d.same('MGET', 'list', 'a');
    await d.same('MSETNX', 'list', 'v');
    await d.same('SETEX', 'ttl', '100', 'v');
    await d.same('MSET', 'ttl', 'v2');
    await d.same('TTL', 'ttl');
    await d.same('MGET');
  });

  s.test('APPEND and STRLEN', async (d) => {
    await d.same('STRLEN', 'missing');
    await d.same('APPEND', 'k', 'hello');
    await d.same('APPEND', 'k', ' world');
    await d.same('APPEND', 'k', '');
    await d.same('APPEND', 'new', '');
    await d.same('EXISTS', 'new');
    await d.same('GET', 'k');
    await d.same('STRLEN', 'k');
    await d.same('APPEND', 'bin', BINARY);
    await d.same('APPEND', 'bin', BINARY);
    await d.same('STRLEN', 'bin');
    await d.same('GET', 'bin');
    await d.same('SET', 'n', '10');
    await d.same('APPEND', 'n', '5');
    await d.same('INCR', 'n');
    await makeOtherType(d, 'list');
    await d.same('APPEND', 'list', 'x');
    await d.same('STRLEN', 'list');
    await d.same('SETEX', 'ttl', '100', 'v');
    await d.same('APPEND', 'ttl', 'w');
    await closeTtl(d, 'TTL', 'ttl', 1);
    await d.same('APPEND', 'k');
    await d.same('STRLEN');
  });

  s.test('GETRANGE and SUBSTR index rules', async (d) => {
    await d.same('SET', 'k', 'Hello, World');
    await d.same('SET', 'n', '1234567890');
    await d.same('SET', 'empty', '');
    const indexes = [
      '0',
      '1',
      '3',
      '-1',
      '-3',
      '-12',
      '-13',
      '-100',
      '11',
      '12',
      '100',
      '9223372036854775807',
      '-9223372036854775808',
    ];
    for (const key of ['k', 'n', 'empty', 'missing']) {
      for (const start of indexes) {
        for (const end of indexes) await d.same('GETRANGE', key, start, end);
      }
    }
    await d.same('SUBSTR', 'k', '2', '-2');
    await d.same('SUBSTR', 'k', '-2', '-5');
    await d.same('GETRANGE', 'k', 'a', '1');
    await d.same('GETRANGE', 'k', '0', '1.5');
    await d.same('GETRANGE', 'missing', 'a', '1');
    await d.same('GETRANGE', 'k', '9223372036854775808', '1');
    await makeOtherType(d, 'list');
    await d.same('GETRANGE', 'list', '0', '1');
    await d.same('GETRANGE', 'list', 'x', '1');
    await d.same('SUBSTR', 'list', '0', '1');
    await d.same('GETRANGE', 'k', '0');
    await d.same('SET', 'bin', BINARY);
    await d.same('GETRANGE', 'bin', '10', '20');
    await d.same('GETRANGE', 'bin', '-20', '-1');
  });

  s.test('SETRANGE padding, limits and errors', async (d) => {
    await d.same('SETRANGE', 'k', '0', 'Hello');
    await d.same('SETRANGE', 'k', '10', 'World');
    await d.same('GET', 'k');
    await d.same('SETRANGE', 'k', '3', 'LO');
    await d.same('SETRANGE', 'k', '13', 'xyzxyz');
    await d.same('GET', 'k');
    await d.same('SETRANGE', 'k', '0', '');
    await d.same('SETRANGE', 'k', '100000000000', '');
    await d.same('SETRANGE', 'missing', '5', '');
    await d.same('SETRANGE', 'missing', '536870911', '');
    await d.same('EXISTS', 'missing');
    await d.same('SETRANGE', 'new', '3', BINARY);
    await d.same('GET', 'new');
    await d.same('SETRANGE', 'k', '-1', 'x');
    await d.same('SETRANGE', 'k', 'x', 'x');
    await d.same('SETRANGE', 'k', '9223372036854775808', 'x');
    await d.same('SETRANGE', 'k', '9223372036854775807', 'x');
    await d.same('SETRANGE', 'k', '536870912', 'x');
    await d.same('SETRANGE', 'k', '536870911', 'xy');
    await d.same('SETRANGE', 'missing', '536870912', 'x');
    await d.same('SETRANGE', 'missing', '-1', '');
    await d.same('EXISTS', 'missing');
    await d.same('SET', 'n', '12345');
    await d.same('SETRANGE', 'n', '1', '9');
    await d.same('GET', 'n');
    await d.same('INCR', 'n');
    await makeOtherType(d, 'list');
    await d.same('SETRANGE', 'list', '0', 'x');
    await d.same('SETRANGE', 'list', '0', '');
    await d.same('SETRANGE', 'list', '-1', 'x');
    await d.same('SETEX', 'ttl', '100', 'value');
    await d.same('SETRANGE', 'ttl', '2', 'LU');
    await closeTtl(d, 'TTL', 'ttl', 1);
    await d.same('SETRANGE', 'k', '0');
  });

  s.test('INCR, DECR, INCRBY, DECRBY: int64 limits and invalid values', async (d) => {
    await d.same('INCR', 'n');
    await d.same('INCR', 'n');
    await d.same('DECR', 'n');
    await d.same('DECR', 'm');
    await d.same('INCRBY', 'n', '100');
    await d.same('INCRBY', 'n', '-1000');
    await d.same('DECRBY', 'n', '-50');
    await d.same('DECRBY', 'n', '7');
    await d.same('GET', 'n');
    await d.same('SET', 'n', '9223372036854775806');
    await d.same('INCR', 'n');
    await d.same('INCR', 'n');
    await d.same('GET', 'n');
    await d.same('SET', 'n', '-9223372036854775807');
    await d.same('DECR', 'n');
    await d.same('DECR', 'n');
    await d.same('INCRBY', 'n', '9223372036854775807');
    await d.same('INCRBY', 'n', '9223372036854775807');
    await d.same('SET', 'n', '0');
    await d.same('INCRBY', 'n', '-9223372036854775808');
    await d.same('DECRBY', 'n', '-9223372036854775808');
    await d.same('DECRBY', 'n', '9223372036854775807');
    await d.same('DECRBY', 'n', '1');
    await d.same('DECRBY', 'fresh', '-9223372036854775808');
    await d.same('SET', 'n', '999999999999999');
    await d.same('INCRBY', 'n', '999999999999999');
    await d.same('INCRBY', 'n', '9000000000000000000');
    await d.same('INCRBY', 'n', '-9223372036854775808');
    await d.same('SET', 'n', '4611686018427387904');
    await d.same('INCRBY', 'n', '4611686018427387903');
    await d.same('INCRBY', 'n', '1');
    for (const bad of [
      ' 1',
      '1 ',
      '+1',
      '01',
      '-0',
      '1.0',
      '',
      'abc',
      '9223372036854775808',
      '-9223372036854775809',
      '0x10',
      '1e3',
      BINARY,
    ]) {
      await d.same('SET', 'bad', bad);
      await d.same('INCR', 'bad');
      await d.same('DECRBY', 'bad', '1');
      await d.same('INCRBY', 'n', bad);
      await d.same('DECRBY', 'n', bad);
    }
    await d.same('INCRBY', 'missing', 'x');
    await makeOtherType(d, 'list');
    await d.same('INCR', 'list');
    await d.same('INCRBY', 'list', 'x');
    await d.same('DECRBY', 'list', '2');
    await d.same('SETEX', 'ttl', '100', '5');
    await d.same('INCR', 'ttl');
    await closeTtl(d, 'TTL', 'ttl', 1);
    await d.same('INCR');
    await d.same('INCRBY', 'n');
    await d.same('DECR', 'a', 'b');
  });

  s.test('INCRBYFLOAT precision, formats and errors', async (d) => {
    await d.same('SET', 'f', '10.50');
    await d.same('INCRBYFLOAT', 'f', '0.1');
    await d.same('INCRBYFLOAT', 'f', '-5');
    await d.same('INCRBYFLOAT', 'f', '1e20');
    await d.same('SET', 'f', '5.0e3');
    await d.same('INCRBYFLOAT', 'f', '2.0e2');
    await d.same('INCRBYFLOAT', 'new', '3');
    await d.same('INCRBYFLOAT', 'new2', '-0');
    await d.same('INCRBYFLOAT', 'x', '0.1');
    await d.same('INCRBYFLOAT', 'x', '0.2');
    await d.same('INCRBYFLOAT', 'x', '1e-18');
    await d.same('INCRBYFLOAT', 'x', '-0.3');
    await d.same('INCRBYFLOAT', 'x', '1.7976931348623157e308');
    await d.same('INCRBYFLOAT', 'x', '1e4000');
    await d.same('INCRBYFLOAT', 'x', '1e5000');
    await d.same('INCRBYFLOAT', 'x', 'inf');
    await d.same('INCRBYFLOAT', 'x', '-inf');
    await d.same('INCRBYFLOAT', 'x', 'nan');
    await d.same('INCRBYFLOAT', 'x', '0x1p10');
    await d.same('GET', 'x');
    for (const bad of ['', ' 1', '1 ', 'abc', '1e', '.', '1..2', '--1', '1\0']) {
      await d.same('INCRBYFLOAT', 'y', bad);
      await d.same('SET', 'bad', bad);
      await d.same('INCRBYFLOAT', 'bad', '1');
    }
    await d.same('SET', 'i', '9223372036854775807');
    await d.same('INCRBYFLOAT', 'i', '1');
    await d.same('INCRBYFLOAT', 'i', '0.5');
    await d.same('SET', 'i', '18446744073709551617');
    await d.same('INCRBYFLOAT', 'i', '0');
    await d.same('SET', 'i', '3');
    await d.same('INCRBYFLOAT', 'i', '0.000000000000000001');
    await d.same('INCRBYFLOAT', 'i', '1.5');
    await d.same('INCR', 'i');
    await d.same('INCRBYFLOAT', 'i', '0.5');
    await d.same('INCR', 'i');
    await makeOtherType(d, 'list');
    await d.same('INCRBYFLOAT', 'list', '1');
    await d.same('INCRBYFLOAT', 'list', 'x');
    await d.same('SETEX', 'ttl', '100', '1.5');
    await d.same('INCRBYFLOAT', 'ttl', '1.5');
    await closeTtl(d, 'TTL', 'ttl', 1);
    await d.same('INCRBYFLOAT', 'x');
  });

  s.test('LCS: string, LEN, IDX, MINMATCHLEN, WITHMATCHLEN and errors', async (d) => {
    await d.same('MSET', 'a', 'ohmytext', 'b', 'mynewtext');
    await d.same('LCS', 'a', 'b');
    await d.same('LCS', 'a', 'b', 'LEN');
    await d.same('LCS', 'a', 'b', 'IDX');
    await d.same('LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4');
    await d.same('LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN');
    await d.same('LCS', 'a', 'b', 'IDX', 'WITHMATCHLEN');
    await d.same('LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '-5', 'WITHMATCHLEN');
    await d.same('LCS', 'a', 'b', 'WITHMATCHLEN');
    await d.same('LCS', 'a', 'b', 'MINMATCHLEN', '2');
    await d.same('LCS', 'a', 'b', 'LEN', 'IDX');
    await d.same('LCS', 'a', 'b', 'IDX', 'LEN');
    await d.same('LCS', 'a', 'b', 'MINMATCHLEN');
    await d.same('LCS', 'a', 'b', 'MINMATCHLEN', 'x');
    await d.same('LCS', 'a', 'b', 'BOGUS');
    await d.same('LCS', 'a', 'missing');
    await d.same('LCS', 'missing', 'missing2', 'IDX');
    await d.same('LCS', 'a', 'missing', 'LEN');
    await d.same('LCS', 'a', 'a', 'IDX', 'WITHMATCHLEN');
    await d.same('LCS', 'a');
    await makeOtherType(d, 'list');
    await d.same('LCS', 'a', 'list');
    await d.same('LCS', 'list', 'missing', 'BOGUS');
    const pairs = [
      ['abcbdab', 'bdcaba'],
      ['aaaa', 'aa'],
      ['abc', 'xyz'],
      ['GXTXAYB', 'AGGTAB'],
      ['xabcx', 'abc'],
      ['abcabcabc', 'cbacbacba'],
      [BINARY, BINARY.split('').reverse().join('')],
      ['a\r\nb\0c', '\0\r\n'],
      ['1234567890', '1234567890'],
    ];
    for (const [x, y] of pairs) {
      await d.same('MSET', 'x', x!, 'y', y!);
      await d.same('LCS', 'x', 'y');
      await d.same('LCS', 'y', 'x', 'LEN');
      await d.same('LCS', 'x', 'y', 'IDX', 'WITHMATCHLEN');
      await d.same('LCS', 'y', 'x', 'IDX', 'MINMATCHLEN', '2');
    }
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let round = 0; round < 30; round++) {
      const gen = (n: number) => Array.from({ length: n }, () => 'ACGT'[Math.floor(random() * 4)]).join('');
      await d.same('MSET', 'x', gen(Math.floor(random() * 60)), 'y', gen(Math.floor(random() * 60)));
      await d.same('LCS', 'x', 'y');
      await d.same('LCS', 'x', 'y', 'IDX', 'WITHMATCHLEN', 'MINMATCHLEN', String(Math.floor(random() * 4)));
    }
    await d.same('SET', 'long1', 'ab'.repeat(700));
    await d.same('SET', 'long2', 'ba'.repeat(600));
    await d.same('LCS', 'long1', 'long2', 'LEN');
    await d.same('LCS', 'long1', 'long2', 'IDX', 'MINMATCHLEN', '10');
    // A 12001 x 12001 table of 32-bit cells is over proto-max-bulk-len (512MB).
    await d.same('MSET', 'huge1', 'a'.repeat(12000), 'huge2', 'b'.repeat(12000));
    await d.same('LCS', 'huge1', 'huge2');
    await d.same('LCS', 'huge1', 'huge2', 'LEN');
  });

  s.test('RESP3 replies', async (d) => {
    await d.resp3();
    await d.same('GET', 'missing');
    await d.same('SET', 'k', 'v', 'NX');
    await d.same('SET', 'k', 'v', 'NX');
    await d.same('SET', 'k', 'v2', 'GET');
    await d.same('SET', 'new', 'v2', 'GET');
    await d.same('MGET', 'k', 'missing');
    await d.same('GETEX', 'missing');
    await d.same('GETDEL', 'missing');
    await d.same('GETSET', 'missing', 'v');
    await d.same('INCRBYFLOAT', 'f', '1.5');
    await d.same('MSET', 'a', 'ohmytext', 'b', 'mynewtext');
    await d.same('LCS', 'a', 'b');
    await d.same('LCS', 'a', 'b', 'LEN');
    await d.same('LCS', 'a', 'b', 'IDX');
    await d.same('LCS', 'a', 'b', 'IDX', 'WITHMATCHLEN', 'MINMATCHLEN', '3');
    await d.same('LCS', 'a', 'missing', 'IDX');
    await d.same('SETNX', 'k', 'v');
    await d.same('GETRANGE', 'missing', '0', '1');
    await d.same('SET', 'x', 'v', 'XX');
  });

  s.test('transactions and WATCH see string writes', async (d) => {
    const other = await d.pair();
    await d.same('SET', 'k', '1');
    await d.same('WATCH', 'k');
    await other.same('INCR', 'k');
    await d.same('MULTI');
    await d.same('INCR', 'k');
    await d.same('EXEC');
    await d.same('WATCH', 'k');
    await other.same('SET', 'k', '5', 'NX');
    await d.same('MULTI');
    await d.same('APPEND', 'k', 'x');
    await d.same('SET', 'k', 'v', 'EX', '0');
    await d.same('INCR', 'k');
    await d.same('GET', 'k');
    await d.same('EXEC');
    await d.same('WATCH', 'k');
    await other.same('SETRANGE', 'k', '0', '');
    await other.same('GETEX', 'k', 'PERSIST');
    await d.same('MULTI');
    await d.same('GET', 'k');
    await d.same('EXEC');
    other.close();
  });
});

differential(
  'string keyspace notifications',
  (s) => {
    s.test('events of every string write', async (d) => {
      const sub = await d.pair();
      await sub.same('PSUBSCRIBE', '__keyevent@0__:*');
      /** Runs a command and checks the events it published, then that nothing more was published. */
      const expect = async (events: number, ...argv: string[]) => {
        await d.same(...argv);
        for (let i = 0; i < events; i++) await sub.sameNext();
      };
      await expect(1, 'SET', 'k', 'v');
      await expect(2, 'SET', 'k', 'v', 'EX', '100');
      await expect(2, 'SET', 'k', 'v', 'PXAT', '4000000000000', 'GET');
      await expect(0, 'SET', 'k', 'v', 'NX');
      await expect(1, 'SET', 'k', 'v', 'KEEPTTL', 'XX');
      await expect(0, 'SETNX', 'k', 'v');
      await expect(2, 'SETEX', 'k', '10', 'v');
      await expect(2, 'PSETEX', 'k', '10000', 'v');
      await expect(0, 'GETEX', 'k');
      await expect(1, 'GETEX', 'k', 'EX', '100');
      await expect(1, 'GETEX', 'k', 'PERSIST');
      await expect(0, 'GETEX', 'k', 'PERSIST');
      await expect(1, 'GETEX', 'k', 'EXAT', '1');
      await expect(1, 'SET', 'k', 'v');
      await expect(1, 'GETDEL', 'k');
      await expect(0, 'GETDEL', 'k');
      await expect(1, 'GETSET', 'k', 'v');
      await expect(3, 'MSET', 'a', '1', 'b', '2', 'a', '3');
      await expect(0, 'MSETNX', 'a', '1', 'c', '2');
      await expect(2, 'MSETNX', 'c', '1', 'd', '2');
      await expect(1, 'APPEND', 'a', 'x');
      await expect(1, 'APPEND', 'new', 'x');
      await expect(1, 'SETRANGE', 'a', '5', 'x');
      await expect(0, 'SETRANGE', 'a', '5', '');
      await expect(1, 'INCR', 'b');
      await expect(1, 'DECRBY', 'b', '5');
      await expect(0, 'INCR', 'a');
      await expect(1, 'INCRBYFLOAT', 'b', '1.5');
      await expect(0, 'INCRBYFLOAT', 'b', 'x');
      await expect(1, 'SETBIT', 'bits', '10', '1');
      await expect(0, 'SETBIT', 'bits', '10', '1');
      await expect(1, 'SETBIT', 'bits', '100', '0');
      await expect(1, 'BITFIELD', 'bits', 'SET', 'u8', '0', '1', 'SET', 'u8', '8', '2');
      await expect(0, 'BITFIELD', 'bits', 'SET', 'u8', '0', '1', 'GET', 'u8', '0');
      await expect(0, 'BITFIELD', 'bits', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1000');
      await expect(0, 'BITFIELD', 'fresh', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1000');
      await expect(1, 'BITOP', 'OR', 'dest', 'a', 'b');
      await expect(1, 'BITOP', 'AND', 'dest', 'missing');
      await expect(0, 'BITOP', 'AND', 'dest', 'missing');
      await sub.same('PING');
      sub.close();
    });
  },
  { engine: { config: { 'notify-keyspace-events': 'KEA' } }, redisArgs: ['--notify-keyspace-events', 'KEA'] },
);
