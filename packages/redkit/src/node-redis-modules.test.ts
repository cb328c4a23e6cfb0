import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  findRedisServer,
  type RedisClusterHandle,
  type RedisServerHandle,
  realRedisRequired,
  startRedisCluster,
  startRedisServer,
} from '@redkit/test-utils';
import { createClient, createCluster } from 'redis';
import { Cache } from './cache/cache.js';
import { connect } from './client/connect.js';
import type { RedisPort } from './client/port.js';
import { Counter } from './data/counter.js';
import { Feed } from './data/feed.js';
import { Leaderboard } from './data/leaderboard.js';
import { Queue } from './data/queue.js';
import { UniqueCounter } from './data/unique-counter.js';
import { Sessions } from './session/sessions.js';

/**
 * Every toolkit module through node-redis (the other client library the toolkit supports besides ioredis):
 * a client on a redis-server, and a cluster client on a local three-master Redis Cluster.
 */
const noRedis = !findRedisServer() && !realRedisRequired();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Closes a node-redis client or cluster that a port wraps (redkit never closes clients it was given). */
async function closeClient(port: RedisPort | undefined): Promise<void> {
  const client = (port as unknown as { client?: { close?(): Promise<unknown>; quit?(): Promise<unknown> } })
    ?.client;
  await (client?.close?.() ?? client?.quit?.());
}

interface Target {
  name: string;
  start(): Promise<{ open: () => Promise<RedisPort>; stop: () => Promise<void> }>;
}

const targets: Target[] = [
  {
    name: 'node-redis client on redis-server',
    start: async () => {
      const server = (await startRedisServer()) as RedisServerHandle;
      return {
        open: () => connect(createClient({ url: `redis://127.0.0.1:${server.port}` })),
        stop: () => server.stop(),
      };
    },
  },
  {
    name: 'node-redis cluster client on a three-master Redis Cluster',
    start: async () => {
      const cluster = (await startRedisCluster(3)) as RedisClusterHandle;
      return {
        open: async () => {
          const client = createCluster({
            rootNodes: cluster.ports.map((port) => ({ url: `redis://127.0.0.1:${port}` })),
          });
          client.on('error', () => {});
          return connect(client);
        },
        stop: () => cluster.stop(),
      };
    },
  },
];

