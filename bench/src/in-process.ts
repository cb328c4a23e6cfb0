import { createEngine, EngineClient } from '@redkit/engine';
import RedisMock from 'ioredis-mock';
import { printTable, ratio, thousands } from './table.js';

type Call = (...args: Array<string | number>) => Promise<unknown>;

interface Workload {
  name: string;
  setup?: (call: Call) => Promise<void>;
  /** One operation (may issue several commands). */
  op: (call: Call, i: number) => Promise<void>;
  iterations: number;
}

const value = 'v'.repeat(100);

const WORKLOADS: Workload[] = [
  {
    name: 'SET+GET',
    iterations: 100_000,
    op: async (call, i) => {
      await call('SET', `key:${i % 1000}`, value);
      await call('GET', `key:${i % 1000}`);
    },
  },
  { name: 'INCR', iterations: 200_000, op: async (call) => void (await call('INCR', 'counter')) },
  {
    name: 'HSET+HGETALL',
    iterations: 50_000,
    op: async (call, i) => {
      await call('HSET', `user:${i % 100}`, 'name', 'alice', 'visits', String(i), 'plan', 'pro');
      await call('HGETALL', `user:${i % 100}`);
    },
  },
  {
    name: 'ZADD+ZRANGE top 10 (1,000 members)',
    iterations: 20_000,
    setup: async (call) => {
      for (let m = 0; m < 1000; m++) await call('ZADD', 'board', m * 7, `player:${m}`);
    },
    op: async (call, i) => {
      await call('ZADD', 'board', (i * 7919) % 10007, `player:${i % 1000}`);
      await call('ZRANGE', 'board', 0, 9, 'WITHSCORES');
    },
  },
  {
    name: 'ZADD+ZRANGE all (1,000 members)',
    iterations: 2_000,
    setup: async (call) => {
      for (let m = 0; m < 1000; m++) await call('ZADD', 'board', m * 7, `player:${m}`);
    },
    op: async (call, i) => {
      await call('ZADD', 'board', (i * 7919) % 10007, `player:${i % 1000}`);
      await call('ZRANGE', 'board', 0, -1);
    },
  },
];

async function opsPerSecond(call: Call, w: Workload): Promise<number> {
  await w.setup?.(call);
  // Warm up, then measure.
  for (let i = 0; i < Math.min(2000, w.iterations / 10); i++) await w.op(call, i);
  const started = process.hrtime.bigint();
  for (let i = 0; i < w.iterations; i++) await w.op(call, i);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return w.iterations / seconds;
}

/** In-process calls: the embedded engine against ioredis-mock, the same workloads, best of `rounds`. */
export async function benchInProcess(rounds: number): Promise<void> {
  const rows: string[][] = [];
  for (const w of WORKLOADS) {
    let [ours, theirs] = [0, 0];
    for (let round = 0; round < rounds; round++) {
      const [a, b] = await measure(w);
      ours = Math.max(ours, a);
      theirs = Math.max(theirs, b);
    }
    rows.push([w.name, thousands(theirs), thousands(ours), ratio(ours, theirs)]);
  }
  printTable(
    `In-process operations per second, best of ${rounds}`,
    ['workload', 'ioredis-mock', 'redkit engine', 'engine / mock'],
    rows,
  );
}

/** One round of a workload on a fresh engine and a fresh ioredis-mock: [engine ops/s, mock ops/s]. */
async function measure(w: Workload): Promise<[number, number]> {
  const client = new EngineClient(createEngine());
  const engineCall: Call = (...args) => client.call(...args);
  const mock = new RedisMock();
  const methods = mock as unknown as Record<string, (...a: string[]) => Promise<unknown>>;
  const mockCall: Call = (...args) =>
    methods[String(args[0]).toLowerCase()]!.call(mock, ...args.slice(1).map(String));
  await mock.flushall();
  const ours = await opsPerSecond(engineCall, w);
  const theirs = await opsPerSecond(mockCall, w);
  client.engine.close();
  mock.disconnect();
  return [ours, theirs];
}
