import assert from 'node:assert/strict';
import { type DiffPair, differential, type ParsedReply, parseFrame } from '@redkit/test-utils';

const range = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => String(from + i));

async function addAll(d: DiffPair, key: string, members: string[], batch = 500): Promise<void> {
  for (let i = 0; i < members.length; i += batch) await d.same('SADD', key, ...members.slice(i, i + batch));
}

/** The members of a set reply (RESP2 array or RESP3 set). */
function membersOf(reply: ParsedReply): string[] {
  const items = reply !== null && typeof reply === 'object' && 'set' in reply ? reply.set : reply;
  assert.ok(Array.isArray(items), `expected an aggregate, got ${JSON.stringify(reply)}`);
  return items as string[];
}

/** Checks a random reply: same length and aggregate type as Redis's, members of `pool`, distinct if asked. */
function checkRandom(
  pool: Iterable<string> | Set<string>,
  options: { length: number; distinct: boolean; ascending?: boolean },
): (redis: ParsedReply, engine: ParsedReply) => void {
  const allowed = pool instanceof Set ? pool : new Set(pool);
  return (redis, engine) => {
    const r = membersOf(redis);
    const e = membersOf(engine);
    assert.equal(Array.isArray(engine), Array.isArray(redis), 'aggregate type');
    assert.equal(e.length, r.length, 'reply length');
    assert.equal(e.length, options.length, 'expected length');
    for (const m of e) assert.ok(allowed.has(m), `unexpected member ${JSON.stringify(m)}`);
    if (options.distinct) assert.equal(new Set(e).size, e.length, 'distinct members');
    if (options.ascending) {
      for (let i = 1; i < e.length; i++) assert.ok(BigInt(e[i - 1]!) < BigInt(e[i]!), 'ascending order');
    }
  };
}

