import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  findRedisServer,
  type RedisClusterHandle,
  realRedisRequired,
  startRedisCluster,
} from '@redkit/test-utils';
import { Cluster } from 'ioredis';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { FencedStore } from './fencing.js';
import { Lock } from './lock.js';
import { Redlock } from './redlock.js';
import { Semaphore } from './semaphore.js';

/** Locks on a local three-master Redis Cluster: every script's keys must share one slot. */
describe('locks on Redis Cluster', {
  skip: !findRedisServer() && !realRedisRequired() ? 'redis-server is not installed' : false,
}, () => {
  let cluster: RedisClusterHandle | null;
  let client: Cluster;
  let redis: RedisPort;
  before(async () => {
    cluster = await startRedisCluster(3);
    client = new Cluster(cluster!.ports.map((port) => ({ host: '127.0.0.1', port })));
    redis = await connect(client);
  });
  after(async () => {
    await client?.quit();
    await cluster?.stop();
  });

  it('Lock: many resources across slots, fencing, extend, withLock', async () => {
    const lock = new Lock(redis, { ttl: '5s' });
    const handles = await Promise.all(
      Array.from({ length: 20 }, (_, i) => lock.acquire(`order:${i}:payment`)),
    );
    for (const h of handles) assert.equal(await lock.tryAcquire(h.resource), null);
    for (const h of handles) await h.extend();
    for (const h of handles) assert.equal(await h.release(), true);
    const first = await lock.withLock('order:1:payment', ({ fencingToken }) => fencingToken);
    const second = await lock.withLock('order:1:payment', ({ fencingToken }) => fencingToken);
    assert.ok(second > first);
  });

  it('Redlock with the cluster as one of its servers', async () => {
    const redlock = new Redlock([redis], { ttl: '5s' });
    const handle = await redlock.acquire('report');
    assert.equal(await redlock.tryAcquire('report'), null);
    assert.equal(await handle.release(), true);
  });

  it('Semaphore and FencedStore', async () => {
    const sem = new Semaphore(redis, 'pdf-render', { limit: 2, ttl: '5s' });
    const permits = [await sem.acquire(), await sem.acquire()];
    assert.equal(await sem.tryAcquire(), null);
    assert.deepEqual(await sem.count(), { held: 2, waiting: 0 });
    for (const p of permits) await p.release();
    const store = new FencedStore<string>(redis);
    await store.write('doc:1', 'v1', 5);
    await assert.rejects(store.write('doc:1', 'v0', 4));
    assert.equal(await store.read('doc:1', 6), 'v1');
  });
});
