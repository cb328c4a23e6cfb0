import { randomUUID } from 'node:crypto';
import { LuaScript, type RedisPort } from '../client/port.js';
import { type Duration, toMilliseconds } from '../duration.js';
import { Keys } from '../keys.js';

export interface QueueOptions {
  namespace?: string;
  /** A taken item not acknowledged within this time goes back to the queue. Default '30s'. */
  visibilityTimeout?: Duration;
}

/** An item taken from the queue: acknowledge it when done, or release it to retry at once. */
export interface QueueJob<T> {
  id: string;
  data: T;
  ack(): Promise<void>;
  release(): Promise<void>;
}

/** KEYS ready, processing, leases; ARGV timeoutMs. Moves one item and leases it on the server clock. */
const TAKE = new LuaScript(`
local item = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
if not item then return false end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[1]), item)
return item
`);

/**
 * KEYS ready, processing, leases; ARGV timeoutMs. Returns expired leases' items to the head of the queue;
 * an item in processing without a lease (its taker died between the move and the lease) gets one now.
 */
const REQUEUE = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local moved = 0
for _, item in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)) do
  if redis.call('LREM', KEYS[2], 1, item) > 0 then
    redis.call('RPUSH', KEYS[1], item)
    moved = moved + 1
  end
  redis.call('ZREM', KEYS[3], item)
end
for _, item in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  if not redis.call('ZSCORE', KEYS[3], item) then
    redis.call('ZADD', KEYS[3], now + tonumber(ARGV[1]), item)
  end
end
return moved
`);

/** KEYS processing, leases, ready; ARGV item, requeue (1/0). Ends a lease: done, or back to the queue. */
const FINISH = new LuaScript(`
local removed = redis.call('LREM', KEYS[1], 1, ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if removed > 0 and ARGV[2] == '1' then redis.call('RPUSH', KEYS[3], ARGV[1]) end
return removed
`);

/**
 * A reliable queue: a taken item moves atomically to a processing list with a lease, is removed only
 * when acknowledged, and returns to the queue when its taker dies or stalls (requeueStale). FIFO.
 * All its keys share a hash tag, so it runs on Redis Cluster.
 */
export class Queue<T = unknown> {
  private readonly ready: string;
  private readonly processing: string;
  private readonly leases: string;
  private readonly timeoutMs: number;

  constructor(
    private readonly redis: RedisPort,
    readonly name: string,
    options: QueueOptions = {},
  ) {
    const keys = new Keys(options.namespace ?? 'queue').inSlot(name);
    this.ready = keys.of('ready');
    this.processing = keys.of('processing');
    this.leases = keys.of('leases');
    this.timeoutMs = toMilliseconds(options.visibilityTimeout ?? '30s', 'visibilityTimeout');
  }

  /** Adds items at the tail; returns the queue's length. */
  async push(...items: T[]): Promise<number> {
    const payloads = items.map((data) => JSON.stringify({ id: randomUUID(), data }));
    return (await this.redis.send('LPUSH', this.ready, ...payloads)) as number;
  }

  /** Takes the oldest item, or null when the queue is empty. */
  async take(): Promise<QueueJob<T> | null> {
    const payload = await this.redis.runScript(
      TAKE,
      [this.ready, this.processing, this.leases],
      [this.timeoutMs],
    );
    return typeof payload === 'string' ? this.job(payload) : null;
  }

  /** Returns items whose lease expired to the queue (run it periodically); how many came back. */
  async requeueStale(): Promise<number> {
    return (await this.redis.runScript(
      REQUEUE,
      [this.ready, this.processing, this.leases],
      [this.timeoutMs],
    )) as number;
  }

  /** Items waiting, and items taken but not yet acknowledged. */
  async counts(): Promise<{ waiting: number; processing: number }> {
    const [waiting, processing] = await this.redis.pipeline([
      ['LLEN', this.ready],
      ['LLEN', this.processing],
    ]);
    return { waiting: Number(waiting), processing: Number(processing) };
  }

  private job(payload: string): QueueJob<T> {
    const { id, data } = JSON.parse(payload) as { id: string; data: T };
    const finish = async (requeue: boolean) => {
      await this.redis.runScript(
        FINISH,
        [this.processing, this.leases, this.ready],
        [payload, requeue ? 1 : 0],
      );
    };
    return { id, data, ack: () => finish(false), release: () => finish(true) };
  }
}
