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
import { RedisCommandError } from '../errors.js';
import { clusterSlot, Keys } from '../keys.js';
import { connect } from './connect.js';
import { LuaScript, type RedisPort } from './port.js';

/** The port on a local three-master Redis Cluster, through ioredis and node-redis. */
let cluster: RedisClusterHandle | null = null;
before(async () => {
  cluster = await startRedisCluster(3);
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
  describe(`client port on Redis Cluster: ${name}`, {
    skip: !findRedisServer() && !realRedisRequired() ? 'redis-server is not installed' : false,
  }, () => {
    let port: RedisPort;
    before(async () => {
      port = await open();
    });
    after(async () => {
      const client = (
        port as unknown as { client: { quit?(): Promise<unknown>; close?(): Promise<unknown> } }
      ).client;
      await (client.close?.() ?? client.quit?.());
    });

    it('routes single-key commands to every slot', async () => {
      const keys = Array.from({ length: 30 }, (_, i) => `key-${name}-${i}`);
      assert.ok(new Set(keys.map(clusterSlot)).size > 20);
      for (const key of keys) await port.send('SET', key, key);
      for (const key of keys) assert.equal(await port.send('GET', key), key);
    });

    it('runs multi-key scripts and transactions on hash-tagged keys (one slot)', async () => {
      const order = new Keys('shop').inSlot('order', name);
      const script = new LuaScript("redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCR', KEYS[2])");
      assert.equal(await port.runScript(script, [order.of('state'), order.of('version')], ['paid']), 1);
      assert.equal(await port.runScript(script, [order.of('state'), order.of('version')], ['shipped']), 2);
      assert.equal(await port.send('GET', order.of('state')), 'shipped');
      const tx = await port.transaction([
        ['INCR', order.of('version')],
        ['GET', order.of('state')],
      ]);
      assert.deepEqual(tx, [3, 'shipped']);
    });

    it('subscribes across the cluster', async () => {
      const messages: string[] = [];
      const subscription = await port.subscribe(['events'], (_channel, message) =>
        messages.push(message.toString()),
      );
      await port.send('PUBLISH', 'events', 'order.created');
      for (let i = 0; i < 100 && messages.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(messages, ['order.created']);
      await subscription.close();
    });

    it("reports cross-slot use with Redis's error", async () => {
      const script = new LuaScript("return redis.call('MGET', KEYS[1], KEYS[2])");
      await assert.rejects(
        port.runScript(script, ['a', 'b'], []),
        (e: unknown) => e instanceof RedisCommandError,
      );
    });
  });
}
