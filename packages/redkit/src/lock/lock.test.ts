import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Engine, ManualClock } from '@redkit/engine';
import {
  findRedisServer,
  type RedisServerHandle,
  realRedisRequired,
  startRedisServer,
} from '@redkit/test-utils';
import { createClient } from 'redis';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { RedkitConfigError } from '../errors.js';
import { clusterSlot } from '../keys.js';
import { LockLostError, LockTimeoutError } from './errors.js';
import { Lock } from './lock.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Lock on the embedded engine (time advanced by hand)', () => {
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

  it('excludes a second owner until released; release and extend compare the owner token', async () => {
    const lock = new Lock(redis, { ttl: '10s' });
    const handle = await lock.acquire('order:1:payment', { timeout: '2s' });
    assert.match(handle.owner, /^[0-9a-f]{32}$/, '128-bit random owner token');
    assert.equal(await lock.tryAcquire('order:1:payment'), null);
    assert.equal(await lock.isLocked('order:1:payment'), true);
    await handle.extend('20s');
    assert.ok(((await redis.send('PTTL', 'lock:{order%3A1%3Apayment}')) as number) > 19_000);
    assert.equal(await handle.release(), true);
    assert.equal(await handle.release(), false, 'a second release is harmless');
    assert.equal(await lock.isLocked('order:1:payment'), false);
    const again = await lock.tryAcquire('order:1:payment');
    assert.ok(again && again.fencingToken > handle.fencingToken);
    await again.release();
  });

  it('lock key and fencing counter share one hash tag, and both expire', async () => {
    const lock = new Lock(redis, { namespace: 'app', ttl: '5s', fencingTtl: '1h' });
    const handle = await lock.acquire('user:{42}');
    const keys = ((await redis.send('KEYS', 'app:*')) as string[]).sort();
    assert.deepEqual(keys, ['app:{user%3A%7B42%7D}', 'app:{user%3A%7B42%7D}:fence']);
    assert.equal(clusterSlot(keys[0]!), clusterSlot(keys[1]!));
    assert.ok(((await redis.send('PTTL', keys[0]!)) as number) <= 5_000);
    assert.ok(((await redis.send('PTTL', keys[1]!)) as number) > 3_500_000);
    await handle.release();
  });

  it('fencing tokens strictly increase per resource, also after the counter key expired', async () => {
    const lock = new Lock(redis, { ttl: '1s', fencingTtl: '1m' });
    const tokens: number[] = [];
    for (let i = 0; i < 30; i++) {
      const handle = await lock.acquire('invoice');
      tokens.push(handle.fencingToken);
      if (i % 3 === 0) await handle.release();
      else clock.advance(1_001); // or let it expire
      if (i === 20) clock.advance(120_000); // the counter key is gone
    }
    assert.equal(await redis.send('EXISTS', 'lock:{invoice}:fence'), 1);
    for (let i = 1; i < tokens.length; i++) assert.ok(tokens[i]! > tokens[i - 1]!, `token ${i} increases`);
    assert.ok(tokens.every(Number.isSafeInteger));
  });

  it('a lock whose TTL ran out is taken over; the old handle learns it is lost and cannot free the new one', async () => {
    const lock = new Lock(redis, { ttl: '1s' });
    const first = await lock.acquire('report');
    clock.advance(1_001);
    const second = await lock.acquire('report', { timeout: 0 });
    assert.ok(second.fencingToken > first.fencingToken);
    await assert.rejects(first.extend(), (error: unknown) => {
      assert.ok(error instanceof LockLostError);
      assert.equal(error.reason, 'taken');
      assert.match(error.message, /fencing token/);
      return true;
    });
    assert.equal(first.signal.aborted, true, 'the signal fired');
    assert.ok(first.signal.reason instanceof LockLostError);
    assert.equal(await first.release(), false);
    assert.equal(await lock.isLocked('report'), true, "the new owner's lock survives the old release");
    assert.equal(second.signal.aborted, false);
    await second.release();
  });

  it('times out with LockTimeoutError that says how long the holder still has and what to do', async () => {
    const lock = new Lock(redis, { ttl: '10s', retry: { minDelay: 2, maxDelay: 10 } });
    const holder = await lock.acquire('busy');
    const started = Date.now();
    await assert.rejects(lock.acquire('busy', { timeout: 80 }), (error: unknown) => {
      assert.ok(error instanceof LockTimeoutError);
      assert.ok(error.attempts > 3, `${error.attempts} attempts with backoff`);
      assert.match(error.message, /lock 'busy' within 80 ms/);
      assert.match(error.message, /had \d+ ms left/);
      assert.match(error.message, /Raise the timeout/);
      return true;
    });
    assert.ok(Date.now() - started >= 75);
    await holder.release();
  });

  it('a waiter gets the lock soon after the holder releases it; an abort signal stops waiting', async () => {
    const lock = new Lock(redis, { ttl: '10s', retry: { minDelay: 2, maxDelay: 20 } });
    const holder = await lock.acquire('handoff');
    const waiting = lock.acquire('handoff', { timeout: '2s' });
    await sleep(30);
    await holder.release();
    const waiter = await waiting;
    assert.ok(waiter.fencingToken > holder.fencingToken);

    const controller = new AbortController();
    const aborted = lock.acquire('handoff', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('shutting down')), 20);
    await assert.rejects(aborted, /shutting down/);
    await waiter.release();
  });

  it('withLock returns the callback result, passes the token and signal, and always releases', async () => {
    const lock = new Lock(redis);
    const result = await lock.withLock('order:7:payment', async ({ signal, fencingToken }) => {
      assert.equal(signal.aborted, false);
      assert.equal(await lock.isLocked('order:7:payment'), true);
      return `paid with token ${fencingToken}`;
    });
    assert.match(result, /^paid with token \d+$/);
    assert.equal(await lock.isLocked('order:7:payment'), false);
    await assert.rejects(
      lock.withLock('order:7:payment', () => {
        throw new Error('card declined');
      }),
      /card declined/,
    );
    assert.equal(await lock.isLocked('order:7:payment'), false);
  });

  it('withLock rejects with LockLostError when the lock was lost, even if the callback finished', async () => {
    const lock = new Lock(redis, { ttl: '1s' });
    await assert.rejects(
      lock.withLock(
        'lost',
        async (handle) => {
          clock.advance(1_001);
          await redis.send('SET', 'lock:{lost}', 'someone-else');
          await handle.extend().catch(() => {});
          return 'done';
        },
        { renew: false },
      ),
      (error: unknown) => error instanceof LockLostError && error.reason === 'taken',
    );
    assert.equal(await redis.send('GET', 'lock:{lost}'), 'someone-else');
  });

  it('rejects bad options with RedkitConfigError', () => {
    assert.throws(() => new Lock(redis, { ttl: 'ten seconds' }), RedkitConfigError);
    assert.throws(() => new Lock(redis, { ttl: 5 }), /at least 10 ms/);
    assert.throws(() => new Lock(redis, { driftFactor: 1 }), RedkitConfigError);
    assert.throws(() => new Lock(redis, { retry: { minDelay: 50, maxDelay: 10 } }), /maxDelay/);
    assert.throws(() => new Lock(redis, { ttl: '1s', renewEvery: '2s' }), /renewEvery/);
  });
});

