import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Engine, ManualClock } from '@redkit/engine';
import { type RedisServerHandle, startRedisServer } from '@redkit/test-utils';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { Queue } from './queue.js';

describe('Queue on the embedded engine (time advanced)', () => {
  const clock = new ManualClock();
  const engine = new Engine({ clock });
  let redis: RedisPort;
  before(async () => {
    redis = await connect(engine);
  });
  after(async () => {
    await redis.close();
    engine.close();
  });

  it('hands items out in order, removes them on ack, and returns stalled ones', async () => {
    const q = new Queue<{ n: number }>(redis, 'jobs', { visibilityTimeout: '30s' });
    await q.push({ n: 1 }, { n: 2 }, { n: 3 });
    const first = await q.take();
    const second = await q.take();
    assert.deepEqual([first?.data, second?.data], [{ n: 1 }, { n: 2 }]);
    await first!.ack();
    assert.deepEqual(await q.counts(), { waiting: 1, processing: 1 });
    assert.equal(await q.requeueStale(), 0, 'the lease still runs');
    clock.advance(31_000);
    assert.equal(await q.requeueStale(), 1, 'the stalled item comes back');
    assert.deepEqual((await q.take())?.data, { n: 2 }, 'at the head of the queue');
    assert.deepEqual((await q.take())?.data, { n: 3 });
    assert.equal(await q.take(), null);
  });

  it('release puts an item back at once; a second ack is harmless', async () => {
    const q = new Queue<string>(redis, 'mail');
    await q.push('a');
    const job = (await q.take())!;
    await job.release();
    const again = (await q.take())!;
    assert.equal(again.data, 'a');
    await again.ack();
    await again.ack();
    assert.deepEqual(await q.counts(), { waiting: 0, processing: 0 });
  });

  it('duplicate payloads stay distinct items', async () => {
    const q = new Queue<string>(redis, 'dupes');
    await q.push('same', 'same');
    const [a, b] = [(await q.take())!, (await q.take())!];
    assert.notEqual(a.id, b.id);
    await a.ack();
    assert.deepEqual(await q.counts(), { waiting: 0, processing: 1 });
  });
});

describe('Queue on redis-server: concurrent workers take each item once', () => {
  let server: RedisServerHandle | null;
  before(async () => {
    server = await startRedisServer();
  });
  after(() => server?.stop());

  it('10 workers drain 500 items with no item taken twice', async (t) => {
    if (!server) return t.skip('redis-server is not installed');
    const ports = await Promise.all(
      Array.from({ length: 10 }, () => connect(`redis://127.0.0.1:${server!.port}`)),
    );
    const producer = new Queue<number>(ports[0]!, 'work');
    await producer.push(...Array.from({ length: 500 }, (_, i) => i));
    const seen: number[] = [];
    await Promise.all(
      ports.map(async (port) => {
        const q = new Queue<number>(port, 'work');
        for (let job = await q.take(); job; job = await q.take()) {
          seen.push(job.data);
          await job.ack();
        }
      }),
    );
    assert.equal(seen.length, 500);
    assert.equal(new Set(seen).size, 500);
    for (const p of ports) await p.close();
  });
});