differential('sets', (s) => {
  s.test('SADD, SREM, SCARD, SISMEMBER and SMISMEMBER', async (d) => {
    await d.same('SADD', 's', 'a', 'b', 'c', 'a');
    await d.same('SADD', 's', 'a');
    await d.same('SADD', 's', 'd', 'a');
    await d.same('SCARD', 's');
    await d.same('SCARD', 'nokey');
    await d.same('SISMEMBER', 's', 'a');
    await d.same('SISMEMBER', 's', 'z');
    await d.same('SISMEMBER', 'nokey', 'a');
    await d.same('SMISMEMBER', 's', 'a', 'z', 'b', 'a');
    await d.same('SMISMEMBER', 'nokey', 'a', 'b');
    await d.same('SREM', 's', 'a', 'a', 'z');
    await d.same('SREM', 's', 'z');
    await d.same('SREM', 'nokey', 'a');
    await d.sameUnordered('SMEMBERS', 's');
    await d.same('SREM', 's', 'b', 'c', 'd', 'e');
    await d.same('EXISTS', 's');
    await d.same('SMEMBERS', 's');
    await d.same('SADD', 's');
    await d.same('SADD');
    await d.same('SREM', 's');
    await d.same('SCARD', 's', 'x');
    await d.same('SISMEMBER', 's');
    await d.same('SMISMEMBER', 's');
    await d.same('SMEMBERS');
    await d.same('SADD', 'e', '');
    await d.same('SISMEMBER', 'e', '');
    await d.same('SMEMBERS', 'e');
    await d.resp3();
    await d.same('SMEMBERS', 'e');
    await d.same('SMEMBERS', 'nokey');
    await d.same('SMISMEMBER', 'e', '', 'x');
    await d.same('SISMEMBER', 'e', '');
  });

  s.test('intset-encoded sets answer in ascending numeric order', async (d) => {
    await d.same(
      'SADD',
      'i',
      '5',
      '-3',
      '100',
      '0',
      '-9223372036854775808',
      '9223372036854775807',
      '42',
      '-1',
    );
    await d.same('OBJECT', 'ENCODING', 'i');
    await d.same('SMEMBERS', 'i');
    await d.same('SADD', 'i', '7', '-100', '1000000000000');
    await d.same('SMEMBERS', 'i');
    await d.same('SREM', 'i', '0', '42', 'x', '042');
    await d.same('SMEMBERS', 'i');
    await d.same('SISMEMBER', 'i', '05');
    await d.same('SISMEMBER', 'i', '5');
    await d.same('SMISMEMBER', 'i', '5', '+5', '5.0', '-0', 'x');
    await d.same('SRANDMEMBER', 'i', '100');
    await d.same('SSCAN', 'i', '0');
    await d.same('SUNION', 'i', 'nokey');
    await d.resp3();
    await d.same('SMEMBERS', 'i');
    await d.same('SRANDMEMBER', 'i', '100');
    for (const notCanonical of [
      '01',
      '+1',
      '-0',
      '1.0',
      ' 1',
      '9223372036854775808',
      '-9223372036854775809',
      '0x1',
    ]) {
      await d.same('SADD', `n${notCanonical}`, '1', notCanonical);
      await d.same('OBJECT', 'ENCODING', `n${notCanonical}`);
      await d.sameUnordered('SMEMBERS', `n${notCanonical}`);
    }
  });

  s.test('encoding thresholds: set-max-intset-entries and non-integers', async (d) => {
    await addAll(d, 'i', range(0, 512).reverse());
    await d.same('OBJECT', 'ENCODING', 'i');
    await d.same('SMEMBERS', 'i');
    await d.same('SADD', 'i', '511');
    await d.same('OBJECT', 'ENCODING', 'i');
    await d.same('SADD', 'i', '512');
    await d.same('OBJECT', 'ENCODING', 'i');
    await d.sameUnordered('SMEMBERS', 'i');
    await d.same('SREM', 'i', ...range(0, 500));
    await d.same('OBJECT', 'ENCODING', 'i');
    await d.sameUnordered('SMEMBERS', 'i');
    await d.same('SADD', 'm', '1', '2', 'x');
    await d.same('OBJECT', 'ENCODING', 'm');
    await d.same('SREM', 'm', 'x');
    await d.same('OBJECT', 'ENCODING', 'm');
    await d.same('SADD', 'h', 'x', '1');
    await d.same('OBJECT', 'ENCODING', 'h');
    await d.same('SADD', 'big', ...range(0, 600));
    await d.same('OBJECT', 'ENCODING', 'big');
    await d.same('SCARD', 'big');
  });

  s.test('binary members', async (d) => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const crlf = Buffer.from('x\r\ny\r\n');
    await d.same('SADD', 'b', all, crlf, Buffer.from([0]), Buffer.from([0, 0]), Buffer.from([255]));
    await d.same('SCARD', 'b');
    await d.same('SISMEMBER', 'b', all);
    await d.same('SMISMEMBER', 'b', crlf, Buffer.from([0]), Buffer.from([1]));
    await d.sameUnordered('SMEMBERS', 'b');
    await d.same('SREM', 'b', crlf);
    await d.same('SADD', 'one', Buffer.from([0, 13, 10, 255]));
    await d.same('SMEMBERS', 'one');
    await d.same('SPOP', 'one');
    await d.same('SSCAN', 'b', '0', 'MATCH', Buffer.from([0]));
  });

  s.test('WRONGTYPE on every set command', async (d) => {
    await d.same('HSET', 'h', 'a', '1');
    await d.same('SADD', 's', 'a');
    const calls: string[][] = [
      ['SADD', 'h', 'a'],
      ['SREM', 'h', 'a'],
      ['SMEMBERS', 'h'],
      ['SISMEMBER', 'h', 'a'],
      ['SMISMEMBER', 'h', 'a'],
      ['SCARD', 'h'],
      ['SMOVE', 'h', 's', 'a'],
      ['SMOVE', 's', 'h', 'a'],
      ['SMOVE', 's', 'h', 'zz'],
      ['SPOP', 'h'],
      ['SPOP', 'h', '2'],
      ['SPOP', 'h', '0'],
      ['SRANDMEMBER', 'h'],
      ['SRANDMEMBER', 'h', '2'],
      ['SRANDMEMBER', 'h', '0'],
      ['SINTER', 'h'],
      ['SINTER', 'nokey', 'h'],
      ['SINTER', 's', 'h'],
      ['SINTERCARD', '2', 'nokey', 'h'],
      ['SINTERSTORE', 'dst', 'nokey', 'h'],
      ['SUNION', 's', 'h'],
      ['SUNIONSTORE', 'dst', 's', 'h'],
      ['SDIFF', 'nokey', 'h'],
      ['SDIFF', 's', 'h'],
      ['SDIFFSTORE', 'dst', 's', 'h'],
      ['SSCAN', 'h', '0'],
    ];
    for (const argv of calls) await d.same(...argv);
    await d.same('SMOVE', 'nokey', 'h', 'a');
    await d.same('SPOP', 'h', '-1');
    await d.same('SRANDMEMBER', 'h', 'x');
    await d.same('SSCAN', 'h', 'x');
    await d.same('EXISTS', 'dst');
    await d.same('HGETALL', 'h');
  });

  s.test('SMOVE', async (d) => {
    await d.same('SADD', 'src', 'a', 'b', '1');
    await d.same('SADD', 'dst', 'x');
    await d.same('SMOVE', 'src', 'dst', 'a');
    await d.same('SMOVE', 'src', 'dst', 'a');
    await d.same('SMOVE', 'src', 'dst', 'zz');
    await d.same('SMOVE', 'nokey', 'dst', 'a');
    await d.same('SMOVE', 'src', 'src', 'b');
    await d.same('SMOVE', 'src', 'src', 'zz');
    await d.same('SADD', 'dst', 'b');
    await d.same('SMOVE', 'src', 'dst', 'b');
    await d.sameUnordered('SMEMBERS', 'dst');
    await d.same('SMOVE', 'src', 'fresh', '1');
    await d.same('EXISTS', 'src');
    await d.same('OBJECT', 'ENCODING', 'fresh');
    await d.same('SMEMBERS', 'fresh');
    await d.same('SADD', 'src2', 'word');
    await d.same('SMOVE', 'src2', 'fresh2', 'word');
    await d.same('OBJECT', 'ENCODING', 'fresh2');
    await d.same('SADD', 'ints', '1', '2', '3');
    await d.same('SMOVE', 'fresh2', 'ints', 'word');
    await d.same('OBJECT', 'ENCODING', 'ints');
    await d.same('SMOVE', 'src', 'dst');
    await d.same('SMOVE', 'src', 'dst', 'a', 'b');
  });

  s.test('SPOP without and with a count', async (d) => {
    await d.same('SPOP', 'nokey');
    await d.same('SPOP', 'nokey', '3');
    await d.same('SPOP', 'nokey', '0');
    await d.same('SADD', 'one', 'only');
    await d.same('SPOP', 'one');
    await d.same('EXISTS', 'one');
    await d.same('SADD', 's', ...range(1, 11));
    await d.same('SPOP', 's', '0');
    for (const bad of ['-1', 'x', '1.5', '', '-9223372036854775808', '9223372036854775808']) {
      await d.same('SPOP', 's', bad);
      await d.same('SPOP', 'nokey', bad);
    }
    await d.same('SPOP', 's', '1', '2');
    await d.same('SPOP');
    const pool = range(1, 11);
    await d.compare(['SPOP', 's'], checkRandomSingle(pool));
    await d.same('SCARD', 's');
    await d.compare(['SPOP', 's', '2'], checkRandom(pool, { length: 2, distinct: true }));
    await d.same('SCARD', 's');
    // Popping most of an intset answers the popped members in ascending order, as Redis does.
    await d.same('SADD', 'most', ...range(1, 21));
    await d.compare(
      ['SPOP', 'most', '18'],
      checkRandom(range(1, 21), { length: 18, distinct: true, ascending: true }),
    );
    await d.same('SCARD', 'most');
    await d.same('OBJECT', 'ENCODING', 'most');
    // A count at least the size answers the whole set (ascending for an intset) and deletes the key.
    await d.same('SADD', 'all', '3', '1', '2');
    await d.same('SPOP', 'all', '3');
    await d.same('EXISTS', 'all');
    await d.same('SADD', 'all', '3', '1', '2');
    await d.same('SPOP', 'all', '9223372036854775807');
    await d.same('SADD', 'words', 'a', 'b', 'c');
    await d.sameUnordered('SPOP', 'words', '5');
    await d.same('EXISTS', 'words');
    await d.resp3();
    await d.same('SPOP', 'nokey');
    await d.same('SPOP', 'nokey', '2');
    await d.same('SADD', 'all', '3', '1', '2');
    await d.same('SPOP', 'all', '0');
    await d.same('SPOP', 'all', '3');
    await d.same('SADD', 'r', ...range(1, 11));
    await d.compare(['SPOP', 'r', '3'], checkRandom(range(1, 11), { length: 3, distinct: true }));
  });

  s.test('SPOP keeps the TTL and follows Redis when most members go', async (d) => {
    // A hashtable set of integers that keeps only one member becomes an intset again (new set).
    await d.same('SADD', 'h', ...range(0, 600));
    await d.same('OBJECT', 'ENCODING', 'h');
    await d.same('EXPIRE', 'h', '1000');
    await d.compare(['SPOP', 'h', '599'], checkRandom(range(0, 600), { length: 599, distinct: true }));
    await d.same('OBJECT', 'ENCODING', 'h');
    await d.same('SCARD', 'h');
    await d.same('TTL', 'h');
    // Popping a few keeps the hashtable.
    await d.same('SADD', 'k', ...range(0, 600));
    await d.compare(['SPOP', 'k', '10'], checkRandom(range(0, 600), { length: 10, distinct: true }));
    await d.same('OBJECT', 'ENCODING', 'k');
    await d.same('SCARD', 'k');
    // A hashtable set of few integers is answered through an intset union: ascending.
    await d.same('SADD', 'shrunk', ...range(0, 600));
    await d.same('SREM', 'shrunk', ...range(0, 590));
    await d.same('OBJECT', 'ENCODING', 'shrunk');
    await d.same('SUNION', 'shrunk');
    await d.same('SDIFF', 'shrunk', 'nokey');
    await d.sameUnordered('SMEMBERS', 'shrunk');
    await d.sameUnordered('SRANDMEMBER', 'shrunk', '20');
    await d.same('SPOP', 'shrunk', '10');
    await d.same('SADD', 'w', 'a', 'b', 'c', 'd', 'e', 'f', '1');
    await d.compare(
      ['SPOP', 'w', '6'],
      checkRandom(['a', 'b', 'c', 'd', 'e', 'f', '1'], { length: 6, distinct: true }),
    );
    await d.same('SCARD', 'w');
  });

  s.test('SRANDMEMBER', async (d) => {
    await d.same('SRANDMEMBER', 'nokey');
    await d.same('SRANDMEMBER', 'nokey', '3');
    await d.same('SRANDMEMBER', 'nokey', '-3');
    await d.same('SRANDMEMBER', 'nokey', '0');
    await d.same('SADD', 'one', 'only');
    await d.same('SRANDMEMBER', 'one');
    await d.same('SRANDMEMBER', 'one', '-5');
    await d.same('SRANDMEMBER', 'one', '1');
    await d.same('SADD', 'i', '30', '10', '20');
    await d.same('SRANDMEMBER', 'i', '0');
    await d.same('SRANDMEMBER', 'i', '3');
    await d.same('SRANDMEMBER', 'i', '9223372036854775807');
    for (const bad of ['x', '1.5', '', '-9223372036854775808', '9223372036854775808']) {
      await d.same('SRANDMEMBER', 'i', bad);
      await d.same('SRANDMEMBER', 'nokey', bad);
    }
    await d.same('SRANDMEMBER', 'i', '1', '2');
    await d.same('SRANDMEMBER');
    await d.compare(['SRANDMEMBER', 'i'], checkRandomSingle(['10', '20', '30']));
    await d.compare(
      ['SRANDMEMBER', 'i', '2'],
      checkRandom(['10', '20', '30'], { length: 2, distinct: true }),
    );
    await d.compare(
      ['SRANDMEMBER', 'i', '-10'],
      checkRandom(['10', '20', '30'], { length: 10, distinct: false }),
    );
    await d.same('SCARD', 'i');
    const words = range(0, 300).map((i) => `w${i}`);
    await d.same('SADD', 'w', ...words);
    await d.sameUnordered('SRANDMEMBER', 'w', '300');
    for (const count of [1, 5, 99, 100, 101, 150, 299]) {
      await d.compare(
        ['SRANDMEMBER', 'w', String(count)],
        checkRandom(words, { length: count, distinct: true }),
      );
    }
    await d.compare(['SRANDMEMBER', 'w', '-1000'], checkRandom(words, { length: 1000, distinct: false }));
    await d.resp3();
    await d.same('SRANDMEMBER', 'nokey');
    await d.same('SRANDMEMBER', 'nokey', '2');
    await d.same('SRANDMEMBER', 'i', '5');
    await d.same('SRANDMEMBER', 'one', '-2');
    await d.compare(['SRANDMEMBER', 'w', '7'], checkRandom(words, { length: 7, distinct: true }));
  });

  s.test('SINTER, SINTERCARD and SINTERSTORE', async (d) => {
    await d.same('SADD', 'a', ...range(0, 20));
    await d.same('SADD', 'b', ...range(10, 40));
    await d.same('SADD', 'c', ...range(5, 15), 'x', 'y');
    await d.same('SINTER', 'a', 'b');
    await d.same('SINTER', 'b', 'a');
    await d.sameUnordered('SINTER', 'a', 'b', 'c');
    await d.same('SINTER', 'a');
    await d.same('SINTER', 'a', 'a');
    await d.same('SINTER', 'a', 'nokey');
    await d.same('SINTER', 'nokey', 'a');
    await d.sameUnordered('SINTER', 'c', 'c');
    await d.same('SINTERCARD', '2', 'a', 'b');
    await d.same('SINTERCARD', '3', 'a', 'b', 'c');
    await d.same('SINTERCARD', '1', 'a');
    await d.same('SINTERCARD', '2', 'a', 'a');
    await d.same('SINTERCARD', '3', 'c', 'a', 'c', 'LIMIT', '2');
    await d.same('SINTERCARD', '2', 'a', 'nokey');
    await d.same('SINTERCARD', '2', 'a', 'b', 'LIMIT', '0');
    await d.same('SINTERCARD', '2', 'a', 'b', 'LIMIT', '3');
    await d.same('SINTERCARD', '2', 'a', 'b', 'limit', '100');
    await d.same('SINTERCARD', '2', 'a', 'b', 'LIMIT', '1', 'LIMIT', '2');
    for (const bad of [
      ['0', 'a'],
      ['-1', 'a'],
      ['x', 'a'],
      ['', 'a'],
      ['9223372036854775808', 'a'],
      ['3', 'a', 'b'],
      ['1', 'a', 'LIMIT'],
      ['1', 'a', 'LIMIT', '-1'],
      ['1', 'a', 'LIMIT', 'x'],
      ['1', 'a', 'LIMIT', '1.5'],
      ['1', 'a', 'FOO', '1'],
      ['1', 'a', 'b'],
    ]) {
      await d.same('SINTERCARD', ...bad);
    }
    await d.same('SINTERCARD', '1');
    await d.same('SINTERSTORE', 'dst', 'a', 'b');
    await d.same('SMEMBERS', 'dst');
    await d.same('OBJECT', 'ENCODING', 'dst');
    await d.same('SINTERSTORE', 'dst', 'a', 'c');
    await d.same('SMEMBERS', 'dst');
    await d.same('SADD', 'w1', 'p', 'q', 'r', '1');
    await d.same('SADD', 'w2', 'q', 'r', 's', '1');
    await d.same('SINTERSTORE', 'dst', 'w1', 'w2');
    await d.same('OBJECT', 'ENCODING', 'dst');
    await d.sameUnordered('SMEMBERS', 'dst');
    await d.sameUnordered('SINTER', 'w1', 'w2');
    await d.same('SINTERSTORE', 'dst', 'a', 'w1');
    await d.same('SINTER', 'a', 'w1');
    await d.same('SINTERSTORE', 'dst', 'a', 'x1');
    await d.same('EXISTS', 'dst');
    await d.same('SINTERSTORE', 'dst', 'a', 'nokey');
    await d.same('HSET', 'hash', 'f', 'v');
    await d.same('SINTERSTORE', 'hash', 'a', 'b');
    await d.same('TYPE', 'hash');
    await d.same('EXPIRE', 'hash', '100');
    await d.same('SINTERSTORE', 'hash', 'a', 'b');
    await d.same('TTL', 'hash');
    await d.same('SINTERSTORE', 'a', 'a', 'b');
    await d.same('SMEMBERS', 'a');
    await d.same('SINTERSTORE', 'dst');
    await d.resp3();
    await d.same('SINTER', 'a', 'b');
    await d.same('SINTER', 'a', 'nokey');
    await d.same('SINTERCARD', '2', 'a', 'b');
  });

  s.test('SUNION, SDIFF and their STORE forms', async (d) => {
    await d.same('SADD', 'a', '3', '1', '2');
    await d.same('SADD', 'b', '5', '4', '3');
    await d.same('SADD', 'w', 'x', 'y', '1');
    await d.same('SUNION', 'a', 'b');
    await d.same('SUNION', 'a', 'nokey', 'b');
    await d.same('SUNION', 'nokey');
    await d.same('SUNION', 'a', 'a');
    await d.sameUnordered('SUNION', 'a', 'w');
    await d.same('SDIFF', 'a', 'b');
    await d.same('SDIFF', 'b', 'a', 'nokey');
    await d.same('SDIFF', 'nokey', 'a');
    await d.same('SDIFF', 'a');
    await d.same('SDIFF', 'a', 'a');
    await d.same('SDIFF', 'a', 'b', 'a');
    await d.sameUnordered('SDIFF', 'w', 'a');
    await d.sameUnordered('SDIFF', 'w', 'nokey');
    await d.same('SUNIONSTORE', 'u', 'a', 'b');
    await d.same('SMEMBERS', 'u');
    await d.same('OBJECT', 'ENCODING', 'u');
    await d.same('SUNIONSTORE', 'u', 'a', 'w');
    await d.same('OBJECT', 'ENCODING', 'u');
    await d.same('SUNIONSTORE', 'u', 'nokey');
    await d.same('EXISTS', 'u');
    await d.same('SDIFFSTORE', 'df', 'a', 'b');
    await d.same('SMEMBERS', 'df');
    await d.same('SDIFFSTORE', 'df', 'w', 'a');
    await d.same('OBJECT', 'ENCODING', 'df');
    await d.sameUnordered('SMEMBERS', 'df');
    await d.same('SDIFFSTORE', 'df', 'a', 'a');
    await d.same('EXISTS', 'df');
    await d.same('SDIFFSTORE', 'a', 'a', 'b');
    await d.same('SMEMBERS', 'a');
    await d.same('SUNIONSTORE', 'dst');
    await d.same('SDIFFSTORE', 'dst');
    await d.same('SUNION');
    await d.resp3();
    await d.same('SUNION', 'a', 'b');
    await d.same('SUNION', 'nokey');
    await d.same('SDIFF', 'b', 'a');
  });

  s.test("SDIFF picks Redis's algorithm, which decides the stored encoding", async (d) => {
    await d.same('SADD', 'big', ...range(0, 600));
    await d.same('SADD', 'low', ...range(0, 100));
    await d.same('SADD', 'word', 'x');
    // Copy-and-remove: the result went through a hashtable.
    await d.same('SDIFFSTORE', 'r1', 'big', 'low', 'word');
    await d.same('OBJECT', 'ENCODING', 'r1');
    await d.same('SCARD', 'r1');
    await d.sameUnordered('SDIFF', 'big', 'low', 'word');
    // Walk-the-first-set: the result is built as an intset and answered in order.
    await d.same('SDIFFSTORE', 'r2', 'big', 'low');
    await d.same('OBJECT', 'ENCODING', 'r2');
    await d.same('SDIFF', 'big', 'low');
    await d.same('SUNIONSTORE', 'r3', 'low', 'word');
    await d.same('OBJECT', 'ENCODING', 'r3');
    await d.sameUnordered('SUNION', 'big', 'word');
    await d.same('SUNIONSTORE', 'r4', 'big', 'low');
    await d.same('OBJECT', 'ENCODING', 'r4');
    await d.same('SCARD', 'r4');
    await d.same('SINTERSTORE', 'r5', 'big', 'low');
    await d.same('OBJECT', 'ENCODING', 'r5');
    await d.same('SINTER', 'big', 'low');
  });

  s.test('SSCAN', async (d) => {
    await d.same('SADD', 'i', '3', '1', '22', '12');
    await d.same('SSCAN', 'i', '0');
    await d.same('SSCAN', 'i', '99');
    await d.same('SSCAN', 'i', '0', 'MATCH', '*2');
    await d.same('SSCAN', 'i', '0', 'COUNT', '1');
    await d.same('SSCAN', 'nokey', '0');
    await d.same('SSCAN', 'nokey', '0', 'COUNT', '0');
    for (const cursor of ['', '-1', 'x', '18446744073709551616', ' 0']) await d.same('SSCAN', 'i', cursor);
    for (const opts of [
      ['COUNT', '0'],
      ['COUNT', 'x'],
      ['MATCH'],
      ['TYPE', 'set'],
      ['COUNT', '1', 'BAD', '2'],
    ]) {
      await d.same('SSCAN', 'i', '0', ...opts);
    }
    await d.same('SSCAN', 'i');
    const words = range(0, 1000).map((i) => `m${i}`);
    await addAll(d, 'w', words);
    const results: string[][] = [];
    for (const side of [0, 1]) {
      const seen = new Set<string>();
      let cursor = '0';
      let calls = 0;
      do {
        const replies = await d.both('SSCAN', 'w', cursor, 'COUNT', '50');
        const reply = parseFrame(replies[side]!) as ParsedReply[];
        cursor = reply[0] as string;
        for (const m of reply[1] as string[]) seen.add(m);
        calls++;
      } while (cursor !== '0' && calls < 1000);
      results.push([...seen].sort());
    }
    assert.deepEqual(results[1], results[0]);
    assert.equal(results[0]!.length, 1000);
    let cursor = '0';
    const matched: string[] = [];
    do {
      const [, e] = await d.both('SSCAN', 'w', cursor, 'MATCH', 'm99?');
      const reply = parseFrame(e) as ParsedReply[];
      cursor = reply[0] as string;
      matched.push(...(reply[1] as string[]));
    } while (cursor !== '0');
    assert.deepEqual(
      matched.sort(),
      range(990, 1000).map((i) => `m${i}`),
    );
    await d.resp3();
    await d.same('SSCAN', 'i', '0');
  });

  s.test('SPOP and SRANDMEMBER stay fast on a 100,000-member set', async (d) => {
    const members = range(0, 100_000).map((i) => `member:${i}`);
    const pool = new Set(members);
    await addAll(d, 'huge', members, 5000);
    await d.same('SCARD', 'huge');
    const started = Date.now();
    for (let i = 0; i < 200; i++) {
      await d.compare(['SRANDMEMBER', 'huge', '5'], checkRandom(pool, { length: 5, distinct: true }));
      await d.compare(['SPOP', 'huge', '5'], checkRandom(pool, { length: 5, distinct: true }));
    }
    await d.compare(['SRANDMEMBER', 'huge', '-50'], checkRandom(pool, { length: 50, distinct: false }));
    await d.compare(['SPOP', 'huge'], checkRandomSingle(pool));
    await d.same('SCARD', 'huge');
    assert.ok(Date.now() - started < 5000, 'random commands on a big set took too long');
  });

  s.test('COMMAND INFO and GETKEYS for the set commands', async (d) => {
    await d.same('COMMAND', 'INFO', 'sadd', 'srem', 'smembers', 'sismember', 'smismember', 'scard', 'smove');
    await d.same('COMMAND', 'INFO', 'spop', 'srandmember', 'sinter', 'sintercard', 'sinterstore', 'sunion');
    await d.same('COMMAND', 'INFO', 'sunionstore', 'sdiff', 'sdiffstore', 'sscan');
    await d.same('COMMAND', 'GETKEYS', 'SINTERCARD', '2', 'a', 'b', 'LIMIT', '1');
    await d.same('COMMAND', 'GETKEYS', 'SMOVE', 'a', 'b', 'm');
    await d.same('COMMAND', 'GETKEYS', 'SDIFFSTORE', 'd', 'a', 'b');
  });

  s.test('sets inside MULTI/EXEC', async (d) => {
    await d.same('MULTI');
    await d.same('SADD', 's', '2', '1');
    await d.same('SPOP', 's', '-1');
    await d.same('SMEMBERS', 's');
    await d.same('SINTERCARD', '0', 's');
    await d.same('EXEC');
  });
});

