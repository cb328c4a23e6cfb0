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
  },
  {
    engine: { config: { 'enable-debug-command': 'yes', dir } },
    redisArgs: ['--enable-debug-command', 'yes'],
  },
);
