import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Engine, RespServer } from '@redkit/engine';
import { type RedisServerHandle, startRedisServer } from '@redkit/test-utils';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import Redlock from 'redlock';

/**
 * Peer libraries, installed unmodified from npm, against `redkit serve` and against a real redis-server:
 * the same scenario must end the same way on both.
 */
let redis: RedisServerHandle | null = null;
let engine: RespServer;
before(async () => {
  redis = await startRedisServer();
  engine = await RespServer.listen({ port: 0, engine: new Engine() });
});
after(async () => {
  await engine.close();
  engine.engine.close();
  await redis?.stop();
});

interface JobOutcome {
  state: string;
  attempts: number;
  result: unknown;
}

/** 1,000 jobs: delayed, prioritised, retried and failing ones, over three workers. */
async function bullmqScenario(port: number): Promise<Map<string, JobOutcome>> {
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
  const queue = new Queue('orders', { connection });
  await queue.obliterate({ force: true });
  const processor = async (job: { data: { n: number; kind: string }; attemptsMade: number }) => {
    const { n, kind } = job.data;
    if (kind === 'always-fails') throw new Error(`job ${n} cannot be processed`);
    if (kind === 'flaky' && job.attemptsMade < 2)
      throw new Error(`job ${n} failed on attempt ${job.attemptsMade + 1}`);
    return { doubled: n * 2 };
  };
  const workers = Array.from(
    { length: 3 },
    () => new Worker('orders', processor, { connection, concurrency: 4 }),
  );
  const jobs = Array.from({ length: 1000 }, (_, n) => {
    const kind = n % 10 === 0 ? 'always-fails' : n % 10 === 1 ? 'flaky' : 'ok';
    return {
      name: kind,
      data: { n, kind },
      opts: {
        jobId: `job-${n}`,
        attempts: 3,
        backoff: { type: 'fixed', delay: 5 },
        priority: n % 4,
        delay: n % 13 === 0 ? 30 : 0,
      },
    };
  });
  for (let i = 0; i < jobs.length; i += 100) await queue.addBulk(jobs.slice(i, i + 100));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const counts = await queue.getJobCounts('completed', 'failed');
    if ((counts.completed ?? 0) + (counts.failed ?? 0) === 1000) break;
    if (Date.now() > deadline)
      throw new Error(`jobs did not finish: ${JSON.stringify(await queue.getJobCounts())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const outcomes = new Map<string, JobOutcome>();
  for (let n = 0; n < 1000; n++) {
    const job = (await queue.getJob(`job-${n}`))!;
    outcomes.set(job.id!, {
      state: await job.getState(),
      attempts: job.attemptsMade,
      result: job.returnvalue,
    });
  }
  await Promise.all(workers.map((w) => w.close()));
  await queue.close();
  return outcomes;
}

describe('peer libraries against the engine server and against redis-server', () => {
  it('BullMQ: 1,000 jobs end exactly as on real Redis', { timeout: 180_000 }, async (t) => {
    if (!redis) return t.skip('redis-server is not installed');
    const onRedis = await bullmqScenario(redis.port);
    const onEngine = await bullmqScenario(engine.port);
    assert.equal(onEngine.size, 1000);
    assert.deepEqual(onEngine, onRedis);
    const failed = [...onEngine.values()].filter((o) => o.state === 'failed');
    assert.equal(failed.length, 100);
    assert.ok(failed.every((o) => o.attempts === 3));
  });

  it('rate-limiter-flexible: RateLimiterRedis consumes and refuses as on real Redis', async (t) => {
    if (!redis) return t.skip('redis-server is not installed');
    const run = async (port: number) => {
      const client = new Redis({ port, enableOfflineQueue: false, lazyConnect: true });
      await client.connect();
      const limiter = new RateLimiterRedis({
        storeClient: client,
        keyPrefix: `rl${port}`,
        points: 5,
        duration: 10,
      });
      const outcomes: string[] = [];
      for (let i = 0; i < 8; i++) {
        try {
          const r = await limiter.consume('user-1');
          outcomes.push(`ok ${r.remainingPoints}`);
        } catch (rejection) {
          outcomes.push(`refused ${(rejection as { remainingPoints: number }).remainingPoints}`);
        }
      }
      await limiter.penalty('user-2', 2);
      outcomes.push(`user-2 consumed ${(await limiter.get('user-2'))?.consumedPoints}`);
      client.disconnect();
      return outcomes;
    };
    const onEngine = await run(engine.port);
    assert.deepEqual(onEngine, await run(redis.port));
    assert.deepEqual(onEngine.slice(4, 7), ['ok 0', 'refused 0', 'refused 0']);
  });

  it('redlock: exclusive locks, extension and release', async () => {
    const client = new Redis({ port: engine.port });
    // redlock 4's types predate ioredis 5's; the client is what its docs ask for.
    const redlock = new Redlock([client as unknown as Redlock.CompatibleRedisClient], { retryCount: 0 });
    const lock = await redlock.lock('locks:order:7', 1000);
    await assert.rejects(redlock.lock('locks:order:7', 1000), /attempts to lock/);
    const extended = await lock.extend(2000);
    assert.ok(extended.expiration > lock.expiration - 1000);
    await extended.unlock();
    const again = await redlock.lock('locks:order:7', 1000);
    await again.unlock();
    client.disconnect();
  });
});
