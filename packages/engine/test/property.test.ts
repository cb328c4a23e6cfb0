import { type DiffPair, differential } from '@redkit/test-utils';
import fc from 'fast-check';

/**
 * Property-based differential testing: random command sequences per type, run against real Redis and the
 * engine; every reply must match. Small key and member spaces make commands collide on the same data.
 */

type Command = string[];
const key = fc.constantFrom('a', 'b', 'c');
const member = fc.constantFrom('x', 'y', 'z', '1', '2', '10', '-3', '', 'a\x00\xff', 'long-member-name');
const int = fc.oneof(
  fc.integer({ min: -6, max: 6 }).map(String),
  fc.constantFrom('9223372036854775807', '-9223372036854775808', '1.5', 'x', '0'),
);
const score = fc.oneof(
  fc.integer({ min: -5, max: 5 }).map(String),
  fc.constantFrom('1.5', '-0.25', 'inf', '-inf', '1e3', '3.0000000000000004'),
);
const bound = fc.oneof(
  score,
  score.map((s) => `(${s}`),
  fc.constantFrom('-inf', '+inf'),
);
const lexBound = fc.oneof(
  fc.constantFrom('-', '+'),
  member.map((m) => `[${m}`),
  member.map((m) => `(${m}`),
);

const c = (...parts: Array<fc.Arbitrary<string> | string>): fc.Arbitrary<Command> =>
  fc.tuple(...parts.map((p) => (typeof p === 'string' ? fc.constant(p) : p)));

const generic = [
  c('DEL', key),
  c('EXISTS', key, key),
  c('TYPE', key),
  c('RENAME', key, key),
  c('COPY', key, key, 'REPLACE'),
];

const strings = fc.oneof(
  c('SET', key, member),
  c('SET', key, int, fc.constantFrom('NX', 'XX', 'GET', 'KEEPTTL')),
  c('GET', key),
  c('APPEND', key, member),
  c('INCR', key),
  c('INCRBY', key, int),
  c('DECRBY', key, int),
  c('INCRBYFLOAT', key, score),
  c('GETRANGE', key, int, int),
  c('SETRANGE', key, fc.integer({ min: 0, max: 20 }).map(String), member),
  c('STRLEN', key),
  c('GETDEL', key),
  c('MSET', key, member, key, member),
  c('MGET', key, key, key),
  c('SETNX', key, member),
  c('GETSET', key, member),
  c('SETBIT', key, fc.integer({ min: 0, max: 40 }).map(String), fc.constantFrom('0', '1')),
  c('BITCOUNT', key),
  ...generic,
);

const hashes = fc.oneof(
  c('HSET', key, member, member),
  c('HSET', key, member, member, member, int),
  c('HDEL', key, member, member),
  c('HGET', key, member),
  c('HINCRBY', key, member, int),
  c('HINCRBYFLOAT', key, member, score),
  c('HLEN', key),
  c('HGETALL', key),
  c('HKEYS', key),
  c('HMGET', key, member, member),
  c('HSETNX', key, member, member),
  c('HEXISTS', key, member),
  c('HSTRLEN', key, member),
  ...generic,
);

const lists = fc.oneof(
  c('LPUSH', key, member, member),
  c('RPUSH', key, member),
  c('LPOP', key),
  c('RPOP', key, fc.integer({ min: 0, max: 3 }).map(String)),
  c('LRANGE', key, int, int),
  c('LINDEX', key, int),
  c('LSET', key, int, member),
  c('LREM', key, int, member),
  c('LINSERT', key, fc.constantFrom('BEFORE', 'AFTER'), member, member),
  c('LTRIM', key, int, int),
  c('LPOS', key, member, 'RANK', fc.constantFrom('1', '-1', '2')),
  c('LMOVE', key, key, fc.constantFrom('LEFT', 'RIGHT'), fc.constantFrom('LEFT', 'RIGHT')),
  c('LLEN', key),
  c('LPUSHX', key, member),
  ...generic,
);

