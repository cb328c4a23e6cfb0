import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  findRedisServer,
  type RedisServerHandle,
  realRedisRequired,
  startRedisServer,
} from '@redkit/test-utils';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { Cache, CacheLoaderError, CacheValueTooLargeError } from './cache.js';

let server: RedisServerHandle | null = null;
before(async () => {
  server = await startRedisServer();
});
after(() => server?.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of ['embedded engine', 'redis-server'] as const) {
  const noRedis = backend === 'redis-server' && !findRedisServer() && !realRedisRequired();
  describe(`Cache on ${backend}`, { skip: noRedis ? 'redis-server is not installed' : false }, () => {
    let redis: RedisPort;
    const extra: RedisPort[] = [];
    const caches: Cache[] = [];
    /** Another "process": its own connection(s) to the same data. */
    const open = async () => {
      const port =
        backend === 'redis-server'
          ? await connect(`redis://127.0.0.1:${server!.port}`)
          : await redis.duplicate();
      extra.push(port);
      return port;
    };
    const cacheOn = (port: RedisPort, options: ConstructorParameters<typeof Cache>[1] = {}) => {
      const cache = new Cache(port, { namespace: 'shop', ...options });
      caches.push(cache);
      return cache;
    };
    before(async () => {
      redis =
        backend === 'redis-server' ? await connect(`redis://127.0.0.1:${server!.port}`) : await connect();
      await redis.send('FLUSHALL');
    });
    after(async () => {
      for (const c of caches) await c.close();
      for (const p of extra) await p.close();
      await redis?.close();
    });

    it('gets, sets and deletes JSON values with a jittered TTL', async () => {
      const cache = cacheOn(redis, { ttl: '10s' });
      assert.equal(await cache.get('product:1'), undefined);
      await cache.set('product:1', { id: 1, name: 'Mug', tags: ['kitchen'] });
      assert.deepEqual(await cache.get('product:1'), { id: 1, name: 'Mug', tags: ['kitchen'] });
      const ttl = (await redis.send('PTTL', 'shop:{product%3A1}:v')) as number;
      assert.ok(ttl > 8_900 && ttl <= 11_000, `ttl ${ttl} within ±10%`);
      await cache.delete('product:1');
      assert.equal(await cache.get('product:1'), undefined);
    });

    it('loads once for concurrent misses in one process', async () => {
      const cache = cacheOn(redis);
      let loads = 0;
      const loader = async () => {
        loads++;
        await sleep(50);
        return { price: 42 };
      };
      const values = await Promise.all(Array.from({ length: 100 }, () => cache.getOrSet('hot', loader)));
      assert.equal(loads, 1);
      assert.ok(values.every((v) => v.price === 42));
      assert.deepEqual(await cache.getOrSet('hot', loader), { price: 42 });
      assert.equal(loads, 1);
    });

    it('loads once for concurrent misses across four processes, waiters woken when the value lands', async () => {
      const ports = [redis, ...(await Promise.all([open(), open(), open()]))];
      const group = ports.map((p) => cacheOn(p));
      let loads = 0;
      const loader = async () => {
        loads++;
        await sleep(150);
        return 'fresh';
      };
      const started = Date.now();
      const values = await Promise.all(
        group.flatMap((c) => Array.from({ length: 250 }, () => c.getOrSet('stampede', loader))),
      );
      assert.equal(loads, 1, '1,000 misses over four processes, one loader call');
      assert.ok(values.every((v) => v === 'fresh'));
      assert.ok(Date.now() - started < 1_000, 'waiters were woken, not left to time out');
    });

    it("shares a throwing loader's error with the callers waiting for it, or retries once when asked", async () => {
      const other = await open();
      const [a, b] = [cacheOn(redis, { lockTtl: 200 }), cacheOn(other, { lockTtl: 200 })];
      let failing = 0;
      const down = async () => {
        failing++;
        await sleep(30);
        throw new TypeError('database down');
      };
      const shared = await Promise.allSettled([a.getOrSet('down', down), b.getOrSet('down', down)]);
      assert.equal(failing, 1, 'the failing source was called once');
      const reasons = shared.map((r) => (r as PromiseRejectedResult).reason as Error);
      assert.deepEqual(reasons.map((e) => e.name).sort(), ['CacheLoaderError', 'TypeError']);
      const loaderError = reasons.find((e) => e instanceof CacheLoaderError) as CacheLoaderError;
      assert.deepEqual(loaderError.loaderError, { name: 'TypeError', message: 'database down' });
      assert.match(loaderError.message, /shares its error/);
      await assert.rejects(a.getOrSet('down', down), TypeError, 'a later caller starts a new fill');
      assert.equal(failing, 2);

      const [c, d] = [
        cacheOn(redis, { lockTtl: 200, fillRetries: 1 }),
        cacheOn(other, { lockTtl: 200, fillRetries: 1 }),
      ];
      let calls = 0;
      const flaky = async () => {
        calls++;
        await sleep(30);
        if (calls === 1) throw new Error('database timeout');
        return 'second try';
      };
      const results = await Promise.allSettled([c.getOrSet('flaky', flaky), d.getOrSet('flaky', flaky)]);
      assert.equal(calls, 2);
      assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
      assert.deepEqual(
        results
          .filter((r) => r.status === 'fulfilled')
          .map((r) => (r as PromiseFulfilledResult<string>).value),
        ['second try'],
      );
    });

    it('lets exactly one waiter take over a fill whose loader hangs past its lock', async () => {
      const [a, b] = [cacheOn(redis, { lockTtl: 200 }), cacheOn(await open(), { lockTtl: 200 })];
      let hangs = 0;
      const hanging = async () => {
        hangs++;
        await sleep(hangs === 1 ? 600 : 10);
        return `load ${hangs}`;
      };
      const started = Date.now();
      const slow = a.getOrSet('slow', hanging);
      await sleep(20);
      assert.equal(await b.getOrSet('slow', hanging), 'load 2', 'the waiter took over once the lock expired');
      assert.ok(Date.now() - started < 600);
      assert.equal(await slow, 'load 2', "the hung filler's callers get the takeover's value");
      assert.equal(hangs, 2);
      assert.equal(a.stats.loadTimeouts, 1);
    });

    it('invalidates by tag atomically, even while a loader runs', async () => {
      const cache = cacheOn(redis);
      await cache.set('p:1', 'mug', { tags: ['category:kitchen'] });
      await cache.set('p:2', 'lamp', { tags: ['category:living'] });
      await cache.invalidateTags(['category:kitchen']);
      assert.equal(await cache.get('p:1'), undefined);
      assert.equal(await cache.get('p:2'), 'lamp');
      // The loader reads old data, then an update invalidates the tag before the value is stored.
      const value = await cache.getOrSet(
        'p:3',
        async () => {
          await cache.invalidateTags(['category:kitchen']);
          return 'stale mug';
        },
        { tags: ['category:kitchen'] },
      );
      assert.equal(value, 'stale mug', 'the caller gets what it loaded');
      assert.equal(await cache.get('p:3'), undefined, 'but nobody reads it from the cache');
    });

    it('never serves a value of an invalidated tag while fills and write-throughs race invalidations', async () => {
      const rounds = process.env.REDKIT_FULL === '1' ? 2_000 : 150;
      const ports = [redis, ...(await Promise.all([open(), open(), open()]))];
      let database = 0; // the source of truth: its version number
      let committed = 0; // the newest version whose invalidation has completed
      const violations: string[] = [];
      let served = 0;
      const load = async () => {
        const version = database;
        await sleep(Math.random() * 3);
        return version;
      };
      let running = true;
      const writer = (async () => {
        const invalidators = ports.map((p) => cacheOn(p, { namespace: 'race' }));
        for (let i = 1; i <= rounds; i++) {
          database = i; // update the source, then invalidate
          await invalidators[i % invalidators.length]!.invalidateTags(['product']);
          committed = i;
          await sleep(Math.random() * 2);
        }
        running = false;
      })();
      // Eight callers, each with its own Cache (so none joins a lookup begun before an invalidation).
      const callers = ports.flatMap((p) => [
        cacheOn(p, { namespace: 'race' }),
        cacheOn(p, { namespace: 'race' }),
      ]);
      await Promise.all(
        callers.map(async (cache, n) => {
          while (running) {
            await new Promise(setImmediate); // the embedded engine answers in microtasks: let timers run
            const floor = committed;
            const how = n % 3;
            const value =
              how === 0
                ? await cache.getOrSet('p', load, { tags: ['product'] })
                : how === 1
                  ? await cache.get<number>('p')
                  : await cache.update('p', load, { tags: ['product'] });
            if (value === undefined) continue;
            served++;
            if (value < floor) violations.push(`read ${value} after version ${floor} was invalidated`);
          }
        }),
      );
      await writer;
      assert.deepEqual(violations, []);
      assert.ok(served > rounds, `${served} values read`);
      for (const cache of callers) {
        const last = await cache.get<number>('p');
        assert.ok(last === undefined || last === rounds, `after the last invalidation: ${last}`);
      }
    });

    it('reuses recent versions for fills without ever serving an entry of an invalidated tag', async () => {
      const filler = cacheOn(await open(), { namespace: 'reuse', versionReuse: '1h' });
      const other = cacheOn(await open(), { namespace: 'reuse' });
      // Mostly misses: lookups go straight to `SET … NX GET` (no read first), with the versions kept.
      for (let i = 0; i < 40; i++) assert.equal(await filler.getOrSet(`a${i}`, () => i, { tags: ['t'] }), i);
      await other.invalidateTags(['t']); // unknown to the filler, which has no local tier listening
      assert.equal(await filler.getOrSet('b', () => 2, { tags: ['t'] }), 2); // stored under the old version
      assert.equal(await other.get('b'), undefined, 'outdated for every reader at once');
      assert.equal(await filler.get('b'), undefined);
      assert.equal(await filler.getOrSet('b', () => 3, { tags: ['t'] }), 3, 'reloaded');
      assert.equal(await other.get('b'), 3, 'the refill read the current versions');
    });

    it('clears a namespace at once, keeps version keys alive longer than entries', async () => {
      const cache = cacheOn(redis, { namespace: 'segment', maxTtl: '1h' });
      await cache.set('a', 1, { ttl: '2h' });
      assert.ok(((await redis.send('PTTL', 'segment:{a}:v')) as number) <= 3_600_000, 'TTL capped at maxTtl');
      await cache.clear();
      assert.equal(await cache.get('a'), undefined);
      assert.ok(((await redis.send('PTTL', 'segment:version')) as number) > 3_500_000);
      assert.equal(await cacheOn(redis).get('p:2'), 'lamp', 'other namespaces untouched');
    });

    it('memoizes sync and async functions by their arguments', async () => {
      const cache = cacheOn(redis);
      let slowCalls = 0;
      const summarize = cache.memoize(
        async (text: string, words: number) => {
          slowCalls++;
          return text.split(' ').slice(0, words).join(' ');
        },
        { name: 'summarize', ttl: '10m' },
      );
      assert.equal(await summarize('the quick brown fox', 2), 'the quick');
      assert.equal(await summarize('the quick brown fox', 2), 'the quick');
      assert.equal(await summarize('the quick brown fox', 3), 'the quick brown');
      assert.equal(slowCalls, 2);
      const square = cache.memoize((n: number) => n * n, { name: 'square' });
      assert.equal(await square(12), 144);
    });

    it('serves a stale value while one background refresh runs (stale-while-revalidate)', async () => {
      const cache = cacheOn(redis, { namespace: 'swr', ttl: 100, jitter: 0, staleWhileRevalidate: '5s' });
      let version = 0;
      const loader = async () => {
        version++;
        await sleep(50);
        return `v${version}`;
      };
      assert.equal(await cache.getOrSet('k', loader), 'v1');
      await sleep(150);
      const during = await Promise.all(Array.from({ length: 20 }, () => cache.getOrSet('k', loader)));
      assert.ok(
        during.every((v) => v === 'v1'),
        'stale value served at once',
      );
      await sleep(300);
      assert.equal(await cache.getOrSet('k', loader), 'v2', 'refreshed in the background, once');
      assert.equal(version, 2);
      assert.ok(cache.stats.refreshes >= 1);
    });

    it('recomputes early, before expiry, when the entry is close to it (XFetch)', async () => {
      const cache = cacheOn(redis, {
        namespace: 'xfetch',
        ttl: 200,
        jitter: 0,
        earlyRecompute: { beta: 50 },
      });
      let loads = 0;
      const loader = async () => {
        loads++;
        await sleep(20);
        return loads;
      };
      await cache.getOrSet('k', loader);
      await sleep(150);
      for (let i = 0; i < 10; i++) await cache.getOrSet('k', loader);
      await sleep(150);
      assert.ok(loads >= 2, 'a slow loader near expiry is refreshed before the entry expires');
    });

    it('caches null results for negativeTtl', async () => {
      const cache = cacheOn(redis, { namespace: 'neg', negativeTtl: '2s', ttl: '1h' });
      let lookups = 0;
      const find = async () => {
        lookups++;
        return null;
      };
      assert.equal(await cache.getOrSet('user:404', find), null);
      assert.equal(await cache.getOrSet('user:404', find), null);
      assert.equal(lookups, 1);
      const ttl = (await redis.send('PTTL', 'neg:{user%3A404}:v')) as number;
      assert.ok(ttl <= 2_200 && ttl > 1_000, `negative entries expire sooner (${ttl} ms)`);
    });

    it('stores MessagePack when asked, keeping Dates and Buffers', async () => {
      const cache = cacheOn(redis, { namespace: 'mp', serializer: 'msgpack' });
      const value = {
        at: new Date('2026-11-22T12:00:00Z'),
        blob: Buffer.from([0, 1, 255]),
        n: 1.5,
        list: [1, 'two'],
      };
      await cache.set('k', value);
      assert.deepEqual(await cache.get('k'), value);
      const raw = (await redis.sendBuffer('GET', 'mp:{k}:v')) as Buffer;
      assert.notEqual(raw[1], '{'.charCodeAt(0), 'binary (after the one-byte value prefix), not JSON');
    });

    it('answers from an in-process tier kept coherent across processes by pub/sub', async () => {
      const [a, b] = [
        cacheOn(redis, { namespace: 'l1', local: { ttl: '1m' } }),
        cacheOn(await open(), { namespace: 'l1', local: { ttl: '1m' } }),
      ];
      await a.set('p', 'v1', { tags: ['t'] });
      assert.equal(await b.get('p'), 'v1');
      assert.equal(await b.get('p'), 'v1');
      assert.equal(b.stats.localHits, 1, 'the second read never left the process');
      const eventually = async (check: () => Promise<boolean>) => {
        for (let i = 0; i < 100 && !(await check()); i++) await sleep(5);
      };
      await a.set('p', 'v2', { tags: ['t'] });
      await eventually(async () => (await b.get('p')) === 'v2');
      assert.equal(await b.get('p'), 'v2', 'a write elsewhere drops the local copy');
      await a.invalidateTags(['t']);
      await eventually(async () => (await b.get('p')) === undefined);
      assert.equal(await b.get('p'), undefined, 'so does an invalidation');
      await b.set('q', 1);
      assert.equal(await a.get('q'), 1);
      await b.clear();
      await eventually(async () => (await a.get('q')) === undefined);
      assert.equal(await a.get('q'), undefined, 'and a clear');
    });

    it('writes through, and guards against oversized values', async () => {
      const warnings: string[] = [];
      const cache = cacheOn(redis, { maxValueBytes: 1000, onWarning: (m) => warnings.push(m) });
      assert.deepEqual(await cache.update('user:1', async () => ({ name: 'Alice' })), { name: 'Alice' });
      assert.deepEqual(await cache.get('user:1'), { name: 'Alice' });
      await cache.set('big', 'x'.repeat(2000));
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /over maxValueBytes \(1000\)/);
      const strict = cacheOn(redis, { maxValueBytes: 1000, oversize: 'refuse' });
      await assert.rejects(strict.set('big2', 'x'.repeat(2000)), CacheValueTooLargeError);
      assert.ok(cache.stats.hits >= 1);
    });
  });
}
