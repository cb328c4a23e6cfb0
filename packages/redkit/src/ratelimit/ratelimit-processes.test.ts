import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { Engine, ManualClock, RespServer } from '@redkit/engine';
import {
  findRedisServer,
  type RedisServerHandle,
  realRedisRequired,
  startRedisServer,
} from '@redkit/test-utils';
import { connect } from '../client/connect.js';
import type { RateLimitAlgorithm } from './algorithms.js';
import { RateLimiter } from './limiter.js';
import type { RunMessage } from './ratelimit.worker.js';

/**
 * The test: 64 concurrent workers (16 connections in each of 4 processes) against a limit of 1,000
 * admit exactly 1,000 per window, for every algorithm, on the engine's RESP server and on real Redis. The
 * windows are long (1 h; the token bucket and GCRA refill one request per hour or day), so the whole burst
 * lands in one window. Default: 25 attempts per worker (1,600 in all); REDKIT_FULL=1: 100 (6,400).
 */
const PROCESSES = 4;
const CONCURRENCY = 16;
const ATTEMPTS = process.env.REDKIT_FULL === '1' ? 100 : 25;

const { fixedWindow, slidingWindowLog, slidingWindowCounter, tokenBucket, gcra } = RateLimiter;
const CASES: Array<{ name: string; limits: RateLimitAlgorithm[]; expected: number }> = [
  { name: 'fixedWindow(1000, 1h)', limits: [fixedWindow(1000, '1h')], expected: 1000 },
  { name: 'slidingWindowLog(1000, 1h)', limits: [slidingWindowLog(1000, '1h')], expected: 1000 },
  { name: 'slidingWindowCounter(1000, 1h)', limits: [slidingWindowCounter(1000, '1h')], expected: 1000 },
  {
    name: 'tokenBucket(1 per h, capacity 1000)',
    limits: [tokenBucket(1, '1h', { capacity: 1000 })],
    expected: 1000,
  },
  { name: 'gcra(1000 per day)', limits: [gcra(1000, '1d')], expected: 1000 },
  {
    name: 'slidingWindowLog(1000, 1h) + tokenBucket(capacity 600)',
    limits: [slidingWindowLog(1000, '1h'), tokenBucket(1, '1h', { capacity: 600 })],
    expected: 600,
  },
];

async function startWorkers(): Promise<ChildProcess[]> {
  const workers = Array.from({ length: PROCESSES }, () =>
    fork(new URL('./ratelimit.worker.js', import.meta.url), {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  await Promise.all(workers.map((w) => once(w, 'message')));
  return workers;
}

async function burst(workers: ChildProcess[], run: Omit<RunMessage, 'type' | 'concurrency' | 'attempts'>) {
  const replies = workers.map((w) => once(w, 'message') as Promise<[{ admitted?: number; error?: string }]>);
  for (const w of workers) w.send({ ...run, type: 'run', concurrency: CONCURRENCY, attempts: ATTEMPTS });
  let admitted = 0;
  for (const [reply] of await Promise.all(replies)) {
    if (reply.error) throw new Error(`worker failed: ${reply.error}`);
    admitted += reply.admitted!;
  }
  return admitted;
}

async function stopWorkers(workers: ChildProcess[]) {
  await Promise.all(
    workers.map(async (w) => {
      if (w.exitCode !== null) return;
      const exited = once(w, 'exit');
      w.send({ type: 'exit' });
      await exited;
    }),
  );
}

describe(`${PROCESSES * CONCURRENCY} workers in ${PROCESSES} processes on the engine's RESP server (ManualClock)`, () => {
  const clock = new ManualClock(Date.now());
  const engine = new Engine({ clock });
  let server: RespServer;
  let workers: ChildProcess[] = [];
  before(async () => {
    server = await RespServer.listen({ engine, port: 0, host: '127.0.0.1' });
    workers = await startWorkers();
  });
  after(async () => {
    await stopWorkers(workers);
    await server.close();
    engine.close();
  });

  for (const [index, c] of CASES.entries()) {
    it(`${c.name}: exactly ${c.expected} admitted per window, twice`, async () => {
      const url = `redis://127.0.0.1:${server.port}`;
      const run = { url, limits: c.limits, namespace: 'procs', id: `case-${index}` };
      assert.equal(await burst(workers, run), c.expected);
      const local = await connect(engine);
      const limiter = new RateLimiter(local, c.limits, { namespace: 'procs' });
      const state = await limiter.peek(run.id);
      assert.equal(state.remaining, 0);
      clock.advance(Math.max(...state.limits.map((l) => l.resetMs)));
      assert.equal((await limiter.peek(run.id)).remaining, c.expected, 'a whole new window');
      assert.equal(await burst(workers, run), c.expected, 'the next window admits exactly as many');
      await local.close();
    });
  }
});

describe(`${PROCESSES * CONCURRENCY} workers in ${PROCESSES} processes on redis-server`, {
  skip: !findRedisServer() && !realRedisRequired() ? 'redis-server is not installed' : false,
}, () => {
  let redis: RedisServerHandle | null = null;
  let workers: ChildProcess[] = [];
  before(async () => {
    redis = await startRedisServer();
    workers = await startWorkers();
  });
  after(async () => {
    await stopWorkers(workers);
    await redis?.stop();
  });

  for (const [index, c] of CASES.entries()) {
    it(`${c.name}: exactly ${c.expected} admitted`, async () => {
      const url = `redis://127.0.0.1:${redis!.port}`;
      assert.equal(
        await burst(workers, { url, limits: c.limits, namespace: 'procs', id: `case-${index}` }),
        c.expected,
      );
    });
  }
});
