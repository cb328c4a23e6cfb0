import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Engine, RespServer } from '@redkit/engine';
import {
  findRedisServer,
  type RedisClusterHandle,
  type RedisServerHandle,
  realRedisRequired,
  startRedisCluster,
  startRedisServer,
} from '@redkit/test-utils';
import { Cluster, Redis } from 'ioredis';
import { createClient } from 'redis';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { PubSub } from './pubsub.js';

interface Order {
  id: number;
  total: number;
}

const noRedis = !findRedisServer() && !realRedisRequired() ? 'redis-server is not installed' : false;

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const tick = () => new Promise((r) => setTimeout(r, 20));

let redis: RedisServerHandle | null = null;
let engineServer: RespServer;
const owned: Array<{ quit(): Promise<unknown> } | { close(): Promise<unknown> }> = [];
before(async () => {
  redis = await startRedisServer();
  engineServer = await RespServer.listen({ port: 0, host: '127.0.0.1', engine: new Engine() });
});
after(async () => {
  for (const c of owned) await ('quit' in c ? c.quit() : c.close()).catch(() => {});
  await engineServer.close();
  engineServer.engine.close();
  await redis?.stop();
});

const backends: Array<{
  name: string;
  reconnects: boolean;
  skip?: string | false;
  open(): Promise<RedisPort>;
}> = [
  { name: 'embedded engine', reconnects: false, open: () => connect() },
  {
    name: 'ioredis → engine RESP server',
    reconnects: true,
    open: () => connect(`redis://127.0.0.1:${engineServer.port}`),
  },
  {
    name: 'ioredis → redis-server',
    reconnects: true,
    skip: noRedis,
    open: async () => {
      const client = new Redis({ port: redis!.port });
      owned.push(client);
      return connect(client);
    },
  },
  {
    name: 'node-redis → redis-server',
    reconnects: true,
    skip: noRedis,
    open: async () => {
      const client = createClient({ socket: { port: redis!.port } });
      client.on('error', () => {});
      owned.push(client);
      return connect(client);
    },
  },
];