for (const target of targets) {
  describe(`toolkit modules through ${target.name}`, {
    skip: noRedis ? 'redis-server is not installed' : false,
  }, () => {
    let stop: () => Promise<void>;
    let open: () => Promise<RedisPort>;
    let redis: RedisPort;
    let other: RedisPort;
    const caches: Cache[] = [];
    before(async () => {
      ({ open, stop } = await target.start());
      [redis, other] = [await open(), await open()];
      assert.match(redis.backend, /^node-redis/);
    });
    after(async () => {
      for (const cache of caches) await cache.close();
      await closeClient(redis);
      await closeClient(other);
      await stop?.();
    });
    const cacheOn = (port: RedisPort, options: ConstructorParameters<typeof Cache>[1] = {}) => {
      const cache = new Cache(port, { namespace: 'nr', ...options });
      caches.push(cache);
      return cache;
    };

    it('Cache: hits and misses, msgpack, tags, namespace clear', async () => {
      const cache = cacheOn(redis);
      assert.equal(await cache.get('p:1'), undefined);
      assert.deepEqual(await cache.getOrSet('p:1', async () => ({ name: 'mug' }), { tags: ['kitchen'] }), {
        name: 'mug',
      });
      assert.deepEqual(await cache.get('p:1'), { name: 'mug' });
      const binary = cacheOn(redis, { namespace: 'nr-mp', serializer: 'msgpack' });
      const value = { at: new Date('2026-01-02T03:04:05Z'), bytes: Buffer.from([0, 255, 7]) };
      await binary.set('b', value);
      assert.deepEqual(await binary.get('b'), value, 'binary entries survive node-redis replies');
      assert.deepEqual(await binary.getOrSet('b', () => null), value);
      await cache.invalidateTags(['kitchen']);
      assert.equal(await cache.get('p:1'), undefined);
      await cache.set('p:2', 'lamp');
      await cache.clear();
      assert.equal(await cache.get('p:2'), undefined);
    });

    it('Cache: one loader call for concurrent misses over two connections (fill lock), and a takeover', async () => {
      const [a, b] = [cacheOn(redis, { lockTtl: 300 }), cacheOn(other, { lockTtl: 300 })];
      let loads = 0;
      const loader = async () => {
        loads++;
        await sleep(60);
        return 'fresh';
      };
      const values = await Promise.all(
        Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).getOrSet('hot', loader)),
      );
      assert.equal(loads, 1);
      assert.ok(values.every((v) => v === 'fresh'));
      assert.equal(a.stats.waits + b.stats.waits >= 1, true, 'one connection waited for the other');

      let calls = 0;
      const hangsOnce = async () => {
        calls++;
        await sleep(calls === 1 ? 1_000 : 10);
        return `load ${calls}`;
      };
      const first = a.getOrSet('stuck', hangsOnce);
      await sleep(20);
      assert.equal(await b.getOrSet('stuck', hangsOnce), 'load 2');
      assert.equal(await first, 'load 2');
      assert.equal(calls, 2);
    });

    it('Cache: the in-process tier stays coherent through pub/sub', async () => {
      const [a, b] = [
        cacheOn(redis, { namespace: 'nr-l1', local: { ttl: '1m' } }),
        cacheOn(other, { namespace: 'nr-l1', local: { ttl: '1m' } }),
      ];
      await a.set('k', 'v1', { tags: ['t'] });
      assert.equal(await b.get('k'), 'v1');
      assert.equal(await b.get('k'), 'v1');
      assert.equal(b.stats.localHits, 1);
      const eventually = async (check: () => Promise<boolean>) => {
        for (let i = 0; i < 200 && !(await check()); i++) await sleep(5);
      };
      await a.set('k', 'v2');
      await eventually(async () => (await b.get('k')) === 'v2');
      assert.equal(await b.get('k'), 'v2', "another process's write drops the local copy");
      await a.delete('k');
      await eventually(async () => (await b.get('k')) === undefined);
      assert.equal(await b.get('k'), undefined, 'and so does a delete');
    });

    it('Sessions: create, field updates, regenerate, per-user listing', async () => {
      const sessions = new Sessions(redis, { idleTimeout: '10m', absoluteTimeout: '1h' });
      const s = await sessions.create({ userId: 'alice', data: { cart: [1] } });
      await Promise.all([sessions.update(s.id, { cart: [1, 2] }), sessions.update(s.id, { theme: 'dark' })]);
      assert.deepEqual((await sessions.get(s.id))?.data, { cart: [1, 2], theme: 'dark' });
      const fresh = await sessions.regenerate(s.id);
      assert.ok(fresh);
      assert.equal(await sessions.get(s.id), null);
      assert.deepEqual(
        (await sessions.listForUser('alice')).map((x) => x.id),
        [fresh.id],
      );
      assert.equal(await sessions.destroyAllForUser('alice'), 1);
    });

    it('Leaderboard, Counter, UniqueCounter, Feed and Queue', async () => {
      const board = new Leaderboard(redis, 'nr-game', { period: 'day' });
      await board.increment('bob', 5);
      await board.increment('carol', 7);
      assert.deepEqual(
        (await board.top(2)).map((s) => s.member),
        ['carol', 'bob'],
      );

      const counter = new Counter(redis, 'nr-views', { period: 'hour' });
      await counter.increment('home');
      await counter.increment('home', 2);
      const now = Date.now();
      assert.equal((await counter.range('home', now - 7_200_000, now)).at(-1)?.count, 3);

      const visitors = new UniqueCounter(redis, 'nr-visitors');
      await visitors.add('u1', 'u2', 'u1');
      assert.equal(await visitors.countRange(now - 3 * 86_400_000, now), 2);

      const feed = new Feed(redis, 'nr-activity', { maxLength: 2 });
      await feed.push('alice', 1, 2, 3);
      assert.deepEqual(await feed.latest('alice'), [3, 2]);

      const queue = new Queue<string>(redis, 'nr-jobs');
      await queue.push('a', 'b');
      const job = await queue.take();
      assert.equal(job?.data, 'a');
      await job?.ack();
      assert.deepEqual(await queue.counts(), { waiting: 1, processing: 0 });
      assert.equal(await queue.requeueStale(), 0);
    });
  });
}
