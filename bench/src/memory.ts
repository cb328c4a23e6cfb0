import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { encodeCommand, RawClient } from '@redkit/test-utils';
import { residentBytes, startRedisProcess } from './processes.js';
import { printTable, ratio } from './table.js';

export const KEY_COUNT = 1_000_000;
export const keyName = (i: number) => `key:${String(i).padStart(10, '0')}`;
/** A distinct 100-byte value per key, so nothing can be shared. */
export const valueFor = (i: number) => `value:${i}:`.padEnd(100, 'x');

async function redisBytesPerKey(): Promise<number> {
  const server = await startRedisProcess();
  try {
    const client = await RawClient.connect(server.port);
    const before = residentBytes(server.pid);
    const batch = 10_000;
    for (let start = 0; start < KEY_COUNT; start += batch) {
      const frames: Buffer[] = [];
      for (let i = start; i < start + batch; i++)
        frames.push(encodeCommand(['SET', keyName(i), valueFor(i)]));
      client.write(Buffer.concat(frames));
      for (let i = 0; i < batch; i++) await client.readFrame(30_000);
    }
    const after = residentBytes(server.pid);
    client.close();
    return (after - before) / KEY_COUNT;
  } finally {
    await server.stop();
  }
}

function engineBytesPerKey(): number {
  const script = fileURLToPath(new URL('./memory-engine.js', import.meta.url));
  const out = execFileSync(process.execPath, ['--expose-gc', script], { encoding: 'utf8' });
  return Number(out.trim());
}

/** Resident memory per key for 1,000,000 keys with 100-byte values, engine against redis-server. */
export async function benchMemory(): Promise<void> {
  const redis = await redisBytesPerKey();
  const engine = engineBytesPerKey();
  printTable(
    `Resident memory per key, ${KEY_COUNT.toLocaleString('en-US')} keys with 100-byte values (bytes)`,
    ['redis-server', 'redkit engine', 'engine / redis'],
    [[redis.toFixed(0), engine.toFixed(0), ratio(engine, redis)]],
  );
}
