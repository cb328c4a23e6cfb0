import assert from 'node:assert/strict';
import { type DiffPair, differential } from '@redkit/test-utils';

/** Runs on one side only and returns the reply as text. */
async function on(client: DiffPair['redis'], ...argv: string[]): Promise<string> {
  return (await client.command(argv)).toString('latin1');
}

/** A field of INFO, from one side. */
async function infoField(client: DiffPair['redis'], field: string): Promise<number> {
  const text = await on(client, 'INFO', 'all');
  const m = new RegExp(`\\r\\n${field}:(\\d+)`).exec(text);
  assert.ok(m, `INFO has no ${field}`);
  return Number(m[1]);
}

/** Sets maxmemory on each side to its own used_memory plus `room` bytes. */
async function limitBothTo(d: DiffPair, room: number): Promise<void> {
  for (const side of [d.redis, d.engine]) {
    const used = await infoField(side, 'used_memory');
    await on(side, 'CONFIG', 'SET', 'maxmemory', String(used + room));
  }
}

async function reset(d: DiffPair): Promise<void> {
  await d.same('CONFIG', 'SET', 'maxmemory', '0');
  await d.same('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
  await d.same('CONFIG', 'SET', 'notify-keyspace-events', '');
}

const VALUE = 'v'.repeat(200);

differential('memory: maxmemory, eviction and MEMORY', (s) => {
  s.test('MEMORY HELP, arity, unknown subcommands', async (d) => {
    await d.same('MEMORY', 'HELP');
    await d.same('MEMORY', 'help');
    await d.same('MEMORY');
    await d.same('MEMORY', 'NOSUCH');
    await d.same('MEMORY', 'HELP', 'extra');
    await d.same('MEMORY', 'DOCTOR', 'extra');
    await d.same('MEMORY', 'STATS', 'extra');
    await d.same('MEMORY', 'PURGE');
    await d.same('MEMORY', 'PURGE', 'x');
    await d.same('MEMORY', 'USAGE');
    await d.same('MEMORY', 'DOCTOR');
    await d.resp3();
    await d.same('MEMORY', 'DOCTOR');
    await d.same('MEMORY', 'HELP');
  });

  s.test('MEMORY USAGE: missing keys, options and errors', async (d) => {
    await d.same('MEMORY', 'USAGE', 'missing');
    await d.same('MEMORY', 'USAGE', 'missing', 'SAMPLES', '5');
    await d.same('SET', 'k', 'v');
    await d.same('MEMORY', 'USAGE', 'k', 'SAMPLES');
    await d.same('MEMORY', 'USAGE', 'k', 'SAMPLES', 'x');
    await d.same('MEMORY', 'USAGE', 'k', 'SAMPLES', '-1');
    await d.same('MEMORY', 'USAGE', 'k', 'SAMPLES', '99999999999999999999');
    await d.same('MEMORY', 'USAGE', 'k', 'BOGUS');
    await d.same('MEMORY', 'USAGE', 'k', 'BOGUS', '1');
    await d.same('MEMORY', 'USAGE', 'missing', 'BOGUS');
    for (const [key, ...write] of [
      ['s', 'SET', 's', VALUE],
      ['h', 'HSET', 'h', 'f', VALUE],
      ['l', 'RPUSH', 'l', 'a', 'b', VALUE],
      ['z', 'ZADD', 'z', '1', VALUE],
      ['t', 'SADD', 't', VALUE],
      ['x', 'XADD', 'x', '1-1', 'f', VALUE],
    ] as string[][]) {
      await d.both(...write);
      await d.compare(['MEMORY', 'USAGE', key!, 'SAMPLES', '0'], (redis, engine) => {
        assert.equal(typeof redis, 'number');
        assert.equal(typeof engine, 'number');
        // Both count the 200-byte value and some overhead, neither absurdly much.
        assert.ok((engine as number) > 200 && (engine as number) < 2000, `${key}: ${engine}`);
      });
    }
  });

  s.test('MEMORY STATS and INFO memory have the fields Redis has', async (d) => {
    await d.same('SET', 'a', 'b');
    const [redis, engine] = await d.both('MEMORY', 'STATS');
    const names = (bytes: Buffer) =>
      bytes
        .toString('latin1')
        .split('\r\n')
        .filter((line, i, all) => all[i - 1]?.startsWith('$') && /^[a-z]/.test(line) && line.includes('.'));
    assert.deepEqual(names(engine), names(redis));
    const info = await on(d.engine, 'INFO', 'memory');
    for (const field of ['used_memory', 'used_memory_peak', 'used_memory_dataset', 'maxmemory_policy']) {
      assert.match(info, new RegExp(`\\r\\n${field}:`));
    }
  });

  s.test('noeviction: denyoom commands answer OOM, others still run', async (d) => {
    try {
      await d.same('SET', 'k', 'v');
      await d.same('CONFIG', 'SET', 'maxmemory', '1');
      await d.same('SET', 'a', 'b');
      await d.same('SET', 'k', 'v2');
      await d.same('APPEND', 'k', 'x');
      await d.same('LPUSH', 'l', 'x');
      await d.same('HSET', 'h', 'f', 'v');
      await d.same('SADD', 's', 'x');
      await d.same('ZADD', 'z', '1', 'x');
      await d.same('GET', 'k');
      await d.same('EXISTS', 'k');
      await d.same('INCR', 'counter');
      await d.same('DEL', 'k');
      await d.same('GET', 'k');
      await d.same('EXPIRE', 'nokey', '10');
      await d.same('PING');
    } finally {
      await reset(d);
    }
  });

  s.test('OOM inside MULTI flags the transaction; EXEC and DISCARD still answer', async (d) => {
    try {
      await d.same('SET', 'k', 'v');
      await d.same('MULTI');
      await d.same('SET', 'k', 'queued-before');
      await d.same('CONFIG', 'SET', 'maxmemory', '1');
      await d.same('GET', 'k');
      await d.same('EXEC');
      await d.same('MULTI');
      await d.same('PING');
      await d.same('DISCARD');
      await d.same('GET', 'k');
    } finally {
      await reset(d);
    }
  });

  s.test('OOM inside scripts: at the first write, and at start for flagged scripts', async (d) => {
    try {
      await d.same('SET', 'x', '1');
      await d.same('CONFIG', 'SET', 'maxmemory', '1');
      await d.same('EVAL', "return redis.call('set','x','y')", '0');
      await d.same('EVAL', "redis.call('get','x'); return redis.call('set','x','y')", '0');
      await d.same('EVAL', "return redis.pcall('set','x','y')", '0');
      await d.same('EVAL', "return redis.call('get','x')", '0');
      await d.same('EVAL', "return redis.call('del','x')", '0');
      await d.same('EVAL', '#!lua\nreturn 1', '0');
      await d.same('EVAL', '#!lua flags=no-writes\nreturn 1', '0');
      await d.same('EVAL', "#!lua flags=allow-oom\nreturn redis.call('set','x','y')", '0');
      await d.same('GET', 'x');
    } finally {
      await reset(d);
    }
  });

  s.test('OBJECT FREQ and IDLETIME answer by policy', async (d) => {
    try {
      await d.same('SET', 'k', 'v');
      await d.same('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
      await d.same('OBJECT', 'FREQ', 'k');
      await d.same('OBJECT', 'IDLETIME', 'k');
      await d.same('OBJECT', 'IDLETIME', 'missing');
      await d.same('CONFIG', 'SET', 'maxmemory-policy', 'volatile-lfu');
      await d.same('OBJECT', 'IDLETIME', 'k');
      await d.same('SET', 'fresh', 'v');
      await d.same('OBJECT', 'FREQ', 'fresh');
      await d.same('OBJECT', 'FREQ', 'missing');
      await d.same('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu');
      await d.same('SET', 'fresh2', 'v');
      await d.same('OBJECT', 'FREQ', 'fresh2');
      // Lookups raise the counter: the first few almost surely (probability 1 below LFU_INIT_VAL + 1).
      await d.same('GET', 'fresh2');
      await d.same('OBJECT', 'FREQ', 'fresh2');
    } finally {
      await reset(d);
    }
  });

  s.test('volatile policies never evict keys without a TTL, and answer OOM once none has one', async (d) => {
    for (const policy of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
      try {
        await d.both('FLUSHALL');
        await d.same('CONFIG', 'SET', 'maxmemory-policy', policy);
        for (let i = 0; i < 50; i++) await d.both('SET', `volatile:${i}`, VALUE, 'EX', '1000');
        await limitBothTo(d, 40_000);
        for (const side of [d.redis, d.engine]) {
          let refused = false;
          for (let i = 0; i < 2000 && !refused; i++) {
            refused = (await on(side, 'SET', `plain:${i}`, VALUE)).startsWith('-OOM');
          }
          assert.ok(refused, `${policy}: writes were never refused`);
          const keys = (await on(side, 'DBSIZE')).slice(1).trim();
          const plain = await side.command(['EVAL', "return #redis.call('keys','plain:*')", '0']);
          const volatile = await side.command(['EVAL', "return #redis.call('keys','volatile:*')", '0']);
          assert.equal(volatile.toString(), ':0\r\n', `${policy}: volatile keys are left (${keys} keys)`);
          assert.ok(Number(plain.toString().slice(1)) > 0);
          assert.ok((await infoField(side, 'evicted_keys')) >= 50);
        }
      } finally {
        await reset(d);
        await d.both('CONFIG', 'RESETSTAT');
      }
    }
  });

  s.test('allkeys policies keep used memory near maxmemory', async (d) => {
    for (const policy of ['allkeys-lru', 'allkeys-lfu', 'allkeys-random']) {
      try {
        await d.both('FLUSHALL');
        await d.both('CONFIG', 'RESETSTAT');
        await d.same('CONFIG', 'SET', 'maxmemory-policy', policy);
        await limitBothTo(d, 100_000);
        for (const side of [d.redis, d.engine]) {
          const limit = await infoField(side, 'maxmemory');
          for (let i = 0; i < 2000; i++) {
            assert.equal(await on(side, 'SET', `key:${i}`, VALUE), '+OK\r\n');
          }
          assert.ok((await infoField(side, 'evicted_keys')) > 0, `${policy}: nothing evicted`);
          assert.ok((await infoField(side, 'used_memory')) <= limit * 1.05, `${policy}: over the limit`);
        }
      } finally {
        await reset(d);
      }
    }
  });
});
