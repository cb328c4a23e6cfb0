import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Engine, RespServer } from '@redkit/engine';
import { findRedisServer, realRedisRequired, startRedisServer } from '@redkit/test-utils';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import type { FromWorker, Scenario, ToWorker } from './stampede.worker.js';

/**
 * 1,000 concurrent misses for one key, spread over four real processes (each with five Cache instances,
 * so twenty lookups race in Redis), on the engine's RESP server and on redis-server. The loader counts its
 * calls in Redis. REDKIT_FULL=1 repeats every scenario ten times.
 */
const PROCESSES = 4;
const CALLS = 1_000;
const INSTANCES = 5;
const REPEATS = process.env.REDKIT_FULL === '1' ? 10 : 1;
const WORKER = fileURLToPath(new URL('./stampede.worker.js', import.meta.url));

interface Server {
  port: number;
  stop(): Promise<void>;
}

const backends: Array<{ name: string; skip: string | false; start: () => Promise<Server> }> = [
  {
    name: "the engine's RESP server",
    skip: false,
    start: async () => {
      const engine = new Engine();
      const server = await RespServer.listen({ engine, port: 0, host: '127.0.0.1' });
      return {
        port: server.port,
        stop: async () => {
          await server.close();
          engine.close();
        },
      };
    },
  },
  {
    name: 'redis-server',
    skip: !findRedisServer() && !realRedisRequired() ? 'redis-server is not installed' : false,
    start: async () => (await startRedisServer())!,
  },
];

for (const backend of backends) {
  describe(`Cache stampede over ${PROCESSES} processes on ${backend.name}`, { skip: backend.skip }, () => {
    let server: Server;
    let redis: RedisPort;
    const workers: ChildProcess[] = [];
    let round = 0;

    const next = (worker: ChildProcess) => once(worker, 'message').then(([m]) => m as FromWorker);
    const tell = (message: ToWorker) => {
      for (const worker of workers) worker.send(message);
    };

    before(async () => {
      server = await backend.start();
      const url = `redis://127.0.0.1:${server.port}`;
      redis = await connect(url);
      for (let i = 0; i < PROCESSES; i++) {
        workers.push(fork(WORKER, [url], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
      }
      await Promise.all(workers.map(next));
    });
    after(async () => {
      tell({ type: 'exit' });
      await Promise.all(workers.map((w) => (w.exitCode === null ? once(w, 'exit') : undefined)));
      await redis?.close();
      await server?.stop();
    });

    /** Arms every process, then starts them together; returns the sum of what their callers got. */
    async function stampede(scenario: Scenario, lockTtl: number) {
      const namespace = `stampede-${++round}`;
      const armed = workers.map(next);
      tell({
        type: 'arm',
        scenario,
        namespace,
        key: 'hot',
        calls: CALLS / PROCESSES,
        instances: INSTANCES,
        lockTtl,
      });
      await Promise.all(armed);
      const started = Date.now();
      const done = workers.map(next);
      tell({ type: 'go' });
      const reports = (await Promise.all(done)) as Array<Extract<FromWorker, { type: 'done' }>>;
      const sum = (pick: (r: (typeof reports)[number]) => Record<string, number>) => {
        const total: Record<string, number> = {};
        for (const r of reports) for (const [k, n] of Object.entries(pick(r))) total[k] = (total[k] ?? 0) + n;
        return total;
      };
      return {
        values: sum((r) => r.values),
        errors: sum((r) => r.errors),
        loaderCalls: Number(await redis.send('GET', `${namespace}:loader-calls`)),
        ms: Date.now() - started,
      };
    }

    const perInstance = CALLS / PROCESSES / INSTANCES;

    it('calls a slow loader once and gives every caller its value', async () => {
      for (let i = 0; i < REPEATS; i++) {
        // The lock would only expire after 5 s: finishing well before shows waiters were woken by the value.
        const r = await stampede('slow', 5_000);
        assert.equal(r.loaderCalls, 1);
        assert.deepEqual(r.values, { value: CALLS });
        assert.ok(r.ms < 3_500, `waiters were woken when the value landed (${r.ms} ms)`);
      }
    });

    it('calls a throwing loader once: its error is shared with every caller that waited for it', async () => {
      for (let i = 0; i < REPEATS; i++) {
        const r = await stampede('throws', 2_000);
        assert.equal(r.loaderCalls, 1);
        assert.deepEqual(r.values, {});
        // The filling instance's own callers get the loader's error; everyone else a CacheLoaderError.
        assert.deepEqual(r.errors, { TypeError: perInstance, CacheLoaderError: CALLS - perInstance });
      }
    });

    it('with fillRetries: 1, retries a throwing loader exactly once, by one waiting caller', async () => {
      for (let i = 0; i < REPEATS; i++) {
        const r = await stampede('throws-then-works', 2_000);
        assert.equal(r.loaderCalls, 2);
        assert.deepEqual(r.errors, { TypeError: perInstance });
        assert.deepEqual(r.values, { 'load 2': CALLS - perInstance });
      }
    });

    it('lets exactly one caller take over a loader that hangs past its lock, and serves everyone its value', async () => {
      for (let i = 0; i < REPEATS; i++) {
        const lockTtl = 300;
        const r = await stampede('hangs', lockTtl);
        assert.equal(r.loaderCalls, 2, 'the hung call and one takeover');
        assert.deepEqual(r.values, { 'load 2': CALLS }, "the hung filler's callers too");
        assert.ok(r.ms >= lockTtl && r.ms < lockTtl + 1_000, `taken over when the lock expired (${r.ms} ms)`);
      }
    });
  });
}
