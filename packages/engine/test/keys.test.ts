import assert from 'node:assert/strict';
import { type DiffPair, differential, type ParsedReply, parseFrame } from '@redkit/test-utils';

const BINARY = Buffer.from([0, 1, 2, 13, 10, 0x7f, 0x80, 0xfe, 0xff]);
const BINARY_2 = Buffer.from([0xff, 0, 13, 10, 0]);

/** One key of each type, with small (compact) encodings. */
async function fillTypes(d: DiffPair): Promise<void> {
  await d.same('SET', 'str', 'hello');
  await d.same('RPUSH', 'list', 'a', 'b', 'c');
  await d.same('SADD', 'set', 'x', 'y');
  await d.same('ZADD', 'zset', '1', 'm', '2', 'n');
  await d.same('HSET', 'hash', 'f', 'v', 'g', 'w');
}

/** Iterates SCAN to completion on both servers and compares the sets of keys returned. */
async function scanAll(d: DiffPair, ...options: string[]): Promise<string[]> {
  const collect = async (send: (argv: string[]) => Promise<ParsedReply>): Promise<string[]> => {
    const seen = new Set<string>();
    let cursor = '0';
    for (let calls = 0; calls < 100_000; calls++) {
      const reply = (await send(['SCAN', cursor, ...options])) as [string, string[]];
      assert.ok(Array.isArray(reply) && reply.length === 2, `SCAN reply ${JSON.stringify(reply)}`);
      for (const key of reply[1]) seen.add(key);
      cursor = reply[0];
      if (cursor === '0') break;
    }
    return [...seen].sort();
  };
  const fromRedis = await collect(async (argv) => parseFrame(await d.redis.command(argv)));
  const fromEngine = await collect(async (argv) => parseFrame(await d.engine.command(argv)));
  assert.deepEqual(fromEngine, fromRedis, `SCAN ${options.join(' ')}`);
  return fromRedis;
}

