import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { encodeCommand, RawClient } from '@redkit/test-utils';
import { residentBytes, startRedisProcess } from './processes.js';
import { printTable, ratio } from './table.js';

export const KEY_COUNT = 1_000_000;
export const keyName = (i: number) => `key:${String(i).padStart(10, '0')}`;
/** A distinct 100-byte value per key, so nothing can be shared. */
export const valueFor = (i: number) => `value:${i}:`.padEnd(100, 'x');

/** A dataset shape: `keys` keys, each written by `commands(i)`. */
export interface MemoryWorkload {
  name: string;
  title: string;
  keys: number;
  commands: (i: number) => string[][];
}

export const WORKLOADS: MemoryWorkload[] = [
  {
    name: 'strings',
    title: `${KEY_COUNT.toLocaleString('en-US')} keys with 100-byte values`,
    keys: KEY_COUNT,
    commands: (i) => [['SET', keyName(i), valueFor(i)]],
  },
  {
    name: 'small-zsets',
    title: '200,000 sorted sets of 5 members (a sliding-window rate-limit log per client)',
    keys: 200_000,
    commands: (i) =>
      Array.from({ length: 5 }, (_, m) => [
        'ZADD',
        `rl:${keyName(i)}`,
        String(1_700_000_000_000 + m),
        `req-${i}-${m}`,
      ]),
  },
];

async function redisBytesPerKey(workload: MemoryWorkload): Promise<number> {
  const server = await startRedisProcess();
  try {
    const client = await RawClient.connect(server.port);
    const before = residentBytes(server.pid);
    const batch = 2_000;
    for (let start = 0; start < workload.keys; start += batch) {
      const frames: Buffer[] = [];
      for (let i = start; i < Math.min(start + batch, workload.keys); i++) {
        for (const argv of workload.commands(i)) frames.push(encodeCommand(argv));
      }
      client.write(Buffer.concat(frames));
      for (let i = 0; i < frames.length; i++) await client.readFrame(30_000);
    }
    const after = residentBytes(server.pid);
    client.close();
    return (after - before) / workload.keys;
  } finally {
    await server.stop();
  }
}

function engineBytesPerKey(workload: MemoryWorkload): number {
  const script = fileURLToPath(new URL('./memory-engine.js', import.meta.url));
  const out = execFileSync(process.execPath, ['--expose-gc', script, workload.name], { encoding: 'utf8' });
  return Number(out.trim());
}

/** Resident memory per key, engine against redis-server, for each workload. */
export async function benchMemory(): Promise<void> {
  const rows: string[][] = [];
  for (const workload of WORKLOADS) {
    const redis = await redisBytesPerKey(workload);
    const engine = engineBytesPerKey(workload);
    rows.push([workload.title, redis.toFixed(0), engine.toFixed(0), ratio(engine, redis)]);
  }
  printTable(
    'Resident memory per key (bytes)',
    ['dataset', 'redis-server', 'redkit engine', 'engine / redis'],
    rows,
  );
}
