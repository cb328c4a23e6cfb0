import assert from 'node:assert/strict';
import { type DiffPair, differential, type ParsedReply, parseFrame } from '@redkit/test-utils';

/** A deterministic PRNG so a failing sequence replays. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** ZADD key score member … in batches. */
async function zaddAll(
  d: DiffPair,
  key: string,
  pairs: Array<[number | string, string]>,
  batch = 200,
): Promise<void> {
  for (let i = 0; i < pairs.length; i += batch) {
    await d.same('ZADD', key, ...pairs.slice(i, i + batch).flatMap(([s, m]) => [String(s), m]));
  }
}

const numbered = (n: number, prefix = 'm', score = (i: number) => i): Array<[number, string]> =>
  Array.from({ length: n }, (_, i) => [score(i), `${prefix}${i}`]);

/** Every byte value, "\r\n" and the empty string as members. */
const BINARY = [
  '',
  '\x00',
  '\x00\x00',
  '\r\n',
  'a\r\nb',
  '\xff',
  '\xfe\xff',
  '\x7f',
  '\x80',
  'A',
  'a',
  ' ',
  '\t',
];

/** Runs a complete ZSCAN on both servers and compares the collected member → score maps. */
async function fullScan(d: DiffPair, key: string, ...options: string[]): Promise<void> {
  const collect = async (client: DiffPair['redis']) => {
    const seen = new Map<string, string>();
    let cursor = '0';
    let calls = 0;
    do {
      const reply = parseFrame(await client.command(['ZSCAN', key, cursor, ...options])) as [
        string,
        string[],
      ];
      cursor = reply[0];
      for (let i = 0; i < reply[1].length; i += 2) seen.set(reply[1][i]!, reply[1][i + 1]!);
      assert.ok(++calls < 100_000);
    } while (cursor !== '0');
    return seen;
  };
  const [a, b] = await Promise.all([collect(d.redis), collect(d.engine)]);
  assert.deepEqual(new Map([...b].sort()), new Map([...a].sort()));
}

