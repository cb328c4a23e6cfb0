import { execFileSync } from 'node:child_process';
import { type ServerUnderTest, startEngineProcess, startRedisProcess } from './processes.js';
import { printTable, ratio, thousands } from './table.js';

const TESTS = 'set,get,incr,lpush,rpop,sadd,hset,zadd,zpopmin,lrange_100,mset';

/** Requests per second per test, from redis-benchmark's CSV output. */
function redisBenchmark(port: number, pipeline: number, requests: number): Map<string, number> {
  const out = execFileSync(
    'redis-benchmark',
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-t',
      TESTS,
      '-n',
      String(requests),
      '-P',
      String(pipeline),
      '-c',
      '50',
      '--csv',
      '-q',
    ],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  const results = new Map<string, number>();
  for (const line of out.split('\n')) {
    const m = /^"([^"]+)","([0-9.]+)"/.exec(line);
    if (m) results.set(m[1]!, Number(m[2]));
  }
  return results;
}

/** The engine's server against redis-server with redis-benchmark, -P 1 and -P 16, as ratios. */
export async function benchServerThroughput(requests: number, rounds: number): Promise<void> {
  const servers: ServerUnderTest[] = [await startRedisProcess(), await startEngineProcess()];
  try {
    for (const pipeline of [1, 16]) {
      const n = pipeline === 1 ? requests : requests * 4;
      // Interleave the servers' rounds so a burst of background load hits both alike.
      const [redis, engine] = [new Map<string, number>(), new Map<string, number>()];
      for (let round = 0; round < rounds; round++) {
        for (const [i, s] of servers.entries()) {
          const into = i === 0 ? redis : engine;
          for (const [test, rps] of redisBenchmark(s.port, pipeline, n))
            into.set(test, Math.max(into.get(test) ?? 0, rps));
        }
      }
      const rows = [...redis.keys()].map((test) => {
        const a = redis.get(test)!;
        const b = engine.get(test) ?? 0;
        return [test, thousands(a), thousands(b), ratio(b, a)];
      });
      printTable(
        `Server throughput, redis-benchmark -c 50 -n ${n} -P ${pipeline}, best of ${rounds} interleaved rounds (requests/s)`,
        ['test', 'redis-server', 'redkit engine', 'engine / redis'],
        rows,
      );
    }
  } finally {
    for (const s of servers) await s.stop();
  }
}