function checkRandomSingle(pool: Iterable<string>): (redis: ParsedReply, engine: ParsedReply) => void {
  const allowed = new Set(pool);
  return (redis, engine) => {
    assert.equal(typeof redis, 'string');
    assert.ok(allowed.has(engine as string), `unexpected member ${JSON.stringify(engine)}`);
  };
}

differential(
  'sets with a small intset limit',
  (s) => {
    s.test('conversion at set-max-intset-entries', async (d) => {
      await d.same('SADD', 's', '4', '3', '2', '1');
      await d.same('OBJECT', 'ENCODING', 's');
      await d.same('SMEMBERS', 's');
      await d.same('SADD', 's', '5');
      await d.same('OBJECT', 'ENCODING', 's');
      await d.same('SADD', 'a', '1', '2', '3');
      await d.same('SADD', 'b', '4', '5', '6');
      await d.same('SUNIONSTORE', 'u', 'a', 'b');
      await d.same('OBJECT', 'ENCODING', 'u');
      await d.same('SINTERSTORE', 'i', 'a', 'a');
      await d.same('OBJECT', 'ENCODING', 'i');
      await d.same('SMOVE', 'a', 'b', '1');
      await d.same('OBJECT', 'ENCODING', 'b');
      await d.sameUnordered('SPOP', 'b', '10');
    });
  },
  {
    engine: { config: { 'set-max-intset-entries': '4' } },
    redisArgs: ['--set-max-intset-entries', '4'],
  },
);

