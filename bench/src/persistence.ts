import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startRedisServer } from '@redkit/test-utils';
import { waitForPing } from './processes.js';
import { printTable, ratio, thousands } from './table.js';

const CLI = fileURLToPath(new URL('../../packages/redkit/dist/cli.js', import.meta.url));

interface Running {
  port: number;
  stop(): Promise<void>;
}

/** `redkit serve` with extra redis.conf parameters (as processes.ts starts it, plus the AOF's). */
async function startEngine(config: string[]): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), ...config], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForPing(port, child);
  return {
    port,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

async function startRedis(config: string[]): Promise<Running> {
  const handle = await startRedisServer(config);
  if (!handle) throw new Error('redis-server is not installed (apt-get install redis-server)');
  return { port: handle.port, stop: handle.stop };
}

/** SET requests per second from redis-benchmark -c 50 (random keys, so the AOF keeps growing). */
function setThroughput(port: number, pipeline: number, requests: number): number {
  const out = execFileSync(
    'redis-benchmark',
    ['-h', '127.0.0.1', '-p', String(port), '-t', 'set', '-r', '100000', '-n', String(requests)].concat([
      '-P',
      String(pipeline),
      '-c',
      '50',
      '--csv',
      '-q',
    ]),
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  const m = /^"SET","([0-9.]+)"/m.exec(out);
  return m ? Number(m[1]) : 0;
}

/**
 * Write throughput with the append-only file (appendfsync everysec) against the same server without
 * persistence, for the engine (target ≥ 0.9×) and, for reference, redis-server.
 */
export async function benchPersistence(rounds: number): Promise<void> {
  const dirs: string[] = [];
  const aofConfig = () => {
    const dir = mkdtempSync(join(tmpdir(), 'redkit-bench-aof-'));
    dirs.push(dir);
    return ['--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', dir];
  };
  const setups: Array<{ name: string; start: () => Promise<Running> }> = [
    { name: 'engine, no persistence', start: () => startEngine([]) },
    { name: 'engine, AOF everysec', start: () => startEngine(aofConfig()) },
    { name: 'redis, no persistence', start: () => startRedis(['--appendonly', 'no']) },
    {
      name: 'redis, AOF everysec',
      start: () => startRedis([...aofConfig(), '--aof-use-rdb-preamble', 'no']),
    },
  ];
  try {
    for (const pipeline of [1, 16]) {
      const requests = pipeline === 1 ? 100_000 : 400_000;
      const best = new Map<string, number>();
      for (let round = 0; round < rounds; round++) {
        // Interleaved, so a burst of background load hits every setup alike.
        for (const setup of setups) {
          const server = await setup.start();
          try {
            const rps = setThroughput(server.port, pipeline, requests);
            best.set(setup.name, Math.max(best.get(setup.name) ?? 0, rps));
          } finally {
            await server.stop();
          }
        }
      }
      const get = (name: string) => best.get(name) ?? 0;
      printTable(
        `AOF write throughput, redis-benchmark -t set -c 50 -n ${requests} -P ${pipeline}, best of ${rounds} (requests/s)`,
        ['server', 'no persistence', 'AOF everysec', 'AOF / none'],
        [
          [
            'redkit engine',
            thousands(get('engine, no persistence')),
            thousands(get('engine, AOF everysec')),
            ratio(get('engine, AOF everysec'), get('engine, no persistence')),
          ],
          [
            'redis-server',
            thousands(get('redis, no persistence')),
            thousands(get('redis, AOF everysec')),
            ratio(get('redis, AOF everysec'), get('redis, no persistence')),
          ],
        ],
      );
    }
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}