const sets = fc.oneof(
  c('SADD', key, member, member),
  c('SREM', key, member),
  c('SISMEMBER', key, member),
  c('SMISMEMBER', key, member, member),
  c('SCARD', key),
  c('SMEMBERS', key),
  c('SINTER', key, key),
  c('SUNION', key, key),
  c('SDIFF', key, key),
  c('SINTERSTORE', key, key, key),
  c('SUNIONSTORE', key, key, key),
  c('SDIFFSTORE', key, key, key),
  c('SMOVE', key, key, member),
  c('SINTERCARD', '2', key, key),
  ...generic,
);

const zsets = fc.oneof(
  c('ZADD', key, score, member),
  c('ZADD', key, fc.constantFrom('NX', 'XX', 'GT', 'LT', 'CH'), score, member, score, member),
  c('ZADD', key, 'INCR', score, member),
  c('ZINCRBY', key, score, member),
  c('ZREM', key, member),
  c('ZSCORE', key, member),
  c('ZRANK', key, member),
  c('ZREVRANK', key, member),
  c('ZCARD', key),
  c('ZCOUNT', key, bound, bound),
  c('ZRANGE', key, int, int, 'WITHSCORES'),
  c('ZRANGE', key, bound, bound, 'BYSCORE', 'LIMIT', int, int),
  c('ZRANGE', key, lexBound, lexBound, 'BYLEX'),
  c('ZREVRANGE', key, int, int),
  c('ZRANGEBYSCORE', key, bound, bound, 'WITHSCORES'),
  c('ZLEXCOUNT', key, lexBound, lexBound),
  c('ZREMRANGEBYRANK', key, int, int),
  c('ZREMRANGEBYSCORE', key, bound, bound),
  c('ZPOPMIN', key),
  c('ZPOPMAX', key, fc.integer({ min: 0, max: 3 }).map(String)),
  c('ZUNIONSTORE', key, '2', key, key),
  c('ZINTERSTORE', key, '2', key, key, 'AGGREGATE', fc.constantFrom('MIN', 'MAX', 'SUM')),
  c('ZDIFF', '2', key, key, 'WITHSCORES'),
  c('ZMSCORE', key, member, member),
  ...generic,
);

const keyspace = fc.oneof(
  c('EXPIRE', key, fc.constantFrom('100', '0', '-1', '1000000'), fc.constantFrom('NX', 'XX', 'GT', 'LT')),
  c('TTL', key),
  c('PERSIST', key),
  c('OBJECT', 'ENCODING', key),
  c('TYPE', key),
  c('RENAMENX', key, key),
  c('MOVE', key, '1'),
  c('DBSIZE'),
);

/** All types on the same keys: WRONGTYPE paths, encodings and expiry interplay. */
const mixed = fc.oneof(strings, hashes, lists, sets, zsets, keyspace);

/** Commands whose reply order Redis leaves open for hashtable-encoded values. */
const UNORDERED = new Set(['SMEMBERS', 'SINTER', 'SUNION', 'SDIFF']);

async function runSequence(d: DiffPair, commands: Command[]): Promise<void> {
  await d.both('FLUSHALL');
  for (const command of commands) {
    if (UNORDERED.has(command[0]!)) await d.sameUnordered(...command);
    else await d.same(...command);
  }
}

const RUNS = Number(process.env.PROPERTY_RUNS ?? 60);

differential('property: random command sequences match Redis', (s) => {
  const types: Array<[string, fc.Arbitrary<Command>]> = [
    ['strings', strings],
    ['hashes', hashes],
    ['lists', lists],
    ['sets', sets],
    ['sorted sets', zsets],
    ['all types on shared keys', mixed],
  ];
  for (const [name, arbitrary] of types) {
    for (const protocol of [2, 3] as const) {
      s.test(`${name} (RESP${protocol})`, async (d) => {
        if (protocol === 3) await d.resp3();
        const sequences = fc.array(arbitrary, { minLength: 1, maxLength: 40 });
        await fc.assert(
          fc.asyncProperty(sequences, (commands) => runSequence(d, commands)),
          { numRuns: protocol === 3 ? Math.ceil(RUNS / 2) : RUNS },
        );
      });
    }
  }
});