differential('sorted sets', (s) => {
  s.test('ZADD options, replies and errors', async (d) => {
    await d.same('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
    await d.same('ZADD', 'z', '1', 'a', '5', 'b');
    await d.same('ZADD', 'z', 'CH', '1', 'a', '6', 'b', '7', 'new');
    await d.same('ZADD', 'z', 'NX', '100', 'a', '4', 'd');
    await d.same('ZADD', 'z', 'XX', '100', 'a', '4', 'zz');
    await d.same('ZADD', 'z', 'XX', 'CH', '101', 'a', '4', 'zz');
    await d.same('ZADD', 'z', 'GT', 'CH', '50', 'a', '200', 'b', '1', 'gt-new');
    await d.same('ZADD', 'z', 'LT', 'CH', '50', 'a', '300', 'b', '1', 'lt-new');
    await d.same('ZADD', 'z', 'XX', 'GT', 'CH', '60', 'a', '1', 'x-new');
    await d.same('ZADD', 'z', 'xx', 'lt', 'ch', '10', 'a');
    await d.same('ZADD', 'z', 'gt', 'xx', 'ch', 'incr', '5', 'a');
    await d.same('ZRANGE', 'z', '0', '-1', 'WITHSCORES');
    await d.same('ZADD', 'z', 'INCR', '2.5', 'a');
    await d.same('ZADD', 'z', 'INCR', '1', 'brand-new');
    await d.same('ZADD', 'z', 'NX', 'INCR', '1', 'a');
    await d.same('ZADD', 'z', 'XX', 'INCR', '1', 'nosuch');
    await d.same('ZADD', 'z', 'GT', 'INCR', '-1', 'a');
    await d.same('ZADD', 'z', 'LT', 'INCR', '1', 'a');
    await d.same('ZADD', 'z', 'LT', 'INCR', '-1', 'a');
    await d.same('ZADD', 'z', 'INCR', '0', 'a');
    await d.same('ZADD', 'z', 'CH', 'INCR', '0', 'a');
    await d.same('ZADD', 'nokey', 'XX', '1', 'a');
    await d.same('ZADD', 'nokey', 'XX', 'INCR', '1', 'a');
    await d.same('EXISTS', 'nokey');
    await d.same('ZADD', 'z', 'NX', 'XX', '1', 'a');
    await d.same('ZADD', 'z', 'NX', 'XX', 'GT', '1', 'a');
    await d.same('ZADD', 'z', 'GT', 'LT', '1', 'a');
    await d.same('ZADD', 'z', 'NX', 'GT', '1', 'a');
    await d.same('ZADD', 'z', 'NX', 'LT', '1', 'a');
    await d.same('ZADD', 'z', 'INCR', '1', 'a', '2', 'b');
    await d.same('ZADD', 'z', 'INCR', 'NX', 'XX', '1', 'a', '2', 'b');
    await d.same('ZADD', 'z', '1');
    await d.same('ZADD', 'z', '1', 'a', '2');
    await d.same('ZADD', 'z', 'NX');
    await d.same('ZADD', 'z', 'NX', 'XX');
    await d.same('ZADD', 'z', 'x', 'a');
    await d.same('ZADD', 'z', '1', 'a', 'x', 'b');
    await d.same('ZADD', 'z', 'nan', 'a');
    await d.same('ZADD', 'z', '', 'a');
    await d.same('ZADD', 'z', ' 1', 'a');
    await d.same('ZADD', 'z', '1 ', 'a');
    await d.same('ZADD', 'z', '1e400', 'a');
    await d.same('ZADD', 'z', '(1', 'a');
    await d.same('ZADD', 'z', 'BAD', '1', 'a');
    await d.same('ZADD', 'z');
    await d.same('ZADD', 'z', '1');
    await d.same('ZADD');
    // A failed ZADD applies nothing.
    await d.same('ZADD', 'z', '7', 'p', 'x', 'q');
    await d.same('ZSCORE', 'z', 'p');
    await d.same('ZRANGE', 'z', '0', '-1', 'WITHSCORES');
  });

  s.test('INCR to NaN is refused and changes nothing', async (d) => {
    await d.same('ZADD', 'z', 'inf', 'a', '-inf', 'b');
    await d.same('ZADD', 'z', 'INCR', '-inf', 'a');
    await d.same('ZINCRBY', 'z', '-inf', 'a');
    await d.same('ZINCRBY', 'z', '+inf', 'b');
    await d.same('ZINCRBY', 'z', 'inf', 'a');
    await d.same('ZINCRBY', 'z', '1', 'a');
    await d.same('ZRANGE', 'z', '0', '-1', 'WITHSCORES');
    await d.same('ZADD', 'big', ...numbered(200).flatMap(([s, m]) => [String(s), m]));
    await d.same('ZADD', 'big', 'inf', 'm0');
    await d.same('ZADD', 'big', 'INCR', '-inf', 'm0');
    await d.same('ZSCORE', 'big', 'm0');
  });

  s.test('ZINCRBY', async (d) => {
    await d.same('ZINCRBY', 'z', '1', 'a');
    await d.same('ZINCRBY', 'z', '2.5', 'a');
    await d.same('ZINCRBY', 'z', '-10', 'a');
    await d.same('ZINCRBY', 'z', '1e300', 'b');
    await d.same('ZINCRBY', 'z', '1e300', 'b');
    await d.same('ZINCRBY', 'z', '0.1', 'c');
    await d.same('ZINCRBY', 'z', '0.2', 'c');
    await d.same('ZINCRBY', 'z', 'x', 'a');
    await d.same('ZINCRBY', 'z', 'NX', 'a');
    await d.same('ZINCRBY', 'z', 'incr', 'a');
    await d.same('ZINCRBY', 'z', '1');
    await d.same('ZINCRBY', 'z', '1', 'a', 'b');
    await d.same('ZRANGE', 'z', '0', '-1', 'WITHSCORES');
    await d.resp3();
    await d.same('ZINCRBY', 'z', '1', 'a');
    await d.same('ZADD', 'z', 'INCR', '1', 'a');
    await d.same('ZADD', 'z', 'NX', 'INCR', '1', 'a');
  });

  s.test('score formatting: integers, decimals, exponents, infinities, hex, -0', async (d) => {
    const scores = [
      '0',
      '-0',
      '1',
      '-1',
      '1.5',
      '0.1',
      '0.3',
      '3.0',
      '1e3',
      '1E3',
      '+1',
      '.5',
      '5.',
      '-.5',
      '123456789012345678',
      '9007199254740993',
      '1e17',
      '1e16',
      '1.5e16',
      '1e20',
      '1e-5',
      '1e-4',
      '0.0001',
      '1.2345678901234567e-300',
      '4.9e-324',
      '1.7976931348623157e308',
      '-1.7976931348623157e308',
      'inf',
      '-inf',
      '+inf',
      'INF',
      'Infinity',
      '-infinity',
      '0x10',
      '0x1p-2',
      '-0x1.8p1',
      '3.14159265358979',
      '100000000000000000000',
      '0.000001',
      '12345.678',
      '-987654321.123456789',
      '1e-323',
    ];
    for (let i = 0; i < scores.length; i++) await d.same('ZADD', 'small', scores[i]!, `m${i}`);
    await d.same('ZRANGE', 'small', '0', '-1', 'WITHSCORES');
    await d.same('ZSCAN', 'small', '0');
    for (let i = 0; i < scores.length; i++) await d.same('ZSCORE', 'small', `m${i}`);
    // The same scores in a skiplist-encoded set.
    await zaddAll(
      d,
      'big',
      numbered(150, 'pad', (i) => 1000 + i),
    );
    for (let i = 0; i < scores.length; i++) await d.same('ZADD', 'big', scores[i]!, `m${i}`);
    await d.same('OBJECT', 'ENCODING', 'big');
    await d.same('ZRANGE', 'big', '0', '-1', 'WITHSCORES');
    for (let i = 0; i < scores.length; i++) await d.same('ZSCORE', 'big', `m${i}`);
    await fullScan(d, 'big');
    await fullScan(d, 'big', 'MATCH', 'm*', 'COUNT', '7');
    await d.same('ZMSCORE', 'big', 'm0', 'm1', 'nosuch', 'm3');
    await d.resp3();
    await d.same('ZRANGE', 'small', '0', '-1', 'WITHSCORES');
    await d.same('ZRANGE', 'big', '0', '-1', 'WITHSCORES');
    await d.same('ZSCORE', 'small', 'm1');
    await d.same('ZSCORE', 'big', 'm1');
    await d.same('ZMSCORE', 'small', 'm0', 'nosuch', 'm27');
  });

  s.test('equal scores order by member bytes; binary members', async (d) => {
    const pairs = BINARY.map((m) => ['5', m] as [string, string]);
    await zaddAll(d, 'z', pairs);
    await d.same('ZRANGE', 'z', '0', '-1');
    await d.same('ZRANGE', 'z', '0', '-1', 'REV', 'WITHSCORES');
    for (const m of BINARY) {
      await d.same('ZRANK', 'z', m);
      await d.same('ZREVRANK', 'z', m);
      await d.same('ZSCORE', 'z', m);
    }
    await d.same('ZRANGEBYLEX', 'z', '[\x00', '(\xff');
    await d.same('ZRANGEBYLEX', 'z', '(\r\n', '+');
    await d.same('ZLEXCOUNT', 'z', '[\x7f', '[\x80');
    await d.same('ZREM', 'z', '\x00', '\r\n', 'nosuch');
    await d.same('ZRANGE', 'z', '0', '-1');
    await d.same('ZSCAN', 'z', '0', 'MATCH', '*\n*');
    // Members that look like integers sort as bytes too.
    await d.same('ZADD', 'n', '0', '10', '0', '9', '0', '-1', '0', '100', '0', '1a', '0', '01');
    await d.same('ZRANGE', 'n', '0', '-1');
    await d.same('ZSCAN', 'n', '0');
    // Long binary members in a skiplist.
    const long = Array.from({ length: 20 }, (_, i) => String.fromCharCode(255 - i).repeat(70 + i));
    await zaddAll(
      d,
      'big',
      long.map((m) => ['1', m] as [string, string]),
    );
    await d.same('OBJECT', 'ENCODING', 'big');
    await d.same('ZRANGE', 'big', '0', '-1');
    await d.same('ZRANGEBYLEX', 'big', `[${long[5]}`, `(${long[2]}`);
  });

  s.test('ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK', async (d) => {
    await zaddAll(d, 'z', [
      [1, 'a'],
      [2, 'b'],
      [2, 'c'],
      [3, 'd'],
    ]);
    await d.same('ZCARD', 'z');
    await d.same('ZCARD', 'nokey');
    await d.same('ZSCORE', 'z', 'c');
    await d.same('ZSCORE', 'z', 'nosuch');
    await d.same('ZSCORE', 'nokey', 'a');
    await d.same('ZMSCORE', 'z', 'a', 'nosuch', 'd', 'a');
    await d.same('ZMSCORE', 'nokey', 'a', 'b');
    for (const m of ['a', 'b', 'c', 'd', 'nosuch']) {
      await d.same('ZRANK', 'z', m);
      await d.same('ZREVRANK', 'z', m);
    }
    await d.same('ZRANK', 'nokey', 'a');
    await d.same('ZRANK', 'z', 'a', 'WITHSCORE');
    await d.same('ZREVRANK', 'z', 'a', 'WITHSCORE');
    await d.same('ZCARD');
    await d.same('ZCARD', 'z', 'y');
    await d.same('ZSCORE', 'z');
    await d.same('ZMSCORE', 'z');
    await d.same('ZRANK', 'z');
    await d.resp3();
    await d.same('ZSCORE', 'z', 'a');
    await d.same('ZSCORE', 'z', 'nosuch');
    await d.same('ZSCORE', 'nokey', 'a');
    await d.same('ZMSCORE', 'z', 'a', 'nosuch');
    await d.same('ZRANK', 'z', 'b');
    await d.same('ZRANK', 'z', 'nosuch');
    await d.same('ZRANK', 'nokey', 'a');
  });

  s.test('ZREM deletes the key once empty', async (d) => {
    await zaddAll(d, 'z', [
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    await d.same('ZREM', 'z', 'a', 'a', 'nosuch');
    await d.same('ZREM', 'z', 'nosuch');
    await d.same('ZREM', 'nokey', 'a');
    await d.same('ZREM', 'z', 'b', 'c', 'zz');
    await d.same('EXISTS', 'z');
    await d.same('ZREM', 'z');
    await d.same('ZREM');
  });

  s.test('WRONGTYPE for every command, and reads of other types', async (d) => {
    await d.same('SET', 'str', 'x');
    await d.same('HSET', 'hash', 'f', 'v');
    await d.same('ZADD', 'z', '1', 'a');
    const wrong: string[][] = [
      ['ZADD', 'str', '1', 'a'],
      ['ZADD', 'str', 'XX', '1', 'a'],
      ['ZINCRBY', 'str', '1', 'a'],
      ['ZCARD', 'str'],
      ['ZSCORE', 'str', 'a'],
      ['ZMSCORE', 'str', 'a'],
      ['ZRANK', 'str', 'a'],
      ['ZREVRANK', 'str', 'a'],
      ['ZREM', 'str', 'a'],
      ['ZCOUNT', 'str', '0', '1'],
      ['ZLEXCOUNT', 'str', '-', '+'],
      ['ZRANGE', 'str', '0', '1'],
      ['ZRANGE', 'str', '0', '1', 'BYSCORE'],
      ['ZRANGE', 'str', '-', '+', 'BYLEX'],
      ['ZREVRANGE', 'str', '0', '1'],
      ['ZRANGEBYSCORE', 'str', '0', '1'],
      ['ZREVRANGEBYSCORE', 'str', '1', '0'],
      ['ZRANGEBYLEX', 'str', '-', '+'],
      ['ZREVRANGEBYLEX', 'str', '+', '-'],
      ['ZRANGESTORE', 'dst', 'str', '0', '-1'],
      ['ZREMRANGEBYRANK', 'str', '0', '1'],
      ['ZREMRANGEBYSCORE', 'str', '0', '1'],
      ['ZREMRANGEBYLEX', 'str', '-', '+'],
      ['ZPOPMIN', 'str'],
      ['ZPOPMAX', 'str', '2'],
      ['ZMPOP', '2', 'nokey', 'str', 'MIN'],
      ['ZMPOP', '2', 'z', 'str', 'MIN'],
      ['ZRANDMEMBER', 'str'],
      ['ZRANDMEMBER', 'str', '2'],
      ['ZUNION', '2', 'z', 'str'],
      ['ZINTER', '2', 'z', 'hash'],
      ['ZDIFF', '2', 'z', 'str'],
      ['ZUNIONSTORE', 'dst', '2', 'z', 'str'],
      ['ZINTERSTORE', 'dst', '1', 'str'],
      ['ZDIFFSTORE', 'dst', '1', 'str'],
      ['ZINTERCARD', '2', 'z', 'str'],
      ['ZSCAN', 'str', '0'],
      ['BZPOPMIN', 'str', '0'],
      ['BZPOPMAX', 'nokey', 'str', '0'],
      ['BZMPOP', '0', '1', 'str', 'MIN'],
    ];
    for (const argv of wrong) await d.same(...argv);
    await d.same('GET', 'str');
    await d.same('EXISTS', 'dst');
    // A STORE overwrites a destination of any type.
    await d.same('ZUNIONSTORE', 'str', '1', 'z');
    await d.same('TYPE', 'str');
    await d.same('ZRANGESTORE', 'hash', 'z', '0', '-1');
    await d.same('TYPE', 'hash');
  });

  s.test('wrong number of arguments', async (d) => {
    const arity: string[][] = [
      ['ZADD', 'z', '1'],
      ['ZINCRBY', 'z', '1'],
      ['ZCARD'],
      ['ZCOUNT', 'z', '0'],
      ['ZLEXCOUNT', 'z', '-'],
      ['ZRANGE', 'z', '0'],
      ['ZRANGESTORE', 'd', 'z', '0'],
      ['ZREVRANGE', 'z', '0'],
      ['ZRANGEBYSCORE', 'z', '0'],
      ['ZREVRANGEBYSCORE', 'z', '0'],
      ['ZRANGEBYLEX', 'z', '-'],
      ['ZREVRANGEBYLEX', 'z', '-'],
      ['ZREMRANGEBYRANK', 'z', '0'],
      ['ZREMRANGEBYSCORE', 'z', '0', '1', '2'],
      ['ZREMRANGEBYLEX', 'z'],
      ['ZPOPMIN'],
      ['ZPOPMAX'],
      ['ZMPOP', '1', 'z'],
      ['ZRANDMEMBER'],
      ['ZUNION', '1'],
      ['ZINTER', '1'],
      ['ZDIFF', '1'],
      ['ZUNIONSTORE', 'd', '1'],
      ['ZINTERSTORE', 'd', '1'],
      ['ZDIFFSTORE', 'd', '1'],
      ['ZINTERCARD', '1'],
      ['ZSCAN', 'z'],
      ['BZPOPMIN', 'z'],
      ['BZPOPMAX', 'z'],
      ['BZMPOP', '0', '1', 'z'],
      ['ZSCORE', 'z', 'a', 'b'],
      ['ZRANK', 'z', 'a', 'b', 'c'],
    ];
    for (const argv of arity) await d.same(...argv);
  });

  s.test('ZRANGE by rank, ZREVRANGE, index edge cases', async (d) => {
    await zaddAll(d, 'z', numbered(10));
    const indexes = [
      '0',
      '1',
      '-1',
      '-2',
      '5',
      '9',
      '10',
      '11',
      '-10',
      '-11',
      '-100',
      '100',
      '9223372036854775807',
      '-9223372036854775808',
    ];
    for (const a of indexes) {
      for (const b of indexes) {
        await d.same('ZRANGE', 'z', a, b);
      }
    }
    await d.same('ZRANGE', 'z', '2', '5', 'WITHSCORES');
    await d.same('ZRANGE', 'z', '2', '5', 'REV');
    await d.same('ZRANGE', 'z', '2', '5', 'rev', 'withscores');
    await d.same('ZRANGE', 'z', '-3', '-1', 'REV', 'WITHSCORES');
    await d.same('ZREVRANGE', 'z', '0', '3');
    await d.same('ZREVRANGE', 'z', '0', '-1', 'WITHSCORES');
    await d.same('ZREVRANGE', 'z', '-2', '-1', 'withscores');
    await d.same('ZREVRANGE', 'z', '5', '2');
    await d.same('ZRANGE', 'nokey', '0', '-1');
    await d.same('ZRANGE', 'nokey', 'x', '-1');
    await d.same('ZRANGE', 'z', 'x', '1');
    await d.same('ZRANGE', 'z', '0', '1.5');
    await d.same('ZRANGE', 'z', '0', '9223372036854775808');
    await d.same('ZRANGE', 'z', '0', '1', 'LIMIT', '0', '1');
    await d.same('ZRANGE', 'z', '0', '1', 'LIMIT', '0', '-1');
    await d.same('ZRANGE', 'z', '0', '1', 'LIMIT', '0');
    await d.same('ZRANGE', 'z', '0', '1', 'LIMIT', 'x', '1');
    await d.same('ZRANGE', 'z', '0', '1', 'WITHSCORES', 'WITHSCORES', 'REV', 'REV');
    await d.same('ZRANGE', 'z', '0', '1', 'WITHSCORES', 'WITHSCORES', 'REV');
    await d.same('ZRANGE', 'z', '0', '1', 'BYSCORE', 'BYSCORE');
    await d.same('ZRANGE', 'z', '0', '1', 'BYSCORE', 'BYLEX');
    await d.same('ZRANGE', 'z', '0', '1', 'BYLEX', 'BYSCORE');
    await d.same('ZRANGE', 'z', '0', '1', 'FOO');
    await d.same('ZREVRANGE', 'z', '0', '1', 'REV');
    await d.same('ZREVRANGE', 'z', '0', '1', 'BYSCORE');
    await d.same('ZREVRANGE', 'z', '0', '1', 'LIMIT', '0', '1');
    await d.resp3();
    await d.same('ZRANGE', 'z', '0', '2', 'WITHSCORES');
    await d.same('ZRANGE', 'z', '0', '2');
    await d.same('ZREVRANGE', 'z', '0', '2', 'WITHSCORES');
    await d.same('ZRANGE', 'z', '5', '2', 'WITHSCORES');
    await d.same('ZRANGE', 'nokey', '0', '-1', 'WITHSCORES');
  });

  s.test('ZRANGE BYSCORE, ZRANGEBYSCORE, ZREVRANGEBYSCORE', async (d) => {
    await zaddAll(
      d,
      'z',
      [
        [-Infinity, 'ninf'],
        [1, 'a'],
        [2, 'b'],
        [2, 'bb'],
        [3, 'c'],
        [4.5, 'd'],
        [Infinity, 'pinf'],
      ].map(([s, m]) => [String(s).replace('Infinity', 'inf'), m as string]),
    );
    const bounds = [
      '-inf',
      '+inf',
      'inf',
      '-Infinity',
      '1',
      '(1',
      '2',
      '(2',
      '4.5',
      '(4.5',
      '0',
      '(0',
      '10',
      '(inf',
      '(-inf',
      '0x2',
      '1e0',
      '(',
      '',
      ' 2',
      '\t(2',
    ];
    for (const min of bounds) {
      for (const max of ['-inf', '+inf', '2', '(2', '(4.5', '(inf', '(', '']) {
        await d.same('ZRANGE', 'z', min, max, 'BYSCORE', 'WITHSCORES');
        await d.same('ZCOUNT', 'z', min, max);
      }
    }
    await d.same('ZRANGE', 'z', '+inf', '-inf', 'BYSCORE', 'REV', 'WITHSCORES');
    await d.same('ZRANGE', 'z', '(4.5', '(1', 'BYSCORE', 'REV');
    await d.same('ZRANGEBYSCORE', 'z', '-inf', '+inf');
    await d.same('ZRANGEBYSCORE', 'z', '(1', '3', 'WITHSCORES');
    await d.same('ZREVRANGEBYSCORE', 'z', '3', '(1', 'WITHSCORES');
    await d.same('ZREVRANGEBYSCORE', 'z', '(1', '3');
    const limits = [
      ['0', '2'],
      ['1', '2'],
      ['2', '-1'],
      ['0', '0'],
      ['-1', '2'],
      ['6', '1'],
      ['7', '1'],
      ['100', '5'],
      ['3', '-5'],
      ['0', '-1'],
    ];
    for (const [offset, count] of limits) {
      await d.same('ZRANGEBYSCORE', 'z', '-inf', '+inf', 'LIMIT', offset!, count!);
      await d.same('ZREVRANGEBYSCORE', 'z', '+inf', '-inf', 'WITHSCORES', 'LIMIT', offset!, count!);
      await d.same('ZRANGE', 'z', '(1', '+inf', 'BYSCORE', 'LIMIT', offset!, count!, 'WITHSCORES');
      await d.same('ZRANGE', 'z', '4', '(1', 'BYSCORE', 'REV', 'LIMIT', offset!, count!);
    }
    await d.same('ZRANGEBYSCORE', 'z', '-inf', '+inf', 'LIMIT', '0', '1', 'LIMIT', '1', '1');
    await d.same('ZRANGEBYSCORE', 'z', '-inf', '+inf', 'LIMIT', '0');
    await d.same('ZRANGEBYSCORE', 'z', '-inf', '+inf', 'LIMIT', '0', 'x');
    await d.same('ZRANGEBYSCORE', 'z', '-inf', '+inf', 'REV');
    await d.same('ZRANGEBYSCORE', 'z', '-inf', '+inf', 'BYSCORE');
    await d.same('ZRANGEBYSCORE', 'z', 'x', '+inf');
    await d.same('ZRANGEBYSCORE', 'z', '1', 'nan');
    await d.same('ZRANGEBYSCORE', 'z', '((1', '2');
    await d.same('ZRANGEBYSCORE', 'z', '1 ', '2');
    await d.same('ZRANGEBYSCORE', 'z', '1x', '2');
    await d.same('ZRANGEBYSCORE', 'z', '1\x00x', '2');
    await d.same('ZRANGEBYSCORE', 'z', '\x00', '2');
    await d.same('ZRANGEBYSCORE', 'z', '1e400', '-1e400');
    await d.same('ZRANGEBYSCORE', 'z', '-1e400', '1e400');
    await d.same('ZRANGEBYSCORE', 'z', '+', '2');
    await d.same('ZRANGEBYSCORE', 'nokey', '-inf', '+inf');
    await d.same('ZRANGEBYSCORE', 'nokey', 'x', '+inf');
    await d.same('ZCOUNT', 'z', 'x', '1');
    await d.same('ZCOUNT', 'nokey', '0', '1');
    await d.same('ZCOUNT', 'nokey', 'x', '1');
    await d.resp3();
    await d.same('ZRANGEBYSCORE', 'z', '-inf', '+inf', 'WITHSCORES');
    await d.same('ZREVRANGEBYSCORE', 'z', '+inf', '-inf', 'WITHSCORES', 'LIMIT', '1', '2');
    await d.same('ZRANGEBYSCORE', 'z', '5', '6', 'WITHSCORES');
  });

  s.test('ZRANGE BYLEX, ZRANGEBYLEX, ZREVRANGEBYLEX, ZLEXCOUNT', async (d) => {
    await zaddAll(
      d,
      'z',
      ['a', 'aa', 'ab', 'b', 'c', 'd', 'e', 'f', 'g'].map((m) => [0, m] as [number, string]),
    );
    const bounds = ['-', '+', '[a', '(a', '[aa', '(ab', '[b', '(c', '[g', '(g', '[z', '[', '('];
    for (const min of bounds) {
      for (const max of bounds) {
        await d.same('ZRANGEBYLEX', 'z', min, max);
        await d.same('ZLEXCOUNT', 'z', min, max);
      }
    }
    await d.same('ZREVRANGEBYLEX', 'z', '+', '-');
    await d.same('ZREVRANGEBYLEX', 'z', '[f', '(aa');
    await d.same('ZRANGE', 'z', '[b', '[e', 'BYLEX');
    await d.same('ZRANGE', 'z', '[e', '[b', 'BYLEX', 'REV');
    for (const [offset, count] of [
      ['0', '2'],
      ['1', '3'],
      ['2', '-1'],
      ['0', '0'],
      ['-1', '2'],
      ['8', '5'],
      ['9', '1'],
      ['50', '1'],
    ]) {
      await d.same('ZRANGEBYLEX', 'z', '-', '+', 'LIMIT', offset!, count!);
      await d.same('ZREVRANGEBYLEX', 'z', '+', '-', 'LIMIT', offset!, count!);
      await d.same('ZRANGE', 'z', '(a', '[f', 'BYLEX', 'LIMIT', offset!, count!);
      await d.same('ZRANGE', 'z', '[f', '(a', 'BYLEX', 'REV', 'LIMIT', offset!, count!);
    }
    for (const bad of [
      ['a', '+'],
      ['-', 'b'],
      ['+x', '+'],
      ['-', '-x'],
      ['', '+'],
      ['-', ''],
      ['\x00', '+'],
    ]) {
      await d.same('ZRANGEBYLEX', 'z', bad[0]!, bad[1]!);
      await d.same('ZLEXCOUNT', 'z', bad[0]!, bad[1]!);
      await d.same('ZREMRANGEBYLEX', 'z', bad[0]!, bad[1]!);
      await d.same('ZRANGEBYLEX', 'nokey', bad[0]!, bad[1]!);
    }
    await d.same('ZRANGEBYLEX', 'z', '+\x00x', '-\x00');
    await d.same('ZRANGEBYLEX', 'z', '-\x00x', '+\x00');
    await d.same('ZRANGEBYLEX', 'z', '-', '+', 'WITHSCORES');
    await d.same('ZRANGE', 'z', '-', '+', 'BYLEX', 'WITHSCORES');
    await d.same('ZREVRANGEBYLEX', 'z', '-', '+', 'WITHSCORES');
    await d.same('ZRANGEBYLEX', 'z', '-', '+', 'LIMIT', '1');
    await d.same('ZRANGEBYLEX', 'z', '-', '+', 'BYLEX');
    await d.same('ZRANGEBYLEX', 'nokey', '-', '+');
    await d.same('ZLEXCOUNT', 'nokey', '-', '+');
    await d.resp3();
    await d.same('ZRANGEBYLEX', 'z', '[b', '[d');
  });

  s.test('lex ranges over mixed scores follow the listpack scan', async (d) => {
    await zaddAll(d, 'z', [
      [1, 'a'],
      [2, 'z'],
      [3, 'b'],
      [4, 'y'],
      [5, 'c'],
    ]);
    for (const [min, max] of [
      ['[b', '[c'],
      ['[a', '[c'],
      ['-', '[c'],
      ['[b', '+'],
      ['(a', '(z'],
      ['[y', '[z'],
    ]) {
      await d.same('ZRANGEBYLEX', 'z', min!, max!);
      await d.same('ZREVRANGEBYLEX', 'z', max!, min!);
      await d.same('ZLEXCOUNT', 'z', min!, max!);
    }
    await d.same('ZREMRANGEBYLEX', 'z', '[b', '[c');
    await d.same('ZREMRANGEBYLEX', 'z', '[a', '[c');
    await d.same('ZRANGE', 'z', '0', '-1', 'WITHSCORES');
  });

  s.test('ZRANGESTORE', async (d) => {
    await zaddAll(d, 'z', numbered(10));
    await d.same('ZRANGESTORE', 'dst', 'z', '0', '3');
    await d.same('ZRANGE', 'dst', '0', '-1', 'WITHSCORES');
    await d.same('OBJECT', 'ENCODING', 'dst');
    await d.same('ZRANGESTORE', 'dst', 'z', '0', '3', 'REV');
    await d.same('ZRANGE', 'dst', '0', '-1', 'WITHSCORES');
    await d.same('ZRANGESTORE', 'dst', 'z', '(2', '7', 'BYSCORE', 'LIMIT', '1', '3');
    await d.same('ZRANGE', 'dst', '0', '-1', 'WITHSCORES');
    await d.same('ZRANGESTORE', 'dst', 'z', '7', '(2', 'BYSCORE', 'REV');
    await d.same('ZRANGE', 'dst', '0', '-1', 'WITHSCORES');
    await d.same('ZRANGESTORE', 'dst', 'z', '[m3', '+', 'BYLEX', 'LIMIT', '0', '2');
    await d.same('ZRANGE', 'dst', '0', '-1', 'WITHSCORES');
    await d.same('ZRANGESTORE', 'dst', 'z', '+', '[m3', 'BYLEX', 'REV');
    await d.same('ZRANGE', 'dst', '0', '-1', 'WITHSCORES');
    await d.same('ZRANGESTORE', 'dst', 'z', '5', '1');
    await d.same('EXISTS', 'dst');
    await d.same('ZRANGESTORE', 'dst', 'z', '0', '-1');
    await d.same('ZRANGESTORE', 'dst', 'nokey', '0', '-1');
    await d.same('EXISTS', 'dst');
    await d.same('ZRANGESTORE', 'dst', 'nokey', '0', '-1');
    await d.same('ZRANGESTORE', 'z', 'z', '2', '4');
    await d.same('ZRANGE', 'z', '0', '-1', 'WITHSCORES');
    await d.same('ZRANGESTORE', 'dst', 'z', '0', '-1', 'WITHSCORES');
    await d.same('ZRANGESTORE', 'dst', 'z', '0', '-1', 'LIMIT', '0', '1');
    await d.same('ZRANGESTORE', 'dst', 'z', 'a', '-1');
    await d.same('ZRANGESTORE', 'dst', 'z', 'a', '-1', 'BYSCORE');
    await d.same('ZRANGESTORE', 'dst', 'z', 'a', '-1', 'BYLEX');
    await d.same('SET', 'str', 'x');
    await d.same('EXPIRE', 'str', '100');
    await d.same('ZRANGESTORE', 'str', 'z', '0', '0');
    await d.same('TTL', 'str');
    await d.same('TYPE', 'str');
    await d.same('SET', 'str2', 'x');
    await d.same('ZRANGESTORE', 'str2', 'z', '10', '20');
    await d.same('EXISTS', 'str2');
    // Results above the listpack limit.
    await zaddAll(d, 'big', numbered(300));
    await d.same('ZRANGESTORE', 'dst', 'big', '0', '199');
    await d.same('OBJECT', 'ENCODING', 'dst');
    await d.same('ZRANGESTORE', 'dst', 'big', '0', '127');
    await d.same('OBJECT', 'ENCODING', 'dst');
    await d.same('ZRANGESTORE', 'dst', 'big', '0', '128');
    await d.same('OBJECT', 'ENCODING', 'dst');
    await d.same('ZRANGESTORE', 'dst', 'big', '-inf', '(128', 'BYSCORE');
    await d.same('OBJECT', 'ENCODING', 'dst');
    await d.same('ZRANGESTORE', 'dst', 'big', '-inf', '(129', 'BYSCORE');
    await d.same('OBJECT', 'ENCODING', 'dst');
    await d.same('ZRANGE', 'dst', '0', '-1', 'WITHSCORES');
  });

  s.test('ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX', async (d) => {
    const fresh = async () => {
      await d.same('DEL', 'z');
      await zaddAll(d, 'z', numbered(10));
    };
    for (const [a, b] of [
      ['0', '2'],
      ['-3', '-1'],
      ['5', '2'],
      ['8', '100'],
      ['-100', '0'],
      ['10', '11'],
      ['0', '-1'],
      ['-1', '-1'],
    ]) {
      await fresh();
      await d.same('ZREMRANGEBYRANK', 'z', a!, b!);
      await d.same('ZRANGE', 'z', '0', '-1');
    }
    for (const [a, b] of [
      ['2', '4'],
      ['(2', '(4'],
      ['-inf', '(3'],
      ['5', '1'],
      ['100', '+inf'],
      ['-inf', '+inf'],
      ['(', '1'],
    ]) {
      await fresh();
      await d.same('ZREMRANGEBYSCORE', 'z', a!, b!);
      await d.same('ZRANGE', 'z', '0', '-1');
    }
    await d.same('DEL', 'z');
    await zaddAll(
      d,
      'z',
      ['a', 'b', 'c', 'd', 'e'].map((m) => [0, m] as [number, string]),
    );
    await d.same('ZREMRANGEBYLEX', 'z', '(a', '[c');
    await d.same('ZRANGE', 'z', '0', '-1');
    await d.same('ZREMRANGEBYLEX', 'z', '[z', '+');
    await d.same('ZREMRANGEBYLEX', 'z', '-', '+');
    await d.same('EXISTS', 'z');
    await d.same('ZREMRANGEBYRANK', 'nokey', '0', '-1');
    await d.same('ZREMRANGEBYSCORE', 'nokey', '-inf', '+inf');
    await d.same('ZREMRANGEBYLEX', 'nokey', '-', '+');
    await d.same('ZREMRANGEBYRANK', 'nokey', 'x', '1');
    await d.same('ZREMRANGEBYSCORE', 'nokey', 'x', '1');
    await fresh();
    await d.same('ZREMRANGEBYRANK', 'z', '0', 'x');
    await d.same('ZREMRANGEBYSCORE', 'z', '0', 'x');
    await d.same('ZREMRANGEBYLEX', 'z', '0', '+');
    // Large sets: partial and near-complete removals.
    await zaddAll(d, 'big', numbered(1000));
    await d.same('ZREMRANGEBYRANK', 'big', '100', '199');
    await d.same('ZREMRANGEBYSCORE', 'big', '(500', '899');
    await d.same('ZREMRANGEBYRANK', 'big', '1', '-3');
    await d.same('ZRANGE', 'big', '0', '-1', 'WITHSCORES');
    await d.same('OBJECT', 'ENCODING', 'big');
  });

  s.test('ZPOPMIN, ZPOPMAX, ZMPOP', async (d) => {
    await zaddAll(d, 'z', numbered(6));
    await d.same('ZPOPMIN', 'z');
    await d.same('ZPOPMAX', 'z');
    await d.same('ZPOPMIN', 'z', '2');
    await d.same('ZPOPMAX', 'z', '0');
    await d.same('ZPOPMAX', 'z', '10');
    await d.same('EXISTS', 'z');
    await d.same('ZPOPMIN', 'z');
    await d.same('ZPOPMIN', 'z', '3');
    await d.same('ZPOPMIN', 'z', '-1');
    await d.same('ZPOPMIN', 'z', 'x');
    await d.same('ZPOPMIN', 'z', '1', '2');
    await zaddAll(d, 'z', numbered(6));
    await zaddAll(d, 'y', numbered(3, 'y'));
    await d.same('ZMPOP', '2', 'nokey', 'z', 'MIN');
    await d.same('ZMPOP', '2', 'z', 'y', 'max', 'COUNT', '2');
    await d.same('ZMPOP', '1', 'y', 'MIN', 'count', '10');
    await d.same('EXISTS', 'y');
    await d.same('ZMPOP', '1', 'y', 'MIN');
    await d.same('ZMPOP', '2', 'y', 'y', 'MIN');
    for (const bad of [
      ['0', 'z', 'MIN'],
      ['-1', 'z', 'MIN'],
      ['x', 'z', 'MIN'],
      ['2', 'z', 'MIN'],
      ['1', 'z', 'MID'],
      ['1', 'z', 'MIN', 'COUNT'],
      ['1', 'z', 'MIN', 'COUNT', '0'],
      ['1', 'z', 'MIN', 'COUNT', '-1'],
      ['1', 'z', 'MIN', 'COUNT', 'x'],
      ['1', 'z', 'MIN', 'COUNT', '1', 'COUNT', '1'],
      ['1', 'z', 'MIN', 'FOO'],
      ['9223372036854775807', 'z', 'MIN'],
    ]) {
      await d.same('ZMPOP', ...bad);
    }
    await d.resp3();
    await d.same('ZPOPMIN', 'z');
    await d.same('ZPOPMIN', 'z', '1');
    await d.same('ZPOPMAX', 'z', '2');
    await d.same('ZPOPMAX', 'z', '0');
    await d.same('ZPOPMIN', 'nokey');
    await d.same('ZPOPMIN', 'nokey', '2');
    await d.same('ZMPOP', '1', 'z', 'MIN');
    await d.same('ZMPOP', '1', 'nokey', 'MIN');
  });

  s.test('ZRANDMEMBER', async (d) => {
    const small = numbered(5);
    await zaddAll(d, 'z', small);
    const pool = new Set(small.map(([, m]) => m));
    const check =
      (length: number, distinct: boolean, flatScores = false) =>
      (redis: ParsedReply, engine: ParsedReply) => {
        assert.ok(Array.isArray(redis) && Array.isArray(engine));
        assert.equal(engine.length, redis.length);
        assert.equal(engine.length, length);
        if (Array.isArray(redis[0])) assert.ok(Array.isArray(engine[0]), 'pairs');
        const items = (engine as ParsedReply[]).filter((_, i) => !flatScores || i % 2 === 0);
        const got = items.map((x) => (Array.isArray(x) ? x[0] : x)) as string[];
        for (const m of got) assert.ok(pool.has(m), `unexpected ${m}`);
        if (distinct) assert.equal(new Set(got).size, got.length);
      };
    await d.compare(['ZRANDMEMBER', 'z'], (r, e) => {
      assert.equal(typeof e, 'string');
      assert.ok(pool.has(e as string));
      assert.equal(typeof r, 'string');
    });
    await d.compare(['ZRANDMEMBER', 'z', '3'], check(3, true));
    await d.compare(['ZRANDMEMBER', 'z', '1'], check(1, true));
    await d.compare(['ZRANDMEMBER', 'z', '-20'], check(20, false));
    await d.compare(['ZRANDMEMBER', 'z', '-3', 'WITHSCORES'], check(6, false, true));
    // Asking for at least the whole set returns it, highest score first.
    await d.same('ZRANDMEMBER', 'z', '5');
    await d.same('ZRANDMEMBER', 'z', '100', 'WITHSCORES');
    await d.same('ZRANDMEMBER', 'z', '0');
    await d.same('ZRANDMEMBER', 'z', '0', 'WITHSCORES');
    await d.same('ZRANDMEMBER', 'nokey');
    await d.same('ZRANDMEMBER', 'nokey', '5');
    await d.same('ZRANDMEMBER', 'nokey', '-5', 'WITHSCORES');
    await d.same('ZRANDMEMBER', 'z', 'x');
    await d.same('ZRANDMEMBER', 'z', '1', 'WITHSCORE');
    await d.same('ZRANDMEMBER', 'z', '1', 'WITHSCORES', 'x');
    await d.same('ZRANDMEMBER', 'z', 'x', 'WITHSCORES', 'x');
    await d.same('ZRANDMEMBER', 'z', '-9223372036854775808');
    await d.same('ZRANDMEMBER', 'z', '-9223372036854775807', 'WITHSCORES');
    await d.same('ZRANDMEMBER', 'z', '4611686018427387904', 'WITHSCORES');
    await d.same('ZRANDMEMBER', 'nokey', '9223372036854775807', 'WITHSCORES');
    // A skiplist-encoded set, each sampling strategy.
    const big = numbered(300);
    await zaddAll(d, 'big', big);
    for (const [, m] of big) pool.add(m);
    await d.compare(['ZRANDMEMBER', 'big', '250'], check(250, true));
    await d.compare(['ZRANDMEMBER', 'big', '20', 'WITHSCORES'], check(40, true, true));
    await d.compare(['ZRANDMEMBER', 'big', '-500'], check(500, false));
    await d.same('ZRANDMEMBER', 'big', '300', 'WITHSCORES');
    await d.resp3();
    await d.same('ZRANDMEMBER', 'z', '10', 'WITHSCORES');
    await d.compare(['ZRANDMEMBER', 'z', '-3', 'WITHSCORES'], check(3, false));
    await d.compare(['ZRANDMEMBER', 'big', '3', 'WITHSCORES'], check(3, true));
    await d.same('ZRANDMEMBER', 'nokey');
  });

  s.test('ZUNION, ZINTER, ZDIFF with weights and aggregates', async (d) => {
    await zaddAll(d, 'a', [
      [1, 'x'],
      [2, 'y'],
      [3, 'z'],
    ]);
    await zaddAll(d, 'b', [
      [10, 'y'],
      [20, 'z'],
      [30, 'w'],
    ]);
    await zaddAll(d, 'c', [
      [100, 'z'],
      [200, 'v'],
    ]);
    for (const op of ['ZUNION', 'ZINTER']) {
      await d.same(op, '2', 'a', 'b');
      await d.same(op, '2', 'a', 'b', 'WITHSCORES');
      await d.same(op, '3', 'a', 'b', 'c', 'WITHSCORES');
      await d.same(op, '2', 'a', 'b', 'WEIGHTS', '2', '0.5', 'WITHSCORES');
      await d.same(op, '2', 'a', 'b', 'WEIGHTS', '-1', '1', 'AGGREGATE', 'MIN', 'WITHSCORES');
      await d.same(op, '2', 'a', 'b', 'AGGREGATE', 'max', 'WITHSCORES');
      await d.same(op, '2', 'a', 'b', 'aggregate', 'sum', 'weights', '1', '2', 'withscores');
      await d.same(op, '2', 'a', 'nokey', 'WITHSCORES');
      await d.same(op, '1', 'nokey');
      await d.same(op, '2', 'a', 'a', 'WITHSCORES');
      await d.same(op, '2', 'a', 'a', 'WEIGHTS', '1', '3', 'WITHSCORES');
      await d.same(op, '2', 'a', 'b', 'WEIGHTS', '1');
      await d.same(op, '2', 'a', 'b', 'WEIGHTS', '1', 'x');
      await d.same(op, '2', 'a', 'b', 'WEIGHTS', '1', 'nan');
      await d.same(op, '2', 'a', 'b', 'AGGREGATE');
      await d.same(op, '2', 'a', 'b', 'AGGREGATE', 'AVG');
      await d.same(op, '2', 'a', 'b', 'FOO');
      await d.same(op, '2', 'a', 'b', 'LIMIT', '1');
      await d.same(op, '0', 'a');
      await d.same(op, '-1', 'a');
      await d.same(op, 'x', 'a');
      await d.same(op, '3', 'a', 'b');
      await d.same(op, '9223372036854775807', 'a');
    }
    await d.same('ZDIFF', '1', 'a', 'WITHSCORES');
    await d.same('ZDIFF', '2', 'a', 'b');
    await d.same('ZDIFF', '2', 'b', 'a', 'WITHSCORES');
    await d.same('ZDIFF', '3', 'b', 'a', 'c', 'WITHSCORES');
    await d.same('ZDIFF', '2', 'a', 'a');
    await d.same('ZDIFF', '2', 'nokey', 'a');
    await d.same('ZDIFF', '2', 'a', 'nokey');
    await d.same('ZDIFF', '2', 'a', 'b', 'WEIGHTS', '1', '2');
    await d.same('ZDIFF', '2', 'a', 'b', 'AGGREGATE', 'MIN');
    await d.same('ZDIFF', '0', 'a');
    await d.resp3();
    await d.same('ZUNION', '2', 'a', 'b', 'WITHSCORES');
    await d.same('ZINTER', '2', 'a', 'b', 'WITHSCORES');
    await d.same('ZDIFF', '2', 'b', 'a', 'WITHSCORES');
    await d.same('ZUNION', '2', 'a', 'b');
  });

  s.test('infinite scores: inf + -inf sums to 0, 0 * inf weighs 0', async (d) => {
    await zaddAll(d, 'p', [
      ['inf', 'x'],
      ['-inf', 'y'],
      ['5', 'z'],
    ]);
    await zaddAll(d, 'q', [
      ['-inf', 'x'],
      ['inf', 'y'],
      ['-5', 'z'],
    ]);
    await d.same('ZUNION', '2', 'p', 'q', 'WITHSCORES');
    await d.same('ZINTER', '2', 'p', 'q', 'WITHSCORES');
    await d.same('ZUNION', '2', 'p', 'q', 'WEIGHTS', '0', '1', 'WITHSCORES');
    await d.same('ZINTER', '2', 'p', 'q', 'WEIGHTS', '0', '0', 'WITHSCORES');
    await d.same('ZUNION', '2', 'p', 'q', 'AGGREGATE', 'MAX', 'WITHSCORES');
    await d.same('ZUNION', '2', 'p', 'q', 'WEIGHTS', 'inf', '-inf', 'WITHSCORES');
    await d.same('ZUNION', '1', 'p', 'WEIGHTS', '-0', 'WITHSCORES');
    await d.same('ZUNIONSTORE', 'dst', '2', 'p', 'q', 'WEIGHTS', '1e308', '1e308');
    await d.same('ZRANGE', 'dst', '0', '-1', 'WITHSCORES');
  });

  s.test('plain sets as inputs score 1', async (d) => {
    await d.same('SADD', 'ints', '1', '2', '3');
    await d.same('SADD', 'strs', 'a', 'b', '1');
    await zaddAll(d, 'z', [
      [5, '1'],
      [6, 'a'],
      [7, 'q'],
    ]);
    await d.same('ZUNION', '3', 'ints', 'strs', 'z', 'WITHSCORES');
    await d.same('ZINTER', '2', 'ints', 'z', 'WITHSCORES');
    await d.same('ZINTER', '2', 'strs', 'z', 'WEIGHTS', '10', '1', 'WITHSCORES');
    await d.same('ZINTER', '2', 'ints', 'strs', 'WITHSCORES');
    await d.same('ZDIFF', '2', 'z', 'ints', 'WITHSCORES');
    await d.same('ZDIFF', '2', 'strs', 'z', 'WITHSCORES');
    await d.same('ZINTERCARD', '2', 'ints', 'strs');
    await d.same('ZUNIONSTORE', 'dst', '2', 'ints', 'strs', 'AGGREGATE', 'MAX');
    await d.same('ZRANGE', 'dst', '0', '-1', 'WITHSCORES');
    await d.same('ZDIFFSTORE', 'dst', '1', 'ints');
    await d.same('ZRANGE', 'dst', '0', '-1', 'WITHSCORES');
    const many = Array.from({ length: 600 }, (_, i) => `s${i}`);
    await d.same('SADD', 'bigset', ...many);
    await d.same('ZINTERCARD', '2', 'bigset', 'bigset');
    await d.same('ZUNIONSTORE', 'dst', '1', 'bigset');
    await d.same('OBJECT', 'ENCODING', 'dst');
    await d.same('ZRANGE', 'dst', '0', '9', 'WITHSCORES');
  });

  s.test('ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE', async (d) => {
    await zaddAll(d, 'a', [
      [1, 'x'],
      [2, 'y'],
      [3, 'z'],
    ]);
    await zaddAll(d, 'b', [
      [10, 'y'],
      [20, 'z'],
      [30, 'w'],
    ]);
    await d.same('ZUNIONSTORE', 'dst', '2', 'a', 'b', 'WEIGHTS', '1', '2');
    await d.same('ZRANGE', 'dst', '0', '-1', 'WITHSCORES');
    await d.same('OBJECT', 'ENCODING', 'dst');
    await d.same('ZINTERSTORE', 'dst', '2', 'a', 'b', 'AGGREGATE', 'MIN');
    await d.same('ZRANGE', 'dst', '0', '-1', 'WITHSCORES');
    await d.same('ZDIFFSTORE', 'dst', '2', 'a', 'b');
    await d.same('ZRANGE', 'dst', '0', '-1', 'WITHSCORES');
    await d.same('ZINTERSTORE', 'dst', '2', 'a', 'nokey');
    await d.same('EXISTS', 'dst');
    await d.same('ZINTERSTORE', 'dst', '2', 'a', 'nokey');
    await d.same('ZUNIONSTORE', 'a', '2', 'a', 'b');
    await d.same('ZRANGE', 'a', '0', '-1', 'WITHSCORES');
    await d.same('ZUNIONSTORE', 'dst', '1', 'a', 'WITHSCORES');
    await d.same('ZINTERSTORE', 'dst', '1', 'a', 'LIMIT', '1');
    await d.same('ZDIFFSTORE', 'dst', '1', 'a', 'WEIGHTS', '1');
    await d.same('ZUNIONSTORE', 'dst', '0', 'a');
    await d.same('ZINTERSTORE', 'dst', 'x', 'a');
    await d.same('ZDIFFSTORE', 'dst', '2', 'a');
    // Results beyond the listpack limits are skiplists.
    await zaddAll(d, 'big1', numbered(100, 'p'));
    await zaddAll(d, 'big2', numbered(100, 'q'));
    await d.same('ZUNIONSTORE', 'dst', '2', 'big1', 'big2');
    await d.same('OBJECT', 'ENCODING', 'dst');
    await d.same('ZRANGE', 'dst', '0', '-1', 'WITHSCORES');
    await d.same('ZUNIONSTORE', 'dst', '1', 'big1');
    await d.same('OBJECT', 'ENCODING', 'dst');
    await d.same('ZADD', 'long', '1', 'x'.repeat(65));
    await d.same('ZUNIONSTORE', 'dst', '2', 'long', 'a');
    await d.same('OBJECT', 'ENCODING', 'dst');
    await d.same('ZREM', 'long', 'x'.repeat(65));
    await d.same('ZADD', 'conv', ...numbered(200).flatMap(([sc, m]) => [String(sc), m]));
    await d.same('ZREMRANGEBYRANK', 'conv', '0', '189');
    await d.same('OBJECT', 'ENCODING', 'conv');
    await d.same('ZUNIONSTORE', 'dst', '1', 'conv');
    await d.same('OBJECT', 'ENCODING', 'dst');
  });

  s.test('ZINTERCARD', async (d) => {
    await zaddAll(d, 'a', numbered(50));
    await zaddAll(d, 'b', numbered(30));
    await d.same('SADD', 'set', 'm1', 'm2', 'm3', 'zz');
    await d.same('ZINTERCARD', '2', 'a', 'b');
    await d.same('ZINTERCARD', '2', 'a', 'b', 'LIMIT', '0');
    await d.same('ZINTERCARD', '2', 'a', 'b', 'LIMIT', '10');
    await d.same('ZINTERCARD', '2', 'a', 'b', 'limit', '100');
    await d.same('ZINTERCARD', '3', 'a', 'b', 'set');
    await d.same('ZINTERCARD', '2', 'a', 'nokey');
    await d.same('ZINTERCARD', '2', 'a', 'b', 'LIMIT', '-1');
    await d.same('ZINTERCARD', '2', 'a', 'b', 'LIMIT', 'x');
    await d.same('ZINTERCARD', '2', 'a', 'b', 'LIMIT');
    await d.same('ZINTERCARD', '2', 'a', 'b', 'WEIGHTS', '1', '1');
    await d.same('ZINTERCARD', '2', 'a', 'b', 'AGGREGATE', 'SUM');
    await d.same('ZINTERCARD', '2', 'a', 'b', 'WITHSCORES');
    await d.same('ZINTERCARD', '0', 'a');
    await d.same('ZINTERCARD', 'x', 'a');
    await d.same('ZINTERCARD', '3', 'a', 'b');
  });

  s.test('ZSCAN', async (d) => {
    await zaddAll(d, 'z', [
      [1, 'a'],
      [2.5, 'b'],
      [1e20, 'c'],
      [-0.1, 'key:1'],
      [3, 'key:2'],
    ]);
    await d.same('ZSCAN', 'z', '0');
    await d.same('ZSCAN', 'z', '12345');
    await d.same('ZSCAN', 'z', '0', 'MATCH', 'key:*');
    await d.same('ZSCAN', 'z', '0', 'match', '*', 'count', '1');
    await d.same('ZSCAN', 'z', '0', 'COUNT', '0');
    await d.same('ZSCAN', 'z', '0', 'COUNT', '-1');
    await d.same('ZSCAN', 'z', '0', 'COUNT', 'x');
    await d.same('ZSCAN', 'z', '0', 'COUNT');
    await d.same('ZSCAN', 'z', '0', 'TYPE', 'zset');
    await d.same('ZSCAN', 'z', '0', 'FOO', 'bar');
    await d.same('ZSCAN', 'z', 'x');
    await d.same('ZSCAN', 'z', '-1');
    await d.same('ZSCAN', 'z', ' 1');
    await d.same('ZSCAN', 'z', '18446744073709551616');
    await d.same('ZSCAN', 'nokey', '0');
    await d.same('ZSCAN', 'nokey', '0', 'COUNT', '0');
    await d.same('ZSCAN', 'nokey', 'x');
    await zaddAll(
      d,
      'big',
      numbered(500, 'k', (i) => i / 8),
    );
    await fullScan(d, 'big');
    await fullScan(d, 'big', 'COUNT', '100');
    await fullScan(d, 'big', 'MATCH', 'k1*', 'COUNT', '3');
    await d.resp3();
    await d.same('ZSCAN', 'z', '0');
    await fullScan(d, 'big', 'COUNT', '1000');
  });

  s.test('crossing the listpack limits: entries and member length', async (d) => {
    await zaddAll(d, 'z', numbered(128));
    await d.same('OBJECT', 'ENCODING', 'z');
    await d.same('ZADD', 'z', '0', 'm0');
    await d.same('OBJECT', 'ENCODING', 'z');
    await d.same('ZADD', 'z', '500', 'extra');
    await d.same('OBJECT', 'ENCODING', 'z');
    await d.same('ZREM', 'z', 'extra', 'm1', 'm2');
    await d.same('OBJECT', 'ENCODING', 'z');
    await d.same('ZADD', 'v', '1', 'x'.repeat(64));
    await d.same('OBJECT', 'ENCODING', 'v');
    await d.same('ZADD', 'v', '1', 'y'.repeat(65));
    await d.same('OBJECT', 'ENCODING', 'v');
    await d.same('ZADD', 'w', '1', 'y'.repeat(65));
    await d.same('OBJECT', 'ENCODING', 'w');
    await d.same('ZADD', 'w2', '1', 'short', '2', 'y'.repeat(65));
    await d.same('OBJECT', 'ENCODING', 'w2');
    await d.same('ZINCRBY', 'w3', '1', 'y'.repeat(65));
    await d.same('OBJECT', 'ENCODING', 'w3');
    await d.same('COPY', 'z', 'zcopy');
    await d.same('OBJECT', 'ENCODING', 'zcopy');
    await d.same('ZRANGE', 'zcopy', '0', '-1', 'WITHSCORES');
  });

  s.test('large sets: random operations agree with Redis', async (d) => {
    const random = rng(1234);
    const pairs = numbered(3000, 'e', () => Math.floor(random() * 500) / 4);
    await zaddAll(d, 'z', pairs, 500);
    await d.same('OBJECT', 'ENCODING', 'z');
    await d.same('ZCARD', 'z');
    for (let i = 0; i < 200; i++) {
      const m = `e${Math.floor(random() * 3200)}`;
      const r = random();
      if (r < 0.2) await d.same('ZADD', 'z', String(Math.floor(random() * 500) / 4), m);
      else if (r < 0.3) await d.same('ZINCRBY', 'z', String(Math.floor(random() * 20) - 10), m);
      else if (r < 0.4) await d.same('ZREM', 'z', m);
      else if (r < 0.55) await d.same('ZRANK', 'z', m);
      else if (r < 0.65) await d.same('ZREVRANK', 'z', m);
      else if (r < 0.75) {
        const a = String(Math.floor(random() * 500) / 4);
        await d.same('ZCOUNT', 'z', a, `(${Number(a) + 10}`);
        await d.same('ZRANGEBYSCORE', 'z', a, `(${Number(a) + 2}`, 'WITHSCORES', 'LIMIT', '1', '5');
      } else if (r < 0.85) {
        const start = Math.floor(random() * 3000) - 1500;
        await d.same('ZRANGE', 'z', String(start), String(start + 7), 'WITHSCORES');
        await d.same('ZREVRANGE', 'z', String(start), String(start + 3));
      } else if (r < 0.9)
        await d.same(
          'ZREMRANGEBYRANK',
          'z',
          String(Math.floor(random() * 2000)),
          String(Math.floor(random() * 2000)),
        );
      else
        await d.same('ZREVRANGEBYSCORE', 'z', '+inf', String(Math.floor(random() * 125)), 'LIMIT', '3', '4');
    }
    await d.same('ZRANGE', 'z', '0', '-1', 'WITHSCORES');
    await d.same('ZPOPMIN', 'z', '100');
    await d.same('ZPOPMAX', 'z', '100');
    await d.same('ZUNIONSTORE', 'u', '2', 'z', 'z', 'WEIGHTS', '1', '-1');
    await d.same('ZRANGE', 'u', '0', '50', 'WITHSCORES');
    await d.same('ZINTERCARD', '2', 'z', 'u', 'LIMIT', '100');
  });

  s.test('RESP3 forms across the group', async (d) => {
    await zaddAll(d, 'z', [
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    await d.resp3();
    await d.same('ZADD', 'z', '4', 'd');
    await d.same('ZADD', 'z', 'INCR', '0.5', 'd');
    await d.same('ZADD', 'z', 'NX', 'INCR', '1', 'd');
    await d.same('ZCARD', 'z');
    await d.same('ZRANGE', 'z', '0', '-1', 'WITHSCORES');
    await d.same('ZRANGE', 'z', '(1', '+inf', 'BYSCORE', 'WITHSCORES', 'LIMIT', '0', '2');
    await d.same('ZRANGE', 'z', '-', '+', 'BYLEX');
    await d.same('ZREVRANGEBYSCORE', 'z', '+inf', '-inf', 'WITHSCORES');
    await d.same('ZUNION', '1', 'z', 'WITHSCORES');
    await d.same('ZINTER', '1', 'z');
    await d.same('ZDIFF', '1', 'z', 'WITHSCORES');
    await d.same('ZSCAN', 'z', '0');
    await d.same('ZMSCORE', 'z', 'a', 'x');
    await d.same('ZPOPMIN', 'z');
    await d.same('ZPOPMAX', 'z', '2');
    await d.same('ZMPOP', '1', 'z', 'MIN', 'COUNT', '5');
    await d.same('ZMPOP', '1', 'z', 'MIN');
    await d.same('ZPOPMIN', 'z');
    await d.same('ZRANGE', 'z', '0', '-1', 'WITHSCORES');
  });

  s.test('transactions: queued sorted set commands', async (d) => {
    await d.same('MULTI');
    await d.same('ZADD', 'z', '1', 'a', '2', 'b');
    await d.same('ZINCRBY', 'z', '5', 'a');
    await d.same('ZADD', 'z', 'x', 'a');
    await d.same('ZRANGE', 'z', '0', '-1', 'WITHSCORES');
    await d.same('ZPOPMIN', 'z');
    await d.same('EXEC');
    await d.same('MULTI');
    await d.same('ZADD', 'z', '1');
    await d.same('EXEC');
  });
});

differential(
  'sorted sets with small listpack limits',
  (s) => {
    s.test('conversion at configured thresholds', async (d) => {
      await d.same('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
      await d.same('OBJECT', 'ENCODING', 'z');
      await d.same('ZADD', 'z', '5', 'e');
      await d.same('OBJECT', 'ENCODING', 'z');
      await d.same('ZADD', 'v', '1', '12345678');
      await d.same('OBJECT', 'ENCODING', 'v');
      await d.same('ZADD', 'v', '1', '123456789');
      await d.same('OBJECT', 'ENCODING', 'v');
      await d.same('ZADD', 'w', '1', '123456789', '2', 'a');
      await d.same('OBJECT', 'ENCODING', 'w');
      await d.same('ZRANGESTORE', 'dst', 'z', '0', '3');
      await d.same('OBJECT', 'ENCODING', 'dst');
      await d.same('ZRANGESTORE', 'dst', 'z', '0', '4');
      await d.same('OBJECT', 'ENCODING', 'dst');
      await d.same('ZRANGESTORE', 'dst', 'z', '-inf', '4', 'BYSCORE');
      await d.same('OBJECT', 'ENCODING', 'dst');
      await d.same('ZRANGESTORE', 'dst', 'w', '0', '-1');
      await d.same('OBJECT', 'ENCODING', 'dst');
      await d.same('ZUNIONSTORE', 'dst', '1', 'z');
      await d.same('OBJECT', 'ENCODING', 'dst');
      await d.same('ZINTERSTORE', 'dst', '2', 'z', 'z');
      await d.same('OBJECT', 'ENCODING', 'dst');
      await d.same('ZDIFFSTORE', 'dst', '1', 'w');
      await d.same('OBJECT', 'ENCODING', 'dst');
      await d.same('ZPOPMIN', 'z', '3');
      await d.same('ZUNIONSTORE', 'dst', '1', 'z');
      await d.same('OBJECT', 'ENCODING', 'dst');
      await d.redis.command(['CONFIG', 'SET', 'zset-max-listpack-entries', '0']);
      s.engine().config.set('zset-max-listpack-entries', '0');
      await d.same('ZADD', 'zero', '1', 'a');
      await d.same('OBJECT', 'ENCODING', 'zero');
      await d.redis.command(['CONFIG', 'SET', 'zset-max-listpack-entries', '4']);
      s.engine().config.set('zset-max-listpack-entries', '4');
    });

    s.test('-0 is kept by skiplists and stored as 0 by listpacks', async (d) => {
      await d.same('ZADD', 'lp', '-0', 'a', '1', 'b');
      await d.same('ZSCORE', 'lp', 'a');
      await d.same('ZADD', 'lp', 'INCR', '-0', 'c');
      await d.same('ZSCORE', 'lp', 'c');
      await d.same('ZRANGE', 'lp', '0', '-1', 'WITHSCORES');
      await d.same('ZADD', 'sl', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '-0', 'f');
      await d.same('ZSCORE', 'sl', 'f');
      await d.same('ZADD', 'sl', '-0', 'g');
      await d.same('ZRANGE', 'sl', '0', '-1', 'WITHSCORES');
      await d.same('ZUNIONSTORE', 'u', '1', 'sl');
      await d.same('ZSCORE', 'u', 'f');
      await d.same('ZRANGESTORE', 'r', 'sl', '0', '2');
      await d.same('ZRANGE', 'r', '0', '-1', 'WITHSCORES');
      await d.same('ZUNION', '1', 'sl', 'WEIGHTS', '-1', 'WITHSCORES');
      await d.same('ZUNIONSTORE', 'neg', '1', 'sl', 'WEIGHTS', '-1');
      await d.same('ZRANGE', 'neg', '0', '-1', 'WITHSCORES');
      await d.same('ZSCAN', 'lp', '0');
    });

    s.test('ZSCAN and lex ranges in both encodings', async (d) => {
      await d.same('ZADD', 'lp', '1.5', 'a', '100', 'b', '4611686018427387904', 'c', '1e300', 'd');
      await d.same('ZSCAN', 'lp', '0');
      await d.same('ZADD', 'sl', '0', 'a', '0', 'b', '0', 'c', '0', 'd', '0', 'e', '0', 'f');
      for (const [min, max] of [
        ['-', '+'],
        ['[b', '(e'],
        ['(a', '[a'],
        ['[c', '+'],
        ['-', '(a'],
      ]) {
        await d.same('ZRANGEBYLEX', 'sl', min!, max!);
        await d.same('ZREVRANGEBYLEX', 'sl', max!, min!, 'LIMIT', '1', '2');
        await d.same('ZLEXCOUNT', 'sl', min!, max!);
      }
      await d.same('ZREMRANGEBYLEX', 'sl', '(b', '[d');
      await d.same('ZRANGE', 'sl', '0', '-1');
    });
  },
  {
    engine: { config: { 'zset-max-listpack-entries': '4', 'zset-max-listpack-value': '8' } },
    redisArgs: ['--zset-max-listpack-entries', '4', '--zset-max-listpack-value', '8'],
  },
);

differential(
  'sorted set keyspace events',
  (s) => {
    s.test('every write names its event', async (d) => {
      const listener = await d.pair();
      await listener.same('PSUBSCRIBE', '__key*__:*');
      const expectEvents = async (n: number) => {
        for (let i = 0; i < n; i++) await listener.sameNext();
      };
      await d.same('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
      await expectEvents(2);
      await d.same('ZADD', 'z', '1', 'a');
      await d.same('ZADD', 'z', 'INCR', '1', 'a');
      await expectEvents(2);
      await d.same('ZINCRBY', 'z', '0', 'a');
      await d.same('ZINCRBY', 'z', '1', 'a');
      await expectEvents(2);
      await d.same('ZREM', 'z', 'nosuch');
      await d.same('ZREM', 'z', 'a');
      await expectEvents(2);
      await d.same('ZREMRANGEBYRANK', 'z', '10', '20');
      await d.same('ZREMRANGEBYRANK', 'z', '0', '0');
      await expectEvents(2);
      await d.same('ZADD', 'z', '1', 'a', '5', 'e');
      await expectEvents(2);
      await d.same('ZREMRANGEBYSCORE', 'z', '1', '1');
      await expectEvents(2);
      await d.same('ZREMRANGEBYLEX', 'z', '[c', '[c');
      await expectEvents(2);
      await d.same('ZPOPMIN', 'z');
      await expectEvents(2);
      await d.same('ZPOPMAX', 'z', '5');
      await expectEvents(4);
      await d.same('ZADD', 'a', '1', 'x', '2', 'y');
      await expectEvents(2);
      await d.same('ZUNIONSTORE', 'u', '1', 'a');
      await expectEvents(2);
      await d.same('ZINTERSTORE', 'u', '1', 'a');
      await expectEvents(2);
      await d.same('ZDIFFSTORE', 'u', '1', 'a');
      await expectEvents(2);
      await d.same('ZRANGESTORE', 'u', 'a', '0', '0');
      await expectEvents(2);
      await d.same('ZRANGESTORE', 'u', 'a', '5', '6');
      await expectEvents(2);
      await d.same('ZRANGESTORE', 'u', 'a', '5', '6');
      await d.same('ZINTERSTORE', 'u', '2', 'a', 'nokey');
      await d.same('ZADD', 'u', '1', 'x');
      await expectEvents(2);
      await d.same('ZINTERSTORE', 'u', '2', 'a', 'nokey');
      await expectEvents(2);
      await d.same('ZMPOP', '1', 'a', 'MAX', 'COUNT', '5');
      await expectEvents(4);
      await d.same('ZADD', 'r', '1', 'x');
      await d.same('ZREM', 'r', 'x', 'y');
      await expectEvents(4);
      listener.close();
    });
  },
  {
    engine: { config: { 'notify-keyspace-events': 'KEA' } },
    redisArgs: ['--notify-keyspace-events', 'KEA'],
  },
);
