import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Engine, ManualClock } from '@redkit/engine';
import {
  findRedisServer,
  type RedisServerHandle,
  realRedisRequired,
  startRedisServer,
} from '@redkit/test-utils';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { RedkitConfigError } from '../errors.js';
import { LockLostError, LockTimeoutError } from './errors.js';
import { Semaphore } from './semaphore.js';
import { ACQUIRE_PERMIT } from './semaphore-scripts.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Semaphore on the embedded engine (time advanced by hand)', () => {
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

  it('admits up to the limit, frees a slot on release, and every key it writes expires', async () => {
    const sem = new Semaphore(redis, 'pdf-render', { limit: 3, ttl: '30s' });
    const permits = [await sem.acquire(), await sem.acquire(), await sem.acquire()];
    assert.equal(await sem.tryAcquire(), null);
    assert.deepEqual(await sem.count(), { held: 3, waiting: 0 });
    assert.equal(await permits[0]!.release(), true);
    const fourth = await sem.tryAcquire();
    assert.ok(fourth);
    for (const key of (await redis.send('KEYS', 'semaphore:*')) as string[])
      assert.ok(((await redis.send('PTTL', key)) as number) > 0, `${key} expires`);
    for (const p of [...permits.slice(1), fourth]) await p.release();
    assert.deepEqual(await sem.count(), { held: 0, waiting: 0 });
  });

  it("a crashed holder's permit expires by the server's clock; its handle then learns it was lost", async () => {
    const sem = new Semaphore(redis, 'expiring', { limit: 2, ttl: '30s' });
    const a = await sem.acquire();
    const b = await sem.acquire({ ttl: '60s' });
    clock.advance(30_001);
    assert.deepEqual(await sem.count(), { held: 1, waiting: 0 });
    const c = await sem.tryAcquire();
    assert.ok(c, 'the expired slot is free again');
    await assert.rejects(a.extend(), LockLostError);
    assert.equal(a.signal.aborted, true);
    await b.extend('60s');
    clock.advance(29_000);
    assert.equal(await sem.tryAcquire(), null, 'b was extended, c still runs');
    await b.release();
    await c.release();
  });

  it('is fair: waiters get permits in arrival order, and tryAcquire never jumps the line', async () => {
    const sem = new Semaphore(redis, 'fair', { limit: 1, ttl: '30s', retry: { minDelay: 1, maxDelay: 10 } });
    const holder = await sem.acquire();
    const order: string[] = [];
    const waiters = ['A', 'B', 'C', 'D'].map(async (name, i) => {
      await sleep(i * 15);
      await sem.withPermit(async () => {
        order.push(name);
        await sleep(5);
      });
    });
    await sleep(80);
    assert.deepEqual(await sem.count(), { held: 1, waiting: 4 });
    await holder.release();
    assert.equal(await sem.tryAcquire(), null, 'A is ahead of a caller that did not wait');
    await Promise.all(waiters);
    assert.deepEqual(order, ['A', 'B', 'C', 'D']);
  });

  it('a waiter that stopped polling loses its place after waiterLease (server time)', async () => {
    const sem = new Semaphore(redis, 'ghost', { limit: 1, waiterLease: '1s' });
    const holder = await sem.acquire();
    const keys = ['holders', 'queue', 'seen', 'ticket'].map((k) => `semaphore:{ghost}:${k}`);
    await redis.runScript(ACQUIRE_PERMIT, keys, ['dead-waiter', 1, 30_000, 1_000]);
    await holder.release();
    assert.equal(await sem.tryAcquire(), null, 'the waiter is still in line');
    clock.advance(1_001);
    const next = await sem.tryAcquire();
    assert.ok(next, 'its place lapsed');
    await next.release();
  });

  it('times out with LockTimeoutError, leaves the line, and an abort signal stops waiting', async () => {
    const sem = new Semaphore(redis, 'full', { limit: 1 });
    const holder = await sem.acquire();
    await assert.rejects(sem.acquire({ timeout: 60 }), (error: unknown) => {
      assert.ok(error instanceof LockTimeoutError);
      assert.match(error.message, /permit of semaphore 'full' within 60 ms/);
      assert.match(error.message, /all 1 permits were held/);
      return true;
    });
    const controller = new AbortController();
    const waiting = sem.acquire({ signal: controller.signal });
    await sleep(20);
    controller.abort(new Error('cancelled'));
    await assert.rejects(waiting, /cancelled/);
    assert.deepEqual(await sem.count(), { held: 1, waiting: 0 });
    await holder.release();
  });

  it('rejects a bad limit', () => {
    assert.throws(() => new Semaphore(redis, 'x', { limit: 0 }), RedkitConfigError);
    assert.throws(() => new Semaphore(redis, 'x', { limit: 1.5 }), /positive integer/);
  });
});

let server: RedisServerHandle | null = null;
const noRedis = !findRedisServer() && !realRedisRequired();

describe('Semaphore on redis-server (real time)', {
  skip: noRedis ? 'redis-server is not installed' : false,
}, () => {
  let redis: RedisPort;
  before(async () => {
    server = await startRedisServer();
    redis = await connect(`redis://127.0.0.1:${server!.port}`);
  });
  after(async () => {
    await redis?.close();
    await server?.stop();
  });

  it('24 jobs over 4 connections never run more than the limit at once', async () => {
    const ports = await Promise.all(
      Array.from({ length: 4 }, () => connect(`redis://127.0.0.1:${server!.port}`)),
    );
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        new Semaphore(ports[i % 4]!, 'render', { limit: 3, ttl: '5s' }).withPermit(async () => {
          running++;
          peak = Math.max(peak, running);
          await sleep(10);
          running--;
        }),
      ),
    );
    assert.equal(peak, 3);
    for (const p of ports) await p.close();
  });

  it('renews permits inside withPermit, and serves waiters in arrival order', async () => {
    const sem = new Semaphore(redis, 'slow', { limit: 1, ttl: 150, retry: { minDelay: 1, maxDelay: 10 } });
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async (_, i) => {
        await sleep(i * 10);
        await sem.withPermit(async ({ signal }) => {
          order.push(i);
          await sleep(i === 0 ? 400 : 5);
          assert.equal(signal.aborted, false);
        });
      }),
    );
    assert.deepEqual(order, [0, 1, 2, 3]);
  });
});