for (const backend of backends) {
  describe(`PubSub: ${backend.name}`, { skip: backend.skip ?? false }, () => {
    let port: RedisPort;
    before(async () => {
      port = await backend.open();
    });
    after(() => port.close());

    it('publishes typed JSON messages to handlers and reports how many received them', async () => {
      const pubsub = new PubSub(port, { namespace: 'shop' });
      const orders = pubsub.channel<Order>('orders');
      const seen: Array<[Order, string]> = [];
      await orders.subscribe((order, message) => void seen.push([order, message.channel]));
      assert.equal(await orders.publish({ id: 1, total: 9.5 }), 1);
      assert.equal(await pubsub.channel<Order>('other').publish({ id: 2, total: 1 }), 0);
      await until(() => seen.length === 1, 'the message');
      assert.deepEqual(seen, [[{ id: 1, total: 9.5 }, 'orders']]);
      assert.equal(await port.send('PUBLISH', 'orders', '{}'), 0, 'the namespace prefixes the channel');
      await pubsub.close();
    });

    it('shares one subscriber connection among handlers; the last unsubscribe leaves the channel', async () => {
      const pubsub = new PubSub(port);
      const news = pubsub.channel<string>('news');
      const a: string[] = [];
      const b: string[] = [];
      const first = await news.subscribe((text) => void a.push(text));
      const second = await news.subscribe((text) => void b.push(text));
      assert.deepEqual(await port.send('PUBSUB', 'NUMSUB', 'news'), ['news', 1]);
      assert.equal(await news.publish('hello'), 1, 'one connection, however many handlers');
      await until(() => a.length === 1 && b.length === 1, 'both handlers');
      await first.unsubscribe();
      await news.publish('again');
      await until(() => b.length === 2, 'the remaining handler');
      assert.deepEqual(a, ['hello']);
      await second.unsubscribe();
      assert.deepEqual(await port.send('PUBSUB', 'NUMSUB', 'news'), ['news', 0]);
      assert.equal(pubsub.stats().subscriptions, 0);
      await pubsub.close();
    });

    it('subscribes by pattern and reports the matching channel', async () => {
      const pubsub = new PubSub(port, { namespace: 'app' });
      const events: string[] = [];
      await pubsub
        .pattern<{ n: number }>('user.*')
        .subscribe((data, m) => void events.push(`${m.channel}=${data.n}`));
      await pubsub
        .pattern<{ n: number }>('user.1?')
        .subscribe((data, m) => void events.push(`?${m.channel}=${data.n}`));
      await pubsub.channel<{ n: number }>('user.1').publish({ n: 1 });
      await pubsub.channel<{ n: number }>('user.12').publish({ n: 2 });
      await pubsub.channel<{ n: number }>('order.1').publish({ n: 3 });
      await until(() => events.length === 3, 'pattern messages');
      assert.deepEqual(events.sort(), ['?user.12=2', 'user.12=2', 'user.1=1']);
      assert.equal(await port.send('PUBSUB', 'NUMPAT'), 2);
      await pubsub.close();
      assert.equal(await port.send('PUBSUB', 'NUMPAT'), 0);
    });

    it('iterates messages with for await; break unsubscribes', async () => {
      const pubsub = new PubSub(port);
      const ticks = pubsub.channel<number>('ticks');
      const stream = ticks.messages();
      await stream.ready;
      for (let i = 1; i <= 5; i++) await ticks.publish(i);
      const got: number[] = [];
      for await (const message of stream) {
        got.push(message.data);
        if (got.length === 3) break;
      }
      assert.deepEqual(got, [1, 2, 3]);
      assert.deepEqual(await port.send('PUBSUB', 'NUMSUB', 'ticks'), ['ticks', 0]);

      // `for await (const m of channel)` directly; close() ends the loop.
      const loop = (async () => {
        const seen: number[] = [];
        for await (const m of ticks) seen.push(m.data);
        return seen;
      })();
      await until(() => pubsub.stats().subscriptions === 1, 'the loop to subscribe');
      await ticks.publish(7);
      await tick();
      await pubsub.close();
      assert.deepEqual(await loop, [7]);
    });

    it('runs one handler at a time in order by default, or several with concurrency', async () => {
      const pubsub = new PubSub(port);
      const seq = pubsub.channel<number>('seq');
      const order: number[] = [];
      let running = 0;
      let maxRunning = 0;
      const slow = async (n: number) => {
        maxRunning = Math.max(maxRunning, ++running);
        await new Promise((r) => setTimeout(r, (10 - n) * 2));
        order.push(n);
        running--;
      };
      const one = await seq.subscribe(slow);
      for (let i = 0; i < 10; i++) await seq.publish(i);
      await until(() => one.stats.received === 10, 'every message');
      await one.unsubscribe(); // waits for the received messages to be handled
      assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.equal(maxRunning, 1);
      order.length = 0;
      const many = await seq.subscribe(slow, { concurrency: 4 });
      for (let i = 0; i < 10; i++) await seq.publish(i);
      await until(() => many.stats.received === 10, 'every message');
      await many.unsubscribe();
      assert.equal(order.length, 10);
      assert.equal(maxRunning, 4);
      await pubsub.close();
    });

    it('warns when a handler falls behind and sheds the oldest past maxBuffered', async () => {
      const warnings: string[] = [];
      const pubsub = new PubSub(port, {
        highWaterMark: 5,
        maxBuffered: 8,
        onWarning: (w) => warnings.push(w),
      });
      const jobs = pubsub.channel<number>('slow');
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const handled: number[] = [];
      const listener = await jobs.subscribe(async (n) => {
        await gate;
        handled.push(n);
      });
      for (let i = 0; i < 12; i++) await jobs.publish(i);
      await until(() => listener.stats.received === 12, 'every message');
      assert.equal(warnings.filter((w) => w.includes('falls behind')).length, 1, warnings.join('\n'));
      assert.match(
        warnings.find((w) => w.includes('falls behind'))!,
        /'slow' falls behind: 6 messages are waiting/,
      );
      assert.equal(warnings.filter((w) => w.includes('dropped')).length, 1);
      assert.equal(listener.stats.dropped, 3);
      release();
      await listener.unsubscribe();
      assert.deepEqual(handled, [0, 4, 5, 6, 7, 8, 9, 10, 11], 'the first was running; 1-3 were dropped');
      assert.deepEqual(
        { ...listener.stats },
        { received: 12, handled: 9, failed: 0, dropped: 3, buffered: 0 },
      );
      await pubsub.close();
    });

    it('reports handler errors and undecodable messages, and keeps going', async () => {
      const errors: Array<[string, string]> = [];
      const pubsub = new PubSub(port, {
        onError: (error, m) => errors.push([m.channel, (error as Error).message]),
      });
      const ch = pubsub.channel<{ ok: boolean }>('mixed');
      const good: boolean[] = [];
      const listener = await ch.subscribe((v) => {
        if (!v.ok) throw new Error('refused');
        good.push(v.ok);
      });
      await port.send('PUBLISH', 'mixed', 'not json');
      await ch.publish({ ok: false });
      await ch.publish({ ok: true });
      await until(() => good.length === 1, 'the good message');
      assert.equal(errors.length, 2);
      assert.equal(errors[0]![0], 'mixed');
      assert.match(errors[0]![1], /JSON/);
      assert.deepEqual(errors[1], ['mixed', 'refused']);
      assert.equal(listener.stats.failed, 2);
      await pubsub.close();
    });

    it('carries binary payloads with the msgpack and buffer codecs', async () => {
      const pubsub = new PubSub(port, { codec: 'msgpack' });
      const blobs = pubsub.channel<{ at: Date; bytes: Buffer }>('blobs');
      const raw = pubsub.channel<Buffer>('raw', { codec: 'buffer' });
      const got: unknown[] = [];
      await blobs.subscribe((v) => void got.push(v));
      await raw.subscribe((v) => void got.push(v));
      const at = new Date('2024-01-02T03:04:05Z');
      await blobs.publish({ at, bytes: Buffer.from([0, 255, 13, 10]) });
      await raw.publish(Buffer.from([1, 2, 0xff]));
      await until(() => got.length === 2, 'binary messages');
      const [first, second] = got as [{ at: Date; bytes: Buffer }, Buffer];
      assert.equal(first.at.getTime(), at.getTime());
      assert.deepEqual([...first.bytes], [0, 255, 13, 10]);
      assert.deepEqual([...second], [1, 2, 0xff]);
      await pubsub.close();
    });

    // The embedded engine has no connection to lose: the test exists only for the network backends.
    (backend.reconnects ? it : ((() => undefined) as unknown as typeof it))(
      'resubscribes after the subscriber connection is killed',
      async () => {
        let reconnected = 0;
        const pubsub = new PubSub(port, { onReconnect: () => reconnected++ });
        const alerts = pubsub.channel<string>('alerts');
        const patterned: string[] = [];
        const direct: string[] = [];
        await alerts.subscribe((v) => void direct.push(v));
        await pubsub.pattern<string>('ale*').subscribe((v) => void patterned.push(v));
        await alerts.publish('before');
        await until(() => direct.length === 1 && patterned.length === 1, 'the first message');
        assert.ok(((await port.send('CLIENT', 'KILL', 'TYPE', 'pubsub')) as number) >= 2);
        // Publish until both subscriptions are back: messages sent while down are lost (at-most-once).
        await until(() => reconnected >= 2, 'both connections to come back');
        const deadline = Date.now() + 5000;
        while (!(direct.includes('after') && patterned.includes('after')) && Date.now() < deadline) {
          await alerts.publish('after');
          await tick();
        }
        assert.ok(direct.includes('after') && patterned.includes('after'), 'messages flow again');
        assert.equal(pubsub.stats().reconnects, reconnected);
        await pubsub.close();
      },
    );
  });
}

describe('PubSub on Redis Cluster (ioredis)', { skip: noRedis }, () => {
  let cluster: RedisClusterHandle | null;
  let port: RedisPort;
  let client: Cluster;
  before(async () => {
    cluster = await startRedisCluster(3);
    client = new Cluster(cluster!.ports.map((p) => ({ host: '127.0.0.1', port: p })));
    port = await connect(client);
  });
  after(async () => {
    await client?.quit();
    await cluster?.stop();
  });

  it('delivers channel and pattern messages published through any node', async () => {
    const pubsub = new PubSub(port);
    const got: string[] = [];
    await pubsub.channel<number>('c1').subscribe((n, m) => void got.push(`${m.channel}:${n}`));
    await pubsub.pattern<number>('c*').subscribe((n, m) => void got.push(`p:${m.channel}:${n}`));
    for (let i = 1; i <= 3; i++) await pubsub.channel<number>(`c${i}`).publish(i);
    await until(() => got.length === 4, 'cluster messages');
    assert.deepEqual(got.sort(), ['c1:1', 'p:c1:1', 'p:c2:2', 'p:c3:3']);
    await pubsub.close();
  });
});
