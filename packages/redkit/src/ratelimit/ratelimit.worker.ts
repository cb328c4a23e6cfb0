/**
 * A test worker process: on each 'run' message, `concurrency` loops, each with its own connection, call
 * limit() `attempts` times each, then report how many were admitted. Used by ratelimit-processes.test.ts.
 */
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import type { RateLimitAlgorithm } from './algorithms.js';
import { RateLimiter } from './limiter.js';

export interface RunMessage {
  type: 'run';
  url: string;
  limits: RateLimitAlgorithm[];
  namespace: string;
  id: string;
  concurrency: number;
  attempts: number;
}

/** Connections per server URL, opened on first use and kept for the next runs. */
const pools = new Map<string, RedisPort[]>();

process.on('message', async (message: RunMessage | { type: 'exit' }) => {
  if (message.type === 'exit') {
    for (const pool of pools.values()) for (const port of pool) await port.close();
    process.exit(0);
  }
  try {
    const pool = pools.get(message.url) ?? [];
    pools.set(message.url, pool);
    while (pool.length < message.concurrency) pool.push(await connect(message.url));
    let admitted = 0;
    await Promise.all(
      pool.slice(0, message.concurrency).map(async (redis) => {
        const limiter = new RateLimiter(redis, message.limits, { namespace: message.namespace });
        for (let i = 0; i < message.attempts; i++) if ((await limiter.limit(message.id)).allowed) admitted++;
      }),
    );
    process.send!({ admitted });
  } catch (error) {
    process.send!({ error: String((error as Error).stack ?? error) });
  }
});
process.send!({ ready: true });