differential(
  'set keyspace events',
  (s) => {
    s.test('sadd, srem, spop, smove, store and del events', async (d) => {
      const listener = await d.pair();
      await listener.same('PSUBSCRIBE', '__key*__:*');
      const next = async (n: number) => {
        for (let i = 0; i < n; i++) await listener.sameNext();
      };
      await d.same('SADD', 's', 'a', 'b', 'c');
      await next(2);
      await d.same('SADD', 's', 'a');
      await d.same('SREM', 's', 'zz');
      await d.same('SREM', 's', 'a');
      await next(2);
      await d.same('SMOVE', 's', 't', 'b');
      await next(4);
      await d.same('SMOVE', 's', 't', 'c');
      await next(6);
      await d.same('SADD', 'p', '1', '2', '3');
      await next(2);
      await d.same('SPOP', 'p', '0');
      await d.compare(['SPOP', 'p', '1'], () => {});
      await next(2);
      await d.compare(['SPOP', 'p', '5'], (r, e) => assert.equal(membersOf(e).length, membersOf(r).length));
      await next(4);
      await d.same('SADD', 'q', 'x');
      await next(2);
      await d.same('SPOP', 'q');
      await next(4);
      await d.same('SADD', 'a', '1', '2');
      await d.same('SADD', 'b', '2', '3');
      await next(4);
      await d.same('SINTERSTORE', 'd', 'a', 'b');
      await next(2);
      await d.same('SUNIONSTORE', 'd', 'a', 'b');
      await next(2);
      await d.same('SDIFFSTORE', 'd', 'a', 'b');
      await next(2);
      await d.same('SDIFFSTORE', 'd', 'a', 'a');
      await next(2);
      await d.same('SINTERSTORE', 'd', 'a', 'nokey');
      await d.same('SADD', 'end', 'x');
      await next(2);
      listener.close();
    });
  },
  {
    engine: { config: { 'notify-keyspace-events': 'KEA' } },
    redisArgs: ['--notify-keyspace-events', 'KEA'],
  },
);
