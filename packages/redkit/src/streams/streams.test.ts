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
import { Cluster, Redis } from 'ioredis';
import { createClient } from 'redis';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { StreamConsumer, type StreamConsumerOptions, type StreamEntry } from './consumer.js';
import { StreamProducer } from './producer.js';

const noRedis = !findRedisServer() && !realRedisRequired() ? 'redis-server is not installed' : false;

async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 8000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: RedisServerHandle | null = null;
let cluster: RedisClusterHandle | null = null;
const owned: Array<{ quit(): Promise<unknown> } | { close(): Promise<unknown> }> = [];
before(async () => {
  server = await startRedisServer();
  cluster = noRedis ? null : await startRedisCluster(3);
});
after(async () => {
  for (const c of owned) await ('quit' in c ? c.quit() : c.close()).catch(() => {});
  await server?.stop();
  await cluster?.stop();
});

const backends: Array<{
  name: string;
  cluster?: boolean;
  skip?: string | false;
  open(): Promise<RedisPort>;
}> = [
  { name: 'embedded engine', open: () => connect() },
  {
    name: 'ioredis → redis-server',
    skip: noRedis,
    open: async () => {
      const client = new Redis({ port: server!.port });
      owned.push(client);
      return connect(client);
    },
  },
  {
    name: 'node-redis → redis-server',
    skip: noRedis,
    open: async () => {
      const client = createClient({ socket: { port: server!.port } });
      client.on('error', () => {});
      owned.push(client);
      return connect(client);
    },
  },
  {
    name: 'ioredis → Redis Cluster',
    cluster: true,
    skip: noRedis,
    open: async () => {
      const client = new Cluster(cluster!.ports.map((port) => ({ host: '127.0.0.1', port })));
      owned.push(client);
      return connect(client);
    },
  },
];

let streamCounter = 0;