differential('keys: DEL, EXISTS, TYPE, RENAME, COPY, MOVE, KEYS, SCAN, OBJECT', (s) => {
  s.test('DEL and UNLINK count the keys they remove', async (d) => {
    await fillTypes(d);
    await d.same('DEL', 'str', 'nosuch', 'str');
    await d.same('DEL', 'list', 'set');
    await d.same('UNLINK', 'zset', 'hash', 'zset', 'nosuch');
    await d.same('DEL', 'nosuch');
    await d.same('DBSIZE');
    await d.same('SET', BINARY, 'v');
    await d.same('EXISTS', BINARY);
    await d.same('DEL', BINARY);
    await d.same('EXISTS', BINARY);
    await d.same('DEL');
    await d.same('UNLINK');
  });

  s.test('EXISTS counts repeated keys; TOUCH answers how many exist', async (d) => {
    await fillTypes(d);
    await d.same('EXISTS', 'str');
    await d.same('EXISTS', 'str', 'str', 'str');
    await d.same('EXISTS', 'str', 'nosuch', 'list', 'set', 'zset', 'hash', 'hash');
    await d.same('EXISTS', 'nosuch');
    await d.same('EXISTS', '');
    await d.same('TOUCH', 'str', 'list', 'nosuch', 'str');
    await d.same('TOUCH', 'nosuch');
    await d.same('EXISTS');
    await d.same('TOUCH');
  });

  s.test('TYPE names every type (status reply, also in RESP3)', async (d) => {
    await fillTypes(d);
    for (const key of ['str', 'list', 'set', 'zset', 'hash', 'nosuch']) await d.same('TYPE', key);
    await d.same('SADD', 'intset', '1', '2');
    await d.same('TYPE', 'intset');
    await d.same('TYPE');
    await d.same('TYPE', 'a', 'b');
    await d.resp3();
    for (const key of ['str', 'list', 'set', 'zset', 'hash', 'nosuch']) await d.same('TYPE', key);
  });

  s.test('RENAME moves the value and its TTL, replacing the target', async (d) => {
    await d.same('SET', 'a', '1');
    await d.same('SET', 'b', '2');
    await d.same('EXPIRE', 'a', '100');
    await d.same('EXPIRE', 'b', '500');
    await d.same('RENAME', 'a', 'b');
    await d.same('GET', 'b');
    await d.same('TTL', 'b');
    await d.same('EXISTS', 'a');
    await d.same('RENAME', 'b', 'c');
    await d.same('TTL', 'c');
    await d.same('RENAME', 'nosuch', 'x');
    await d.same('RENAME', 'nosuch', 'nosuch');
    await d.same('RENAME', 'c', 'c');
    await d.same('TTL', 'c');
    await d.same('SET', 'd', '4');
    await d.same('EXPIRE', 'd', '100');
    await d.same('SET', 'e', '5');
    await d.same('RENAME', 'e', 'd');
    await d.same('TTL', 'd', 'persistent source replaces the target and its TTL');
    await d.same('RPUSH', 'l', 'a', 'b');
    await d.same('RENAME', 'l', 'd');
    await d.same('TYPE', 'd');
    await d.same('LRANGE', 'd', '0', '-1');
    await d.same('RENAME', 'd', BINARY);
    await d.same('LRANGE', BINARY, '0', '-1');
    await d.same('RENAME', BINARY, BINARY_2);
    await d.sameUnordered('KEYS', '*');
    await d.same('RENAME', 'a');
    await d.same('RENAME', 'a', 'b', 'c');
  });

  s.test('RENAMENX renames only onto a free name', async (d) => {
    await d.same('SET', 'a', '1');
    await d.same('SET', 'b', '2');
    await d.same('PEXPIRE', 'a', '100000');
    await d.same('RENAMENX', 'a', 'b');
    await d.same('GET', 'b');
    await d.same('RENAMENX', 'a', 'a');
    await d.same('RENAMENX', 'nosuch', 'nosuch');
    await d.same('RENAMENX', 'nosuch', 'b');
    await d.same('RENAMENX', 'a', 'c');
    await d.same('GET', 'c');
    await d.same('EXISTS', 'a');
    await d.compare(['PTTL', 'c'], (r, e) =>
      // The two servers set the TTL a moment apart: equal within a few ms.
      assert.ok(typeof e === 'number' && e > 99_000 && Math.abs(e - (r as number)) <= 50),
    );
    await d.same('RENAMENX', 'c');
  });

  s.test('RENAME onto a key whose TTL passed treats it as missing', async (d) => {
    await d.same('SET', 'a', '1');
    await d.same('SET', 'b', '2', 'PX', '30');
    await new Promise((r) => setTimeout(r, 60));
    await d.same('RENAMENX', 'a', 'b');
    await d.same('GET', 'b');
    await d.same('TTL', 'b');
  });

  s.test('COPY duplicates values deeply, with TTL, DB and REPLACE', async (d) => {
    await fillTypes(d);
    for (const key of ['str', 'list', 'set', 'zset', 'hash']) {
      await d.same('COPY', key, `${key}-copy`);
      await d.same('TYPE', `${key}-copy`);
      await d.same('OBJECT', 'ENCODING', `${key}-copy`);
    }
    // The copies are independent of their sources.
    await d.same('RPUSH', 'list-copy', 'd');
    await d.same('LRANGE', 'list', '0', '-1');
    await d.same('LRANGE', 'list-copy', '0', '-1');
    await d.same('SADD', 'set-copy', 'z');
    await d.same('SCARD', 'set');
    await d.same('ZADD', 'zset-copy', '5', 'm');
    await d.same('ZSCORE', 'zset', 'm');
    await d.same('HSET', 'hash-copy', 'f', 'changed');
    await d.same('HGET', 'hash', 'f');
    // Existing target: 0 unless REPLACE.
    await d.same('COPY', 'str', 'list');
    await d.same('COPY', 'str', 'list', 'REPLACE');
    await d.same('TYPE', 'list');
    await d.same('COPY', 'str', 'list', 'replace', 'REPLACE');
    // TTL comes along.
    await d.same('EXPIRE', 'str', '1000');
    await d.same('COPY', 'str', 'ttl-copy');
    await d.same('TTL', 'ttl-copy');
    // Other databases.
    await d.same('COPY', 'str', 'str', 'DB', '1');
    await d.same('COPY', 'str', 'str', 'DB', '1');
    await d.same('COPY', 'hash', 'str', 'db', '1', 'replace');
    await d.same('COPY', 'str', 'x', 'DB', '0', 'DB', '2');
    await d.same('SELECT', '1');
    await d.same('TYPE', 'str');
    await d.same('HGETALL', 'str');
    await d.same('SELECT', '2');
    await d.same('TTL', 'x');
    await d.same('SELECT', '0');
    // Errors, in Redis's order.
    await d.same('COPY', 'str', 'str');
    await d.same('COPY', 'nosuch', 'nosuch');
    await d.same('COPY', 'str', 'str', 'DB', '0');
    await d.same('COPY', 'nosuch', 'a');
    await d.same('COPY', 'str', 'a', 'DB');
    await d.same('COPY', 'str', 'a', 'DB', '16');
    await d.same('COPY', 'str', 'a', 'DB', '-1');
    await d.same('COPY', 'str', 'a', 'DB', 'x');
    await d.same('COPY', 'str', 'a', 'DB', '1.0');
    await d.same('COPY', 'str', 'a', 'DB', '4294967296');
    await d.same('COPY', 'str', 'a', 'DB', '99999999999999999999');
    await d.same('COPY', 'nosuch', 'a', 'DB', '99');
    await d.same('COPY', 'str', 'a', 'BADOPT');
    await d.same('COPY', 'str', 'a', 'REPLACE', 'x');
    await d.same('COPY', 'str');
    await d.same('COPY', BINARY, BINARY_2);
    await d.same('SET', BINARY, BINARY_2);
    await d.same('COPY', BINARY, BINARY_2);
    await d.same('GET', BINARY_2);
  });

  s.test('MOVE carries the value and TTL to another database', async (d) => {
    await d.same('SET', 'a', '1');
    await d.same('EXPIRE', 'a', '300');
    await d.same('MOVE', 'a', '1');
    await d.same('EXISTS', 'a');
    await d.same('MOVE', 'a', '1');
    await d.same('SELECT', '1');
    await d.same('GET', 'a');
    await d.same('TTL', 'a');
    await d.same('SET', 'b', 'in1');
    await d.same('SELECT', '0');
    await d.same('SET', 'b', 'in0');
    await d.same('MOVE', 'b', '1');
    await d.same('GET', 'b');
    await d.same('RPUSH', 'l', 'x');
    await d.same('MOVE', 'l', '15');
    await d.same('SELECT', '15');
    await d.same('LRANGE', 'l', '0', '-1');
    await d.same('SELECT', '0');
    await d.same('MOVE', 'b', '0');
    await d.same('MOVE', 'nosuch', '0');
    await d.same('MOVE', 'b', '16');
    await d.same('MOVE', 'nosuch', '99');
    await d.same('MOVE', 'b', '-1');
    await d.same('MOVE', 'b', 'x');
    await d.same('MOVE', 'b', '2147483648');
    await d.same('MOVE', 'b', '-2147483649');
    await d.same('MOVE', 'b', '');
    await d.same('MOVE', 'b');
    await d.same('MOVE', 'b', '1', '2');
    await d.same('SET', BINARY, 'v');
    await d.same('MOVE', BINARY, '3');
    await d.same('SELECT', '3');
    await d.same('GET', BINARY);
  });

  s.test('KEYS matches glob patterns and skips expired keys', async (d) => {
    for (const key of [
      'hello',
      'hallo',
      'hxllo',
      'hllo',
      'heeeello',
      'h*llo',
      'h[a]llo',
      'a',
      'ab',
      'abc',
      '',
    ]) {
      await d.same('SET', key, '1');
    }
    await d.same('SET', BINARY, '1');
    for (const pattern of [
      '*',
      'h?llo',
      'h*llo',
      'h[ae]llo',
      'h[^e]llo',
      'h[a-b]llo',
      'h\\*llo',
      'h\\[a\\]llo',
      'a*',
      '?',
      '??',
      '',
      'nomatch*',
      '*llo',
      '[',
      '*[',
      '\\',
      'H*',
    ]) {
      await d.sameUnordered('KEYS', pattern);
    }
    await d.sameUnordered('KEYS', Buffer.concat([Buffer.from([0]), Buffer.from('*')]));
    await d.same('SET', 'gone', '1', 'PX', '20');
    await new Promise((r) => setTimeout(r, 50));
    await d.sameUnordered('KEYS', '*');
    await d.same('KEYS');
    await d.same('KEYS', 'a', 'b');
    await d.resp3();
    await d.sameUnordered('KEYS', 'h*');
  });

  s.test('SCAN walks every key exactly once, with MATCH, COUNT and TYPE', async (d) => {
    const args: string[] = [];
    for (let i = 0; i < 300; i++) args.push(`key:${i}`, String(i));
    await d.same('MSET', ...args);
    for (let i = 0; i < 20; i++) {
      await d.same('RPUSH', `list:${i}`, 'a');
      await d.same('SADD', `set:${i}`, 'a');
      await d.same('ZADD', `zset:${i}`, '1', 'a');
      await d.same('HSET', `hash:${i}`, 'f', 'v');
    }
    assert.equal((await scanAll(d)).length, 380);
    await scanAll(d, 'COUNT', '1');
    await scanAll(d, 'COUNT', '7');
    await scanAll(d, 'COUNT', '1000');
    await scanAll(d, 'MATCH', 'key:1*');
    await scanAll(d, 'MATCH', '*:1?', 'COUNT', '3');
    await scanAll(d, 'MATCH', 'nomatch');
    await scanAll(d, 'MATCH', '*');
    await scanAll(d, 'match', 'a', 'MATCH', 'list:*');
    for (const type of ['string', 'list', 'set', 'zset', 'hash', 'stream', 'STRING', 'Hash', 'nosuchtype']) {
      await scanAll(d, 'TYPE', type);
    }
    await scanAll(d, 'TYPE', 'list', 'MATCH', '*1*', 'COUNT', '5');
    // One call with a large COUNT returns everything at once, on both servers.
    await d.compare(['SCAN', '0', 'COUNT', '100000', 'MATCH', 'hash:*'], (r, e) => {
      const [rc, rk] = r as [string, string[]];
      const [ec, ek] = e as [string, string[]];
      assert.equal(ec, rc);
      assert.deepEqual([...ek].sort(), [...rk].sort());
    });
  });

  s.test('SCAN of binary keys, keys that expire and an empty database', async (d) => {
    await d.same('SCAN', '0');
    await d.same('SET', BINARY, '1');
    await d.same('SET', BINARY_2, '2');
    await d.same('SET', 'gone', '1', 'PX', '20');
    await new Promise((r) => setTimeout(r, 50));
    await scanAll(d);
    await scanAll(d, 'MATCH', Buffer.from([0xff, 0x2a]).toString('latin1'));
    await d.sameUnordered('SCAN', '0', 'COUNT', '100');
    await d.resp3();
    await d.sameUnordered('SCAN', '0', 'COUNT', '100');
  });

  s.test('SCAN errors: cursor, COUNT and options', async (d) => {
    await d.same('SET', 'a', '1');
    for (const cursor of [
      'x',
      '1.5',
      ' 1',
      '1 ',
      '+',
      '-',
      '18446744073709551616',
      '-18446744073709551616',
      '0x10',
    ]) {
      await d.same('SCAN', cursor);
    }
    await d.same('SCAN', 'x', 'COUNT', '0');
    await d.same('SCAN', '0', 'COUNT', '0');
    await d.same('SCAN', '0', 'COUNT', '-1');
    await d.same('SCAN', '0', 'COUNT', 'x');
    await d.same('SCAN', '0', 'COUNT', '1.5');
    await d.same('SCAN', '0', 'COUNT', '99999999999999999999');
    await d.same('SCAN', '0', 'COUNT', '10', 'COUNT', '0');
    await d.same('SCAN', '0', 'COUNT');
    await d.same('SCAN', '0', 'MATCH');
    await d.same('SCAN', '0', 'TYPE');
    await d.same('SCAN', '0', 'foo', 'bar');
    await d.same('SCAN', '0', 'MATCH', 'a', 'foo');
    await d.same('SCAN');
    // Cursors Redis accepts (strtoul rules) on a database too small to differ.
    for (const cursor of ['0', '', '+0', '-0', '00']) await d.same('SCAN', cursor, 'COUNT', '100');
  });

  s.test('RANDOMKEY answers a live key, or null', async (d) => {
    await d.same('RANDOMKEY');
    await d.same('SET', 'only', '1');
    await d.same('RANDOMKEY');
    await d.same('SET', 'gone', '1', 'PX', '20');
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 10; i++) await d.same('RANDOMKEY');
    await d.same('DEL', 'only');
    await d.same('RANDOMKEY');
    for (let i = 0; i < 20; i++) await d.same('SET', `k${i}`, '1');
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      await d.compare(['RANDOMKEY'], (_r, e) => {
        assert.ok(typeof e === 'string' && /^k[0-9]+$/.test(e), `RANDOMKEY answered ${String(e)}`);
        seen.add(e);
      });
    }
    assert.ok(seen.size > 10, `RANDOMKEY drew only ${seen.size} distinct keys`);
    await d.same('RANDOMKEY', 'x');
    await d.resp3();
    await d.same('FLUSHDB');
    await d.same('RANDOMKEY');
  });

  s.test('OBJECT ENCODING, REFCOUNT, IDLETIME, FREQ and HELP', async (d) => {
    const strings: Record<string, string> = {
      int: '123',
      zero: '0',
      shared: '9999',
      unshared: '10000',
      negative: '-5',
      max: '9223372036854775807',
      min: '-9223372036854775808',
      toobig: '9223372036854775808',
      plus: '+1',
      leadingzero: '01',
      minuszero: '-0',
      space: ' 1',
      float: '1.5',
      empty: '',
      short: 'abc',
      at44: 'x'.repeat(44),
      at45: 'x'.repeat(45),
      long: 'y'.repeat(1000),
    };
    for (const [key, value] of Object.entries(strings)) {
      await d.same('SET', key, value);
      await d.same('OBJECT', 'ENCODING', key);
      await d.same('OBJECT', 'REFCOUNT', key);
    }
    await fillTypes(d);
    for (const key of ['list', 'set', 'zset', 'hash', 'nosuch']) {
      await d.same('OBJECT', 'ENCODING', key);
      await d.same('OBJECT', 'REFCOUNT', key);
    }
    // Redis's LRU clock ticks in seconds: a slow run may see 1 where the engine reports 0.
    const idle = (r: ParsedReply, e: ParsedReply) =>
      assert.ok(e === 0 && (r === 0 || r === 1), `${String(r)}`);
    await d.compare(['OBJECT', 'IDLETIME', 'short'], idle);
    await d.compare(['OBJECT', 'IDLETIME', 'list'], idle);
    await d.same('OBJECT', 'IDLETIME', 'nosuch');
    await d.same('OBJECT', 'FREQ', 'short');
    await d.same('OBJECT', 'FREQ', 'nosuch');
    await d.same('OBJECT', 'HELP');
    await d.same('object', 'encoding', 'short');
    // Errors.
    await d.same('OBJECT');
    await d.same('OBJECT', 'NOSUCH');
    await d.same('OBJECT', 'NOSUCH', 'key');
    await d.same('OBJECT', 'ENCODING');
    await d.same('OBJECT', 'ENCODING', 'a', 'b');
    await d.same('OBJECT', 'HELP', 'x');
    await d.same('OBJECT', 'FREQ');
    await d.resp3();
    await d.same('OBJECT', 'ENCODING', 'short');
    await d.same('OBJECT', 'ENCODING', 'nosuch');
    await d.same('OBJECT', 'REFCOUNT', 'zero');
    await d.same('OBJECT', 'HELP');
  });

  s.test('OBJECT ENCODING of a raw string survives RENAME, COPY and MOVE', async (d) => {
    await d.same('SET', 'r', 'abc');
    await d.same('APPEND', 'r', 'd');
    await d.same('OBJECT', 'ENCODING', 'r');
    await d.same('RENAME', 'r', 'r2');
    await d.same('OBJECT', 'ENCODING', 'r2');
    await d.same('COPY', 'r2', 'r3');
    await d.same('OBJECT', 'ENCODING', 'r3');
    await d.same('COPY', 'r2', 'r4', 'DB', '2');
    await d.same('MOVE', 'r3', '1');
    await d.same('SELECT', '1');
    await d.same('OBJECT', 'ENCODING', 'r3');
    await d.same('SELECT', '2');
    await d.same('OBJECT', 'ENCODING', 'r4');
    await d.same('SELECT', '0');
    await d.same('SET', 'e', 'abcd');
    await d.same('RENAME', 'e', 'r2');
    await d.same('OBJECT', 'ENCODING', 'r2');
    await d.same('SETRANGE', 'n', '0', '12');
    await d.same('RENAMENX', 'n', 'n2');
    await d.same('OBJECT', 'ENCODING', 'n2');
    await d.same('OBJECT', 'REFCOUNT', 'n2');
  });

  s.test('OBJECT FREQ and IDLETIME under an LFU policy; shared integers under maxmemory', async (d) => {
    const setBoth = async (name: string, value: string) => {
      await d.redis.command(['CONFIG', 'SET', name, value]);
      s.engine().config.set(name, value);
    };
    try {
      await setBoth('maxmemory-policy', 'allkeys-lfu');
      await d.same('SET', 'k', 'abc');
      await d.same('RPUSH', 'l', 'a');
      await d.same('OBJECT', 'FREQ', 'k');
      await d.same('OBJECT', 'FREQ', 'l');
      await d.same('OBJECT', 'FREQ', 'nosuch');
      await d.same('OBJECT', 'IDLETIME', 'k');
      await d.same('OBJECT', 'IDLETIME', 'nosuch');
      await setBoth('maxmemory', '100mb');
      await setBoth('maxmemory-policy', 'allkeys-lru');
      await d.same('SET', 'n', '7');
      await d.same('OBJECT', 'REFCOUNT', 'n');
      await d.same('OBJECT', 'ENCODING', 'n');
      await setBoth('maxmemory-policy', 'volatile-ttl');
      await d.same('SET', 'n', '7');
      await d.same('OBJECT', 'REFCOUNT', 'n');
    } finally {
      await setBoth('maxmemory', '0');
      await setBoth('maxmemory-policy', 'noeviction');
    }
  });
  s.test('SORT numbers and strings of lists, sets and sorted sets', async (d) => {
    await d.same('RPUSH', 'l', '3', '-1', '10', '2.5', '1e2', '-inf', '0', ' 4', '', '0x10');
    await d.same('SORT', 'l');
    await d.same('SORT', 'l', 'DESC');
    await d.same('SORT', 'l', 'ALPHA');
    await d.same('SORT', 'l', 'ALPHA', 'DESC');
    await d.same('SORT', 'l', 'asc', 'desc', 'asc');
    await d.same('SADD', 'intset', '5', '3', '-2', '100');
    await d.same('SORT', 'intset');
    await d.same('SORT', 'intset', 'DESC');
    await d.same('SADD', 'hset', 'b', 'a', 'C', 'aa', BINARY_2, '');
    await d.same('SORT', 'hset', 'ALPHA');
    await d.same('SORT', 'hset', 'ALPHA', 'DESC');
    await d.same('SORT', 'hset');
    await d.same('ZADD', 'z', '3', 'c', '1', 'a', '2', 'b', '0', '10', '5', '7');
    await d.same('SORT', 'z', 'ALPHA');
    await d.same('SORT', 'z', 'LIMIT', '0', '3', 'ALPHA');
    await d.same('OBJECT', 'ENCODING', 'z');
    await d.same('ZADD', 'zn', '3', '30', '1', '10', '2', '20');
    await d.same('SORT', 'zn', 'DESC');
    // Numeric ties are broken by the elements' bytes.
    await d.same('RPUSH', 'ties', '1.0', '1', '01', '1e0', '+1');
    await d.same('SORT', 'ties');
    await d.same('SORT', 'ties', 'DESC');
    await d.same('SORT', 'nosuch');
    await d.same('SORT', 'nosuch', 'ALPHA', 'LIMIT', '0', '1');
    await d.same('SORT_RO', 'l');
    await d.same('SORT_RO', 'hset', 'ALPHA', 'DESC', 'LIMIT', '1', '2');
  });

  s.test('SORT errors', async (d) => {
    await d.same('SET', 'str', 'x');
    await d.same('HSET', 'h', 'f', 'v');
    await d.same('RPUSH', 'l', '1', 'a', '2');
    await d.same('SORT', 'str');
    await d.same('SORT', 'h');
    await d.same('SORT', 'l');
    await d.same('SORT', 'l', 'ALPHA');
    await d.same('SORT', 'l', 'BY', 'nosort');
    await d.same('SORT', 'l', 'STORE', 'dst');
    await d.same('EXISTS', 'dst');
    // Weights are read by C's strtod, which stops at a NUL byte. (Tried first: after an ERANGE, Redis
    // fails later conversions on a stale errno until something resets it.)
    for (const bad of [
      '1\x002',
      'nan',
      'inf',
      '-inf',
      '1 ',
      'nan(1)',
      '0x',
      '.',
      '-.5',
      '1e-310',
      '1e400',
      '1e-400',
    ]) {
      await d.same('DEL', 'w');
      await d.same('RPUSH', 'w', bad, '1');
      await d.same('SORT', 'w');
    }
    await d.same('SORT', 'l', 'LIMIT', '0');
    await d.same('SORT', 'l', 'LIMIT', 'x', '1');
    await d.same('SORT', 'l', 'LIMIT', '0', 'x');
    await d.same('SORT', 'l', 'LIMIT', '0', '1.5', 'ALPHA');
    await d.same('SORT', 'l', 'ALPHA', 'FOO');
    await d.same('SORT', 'l', 'BY');
    await d.same('SORT', 'l', 'GET');
    await d.same('SORT', 'l', 'STORE');
    await d.same('SORT_RO', 'l', 'ALPHA', 'STORE', 'dst');
    await d.same('SORT', 'str', 'FOO');
    await d.same('SORT', 'str', 'LIMIT', 'x', '1');
    await d.same('SORT');
    await d.same('SORT_RO');
  });

  s.test('SORT LIMIT windows', async (d) => {
    await d.same('RPUSH', 'l', '5', '3', '9', '1', '7');
    await d.same('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
    const windows = [
      ['0', '2'],
      ['1', '3'],
      ['3', '10'],
      ['-5', '2'],
      ['0', '-1'],
      ['2', '-5'],
      ['0', '0'],
      ['4', '1'],
      ['5', '1'],
      ['100', '1'],
      ['-1', '-1'],
      ['9223372036854775807', '9223372036854775807'],
      ['-9223372036854775808', '9223372036854775807'],
      ['1', '9223372036854775807'],
    ];
    for (const [start, count] of windows) {
      await d.same('SORT', 'l', 'LIMIT', start!, count!);
      await d.same('SORT', 'l', 'LIMIT', start!, count!, 'DESC');
      await d.same('SORT', 'l', 'BY', 'nosort', 'LIMIT', start!, count!);
      await d.same('SORT', 'l', 'BY', 'nosort', 'LIMIT', start!, count!, 'DESC');
      await d.same('SORT', 'z', 'BY', 'nosort', 'LIMIT', start!, count!);
      await d.same('SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', start!, count!);
      await d.same('SORT', 'z', 'ALPHA', 'DESC', 'LIMIT', start!, count!);
    }
    await d.same('SORT', 'l', 'LIMIT', '0', '1', 'LIMIT', '2', '2');
    await d.same('SORT', 'nosuch', 'BY', 'nosort', 'LIMIT', '1', '1');
  });

  s.test('SORT BY and GET patterns, hash fields and #', async (d) => {
    await d.same('RPUSH', 'ids', '1', '2', '3', '4');
    await d.same(
      'MSET',
      'w_1',
      '40',
      'w_2',
      '10',
      'w_3',
      '30',
      'name_1',
      'one',
      'name_2',
      'two',
      'name_4',
      'four',
    );
    await d.same('HSET', 'obj_1', 'age', '7', 'name', 'x1');
    await d.same('HSET', 'obj_2', 'age', '3', 'name', 'x2');
    await d.same('HSET', 'obj_3', 'age', '5');
    await d.same('SORT', 'ids', 'BY', 'w_*');
    await d.same('SORT', 'ids', 'BY', 'w_*', 'DESC');
    await d.same('SORT', 'ids', 'BY', 'w_*', 'GET', 'name_*');
    await d.same(
      'SORT',
      'ids',
      'BY',
      'w_*',
      'GET',
      '#',
      'GET',
      'name_*',
      'GET',
      'obj_*->name',
      'GET',
      'nostar',
    );
    await d.same('SORT', 'ids', 'BY', 'obj_*->age');
    await d.same('SORT', 'ids', 'BY', 'obj_*->age', 'DESC', 'GET', 'obj_*->age');
    await d.same('SORT', 'ids', 'BY', 'obj_*->nofield');
    await d.same('SORT', 'ids', 'BY', 'name_*', 'ALPHA');
    await d.same('SORT', 'ids', 'BY', 'name_*', 'ALPHA', 'DESC');
    await d.same('SORT', 'ids', 'BY', 'w_*', 'LIMIT', '1', '2', 'GET', '#');
    await d.same('SORT', 'ids', 'BY', 'nosort', 'GET', 'name_*');
    await d.same('SORT', 'ids', 'BY', 'nosort', 'DESC');
    await d.same('SORT', 'ids', 'BY', 'nosort', 'BY', 'w_*');
    await d.same('SORT', 'ids', 'BY', 'w_*', 'BY', 'nosort');
    await d.same('SORT', 'ids', 'GET', 'obj_*->');
    await d.same('SORT', 'ids', 'GET', 'obj_*-');
    await d.same('SORT', 'ids', 'GET', '*');
    await d.same('SORT', 'ids', 'GET', 'w_*->x');
    await d.same('SORT', 'ids', 'BY', 'name_*');
    await d.same('SET', 'w_4', 'notanumber');
    await d.same('SORT', 'ids', 'BY', 'w_*');
    await d.same('SORT', 'ids', 'BY', 'w_*', 'ALPHA');
    await d.same('SET', 'w_4', '20');
    await d.same('DEL', 'w_2');
    await d.same('RPUSH', 'w_2', 'list');
    await d.same('SORT', 'ids', 'BY', 'w_*', 'GET', 'w_*');
    await d.same('SORT', 'ids', 'BY', 'obj_*->age', 'GET', '#', 'GET', '#');
    await d.same('SADD', 'bin', BINARY, 'plain');
    await d.same('SET', Buffer.concat([Buffer.from('k_'), BINARY]), '1');
    await d.same('SET', 'k_plain', '2');
    await d.same('SORT', 'bin', 'BY', 'k_*', 'GET', 'k_*', 'GET', '#');
    await d.resp3();
    await d.same('SORT', 'ids', 'BY', 'w_*', 'GET', 'name_*', 'GET', '#');
    await d.same('SORT', 'ids', 'BY', 'obj_*->age', 'GET', 'obj_*->name');
  });

  s.test('SORT STORE writes a list, replacing the target and its TTL', async (d) => {
    await d.same('RPUSH', 'l', '3', '1', '2');
    await d.same('SET', 'dst', 'old', 'EX', '100');
    await d.same('SORT', 'l', 'STORE', 'dst');
    await d.same('TYPE', 'dst');
    await d.same('TTL', 'dst');
    await d.same('LRANGE', 'dst', '0', '-1');
    await d.same('OBJECT', 'ENCODING', 'dst');
    await d.same('SORT', 'l', 'DESC', 'STORE', 'l');
    await d.same('LRANGE', 'l', '0', '-1');
    await d.same('SORT', 'l', 'GET', 'missing_*', 'GET', '#', 'STORE', 'dst');
    await d.same('LRANGE', 'dst', '0', '-1');
    await d.same('SORT', 'l', 'LIMIT', '5', '5', 'STORE', 'dst');
    await d.same('EXISTS', 'dst');
    await d.same('SORT', 'nosuch', 'STORE', 'dst');
    await d.same('SORT', 'l', 'STORE', 'a', 'STORE', 'b');
    await d.same('EXISTS', 'a', 'b');
    // A set stored without sorting is sorted ALPHA anyway, so the stored order is reproducible.
    await d.same('SADD', 's', 'b', 'c', 'a', '10', '9');
    await d.same('SORT', 's', 'BY', 'nosort', 'STORE', 'dst');
    await d.same('LRANGE', 'dst', '0', '-1');
    await d.same('SORT', 's', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2', 'STORE', 'dst');
    await d.same('LRANGE', 'dst', '0', '-1');
    await d.sameUnordered('SORT', 's', 'BY', 'nosort');
    await d.same('SORT', 's', 'ALPHA', 'STORE', BINARY);
    await d.same('LRANGE', BINARY, '0', '-1');
  });

  s.test('SORT STORE notifications and blocked clients', async (d) => {
    const sub = await d.pair();
    const setBoth = async (value: string) => {
      await d.redis.command(['CONFIG', 'SET', 'notify-keyspace-events', value]);
      s.engine().config.set('notify-keyspace-events', value);
    };
    try {
      await d.same('RPUSH', 'src', '2', '1');
      await setBoth('KEA');
      await sub.same('PSUBSCRIBE', '__key*__:*');
      await d.same('SORT', 'src', 'STORE', 'dst');
      await sub.sameNext();
      await sub.sameNext();
      await d.same('SORT', 'nosuch', 'STORE', 'dst');
      await sub.sameNext();
      await sub.sameNext();
      await d.same('SORT', 'nosuch', 'STORE', 'dst');
      await d.same('PING');
    } finally {
      await setBoth('');
      sub.close();
    }
    const waiter = await d.pair();
    const blocked = waiter.start('BLPOP', 'q', '5');
    await d.same('SORT', 'src', 'DESC', 'STORE', 'q');
    await blocked.same();
    await d.same('LRANGE', 'q', '0', '-1');
    waiter.close();
  });
});
