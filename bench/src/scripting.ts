import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createEngine, EngineClient } from '@redkit/engine';
import { RawClient } from '@redkit/test-utils';
import RedisMock from 'ioredis-mock';
import { type ServerUnderTest, startEngineProcess, startRedisProcess } from './processes.js';
import { printTable, ratio, thousands } from './table.js';

/**
 * The sliding-window rate limit done right: drop old entries, count, and only record the request when it
 * is allowed (a refused request consumes nothing). KEYS[1] log; ARGV now-ms, window-ms, limit, member.
 */
export const SLIDING_WINDOW = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
local count = redis.call('ZCARD', KEYS[1])
if count < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, tonumber(ARGV[3]) - count - 1}
end
return {0, 0}
`;
const SHA = createHash('sha1').update(SLIDING_WINDOW).digest('hex');

async function perSecond(iterations: number, op: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(1000, iterations / 10); i++) await op(i);
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await op(i);
  return iterations / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** In-process: EVALSHA on the engine against ioredis-mock (which cannot SCRIPT LOAD, so it runs EVAL). */
async function inProcess(): Promise<string[][]> {
  const client = new EngineClient(createEngine());
  await client.call('SCRIPT', 'LOAD', SLIDING_WINDOW);
  const ours = await perSecond(50_000, (i) =>
    client.call('EVALSHA', SHA, 1, `rl:${i % 100}`, 1_000_000 + i, 60_000, 100, `m${i}`),
  );
  client.engine.close();
  const mock = new RedisMock();
  const theirs = await perSecond(1_000, (i) =>
    mock.eval(SLIDING_WINDOW, 1, `rl:${i % 100}`, 1_000_000 + i, 60_000, 100, `m${i}`),
  );
  mock.disconnect();
  return [
    [
      'sliding window, in-process',
      'ioredis-mock (EVAL)',
      thousands(theirs),
      thousands(ours),
      ratio(ours, theirs),
    ],
  ];
}

function benchmarkEvalsha(server: ServerUnderTest, pipeline: number, requests: number): number {
  const out = execFileSync(
    'redis-benchmark',
    [
      '-p',
      String(server.port),
      '-n',
      String(requests),
      '-P',
      String(pipeline),
      '-c',
      '50',
      '-r',
      '100000',
      '--csv',
      '-q',
      'EVALSHA',
      SHA,
      '1',
      'rl:__rand_int__',
      '1000000',
      '60000',
      '100',
      'm__rand_int__',
    ],
    { encoding: 'utf8' },
  );
  return Number(
    /"[^"]*","([0-9.]+)"/.exec(out.split('\n').find((l) => l.startsWith('"EVALSHA')) ?? '')?.[1] ?? 0,
  );
}

/** Over the server: EVALSHA with redis-benchmark against redis-server, best of `rounds`. */
async function overServer(rounds: number): Promise<string[][]> {
  const servers = [await startRedisProcess(), await startEngineProcess()];
  const rows: string[][] = [];
  try {
    for (const s of servers) {
      const c = await RawClient.connect(s.port);
      await c.command(['SCRIPT', 'LOAD', SLIDING_WINDOW]);
      c.close();
    }
    for (const pipeline of [1, 16]) {
      const best = [0, 0];
      for (let round = 0; round < rounds; round++) {
        servers.forEach((s, i) => {
          best[i] = Math.max(best[i]!, benchmarkEvalsha(s, pipeline, pipeline === 1 ? 50_000 : 200_000));
        });
      }
      rows.push([
        `sliding window, server -P ${pipeline}`,
        'redis-server',
        thousands(best[0]!),
        thousands(best[1]!),
        ratio(best[1]!, best[0]!),
      ]);
    }
  } finally {
    for (const s of servers) await s.stop();
  }
  return rows;
}

export async function benchScripting(rounds: number): Promise<void> {
  const rows = [...(await inProcess()), ...(await overServer(rounds))];
  printTable(
    'Lua: EVALSHA of the sliding-window rate limit (calls/s)',
    ['workload', 'peer', 'peer calls/s', 'redkit engine', 'engine / peer'],
    rows,
  );
}