for (const backend of backends) {
  describe(`Streams: ${backend.name}`, { skip: backend.skip ?? false }, () => {
    let redis: RedisPort;
    const consumers: StreamConsumer<unknown>[] = [];
    before(async () => {
      redis = await backend.open();
    });
    after(async () => {
      for (const c of consumers) await c.stop();
      await redis.close();
    });

    const fresh = () => `test-stream-${++streamCounter}`;
    function consumer<T>(options: Partial<StreamConsumerOptions<T>> & { stream: string }): StreamConsumer<T> {
      const c = new StreamConsumer<T>(redis, {
        group: 'workers',
        handler: () => {},
        claimIdle: '300ms',
        block: '200ms',
        backoff: { base: '20ms', max: '100ms' },
        onWarning: () => {},
        onError: () => {},
        ...options,
      });
      consumers.push(c as StreamConsumer<unknown>);
      return c;
    }

    it('caps the stream by length (MAXLEN ~ or exact) or by age, and optionally expires it', async () => {
      const approx = new StreamProducer<number>(redis, fresh(), { maxLen: 100 });
      await approx.addMany(Array.from({ length: 1000 }, (_, i) => i));
      const length = await approx.length();
      assert.ok(length >= 100 && length < 300, `about 100 entries kept, got ${length}`);
      const exact = new StreamProducer<number>(redis, fresh(), { maxLen: 50, exactTrim: true, ttl: '1h' });
      for (let i = 0; i < 3; i++) await exact.addMany(Array.from({ length: 40 }, (_, j) => j));
      assert.equal(await exact.length(), 50);
      const ttl = (await redis.send('PTTL', exact.stream)) as number;
      assert.ok(ttl > 3_500_000 && ttl <= 3_600_000, `ttl ${ttl}`);
      const aged = new StreamProducer<number>(redis, fresh(), { maxAge: '1h', exactTrim: true });
      await redis.send('XADD', aged.stream, '1-0', 'data', '0');
      const id = await aged.add(1);
      assert.match(id, /^\d+-\d+$/);
      assert.equal(await aged.length(), 1, 'the entry from 1970 is trimmed');
      assert.equal(await redis.send('PTTL', aged.stream), -1, 'no TTL unless asked');
      assert.throws(() => new StreamProducer(redis, 'x', { maxLen: 1, maxAge: '1h' }), /maxLen or maxAge/);
    });

    it('creates the group idempotently and processes every entry with N handlers in parallel', async () => {
      const stream = fresh();
      let running = 0;
      let peak = 0;
      const seen: number[] = [];
      const handler = async ({ data }: StreamEntry<{ n: number }>) => {
        peak = Math.max(peak, ++running);
        await sleep(5);
        seen.push(data.n);
        running--;
      };
      const a = consumer({ stream, concurrency: 4, handler });
      const b = consumer({ stream, concurrency: 4, handler });
      await a.start();
      await b.start(); // the group exists already: BUSYGROUP is fine
      assert.equal(await redis.send('XLEN', stream), 0, 'MKSTREAM created the stream');
      const producer = new StreamProducer<{ n: number }>(redis, stream);
      await producer.addMany(Array.from({ length: 200 }, (_, n) => ({ n })));
      await until(() => seen.length === 200, 'all entries');
      assert.equal(new Set(seen).size, 200);
      assert.ok(peak > 4 && peak <= 8, `peak parallelism ${peak}`);
      await until(async () => (await a.metrics()).pending === 0, 'acknowledgements');
      const metrics = await a.metrics();
      assert.equal(metrics.lag, 0);
      assert.equal(metrics.length, 200);
      assert.equal(metrics.local.processed + (await b.metrics()).local.processed, 200);
      assert.deepEqual(metrics.consumers.map((c) => c.name).sort(), [a.consumer, b.consumer].sort());
      await a.stop();
      await b.stop();
    });

    it('retries failures after a backoff counted by deliveries, then dead-letters them', async () => {
      const stream = fresh();
      const attempts = new Map<string, number[]>();
      const times: number[] = [];
      const dead: string[] = [];
      const c = consumer<{ fail: number }>({
        stream,
        maxDeliveries: 3,
        backoff: { base: '50ms', max: '1s', jitter: 0 },
        deadLetterTtl: '1d',
        onDeadLetter: (entry) => dead.push(entry.id),
        handler: ({ id, data, deliveries }) => {
          attempts.set(id, [...(attempts.get(id) ?? []), deliveries]);
          if (data.fail >= deliveries) {
            times.push(Date.now());
            throw new Error(`failure ${deliveries}`);
          }
        },
      });
      await c.start();
      const producer = new StreamProducer<{ fail: number }>(redis, stream);
      const [flaky, poison] = await producer.addMany([{ fail: 2 }, { fail: 99 }]);
      await until(
        () => dead.length === 1 && attempts.get(flaky!)?.length === 3,
        'retries and the dead letter',
      );
      assert.deepEqual(attempts.get(flaky!), [1, 2, 3], 'failed twice, then succeeded');
      assert.deepEqual(attempts.get(poison!), [1, 2, 3]);
      assert.deepEqual(dead, [poison]);
      const letters = (await redis.send('XRANGE', `${stream}:dead`, '-', '+')) as Array<[string, string[]]>;
      assert.equal(letters.length, 1);
      const fields = Object.fromEntries(
        letters[0]![1].flatMap((_, i, all) => (i % 2 ? [] : [[all[i], all[i + 1]]])),
      );
      assert.deepEqual(
        { ...fields, consumer: undefined },
        {
          source: stream,
          id: poison,
          group: 'workers',
          consumer: undefined,
          deliveries: '3',
          error: 'failure 3',
          data: '{"fail":99}',
        },
      );
      const ttl = (await redis.send('PTTL', `${stream}:dead`)) as number;
      assert.ok(ttl > 86_000_000, 'the dead-letter stream expires');
      await until(async () => (await c.metrics()).pending === 0, 'nothing pending');
      const { local } = await c.metrics();
      assert.equal(local.deadLettered, 1);
      assert.equal(local.retried, 4);
      await c.stop();
    });

    it('dead-letters undecodable entries at once and hands foreign entries over as field maps', async () => {
      const stream = fresh();
      const got: unknown[] = [];
      const c = consumer<unknown>({ stream, handler: ({ data }) => void got.push(data) });
      await c.start();
      await redis.send('XADD', stream, '*', 'data', '{broken');
      await redis.send('XADD', stream, '*', 'kind', 'legacy', 'n', '7');
      await until(async () => (await redis.send('XLEN', `${stream}:dead`)) === 1 && got.length === 1, 'both');
      assert.deepEqual(got, [{ kind: 'legacy', n: '7' }]);
      const [[, fields]] = (await redis.send('XRANGE', `${stream}:dead`, '-', '+')) as Array<
        [string, string[]]
      >;
      assert.equal(fields[fields.indexOf('deliveries') + 1], '1');
      await c.stop();
    });

    it("reclaims a dead consumer's entries after claimIdle and skips the ones deleted meanwhile", async () => {
      const stream = fresh();
      const producer = new StreamProducer<number>(redis, stream);
      await redis.send('XGROUP', 'CREATE', stream, 'workers', '0', 'MKSTREAM');
      const ids = await producer.addMany([1, 2, 3, 4]);
      // A consumer that read four entries and died without acknowledging them.
      await redis.send('XREADGROUP', 'GROUP', 'workers', 'ghost', 'COUNT', 4, 'STREAMS', stream, '>');
      await redis.send('XDEL', stream, ids[3]!);
      const warnings: string[] = [];
      const got: Array<[number, number]> = [];
      const c = consumer<number>({
        stream,
        claimIdle: '300ms',
        claimInterval: '50ms',
        onWarning: (w) => warnings.push(w),
        handler: ({ data, deliveries }) => void got.push([data, deliveries]),
      });
      const started = Date.now();
      await c.start();
      await until(() => got.length === 3, 'the reclaimed entries');
      assert.ok(Date.now() - started >= 250, 'not before claimIdle');
      assert.deepEqual(
        got.sort((x, y) => x[0] - y[0]),
        [
          [1, 2],
          [2, 2],
          [3, 2],
        ],
        'second delivery each',
      );
      await until(async () => (await c.metrics()).pending === 0, 'nothing pending');
      const metrics = await c.metrics();
      assert.equal(metrics.local.reclaimed, 3);
      assert.equal(metrics.local.deletedWhilePending, 1);
      assert.ok(warnings.some((w) => w.includes('were deleted')));
      await c.stop();
    });

    it('keeps a slow entry from being reclaimed while its handler still runs (heartbeat)', async () => {
      const stream = fresh();
      const runs: string[] = [];
      const slow = consumer<number>({
        stream,
        claimIdle: '200ms',
        handler: async () => {
          runs.push('slow');
          await sleep(900);
        },
      });
      await slow.start();
      await new StreamProducer<number>(redis, stream).add(1);
      await until(() => runs.length === 1, 'the slow start');
      const other = consumer<number>({
        stream,
        claimIdle: '200ms',
        claimInterval: '50ms',
        handler: () => void runs.push('other'),
      });
      await other.start();
      await until(async () => (await slow.metrics()).local.processed === 1, 'the slow entry', 5000);
      assert.deepEqual(runs, ['slow']);
      await slow.stop();
      await other.stop();
    });

    it('stops gracefully: finishes handlers in flight, acknowledges them, reads nothing more', async () => {
      const stream = fresh();
      const finished: number[] = [];
      const c = consumer<number>({
        stream,
        concurrency: 3,
        block: '5s',
        handler: async ({ data }) => {
          await sleep(150);
          finished.push(data);
        },
      });
      await c.start();
      const producer = new StreamProducer<number>(redis, stream);
      await producer.addMany([1, 2, 3, 4, 5]);
      await until(async () => (await c.metrics()).local.inFlight === 3, 'three in flight');
      await c.stop();
      assert.deepEqual(finished.sort(), [1, 2, 3]);
      const metrics = await c.metrics();
      assert.equal(metrics.pending, 0, 'the finished ones were acknowledged');
      assert.equal(metrics.lag, 2, 'the rest were never read');
      if (!backend.cluster) {
        // An idle consumer blocked in XREADGROUP (BLOCK 5s) stops at once.
        const idle = consumer<number>({ stream: fresh(), block: '5s' });
        await idle.start();
        await sleep(50);
        const t0 = Date.now();
        await idle.stop();
        assert.ok(Date.now() - t0 < 1000, `stop took ${Date.now() - t0} ms`);
      }
    });

    it('recreates its group when the stream is deleted (NOGROUP)', async () => {
      const stream = fresh();
      const got: number[] = [];
      const c = consumer<number>({ stream, handler: ({ data }) => void got.push(data) });
      await c.start();
      const producer = new StreamProducer<number>(redis, stream);
      await producer.add(1);
      await until(() => got.length === 1, 'the first entry');
      await redis.send('DEL', stream);
      await sleep(300);
      await producer.add(2);
      await until(() => got.length === 2, 'an entry of the new stream', 5000);
      assert.deepEqual(got, [1, 2]);
      await c.stop();
    });

    it('replays from an ID, starts new groups where asked, and forgets long-idle consumers', async () => {
      const stream = fresh();
      const producer = new StreamProducer<number>(redis, stream);
      const ids = await producer.addMany([1, 2, 3]);
      const got: number[] = [];
      const c = consumer<number>({ stream, handler: ({ data }) => void got.push(data) });
      await c.start();
      await until(() => got.length === 3, 'the backlog (a new group starts at 0)');
      await c.replayFrom(ids[0]!);
      await until(() => got.length === 5, 'the replay');
      assert.deepEqual(got, [1, 2, 3, 2, 3]);
      await c.stop();

      const late: number[] = [];
      const tail = consumer<number>({
        stream,
        group: 'tail',
        startId: '$',
        claimInterval: '50ms',
        deleteIdleConsumersAfter: '100ms',
        handler: ({ data }) => void late.push(data),
      });
      await redis.send('XGROUP', 'CREATE', stream, 'tail', '$');
      await redis.send('XGROUP', 'CREATECONSUMER', stream, 'tail', 'gone');
      await tail.start();
      await producer.add(4);
      await until(() => late.length === 1, 'a new entry');
      assert.deepEqual(late, [4]);
      await until(
        async () => !(await tail.metrics()).consumers.some((x) => x.name === 'gone'),
        'the idle consumer to be deleted',
      );
      await tail.stop();
    });

    it('refuses to start twice and rejects bad options with what to do', async () => {
      const c = consumer<number>({ stream: fresh() });
      await c.start();
      await assert.rejects(c.start(), /already started/);
      await c.stop();
      assert.throws(
        () => consumer({ stream: 's', concurrency: 0 }),
        /concurrency must be a positive integer/,
      );
      assert.throws(() => consumer({ stream: 's', claimIdle: '5ms' }), /claimIdle/);
    });
  });
}
