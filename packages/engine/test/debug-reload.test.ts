import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DiffPair, differential } from '@redkit/test-utils';

/** The engine saves into a directory of its own (redis-server gets one from the test utilities). */
const dir = mkdtempSync(join(tmpdir(), 'redkit-debug-reload-'));

async function sameDataset(d: DiffPair): Promise<void> {
  await d.same('DBSIZE');
  await d.sameUnordered('KEYS', '*');
  await d.same('GET', 'string');
  await d.same('HGETALL', 'hash');
  await d.same('ZRANGE', 'zset', '0', '-1', 'WITHSCORES');
  await d.same('TTL', 'expiring');
  await d.same('OBJECT', 'ENCODING', 'hash');
  await d.sameUnordered('FUNCTION', 'LIST', 'WITHCODE');
}

differential(
  'DEBUG RELOAD',
  (s) => {
    s.test('saves, empties and loads the dataset back, as Redis 7.0', async (d) => {
      await d.same('FUNCTION', 'FLUSH');
      await d.same('SET', 'string', 'v');
      await d.same('HSET', 'hash', 'a', '1', 'b', '2');
      await d.same('ZADD', 'zset', '1', 'x', '2.5', 'y');
      await d.same('SET', 'expiring', 'v', 'EX', '1000');
      await d.same(
        'FUNCTION',
        'LOAD',
        "#!lua name=lib\nredis.register_function('f', function() return 1 end)",
      );
      await d.same('DEBUG', 'RELOAD');
      await sameDataset(d);
      await d.same('FCALL', 'f', '0');
      // NOSAVE: the file as it was; a key written since is gone.
      await d.same('SET', 'since', 'v');
      await d.same('DEBUG', 'RELOAD', 'NOSAVE');
      await d.same('EXISTS', 'since');
      await sameDataset(d);
      // NOSAVE NOFLUSH MERGE: the file's keys over the current ones, the others kept.
      await d.same('SET', 'string', 'changed');
      await d.same('SET', 'kept', 'v');
      await d.same('DEBUG', 'RELOAD', 'nosave', 'noflush', 'merge');
      await d.same('GET', 'string');
      await d.same('GET', 'kept');
      await d.same('DEBUG', 'RELOAD', 'SOON');
      // No file: the dataset is emptied first, then the load fails.
      await d.same('CONFIG', 'SET', 'dbfilename', 'missing.rdb');
      await d.same('DEBUG', 'RELOAD', 'NOSAVE');
      await d.same('DBSIZE');
      await d.same('CONFIG', 'SET', 'dbfilename', 'dump.rdb');
      await d.same('FUNCTION', 'FLUSH');
    });

    s.test("DEBUG DIGEST and DIGEST-VALUE are Redis's digests", async (d) => {
      await d.same('DEBUG', 'DIGEST');
      await d.same('SET', 'int', '12345');
      await d.same('SET', 'raw', 'x'.repeat(100));
      await d.same('SET', 'bin', '\x00\r\n\xff', 'PX', '100000');
      await d.same('RPUSH', 'list', 'a', 'b', '1', 'c');
      await d.same('SADD', 'intset', '3', '1', '2');
      await d.same('SADD', 'set', 'x', 'y', '1');
      await d.same('HSET', 'hash', 'f', 'v', 'g', '2');
      await d.same('ZADD', 'zset', '1', 'a', '2.5', 'b', '-inf', 'c', '10', '7');
      await d.same('XADD', 'stream', '1-1', 'f', 'v', 'g', 'w');
      await d.same('XADD', 'stream', '2-0', 'f', 'v2', 'g', 'w2');
      await d.same('XADD', 'stream', '3-5', 'other', 'x');
      const big = (n: number, make: (i: number) => string[]) =>
        Array.from({ length: n }, (_, i) => make(i)).flat();
      await d.same('HSET', 'bighash', ...big(200, (i) => [`f${i}`, `v${i}`]));
      await d.same('ZADD', 'bigzset', ...big(200, (i) => [String(i / 7), `m${i}`]));
      await d.same('SADD', 'bigset', ...big(600, (i) => [`s${i}`]));
      await d.same('SELECT', '5');
      await d.same('SET', 'elsewhere', 'v');
      await d.same('SELECT', '0');
      await d.same('DEBUG', 'DIGEST');
      const keys = [
        'int',
        'raw',
        'bin',
        'list',
        'intset',
        'set',
        'hash',
        'zset',
        'stream',
        'bighash',
        'bigzset',
      ];
      await d.same('DEBUG', 'DIGEST-VALUE', ...keys, 'bigset', 'missing');
      await d.same('DEBUG', 'DIGEST-VALUE');
      await d.same('DEBUG', 'RELOAD');
      await d.same('DEBUG', 'DIGEST');
      await d.same('DEBUG', 'DIGEST', 'x');
    });

    s.test('DEBUG SET-ACTIVE-EXPIRE 0 leaves expired keys to be found', async (d) => {
      try {
        await d.same('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
        await d.same('SET', 'k', 'v', 'PX', '50');
        await new Promise((resolve) => setTimeout(resolve, 400));
        await d.same('DBSIZE');
        await d.same('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
        await new Promise((resolve) => setTimeout(resolve, 400));
        await d.same('DBSIZE');
        await d.same('DEBUG', 'SET-ACTIVE-EXPIRE');
      } finally {
        await d.both('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
      }
    });
  },
  {
    engine: { config: { 'enable-debug-command': 'yes', dir } },
    redisArgs: ['--enable-debug-command', 'yes'],
  },
);