let server: RedisServerHandle | null = null;
const noRedis = !findRedisServer() && !realRedisRequired();

describe('Lock on redis-server (real time)', {
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

  it('withLock renews the lock while a callback runs for several TTLs', async () => {
    const lock = new Lock(redis, { ttl: 150 });
    const other = new Lock(redis);
    const result = await lock.withLock('long-job', async ({ signal }) => {
      for (let i = 0; i < 5; i++) {
        await sleep(100);
        assert.equal(await other.tryAcquire('long-job'), null, 'still held');
      }
      return signal.aborted;
    });
    assert.equal(result, false, 'never lost');
    assert.equal(await lock.isLocked('long-job'), false);
  });

  it('the signal fires when the TTL runs out on our clock, before Redis expires the key', async () => {
    const lock = new Lock(redis, { ttl: 200 });
    const handle = await lock.acquire('unrenewed');
    const started = Date.now();
    // Our deadline is the TTL minus drift, counted from before the request: earlier than Redis's expiry.
    const validity = handle.remainingMs();
    assert.ok(validity > 0 && validity < 200, `validity ${validity} ms of a 200 ms TTL`);
    const reason = await new Promise<unknown>((resolve) =>
      handle.signal.addEventListener('abort', () => resolve(handle.signal.reason)),
    );
    const elapsed = Date.now() - started;
    assert.ok(reason instanceof LockLostError && reason.reason === 'expired');
    // Never early; how late a loaded machine's timers fire is not this test's business.
    assert.ok(elapsed >= validity - 5, `fired after ${elapsed} ms, validity was ${validity} ms`);
    assert.throws(() => handle.assertHeld(), LockLostError);
    assert.equal(handle.remainingMs(), 0);
  });

  it('the signal fires as soon as a renewal finds another owner', async () => {
    const lock = new Lock(redis, { ttl: 300, renewEvery: 50 });
    let abortedAfter = -1;
    await assert.rejects(
      lock.withLock('stolen', async ({ signal }) => {
        const started = Date.now();
        await redis.send('SET', 'lock:{stolen}', 'intruder', 'PX', 10_000);
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        abortedAfter = Date.now() - started;
        throw signal.reason;
      }),
      (error: unknown) => error instanceof LockLostError && error.reason === 'taken',
    );
    assert.ok(abortedAfter >= 0 && abortedAfter < 150, `aborted after ${abortedAfter} ms`);
    assert.equal(await redis.send('GET', 'lock:{stolen}'), 'intruder', 'release left the intruder alone');
  });

  it('30 contenders in 6 connections never overlap, and tokens follow the order of entry', async () => {
    const ports = await Promise.all(
      Array.from({ length: 6 }, () => connect(`redis://127.0.0.1:${server!.port}`)),
    );
    let inside = 0;
    let maxInside = 0;
    const entered: number[] = [];
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        new Lock(ports[i % ports.length]!, { timeout: '10s', retry: { minDelay: 1, maxDelay: 20 } }).withLock(
          'counter',
          async ({ fencingToken }) => {
            inside++;
            maxInside = Math.max(maxInside, inside);
            entered.push(fencingToken);
            await sleep(2);
            inside--;
          },
        ),
      ),
    );
    assert.equal(maxInside, 1);
    assert.equal(entered.length, 30);
    for (let i = 1; i < entered.length; i++) assert.ok(entered[i]! > entered[i - 1]!);
    for (const p of ports) await p.close();
  });

  it('works the same through a node-redis client', async () => {
    const client = createClient({ socket: { port: server!.port } });
    const port = await connect(client);
    const lock = new Lock(port, { ttl: '5s' });
    const handle = await lock.acquire('node-redis');
    assert.equal(await new Lock(redis).tryAcquire('node-redis'), null);
    await handle.extend();
    assert.equal(await handle.release(), true);
    await client.quit();
  });
});
