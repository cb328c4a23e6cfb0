import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import {
  findRedisServer,
  type RedisServerHandle,
  realRedisRequired,
  startRedisServer,
} from '@redkit/test-utils';
import { Client, eventually } from './http-client.test-support.js';
import { Fulfilment } from './orders.js';
import { createShop, type Shop } from './shop.js';

// REDKIT_FULL=1: more orders in flight when the consumer dies.
const ORDERS = process.env.REDKIT_FULL === '1' ? 40 : 6;

let redisServer: RedisServerHandle | null = null;
before(async () => {
  redisServer = await startRedisServer();
});
after(async () => {
  await redisServer?.stop();
});

for (const backend of ['embedded engine', 'redis-server'] as const) {
  const noRedis = backend === 'redis-server' && !findRedisServer() && !realRedisRequired();
  describe(`fulfilment on ${backend}`, { skip: noRedis ? 'redis-server is not installed' : false }, () => {
    let shop: Shop;
    let base: string;
    let url: string;
    let worker: ChildProcess | undefined;

    before(async () => {
      const redisUrl = backend === 'redis-server' ? `redis://127.0.0.1:${redisServer!.port}` : undefined;
      shop = await createShop({
        redisUrl,
        // On the engine, the worker process reaches it through the engine's RESP server.
        resp: redisUrl ? false : { port: 0, host: '127.0.0.1' },
        namespace: `test-${randomBytes(4).toString('hex')}`,
        paymentDelayMs: 0,
        fulfilment: { autoStart: false, claimIdle: '1s', consumer: 'shop-1' },
      });
      url = redisUrl ?? `redis://127.0.0.1:${shop.backend.resp!.port}`;
      base = `http://127.0.0.1:${await shop.listen(0)}`;
    });
    after(async () => {
      worker?.kill('SIGKILL');
      await shop?.close();
    });

    it('processes every order exactly once although the consumer holding them was killed', async () => {
      const { fulfilment, db } = shop.context;
      // A second consumer process takes every order and dies before finishing any.
      worker = fork(
        new URL('./consumer.worker.js', import.meta.url),
        [url, shop.context.orders.stream, Fulfilment.GROUP, 'doomed'],
        {
          stdio: 'ignore',
        },
      );
      const taken = new Set<string>();
      let ready = false;
      worker.on('message', (m: { ready?: boolean; taken?: string }) => {
        if (m.ready) ready = true;
        if (m.taken) taken.add(m.taken);
      });
      await eventually(async () => (ready ? true : undefined));

      const alice = new Client(base);
      await alice.login('alice@example.com');
      const ids: string[] = [];
      for (let i = 0; i < ORDERS; i++) {
        const res = await alice.post('/orders', { items: [{ productId: 10, quantity: 1 }] });
        assert.equal(res.status, 201);
        ids.push(res.body.order.id);
      }
      await eventually(async () => (taken.size === ORDERS ? true : undefined));
      const exited = once(worker, 'exit');
      worker.kill('SIGKILL');
      await exited;
      const stranded = await fulfilment.consumer.metrics();
      assert.equal(stranded.pending, ORDERS);
      for (const id of ids) assert.equal(db.order(id)?.status, 'paid');

      // The shop's own consumer takes the dead consumer's entries over once they have been idle for claimIdle.
      await fulfilment.start();
      await eventually(async () =>
        ids.every((id) => db.order(id)?.status === 'fulfilled') ? true : undefined,
      );
      for (const id of ids) assert.equal(db.shipments(id), 1);
      assert.deepEqual(fulfilment.counts, { fulfilled: ORDERS, duplicates: 0, unknown: 0 });
      const metrics = await eventually(async () => {
        const m = await fulfilment.consumer.metrics();
        return m.pending === 0 ? m : undefined;
      });
      assert.ok(metrics.local.reclaimed >= ORDERS, `reclaimed ${metrics.local.reclaimed}`);

      // Delivered again (the whole stream replayed): fulfilling is idempotent by order id.
      await fulfilment.consumer.replayFrom('0');
      await eventually(async () => (fulfilment.counts.duplicates === ORDERS ? true : undefined));
      for (const id of ids) assert.equal(db.shipments(id), 1);
      assert.equal(fulfilment.counts.fulfilled, ORDERS);

      // New orders keep flowing to the surviving consumer.
      const late = await alice.post('/orders', { items: [{ productId: 10, quantity: 1 }] });
      await eventually(async () => (db.order(late.body.order.id)?.status === 'fulfilled' ? true : undefined));
      assert.equal(fulfilment.counts.fulfilled, ORDERS + 1);
      const stats = (await alice.get('/stats/fulfilment')).body;
      assert.equal(stats.stream.pending, 0);
      assert.equal(stats.stream.length, ORDERS + 1);
    });
  });
}
