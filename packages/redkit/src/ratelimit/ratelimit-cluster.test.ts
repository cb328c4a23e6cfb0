import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  findRedisServer,
  type RedisClusterHandle,
  realRedisRequired,
  startRedisCluster,
} from '@redkit/test-utils';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { clusterSlot, escapeKeyPart } from '../keys.js';
import { RateLimiter } from './limiter.js';

const { fixedWindow, slidingWindowLog, slidingWindowCounter, tokenBucket, gcra } = RateLimiter;

let cluster: RedisClusterHandle | null = null;
const noRedis = !findRedisServer() && !realRedisRequired();
before(async () => {
  if (!noRedis) cluster = await startRedisCluster(3);
});
after(async () => {
  await cluster?.stop();
});

const clients: Array<[name: string, open: () => Promise<RedisPort>]> = [
  [
    'ioredis Cluster',
    () => connect(new Cluster(cluster!.ports.map((port) => ({ host: '127.0.0.1', port })))),
  ],
  [
    'node-redis cluster',
    async () => {
      const c = createCluster({
        rootNodes: cluster!.ports.map((port) => ({ url: `redis://127.0.0.1:${port}` })),
      });
      c.on('error', () => {});
      return connect(c);
    },
  ],
];

for (const [name, open] of clients) {
  describe(`RateLimiter on a three-master Redis Cluster (${name})`, {
    skip: noRedis ? 'redis-server is not installed' : false,
  }, () => {
    let redis: RedisPort;
    before(async () => {
      redis = await open();
    });
    after(async () => {
      const client = (
        redis as unknown as { client: { quit?(): Promise<unknown>; close?(): Promise<unknown> } }
      ).client;
      await (client.close?.() ?? client.quit?.());
    });

    it('every algorithm at once, for identifiers spread over all slots: exact counts, reset and block', async () => {
      const limiter = new RateLimiter(
        redis,
        [
          fixedWindow(5, '1m'),
          slidingWindowLog(6, '1m'),
          slidingWindowCounter(7, '1m'),
          tokenBucket(1, '1h', { capacity: 8 }),
          gcra(9, '1h'),
        ],
        { namespace: `cluster-${name.split(' ')[0]}`, penalty: { duration: '1m', afterRefusals: 3 } },
      );
      const ids = Array.from({ length: 24 }, (_, i) => `user:${i}`);
      assert.ok(
        new Set(ids.map((id) => clusterSlot(`{${escapeKeyPart(id)}}`))).size > 20,
        'ids spread over slots',
      );
      const admitted = await Promise.all(
        ids.map(async (id) => {
          let n = 0;
          for (let i = 0; i < 8; i++) if ((await limiter.limit(id)).allowed) n++;
          return n;
        }),
      );
      assert.deepEqual(
        admitted,
        ids.map(() => 5),
        'the fixed window (5) binds, refusals spend nothing',
      );
      const state = await limiter.peek('user:0');
      assert.equal(state.blocked, true, 'three refusals: blocked');
      assert.deepEqual(
        state.limits.map((l) => l.remaining),
        [0, 1, 2, 3, 4],
      );
      await limiter.reset('user:0');
      assert.deepEqual(
        [(await limiter.limit('user:0')).allowed, (await limiter.peek('user:0')).remaining],
        [true, 4],
      );
      await limiter.block('user:1', '1s');
      await limiter.unblock('user:2');
      assert.equal((await limiter.peek('user:1')).blocked, true);
      assert.equal((await limiter.peek('user:2')).blocked, false);
    });

    it('a lone fixed window (its integer reply) across slots, with a block', async () => {
      const limiter = new RateLimiter(redis, fixedWindow(3, '1m'), {
        namespace: `lone-${name.split(' ')[0]}`,
      });
      const ids = Array.from({ length: 12 }, (_, i) => `user:${i}`);
      const results = await Promise.all(
        ids.map(async (id) => {
          const seen = [];
          for (let i = 0; i < 4; i++) seen.push(await limiter.limit(id));
          return seen.map((r) => `${r.allowed}/${r.remaining}`).join(' ');
        }),
      );
      assert.deepEqual(
        results,
        ids.map(() => 'true/2 true/1 true/0 false/0'),
      );
      await limiter.block('user:0', '1m');
      const blocked = await limiter.peek('user:0');
      assert.deepEqual([blocked.blocked, blocked.limits[0]!.remaining], [true, 0]);
    });
  });
}
