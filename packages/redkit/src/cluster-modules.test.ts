import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  findRedisServer,
  type RedisClusterHandle,
  realRedisRequired,
  startRedisCluster,
} from '@redkit/test-utils';
import { Cluster } from 'ioredis';
import { Cache } from './cache/cache.js';
import { connect } from './client/connect.js';
import type { RedisPort } from './client/port.js';
import { Counter } from './data/counter.js';
import { Feed } from './data/feed.js';
import { Leaderboard } from './data/leaderboard.js';
import { Queue } from './data/queue.js';
import { UniqueCounter } from './data/unique-counter.js';
import { Sessions } from './session/sessions.js';

/** Every toolkit module on a local three-master Redis Cluster: their keys must never cross slots wrongly. */
describe('toolkit modules on Redis Cluster', {
  skip: !findRedisServer() && !realRedisRequired() ? 'redis-server is not installed' : false,
}, () => {
  let cluster: RedisClusterHandle | null;
  let redis: RedisPort;
  before(async () => {
    cluster = await startRedisCluster(3);
    redis = await connect(new Cluster(cluster!.ports.map((port) => ({ host: '127.0.0.1', port }))));
  });
  after(async () => {
    await (redis as unknown as { client: Cluster }).client.quit();
    await cluster?.stop();
  });

  it('Cache: fills, tags, namespace clear, stampede lock', async () => {
    const cache = new Cache(redis, { namespace: 'shop' });
    let loads = 0;
    const values = await Promise.all(
      Array.from({ length: 20 }, () => cache.getOrSet('p:1', async () => ++loads, { tags: ['category:a'] })),
    );
    assert.ok(values.every((v) => v === 1));
    await cache.invalidateTags(['category:a']);
    assert.equal(await cache.get('p:1'), undefined);
    await cache.set('p:2', 'x');
    await cache.clear();
    assert.equal(await cache.get('p:2'), undefined);
    await cache.close();
  });

  it('Sessions, Leaderboard, Counter, UniqueCounter, Feed and Queue', async () => {
    const sessions = new Sessions(redis);
    const s = await sessions.create({ userId: 'alice', data: { a: 1 } });
    assert.equal(await sessions.update(s.id, { b: 2 }), true);
    assert.equal((await sessions.listForUser('alice')).length, 1);
    assert.ok(await sessions.regenerate(s.id));

    const board = new Leaderboard(redis, 'game', { period: 'day' });
    await board.increment('bob', 5);
    assert.equal((await board.top(1))[0]?.member, 'bob');

    const counter = new Counter(redis, 'views', { period: 'hour' });
    await counter.increment('home');
    const now = Date.now();
    assert.equal((await counter.range('home', now - 7_200_000, now)).at(-1)?.count, 1);

    const visitors = new UniqueCounter(redis, 'visitors');
    await visitors.add('u1', 'u2');
    assert.equal(await visitors.countRange(now - 3 * 86_400_000, now), 2);

    const feed = new Feed(redis, 'activity', { maxLength: 2 });
    await feed.push('alice', 1, 2, 3);
    assert.deepEqual(await feed.latest('alice'), [3, 2]);

    const queue = new Queue<string>(redis, 'jobs');
    await queue.push('a');
    const job = await queue.take();
    await job?.ack();
    assert.equal(await queue.requeueStale(), 0);
  });
});
