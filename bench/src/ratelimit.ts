import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { connect, type RateLimitAlgorithm, RateLimiter, type RedisPort } from 'redkit';
import { startRedisProcess } from './processes.js';
import { printTable, ratio, thousands } from './table.js';

const IDS = 1_000;
const DECISIONS = 10_000;
const IN_FLIGHT = 50;

interface Contender {
  name: string;
  /** One decision for identifier i; resolves whether it was admitted. */
  decide: (i: number) => Promise<boolean>;
}

/** Decisions per second: one at a time, or `inFlight` loops sharing the client. */
async function perSecond(decide: (i: number) => Promise<unknown>, inFlight: number): Promise<number> {
  let next = 0;
  const loop = async () => {
    while (next < DECISIONS) await decide(next++ % IDS);
  };
  for (let i = 0; i < 500; i++) await decide(i % IDS);
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inFlight }, loop));
  return DECISIONS / (Number(process.hrtime.bigint() - started) / 1e9);
}

/**
 * Rate-limit decisions per second on one redis-server: redkit's RateLimiter (one EVALSHA per decision) against
 * rate-limiter-flexible's RateLimiterRedis over ioredis, whose algorithm is redkit's fixedWindow (a counter
 * from the first request). Every decision admits (limits far above the load), over 1,000 identifiers.
 */
export async function benchRateLimit(rounds: number): Promise<void> {
  const server = await startRedisProcess();
  const url = `redis://127.0.0.1:${server.port}`;
  const ioredis = new Redis(url);
  const ports: RedisPort[] = [];
  try {
    const flexible = new RateLimiterRedis({
      storeClient: ioredis,
      points: 1_000_000_000,
      duration: 3600,
      keyPrefix: 'rlflx',
    });
    const contenders: Contender[] = [
      {
        name: 'rate-limiter-flexible RateLimiterRedis',
        decide: async (i) => (await flexible.consume(`user:${i}`)).remainingPoints >= 0,
      },
    ];
    const algorithms: Array<[string, RateLimitAlgorithm]> = [
      ['redkit fixedWindow', RateLimiter.fixedWindow(1_000_000_000, '1h')],
      ['redkit slidingWindowCounter', RateLimiter.slidingWindowCounter(1_000_000_000, '1h')],
      ['redkit tokenBucket', RateLimiter.tokenBucket(1_000_000, '1s', { capacity: 1_000_000_000 })],
      ['redkit gcra', RateLimiter.gcra(1_000_000, '1s', { burst: 1_000_000_000 })],
      ['redkit slidingWindow (exact log)', RateLimiter.slidingWindow(1_000_000_000, '1h')],
    ];
    for (const [name, algorithm] of algorithms) {
      const port = await connect(url);
      ports.push(port);
      const limiter = new RateLimiter(port, algorithm, { namespace: name.replace(/\W+/g, '-') });
      contenders.push({ name, decide: async (i) => (await limiter.limit(`user:${i}`)).allowed });
    }
    // Short runs, interleaved (every contender, then again): on a shared machine, the best of many short
    // runs is what each would do undisturbed.
    const best = new Map<string, { sequential: number; concurrent: number; serverUs: number }>();
    for (const c of contenders)
      best.set(c.name, { sequential: 0, concurrent: 0, serverUs: Number.POSITIVE_INFINITY });
    for (let round = 0; round < rounds * 2; round++) {
      for (const inFlight of [1, IN_FLIGHT]) {
        for (const c of contenders) {
          await ioredis.call('CONFIG', 'RESETSTAT');
          const rate = await perSecond(c.decide, inFlight);
          const stats = (await ioredis.call('INFO', 'commandstats')) as string;
          const serverUs = Number(/cmdstat_evalsha:.*usec_per_call=([\d.]+)/.exec(stats)?.[1] ?? Number.NaN);
          const b = best.get(c.name)!;
          if (inFlight === 1) b.sequential = Math.max(b.sequential, rate);
          else b.concurrent = Math.max(b.concurrent, rate);
          b.serverUs = Math.min(b.serverUs, serverUs);
        }
      }
    }
    const base = best.get(contenders[0]!.name)!;
    printTable(
      `Rate-limit decisions on one redis-server, ${thousands(IDS)} identifiers, best of ${rounds * 2} runs of ${thousands(DECISIONS)} (decisions/s)`,
      ['limiter', 'sequential', 'vs flexible', `${IN_FLIGHT} in flight`, 'vs flexible', 'server µs/decision'],
      [...best].map(([name, r]) => [
        name,
        thousands(r.sequential),
        ratio(r.sequential, base.sequential),
        thousands(r.concurrent),
        ratio(r.concurrent, base.concurrent),
        r.serverUs.toFixed(1),
      ]),
    );
    console.log(
      '\nRateLimiterRedis counts a fixed window from the first request: redkit fixedWindow is the like-for-like row; the other algorithms (more state per decision) are shown for information.',
    );
  } finally {
    for (const port of ports) await port.close();
    ioredis.disconnect();
    await server.stop();
  }
}
