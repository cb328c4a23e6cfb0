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

const streamId = fc.oneof(
  // No '*': its IDs come from each server's clock.
  fc.constantFrom(
    '0-1',
    '1-0',
    '1-1',
    '2-5',
    '5-0',
    '1-*',
    '3-*',
    '0-0',
    '18446744073709551615-18446744073709551615',
  ),
  fc.integer({ min: 1, max: 6 }).map((ms) => `${ms}-${ms % 3}`),
);
const rangeId = fc.constantFrom('-', '+', '0', '1', '2-5', '(1-1', '(2', '3-0', '5');
const streams = fc.oneof(
  c('XADD', key, streamId, 'f', member),
  c('XADD', key, 'MAXLEN', fc.constantFrom('0', '1', '2', '5'), streamId, 'f', member),
  c('XADD', key, 'NOMKSTREAM', streamId, 'f', member),
  c('XADD', key, 'MINID', fc.constantFrom('1', '2-0', '4'), streamId, 'a', 'b'),
  c('XRANGE', key, rangeId, rangeId),
  c('XREVRANGE', key, rangeId, rangeId, 'COUNT', fc.constantFrom('1', '2', '0')),
  c('XLEN', key),
  c('XDEL', key, streamId),
  c('XTRIM', key, 'MAXLEN', fc.constantFrom('0', '1', '3')),
  c('XTRIM', key, 'MINID', fc.constantFrom('1-1', '3', '6')),
  c('XGROUP', 'CREATE', key, fc.constantFrom('g1', 'g2'), fc.constantFrom('0', '$', '1-1'), 'MKSTREAM'),
  c('XGROUP', 'SETID', key, fc.constantFrom('g1', 'g2'), fc.constantFrom('0', '$', '2-0')),
  c('XGROUP', 'DESTROY', key, fc.constantFrom('g1', 'g2')),
  c('XGROUP', 'DELCONSUMER', key, 'g1', fc.constantFrom('c1', 'c2')),
  c(
    'XREADGROUP',
    'GROUP',
    fc.constantFrom('g1', 'g2'),
    fc.constantFrom('c1', 'c2'),
    'COUNT',
    '2',
    'STREAMS',
    key,
    fc.constantFrom('>', '0'),
  ),
  c('XACK', key, fc.constantFrom('g1', 'g2'), streamId, streamId),
  c('XPENDING', key, fc.constantFrom('g1', 'g2')),
  c('XREAD', 'COUNT', '3', 'STREAMS', key, key, fc.constantFrom('0', '1-1'), fc.constantFrom('0', '2')),
  c('XSETID', key, fc.constantFrom('5-0', '9-9', '1-0')),
  ...generic,
);

const hyperloglogs = fc.oneof(
  c('PFADD', key, member, member, member),
  c(
    'PFADD',
    key,
    fc.integer({ min: 0, max: 5000 }).map((n) => `user:${n}`),
  ),
  c('PFCOUNT', key),
  c('PFCOUNT', key, key),
  c('PFMERGE', key, key, key),
  c('GET', key),
  c('APPEND', key, member),
  ...generic,
);

/** The seeds' scripts, with arguments that exercise both of their branches. */
const scripts = fc.oneof(
  c(
    'EVAL',
    "local n = redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2]) local count = redis.call('ZCARD', KEYS[1]) if count < tonumber(ARGV[3]) then redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4]) return {1, count} end return {0, count}",
    '1',
    key,
    fc.integer({ min: 0, max: 20 }).map(String),
    fc.constantFrom('5', '10'),
    fc.constantFrom('2', '3'),
    member,
  ),
  c(
    'EVAL',
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
    '1',
    key,
    member,
  ),
  c(
    'EVAL',
    "for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('DEL', k) end return redis.call('DEL', KEYS[1])",
    '1',
    key,
  ),
  c('EVAL', "return redis.call('SADD', KEYS[1], ARGV[1])", '1', key, fc.constantFrom('a', 'b', 'c')),
  c('EVAL', 'return {KEYS[1], ARGV[1], tonumber(ARGV[1]), {ok = ARGV[1]}, {err = ARGV[1]}}', '1', key, int),
  c('EVAL', "return redis.pcall('INCR', KEYS[1])", '1', key),
  c('SET', key, member),
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
    ['streams', streams],
    ['HyperLogLog', hyperloglogs],
    ["scripts (the seeds' patterns)", scripts],
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
