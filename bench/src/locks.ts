import { Redis } from 'ioredis';
import { Mutex } from 'redis-semaphore';
import { connect, Lock } from 'redkit';
import Redlock from 'redlock';
import { startRedisProcess } from './processes.js';
import { printTable, ratio, thousands } from './table.js';

interface Contender {
  name: string;
  /** Acquires and releases the lock on `resource` once. */
  cycle: (resource: string) => Promise<unknown>;
  close: () => Promise<void>;
}

/** Cycles per second: `inFlight` loops, each on its own resource, for `iterations` cycles in all. */
async function perSecond(contender: Contender, iterations: number, inFlight: number): Promise<number> {
  const each = Math.ceil(iterations / inFlight);
  const loop = async (worker: number, count: number) => {
    for (let i = 0; i < count; i++) await contender.cycle(`bench:${worker}`);
  };
  await Promise.all(Array.from({ length: inFlight }, (_, w) => loop(w, Math.min(50, each))));
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inFlight }, (_, w) => loop(w, each)));
  return (each * inFlight) / (Number(process.hrtime.bigint() - started) / 1e9);
}

/**
 * Acquire + release per second on one redis-server (ioredis everywhere): redkit's Lock against redlock v4
 * (single server) and redis-semaphore's Mutex, one lock at a time and 50 different locks in flight.
 */
export async function benchLocks(rounds: number): Promise<void> {
  const server = await startRedisProcess();
  const url = `redis://127.0.0.1:${server.port}`;
  const contenders: Contender[] = [];
  try {
    const redlockClient = new Redis(url);
    // redlock v4's typings predate ioredis 5; at run time it takes the client as it is.
    const redlock = new Redlock([redlockClient as unknown as Redlock.CompatibleRedisClient], {
      retryCount: 0,
    });
    contenders.push({
      name: 'redlock v4 (1 server)',
      cycle: async (resource) => (await redlock.lock(resource, 10_000)).unlock(),
      close: async () => void redlockClient.disconnect(),
    });
    const semaphoreClient = new Redis(url);
    contenders.push({
      name: 'redis-semaphore Mutex',
      cycle: async (resource) => {
        const mutex = new Mutex(semaphoreClient, resource, { lockTimeout: 10_000, acquireAttemptsLimit: 1 });
        await mutex.acquire();
        await mutex.release();
      },
      close: async () => void semaphoreClient.disconnect(),
    });
    const port = await connect(url);
    const lock = new Lock(port, { ttl: '10s', timeout: 0 });
    contenders.push({
      name: 'redkit Lock acquire/release',
      cycle: async (resource) => (await lock.acquire(resource)).release(),
      close: () => port.close(),
    });
    contenders.push({
      name: 'redkit Lock withLock (renewing)',
      cycle: (resource) => lock.withLock(resource, () => undefined),
      close: async () => {},
    });

    // Short runs, interleaved (every contender, then again): on a shared machine, the best of many short
    // runs is what each would do undisturbed.
    const results = new Map<string, { serial: number; parallel: number }>();
    for (const c of contenders) results.set(c.name, { serial: 0, parallel: 0 });
    for (let round = 0; round < rounds * 2; round++) {
      for (const c of contenders) {
        const best = results.get(c.name)!;
        best.serial = Math.max(best.serial, await perSecond(c, 2_000, 1));
      }
      for (const c of contenders) {
        const best = results.get(c.name)!;
        best.parallel = Math.max(best.parallel, await perSecond(c, 10_000, 50));
      }
    }
    const redlockBest = results.get('redlock v4 (1 server)')!;
    const mutexBest = results.get('redis-semaphore Mutex')!;
    printTable(
      `Lock acquire + release on one redis-server (ioredis), best of ${rounds * 2} short runs (cycles/s)`,
      [
        'lock',
        '1 in flight',
        'vs redlock',
        'vs redis-semaphore',
        '50 in flight',
        'vs redlock',
        'vs redis-semaphore',
      ],
      [...results].map(([name, r]) => [
        name,
        thousands(r.serial),
        ratio(r.serial, redlockBest.serial),
        ratio(r.serial, mutexBest.serial),
        thousands(r.parallel),
        ratio(r.parallel, redlockBest.parallel),
        ratio(r.parallel, mutexBest.parallel),
      ]),
    );
  } finally {
    for (const c of contenders) await c.close().catch(() => {});
    await server.stop();
  }
}
